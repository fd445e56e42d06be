//! Tornado charts: per factor the output's `low` and `high` and `swing = |high − low|`,
//! sorted by swing, in two kinds.
//!
//! *Swing* (one at a time): each factor at its low and high percentile (p10 and p90 by
//! default) while every other factor sits at its median. These are @RISK's and Crystal
//! Ball's classic semantics: the bars show what each input can do alone, not
//! interactions, and inputs are taken as independent.
//!
//! *Conditional* ([`conditional`]): from one ordinary run, the output's mean over the
//! trials where the factor is in its bottom 10% and in its top 10% (the same
//! `--tornado-range`), with 95% intervals; @RISK's "change in output mean" tornado. It
//! respects correlations (a correlated partner moves with the factor, as it would in the
//! world) and suits 0/1 outputs, whose means are probabilities. Ties in a discrete factor
//! are broken by trial order, which is random.
//!
//! A factor that is one distribution call with constant parameters takes its percentiles
//! from its quantile function, exactly; any other (a formula of draws, a hierarchical
//! or rejection-truncated draw) from the exact order statistics of up to
//! [`crate::stats::rank::RANK_CAP`] simulated trials. Each bar is then one trial of the
//! compiled program with every factor pinned: an exact evaluation, without recompiling.

use super::sample::Sample;
use crate::engine::RunConfig;
use crate::error::Result;
use crate::simulation::Simulation;
use crate::stats::confidence::proportion_ci95;

/// Which tornado.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TornadoKind {
    /// One at a time: each factor at a low and a high percentile, the others at their
    /// medians.
    Swing,
    /// The output's mean with the factor in its bottom and top tail, from one run.
    Conditional,
}

impl TornadoKind {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            TornadoKind::Swing => "swing",
            TornadoKind::Conditional => "conditional",
        }
    }
}

/// One factor's bar.
#[derive(Clone, Debug)]
pub struct TornadoFactor {
    /// The factor var.
    pub name: String,
    /// The factor's low and high input values (its percentiles; for the conditional
    /// kind, the bounds of its tails).
    pub inputs: [f64; 2],
    /// Output with the factor at its low percentile (conditional: the output's mean over
    /// the factor's bottom tail).
    pub low: f64,
    /// Output with the factor at its high percentile (conditional: mean over its top
    /// tail).
    pub high: f64,
    /// |high − low|.
    pub swing: f64,
    /// 95% intervals of `low` and `high` (conditional kind only; swing bars are exact).
    pub intervals: Option<[[f64; 2]; 2]>,
}

/// The tornado of one output.
#[derive(Clone, Debug)]
pub struct Tornado {
    /// Which kind.
    pub kind: TornadoKind,
    /// Trials simulated: for the swing kind, to find percentiles of factors without a
    /// quantile function (0 when every factor has one).
    pub trials: u64,
    /// The percentiles used, as fractions.
    pub range: (f64, f64),
    /// The output with every factor at its median (conditional: the output's mean).
    pub base: f64,
    /// Bars, largest swing first.
    pub factors: Vec<TornadoFactor>,
}

/// The conditional tornado's bars of the factors of `trials` (unsorted): each factor's
/// bottom `range.0` and top `1 − range.1` of trials (at least one trial each). The 95%
/// intervals come from batch means (`tail_means_ci95`), which carry the sampling error
/// of the cut-points as well as that of the means.
pub(crate) fn conditional_bars(trials: &Sample, range: (f64, f64)) -> Vec<TornadoFactor> {
    let y = &trials.output;
    trials
        .factors
        .iter()
        .map(|(name, x)| {
            let whole = tail_means(x, y, range);
            let [low_ci, high_ci] = tail_means_ci95(x, y, range, whole);
            TornadoFactor {
                name: name.clone(),
                inputs: whole.edges,
                low: whole.low,
                high: whole.high,
                swing: (whole.high - whole.low).abs(),
                intervals: Some([low_ci, high_ci]),
            }
        })
        .collect()
}

