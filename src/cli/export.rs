//! `report` and `samples`: results as a document with charts, or as raw trials.

use super::config::RunSetup;
use super::run::{run_report, simulate_with_progress};
use super::{FormatArg, ReportArgs, SamplesArgs};
use crate::error::{Error, Result};

pub(super) fn report(args: &ReportArgs) -> Result<()> {
    use crate::report::html::{Assumption, HtmlReport};
    let format = args.common.format;
    if !matches!(format, FormatArg::Table | FormatArg::Html | FormatArg::Markdown) {
        return Err(Error::Usage("report writes html (the default) or markdown".into()));
    }
    let setup = RunSetup::new(&args.model, &args.common)?;
    let simulation = setup.compile(&setup.model)?;
    let summaries = simulate_with_progress(&simulation, &setup.config, args.common.quiet)?.summaries();
    let correlations = simulation.achieved_correlations(&setup.config)?;
    let file = args.model.display().to_string();
    let mut run = run_report(&setup, &simulation, &summaries, &file);
    run.correlations = &correlations;
    let mut tornadoes = Vec::new();
    for o in run.outputs.iter().filter(|o| !o.boolean && o.summary.moments.min < o.summary.moments.max) {
        let config = crate::sensitivity::SensitivityConfig {
            output: o.name.to_string(),
            methods: vec![crate::sensitivity::Method::Tornado],
            trials: None,
            default_trials: setup.config.trials,
            seed: setup.config.seed,
            threads: setup.config.threads,
            tornado_range: (0.1, 0.9),
        };
        if let Some(crate::sensitivity::Analysis::Tornado(t)) =
            crate::sensitivity::analyse(&simulation, &config)?.analyses.pop()
        {
            tornadoes.push((o.name, t));
        }
    }
    let mut scenarios = Vec::new();
    if setup.scenario.is_none() {
        for s in &setup.loaded.scenarios {
            let model = setup.variant(Some(&s.name.name))?;
            let simulation = setup.compile(&model)?;
            scenarios.push((
                s.name.name.as_str(),
                simulate_with_progress(&simulation, &setup.config, args.common.quiet)?.summaries(),
            ));
        }
    }
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
        })
        .collect();
    let command = std::iter::once("costsim".to_string()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" ");
    let report =
        HtmlReport { run, description: &setup.model.meta.description, assumptions, tornadoes, scenarios, command };
    if format != FormatArg::Markdown {
        return crate::output::write(args.common.output.as_deref(), report.html().as_bytes());
    }
    let Some(path) = args.common.output.as_deref() else {
        return Err(Error::Usage(
            "report --format markdown needs -o FILE.md: the charts are written as SVG files beside it".into(),
        ));
    };
    let stem = path.file_stem().map_or("report".into(), |s| s.to_string_lossy().to_string());
    let (markdown, charts) = report.markdown(&stem);
    for (name, svg) in &charts {
        crate::output::write(Some(&path.with_file_name(name)), svg.as_bytes())?;
    }
    crate::output::write(Some(path), markdown.as_bytes())
}

pub(super) fn samples(args: &SamplesArgs) -> Result<()> {
    let setup = RunSetup::new(&args.model, &args.common)?;
    let default = setup.compile(&setup.model)?;
    let names: Vec<String> = match &args.vars {
        Some(list) => super::split_list(list),
        None => default.program.outputs().iter().map(|o| default.program.vars()[o.var as usize].name.clone()).collect(),
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let simulation = default.keeping(&names)?;
    crate::output::stream(args.common.output.as_deref(), |out| {
        crate::samples::write_csv(&simulation, &setup.config, &names, out)
    })
}
