//! Lowering calls: built-in functions, functions over series, distribution draws (`a to
//! b` included), truncation and `choice`, each drawing from its var's stream.

use super::lower::{Lowering, constants};
use super::program::Value;
use super::program::{Binary, Draw, Marginal, Op, Operand, Unary};
use crate::builtins::{self, Function, Math};
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::{self, DistKind, Form, Sampler, Truncated};
use crate::expr::{BinOp, Expr, ExprKind};

impl Lowering<'_> {
    pub(super) fn call(&mut self, e: &Expr, name: &str, args: &[Expr]) -> Option<Value> {
        let Some(builtin) = builtins::function(name) else {
            let (kind, params) = self.dist_params(e)?;
            return Some(Value::One(self.sample(e, kind, params, None)?));
        };
        let one = |o: Option<Operand>| o.map(Value::One);
        match builtin.function {
            Function::Math(f) => {
                let a = self.expr(&args[0])?;
                self.each(&[a], |l, v| Some(l.unary(Unary::Math(f), v[0])))
            }
            Function::Min | Function::Max if args.len() == 1 => {
                let f = if builtin.function == Function::Min { Binary::Min } else { Binary::Max };
                let x = self.series_arg(name, &args[0])?;
                Some(Value::One(x[1..].iter().fold(x[0], |acc, &v| self.binary(f, acc, v))))
            }
            Function::Min | Function::Max => {
                let f = if builtin.function == Function::Min { Binary::Min } else { Binary::Max };
                let values = self.args(args)?;
                self.each(&values, |l, v| Some(v[1..].iter().fold(v[0], |acc, &x| l.binary(f, acc, x))))
            }
            Function::If => {
                let v = self.args(args)?;
                self.each(&v, |l, v| Some(l.select(v[0], v[1], v[2])))
            }
            Function::Clamp => {
                let v = self.args(args)?;
                self.each(&v, |l, v| l.clamp(e, v[0], v[1], v[2]))
            }
            Function::Truncate => {
                let (kind, params) = self.dist_params(&args[0])?;
                let bounds = self.draw_args(&args[1..])?;
                one(self.sample(e, kind, params, Some([bounds[0], bounds[1]])))
            }
            Function::Choice => one(self.choice(e, args)),
            Function::Sum | Function::Mean => {
                let x = self.series_arg(name, &args[0])?;
                let sum = self.sum(&x);
                Some(Value::One(match builtin.function {
                    Function::Mean => self.binary(Binary::Op(BinOp::Div), sum, Operand::Const(x.len() as f64)),
                    _ => sum,
                }))
            }
            Function::Cumsum => {
                let x = self.series_arg(name, &args[0])?;
                let mut running = Vec::with_capacity(x.len());
                for &v in &x {
                    let next = match running.last() {
                        Some(&total) => self.binary(Binary::Op(BinOp::Add), total, v),
                        None => v,
                    };
                    running.push(next);
                }
                Some(Value::Series(running))
            }
            Function::Npv => {
                let var = self.var_name().to_string();
                let what = || Problem::NotScalar { what: "the rate of `npv`".into(), var: var.clone() };
                let rate = self.with_pick(|l| l.scalar(&args[0], &what));
                let x = self.series_arg(name, &args[1]);
                let (rate, x) = (rate?, x?);
                let base = self.binary(Binary::Op(BinOp::Add), Operand::Const(1.0), rate);
                let terms: Vec<Operand> = x
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| {
                        let factor = self.binary(Binary::Op(BinOp::Pow), base, Operand::Const((k + 1) as f64));
                        self.binary(Binary::Op(BinOp::Div), v, factor)
                    })
                    .collect();
                Some(Value::One(self.sum(&terms)))
            }
            Function::At => {
                let x = self.series_arg(name, &args[0]);
                let k = self.with_pick(|l| l.expr(&args[1]));
                let (x, k) = (x?, k?);
                match k {
                    Value::One(Operand::Const(k)) if k >= 0.0 && k.fract() == 0.0 && (k as usize) < x.len() => {
                        Some(Value::One(x[k as usize]))
                    }
                    _ => {
                        let problem = Problem::PeriodIndex { last: x.len() - 1, var: self.var_name().to_string() };
                        self.error(Diagnostic::new(problem, args[1].span))
                    }
                }
            }
        }
    }

    /// The series `e` (read as a whole even in a per-period var), the argument of
    /// `function`; a problem if it has one value per trial.
    fn series_arg(&mut self, function: &str, e: &Expr) -> Option<Vec<Operand>> {
        if self.periods == 0 {
            let what = format!("`{function}(...)`");
            return self.error(Diagnostic::new(Problem::NoPeriods { what, var: self.var_name().to_string() }, e.span));
        }
        match self.with_pick(|l| l.expr(e))? {
            Value::Series(x) => Some(x),
            Value::One(_) => {
                let problem =
                    Problem::ReduceScalar { function: function.to_string(), var: self.var_name().to_string() };
                self.error(Diagnostic::new(problem, e.span))
            }
        }
    }

    /// `f` run with series read as a whole (not at the period being lowered).
    fn with_pick<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let pick = self.pick.take();
        let value = f(self);
        self.pick = pick;
        value
    }

    /// `x[0] + x[1] + …`, added in period order.
    fn sum(&mut self, x: &[Operand]) -> Operand {
        x[1..].iter().fold(x[0], |acc, &v| self.binary(Binary::Op(BinOp::Add), acc, v))
    }

    /// A distribution call's kind and parameters; `a to b` becomes lognormal(mu, sigma).
    pub(super) fn dist_params(&mut self, e: &Expr) -> Option<(DistKind, Vec<Operand>)> {
        match &e.kind {
            ExprKind::To(lo, hi) => {
                let bounds = self.draw_args([&**lo, &**hi])?;
                let (lo, hi) = (bounds[0], bounds[1]);
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
            ExprKind::Call { name, args, form, .. } => {
                let kind = DistKind::from_name(name)?;
                if kind == DistKind::Metalog {
                    return Some((kind, self.metalog_params(e, args)?));
                }
                if kind == DistKind::Empirical {
                    let ExprKind::List(values) = &args[0].kind else { return None };
                    let params = self.draw_args(values)?;
                    if constants(&params).is_none() {
                        let rule = "its values must be constants";
                        return self.error(self.invalid(e, "`empirical(...)`", rule));
                    }
                    return Some((kind, params));
                }
                let params = self.draw_args(args)?;
                if let Some(values) = constants(&params)
                    && let Err(rule) = form.check(kind, &values)
                {
                    return self.error(self.invalid(e, &format!("`{name}(...)`"), &rule.to_string()));
                }
                Some((kind, self.in_own_terms(kind, *form, params)))
            }
            _ => None,
        }
    }

    /// A metalog's flattened parameters (see [`Sampler::new`]): its number of quantiles,
    /// the probabilities, the quantiles and the bounds given, all constants.
    fn metalog_params(&mut self, e: &Expr, args: &[Expr]) -> Option<Vec<Operand>> {
        let (ExprKind::List(probabilities), ExprKind::List(quantiles)) = (&args[0].kind, &args[1].kind) else {
            return None;
        };
        if probabilities.len() != quantiles.len() {
            let rule = format!(
                "needs as many probabilities as quantiles (got {} and {})",
                probabilities.len(),
                quantiles.len()
            );
            return self.error(self.invalid(e, "`metalog(...)`", &rule));
        }
        let mut params = vec![Operand::Const(quantiles.len() as f64)];
        params.extend(self.draw_args(probabilities.iter().chain(quantiles).chain(&args[2..]))?);
        if constants(&params).is_none() {
            let rule = "its probabilities, quantiles and bounds must be constants (a metalog is fitted once, before the trials)";
            return self.error(self.invalid(e, "`metalog(...)`", rule));
        }
        Some(params)
    }

    /// A distribution's own parameters from `params` given in `form`: a lognormal's mu
    /// and sigma from its mean and sd, a normal's or lognormal's location and scale from
    /// two percentiles (on the log scale for a lognormal). Written as operations, which
    /// fold to constants when the values are.
    fn in_own_terms(&mut self, kind: DistKind, form: Form, params: Vec<Operand>) -> Vec<Operand> {
        let op = |op: BinOp| Binary::Op(op);
        let ln = Unary::Math(Math::Ln);
        match form {
            Form::Positional | Form::Named => params,
            Form::MeanSd => {
                // sigma² = ln(1 + (sd/mean)²), mu = ln(mean) − sigma²/2.
                let (mean, sd) = (params[0], params[1]);
                let ratio = self.binary(op(BinOp::Div), sd, mean);
                let squared = self.binary(op(BinOp::Mul), ratio, ratio);
                let one_plus = self.binary(op(BinOp::Add), Operand::Const(1.0), squared);
                let variance = self.unary(ln, one_plus);
                let sigma = self.unary(Unary::Math(Math::Sqrt), variance);
                let ln_mean = self.unary(ln, mean);
                let half = self.binary(op(BinOp::Div), variance, Operand::Const(2.0));
                vec![self.binary(op(BinOp::Sub), ln_mean, half), sigma]
            }
            Form::Percentiles(lo, hi) => {
                // scale = (b − a)/(z_hi − z_lo), location = a − z_lo·scale.
                let (mut a, mut b) = (params[0], params[1]);
                if kind == DistKind::LogNormal {
                    (a, b) = (self.unary(ln, a), self.unary(ln, b));
                }
                let (z_lo, z_hi) = (dist::normal_quantile(lo), dist::normal_quantile(hi));
                let rise = self.binary(op(BinOp::Sub), b, a);
                let scale = self.binary(op(BinOp::Div), rise, Operand::Const(z_hi - z_lo));
                let shift = self.binary(op(BinOp::Mul), scale, Operand::Const(z_lo));
                vec![self.binary(op(BinOp::Sub), a, shift), scale]
            }
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
        let all: Vec<Operand> = params.iter().chain(bounds.iter().flatten()).copied().collect();
        let consts = constants(&all);
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
        // A per-period var's draws may differ by period: it has no one marginal.
        if std::ptr::eq(e, &self.exprs[self.current]) && !self.per_period() {
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
        let values = self.draw_args(values)?;
        let weights = self.draw_args(weights)?;
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
