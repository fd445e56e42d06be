//! What a study is given, typed and resolved once: the model with its scenario and
//! overrides applied, the run's configuration (the caller's settings, else the model's,
//! else the defaults), and which share of the run to compute ([`Scope`]).

use std::path::Path;
use std::sync::Arc;

use crate::compile::{CompileOptions, Sampling};
use crate::engine::{Accumulators, MAX_SHARDS, Pass, RunConfig, shard_chunks};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::partial::{Accumulated, Command, Partial, ShardKey};
use crate::simulation::{Simulation, run_config};
use crate::stats::Percentiles;

/// Most worker threads accepted.
pub const MAX_THREADS: usize = 1024;

/// The settings of a simulating command, typed; `None` takes the model's value, else the
/// default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// Trials.
    pub trials: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
    /// Worker threads (default: one per core).
    pub threads: Option<usize>,
    /// Sampling method.
    pub sampling: Option<Sampling>,
    /// Replace an impossible correlation matrix by the nearest valid one.
    pub repair_correlations: bool,
    /// Overrides `VAR=EXPR`, in order.
    pub sets: Vec<String>,
    /// Outputs added: `EXPR` or `NAME=EXPR`, in order.
    pub queries: Vec<String>,
    /// The percentiles reported, instead of the model's `percentiles` or the defaults.
    pub percentiles: Option<Percentiles>,
}

/// Which share of a run a study computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// All of it, in this process.
    Whole,
    /// One shard, written as a partial state for [`super::Merging`].
    Shard(Shard),
}

/// Shard K of M of a run's chunks (0 ≤ K < M ≤ `MAX_SHARDS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// Shard `index` of `count`.
    ///
    /// # Errors
    /// [`Error::NoSuchShard`] if there is no such shard, or too many.
    pub fn new(index: u64, count: u64) -> Result<Shard> {
        match index < count && count <= MAX_SHARDS {
            true => Ok(Shard { index, count }),
            false => Err(Error::NoSuchShard { index, count, max: MAX_SHARDS }),
        }
    }

    /// K.
    pub fn index(self) -> u64 {
        self.index
    }

    /// M.
    pub fn count(self) -> u64 {
        self.count
    }

    /// The chunks of a run of `trials` this shard simulates.
    pub(crate) fn chunks(self, trials: u64) -> std::ops::Range<u64> {
        shard_chunks(trials, self.index, self.count)
    }

    /// This shard's partial state of the run `key` decides, holding `accumulated`, as
    /// the bytes of its file.
    pub(super) fn state(self, key: ShardKey, accumulated: Accumulated) -> Vec<u8> {
        Partial { key, covered: vec![self.index], accumulated }.encode()
    }
}

/// What a study gives in its scope: its result, or a shard's partial state.
#[derive(Debug)]
pub enum Outcome<T> {
    /// The whole run's result.
    Done(T),
    /// A shard's partial state, as the bytes of its file.
    Shard(Vec<u8>),
}

impl<T> Outcome<T> {
    /// The result of a whole run; `None` for a shard's state.
    pub fn done(self) -> Option<T> {
        match self {
            Outcome::Done(result) => Some(result),
            Outcome::Shard(_) => None,
        }
    }
}

/// A model with its scenario and overrides applied, and the run's configuration.
#[derive(Debug)]
pub struct Setup {
    /// The model file as given (for provenance and shard keys).
    pub file: String,
    /// The model file as loaded, before any scenario or override.
    loaded: Model,
    /// The model run: the scenario, then the overrides applied, the queries added.
    pub model: Arc<Model>,
    /// The scenario applied, if any.
    pub scenario: Option<String>,
    /// Trials, seed and threads.
    pub config: RunConfig,
    /// Run options for the compiler.
    pub options: CompileOptions,
    /// The data files the run model's vars were fitted to: (file as written, SHA-256).
    pub data_files: Vec<(String, String)>,
    sets: Vec<String>,
    queries: Vec<String>,
    trials_given: bool,
}

impl Setup {
    /// The model at `path` with `scenario` and the overrides of `settings` applied, and the
    /// run's configuration.
    ///
    /// # Errors
    /// A model that cannot be read or loaded, an unknown scenario, a bad override or
    /// query, or a thread count out of range.
    pub fn load(path: &Path, settings: Settings, scenario: Option<&str>) -> Result<Setup> {
        Setup::new(Model::load(path)?, path.display().to_string(), settings, scenario)
    }

