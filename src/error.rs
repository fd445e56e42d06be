//! The library's error type and its mapping to exit statuses.

use crate::diagnostic::{Diagnostic, render_all};
use crate::source::SourceMap;

/// Everything that can go wrong in costsim, as the library reports it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model is wrong: one or more diagnostics with places in the file.
    #[error("{}", render_all(.diagnostics, .sources))]
    Model {
        /// The files the diagnostics point into.
        sources: Box<SourceMap>,
        /// Every problem found, in file order.
        diagnostics: Vec<Diagnostic>,
    },
    /// The command line is wrong (bad option value, unknown scenario, ...).
    #[error("error: {0}")]
    Usage(String),
    /// The worker threads could not be started.
    #[error("error: cannot start {threads} worker threads: {message}")]
    Threads {
        /// How many were asked for.
        threads: usize,
        /// What the operating system said.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("error: cannot {action} `{path}`: {source}")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The path involved.
        path: String,
        /// The underlying failure.
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit status for this error: 2 for a bad model or bad arguments,
    /// 1 for other failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Model { .. } | Error::Usage(_) => 2,
            Error::Io { .. } | Error::Threads { .. } => 1,
        }
    }
}

/// `Result` with costsim's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