/// The conditional tornado of the output whose values are `output` (the trials the bars
/// of [`conditional_bars`] came from), largest swing first.
pub(crate) fn conditional(mut bars: Vec<TornadoFactor>, output: &[f64], range: (f64, f64)) -> Tornado {
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    let base = output.iter().sum::<f64>() / output.len() as f64;
    Tornado { kind: TornadoKind::Conditional, trials: output.len() as u64, range, base, factors: bars }
}

/// Batches for the conditional tornado's intervals when the trials span fewer than
/// this many chunks (else one batch per chunk).
const MIN_BATCHES: usize = 20;

/// The output's mean over the trials where the factor is in its bottom and top tails,
/// and the factor's values at the tails' edges.
#[derive(Clone, Copy, Debug)]
struct TailMeans {
    low: f64,
    high: f64,
    edges: [f64; 2],
}

/// The tail means of `y` by the tails of `x` (the same trials): the bottom `range.0` and
/// top `1 − range.1` of them by `x`, at least one trial each, ties broken by trial order.
fn tail_means(x: &[f64], y: &[f64], range: (f64, f64)) -> TailMeans {
    let n = x.len();
    let (n_low, n_high) = (tail_size(range.0, n), tail_size(1.0 - range.1, n));
    let mut order: Vec<usize> = (0..n).collect();
    let by_x = |a: &usize, b: &usize| x[*a].total_cmp(&x[*b]).then(a.cmp(b));
    // Each tail's mean is summed in trial order.
    let mean = |tail: &[usize]| {
        let mut tail = tail.to_vec();
        tail.sort_unstable();
        tail.iter().map(|&t| y[t]).sum::<f64>() / tail.len() as f64
    };
    order.select_nth_unstable_by(n_low - 1, by_x);
    let (low_edge, low) = (x[order[n_low - 1]], mean(&order[..n_low]));
    order.select_nth_unstable_by(n - n_high, by_x);
    let (high_edge, high) = (x[order[n - n_high]], mean(&order[n - n_high..]));
    TailMeans { low, high, edges: [low_edge, high_edge] }
}

/// The trials in a tail of `share` of `n` trials: at least one.
fn tail_size(share: f64, n: usize) -> usize {
    ((share * n as f64).round() as usize).clamp(1, n)
}

/// 95% intervals of the low and high tail means `whole` (of all the trials) by batch
/// means: the trials split into consecutive batches — whole chunks of
/// [`crate::engine::CHUNK`] when there are at least [`MIN_BATCHES`] of them, else
/// [`MIN_BATCHES`] equal batches — each with its own cut-points, so that the batch
/// estimates vary as much as the cut-points' sampling error makes them; the standard
/// error is that of their size-weighted mean, with Student's t on B − 1 degrees of
/// freedom (Law & Kelton, *Simulation Modeling and Analysis*, on batch means).
fn tail_means_ci95(x: &[f64], y: &[f64], range: (f64, f64), whole: TailMeans) -> [[f64; 2]; 2] {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n = x.len();
    let chunk = crate::engine::CHUNK;
    let bounds: Vec<usize> = if n >= MIN_BATCHES * chunk {
        (0..n.div_ceil(chunk)).map(|b| b * chunk).chain([n]).collect()
    } else {
        let batches = MIN_BATCHES.min(n / 2).max(1);
        (0..=batches).map(|b| b * n / batches).collect()
    };
    let batches: Vec<(f64, TailMeans)> = bounds
        .windows(2)
        .map(|w| ((w[1] - w[0]) as f64 / n as f64, tail_means(&x[w[0]..w[1]], &y[w[0]..w[1]], range)))
        .collect();
    let n_batches = batches.len();
    if n_batches < 2 {
        // Too few trials to see any spread: the interval is all the output's values.
        let range =
            [y.iter().copied().fold(f64::INFINITY, f64::min), y.iter().copied().fold(f64::NEG_INFINITY, f64::max)];
        return [range, range];
    }
    let t = StudentsT::new(0.0, 1.0, (n_batches - 1) as f64).map_or(crate::stats::Z975, |t| t.inverse_cdf(0.975));
    // A 0/1 output's tail means are probabilities: their intervals also hold Wilson's for
    // the tail's count, so a tail without (or with only) events is no certainty.
    let boolean = y.iter().all(|&v| v == 0.0 || v == 1.0);
    let tail = |share: f64| tail_size(share, n) as u64;
    let interval = |estimate: f64, of: fn(&TailMeans) -> f64, trials: u64| {
        let centre: f64 = batches.iter().map(|(w, b)| w * of(b)).sum();
        let spread: f64 = batches.iter().map(|(w, b)| (w * (of(b) - centre)).powi(2)).sum();
        let half = t * (spread * n_batches as f64 / (n_batches - 1) as f64).sqrt();
        let [lo, hi] = [estimate - half, estimate + half];
        match boolean {
            true => {
                let [a, b] = proportion_ci95((estimate * trials as f64).round() as u64, trials);
                [lo.min(a), hi.max(b)]
            }
            false => [lo, hi],
        }
    };
    [interval(whole.low, |b| b.low, tail(range.0)), interval(whole.high, |b| b.high, tail(1.0 - range.1))]
}

