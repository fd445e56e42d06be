//! Reading a model file: walks toml's spanned document tree itself (rather than deriving
//! `Deserialize`) so that every problem — an unknown key, a wrong type, a syntax error in
//! an expression — is found with its place in the file, all in one pass.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::data::{self, DataFit, DataSpec};
use super::definition::{
    CorrelationDef, MAX_MODEL_BYTES, MAX_PERIODS, Meta, Model, Named, Periods, ScenarioDef, VarDef,
};
use crate::correlation::Coefficients;
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::{Bounds, DistKind, FITS};
use crate::error::{Error, Result};
use crate::expr::{self, BadCount, Expr, ExprKind};
use crate::source::{SourceMap, Span, did_you_mean, hex};
use crate::stats::Percentiles;

impl Model {
    /// Reads and loads a model file of at most [`MAX_MODEL_BYTES`].
    ///
    /// # Errors
    /// [`Error::Unreadable`] if the file cannot be read; [`Error::Model`] with every problem
    /// found if the file is not a valid model.
    pub fn load(path: &Path) -> Result<Model> {
        Model::load_expecting(path, None)
    }

    /// Reads and loads the model file at `path` if its SHA-256 is `sha256` (hex), the one
    /// a sharded run's partial states name: another file is refused before any of it is
    /// parsed or shown, so that a forged state cannot make costsim print a line of some
    /// other file.
    ///
    /// # Errors
    /// As [`Model::load`], and [`Error::NotTheModel`] if the file's SHA-256 differs.
    pub fn load_verified(path: &Path, sha256: &str) -> Result<Model> {
        Model::load_expecting(path, Some(sha256))
    }

    fn load_expecting(path: &Path, sha256: Option<&str>) -> Result<Model> {
        let shown = path.display();
        let cannot = |e: &dyn std::fmt::Display| Error::Unreadable {
            what: "model file ",
            path: shown.to_string(),
            reason: e.to_string(),
        };
        let Some(bytes) = crate::source::read_at_most(path, MAX_MODEL_BYTES).map_err(|e| cannot(&e))? else {
            return Err(cannot(&format_args!(
                "it is larger than {} MB; a model file holds formulas, not data",
                MAX_MODEL_BYTES >> 20
            )));
        };
        if let Some(expected) = sha256 {
            let actual = hex(&Sha256::digest(&bytes));
            if actual != expected {
                let (path, expected) = (shown.to_string(), expected.to_string());
                return Err(Error::NotTheModel { what: "model file", path, actual, expected });
            }
        }
        let text = String::from_utf8(bytes).map_err(|e| cannot(&format_args!("it is not UTF-8 text ({e})")))?;
        Model::parse(&path.display().to_string(), text)
    }

    /// Loads a model from its text; `path` is only used in messages. Problems that do
    /// not stop the file from being read are kept in [`Model::problems`], for the
    /// compiler to report with its own.
    ///
    /// # Errors
    /// [`Error::Model`] if the text is not TOML.
    pub fn parse(path: &str, text: String) -> Result<Model> {
        let sha256 = hex(&Sha256::digest(text.as_bytes()));
        let sources = SourceMap::new(path, text);
        let text = sources.main().text.clone();
        let mut model = document(&text, sources, sha256)?;
        let unknown = model.check_scenarios();
        model.problems.extend(unknown);
        Ok(model)
    }
}

