//! `samples`: the per-trial values of chosen vars, streamed as CSV or Parquet — the
//! whole run or one shard of it (whose CSV, concatenated in shard order, is the whole
//! run's).

use std::io::Write;

use super::setup::{Scope, Setup};
use crate::error::Result;
use crate::simulation::Simulation;

/// The encodings of per-trial values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SamplesFormat {
    /// CSV, a header then one row per trial.
    Csv,
    /// Parquet: a `trial` column and one per var (feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
}

/// The vars whose per-trial values are written, checked and compiled.
#[derive(Debug)]
pub struct Samples {
    simulation: Simulation,
    names: Vec<String>,
}

impl Samples {
    /// The values of `vars` (none: the model's outputs) of `setup`'s model.
    ///
    /// # Errors
    /// A model that does not compile, or a var it does not have.
    pub fn new(setup: &Setup, vars: Option<Vec<String>>) -> Result<Samples> {
        let simulation = setup.simulation()?;
        let names = vars.unwrap_or_else(|| simulation.program.output_vars());
        let keep: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(Samples { simulation: simulation.keeping(&keep)?, names })
    }

    /// Writes the values of the trials in `scope` of `setup`'s run to `out` in `format`.
    ///
    /// # Errors
    /// Values that can't be computed, or a failed write.
    pub fn write(
        &self,
        setup: &Setup,
        scope: Scope,
        format: SamplesFormat,
        out: &mut (dyn Write + Send),
    ) -> Result<()> {
        let config = &setup.config;
        let chunks = match scope {
            Scope::Whole => 0..config.n_chunks(),
            Scope::Shard(shard) => shard.chunks(config.trials),
        };
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        match format {
            SamplesFormat::Csv => crate::samples::write_csv_chunks(&self.simulation, config, &names, chunks, out),
            #[cfg(feature = "parquet")]
            SamplesFormat::Parquet => {
                crate::samples::write_parquet_chunks(&self.simulation, config, &names, chunks, out)
            }
        }
    }
}
