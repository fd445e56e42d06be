//! The built-in functions and constants, in one table: name resolution, arity checks,
//! lowering, "did you mean" and the README's list (kept equal by `tests/docs.rs`) all
//! read it. Distributions have their own table, [`DistKind::ALL`], with their parameters.

use crate::dist::DistKind;

/// A built-in function of one number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Math {
    /// `abs(x)`
    Abs,
    /// `sqrt(x)`
    Sqrt,
    /// `exp(x)`
    Exp,
    /// `ln(x)`
    Ln,
    /// `log10(x)`
    Log10,
    /// `floor(x)`
    Floor,
    /// `ceil(x)`
    Ceil,
    /// `round(x)`: half away from zero.
    Round,
    /// `sin(x)`
    Sin,
    /// `cos(x)`
    Cos,
    /// `tan(x)`
    Tan,
}

impl Math {
    /// Applies the function.
    #[inline(always)]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Math::Abs => x.abs(),
            Math::Sqrt => x.sqrt(),
            Math::Exp => x.exp(),
            Math::Ln => x.ln(),
            Math::Log10 => x.log10(),
            Math::Floor => x.floor(),
            Math::Ceil => x.ceil(),
            Math::Round => x.round(),
            Math::Sin => x.sin(),
            Math::Cos => x.cos(),
            Math::Tan => x.tan(),
        }
    }
}

/// What a built-in name calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// A function of one number.
    Math(Math),
    /// `min(a, b, ...)`
    Min,
    /// `max(a, b, ...)`
    Max,
    /// `clamp(x, lo, hi)`
    Clamp,
    /// `if(cond, a, b)`
    If,
    /// `truncate(dist, lo, hi)`
    Truncate,
    /// `choice([values], [weights])`
    Choice,
    /// `sum(x)`: a series' values added up, period by period.
    Sum,
    /// `mean(x)`: a series' mean over its periods.
    Mean,
    /// `cumsum(x)`: a series' running totals.
    Cumsum,
    /// `npv(rate, x)`: period k (0-based) discounted by (1 + rate)^(k+1), as spreadsheets'
    /// NPV does.
    Npv,
    /// `at(x, k)`: a series' value in period k (0-based).
    At,
}

/// How many arguments a function takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many.
    Exactly(usize),
    /// This many or more.
    AtLeast(usize),
}

/// One built-in function.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    /// Its name in model files.
    pub name: &'static str,
    /// What it calls.
    pub function: Function,
    /// Its arguments, as the README and messages show them, e.g. `(x, lo, hi)`.
    pub arguments: &'static str,
    /// What it gives, in a phrase (the man page's model language section).
    pub meaning: &'static str,
}

impl Builtin {
    /// How many arguments it takes.
    pub fn arity(&self) -> Arity {
        match self.function {
            Function::Math(_) => Arity::Exactly(1),
            Function::Min | Function::Max => Arity::AtLeast(1),
            Function::Clamp | Function::If | Function::Truncate => Arity::Exactly(3),
            Function::Choice | Function::Npv | Function::At => Arity::Exactly(2),
            Function::Sum | Function::Mean | Function::Cumsum => Arity::Exactly(1),
        }
    }
}

