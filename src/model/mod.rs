//! Model files: TOML text to a [`Model`] of named, parsed expressions with spans.
//!
//! The loader walks toml's spanned document tree itself (rather than deriving
//! `Deserialize`) so that every problem — an unknown key, a wrong type, a syntax error in
//! an expression — is reported with its place in the file, all in one pass.

mod scenario;

use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, Result};
use crate::expr::{self, Expr};
use crate::source::{Diagnostic, SourceMap, Span, did_you_mean};

/// A name as written in the file, with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A loaded model: metadata, vars, correlations and scenarios, in file order.
#[derive(Clone, Debug)]
pub struct Model {
    /// The model file (and any `--set` texts) for rendering diagnostics.
    pub sources: SourceMap,
    /// Hex SHA-256 of the model file's bytes.
    pub sha256: String,
    /// The `[model]` table.
    pub meta: Meta,
    /// The `[vars]` table, in file order.
    pub vars: Vec<VarDef>,
    /// The `[[correlations]]` entries.
    pub correlations: Vec<CorrelationDef>,
    /// The `[scenarios.NAME]` tables, in file order.
    pub scenarios: Vec<ScenarioDef>,
}

/// The `[model]` table.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// `name`, required.
    pub name: String,
    /// `description`, Markdown.
    pub description: String,
    /// Default trial count.
    pub trials: Option<u64>,
    /// Default seed.
    pub seed: Option<u64>,
    /// Default sampling method.
    pub sampling: Option<Named>,
    /// What is reported; `None` means every var that no other var uses.
    pub outputs: Option<Vec<Named>>,
}

/// One var: its name, expression and descriptive metadata.
#[derive(Clone, Debug)]
pub struct VarDef {
    /// The var's name and where it is declared.
    pub name: Named,
    /// The parsed expression; spans are global offsets into [`Model::sources`].
    pub expr: Expr,
    /// The expression as written.
    pub text: String,
    /// Unit, e.g. "USD".
    pub unit: Option<String>,
    /// Where the figure comes from.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
}

/// One `[[correlations]]` entry.
#[derive(Clone, Debug)]
pub struct CorrelationDef {
    /// The correlated vars.
    pub vars: Vec<Named>,
    /// A single rank coefficient (two vars) or a full matrix.
    pub coefficients: Coefficients,
    /// The entry's place in the file.
    pub span: Span,
}

/// Requested Spearman rank correlation.
#[derive(Clone, Debug, PartialEq)]
pub enum Coefficients {
    /// `rank = ρ` between two vars.
    Rank(f64),
    /// `matrix = [[...]]` between n vars.
    Matrix(Vec<Vec<f64>>),
}

/// One `[scenarios.NAME]` table.
#[derive(Clone, Debug)]
pub struct ScenarioDef {
    /// The scenario's name.
    pub name: Named,
    /// What the scenario means.
    pub description: Option<String>,
    /// Vars it replaces.
    pub overrides: Vec<VarDef>,
}

