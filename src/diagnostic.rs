//! What the user sees when a model is wrong: a [`Problem`] (what is wrong, and how to fix
//! it) at a place in the file, rendered in one place (`file:line:column`, the source line
//! with a caret underline, and the hint), as rustc and just do.

use std::fmt;

use crate::builtins;
use crate::correlation::CorrelationError;
use crate::dist::Shown;
use crate::source::{SourceMap, Span};

/// The most trials a run may have (10^15: some 30 years of one core at today's speed),
/// wherever the count comes from: `--trials`, the model's `trials`, a partial state.
pub const MAX_TRIALS: u64 = 1_000_000_000_000_000;

/// What every refusal of a trial count says, from the command line or a model file.
pub const TRIALS_RANGE: &str = "a run has 1 to 1e15 (10^15) trials";

/// One problem found in a model, with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// What is wrong (boxed: problems carry names and values, places are small).
    pub problem: Box<Problem>,
    /// Where, if known.
    pub span: Option<Span>,
}

/// Every kind of problem a model can have; its `Display` is the message, [`Problem::help`]
/// the hint.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Problem {
    /// A problem inside a var's expression.
    #[error("{problem} in var `{var}`")]
    InVar {
        /// The var.
        var: String,
        /// The problem.
        problem: Box<Problem>,
    },
    /// A problem inside a `--set VAR=EXPR` option.
    #[error("{problem} in `--set {var}`")]
    InSet {
        /// The var set.
        var: String,
        /// The problem.
        problem: Box<Problem>,
    },
    /// A problem inside a `--query EXPR` option.
    #[error("{problem} in `--query {query}`")]
    InQuery {
        /// The option's value.
        query: String,
        /// The problem.
        problem: Box<Problem>,
    },
    /// A data file, column or fit that cannot give a var its distribution.
    #[error("data `{file}`: {message}")]
    BadData {
        /// The file as written.
        file: String,
        /// What is wrong, where in the file.
        message: String,
    },
    /// A var with both `value` and `data`.
    #[error("a var takes `value` or `data`, not both")]
    ValueAndData,
    /// `column` or `fit` without `data`.
    #[error("`column` and `fit` need `data = \"file.csv\"`")]
    DataKeyWithoutData,
    /// `data` without a required key.
    #[error("`data` needs `{0}`")]
    DataNeeds(&'static str),
    /// A family no data is fitted to.
    #[error("unknown fit `{name}`")]
    UnknownFit {
        /// As written.
        name: String,
        /// The nearest family.
        suggestion: Option<String>,
        /// Every family.
        known: String,
    },
    /// A fitted distribution far from its data.
    #[error(
        "the {family} fitted to `{file}` for var `{var}` is far from the data: Kolmogorov–Smirnov distance {distance} (p {p_value})"
    )]
    PoorFit {
        /// The var.
        var: String,
        /// The family.
        family: String,
        /// The data file.
        file: String,
        /// The KS distance, shown.
        distance: String,
        /// Its p-value, shown with its relation: `= 0.0123`, `< 0.0001`.
        p_value: String,
    },
    /// A correlated var that a scenario or `--set` made other than one distribution (a
    /// note: it leaves its correlations, the rest stay).
    #[error(
        "`{var}` is set to `{value}` by {by}, so it leaves its correlation with {}",
        partners.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
    )]
    Uncorrelated {
        /// The var.
        var: String,
        /// Its new expression, as written.
        value: String,
        /// What pinned it: `--set` or scenario `NAME`.
        by: String,
        /// The vars it was correlated with.
        partners: Vec<String>,
    },
    /// A list of percentiles that cannot be reported.
    #[error("bad percentiles: {0}")]
    BadPercentiles(String),
    /// `x = 1` inside an expression.
    #[error("`=` is not an operator")]
    Assignment,
    /// Named arguments that do not fit the function.
    #[error("in `{function}(...)`: {message}")]
    NamedArguments {
        /// The function called.
        function: String,
        /// What is wrong, with what it takes.
        message: String,
    },
    /// A character the language does not use.
    #[error("unexpected character `{0}`")]
    UnexpectedCharacter(char),
    /// `60 %`: a percent sign apart from its number.
    #[error("`%` is apart from its number")]
    SpacedPercent,
    /// Digits that do not make a number.
    #[error("`{0}` is not a number")]
    BadNumber(String),
    /// `10x`.
    #[error("unknown number suffix `{0}`")]
    UnknownSuffix(String),
    /// More tokens than the parser takes.
    #[error("expression longer than {0} tokens")]
    TooLong(usize),
    /// Deeper nesting than the parser takes.
    #[error("expression nested more than {0} levels deep")]
    TooDeep(usize),
    /// A taller expression tree than later stages take.
    #[error("expression more than {0} operators deep")]
    TooTall(usize),
    /// Nothing to parse.
    #[error("empty expression")]
    Empty,
    /// A token that does not fit the grammar.
    #[error("expected {wanted}, found {found}")]
    Expected {
        /// What would fit.
        wanted: String,
        /// What is there.
        found: String,
        /// How to fix it, when there is something to say.
        hint: Option<String>,
    },
    /// `a < b < c`.
    #[error("comparisons do not chain")]
    ChainedComparison,
    /// The file is not TOML.
    #[error("invalid TOML: {message}")]
    InvalidToml {
        /// The parser's message.
        message: String,
        /// How to fix it, when the line says.
        hint: Option<String>,
    },
    /// No `[model]` table.
    #[error("missing [model] table")]
    MissingModel,
    /// No vars.
    #[error("the model has no vars")]
    NoVars,
    /// A key the file format does not have.
    #[error("unknown key `{key}`")]
    UnknownKey {
        /// The key.
        key: String,
        /// The nearest known key.
        suggestion: Option<String>,
        /// Which keys are known here, e.g. "\[model\] keys are: name, …".
        known: String,
    },
    /// A value that should be a table.
    #[error("{0} must be a table")]
    NotATable(String),
    /// A value that should be a string.
    #[error("`{0}` must be a string")]
    NotAString(String),
    /// A string with a control character (an escape sequence could rewrite the terminal
    /// of whoever reads a report).
    #[error("`{what}` contains the control character U+{code:04X}")]
    ControlCharacter {
        /// The key or table.
        what: String,
        /// The character's code point.
        code: u32,
    },
    /// A value that should be a whole number.
    #[error("`{0}` must be a whole number ≥ 0")]
    NotAWholeNumber(String),
    /// A value that should be a number.
    #[error("{0} must be a number")]
    NotANumber(String),
    /// A value that should be a list of var names.
    #[error("`{0}` must be a list of var names")]
    NotANameList(String),
    /// A key that takes `true` or `false`.
    #[error("`{0}` must be true or false")]
    NotABoolean(String),
    /// `periods` that is neither a count nor a list of labels.
    #[error("`periods` must be a whole number or a list of labels")]
    PeriodsNotCountOrLabels,
    /// A trial count out of range, as written.
    #[error("`trials = {0}` is out of range: {TRIALS_RANGE}")]
    TrialsOutOfRange(String),
    /// `trials` that is not a trial count, as written.
    #[error("`trials = {written}` must be a whole number ≥ 1{}", if *ambiguous { " (m is ambiguous: write M for millions)" } else { "" })]
    NotATrialCount {
        /// As written.
        written: String,
        /// A lowercase `m`.
        ambiguous: bool,
    },
    /// Too few or too many periods.
    #[error("a model has 1 to {max} periods, got {got}")]
    PeriodsCount {
        /// Periods given.
        got: u64,
        /// The most allowed.
        max: u64,
    },
    /// A period label that cannot be written inside `name[label]`.
    #[error("period label `{0}` is empty or contains `[`, `]`, `,` or `\"`")]
    InvalidPeriodLabel(String),
    /// A period label given twice.
    #[error("period label `{0}` is used twice")]
    DuplicatePeriod(String),
    /// `[model]` without `name`.
    #[error("[model] has no `name`")]
    NoName,
    /// A var name the language cannot refer to.
    #[error("`{0}` is not a valid var name")]
    InvalidVarName(String),
    /// A var table without `value`.
    #[error("var `{0}` has no `value`")]
    NoValue(String),
    /// A var that is neither an expression string nor a number.
    #[error("var `{0}` must be an expression string or a number")]
    NotAnExpression(String),
    /// `correlations = …` instead of `[[correlations]]`.
    #[error("correlations must be written as [[correlations]] tables")]
    CorrelationsNotTables,
    /// A correlation without `vars` or coefficients.
    #[error("a correlation needs `vars` and either `rank` or `matrix`")]
    IncompleteCorrelation,
    /// `matrix` that is not a list of rows.
    #[error("`matrix` must be a list of rows")]
    MatrixNotRows,
    /// A `matrix` row that is not a list of numbers.
    #[error("each `matrix` row must be a list of numbers")]
    MatrixRowNotNumbers,
    /// A scenario or `--set` that replaces no var.
    #[error("cannot override `{name}`: the model has no such var")]
    UnknownOverride {
        /// The name.
        name: String,
        /// The nearest var.
        suggestion: Option<String>,
    },
    /// A var named like a constant or keyword.
    #[error("`{0}` is a reserved word and cannot name a var")]
    Reserved(String),
    /// A unit that does not parse or names no unit.
    #[error("{message} in unit `{unit}`")]
    BadUnit {
        /// The unit as written.
        unit: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// A var whose formula gives a unit of another dimension than the one declared.
    #[error("`{var}` is declared in {declared} but its formula gives {formula}")]
    UnitMismatch {
        /// The var.
        var: String,
        /// Its declared unit.
        declared: String,
        /// Its formula's unit.
        formula: String,
        /// The usual fix.
        hint: String,
    },
    /// Quantities of different dimensions added, compared or given to one function.
    #[error("`{what}` mixes {left} and {right} in var `{var}`")]
    IncompatibleUnits {
        /// The operator or function.
        what: String,
        /// The first unit.
        left: String,
        /// The other.
        right: String,
        /// The var.
        var: String,
        /// The usual fix.
        hint: String,
    },
    /// A quantity with a unit where only a plain number makes sense (`ln`, an exponent).
    #[error("{what} needs a plain number, but gets {unit} in var `{var}`")]
    NeedsPlainNumber {
        /// What needs it.
        what: String,
        /// The unit it gets.
        unit: String,
        /// The var.
        var: String,
    },
    /// A lint: `2-3`, a subtraction of two numbers, where a range was likely meant.
    #[error("`{text}` subtracts two numbers ({value}) in var `{var}`")]
    RangeAsSubtraction {
        /// The expression as written.
        text: String,
        /// What it comes to.
        value: String,
        /// `lo to hi`, the range it may mean.
        range: String,
        /// The var.
        var: String,
    },
    /// A lint: a literal that looks like a conversion factor units already apply.
    #[error("`{literal}` looks like a hand-written conversion in var `{var}`, which units already make")]
    ConversionTwice {
        /// The literal as written.
        literal: String,
        /// The factor units apply.
        factor: String,
        /// The var.
        var: String,
    },
    /// A lint: a money-valued input whose distribution goes below zero.
    #[error("`{var}` is in {unit} but its distribution is negative in {share} of trials")]
    NegativeMoney {
        /// The var.
        var: String,
        /// Its unit.
        unit: String,
        /// The share of draws below zero.
        share: String,
    },
    /// A lint: a var in % whose value is far above 100%.
    #[error("`{var}` is in % but its value is {value}, which is {percent}")]
    PercentTooLarge {
        /// The var.
        var: String,
        /// The number as written.
        value: String,
        /// As a percentage.
        percent: String,
    },
    /// `lognormal(mu, sigma)` with unnamed constant parameters, which tools disagree on.
    #[error(
        "`lognormal({mu}, {sigma})` in var `{var}` takes the mean and sd of ln(x): its median is {} and its mean {}",
        Shown::short(*median), Shown::short(*mean)
    )]
    LognormalByPosition {
        /// The var.
        var: String,
        /// The first parameter, as written.
        mu: String,
        /// The second.
        sigma: String,
        /// e^mu.
        median: f64,
        /// e^(mu + sigma²/2).
        mean: f64,
    },
    /// A name that is no var or constant.
    #[error("unknown name `{name}` in var `{var}`")]
    UnknownName {
        /// The name.
        name: String,
        /// The var using it.
        var: String,
        /// The nearest var or constant.
        suggestion: Option<String>,
        /// True if it names a function (called without parentheses).
        is_function: bool,
    },
    /// A call of something that is no function or distribution.
    #[error("unknown function `{name}`")]
    UnknownFunction {
        /// The name.
        name: String,
        /// The nearest callable.
        suggestion: Option<String>,
    },
    /// A call with the wrong number or kind of arguments.
    #[error("`{function}` takes {wanted}, got {got}")]
    Arity {
        /// The function.
        function: String,
        /// What it takes, e.g. "3 arguments (min, mode, max)".
        wanted: String,
        /// How many it got.
        got: usize,
        /// An example, when one helps.
        example: Option<&'static str>,
    },
    /// `truncate(x, lo, hi)` with x not a distribution.
    #[error("the first argument of `truncate` must be a distribution")]
    TruncateNeedsDistribution,
    /// `truncate(metalog(...), lo, hi)`.
    #[error("`truncate` does not take a metalog")]
    TruncateMetalog,
    /// `choice` with lists of different lengths.
    #[error("`choice` needs as many weights as values, at least one (got {values} values, {weights} weights)")]
    ChoiceWeights {
        /// Values given.
        values: usize,
        /// Weights given.
        weights: usize,
    },
    /// A list outside `choice`.
    #[error("a list `[...]` is only allowed as an argument of `choice`, in var `{0}`")]
    StrayList(String),
    /// Vars that depend on themselves.
    #[error("cycle between vars: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// An output that is no var.
    #[error("unknown output `{name}`")]
    UnknownOutput {
        /// The name.
        name: String,
        /// The nearest var.
        suggestion: Option<String>,
    },
    /// `outputs = []`.
    #[error("`outputs` is empty, so there is nothing to report")]
    NoOutputs,
    /// A sampling method that does not exist.
    #[error("unknown sampling method `{0}`")]
    UnknownSampling(String),
    /// Distribution parameters that break a rule.
    #[error("invalid parameters for {what} in var `{var}`: {rule}")]
    InvalidParameters {
        /// The call, e.g. "`normal(...)`".
        what: String,
        /// The var.
        var: String,
        /// The rule broken.
        rule: String,
    },
    /// A constant sub-expression that is NaN or infinite.
    #[error("`{text}` is {value}, not a finite number, in var `{var}`")]
    NotFinite {
        /// The sub-expression as written.
        text: String,
        /// Its value.
        value: f64,
        /// The var.
        var: String,
    },
    /// `clamp(x, lo, hi)` with lo > hi.
    #[error("`clamp` needs lo ≤ hi (got {}, {}) in var `{var}`", Shown(*lo), Shown(*hi))]
    ClampOrder {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
        /// The var.
        var: String,
    },
    /// `per_period = true` in a model without periods.
    #[error("var `{0}` is per_period, but the model has no periods")]
    PerPeriodWithoutPeriods(String),
    /// `t`, a list or a reduction in a model without periods.
    #[error("{what} needs periods, but the model declares none, in var `{var}`")]
    NoPeriods {
        /// What was used, e.g. "`t` (the period index)".
        what: String,
        /// The var.
        var: String,
    },
    /// A function over a series applied to one value per trial.
    #[error("`{function}(...)` takes a series (one value per period), but got one value per trial, in var `{var}`")]
    ReduceScalar {
        /// The function.
        function: String,
        /// The var.
        var: String,
    },
    /// A draw that would differ by period in a var that is not per period.
    #[error("var `{0}` draws a random number and has one value per period")]
    SeriesDraw(String),
    /// A list whose length is not the number of periods.
    #[error(
        "a list gives one value per period: the model has {periods} periods, the list has {got} values, in var `{var}`"
    )]
    ListLength {
        /// Values in the list.
        got: usize,
        /// The model's periods.
        periods: usize,
        /// The var.
        var: String,
    },
    /// A series where one value per trial is needed.
    #[error("{what} must be one value per trial, not a series, in var `{var}`")]
    NotScalar {
        /// What, e.g. "the rate of `npv`".
        what: String,
        /// The var.
        var: String,
    },
    /// `at(x, k)` with k that is not a period index.
    #[error("`at(x, k)` needs k to be a period index, a whole number from 0 to {last}, in var `{var}`")]
    PeriodIndex {
        /// The last index.
        last: usize,
        /// The var.
        var: String,
    },
    /// A correlated var that draws in every period.
    #[error("var `{0}` is per_period, so it cannot be correlated")]
    CorrelatedPerPeriod(String),
    /// A correlated var with per-trial parameters.
    #[error("var `{0}` is correlated, so its distribution's parameters must be constant")]
    CorrelatedNotConstant(String),
    /// More quasi-random inputs than the Sobol sequence has dimensions.
    #[error("qmc sampling supports at most {max} inputs; `{var}` is one too many")]
    TooManyQmc {
        /// The limit.
        max: usize,
        /// The first var past it.
        var: String,
    },
    /// A var named twice in one correlation.
    #[error("`{0}` is listed twice in this correlation")]
    ListedTwice(String),
    /// A correlation of a var that does not exist.
    #[error("unknown var `{name}` in correlation")]
    UnknownCorrelated {
        /// The name.
        name: String,
        /// The nearest var.
        suggestion: Option<String>,
    },
    /// `--query NAME=EXPR` with a NAME the model already has.
    #[error("`--query` output `{0}` is already a var of the model")]
    QueryNameTaken(String),
    /// A correlation of a var that is not one distribution call (`constant` if it is the
    /// same in every trial).
    #[error("var `{var}` is {}, so it cannot be correlated", if *constant { "a constant" } else { "not a single distribution" })]
    NotADistribution {
        /// The var.
        var: String,
        /// True if it uses no var and draws nothing.
        constant: bool,
    },
    /// `rank` with other than two vars.
    #[error("`rank` correlates exactly 2 vars, got {0}")]
    RankNeedsTwo(usize),
    /// `rank` outside [-1, 1].
    #[error("rank correlation {0} is outside [-1, 1]")]
    RankOutOfRange(f64),
    /// A `matrix` of the wrong shape.
    #[error("`matrix` must be {0}×{0}, one row and column per var")]
    MatrixShape(usize),
    /// A `matrix` diagonal entry other than 1.
    #[error("the diagonal of `matrix` must be 1 (row {row} has {value})")]
    MatrixDiagonal {
        /// 1-based row.
        row: usize,
        /// Its diagonal entry.
        value: f64,
    },
    /// A `matrix` that is not symmetric.
    #[error("`matrix` is not symmetric for `{a}` and `{b}` ({x} vs {y})")]
    MatrixAsymmetric {
        /// One var.
        a: String,
        /// The other.
        b: String,
        /// One entry.
        x: f64,
        /// Its mirror.
        y: f64,
    },
    /// A `matrix` entry outside [-1, 1].
    #[error("rank correlation {x} between `{a}` and `{b}` is outside [-1, 1]")]
    MatrixOutOfRange {
        /// The entry.
        x: f64,
        /// One var.
        a: String,
        /// The other.
        b: String,
    },
    /// Correlations that cannot hold together.
    #[error("{0}")]
    Correlations(CorrelationError),
    /// A var that was NaN or infinite in some trials.
    #[error("var `{var}` is NaN or infinite in {count} of {trials} trials")]
    NonFinite {
        /// The var.
        var: String,
        /// Trials in which it was.
        count: u64,
        /// Trials run.
        trials: u64,
        /// What made it so, when a replay found the operation.
        cause: Option<String>,
    },
}

