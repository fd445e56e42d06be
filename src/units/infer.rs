//! Unit inference over a model: each var's unit (declared, or inferred from its formula),
//! checked through every operator and function, with the exact conversions a formula
//! needs written into it as factors (`rate` in USD/hour times `dur` in day, declared USD,
//! is `rate * dur * 24`). A model without units is left exactly as it is.

use super::parse::parse;
use super::table::{CURRENCIES, quantity};
use super::unit::{Dimension, MAX_POWER, Unit};
use crate::builtins::{self, Function, Math};
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::{DistKind, Form};
use crate::expr::{BinOp, Expr, ExprKind, UnaryOp};
use crate::model::Model;
use crate::source::Span;

/// What unit a value has.
#[derive(Clone, Debug, PartialEq)]
enum Ty {
    /// A bare number: a literal, a constant, or a var with no unit whose formula uses no
    /// var with one. Beside a quantity in `+`, `-`, a comparison, `min`, `max`, `clamp`
    /// or `if` it takes that quantity's unit; in `*` and `/` it is a plain factor.
    Number,
    /// A quantity in a unit (`1` for a ratio of like quantities).
    Unit(Unit),
    /// Not known: a problem was reported where it arose.
    Unknown,
}

/// Every var's unit and formula with its conversions, and the problems found.
#[derive(Clone, Debug, Default)]
pub(crate) struct Checked {
    /// Each var's expression, with a factor wherever its units convert (the model's own
    /// where none do).
    pub(crate) exprs: Vec<Expr>,
    /// Each var's unit as shown: as declared, else as inferred (`None`: a plain number).
    pub(crate) shown: Vec<Option<String>>,
    /// Each var's unit, declared or inferred (`None`: a plain number or not known).
    pub(crate) units: Vec<Option<Unit>>,
    /// Every unit problem, each at its place.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Warnings about likely mistakes units cannot see (they change no result).
    pub(crate) lints: Vec<Diagnostic>,
}

/// Checks the units of every var of `model` in `order` (each var after the vars it
/// uses); vars not in `order` are left as they are.
pub(crate) fn check(model: &Model, order: &[usize]) -> Checked {
    let n = model.vars.len();
    let mut inference = Inference { model, tys: vec![Ty::Unknown; n], var: 0, diagnostics: Vec::new() };
    let mut checked = Checked {
        exprs: model.vars.iter().map(|v| v.expr.clone()).collect(),
        shown: vec![None; n],
        units: vec![None; n],
        diagnostics: Vec::new(),
        lints: Vec::new(),
    };
    for &v in order {
        inference.var = v;
        let def = &model.vars[v];
        let declared = def.unit.as_ref().map(|u| (u, parse(&u.name)));
        let (ty, expr) = inference.expr(&def.expr);
        let (ty, expr) = match declared {
            None => (ty, expr),
            Some((written, Err(e))) => {
                let span =
                    Span::new(written.span.start + e.at.start, written.span.start + e.at.end.max(e.at.start + 1));
                let span =
                    if written.span.end - written.span.start == written.name.len() { span } else { written.span };
                let problem = Problem::BadUnit { unit: written.name.clone(), message: e.message, hint: e.hint };
                inference.diagnostics.push(Diagnostic::new(problem.in_var(&def.name.name), span));
                (Ty::Unknown, expr)
            }
            Some((_, Ok(declared))) => match ty {
                Ty::Number | Ty::Unknown => (Ty::Unit(declared), expr),
                Ty::Unit(formula) if formula.dimension() == declared.dimension() => {
                    let factor = formula.factor_to(&declared);
                    (Ty::Unit(declared), convert(expr, factor))
                }
                Ty::Unit(formula) => {
                    let problem = mismatch(&def.name.name, &declared, &formula);
                    inference.diagnostics.push(Diagnostic::new(problem, def.expr.span));
                    (Ty::Unit(declared), expr)
                }
            },
        };
        if let Ty::Unit(unit) = &ty {
            let written = def.unit.as_ref().map(|u| u.name.trim().to_string());
            // A plain ratio (`1`) shows no unit.
            checked.shown[v] = (!unit.is_one()).then(|| written.unwrap_or_else(|| unit.to_string()));
            checked.units[v] = Some(unit.clone());
        }
        lint(model, v, &expr, &mut checked.lints);
        checked.exprs[v] = expr;
        inference.tys[v] = ty;
    }
    checked.diagnostics = inference.diagnostics;
    checked
}

