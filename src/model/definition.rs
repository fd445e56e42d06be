//! What a model file defines: its vars, correlations, scenarios and settings, each with
//! its place in the file.

use std::collections::HashMap;
use std::sync::Arc;

use crate::correlation::Coefficients;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::expr::Expr;
use crate::source::{SourceMap, Span};
use crate::stats::Percentiles;

use super::data::DataFit;

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
    pub(super) index: HashMap<String, usize>,
    /// The `[[correlations]]` entries.
    pub correlations: Vec<CorrelationDef>,
    /// The `[scenarios.NAME]` tables, in file order: shared by every variant of the model,
    /// so that making one costs nothing for the scenarios it does not apply.
    pub scenarios: Arc<[ScenarioDef]>,
    /// Each scenario's index in `scenarios`, by name (shared as they are).
    pub(super) scenario_index: Arc<HashMap<String, usize>>,
    /// Problems found in the file that do not stop it from being read (a syntax error in
    /// one var, an unknown key): the compiler reports them with its own, all at once. A
    /// var whose expression has a problem is kept, with `crate::expr::ExprKind::Invalid` as its
    /// expression, so that only the vars using it are affected.
    pub problems: Vec<Diagnostic>,
    /// What a scenario or `--set` changed beyond the vars it names (a pinned var leaves
    /// its correlations): said on every command, as notes, and changing nothing else.
    pub notes: Vec<Diagnostic>,
    /// How many vars at the end of [`Model::vars`] were added by `--query`: a query adds
    /// an output and never hides one, so their uses do not count against the defaults.
    pub queries: usize,
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
    /// `percentiles`: the percentiles reported, if not the defaults.
    pub percentiles: Option<Percentiles>,
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
    /// Unit as written, e.g. "USD/GPU/hour", with where it is written.
    pub unit: Option<Named>,
    /// Where the figure comes from.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// `per_period = true`: its draws are made afresh in every period (`None`: not said,
    /// which a scenario's override reads as "as the base model says").
    pub per_period: Option<bool>,
    /// `data = "file.csv"`: the column of data its distribution was fitted to.
    pub data: Option<Arc<DataFit>>,
}

impl Model {
    /// The data files the model's vars were fitted to, each once: (file as written,
    /// SHA-256), in var order.
    pub fn data_files(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = Vec::new();
        for fit in self.vars.iter().filter_map(|v| v.data.as_deref()) {
            let file = (fit.spec.file.clone(), fit.sha256.clone());
            if !files.contains(&file) {
                files.push(file);
            }
        }
        files
    }
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
    /// The var named `name`.
    pub fn var(&self, name: &str) -> Option<&VarDef> {
        self.var_index(name).map(|i| &self.vars[i])
    }

    /// The index in [`Model::vars`] of the var named `name`.
    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Adds `var` after the others (its name must be new).
    pub(super) fn push_var(&mut self, var: VarDef) {
        self.index.insert(var.name.name.clone(), self.vars.len());
        self.vars.push(var);
    }

    /// The error for `diagnostics` found in this model.
    pub fn error(&self, diagnostics: Vec<Diagnostic>) -> Error {
        Error::Model { sources: Box::new(self.sources.clone()), diagnostics }
    }
}