/// Every built-in function (distributions aside), in the README's order.
pub const FUNCTIONS: [Builtin; 22] = [
    Builtin {
        name: "min",
        function: Function::Min,
        arguments: "(a, b, ...) or (series)",
        meaning: "the smallest argument, period by period; of one series, its smallest value",
    },
    Builtin {
        name: "max",
        function: Function::Max,
        arguments: "(a, b, ...) or (series)",
        meaning: "the largest argument, period by period; of one series, its largest value",
    },
    Builtin { name: "abs", function: Function::Math(Math::Abs), arguments: "(x)", meaning: "absolute value" },
    Builtin { name: "sqrt", function: Function::Math(Math::Sqrt), arguments: "(x)", meaning: "square root" },
    Builtin { name: "exp", function: Function::Math(Math::Exp), arguments: "(x)", meaning: "e to the power x" },
    Builtin { name: "ln", function: Function::Math(Math::Ln), arguments: "(x)", meaning: "natural logarithm" },
    Builtin { name: "log10", function: Function::Math(Math::Log10), arguments: "(x)", meaning: "base-10 logarithm" },
    Builtin {
        name: "floor",
        function: Function::Math(Math::Floor),
        arguments: "(x)",
        meaning: "largest whole number ≤ x",
    },
    Builtin {
        name: "ceil",
        function: Function::Math(Math::Ceil),
        arguments: "(x)",
        meaning: "smallest whole number ≥ x",
    },
    Builtin {
        name: "round",
        function: Function::Math(Math::Round),
        arguments: "(x)",
        meaning: "nearest whole number, half away from zero",
    },
    Builtin { name: "clamp", function: Function::Clamp, arguments: "(x, lo, hi)", meaning: "x limited to [lo, hi]" },
    Builtin { name: "sin", function: Function::Math(Math::Sin), arguments: "(x)", meaning: "sine (radians)" },
    Builtin { name: "cos", function: Function::Math(Math::Cos), arguments: "(x)", meaning: "cosine (radians)" },
    Builtin { name: "tan", function: Function::Math(Math::Tan), arguments: "(x)", meaning: "tangent (radians)" },
    Builtin {
        name: "if",
        function: Function::If,
        arguments: "(cond, a, b)",
        meaning: "a where cond is not 0, else b (only the branch taken may be NaN)",
    },
    Builtin {
        name: "truncate",
        function: Function::Truncate,
        arguments: "(dist, lo, hi)",
        meaning: "the distribution restricted to [lo, hi], not clamped",
    },
    Builtin {
        name: "choice",
        function: Function::Choice,
        arguments: "([values], [weights])",
        meaning: "one of the values with the given constant weights; values may be distributions (a mixture)",
    },
    Builtin { name: "sum", function: Function::Sum, arguments: "(series)", meaning: "a series' values added up" },
    Builtin {
        name: "mean",
        function: Function::Mean,
        arguments: "(series)",
        meaning: "a series' mean over its periods (not over trials)",
    },
    Builtin {
        name: "cumsum",
        function: Function::Cumsum,
        arguments: "(series)",
        meaning: "a series' running total, a series",
    },
    Builtin {
        name: "npv",
        function: Function::Npv,
        arguments: "(rate, series)",
        meaning: "net present value: period k (from 0) discounted by (1 + rate)^(k+1), as spreadsheets' NPV",
    },
    Builtin {
        name: "at",
        function: Function::At,
        arguments: "(series, k)",
        meaning: "a series' value in period k (from 0)",
    },
];

/// The name of the period index in a multi-period model.
pub(crate) const PERIOD_INDEX: &str = "t";

/// Built-in constants.
pub const CONSTANTS: [(&str, f64); 2] = [("pi", std::f64::consts::PI), ("e", std::f64::consts::E)];

/// Words that cannot name a var.
pub(crate) const RESERVED: [&str; 4] = ["to", "or", "and", "not"];

/// The built-in function called `name`.
pub(crate) fn function(name: &str) -> Option<&'static Builtin> {
    FUNCTIONS.iter().find(|b| b.name == name)
}

/// The value of the constant called `name`.
pub(crate) fn constant(name: &str) -> Option<f64> {
    CONSTANTS.iter().find(|(c, _)| *c == name).map(|&(_, v)| v)
}

/// Every name that can be called: functions, then distributions.
pub(crate) fn callables() -> impl Iterator<Item = &'static str> + Clone {
    FUNCTIONS.iter().map(|b| b.name).chain(DistKind::ALL.iter().map(|(n, _)| *n))
}

/// One line listing what can be called, for messages.
pub(crate) fn summary() -> String {
    let functions: Vec<&str> = FUNCTIONS.iter().map(|b| b.name).collect();
    let distributions: Vec<&str> = DistKind::ALL.iter().map(|(n, _)| *n).collect();
    format!("functions: {}; distributions: {}, and `a to b`", functions.join(" "), distributions.join(" "))
}
