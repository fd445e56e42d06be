//! Running the command line: arguments parsed, the command dispatched, its error
//! printed, and the exit status.

use clap::{CommandFactory as _, Parser};

use super::args::{CheckArgs, Cli, Command};
use super::{analyse, export, interrupt, man, merge, output, run, words};
use crate::error::Result;
use crate::report::DescribeReport;

/// Exit status of a `run --precision` whose target was not met within `--max-trials`;
/// its results are written all the same.
pub const PRECISION_NOT_MET: i32 = 3;

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    interrupt::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            match elsewhere(&e) {
                Some(text) => eprintln!("{}", crate::diagnostic::printable(&text)),
                None => drop(e.print()),
            }
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

/// For an option the command does not take, the message that names the commands that
/// do, instead of clap's tip (`-- --method`, or a similar option of this command that
/// means something else); `None` for other errors, or an option no command takes.
fn elsewhere(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(given)) = e.get(ContextKind::InvalidArg) else { return None };
    let long = given.strip_prefix("--")?.split('=').next()?;
    let cli = Cli::command();
    let takes = |c: &clap::Command| c.get_arguments().any(|a| a.get_long() == Some(long));
    let commands: Vec<&str> = cli.get_subcommands().filter(|c| takes(c)).map(clap::Command::get_name).collect();
    let this = std::env::args().nth(1).filter(|a| cli.find_subcommand(a).is_some())?;
    let (last, rest) = commands.split_last()?;
    let list = match rest.is_empty() {
        true => format!("`costsim {last}`"),
        false => format!(
            "{} and `costsim {last}`",
            rest.iter().map(|c| format!("`costsim {c}`")).collect::<Vec<_>>().join(", ")
        ),
    };
    let hint = match (this.as_str(), long) {
        ("report", "shard") => {
            "; a report runs on one machine: shard `run`, `compare` or `sensitivity` and merge their states".to_string()
        }
        _ => format!("; see `costsim {} --help`", commands[0]),
    };
    Some(format!(
        "error: `costsim {this}` takes no --{long}: {list} take{} it{hint}",
        if rest.is_empty() { "s" } else { "" }
    ))
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
        Command::Man => done(output::Target::new(None, &[])?.write(man::page(PRECISION_NOT_MET)?.as_bytes())),
    }
}

fn check(args: &CheckArgs) -> Result<()> {
    let description = crate::study::check(&args.model, args.scenario.scenario.as_deref(), &args.sets)?;
    super::config::say(&description.warnings);
    super::render::write(&output::Target::new(None, &[])?, &DescribeReport(&description), args.format)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