/// The lints of var `v`, whose formula with its conversions is `converted`: `2-3` for a
/// range, a literal that repeats a conversion units make, and a number in `%` that is
/// far above 100%.
fn lint(model: &Model, v: usize, converted: &Expr, lints: &mut Vec<Diagnostic>) {
    let def = &model.vars[v];
    let var = || def.name.name.clone();
    let text = |e: &Expr| model.sources.text(e.span).trim().to_string();
    // The factors units wrote in: a `* factor` whose literal has its product's place.
    let mut factors = Vec::new();
    converted.walk(&mut |e| {
        if let ExprKind::Binary(BinOp::Mul, _, f) = &e.kind
            && let ExprKind::Num(x) = f.kind
            && f.span == e.span
        {
            factors.push(x);
        }
    });
    let repeats =
        |x: f64| x != 1.0 && factors.iter().any(|f| ((x / f) - 1.0).abs() < 0.01 || ((x * f) - 1.0).abs() < 0.01);
    def.expr.walk(&mut |e| match &e.kind {
        ExprKind::Call { name, args, form: Form::Positional, .. } if name == "lognormal" && args.len() == 2 => {
            if let (ExprKind::Num(mu), ExprKind::Num(sigma)) = (&args[0].kind, &args[1].kind) {
                let problem = Problem::LognormalByPosition {
                    var: var(),
                    mu: text(&args[0]),
                    sigma: text(&args[1]),
                    median: (*mu).exp(),
                    mean: (mu + sigma * sigma / 2.0).exp(),
                };
                lints.push(Diagnostic::new(problem, e.span));
            }
        }
        ExprKind::Binary(BinOp::Sub, a, b) => {
            if let (ExprKind::Num(lo), ExprKind::Num(hi)) = (&a.kind, &b.kind)
                && *lo >= 0.0
                && lo < hi
            {
                let problem = Problem::RangeAsSubtraction {
                    text: text(e),
                    value: format!("{}", lo - hi),
                    range: format!("{} to {}", text(a), text(b)),
                    var: var(),
                };
                lints.push(Diagnostic::new(problem, e.span));
            }
        }
        ExprKind::Binary(BinOp::Mul | BinOp::Div, a, b) => {
            for literal in [a, b] {
                if let ExprKind::Num(x) = literal.kind
                    && repeats(x)
                {
                    let factor =
                        factors.iter().map(|f| format!("×{}", shown_factor(*f))).collect::<Vec<_>>().join(", ");
                    let problem = Problem::ConversionTwice { literal: text(literal), factor, var: var() };
                    lints.push(Diagnostic::new(problem, literal.span));
                }
            }
        }
        _ => {}
    });
    if def.unit.as_ref().is_some_and(|u| u.name.trim() == "%") {
        let literals: Vec<&Expr> = match &def.expr.kind {
            ExprKind::Num(_) => vec![&def.expr],
            ExprKind::To(a, b) => vec![a, b],
            ExprKind::Call { name, args, form, .. } if location_scale(name, *form).is_some() => args.iter().collect(),
            _ => Vec::new(),
        };
        if let Some((e, x)) = literals.iter().find_map(|e| match e.kind {
            ExprKind::Num(x) if x > 1.5 => Some((e, x)),
            _ => None,
        }) {
            let problem = Problem::PercentTooLarge { var: var(), value: text(e), percent: format!("{}%", x * 100.0) };
            lints.push(Diagnostic::new(problem, e.span));
        }
    }
}

/// A conversion factor for people: `24`, `1/24`.
fn shown_factor(f: f64) -> String {
    if f < 1.0 && (1.0 / f).fract() == 0.0 { format!("1/{}", 1.0 / f) } else { format!("{f}") }
}

