//! `compare`: the base model and its scenarios side by side, with the distribution of
//! each scenario's difference from base (common random numbers, so it is precise), as a
//! table per output in text or Markdown, or JSON.

use std::fmt::Write as _;

use super::cells::{Cell, Table};
use super::escape::markdown;
use super::format::{Document, Format, Render};
use super::human;
use super::json;
use super::view::CompareReport;
use super::words::{estimate, headline, label, provenance, show, value_headers};
use crate::study::OutputResult;

impl Render for CompareReport<'_> {
    const NAME: &'static str = "compare";
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Markdown];

    fn document(&self, format: Format) -> Document {
        match format {
            Format::Json => json::compare_json(self).into(),
            Format::Markdown => self.markdown().into(),
            Format::Table | Format::Csv | Format::Html => self.text().into(),
        }
    }
}

impl CompareReport<'_> {
    /// An aligned table per output.
    fn text(&self) -> String {
        let base = &self.runs[0];
        let mut out = format!("{}\n{} · common random numbers\n", base.meta.model_name, provenance(&base.meta));
        for (i, output) in base.outputs.iter().enumerate() {
            let _ = write!(out, "\n{}\n{}", label(output), self.table(i, true).text("  "));
        }
        out
    }

    /// Markdown: a table per output.
    fn markdown(&self) -> String {
        let base = &self.runs[0];
        let mut out = format!(
            "## {}: scenarios\n\n{} · common random numbers\n",
            markdown(base.meta.model_name),
            markdown(&provenance(&base.meta))
        );
        for (i, output) in base.outputs.iter().enumerate() {
            let _ = write!(out, "\n### {}\n\n{}", markdown(&label(output)), self.table(i, false).markdown());
        }
        out
    }

    /// Output `i` in every run: its summary and, for a scenario, its difference from base
    /// (with the 90% interval of the difference when `interval`). A 0/1 output gets its
    /// probability and the difference in percentage points, with their 95% intervals: no
    /// percentiles and no P(scenario > base), which say nothing about a difference of 0s
    /// and 1s. The base's difference cells are left empty.
    fn table(&self, i: usize, interval: bool) -> Table {
        let columns = self.runs[0].meta.percentiles.headline();
        let header = header(&self.runs[0].outputs[i], interval, &columns);
        let mut table = Table::new("scenarios", &header.iter().map(String::as_str).collect::<Vec<_>>());
        for (r, run) in self.runs.iter().enumerate() {
            let output = &run.outputs[i];
            let mut row = vec![Cell::Text(run.meta.scenario.unwrap_or("base").to_string())];
            row.extend(headline(output, &output.summary, false, &columns));
            match self.difference(r, i) {
                Some(d) if output.boolean => {
                    let change = |x: f64| signed(x, &human::points);
                    let text = estimate(d.summary.moments.mean, d.summary.mean_ci95, &change, &human::points);
                    row.push(Cell::Number(text, d.summary.moments.mean));
                }
                Some(d) => {
                    let n = |x: f64| show(output, x);
                    row.push(Cell::Number(signed(d.summary.moments.mean, &n), d.summary.moments.mean));
                    if interval {
                        let [lo, hi] = d.summary.ci90();
                        row.push(Cell::Shown(format!("{} – {}", signed(lo, &n), signed(hi, &n))));
                    }
                    row.push(Cell::number(d.p_greater, human::percent));
                }
                None => row.resize(header.len(), Cell::Text(String::new())),
            }
            table.row(None, row);
        }
        table
    }
}

/// The columns for `output`, with the difference's 90% interval when `interval`.
fn header(output: &OutputResult, interval: bool, columns: &[(String, f64)]) -> Vec<String> {
    let rest: &[&str] = match (output.boolean, interval) {
        (true, _) => return ["scenario", "probability", "Δ probability"].map(String::from).to_vec(),
        (false, true) => &["Δ mean", "Δ 90% interval", "P(> base)"],
        (false, false) => &["Δ mean", "P(> base)"],
    };
    let mut header = vec!["scenario".to_string()];
    header.extend(value_headers(columns));
    header.extend(rest.iter().map(|s| s.to_string()));
    header
}

/// A difference with an explicit sign.
fn signed(x: f64, n: &impl Fn(f64) -> String) -> String {
    if x > 0.0 { format!("+{}", n(x)) } else { n(x) }
}