impl Problem {
    /// How to fix it, if there is something to say.
    pub fn help(&self) -> Option<String> {
        let suggest = |s: &Option<String>, otherwise: &str| {
            Some(s.as_ref().map_or_else(|| otherwise.to_string(), |near| format!("did you mean `{near}`?")))
        };
        let text = |s: &str| Some(s.to_string());
        match self {
            Problem::InVar { problem, .. } | Problem::InSet { problem, .. } | Problem::InQuery { problem, .. } => {
                problem.help()
            }
            Problem::Assignment => text(
                "use `==` to compare; a var's name goes before the `=` in the TOML file; only a distribution's parameters are named inside a formula (`lognormal(mean = 6M, sd = 2M)`)",
            ),
            Problem::NamedArguments { .. } => text(
                "name a distribution's parameters as its table in the README lists them, e.g. `pert(1, 3, 9, lambda = 6)`, `normal(p10 = 2, p90 = 5)`, `lognormal(mean = 6M, sd = 2M)`",
            ),
            Problem::UnexpectedCharacter('$' | '€' | '£' | '¥') => text(
                "write the number alone (`0.09`, not `$0.09`) and give the var a unit, e.g. `price = { value = \"0.09\", unit = \"USD\" }`",
            ),
            Problem::SpacedPercent => text("write `60%` without a space: `%` is a number suffix (60% is 0.6)"),
            Problem::UnexpectedCharacter(_) => {
                text("expressions use numbers, names, + - * / ^, comparisons, and function calls")
            }
            Problem::UnknownSuffix(_) => text(
                "suffixes are k or K (1e3), M (1e6), B or G (1e9), T (1e12) and % (1e-2); put a space or `*` between a number and a name",
            ),
            Problem::TooLong(_) | Problem::TooDeep(_) | Problem::TooTall(_) => text("split it into several vars"),
            Problem::ControlCharacter { .. } => {
                text("remove it; only `description` and `note` may contain newlines and tabs")
            }
            Problem::Empty => text("write a number, a formula or a distribution such as `10k to 20k`"),
            Problem::Expected { hint, .. } | Problem::InvalidToml { hint, .. } => hint.clone(),
            Problem::ChainedComparison => text("write `a < b and b < c` instead of `a < b < c`"),
            Problem::MissingModel => text("add `[model]` with at least `name = \"...\"`"),
            Problem::NoVars => text("add a `[vars]` table, e.g. `price = \"25k to 40k\"`"),
            Problem::UnknownKey { suggestion, known, .. } => suggest(suggestion, known),
            Problem::NoName => text("add `name = \"...\"`: it titles every report"),
            Problem::InvalidVarName(_) => {
                text("names start with a letter or `_` and contain only letters, digits and `_`")
            }
            Problem::NoValue(_) => text("add `value = \"...\"` with the var's expression"),
            Problem::NotAnExpression(_) => {
                text("write e.g. `x = \"10k to 20k\"` or `x = { value = \"...\", unit = \"USD\" }`")
            }
            Problem::IncompleteCorrelation => text("e.g. `vars = [\"p_h800\", \"p_h100\"]` and `rank = 0.8`"),
            Problem::UnknownOverride { suggestion, .. } => {
                suggest(suggestion, "an override replaces a var declared in [vars]")
            }
            Problem::Reserved(_) => text("rename the var"),
            Problem::QueryNameTaken(name) => Some(format!(
                "give the query a new name, e.g. `--query '{name}_query=...'`; to change `{name}` itself use `--set`"
            )),
            Problem::BadUnit { hint, .. } | Problem::UnitMismatch { hint, .. } | Problem::IncompatibleUnits { hint, .. } => {
                Some(hint.clone())
            }
            Problem::RangeAsSubtraction { range, .. } => {
                Some(format!("did you mean `{range}`? Write `a - b` with spaces for a subtraction"))
            }
            Problem::ConversionTwice { factor, .. } => Some(format!(
                "units convert it already ({factor}), so the factor is applied twice: remove it"
            )),
            Problem::NegativeMoney { .. } => text(
                "a cost or price cannot go below zero: use `lo to hi` (lognormal), `pert(...)`, a metalog bounded below (`metalog([...], [...], 0)`), or `truncate(normal(...), 0, ...)`",
            ),
            Problem::LognormalByPosition { mu, sigma, .. } => Some(format!(
                "if {mu} and {sigma} are the mean and sd of the values (as @RISK's RiskLognorm reads them), write `lognormal(mean = {mu}, sd = {sigma})`; to keep this reading and silence this warning, write `lognormal(mu = {mu}, sigma = {sigma})`"
            )),
            Problem::PercentTooLarge { value, .. } => {
                Some(format!("a `%` var holds a fraction: write `{value}%` for {value} percent"))
            }
            Problem::NeedsPlainNumber { unit, .. } => Some(format!(
                "divide by a quantity in {unit} first, to make a ratio (e.g. `ln(price / base_price)`)"
            )),
            Problem::UnknownName { name, suggestion: None, is_function: true, .. } => {
                Some(format!("`{name}` is a function: call it as `{name}(...)`"))
            }
            Problem::UnknownName { suggestion, .. } => suggest(suggestion, "declare it in [vars] or check the spelling"),
            Problem::UnknownFunction { suggestion, .. } => suggest(suggestion, &builtins::summary()),
            Problem::Arity { example, .. } => example.map(str::to_string),
            Problem::TruncateNeedsDistribution => text("e.g. `truncate(normal(10, 3), 0, 20)`"),
            Problem::BadData { .. } => text(
                "a var fitted to data reads a CSV file beside the model: `x = { data = \"quotes.csv\", column = \"usd\", fit = \"lognormal\" }`",
            ),
            Problem::ValueAndData => text("remove `value` to fit the data, or `data` to use the formula"),
            Problem::DataKeyWithoutData | Problem::DataNeeds(_) => text(
                "e.g. `x = { data = \"quotes.csv\", column = \"usd\", fit = \"lognormal\" }`; fits: empirical, normal, lognormal, gamma, metalog",
            ),
            Problem::UnknownFit { suggestion, known, .. } => suggest(suggestion, &format!("fits: {known}")),
            Problem::PoorFit { .. } => text(
                "try another `fit` (`empirical` resamples the data themselves), or a metalog with more `terms`",
            ),
            Problem::Uncorrelated { .. } => text(
                "the other correlations stay as the model file gives them (a matrix loses this var's row and column, which keeps it valid)",
            ),
            Problem::BadPercentiles(_) => text("e.g. `percentiles = [5, 50, 80, 95]`, in percent"),
            Problem::TruncateMetalog => text(
                "give the metalog its bounds instead: `metalog([0.1, 0.5, 0.9], [3M, 6M, 15M], 0, 40M)` lies between 0 and 40M and still passes through its quantiles",
            ),
            Problem::StrayList(_) => text(
                "for a range write `2 to 3` (or `uniform(2, 3)`); for one of several values, `choice([v1, v2], [w1, w2])`; in a model with `periods`, a list gives one value per period",
            ),
            Problem::Cycle(_) => text("a var cannot depend on itself, directly or through other vars"),
            Problem::UnknownOutput { suggestion, .. } => suggest(suggestion, "outputs must name vars declared in [vars]"),
            Problem::NoOutputs => {
                text("list the vars to report, or remove `outputs` to report every var no other var uses")
            }
            Problem::UnknownSampling(_) => {
                text("use `mc` (Monte Carlo), `lhs` (Latin hypercube) or `qmc` (randomised Sobol sequence)")
            }
            Problem::NotFinite { .. } => text("check for division by zero, ln or sqrt of a negative, or overflow"),
            Problem::TooManyQmc { .. } => text("use `lhs` or `mc` sampling for this model"),
            Problem::NotABoolean(key) => Some(format!("write `{key} = true` or `{key} = false`, without quotes")),
            Problem::PeriodsNotCountOrLabels => text("e.g. `periods = 4` or `periods = [\"2025\", \"2026\", \"2027\"]`"),
            Problem::TrialsOutOfRange(_) | Problem::NotATrialCount { .. } => text(
                "e.g. `trials = 1_000_000`, `trials = 1e6` or `trials = \"200k\"` (as `--trials` takes them, which overrides it)",
            ),
            Problem::PeriodsCount { .. } => text("e.g. `periods = 4` for four years, or one label per period"),
            Problem::InvalidPeriodLabel(_) => text("labels name the periods in reports, e.g. \"2025\" or \"Q1-2026\""),
            Problem::DuplicatePeriod(_) => text("give every period its own label"),
            Problem::NoPeriods { what, .. } if what == "`mean(...)`" => text(MEAN_OVER_TRIALS),
            Problem::ReduceScalar { function, .. } if function == "mean" => text(MEAN_OVER_TRIALS),
            Problem::PerPeriodWithoutPeriods(_) | Problem::NoPeriods { .. } => {
                text("declare the time axis in [model], e.g. `periods = 4` or `periods = [\"2025\", \"2026\"]`")
            }
            Problem::ReduceScalar { function, .. } if function == "min" || function == "max" => Some(format!(
                "`{function}(a, b, ...)` compares values; `{function}(x)` of one argument needs a series: one that uses `t`, a list, a per_period var or another series"
            )),
            Problem::ReduceScalar { .. } => {
                text("a value is a series when it uses `t`, a list `[...]`, a per_period var or another series")
            }
            Problem::SeriesDraw(var) => Some(format!(
                "mark it `per_period = true` to draw afresh in every period, or give the draw a var of its own (e.g. `{var}_draw = \"10k to 20k\"`) to draw once per trial and use that in `{var}`"
            )),
            Problem::ListLength { .. } => text("write one value per period, in order"),
            Problem::NotScalar { .. } => text("use a var that has one value per trial, or pick a period with `at(x, k)`"),
            Problem::PeriodIndex { .. } => text("periods are numbered from 0: `at(x, 0)` is the first period"),
            Problem::CorrelatedPerPeriod(_) => {
                text("correlations are between inputs drawn once per trial; correlate those, or drop `per_period`")
            }
            Problem::UnknownCorrelated { suggestion, .. } => {
                suggest(suggestion, "correlations name vars declared in [vars]")
            }
            Problem::NotADistribution { var, constant: true } => Some(format!(
                "`{var}` is the same in every trial: there is nothing to correlate; drop it from the correlation, or give it a distribution such as `10k to 20k`"
            )),
            Problem::NotADistribution { var, .. } => Some(format!(
                "correlate the inputs of `{var}` instead, or make it one call such as `10k to 20k`"
            )),
            Problem::RankNeedsTwo(_) => text("for 3 or more vars, give a `matrix`"),
            Problem::Correlations(_) => {
                text("change the coefficients, or run with --repair-correlations to use the nearest valid matrix")
            }
            Problem::NonFinite { cause, .. } => Some(cause.clone().unwrap_or_else(|| {
                "check for ln or sqrt of a negative, 0/0, division by zero, overflow, or distribution parameters that leave their valid range in some trials (e.g. sd < 0, min > max)".to_string()
            })),
            _ => None,
        }
    }

