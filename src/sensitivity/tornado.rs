//! Tornado (one at a time): each factor at its low and high percentile (p10 and p90 by
//! default) while every other factor sits at its median; the output's `low`, `high` and
//! `swing = |high − low|`, sorted by swing. These are @RISK's and Crystal Ball's
//! semantics: the bars show what each input can do alone, not interactions.
//!
//! A factor that is one distribution call with constant parameters takes its percentiles
//! from its quantile function, exactly; any other (a formula of draws, a hierarchical
//! or rejection-truncated draw) from the exact order statistics of up to
//! [`crate::stats::rank::RANK_CAP`] simulated trials. Each bar is then one trial of the
//! compiled program with every factor pinned: an exact evaluation, without recompiling.

use crate::engine::RunConfig;
use crate::error::Result;
use crate::simulation::Simulation;
use crate::stats::order::nearest_rank;

/// One factor's bar.
#[derive(Clone, Debug)]
pub struct TornadoFactor {
    /// The factor var.
    pub name: String,
    /// The factor's low and high input values (its percentiles).
    pub inputs: [f64; 2],
    /// Output with the factor at its low percentile.
    pub low: f64,
    /// Output with the factor at its high percentile.
    pub high: f64,
    /// |high − low|.
    pub swing: f64,
}

/// The tornado of one output.
#[derive(Clone, Debug)]
pub struct Tornado {
    /// Trials simulated to find percentiles of factors without a quantile function (0
    /// when every factor has one).
    pub trials: u64,
    /// The percentiles used, as fractions.
    pub range: (f64, f64),
    /// The output with every factor at its median.
    pub base: f64,
    /// Bars, largest swing first.
    pub factors: Vec<TornadoFactor>,
}

/// Builds the tornado of `output` over the factors `names`; `simulation` reports the
/// output and every one of them.
///
/// # Errors
/// Non-finite values in the simulation or in an evaluation.
pub fn run(
    simulation: &Simulation<'_>,
    output: &str,
    names: &[String],
    config: &RunConfig,
    range: (f64, f64),
) -> Result<Tornado> {
    let (quantiles, trials) = factor_quantiles(simulation, names, config, [range.0, 0.5, range.1])?;
    let out = simulation.output_index(output).expect("the output is kept");
    let medians: Vec<(&str, f64)> = names.iter().zip(&quantiles).map(|(n, q)| (n.as_str(), q[1])).collect();
    let evaluate = |pins: &[(&str, f64)]| Ok::<f64, crate::Error>(simulation.pinned(pins).first_trial()?[out]);
    let base = evaluate(&medians)?;
    let mut factors = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let inputs = [quantiles[i][0], quantiles[i][2]];
        let at = |value: f64| {
            let mut pins = medians.clone();
            pins[i].1 = value;
            evaluate(&pins)
        };
        let (low, high) = (at(inputs[0])?, at(inputs[1])?);
        factors.push(TornadoFactor { name: name.clone(), inputs, low, high, swing: (high - low).abs() });
    }
    factors.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    Ok(Tornado { trials, range, base, factors })
}

/// Each factor's quantiles at `levels`: from its quantile function when it has one
/// (exact), else the exact order statistics of `config.trials` simulated trials; with
/// the number of trials simulated (0 if none were needed).
fn factor_quantiles(
    simulation: &Simulation<'_>,
    names: &[String],
    config: &RunConfig,
    levels: [f64; 3],
) -> Result<(Vec<[f64; 3]>, u64)> {
    let program = &simulation.program;
    let exact: Vec<Option<[f64; 3]>> = names
        .iter()
        .map(|name| {
            let marginal = program.vars().iter().find(|v| v.name == *name)?.marginal.as_ref()?;
            let [lo, mid, hi] = levels.map(|u| marginal.quantile(u));
            Some([lo?, mid?, hi?])
        })
        .collect();
    if exact.iter().all(Option::is_some) {
        return Ok((exact.into_iter().flatten().collect(), 0));
    }
    let columns = simulation.collect(config, &config.seeds(program))?;
    let simulated = |name: &String| {
        let mut values = columns[simulation.output_index(name).expect("factors are kept as outputs")].clone();
        values.sort_unstable_by(f64::total_cmp);
        levels.map(|q| values[nearest_rank(q, values.len() as u64) as usize - 1])
    };
    let quantiles = names.iter().zip(exact).map(|(name, exact)| exact.unwrap_or_else(|| simulated(name))).collect();
    Ok((quantiles, config.trials))
}
