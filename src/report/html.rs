//! The self-contained HTML report (inline CSS and SVG, no scripts, no network) and its
//! Markdown variant with the charts as SVG files beside it: a summary of every output, a
//! section per output (its full statistics, histogram, CDF and drivers side by side), the
//! scenarios (a table beside each chart) and the inputs. The page is well-formed XML
//! (every element closed, text escaped), so tools and tests can parse it.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::cells::{Cell, Table, linkify};
use super::escape::{code, html, link_destination, markdown, markdown_document, safe_url};
use super::format::{Document, Format, Render};
use super::view::{HtmlReport, Mark};
use super::words::{self, CAVEAT_MARK, caveat_text, label, probability_cell, provenance, show, show_to, values};
use super::{human, svg};
use crate::sensitivity::Analysis;
use crate::stats::{Percentiles, Summary};
use crate::study::{Assumption, OutputResult};

impl Render for HtmlReport<'_> {
    const NAME: &'static str = "report";
    const FORMATS: &'static [Format] = &[Format::Html, Format::Markdown];

    fn document(&self, format: Format) -> Document {
        match format {
            Format::Markdown => {
                let (text, charts) = self.markdown();
                let files = charts.into_iter().map(|(name, svg)| (name, svg.into_bytes())).collect();
                Document { text: text.into_bytes(), files }
            }
            Format::Html | Format::Table | Format::Json | Format::Csv => self.html().into(),
        }
    }
}

const STYLE: &str = include_str!("report.css");

/// One item of a section's grid: a table or a chart (file-name stem, SVG).
#[derive(Clone, Debug)]
enum Item {
    Table(Table),
    Chart(String, String),
}

/// A part of the report under its own heading: a table and charts side by side.
#[derive(Clone, Debug)]
struct Section<'a> {
    /// The heading's id, for links.
    id: String,
    heading: String,
    /// The var the section is about, with its expression, unit, source and note.
    var: Option<&'a Assumption>,
    items: Vec<Item>,
    /// Lines of small print under the grid.
    notes: Vec<String>,
}

/// The id of an output's section.
fn section_id(name: &str) -> String {
    format!("output-{name}")
}

