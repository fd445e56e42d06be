//! Compile step: a [`Model`] to a [`Program`] of column ops.
//!
//! In order: resolve every name and call (`resolve`), order the vars and reject cycles,
//! lower each var's expression to ops (folding fully-constant subtrees, validating
//! constant distribution parameters, giving each var that draws random numbers its own
//! stream), then allocate columns (`alloc`). Folding never reassociates or rewrites
//! operations, so results match a hand-written evaluation of the same formula.

mod alloc;
mod correlations;
pub mod program;
mod resolve;

pub use program::{Factor, Marginal, Op, OpOrigin, Operand, Output, Program, Sampling, VarInfo};

use crate::builtins::{self, Function, Math};
use crate::correlation::CorrelationMatrix;
use crate::dist::{self, DistKind, Sampler, Truncated};
use crate::error::Result;
use crate::expr::{Expr, ExprKind, UnaryOp};
use crate::model::Model;
use crate::source::{Diagnostic, did_you_mean};
use program::{Binary, Draw, Member, Unary};

/// How to compile a model, beyond what its file says: run options, not model data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompileOptions {
    /// The sampling method, overriding the model's `sampling` (`--sampling`).
    pub sampling: Option<Sampling>,
    /// Replace an impossible correlation matrix by the nearest valid one instead of
    /// failing (`--repair-correlations`).
    pub repair_correlations: bool,
    /// Vars to report besides the model's outputs (after them), e.g. inputs for samples.
    pub extra_outputs: Vec<String>,
}

/// Compiles `model`: every var, with the model's outputs (or, by default, the vars no
/// other var uses) and `options.extra_outputs` as the program's outputs.
///
/// # Errors
/// [`crate::Error::Model`] with every problem found; [`crate::Error::Usage`] for an
/// unknown extra output.
pub fn compile(model: &Model, options: &CompileOptions) -> Result<Program> {
    let (deps, mut diagnostics) = resolve::resolve(model);
    diagnostics.extend(correlations::check(model));
    let outputs = output_vars(model, &deps).unwrap_or_else(|d| {
        diagnostics.extend(d);
        Vec::new()
    });
    if !diagnostics.is_empty() {
        diagnostics.sort_by_key(|d| d.span.map(|s| s.start));
        return Err(model.error(diagnostics));
    }
    let order = resolve::order(model, &deps).map_err(|d| model.error(vec![d]))?;
    let outputs = with_extra(model, outputs, &options.extra_outputs)?;
    let sampling = match options.sampling {
        Some(sampling) => sampling,
        None => sampling(model)?,
    };
    let correlation = match model.correlations.is_empty() {
        true => None,
        false => Some(CorrelationMatrix::new(&model.correlations, options.repair_correlations).map_err(|message| {
            let span = model.correlations[0].span;
            model.error(vec![Diagnostic::new(message, span).with_help(
                "change the coefficients, or run with --repair-correlations to use the nearest valid matrix",
            )])
        })?),
    };
    let mut lowering = Lowering::new(model, sampling, correlation);
    for &v in &order {
        lowering.var(v);
    }
    if !lowering.diagnostics.is_empty() {
        lowering.diagnostics.sort_by_key(|d| d.span.map(|s| s.start));
        return Err(model.error(lowering.diagnostics));
    }
    Ok(lowering.finish(&outputs, deps))
}

/// The sampling method the model asks for (default `mc`).
fn sampling(model: &Model) -> Result<Sampling> {
    let Some(named) = &model.meta.sampling else { return Ok(Sampling::Mc) };
    Sampling::from_name(&named.name).ok_or_else(|| {
        model.error(vec![
            Diagnostic::new(format!("unknown sampling method `{}`", named.name), named.span)
                .with_help("use `mc` (Monte Carlo), `lhs` (Latin hypercube) or `qmc` (randomised Sobol sequence)"),
        ])
    })
}

