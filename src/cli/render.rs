//! Renderings shared by a command and `merge`: a comparison or a sensitivity analysis,
//! whether computed in one process or merged from shards.

use super::args::TextFormat;
use super::config::meta;
use crate::report::{Provenance, RunReport};
use crate::study::{Analysed, ComparePlan, Comparison, Setup};

/// `comparison`, by `plan`, in `format`.
pub(super) fn comparison(setup: &Setup, plan: &ComparePlan, comparison: &Comparison, format: TextFormat) -> Vec<u8> {
    let runs: Vec<RunReport<'_>> = std::iter::once(&plan.base)
        .chain(&plan.scenarios)
        .zip(&comparison.runs)
        .enumerate()
        .map(|(i, (simulation, run))| {
            let scenario = if i == 0 { None } else { Some(plan.scenario_names[i - 1].as_str()) };
            RunReport::new(Provenance { scenario, ..meta(setup, simulation) }, run)
        })
        .collect();
    let mut rows = Vec::new();
    for (name, differences) in plan.scenario_names.iter().zip(&comparison.differences) {
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

/// The sensitivity report of `analysed` in `format`.
pub(super) fn sensitivity(setup: &Setup, analysed: &Analysed, format: TextFormat) -> Vec<u8> {
    let report = crate::report::sensitivity::SensitivityReport {
        model_name: &setup.model.meta.name,
        file: &setup.file,
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