impl Model {
    /// Reads and loads a model file.
    ///
    /// # Errors
    /// [`Error::Usage`] if the file cannot be read; [`Error::Model`] with every problem
    /// found if the file is not a valid model.
    pub fn load(path: &Path) -> Result<Model> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read model file `{}`: {e}", path.display())))?;
        Model::parse(&path.display().to_string(), text)
    }

    /// Loads a model from its text; `path` is only used in messages.
    ///
    /// # Errors
    /// [`Error::Model`] with every problem found.
    pub fn parse(path: &str, text: String) -> Result<Model> {
        let sha256 = hex(&Sha256::digest(text.as_bytes()));
        let mut sources = SourceMap::default();
        sources.add(path, text);
        let text = sources.main().text.clone();
        let mut loader = Loader { text: &text, diagnostics: Vec::new() };
        let model = loader.document(sources.clone(), sha256);
        loader.diagnostics.extend(model.check_scenarios());
        if loader.diagnostics.is_empty() {
            return Ok(model);
        }
        loader.diagnostics.sort_by_key(|d| d.span.map(|s| s.start));
        Err(Error::Model { sources: Box::new(sources), diagnostics: loader.diagnostics })
    }

    /// The var named `name`.
    pub fn var(&self, name: &str) -> Option<&VarDef> {
        self.vars.iter().find(|v| v.name.name == name)
    }

    /// The error for `diagnostics` found in this model.
    pub fn error(&self, diagnostics: Vec<Diagnostic>) -> Error {
        Error::Model { sources: Box::new(self.sources.clone()), diagnostics }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

type Value<'i> = Spanned<DeValue<'i>>;

fn span_of<T>(v: &Spanned<T>) -> Span {
    let r = v.span();
    Span::new(r.start, r.end)
}

/// Walks the document tree, collecting diagnostics instead of stopping at the first.
struct Loader<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Loader<'_> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn document(&mut self, sources: SourceMap, sha256: String) -> Model {
        let mut model = Model {
            sources,
            sha256,
            meta: Meta::default(),
            vars: Vec::new(),
            correlations: Vec::new(),
            scenarios: Vec::new(),
        };
        let root = match DeTable::parse(self.text) {
            Ok(root) => root.into_inner(),
            Err(e) => {
                let span = e.span().map_or(Span::default(), |r| Span::new(r.start, r.end));
                self.error(Diagnostic::new(format!("invalid TOML: {}", e.message().trim_end()), span));
                return model;
            }
        };
        let mut has_model = false;
        for (key, value) in sorted(&root) {
            match key.get_ref().as_ref() {
                "model" => {
                    has_model = true;
                    if let Some(table) = self.table(value, "[model]") {
                        model.meta = self.meta(table, span_of(key));
                    }
                }
                "vars" => {
                    if let Some(table) = self.table(value, "[vars]") {
                        model.vars = self.vars(table);
                    }
                }
                "correlations" => model.correlations = self.correlations(value),
                "scenarios" => {
                    if let Some(table) = self.table(value, "[scenarios]") {
                        model.scenarios = self.scenarios(table);
                    }
                }
                other => self.unknown_key(
                    other,
                    span_of(key),
                    "top-level tables",
                    &["model", "vars", "correlations", "scenarios"],
                ),
            }
        }
        if !has_model {
            self.error(
                Diagnostic::new("missing [model] table", Span::new(0, 0))
                    .with_help("add `[model]` with at least `name = \"...\"`"),
            );
        }
        if model.vars.is_empty() && self.diagnostics.is_empty() {
            self.error(
                Diagnostic::new("the model has no vars", Span::new(0, 0))
                    .with_help("add a `[vars]` table, e.g. `price = \"25k to 40k\"`"),
            );
        }
        model
    }

    fn unknown_key(&mut self, key: &str, span: Span, what: &str, known: &[&str]) {
        let help = match did_you_mean(key, known.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("{what} are: {}", known.join(", ")),
        };
        self.error(Diagnostic::new(format!("unknown key `{key}`"), span).with_help(help));
    }

    fn table<'a, 'i>(&mut self, value: &'a Value<'i>, what: &str) -> Option<&'a DeTable<'i>> {
        if let DeValue::Table(t) = value.get_ref() {
            return Some(t);
        }
        self.error(Diagnostic::new(format!("{what} must be a table"), span_of(value)));
        None
    }

    fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        if let DeValue::String(s) = value.get_ref() {
            return Some(s.to_string());
        }
        self.error(Diagnostic::new(format!("`{key}` must be a string"), span_of(value)));
        None
    }

    fn integer(&mut self, value: &Value<'_>, key: &str) -> Option<u64> {
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => u64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(Diagnostic::new(format!("`{key}` must be a whole number ≥ 0"), span_of(value)));
        }
        parsed
    }

    fn number(&mut self, value: &Value<'_>, what: &str) -> Option<f64> {
        let parsed = match value.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => self.text[value.span()].replace('_', "").parse().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(Diagnostic::new(format!("{what} must be a number"), span_of(value)));
        }
        parsed
    }

    fn names(&mut self, value: &Value<'_>, key: &str) -> Option<Vec<Named>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.error(Diagnostic::new(format!("`{key}` must be a list of var names"), span_of(value)));
            return None;
        };
        let names = items
            .iter()
            .filter_map(|item| self.string(item, key).map(|name| Named { name, span: span_of(item) }))
            .collect();
        Some(names)
    }

    fn meta(&mut self, table: &DeTable<'_>, header: Span) -> Meta {
        let mut meta = Meta::default();
        let mut has_name = false;
        for (key, value) in sorted(table) {
            match key.get_ref().as_ref() {
                "name" => {
                    has_name = true;
                    meta.name = self.string(value, "name").unwrap_or_default();
                }
                "description" => meta.description = self.string(value, "description").unwrap_or_default(),
                "trials" => meta.trials = self.integer(value, "trials"),
                "seed" => meta.seed = self.integer(value, "seed"),
                "sampling" => {
                    meta.sampling = self.string(value, "sampling").map(|name| Named { name, span: span_of(value) })
                }
                "outputs" => meta.outputs = self.names(value, "outputs"),
                other => self.unknown_key(
                    other,
                    span_of(key),
                    "[model] keys",
                    &["name", "description", "trials", "seed", "outputs", "sampling"],
                ),
            }
        }
        if !has_name {
            self.error(
                Diagnostic::new("[model] has no `name`", header)
                    .with_help("add `name = \"...\"`: it titles every report"),
            );
        }
        meta
    }

    fn vars(&mut self, table: &DeTable<'_>) -> Vec<VarDef> {
        sorted(table).into_iter().filter_map(|(key, value)| self.var(key, value)).collect()
    }

    /// A var: an expression string or number, or a table with `value` and metadata.
    fn var(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Value<'_>) -> Option<VarDef> {
        let name = Named { name: key.get_ref().to_string(), span: span_of(key) };
        if !is_identifier(&name.name) {
            self.error(
                Diagnostic::new(format!("`{}` is not a valid var name", name.name), name.span)
                    .with_help("names start with a letter or `_` and contain only letters, digits and `_`"),
            );
            return None;
        }
        let DeValue::Table(table) = value.get_ref() else {
            let (expr, text) = self.expression(value, &name.name)?;
            return Some(VarDef { name, expr, text, unit: None, source: None, note: None });
        };
        let mut def = None;
        let (mut unit, mut source, mut note) = (None, None, None);
        for (k, v) in sorted(table) {
            match k.get_ref().as_ref() {
                "value" => def = self.expression(v, &name.name),
                "unit" => unit = self.string(v, "unit"),
                "source" => source = self.string(v, "source"),
                "note" => note = self.string(v, "note"),
                other => self.unknown_key(other, span_of(k), "var keys", &["value", "unit", "source", "note"]),
            }
        }
        if def.is_none() && !table.contains_key("value") {
            self.error(
                Diagnostic::new(format!("var `{}` has no `value`", name.name), span_of(value))
                    .with_help("add `value = \"...\"` with the var's expression"),
            );
        }
        let (expr, text) = def?;
        Some(VarDef { name, expr, text, unit, source, note })
    }

    /// Parses a string (or plain number) value as an expression with file-global spans.
    fn expression(&mut self, value: &Value<'_>, var: &str) -> Option<(Expr, String)> {
        let whole = span_of(value);
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(_) | DeValue::Float(_) => self.text[value.span()].to_string(),
            _ => {
                self.error(
                    Diagnostic::new(format!("var `{var}` must be an expression string or a number"), whole)
                        .with_help("write e.g. `x = \"10k to 20k\"` or `x = { value = \"...\", unit = \"USD\" }`"),
                );
                return None;
            }
        };
        let offset = expression_offset(&self.text[value.span()], &text).map(|o| whole.start + o);
        let place = |span: Span| offset.map_or(whole, |o| span.shift(o));
        match expr::parse(&text) {
            Ok(expr) => Some((expr.map_spans(&place), text)),
            Err(mut d) => {
                d.span = d.span.map(place);
                d.message = format!("{} in var `{var}`", d.message);
                self.error(d);
                None
            }
        }
    }

    fn correlations(&mut self, value: &Value<'_>) -> Vec<CorrelationDef> {
        let DeValue::Array(items) = value.get_ref() else {
            self.error(Diagnostic::new("correlations must be written as [[correlations]] tables", span_of(value)));
            return Vec::new();
        };
        items.iter().filter_map(|item| self.correlation(item)).collect()
    }

    fn correlation(&mut self, item: &Value<'_>) -> Option<CorrelationDef> {
        let table = self.table(item, "a [[correlations]] entry")?;
        let span = span_of(item);
        let (mut vars, mut coefficients) = (None, None);
        for (k, v) in sorted(table) {
            match k.get_ref().as_ref() {
                "vars" => vars = self.names(v, "vars"),
                "rank" => coefficients = self.number(v, "`rank`").map(Coefficients::Rank),
                "matrix" => coefficients = self.matrix(v).map(Coefficients::Matrix),
                other => self.unknown_key(other, span_of(k), "correlation keys", &["vars", "rank", "matrix"]),
            }
        }
        let (Some(vars), Some(coefficients)) = (vars, coefficients) else {
            self.error(
                Diagnostic::new("a correlation needs `vars` and either `rank` or `matrix`", span)
                    .with_help("e.g. `vars = [\"p_h800\", \"p_h100\"]` and `rank = 0.8`"),
            );
            return None;
        };
        Some(CorrelationDef { vars, coefficients, span })
    }

    fn matrix(&mut self, value: &Value<'_>) -> Option<Vec<Vec<f64>>> {
        let DeValue::Array(rows) = value.get_ref() else {
            self.error(Diagnostic::new("`matrix` must be a list of rows", span_of(value)));
            return None;
        };
        let mut matrix = Vec::new();
        for row in rows.iter() {
            let DeValue::Array(cells) = row.get_ref() else {
                self.error(Diagnostic::new("each `matrix` row must be a list of numbers", span_of(row)));
                return None;
            };
            let cells: Option<Vec<f64>> = cells.iter().map(|c| self.number(c, "a matrix entry")).collect();
            matrix.push(cells?);
        }
        Some(matrix)
    }

    fn scenarios(&mut self, table: &DeTable<'_>) -> Vec<ScenarioDef> {
        let mut scenarios = Vec::new();
        for (key, value) in sorted(table) {
            let name = Named { name: key.get_ref().to_string(), span: span_of(key) };
            let Some(body) = self.table(value, &format!("[scenarios.{}]", name.name)) else { continue };
            let mut scenario = ScenarioDef { name, description: None, overrides: Vec::new() };
            for (k, v) in sorted(body) {
                if k.get_ref() == "description" {
                    scenario.description = self.string(v, "description");
                } else if let Some(var) = self.var(k, v) {
                    scenario.overrides.push(var);
                }
            }
            scenarios.push(scenario);
        }
        scenarios
    }
}