impl HtmlReport<'_> {
    fn assumption(&self, name: &str) -> Option<&Assumption> {
        self.findings.assumptions.iter().find(|a| a.name == name)
    }

    /// The report's sections in page order: one per output that varies (a series has one
    /// for all its periods, with a fan chart), then the scenarios. An output that is the
    /// same in every trial gets none: the summary table says all there is.
    fn sections(&self) -> Vec<Section<'_>> {
        let mut sections = Vec::new();
        let outputs = self.run.outputs;
        for (i, o) in outputs.iter().enumerate() {
            match o.in_series() {
                Some((var, _)) if !outputs[..i].iter().any(|p| p.in_series().is_some_and(|(v, _)| v == var)) => {
                    sections.push(self.series_section(var, &outputs[i..]));
                }
                None if o.summary.moments.min < o.summary.moments.max => sections.push(self.output_section(o)),
                _ => {}
            }
        }
        if !self.findings.scenarios.is_empty() {
            sections.push(self.scenarios_section());
        }
        sections
    }

    fn output_section(&self, o: &OutputResult) -> Section<'_> {
        let name = o.name.as_str();
        let show = |x: f64| show(o, x);
        let unit = if o.boolean { "probability" } else { o.unit.as_deref().unwrap_or("value") };
        let mut items = vec![Item::Table(statistics(o, self.run.meta.percentiles))];
        let mut notes = Vec::new();
        if let Some(caveat) = &o.summary.mean_caveat {
            notes.push(format!("warning: the 95% interval of the mean may not hold: {}", caveat_text(caveat)));
        }
        if o.boolean {
            items.push(Item::Chart(format!("{name}-probability"), svg::probability(name, &o.summary)));
        } else if let Some((_, h)) = self.findings.histograms.iter().find(|(n, _)| *n == o.name) {
            let marks: Vec<&Mark> = self.marks.iter().filter(|t| t.output == o.name).collect();
            items.push(Item::Chart(
                format!("{name}-histogram"),
                svg::histogram(name, &o.summary, h, &show, unit, &marks),
            ));
            items.push(Item::Chart(format!("{name}-cdf"), svg::cdf(name, &o.summary, &show, unit, &marks)));
        }
        if let Some(s) = self.findings.sensitivity.iter().find(|s| s.output == o.name) {
            for analysis in &s.analyses {
                let (kind, chart) = match analysis {
                    Analysis::Tornado(t) => ("tornado", svg::tornado(name, t, &show, unit)),
                    Analysis::Spearman(r) => ("spearman", svg::spearman(name, r)),
                    Analysis::Sobol(r) => ("sobol", svg::sobol(name, r)),
                    Analysis::Shapley(r) => ("shapley", svg::shapley(name, r)),
                };
                items.push(Item::Chart(format!("{name}-{kind}"), chart));
            }
            notes.extend(s.notes.iter().cloned());
            notes.extend(s.warnings.iter().map(|w| format!("warning: {w}")));
            if !s.left_out.is_empty() {
                notes.push(format!("inputs that do not feed {name}: {}", s.left_out.join(", ")));
            }
        }
        Section { id: section_id(name), heading: name.to_string(), var: self.assumption(name), items, notes }
    }

    fn series_section(&self, var: &str, rest: &[OutputResult]) -> Section<'_> {
        let periods: Vec<&OutputResult> =
            rest.iter().filter(|p| p.in_series().is_some_and(|(v, _)| v == var)).collect();
        let first = periods[0];
        let label = |p: &OutputResult| p.in_series().map_or("", |(_, label)| label).to_string();
        let columns = self.run.meta.percentiles.headline();
        let header: Vec<String> = std::iter::once("period".to_string()).chain(words::value_headers(&columns)).collect();
        let mut table = Table::new("series", &header.iter().map(String::as_str).collect::<Vec<_>>());
        for p in &periods {
            let mut cells = vec![Cell::Text(label(p))];
            cells.extend(values(p, &p.summary, &columns));
            table.row(None, cells);
        }
        let labels: Vec<String> = periods.iter().map(|p| label(p)).collect();
        let labelled: Vec<(&str, &Summary)> =
            labels.iter().zip(&periods).map(|(l, p)| (l.as_str(), &p.summary)).collect();
        let chart = svg::fan(var, &labelled, &|x| show(first, x), first.unit.as_deref().unwrap_or("value"));
        Section {
            id: section_id(var),
            heading: var.to_string(),
            var: self.assumption(var),
            items: vec![Item::Table(table), Item::Chart(format!("{var}-fan"), chart)],
            notes: Vec::new(),
        }
    }

    /// Per output, a table of its values in the base and each scenario (a probability for
    /// a 0/1 output) beside a chart of them.
    fn scenarios_section(&self) -> Section<'_> {
        let mut items = Vec::new();
        for (i, o) in self.run.outputs.iter().enumerate().filter(|(_, o)| o.period.is_none()) {
            let name = o.name.as_str();
            let rows: Vec<(&str, &Summary)> = std::iter::once(("base", &o.summary))
                .chain(self.findings.scenarios.iter().map(|(n, s, _)| (n.as_str(), &s[i].summary)))
                .collect();
            let columns = self.run.meta.percentiles.headline();
            let mut header = vec!["scenario".to_string(), name.to_string()];
            match o.boolean {
                true => header.push("Δ probability".into()),
                false => {
                    header[1] = format!("{name} mean");
                    header.extend(columns.iter().map(|(n, _)| n.clone()));
                    header.extend(["Δ mean".into(), "P(> base)".into()]);
                }
            }
            let mut table = Table::new("scenarios", &header.iter().map(String::as_str).collect::<Vec<_>>());
            let differences = std::iter::once(None).chain(self.findings.scenarios.iter().map(|(_, _, d)| d.get(i)));
            for ((scenario, s), difference) in rows.iter().zip(differences) {
                let mut cells = vec![Cell::Text(scenario.to_string())];
                cells.extend(words::headline(o, s, false, &columns));
                cells.extend(words::change(o, difference));
                table.row(None, cells);
            }
            items.push(Item::Table(table));
            let chart = match o.boolean {
                true => svg::scenario_probabilities(name, &rows),
                false => svg::scenarios(name, &rows, &|x| show(o, x), o.unit.as_deref().unwrap_or("value")),
            };
            items.push(Item::Chart(format!("{name}-scenarios"), chart));
        }
        Section { id: "scenarios".into(), heading: "Scenarios".into(), var: None, items, notes: Vec::new() }
    }

    /// The summary table: every output's mean with its interval and p5/p50/p95, each
    /// name linking to the output's section.
    fn summary(&self, sections: &[Section<'_>]) -> Table {
        let columns = self.run.meta.percentiles.headline();
        let mut header = vec!["output".to_string(), "mean".to_string(), "± 95% CI".to_string()];
        header.extend(columns.iter().map(|(n, _)| n.clone()));
        let mut table = Table::new("summary", &header.iter().map(String::as_str).collect::<Vec<_>>());
        for o in self.run.outputs {
            let s = &o.summary;
            let id = section_id(o.var());
            let name = match sections.iter().any(|s| s.id == id) {
                true => Cell::Anchor(label(o), id),
                false => Cell::Text(label(o)),
            };
            let mut cells = vec![name];
            match o.boolean {
                // A probability and its interval; percentiles of 0s and 1s say nothing.
                true => {
                    cells.push(probability_cell(s));
                    cells.extend((0..=columns.len()).map(|_| Cell::Text(String::new())));
                }
                false => {
                    cells.push(Cell::number(s.moments.mean, |x| show(o, x)));
                    let mark = if s.mean_caveat.is_some() { CAVEAT_MARK } else { "" };
                    cells.push(Cell::Text(format!("± {}{mark}", show(o, s.mean_half_width()))));
                    cells.extend(columns.iter().map(|(_, q)| Cell::number(s.at(*q), |x| show(o, x))));
                }
            }
            table.row(Some(&o.name), cells);
        }
        table
    }

    /// Every var that is not an output: its expression, p5/p50/p95 over the run's trials
    /// (its value if constant), unit, source and note.
    fn inputs(&self) -> Table {
        let mut table =
            Table::new("inputs", &["input", "distribution or formula", "p5", "p50", "p95", "unit", "source", "note"]);
        let outputs: HashSet<&str> = self.run.outputs.iter().map(OutputResult::var).collect();
        let observed: HashMap<&str, &Summary> = self.findings.inputs.iter().map(|(n, s)| (n.as_str(), s)).collect();
        for a in self.findings.assumptions.iter().filter(|a| !outputs.contains(a.name.as_str())) {
            let show = |x: f64| human::number(x, a.unit.as_deref());
            let blank = || Cell::Text(String::new());
            let percentiles = match (observed.get(a.name.as_str()), a.constant) {
                (Some(s), _) => [s.p5(), s.p50(), s.p95()].map(|x| Cell::number(x, show)),
                (None, Some(value)) => [blank(), Cell::number(value, show), blank()],
                // One value per period: its percentiles are a table of their own.
                (None, None) if a.series => [blank(), Cell::Text("per period".into()), blank()],
                (None, None) => [blank(), blank(), blank()],
            };
            let mut cells = vec![Cell::Text(a.name.clone()), Cell::Code(a.expression.clone())];
            cells.extend(percentiles);
            cells.push(Cell::Text(a.unit.clone().unwrap_or_default()));
            cells.push(Cell::Source(a.source.clone().unwrap_or_default()));
            cells.push(Cell::Text(a.note.clone().unwrap_or_default()));
            table.row(None, cells);
        }
        table
    }

    /// Requested and achieved rank correlations, if the model has any.
    fn correlations(&self) -> Option<Table> {
        if self.run.correlations.is_empty() {
            return None;
        }
        let mut table = Table::new("correlations", &["inputs", "requested ρ", "used ρ", "achieved ρ"]);
        for c in self.run.correlations {
            let rho = |x: f64| Cell::number(x, |x| format!("{x:+.3}"));
            table.row(
                None,
                vec![
                    Cell::Text(format!("{} – {}", c.pair[0], c.pair[1])),
                    rho(c.requested),
                    rho(c.used),
                    rho(c.achieved),
                ],
            );
        }
        Some(table)
    }

    /// The HTML page.
    fn html(&self) -> String {
        let meta = &self.run.meta;
        let mut out = String::from(
            "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n",
        );
        let _ = writeln!(out, "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>", html(meta.model_name));
        let _ = writeln!(out, "<h1>{}</h1>", html(meta.model_name));
        out.push_str(&markdown_html(self.description));
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", html(&provenance(meta)));
        let _ = writeln!(out, "<h2 id=\"summary\">Summary</h2>");
        let sections = self.sections();
        out.push_str(&self.summary(&sections).html());
        for section in sections {
            let _ = writeln!(
                out,
                "<section class=\"part\" id=\"{}\">\n<h2>{}</h2>",
                html(&section.id),
                html(&section.heading)
            );
            if let Some(var) = section.var {
                out.push_str(&var_line(var));
            }
            out.push_str("<div class=\"grid\">\n");
            for item in &section.items {
                match item {
                    Item::Table(t) => {
                        let _ = writeln!(out, "<div class=\"cell\">{}</div>", t.html());
                    }
                    Item::Chart(_, chart) => {
                        let _ = writeln!(out, "<figure>{chart}</figure>");
                    }
                }
            }
            out.push_str("</div>\n");
            for note in &section.notes {
                let _ = writeln!(out, "<p class=\"note\">{}</p>", html(note));
            }
            out.push_str("</section>\n");
        }
        out.push_str("<section class=\"part\" id=\"inputs\">\n<h2>Inputs</h2>\n");
        out.push_str(&self.inputs().html());
        if let Some(table) = self.correlations() {
            out.push_str("<h3>Correlations</h3>\n");
            out.push_str(&table.html());
        }
        out.push_str("</section>\n");
        let _ = writeln!(
            out,
            "<footer>\n<p>costsim {} · model sha256 <code>{}</code> · seed {} · {} trials · sampling {}</p>\n<p>Reproduce: <code>{}</code></p>\n</footer>\n</body>\n</html>",
            env!("CARGO_PKG_VERSION"),
            meta.sha256,
            meta.seed,
            meta.trials,
            meta.sampling,
            html(&self.command)
        );
        out
    }

    /// Markdown referring to the charts as `<stem>-<chart>.svg` files, and those files.
    fn markdown(&self) -> (String, Vec<(String, String)>) {
        let stem = &self.chart_stem;
        let meta = &self.run.meta;
        let mut out = format!(
            "# {}\n\n{}\n\n{}\n\n",
            markdown(meta.model_name),
            markdown_document(self.description.trim()),
            markdown(&provenance(meta))
        );
        let sections = self.sections();
        out.push_str(&self.summary(&sections).markdown());
        let mut files = Vec::new();
        for section in sections {
            let _ = writeln!(out, "\n## {}\n", markdown(&section.heading));
            if let Some(var) = section.var {
                let _ = writeln!(out, "{}\n", code(&format!("{} = {}", var.name, var.expression)));
            }
            for item in section.items {
                match item {
                    Item::Table(t) => {
                        let _ = writeln!(out, "{}", t.markdown());
                    }
                    Item::Chart(name, svg) => {
                        let file = format!("{stem}-{name}.svg");
                        let _ = writeln!(out, "![{}]({})\n", markdown(&file), link_destination(&file));
                        files.push((file, svg));
                    }
                }
            }
            for note in &section.notes {
                let _ = writeln!(out, "_{}_\n", markdown(note));
            }
        }
        out.push_str("\n## Inputs\n\n");
        out.push_str(&self.inputs().markdown());
        if let Some(table) = self.correlations() {
            out.push_str("\n### Correlations\n\n");
            out.push_str(&table.markdown());
        }
        let _ = writeln!(
            out,
            "\n---\ncostsim {} · model sha256 {} · reproduce: {}",
            env!("CARGO_PKG_VERSION"),
            code(meta.sha256),
            code(&self.command)
        );
        (out, files)
    }
}

