//! The compiled form of a model: a flat list of column operations over numbered slots.
//!
//! Each slot is a column of [`crate::engine::CHUNK`] values; each [`Op`] fills one slot
//! for every trial of a chunk. Constants stay scalars ([`Operand::Const`]) and are never
//! materialised as columns.

use crate::builtins::Math;
use crate::dist::{DistKind, Sampler, Truncated};
use crate::expr::BinOp;

/// Where an op reads a value from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Operand {
    /// A column.
    Slot(u32),
    /// The same value in every trial.
    Const(f64),
}

/// Functions of two values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Binary {
    /// An operator.
    Op(BinOp),
    /// `min(a, b)`
    Min,
    /// `max(a, b)`
    Max,
}

impl Binary {
    /// Applies the function; NaN in gives NaN out (unlike `f64::min` and `f64::max`).
    #[inline(always)]
    pub(crate) fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            Binary::Op(op) => op.apply(a, b),
            Binary::Min => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            }
            Binary::Max => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            }
        }
    }
}

/// Functions of one value: the prefix operators and the built-in math functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unary {
    /// `-x`
    Neg,
    /// `not x`
    Not,
    /// `abs(x)`, `ln(x)`, …
    Math(Math),
}

impl Unary {
    /// Applies the function.
    #[inline(always)]
    pub(crate) fn apply(self, x: f64) -> f64 {
        match self {
            Unary::Neg => -x,
            Unary::Not => {
                if x.is_nan() {
                    f64::NAN
                } else {
                    f64::from(x == 0.0)
                }
            }
            Unary::Math(f) => f.apply(x),
        }
    }
}

/// `if(c, a, b)`: the branch taken (a NaN in the other one is not an error), or NaN when
/// the condition itself is NaN.
#[inline(always)]
pub(crate) fn select(c: f64, a: f64, b: f64) -> f64 {
    if c.is_nan() {
        c
    } else if c != 0.0 {
        a
    } else {
        b
    }
}

/// `clamp(x, lo, hi)`; NaN in any argument gives NaN.
#[inline(always)]
pub(crate) fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x.is_nan() || lo.is_nan() || hi.is_nan() { f64::NAN } else { x.max(lo).min(hi) }
}

/// How a distribution call draws.
#[derive(Clone, Debug)]
pub(crate) enum Draw {
    /// Constant parameters, validated at compile time.
    Fixed(Sampler),
    /// Constant parameters, truncated.
    FixedTruncated(Truncated),
    /// Parameters (and truncation bounds, if any) that vary per trial; invalid ones give
    /// NaN.
    PerTrial { kind: DistKind, params: Vec<Operand>, bounds: Option<[Operand; 2]> },
}

/// How the inputs sampled through quantile functions get their uniforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    /// Plain Monte Carlo: independent uniforms from each input's stream.
    Mc,
    /// Latin hypercube, stratified within each chunk of trials.
    Lhs,
    /// Randomised quasi-Monte Carlo: a Sobol sequence with a random digital shift.
    Qmc,
}

impl Sampling {
    /// The method called `name` (`mc`, `lhs`, `qmc`).
    pub fn from_name(name: &str) -> Option<Sampling> {
        Some(match name {
            "mc" => Sampling::Mc,
            "lhs" => Sampling::Lhs,
            "qmc" => Sampling::Qmc,
            _ => return None,
        })
    }

    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            Sampling::Mc => "mc",
            Sampling::Lhs => "lhs",
            Sampling::Qmc => "qmc",
        }
    }
}

/// An input drawn as Q(u) through its quantile function: its factor's `stream`, its
/// `sampler` (constant parameters) with a fast tabulated quantile function when the exact
/// one is slow, the column `dst` it fills and its dimension `dim` in the quasi-random
/// sequence.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub(crate) stream: u32,
    pub(crate) sampler: Sampler,
    pub(crate) table: Option<Box<crate::dist::Tabulated>>,
    pub(crate) dst: u32,
    pub(crate) dim: u32,
}

impl Member {
    /// The member's quantile function at u.
    #[inline]
    pub(crate) fn quantile(&self, u: f64) -> f64 {
        match &self.table {
            Some(table) => table.quantile(&self.sampler, u),
            None => self.sampler.quantile(u),
        }
    }

