//! `compare`: the base model and its scenarios side by side, with the distribution of
//! each scenario's difference from base (common random numbers, so it is precise).

use super::escape::markdown;
use super::{RunReport, aligned, estimate, human, probability, provenance};
use crate::stats::Summary;

/// One scenario's difference from base for one output.
#[derive(Clone, Debug)]
pub struct Difference<'a> {
    /// The scenario.
    pub scenario: &'a str,
    /// The output.
    pub output: &'a str,
    /// For a period of a series: the var's name and the period's label.
    pub period: Option<(&'a str, &'a str)>,
    /// Distribution of scenario − base.
    pub summary: &'a Summary,
    /// P(scenario > base).
    pub p_greater: f64,
    /// Its 95% interval.
    pub p_greater_ci95: [f64; 2],
}

/// The base run, each scenario's run, and their differences.
#[derive(Clone, Debug)]
pub struct CompareReport<'a> {
    /// Base first, then scenarios.
    pub runs: Vec<RunReport<'a>>,
    /// Differences from base.
    pub differences: Vec<Difference<'a>>,
}

impl CompareReport<'_> {
    /// An aligned table per output.
    pub fn table(&self) -> String {
        let base = &self.runs[0];
        let mut out = format!("{}\n{} · common random numbers\n", base.meta.model_name, provenance(&base.meta));
        for (i, output) in base.outputs.iter().enumerate() {
            let mut rows = vec![header(output, true).iter().map(|h| h.to_string()).collect()];
            rows.extend(self.runs.iter().map(|run| self.cells(run, i, true)));
            out.push_str(&format!("\n{}\n{}", output.name, aligned(&rows)));
        }
        out
    }

    /// Markdown: a table per output.
    pub fn markdown(&self) -> String {
        let base = &self.runs[0];
        let mut out = format!(
            "## {}: scenarios\n\n{} · common random numbers\n",
            markdown(base.meta.model_name),
            markdown(&provenance(&base.meta))
        );
        for (i, output) in base.outputs.iter().enumerate() {
            let header = header(output, false);
            let align: Vec<&str> = header.iter().map(|h| if *h == "scenario" { "---" } else { "---:" }).collect();
            out.push_str(&format!(
                "\n### {}\n\n| {} |\n|{}|\n",
                markdown(output.name),
                header.join(" | "),
                align.join("|")
            ));
            for run in &self.runs {
                let mut cells = self.cells(run, i, false);
                cells[0] = markdown(&cells[0]);
                cells.resize(header.len(), String::new());
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
        }
        out
    }

    /// One run's cells for output `i`: its summary and, for a scenario, its difference
    /// from base (with the 90% interval of the difference when `interval`). A 0/1 output
    /// gets its probability and the difference in percentage points, with their 95%
    /// intervals: no percentiles and no P(scenario > base), which say nothing about a
    /// difference of 0s and 1s.
    fn cells(&self, run: &RunReport<'_>, i: usize, interval: bool) -> Vec<String> {
        let output = &run.outputs[i];
        let s = output.summary;
        let name = output.name;
        let d = self.differences.iter().find(|d| Some(d.scenario) == run.meta.scenario && d.output == name);
        let mut row = vec![run.meta.scenario.unwrap_or("base").to_string()];
        if output.boolean {
            row.push(probability(s));
            if let Some(d) = d {
                let change = |x: f64| signed(x, &human::points);
                row.push(estimate(d.summary.moments.mean, d.summary.mean_ci95, &change, &human::points));
            }
            return row;
        }
        let n = |x: f64| output.show(x);
        row.extend([n(s.moments.mean), n(s.p5()), n(s.p50()), n(s.p95())]);
        if let Some(d) = d {
            row.push(signed(d.summary.moments.mean, &n));
            if interval {
                let [lo, hi] = d.summary.ci90();
                row.push(format!("{} – {}", signed(lo, &n), signed(hi, &n)));
            }
            row.push(human::percent(d.p_greater));
        }
        row
    }
}

/// The columns for `output`, with the difference's 90% interval when `interval`.
fn header(output: &super::OutputRow<'_>, interval: bool) -> Vec<&'static str> {
    match (output.boolean, interval) {
        (true, _) => vec!["scenario", "probability", "Δ probability"],
        (false, true) => vec!["scenario", "mean", "p5", "p50", "p95", "Δ mean", "Δ 90% interval", "P(> base)"],
        (false, false) => vec!["scenario", "mean", "p5", "p50", "p95", "Δ mean", "P(> base)"],
    }
}

/// A difference with an explicit sign.
fn signed(x: f64, n: &impl Fn(f64) -> String) -> String {
    if x > 0.0 { format!("+{}", n(x)) } else { n(x) }
}
