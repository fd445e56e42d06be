//! Typed settings and scopes from the arguments (`--shard auto` from Slurm's
//! environment): the one place that reads their text, with `memory`.

use std::path::Path;

use clap::ValueEnum;

use crate::error::{Error, Result};
use crate::model::BadCount;
use crate::study::{Percentiles, Precision, Sampling, Scope, Settings, Setup, Shard};

use super::args::{PercentilesArg, SamplingArg, SimulateArgs};

/// The settings `args` and `--percentiles` give (`--trials` parsed, `--sampling` typed).
///
/// # Errors
/// A `--trials` that is no trial count, or `--percentiles` that are no list of them.
fn settings(args: &SimulateArgs, percentiles: Option<&str>) -> Result<Settings> {
    Ok(Settings {
        trials: args.trials.as_deref().map(parse_trials).transpose()?,
        seed: args.seed,
        threads: args.threads,
        sampling: args.sampling.map(|s| match s {
            SamplingArg::Mc => Sampling::Mc,
            SamplingArg::Lhs => Sampling::Lhs,
            SamplingArg::Qmc => Sampling::Qmc,
        }),
        repair_correlations: args.repair_correlations,
        sets: args.sets.clone(),
        queries: args.queries.clone(),
        percentiles: percentiles.map(parse_percentiles).transpose()?,
    })
}

/// `--percentiles 50,80,97.5`.
fn parse_percentiles(text: &str) -> Result<Percentiles> {
    let bad = |why: String| Error::Usage(format!("`--percentiles {text}`: {why}"));
    let percents = split_list(text, "--percentiles")?
        .iter()
        .map(|p| p.parse::<f64>().map_err(|_| bad(format!("`{p}` is not a number (write percents: 50,80,97.5)"))))
        .collect::<Result<Vec<f64>>>()?;
    Percentiles::new(percents).map_err(bad)
}

/// The model at `path` with `scenario` and the `--set` overrides of `args` applied, and
/// the run settings `args`, `--percentiles` and the model give; the model's warnings go
/// to stderr.
pub(super) fn setup(
    path: &Path,
    args: &SimulateArgs,
    scenario: Option<&str>,
    percentiles: Option<&PercentilesArg>,
) -> Result<Setup> {
    let setup = Setup::load(path, settings(args, percentiles.and_then(|p| p.percentiles.as_deref()))?, scenario)?;
    say(&setup.warnings()?);
    Ok(setup)
}

/// Prints `lines` (rendered warnings and notes, which quote the model, its data files'
/// names and the options) on stderr, printable.
pub(super) fn say(lines: &[String]) {
    for line in lines {
        eprintln!("{}", crate::diagnostic::printable(line));
    }
}

/// The scope `--shard` gives — the whole run, or shard K of M — and the format of the
/// whole run's output (see [`format`]). A shard writes a partial state (JSON, whatever
/// `-o`'s extension), so a `--format` other than `default` is refused with it.
pub(super) fn scope<F: ValueEnum + Copy + PartialEq>(
    shard: Option<&str>,
    given: Option<F>,
    output: Option<&Path>,
    default: F,
) -> Result<(Scope, F)> {
    match shard {
        None => Ok((Scope::Whole, format(given, output, default)?)),
        Some(_) if given.is_some_and(|f| f != default) => Err(Error::Usage(
            "with --shard the output is a partial state: choose the format when merging (costsim merge --format ...)"
                .into(),
        )),
        Some(text) => Ok((Scope::Shard(parse_shard(text)?), default)),
    }
}

