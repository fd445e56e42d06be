//! Lowering: each var's expression to column ops over virtual slots (one per value),
//! folding fully-constant subtrees (never reassociating), validating constant
//! distribution parameters, giving each var that draws random numbers its own stream, and
//! recording where each op comes from. Calls and distributions are in `draws`.

use std::rc::Rc;
use std::sync::Arc;

use super::alloc;
use super::program::{
    self, Binary, Factor, Layout, Marginal, Member, Op, OpOrigin, Operand, Program, Sampling, Unary, Value, VarInfo,
};
use crate::builtins;
use crate::correlation::CorrelationMatrix;
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::Sampler;
use crate::expr::{BinOp, Expr, ExprKind, UnaryOp};
use crate::model::Model;
use crate::units;

/// Lowers expressions to ops over virtual slots (one per value).
pub(super) struct Lowering<'m> {
    pub(super) model: &'m Model,
    /// Each var's expression with the conversions its units need (shared, so an
    /// expression keeps its address while it is lowered: see `Lowering::sample`).
    pub(super) exprs: Rc<Vec<Expr>>,
    /// Each var's unit as shown.
    shown: Vec<Option<String>>,
    sampling: Sampling,
    correlation: Option<CorrelationMatrix>,
    members: Vec<(usize, Member)>,
    ops: Vec<Op>,
    /// Where each op of `ops` comes from.
    origins: Vec<OpOrigin>,
    n_virtual: u32,
    values: Vec<Option<Value>>,
    /// Each var's factors, with the period each draws in (`None`: once per trial).
    factor_of: Vec<Vec<(Option<u32>, u32)>>,
    factors: Vec<Factor>,
    pub(super) marginals: Vec<Option<Marginal>>,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) current: usize,
    /// The model's number of periods (0 without periods).
    pub(super) periods: usize,
    /// While lowering period k of a per-period var: series are read at k, `t` is k.
    /// Cleared inside the argument of a function over a series.
    pub(super) pick: Option<usize>,
    /// While lowering period k of a per-period var: draws use the stream of period k.
    draw_period: Option<usize>,
}

