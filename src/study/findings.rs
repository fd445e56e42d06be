//! Everything the HTML report shows: the run, its achieved correlations, exact histogram
//! bins of each output, the percentiles of every uncertain var that is not an output, the
//! sensitivity analyses `costsim sensitivity` runs by default for each output that
//! varies, and each scenario's values of the base's outputs, simulated in the same pass.

use super::compare::{ComparePlan, compare_whole};
use super::run::{OutputResult, RunResult};
use super::setup::Setup;
use crate::engine::RunConfig;
use crate::error::Result;
use crate::sensitivity::{self, Sensitivity, SensitivityConfig};
use crate::simulation::Simulation;
use crate::stats::{Histogram, Summary};

/// The report's tornado percentiles of each input: p10 and p90, as `costsim sensitivity`.
const TORNADO_RANGE: (f64, f64) = (0.1, 0.9);

/// Bins of each histogram.
const HISTOGRAM_BINS: usize = 48;

/// Everything the HTML report shows.
#[derive(Clone, Debug)]
pub struct Findings {
    /// The base run.
    pub run: RunResult,
    /// Exact bin counts, from p0.5 to p99.5, of each output that varies and is neither a
    /// probability nor a period of a series: (output, histogram).
    pub histograms: Vec<(String, Histogram)>,
    /// Each var that is neither an output nor a constant nor per period, with its
    /// statistics over the same trials, in model order.
    pub inputs: Vec<(String, Summary)>,
    /// The default sensitivity analyses of each output that varies and is not a period of
    /// a series (see [`sensitivity::analyse`]): the same numbers as `costsim sensitivity`.
    pub sensitivity: Vec<Sensitivity>,
    /// Each scenario's name and its values of the base's outputs.
    pub scenarios: Vec<(String, Vec<OutputResult>)>,
}

/// Simulates the base and the scenarios of `plan` (without differences) together for
/// the setup's trials, telling `progress` how many are done, then counts the histograms'
/// bins and the inputs' percentiles in the same trials, and runs the sensitivity
/// analyses.
///
/// # Errors
/// As [`super::compare`] and [`sensitivity::analyse`].
pub fn findings(setup: &Setup, plan: &ComparePlan, progress: &mut dyn FnMut(u64)) -> Result<Findings> {
    let (base, config) = (&plan.base, &setup.config);
    let mut comparison = compare_whole(plan, config, progress)?;
    let mut run = comparison.runs.remove(0);
    run.correlations = base.achieved_correlations(config)?;
    let run_config = RunConfig { trials: run.trials, ..*config };
    let varies = |o: &&OutputResult| o.period.is_none() && o.summary.moments.min < o.summary.moments.max;
    let bins: Vec<(usize, Histogram)> = run
        .outputs
        .iter()
        .enumerate()
        .filter(|(_, o)| varies(o) && !o.boolean)
        .map(|(i, o)| {
            let (lo, hi) = (o.summary.sketch.quantile(0.005), o.summary.sketch.quantile(0.995));
            // A spike at one value: a bin either side of it.
            let (lo, hi) =
                if hi > lo { (lo, hi) } else { (lo - lo.abs().max(1.0) * 1e-3, hi + hi.abs().max(1.0) * 1e-3) };
            (i, Histogram::new(lo, hi, HISTOGRAM_BINS))
        })
        .collect();
    let histograms =
        bins.iter().map(|(i, _)| run.outputs[*i].name.clone()).zip(base.histograms(&run_config, &bins)?).collect();
    let sensitivity = SensitivityConfig {
        outputs: run.outputs.iter().filter(varies).map(|o| o.name.clone()).collect(),
        method: None,
        tornado: None,
        trials: None,
        default_trials: config.trials,
        seed: config.seed,
        threads: config.threads,
        tornado_range: TORNADO_RANGE,
    };
    let sensitivity = sensitivity::analyse(base, &sensitivity)?.outputs;
    Ok(Findings {
        inputs: inputs(base, &run, &run_config)?,
        run,
        histograms,
        sensitivity,
        scenarios: plan.scenario_names.iter().cloned().zip(comparison.runs.into_iter().map(|r| r.outputs)).collect(),
    })
}

/// The statistics of every var of `base` that is neither one of `run`'s outputs nor a
/// constant nor per period, over the trials of `config`.
fn inputs(base: &Simulation, run: &RunResult, config: &RunConfig) -> Result<Vec<(String, Summary)>> {
    let program = &base.program;
    let names: Vec<&str> = program
        .vars()
        .iter()
        .filter(|v| v.constant.is_none() && !v.series && !run.outputs.iter().any(|o| o.name == v.name))
        .map(|v| v.name.as_str())
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let kept = base.keeping(&names)?;
    let summaries = kept.run(config)?;
    let mut found: Vec<(String, Summary)> = names
        .iter()
        .filter_map(|name| kept.output_index(name).map(|i| (name.to_string(), summaries[i].clone())))
        .collect();
    found.sort_by_key(|(name, _)| base.model.var_index(name));
    Ok(found)
}
