//! Source files, byte spans and diagnostics.
//!
//! A [`Diagnostic`] is what the user sees when a model is wrong: a message, the place in
//! the file (`file:line:column` plus the source line with a caret underline) and a hint
//! on how to fix it. Every model error in costsim is rendered here, in one place.

use std::fmt;

/// A byte range `start..end` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// This span moved right by `offset` bytes.
    pub fn shift(self, offset: usize) -> Span {
        Span::new(self.start + offset, self.end + offset)
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// The texts spans point into: the model file, then one small virtual file per `--set`
/// option. Each file owns a range of one global offset space, so a [`Span`] alone says
/// which file it is in.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<(usize, SourceFile)>,
}

impl SourceMap {
    /// Adds a file; returns the global offset of its first byte.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> usize {
        let base = self.files.last().map_or(0, |(base, f)| base + f.text.len() + 1);
        self.files.push((base, SourceFile { path: path.into(), text: text.into() }));
        base
    }

    /// The first file added (the model file).
    pub fn main(&self) -> &SourceFile {
        &self.files[0].1
    }

    /// The file containing global offset `offset`, with that file's base offset.
    fn locate(&self, offset: usize) -> (usize, &SourceFile) {
        let idx = self.files.partition_point(|(base, _)| *base <= offset).saturating_sub(1);
        let (base, file) = &self.files[idx];
        (*base, file)
    }

    /// The text under `span`.
    pub fn text(&self, span: Span) -> &str {
        let (base, file) = self.locate(span.start);
        &file.text[span.start - base..span.end - base]
    }
}

/// A file's name and text, for turning offsets into `line:column` and snippets.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it.
    pub path: String,
    /// The full text.
    pub text: String,
}

impl SourceFile {
    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// The text of 1-based line `line`, without its newline.
    fn line_text(&self, line: usize) -> &str {
        self.text.lines().nth(line - 1).unwrap_or("")
    }
}

/// One problem found in a model, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// What is wrong, e.g. "unknown name `p_h80` in var `capex`".
    pub message: String,
    /// Where, if known.
    pub span: Option<Span>,
    /// How to fix it, e.g. "did you mean `p_h800`?".
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span`.
    pub fn new(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic { message: message.into(), span: Some(span), help: None }
    }

    /// A diagnostic that has no place in the file (e.g. about a `--set` option).
    pub fn unplaced(message: impl Into<String>) -> Diagnostic {
        Diagnostic { message: message.into(), span: None, help: None }
    }

    /// The same diagnostic with a hint on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic against `file` in the style of rustc and just:
    ///
    /// ```text
    /// error: unknown name `p_h80` in var `capex`
    ///   --> model.toml:12:10
    ///    |
    /// 12 | capex = "p_h80 * 2"
    ///    |          ^^^^^
    ///    = help: did you mean `p_h800`?
    /// ```
    pub fn render(&self, sources: &SourceMap) -> String {
        RenderedDiagnostic { diagnostic: self, sources }.to_string()
    }
}

struct RenderedDiagnostic<'a> {
    diagnostic: &'a Diagnostic,
    sources: &'a SourceMap,
}

impl fmt::Display for RenderedDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        writeln!(f, "error: {}", d.message)?;
        match d.span {
            Some(span) => {
                let (base, file) = self.sources.locate(span.start);
                let (line, col) = file.line_col(span.start - base);
                let gutter = " ".repeat(line.to_string().len());
                writeln!(f, "{gutter}--> {}:{line}:{col}", file.path)?;
                writeln!(f, "{gutter} |")?;
                let text = file.line_text(line);
                writeln!(f, "{line} | {text}")?;
                let width = underline_width(text, col, span);
                writeln!(f, "{gutter} | {}{}", " ".repeat(col - 1), "^".repeat(width))?;
                if let Some(help) = &d.help {
                    writeln!(f, "{gutter} = help: {help}")?;
                }
            }
            None => {
                writeln!(f, "  --> {}", self.sources.main().path)?;
                if let Some(help) = &d.help {
                    writeln!(f, "  = help: {help}")?;
                }
            }
        }
        Ok(())
    }
}

/// Characters to underline: the span's length, cut at the end of the line, at least one.
fn underline_width(line_text: &str, col: usize, span: Span) -> usize {
    let left_on_line = line_text.chars().count().saturating_sub(col - 1);
    (span.end - span.start).min(left_on_line).max(1)
}

/// Renders every diagnostic, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let parts: Vec<String> = diagnostics.iter().map(|d| d.render(sources)).collect();
    parts.join("\n")
}

/// The candidate closest to `name` by edit distance, if it is close enough to be a
/// plausible typo: at most a third of the name's length in edits (at least 1), where
/// swapping two adjacent characters counts as one edit.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(name, c), c))
        .filter(|&(dist, _)| dist <= limit)
        .min_by_key(|&(dist, c)| (dist, c.len()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile { path: "m.toml".into(), text: text.into() }
    }

    fn sources(text: &str) -> SourceMap {
        let mut sources = SourceMap::default();
        sources.add("m.toml", text);
        sources
    }

    #[test]
    fn line_col_counts_from_one() {
        let f = file("ab\ncd ef\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(6), (2, 4));
    }

    #[test]
    fn render_points_at_the_span() {
        let f = sources("[vars]\nx = \"y + 1\"\n");
        let d = Diagnostic::new("unknown name `y` in var `x`", Span::new(12, 13)).with_help("did you mean `x`?");
        let want = "error: unknown name `y` in var `x`\n --> m.toml:2:6\n  |\n2 | x = \"y + 1\"\n  |      ^\n  = help: did you mean `x`?\n";
        assert_eq!(d.render(&f), want);
    }

    #[test]
    fn spans_in_later_files_render_against_them() {
        let mut map = sources("[vars]\n");
        let base = map.add("--set", "x=1 +");
        let d = Diagnostic::new("bad", Span::new(base + 5, base + 5));
        assert!(d.render(&map).contains(" --> --set:1:6\n"));
        assert_eq!(map.text(Span::new(base, base + 3)), "x=1");
    }

    #[test]
    fn did_you_mean_finds_near_misses_only() {
        let names = ["p_h800", "p_h100", "capex"];
        assert_eq!(did_you_mean("p_h80", names), Some("p_h800"));
        assert_eq!(did_you_mean("capx", names), Some("capex"));
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(did_you_mean("naem", ["name", "seed"]), Some("name"));
    }
}
