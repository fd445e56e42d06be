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
//! - `source`: source files and spans.
//! - `stream`: random streams keyed by (seed, factor name, chunk).
//! - `qmc`: the Sobol sequence for quasi-Monte Carlo sampling.
//! - `stats`: moments, exact order statistics, percentile sketches, ranks.
//! - `dist`: distributions: validation, samplers, quantile functions, truncation.
//! - `correlation`: rank-correlation matrices: validation, repair (Gaussian copula).
//! - `builtins`: the built-in functions and constants, in one table.
//! - [`diagnostic`]: every kind of model problem, with its message and hint, rendered in
//!   one place.
//! - [`error`]: the library's error type.
//! - `expr`: the expression language's lexer, parser and AST.
//! - [`model`]: TOML → [`Model`] (vars with parsed expressions, scenarios, correlations).
//! - `units`: unit expressions, the built-in units, and the inference that checks each
//!   var's unit and writes exact conversions into its formula.
//! - `compile`: resolve names, order vars, fold constants → [`Program`] of column ops.
//! - `engine`: fixed chunks, the batch interpreter, rayon, accumulators.
//! - `simulation`: compile + run + report non-finite values ([`Simulation`]).
//! - `sensitivity`: tornado (swing and conditional), rank correlation, Sobol indices
//!   and Shapley effects.
//! - `samples`: per-trial values as CSV, streamed.
//! - `partial`: the partial states of sharded runs (`--shard K/M`) and their exact
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
//! # Public API and versioning
//! The API is what these paths name: [`model`] (a model file, loaded), [`study`] (the
//! typed setup of a run and the studies the commands compute — run, compare,
//! sensitivity, samples, report findings, describe — with their results), [`report`]
//! (every report, rendered by one trait, [`report::Render`], in a [`report::Format`]),
//! [`diagnostic`] and [`error`]; and at the root [`Model`], [`Simulation`], [`RunConfig`],
//! [`CompileOptions`], [`Sampling`], [`Program`], [`Summary`], [`Error`] and [`Result`].
//! Every other module is private to the crate. `cli` (the binary's) and `internals`
//! (what costsim's own benches and statistical tests reach below the API) are hidden from
//! the documentation and outside any promise.
//!
//! Until 1.0, a minor version (0.x to 0.x+1) may change this API and a patch version does
//! not. The JSON contract (docs/json.md) and the partial states of sharded runs carry
//! version numbers of their own and change only with them. Results are reproducible to
//! the byte for the same binary, model, seed, trials and sampling; the first draws of
//! every distribution are pinned by `tests/value_stability.rs`, so a change that moves
//! them is deliberate and announced.
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

pub(crate) mod builtins;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub(crate) mod compile;
pub(crate) mod correlation;
pub mod diagnostic;
pub(crate) mod dist;
pub(crate) mod engine;
pub mod error;
pub(crate) mod expr;
pub mod model;
pub(crate) mod partial;
pub(crate) mod qmc;
pub mod report;
pub(crate) mod samples;
pub(crate) mod sensitivity;
pub(crate) mod simulation;
pub(crate) mod source;
pub(crate) mod stats;
pub(crate) mod stream;
pub mod study;
pub(crate) mod units;

pub use compile::{CompileOptions, Program, Sampling};
pub use engine::RunConfig;
pub use error::{Error, Result};
pub use model::Model;
pub use simulation::Simulation;
pub use stats::Summary;

/// What costsim's own benches and statistical tests reach below the public API, by the
/// paths of the modules that hold it. Not part of the API: no promise holds for it.
#[doc(hidden)]
pub mod internals {
    /// Built-in functions and constants.
    pub mod builtins {
        pub use crate::builtins::{CONSTANTS, FUNCTIONS};
    }
    /// Distributions.
    pub mod dist {
        pub use crate::dist::{Bounds, DistKind, Form, Metalog, Rng, Sampler, to_lognormal};
    }
    /// The engine's chunks and accumulators.
    pub mod engine {
        pub use crate::engine::{Accumulators, CHUNK, RunConfig, shard_chunks};
    }
    /// Per-trial values.
    pub mod samples {
        pub use crate::samples::write_csv;
        #[cfg(feature = "parquet")]
        pub use crate::samples::write_parquet_chunks;
    }
    /// Sensitivity analyses.
    pub mod sensitivity {
        pub use crate::sensitivity::{Analysis, Method, Sample, Sensitivity, SensitivityConfig, TornadoKind, analyse};
        /// Shapley effects.
        pub mod shapley {
            pub use crate::sensitivity::shapley::{Shapley, effects};
        }
        /// Sobol indices.
        pub mod sobol {
            pub use crate::sensitivity::sobol::{Sobol, indices};
        }
        /// Tornado swings.
        pub mod tornado {
            pub use crate::sensitivity::tornado::Tornado;
        }
    }
    /// Summary statistics.
    pub mod stats {
        pub use crate::stats::{
            Caveat, ExactQuantiles, LEVELS, Moments, QuantileSketch, Summary, order_statistic_ranks,
        };
        /// Intervals of means.
        pub mod confidence {
            pub use crate::stats::confidence::{paired_difference_ci95, proportion_ci95};
        }
        /// Exact order statistics.
        pub mod order {
            pub use crate::stats::order::{Tally, nearest_rank};
        }
    }
    /// Random streams.
    pub mod stream {
        pub use crate::stream::{stream, stream_key};
    }
}