    /// This problem, found in var `var`'s expression.
    pub fn in_var(self, var: &str) -> Problem {
        Problem::InVar { var: var.to_string(), problem: Box::new(self) }
    }
}

impl Diagnostic {
    /// A problem at `span`.
    pub fn new(problem: Problem, span: Span) -> Diagnostic {
        Diagnostic::at(problem, Some(span))
    }

    /// A problem at `span`, if it has a place.
    pub fn at(problem: Problem, span: Option<Span>) -> Diagnostic {
        Diagnostic { problem: Box::new(problem), span }
    }

    /// Renders the diagnostic against `sources` in the style of rustc and just:
    ///
    /// ```text
    /// error: unknown name `p_h80` in var `capex`
    ///   --> model.toml:12:10
    ///    |
    /// 12 | capex = "p_h80 * 2"
    ///    |          ^^^^^
    ///    = help: did you mean `p_h800`?
    /// ```
    pub fn render(&self, sources: &SourceMap) -> String {
        Rendered { diagnostic: self, sources, level: "error" }.to_string()
    }

    /// As [`Diagnostic::render`], as a warning: a lint that changes no result.
    pub fn render_warning(&self, sources: &SourceMap) -> String {
        Rendered { diagnostic: self, sources, level: "warning" }.to_string()
    }

