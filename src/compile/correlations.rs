//! Validation of `[[correlations]]`: every named var exists and is a single
//! distribution call, coefficients lie in [-1, 1], and a matrix is square, symmetric and
//! has a unit diagonal. Each problem points at the name or coefficient it is about.

use crate::diagnostic::{Diagnostic, Problem};
use crate::expr::{Expr, ExprKind};
use crate::model::{Coefficients, CorrelationDef, Model};
use crate::source::did_you_mean;

/// Diagnostics for every problem in the model's correlations.
pub(super) fn check(model: &Model) -> Vec<Diagnostic> {
    model.correlations.iter().flat_map(|c| check_one(model, c)).collect()
}

/// True if `expr` uses no var and calls nothing: the same in every trial.
fn is_constant(expr: &Expr) -> bool {
    let mut constant = true;
    expr.walk(&mut |e| {
        if matches!(e.kind, ExprKind::Name(_) | ExprKind::To(..) | ExprKind::Call { .. }) {
            constant = false;
        }
    });
    constant
}

fn check_one(model: &Model, c: &CorrelationDef) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (i, v) in c.vars.iter().enumerate() {
        let problem = if c.vars[..i].iter().any(|w| w.name == v.name) {
            Problem::ListedTwice(v.name.clone())
        } else {
            match model.var(&v.name) {
                None => {
                    let names = model.vars.iter().map(|v| v.name.name.as_str());
                    let suggestion = did_you_mean(&v.name, names).map(str::to_string);
                    Problem::UnknownCorrelated { name: v.name.clone(), suggestion }
                }
                Some(def) if !def.expr.is_distribution() => {
                    Problem::NotADistribution { var: v.name.clone(), constant: is_constant(&def.expr) }
                }
                Some(_) => continue,
            }
        };
        diagnostics.push(Diagnostic::new(problem, v.span));
    }
    let in_range = |x: f64| (-1.0..=1.0).contains(&x);
    match &c.coefficients {
        Coefficients::Rank(r) => {
            if c.vars.len() != 2 {
                diagnostics.push(Diagnostic::new(Problem::RankNeedsTwo(c.vars.len()), c.coefficients_span));
            }
            if !in_range(*r) {
                diagnostics.push(Diagnostic::new(Problem::RankOutOfRange(*r), c.coefficients_span));
            }
        }
        Coefficients::Matrix(m) => {
            let n = c.vars.len();
            if m.len() != n || m.iter().any(|row| row.len() != n) {
                diagnostics.push(Diagnostic::new(Problem::MatrixShape(n), c.coefficients_span));
                return diagnostics;
            }
            for (i, row) in m.iter().enumerate() {
                if row[i] != 1.0 {
                    diagnostics
                        .push(Diagnostic::new(Problem::MatrixDiagonal { row: i + 1, value: row[i] }, c.cells[i][i]));
                }
                for (j, &x) in row.iter().enumerate().take(i) {
                    let (a, b) = (c.vars[i].name.clone(), c.vars[j].name.clone());
                    let problem = if x != m[j][i] {
                        Problem::MatrixAsymmetric { a, b, x, y: m[j][i] }
                    } else if !in_range(x) {
                        Problem::MatrixOutOfRange { x, a, b }
                    } else {
                        continue;
                    };
                    diagnostics.push(Diagnostic::new(problem, c.cells[i][j]));
                }
            }
        }
    }
    diagnostics
}
