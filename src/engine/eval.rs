//! The batch interpreter: runs a [`Program`] over one chunk of trials, each op a tight
//! loop over columns. Constants are never materialised; per-trial work has no allocation,
//! hashing or dynamic dispatch.

use crate::builtins::Math;
use crate::compile::Program;
use crate::compile::program::{Binary, Draw, Op, Operand, Unary, clamp, select};
use crate::dist::{Rng, Sampler, Truncated, uniform_open};
use crate::expr::BinOp;

use super::CHUNK;
use super::quantile::{self, QuantileInputs};
use crate::compile::program::Sampling;
use crate::stream::stream;
use rand::Rng as _;

/// Per-thread scratch space: one column per slot, and one generator per factor.
pub(super) struct Workspace {
    columns: Vec<Vec<f64>>,
    rngs: Vec<Rng>,
    /// Per-factor digital shifts of the quasi-random sequence (fixed for a run).
    shifts: Vec<u64>,
    /// Index of the current chunk's first trial.
    first_trial: u64,
    /// Non-finite values per var in the last chunk run.
    pub(super) nonfinite: Vec<u64>,
}

impl Workspace {
    pub(super) fn new(program: &Program) -> Workspace {
        Workspace {
            columns: vec![vec![0.0; CHUNK]; program.n_slots()],
            rngs: Vec::with_capacity(program.factors().len()),
            shifts: Vec::new(),
            first_trial: 0,
            nonfinite: vec![0; program.vars().len()],
        }
    }

    /// The values of `slot` for the `n` trials of the last chunk run.
    pub(super) fn column(&self, slot: u32, n: usize) -> &[f64] {
        &self.columns[slot as usize][..n]
    }

    /// Runs chunk `chunk` (its first `n` trials), factor `i` drawing from the stream of
    /// `seeds[i]`.
    pub(super) fn run(&mut self, program: &Program, seeds: &[u64], chunk: u64, n: usize) {
        self.start(program, seeds, chunk);
        for op in program.ops() {
            self.op(op, n);
        }
    }

    /// Runs chunk `chunk` like [`Workspace::run`], one op at a time, until an op made by
    /// var `var` turns finite inputs into a NaN or infinite value: then returns that op's
    /// index, the trial's index within the chunk, the op's inputs in that trial and its
    /// output.
    pub(super) fn trace(
        &mut self,
        program: &Program,
        seeds: &[u64],
        chunk: u64,
        n: usize,
        var: u32,
    ) -> Option<(usize, usize, Vec<f64>, f64)> {
        self.start(program, seeds, chunk);
        for (k, op) in program.ops().iter().enumerate() {
            let (mut reads, mut writes) = (Vec::new(), Vec::new());
            let mut probe = op.clone();
            probe.for_each_slot(|s, is_dst| if is_dst { writes.push(*s) } else { reads.push(*s) });
            if let Op::Quantile { members, .. } = op {
                // Inputs drawn through quantile functions belong to their own vars.
                let own = |m: &&crate::compile::program::Member| program.factors()[m.stream as usize].var == var;
                writes = members.iter().filter(own).map(|m| m.dst).collect();
            } else if program.origins()[k].var != Some(var) {
                writes.clear();
            }
            let finite_inputs: Vec<bool> =
                (0..n).map(|i| reads.iter().all(|&s| self.columns[s as usize][i].is_finite())).collect();
            self.op(op, n);
            for &w in &writes {
                if let Some(i) = (0..n).find(|&i| finite_inputs[i] && !self.columns[w as usize][i].is_finite()) {
                    let inputs = reads.iter().map(|&s| self.columns[s as usize][i]).collect();
                    return Some((k, i, inputs, self.columns[w as usize][i]));
                }
            }
        }
        None
    }

    /// Sets up the streams for chunk `chunk`.
    fn start(&mut self, program: &Program, seeds: &[u64], chunk: u64) {
        self.rngs.clear();
        self.rngs.extend(program.factors().iter().zip(seeds).map(|(f, &seed)| stream(seed, f.key, chunk)));
        if program.sampling() == Sampling::Qmc && self.shifts.is_empty() {
            self.shifts = program
                .factors()
                .iter()
                .zip(seeds)
                .map(|(f, &seed)| stream(seed, f.key, u64::MAX).next_u64())
                .collect();
        }
        self.first_trial = chunk * CHUNK as u64;
        self.nonfinite.iter_mut().for_each(|c| *c = 0);
    }

    fn op(&mut self, op: &Op, n: usize) {
        if let Op::Check { slot, var } = op {
            self.nonfinite[*var as usize] += count_nonfinite(&self.columns[*slot as usize][..n]);
            return;
        }
        if let Op::Quantile { sampling, members, correlated, cholesky } = op {
            let inputs = QuantileInputs {
                sampling: *sampling,
                correlated,
                cholesky,
                first_trial: self.first_trial,
                shifts: &self.shifts,
            };
            quantile::fill(members, &inputs, &mut self.columns, &mut self.rngs, n);
            return;
        }
        let dst_slot = match op {
            Op::Binary { dst, .. }
            | Op::Unary { dst, .. }
            | Op::Select { dst, .. }
            | Op::Clamp { dst, .. }
            | Op::Sample { dst, .. }
            | Op::Choice { dst, .. }
            | Op::Fill { dst, .. } => *dst as usize,
            Op::Check { .. } | Op::Quantile { .. } => unreachable!("handled above"),
        };
        let mut dst = std::mem::take(&mut self.columns[dst_slot]);
        let out = &mut dst[..n];
        let cols = &self.columns;
        match op {
            Op::Binary { f, a, b, .. } => binary(*f, out, *a, *b, cols),
            Op::Unary { f, a, .. } => unary(*f, out, *a, cols),
            Op::Select { cond, a, b, .. } => ternary(out, *cond, *a, *b, cols, select),
            Op::Clamp { x, lo, hi, .. } => ternary(out, *x, *lo, *hi, cols, clamp),
            Op::Sample { stream, draw, .. } => sample(draw, out, cols, &mut self.rngs[*stream as usize]),
            Op::Choice { stream, values, cumulative, .. } => {
                let rng = &mut self.rngs[*stream as usize];
                for (i, x) in out.iter_mut().enumerate() {
                    let u = uniform_open(rng);
                    let k = cumulative.partition_point(|&c| c < u).min(values.len() - 1);
                    *x = at(values[k], cols, i);
                }
            }
            Op::Fill { value, .. } => out.fill(*value),
            Op::Check { .. } | Op::Quantile { .. } => {}
        }
        self.columns[dst_slot] = dst;
    }
}