    /// As [`Diagnostic::render`], as a note: what a scenario or override changed beyond
    /// what it names.
    pub fn render_note(&self, sources: &SourceMap) -> String {
        Rendered { diagnostic: self, sources, level: "note" }.to_string()
    }
}

struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    sources: &'a SourceMap,
    level: &'static str,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        writeln!(f, "{}: {}", self.level, d.problem)?;
        let help = d.problem.help();
        let Some(span) = d.span else {
            writeln!(f, "  --> {}", self.sources.main().path)?;
            if let Some(help) = help {
                writeln!(f, "  = help: {help}")?;
            }
            return Ok(());
        };
        let (path, line, col, text) = self.sources.place(span);
        let gutter = " ".repeat(line.to_string().len());
        writeln!(f, "{gutter}--> {path}:{line}:{col}")?;
        writeln!(f, "{gutter} |")?;
        let (text, at) = excerpt(text, col);
        writeln!(f, "{line} | {text}")?;
        let width = underline_width(&text, at, span);
        writeln!(f, "{gutter} | {}{}", " ".repeat(at - 1), "^".repeat(width))?;
        if let Some(help) = help {
            writeln!(f, "{gutter} = help: {help}")?;
        }
        Ok(())
    }
}

/// The help for `mean(x)` of one value per trial: Squiggle's `mean(dist)` is a report here.
const MEAN_OVER_TRIALS: &str = "`mean(x)` is the mean over a series' periods; the mean of `x` over the trials is what `run` reports for each output: list `x` in `outputs`, or run with `--query x`";

