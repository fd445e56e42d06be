//! Lowering calls: built-in functions, distribution draws (`a to b` included),
//! truncation and `choice`, each drawing from its var's stream.

use super::lower::Lowering;
use super::program::{Binary, Draw, Marginal, Op, Operand, Unary};
use crate::builtins::{self, Function, Math};
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::{self, DistKind, Sampler, Truncated};
use crate::expr::{Expr, ExprKind};

impl Lowering<'_> {
    pub(super) fn call(&mut self, e: &Expr, name: &str, args: &[Expr]) -> Option<Operand> {
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

    /// A distribution call's kind and parameters; `a to b` becomes lognormal(mu, sigma).
    pub(super) fn dist_params(&mut self, e: &Expr) -> Option<(DistKind, Vec<Operand>)> {
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

    pub(super) fn invalid(&self, e: &Expr, what: &str, rule: &str) -> Diagnostic {
        let problem = Problem::InvalidParameters {
            what: what.to_string(),
            var: self.var_name().to_string(),
            rule: rule.to_string(),
        };
        Diagnostic::new(problem, e.span)
    }

    pub(super) fn sample(
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

    pub(super) fn choice(&mut self, e: &Expr, args: &[Expr]) -> Option<Operand> {
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