impl<'m> Lowering<'m> {
    pub(super) fn new(
        model: &'m Model,
        units: units::Checked,
        sampling: Sampling,
        correlation: Option<CorrelationMatrix>,
    ) -> Lowering<'m> {
        let n = model.vars.len();
        Lowering {
            model,
            exprs: Rc::new(units.exprs),
            shown: units.shown,
            sampling,
            correlation,
            members: Vec::new(),
            ops: Vec::new(),
            origins: Vec::new(),
            n_virtual: 0,
            values: vec![None; n],
            factor_of: vec![Vec::new(); n],
            factors: Vec::new(),
            marginals: vec![None; n],
            diagnostics: Vec::new(),
            current: 0,
            periods: model.meta.periods.as_ref().map_or(0, |p| p.labels.len()),
            pick: None,
            draw_period: None,
        }
    }

    pub(super) fn var(&mut self, v: usize) {
        self.current = v;
        let def = &self.model.vars[v];
        if !def.is_per_period() {
            let value = self.value(v);
            if matches!(value, Some(Value::Series(_))) && !self.factor_of[v].is_empty() {
                self.diagnostics.push(Diagnostic::new(Problem::SeriesDraw(def.name.name.clone()), def.expr.span));
                return;
            }
            self.values[v] = value;
            return;
        }
        if self.periods == 0 {
            self.diagnostics
                .push(Diagnostic::new(Problem::PerPeriodWithoutPeriods(def.name.name.clone()), def.name.span));
            return;
        }
        let mut series = Vec::with_capacity(self.periods);
        for k in 0..self.periods {
            (self.pick, self.draw_period) = (Some(k), Some(k));
            let value = self.value(v);
            (self.pick, self.draw_period) = (None, None);
            match value {
                Some(value) => series.push(value.at(k)),
                None => return,
            }
        }
        self.values[v] = Some(Value::Series(series));
    }

    /// Var `v`'s value (in the period being lowered, for a per-period var), with an op
    /// that counts its non-finite values.
    fn value(&mut self, v: usize) -> Option<Value> {
        let first_slot = self.n_virtual;
        let value = match self.member(v) {
            Some(value) => value.map(Value::One),
            None => {
                let exprs = Rc::clone(&self.exprs);
                self.expr(&exprs[v])
            }
        }?;
        let draws = self.factor_of[v].iter().any(|&(period, _)| period == self.draw_period.map(|k| k as u32));
        let mut checked = Vec::new();
        let operands = match &value {
            Value::One(o) => vec![*o],
            Value::Series(s) => s.clone(),
        };
        for (k, operand) in operands.into_iter().enumerate() {
            // A var that draws owns the column holding its value (so a program can pin it:
            // see Program::pinned), even when its value is another var's, as in
            // `if(1, y, normal(0, 1))`: then it gets a copy.
            let operand = match operand {
                Operand::Slot(other) if other < first_slot && draws => {
                    self.binary(Binary::Op(crate::expr::BinOp::Mul), Operand::Slot(other), Operand::Const(1.0))
                }
                operand => operand,
            };
            if let Operand::Slot(slot) = operand {
                let period = match (&value, self.draw_period) {
                    (Value::Series(_), _) => Some(k as u32),
                    (Value::One(_), period) => period.map(|p| p as u32),
                };
                self.push(Op::Check { slot, var: v as u32, period });
                self.origins.last_mut().expect("just pushed").span = Some(self.model.vars[v].expr.span);
            }
            checked.push(operand);
        }
        Some(match value {
            Value::One(_) => Value::One(checked[0]),
            Value::Series(_) => Value::Series(checked),
        })
    }

    /// Lowers var `v` as a quantile-sampled input if it is one: a single distribution
    /// with constant parameters, correlated or under `lhs`/`qmc` sampling. `None` means
    /// "lower it normally"; `Some(None)` reports a problem.
    fn member(&mut self, v: usize) -> Option<Option<Operand>> {
        let exprs = Rc::clone(&self.exprs);
        let expr = &exprs[v];
        let correlated = self.correlation.as_ref().is_some_and(|c| c.vars.contains(&self.model.vars[v].name.name));
        if !(correlated || self.sampling != Sampling::Mc) || !expr.is_distribution() {
            return None;
        }
        if correlated && self.model.vars[v].is_per_period() {
            let problem = Problem::CorrelatedPerPeriod(self.var_name().to_string());
            return Some(self.error(Diagnostic::new(problem, expr.span)));
        }
        let first_op = self.ops.len();
        let Some((kind, params)) = self.dist_params(expr) else {
            return Some(None);
        };
        let constants = constants(&params);
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
        if !self.per_period() {
            self.marginals[v] = Some(Marginal::Plain(sampler.clone()));
        }
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
            self.origins.insert(0, OpOrigin { var: None, period: None, span: None });
        }
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
                unit: self.shown[i].take(),
                source: v.source.clone(),
                note: v.note.clone(),
                factors: self.factor_of[i].iter().map(|&(_, f)| f).collect(),
                series: matches!(self.values[i], Some(Value::Series(_))),
                constant: match self.values[i] {
                    Some(Value::One(Operand::Const(c))) => Some(c),
                    _ => None,
                },
                uses: uses.into_iter().map(|u| u as u32).collect(),
                marginal,
            })
            .collect();
        let layout = Layout {
            ops: self.ops,
            origins: self.origins,
            n_virtual: self.n_virtual,
            values: self.values.into_iter().zip(&model.vars).map(|(value, v)| (value, v.expr.is_boolean())).collect(),
        };
        let laid = alloc::lay_out(&layout, outputs);
        Program {
            sampling: self.sampling,
            correlation: self.correlation,
            layout: Arc::new(layout),
            ops: laid.ops,
            origins: laid.origins,
            n_slots: laid.n_slots,
            vars,
            factors: self.factors,
            outputs: laid.outputs,
            periods: model.meta.periods.as_ref().map_or_else(Vec::new, |p| p.labels.clone()),
            lints: Vec::new(),
            percentiles: model.meta.percentiles.clone().unwrap_or_default(),
        }
    }

    /// Appends an op of the var being lowered; [`Lowering::expr`] gives it its span.
    pub(super) fn push(&mut self, op: Op) {
        self.ops.push(op);
        let period = self.draw_period.map(|k| k as u32);
        self.origins.push(OpOrigin { var: Some(self.current as u32), period, span: None });
    }

    pub(super) fn slot(&mut self) -> u32 {
        self.n_virtual += 1;
        self.n_virtual - 1
    }

    /// True while lowering a period of a per-period var.
    pub(super) fn per_period(&self) -> bool {
        self.draw_period.is_some()
    }

    pub(super) fn var_name(&self) -> &'m str {
        &self.model.vars[self.current].name.name
    }

    /// The stream of the var being lowered (of the period being lowered, for a
    /// per-period var), created at its first draw.
    pub(super) fn stream(&mut self) -> u32 {
        let period = self.draw_period.map(|k| k as u32);
        if let Some(&(_, f)) = self.factor_of[self.current].iter().find(|(p, _)| *p == period) {
            return f;
        }
        let f = self.factors.len() as u32;
        let key = match period {
            Some(k) => crate::stream::stream_key(&format!("{}[{k}]", self.var_name())),
            None => crate::stream::stream_key(self.var_name()),
        };
        self.factors.push(Factor { var: self.current as u32, period, key });
        self.factor_of[self.current].push((period, f));
        f
    }

    pub(super) fn error<T>(&mut self, d: Diagnostic) -> Option<T> {
        self.diagnostics.push(d);
        None
    }

    /// Lowers `e`, giving the ops it adds the span of the smallest expression that made
    /// them; `None` after reporting a problem in it.
    pub(super) fn expr(&mut self, e: &Expr) -> Option<Value> {
        let first_op = self.ops.len();
        let value = self.lower(e);
        self.origins[first_op..].iter_mut().for_each(|o| _ = o.span.get_or_insert(e.span));
        value
    }

    /// Lowers `e`, which must have one value per trial (in the period being lowered).
    pub(super) fn scalar(&mut self, e: &Expr, what: &dyn Fn() -> Problem) -> Option<Operand> {
        match self.expr(e)? {
            Value::One(o) => Some(o),
            Value::Series(_) => self.error(Diagnostic::new(what(), e.span)),
        }
    }

    /// The recursion over the tree: its frame holds only what an operator needs, so a
    /// tree [`crate::expr::MAX_HEIGHT`] high fits a small stack in a debug build too.
    fn lower(&mut self, e: &Expr) -> Option<Value> {
        let value = match &e.kind {
            ExprKind::Unary(op, a) => {
                let a = self.expr(a)?;
                self.unary_value(*op, a)?
            }
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                self.binary_value(*op, a?, b?)?
            }
            _ => self.other(e)?,
        };
        self.picked_and_finite(e, value)
    }

    /// `op a`, period by period if `a` is a series.
    fn unary_value(&mut self, op: UnaryOp, a: Value) -> Option<Value> {
        let f = match op {
            UnaryOp::Neg => Unary::Neg,
            UnaryOp::Not => Unary::Not,
        };
        self.each(&[a], |l, v| Some(l.unary(f, v[0])))
    }

    /// `a op b`, period by period if either is a series.
    fn binary_value(&mut self, op: BinOp, a: Value, b: Value) -> Option<Value> {
        self.each(&[a, b], |l, v| Some(l.binary(Binary::Op(op), v[0], v[1])))
    }

    /// `e`, a leaf, a distribution, a call or a list.
    fn other(&mut self, e: &Expr) -> Option<Value> {
        Some(match &e.kind {
            ExprKind::Num(v) => Value::One(Operand::Const(*v)),
            ExprKind::Name(n) => match self.model.var_index(n) {
                Some(i) => self.values[i].clone()?,
                None if n == builtins::PERIOD_INDEX => {
                    Value::Series((0..self.periods).map(|k| Operand::Const(k as f64)).collect())
                }
                None => Value::One(Operand::Const(builtins::constant(n).unwrap_or(f64::NAN))),
            },
            ExprKind::To(..) => {
                let (kind, params) = self.dist_params(e)?;
                Value::One(self.sample(e, kind, params, None)?)
            }
            ExprKind::Call { name, args, .. } => self.call(e, name, args)?,
            ExprKind::List(items) => self.list(e, items)?,
            ExprKind::Unary(..) | ExprKind::Binary(..) | ExprKind::Invalid => return None,
        })
    }

    /// `value` of `e`, the picked period's if a period is being lowered; refused if it is
    /// a constant that is not finite.
    fn picked_and_finite(&mut self, e: &Expr, value: Value) -> Option<Value> {
        let value = match (value, self.pick) {
            (Value::Series(s), Some(k)) => Value::One(s[k]),
            (value, _) => value,
        };
        let constants = match &value {
            Value::One(o) => std::slice::from_ref(o),
            Value::Series(s) => &s[..],
        };
        if let Some(c) = constants.iter().find_map(|o| match o {
            Operand::Const(c) if !c.is_finite() => Some(*c),
            _ => None,
        }) {
            let text = self.model.sources.text(e.span).to_string();
            let problem = Problem::NotFinite { text, value: c, var: self.var_name().to_string() };
            return self.error(Diagnostic::new(problem, e.span));
        }
        Some(value)
    }

    /// A list outside `choice`: a series with one value per period.
    fn list(&mut self, e: &Expr, items: &[Expr]) -> Option<Value> {
        if items.len() != self.periods {
            let problem =
                Problem::ListLength { got: items.len(), periods: self.periods, var: self.var_name().to_string() };
            return self.error(Diagnostic::new(problem, e.span));
        }
        let var = self.var_name().to_string();
        let what = || Problem::NotScalar { what: "each value of a list".into(), var: var.clone() };
        let values: Vec<Option<Operand>> = items.iter().map(|item| self.scalar(item, &what)).collect();
        Some(Value::Series(values.into_iter().collect::<Option<_>>()?))
    }

    /// `f` applied to the operands of `args`: once if every one is the same in every
    /// period, else period by period (a scalar is the same in every period).
    pub(super) fn each(
        &mut self,
        args: &[Value],
        mut f: impl FnMut(&mut Self, &[Operand]) -> Option<Operand>,
    ) -> Option<Value> {
        let series = args.iter().any(|a| matches!(a, Value::Series(_)));
        if !series {
            let operands: Vec<Operand> = args.iter().map(|a| a.at(0)).collect();
            return Some(Value::One(f(self, &operands)?));
        }
        let mut out = Vec::with_capacity(self.periods);
        for k in 0..self.periods {
            let operands: Vec<Operand> = args.iter().map(|a| a.at(k)).collect();
            out.push(f(self, &operands)?);
        }
        Some(Value::Series(out))
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

    pub(super) fn args(&mut self, args: &[Expr]) -> Option<Vec<Value>> {
        let lowered: Vec<Option<Value>> = args.iter().map(|a| self.expr(a)).collect();
        lowered.into_iter().collect()
    }

    /// The arguments of a draw: one value per trial each (in the period being lowered).
    pub(super) fn draw_args<'e>(&mut self, args: impl IntoIterator<Item = &'e Expr>) -> Option<Vec<Operand>> {
        let var = self.var_name().to_string();
        let what = || Problem::SeriesDraw(var.clone());
        let lowered: Vec<Option<Operand>> = args.into_iter().map(|a| self.scalar(a, &what)).collect();
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

/// The values of `operands` if every one is a constant.
pub(super) fn constants(operands: &[Operand]) -> Option<Vec<f64>> {
    operands
        .iter()
        .map(|p| match p {
            Operand::Const(c) => Some(*c),
            Operand::Slot(_) => None,
        })
        .collect()
}
