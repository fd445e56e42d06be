//! Validated run settings from the arguments and the model.

use std::path::Path;

use crate::compile::{CompileOptions, Sampling};
use crate::engine::RunConfig;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::partial::{Command, RunKey};
use crate::report::RunMeta;
use crate::simulation::{Precision, Simulation, run_config};

use super::args::{SamplingArg, Simulate};
use super::parse_trials;

/// Most worker threads accepted.
const MAX_THREADS: usize = 1024;

/// The run settings of a command, typed: from its arguments, or from a shard key.
struct Settings {
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    sampling: Option<Sampling>,
    repair_correlations: bool,
    sets: Vec<String>,
    queries: Vec<String>,
}

impl Settings {
    /// The settings `args` give (`--trials` parsed, `--sampling` typed).
    ///
    /// # Errors
    /// A `--trials` that is no trial count.
    fn from_args(args: &Simulate) -> Result<Settings> {
        Ok(Settings {
            trials: args.trials.as_deref().map(parse_trials).transpose()?,
            seed: args.seed,
            threads: args.threads,
            sampling: args.sampling.map(|s| match s {
                SamplingArg::Mc => Sampling::Mc,
                SamplingArg::Lhs => Sampling::Lhs,
                SamplingArg::Qmc => Sampling::Qmc,
            }),
            repair_correlations: args.repair_correlations,
            sets: args.sets.clone(),
            queries: args.queries.clone(),
        })
    }
}

/// A model with its scenario and overrides applied, and the run settings.
pub(super) struct RunSetup {
    /// The model file as loaded, before any scenario or override.
    pub(super) loaded: Model,
    pub(super) model: Model,
    pub(super) scenario: Option<String>,
    pub(super) config: RunConfig,
    /// Run options for the compiler.
    pub(super) options: CompileOptions,
    sets: Vec<String>,
    queries: Vec<String>,
}

impl RunSetup {
    /// The model at `path` with `scenario` and the `--set` overrides of `args` applied,
    /// and the run settings `args` and the model give.
    pub(super) fn new(path: &Path, args: &Simulate, scenario: Option<&str>) -> Result<RunSetup> {
        let settings = Settings::from_args(args)?;
        RunSetup::with_model(Model::load(path)?, settings, scenario)
    }

    /// As [`RunSetup::new`], with the model file already loaded and the settings typed.
    fn with_model(loaded: Model, settings: Settings, scenario: Option<&str>) -> Result<RunSetup> {
        let threads = match settings.threads {
            Some(n) if n == 0 || n > MAX_THREADS => {
                return Err(Error::Usage(format!("`--threads {n}` must be between 1 and {MAX_THREADS}")));
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        let mut setup = RunSetup {
            model: loaded.clone(),
            loaded,
            scenario: scenario.map(str::to_string),
            config: RunConfig { trials: 1, seed: 0, threads },
            options: CompileOptions {
                sampling: settings.sampling,
                repair_correlations: settings.repair_correlations,
                extra_outputs: Vec::new(),
                only_extra: false,
            },
            sets: settings.sets,
            queries: settings.queries,
        };
        setup.model = setup.variant(scenario)?;
        setup.config = run_config(&setup.model, settings.trials, settings.seed, threads);
        Ok(setup)
    }

    /// The loaded model with `scenario` (if any), then the `--set` overrides applied, and
    /// the `--query` outputs added.
    pub(super) fn variant(&self, scenario: Option<&str>) -> Result<Model> {
        self.loaded.variant(scenario, &self.sets)?.with_queries(&self.queries)
    }

    /// Provenance of a run of `simulation` (a compiled [`RunSetup::model`]) from `file`.
    pub(super) fn meta<'a>(&'a self, simulation: &'a Simulation, file: &'a str) -> RunMeta<'a> {
        RunMeta {
            model_name: &self.model.meta.name,
            file,
            sha256: &self.model.sha256,
            scenario: self.scenario.as_deref(),
            seed: self.config.seed,
            trials: self.config.trials,
            sampling: simulation.program.sampling().name(),
            overrides: &self.sets,
        }
    }

    /// The key of a sharded run of `simulation` (a compiled [`RunSetup::model`]) by
    /// `command` from `file`, split in `shards`, comparing `scenarios` (for `compare`).
    pub(super) fn key(
        &self,
        command: Command,
        simulation: &Simulation,
        file: &str,
        scenarios: &[String],
        shards: u64,
    ) -> RunKey {
        RunKey {
            command,
            costsim_version: env!("CARGO_PKG_VERSION").to_string(),
            model_name: self.model.meta.name.clone(),
            model_file: file.to_string(),
            model_sha256: self.model.sha256.clone(),
            seed: self.config.seed,
            trials: self.config.trials,
            sampling: simulation.program.sampling(),
            scenario: self.scenario.clone(),
            scenarios: scenarios.to_vec(),
            overrides: self.sets.clone(),
            queries: self.queries.clone(),
            repair_correlations: self.options.repair_correlations,
            shards,
            sensitivity: None,
        }
    }

    /// The setup a sharded run with `key` had, from the model file at `path` (the one
    /// the shards were given, unless moved), with `threads` workers.
    pub(super) fn from_key(key: &RunKey, path: &Path, threads: Option<usize>) -> Result<RunSetup> {
        let settings = Settings {
            trials: Some(key.trials),
            seed: Some(key.seed),
            threads,
            sampling: Some(key.sampling),
            repair_correlations: key.repair_correlations,
            sets: key.overrides.clone(),
            queries: key.queries.clone(),
        };
        // The file is checked against the shards' SHA-256 before any of it is read as a model.
        let loaded = Model::load_verified(path, &key.model_sha256).map_err(|e| match e {
            Error::Usage(message) => Error::Usage(format!(
                "{message}\nmerge needs the model file the shards ran, to name the outputs (and, rarely, to replay trials): pass --model PATH"
            )),
            e => e,
        })?;
        RunSetup::with_model(loaded, settings, key.scenario.as_deref())
    }

    /// `model` compiled with the run options.
    pub(super) fn compile(&self, model: &Model) -> Result<Simulation> {
        Simulation::with_options(model.clone(), self.options.clone())
    }
}

/// Parses `--precision` and `--max-trials`.
pub(super) fn parse_precision(text: &str, max_trials: &str) -> Result<Precision> {
    Ok(Precision { target: parse_percent(text)?, max_trials: parse_trials(max_trials)? })
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
