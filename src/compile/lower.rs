//! Lowering: each var's expression to column ops over virtual slots (one per value),
//! folding fully-constant subtrees (never reassociating), validating constant
//! distribution parameters, giving each var that draws random numbers its own stream, and
//! recording where each op comes from. Calls and distributions are in `draws`.

use super::program::{
    self, Binary, Factor, Marginal, Member, Op, OpOrigin, Operand, Output, Program, Sampling, Unary, VarInfo,
};
use super::{alloc, resolve};
use crate::builtins;
use crate::correlation::CorrelationMatrix;
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::Sampler;
use crate::expr::{Expr, ExprKind, UnaryOp};
use crate::model::Model;

/// Lowers expressions to ops over virtual slots (one per value).
pub(super) struct Lowering<'m> {
    pub(super) model: &'m Model,
    sampling: Sampling,
    correlation: Option<CorrelationMatrix>,
    members: Vec<(usize, Member)>,
    ops: Vec<Op>,
    /// Where each op of `ops` comes from.
    origins: Vec<OpOrigin>,
    n_virtual: u32,
    values: Vec<Option<Operand>>,
    factor_of: Vec<Option<u32>>,
    factors: Vec<Factor>,
    pub(super) marginals: Vec<Option<Marginal>>,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) current: usize,
}

