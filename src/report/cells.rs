//! Every report's tables, built once and rendered as aligned text, Markdown or HTML: cells
//! that know whether they hold a number (right-aligned in Markdown and HTML, with its
//! exact value in `data-value`), text from a model or a file (escaped), text costsim
//! wrote (with a value's unit, whose emphasis characters are escaped), code, a link
//! within the page, or a source whose web addresses become links.

use std::fmt::Write as _;

use super::escape::{code_cell, html, markdown, markdown_shown};
use super::human::pad;

/// One cell.
#[derive(Clone, Debug)]
pub(super) enum Cell {
    /// Text from a model, a file or a state (a name, a note): escaped in Markdown.
    Text(String),
    /// Text costsim wrote (a range, an interval), perhaps with a value's unit
    /// (`$2.1/(GPU*hour)`): escaped in HTML, and in Markdown as `escape::markdown_shown`.
    Shown(String),
    /// A number as shown, in its unit (escaped as [`Cell::Shown`]), and its exact value.
    Number(String, f64),
    /// Code, such as an expression.
    Code(String),
    /// Text linking to an element of the page: (text, id).
    Anchor(String, String),
    /// A source: its web addresses are links in HTML.
    Source(String),
}

impl Cell {
    /// A number cell showing `x` as `show` writes it.
    pub(super) fn number(x: f64, show: impl Fn(f64) -> String) -> Cell {
        Cell::Number(show(x), x)
    }

    /// What the cell shows, as plain text.
    fn text(&self) -> &str {
        match self {
            Cell::Text(t)
            | Cell::Shown(t)
            | Cell::Number(t, _)
            | Cell::Code(t)
            | Cell::Anchor(t, _)
            | Cell::Source(t) => t,
        }
    }

    fn html(&self) -> String {
        match self {
            Cell::Text(t) | Cell::Shown(t) => format!("<td>{}</td>", html(t)),
            Cell::Number(t, x) => format!("<td class=\"n\" data-value=\"{x}\">{}</td>", html(t)),
            Cell::Code(t) => format!("<td><code>{}</code></td>", html(t)),
            Cell::Anchor(t, id) => format!("<td><a href=\"#{}\">{}</a></td>", html(id), html(t)),
            Cell::Source(t) => format!("<td>{}</td>", linkify(t)),
        }
    }

    fn markdown(&self) -> String {
        match self {
            Cell::Code(t) => code_cell(t),
            Cell::Shown(t) | Cell::Number(t, _) => markdown_shown(t),
            Cell::Text(t) | Cell::Anchor(t, _) | Cell::Source(t) => markdown(t),
        }
    }
}

/// A table with a header row; a column holding numbers is right-aligned. A row may be
/// shorter than the header: the cells it lacks are left blank.
#[derive(Clone, Debug)]
pub(super) struct Table {
    /// The table's class in HTML.
    pub(super) class: &'static str,
    /// Column names.
    pub(super) header: Vec<String>,
    /// Rows: the output each is about (its `data-output` in HTML), if any, and its cells.
    pub(super) rows: Vec<(Option<String>, Vec<Cell>)>,
}

