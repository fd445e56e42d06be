//! The library's error type and its mapping to exit statuses. Each failure has its own
//! variant with the fields that describe it; the messages speak of the library's terms
//! (a trial count, an override, a shard), and only the command line words them in terms
//! of its options.

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
    /// The command line is wrong (a bad option value); built by the command line only.
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
    /// A file costsim reads (a model, a partial state) could not be read, or is larger
    /// than any file of its kind, so it was not read.
    #[error("error: cannot read {what}`{path}`: {reason}")]
    Unreadable {
        /// What the file should be, with a trailing space (`model file `), or nothing.
        what: &'static str,
        /// The path, as given.
        path: String,
        /// Why.
        reason: String,
    },
    /// The model file a merge needs could not be used.
    #[error("{source}\nmerge needs the model file the shards ran, to name the outputs (and, rarely, to replay trials)")]
    MergeModel {
        /// Why not: it is unreadable, or not the model file the shards ran.
        source: Box<Error>,
    },
    /// A model (or data) file that is not the one a sharded run ran.
    #[error("error: `{path}` is not the {what} the shards ran: its SHA-256 is {actual}, theirs {expected}")]
    NotTheModel {
        /// `model file` or `data file`.
        what: &'static str,
        /// The path, as given.
        path: String,
        /// Its SHA-256.
        actual: String,
        /// The shards' model's SHA-256.
        expected: String,
    },
    /// The model has no scenario of that name.
    #[error("error: unknown scenario `{name}`; {hint}")]
    UnknownScenario {
        /// The name asked for.
        name: String,
        /// The nearest name, or the names there are.
        hint: String,
    },
    /// An override that is not `VAR=EXPR`.
    #[error("error: the override `{text}` must look like VAR=EXPR, e.g. `p_h800=30k to 45k`")]
    BadOverride {
        /// The override as given.
        text: String,
    },
    /// A worker-thread count out of range.
    #[error("error: {threads} worker threads: give between 1 and {max}")]
    ThreadCount {
        /// The count asked for.
        threads: usize,
        /// The most accepted.
        max: usize,
    },
    /// A shard that does not exist, or a run split into too many.
    #[error("error: {}", shard_problem(*.index, *.count, *.max))]
    NoSuchShard {
        /// K.
        index: u64,
        /// M.
        count: u64,
        /// The most shards a run is split into.
        max: u64,
    },
    /// A precision target for a shard, which cannot know when the whole run meets it.
    #[error(
        "error: a precision target decides the trial count as it goes, so it cannot be split into shards: give a trial count"
    )]
    PrecisionSharded,
    /// An output asked for that the simulation does not have in that shape.
    #[error("error: {problem}")]
    Output {
        /// The name asked for.
        name: String,
        /// What is wrong, and what to ask for instead.
        problem: String,
    },
    /// A scenario that makes an output of the base a series, or the reverse.
    #[error("error: {change}: a scenario must keep each output's shape")]
    ShapeChanged {
        /// The output and how its shape changed.
        change: String,
    },
    /// A partial state that is not an intact one of this version of costsim.
    #[error("error: {file}: {reason}")]
    BadPartial {
        /// The file, as given.
        file: String,
        /// Why it is refused.
        reason: String,
    },
    /// Partial states that do not fit together, or do not fit the model.
    #[error("error: {reason}")]
    Unfit {
        /// How they do not fit.
        reason: String,
    },
    /// Two partial states of different runs.
    #[error(
        "error: {first} and {second} are shards of different runs: `{field}` is {value} in one and {other} in the other"
    )]
    DifferentRuns {
        /// The first file.
        first: String,
        /// The file that differs.
        second: String,
        /// The key's field that differs.
        field: String,
        /// Its value in the first.
        value: String,
        /// Its value in the second.
        other: String,
    },
    /// A shard given twice.
    #[error("error: shard {shard} of {shards} is given twice ({first} and {second})")]
    ShardTwice {
        /// K.
        shard: u64,
        /// M.
        shards: u64,
        /// The file that gave it first.
        first: String,
        /// The file that gave it again.
        second: String,
    },
    /// Shards missing from a merge that was to finish the run.
    #[error("error: {}: merge every shard", missing_shards(.missing, *.shards))]
    ShardsMissing {
        /// The shards missing, ascending.
        missing: Vec<u64>,
        /// M.
        shards: u64,
    },
    /// A report asked for in a format it has not.
    #[error("error: `{report}` has no {} format: use {}", .format.to_uppercase(), one_of(.offered))]
    NoSuchFormat {
        /// The report (its command's name).
        report: &'static str,
        /// The format asked for.
        format: &'static str,
        /// The formats it has.
        offered: Vec<&'static str>,
    },
}

/// `a, b or c`.
fn one_of(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Why shard `index` of `count` cannot be (see [`Error::NoSuchShard`]).
fn shard_problem(index: u64, count: u64, max: u64) -> String {
    match count > max {
        true => format!("{count} shards are too many: a run is split into at most {max}"),
        false => format!("shard {index} of {count} does not exist: K counts from 0 to M − 1"),
    }
}

/// `shards 1, 2 of 8 are missing`: all of them if few, else the first ten and a count.
pub fn missing_shards(missing: &[u64], shards: u64) -> String {
    const SHOWN: usize = 10;
    let list: Vec<String> = missing.iter().take(SHOWN).map(u64::to_string).collect();
    let list = match missing.len() > SHOWN {
        true => format!("{}, … and {} more", list.join(", "), missing.len() - SHOWN),
        false => list.join(", "),
    };
    let (s, are) = if missing.len() == 1 { ("", "is") } else { ("s", "are") };
    format!("shard{s} {list} of {shards} {are} missing")
}

impl Error {
    /// The process exit status for this error: 1 when the system failed (threads, a
    /// write), 2 when the input did (a model, arguments, a file read).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Io { .. } | Error::Threads { .. } => 1,
            _ => 2,
        }
    }
}

/// `Result` with costsim's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
