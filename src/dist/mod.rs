//! Distributions: names and arities, parameter validation, samplers and quantile
//! functions.
//!
//! A [`Sampler`] is built once from validated parameters ([`Sampler::new`]) and then
//! fills columns of draws. When a distribution's parameters vary per trial, the engine
//! builds a sampler per trial; invalid parameters then give NaN, which the engine reports
//! with the var's name.

mod bounded;
mod fit;
mod kind;
mod metalog;
mod quantile;
mod sample;
mod sampler;
mod truncate;

pub use fit::Goodness;
pub(crate) use fit::{DEFAULT_TERMS, FITS, describe, fit, params};
pub use kind::{DistKind, Form, to_lognormal};
pub(crate) use kind::{ParamError, Shown, Z95};
pub use metalog::{Bounds, Metalog};
pub(crate) use quantile::Tabulated;
pub use sample::Rng;
pub(crate) use sample::{normal_cdf_open, normal_quantile, std_normal, uniform_open};
pub use sampler::Sampler;
pub(crate) use truncate::{Truncated, below};
