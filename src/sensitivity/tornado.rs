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
use crate::model::Model;
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
    let quantiles = factor_quantiles(simulation, names, config, [range.0, 0.5, range.1])?;
    let factors: Vec<(&str, &Quantiles)> = names.iter().map(String::as_str).zip(&quantiles).collect();
    bars(simulation, output, &factors, config, range)
}

/// The tornado of each of `outputs` of `base`'s model (without its correlations), each
/// over the factors that feed it; the factors' percentiles are found once for all.
///
/// # Errors
/// As [`run`].
pub fn for_outputs(
    base: &Simulation<'_>,
    outputs: &[&str],
    config: &RunConfig,
    range: (f64, f64),
) -> Result<Vec<Tornado>> {
    let independent = Model { correlations: Vec::new(), ..base.model.clone() };
    let plain = base.variant(&independent, outputs)?;
    let program = &plain.program;
    let var = |name: &str| program.outputs()[plain.output_index(name).expect("kept as an output")].var as usize;
    let feeding: Vec<Vec<usize>> = outputs.iter().map(|o| program.factors_feeding(var(o))).collect();
    let all: std::collections::BTreeSet<usize> = feeding.iter().flatten().copied().collect();
    let factor_names = plain.factor_names();
    let names: Vec<String> = all.iter().map(|&f| factor_names[f].clone()).collect();
    let keep: Vec<&str> = outputs.iter().copied().chain(names.iter().map(String::as_str)).collect();
    let simulation = base.variant(&independent, &keep)?;
    let quantiles = factor_quantiles(&simulation, &names, config, [range.0, 0.5, range.1])?;
    outputs
        .iter()
        .zip(&feeding)
        .map(|(output, feeding)| {
            let factors: Vec<(&str, &Quantiles)> = feeding
                .iter()
                .map(|f| {
                    let i = all.iter().position(|a| a == f).expect("in the union");
                    (names[i].as_str(), &quantiles[i])
                })
                .collect();
            bars(&simulation, output, &factors, config, range)
        })
        .collect()
}

/// A factor's low, median and high values, and whether they were simulated.
struct Quantiles {
    values: [f64; 3],
    simulated: bool,
}

/// The bars of `output`, each factor at its low and high value with the others at their
/// medians: one trial of the program with every factor pinned per value.
fn bars(
    simulation: &Simulation<'_>,
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
        bars.push(TornadoFactor { name: name.to_string(), inputs, low, high, swing: (high - low).abs() });
    }
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    let trials = if factors.iter().any(|(_, q)| q.simulated) { config.trials } else { 0 };
    Ok(Tornado { trials, range, base, factors: bars })
}

/// Each factor's quantiles at `levels`: from its quantile function when it has one
/// (exact), else the exact order statistics of `config.trials` simulated trials.
fn factor_quantiles(
    simulation: &Simulation<'_>,
    names: &[String],
    config: &RunConfig,
    levels: [f64; 3],
) -> Result<Vec<Quantiles>> {
    let program = &simulation.program;
    let exact: Vec<Option<[f64; 3]>> = names
        .iter()
        .map(|name| {
            // A per-period factor (`name[label]`) names no var: its values are simulated.
            let marginal = program.vars().iter().find(|v| v.name == *name)?.marginal.as_ref()?;
            let [lo, mid, hi] = levels.map(|u| marginal.quantile(u));
            Some([lo?, mid?, hi?])
        })
        .collect();
    let columns = match exact.iter().all(Option::is_some) {
        true => Vec::new(),
        false => simulation.collect(config, &config.seeds(program))?,
    };
    let simulated = |name: &String| {
        let mut values = columns[simulation.output_index(name).expect("factors are kept as outputs")].clone();
        values.sort_unstable_by(f64::total_cmp);
        levels.map(|q| values[nearest_rank(q, values.len() as u64) as usize - 1])
    };
    Ok(names
        .iter()
        .zip(exact)
        .map(|(name, exact)| match exact {
            Some(values) => Quantiles { values, simulated: false },
            None => Quantiles { values: simulated(name), simulated: true },
        })
        .collect())
}
