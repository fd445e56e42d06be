//! Renderings shared by several commands: a comparison, whether it was simulated in one
//! process (`compare`) or merged from shards (`merge`).

use super::args::TextFormat;
use super::config::RunSetup;
use crate::report::{RunMeta, RunReport};
use crate::simulation::Simulation;
use crate::study;

/// `comparison` of `base` with `simulations` (the scenarios `names`) in `format`.
pub(super) fn comparison(
    setup: &RunSetup,
    base: &Simulation,
    simulations: &[Simulation],
    names: &[String],
    file: &str,
    comparison: &study::Comparison,
    format: TextFormat,
) -> Vec<u8> {
    let runs: Vec<RunReport<'_>> = std::iter::once(base)
        .chain(simulations)
        .zip(&comparison.runs)
        .enumerate()
        .map(|(i, (simulation, run))| {
            let scenario = if i == 0 { None } else { Some(names[i - 1].as_str()) };
            RunReport::new(RunMeta { scenario, ..setup.meta(simulation, file) }, run)
        })
        .collect();
    let mut rows = Vec::new();
    for (name, differences) in names.iter().zip(&comparison.differences) {
        for (output, d) in runs[0].outputs.iter().zip(differences) {
            rows.push(crate::report::compare::Difference {
                scenario: name,
                output: output.name,
                period: output.period,
                summary: &d.summary,
                p_greater: d.p_greater,
                p_greater_ci95: d.p_greater_ci95,
            });
        }
    }
    let report = crate::report::compare::CompareReport { runs, differences: rows };
    match format {
        TextFormat::Table => report.table().into_bytes(),
        TextFormat::Json => report.json(),
        TextFormat::Markdown => report.markdown().into_bytes(),
    }
}
