//! `run`: simulate a model — its whole run (to a precision target if one is set) or one
//! shard of it — and gather each output's results and the achieved rank correlations.

use super::setup::{Estimate, Outcome, Scope, Setup, Shard, fitting};
use crate::engine::RunConfig;
use crate::error::{Error, Result};
use crate::partial::{Accumulated, Command};
use crate::simulation::{Achieved, Precision, Simulation};
use crate::stats::{Caveat, Summary};

/// One output's results: what the renderers need about it.
#[derive(Clone, Debug)]
pub struct OutputResult {
    /// Its name: the var's, or `name[label]` for a period of a series.
    pub name: String,
    /// For a period of a series: the var's name and the period's label.
    pub period: Option<(String, String)>,
    /// Its unit, if declared.
    pub unit: Option<String>,
    /// True if it is 0 or 1 in every trial (a comparison or logic): its mean is a
    /// probability.
    pub boolean: bool,
    /// Its statistics.
    pub summary: Summary,
}

impl OutputResult {
    /// For a period of a series: the var's name and the period's label.
    pub fn in_series(&self) -> Option<(&str, &str)> {
        self.period.as_ref().map(|(var, label)| (var.as_str(), label.as_str()))
    }

    /// The var it is a value of: its own name, or its series' for a period.
    pub fn var(&self) -> &str {
        self.in_series().map_or(&self.name, |(var, _)| var)
    }
}

/// The outputs of `simulation`'s program with their summaries, in report order.
pub fn output_results(simulation: &Simulation, summaries: Vec<Summary>) -> Vec<OutputResult> {
    summaries.into_iter().enumerate().map(|(i, summary)| output_result(simulation, i, summary)).collect()
}

/// Output `i` of `simulation`'s program with its summary.
pub(crate) fn output_result(simulation: &Simulation, i: usize, summary: Summary) -> OutputResult {
    let program = &simulation.program;
    let output = &program.outputs()[i];
    let var = &program.vars()[output.var as usize];
    OutputResult {
        name: program.output_name(i),
        period: output.period.map(|k| (var.name.clone(), program.periods()[k as usize].clone())),
        unit: var.unit.clone(),
        boolean: output.boolean,
        summary,
    }
}

/// Whether a `--precision` target was met.
#[derive(Clone, Debug, PartialEq)]
pub struct PrecisionOutcome {
    /// The relative target.
    pub target: f64,
    /// What still missed it (nothing when every output met it).
    pub misses: Vec<PrecisionMiss>,
}

impl PrecisionOutcome {
    /// True if every output met the target.
    pub fn met(&self) -> bool {
        self.misses.is_empty()
    }
}

/// A statistic that missed a `--precision` target.
#[derive(Clone, Debug, PartialEq)]
pub struct PrecisionMiss {
    /// The output's name.
    pub output: String,
    /// `mean` or `p95`.
    pub statistic: &'static str,
    /// The larger side of its 95% interval relative to its value.
    pub relative: f64,
    /// Why the mean's interval is not to be trusted, when that is why it missed.
    pub caveat: Option<Caveat>,
}

/// A run's results.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Trials run (more than asked for when a precision target needed them).
    pub trials: u64,
    /// Every output, in report order.
    pub outputs: Vec<OutputResult>,
    /// Requested and achieved rank correlations.
    pub correlations: Vec<Achieved>,
    /// The precision target's outcome, if one was set.
    pub precision: Option<PrecisionOutcome>,
}