/// The full statistics of an output: mean, standard deviation, min, p1 … p99 and max,
/// with 95% intervals of the mean and of each percentile; a probability for a 0/1 output.
fn statistics(o: &OutputResult, percentiles: &Percentiles) -> Table {
    let s = &o.summary;
    let m = &s.moments;
    let mut table = Table::new("statistics", &["statistic", "value", "95% interval"]);
    let show = |x: f64| show(o, x);
    // A value and its interval, with the digits that tell the interval's ends apart.
    let estimate = |name: &str, x: f64, [lo, hi]: [f64; 2]| {
        let digits = human::distinguishing(lo, hi, |x, d| show_to(o, x, d));
        let interval = format!("{} to {}", show_to(o, lo, digits), show_to(o, hi, digits));
        vec![Cell::Text(name.to_string()), Cell::number(x, |x| show_to(o, x, digits)), Cell::Text(interval)]
    };
    let blank = || Cell::Text(String::new());
    if o.boolean {
        table.row(None, estimate("P(true)", m.mean, s.mean_ci95));
    } else {
        table.row(None, estimate("mean", m.mean, s.mean_ci95));
        table.row(None, vec![Cell::Text("std dev".into()), Cell::number(m.std(), show), blank()]);
        table.row(None, vec![Cell::Text("min".into()), Cell::number(m.min, show), blank()]);
        for (name, q) in percentiles.names().iter().zip(percentiles.levels()) {
            table.row(None, estimate(name, s.at(q), s.ci95_at(q)));
        }
        table.row(None, vec![Cell::Text("max".into()), Cell::number(m.max, show), blank()]);
    }
    table.row(
        None,
        vec![Cell::Text("trials".into()), Cell::number(m.n as f64, |x| words::group_thousands(x as u64)), blank()],
    );
    table
}

