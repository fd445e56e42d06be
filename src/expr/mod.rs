//! The expression language: abstract syntax tree, lexer and parser.
//!
//! Spans in an [`Expr`] are byte offsets into the expression string; the model loader
//! shifts them to offsets in the model file.

mod ast;
mod lexer;
mod parser;

pub(crate) use ast::{BinOp, Expr, ExprKind, UnaryOp};
pub(crate) use parser::parse;
pub use parser::{BadCount, number, trial_count};
#[cfg(test)]
pub(crate) use parser::{MAX_DEPTH, MAX_HEIGHT};
