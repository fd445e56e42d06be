//! Studies: what the commands compute, whole, sharded or merged, as plain data for the
//! renderers in [`crate::report`]. A [`Setup`] (the model with its scenario and
//! overrides, the run's configuration) is resolved once from typed [`Settings`]; each
//! study computes in a [`Scope`] — the whole run, or one [`Shard`] of it as a partial
//! state — and [`Merging`] finishes merged shards by the same study:
//!
//! - [`run()`]: a run with its achieved correlations and precision;
//! - [`compare()`]: a base model and its scenarios compared with common random numbers in
//!   one pass;
//! - [`sensitivity()`]: which inputs drive each output;
//! - [`Samples`]: per-trial values, streamed;
//! - [`findings()`]: everything the HTML report shows;
//! - [`describe()`]: the description `check` prints.
//!
//! Their results are plain data with public fields: [`RunResult`], [`Comparison`],
//! [`Analysed`] (a [`Sensitivity`] per output, each [`Analysis`] a [`Tornado`],
//! [`Spearman`], [`Sobol`] or [`Shapley`]), [`Findings`] and [`Description`], each output's
//! statistics a [`Summary`].

mod compare;
mod describe;
mod findings;
mod merge;
mod run;
mod samples;
mod sensitivity;
mod setup;

pub use crate::compile::Sampling;
pub use crate::partial::{Command, SensitivityKey};
pub use crate::sensitivity::shapley::{Shapley, ShapleyFactor};
pub use crate::sensitivity::sobol::{Sobol, SobolFactor};
pub use crate::sensitivity::spearman::{Spearman, SpearmanFactor};
pub use crate::sensitivity::tornado::{Tornado, TornadoFactor};
pub use crate::sensitivity::{Analysed, Analysis, Method, Sensitivity, Step, TornadoKind};
pub use crate::simulation::{Achieved, Precision, Simulation};
pub use crate::stats::{Caveat, Histogram, MAX_PERCENTILES, Moments, Percentiles, QuantileSketch, Summary};
pub use compare::{ComparePlan, Comparison, Difference, compare};
pub use describe::{Description, InputSpread, ScenarioInfo, VarDescription, VarKind, check, describe};
pub use findings::{Assumption, Findings, SIMULATION_STEP, Threshold, findings, thresholds};
pub use merge::{Merged, Merging};
pub use run::{OutputResult, PrecisionMiss, PrecisionOutcome, RunResult, output_results, run, run_estimate};
pub use samples::{Samples, SamplesFormat};
pub use sensitivity::sensitivity;
pub use setup::{Estimate, MAX_THREADS, Outcome, Scope, Settings, Setup, Shard};
