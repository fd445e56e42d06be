//! `sensitivity` and `compare`: which inputs matter, and how scenarios differ.

use super::args::{CompareArgs, MethodArg, SensitivityArgs, TextFormat, TornadoArg};
use super::config::RunSetup;
use super::memory::MemoryLimit;
use super::output::Target;
use super::run::Progress;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::partial::{Accumulated, Command, Partial, RunKey, SensitivityKey};
use crate::sensitivity::{self, Method, SensitivityConfig, TornadoKind};
use crate::simulation::Simulation;
use crate::study::{self, ComparePlan};

pub(super) fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    let target = Target::new(args.output.output.as_deref(), &[&args.model])?;
    let setup = RunSetup::new(&args.model, &args.simulate, args.scenario.scenario.as_deref())?;
    let options = SensitivityKey {
        vars: args.vars.clone(),
        method: match args.method {
            MethodArg::All => None,
            MethodArg::Tornado => Some(Method::Tornado),
            MethodArg::Spearman => Some(Method::Spearman),
            MethodArg::Sobol => Some(Method::Sobol),
            MethodArg::Shapley => Some(Method::Shapley),
        },
        tornado: args.tornado.map(|t| match t {
            TornadoArg::Conditional => TornadoKind::Conditional,
            TornadoArg::Swing => TornadoKind::Swing,
        }),
        tornado_range: args.tornado_range.clone(),
        trials_given: args.simulate.trials.is_some(),
    };
    let config = sensitivity_config(&setup, &options)?;
    let base = setup.compile(&setup.model)?;
    let file = args.model.display().to_string();
    if let Some(shard) = &args.shard.shard {
        if args.format != TextFormat::Table {
            return Err(super::shard::sharded_format());
        }
        let (k, m) = super::shard::parse_shard(shard)?;
        let streams = sensitivity::analyse_shard(&base, &config, (k, m))?;
        let mut key = setup.key(Command::Sensitivity, &base, &file, &[], m);
        key.sensitivity = Some(options);
        return target.write(&Partial { key, covered: vec![k], accumulated: Accumulated::Streamed(streams) }.encode());
    }
    let analysed = sensitivity::analyse(&base, &config)?;
    target.write(&render(&setup, &file, &analysed, args.format))
}

/// The configuration `options` ask for, with `setup`'s trials, seed and threads.
fn sensitivity_config(setup: &RunSetup, options: &SensitivityKey) -> Result<SensitivityConfig> {
    Ok(SensitivityConfig {
        outputs: options.vars.clone(),
        method: options.method,
        tornado: options.tornado,
        trials: options.trials_given.then_some(setup.config.trials),
        default_trials: setup.config.trials,
        seed: setup.config.seed,
        threads: setup.config.threads,
        tornado_range: parse_range(&options.tornado_range)?,
    })
}

/// The sensitivity report in `format`.
fn render(setup: &RunSetup, file: &str, analysed: &sensitivity::Analysed, format: TextFormat) -> Vec<u8> {
    let report = crate::report::sensitivity::SensitivityReport {
        model_name: &setup.model.meta.name,
        file,
        sha256: &setup.model.sha256,
        seed: setup.config.seed,
        analysed,
    };
    match format {
        TextFormat::Table => report.table().into_bytes(),
        TextFormat::Json => report.json(),
        TextFormat::Markdown => crate::report::sensitivity::markdown(&report).into_bytes(),
    }
}

/// The report of a merged sharded `sensitivity` (see `shard::merge`).
pub(super) fn merged_sensitivity(
    setup: &RunSetup,
    key: &RunKey,
    streams: Vec<sensitivity::Streamed>,
    format: TextFormat,
) -> Result<Vec<u8>> {
    let options = key.sensitivity.as_ref().ok_or_else(|| Error::Usage("not a sensitivity partial state".into()))?;
    let config = sensitivity_config(setup, options)?;
    let analysed = sensitivity::analyse_merged(&setup.compile(&setup.model)?, &config, streams)?;
    Ok(render(setup, &key.model_file, &analysed, format))
}

/// Parses `--tornado-range LOW,HIGH` (percent) into fractions.
fn parse_range(text: &str) -> Result<(f64, f64)> {
    let bad = || {
        Error::Usage(format!(
            "`--tornado-range {text}` must be two percentiles LOW,HIGH with 0 < LOW < HIGH < 100, e.g. 10,90"
        ))
    };
    let (lo, hi) = text.split_once(',').ok_or_else(bad)?;
    let (lo, hi): (f64, f64) = (lo.trim().parse().map_err(|_| bad())?, hi.trim().parse().map_err(|_| bad())?);
    if 0.0 < lo && lo < hi && hi < 100.0 { Ok((lo / 100.0, hi / 100.0)) } else { Err(bad()) }
}

pub(super) fn compare(args: &CompareArgs) -> Result<()> {
    let target = Target::new(args.output.output.as_deref(), &[&args.model])?;
    let setup = RunSetup::new(&args.model, &args.simulate, None)?;
    let names: Vec<String> = match &args.scenarios {
        Some(list) => super::split_list(list, "--scenarios")?,
        None => setup.loaded.scenarios.iter().map(|s| s.name.name.clone()).collect(),
    };
    if names.is_empty() {
        return Err(Error::Usage("the model defines no scenarios to compare; add [scenarios.NAME] tables".into()));
    }
    let models: Vec<Model> = names.iter().map(|n| setup.variant(Some(n))).collect::<Result<_>>()?;
    let base = setup.compile(&setup.model)?;
    let simulations: Vec<Simulation> = models.iter().map(|m| setup.compile(m)).collect::<Result<_>>()?;
    let scenarios: Vec<&Simulation> = simulations.iter().collect();
    let plan = ComparePlan::new(&base, &scenarios, true)?;
    MemoryLimit::new(args.memory.max_memory.as_deref())?.check_compare(&plan, &base, &setup.config)?;
    let file = args.model.display().to_string();
    if let Some(shard) = &args.shard.shard {
        if args.format != TextFormat::Table {
            return Err(super::shard::sharded_format());
        }
        let shard = super::shard::parse_shard(shard)?;
        return super::shard::compare(&setup, &base, &plan, &names, &file, shard, &target);
    }
    let mut progress = Progress::new(setup.config.trials, args.quiet.quiet);
    let comparison = study::compare(&base, &plan, &setup.config, &mut |n| progress.step(n))?;
    progress.finish();
    target.write(&super::render::comparison(&setup, &base, &simulations, &names, &file, &comparison, args.format))
}