/// A var's definition, unit, source (links clickable) and note, as a line of the page.
fn var_line(var: &Assumption) -> String {
    let mut line = format!("<p class=\"var\"><code>{} = {}</code>", html(&var.name), html(&var.expression));
    if let Some(unit) = &var.unit {
        let _ = write!(line, " · {}", html(unit));
    }
    if let Some(source) = &var.source {
        let _ = write!(line, " · source: {}", linkify(source));
    }
    if let Some(note) = &var.note {
        let _ = write!(line, " · {}", html(note));
    }
    line.push_str("</p>\n");
    line
}

/// `text` (Markdown) as HTML: raw HTML in it is shown as text, and links go only to
/// web, mail or in-page addresses, so nothing a model says can run in the page.
pub(super) fn markdown_html(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut dropped = Vec::new();
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link { ref dest_url, .. }) if !safe_url(dest_url) => {
            dropped.push(());
            None
        }
        Event::End(TagEnd::Link) if dropped.pop().is_some() => None,
        // An image would load from the network: its alt text stands in for it.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

#[cfg(test)]
mod tests {
    use super::markdown_html;

    #[test]
    fn descriptions_are_markdown_without_raw_html_or_scripts() {
        let html = markdown_html(
            "A **bold** claim, a [source](https://example.com/a?b=1&c=2) and a list:\n\n- one\n- two\n\n\
             <script>alert(1)</script>\n\nA [click](javascript:alert(1)) and ![chart](https://x.test/c.png).",
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("<a href=\"https://example.com/a?b=1&amp;c=2\">source</a>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script"), "{html}");
        assert!(html.contains("click") && !html.contains("javascript:"), "{html}");
        assert!(html.contains("chart") && !html.contains("<img"), "{html}");
    }
}