/// Simulates `simulation` (the compiled [`Setup::model`]) in `scope`: for a whole run,
/// until `precision` is met if one is given, else for the setup's trials, telling
/// `progress` how many are done, and measures the achieved rank correlations; for a
/// shard, its chunks, as a partial state.
///
/// # Errors
/// Values that can't be computed, worker threads that can't be started, or a precision
/// target for a shard (which cannot know when the whole run has met it).
pub fn run(
    setup: &Setup,
    simulation: &Simulation,
    scope: Scope,
    precision: Option<&Precision>,
    progress: &mut dyn FnMut(u64),
) -> Result<Outcome<RunResult>> {
    let config = &setup.config;
    match (scope, precision) {
        (Scope::Shard(_), Some(_)) => Err(Error::PrecisionSharded),
        (Scope::Shard(shard), None) => Ok(Outcome::Shard(run_shard(setup, simulation, shard)?)),
        (Scope::Whole, Some(p)) => {
            let (simulated, misses) = simulation.simulate_to_precision(config, p)?;
            let misses: Vec<PrecisionMiss> = misses
                .into_iter()
                .map(|m| PrecisionMiss {
                    output: simulation.program.output_name(m.output),
                    statistic: m.statistic,
                    relative: m.relative,
                    caveat: m.caveat,
                })
                .collect();
            let outcome = PrecisionOutcome { target: p.target, misses };
            let config = RunConfig { trials: simulated.trials(), ..*config };
            let result = run_result(simulation, simulation.summaries(&simulated), &config, Some(outcome))?;
            Ok(Outcome::Done(result))
        }
        (Scope::Whole, None) => {
            let simulated = simulation.simulate(config, progress)?;
            Ok(Outcome::Done(run_result(simulation, simulation.summaries(&simulated), config, None)?))
        }
    }
}

/// The result of a run of `config.trials` trials of `simulation` whose outputs have
/// `summaries`.
///
/// # Errors
/// As [`Simulation::observe`].
fn run_result(
    simulation: &Simulation,
    summaries: Vec<Summary>,
    config: &RunConfig,
    precision: Option<PrecisionOutcome>,
) -> Result<RunResult> {
    Ok(RunResult {
        trials: config.trials,
        correlations: simulation.observe(config, &[])?.1,
        outputs: output_results(simulation, summaries),
        precision,
    })
}

/// Shard `shard` of the run of `simulation`, as a partial state's bytes; the shard with
/// chunk 0 also measures the achieved rank correlations.
///
/// # Errors
/// As [`Simulation::simulate_shard`].
fn run_shard(setup: &Setup, simulation: &Simulation, shard: Shard) -> Result<Vec<u8>> {
    let chunks = shard.chunks(setup.config.trials);
    let correlations = match chunks.start == 0 {
        true => Some(simulation.observe(&setup.config, &[])?.1),
        false => None,
    };
    let simulated = simulation.simulate_shard(&setup.config, chunks)?;
    let key = setup.key(Command::Run, simulation, &[], shard.count());
    let accumulated = Accumulated::Accumulators(simulated, correlations);
    Ok(shard.state(key, accumulated))
}

/// What a run of `simulation` over `setup`'s configuration would keep in memory (up to
/// `precision`'s most trials if one is given): see [`Simulation::peak_bytes`].
pub fn run_estimate(setup: &Setup, simulation: &Simulation, precision: Option<&Precision>) -> Estimate {
    let trials = precision.map_or(setup.config.trials, |p| p.max_trials);
    let config = RunConfig { trials, ..setup.config };
    Estimate { bytes: simulation.peak_bytes(&config), columns: simulation.program.outputs().len(), trials }
}

/// The run finished from merged partial states: `simulated` holds every chunk of the
/// run of `simulation` (the compiled [`Setup::model`]), `correlations` the achieved
/// rank correlations from the shard with chunk 0.
///
/// # Errors
/// Values that can't be computed; states that do not fit the model.
pub(crate) fn merged_run(
    setup: &Setup,
    simulation: &Simulation,
    simulated: crate::engine::Accumulators,
    correlations: Option<Vec<Achieved>>,
) -> Result<RunResult> {
    let mut simulated = fitting(simulated, &crate::engine::Pass::outputs(&simulation.program))?;
    simulation.finish(&mut simulated, &setup.config)?;
    Ok(RunResult {
        trials: setup.config.trials,
        outputs: output_results(simulation, simulation.summaries(&simulated)),
        correlations: correlations.unwrap_or_default(),
        precision: None,
    })
}
