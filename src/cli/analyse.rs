//! `sensitivity` and `compare`: which inputs matter, and how scenarios differ.

use super::args::{CompareArgs, MethodArg, SensitivityArgs, TextFormat, TornadoArg};
use super::config::{scope, setup};
use super::memory::MemoryLimit;
use super::output::Target;
use super::render::write;
use super::run::{Progress, Steps};
use crate::error::{Error, Result};
use crate::report::{CompareReport, SensitivityReport};
use crate::study::{self, ComparePlan, Method, Outcome, SensitivityKey, TornadoKind};

pub(super) fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    let target = Target::new(args.output.output.as_deref(), &[&args.model])?;
    let setup = setup(&args.model, &args.simulate, args.scenario.scenario.as_deref(), None)?;
    let request = SensitivityKey {
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
        tornado_range: parse_range(&args.tornado_range)?,
        trials_given: args.simulate.trials.is_some(),
    };
    let (scope, format) =
        scope(args.shard.shard.as_deref(), args.format, args.output.output.as_deref(), TextFormat::Table)?;
    let mut progress = Steps::new(args.quiet.quiet);
    let outcome = study::sensitivity(&setup, &request, scope, &mut |step| progress.step(step))?;
    progress.finish();
    match outcome {
        Outcome::Done(analysed) => write(&target, &SensitivityReport::new(&setup, &analysed), format),
        Outcome::Shard(state) => target.write(&state),
    }
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
    let setup = setup(&args.model, &args.simulate, None, Some(&args.percentiles))?;
    let names: Vec<String> = match &args.scenarios {
        Some(list) => super::config::split_list(list, "--scenarios")?,
        None => setup.scenario_names(),
    };
    if names.is_empty() {
        return Err(Error::Usage("the model defines no scenarios to compare; add [scenarios.NAME] tables".into()));
    }
    let (scope, format) =
        scope(args.shard.shard.as_deref(), args.format, args.output.output.as_deref(), TextFormat::Table)?;
    let plan = ComparePlan::of(&setup, names, &args.vars)?;
    super::config::say(&plan.notes());
    MemoryLimit::new(args.memory.max_memory.as_deref())?.check(plan.estimate(&setup.config))?;
    let mut progress = Progress::new(setup.config.trials, args.quiet.quiet);
    let comparison = match study::compare(&setup, &plan, scope, &mut |n| progress.step(n))? {
        Outcome::Done(comparison) => comparison,
        Outcome::Shard(state) => return target.write(&state),
    };
    progress.finish();
    write(&target, &CompareReport::new(&setup, &plan, &comparison), format)
}