/// Indices of the vars to report, in report order: the model's `outputs`, or every var
/// that no other var uses.
fn output_vars(model: &Model, deps: &[Vec<usize>]) -> std::result::Result<Vec<usize>, Vec<Diagnostic>> {
    if let Some(names) = &model.meta.outputs
        && names.is_empty()
    {
        let d = Diagnostic::unplaced("`outputs` is empty, so there is nothing to report")
            .with_help("list the vars to report, or remove `outputs` to report every var no other var uses");
        return Err(vec![d]);
    }
    let Some(names) = &model.meta.outputs else {
        let mut used = vec![false; deps.len()];
        deps.iter().flatten().for_each(|&d| used[d] = true);
        return Ok((0..deps.len()).filter(|&v| !used[v]).collect());
    };
    let mut diagnostics = Vec::new();
    let mut outputs = Vec::new();
    for n in names {
        match model.vars.iter().position(|v| v.name.name == n.name) {
            Some(v) => outputs.push(v),
            None => {
                let d = Diagnostic::new(format!("unknown output `{}`", n.name), n.span);
                diagnostics.push(match did_you_mean(&n.name, model.vars.iter().map(|v| v.name.name.as_str())) {
                    Some(near) => d.with_help(format!("did you mean `{near}`?")),
                    None => d.with_help("outputs must name vars declared in [vars]"),
                });
            }
        }
    }
    if diagnostics.is_empty() { Ok(outputs) } else { Err(diagnostics) }
}

/// `outputs` followed by the `extra` vars not already in it.
fn with_extra(model: &Model, mut outputs: Vec<usize>, extra: &[String]) -> Result<Vec<usize>> {
    let names = || model.vars.iter().map(|v| v.name.name.as_str());
    for name in extra {
        let Some(v) = names().position(|n| n == name) else {
            let hint = did_you_mean(name, names()).map_or(String::new(), |n| format!("; did you mean `{n}`?"));
            return Err(crate::Error::Usage(format!("unknown var `{name}`{hint}")));
        };
        if !outputs.contains(&v) {
            outputs.push(v);
        }
    }
    Ok(outputs)
}

/// Lowers expressions to ops over virtual slots (one per value).
struct Lowering<'m> {
    model: &'m Model,
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
    marginals: Vec<Option<Marginal>>,
    diagnostics: Vec<Diagnostic>,
    current: usize,
}