/// A table's entries in file order (toml's map is sorted by key).
fn sorted<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a Spanned<std::borrow::Cow<'i, str>>, &'a Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// True for names the expression language can refer to.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Offset of a string value's content within its raw TOML text, when the content appears
/// there verbatim (no escapes). `None` means spans cannot be mapped exactly.
fn expression_offset(raw: &str, content: &str) -> Option<usize> {
    let open = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        let after = &raw[3..];
        3 + if after.starts_with("\r\n") { 2 } else { usize::from(after.starts_with('\n')) }
    } else if raw.starts_with('"') || raw.starts_with('\'') {
        1
    } else {
        0
    };
    raw.get(open..open + content.len()).filter(|s| *s == content).map(|_| open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Model> {
        Model::parse("m.toml", text.to_string())
    }

    fn messages(text: &str) -> Vec<String> {
        match load(text) {
            Err(Error::Model { diagnostics, .. }) => diagnostics.into_iter().map(|d| d.message).collect(),
            other => panic!("expected a model error, got {other:?}"),
        }
    }

    #[test]
    fn loads_vars_in_file_order_with_metadata_and_spans() {
        let text = "[model]\nname = \"t\"\n[vars]\nz = \"1 + 2\"\na = { value = 'x * 3', unit = \"USD\", source = \"s\" }\nn = 4\n";
        let model = load(text).unwrap();
        let names: Vec<_> = model.vars.iter().map(|v| v.name.name.as_str()).collect();
        assert_eq!(names, ["z", "a", "n"]);
        let a = &model.vars[1];
        assert_eq!(a.unit.as_deref(), Some("USD"));
        assert_eq!(&text[a.expr.span.start..a.expr.span.end], "x * 3");
        assert_eq!(model.vars[2].text, "4");
        assert_eq!(model.sha256.len(), 64);
    }

    #[test]
    fn reports_every_structural_problem_in_one_pass() {
        let text = "[modle]\n[vars]\nx = { valu = \"1\" }\ny = \"1 +\"\n";
        assert_eq!(
            messages(text),
            [
                "missing [model] table",
                "unknown key `modle`",
                "var `x` has no `value`",
                "unknown key `valu`",
                "expected a number, a name, `(` or `[`, found the end of the expression in var `y`",
            ]
        );
    }

    #[test]
    fn syntax_error_points_into_the_file() {
        let Err(Error::Model { diagnostics, sources }) = load("[model]\nname = \"t\"\n[vars]\ny = \"2 * (3\"\n") else {
            panic!("expected an error")
        };
        let rendered = diagnostics[0].render(&sources);
        assert!(rendered.contains("--> m.toml:4:12"), "{rendered}");
    }

    #[test]
    fn correlations_and_scenarios() {
        let text = "[model]\nname = \"t\"\n[vars]\na = \"1 to 2\"\nb = \"1 to 3\"\n[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.5\n[scenarios.low]\ndescription = \"d\"\na = \"1\"\n";
        let model = load(text).unwrap();
        assert_eq!(model.correlations[0].coefficients, Coefficients::Rank(0.5));
        assert_eq!(model.scenarios[0].name.name, "low");
        assert_eq!(model.scenarios[0].overrides[0].text, "1");
    }

    #[test]
    fn expression_offset_handles_quote_styles_and_escapes() {
        assert_eq!(expression_offset("\"a + b\"", "a + b"), Some(1));
        assert_eq!(expression_offset("'a'", "a"), Some(1));
        assert_eq!(expression_offset("\"\"\"\na\"\"\"", "a"), Some(4));
        assert_eq!(expression_offset("\"a\\u0020b\"", "a b"), None);
        assert_eq!(expression_offset("1_000", "1_000"), Some(0));
    }
}
