//! Markdown: a heading, the provenance line and a summary table.

use super::escape::{markdown, markdown_lines};
use super::{RunReport, human, notes, probability, provenance};

/// The run as a Markdown document.
pub(super) fn render(report: &RunReport<'_>) -> String {
    let mut out = format!("## {}\n\n{}\n\n", markdown(report.meta.model_name), markdown(&provenance(&report.meta)));
    out.push_str("| output | mean | p5 | p50 | p95 | 90% interval |\n|---|---:|---:|---:|---:|---|\n");
    for o in &report.outputs {
        let s = o.summary;
        if o.boolean {
            out.push_str(&format!("| {} | {} | | | | |\n", markdown(o.name), probability(s)));
            continue;
        }
        let n = |x: f64| human::number(x, o.unit);
        let [lo, hi] = s.ci90();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} – {} |\n",
            markdown(o.name),
            n(s.moments.mean),
            n(s.p5()),
            n(s.p50()),
            n(s.p95()),
            n(lo),
            n(hi)
        ));
    }
    out.push_str(&markdown_lines(&notes(report)));
    out
}