impl Table {
    /// An empty table of `class` with these columns.
    pub(super) fn new(class: &'static str, header: &[&str]) -> Table {
        Table { class, header: header.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    /// Adds a row.
    pub(super) fn row(&mut self, output: Option<&str>, cells: Vec<Cell>) {
        self.rows.push((output.map(str::to_string), cells));
    }

    fn numeric(&self, column: usize) -> bool {
        self.rows.iter().any(|(_, cells)| matches!(cells.get(column), Some(Cell::Number(..))))
    }

    /// The table as HTML.
    pub(super) fn html(&self) -> String {
        let mut out = format!("<table class=\"{}\">\n<thead><tr>", self.class);
        for (i, h) in self.header.iter().enumerate() {
            let class = if self.numeric(i) { " class=\"n\"" } else { "" };
            let _ = write!(out, "<th{class}>{}</th>", html(h));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (output, cells) in &self.rows {
            let data = output.as_ref().map_or(String::new(), |o| format!(" data-output=\"{}\"", html(o)));
            let _ = writeln!(out, "<tr{data}>{}</tr>", cells.iter().map(Cell::html).collect::<String>());
        }
        out.push_str("</tbody>\n</table>\n");
        out
    }

    /// The table as Markdown.
    pub(super) fn markdown(&self) -> String {
        let header: Vec<String> = self.header.iter().map(|h| markdown(h)).collect();
        let align: Vec<&str> = (0..self.header.len()).map(|i| if self.numeric(i) { "---:" } else { "---" }).collect();
        let mut out = format!("| {} |\n|{}|\n", header.join(" | "), align.join("|"));
        for (_, cells) in &self.rows {
            let blanks = " |".repeat(self.header.len().saturating_sub(cells.len()));
            let _ = writeln!(out, "| {} |{blanks}", cells.iter().map(Cell::markdown).collect::<Vec<_>>().join(" | "));
        }
        out
    }

    /// The table as aligned text for a terminal: left-aligned columns two spaces apart,
    /// each line after `indent`, without trailing spaces.
    pub(super) fn text(&self, indent: &str) -> String {
        let rows: Vec<Vec<&str>> = std::iter::once(self.header.iter().map(String::as_str).collect())
            .chain(self.rows.iter().map(|(_, cells)| cells.iter().map(Cell::text).collect()))
            .collect();
        let n_columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..n_columns)
            .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|cell| cell.chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for row in rows {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| pad(cell, w)).collect();
            let _ = writeln!(out, "{indent}{}", cells.join("  ").trim_end());
        }
        out
    }
}

/// `text` escaped for HTML, with each http(s) address in it a link (trailing punctuation
/// stays outside the link).
pub(super) fn linkify(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = ["https://", "http://"].iter().filter_map(|p| rest.find(p)).min() {
        out.push_str(&html(&rest[..at]));
        let tail = &rest[at..];
        let end = tail.find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>')).unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', ')', ']', '\'']);
        let _ = write!(out, "<a href=\"{u}\">{u}</a>", u = html(url));
        rest = &tail[url.len()..];
    }
    out.push_str(&html(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_link_their_addresses_and_nothing_else() {
        assert_eq!(
            linkify("SemiAnalysis (https://semianalysis.com/a?b=1&c=2). See also http://x.test/p, page 3"),
            "SemiAnalysis (<a href=\"https://semianalysis.com/a?b=1&amp;c=2\">https://semianalysis.com/a?b=1&amp;c=2</a>). \
             See also <a href=\"http://x.test/p\">http://x.test/p</a>, page 3"
        );
        assert_eq!(linkify("a <b> & \"c\""), "a &lt;b&gt; &amp; &quot;c&quot;");
        assert_eq!(linkify("javascript:alert(1)"), "javascript:alert(1)");
    }

    #[test]
    fn number_columns_are_right_aligned_in_both_renderings() {
        let mut t = Table::new("stats", &["statistic", "value"]);
        t.row(Some("capex"), vec![Cell::Text("mean".into()), Cell::number(1.5e9, |x| format!("{x:e}"))]);
        assert!(t.html().contains("<th class=\"n\">value</th>"));
        assert!(t.html().contains(
            "<tr data-output=\"capex\"><td>mean</td><td class=\"n\" data-value=\"1500000000\">1.5e9</td></tr>"
        ));
        assert_eq!(t.markdown(), "| statistic | value |\n|---|---:|\n| mean | 1.5e9 |\n");
    }

    #[test]
    fn text_aligns_columns_and_markdown_blanks_what_a_short_row_lacks() {
        let mut t = Table::new("runs", &["output", "mean", "p5"]);
        t.row(
            None,
            vec![Cell::Text("a|b".into()), Cell::number(-2.0, |x| format!("-${}", -x)), Cell::Shown("[1, 2]".into())],
        );
        t.row(None, vec![Cell::Text("longer name".into()), Cell::Text(String::new())]);
        t.row(None, vec![Cell::Text("p".into())]);
        assert_eq!(t.text("  "), "  output       mean  p5\n  a|b          -$2   [1, 2]\n  longer name\n  p\n");
        assert_eq!(
            t.markdown(),
            "| output | mean | p5 |\n|---|---:|---|\n| a\\|b | -$2 | [1, 2] |\n| longer name |  | |\n| p | | |\n"
        );
    }
}