/// Longest source line shown whole; longer ones are cut around the place.
const MAX_EXCERPT: usize = 120;

/// The part of `line` to show around column `col` (1-based, in characters), and the
/// column in it: the whole line unless it is longer than [`MAX_EXCERPT`], with every
/// character printable.
fn excerpt(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_EXCERPT {
        return (printable(line), col);
    }
    let start = (col - 1).saturating_sub(MAX_EXCERPT / 3).min(chars.len());
    let end = (start + MAX_EXCERPT - 2).min(chars.len());
    let mut text: String = if start > 0 { "…".into() } else { String::new() };
    text.extend(&chars[start..end]);
    if end < chars.len() {
        text.push('…');
    }
    (printable(&text), col - start + usize::from(start > 0))
}

/// `text` with every control character but the newline shown as a visible symbol (C0
/// controls as their Unicode control pictures, others as U+FFFD), so that nothing a model
/// file contains can move the cursor, clear the screen or set the clipboard of the
/// terminal that prints it.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => c,
            '\0'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// `text` as [`printable`] makes it, on one line: a line break shows as ␊ (for a file
/// name, which may hold anything).
pub fn printable_line(text: &str) -> String {
    printable(text).replace('\n', "\u{240a}")
}

/// Characters to underline: the span's length, cut at the end of the line, at least one.
fn underline_width(line_text: &str, col: usize, span: Span) -> usize {
    let left_on_line = line_text.chars().count().saturating_sub(col - 1);
    (span.end - span.start).min(left_on_line).max(1)
}

