//! Inputs fitted to data: `price = { data = "quotes.csv", column = "usd", fit =
//! "lognormal" }` reads a column of a CSV file beside the model, fits the family to it
//! ([`crate::dist::fit`]) and gives the var the fitted distribution as its expression.
//! The file is hostile until checked: its size, its rows, each cell (with its line), and
//! the column's name are checked before any value is used.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::diagnostic::Problem;
use crate::dist::{Bounds, DistKind, Form, Sampler, fit};
use crate::expr::{Expr, ExprKind};
use crate::source::{Span, did_you_mean, hex};

pub use crate::dist::Goodness;

/// The largest data file read (256 MiB).
pub const MAX_DATA_BYTES: u64 = 256 << 20;
/// The most values a data column may hold.
pub const MAX_DATA_VALUES: usize = 1_000_000;

/// What a var asks of its data: the file, the column and the family, with a metalog's
/// terms and bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct DataSpec {
    /// The file as written (relative to the model file).
    pub file: String,
    /// The column's header.
    pub column: String,
    /// The family fitted: empirical, normal, lognormal, gamma or metalog.
    pub family: DistKind,
    /// A metalog's terms.
    pub terms: usize,
    /// A metalog's bounds.
    pub bounds: Bounds,
}

/// A column of data and the distribution fitted to it.
#[derive(Clone, Debug)]
pub struct DataFit {
    /// What was asked.
    pub spec: DataSpec,
    /// SHA-256 of the data file.
    pub sha256: String,
    /// Values read.
    pub n: usize,
    /// The fitted distribution.
    pub fitted: Sampler,
    /// How far it is from the data (none for the data themselves).
    pub goodness: Option<Goodness>,
}

/// Two fits are the same when they fit the same family to the same bytes: the fit is a
/// function of those.
impl PartialEq for DataFit {
    fn eq(&self, other: &DataFit) -> bool {
        (&self.spec, &self.sha256, self.n) == (&other.spec, &other.sha256, other.n)
    }
}

impl DataFit {
    /// Reads `spec`'s column from its file (relative to `dir`, the model file's directory)
    /// and fits its family.
    ///
    /// # Errors
    /// The problem with the file, the column, a cell (with its line) or the fit.
    pub(super) fn read(spec: DataSpec, dir: &Path) -> Result<DataFit, Problem> {
        let file = spec.file.clone();
        let bad = |message: String| Problem::BadData { file: file.clone(), message };
        let path = dir.join(&spec.file);
        let bytes = match crate::source::read_at_most(&path, MAX_DATA_BYTES) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Err(bad(format!("it is larger than {} MB", MAX_DATA_BYTES >> 20))),
            Err(e) => return Err(bad(format!("cannot read `{}`: {e}", path.display()))),
        };
        let sha256 = hex(&Sha256::digest(&bytes));
        let values = column(&bytes, &spec.column).map_err(bad)?;
        let (fitted, goodness) = fit(spec.family, &values, spec.terms, spec.bounds).map_err(bad)?;
        Ok(DataFit { spec, sha256, n: values.len(), fitted, goodness })
    }

    /// The fit's parameters, for people: `mu = 10.3, sigma = 0.25`.
    pub fn parameters(&self) -> String {
        crate::dist::describe(&self.fitted)
    }

    /// The fitted distribution as an expression at `span` (the `data` key's value), and
    /// as text for people: `lognormal(mu = 10.3, sigma = 0.25)`.
    pub(super) fn expression(&self, span: Span) -> (Expr, String) {
        let at = |kind: ExprKind| Expr { kind, span };
        let number = |x: f64| at(ExprKind::Num(x));
        let list = |xs: &[f64]| at(ExprKind::List(xs.iter().map(|&x| number(x)).collect()));
        let call = |kind: DistKind, args: Vec<Expr>, form: Form| {
            at(ExprKind::Call { name: kind.name().to_string(), name_span: span, args, form })
        };
        let expr = match &self.fitted {
            Sampler::Empirical(values) => call(DistKind::Empirical, vec![list(values)], Form::Positional),
            Sampler::Metalog(metalog) => {
                // A metalog of k terms is the one through its quantiles at k probabilities.
                let k = metalog.coefficients().len();
                let probabilities: Vec<f64> = (1..=k).map(|j| j as f64 / (k + 1) as f64).collect();
                let quantiles: Vec<f64> = probabilities.iter().map(|&y| metalog.quantile(y)).collect();
                let mut args = vec![list(&probabilities), list(&quantiles)];
                match metalog.bounds() {
                    Bounds::Unbounded => {}
                    Bounds::Lower(lo) => args.push(number(lo)),
                    Bounds::Both(lo, hi) => args.extend([number(lo), number(hi)]),
                }
                call(DistKind::Metalog, args, Form::Positional)
            }
            // Normal, lognormal (its mu and sigma named, as it means them) and gamma.
            fitted => {
                let form = if self.spec.family == DistKind::LogNormal { Form::Named } else { Form::Positional };
                let args = crate::dist::params(fitted).into_iter().map(number).collect();
                call(self.spec.family, args, form)
            }
        };
        let (file, column, n) = (&self.spec.file, &self.spec.column, self.n);
        let text = match self.spec.family {
            DistKind::Empirical => format!("the {n} values of {file} column {column}, resampled"),
            family => format!("{}({}) fitted to {file} column {column} (n = {n})", family.name(), self.parameters()),
        };
        (expr, text)
    }
}

