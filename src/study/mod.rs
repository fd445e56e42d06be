//! Studies: what the commands compute, as plain data for the renderers in
//! [`crate::report`]: a run with its achieved correlations and precision ([`run`]), a base
//! model and its scenarios compared with common random numbers in one pass
//! ([`compare`]), everything the HTML report shows ([`findings`]), and the description
//! `check` prints ([`describe`]).

mod compare;
mod describe;
mod findings;

pub use compare::{ComparePlan, Comparison, Difference, compare};
pub use describe::{Description, ScenarioInfo, VarDescription, VarKind, describe};
pub use findings::{Findings, findings};

use crate::engine::RunConfig;
use crate::error::Result;
use crate::simulation::{Achieved, Precision, Simulation};
use crate::stats::Caveat;
use crate::stats::Summary;

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

/// Simulates `simulation` — until `precision` is met if one is given, else for
/// `config.trials` trials, telling `progress` how many are done — and measures the
/// achieved rank correlations.
///
/// # Errors
/// Values that can't be computed, or worker threads that can't be started.
pub fn run(
    simulation: &Simulation,
    config: &RunConfig,
    precision: Option<&Precision>,
    progress: &mut dyn FnMut(u64),
) -> Result<RunResult> {
    let (simulated, outcome) = match precision {
        Some(p) => {
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
            (simulated, Some(PrecisionOutcome { target: p.target, misses }))
        }
        None => (simulation.simulate_reporting(config, progress)?, None),
    };
    let config = RunConfig { trials: simulated.trials(), ..*config };
    Ok(RunResult {
        trials: config.trials,
        correlations: simulation.achieved_correlations(&config)?,
        outputs: output_results(simulation, simulation.summaries(&simulated)),
        precision: outcome,
    })
}
