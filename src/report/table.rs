//! The terminal table: aligned, human units, one text histogram per output.

use super::{OutputRow, RunReport, headline, human, notes, provenance};

/// Block characters for the text histogram, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Width of the text histogram.
const HISTOGRAM_WIDTH: usize = 24;

/// The run as an aligned table.
pub(super) fn render(report: &RunReport<'_>) -> String {
    // A probability's row has its value in the mean column and nothing after it.
    let header = ["output", "mean", "p5", "p50", "p95", "90% interval", "p1 … p99"].map(String::from).to_vec();
    let mut rows = vec![header];
    for o in &report.outputs {
        let mut row = vec![o.name.to_string()];
        row.extend(headline(o));
        if !o.boolean {
            let [lo, hi] = o.summary.ci90();
            row.push(format!("{} – {}", human::number(lo, o.unit), human::number(hi, o.unit)));
            row.push(histogram(o));
        }
        rows.push(row);
    }
    let n_cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n_cols)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|cell| cell.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("{}\n{}\n\n", report.meta.model_name, provenance(&report.meta));
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| human::pad(cell, w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(&notes(report));
    out
}

/// A one-line histogram of the output between its p1 and p99.
fn histogram(o: &OutputRow<'_>) -> String {
    let s = o.summary;
    let (lo, hi) = (s.p1(), s.p99());
    if hi <= lo {
        return BARS[BARS.len() - 1].to_string();
    }
    let bins = s.sketch.density(lo, hi, HISTOGRAM_WIDTH);
    let peak = bins.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    bins.iter()
        .map(|&c| if c == 0.0 { ' ' } else { BARS[((c / peak) * (BARS.len() - 1) as f64).round() as usize] })
        .collect()
}