/// The values of column `name` of the CSV `bytes` (a header row, then records).
///
/// # Errors
/// Not UTF-8 or not CSV (with the line), no such column (with the nearest header), a
/// cell that is empty or not a finite number (with its line and text), no values, or
/// more than [`MAX_DATA_VALUES`].
fn column(bytes: &[u8], name: &str) -> Result<Vec<f64>, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("its header row is not CSV text ({e})"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let Some(index) = headers.iter().position(|h| h == name) else {
        let near = headers
            .iter()
            .find(|h| h.eq_ignore_ascii_case(name))
            .map(String::as_str)
            .or_else(|| did_you_mean(name, headers.iter().map(String::as_str)))
            .map_or(String::new(), |n| format!("; did you mean `{}`?", shown(n)));
        let listed: Vec<String> = headers.iter().take(20).map(|h| format!("`{}`", shown(h))).collect();
        return Err(format!("it has no column `{name}` (its columns: {}){near}", listed.join(", ")));
    };
    let mut values = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(p) => format!("line {}: not a CSV record ({})", p.line(), record_problem(&e)),
            None => format!("not CSV text ({e})"),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = record.get(index).unwrap_or("").trim();
        if cell.is_empty() {
            return Err(format!(
                "line {line}: the `{name}` cell is empty (fill it in or remove the row: no value is assumed)"
            ));
        }
        let value = cell.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
            let hint = match cell.contains(',') || cell.starts_with(['$', '€', '£']) {
                true => ": write plain numbers, without currency signs or thousands separators",
                false => "",
            };
            format!("line {line}: `{}` in column `{name}` is not a finite number{hint}", shown(cell))
        })?;
        if values.len() == MAX_DATA_VALUES {
            return Err(format!("column `{name}` has more than {MAX_DATA_VALUES} values"));
        }
        values.push(value);
    }
    if values.is_empty() {
        return Err(format!("column `{name}` has no values"));
    }
    Ok(values)
}

/// A cell's or a header's text for a message: at most 40 characters, control characters
/// escaped (the file's text never reaches a terminal as it is).
fn shown(cell: &str) -> String {
    let text: String = cell.chars().take(40).flat_map(char::escape_debug).collect();
    if cell.chars().count() > 40 { format!("{text}…") } else { text }
}

/// What is wrong with a record, for a message.
fn record_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("it has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".to_string(),
        _ => e.to_string(),
    }
}

/// A metalog's bounds as a data spec gives them.
///
/// # Errors
/// An upper bound without a lower one, or bounds out of order.
pub(super) fn bounds(lower: Option<f64>, upper: Option<f64>) -> Result<Bounds, String> {
    if lower.is_none() && upper.is_some() {
        return Err("give `lower` with `upper`: a metalog is bounded below, or on both sides".into());
    }
    Bounds::new(lower, upper)
}
