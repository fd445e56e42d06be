//! The self-contained HTML report (inline CSS and SVG, no scripts, no network) and its
//! Markdown variant with the charts as SVG files beside it: a summary of every output, a
//! section per output (its full statistics, histogram, CDF and drivers side by side), the
//! scenarios (a table beside each chart) and the inputs. The page is well-formed XML
//! (every element closed, text escaped), so tools and tests can parse it.

use std::fmt::Write as _;

use super::cells::{Cell, Table, linkify};
use super::escape::{code, html, link_destination, markdown, markdown_document, safe_url};
use super::{OutputRow, RunReport, Threshold, provenance, svg};
use crate::sensitivity::Analysis;
use crate::stats::{PERCENTILES, Summary};
use crate::study::Findings;

/// A var as the report describes it: in the inputs table, or above its output's section.
#[derive(Clone, Debug)]
pub struct Assumption<'a> {
    /// Name.
    pub name: &'a str,
    /// Expression as written.
    pub expression: &'a str,
    /// Unit.
    pub unit: Option<&'a str>,
    /// Source.
    pub source: Option<&'a str>,
    /// Note.
    pub note: Option<&'a str>,
    /// Its value, if it is a constant.
    pub constant: Option<f64>,
}

/// The thresholds tested by the 0/1 outputs among `outputs` that compare another of them
/// with a number (`x > c`, `x >= c`, `x < c`, `x <= c`, or `c < x` and so on), as `model`
/// writes them.
pub fn thresholds(model: &crate::model::Model, outputs: &[super::OutputRow<'_>]) -> Vec<Threshold> {
    use crate::expr::{BinOp, ExprKind};
    let shown = |name: &str| outputs.iter().find(|o| o.name == name && !o.boolean && o.period.is_none());
    outputs
        .iter()
        .filter(|o| o.boolean && o.period.is_none())
        .filter_map(|o| {
            let ExprKind::Binary(op, a, b) = &model.var(o.name)?.expr.kind else { return None };
            let (name, value, op) = match (&a.kind, &b.kind) {
                (ExprKind::Name(x), ExprKind::Num(c)) => (x, *c, *op),
                // `c < x` is `x > c`.
                (ExprKind::Num(c), ExprKind::Name(x)) => (
                    x,
                    *c,
                    match op {
                        BinOp::Lt => BinOp::Gt,
                        BinOp::Le => BinOp::Ge,
                        BinOp::Gt => BinOp::Lt,
                        BinOp::Ge => BinOp::Le,
                        other => *other,
                    },
                ),
                _ => return None,
            };
            let sign = match op {
                BinOp::Gt => ">",
                BinOp::Ge => "≥",
                BinOp::Lt => "<",
                BinOp::Le => "≤",
                _ => return None,
            };
            let compared = shown(name)?;
            let label = format!(
                "P({name} {sign} {}) = {}",
                super::human::number(value, compared.unit),
                super::human::percent(o.summary.moments.mean)
            );
            Some(Threshold { output: name.clone(), value, label })
        })
        .collect()
}

/// Everything the report shows.
#[derive(Clone, Debug)]
pub struct HtmlReport<'a> {
    /// The base run.
    pub run: RunReport<'a>,
    /// The model's description (Markdown, rendered without raw HTML).
    pub description: &'a str,
    /// Every var, in model order.
    pub assumptions: Vec<Assumption<'a>>,
    /// Histograms, inputs' statistics, sensitivity analyses and scenarios.
    pub findings: &'a Findings,
    /// The command that reproduces the report.
    pub command: String,
    /// Thresholds to draw (see [`thresholds`]).
    pub thresholds: Vec<Threshold>,
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
    var: Option<&'a Assumption<'a>>,
    items: Vec<Item>,
    /// Lines of small print under the grid.
    notes: Vec<String>,
}

/// The id of an output's section.
fn section_id(name: &str) -> String {
    format!("output-{name}")
}