/// True for a unit of money: a currency to the power 1, perhaps per something (`USD`,
/// `USD/GPU`), the unit of a cost or a price.
pub(crate) fn is_money(unit: &Unit) -> bool {
    unit.dimension().powers().iter().any(|(b, p)| *p == 1 && CURRENCIES.contains(&b.as_str()))
}

/// The problem of a var declared in `declared` whose formula gives `formula`, with the
/// usual fix: what is missing is declared ÷ formula.
fn mismatch(var: &str, declared: &Unit, formula: &Unit) -> Problem {
    let missing = declared.dimension().times(&formula.dimension().pow(-1));
    let hint = match missing.powers() {
        [(base, 1)] => format!("multiply by {}", quantity(base)),
        [(base, -1)] => {
            let rate = if base == "s" { "it is a total over time, " } else { "" };
            format!("{rate}divide by {}", quantity(base))
        }
        _ => format!(
            "the formula needs a factor in {} to give {declared}: check the units of the vars it uses",
            shown_dimension(&missing)
        ),
    };
    let what = match formula.dimension().powers().iter().find(|(b, _)| b == "s") {
        Some((_, -1)) if !declared.dimension().powers().iter().any(|(b, _)| b == "s") => ", a rate",
        _ => "",
    };
    Problem::UnitMismatch {
        var: var.to_string(),
        declared: declared.to_string(),
        formula: format!("{formula}{what}"),
        hint,
    }
}

/// How to make a quantity in `right` one like `left`.
fn mix_hint(left: &Unit, right: &Unit) -> String {
    let currency = |u: &Unit| matches!(u.dimension().powers(), [(b, 1)] if CURRENCIES.contains(&b.as_str()));
    if currency(left) && currency(right) {
        return format!(
            "currencies never convert by themselves: multiply by an exchange rate var with unit `{left}/{right}`"
        );
    }
    match left.dimension().times(&right.dimension().pow(-1)).powers() {
        [(base, 1)] => format!("multiply the {right} side by {}", quantity(base)),
        [(base, -1)] => format!("divide the {right} side by {}", quantity(base)),
        _ => format!("both sides must be the same kind of quantity: {left} is not {right}"),
    }
}

/// A dimension in base units, for messages: `USD/s`.
fn shown_dimension(d: &Dimension) -> String {
    let above: Vec<String> = d.powers().iter().filter(|(_, p)| *p > 0).map(|(b, p)| power(b, *p)).collect();
    let below: Vec<String> =
        d.powers().iter().filter(|(_, p)| *p < 0).map(|(b, p)| format!("/{}", power(b, -p))).collect();
    let above = if above.is_empty() { "1".to_string() } else { above.join("*") };
    format!("{above}{}", below.concat())
}

fn power(base: &str, p: i32) -> String {
    if p == 1 { base.to_string() } else { format!("{base}^{p}") }
}

/// `e` times `factor` (unchanged for 1): a distribution's location and scale parameters
/// are scaled instead, so it stays a distribution (and can still be correlated or
/// sampled by Latin hypercube).
fn convert(e: Expr, factor: f64) -> Expr {
    if factor == 1.0 {
        return e;
    }
    let span = e.span;
    match e.kind {
        ExprKind::To(a, b) => {
            Expr { kind: ExprKind::To(Box::new(scaled(*a, factor)), Box::new(scaled(*b, factor))), span }
        }
        ExprKind::Call { name, name_span, args, form } => {
            let scale = location_scale(&name, form);
            let args = match scale {
                Some(scale) => args
                    .into_iter()
                    .enumerate()
                    .map(|(i, a)| if scale.contains(&i) { scaled(a, factor) } else { a })
                    .collect(),
                None => args,
            };
            let call = Expr { kind: ExprKind::Call { name, name_span, args, form }, span };
            if scale.is_some() { call } else { scaled(call, factor) }
        }
        kind => scaled(Expr { kind, span }, factor),
    }
}

