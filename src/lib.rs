//! costsim: a Monte Carlo uncertainty simulator for cost questions.
//!
//! A model file (TOML) declares uncertain inputs and formulas; costsim samples millions
//! of seeded trials in parallel and reports distributions, intervals and probabilities,
//! reproducible to the byte from the seed.
//!
//! # Code map
//! Data flows one way: each module uses only modules listed before it (checked by
//! `tests/architecture.rs`).
//!
//! - [`source`]: source files and spans.
//! - [`stream`]: random streams keyed by (seed, factor name, chunk).
//! - `qmc`: the Sobol sequence for quasi-Monte Carlo sampling.
//! - [`stats`]: moments, exact order statistics, percentile sketches, ranks.
//! - [`dist`]: distributions: validation, samplers, quantile functions, truncation.
//! - [`correlation`]: rank-correlation matrices: validation, repair (Gaussian copula).
//! - [`builtins`]: the built-in functions and constants, in one table.
//! - [`diagnostic`]: every kind of model problem, with its message and hint, rendered in
//!   one place.
//! - [`error`]: the library's error type.
//! - [`expr`]: the expression language's lexer, parser and AST.
//! - [`model`]: TOML → [`Model`] (vars with parsed expressions, scenarios, correlations).
//! - [`compile`]: resolve names, order vars, fold constants → [`Program`] of column ops.
//! - [`engine`]: fixed chunks, the batch interpreter, rayon, accumulators.
//! - [`simulation`]: compile + run + report non-finite values ([`Simulation`]).
//! - [`sensitivity`]: tornado (swing and conditional), rank correlation, Sobol indices
//!   and Shapley effects.
//! - [`samples`]: per-trial values as CSV, streamed.
//! - [`partial`]: the partial states of sharded runs (`--shard K/M`) and their exact
//!   merge.
//! - [`study`]: what the commands compute (run, compare, sensitivity, samples, report
//!   findings, describe) from a typed setup, whole, sharded or merged, as plain data.
//! - [`report`]: table, JSON, CSV, Markdown and HTML/SVG renderings of runs, comparisons
//!   and sensitivity analyses.
//! - `cli` (feature `cli`, on by default): the command line — one clap argument struct
//!   per command, the progress bar, atomic output files, exit codes. It turns arguments
//!   into a study's typed setup and renders the result, using only [`study`], [`report`],
//!   [`model`], [`error`] and [`diagnostic`].
//!
//! # Architecture invariants
//! - Only `cli` knows about clap, indicatif, exit codes, stdout and stderr. The library
//!   builds without the `cli` feature (`cargo build --lib --no-default-features`) and then
//!   depends on none of those crates (both checked by `.ci/run`).
//! - Only `report::json` (the JSON contract) and `partial` (sharded runs' state files)
//!   derive `Serialize`; only `model` reads TOML.
//! - `engine` never sees a name, a span or a string; nothing below `cli` reads the clock
//!   or the environment.
//! - Results depend only on (binary, model, seed, trials, sampling): never on thread count or
//!   scheduling. Each random factor's stream is keyed by its name, so editing one input
//!   leaves every other input's draws unchanged (except under `qmc`, where an input's
//!   Sobol dimension is its position in declaration order).
//!
//! ```
//! use costsim::{Model, RunConfig, Simulation};
//! let model = Model::parse("m.toml", r#"
//!     [model]
//!     name = "demo"
//!     [vars]
//!     hours = "2.788M"
//!     price = "1.5 to 3.5"
//!     cost = "hours * price"
//! "#.into()).unwrap();
//! let simulation = Simulation::new(model).unwrap();
//! let summaries = simulation.run(&RunConfig { trials: 10_000, seed: 7, threads: 1 }).unwrap();
//! assert!(summaries[0].p50() > 5e6 && summaries[0].p50() < 7e6);
//! ```

pub mod builtins;
#[cfg(feature = "cli")]
pub mod cli;
pub mod compile;
pub mod correlation;
pub mod diagnostic;
pub mod dist;
pub mod engine;
pub mod error;
pub mod expr;
pub mod model;
pub mod partial;
pub(crate) mod qmc;
pub mod report;
pub mod samples;
pub mod sensitivity;
pub mod simulation;
pub mod source;
pub mod stats;
pub mod stream;
pub mod study;

pub use compile::Program;
pub use engine::RunConfig;
pub use error::{Error, Result};
pub use model::Model;
pub use simulation::Simulation;
