//! A base model and its scenarios in one pass with common random numbers: every trial
//! runs each program on the same streams, so a var the programs share draws identical
//! values, and the differences are accumulated trial by trial (precise: an identical
//! scenario differs by exactly 0). Outputs are matched by name, never by position.

use std::collections::HashSet;

use super::run::{OutputResult, RunResult, output_result};
use super::setup::{Estimate, Outcome, Scope, Setup, fitting};
use crate::engine::{self, Accumulators, Column, Pass, RunConfig};
use crate::error::{Error, Result};
use crate::partial::{Accumulated, Command};
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

impl Difference {
    /// True if the scenario gives the base's value in every trial (common random numbers
    /// make an unchanged output differ by exactly 0).
    pub fn unchanged(&self) -> bool {
        self.summary.moments.min == 0.0 && self.summary.moments.max == 0.0
    }
}

/// The base and its scenarios, compared.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The base's run, then each scenario's values of the same outputs (by name).
    pub runs: Vec<RunResult>,
    /// For each scenario, each output's difference from base (empty unless asked for).
    pub differences: Vec<Vec<Difference>>,
    /// The base's inputs observed in the same trials, with their statistics, in model
    /// order (empty unless asked for: see [`ComparePlan::for_findings`]).
    pub inputs: Vec<(String, Summary)>,
}

/// The base and the scenarios of a comparison, each scenario kept reporting the base's
/// outputs, and the columns to accumulate: the base's outputs, then per scenario its
/// values of them and, if `differences`, its differences from base, then the base's
/// observed inputs.
#[derive(Debug)]
pub struct ComparePlan {
    /// The base model, compiled.
    pub base: Simulation,
    /// The scenarios' names, in order.
    pub scenario_names: Vec<String>,
    /// The base's output names compared, in order.
    pub names: Vec<String>,
    /// The outputs asked for (`compare --var`; empty: every output).
    pub vars: Vec<String>,
    /// Each scenario, reporting the base's outputs.
    pub scenarios: Vec<Simulation>,
    /// The accumulated columns.
    pub columns: Vec<Column>,
    /// Whether the differences are accumulated.
    pub differences: bool,
    /// The base's inputs observed (accumulated like outputs), in model order.
    pub observed: Vec<String>,
}

impl ComparePlan {
    /// The plan of comparing `setup`'s model with its scenarios `scenario_names` (none: a
    /// run of the base alone), with the differences from base if `differences`.
    ///
    /// # Errors
    /// A model or scenario that does not compile; a scenario that no longer has one of
    /// the base's outputs.
    pub fn new(setup: &Setup, scenario_names: Vec<String>, differences: bool) -> Result<ComparePlan> {
        ComparePlan::observing(setup, scenario_names, &[], differences, false)
    }

    /// As [`ComparePlan::new`], comparing only the outputs `vars` (`compare --var`): a var
    /// (every period of a series) or `name[label]` (one period), in the order given.
    ///
    /// # Errors
    /// As [`ComparePlan::new`], and an unknown var or period.
    pub fn of(setup: &Setup, scenario_names: Vec<String>, vars: &[String]) -> Result<ComparePlan> {
        ComparePlan::observing(setup, scenario_names, vars, true, false)
    }

    /// The plan of the report's findings: `setup`'s model and its scenarios
    /// `scenario_names` without differences, and every input of the base — each var that
    /// is neither an output nor a constant nor per period — observed in the same trials.
    ///
    /// # Errors
    /// As [`ComparePlan::new`].
    pub fn for_findings(setup: &Setup, scenario_names: Vec<String>) -> Result<ComparePlan> {
        ComparePlan::observing(setup, scenario_names, &[], true, true)
    }

