//! `merge`: the partial states of a sharded run, read as hostile, merged exactly, and
//! finished by the study that wrote them — what one machine would have computed.

use std::path::{Path, PathBuf};

use super::compare::{ComparePlan, Comparison, merged_compare};
use super::run::{RunResult, merged_run};
use super::sensitivity::merged_sensitivity;
use super::setup::{Setup, unfit};
use crate::error::{Error, Result};
use crate::partial::{Accumulated, Command, MAX_PARTIAL_BYTES, Partial};
use crate::sensitivity::Analysed;
use crate::simulation::Simulation;

/// A merge, started from its first partial state, which names the model.
#[derive(Debug)]
pub struct Merging {
    name: String,
    first: Partial,
}

/// The result of a merged sharded run, by the command that ran the shards.
#[derive(Debug)]
pub enum Merged {
    /// `run`: the setup, the compiled model and the run's results.
    Run(Setup, Simulation, RunResult),
    /// `compare`: the setup, the plan and the comparison.
    Compare(Setup, ComparePlan, Comparison),
    /// `sensitivity`: the setup and the analyses.
    Sensitivity(Setup, Analysed),
}

impl Merging {
    /// Reads the partial state at `path`.
    ///
    /// # Errors
    /// [`Error::Unreadable`] for a file that cannot be read or is too large;
    /// [`Error::BadPartial`] for one that is not an intact partial state of this version
    /// of costsim.
    pub fn open(path: &Path) -> Result<Merging> {
        let (name, first) = read(path)?;
        Ok(Merging { name, first })
    }

    /// The command that ran the shards: what the merge finishes.
    pub fn command(&self) -> Command {
        self.first.key.command
    }

    /// The model file the shards ran, as they were given it.
    pub fn model_file(&self) -> &str {
        &self.first.key.model_file
    }

    /// This state and those at `rest`, merged, as a partial state's bytes.
    ///
    /// # Errors
    /// As [`Merging::open`] for each file; states of different runs, or a shard given
    /// twice.
    pub fn partial(self, rest: &[PathBuf]) -> Result<Vec<u8>> {
        Ok(self.merged(rest)?.encode())
    }

    /// This state and those at `rest`, merged and finished with the model file at `model`
    /// on `threads` workers.
    ///
    /// # Errors
    /// As [`Merging::partial`]; shards missing; a model file other than the one the
    /// shards ran; states that do not fit it.
    pub fn finish(self, rest: &[PathBuf], model: &Path, threads: Option<usize>) -> Result<Merged> {
        let merged = self.merged(rest)?;
        let missing = merged.missing();
        if !missing.is_empty() {
            return Err(Error::ShardsMissing { missing, shards: merged.key.shards });
        }
        let Partial { key, accumulated, .. } = merged;
        let setup = Setup::from_key(&key, model, threads)?;
        match (key.command, accumulated, &key.sensitivity) {
            (Command::Run, Accumulated::Accumulators(simulated, correlations), None) => {
                let simulation = setup.simulation()?;
                let result = merged_run(&setup, &simulation, simulated, correlations)?;
                Ok(Merged::Run(setup, simulation, result))
            }
            (Command::Compare, Accumulated::Accumulators(simulated, _), None) => {
                let plan = ComparePlan::of(&setup, key.scenarios.clone(), &key.outputs)?;
                let comparison = merged_compare(&setup, &plan, simulated)?;
                Ok(Merged::Compare(setup, plan, comparison))
            }
            (Command::Sensitivity, Accumulated::Sums(streams), Some(request)) => {
                let analysed = merged_sensitivity(&setup, request, streams)?;
                Ok(Merged::Sensitivity(setup, analysed))
            }
            _ => Err(unfit()),
        }
    }

    /// This state and those at `rest`, merged as they are read.
    fn merged(self, rest: &[PathBuf]) -> Result<Partial> {
        let first = std::iter::once(Ok((self.name, self.first)));
        Partial::merge(first.chain(rest.iter().map(|path| read(path))))
    }
}

/// The partial state at `path`, with its name for messages; refused past
/// [`MAX_PARTIAL_BYTES`] before it is read.
fn read(path: &Path) -> Result<(String, Partial)> {
    let name = path.display().to_string();
    let cannot = |e: &dyn std::fmt::Display| Error::Unreadable { what: "", path: name.clone(), reason: e.to_string() };
    let bytes = crate::source::read_at_most(path, MAX_PARTIAL_BYTES).map_err(|e| cannot(&e))?.ok_or_else(|| {
        cannot(&format_args!("it is larger than {} MB, more than any partial state", MAX_PARTIAL_BYTES >> 20))
    })?;
    let partial = Partial::decode(&name, &bytes)?;
    Ok((name, partial))
}