/// Which parameters of distribution `name`, called in `form`, scale its draws: a draw
/// times k > 0 is the draw with these times k (none for a distribution whose
/// parameters are plain numbers).
fn location_scale(name: &str, form: Form) -> Option<&'static [usize]> {
    match DistKind::from_name(name)? {
        DistKind::Poisson | DistKind::Binomial => None,
        kind => Some(in_draw_unit(kind, form)).filter(|s| !s.is_empty()),
    }
}

/// Which parameters of a distribution called in `form` are in its draw's unit: its
/// location and scale parameters (a lognormal's mean and sd or percentiles, not its mu
/// and sigma; a metalog's quantiles and bounds), and the mean count of `poisson` and the
/// trials of `binomial` (a count of GPUs draws GPUs).
fn in_draw_unit(kind: DistKind, form: Form) -> &'static [usize] {
    match kind {
        DistKind::Normal | DistKind::Uniform => &[0, 1],
        DistKind::LogNormal if matches!(form, Form::MeanSd | Form::Percentiles(..)) => &[0, 1],
        DistKind::Triangular | DistKind::Pert => &[0, 1, 2],
        DistKind::Gamma => &[1],
        DistKind::Poisson | DistKind::Binomial => &[0],
        DistKind::Metalog => &[1, 2, 3],
        DistKind::Empirical => &[0],
        _ => &[],
    }
}

/// `e * factor` at `e`'s place (`e` for 1; a list's items each scaled).
fn scaled(e: Expr, factor: f64) -> Expr {
    if factor == 1.0 {
        return e;
    }
    let span = e.span;
    if let ExprKind::List(items) = e.kind {
        return Expr { kind: ExprKind::List(items.into_iter().map(|i| scaled(i, factor)).collect()), span };
    }
    Expr { kind: ExprKind::Binary(BinOp::Mul, Box::new(e), Box::new(Expr { kind: ExprKind::Num(factor), span })), span }
}