/// The model in `text` (the main file of `sources`), with every problem that does not stop
/// it from being read in [`Model::problems`].
///
/// # Errors
/// [`Error::Model`] if the text is not TOML.
pub(super) fn document(text: &str, sources: SourceMap, sha256: String) -> Result<Model> {
    let mut model = Model {
        sources,
        sha256,
        meta: Meta::default(),
        vars: Vec::new(),
        index: HashMap::new(),
        correlations: Vec::new(),
        scenarios: Arc::from([]),
        scenario_index: Arc::default(),
        problems: Vec::new(),
        notes: Vec::new(),
        queries: 0,
    };
    let root = match DeTable::parse(text) {
        Ok(root) => root.into_inner(),
        Err(e) => {
            let span = e.span().map_or(Span::default(), |r| Span::new(r.start, r.end));
            let problem =
                Problem::InvalidToml { message: e.message().trim_end().to_string(), hint: toml_hint(text, span) };
            return Err(Error::Model {
                sources: Box::new(model.sources),
                diagnostics: vec![Diagnostic::new(problem, span)],
            });
        }
    };
    let dir = Path::new(&model.sources.main().path).parent().map_or_else(Default::default, Path::to_path_buf);
    let mut loader = Loader { text, diagnostics: Vec::new(), dir };
    loader.root(&root, &mut model);
    model.index = model.vars.iter().enumerate().map(|(i, v)| (v.name.name.clone(), i)).collect();
    model.scenario_index =
        Arc::new(model.scenarios.iter().enumerate().map(|(i, s)| (s.name.name.clone(), i)).collect());
    loader.diagnostics.sort_by_key(|d| d.span.map(|s| s.start));
    model.problems = loader.diagnostics;
    Ok(model)
}

type Value<'i> = Spanned<DeValue<'i>>;

/// A `matrix`'s numbers and where each is written.
type Matrix = (Vec<Vec<f64>>, Vec<Vec<Span>>);

fn span_of<T>(v: &Spanned<T>) -> Span {
    let r = v.span();
    Span::new(r.start, r.end)
}

/// Walks the document tree, collecting diagnostics instead of stopping at the first.
struct Loader<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
    /// The model file's directory: data files are read relative to it.
    dir: std::path::PathBuf,
}

/// A var's data keys, as written.
#[derive(Default)]
struct DataKeys {
    file: Option<(String, Span)>,
    column: Option<String>,
    fit: Option<(String, Span)>,
    terms: Option<(u64, Span)>,
    lower: Option<f64>,
    upper: Option<f64>,
}

