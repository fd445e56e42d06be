//! Units and dimensions: unit expressions (`USD/GPU/hour`), the built-in units, and the
//! inference that checks every var's unit before a trial runs and writes the exact
//! conversions a formula needs into it.

mod infer;
mod parse;
mod table;
mod unit;

pub(crate) use infer::{Checked, check, is_money};
pub(crate) use table::unit_names;
