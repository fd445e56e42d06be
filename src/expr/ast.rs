//! The abstract syntax tree: an expression, its kinds and operators.

use crate::dist::Form;
use crate::source::Span;

/// A parsed expression with its place in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal, suffix already applied.
    Num(f64),
    /// A reference to a var or a constant (`pi`, `e`).
    Name(String),
    /// `-x` or `not x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a to b`: lognormal with 5th and 95th percentiles a and b.
    To(Box<Expr>, Box<Expr>),
    /// `name(args)`: a function or a distribution.
    Call {
        /// The function's name.
        name: String,
        /// Where the name is.
        name_span: Span,
        /// The arguments, in the order of the distribution's parameters when some were
        /// given by name.
        args: Vec<Expr>,
        /// How a distribution's parameters were given ([`Form::Positional`] for
        /// functions).
        form: Form,
    },
    /// `[a, b, c]`: only meaningful as an argument of `choice`.
    List(Vec<Expr>),
    /// An expression that did not parse (its problem is reported where it was found).
    Invalid,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// Arithmetic negation.
    Neg,
    /// Logical not: 1 if the operand is 0, else 0.
    Not,
}

/// Infix operators (other than `to`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `and`
    And,
    /// `or`
    Or,
}

impl BinOp {
    /// Applies the operator. Comparisons and logic give 1.0 or 0.0. A NaN operand gives
    /// NaN from every operator (IEEE comparisons would turn it into 0 or 1, and `powf`
    /// has NaN⁰ = 1), so a value that can't be computed always reaches its var, where it
    /// is reported.
    #[inline(always)]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        let truth = |t: bool| if a.is_nan() || b.is_nan() { f64::NAN } else { f64::from(t) };
        match self {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
            BinOp::Pow => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.powf(b)
                }
            }
            BinOp::Lt => truth(a < b),
            BinOp::Le => truth(a <= b),
            BinOp::Gt => truth(a > b),
            BinOp::Ge => truth(a >= b),
            BinOp::Eq => truth(a == b),
            BinOp::Ne => truth(a != b),
            BinOp::And => truth(a != 0.0 && b != 0.0),
            BinOp::Or => truth(a != 0.0 || b != 0.0),
        }
    }

    /// True for comparisons and logic, whose results are 0 or 1.
    pub fn is_boolean(self) -> bool {
        !matches!(self, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow)
    }
}

impl Expr {
    /// True if the expression's value is always 0 or 1 (a comparison or logic), so its
    /// mean reads as a probability.
    pub fn is_boolean(&self) -> bool {
        match &self.kind {
            ExprKind::Binary(op, ..) => op.is_boolean(),
            ExprKind::Unary(UnaryOp::Not, _) => true,
            ExprKind::Call { name, .. } => name == "bernoulli",
            _ => false,
        }
    }

    /// True if the expression is a single distribution call (`a to b`, `normal(…)`): a
    /// var that can be correlated or sampled through its quantile function.
    pub fn is_distribution(&self) -> bool {
        match &self.kind {
            ExprKind::To(..) => true,
            ExprKind::Call { name, .. } => crate::dist::DistKind::from_name(name).is_some(),
            _ => false,
        }
    }

    /// Calls `visit` on this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Num(_) | ExprKind::Name(_) | ExprKind::Invalid => {}
            ExprKind::Unary(_, a) => a.walk(visit),
            ExprKind::Binary(_, a, b) | ExprKind::To(a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            ExprKind::Call { args: items, .. } | ExprKind::List(items) => {
                items.iter().for_each(|e| e.walk(visit));
            }
        }
    }

    /// This expression with `f` applied to every span in it.
    pub fn map_spans(mut self, f: &impl Fn(Span) -> Span) -> Expr {
        self.map_spans_in_place(f);
        self
    }

    fn map_spans_in_place(&mut self, f: &impl Fn(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.kind {
            ExprKind::Num(_) | ExprKind::Name(_) | ExprKind::Invalid => {}
            ExprKind::Unary(_, a) => a.map_spans_in_place(f),
            ExprKind::Binary(_, a, b) | ExprKind::To(a, b) => {
                a.map_spans_in_place(f);
                b.map_spans_in_place(f);
            }
            ExprKind::Call { name_span, args, .. } => {
                *name_span = f(*name_span);
                args.iter_mut().for_each(|e| e.map_spans_in_place(f));
            }
            ExprKind::List(items) => items.iter_mut().for_each(|e| e.map_spans_in_place(f)),
        }
    }
}
