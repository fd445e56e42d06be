//! What each report shows, assembled from a study's results: the view models every
//! rendering of a report reads.

use crate::simulation::Achieved;
use crate::study::{
    Analysed, ComparePlan, Comparison, Description, Difference, Findings, OutputResult, PrecisionOutcome, RunResult,
    Setup, Simulation,
};

use super::human;
use crate::stats::Percentiles;

/// Where a run came from: everything needed to reproduce it.
#[derive(Clone, Copy, Debug)]
pub struct Provenance<'a> {
    /// `[model] name`.
    pub model_name: &'a str,
    /// The model file as given.
    pub file: &'a str,
    /// SHA-256 of the model file.
    pub sha256: &'a str,
    /// Scenario applied, if any.
    pub scenario: Option<&'a str>,
    /// Seed.
    pub seed: u64,
    /// Trials.
    pub trials: u64,
    /// Sampling method.
    pub sampling: &'a str,
    /// `--set` overrides as given, `VAR=EXPR`, in order.
    pub overrides: &'a [String],
    /// The percentiles reported.
    pub percentiles: &'a Percentiles,
    /// The data files the model's vars were fitted to: (file, SHA-256).
    pub data: &'a [(String, String)],
}

impl<'a> Provenance<'a> {
    /// The provenance of `setup` run as `simulation` (its sampling method).
    pub fn new(setup: &'a Setup, simulation: &'a Simulation) -> Provenance<'a> {
        Provenance {
            model_name: &setup.model.meta.name,
            file: &setup.file,
            sha256: &setup.model.sha256,
            scenario: setup.scenario.as_deref(),
            seed: setup.config.seed,
            trials: setup.config.trials,
            sampling: simulation.program.sampling().name(),
            overrides: setup.overrides(),
            percentiles: simulation.program.percentiles(),
            data: &setup.data_files,
        }
    }

    /// The overrides as (var, expression) pairs.
    pub fn override_pairs(&self) -> Vec<(&str, &str)> {
        self.overrides
            .iter()
            .map(|o| o.split_once('=').map_or((o.as_str(), ""), |(var, expr)| (var.trim(), expr.trim())))
            .collect()
    }
}

/// A run, ready to render.
#[derive(Clone, Debug)]
pub struct RunReport<'a> {
    /// Provenance.
    pub meta: Provenance<'a>,
    /// Outputs in report order.
    pub outputs: &'a [OutputResult],
    /// Requested and achieved correlations.
    pub correlations: &'a [Achieved],
    /// The precision target, if one was set.
    pub precision: Option<&'a PrecisionOutcome>,
}

impl<'a> RunReport<'a> {
    /// The report of `run`, with `meta`'s provenance (its trial count from the run).
    pub fn new(meta: Provenance<'a>, run: &'a RunResult) -> RunReport<'a> {
        RunReport {
            meta: Provenance { trials: run.trials, ..meta },
            outputs: &run.outputs,
            correlations: &run.correlations,
            precision: run.precision.as_ref(),
        }
    }
}

/// The base run, each scenario's run, and their differences from base.
#[derive(Clone, Debug)]
pub struct CompareReport<'a> {
    /// Base first, then scenarios (each with its scenario's name).
    pub runs: Vec<RunReport<'a>>,
    /// For each scenario, each output's difference from base.
    pub differences: &'a [Vec<Difference>],
}

impl<'a> CompareReport<'a> {
    /// The report of `comparison`, computed by `plan` for `setup`.
    pub fn new(setup: &'a Setup, plan: &'a ComparePlan, comparison: &'a Comparison) -> CompareReport<'a> {
        let runs = std::iter::once(&plan.base)
            .chain(&plan.scenarios)
            .zip(&comparison.runs)
            .enumerate()
            .map(|(i, (simulation, run))| {
                let scenario = if i == 0 { None } else { Some(plan.scenario_names[i - 1].as_str()) };
                RunReport::new(Provenance { scenario, ..Provenance::new(setup, simulation) }, run)
            })
            .collect();
        CompareReport { runs, differences: &comparison.differences }
    }

    /// The difference from base of output `output` in run `run` (a scenario's, when
    /// differences were computed).
    pub fn difference(&self, run: usize, output: usize) -> Option<&'a Difference> {
        self.differences.get(run.checked_sub(1)?)?.get(output)
    }
}

/// Everything a sensitivity report shows.
#[derive(Clone, Debug)]
pub struct SensitivityReport<'a> {
    /// Model name.
    pub model_name: &'a str,
    /// Model file as given.
    pub file: &'a str,
    /// Model sha256.
    pub sha256: &'a str,
    /// The data files the model's vars were fitted to: (file, SHA-256).
    pub data: &'a [(String, String)],
    /// Seed.
    pub seed: u64,
    /// The analyses of every output.
    pub analysed: &'a Analysed,
}

impl<'a> SensitivityReport<'a> {
    /// The report of `analysed`, for `setup`.
    pub fn new(setup: &'a Setup, analysed: &'a Analysed) -> SensitivityReport<'a> {
        SensitivityReport {
            model_name: &setup.model.meta.name,
            file: &setup.file,
            sha256: &setup.model.sha256,
            data: &setup.data_files,
            seed: setup.config.seed,
            analysed,
        }
    }
}

/// What `check` shows of a model.
#[derive(Clone, Copy, Debug)]
pub struct DescribeReport<'a>(pub &'a Description);

/// A threshold a 0/1 output tests on another output (`capex > 1.6B`), drawn on that
/// output's histogram and CDF with the probability beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// The output compared.
    pub output: String,
    /// The value it is compared with.
    pub value: f64,
    /// The label: `P(capex > $1.6B) = 88.6%`.
    pub label: String,
}

/// Everything the HTML report (or its Markdown variant) shows.
#[derive(Clone, Debug)]
pub struct HtmlReport<'a> {
    /// The base run.
    pub run: RunReport<'a>,
    /// The model's description (Markdown, rendered without raw HTML).
    pub description: &'a str,
    /// Histograms, inputs' statistics, sensitivity analyses, scenarios and every var.
    pub findings: &'a Findings,
    /// The command that reproduces the report.
    pub command: String,
    /// The thresholds to draw, labelled.
    pub marks: Vec<Mark>,
    /// The start of the chart files' names in the Markdown variant
    /// (`<stem>-<chart>.svg`).
    pub chart_stem: String,
}

impl<'a> HtmlReport<'a> {
    /// The report of `findings`, computed by `plan` for `setup`, reproduced by `command`.
    pub fn new(
        setup: &'a Setup,
        plan: &'a ComparePlan,
        findings: &'a Findings,
        command: String,
        chart_stem: String,
    ) -> HtmlReport<'a> {
        let run = RunReport::new(Provenance::new(setup, &plan.base), &findings.run);
        let output = |name: &str| findings.run.outputs.iter().find(|o| o.name == name);
        let marks = findings
            .thresholds
            .iter()
            .filter_map(|t| {
                let (compared, indicator) = (output(&t.output)?, output(&t.indicator)?);
                let label = format!(
                    "P({} {} {}) = {}",
                    t.output,
                    t.relation,
                    human::number(t.value, compared.unit.as_deref()),
                    human::percent(indicator.summary.moments.mean)
                );
                Some(Mark { output: t.output.clone(), value: t.value, label })
            })
            .collect();
        HtmlReport { run, description: &setup.model.meta.description, findings, command, marks, chart_stem }
    }
}
