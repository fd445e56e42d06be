//! Name resolution, call checking and evaluation order.
//!
//! Checks every name and call in every var against the vars, the constants and the
//! built-in functions (with "did you mean" suggestions), then orders the vars so each
//! comes after the vars it uses, reporting every cycle with its full path. A var with a
//! problem is marked broken, and left out with everything that uses it, so the other
//! vars are still checked.

use std::collections::HashMap;

use crate::builtins::{self, Arity, Function};
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::DistKind;
use crate::expr::{Expr, ExprKind};
use crate::model::Model;
use crate::source::did_you_mean;

/// What resolution found.
pub(super) struct Resolved {
    /// The vars each var uses, by index.
    pub(super) deps: Vec<Vec<usize>>,
    /// Vars with a problem of their own (or an expression that did not parse).
    pub(super) broken: Vec<bool>,
    /// The problems.
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// Resolves every var's names and calls.
pub(super) fn resolve(model: &Model) -> Resolved {
    let index: HashMap<&str, usize> = model.vars.iter().enumerate().map(|(i, v)| (v.name.name.as_str(), i)).collect();
    let mut resolved = Resolved { deps: Vec::new(), broken: Vec::new(), diagnostics: Vec::new() };
    let periods = model.meta.periods.is_some();
    for var in &model.vars {
        let name = &var.name.name;
        let before = resolved.diagnostics.len();
        let diagnostics = &mut resolved.diagnostics;
        let period_index = periods && name == builtins::PERIOD_INDEX;
        if builtins::constant(name).is_some() || builtins::RESERVED.contains(&name.as_str()) || period_index {
            diagnostics.push(Diagnostic::new(Problem::Reserved(name.clone()), var.name.span));
        }
        let mut uses = Vec::new();
        var.expr.walk(&mut |e| match &e.kind {
            ExprKind::Name(n) => match index.get(n.as_str()) {
                Some(&i) => uses.push(i),
                None if builtins::constant(n).is_some() || (periods && n == builtins::PERIOD_INDEX) => {}
                None if n == builtins::PERIOD_INDEX => {
                    let problem = Problem::NoPeriods { what: "`t` (the period index)".into(), var: name.clone() };
                    diagnostics.push(Diagnostic::new(problem, e.span));
                }
                None => diagnostics.push(Diagnostic::new(unknown_name(n, name, model), e.span)),
            },
            ExprKind::Call { name: f, name_span, args, .. } => {
                if let Some((problem, span)) = check_call(f, args, e) {
                    diagnostics.push(Diagnostic::at(problem.in_var(name), span.or(Some(*name_span))));
                }
            }
            _ => {}
        });
        if let Some(list) = stray_list(&var.expr).filter(|_| !periods) {
            diagnostics.push(Diagnostic::new(Problem::StrayList(name.clone()), list.span));
        }
        uses.sort_unstable();
        uses.dedup();
        resolved.deps.push(uses);
        let invalid = matches!(var.expr.kind, ExprKind::Invalid);
        resolved.broken.push(invalid || resolved.diagnostics.len() > before);
    }
    resolved
}

fn unknown_name(n: &str, var: &str, model: &Model) -> Problem {
    let names = model.vars.iter().map(|v| v.name.name.as_str()).chain(builtins::CONSTANTS.iter().map(|(c, _)| *c));
    Problem::UnknownName {
        name: n.to_string(),
        var: var.to_string(),
        suggestion: did_you_mean(n, names).map(str::to_string),
        is_function: builtins::callables().any(|f| f == n),
    }
}

/// Checks that `f` exists and gets the right number and kind of arguments; a problem, and
/// its place when it is not the call's name.
fn check_call(f: &str, args: &[Expr], call: &Expr) -> Option<(Problem, Option<crate::source::Span>)> {
    let arity = |wanted: String, example: Option<&'static str>| {
        Some((Problem::Arity { function: f.to_string(), wanted, got: args.len(), example }, Some(call.span)))
    };
    if let Some(kind) = DistKind::from_name(f) {
        let params = kind.params();
        let lists = args.iter().take_while(|a| matches!(a.kind, ExprKind::List(_))).count();
        return match kind {
            DistKind::Empirical if lists != 1 || args.len() != 1 => arity(
                "1 list ([values])".into(),
                Some("e.g. `empirical([12k, 15k, 14k, 19k])`, or `data = \"file.csv\"` to read the values"),
            ),
            DistKind::Metalog if lists != 2 || !(2..=4).contains(&args.len()) => arity(
                "2 lists ([probabilities], [quantiles]), then optionally lower and upper bounds".into(),
                Some("e.g. `metalog([0.1, 0.5, 0.9], [3M, 6M, 15M], 0)`"),
            ),
            _ if (kind.required()..=params.len()).contains(&args.len()) => None,
            _ if kind.required() < params.len() => {
                arity(format!("{} or {} arguments ({})", kind.required(), params.len(), params.join(", ")), None)
            }
            _ => arity(format!("{} arguments ({})", params.len(), params.join(", ")), None),
        };
    }
    let Some(builtin) = builtins::function(f) else {
        let suggestion = did_you_mean(f, builtins::callables()).map(str::to_string);
        return Some((Problem::UnknownFunction { name: f.to_string(), suggestion }, Some(call.span)));
    };
    let arity_ok = match builtin.arity() {
        Arity::Exactly(n) => args.len() == n,
        Arity::AtLeast(n) => args.len() >= n,
    };
    match builtin.function {
        Function::Truncate if arity_ok && !args[0].is_distribution() => {
            Some((Problem::TruncateNeedsDistribution, Some(args[0].span)))
        }
        Function::Truncate if arity_ok && matches!(&args[0].kind, ExprKind::Call { name, .. } if name == "metalog") => {
            Some((Problem::TruncateMetalog, Some(args[0].span)))
        }
        Function::Choice => {
            let lists = args.iter().filter(|a| matches!(a.kind, ExprKind::List(_))).count();
            if args.len() != 2 || lists != 2 {
                return arity("2 lists ([values], [weights])".into(), Some("e.g. `choice([10k, 20k], [0.3, 0.7])`"));
            }
            let (ExprKind::List(values), ExprKind::List(weights)) = (&args[0].kind, &args[1].kind) else { return None };
            let (values, weights) = (values.len(), weights.len());
            (values == 0 || values != weights).then_some((Problem::ChoiceWeights { values, weights }, Some(call.span)))
        }
        _ if arity_ok => None,
        _ => arity(
            match builtin.arity() {
                Arity::Exactly(1) => "1 argument".to_string(),
                Arity::Exactly(n) => format!("{n} arguments {}", builtin.arguments),
                Arity::AtLeast(n) => format!("{n} or more arguments"),
            },
            None,
        ),
    }
}