struct Inference<'m> {
    model: &'m Model,
    tys: Vec<Ty>,
    var: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Inference<'_> {
    fn var_name(&self) -> String {
        self.model.vars[self.var].name.name.clone()
    }

    fn problem(&mut self, problem: Problem, span: Span) -> Ty {
        self.diagnostics.push(Diagnostic::new(problem, span));
        Ty::Unknown
    }

    /// `e`'s unit, and `e` with its conversions. The recursion's frame holds only the
    /// children's results (the work is in functions not inlined), so the tallest tree the
    /// parser accepts fits a small stack, as lowering does.
    fn expr(&mut self, e: &Expr) -> (Ty, Expr) {
        match &e.kind {
            ExprKind::Unary(op, a) => {
                let a = self.expr(a);
                unary(e, *op, a)
            }
            ExprKind::Binary(BinOp::Pow, a, b) => {
                let b = self.plain_arg("the exponent of `^`", b);
                let a = self.expr(a);
                self.power(e, a, b)
            }
            ExprKind::Binary(op, a, b) => {
                let a = self.expr(a);
                let b = self.expr(b);
                self.binary(e, *op, a, b)
            }
            _ => self.other(e),
        }
    }

    /// A leaf, a range, a list or a call.
    #[inline(never)]
    fn other(&mut self, e: &Expr) -> (Ty, Expr) {
        let span = e.span;
        let at = |kind: ExprKind| Expr { kind, span };
        match &e.kind {
            ExprKind::Num(_) => (Ty::Number, e.clone()),
            ExprKind::Name(name) => {
                let ty = self.model.var_index(name).map_or(Ty::Number, |v| self.tys[v].clone());
                (ty, e.clone())
            }
            ExprKind::To(a, b) => {
                let (ty, mut args) = self.alike(e, "to", &[a, b]);
                let b = args.pop().expect("two");
                let a = args.pop().expect("two");
                (ty, at(ExprKind::To(Box::new(a), Box::new(b))))
            }
            ExprKind::List(items) => {
                let items: Vec<&Expr> = items.iter().collect();
                let (ty, items) = self.alike(e, "[...]", &items);
                (ty, at(ExprKind::List(items)))
            }
            ExprKind::Call { name, name_span, args, form } => {
                let (ty, args) = self.call(e, name, args, *form);
                (ty, at(ExprKind::Call { name: name.clone(), name_span: *name_span, args, form: *form }))
            }
            ExprKind::Invalid | ExprKind::Unary(..) | ExprKind::Binary(..) => (Ty::Unknown, e.clone()),
        }
    }

    /// `a op b`, `a` and `b` inferred (`^` aside).
    #[inline(never)]
    fn binary(&mut self, e: &Expr, op: BinOp, (ta, a): (Ty, Expr), (tb, b): (Ty, Expr)) -> (Ty, Expr) {
        let at = |a: Expr, b: Expr| Expr { kind: ExprKind::Binary(op, Box::new(a), Box::new(b)), span: e.span };
        match op {
            BinOp::And | BinOp::Or => (Ty::Number, at(a, b)),
            BinOp::Mul | BinOp::Div | BinOp::Pow => {
                let (ty, factor) = match (ta, tb) {
                    (Ty::Unknown, _) | (_, Ty::Unknown) => (Ty::Unknown, 1.0),
                    (Ty::Number, Ty::Number) => (Ty::Number, 1.0),
                    (Ty::Unit(u), Ty::Number) => (Ty::Unit(u), 1.0),
                    (Ty::Number, Ty::Unit(u)) if op == BinOp::Mul => (Ty::Unit(u), 1.0),
                    (Ty::Number, Ty::Unit(u)) => (Ty::Unit(u.pow(-1)), 1.0),
                    (Ty::Unit(u), Ty::Unit(v)) => {
                        let (unit, factor) = if op == BinOp::Mul { u.times(&v) } else { u.over(&v) };
                        (Ty::Unit(unit), factor)
                    }
                };
                (ty, scaled(at(a, b), factor))
            }
            _ => {
                let what = match op {
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Lt => "<",
                    BinOp::Le => "<=",
                    BinOp::Gt => ">",
                    BinOp::Ge => ">=",
                    BinOp::Eq => "==",
                    _ => "!=",
                };
                let (ty, mut args) = self.unify(e, what, vec![(ta, a), (tb, b)]);
                let b = args.pop().expect("two");
                let a = args.pop().expect("two");
                let ty = if op.is_boolean() && ty != Ty::Unknown { Ty::Number } else { ty };
                (ty, at(a, b))
            }
        }
    }

    /// `a ^ b`, `a` inferred and `b` checked to be a plain number.
    #[inline(never)]
    fn power(&mut self, e: &Expr, (ta, a): (Ty, Expr), (plain, b): (bool, Expr)) -> (Ty, Expr) {
        let at = |a: Expr, b: Expr| Expr { kind: ExprKind::Binary(BinOp::Pow, Box::new(a), Box::new(b)), span: e.span };
        let ty = match ta {
            Ty::Unknown => Ty::Unknown,
            _ if !plain => Ty::Unknown,
            Ty::Number => Ty::Number,
            // A ratio to any power is a plain number.
            Ty::Unit(u) if u.dimension().is_none() => return (Ty::Number, at(scaled(a, u.size()), b)),
            Ty::Unit(u) => {
                match integer(&b) {
                    Some(n) => Ty::Unit(u.pow(n)),
                    None => {
                        let problem = self.plain(
                        &format!("a quantity raised to a power other than a whole number from -{MAX_POWER} to {MAX_POWER}"),
                        &u.to_string(),
                    );
                        self.problem(problem, e.span)
                    }
                }
            }
        };
        (ty, at(a, b))
    }

    /// The problem of a quantity in `unit` where a plain number is needed.
    fn plain(&self, what: &str, unit: &str) -> Problem {
        Problem::NeedsPlainNumber { what: what.to_string(), unit: unit.to_string(), var: self.var_name() }
    }

    /// `items`, which must share a dimension (bare numbers take it), converted into the
    /// unit of the first that has one: their common unit.
    fn alike(&mut self, e: &Expr, what: &str, items: &[&Expr]) -> (Ty, Vec<Expr>) {
        let mut inferred = Vec::with_capacity(items.len());
        for item in items {
            inferred.push(self.expr(item));
        }
        self.unify(e, what, inferred)
    }

    /// `inferred` items, as [`Inference::alike`].
    #[inline(never)]
    fn unify(&mut self, e: &Expr, what: &str, inferred: Vec<(Ty, Expr)>) -> (Ty, Vec<Expr>) {
        if inferred.iter().any(|(t, _)| *t == Ty::Unknown) {
            return (Ty::Unknown, inferred.into_iter().map(|(_, e)| e).collect());
        }
        let Some(first) = inferred.iter().find_map(|(t, _)| if let Ty::Unit(u) = t { Some(u.clone()) } else { None })
        else {
            return (Ty::Number, inferred.into_iter().map(|(_, e)| e).collect());
        };
        let mut out = Vec::with_capacity(inferred.len());
        let mut ty = Ty::Unit(first.clone());
        for (t, item) in inferred {
            match t {
                Ty::Unit(u) if u.dimension() == first.dimension() => out.push(scaled(item, u.factor_to(&first))),
                Ty::Unit(u) => {
                    let problem = Problem::IncompatibleUnits {
                        what: what.to_string(),
                        left: first.to_string(),
                        right: u.to_string(),
                        var: self.var_name(),
                        hint: mix_hint(&first, &u),
                    };
                    ty = self.problem(problem, e.span);
                    out.push(item);
                }
                _ => out.push(item),
            }
        }
        (ty, out)
    }

    /// A call's unit, and its arguments with their conversions.
    fn call(&mut self, e: &Expr, name: &str, args: &[Expr], form: Form) -> (Ty, Vec<Expr>) {
        let refs: Vec<&Expr> = args.iter().collect();
        let Some(builtin) = builtins::function(name) else {
            return self.distribution(e, name, args, form);
        };
        let what = format!("{name}(...)");
        match builtin.function {
            Function::Math(Math::Abs | Math::Floor | Math::Ceil | Math::Round)
            | Function::Min
            | Function::Max
            | Function::Clamp
            | Function::Sum
            | Function::Mean
            | Function::Cumsum => self.alike(e, &what, &refs),
            Function::Math(Math::Sqrt) => {
                let (ty, a) = self.expr(&args[0]);
                let ty = match ty {
                    Ty::Unit(u) => match u.sqrt() {
                        Some(root) => Ty::Unit(root),
                        None => {
                            let problem = self.plain("`sqrt` of a unit that is not a square", &u.to_string());
                            self.problem(problem, e.span)
                        }
                    },
                    ty => ty,
                };
                (ty, vec![a])
            }
            Function::Math(_) => {
                let (a, converted) = self.plain_arg(&what, &args[0]);
                (if a { Ty::Number } else { Ty::Unknown }, vec![converted])
            }
            // A truncated distribution's bounds are in its unit.
            Function::Truncate => self.alike(e, &what, &refs),
            Function::If => {
                let (_, condition) = self.expr(&args[0]);
                let (ty, branches) = self.alike(e, &what, &refs[1..]);
                (ty, std::iter::once(condition).chain(branches).collect())
            }
            Function::Choice => {
                let (ty, values) = self.expr(&args[0]);
                let (_, weights) = self.plain_arg("the weights of `choice`", &args[1]);
                (ty, vec![values, weights])
            }
            Function::Npv => {
                let rate = self.npv_rate(&args[0]);
                let (ty, x) = self.expr(&args[1]);
                (ty, vec![rate, x])
            }
            Function::At => {
                let (ty, x) = self.expr(&args[0]);
                let (_, k) = self.plain_arg("the period of `at`", &args[1]);
                (ty, vec![x, k])
            }
        }
    }

    /// The rate of `npv`, per period: a plain number (or `%`), or a rate per unit of time
    /// (`%/year`, `1/month`) when the periods are years (labelled 2025, 2026, …), converted
    /// to a rate per year.
    fn npv_rate(&mut self, e: &Expr) -> Expr {
        let what = "the rate of `npv`";
        let (ty, rate) = self.expr(e);
        let Ty::Unit(u) = ty else { return rate };
        let per_year = parse("1/year").expect("a built-in unit");
        match u.dimension() {
            d if d.is_none() => scaled(rate, u.size()),
            d if d == per_year.dimension() && years(self.model) => scaled(rate, u.factor_to(&per_year)),
            d if d == per_year.dimension() => {
                let what = format!("{what} (a rate per unit of time only where the periods are years: 2025, 2026, …)");
                let problem = self.plain(&what, &u.to_string());
                self.problem(problem, e.span);
                rate
            }
            _ => {
                let problem = self.plain(what, &u.to_string());
                self.problem(problem, e.span);
                rate
            }
        }
    }

    /// `e`, which must be a plain number (a ratio of like quantities, or `%`, converted to
    /// one): whether it is, and `e` converted.
    fn plain_arg(&mut self, what: &str, e: &Expr) -> (bool, Expr) {
        match self.expr(e) {
            (Ty::Number, e) => (true, e),
            (Ty::Unknown, e) => (false, e),
            (Ty::Unit(u), e) if u.dimension().is_none() => (true, scaled(e, u.size())),
            (Ty::Unit(u), e) => {
                let problem = self.plain(what, &u.to_string());
                self.problem(problem, e.span);
                (false, e)
            }
        }
    }

    /// A distribution's draw unit: its location and scale parameters' common unit (the
    /// inverse of the rate's for `exponential`); other parameters are plain numbers.
    fn distribution(&mut self, e: &Expr, name: &str, args: &[Expr], form: Form) -> (Ty, Vec<Expr>) {
        let Some(kind) = DistKind::from_name(name) else {
            let converted = args.iter().map(|a| self.expr(a).1).collect();
            return (Ty::Unknown, converted);
        };
        let scale = in_draw_unit(kind, form);
        let in_unit: Vec<&Expr> = args.iter().enumerate().filter(|(i, _)| scale.contains(i)).map(|(_, a)| a).collect();
        let (mut ty, mut converted) = self.alike(e, &format!("{name}(...)"), &in_unit);
        let mut out = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            if scale.contains(&i) {
                out.push(converted.remove(0));
            } else if kind == DistKind::Exponential {
                let (rate, a) = self.expr(a);
                ty = match rate {
                    Ty::Unit(u) => Ty::Unit(u.pow(-1)),
                    other => other,
                };
                out.push(a);
            } else {
                let param = kind.params().get(i).copied().unwrap_or("?");
                out.push(self.plain_arg(&format!("parameter `{param}` of `{name}`"), a).1);
            }
        }
        (ty, out)
    }
}

