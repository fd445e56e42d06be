//! Model files: TOML text to a [`Model`] of named, parsed expressions with spans (read by
//! `load`), and the variants scenarios and `--set` make of it (`scenario`).

mod load;
mod scenario;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use crate::correlation::Coefficients;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::expr::Expr;
pub use crate::expr::number;
use crate::source::{SourceMap, Span};

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
    /// Each var's index in `vars`, by name: lookups in O(1), so that loading, checking
    /// and compiling stay O(n log n) in the model's size.
    index: HashMap<String, usize>,
    /// The `[[correlations]]` entries.
    pub correlations: Vec<CorrelationDef>,
    /// The `[scenarios.NAME]` tables, in file order: shared by every variant of the model,
    /// so that making one costs nothing for the scenarios it does not apply.
    pub scenarios: Arc<[ScenarioDef]>,
    /// Each scenario's index in `scenarios`, by name (shared as they are).
    scenario_index: Arc<HashMap<String, usize>>,
    /// Problems found in the file that do not stop it from being read (a syntax error in
    /// one var, an unknown key): the compiler reports them with its own, all at once. A
    /// var whose expression has a problem is kept, with [`crate::expr::ExprKind::Invalid`] as its
    /// expression, so that only the vars using it are affected.
    pub problems: Vec<Diagnostic>,
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
    /// Where `outputs` is written.
    pub outputs_span: Span,
    /// `periods`: the time axis of a multi-period model, if it has one.
    pub periods: Option<Periods>,
}

/// The periods of a multi-period model (`periods = 4` or `periods = ["2025", ...]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Periods {
    /// One label per period, in order (`"1"`, `"2"`, … for a count).
    pub labels: Vec<String>,
    /// Where `periods` is written.
    pub span: Span,
}

/// Most periods a model may have.
pub const MAX_PERIODS: u64 = 1000;

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
    /// `per_period = true`: its draws are made afresh in every period (`None`: not said,
    /// which a scenario's override reads as "as the base model says").
    pub per_period: Option<bool>,
}

impl VarDef {
    /// True if the var draws afresh in every period.
    pub fn is_per_period(&self) -> bool {
        self.per_period == Some(true)
    }
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
    /// Where `rank` or `matrix` is written.
    pub coefficients_span: Span,
    /// Where each entry of `matrix` is written (empty for `rank`).
    pub cells: Vec<Vec<Span>>,
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

/// Largest model file read (a bound on what `check /dev/zero` or a mistaken path reads).
pub const MAX_MODEL_BYTES: u64 = 16 << 20;

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
                return Err(Error::NotTheModel { path: shown.to_string(), actual, expected: expected.to_string() });
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
        let mut model = load::document(&text, sources, sha256)?;
        let unknown = model.check_scenarios();
        model.problems.extend(unknown);
        Ok(model)
    }

    /// The var named `name`.
    pub fn var(&self, name: &str) -> Option<&VarDef> {
        self.var_index(name).map(|i| &self.vars[i])
    }

    /// The index in [`Model::vars`] of the var named `name`.
    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Adds `var` after the others (its name must be new).
    fn push_var(&mut self, var: VarDef) {
        self.index.insert(var.name.name.clone(), self.vars.len());
        self.vars.push(var);
    }

    /// The error for `diagnostics` found in this model.
    pub fn error(&self, diagnostics: Vec<Diagnostic>) -> Error {
        Error::Model { sources: Box::new(self.sources.clone()), diagnostics }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Model> {
        Model::parse("m.toml", text.to_string())
    }

    fn messages(text: &str) -> Vec<String> {
        load(text).unwrap().problems.iter().map(|d| d.problem.to_string()).collect()
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
    fn syntax_error_points_into_the_file_and_leaves_the_var_invalid() {
        let model = load("[model]\nname = \"t\"\n[vars]\ny = \"2 * (3\"\n").unwrap();
        let rendered = model.problems[0].render(&model.sources);
        assert!(rendered.contains("--> m.toml:4:12"), "{rendered}");
        assert_eq!(model.vars[0].expr.kind, crate::expr::ExprKind::Invalid);
    }

    #[test]
    fn text_that_is_not_toml_is_an_error() {
        let Err(Error::Model { diagnostics, .. }) = load("[model\n") else { panic!("expected an error") };
        assert!(diagnostics[0].problem.to_string().starts_with("invalid TOML: "));
    }

    #[test]
    fn correlations_and_scenarios() {
        let text = "[model]\nname = \"t\"\n[vars]\na = \"1 to 2\"\nb = \"1 to 3\"\n[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.5\n[scenarios.low]\ndescription = \"d\"\na = \"1\"\n";
        let model = load(text).unwrap();
        assert_eq!(model.correlations[0].coefficients, Coefficients::Rank(0.5));
        assert_eq!(model.scenarios[0].name.name, "low");
        assert_eq!(model.scenarios[0].overrides[0].text, "1");
    }
}
