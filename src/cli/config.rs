//! Typed settings and scopes from the arguments (`--shard auto` from Slurm's
//! environment): the one place that reads their text, with `parse_trials` and `memory`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::report::RunMeta;
use crate::study::{Precision, Sampling, Scope, Settings, Setup, Shard, Simulation};

use super::args::{SamplingArg, Simulate};
use super::parse_trials;

/// The settings `args` give (`--trials` parsed, `--sampling` typed).
///
/// # Errors
/// A `--trials` that is no trial count.
fn settings(args: &Simulate) -> Result<Settings> {
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
    })
}

/// The model at `path` with `scenario` and the `--set` overrides of `args` applied, and
/// the run settings `args` and the model give.
pub(super) fn setup(path: &Path, args: &Simulate, scenario: Option<&str>) -> Result<Setup> {
    Setup::load(path, settings(args)?, scenario)
}

/// The scope `--shard` gives: the whole run, or shard K of M. A shard writes a partial
/// state, so a `--format` other than the default (`formatted`) is refused with it.
pub(super) fn scope(shard: Option<&str>, formatted: bool) -> Result<Scope> {
    match shard {
        None => Ok(Scope::Whole),
        Some(_) if formatted => Err(Error::Usage(
            "with --shard the output is a partial state: choose the format when merging (costsim merge --format ...)"
                .into(),
        )),
        Some(text) => parse_shard(text).map(Scope::Shard),
    }
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

/// Provenance of a run of `simulation` (a compiled [`Setup::model`]).
pub(super) fn meta<'a>(setup: &'a Setup, simulation: &'a Simulation) -> RunMeta<'a> {
    RunMeta {
        model_name: &setup.model.meta.name,
        file: &setup.file,
        sha256: &setup.model.sha256,
        scenario: setup.scenario.as_deref(),
        seed: setup.config.seed,
        trials: setup.config.trials,
        sampling: simulation.program.sampling().name(),
        overrides: setup.overrides(),
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
