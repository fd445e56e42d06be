//! `report` and `samples`: results as a document with charts, or as raw trials.

use super::args::{ReportArgs, ReportFormat, SamplesArgs, SamplesFormat};
use super::config::{scope, setup};
use super::memory::MemoryLimit;
use super::output::Target;
use super::run::Steps;
use crate::error::{Error, Result};
use crate::report::{HtmlReport, Render};
use crate::study::{self, ComparePlan, Samples};

pub(super) fn report(args: &ReportArgs) -> Result<()> {
    let target = Target::new(args.output.output.as_deref(), &[&args.model])?;
    let format = super::config::format(args.format, args.output.output.as_deref(), ReportFormat::Html)?;
    let markdown = format == ReportFormat::Markdown;
    let stem = match (args.output.output.as_deref(), markdown) {
        (Some(path), _) => path.file_stem().map_or("report".into(), |s| s.to_string_lossy().to_string()),
        (None, false) => String::new(),
        (None, true) => {
            return Err(Error::Usage(
                "report --format markdown needs -o FILE.md: the charts are written as SVG files beside it".into(),
            ));
        }
    };
    let setup = setup(&args.model, &args.simulate, args.scenario.scenario.as_deref(), Some(&args.percentiles))?;
    let names = match setup.scenario {
        Some(_) => Vec::new(),
        None => setup.scenario_names(),
    };
    let plan = ComparePlan::for_findings(&setup, names)?;
    super::config::say(&plan.notes());
    MemoryLimit::new(args.memory.max_memory.as_deref())?.check(plan.estimate(&setup.config))?;
    let mut progress = Steps::new(args.quiet.quiet);
    let findings = study::findings(&setup, &plan, &mut |step| progress.step(step))?;
    progress.finish();
    let command = std::iter::once("costsim".to_string()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" ");
    let report = HtmlReport::new(&setup, &plan, &findings, command, stem);
    let document = report.render(format.into())?;
    if let Some(path) = args.output.output.as_deref() {
        for (name, chart) in &document.files {
            Target::sibling(path, name, &[&args.model])?.write(chart)?;
        }
    }
    target.write(&document.text)
}

pub(super) fn samples(args: &SamplesArgs) -> Result<()> {
    let target = Target::new(args.output.output.as_deref(), &[&args.model])?;
    let setup = setup(&args.model, &args.simulate, args.scenario.scenario.as_deref(), None)?;
    let vars = args.vars.as_deref().map(|list| super::config::split_list(list, "--vars")).transpose()?;
    let samples = Samples::new(&setup, vars)?;
    // A shard of samples is samples (not a partial state), in the format asked for.
    let format = super::config::format(args.format, args.output.output.as_deref(), SamplesFormat::Csv)?;
    let (scope, _) = scope(args.shard.as_deref(), None, None, SamplesFormat::Csv)?;
    let format = match format {
        SamplesFormat::Csv => study::SamplesFormat::Csv,
        SamplesFormat::Parquet => {
            if args.output.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(Error::Usage(
                    "Parquet is binary: write it to a file with -o FILE.parquet, or pipe it to a program".into(),
                ));
            }
            study::SamplesFormat::Parquet
        }
    };
    target.stream(|out| samples.write(&setup, scope, format, out))
}