impl<'a> HtmlReport<'a> {
    fn assumption(&self, name: &str) -> Option<&Assumption<'a>> {
        self.assumptions.iter().find(|a| a.name == name)
    }

    /// The report's sections in page order: one per output that varies (a series has one
    /// for all its periods, with a fan chart), then the scenarios. An output that is the
    /// same in every trial gets none: the summary table says all there is.
    fn sections(&self) -> Vec<Section<'_>> {
        let mut sections = Vec::new();
        let outputs = &self.run.outputs;
        for (i, o) in outputs.iter().enumerate() {
            match o.period {
                Some((var, _)) if !outputs[..i].iter().any(|p| p.period.is_some_and(|(v, _)| v == var)) => {
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

    fn output_section(&self, o: &OutputRow<'_>) -> Section<'_> {
        let show = |x: f64| o.show(x);
        let unit = if o.boolean { "probability" } else { o.unit.unwrap_or("value") };
        let mut items = vec![Item::Table(statistics(o))];
        let mut notes = Vec::new();
        if let Some(caveat) = &o.summary.mean_caveat {
            notes.push(format!("warning: the 95% interval of the mean may not hold: {}", super::caveat_text(caveat)));
        }
        if o.boolean {
            items.push(Item::Chart(format!("{}-probability", o.name), svg::probability(o.name, o.summary)));
        } else if let Some((_, h)) = self.findings.histograms.iter().find(|(n, _)| n == o.name) {
            let marks: Vec<&Threshold> = self.thresholds.iter().filter(|t| t.output == o.name).collect();
            items.push(Item::Chart(
                format!("{}-histogram", o.name),
                svg::histogram(o.name, o.summary, h, &show, unit, &marks),
            ));
            items.push(Item::Chart(format!("{}-cdf", o.name), svg::cdf(o.name, o.summary, &show, unit, &marks)));
        }
        if let Some(s) = self.findings.sensitivity.iter().find(|s| s.output == o.name) {
            for analysis in &s.analyses {
                let (kind, chart) = match analysis {
                    Analysis::Tornado(t) => ("tornado", svg::tornado(o.name, t, &show, unit)),
                    Analysis::Spearman(r) => ("spearman", svg::spearman(o.name, r)),
                    Analysis::Sobol(r) => ("sobol", svg::sobol(o.name, r)),
                    Analysis::Shapley(r) => ("shapley", svg::shapley(o.name, r)),
                };
                items.push(Item::Chart(format!("{}-{kind}", o.name), chart));
            }
            notes.extend(s.notes.iter().cloned());
            notes.extend(s.warnings.iter().map(|w| format!("warning: {w}")));
            if !s.left_out.is_empty() {
                notes.push(format!("inputs that do not feed {}: {}", o.name, s.left_out.join(", ")));
            }
        }
        Section { id: section_id(o.name), heading: o.name.to_string(), var: self.assumption(o.name), items, notes }
    }

    fn series_section(&self, var: &str, rest: &[OutputRow<'_>]) -> Section<'_> {
        let periods: Vec<&OutputRow<'_>> = rest.iter().filter(|p| p.period.is_some_and(|(v, _)| v == var)).collect();
        let first = periods[0];
        let mut table = Table::new("series", &["period", "mean", "p5", "p50", "p95"]);
        for p in &periods {
            let s = p.summary;
            let mut cells = vec![Cell::Text(p.period.map_or("", |(_, label)| label).to_string())];
            cells.extend(headline(p, s));
            table.row(None, cells);
        }
        let labelled: Vec<(&str, &Summary)> =
            periods.iter().map(|p| (p.period.map_or("", |(_, label)| label), p.summary)).collect();
        let chart = svg::fan(var, &labelled, &|x| first.show(x), first.unit.unwrap_or("value"));
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
            let rows: Vec<(&str, &Summary)> = std::iter::once(("base", o.summary))
                .chain(self.findings.scenarios.iter().map(|(n, s)| (n.as_str(), &s[i].summary)))
                .collect();
            let mut table = match o.boolean {
                true => Table::new("scenarios", &["scenario", o.name]),
                false => Table::new("scenarios", &["scenario", &format!("{} mean", o.name), "p5", "p50", "p95"]),
            };
            for (name, s) in &rows {
                let mut cells = vec![Cell::Text(name.to_string())];
                match o.boolean {
                    true => cells.push(probability(s)),
                    false => cells.extend(headline(o, s)),
                }
                table.row(None, cells);
            }
            items.push(Item::Table(table));
            let chart = match o.boolean {
                true => svg::scenario_probabilities(o.name, &rows),
                false => svg::scenarios(o.name, &rows, &|x| o.show(x), o.unit.unwrap_or("value")),
            };
            items.push(Item::Chart(format!("{}-scenarios", o.name), chart));
        }
        Section { id: "scenarios".into(), heading: "Scenarios".into(), var: None, items, notes: Vec::new() }
    }

    /// The summary table: every output's mean with its interval and p5/p50/p95, each
    /// name linking to the output's section.
    fn summary(&self, sections: &[Section<'_>]) -> Table {
        let mut table = Table::new("summary", &["output", "mean", "± 95% CI", "p5", "p50", "p95"]);
        for o in &self.run.outputs {
            let s = o.summary;
            let id = section_id(o.period.map_or(o.name, |(var, _)| var));
            let name = match sections.iter().any(|s| s.id == id) {
                true => Cell::Anchor(o.name.to_string(), id),
                false => Cell::Text(o.name.to_string()),
            };
            let mut cells = vec![name];
            match o.boolean {
                // A probability and its interval; percentiles of 0s and 1s say nothing.
                true => cells.extend([
                    probability(s),
                    Cell::Text(String::new()),
                    Cell::Text(String::new()),
                    Cell::Text(String::new()),
                    Cell::Text(String::new()),
                ]),
                false => {
                    cells.push(Cell::number(s.moments.mean, |x| o.show(x)));
                    let mark = if s.mean_caveat.is_some() { super::CAVEAT_MARK } else { "" };
                    cells.push(Cell::Text(format!("± {}{mark}", o.show(s.mean_half_width()))));
                    cells.extend([s.p5(), s.p50(), s.p95()].map(|x| Cell::number(x, |x| o.show(x))));
                }
            }
            table.row(Some(o.name), cells);
        }
        table
    }

    /// Every var that is not an output: its expression, p5/p50/p95 over the run's trials
    /// (its value if constant), unit, source and note.
    fn inputs(&self) -> Table {
        let mut table =
            Table::new("inputs", &["input", "distribution or formula", "p5", "p50", "p95", "unit", "source", "note"]);
        let outputs: Vec<&str> = self.run.outputs.iter().map(|o| o.period.map_or(o.name, |(var, _)| var)).collect();
        for a in self.assumptions.iter().filter(|a| !outputs.contains(&a.name)) {
            let show = |x: f64| super::human::number(x, a.unit);
            let blank = || Cell::Text(String::new());
            let percentiles = match (self.findings.inputs.iter().find(|(n, _)| n == a.name), a.constant) {
                (Some((_, s)), _) => [s.p5(), s.p50(), s.p95()].map(|x| Cell::number(x, show)),
                (None, Some(value)) => [blank(), Cell::number(value, show), blank()],
                (None, None) => [blank(), blank(), blank()],
            };
            let mut cells = vec![Cell::Text(a.name.to_string()), Cell::Code(a.expression.to_string())];
            cells.extend(percentiles);
            cells.push(Cell::Text(a.unit.unwrap_or("").to_string()));
            cells.push(Cell::Source(a.source.unwrap_or("").to_string()));
            cells.push(Cell::Text(a.note.unwrap_or("").to_string()));
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
    pub fn html(&self) -> String {
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
    pub fn markdown(&self, stem: &str) -> (String, Vec<(String, String)>) {
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

/// Mean, p5, p50 and p95 of `s` (`o`'s statistics, or a period's or scenario's) as
/// number cells written as `o` writes its values.
fn headline(o: &OutputRow<'_>, s: &Summary) -> [Cell; 4] {
    [s.moments.mean, s.p5(), s.p50(), s.p95()].map(|x| Cell::number(x, |x| o.show(x)))
}

/// A 0/1 output's probability with its interval in percentage points.
fn probability(s: &Summary) -> Cell {
    Cell::Number(super::probability(s), s.moments.mean)
}

/// The full statistics of an output: mean, standard deviation, min, p1 … p99 and max,
/// with 95% intervals of the mean and of each percentile; a probability for a 0/1 output.
fn statistics(o: &OutputRow<'_>) -> Table {
    let s = o.summary;
    let m = &s.moments;
    let mut table = Table::new("statistics", &["statistic", "value", "95% interval"]);
    let show = |x: f64| o.show(x);
    // A value and its interval, with the digits that tell the interval's ends apart.
    let estimate = |name: &str, x: f64, [lo, hi]: [f64; 2]| {
        let digits = super::human::distinguishing(lo, hi, |x, d| o.show_to(x, d));
        let interval = format!("{} to {}", o.show_to(lo, digits), o.show_to(hi, digits));
        vec![Cell::Text(name.to_string()), Cell::number(x, |x| o.show_to(x, digits)), Cell::Text(interval)]
    };
    let blank = || Cell::Text(String::new());
    if o.boolean {
        table.row(None, estimate("P(true)", m.mean, s.mean_ci95));
    } else {
        table.row(None, estimate("mean", m.mean, s.mean_ci95));
        table.row(None, vec![Cell::Text("std dev".into()), Cell::number(m.std(), show), blank()]);
        table.row(None, vec![Cell::Text("min".into()), Cell::number(m.min, show), blank()]);
        for (k, (name, _)) in PERCENTILES.iter().enumerate() {
            table.row(None, estimate(name, s.percentiles[k], s.percentile_ci95[k]));
        }
        table.row(None, vec![Cell::Text("max".into()), Cell::number(m.max, show), blank()]);
    }
    table.row(
        None,
        vec![Cell::Text("trials".into()), Cell::number(m.n as f64, |x| super::group_thousands(x as u64)), blank()],
    );
    table
}

/// A var's definition, unit, source (links clickable) and note, as a line of the page.
fn var_line(var: &Assumption<'_>) -> String {
    let mut line = format!("<p class=\"var\"><code>{} = {}</code>", html(var.name), html(var.expression));
    if let Some(unit) = var.unit {
        let _ = write!(line, " · {}", html(unit));
    }
    if let Some(source) = var.source {
        let _ = write!(line, " · source: {}", linkify(source));
    }
    if let Some(note) = var.note {
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
