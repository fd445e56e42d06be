//! Reports: what each command shows, assembled from a study's results ([`view`]'s
//! [`RunReport`], [`CompareReport`], [`SensitivityReport`], [`DescribeReport`],
//! [`HtmlReport`]) and rendered through one trait, [`Render`], in one set of
//! [`Format`]s. Every table is a `cells::Table`, rendered as aligned text, Markdown or
//! HTML; every value, probability and headline is worded once (`words`).
//!
//! Renderers return bytes, so the CLI can write them to stdout or atomically to a file.

mod cells;
mod compare;
mod describe;
mod escape;
mod format;
mod html;
pub mod human;
mod json;
mod language;
mod run;
mod sensitivity;
mod svg;
pub mod view;
mod words;

pub use format::{Document, Format, Render};
pub use language::{Topic, model_language};
pub use view::{CompareReport, DescribeReport, HtmlReport, Mark, Provenance, RunReport, SensitivityReport};
pub use words::{caveat_text, precision_text};
