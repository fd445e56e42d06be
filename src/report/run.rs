//! `run`: the summary of every output, as an aligned table with a text histogram per
//! output, JSON, CSV or Markdown.

use super::cells::{Cell, Table};
use super::escape::{markdown, markdown_lines};
use super::format::{Document, Format, Render};
use super::json;
use super::view::RunReport;
use super::words;
use super::words::{MC_ERROR, caveat_text, headline, precision_text, provenance};
use crate::stats::Caveat;
use crate::study::OutputResult;

/// Block characters for the text histogram, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Width of the text histogram.
const HISTOGRAM_WIDTH: usize = 24;

impl Render for RunReport<'_> {
    const NAME: &'static str = "run";
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Csv, Format::Markdown];

    fn document(&self, format: Format) -> Document {
        match format {
            Format::Json => json::run_json(self).into(),
            Format::Csv => csv(self).into(),
            Format::Markdown => markdown_document(self).into(),
            Format::Table | Format::Html => table(self).into(),
        }
    }
}

/// The run as an aligned table: a row per output, a probability's row with its value in
/// the mean column and nothing after it.
fn table(report: &RunReport<'_>) -> String {
    let columns = report.meta.percentiles.headline();
    let mut header = headers(&columns, &["90% interval", "p1 … p99"]);
    // The ± after the mean and the last percentile is the run's error, not the spread.
    header[1] = format!("{} {MC_ERROR}", header[1]);
    header[1 + columns.len()] = format!("{} {MC_ERROR}", header[1 + columns.len()]);
    let mut table = Table::new("run", &header.iter().map(String::as_str).collect::<Vec<_>>());
    for o in report.outputs {
        let mut row = vec![Cell::Text(words::label(o))];
        row.extend(headline(o, &o.summary, true, &columns));
        if !o.boolean {
            row.extend([interval(o), Cell::Shown(histogram(o))]);
        }
        table.row(None, row);
    }
    let mut out = format!("{}\n{}\n\n", report.meta.model_name, provenance(&report.meta));
    out.push_str(&table.text(""));
    out.push_str(&notes(report));
    out
}

/// The run as a Markdown document: a heading, the provenance line and a summary table.
fn markdown_document(report: &RunReport<'_>) -> String {
    let columns = report.meta.percentiles.headline();
    let header = headers(&columns, &["90% interval"]);
    let mut table = Table::new("run", &header.iter().map(String::as_str).collect::<Vec<_>>());
    for o in report.outputs {
        let mut row = vec![Cell::Text(words::label(o))];
        row.extend(headline(o, &o.summary, false, &columns));
        if !o.boolean {
            row.push(interval(o));
        }
        table.row(None, row);
    }
    let mut out = format!("## {}\n\n{}\n\n", markdown(report.meta.model_name), markdown(&provenance(&report.meta)));
    out.push_str(&table.markdown());
    out.push_str(&markdown_lines(&notes(report)));
    out
}

/// A run table's headers: `output`, the mean and the `columns`' percentiles, then `rest`.
fn headers(columns: &[(String, f64)], rest: &[&str]) -> Vec<String> {
    let mut header = vec!["output".to_string()];
    header.extend(words::value_headers(columns));
    header.extend(rest.iter().map(|s| s.to_string()));
    header
}

/// The output's 90% interval, p5 – p95.
fn interval(o: &OutputResult) -> Cell {
    let [lo, hi] = o.summary.ci90();
    Cell::Shown(format!("{} – {}", words::show(o, lo), words::show(o, hi)))
}

/// One CSV row per output with every statistic, full precision, and the kind of caveat
/// on the mean's interval (`unseen`, `skewed`, `heavy_tail`; empty when it holds); then,
/// when any output has a unit, each one's unit (empty for a plain number).
fn csv(report: &RunReport<'_>) -> String {
    let percentiles = report.meta.percentiles;
    let names = percentiles.names();
    let units = report.outputs.iter().any(|o| o.unit.is_some());
    let mut out =
        format!("output,mean,std,min,max,stderr_mean,mean_ci95_low,mean_ci95_high,{},mean_caveat", names.join(","));
    out.push_str(if units { ",unit\n" } else { "\n" });
    for o in report.outputs {
        let (s, m) = (&o.summary, &o.summary.moments);
        let [lo, hi] = s.mean_ci95;
        let mut cells = vec![o.name.to_string()];
        cells.extend([m.mean, m.std(), m.min, m.max, m.stderr_mean(), lo, hi].iter().map(f64::to_string));
        cells.extend(percentiles.levels().map(|q| s.at(q).to_string()));
        cells.push(s.mean_caveat.map_or("", |c| c.kind()).to_string());
        if units {
            // A unit has no comma, quote or line break: the unit parser admits none.
            cells.push(o.unit.clone().unwrap_or_default());
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Lines about correlations, caveats and precision, shared by the table and Markdown.
fn notes(report: &RunReport<'_>) -> String {
    let mut out = String::new();
    if !report.correlations.is_empty() {
        out.push_str("\nrank correlations: requested → achieved\n");
        for c in report.correlations {
            let repaired = if c.used == c.requested { String::new() } else { format!(" (repaired to {:+.3})", c.used) };
            out.push_str(&format!(
                "  {} – {}: {:+.3}{repaired} → {:+.3}\n",
                c.pair[0], c.pair[1], c.requested, c.achieved
            ));
        }
    }
    let caveats: Vec<(&str, &Caveat)> =
        report.outputs.iter().filter_map(|o| Some((o.name.as_str(), o.summary.mean_caveat.as_ref()?))).collect();
    if !caveats.is_empty() {
        out.push_str("\nthe ± of a mean marked ! may not hold:\n");
        for (name, caveat) in caveats {
            out.push_str(&format!("  {name}: {}\n", caveat_text(caveat)));
        }
    }
    if let Some(p) = report.precision {
        out.push_str(&precision_text(p, report.meta.trials));
    }
    out
}

/// A one-line histogram of the output between its p1 and p99.
fn histogram(o: &OutputResult) -> String {
    let s = &o.summary;
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