/// The format of a command's output: `--format` if given, else the one `-o FILE`'s
/// extension names (`.json`, `.csv`, `.md`, `.html`, `.parquet`, `.txt` for a table),
/// else `default`.
///
/// # Errors
/// An extension that names another format than `--format`, or one the command does not
/// write.
pub(super) fn format<F: ValueEnum + Copy + PartialEq>(
    given: Option<F>,
    output: Option<&Path>,
    default: F,
) -> Result<F> {
    let name = |f: F| f.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string());
    let Some((file, named)) = output.and_then(|path| Some((path, extension_format(path)?))) else {
        return Ok(given.unwrap_or(default));
    };
    let file = crate::diagnostic::printable(&file.display().to_string());
    let offered = F::value_variants().iter().copied().find(|&f| name(f) == named);
    match (given, offered) {
        (Some(given), Some(offered)) if given == offered => Ok(given),
        (None, Some(offered)) => Ok(offered),
        (Some(given), _) => Err(Error::Usage(format!(
            "`-o {file}` names the {named} format but --format is {}: drop --format to write {named}, or give the file the extension of {}",
            name(given),
            name(given)
        ))),
        (None, None) => {
            let formats: Vec<String> = F::value_variants().iter().map(|&f| name(f)).collect();
            let elsewhere = match named {
                "html" => "; `costsim report` writes HTML",
                "parquet" => "; `costsim samples` writes Parquet",
                _ => "",
            };
            Err(Error::Usage(format!(
                "`-o {file}` names the {named} format, which this command does not write: its formats are {}{elsewhere}",
                formats.join(", ")
            )))
        }
    }
}

/// The format a file's extension names, by its `--format` name.
fn extension_format(path: &Path) -> Option<&'static str> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match extension.as_str() {
        "json" => "json",
        "csv" => "csv",
        "md" | "markdown" => "markdown",
        "html" | "htm" => "html",
        "parquet" => "parquet",
        "txt" => "table",
        _ => return None,
    })
}

/// Parses `--shard K/M` (0 ≤ K < M), or `auto` from a Slurm job array's variables.
fn parse_shard(text: &str) -> Result<Shard> {
    if text == "auto" {
        return slurm_shard();
    }
    let bad = || Error::Usage(format!("`--shard {text}` must be K/M with 0 ≤ K < M, e.g. --shard 3/8, or auto"));
    let (k, m) = text.split_once('/').ok_or_else(bad)?;
    let (k, m): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, m.trim().parse().map_err(|_| bad())?);
    Shard::new(k, m).map_err(|e| if k < m { e } else { bad() })
}

/// K and M of a Slurm array task: its index from the array's first, and the task count.
fn slurm_shard() -> Result<Shard> {
    let var = |name: &str| -> Result<u64> {
        let value = std::env::var(name).map_err(|_| {
            Error::Usage(format!(
                "`--shard auto` reads {name}, which is not set: run it as a Slurm array task (sbatch --array=0-7), or give --shard K/M"
            ))
        })?;
        value.trim().parse().map_err(|_| Error::Usage(format!("{name}={value} is not a whole number")))
    };
    let (id, min, count) = (var("SLURM_ARRAY_TASK_ID")?, var("SLURM_ARRAY_TASK_MIN")?, var("SLURM_ARRAY_TASK_COUNT")?);
    match id.checked_sub(min) {
        Some(k) if k < count => Shard::new(k, count),
        _ => Err(Error::Usage(format!(
            "SLURM_ARRAY_TASK_ID {id} is not one of {count} tasks from {min}: use a contiguous array such as --array=0-7"
        ))),
    }
}

/// Parses `--precision` and `--max-trials`.
pub(super) fn parse_precision(text: &str, max_trials: &str) -> Result<Precision> {
    Ok(Precision { target: parse_percent(text)?, max_trials: parse_trials(max_trials)? })
}

/// Parses `--precision`: a relative tolerance such as `0.5%` or `0.005`, in (0, 1).
fn parse_percent(text: &str) -> Result<f64> {
    let bad = || Error::Usage(format!("`--precision {text}` must be a relative tolerance such as 0.5% or 0.005"));
    match crate::model::number(text) {
        Some(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(bad()),
    }
}

/// The items of a comma-separated option (`--scenarios a,b`, `--vars x,y`), trimmed; an
/// empty list or a name given twice is an error.
pub(super) fn split_list(list: &str, option: &str) -> Result<Vec<String>> {
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

/// Parses `--trials`: a whole number ≥ 1 as a model file's `trials` takes it (see
/// [`crate::model::trial_count`]).
fn parse_trials(text: &str) -> Result<u64> {
    crate::model::trial_count(text).map_err(|bad| {
        Error::Usage(match bad {
            BadCount::Ambiguous => format!("`--trials {text}`: write M for millions (m is ambiguous)"),
            BadCount::NotWhole => format!("`--trials {text}` must be a whole number ≥ 1, e.g. 1000000, 1M or 1e6"),
            BadCount::OutOfRange => {
                format!("`--trials {text}` is out of range: {}", crate::diagnostic::TRIALS_RANGE)
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
