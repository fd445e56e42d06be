//! Compile step: a [`Model`](crate::model::Model) to a [`Program`] of column ops.
//!
//! In order: resolve every name and call (`resolve`), check correlations
//! (`correlations`), order the vars and reject cycles, lower each var's expression to ops
//! (`lower`, `draws`: folding fully-constant subtrees, validating constant distribution
//! parameters, giving each var that draws random numbers its own stream), then allocate
//! columns (`alloc`). Folding never reassociates or rewrites operations, so results match
//! a hand-written evaluation of the same formula. Every stage runs even when an earlier
//! one found problems, so a model's problems are all reported at once.
//!
//! A model with `periods` is unrolled here: a series gets one column per period (scalars
//! are shared by every period), each period of a per-period var is a factor with its own
//! stream, and functions over a series become ordinary ops. The engine never sees a
//! period.

mod alloc;
mod correlations;
mod draws;
mod lower;
mod pipeline;
pub(crate) mod program;
mod resolve;
mod variants;

#[cfg(test)]
pub(crate) use pipeline::COMPILES;
pub use pipeline::CompileOptions;
pub(crate) use pipeline::{compile, with_extra};
#[cfg(test)]
pub(crate) use program::VarInfo;
pub(crate) use program::{Op, Operand};
pub use program::{Program, Sampling};

#[cfg(test)]
mod tests;
