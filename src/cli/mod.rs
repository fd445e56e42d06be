//! The command line: clap definitions, dispatch and exit statuses. The only module that
//! knows about arguments, stdout/stderr and exit codes.

mod analyse;
mod args;
mod command;
mod config;
mod export;
mod interrupt;
mod man;
mod memory;
mod merge;
mod output;
mod render;
mod run;
mod words;

pub use command::{PRECISION_NOT_MET, main};
