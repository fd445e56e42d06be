//! Source files and byte spans: the texts a model's diagnostics point into, and how a
//! span becomes `file:line:column`.

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

/// The bytes of the file at `path` if it holds at most `limit` of them (`None` if more),
/// reading no more than one byte past the limit: a file costsim reads is bounded before
/// it is in memory.
///
/// # Errors
/// If the file cannot be opened or read.
pub(crate) fn read_at_most(path: &std::path::Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// `bytes` in lowercase hexadecimal: how SHA-256s of files and states are written.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The texts spans point into: the model file, then one small virtual file per `--set`
/// option. Each file owns a range of one global offset space, so a [`Span`] alone says
/// which file it is in.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// Shared between the variants of a model (a scenario's, an override's), which only
    /// ever add files.
    files: Vec<(usize, std::sync::Arc<SourceFile>)>,
}

impl SourceMap {
    /// A map holding the model file only.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceMap {
        let mut map = SourceMap::default();
        map.add(path, text);
        map
    }

    /// Adds a file; returns the global offset of its first byte.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> usize {
        let base = self.files.last().map_or(0, |(base, f)| base + f.text.len() + 1);
        self.files.push((base, std::sync::Arc::new(SourceFile { path: path.into(), text: text.into() })));
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

    /// Where `span` starts: its file's path, the 1-based line and column, and that
    /// line's text.
    pub fn place(&self, span: Span) -> (&str, usize, usize, &str) {
        let (base, file) = self.locate(span.start);
        let (line, col) = file.line_col(span.start - base);
        (&file.path, line, col, file.line_text(line))
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

/// The candidate closest to `name` by edit distance, if it is close enough to be a
/// plausible typo: at most a third of the name's length in edits (at least 1), where
/// swapping two adjacent characters counts as one edit.
pub(crate) fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let close = candidates
        .iter()
        .map(|&c| (strsim::osa_distance(name, c), c))
        .filter(|&(dist, _)| dist <= limit)
        .min_by_key(|&(dist, c)| (dist, c.len()))
        .map(|(_, c)| c);
    // Else a long shared beginning: `triangle` → `triangular`, `lognorm` → `lognormal`.
    let shared = |c: &str| name.chars().zip(c.chars()).take_while(|(a, b)| a == b).count();
    close.or_else(|| {
        candidates
            .iter()
            .map(|&c| (shared(c), c))
            .filter(|&(n, _)| n >= 5 && 5 * n >= 3 * name.chars().count())
            .max_by_key(|&(n, c)| (n, std::cmp::Reverse(c.len())))
            .map(|(_, c)| c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile { path: "m.toml".into(), text: text.into() }
    }

    #[test]
    fn line_col_counts_from_one() {
        let f = file("ab\ncd ef\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(6), (2, 4));
    }

    #[test]
    fn spans_in_later_files_are_placed_in_them() {
        let mut map = SourceMap::new("m.toml", "[vars]\n");
        let base = map.add("--set", "x=1 +");
        assert_eq!(map.place(Span::new(base + 5, base + 5)), ("--set", 1, 6, "x=1 +"));
        assert_eq!(map.text(Span::new(base, base + 3)), "x=1");
    }

    #[test]
    fn did_you_mean_finds_near_misses_only() {
        let names = ["p_h800", "p_h100", "capex"];
        assert_eq!(did_you_mean("p_h80", names), Some("p_h800"));
        assert_eq!(did_you_mean("capx", names), Some("capex"));
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(did_you_mean("naem", ["name", "seed"]), Some("name"));
        let callables = ["triangular", "truncate", "normal", "lognormal", "pert"];
        assert_eq!(did_you_mean("triangle", callables), Some("triangular"));
        assert_eq!(did_you_mean("lognorm", callables), Some("lognormal"));
        assert_eq!(did_you_mean("trunk", callables), None, "a short shared start is not enough");
    }
}