impl Loader<'_> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn root(&mut self, root: &DeTable<'_>, model: &mut Model) {
        let mut has_model = false;
        for (key, value) in sorted(root) {
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
                        model.scenarios = self.scenarios(table).into();
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
            self.error(Diagnostic::new(Problem::MissingModel, Span::new(0, 0)));
        }
        if model.vars.is_empty() && self.diagnostics.is_empty() {
            self.error(Diagnostic::new(Problem::NoVars, Span::new(0, 0)));
        }
    }

    fn unknown_key(&mut self, key: &str, span: Span, what: &str, known: &[&str]) {
        let suggestion = did_you_mean(key, known.iter().copied()).map(str::to_string);
        let known = format!("{what} are: {}", known.join(", "));
        self.error(Diagnostic::new(Problem::UnknownKey { key: key.to_string(), suggestion, known }, span));
    }

    fn table<'a, 'i>(&mut self, value: &'a Value<'i>, what: &str) -> Option<&'a DeTable<'i>> {
        if let DeValue::Table(t) = value.get_ref() {
            return Some(t);
        }
        self.error(Diagnostic::new(Problem::NotATable(what.to_string()), span_of(value)));
        None
    }

    /// A string value; `description` and `note` may span lines, others are one line.
    fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        let DeValue::String(s) = value.get_ref() else {
            self.error(Diagnostic::new(Problem::NotAString(key.to_string()), span_of(value)));
            return None;
        };
        let prose = matches!(key, "description" | "note");
        self.printable(s, key, span_of(value), |c| prose && matches!(c, '\n' | '\t'))?;
        Some(s.to_string())
    }

    /// `text` if it has no control character other than those `allowed`; else a
    /// diagnostic about `what` at `span`.
    fn printable(&mut self, text: &str, what: &str, span: Span, allowed: impl Fn(char) -> bool) -> Option<()> {
        let Some(c) = text.chars().find(|&c| c.is_control() && !allowed(c)) else { return Some(()) };
        self.error(Diagnostic::new(Problem::ControlCharacter { what: what.to_string(), code: c.into() }, span));
        None
    }

    fn integer(&mut self, value: &Value<'_>, key: &str) -> Option<u64> {
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => u64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(Diagnostic::new(Problem::NotAWholeNumber(key.to_string()), span_of(value)));
        }
        parsed
    }

    /// `trials`, in any form `--trials` takes: `1_000_000`, `1e6`, `"200k"`, `"1M"`.
    fn trials(&mut self, value: &Value<'_>) -> Option<u64> {
        let written = &self.text[value.span()];
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            _ => written.to_string(),
        };
        let problem = match super::trial_count(&text) {
            Ok(n) => return Some(n),
            Err(BadCount::OutOfRange) => Problem::TrialsOutOfRange(written.to_string()),
            Err(bad) => Problem::NotATrialCount { written: written.to_string(), ambiguous: bad == BadCount::Ambiguous },
        };
        self.error(Diagnostic::new(problem, span_of(value)));
        None
    }

    fn number(&mut self, value: &Value<'_>, what: &str) -> Option<f64> {
        let parsed = match value.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => self.text[value.span()].replace('_', "").parse().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(Diagnostic::new(Problem::NotANumber(what.to_string()), span_of(value)));
        }
        parsed
    }

    fn names(&mut self, value: &Value<'_>, key: &str) -> Option<Vec<Named>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.error(Diagnostic::new(Problem::NotANameList(key.to_string()), span_of(value)));
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
                "trials" => meta.trials = self.trials(value),
                "seed" => meta.seed = self.integer(value, "seed"),
                "sampling" => {
                    meta.sampling = self.string(value, "sampling").map(|name| Named { name, span: span_of(value) })
                }
                "outputs" => {
                    meta.outputs = self.names(value, "outputs");
                    meta.outputs_span = span_of(value);
                }
                "periods" => meta.periods = self.periods(value),
                "percentiles" => meta.percentiles = self.percentiles(value),
                other => self.unknown_key(
                    other,
                    span_of(key),
                    "[model] keys",
                    &["name", "description", "trials", "seed", "outputs", "sampling", "periods", "percentiles"],
                ),
            }
        }
        if !has_name {
            self.error(Diagnostic::new(Problem::NoName, header));
        }
        meta
    }

    /// `percentiles = [50, 80, 95]`: the percentiles every report gives (in percent).
    fn percentiles(&mut self, value: &Value<'_>) -> Option<Percentiles> {
        let span = span_of(value);
        let DeValue::Array(items) = value.get_ref() else {
            self.error(Diagnostic::new(Problem::NotANumber("percentiles (a list such as [50, 80, 95])".into()), span));
            return None;
        };
        let percents: Vec<f64> = items.iter().filter_map(|item| self.number(item, "a percentile")).collect();
        if percents.len() != items.len() {
            return None;
        }
        match Percentiles::new(percents) {
            Ok(p) => Some(p),
            Err(message) => {
                self.error(Diagnostic::new(Problem::BadPercentiles(message), span));
                None
            }
        }
    }

    /// `periods = N` (labels 1…N) or `periods = ["label", ...]`: at least one, at most
    /// [`MAX_PERIODS`], labels unique, non-empty and free of `[`, `]`, `,` and `"` (they are
    /// written inside `name[label]`, in CSV headers too).
    fn periods(&mut self, value: &Value<'_>) -> Option<Periods> {
        let span = span_of(value);
        let labels: Vec<(String, Span)> = match value.get_ref() {
            DeValue::Integer(_) => {
                let n = self.integer(value, "periods")?;
                if !(1..=MAX_PERIODS).contains(&n) {
                    self.error(Diagnostic::new(Problem::PeriodsCount { got: n, max: MAX_PERIODS }, span));
                    return None;
                }
                (1..=n).map(|k| (k.to_string(), span)).collect()
            }
            DeValue::Array(items) => {
                let labels: Vec<(String, Span)> =
                    items.iter().filter_map(|item| Some((self.string(item, "periods")?, span_of(item)))).collect();
                if labels.len() != items.len() {
                    return None;
                }
                if labels.is_empty() || labels.len() as u64 > MAX_PERIODS {
                    self.error(Diagnostic::new(
                        Problem::PeriodsCount { got: labels.len() as u64, max: MAX_PERIODS },
                        span,
                    ));
                    return None;
                }
                labels
            }
            _ => {
                self.error(Diagnostic::new(Problem::PeriodsNotCountOrLabels, span));
                return None;
            }
        };
        let before = self.diagnostics.len();
        for (i, (label, place)) in labels.iter().enumerate() {
            if label.trim().is_empty() || label.contains(['[', ']', ',', '"']) {
                self.error(Diagnostic::new(Problem::InvalidPeriodLabel(label.clone()), *place));
            } else if labels[..i].iter().any(|(l, _)| l == label) {
                self.error(Diagnostic::new(Problem::DuplicatePeriod(label.clone()), *place));
            }
        }
        (self.diagnostics.len() == before)
            .then(|| Periods { labels: labels.into_iter().map(|(l, _)| l).collect(), span })
    }

    fn boolean(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        if let DeValue::Boolean(b) = value.get_ref() {
            return Some(*b);
        }
        self.error(Diagnostic::new(Problem::NotABoolean(key.to_string()), span_of(value)));
        None
    }

    fn vars(&mut self, table: &DeTable<'_>) -> Vec<VarDef> {
        sorted(table).into_iter().filter_map(|(key, value)| self.var(key, value)).collect()
    }

    /// A var: an expression string or number, or a table with `value` and metadata.
    fn var(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Value<'_>) -> Option<VarDef> {
        let name = Named { name: key.get_ref().to_string(), span: span_of(key) };
        if !is_identifier(&name.name) {
            self.error(Diagnostic::new(Problem::InvalidVarName(name.name.clone()), name.span));
            return None;
        }
        let DeValue::Table(table) = value.get_ref() else {
            let (expr, text) = self.expression(value, &name.name);
            return Some(VarDef {
                name,
                expr,
                text,
                unit: None,
                source: None,
                note: None,
                per_period: None,
                data: None,
            });
        };
        let mut def = None;
        let (mut unit, mut source, mut note, mut per_period) = (None, None, None, None);
        let mut data = DataKeys::default();
        for (k, v) in sorted(table) {
            match k.get_ref().as_ref() {
                "value" => def = Some(self.expression(v, &name.name)),
                "data" => data.file = self.string(v, "data").map(|f| (f, span_of(v))),
                "column" => data.column = self.string(v, "column"),
                "fit" => data.fit = self.string(v, "fit").map(|f| (f, span_of(v))),
                "terms" => data.terms = self.integer(v, "terms").map(|t| (t, span_of(v))),
                "lower" => data.lower = self.number(v, "`lower`"),
                "upper" => data.upper = self.number(v, "`upper`"),
                "unit" => {
                    unit = self.string(v, "unit").map(|name| {
                        let whole = span_of(v);
                        let span = expression_offset(&self.text[v.span()], &name)
                            .map_or(whole, |o| Span::new(whole.start + o, whole.start + o + name.len()));
                        Named { name, span }
                    })
                }
                "source" => source = self.string(v, "source"),
                "note" => note = self.string(v, "note"),
                "per_period" => per_period = self.boolean(v, "per_period"),
                other => self.unknown_key(
                    other,
                    span_of(k),
                    "var keys",
                    &[
                        "value",
                        "unit",
                        "source",
                        "note",
                        "per_period",
                        "data",
                        "column",
                        "fit",
                        "terms",
                        "lower",
                        "upper",
                    ],
                ),
            }
        }
        let whole = span_of(value);
        let has_data = data.file.is_some();
        let fitted = self.data(&name.name, data, def.is_some(), whole);
        let (expr, text) = match (def, &fitted) {
            (Some(def), _) => def,
            (None, Some((fit, span))) => fit.expression(*span),
            (None, None) => {
                // A var whose data could not be read has that problem already.
                if !has_data {
                    self.error(Diagnostic::new(Problem::NoValue(name.name.clone()), whole));
                }
                (Expr { kind: ExprKind::Invalid, span: whole }, String::new())
            }
        };
        let data = fitted.map(|(fit, _)| Arc::new(fit));
        Some(VarDef { name, expr, text, unit, source, note, per_period, data })
    }

    /// The data a var is fitted to, read and fitted, and where `data` is written; `None`
    /// (with the problem recorded) if it cannot be, or if the var gives none.
    fn data(&mut self, var: &str, keys: DataKeys, has_value: bool, whole: Span) -> Option<(DataFit, Span)> {
        let in_var = |problem: Problem| problem.in_var(var);
        let Some((file, span)) = keys.file else {
            if keys.column.is_some() || keys.fit.is_some() {
                self.error(Diagnostic::new(in_var(Problem::DataKeyWithoutData), whole));
            }
            return None;
        };
        if has_value {
            self.error(Diagnostic::new(in_var(Problem::ValueAndData), span));
            return None;
        }
        let Some(column) = keys.column else {
            self.error(Diagnostic::new(in_var(Problem::DataNeeds("column")), span));
            return None;
        };
        let family = match &keys.fit {
            None => {
                self.error(Diagnostic::new(in_var(Problem::DataNeeds("fit")), span));
                return None;
            }
            Some((name, at)) => match DistKind::from_name(name).filter(|k| FITS.contains(k)) {
                Some(f) => f,
                None => {
                    let names: Vec<&str> = FITS.iter().map(|k| k.name()).collect();
                    let suggestion = did_you_mean(name, names.iter().copied()).map(str::to_string);
                    let problem = Problem::UnknownFit { name: name.clone(), suggestion, known: names.join(", ") };
                    self.error(Diagnostic::new(in_var(problem), *at));
                    return None;
                }
            },
        };
        let terms = match keys.terms {
            Some((t, at)) if !(3..=10).contains(&t) || family != DistKind::Metalog => {
                let message = "`terms` is a metalog's number of terms, 3 to 10".to_string();
                self.error(Diagnostic::new(in_var(Problem::BadData { file: file.clone(), message }), at));
                return None;
            }
            Some((t, _)) => t as usize,
            None => crate::dist::DEFAULT_TERMS,
        };
        let bounds = match data::bounds(keys.lower, keys.upper) {
            Ok(b) if b == Bounds::Unbounded || family == DistKind::Metalog => b,
            Ok(_) => {
                let message = "`lower` and `upper` bound a metalog fit only".to_string();
                self.error(Diagnostic::new(in_var(Problem::BadData { file, message }), span));
                return None;
            }
            Err(message) => {
                self.error(Diagnostic::new(in_var(Problem::BadData { file, message }), span));
                return None;
            }
        };
        let spec = DataSpec { file, column, family, terms, bounds };
        match DataFit::read(spec, &self.dir) {
            Ok(fit) => Some((fit, span)),
            Err(problem) => {
                self.error(Diagnostic::new(in_var(problem), span));
                None
            }
        }
    }

    /// Parses a string (or plain number) value as an expression with file-global spans;
    /// an [`ExprKind::Invalid`] one after recording why it is not one.
    fn expression(&mut self, value: &Value<'_>, var: &str) -> (Expr, String) {
        let whole = span_of(value);
        let invalid = Expr { kind: ExprKind::Invalid, span: whole };
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(_) | DeValue::Float(_) => self.text[value.span()].to_string(),
            _ => {
                self.error(Diagnostic::new(Problem::NotAnExpression(var.to_string()), whole));
                return (invalid, String::new());
            }
        };
        let offset = expression_offset(&self.text[value.span()], &text).map(|o| whole.start + o);
        let place = |span: Span| offset.map_or(whole, |o| span.shift(o));
        match expr::parse(&text) {
            Ok(expr) => (expr.map_spans(&place), text),
            Err(d) => {
                self.error(Diagnostic::at(d.problem.in_var(var), d.span.map(place)));
                (invalid, text)
            }
        }
    }

    fn correlations(&mut self, value: &Value<'_>) -> Vec<CorrelationDef> {
        let DeValue::Array(items) = value.get_ref() else {
            self.error(Diagnostic::new(Problem::CorrelationsNotTables, span_of(value)));
            return Vec::new();
        };
        items.iter().filter_map(|item| self.correlation(item)).collect()
    }

    fn correlation(&mut self, item: &Value<'_>) -> Option<CorrelationDef> {
        let table = self.table(item, "a [[correlations]] entry")?;
        let span = span_of(item);
        let (mut vars, mut coefficients, mut coefficients_span, mut cells) = (None, None, span, Vec::new());
        for (k, v) in sorted(table) {
            match k.get_ref().as_ref() {
                "vars" => vars = self.names(v, "vars"),
                "rank" => {
                    coefficients = self.number(v, "`rank`").map(Coefficients::Rank);
                    coefficients_span = span_of(v);
                }
                "matrix" => {
                    (coefficients, cells) = match self.matrix(v) {
                        Some((m, c)) => (Some(Coefficients::Matrix(m)), c),
                        None => (None, Vec::new()),
                    };
                    coefficients_span = span_of(v);
                }
                other => self.unknown_key(other, span_of(k), "correlation keys", &["vars", "rank", "matrix"]),
            }
        }
        let (Some(vars), Some(coefficients)) = (vars, coefficients) else {
            self.error(Diagnostic::new(Problem::IncompleteCorrelation, span));
            return None;
        };
        Some(CorrelationDef { vars, coefficients, span, coefficients_span, cells })
    }

    /// A matrix of numbers, with each entry's place.
    fn matrix(&mut self, value: &Value<'_>) -> Option<Matrix> {
        let DeValue::Array(rows) = value.get_ref() else {
            self.error(Diagnostic::new(Problem::MatrixNotRows, span_of(value)));
            return None;
        };
        let (mut matrix, mut places) = (Vec::new(), Vec::new());
        for row in rows.iter() {
            let DeValue::Array(cells) = row.get_ref() else {
                self.error(Diagnostic::new(Problem::MatrixRowNotNumbers, span_of(row)));
                return None;
            };
            let numbers: Option<Vec<f64>> = cells.iter().map(|c| self.number(c, "a matrix entry")).collect();
            matrix.push(numbers?);
            places.push(cells.iter().map(span_of).collect());
        }
        Some((matrix, places))
    }

    fn scenarios(&mut self, table: &DeTable<'_>) -> Vec<ScenarioDef> {
        let mut scenarios = Vec::new();
        for (key, value) in sorted(table) {
            let name = Named { name: key.get_ref().to_string(), span: span_of(key) };
            if self.printable(&name.name, "[scenarios]", name.span, |_| false).is_none() {
                continue;
            }
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

/// How to fix a TOML error at `span`: a bare value such as `15k` or `20 to 40` on a
/// `key = value` line is an expression that TOML cannot read unquoted.
fn toml_hint(text: &str, span: Span) -> Option<String> {
    let line_start = text[..span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let (key, value) = text[line_start..line_end].split_once('=')?;
    let (key, value) = (key.trim(), value.split('#').next().unwrap_or("").trim());
    let bare = !value.is_empty() && !value.starts_with(['"', '\'', '[', '{']);
    (bare && !key.is_empty()).then(|| format!("write an expression as a string: `{key} = \"{value}\"`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_offset_handles_quote_styles_and_escapes() {
        assert_eq!(expression_offset("\"a + b\"", "a + b"), Some(1));
        assert_eq!(expression_offset("'a'", "a"), Some(1));
        assert_eq!(expression_offset("\"\"\"\na\"\"\"", "a"), Some(4));
        assert_eq!(expression_offset("\"a\\u0020b\"", "a b"), None);
        assert_eq!(expression_offset("1_000", "1_000"), Some(0));
    }
}
