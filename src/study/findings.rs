//! Everything the HTML report shows: the run, its achieved correlations, a tornado per
//! output that varies (conditional when its inputs are correlated, else swing), and each
//! scenario's values of the base's outputs, simulated in the same pass.

use super::{OutputResult, RunResult, compare};
use crate::engine::RunConfig;
use crate::error::Result;
use crate::sensitivity::tornado::Tornado;
use crate::sensitivity::{self, Analysis, Method, SensitivityConfig};
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
/// As [`compare`] and [`sensitivity::analyse`].
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
    // Each output's tornado of the kind that fits it: conditional when inputs that feed it
    // are correlated, else swing (see `sensitivity::analyse`).
    let sensitivity = SensitivityConfig {
        outputs: varying,
        method: Some(Method::Tornado),
        tornado: None,
        trials: Some(config.trials.min(RANK_CAP)),
        default_trials: config.trials,
        seed: config.seed,
        threads: config.threads,
        tornado_range: TORNADO_RANGE,
    };
    // An output constant in the trials the tornado looks at gets none.
    let tornadoes: Vec<(String, Tornado)> = sensitivity::analyse(base, &sensitivity)?
        .outputs
        .into_iter()
        .filter_map(|s| match s.analyses.into_iter().next() {
            Some(Analysis::Tornado(t)) => Some((s.output, t)),
            _ => None,
        })
        .collect();
    Ok(Findings {
        run,
        tornadoes,
        scenarios: scenarios
            .iter()
            .map(|(name, _)| name.clone())
            .zip(comparison.runs.into_iter().map(|r| r.outputs))
            .collect(),
    })
}
