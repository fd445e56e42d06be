//! Summary statistics of simulated outputs, streamed: [`Moments`] (merged in a fixed tree
//! over the chunks, [`tree`]), exact order statistics for the reported percentiles ([`ExactQuantiles`], whose
//! memory grows with the square root of the trial count) and a [`QuantileSketch`] of the
//! whole distribution for charts (fixed memory), exact bin counts ([`Histogram`]) for
//! the report's histograms, the largest and smallest values ([`Extremes`]), and the
//! intervals of means that stay honest in the tails ([`confidence`]).

pub(crate) mod confidence;
mod extremes;
mod histogram;
mod levels;
mod moments;
pub(crate) mod order;
mod quantiles;
pub(crate) mod rank;
mod summary;
pub(crate) mod tree;

pub use confidence::Caveat;
pub(crate) use extremes::EXTREMES_BYTES;
pub(crate) use extremes::Extremes;
pub use histogram::Histogram;
pub use levels::{LEVELS, MAX_PERCENTILES, Percentiles, order_statistic_ranks};
pub(crate) use levels::{Z975, larger_side};
pub use moments::Moments;
pub use order::ExactQuantiles;
pub use quantiles::QuantileSketch;
pub(crate) use quantiles::SKETCH_BYTES;
pub(crate) use quantiles::SketchParts;
pub use summary::Summary;
pub(crate) use summary::{Accumulated, ValueKind};