    /// The member's value at the standard normal value z, i.e. Q(Φ(z)).
    #[inline]
    pub(crate) fn at_normal(&self, z: f64) -> f64 {
        match &self.table {
            Some(_) => self.quantile(crate::dist::normal_cdf_open(z)),
            None => self.sampler.at_normal(z),
        }
    }
}

/// One column operation. `dst` is always a slot no input reads; `stream` indexes
/// [`Program::factors`]; `a`, `b`, … are the operation's inputs as written.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// `dst = f(a, b)`
    Binary { f: Binary, a: Operand, b: Operand, dst: u32 },
    /// `dst = f(a)`
    Unary { f: Unary, a: Operand, dst: u32 },
    /// `dst = if(cond, a, b)`
    Select { cond: Operand, a: Operand, b: Operand, dst: u32 },
    /// `dst = clamp(x, lo, hi)`
    Clamp { x: Operand, lo: Operand, hi: Operand, dst: u32 },
    /// `dst` = draws from a distribution, using the var's stream.
    Sample { stream: u32, draw: Draw, dst: u32 },
    /// `dst` = one of `values`, picked with the cumulative weights `cumulative` (ending at
    /// 1), using the var's stream.
    Choice { stream: u32, values: Vec<Operand>, cumulative: Vec<f64>, dst: u32 },
    /// Inputs sampled through their quantile functions: uniforms by `sampling`, made
    /// dependent by a Gaussian copula for the `correlated` members (indices into
    /// `members`, in the order of the lower Cholesky factor `cholesky`), then mapped
    /// through each member's quantile function.
    Quantile { sampling: Sampling, members: Vec<Member>, correlated: Vec<usize>, cholesky: Vec<Vec<f64>> },
    /// `dst` = `value` in every trial (a constant output).
    Fill { value: f64, dst: u32 },
    /// Counts the trials in which var `var` (its column `slot`, in period `period` of a
    /// series) is NaN or infinite.
    Check { slot: u32, var: u32, period: Option<u32> },
}

impl Op {
    /// Calls `f` on every slot the op reads, then on the slot it writes (if any),
    /// flagged `true`.
    pub(crate) fn for_each_slot(&mut self, mut f: impl FnMut(&mut u32, bool)) {
        let mut read = |o: &mut Operand| {
            if let Operand::Slot(s) = o {
                f(s, false);
            }
        };
        let dst = match self {
            Op::Binary { a, b, dst, .. } => {
                read(a);
                read(b);
                Some(dst)
            }
            Op::Unary { a, dst, .. } => {
                read(a);
                Some(dst)
            }
            Op::Select { cond: x, a, b, dst } | Op::Clamp { x, lo: a, hi: b, dst } => {
                read(x);
                read(a);
                read(b);
                Some(dst)
            }
            Op::Sample { draw, dst, .. } => {
                if let Draw::PerTrial { params, bounds, .. } = draw {
                    params.iter_mut().for_each(&mut read);
                    bounds.iter_mut().flatten().for_each(&mut read);
                }
                Some(dst)
            }
            Op::Choice { values, dst, .. } => {
                values.iter_mut().for_each(&mut read);
                Some(dst)
            }
            Op::Fill { dst, .. } => Some(dst),
            Op::Quantile { members, .. } => {
                members.iter_mut().for_each(|m| f(&mut m.dst, true));
                None
            }
            Op::Check { slot, .. } => {
                f(slot, false);
                None
            }
        };
        if let Some(dst) = dst {
            f(dst, true);
        }
    }
}

/// What the engine and reports need to know about a var.
#[derive(Clone, Debug)]
pub struct VarInfo {
    /// The var's name.
    pub name: String,
    /// Its expression as written.
    pub text: String,
    /// Unit, e.g. "USD".
    pub unit: Option<String>,
    /// Where the figure comes from.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// Indices into [`Program::factors`] of its own random streams: none if it draws no
    /// random numbers, one if it draws once per trial, one per period that draws if it is
    /// per period.
    pub factors: Vec<u32>,
    /// True if it has one value per period (it uses `t`, a list, a series or is per
    /// period).
    pub series: bool,
    /// Its value when it is the same in every trial.
    pub constant: Option<f64>,
    /// The vars its expression uses (indices into [`Program::vars`]).
    pub uses: Vec<u32>,
    /// Its distribution, when the var is a single distribution call with constant
    /// parameters.
    pub marginal: Option<Marginal>,
}

