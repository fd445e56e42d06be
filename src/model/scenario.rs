//! Scenarios, `--set` and `--query`: a new [`Model`] with some vars' expressions
//! replaced, or ad-hoc outputs added.

use super::definition::{Model, Named, VarDef};
use crate::correlation::Coefficients;
use crate::diagnostic::{Diagnostic, Problem};
use crate::error::{Error, Result};
use crate::expr;
use crate::source::did_you_mean;

impl Model {
    /// The model with `scenario`'s overrides (if any), then the `--set` overrides `sets`,
    /// applied: what a run of that scenario with those options simulates.
    ///
    /// # Errors
    /// As [`Model::with_scenario`] and [`Model::with_overrides`].
    pub fn variant(&self, scenario: Option<&str>, sets: &[String]) -> Result<Model> {
        match scenario {
            Some(name) => self.with_scenario(name)?.with_overrides(sets),
            None => self.with_overrides(sets),
        }
    }

    /// The model with scenario `name`'s overrides applied.
    ///
    /// # Errors
    /// [`Error::UnknownScenario`] if there is no such scenario.
    pub fn with_scenario(&self, name: &str) -> Result<Model> {
        let Some(scenario) = self.scenario_index.get(name).map(|&i| &self.scenarios[i]) else {
            let names = self.scenarios.iter().map(|s| s.name.name.as_str());
            let hint = match did_you_mean(name, names.clone()) {
                Some(near) => format!("did you mean `{near}`?"),
                None if self.scenarios.is_empty() => "this model defines no scenarios".to_string(),
                None => format!("scenarios are: {}", names.collect::<Vec<_>>().join(", ")),
            };
            return Err(Error::UnknownScenario { name: name.to_string(), hint });
        };
        let mut model = self.clone();
        for var in &scenario.overrides {
            model.replace(var.clone(), &format!("scenario `{name}`"));
        }
        Ok(model)
    }

    /// The model with `--set VAR=EXPR` overrides applied, in order. Each expression gets
    /// its own entry in [`Model::sources`] so errors in it point at the option.
    ///
    /// # Errors
    /// [`Error::BadOverride`] for one that is not `VAR=EXPR`; [`Error::Model`] for an unknown var or an
    /// expression that does not parse.
    pub fn with_overrides(&self, sets: &[String]) -> Result<Model> {
        let mut model = self.clone();
        for set in sets {
            let Some((name, text)) = set.split_once('=') else {
                return Err(Error::BadOverride { text: set.clone() });
            };
            let base = model.sources.add("--set", set.clone());
            let name = Named { name: name.trim().to_string(), span: crate::source::Span::new(base, base + name.len()) };
            if model.var(&name.name).is_none() {
                let d = unknown_var(&model, &name);
                return Err(model.error(vec![d]));
            }
            let offset = base + set.len() - text.len();
            let expr = expr::parse(text).map_err(|d| {
                let problem = Problem::InSet { var: name.name.clone(), problem: d.problem };
                model.error(vec![Diagnostic::at(problem, d.span.map(|s| s.shift(offset)))])
            })?;
            let expr = expr.map_spans(&|s| s.shift(offset));
            model.replace(
                VarDef {
                    name,
                    expr,
                    text: text.to_string(),
                    unit: None,
                    source: None,
                    note: None,
                    per_period: None,
                    data: None,
                },
                "--set",
            );
        }
        Ok(model)
    }

