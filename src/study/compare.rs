//! A base model and its scenarios in one pass with common random numbers: every trial
//! runs each program on the same streams, so a var the programs share draws identical
//! values, and the differences are accumulated trial by trial (precise: an identical
//! scenario differs by exactly 0). Outputs are matched by name, never by position.

use super::{RunResult, output_result, output_results};
use crate::engine::{self, Column, Plan, RunConfig, Simulated};
use crate::error::Result;
use crate::simulation::Simulation;
use crate::stats::Summary;
use crate::stats::confidence::proportion_ci95;

/// One scenario's difference from base for one output.
#[derive(Clone, Debug)]
pub struct Difference {
    /// Distribution of scenario − base, trial by trial.
    pub summary: Summary,
    /// P(scenario > base).
    pub p_greater: f64,
    /// Its 95% interval (see [`crate::stats::confidence::proportion_ci95`]).
    pub p_greater_ci95: [f64; 2],
}

/// The base and its scenarios, compared.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The base's run, then each scenario's values of the same outputs (by name).
    pub runs: Vec<RunResult>,
    /// For each scenario, each output's difference from base (empty unless asked for).
    pub differences: Vec<Vec<Difference>>,
}

/// The scenarios of a comparison, each kept reporting the base's outputs, and the
/// columns to accumulate: the base's outputs, then per scenario its values of them and,
/// if `differences`, its differences from base.
pub struct ComparePlan {
    /// The base's output names, in order.
    pub names: Vec<String>,
    /// Each scenario, reporting the base's outputs.
    pub scenarios: Vec<Simulation>,
    /// The accumulated columns.
    pub columns: Vec<Column>,
    /// Whether the differences are accumulated.
    pub differences: bool,
}

impl ComparePlan {
    /// The plan of comparing `base` with `scenarios`.
    ///
    /// # Errors
    /// A scenario that no longer has one of the base's outputs.
    pub fn new(base: &Simulation, scenarios: &[&Simulation], differences: bool) -> Result<ComparePlan> {
        let names: Vec<String> = (0..base.program.outputs().len()).map(|i| base.program.output_name(i)).collect();
        let keep: Vec<&str> = names.iter().map(String::as_str).collect();
        // Each scenario reports the base's outputs, whatever its own formulas make outputs.
        let scenarios: Vec<Simulation> = scenarios.iter().map(|s| s.keeping(&keep)).collect::<Result<_>>()?;
        for scenario in &scenarios {
            if let Some(name) = keep.iter().find(|n| scenario.output_index(n).is_none()) {
                // Only a change of shape loses an output: a period `x[label]` of a base
                // series whose var the scenario made one value per trial, or the reverse.
                let change = match name.split_once('[') {
                    Some((var, _)) => format!(
                        "`{name}` is a period of the series `{var}` in the base model, but a scenario makes `{var}` one value per trial"
                    ),
                    None => format!(
                        "`{name}` has one value per trial in the base model, but a scenario makes it a series (one value per period)"
                    ),
                };
                return Err(crate::Error::Usage(format!("{change}: a scenario must keep each output's shape")));
            }
        }
        let mut columns: Vec<Column> = (0..names.len()).map(|output| Column::Output { program: 0, output }).collect();
        for (k, scenario) in scenarios.iter().enumerate() {
            let index = |name: &str| scenario.output_index(name).expect("kept");
            columns.extend(keep.iter().map(|n| Column::Output { program: k + 1, output: index(n) }));
            if differences {
                columns.extend(keep.iter().enumerate().map(|(base_output, n)| Column::Difference {
                    program: k + 1,
                    output: index(n),
                    base: 0,
                    base_output,
                }));
            }
        }
        Ok(ComparePlan { names, scenarios, columns, differences })
    }

    /// The engine's plan: `base`'s program first, then the scenarios'.
    pub fn plan<'p>(&'p self, base: &'p Simulation) -> Plan<'p> {
        let mut programs = vec![&base.program];
        programs.extend(self.scenarios.iter().map(|s| &s.program));
        Plan::new(programs, self.columns.clone())
    }

    /// An estimate of the most memory, in bytes, comparing `base` by this plan over
    /// `config` takes (see [`Simulated::peak_bytes`]).
    pub fn peak_bytes(&self, base: &Simulation, config: &RunConfig) -> u64 {
        Simulated::peak_bytes(&self.plan(base), config)
    }

    /// The comparison from `simulated`, every chunk of this plan's run of
    /// `config.trials` trials.
    ///
    /// # Errors
    /// Values that can't be computed.
    pub fn comparison(&self, base: &Simulation, simulated: &Simulated, config: &RunConfig) -> Result<Comparison> {
        for (p, simulation) in std::iter::once(base).chain(&self.scenarios).enumerate() {
            simulation.check_finite(simulated.nonfinite(p), config, &config.seeds(&simulation.program))?;
        }
        // Columns: the base's n outputs, then per scenario its n outputs and n differences.
        let (summaries, n) = (simulated.summaries(&self.plan(base)), self.names.len());
        let per_scenario = if self.differences { 2 * n } else { n };
        let mut runs = vec![output_results(base, summaries[..n].to_vec())];
        let mut found = Vec::new();
        for (k, scenario) in self.scenarios.iter().enumerate() {
            let start = n + k * per_scenario;
            let result = |(name, summary): (&String, &Summary)| {
                output_result(scenario, scenario.output_index(name).expect("kept"), summary.clone())
            };
            runs.push(self.names.iter().zip(&summaries[start..start + n]).map(result).collect());
            if self.differences {
                let difference = |c: usize| Difference {
                    summary: summaries[c].clone(),
                    p_greater: simulated.positive[c] as f64 / config.trials as f64,
                    p_greater_ci95: proportion_ci95(simulated.positive[c], config.trials),
                };
                found.push((start + n..start + 2 * n).map(difference).collect());
            }
        }
        let runs = runs
            .into_iter()
            .map(|outputs| RunResult { trials: config.trials, outputs, correlations: Vec::new(), precision: None })
            .collect();
        Ok(Comparison { runs, differences: found })
    }
}

/// Simulates `base` and every scenario of `plan` (see [`ComparePlan::new`]) together for
/// `config.trials` trials (telling `progress` how many are done), with the differences
/// from base if the plan has them.
///
/// # Errors
/// Values that can't be computed, or worker threads that can't be started.
pub fn compare(
    base: &Simulation,
    plan: &ComparePlan,
    config: &RunConfig,
    progress: &mut dyn FnMut(u64),
) -> Result<Comparison> {
    let simulated = engine::simulate(&plan.plan(base), config, progress)?;
    plan.comparison(base, &simulated, config)
}
