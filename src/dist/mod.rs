//! Distributions: names and arities, parameter validation, samplers and quantile
//! functions.
//!
//! A [`Sampler`] is built once from validated parameters ([`Sampler::new`]) and then
//! fills columns of draws. When a distribution's parameters vary per trial, the engine
//! builds a sampler per trial; invalid parameters then give NaN, which the engine reports
//! with the var's name.

mod bounded;
mod kind;
mod quantile;
mod sample;
mod sampler;
mod truncate;

pub use kind::{DistKind, ParamError, Shown, Z95, to_lognormal};
pub use quantile::{QuantileTable, Tabulated};
pub use sample::{Rng, normal_cdf, normal_cdf_open, normal_quantile, std_normal, uniform_open};
pub use sampler::{PoissonDraw, Sampler};
pub use truncate::{InverseTruncation, Truncated};
