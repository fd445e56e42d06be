//! Name resolution, call checking and evaluation order.
//!
//! Checks every name and call in every var against the vars, the constants and the
//! built-in functions (with "did you mean" suggestions), then orders the vars so each
//! comes after the vars it uses, reporting any cycle with its full path.

use std::collections::HashMap;

use crate::builtins::{self, Arity, Function};
use crate::dist::DistKind;
use crate::expr::{Expr, ExprKind};
use crate::model::Model;
use crate::source::{Diagnostic, did_you_mean};

/// The vars each var uses, by index, and diagnostics for anything that does not resolve.
pub(super) fn resolve(model: &Model) -> (Vec<Vec<usize>>, Vec<Diagnostic>) {
    let index: HashMap<&str, usize> = model.vars.iter().enumerate().map(|(i, v)| (v.name.name.as_str(), i)).collect();
    let mut diagnostics = Vec::new();
    let mut deps = Vec::new();
    for var in &model.vars {
        let name = &var.name.name;
        if builtins::constant(name).is_some() || builtins::RESERVED.contains(&name.as_str()) {
            diagnostics.push(
                Diagnostic::new(format!("`{name}` is a reserved word and cannot name a var"), var.name.span)
                    .with_help("rename the var"),
            );
        }
        let mut uses = Vec::new();
        var.expr.walk(&mut |e| match &e.kind {
            ExprKind::Name(n) => match index.get(n.as_str()) {
                Some(&i) => uses.push(i),
                None if builtins::constant(n).is_some() => {}
                None => diagnostics.push(unknown_name(n, e, name, model)),
            },
            ExprKind::Call { name: f, name_span, args } => {
                if let Some(d) = check_call(f, args, e) {
                    diagnostics.push(Diagnostic {
                        message: format!("{} in var `{name}`", d.message),
                        span: d.span.or(Some(*name_span)),
                        help: d.help,
                    });
                }
            }
            _ => {}
        });
        if let Some(list) = stray_list(&var.expr) {
            diagnostics.push(
                Diagnostic::new(
                    format!("a list `[...]` is only allowed as an argument of `choice`, in var `{name}`"),
                    list.span,
                )
                .with_help("write `choice([v1, v2], [w1, w2])`"),
            );
        }
        uses.sort_unstable();
        uses.dedup();
        deps.push(uses);
    }
    (deps, diagnostics)
}

fn unknown_name(n: &str, e: &Expr, var: &str, model: &Model) -> Diagnostic {
    let names = model.vars.iter().map(|v| v.name.name.as_str()).chain(builtins::CONSTANTS.iter().map(|(c, _)| *c));
    let d = Diagnostic::new(format!("unknown name `{n}` in var `{var}`"), e.span);
    match did_you_mean(n, names) {
        Some(near) => d.with_help(format!("did you mean `{near}`?")),
        None if builtins::callables().any(|f| f == n) => {
            d.with_help(format!("`{n}` is a function: call it as `{n}(...)`"))
        }
        None => d.with_help("declare it in [vars] or check the spelling"),
    }
}

/// Checks that `f` exists and gets the right number and kind of arguments.
fn check_call(f: &str, args: &[Expr], call: &Expr) -> Option<Diagnostic> {
    let arity_error =
        |want: String| Some(Diagnostic::new(format!("`{f}` takes {want}, got {}", args.len()), call.span));
    if let Some(kind) = DistKind::from_name(f) {
        let params = kind.params();
        if args.len() != params.len() {
            return arity_error(format!("{} arguments ({})", params.len(), params.join(", ")));
        }
        return None;
    }
    let Some(builtin) = builtins::function(f) else {
        let d = Diagnostic::new(format!("unknown function `{f}`"), call.span);
        return Some(match did_you_mean(f, builtins::callables()) {
            Some(near) => d.with_help(format!("did you mean `{near}`?")),
            None => d.with_help(builtins::summary()),
        });
    };
    let arity_ok = match builtin.arity() {
        Arity::Exactly(n) => args.len() == n,
        Arity::AtLeast(n) => args.len() >= n,
    };
    match builtin.function {
        Function::Truncate if arity_ok && !is_distribution(&args[0]) => Some(
            Diagnostic::new("the first argument of `truncate` must be a distribution", args[0].span)
                .with_help("e.g. `truncate(normal(10, 3), 0, 20)`"),
        ),
        Function::Choice => check_choice(args, call, &arity_error),
        _ if arity_ok => None,
        _ => arity_error(match builtin.arity() {
            Arity::Exactly(1) => "1 argument".to_string(),
            Arity::Exactly(n) => format!("{n} arguments {}", builtin.arguments),
            Arity::AtLeast(n) => format!("{n} or more arguments"),
        }),
    }
}