/// A list that is not an argument of `choice`, `metalog` or `empirical` (in a model with
/// periods, a series).
fn stray_list(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::List(_) => Some(e),
        ExprKind::Call { name, args, .. } if ["choice", "metalog", "empirical"].contains(&name.as_str()) => {
            args.iter().find_map(|a| match &a.kind {
                ExprKind::List(items) => items.iter().find_map(stray_list),
                _ => stray_list(a),
            })
        }
        ExprKind::Call { args, .. } => args.iter().find_map(stray_list),
        ExprKind::Unary(_, a) => stray_list(a),
        ExprKind::Binary(_, a, b) | ExprKind::To(a, b) => stray_list(a).or_else(|| stray_list(b)),
        ExprKind::Num(_) | ExprKind::Name(_) | ExprKind::Invalid => None,
    }
}

/// The vars that can be computed, in an order where each comes after every var it uses
/// (depth-first, in declaration order, so the order is stable), and a diagnostic for
/// each cycle with its path. Vars in or after a cycle are left out.
pub(super) fn order(model: &Model, deps: &[Vec<usize>]) -> (Vec<usize>, Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done(bool),
    }
    struct Walk<'a> {
        deps: &'a [Vec<usize>],
        marks: Vec<Mark>,
        path: Vec<usize>,
        out: Vec<usize>,
        cycles: Vec<Vec<usize>>,
    }
    impl Walk<'_> {
        /// Visits `v`; true if it can be computed.
        fn visit(&mut self, v: usize) -> bool {
            match self.marks[v] {
                Mark::Done(usable) => return usable,
                Mark::Active => {
                    let start = self.path.iter().position(|&p| p == v).unwrap_or(0);
                    let mut cycle = self.path[start..].to_vec();
                    cycle.push(v);
                    self.cycles.push(cycle);
                    return false;
                }
                Mark::New => {}
            }
            self.marks[v] = Mark::Active;
            self.path.push(v);
            let mut usable = true;
            for &d in &self.deps[v] {
                usable &= self.visit(d);
            }
            self.path.pop();
            self.marks[v] = Mark::Done(usable);
            if usable {
                self.out.push(v);
            }
            usable
        }
    }
    let mut walk =
        Walk { deps, marks: vec![Mark::New; deps.len()], path: Vec::new(), out: Vec::new(), cycles: Vec::new() };
    for v in 0..deps.len() {
        walk.visit(v);
    }
    let diagnostics = walk
        .cycles
        .iter()
        .map(|cycle| {
            let names = cycle.iter().map(|&i| model.vars[i].name.name.clone()).collect();
            Diagnostic::new(Problem::Cycle(names), model.vars[cycle[0]].name.span)
        })
        .collect();
    (walk.out, diagnostics)
}
