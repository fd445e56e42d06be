//! `sensitivity` and `compare`: which inputs matter, and how scenarios differ.

use super::args::{CompareArgs, MethodArg, SensitivityArgs, TextFormat, TornadoArg};
use super::config::RunSetup;
use super::output::Target;
use super::run::Progress;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::simulation::Simulation;
use crate::study;

pub(super) fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    use crate::sensitivity::{self, Method, SensitivityConfig, TornadoKind};
    let target = Target::new(args.output.output.as_deref(), &args.model)?;
    let setup = RunSetup::new(&args.model, &args.simulate, args.scenario.scenario.as_deref())?;
    let config = SensitivityConfig {
        outputs: args.vars.clone(),
        method: match args.method {
            MethodArg::Tornado => Some(Method::Tornado),
            MethodArg::Spearman => Some(Method::Spearman),
            MethodArg::Sobol => Some(Method::Sobol),
            MethodArg::Shapley => Some(Method::Shapley),
            MethodArg::All => None,
        },
        tornado: args.tornado.map(|kind| match kind {
            TornadoArg::Conditional => TornadoKind::Conditional,
            TornadoArg::Swing => TornadoKind::Swing,
        }),
        trials: args.simulate.trials.as_ref().map(|_| setup.config.trials),
        default_trials: setup.config.trials,
        seed: setup.config.seed,
        threads: setup.config.threads,
        tornado_range: parse_range(&args.tornado_range)?,
    };
    let analysed = sensitivity::analyse(&setup.compile(&setup.model)?, &config)?;
    let file = args.model.display().to_string();
    let report = crate::report::sensitivity::SensitivityReport {
        model_name: &setup.model.meta.name,
        file: &file,
        sha256: &setup.model.sha256,
        seed: setup.config.seed,
        analysed: &analysed,
    };
    let bytes = match args.format {
        TextFormat::Table => report.table().into_bytes(),
        TextFormat::Json => report.json(),
        TextFormat::Markdown => crate::report::sensitivity::markdown(&report).into_bytes(),
    };
    target.write(&bytes)
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
    let target = Target::new(args.output.output.as_deref(), &args.model)?;
    let setup = RunSetup::new(&args.model, &args.simulate, None)?;
    let names: Vec<String> = match &args.scenarios {
        Some(list) => super::split_list(list),
        None => setup.loaded.scenarios.iter().map(|s| s.name.name.clone()).collect(),
    };
    if names.is_empty() {
        return Err(Error::Usage("the model defines no scenarios to compare; add [scenarios.NAME] tables".into()));
    }
    let models: Vec<Model> = names.iter().map(|n| setup.variant(Some(n))).collect::<Result<_>>()?;
    let base = setup.compile(&setup.model)?;
    let simulations: Vec<Simulation<'_>> = models.iter().map(|m| setup.compile(m)).collect::<Result<_>>()?;
    let scenarios: Vec<&Simulation<'_>> = simulations.iter().collect();
    let file = args.model.display().to_string();
    if let Some(shard) = &args.shard.shard {
        if args.format != TextFormat::Table {
            return Err(super::shard::sharded_format());
        }
        let shard = super::shard::parse_shard(shard)?;
        return super::shard::compare(&setup, &base, &scenarios, &names, &file, shard, &target);
    }
    let mut progress = Progress::new(setup.config.trials, args.quiet.quiet);
    let comparison = study::compare(&base, &scenarios, &setup.config, true, &mut |n| progress.step(n))?;
    progress.finish();
    target.write(&super::render::comparison(&setup, &base, &simulations, &names, &file, &comparison, args.format))
}
