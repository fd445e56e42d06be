//! Validated run settings from the arguments and the model, and the text of `check`.

use std::path::Path;

use crate::compile::{CompileOptions, Program, Sampling};
use crate::engine::RunConfig;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::human;
use crate::simulation::{Precision, Simulation};

use super::{CommonArgs, parse_trials};

/// Default trial count when neither `--trials` nor the model sets one.
const DEFAULT_TRIALS: u64 = 1_000_000;
/// Most worker threads accepted.
const MAX_THREADS: usize = 1024;
/// Default seed when neither `--seed` nor the model sets one.
const DEFAULT_SEED: u64 = 1;

/// A model with its scenario and overrides applied, and the run settings.
pub(super) struct RunSetup {
    /// The model file as loaded, before any scenario or override.
    pub(super) loaded: Model,
    pub(super) model: Model,
    pub(super) scenario: Option<String>,
    pub(super) config: RunConfig,
    pub(super) precision: Option<Precision>,
    /// Run options for the compiler.
    pub(super) options: CompileOptions,
    sets: Vec<String>,
}

impl RunSetup {
    pub(super) fn new(path: &Path, args: &CommonArgs) -> Result<RunSetup> {
        let loaded = Model::load(path)?;
        let mut setup = RunSetup {
            model: loaded.clone(),
            loaded,
            scenario: args.scenario.clone(),
            config: RunConfig { trials: 1, seed: 0, threads: 1 },
            precision: None,
            options: CompileOptions {
                sampling: args.sampling.map(|s| match s {
                    super::SamplingArg::Mc => Sampling::Mc,
                    super::SamplingArg::Lhs => Sampling::Lhs,
                    super::SamplingArg::Qmc => Sampling::Qmc,
                }),
                repair_correlations: args.repair_correlations,
                extra_outputs: Vec::new(),
            },
            sets: args.sets.clone(),
        };
        setup.model = setup.variant(args.scenario.as_deref())?;
        let model = &setup.model;
        let precision = match &args.precision {
            Some(text) => Some(Precision { target: parse_percent(text)?, max_trials: parse_trials(&args.max_trials)? }),
            None => None,
        };
        let trials = match &args.trials {
            Some(text) => parse_trials(text)?,
            None => model.meta.trials.unwrap_or(DEFAULT_TRIALS),
        };
        if trials == 0 {
            return Err(Error::Usage("the model's `trials` must be at least 1".into()));
        }
        let threads = match args.threads {
            Some(n) if n == 0 || n > MAX_THREADS => {
                return Err(Error::Usage(format!("`--threads {n}` must be between 1 and {MAX_THREADS}")));
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        let seed = args.seed.or(model.meta.seed).unwrap_or(DEFAULT_SEED);
        setup.config = RunConfig { trials, seed, threads };
        setup.precision = precision;
        Ok(setup)
    }

    /// The loaded model with `scenario` (if any), then the `--set` overrides applied.
    pub(super) fn variant(&self, scenario: Option<&str>) -> Result<Model> {
        let model = match scenario {
            Some(name) => self.loaded.with_scenario(name)?,
            None => self.loaded.clone(),
        };
        model.with_overrides(&self.sets)
    }

    /// `model` compiled with the run options.
    pub(super) fn compile<'m>(&self, model: &'m Model) -> Result<Simulation<'m>> {
        Simulation::with_options(model, self.options.clone())
    }
}

/// Parses `--precision`: a relative tolerance such as `0.5%` or `0.005`, in (0, 1).
fn parse_percent(text: &str) -> Result<f64> {
    let bad = || Error::Usage(format!("`--precision {text}` must be a relative tolerance such as 0.5% or 0.005"));
    let expr = crate::expr::parse(text).map_err(|_| bad())?;
    match expr.kind {
        crate::expr::ExprKind::Num(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(bad()),
    }
}

/// The text of `check`: vars, factors, outputs, scenarios and correlations.
pub(super) fn describe(model: &Model, program: &Program) -> String {
    let mut out = format!("model: {}\nsha256: {}\n\n", model.meta.name, model.sha256);
    let width = program.vars().iter().map(|v| v.name.len()).max().unwrap_or(0);
    out.push_str(&format!("vars ({}):\n", program.vars().len()));
    let kinds: Vec<String> = program
        .vars()
        .iter()
        .map(|var| match (var.factor, var.constant) {
            (Some(_), _) => "random".to_string(),
            (None, Some(c)) => format!("constant = {}", human::number(c, var.unit.as_deref())),
            (None, None) => "derived".to_string(),
        })
        .collect();
    let kind_width = kinds.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    for (var, kind) in program.vars().iter().zip(&kinds) {
        let unit = var.unit.as_ref().map_or(String::new(), |u| format!(" [{u}]"));
        out.push_str(&format!("  {:width$}  {kind:kind_width$}  {}{unit}\n", var.name, var.text));
    }
    let names = |idx: &mut dyn Iterator<Item = u32>| {
        idx.map(|v| program.vars()[v as usize].name.as_str()).collect::<Vec<_>>().join(", ")
    };
    out.push_str(&format!(
        "\nrandom factors ({}): {}\n",
        program.factors().len(),
        names(&mut program.factors().iter().map(|f| f.var))
    ));
    out.push_str(&format!(
        "outputs ({}): {}\n",
        program.outputs().len(),
        names(&mut program.outputs().iter().map(|o| o.var))
    ));
    out.push_str(&format!("scenarios ({}):", model.scenarios.len()));
    for s in &model.scenarios {
        let overrides: Vec<&str> = s.overrides.iter().map(|o| o.name.name.as_str()).collect();
        let description = s.description.as_ref().map_or(String::new(), |d| format!(" — {d}"));
        out.push_str(&format!("\n  {}{description} (overrides {})", s.name.name, overrides.join(", ")));
    }
    out.push('\n');
    if let Some(c) = program.correlation() {
        out.push_str(&format!("correlated inputs ({}): {}\n", c.vars.len(), c.vars.join(", ")));
    }
    out.push_str(&format!("sampling: {}\n", program.sampling().name()));
    out.push_str("ok\n");
    out
}