    /// As [`ComparePlan::of`], observing the base's inputs if `inputs`.
    fn observing(
        setup: &Setup,
        scenario_names: Vec<String>,
        vars: &[String],
        differences: bool,
        inputs: bool,
    ) -> Result<ComparePlan> {
        let plain = setup.simulation()?;
        let plain = match vars.is_empty() {
            true => plain,
            false => plain.reporting(&vars.iter().map(String::as_str).collect::<Vec<_>>())?,
        };
        // `name[label]` is that period alone (checked to be one); a var name, all of its.
        for var in vars.iter().filter(|v| v.contains('[')) {
            plain.scalar_output(var)?;
        }
        let asked = |name: &String| {
            vars.is_empty()
                || vars.iter().any(|v| v == name || (!v.contains('[') && name.starts_with(&format!("{v}["))))
        };
        let names: Vec<String> =
            (0..plain.program.outputs().len()).map(|i| plain.program.output_name(i)).filter(asked).collect();
        let outputs: HashSet<&str> = names.iter().map(String::as_str).collect();
        let mut observed: Vec<String> = match inputs {
            true => plain
                .program
                .vars()
                .iter()
                .filter(|v| v.constant.is_none() && !v.series && !outputs.contains(v.name.as_str()))
                .map(|v| v.name.clone())
                .collect(),
            false => Vec::new(),
        };
        observed.sort_by_key(|name| plain.model.var_index(name));
        // The base keeps its outputs first, then reports the observed inputs too.
        let base = match observed.is_empty() {
            true => plain,
            false => plain.keeping(&observed.iter().map(String::as_str).collect::<Vec<_>>())?,
        };
        let keep: Vec<&str> = names.iter().map(String::as_str).collect();
        // Each scenario reports the base's outputs, whatever its own formulas make outputs.
        let scenarios = setup.scenarios(&scenario_names, &keep)?;
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
                return Err(Error::ShapeChanged { change });
            }
        }
        let index = |name: &str| base.output_index(name).expect("kept");
        let mut columns: Vec<Column> = names.iter().map(|n| Column::Output { program: 0, output: index(n) }).collect();
        for (k, scenario) in scenarios.iter().enumerate() {
            let scenario_index = |name: &str| scenario.output_index(name).expect("kept");
            columns.extend(keep.iter().map(|n| Column::Output { program: k + 1, output: scenario_index(n) }));
            if differences {
                columns.extend(keep.iter().map(|n| Column::Difference {
                    program: k + 1,
                    output: scenario_index(n),
                    base: 0,
                    base_output: index(n),
                }));
            }
        }
        columns.extend(observed.iter().map(|name| Column::Output { program: 0, output: index(name) }));
        let vars = vars.to_vec();
        Ok(ComparePlan { base, scenario_names, names, vars, scenarios, columns, differences, observed })
    }

    /// The notes of the scenarios (a var a scenario pins leaves its correlations),
    /// rendered, each once; the base's own are said with its warnings.
    pub fn notes(&self) -> Vec<String> {
        let render =
            |s: &Simulation| -> Vec<String> { s.model.notes.iter().map(|d| d.render_note(&s.model.sources)).collect() };
        let mut notes = render(&self.base);
        let said = notes.len();
        for note in self.scenarios.iter().flat_map(render) {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        notes.split_off(said)
    }

    /// The engine's pass: the base's program first, then the scenarios'.
    pub(crate) fn pass(&self) -> Pass<'_> {
        let mut programs = vec![&self.base.program];
        programs.extend(self.scenarios.iter().map(|s| &s.program));
        Pass::new(programs, self.columns.clone())
    }

    /// What comparing by this plan over `config` would keep in memory (see
    /// [`Accumulators::peak_bytes`]).
    pub fn estimate(&self, config: &RunConfig) -> Estimate {
        Estimate {
            bytes: Accumulators::peak_bytes(&self.pass(), config),
            columns: self.columns.len(),
            trials: config.trials,
        }
    }

    /// The comparison from `simulated`, every chunk of this plan's run of
    /// `config.trials` trials.
    ///
    /// # Errors
    /// Values that can't be computed.
    fn comparison(&self, simulated: &Accumulators, config: &RunConfig) -> Result<Comparison> {
        let base = &self.base;
        for (p, simulation) in std::iter::once(base).chain(&self.scenarios).enumerate() {
            simulation.check_finite(simulated.nonfinite(p), config, &config.seeds(&simulation.program))?;
        }
        // Columns: the base's n outputs, then per scenario its n outputs and n differences.
        let (summaries, n) = (simulated.summaries(&self.pass()), self.names.len());
        let per_scenario = if self.differences { 2 * n } else { n };
        // A program's results of the compared outputs, from the n summaries at `start`.
        let results = |program: &Simulation, start: usize| -> Vec<OutputResult> {
            let result = |(name, summary): (&String, &Summary)| {
                output_result(program, program.output_index(name).expect("kept"), summary.clone())
            };
            self.names.iter().zip(&summaries[start..start + n]).map(result).collect()
        };
        let mut runs = vec![results(base, 0)];
        let mut found = Vec::new();
        for (k, scenario) in self.scenarios.iter().enumerate() {
            let start = n + k * per_scenario;
            runs.push(results(scenario, start));
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
        let first_observed = summaries.len() - self.observed.len();
        let inputs = self.observed.iter().cloned().zip(summaries[first_observed..].iter().cloned()).collect();
        Ok(Comparison { runs, differences: found, inputs })
    }
}

/// Simulates the base and every scenario of `plan` together in `scope` — the setup's
/// trials (telling `progress` how many are done), or a shard of them as a partial
/// state — with the differences from base if the plan has them.
///
/// # Errors
/// Values that can't be computed, or worker threads that can't be started.
pub fn compare(
    setup: &Setup,
    plan: &ComparePlan,
    scope: Scope,
    progress: &mut dyn FnMut(u64),
) -> Result<Outcome<Comparison>> {
    let config = &setup.config;
    match scope {
        Scope::Whole => Ok(Outcome::Done(compare_whole(plan, config, progress)?)),
        Scope::Shard(shard) => {
            let simulated = Accumulators::shard(&plan.pass(), config, shard.chunks(config.trials))?;
            let mut key = setup.key(Command::Compare, &plan.base, &plan.scenario_names, shard.count());
            key.outputs.clone_from(&plan.vars);
            let accumulated = Accumulated::Accumulators(simulated, None);
            Ok(Outcome::Shard(shard.state(key, accumulated)))
        }
    }
}

/// Simulates the base and every scenario of `plan` together for `config.trials` trials,
/// telling `progress` how many are done.
///
/// # Errors
/// As [`compare`].
pub(super) fn compare_whole(
    plan: &ComparePlan,
    config: &RunConfig,
    progress: &mut dyn FnMut(u64),
) -> Result<Comparison> {
    let simulated = engine::simulate(&plan.pass(), config, progress)?;
    plan.comparison(&simulated, config)
}

/// The comparison finished from merged partial states: `simulated` holds every chunk of
/// the run of `plan`.
///
/// # Errors
/// Values that can't be computed; states that do not fit the plan.
pub(crate) fn merged_compare(setup: &Setup, plan: &ComparePlan, simulated: Accumulators) -> Result<Comparison> {
    let pass = plan.pass();
    let mut simulated = fitting(simulated, &pass)?;
    simulated.finish(&pass, &setup.config)?;
    plan.comparison(&simulated, &setup.config)
}