/// The value of `operand` in trial `i`.
#[inline(always)]
fn at(operand: Operand, cols: &[Vec<f64>], i: usize) -> f64 {
    match operand {
        Operand::Const(c) => c,
        Operand::Slot(s) => cols[s as usize][i],
    }
}

/// How many values are NaN or infinite. Branch-free over lanes so it vectorises.
fn count_nonfinite(values: &[f64]) -> u64 {
    let mut lanes = [0u64; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (lane, x) in lanes.iter_mut().zip(chunk) {
            *lane += u64::from(!x.is_finite());
        }
    }
    lanes.iter().sum::<u64>() + chunks.remainder().iter().filter(|x| !x.is_finite()).count() as u64
}

/// `out[i] = f(a[i], b[i])`, with a loop specialised for each mix of columns and constants.
#[inline(always)]
fn zip(out: &mut [f64], a: Operand, b: Operand, cols: &[Vec<f64>], f: impl Fn(f64, f64) -> f64) {
    let n = out.len();
    match (a, b) {
        (Operand::Slot(a), Operand::Slot(b)) => {
            for ((o, x), y) in out.iter_mut().zip(&cols[a as usize][..n]).zip(&cols[b as usize][..n]) {
                *o = f(*x, *y);
            }
        }
        (Operand::Slot(a), Operand::Const(y)) => {
            for (o, x) in out.iter_mut().zip(&cols[a as usize][..n]) {
                *o = f(*x, y);
            }
        }
        (Operand::Const(x), Operand::Slot(b)) => {
            for (o, y) in out.iter_mut().zip(&cols[b as usize][..n]) {
                *o = f(x, *y);
            }
        }
        (Operand::Const(x), Operand::Const(y)) => out.fill(f(x, y)),
    }
}

/// Dispatches once per column so each function gets its own (vectorisable) loop, with
/// the same `apply` that folds constants.
fn binary(f: Binary, out: &mut [f64], a: Operand, b: Operand, cols: &[Vec<f64>]) {
    macro_rules! each {
        ($($p:pat),*) => {
            match f {
                $($p => zip(out, a, b, cols, |x, y| f.apply(x, y)),)*
            }
        };
    }
    use BinOp::*;
    each!(
        Binary::Op(Add),
        Binary::Op(Sub),
        Binary::Op(Mul),
        Binary::Op(Div),
        Binary::Op(Pow),
        Binary::Op(Lt),
        Binary::Op(Le),
        Binary::Op(Gt),
        Binary::Op(Ge),
        Binary::Op(Eq),
        Binary::Op(Ne),
        Binary::Op(And),
        Binary::Op(Or),
        Binary::Min,
        Binary::Max
    )
}

fn unary(f: Unary, out: &mut [f64], a: Operand, cols: &[Vec<f64>]) {
    match f {
        Unary::Neg => zip(out, a, Operand::Const(0.0), cols, |x, _| -x),
        Unary::Math(Math::Exp) => zip(out, a, Operand::Const(0.0), cols, |x, _| x.exp()),
        Unary::Math(Math::Ln) => zip(out, a, Operand::Const(0.0), cols, |x, _| x.ln()),
        f => zip(out, a, Operand::Const(0.0), cols, |x, _| f.apply(x)),
    }
}

fn ternary(out: &mut [f64], a: Operand, b: Operand, c: Operand, cols: &[Vec<f64>], f: impl Fn(f64, f64, f64) -> f64) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = f(at(a, cols, i), at(b, cols, i), at(c, cols, i));
    }
}

fn sample(draw: &Draw, out: &mut [f64], cols: &[Vec<f64>], rng: &mut Rng) {
    match draw {
        Draw::Fixed(sampler) => sampler.fill(rng, out),
        Draw::FixedTruncated(t) => out.iter_mut().for_each(|x| *x = t.draw(rng)),
        Draw::PerTrial { kind, params, bounds } => {
            let mut p = [0.0; 3];
            for (i, x) in out.iter_mut().enumerate() {
                for (v, operand) in p.iter_mut().zip(params) {
                    *v = at(*operand, cols, i);
                }
                let p = &p[..params.len()];
                *x = match bounds {
                    None => Sampler::new(*kind, p).map_or(f64::NAN, |s| s.draw(rng)),
                    Some([lo, hi]) => {
                        Truncated::new(*kind, p, at(*lo, cols, i), at(*hi, cols, i)).map_or(f64::NAN, |t| t.draw(rng))
                    }
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_nonfinite_in_lanes_and_remainder() {
        let mut values = vec![1.0; 21];
        values[3] = f64::NAN;
        values[12] = f64::INFINITY;
        values[20] = f64::NEG_INFINITY;
        assert_eq!(count_nonfinite(&values), 3);
    }
}