    /// The model with `--query` outputs added, in order: each `EXPR` or `NAME=EXPR` is a
    /// new var (named by its expression, or NAME) reported after the model's outputs. Its
    /// expression gets its own entry in [`Model::sources`] so errors point at the option.
    ///
    /// # Errors
    /// [`Error::Model`] for an expression that does not parse or a name already taken.
    pub fn with_queries(&self, queries: &[String]) -> Result<Model> {
        let mut model = self.clone();
        for query in queries {
            let base = model.sources.add("--query", query.clone());
            let (name, text) = match query.split_once('=') {
                Some((name, text)) if is_name(name.trim()) && !text.starts_with('=') => (name.trim(), text),
                _ => (query.trim(), query.as_str()),
            };
            let offset = base + query.len() - text.len();
            let named = Named { name: name.to_string(), span: crate::source::Span::new(base, base + query.len()) };
            if model.var(name).is_some() {
                let problem = Problem::QueryNameTaken(name.to_string());
                return Err(model.error(vec![Diagnostic::new(problem, named.span)]));
            }
            let expr = expr::parse(text).map_err(|d| {
                let problem = Problem::InQuery { query: query.clone(), problem: d.problem };
                model.error(vec![Diagnostic::at(problem, d.span.map(|s| s.shift(offset)))])
            })?;
            if let Some(outputs) = &mut model.meta.outputs {
                outputs.push(named.clone());
            }
            model.queries += 1;
            model.push_var(VarDef {
                name: named,
                expr: expr.map_spans(&|s| s.shift(offset)),
                text: text.trim().to_string(),
                unit: None,
                source: None,
                note: None,
                per_period: None,
                data: None,
            });
        }
        Ok(model)
    }

    /// Replaces the var of the same name, keeping its metadata unless the new one has
    /// some. A var that `by` (a scenario or `--set`) makes other than a single
    /// distribution — pinned to a value, most often — leaves its correlations, with a
    /// note.
    fn replace(&mut self, new: VarDef, by: &str) {
        if !new.expr.is_distribution() {
            self.uncorrelate(&new.name, &new.text, by);
        }
        if let Some(old) = self.var_index(&new.name.name).map(|i| &mut self.vars[i]) {
            old.unit = new.unit.or(old.unit.take());
            old.source = new.source.or(old.source.take());
            old.note = new.note.or(old.note.take());
            old.per_period = new.per_period.or(old.per_period);
            old.name.span = new.name.span;
            old.expr = new.expr;
            old.text = new.text;
            old.data = new.data;
        }
    }

    /// Takes `var` out of every correlation (a matrix loses its row and column, which
    /// leaves it valid; an entry left with one var goes), noting which partners it left.
    fn uncorrelate(&mut self, var: &Named, value: &str, by: &str) {
        let span = var.span;
        let mut partners: Vec<String> = Vec::new();
        self.correlations.retain_mut(|c| {
            let Some(i) = c.vars.iter().position(|v| v.name == var.name) else { return true };
            for v in c.vars.iter().filter(|v| v.name != var.name) {
                if !partners.contains(&v.name) {
                    partners.push(v.name.clone());
                }
            }
            c.vars.remove(i);
            if let Coefficients::Matrix(m) = &mut c.coefficients {
                drop_row_and_column(m, i);
            }
            drop_row_and_column(&mut c.cells, i);
            c.vars.len() >= 2
        });
        if !partners.is_empty() {
            let (var, value, by) = (var.name.clone(), value.trim().to_string(), by.to_string());
            let problem = Problem::Uncorrelated { var, value, by, partners };
            self.notes.push(Diagnostic::new(problem, span));
        }
    }

    /// Diagnostics for scenario overrides that name no var.
    pub(super) fn check_scenarios(&self) -> Vec<Diagnostic> {
        self.scenarios
            .iter()
            .flat_map(|s| &s.overrides)
            .filter(|o| self.var(&o.name.name).is_none())
            .map(|o| unknown_var(self, &o.name))
            .collect()
    }
}

/// `rows` without row `i` and column `i` (where they are: a malformed matrix is reported
/// later, as it is).
fn drop_row_and_column<T>(rows: &mut Vec<Vec<T>>, i: usize) {
    if i < rows.len() {
        rows.remove(i);
    }
    for row in rows.iter_mut().filter(|row| i < row.len()) {
        row.remove(i);
    }
}

/// True for a var name: a letter or `_`, then letters, digits and `_`.
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn unknown_var(model: &Model, name: &Named) -> Diagnostic {
    let suggestion = did_you_mean(&name.name, model.vars.iter().map(|v| v.name.name.as_str())).map(str::to_string);
    Diagnostic::new(Problem::UnknownOverride { name: name.name.clone(), suggestion }, name.span)
}