/// Checks `choice([values], [weights])`: two lists of the same, non-zero length.
fn check_choice(args: &[Expr], call: &Expr, arity_error: &dyn Fn(String) -> Option<Diagnostic>) -> Option<Diagnostic> {
    let lists = args.iter().filter(|a| matches!(a.kind, ExprKind::List(_))).count();
    if args.len() != 2 || lists != 2 {
        return arity_error("2 lists ([values], [weights])".into())
            .map(|d| d.with_help("e.g. `choice([10k, 20k], [0.3, 0.7])`"));
    }
    let (ExprKind::List(values), ExprKind::List(weights)) = (&args[0].kind, &args[1].kind) else { return None };
    if values.is_empty() || values.len() != weights.len() {
        return Some(Diagnostic::new(
            format!(
                "`choice` needs as many weights as values, at least one (got {} values, {} weights)",
                values.len(),
                weights.len()
            ),
            call.span,
        ));
    }
    None
}

/// True for a distribution call or `a to b`.
pub(super) fn is_distribution(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::To(..) => true,
        ExprKind::Call { name, .. } => DistKind::from_name(name).is_some(),
        _ => false,
    }
}

/// A list that is not an argument of `choice`.
fn stray_list(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::List(_) => Some(e),
        ExprKind::Call { name, args, .. } if name == "choice" => args.iter().find_map(|a| match &a.kind {
            ExprKind::List(items) => items.iter().find_map(stray_list),
            _ => stray_list(a),
        }),
        ExprKind::Call { args, .. } => args.iter().find_map(stray_list),
        ExprKind::Unary(_, a) => stray_list(a),
        ExprKind::Binary(_, a, b) | ExprKind::To(a, b) => stray_list(a).or_else(|| stray_list(b)),
        ExprKind::Num(_) | ExprKind::Name(_) => None,
    }
}

/// Vars in an order where each comes after every var it uses: depth-first, in
/// declaration order, so the order is stable. A cycle gives a diagnostic with its path.
pub(super) fn order(model: &Model, deps: &[Vec<usize>]) -> Result<Vec<usize>, Diagnostic> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        v: usize,
        deps: &[Vec<usize>],
        marks: &mut [Mark],
        path: &mut Vec<usize>,
        out: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match marks[v] {
            Mark::Done => return Ok(()),
            Mark::Active => {
                let start = path.iter().position(|&p| p == v).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(v);
                return Err(cycle);
            }
            Mark::New => {}
        }
        marks[v] = Mark::Active;
        path.push(v);
        for &d in &deps[v] {
            visit(d, deps, marks, path, out)?;
        }
        path.pop();
        marks[v] = Mark::Done;
        out.push(v);
        Ok(())
    }
    let mut marks = vec![Mark::New; deps.len()];
    let mut out = Vec::with_capacity(deps.len());
    for v in 0..deps.len() {
        if let Err(cycle) = visit(v, deps, &mut marks, &mut Vec::new(), &mut out) {
            let names: Vec<&str> = cycle.iter().map(|&i| model.vars[i].name.name.as_str()).collect();
            let first = &model.vars[cycle[0]];
            return Err(Diagnostic::new(format!("cycle between vars: {}", names.join(" -> ")), first.name.span)
                .with_help("a var cannot depend on itself, directly or through other vars"));
        }
    }
    Ok(out)
}
