//! What `check` says about a model: its vars (random, constant or derived) with each
//! random input's p5, p50, p95 and mean, random factors, outputs, scenarios, correlated
//! inputs and sampling method.

use std::path::Path;

use crate::compile::CompileOptions;
use crate::error::Result;
use crate::model::Model;
use crate::simulation::{Simulation, run_config};
use crate::stats::rank::RANK_CAP;

/// The levels of an input's [`InputSpread`]: p5, p50 and p95.
const SPREAD_LEVELS: [f64; 3] = [0.05, 0.5, 0.95];

/// `check`: loads the model at `path`, compiles it with each of its scenarios, and
/// describes it with `scenario` (if any) and the overrides `sets` applied.
///
/// # Errors
/// The first model or scenario that does not load or compile, with all its problems.
pub fn check(path: &Path, scenario: Option<&str>, sets: &[String]) -> Result<Description> {
    let base = Model::load(path)?;
    for scenario in base.scenarios.iter() {
        Simulation::new(base.with_scenario(&scenario.name.name)?)?;
    }
    let model = base.variant(scenario, sets)?;
    let simulation = Simulation::new(model.clone())?;
    let mut description = describe(&model, &simulation);
    spread_inputs(&model, &mut description)?;
    Ok(description)
}

/// Fills in the spread of every random input with one value per trial: exact from its
/// quantile function, or from [`RANK_CAP`] trials (the model's seed) for a formula of
/// draws.
fn spread_inputs(model: &Model, description: &mut Description) -> Result<()> {
    let inputs: Vec<usize> = (0..description.vars.len())
        .filter(|&i| description.vars[i].kind == VarKind::Random && !description.vars[i].series)
        .collect();
    if inputs.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = inputs.iter().map(|&i| description.vars[i].name.clone()).collect();
    let options = CompileOptions { extra_outputs: names.clone(), only_extra: true, ..CompileOptions::default() };
    let simulation = Simulation::with_options(model.clone(), options)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let config = run_config(model, Some(RANK_CAP), None, threads);
    let spreads = simulation.input_spreads(&names, &config, &SPREAD_LEVELS, true)?;
    for (i, spread) in inputs.into_iter().zip(spreads) {
        let [p5, p50, p95] = [spread.quantiles[0], spread.quantiles[1], spread.quantiles[2]];
        let mean = spread.mean.unwrap_or(f64::NAN);
        description.vars[i].spread = Some(InputSpread { p5, p50, p95, mean, simulated: spread.simulated });
    }
    Ok(())
}

/// A random input's spread, shown by `check` so that a misread parameter is seen before
/// a run.
#[derive(Clone, Debug, PartialEq)]
pub struct InputSpread {
    /// Its 5th percentile.
    pub p5: f64,
    /// Its median.
    pub p50: f64,
    /// Its 95th percentile.
    pub p95: f64,
    /// Its mean (infinite when its tail is too heavy for one).
    pub mean: f64,
    /// The trials simulated for it, when it is a formula of draws (else the values are
    /// exact, from its quantile function).
    pub simulated: Option<u64>,
}

/// How a var gets its value.
#[derive(Clone, Debug, PartialEq)]
pub enum VarKind {
    /// It draws random numbers itself.
    Random,
    /// The same value in every trial.
    Constant(f64),
    /// A formula of other vars.
    Derived,
}

/// One var, as described.
#[derive(Clone, Debug, PartialEq)]
pub struct VarDescription {
    /// Its name.
    pub name: String,
    /// How it gets its value.
    pub kind: VarKind,
    /// Its expression as written.
    pub text: String,
    /// Its unit, if declared.
    pub unit: Option<String>,
    /// True if it has one value per period.
    pub series: bool,
    /// True if it draws afresh in every period.
    pub per_period: bool,
    /// A random input's p5, p50, p95 and mean (`check` only; none for a series).
    pub spread: Option<InputSpread>,
    /// The data it was fitted to, if any.
    pub data: Option<std::sync::Arc<crate::model::DataFit>>,
}

/// One scenario, as described.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioInfo {
    /// Its name.
    pub name: String,
    /// What it means, if the file says.
    pub description: Option<String>,
    /// The vars it replaces.
    pub overrides: Vec<String>,
}

/// A model as `check` describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// `[model] name`.
    pub name: String,
    /// The model file's path, as given.
    pub file: String,
    /// SHA-256 of the model file.
    pub sha256: String,
    /// Every var, in evaluation order.
    pub vars: Vec<VarDescription>,
    /// The period labels of a multi-period model (empty without periods).
    pub periods: Vec<String>,
    /// The random factors (vars that draw, and each period of a per-period var), in
    /// stream order.
    pub factors: Vec<String>,
    /// The reported vars, in report order.
    pub outputs: Vec<String>,
    /// The scenarios, in file order.
    pub scenarios: Vec<ScenarioInfo>,
    /// The correlated inputs, in order of first mention.
    pub correlated: Vec<String>,
    /// The sampling method.
    pub sampling: &'static str,
    /// Warnings about likely mistakes (they change no result), rendered with their
    /// places in the file.
    pub warnings: Vec<String>,
}

/// The notes of `model` (what its scenario or overrides changed beyond what they name),
/// then the warnings of `simulation`'s program, rendered against `model`'s file.
pub(super) fn warnings(model: &Model, simulation: &Simulation) -> Vec<String> {
    let notes = model.notes.iter().map(|d| d.render_note(&model.sources));
    notes.chain(simulation.program.lints().iter().map(|d| d.render_warning(&model.sources))).collect()
}

/// The description of `simulation`'s model (`model` holds its scenarios).
pub fn describe(model: &Model, simulation: &Simulation) -> Description {
    let program = &simulation.program;
    Description {
        name: model.meta.name.clone(),
        file: model.sources.main().path.clone(),
        sha256: model.sha256.clone(),
        vars: program
            .vars()
            .iter()
            .map(|var| VarDescription {
                name: var.name.clone(),
                kind: match (var.factors.is_empty(), var.constant) {
                    (false, _) => VarKind::Random,
                    (true, Some(c)) => VarKind::Constant(c),
                    (true, None) => VarKind::Derived,
                },
                text: var.text.clone(),
                unit: var.unit.clone(),
                series: var.series,
                per_period: model.var(&var.name).is_some_and(|v| v.is_per_period()),
                spread: None,
                data: model.var(&var.name).and_then(|v| v.data.clone()),
            })
            .collect(),
        periods: program.periods().to_vec(),
        factors: (0..program.factors().len()).map(|f| program.factor_name(f)).collect(),
        outputs: program.output_vars(),
        scenarios: model
            .scenarios
            .iter()
            .map(|s| ScenarioInfo {
                name: s.name.name.clone(),
                description: s.description.clone(),
                overrides: s.overrides.iter().map(|o| o.name.name.clone()).collect(),
            })
            .collect(),
        correlated: program.correlation().map_or_else(Vec::new, |c| c.vars.clone()),
        sampling: program.sampling().name(),
        warnings: warnings(model, simulation),
    }
}