impl<'m> Lowering<'m> {
    pub(super) fn new(model: &'m Model, sampling: Sampling, correlation: Option<CorrelationMatrix>) -> Lowering<'m> {
        let n = model.vars.len();
        Lowering {
            model,
            sampling,
            correlation,
            members: Vec::new(),
            ops: Vec::new(),
            origins: Vec::new(),
            n_virtual: 0,
            values: vec![None; n],
            factor_of: vec![None; n],
            factors: Vec::new(),
            marginals: vec![None; n],
            diagnostics: Vec::new(),
            current: 0,
        }
    }

    pub(super) fn var(&mut self, v: usize) {
        self.current = v;
        let first_slot = self.n_virtual;
        let mut value = match self.member(v) {
            Some(value) => value,
            None => self.expr(&self.model.vars[v].expr),
        };
        // A var that draws owns the column holding its value (so a program can pin it:
        // see Program::pinned), even when its value is another var's, as in
        // `if(1, y, normal(0, 1))`: then it gets a copy.
        if let Some(Operand::Slot(other)) = value
            && other < first_slot
            && self.factor_of[v].is_some()
        {
            value = Some(self.binary(Binary::Op(crate::expr::BinOp::Mul), Operand::Slot(other), Operand::Const(1.0)));
        }
        if let Some(Operand::Slot(slot)) = value {
            self.push(Op::Check { slot, var: v as u32 });
            self.origins.last_mut().expect("just pushed").span = Some(self.model.vars[v].expr.span);
        }
        self.values[v] = value;
    }

    /// Lowers var `v` as a quantile-sampled input if it is one: a single distribution
    /// with constant parameters, correlated or under `lhs`/`qmc` sampling. `None` means
    /// "lower it normally"; `Some(None)` reports a problem.
    fn member(&mut self, v: usize) -> Option<Option<Operand>> {
        let expr = &self.model.vars[v].expr;
        let correlated = self.correlation.as_ref().is_some_and(|c| c.vars.contains(&self.model.vars[v].name.name));
        if !(correlated || self.sampling != Sampling::Mc) || !resolve::is_distribution(expr) {
            return None;
        }
        let first_op = self.ops.len();
        let Some((kind, params)) = self.dist_params(expr) else {
            return Some(None);
        };
        let constants: Option<Vec<f64>> =
            params.iter().map(|p| if let Operand::Const(c) = p { Some(*c) } else { None }).collect();
        let Some(constants) = constants else {
            if !correlated {
                self.ops.truncate(first_op);
                self.origins.truncate(first_op);
                return None;
            }
            return Some(
                self.error(Diagnostic::new(Problem::CorrelatedNotConstant(self.var_name().to_string()), expr.span)),
            );
        };
        let sampler = match Sampler::new(kind, &constants) {
            Ok(s) => s,
            Err(rule) => {
                return Some(self.error(self.invalid(expr, &format!("`{}(...)`", kind.name()), &rule.to_string())));
            }
        };
        if self.sampling == Sampling::Qmc && self.members.len() == crate::qmc::MAX_DIMENSIONS {
            let problem = Problem::TooManyQmc { max: crate::qmc::MAX_DIMENSIONS, var: self.var_name().to_string() };
            return Some(self.error(Diagnostic::new(problem, expr.span)));
        }
        let (stream, dst) = (self.stream(), self.slot());
        let table = crate::dist::Tabulated::new(&sampler).map(Box::new);
        self.marginals[v] = Some(Marginal::Plain(sampler.clone()));
        self.members.push((v, Member { stream, sampler, table, dst, dim: 0 }));
        Some(Some(Operand::Slot(dst)))
    }

    /// The op that fills every quantile-sampled input, members in declaration order.
    fn quantile_op(&mut self) -> Option<Op> {
        if self.members.is_empty() {
            return None;
        }
        self.members.sort_by_key(|(v, _)| *v);
        let names: Vec<&str> = self.members.iter().map(|(v, _)| self.model.vars[*v].name.name.as_str()).collect();
        let (correlated, cholesky) = match &self.correlation {
            Some(c) => (
                c.vars.iter().map(|name| names.iter().position(|n| n == name).expect("member")).collect(),
                c.cholesky.clone(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let members =
            self.members.iter().enumerate().map(|(dim, (_, m))| Member { dim: dim as u32, ..m.clone() }).collect();
        Some(Op::Quantile { sampling: self.sampling, members, correlated, cholesky })
    }

    pub(super) fn finish(mut self, outputs: &[usize], deps: Vec<Vec<usize>>) -> Program {
        if let Some(op) = self.quantile_op() {
            self.ops.insert(0, op);
            self.origins.insert(0, OpOrigin { var: None, span: None });
        }
        let mut pinned = Vec::new();
        for &v in outputs {
            let slot = match self.values[v] {
                Some(Operand::Slot(s)) => s,
                constant => {
                    let dst = self.slot();
                    self.ops.push(Op::Fill { value: value_of(constant), dst });
                    self.origins.push(OpOrigin { var: None, span: None });
                    dst
                }
            };
            pinned.push(slot);
        }
        let (n_slots, physical) = alloc::allocate(&mut self.ops, self.n_virtual as usize, &pinned);
        let model = self.model;
        let vars = model
            .vars
            .iter()
            .zip(deps)
            .zip(std::mem::take(&mut self.marginals))
            .enumerate()
            .map(|(i, ((v, uses), marginal))| VarInfo {
                name: v.name.name.clone(),
                text: v.text.clone(),
                unit: v.unit.clone(),
                source: v.source.clone(),
                note: v.note.clone(),
                factor: self.factor_of[i],
                constant: match self.values[i] {
                    Some(Operand::Const(c)) => Some(c),
                    _ => None,
                },
                uses: uses.into_iter().map(|u| u as u32).collect(),
                marginal,
            })
            .collect();
        let outputs = outputs
            .iter()
            .zip(physical)
            .map(|(&v, slot)| Output { var: v as u32, slot, boolean: model.vars[v].expr.is_boolean() })
            .collect();
        Program {
            sampling: self.sampling,
            correlation: self.correlation,
            ops: self.ops,
            origins: self.origins,
            n_slots,
            vars,
            factors: self.factors,
            outputs,
        }
    }

    /// Appends an op of the var being lowered; [`Lowering::expr`] gives it its span.
    pub(super) fn push(&mut self, op: Op) {
        self.ops.push(op);
        self.origins.push(OpOrigin { var: Some(self.current as u32), span: None });
    }

    pub(super) fn slot(&mut self) -> u32 {
        self.n_virtual += 1;
        self.n_virtual - 1
    }

    pub(super) fn var_name(&self) -> &'m str {
        &self.model.vars[self.current].name.name
    }

    /// The stream of the var being lowered, created at its first draw.
    pub(super) fn stream(&mut self) -> u32 {
        if let Some(f) = self.factor_of[self.current] {
            return f;
        }
        let f = self.factors.len() as u32;
        self.factors.push(Factor { var: self.current as u32, key: crate::stream::stream_key(self.var_name()) });
        self.factor_of[self.current] = Some(f);
        f
    }

    pub(super) fn error(&mut self, d: Diagnostic) -> Option<Operand> {
        self.diagnostics.push(d);
        None
    }

    /// Lowers `e`, giving the ops it adds the span of the smallest expression that made
    /// them; `None` after reporting a problem in it.
    pub(super) fn expr(&mut self, e: &Expr) -> Option<Operand> {
        let first_op = self.ops.len();
        let value = self.lower(e);
        self.origins[first_op..].iter_mut().for_each(|o| _ = o.span.get_or_insert(e.span));
        value
    }

    fn lower(&mut self, e: &Expr) -> Option<Operand> {
        let value = match &e.kind {
            ExprKind::Num(v) => Operand::Const(*v),
            ExprKind::Name(n) => match self.model.vars.iter().position(|v| &v.name.name == n) {
                Some(i) => self.values[i]?,
                None => Operand::Const(builtins::constant(n).unwrap_or(f64::NAN)),
            },
            ExprKind::Unary(op, a) => {
                let f = match op {
                    UnaryOp::Neg => Unary::Neg,
                    UnaryOp::Not => Unary::Not,
                };
                let a = self.expr(a)?;
                self.unary(f, a)
            }
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                self.binary(Binary::Op(*op), a?, b?)
            }
            ExprKind::To(..) => {
                let (kind, params) = self.dist_params(e)?;
                self.sample(e, kind, params, None)?
            }
            ExprKind::Call { name, args, .. } => self.call(e, name, args)?,
            ExprKind::List(_) | ExprKind::Invalid => return None,
        };
        if let Operand::Const(c) = value
            && !c.is_finite()
        {
            let text = self.model.sources.text(e.span).to_string();
            let problem = Problem::NotFinite { text, value: c, var: self.var_name().to_string() };
            return self.error(Diagnostic::new(problem, e.span));
        }
        Some(value)
    }

    pub(super) fn unary(&mut self, f: Unary, a: Operand) -> Operand {
        if let Operand::Const(a) = a {
            return Operand::Const(f.apply(a));
        }
        let dst = self.slot();
        self.push(Op::Unary { f, a, dst });
        Operand::Slot(dst)
    }

    pub(super) fn binary(&mut self, f: Binary, a: Operand, b: Operand) -> Operand {
        if let (Operand::Const(a), Operand::Const(b)) = (a, b) {
            return Operand::Const(f.apply(a, b));
        }
        let dst = self.slot();
        self.push(Op::Binary { f, a, b, dst });
        Operand::Slot(dst)
    }

    pub(super) fn args(&mut self, args: &[Expr]) -> Option<Vec<Operand>> {
        let lowered: Vec<Option<Operand>> = args.iter().map(|a| self.expr(a)).collect();
        lowered.into_iter().collect()
    }

    pub(super) fn select(&mut self, cond: Operand, a: Operand, b: Operand) -> Operand {
        if let Operand::Const(c) = cond {
            return if c != 0.0 { a } else { b }; // Constants are finite: never NaN.
        }
        let dst = self.slot();
        self.push(Op::Select { cond, a, b, dst });
        Operand::Slot(dst)
    }

    pub(super) fn clamp(&mut self, e: &Expr, x: Operand, lo: Operand, hi: Operand) -> Option<Operand> {
        if let (Operand::Const(lo), Operand::Const(hi)) = (lo, hi)
            && lo > hi
        {
            let problem = Problem::ClampOrder { lo, hi, var: self.var_name().to_string() };
            return self.error(Diagnostic::new(problem, e.span));
        }
        if let (Operand::Const(x), Operand::Const(lo), Operand::Const(hi)) = (x, lo, hi) {
            return Some(Operand::Const(program::clamp(x, lo, hi)));
        }
        let dst = self.slot();
        self.push(Op::Clamp { x, lo, hi, dst });
        Some(Operand::Slot(dst))
    }
}

fn value_of(value: Option<Operand>) -> f64 {
    match value {
        Some(Operand::Const(c)) => c,
        _ => f64::NAN,
    }
}