/// `op a`, `a` inferred: `-a` keeps its unit, `not a` is 0 or 1.
#[inline(never)]
fn unary(e: &Expr, op: UnaryOp, (ty, a): (Ty, Expr)) -> (Ty, Expr) {
    let ty = match op {
        UnaryOp::Neg => ty,
        UnaryOp::Not => Ty::Number,
    };
    (ty, Expr { kind: ExprKind::Unary(op, Box::new(a)), span: e.span })
}

/// True if `model`'s periods are years: labels such as 2025, 2026, … one year apart.
fn years(model: &Model) -> bool {
    let Some(periods) = &model.meta.periods else { return false };
    let years: Option<Vec<i32>> =
        periods.labels.iter().map(|l| l.parse().ok().filter(|y| (1000..10_000).contains(y))).collect();
    years.is_some_and(|y| y.windows(2).all(|w| w[1] == w[0] + 1))
}

/// The whole number `e` is, if it is one written out (`2`, `-1`).
fn integer(e: &Expr) -> Option<i32> {
    match &e.kind {
        ExprKind::Num(x) if x.fract() == 0.0 && x.abs() <= f64::from(MAX_POWER) => Some(*x as i32),
        ExprKind::Unary(UnaryOp::Neg, a) => integer(a).map(|n| -n),
        _ => None,
    }
}