/// Builds the tornado of `output` over the factors `names`; `simulation` reports the
/// output and every one of them.
///
/// # Errors
/// Non-finite values in the simulation or in an evaluation.
pub(crate) fn swing(
    simulation: &Simulation,
    output: &str,
    names: &[String],
    config: &RunConfig,
    range: (f64, f64),
) -> Result<Tornado> {
    let quantiles = factor_quantiles(simulation, names, config, [range.0, 0.5, range.1])?;
    let factors: Vec<(&str, &Quantiles)> = names.iter().map(String::as_str).zip(&quantiles).collect();
    bars(simulation, output, &factors, config, range)
}

/// A factor's low, median and high values, and whether they were simulated.
struct Quantiles {
    values: [f64; 3],
    simulated: bool,
}

/// The bars of `output`, each factor at its low and high value with the others at their
/// medians: one trial of the program with every factor pinned per value.
fn bars(
    simulation: &Simulation,
    output: &str,
    factors: &[(&str, &Quantiles)],
    config: &RunConfig,
    range: (f64, f64),
) -> Result<Tornado> {
    let out = simulation.output_index(output).expect("the output is kept");
    let medians: Vec<(&str, f64)> = factors.iter().map(|(n, q)| (*n, q.values[1])).collect();
    let evaluate = |pins: &[(&str, f64)]| Ok::<f64, crate::Error>(simulation.pinned(pins).first_trial()?[out]);
    let base = evaluate(&medians)?;
    let mut bars = Vec::with_capacity(factors.len());
    for (i, (name, quantiles)) in factors.iter().enumerate() {
        let inputs = [quantiles.values[0], quantiles.values[2]];
        let at = |value: f64| {
            let mut pins = medians.clone();
            pins[i].1 = value;
            evaluate(&pins)
        };
        let (low, high) = (at(inputs[0])?, at(inputs[1])?);
        let swing = (high - low).abs();
        bars.push(TornadoFactor { name: name.to_string(), inputs, low, high, swing, intervals: None });
    }
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    let trials = if factors.iter().any(|(_, q)| q.simulated) { config.trials } else { 0 };
    Ok(Tornado { kind: TornadoKind::Swing, trials, range, base, factors: bars })
}

/// Each factor's quantiles at `levels`: from its quantile function when it has one
/// (exact), else the exact order statistics of `config.trials` simulated trials.
fn factor_quantiles(
    simulation: &Simulation,
    names: &[String],
    config: &RunConfig,
    levels: [f64; 3],
) -> Result<Vec<Quantiles>> {
    let spreads = simulation.input_spreads(names, config, &levels, false)?;
    Ok(spreads
        .into_iter()
        .map(|s| Quantiles {
            values: [s.quantiles[0], s.quantiles[1], s.quantiles[2]],
            simulated: s.simulated.is_some(),
        })
        .collect())
}
