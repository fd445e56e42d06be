//! The self-contained HTML report (inline CSS and SVG, no scripts, no network) and its
//! Markdown variant with the charts as SVG files beside it. The page is well-formed XML
//! (every element closed, text escaped), so tools and tests can parse it.

use std::fmt::Write as _;

use super::{RunReport, Threshold, escape, md, md_cell, provenance, svg};
use crate::sensitivity::tornado::Tornado;
use crate::stats::Summary;
use crate::study::OutputResult;

/// A var as listed in the assumptions table.
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
    /// Every var.
    pub assumptions: Vec<Assumption<'a>>,
    /// Tornado per output (outputs that vary and are not probabilities).
    pub tornadoes: &'a [(String, Tornado)],
    /// Each scenario's values of the run's outputs, in the run's output order.
    pub scenarios: &'a [(String, Vec<OutputResult>)],
    /// The command that reproduces the report.
    pub command: String,
    /// Thresholds to draw (see [`thresholds`]).
    pub thresholds: Vec<Threshold>,
}

const STYLE: &str = include_str!("report.css");

impl HtmlReport<'_> {
    /// Every chart as (file-name stem, SVG), in page order. Outputs that are the same in
    /// every trial get none: the summary table says all there is. A series gets one fan
    /// chart over its periods.
    pub fn charts(&self) -> Vec<(String, String)> {
        let mut charts = Vec::new();
        let constant = |s: &Summary| s.moments.min == s.moments.max;
        let outputs = &self.run.outputs;
        for (i, o) in outputs.iter().enumerate() {
            let Some((var, _)) = o.period else { continue };
            if outputs[..i].iter().any(|p| p.period.is_some_and(|(v, _)| v == var)) {
                continue;
            }
            let periods: Vec<(&str, &Summary)> = outputs[i..]
                .iter()
                .filter_map(|p| p.period.filter(|(v, _)| *v == var).map(|(_, label)| (label, p.summary)))
                .collect();
            charts.push((format!("{var}-fan"), svg::fan(var, &periods, o.unit)));
        }
        for o in outputs.iter().filter(|o| o.period.is_none() && !constant(o.summary)) {
            if o.boolean {
                charts.push((format!("{}-probability", o.name), svg::probability(o.name, o.summary)));
                continue;
            }
            let marks: Vec<&Threshold> = self.thresholds.iter().filter(|t| t.output == o.name).collect();
            charts.push((format!("{}-histogram", o.name), svg::histogram(o.name, o.summary, o.unit, &marks)));
            charts.push((format!("{}-cdf", o.name), svg::cdf(o.name, o.summary, o.unit, &marks)));
            if let Some((_, t)) = self.tornadoes.iter().find(|(n, _)| n == o.name) {
                charts.push((format!("{}-tornado", o.name), svg::tornado(o.name, t, o.unit)));
            }
        }
        if !self.scenarios.is_empty() {
            for (i, o) in self.run.outputs.iter().enumerate().filter(|(_, o)| !o.boolean && o.period.is_none()) {
                let rows: Vec<(&str, &Summary)> = std::iter::once(("base", o.summary))
                    .chain(self.scenarios.iter().map(|(n, s)| (n.as_str(), &s[i].summary)))
                    .collect();
                charts.push((format!("{}-scenarios", o.name), svg::scenarios(o.name, &rows, o.unit)));
            }
        }
        charts
    }

    /// The HTML page.
    pub fn html(&self) -> String {
        let meta = &self.run.meta;
        let mut out = String::from(
            "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n",
        );
        let _ = writeln!(out, "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>", escape(meta.model_name));
        let _ = writeln!(out, "<h1>{}</h1>", escape(meta.model_name));
        out.push_str(&markdown_html(self.description));
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", escape(&provenance(meta)));
        out.push_str(&self.summary_table());
        let _ = writeln!(out, "<h2>Charts</h2>\n<div class=\"charts\">");
        for (_, chart) in self.charts() {
            let _ = writeln!(out, "<figure>{chart}</figure>");
        }
        out.push_str("</div>\n");
        out.push_str(&self.assumptions_table());
        let _ = writeln!(
            out,
            "<footer>\n<p>costsim {} · model sha256 <code>{}</code> · seed {} · {} trials · sampling {}</p>\n<p>Reproduce: <code>{}</code></p>\n</footer>\n</body>\n</html>",
            env!("CARGO_PKG_VERSION"),
            meta.sha256,
            meta.seed,
            meta.trials,
            meta.sampling,
            escape(&self.command)
        );
        out
    }

    fn summary_table(&self) -> String {
        let mut out = String::from(
            "<h2>Summary</h2>\n<table class=\"summary\">\n<thead><tr><th>output</th><th>mean</th><th>p5</th><th>p50</th><th>p95</th></tr></thead>\n<tbody>\n",
        );
        for o in &self.run.outputs {
            let s = o.summary;
            let cell = |x: f64| format!("<td data-value=\"{x}\">{}</td>", escape(&o.show(x)));
            let values = match o.boolean {
                // A probability and its interval; percentiles of 0s and 1s say nothing.
                true => format!(
                    "<td data-value=\"{}\">{}</td><td></td><td></td><td></td>",
                    s.moments.mean,
                    escape(&super::probability(s))
                ),
                false => [s.moments.mean, s.p5(), s.p50(), s.p95()].map(cell).concat(),
            };
            let _ = writeln!(out, "<tr data-output=\"{}\"><td>{}</td>{values}</tr>", escape(o.name), escape(o.name));
        }
        out.push_str("</tbody>\n</table>\n");
        out
    }

    fn assumptions_table(&self) -> String {
        let mut out = String::from(
            "<h2>Assumptions</h2>\n<table class=\"assumptions\">\n<thead><tr><th>var</th><th>expression</th><th>unit</th><th>source</th><th>note</th></tr></thead>\n<tbody>\n",
        );
        for a in &self.assumptions {
            let opt = |x: Option<&str>| escape(x.unwrap_or(""));
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(a.name),
                escape(a.expression),
                opt(a.unit),
                opt(a.source),
                opt(a.note)
            );
        }
        out.push_str("</tbody>\n</table>\n");
        out
    }

    /// Markdown referring to the charts as `<stem>-<chart>.svg` files, and those files.
    pub fn markdown(&self, stem: &str) -> (String, Vec<(String, String)>) {
        let meta = &self.run.meta;
        let mut out =
            format!("# {}\n\n{}\n\n{}\n\n", md(meta.model_name), md(self.description.trim()), md(&provenance(meta)));
        out.push_str("| output | mean | p5 | p50 | p95 |\n|---|---:|---:|---:|---:|\n");
        for o in &self.run.outputs {
            let s = o.summary;
            let n = |x: f64| o.show(x);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                o.name,
                n(s.moments.mean),
                n(s.p5()),
                n(s.p50()),
                n(s.p95())
            );
        }
        out.push_str("\n## Charts\n\n");
        let files: Vec<(String, String)> =
            self.charts().into_iter().map(|(name, svg)| (format!("{stem}-{name}.svg"), svg)).collect();
        for (file, _) in &files {
            let _ = writeln!(out, "![{file}]({file})\n");
        }
        out.push_str("## Assumptions\n\n| var | expression | unit | source | note |\n|---|---|---|---|---|\n");
        for a in &self.assumptions {
            let cell = |x: Option<&str>| md_cell(x.unwrap_or(""));
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                a.name,
                a.expression,
                cell(a.unit),
                cell(a.source),
                cell(a.note)
            );
        }
        let _ = writeln!(
            out,
            "\n---\ncostsim {} · model sha256 `{}` · reproduce: `{}`",
            env!("CARGO_PKG_VERSION"),
            meta.sha256,
            self.command
        );
        (out, files)
    }
}

/// `text` (Markdown) as HTML: raw HTML in it is shown as text, and links go only to
/// web, mail or in-page addresses, so nothing a model says can run in the page.
pub(super) fn markdown_html(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let safe = |url: &str| ["https://", "http://", "mailto:", "#"].iter().any(|p| url.starts_with(p));
    let mut dropped = Vec::new();
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link { ref dest_url, .. }) if !safe(dest_url) => {
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
