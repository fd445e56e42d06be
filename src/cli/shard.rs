//! Sharded runs: `--shard K/M` on `run` and `compare` (write a partial state; for
//! `sensitivity`, see `analyse`) and `costsim merge` (print what one machine would have
//! printed).

use std::path::{Path, PathBuf};

use super::args::{MergeArgs, RunFormat, TextFormat};
use super::config::RunSetup;
use super::output::Target;
use crate::engine::{MAX_SHARDS, Plan, Simulated, shard_chunks};
use crate::error::{Error, Result};
use crate::partial::{Accumulated, Command, MAX_PARTIAL_BYTES, Partial, RunKey};
use crate::report::{Format, RunReport};
use crate::sensitivity::Streamed;
use crate::simulation::Simulation;
use crate::study::{self, ComparePlan, RunResult};

/// Parses `--shard K/M` (0 ≤ K < M), or `auto` from a Slurm job array's variables.
pub(super) fn parse_shard(text: &str) -> Result<(u64, u64)> {
    if text == "auto" {
        return slurm_shard();
    }
    let bad = || Error::Usage(format!("`--shard {text}` must be K/M with 0 ≤ K < M, e.g. --shard 3/8, or auto"));
    let (k, m) = text.split_once('/').ok_or_else(bad)?;
    let (k, m): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, m.trim().parse().map_err(|_| bad())?);
    check_shard(k, m).map_err(|e| if k < m { e } else { bad() })
}

/// (K, M) if shard K of M can be: K < M ≤ [`MAX_SHARDS`].
fn check_shard(k: u64, m: u64) -> Result<(u64, u64)> {
    match (k < m, m <= MAX_SHARDS) {
        (true, true) => Ok((k, m)),
        (_, false) => Err(Error::Usage(format!("{m} shards are too many: a run is split into at most {MAX_SHARDS}"))),
        (false, true) => Err(Error::Usage(format!("shard {k} of {m} does not exist: K counts from 0 to M − 1"))),
    }
}

/// K and M of a Slurm array task: its index from the array's first, and the task count.
fn slurm_shard() -> Result<(u64, u64)> {
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
        Some(k) if k < count => check_shard(k, count),
        _ => Err(Error::Usage(format!(
            "SLURM_ARRAY_TASK_ID {id} is not one of {count} tasks from {min}: use a contiguous array such as --array=0-7"
        ))),
    }
}

/// `run --shard K/M`: simulates shard K's chunks and writes its partial state.
pub(super) fn run(
    setup: &RunSetup,
    simulation: &Simulation,
    file: &str,
    shard: (u64, u64),
    target: &Target,
) -> Result<()> {
    let (k, m) = shard;
    let chunks = shard_chunks(setup.config.trials, k, m);
    let correlations = match chunks.start == 0 {
        true => Some(simulation.achieved_correlations(&setup.config)?),
        false => None,
    };
    let simulated = simulation.simulate_shard(&setup.config, chunks)?;
    let key = setup.key(Command::Run, simulation, file, &[], m);
    target.write(
        &Partial { key, covered: vec![k], accumulated: Accumulated::Simulated(simulated, correlations) }.encode(),
    )
}

/// `compare --shard K/M`: simulates shard K's chunks of the comparison and writes its
/// partial state.
pub(super) fn compare(
    setup: &RunSetup,
    base: &Simulation,
    plan: &ComparePlan,
    names: &[String],
    file: &str,
    shard: (u64, u64),
    target: &Target,
) -> Result<()> {
    let (k, m) = shard;
    let chunks = shard_chunks(setup.config.trials, k, m);
    let simulated = Simulated::shard(&plan.plan(base), &setup.config, chunks)?;
    let key = setup.key(Command::Compare, base, file, names, m);
    target.write(&Partial { key, covered: vec![k], accumulated: Accumulated::Simulated(simulated, None) }.encode())
}

/// The error for `--format` with `--shard`.
pub(super) fn sharded_format() -> Error {
    Error::Usage(
        "with --shard the output is a partial state: choose the format when merging (costsim merge --format ...)"
            .into(),
    )
}

/// How a merged `sensitivity` is finished and rendered (see `analyse`).
pub(super) type MergedSensitivity = fn(&RunSetup, &RunKey, Vec<Streamed>, TextFormat) -> Result<Vec<u8>>;

