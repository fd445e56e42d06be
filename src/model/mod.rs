//! Model files: TOML text to a [`Model`] of named, parsed expressions with spans (read by
//! `load`), and the variants scenarios and `--set` make of it (`scenario`).

mod data;
mod definition;
mod load;
mod scenario;

pub use crate::correlation::Coefficients;
pub use crate::expr::{BadCount, number, trial_count};
pub use data::{DataFit, DataSpec, Goodness, MAX_DATA_BYTES, MAX_DATA_VALUES};
pub use definition::{CorrelationDef, MAX_MODEL_BYTES, MAX_PERIODS, Meta, Model, Named, Periods, ScenarioDef, VarDef};

#[cfg(test)]
mod tests;