/// Renders every diagnostic, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let parts: Vec<String> = diagnostics.iter().map(|d| d.render(sources)).collect();
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_points_at_the_span() {
        let f = SourceMap::new("m.toml", "[vars]\nx = \"y + 1\"\n");
        let problem = Problem::UnknownName {
            name: "y".into(),
            var: "x".into(),
            suggestion: Some("x".into()),
            is_function: false,
        };
        let want = "error: unknown name `y` in var `x`\n --> m.toml:2:6\n  |\n2 | x = \"y + 1\"\n  |      ^\n  = help: did you mean `x`?\n";
        assert_eq!(Diagnostic::new(problem, Span::new(12, 13)).render(&f), want);
    }

    #[test]
    fn spans_in_later_files_render_against_them() {
        let mut map = SourceMap::new("m.toml", "[vars]\n");
        let base = map.add("--set", "x=1 +");
        let d = Diagnostic::new(Problem::Empty, Span::new(base + 5, base + 5));
        assert!(d.render(&map).contains(" --> --set:1:6\n"));
    }

    #[test]
    fn a_problem_in_a_var_says_which_and_keeps_its_help() {
        let problem = Problem::ChainedComparison.in_var("x");
        assert_eq!(problem.to_string(), "comparisons do not chain in var `x`");
        assert_eq!(problem.help().as_deref(), Some("write `a < b and b < c` instead of `a < b < c`"));
    }
}