/// `costsim merge`; `sensitivity` finishes the analyses of merged `sensitivity` shards.
pub(super) fn merge(args: &MergeArgs, sensitivity: MergedSensitivity) -> Result<()> {
    let read = |path: &Path| -> Result<(String, Partial)> {
        let name = path.display().to_string();
        let bytes = read_bounded(path, &name)?;
        Ok((name.clone(), Partial::decode(&name, &bytes)?))
    };
    // The first state names the model; the others are read and merged one at a time.
    let mut files = args.files.iter();
    let first = files.next().map(|path| read(path)).transpose()?;
    let model = match (&args.model, &first) {
        (Some(path), _) => path.clone(),
        (None, Some((_, p))) => p.key.model_file.clone().into(),
        (None, None) => PathBuf::new(),
    };
    // Every file merge reads is refused as its output: the model first, then the states.
    let reads: Vec<&Path> = std::iter::once(model.as_path()).chain(args.files.iter().map(PathBuf::as_path)).collect();
    let target = Target::new(args.output.output.as_deref(), &reads)?;
    let merged = Partial::merge(first.map(Ok).into_iter().chain(files.map(|path| read(path))))?;
    if args.partial {
        return target.write(&merged.encode());
    }
    let missing = merged.missing();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "shard{} {} of {} {} missing: merge every shard (or write a partial merge with --partial)",
            if missing.len() == 1 { "" } else { "s" },
            shard_list(&missing),
            merged.key.shards,
            if missing.len() == 1 { "is" } else { "are" },
        )));
    }
    let key = merged.key.clone();
    let setup = RunSetup::from_key(&key, &model, args.threads)?;
    let bytes = match (key.command, merged.accumulated) {
        (Command::Sensitivity, Accumulated::Streamed(streams)) => {
            sensitivity(&setup, &key, streams, text_format(args.format, "sensitivity")?)?
        }
        (Command::Run, Accumulated::Simulated(simulated, correlations)) => {
            merged_run(&setup, &key, simulated, correlations, args.format)?
        }
        (Command::Compare, Accumulated::Simulated(simulated, _)) => {
            merged_compare(&setup, &key, simulated, text_format(args.format, "compare")?)?
        }
        _ => return Err(unfit()),
    };
    target.write(&bytes)
}

/// Shard numbers for a message: all of them if few, else the first ten and a count.
fn shard_list(shards: &[u64]) -> String {
    const SHOWN: usize = 10;
    let list: Vec<String> = shards.iter().take(SHOWN).map(u64::to_string).collect();
    match shards.len() > SHOWN {
        true => format!("{}, … and {} more", list.join(", "), shards.len() - SHOWN),
        false => list.join(", "),
    }
}

/// The bytes of the partial state at `path` (`name` in messages), refused past
/// [`MAX_PARTIAL_BYTES`] before they are read.
fn read_bounded(path: &Path, name: &str) -> Result<Vec<u8>> {
    let cannot = |e: &dyn std::fmt::Display| Error::Usage(format!("cannot read `{name}`: {e}"));
    crate::source::read_at_most(path, MAX_PARTIAL_BYTES).map_err(|e| cannot(&e))?.ok_or_else(|| {
        cannot(&format_args!("it is larger than {} MB, more than any partial state", MAX_PARTIAL_BYTES >> 20))
    })
}

/// The text format of a merged `command`, which has no CSV.
fn text_format(format: RunFormat, command: &str) -> Result<TextFormat> {
    match format {
        RunFormat::Table => Ok(TextFormat::Table),
        RunFormat::Json => Ok(TextFormat::Json),
        RunFormat::Markdown => Ok(TextFormat::Markdown),
        RunFormat::Csv => Err(Error::Usage(format!("`{command}` has no CSV format: use table, json or markdown"))),
    }
}

/// The report of a merged `run`.
fn merged_run(
    setup: &RunSetup,
    key: &RunKey,
    simulated: Simulated,
    correlations: Option<Vec<crate::simulation::Achieved>>,
    format: RunFormat,
) -> Result<Vec<u8>> {
    let simulation = setup.compile(&setup.model)?;
    let mut simulated = fitting(simulated, &Plan::outputs(&simulation.program))?;
    simulation.finish(&mut simulated, &setup.config)?;
    let result = RunResult {
        trials: setup.config.trials,
        outputs: study::output_results(&simulation, simulation.summaries(&simulated)),
        correlations: correlations.unwrap_or_default(),
        precision: None,
    };
    let report = RunReport::new(setup.meta(&simulation, &key.model_file), &result);
    Ok(report.render(match format {
        RunFormat::Table => Format::Table,
        RunFormat::Json => Format::Json,
        RunFormat::Csv => Format::Csv,
        RunFormat::Markdown => Format::Markdown,
    }))
}

/// The report of a merged `compare`.
fn merged_compare(setup: &RunSetup, key: &RunKey, simulated: Simulated, format: TextFormat) -> Result<Vec<u8>> {
    let models: Vec<_> = key.scenarios.iter().map(|n| setup.variant(Some(n))).collect::<Result<_>>()?;
    let base = setup.compile(&setup.model)?;
    let simulations: Vec<Simulation> = models.iter().map(|m| setup.compile(m)).collect::<Result<_>>()?;
    let scenarios: Vec<&Simulation> = simulations.iter().collect();
    let plan = ComparePlan::new(&base, &scenarios, true)?;
    let engine_plan = plan.plan(&base);
    let mut simulated = fitting(simulated, &engine_plan)?;
    simulated.finish(&engine_plan, &setup.config)?;
    let comparison = plan.comparison(&base, &simulated, &setup.config)?;
    Ok(super::render::comparison(setup, &base, &simulations, &key.scenarios, &key.model_file, &comparison, format))
}

/// `simulated`, if it has the columns of `plan`.
fn fitting(simulated: Simulated, plan: &Plan<'_>) -> Result<Simulated> {
    match simulated.fits(plan) {
        true => Ok(simulated),
        false => Err(unfit()),
    }
}

/// The error for partial states that do not fit the model.
fn unfit() -> Error {
    Error::Usage("the partial states do not fit the model's outputs: was the model edited?".into())
}
