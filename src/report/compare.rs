//! `compare`: the base model and its scenarios side by side, with the distribution of
//! each scenario's difference from base (common random numbers, so it is precise), as a
//! table per output in text or Markdown, or JSON.

use std::fmt::Write as _;

use super::cells::{Cell, Table};
use super::escape::markdown;
use super::format::{Document, Format, Render};
use super::json;
use super::view::CompareReport;
use super::words::{self, headline, label, provenance, show, value_headers};
use crate::study::{Difference, OutputResult};

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
    /// An aligned table per output that some scenario changes.
    fn text(&self) -> String {
        let base = &self.runs[0];
        let mut out = format!("{}\n{} · common random numbers\n", base.meta.model_name, provenance(&base.meta));
        for (i, output) in base.outputs.iter().enumerate().filter(|&(i, _)| !self.unchanged(i)) {
            let _ = write!(out, "\n{}\n{}{}", label(output), self.table(i).text("  "), self.same_as_base(i, "  "));
        }
        out.push_str(&self.unchanged_line());
        out
    }

    /// Markdown: a table per output that some scenario changes.
    fn markdown(&self) -> String {
        let base = &self.runs[0];
        let mut out = format!(
            "## {}: scenarios\n\n{} · common random numbers\n",
            markdown(base.meta.model_name),
            markdown(&provenance(&base.meta))
        );
        for (i, output) in base.outputs.iter().enumerate().filter(|&(i, _)| !self.unchanged(i)) {
            let same = markdown(&self.same_as_base(i, "\n"));
            let _ = write!(out, "\n### {}\n\n{}{same}", markdown(&label(output)), self.table(i).markdown());
        }
        out.push_str(&markdown(&self.unchanged_line()));
        out
    }

    /// True if scenario run `r` (from 1) gives output `i` the base's value in every trial.
    fn identical(&self, r: usize, i: usize) -> bool {
        self.difference(r, i).is_some_and(Difference::unchanged)
    }

    /// True if every scenario gives output `i` the base's value in every trial.
    fn unchanged(&self, i: usize) -> bool {
        self.runs.len() > 1 && (1..self.runs.len()).all(|r| self.identical(r, i))
    }

    /// The line under output `i`'s table naming the scenarios left out of it as the same
    /// as base (empty if none), starting with `indent`.
    fn same_as_base(&self, i: usize, indent: &str) -> String {
        let same: Vec<&str> =
            (1..self.runs.len()).filter(|&r| self.identical(r, i)).filter_map(|r| self.runs[r].meta.scenario).collect();
        match same.is_empty() {
            true => String::new(),
            false => format!("{indent}the same as base in every trial: {}\n", same.join(", ")),
        }
    }

    /// The line naming the outputs that no scenario changes, whose tables are left out.
    fn unchanged_line(&self) -> String {
        let names: Vec<String> = (0..self.runs[0].outputs.len())
            .filter(|&i| self.unchanged(i))
            .map(|i| label(&self.runs[0].outputs[i]))
            .collect();
        match names.len() {
            0 => String::new(),
            n => format!("\nthe same as base in every trial of every scenario ({n}): {}\n", names.join(", ")),
        }
    }

    /// Output `i` in the base and each scenario that changes it: its summary and, for a
    /// scenario, its difference from base with the difference's 90% interval. A 0/1
    /// output gets its probability and the difference in percentage points, with their
    /// 95% intervals: no percentiles and no P(scenario > base), which say nothing about a
    /// difference of 0s and 1s. The base's difference cells are left empty.
    fn table(&self, i: usize) -> Table {
        let columns = self.runs[0].meta.percentiles.headline();
        let header = header(&self.runs[0].outputs[i], &columns);
        let mut table = Table::new("scenarios", &header.iter().map(String::as_str).collect::<Vec<_>>());
        for (r, run) in self.runs.iter().enumerate().filter(|&(r, _)| !self.identical(r, i)) {
            let output = &run.outputs[i];
            let mut row = vec![Cell::Text(run.meta.scenario.unwrap_or("base").to_string())];
            row.extend(headline(output, &output.summary, false, &columns));
            let difference = self.difference(r, i);
            let mut change = words::change(output, difference);
            if let Some(d) = difference.filter(|_| !output.boolean) {
                let n = |x: f64| show(output, x);
                let [lo, hi] = d.summary.ci90();
                change.insert(1, Cell::Shown(format!("{} – {}", words::signed(lo, &n), words::signed(hi, &n))));
            }
            row.extend(change);
            row.resize(header.len(), Cell::Text(String::new()));
            table.row(None, row);
        }
        table
    }
}

/// The columns for `output`.
fn header(output: &OutputResult, columns: &[(String, f64)]) -> Vec<String> {
    if output.boolean {
        return ["scenario", "probability", "Δ probability"].map(String::from).to_vec();
    }
    let rest = ["Δ mean", "Δ 90% interval", "P(> base)"];
    let mut header = vec!["scenario".to_string()];
    header.extend(value_headers(columns));
    header.extend(rest.iter().map(|s| s.to_string()));
    header
}
