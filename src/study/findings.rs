//! Everything the HTML report shows: the run, its achieved correlations, a tornado per
//! output that varies (the factors' percentiles found once for all outputs), and each
//! scenario's values of the base's outputs, simulated in the same pass.

use super::{OutputResult, RunResult, compare};
use crate::engine::RunConfig;
use crate::error::Result;
use crate::sensitivity::tornado::{self, Tornado};
use crate::simulation::Simulation;
use crate::stats::rank::RANK_CAP;

/// The report's percentiles of each input: p10 and p90 around the median.
const TORNADO_RANGE: (f64, f64) = (0.1, 0.9);

/// Everything the HTML report shows.
#[derive(Clone, Debug)]
pub struct Findings {
    /// The base run.
    pub run: RunResult,
    /// A tornado for each output that varies and is neither a probability nor a period of
    /// a series: (output, tornado).
    pub tornadoes: Vec<(String, Tornado)>,
    /// Each scenario's name and its values of the base's outputs.
    pub scenarios: Vec<(String, Vec<OutputResult>)>,
}

/// Simulates `base` and `scenarios` (named) together for `config.trials` trials, telling
/// `progress` how many are done, and builds the tornadoes.
///
/// # Errors
/// As [`compare`] and [`tornado::for_outputs`].
pub fn findings(
    base: &Simulation<'_>,
    scenarios: &[(String, Simulation<'_>)],
    config: &RunConfig,
    progress: &mut dyn FnMut(u64),
) -> Result<Findings> {
    let simulations: Vec<&Simulation<'_>> = scenarios.iter().map(|(_, s)| s).collect();
    let mut comparison = compare(base, &simulations, config, false, progress)?;
    let mut run = comparison.runs.remove(0);
    run.correlations = base.achieved_correlations(config)?;
    let varying: Vec<String> = run
        .outputs
        .iter()
        .filter(|o| !o.boolean && o.period.is_none() && o.summary.moments.min < o.summary.moments.max)
        .map(|o| o.name.clone())
        .collect();
    let tornado_config = RunConfig { trials: config.trials.min(RANK_CAP), ..*config };
    let names: Vec<&str> = varying.iter().map(String::as_str).collect();
    let tornadoes = tornado::for_outputs(base, &names, &tornado_config, TORNADO_RANGE)?;
    Ok(Findings {
        run,
        tornadoes: varying.into_iter().zip(tornadoes).collect(),
        scenarios: scenarios
            .iter()
            .map(|(name, _)| name.clone())
            .zip(comparison.runs.into_iter().map(|r| r.outputs))
            .collect(),
    })
}
