//! `compare`: the base model and its scenarios side by side, with the distribution of
//! each scenario's difference from base (common random numbers, so it is precise).

use super::{RunReport, aligned, human, md, md_cell, provenance};
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
            let n = |x: f64| output.show(x);
            let mut rows = vec![
                ["scenario", "mean", "p5", "p50", "p95", "Δ mean", "Δ 90% interval", "P(> base)"]
                    .map(String::from)
                    .to_vec(),
            ];
            for run in &self.runs {
                let s = run.outputs[i].summary;
                let mut row = vec![
                    run.meta.scenario.unwrap_or("base").to_string(),
                    n(s.moments.mean),
                    n(s.p5()),
                    n(s.p50()),
                    n(s.p95()),
                ];
                if let Some(d) =
                    self.differences.iter().find(|d| Some(d.scenario) == run.meta.scenario && d.output == output.name)
                {
                    let [lo, hi] = d.summary.ci90();
                    row.extend([
                        signed(d.summary.moments.mean, &n),
                        format!("{} – {}", signed(lo, &n), signed(hi, &n)),
                        human::percent(d.p_greater),
                    ]);
                }
                rows.push(row);
            }
            out.push_str(&format!("\n{}\n{}", output.name, aligned(&rows)));
        }
        out
    }

    /// Markdown: a table per output.
    pub fn markdown(&self) -> String {
        let base = &self.runs[0];
        let mut out = format!(
            "## {}: scenarios\n\n{} · common random numbers\n",
            md(base.meta.model_name),
            md(&provenance(&base.meta))
        );
        for (i, output) in base.outputs.iter().enumerate() {
            let n = |x: f64| output.show(x);
            out.push_str(&format!("\n### {}\n\n| scenario | mean | p5 | p50 | p95 | Δ mean | P(> base) |\n|---|---:|---:|---:|---:|---:|---:|\n", output.name));
            for run in &self.runs {
                let s = run.outputs[i].summary;
                let d =
                    self.differences.iter().find(|d| Some(d.scenario) == run.meta.scenario && d.output == output.name);
                let (delta, p) = d.map_or((String::new(), String::new()), |d| {
                    (signed(d.summary.moments.mean, &n), human::percent(d.p_greater))
                });
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {delta} | {p} |\n",
                    md_cell(run.meta.scenario.unwrap_or("base")),
                    n(s.moments.mean),
                    n(s.p5()),
                    n(s.p50()),
                    n(s.p95())
                ));
            }
        }
        out
    }
}

/// A difference with an explicit sign.
fn signed(x: f64, n: &impl Fn(f64) -> String) -> String {
    if x > 0.0 { format!("+{}", n(x)) } else { n(x) }
}