    /// As [`Setup::load`], with the model file (named `file`) already loaded.
    ///
    /// # Errors
    /// As [`Setup::load`].
    pub fn new(loaded: Model, file: String, settings: Settings, scenario: Option<&str>) -> Result<Setup> {
        let threads = match settings.threads {
            Some(n) if n == 0 || n > MAX_THREADS => {
                return Err(Error::ThreadCount { threads: n, max: MAX_THREADS });
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        let model = loaded.variant(scenario, &settings.sets)?.with_queries(&settings.queries)?;
        Ok(Setup {
            file,
            config: run_config(&model, settings.trials, settings.seed, threads),
            data_files: model.data_files(),
            model: Arc::new(model),
            loaded,
            scenario: scenario.map(str::to_string),
            options: CompileOptions {
                sampling: settings.sampling,
                repair_correlations: settings.repair_correlations,
                extra_outputs: Vec::new(),
                only_extra: false,
                percentiles: settings.percentiles,
            },
            trials_given: settings.trials.is_some(),
            sets: settings.sets,
            queries: settings.queries,
        })
    }

    /// True if the caller gave the trial count (`--trials`), which the report's
    /// sensitivity analyses then follow instead of their own defaults.
    pub fn trials_given(&self) -> bool {
        self.trials_given
    }

    /// The `--set` overrides, `VAR=EXPR`, in order.
    pub fn overrides(&self) -> &[String] {
        &self.sets
    }

    /// The names of the loaded model's scenarios, in order.
    pub fn scenario_names(&self) -> Vec<String> {
        self.loaded.scenarios.iter().map(|s| s.name.name.clone()).collect()
    }

    /// The model run, compiled with the run options.
    ///
    /// # Errors
    /// The model's problems.
    pub fn simulation(&self) -> Result<Simulation> {
        Simulation::with_options(Arc::clone(&self.model), self.options.clone())
    }

    /// The model's warnings: likely mistakes that change no result (`2-3` for a range, a
    /// price that goes negative, a conversion written by hand that units also make),
    /// rendered with their places in the file.
    ///
    /// # Errors
    /// As [`Setup::simulation`].
    pub fn warnings(&self) -> Result<Vec<String>> {
        Ok(super::describe::warnings(&self.model, &self.simulation()?))
    }

    /// Each of the scenarios `names` applied to the loaded model (then the overrides and
    /// queries, as for the base), compiled with the run options, also reporting the vars
    /// `keeping` as outputs.
    ///
    /// # Errors
    /// An unknown scenario, or a scenario's problems.
    pub fn scenarios(&self, names: &[String], keeping: &[&str]) -> Result<Vec<Simulation>> {
        let mut options = self.options.clone();
        options.extra_outputs.extend(keeping.iter().map(|s| s.to_string()));
        names
            .iter()
            .map(|name| {
                let model = self.loaded.variant(Some(name), &self.sets)?.with_queries(&self.queries)?;
                Simulation::with_options(model, options.clone())
            })
            .collect()
    }

    /// The key of a sharded run of `simulation` (the compiled [`Setup::model`]) by
    /// `command`, split in `shards`, comparing `scenarios` (for `compare`).
    pub(crate) fn key(&self, command: Command, simulation: &Simulation, scenarios: &[String], shards: u64) -> ShardKey {
        ShardKey {
            command,
            costsim_version: env!("CARGO_PKG_VERSION").to_string(),
            model_name: self.model.meta.name.clone(),
            model_file: self.file.clone(),
            model_sha256: self.model.sha256.clone(),
            seed: self.config.seed,
            trials: self.config.trials,
            sampling: simulation.program.sampling(),
            scenario: self.scenario.clone(),
            scenarios: scenarios.to_vec(),
            overrides: self.sets.clone(),
            queries: self.queries.clone(),
            repair_correlations: self.options.repair_correlations,
            data: self.data_files.iter().map(|(file, sha256)| format!("{file} {sha256}")).collect(),
            percentiles: match simulation.program.percentiles() {
                p if p.is_default() => Vec::new(),
                p => p.percents().to_vec(),
            },
            outputs: Vec::new(),
            shards,
            sensitivity: None,
        }
    }

    /// The setup a sharded run with `key` had, from the model file at `path` (the one
    /// the shards were given, unless moved), with `threads` workers.
    ///
    /// # Errors
    /// A model file that is not the one the shards ran, and as [`Setup::load`].
    pub(crate) fn from_key(key: &ShardKey, path: &Path, threads: Option<usize>) -> Result<Setup> {
        let settings = Settings {
            trials: Some(key.trials),
            seed: Some(key.seed),
            threads,
            sampling: Some(key.sampling),
            repair_correlations: key.repair_correlations,
            sets: key.overrides.clone(),
            queries: key.queries.clone(),
            percentiles: key.percentiles().ok().filter(|p| !p.is_default()),
        };
        // The file is checked against the shards' SHA-256 before any of it is read as a model.
        let loaded = Model::load_verified(path, &key.model_sha256)
            .map_err(|source| Error::MergeModel { source: Box::new(source) })?;
        let setup = Setup::new(loaded, key.model_file.clone(), settings, key.scenario.as_deref())?;
        let data: Vec<String> = setup.data_files.iter().map(|(file, sha256)| format!("{file} {sha256}")).collect();
        if let Some((now, ran)) = data.iter().zip(&key.data).find(|(now, ran)| now != ran) {
            let (file, actual) = now.rsplit_once(' ').unwrap_or((now, ""));
            let expected = ran.rsplit_once(' ').map_or(ran.as_str(), |(_, sha)| sha);
            let (path, actual, expected) = (file.to_string(), actual.to_string(), expected.to_string());
            let changed = Error::NotTheModel { what: "data file", path, actual, expected };
            return Err(Error::MergeModel { source: Box::new(changed) });
        }
        if data.len() != key.data.len() {
            return Err(super::setup::unfit());
        }
        Ok(setup)
    }
}

/// What a study would keep in memory, to refuse it before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Peak bytes (see [`Accumulators::peak_bytes`]).
    pub bytes: u64,
    /// Columns of statistics accumulated.
    pub columns: usize,
    /// Trials, at most.
    pub trials: u64,
}

/// `simulated`, merged from partial states, if it has the columns of `pass`.
///
/// # Errors
/// [`Error::Unfit`] if it does not: the model was edited.
pub(super) fn fitting(simulated: Accumulators, pass: &Pass<'_>) -> Result<Accumulators> {
    match simulated.fits(pass) {
        true => Ok(simulated),
        false => Err(unfit()),
    }
}

/// The error for partial states that do not fit the model.
pub(super) fn unfit() -> Error {
    Error::Unfit { reason: "the partial states do not fit the model's outputs: was the model edited?".into() }
}