impl<'m> Lowering<'m> {
    fn new(model: &'m Model, sampling: Sampling, correlation: Option<CorrelationMatrix>) -> Lowering<'m> {
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

    fn var(&mut self, v: usize) {
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
            return Some(self.error(Diagnostic::new(
                format!("var `{}` is correlated, so its distribution's parameters must be constant", self.var_name()),
                expr.span,
            )));
        };
        let sampler = match Sampler::new(kind, &constants) {
            Ok(s) => s,
            Err(rule) => {
                return Some(self.error(self.invalid(expr, &format!("`{}(...)`", kind.name()), &rule.to_string())));
            }
        };
        if self.sampling == Sampling::Qmc && self.members.len() == crate::qmc::MAX_DIMENSIONS {
            let message = format!(
                "qmc sampling supports at most {} inputs; `{}` is one too many",
                crate::qmc::MAX_DIMENSIONS,
                self.var_name()
            );
            return Some(
                self.error(Diagnostic::new(message, expr.span).with_help("use `lhs` or `mc` sampling for this model")),
            );
        }
        let (stream, dst) = (self.stream(), self.slot());
        let table = crate::dist::QuantileTable::new(&sampler).map(Box::new);
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

    fn finish(mut self, outputs: &[usize], deps: Vec<Vec<usize>>) -> Program {
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
    fn push(&mut self, op: Op) {
        self.ops.push(op);
        self.origins.push(OpOrigin { var: Some(self.current as u32), span: None });
    }

    fn slot(&mut self) -> u32 {
        self.n_virtual += 1;
        self.n_virtual - 1
    }

    fn var_name(&self) -> &'m str {
        &self.model.vars[self.current].name.name
    }

    /// The stream of the var being lowered, created at its first draw.
    fn stream(&mut self) -> u32 {
        if let Some(f) = self.factor_of[self.current] {
            return f;
        }
        let f = self.factors.len() as u32;
        self.factors.push(Factor { var: self.current as u32, key: crate::stream::stream_key(self.var_name()) });
        self.factor_of[self.current] = Some(f);
        f
    }

    fn error(&mut self, d: Diagnostic) -> Option<Operand> {
        self.diagnostics.push(d);
        None
    }

    /// Lowers `e`, giving the ops it adds the span of the smallest expression that made
    /// them; `None` after reporting a problem in it.
    fn expr(&mut self, e: &Expr) -> Option<Operand> {
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
            ExprKind::List(_) => return None,
        };
        if let Operand::Const(c) = value
            && !c.is_finite()
        {
            let text = self.model.sources.text(e.span).to_string();
            return self.error(
                Diagnostic::new(format!("`{text}` is {c}, not a finite number, in var `{}`", self.var_name()), e.span)
                    .with_help("check for division by zero, ln or sqrt of a negative, or overflow"),
            );
        }
        Some(value)
    }

    fn unary(&mut self, f: Unary, a: Operand) -> Operand {
        if let Operand::Const(a) = a {
            return Operand::Const(f.apply(a));
        }
        let dst = self.slot();
        self.push(Op::Unary { f, a, dst });
        Operand::Slot(dst)
    }

    fn binary(&mut self, f: Binary, a: Operand, b: Operand) -> Operand {
        if let (Operand::Const(a), Operand::Const(b)) = (a, b) {
            return Operand::Const(f.apply(a, b));
        }
        let dst = self.slot();
        self.push(Op::Binary { f, a, b, dst });
        Operand::Slot(dst)
    }

    fn args(&mut self, args: &[Expr]) -> Option<Vec<Operand>> {
        let lowered: Vec<Option<Operand>> = args.iter().map(|a| self.expr(a)).collect();
        lowered.into_iter().collect()
    }

    fn call(&mut self, e: &Expr, name: &str, args: &[Expr]) -> Option<Operand> {
        let Some(builtin) = builtins::function(name) else {
            let (kind, params) = self.dist_params(e)?;
            return self.sample(e, kind, params, None);
        };
        match builtin.function {
            Function::Math(f) => {
                let a = self.expr(&args[0])?;
                Some(self.unary(Unary::Math(f), a))
            }
            Function::Min | Function::Max => {
                let f = if builtin.function == Function::Min { Binary::Min } else { Binary::Max };
                let values = self.args(args)?;
                Some(values[1..].iter().fold(values[0], |acc, &v| self.binary(f, acc, v)))
            }
            Function::If => {
                let v = self.args(args)?;
                Some(self.select(v[0], v[1], v[2]))
            }
            Function::Clamp => {
                let v = self.args(args)?;
                self.clamp(e, v[0], v[1], v[2])
            }
            Function::Truncate => {
                let (kind, params) = self.dist_params(&args[0])?;
                let bounds = self.args(&args[1..])?;
                self.sample(e, kind, params, Some([bounds[0], bounds[1]]))
            }
            Function::Choice => self.choice(e, args),
        }
    }

    fn select(&mut self, cond: Operand, a: Operand, b: Operand) -> Operand {
        if let Operand::Const(c) = cond {
            return if c != 0.0 { a } else { b }; // Constants are finite: never NaN.
        }
        let dst = self.slot();
        self.push(Op::Select { cond, a, b, dst });
        Operand::Slot(dst)
    }

    fn clamp(&mut self, e: &Expr, x: Operand, lo: Operand, hi: Operand) -> Option<Operand> {
        if let (Operand::Const(lo), Operand::Const(hi)) = (lo, hi)
            && lo > hi
        {
            return self.error(Diagnostic::new(
                format!("`clamp` needs lo ≤ hi (got {lo}, {hi}) in var `{}`", self.var_name()),
                e.span,
            ));
        }
        if let (Operand::Const(x), Operand::Const(lo), Operand::Const(hi)) = (x, lo, hi) {
            return Some(Operand::Const(program::clamp(x, lo, hi)));
        }
        let dst = self.slot();
        self.push(Op::Clamp { x, lo, hi, dst });
        Some(Operand::Slot(dst))
    }

    /// A distribution call's kind and parameters; `a to b` becomes lognormal(mu, sigma).
    fn dist_params(&mut self, e: &Expr) -> Option<(DistKind, Vec<Operand>)> {
        match &e.kind {
            ExprKind::To(lo, hi) => {
                let (lo, hi) = (self.expr(lo), self.expr(hi));
                let (lo, hi) = (lo?, hi?);
                if let (Operand::Const(lo), Operand::Const(hi)) = (lo, hi) {
                    return match dist::to_lognormal(lo, hi) {
                        Ok((mu, sigma)) => Some((DistKind::LogNormal, vec![Operand::Const(mu), Operand::Const(sigma)])),
                        Err(rule) => {
                            self.diagnostics.push(self.invalid(e, "`a to b`", &rule.to_string()));
                            None
                        }
                    };
                }
                // Per-trial bounds: mu = (ln lo + ln hi) / 2, sigma = (ln hi − ln lo) / (2·z95).
                let (ln_lo, ln_hi) = (self.unary(Unary::Math(Math::Ln), lo), self.unary(Unary::Math(Math::Ln), hi));
                let sum = self.binary(Binary::Op(crate::expr::BinOp::Add), ln_lo, ln_hi);
                let mu = self.binary(Binary::Op(crate::expr::BinOp::Div), sum, Operand::Const(2.0));
                let diff = self.binary(Binary::Op(crate::expr::BinOp::Sub), ln_hi, ln_lo);
                let sigma = self.binary(Binary::Op(crate::expr::BinOp::Div), diff, Operand::Const(2.0 * dist::Z95));
                Some((DistKind::LogNormal, vec![mu, sigma]))
            }
            ExprKind::Call { name, args, .. } => {
                let kind = DistKind::from_name(name)?;
                Some((kind, self.args(args)?))
            }
            _ => None,
        }
    }

    fn invalid(&self, e: &Expr, what: &str, rule: &str) -> Diagnostic {
        Diagnostic::new(format!("invalid parameters for {what} in var `{}`: {rule}", self.var_name()), e.span)
    }

    fn sample(
        &mut self,
        e: &Expr,
        kind: DistKind,
        params: Vec<Operand>,
        bounds: Option<[Operand; 2]>,
    ) -> Option<Operand> {
        let consts: Option<Vec<f64>> = params
            .iter()
            .chain(bounds.iter().flatten())
            .map(|p| match p {
                Operand::Const(c) => Some(*c),
                Operand::Slot(_) => None,
            })
            .collect();
        let what = match &e.kind {
            ExprKind::Call { name, .. } => format!("`{name}(...)`"),
            _ => "`a to b`".to_string(),
        };
        let draw = match (consts, bounds) {
            (Some(c), None) => match Sampler::new(kind, &c) {
                Ok(s) => Draw::Fixed(s),
                Err(rule) => return self.error(self.invalid(e, &what, &rule.to_string())),
            },
            (Some(c), Some(_)) => match Truncated::new(kind, &c[..c.len() - 2], c[c.len() - 2], c[c.len() - 1]) {
                Ok(t) => Draw::FixedTruncated(t),
                Err(rule) => return self.error(self.invalid(e, &what, &rule.to_string())),
            },
            (None, bounds) => Draw::PerTrial { kind, params, bounds },
        };
        if std::ptr::eq(e, &self.model.vars[self.current].expr) {
            self.marginals[self.current] = match &draw {
                Draw::Fixed(sampler) => Some(Marginal::Plain(sampler.clone())),
                Draw::FixedTruncated(truncated) => Some(Marginal::Truncated(truncated.clone())),
                Draw::PerTrial { .. } => None,
            };
        }
        let stream = self.stream();
        let dst = self.slot();
        self.push(Op::Sample { stream, draw, dst });
        Some(Operand::Slot(dst))
    }

    fn choice(&mut self, e: &Expr, args: &[Expr]) -> Option<Operand> {
        let (ExprKind::List(values), ExprKind::List(weights)) = (&args[0].kind, &args[1].kind) else { return None };
        let values = self.args(values)?;
        let weights = self.args(weights)?;
        let mut cumulative = Vec::with_capacity(weights.len());
        let mut total = 0.0;
        for w in weights {
            match w {
                Operand::Const(w) if w >= 0.0 => total += w,
                Operand::Const(w) => {
                    return self.error(self.invalid(e, "`choice(...)`", &format!("weights must be ≥ 0 (got {w})")));
                }
                Operand::Slot(_) => return self.error(self.invalid(e, "`choice(...)`", "weights must be constant")),
            }
            cumulative.push(total);
        }
        if total <= 0.0 {
            return self.error(self.invalid(e, "`choice(...)`", "weights must sum to more than 0"));
        }
        cumulative.iter_mut().for_each(|c| *c /= total);
        let stream = self.stream();
        let dst = self.slot();
        self.push(Op::Choice { stream, values, cumulative, dst });
        Some(Operand::Slot(dst))
    }
}

fn value_of(value: Option<Operand>) -> f64 {
    match value {
        Some(Operand::Const(c)) => c,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests;