/// The distribution of a var that is one distribution call with constant parameters.
#[derive(Clone, Debug)]
pub enum Marginal {
    /// `dist(...)` or `a to b`.
    Plain(Sampler),
    /// `truncate(dist(...), lo, hi)`.
    Truncated(Truncated),
}

impl Marginal {
    /// The quantile function at u (0 < u < 1), when it is known exactly.
    pub fn quantile(&self, u: f64) -> Option<f64> {
        match self {
            Marginal::Plain(sampler) => Some(sampler.quantile(u)),
            Marginal::Truncated(truncated) => truncated.quantile(u),
        }
    }

    /// The mean, when it is known without simulating (not for a truncated distribution).
    pub fn mean(&self) -> Option<f64> {
        match self {
            Marginal::Plain(sampler) => Some(sampler.mean()),
            Marginal::Truncated(_) => None,
        }
    }
}

/// A random input with its own stream: a var whose expression contains distribution
/// calls, or one period of a per-period var.
#[derive(Clone, Debug)]
pub struct Factor {
    /// Index into [`Program::vars`].
    pub var: u32,
    /// The period it draws in, for a per-period var.
    pub period: Option<u32>,
    /// The stream key (see [`crate::stream`]): the FNV-1a hash of the var's name, or of
    /// `name[k]` for period k (0-based) of a per-period var.
    pub key: u64,
}

/// A reported value: a var, or one period of a series var.
#[derive(Clone, Debug)]
pub struct Output {
    /// Index into [`Program::vars`].
    pub var: u32,
    /// The period, for a series var (one output per period).
    pub period: Option<u32>,
    /// The slot holding its values after a chunk has run.
    pub slot: u32,
    /// True if every value is 0 or 1, so the mean is a probability.
    pub boolean: bool,
}

/// A lowered expression: one operand per trial, or one per period of every trial (a
/// series; every series has one value per period of the model).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// The same in every period.
    One(Operand),
    /// One operand per period.
    Series(Vec<Operand>),
}

impl Value {
    /// The operand in period `k` (the one operand of a [`Value::One`]).
    pub(crate) fn at(&self, k: usize) -> Operand {
        match self {
            Value::One(o) => *o,
            Value::Series(s) => s[k],
        }
    }
}

/// A program before its slots are allocated: its ops over one virtual slot per value,
/// and where each var's value is. A program reporting other vars is laid out from it
/// again (`super::alloc::lay_out`), without compiling the model again.
#[derive(Debug)]
pub(crate) struct Layout {
    /// The ops, over virtual slots.
    pub(crate) ops: Vec<Op>,
    /// Where each op comes from.
    pub(crate) origins: Vec<OpOrigin>,
    /// Number of virtual slots.
    pub(crate) n_virtual: u32,
    /// Each var's value (`None` for a var left out by a problem: never in a program) and
    /// whether it is 0/1 by construction (a comparison or logic); shared by the layouts
    /// that rewrite only the ops.
    pub(crate) values: std::sync::Arc<[(Option<Value>, bool)]>,
}

/// Where an op comes from, for pointing at it when it produces a value that can't be
/// computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct OpOrigin {
    /// The var whose expression made the op (`None` for ops of the whole program).
    pub(crate) var: Option<u32>,
    /// The period it was made for, in a per-period var.
    pub(crate) period: Option<u32>,
    /// The smallest expression that made it.
    pub(crate) span: Option<crate::source::Span>,
}

/// A compiled model. Built only by `super::compile`.
#[derive(Clone, Debug)]
pub struct Program {
    pub(super) sampling: Sampling,
    pub(super) correlation: Option<crate::correlation::CorrelationMatrix>,
    /// The program before slot allocation, shared by the programs laid out from it.
    pub(super) layout: std::sync::Arc<Layout>,
    pub(super) ops: Vec<Op>,
    pub(super) origins: Vec<OpOrigin>,
    pub(super) n_slots: usize,
    pub(super) vars: Vec<VarInfo>,
    pub(super) factors: Vec<Factor>,
    pub(super) outputs: Vec<Output>,
    pub(super) periods: Vec<String>,
    /// Warnings about the model: likely mistakes that change no result.
    pub(super) lints: Vec<crate::diagnostic::Diagnostic>,
    /// The percentiles reported.
    pub(super) percentiles: crate::stats::Percentiles,
}

