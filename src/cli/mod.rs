//! The command line: clap definitions, dispatch and exit statuses. The only module that
//! knows about arguments, stdout/stderr and exit codes.

mod analyse;
mod args;
mod config;
mod export;
mod interrupt;
mod memory;
mod merge;
mod output;
mod render;
mod run;
mod words;

use clap::{CommandFactory as _, Parser};

use crate::error::{Error, Result};
use args::{CheckArgs, CheckFormat, Cli, Command};

/// Exit status of a `run --precision` whose target was not met within `--max-trials`;
/// its results are written all the same.
pub const PRECISION_NOT_MET: i32 = 3;

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    interrupt::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(cli) {
        Ok(status) => status,
        Err(e) => {
            use std::io::Write;
            let mut text = crate::diagnostic::printable(&words::message(&e));
            if !text.ends_with('\n') {
                text.push('\n');
            }
            // A closed stderr must not turn an error into a panic.
            let _ = std::io::stderr().write_all(text.as_bytes());
            e.exit_code()
        }
    }
}

/// Runs the command; returns the exit status of a success (0, or
/// [`PRECISION_NOT_MET`]).
fn dispatch(cli: Cli) -> Result<i32> {
    let done = |result: Result<()>| result.map(|()| 0);
    match cli.command {
        Command::Run(args) => run::run(&args).map(|met| if met { 0 } else { PRECISION_NOT_MET }),
        Command::Check(args) => done(check(&args)),
        Command::Sensitivity(args) => done(analyse::sensitivity(&args)),
        Command::Compare(args) => done(analyse::compare(&args)),
        Command::Samples(args) => done(export::samples(&args)),
        Command::Report(args) => done(export::report(&args)),
        Command::Merge(args) => done(merge::merge(&args)),
        Command::Completions(args) => {
            let mut bytes = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "costsim", &mut bytes);
            done(output::Target::new(None, &[])?.write(&bytes))
        }
        Command::Man => {
            let mut bytes = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut bytes).map_err(|e| Error::Usage(e.to_string()))?;
            done(output::Target::new(None, &[])?.write(&bytes))
        }
    }
}

fn check(args: &CheckArgs) -> Result<()> {
    let description = crate::study::check(&args.model, args.scenario.scenario.as_deref(), &args.sets)?;
    let bytes = match args.format {
        CheckFormat::Table => crate::report::describe::text(&description).into_bytes(),
        CheckFormat::Json => crate::report::describe::json(&description),
    };
    output::Target::new(None, &[])?.write(&bytes)
}

/// The items of a comma-separated option (`--scenarios a,b`, `--vars x,y`), trimmed; an
/// empty list or a name given twice is an error.
fn split_list(list: &str, option: &str) -> Result<Vec<String>> {
    let names: Vec<String> = list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if names.is_empty() {
        return Err(Error::Usage(format!(
            "`{option}` names nothing: give one or more names, comma-separated, e.g. {option} a,b"
        )));
    }
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort_unstable();
    if let Some(twice) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Usage(format!("`{}` is named twice in `{option}`", twice[0])));
    }
    Ok(names)
}

/// Parses `--trials`: a whole number ≥ 1, with the model language's suffixes (1M, 1e6),
/// which are case-insensitive on the command line where that is unambiguous (10K, 2b);
/// `m` is refused, as milli or million could be meant.
fn parse_trials(text: &str) -> Result<u64> {
    let bad = || Error::Usage(format!("`--trials {text}` must be a whole number ≥ 1, e.g. 1000000, 1M or 1e6"));
    let suffix = text.chars().last().filter(|c| c.is_ascii_alphabetic());
    let normalised = match suffix {
        Some('m') => return Err(Error::Usage(format!("`--trials {text}`: write M for millions (m is ambiguous)"))),
        Some('K') => format!("{}k", &text[..text.len() - 1]),
        Some(c @ ('b' | 'g' | 't')) => format!("{}{}", &text[..text.len() - 1], c.to_ascii_uppercase()),
        _ => text.to_string(),
    };
    let range = || Error::Usage(format!("`--trials {text}` is out of range: {}", crate::diagnostic::TRIALS_RANGE));
    match crate::model::number(&normalised) {
        Some(v) if v.fract() == 0.0 && (1.0..=crate::diagnostic::MAX_TRIALS as f64).contains(&v) => Ok(v as u64),
        Some(v) if v.fract() == 0.0 && v.is_finite() => Err(range()),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn each_command_refuses_options_it_cannot_honour() {
        let parse = |args: &[&str]| Cli::try_parse_from(std::iter::once("costsim").chain(args.iter().copied()));
        assert!(parse(&["samples", "m.toml", "--precision", "1%"]).is_err());
        assert!(parse(&["samples", "m.toml", "--timings"]).is_err());
        assert!(parse(&["samples", "m.toml", "--format", "json"]).is_err());
        assert!(parse(&["report", "m.toml", "--format", "table"]).is_err());
        assert!(parse(&["compare", "m.toml", "--scenario", "x"]).is_err());
        assert!(parse(&["run", "m.toml", "--max-trials", "10M"]).is_err(), "--max-trials needs --precision");
        assert!(parse(&["run", "m.toml", "--precision", "1%", "--max-trials", "10M"]).is_ok());
        assert!(parse(&["check", "m.toml", "--format", "json"]).is_ok());
        assert!(parse(&["samples", "m.toml", "--max-memory", "1G"]).is_err(), "samples streams");
        assert!(parse(&["sensitivity", "m.toml", "--max-memory", "1G"]).is_err(), "its memory is bounded");
        assert!(parse(&["report", "m.toml", "--max-memory", "1G"]).is_ok());
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn trials_accept_suffixes_and_reject_fractions() {
        assert_eq!(parse_trials("1M").unwrap(), 1_000_000);
        assert_eq!(parse_trials("10K").unwrap(), 10_000);
        assert_eq!(parse_trials("10k").unwrap(), 10_000);
        assert_eq!(parse_trials("2b").unwrap(), 2_000_000_000);
        assert!(parse_trials("1m").unwrap_err().to_string().contains("write M for millions"));
        assert_eq!(parse_trials("1e6").unwrap(), 1_000_000);
        assert_eq!(parse_trials("10_000").unwrap(), 10_000);
        assert!(parse_trials("0").is_err());
        assert!(parse_trials("1.5").is_err());
        assert!(parse_trials("lots").is_err());
    }
}
