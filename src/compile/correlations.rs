//! Validation of `[[correlations]]`: every named var exists and is a single
//! distribution call, coefficients lie in [-1, 1], and a matrix is square, symmetric and
//! has a unit diagonal.

use crate::model::{Coefficients, CorrelationDef, Model};
use crate::source::{Diagnostic, did_you_mean};

use super::resolve::is_distribution;

/// Diagnostics for every problem in the model's correlations.
pub(super) fn check(model: &Model) -> Vec<Diagnostic> {
    model.correlations.iter().flat_map(|c| check_one(model, c)).collect()
}

fn check_one(model: &Model, c: &CorrelationDef) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (i, v) in c.vars.iter().enumerate() {
        if c.vars[..i].iter().any(|w| w.name == v.name) {
            diagnostics.push(Diagnostic::new(format!("`{}` is listed twice in this correlation", v.name), v.span));
            continue;
        }
        match model.var(&v.name) {
            None => {
                let d = Diagnostic::new(format!("unknown var `{}` in correlation", v.name), v.span);
                diagnostics.push(match did_you_mean(&v.name, model.vars.iter().map(|v| v.name.name.as_str())) {
                    Some(near) => d.with_help(format!("did you mean `{near}`?")),
                    None => d.with_help("correlations name vars declared in [vars]"),
                });
            }
            Some(def) if !is_distribution(&def.expr) => diagnostics.push(
                Diagnostic::new(
                    format!("var `{}` is not a single distribution, so it cannot be correlated", v.name),
                    v.span,
                )
                .with_help(format!(
                    "correlate the inputs of `{}` instead, or make it one call such as `10k to 20k`",
                    v.name
                )),
            ),
            Some(_) => {}
        }
    }
    let in_range = |x: f64| (-1.0..=1.0).contains(&x);
    match &c.coefficients {
        Coefficients::Rank(r) => {
            if c.vars.len() != 2 {
                diagnostics.push(
                    Diagnostic::new(format!("`rank` correlates exactly 2 vars, got {}", c.vars.len()), c.span)
                        .with_help("for 3 or more vars, give a `matrix`"),
                );
            }
            if !in_range(*r) {
                diagnostics.push(Diagnostic::new(format!("rank correlation {r} is outside [-1, 1]"), c.span));
            }
        }
        Coefficients::Matrix(m) => {
            let n = c.vars.len();
            if m.len() != n || m.iter().any(|row| row.len() != n) {
                diagnostics
                    .push(Diagnostic::new(format!("`matrix` must be {n}×{n}, one row and column per var"), c.span));
                return diagnostics;
            }
            for (i, row) in m.iter().enumerate() {
                if row[i] != 1.0 {
                    let message = format!("the diagonal of `matrix` must be 1 (row {} has {})", i + 1, row[i]);
                    diagnostics.push(Diagnostic::new(message, c.span));
                }
                for (j, &x) in row.iter().enumerate().take(i) {
                    let pair = format!("`{}` and `{}`", c.vars[i].name, c.vars[j].name);
                    let message = if x != m[j][i] {
                        format!("`matrix` is not symmetric for {pair} ({x} vs {})", m[j][i])
                    } else if !in_range(x) {
                        format!("rank correlation {x} between {pair} is outside [-1, 1]")
                    } else {
                        continue;
                    };
                    diagnostics.push(Diagnostic::new(message, c.span));
                }
            }
        }
    }
    diagnostics
}