impl Program {
    /// How inputs with quantile functions are sampled.
    /// Warnings about the model (likely mistakes that change no result), in file order.
    pub fn lints(&self) -> &[crate::diagnostic::Diagnostic] {
        &self.lints
    }

    /// The sampling method.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// The percentiles reported: the run's `--percentiles`, else the model's, else the
    /// defaults.
    pub fn percentiles(&self) -> &crate::stats::Percentiles {
        &self.percentiles
    }

    /// The validated correlations, if the model has any.
    pub fn correlation(&self) -> Option<&crate::correlation::CorrelationMatrix> {
        self.correlation.as_ref()
    }

    /// The ops, in execution order.
    pub(crate) fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Where each op (in [`Program::ops`] order) comes from.
    pub(crate) fn origins(&self) -> &[OpOrigin] {
        &self.origins
    }

    /// How many column slots the ops use.
    pub(crate) fn n_slots(&self) -> usize {
        self.n_slots
    }

    /// Every var, in evaluation order.
    pub fn vars(&self) -> &[VarInfo] {
        &self.vars
    }

    /// The vars with their own random streams.
    pub fn factors(&self) -> &[Factor] {
        &self.factors
    }

    /// The reported values, in report order.
    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// The period labels of a multi-period model (empty without periods).
    pub fn periods(&self) -> &[String] {
        &self.periods
    }

    /// `name`, or `name[label]` for period `period` of a series.
    fn label(&self, var: u32, period: Option<u32>) -> String {
        let name = &self.vars[var as usize].name;
        match period {
            Some(k) => format!("{name}[{}]", self.periods[k as usize]),
            None => name.clone(),
        }
    }

    /// Output `i`'s name in reports: its var's name, or `name[label]` for a period of a
    /// series.
    pub fn output_name(&self, i: usize) -> String {
        self.label(self.outputs[i].var, self.outputs[i].period)
    }

    /// Output `i`'s unit, as declared or inferred (`None` for a plain number).
    pub fn output_unit(&self, i: usize) -> Option<&str> {
        self.vars[self.outputs[i].var as usize].unit.as_deref()
    }

    /// The reported vars' names, each once, in report order (a series once for all its
    /// periods).
    pub fn output_vars(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for o in &self.outputs {
            let name = &self.vars[o.var as usize].name;
            if names.last() != Some(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// Factor `f`'s name in reports: its var's name, or `name[label]` for a period of a
    /// per-period var.
    pub fn factor_name(&self, f: usize) -> String {
        self.label(self.factors[f].var, self.factors[f].period)
    }

    /// The factors joined by the Gaussian copula (indices into [`Program::factors`]), in
    /// the order of its Cholesky factor, and the correlation matrix of their normal scores
    /// in that order; `None` without correlations.
    pub(crate) fn copula(&self) -> Option<(Vec<usize>, Vec<Vec<f64>>)> {
        let (members, correlated, cholesky) = self.ops.iter().find_map(|op| match op {
            Op::Quantile { members, correlated, cholesky, .. } if !correlated.is_empty() => {
                Some((members, correlated, cholesky))
            }
            _ => None,
        })?;
        let factors = correlated.iter().map(|&k| members[k].stream as usize).collect();
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let matrix = cholesky.iter().map(|row| cholesky.iter().map(|other| dot(row, other)).collect()).collect();
        Some((factors, matrix))
    }

    /// The factors (indices into [`Program::factors`], in order) whose draws reach var
    /// `var`, directly or through other vars.
    pub fn factors_feeding(&self, var: usize) -> Vec<usize> {
        let mut reached = vec![false; self.vars.len()];
        let mut stack = vec![var];
        while let Some(v) = stack.pop() {
            if !std::mem::replace(&mut reached[v], true) {
                stack.extend(self.vars[v].uses.iter().map(|&u| u as usize));
            }
        }
        (0..self.factors.len()).filter(|&f| reached[self.factors[f].var as usize]).collect()
    }
}
