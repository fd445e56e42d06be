//! `report` and `samples`: results as a document with charts, or as raw trials.

use super::args::{ReportArgs, ReportFormat, SamplesArgs, SamplesFormat};
use super::config::RunSetup;
use super::memory::MemoryLimit;
use super::output::Target;
use super::run::Progress;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::RunReport;
use crate::simulation::Simulation;
use crate::study::{self, ComparePlan};

pub(super) fn report(args: &ReportArgs) -> Result<()> {
    use crate::report::html::{Assumption, HtmlReport};
    let target = Target::new(args.output.output.as_deref(), &[&args.model])?;
    let setup = RunSetup::new(&args.model, &args.simulate, args.scenario.scenario.as_deref())?;
    let simulation = setup.compile(&setup.model)?;
    let models: Vec<(String, Model)> = match setup.scenario {
        Some(_) => Vec::new(),
        None => setup
            .loaded
            .scenarios
            .iter()
            .map(|s| Ok((s.name.name.clone(), setup.variant(Some(&s.name.name))?)))
            .collect::<Result<_>>()?,
    };
    let names: Vec<String> = models.iter().map(|(name, _)| name.clone()).collect();
    let compiled: Vec<Simulation> = models.iter().map(|(_, m)| setup.compile(m)).collect::<Result<_>>()?;
    let plan = ComparePlan::new(&simulation, &compiled.iter().collect::<Vec<_>>(), false)?;
    MemoryLimit::new(args.memory.max_memory.as_deref())?.check_compare(&plan, &simulation, &setup.config)?;
    let mut progress = Progress::new(setup.config.trials, args.quiet.quiet);
    let findings = study::findings(&simulation, &names, &plan, &setup.config, &mut |n| progress.step(n))?;
    progress.finish();
    let file = args.model.display().to_string();
    let run = RunReport::new(setup.meta(&simulation, &file), &findings.run);
    let assumptions = setup
        .model
        .vars
        .iter()
        .map(|v| Assumption {
            name: &v.name.name,
            expression: &v.text,
            unit: v.unit.as_deref(),
            source: v.source.as_deref(),
            note: v.note.as_deref(),
            constant: simulation.program.vars().iter().find(|p| p.name == v.name.name).and_then(|p| p.constant),
        })
        .collect();
    let command = std::iter::once("costsim".to_string()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" ");
    let report = HtmlReport {
        run,
        description: &setup.model.meta.description,
        assumptions,
        findings: &findings,
        command,
        thresholds: Vec::new(),
    };
    let report =
        HtmlReport { thresholds: crate::report::html::thresholds(&setup.model, &report.run.outputs), ..report };
    if args.format == ReportFormat::Html {
        return target.write(report.html().as_bytes());
    }
    let Some(path) = args.output.output.as_deref() else {
        return Err(Error::Usage(
            "report --format markdown needs -o FILE.md: the charts are written as SVG files beside it".into(),
        ));
    };
    let stem = path.file_stem().map_or("report".into(), |s| s.to_string_lossy().to_string());
    let (markdown, charts) = report.markdown(&stem);
    for (name, svg) in &charts {
        Target::sibling(path, name, &[&args.model])?.write(svg.as_bytes())?;
    }
    target.write(markdown.as_bytes())
}

pub(super) fn samples(args: &SamplesArgs) -> Result<()> {
    let target = Target::new(args.output.output.as_deref(), &[&args.model])?;
    let setup = RunSetup::new(&args.model, &args.simulate, args.scenario.scenario.as_deref())?;
    let default = setup.compile(&setup.model)?;
    let names: Vec<String> = match &args.vars {
        Some(list) => super::split_list(list, "--vars")?,
        None => default.program.output_vars(),
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let simulation = default.keeping(&names)?;
    let chunks = match &args.shard {
        Some(shard) => {
            let (k, m) = super::shard::parse_shard(shard)?;
            crate::engine::shard_chunks(setup.config.trials, k, m)
        }
        None => 0..setup.config.trials.div_ceil(crate::engine::CHUNK as u64),
    };
    let parquet = args.output.output.as_deref().is_some_and(|p| p.extension().is_some_and(|e| e == "parquet"));
    match args.format.unwrap_or(if parquet { SamplesFormat::Parquet } else { SamplesFormat::Csv }) {
        SamplesFormat::Csv => {
            target.stream(|out| crate::samples::write_csv_chunks(&simulation, &setup.config, &names, chunks, out))
        }
        SamplesFormat::Parquet => {
            if args.output.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(Error::Usage(
                    "Parquet is binary: write it to a file with -o FILE.parquet, or pipe it to a program".into(),
                ));
            }
            target.stream(|out| crate::samples::write_parquet_chunks(&simulation, &setup.config, &names, chunks, out))
        }
    }
}
