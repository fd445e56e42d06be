//! Sensitivity analysis: which inputs drive an output's uncertainty.
//!
//! A *factor* is a var whose own expression draws random numbers (contains a
//! distribution call); its randomness is its stream, i.e. every call site in it. The
//! methods, from quick to thorough:
//!
//! - [`tornado`]: the classic chart, in two kinds: *swing* (one at a time, each factor at
//!   a low and a high percentile with the others at their medians) and *conditional*
//!   (the output's mean over the trials where the factor is in its bottom or top decile,
//!   which respects correlations and suits 0/1 outputs);
//! - [`spearman`]: rank correlation of each factor with the output over simulated
//!   trials, and its share of the squared correlations (Crystal Ball's "contribution to
//!   variance");
//! - [`sobol`]: first-order and total Sobol indices, for independent inputs;
//! - [`shapley`]: Shapley effects, variance shares that stay meaningful when inputs are
//!   correlated.
//!
//! [`analyse`] picks what fits each output unless told: every scalar output that varies,
//! the conditional tornado when inputs are correlated or the output is 0/1, and Shapley
//! effects in place of Sobol indices when inputs are correlated.

mod analyse;
mod pick_freeze;
mod sample;
pub(crate) mod shapley;
pub(crate) mod sobol;
pub(crate) mod spearman;
pub(crate) mod tornado;

pub(crate) use analyse::analyse_tracked;
pub use analyse::{Analysed, Analysis, Method, Sensitivity, SensitivityConfig, Step, analyse};
pub(crate) use analyse::{MethodSums, analyse_merged, analyse_shard};
pub(crate) use pick_freeze::Sums;
pub use sample::Sample;
pub use tornado::TornadoKind;
