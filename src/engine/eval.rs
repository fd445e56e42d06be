//! The batch interpreter: runs a [`Program`] over one chunk of trials, each op a tight
//! loop over columns. Constants are never materialised; per-trial work has no allocation,
//! hashing or dynamic dispatch.
//!
//! A program with many columns runs each chunk in blocks of fewer lanes (at least 256),
//! so a worker's memory stays within [`LANE_BYTES`] whatever the model's size: every
//! stream is drawn in the same order either way (the Latin hypercube's permutation is
//! made for the whole chunk first), so the values are identical to the bit, and the
//! outputs are gathered into chunk-long columns.

use crate::builtins::Math;
use crate::compile::Program;
use crate::compile::program::{Binary, Draw, Op, Operand, Unary, clamp, select};
use crate::dist::{Rng, Sampler, Truncated, uniform_open};
use crate::expr::BinOp;

use super::config::CHUNK;
use super::quantile::{self, QuantileInputs};
use crate::compile::program::Sampling;
use crate::stream::stream;
use rand::Rng as _;

/// Most bytes of a worker's slot columns, unless even 256 lanes need more.
pub(crate) const LANE_BYTES: usize = 16 << 20;
/// Fewest lanes in a block.
const MIN_LANES: usize = 256;

/// Per-thread scratch space: one column per slot, and one generator per factor.
pub(super) struct Workspace {
    /// One column of `lanes` values per slot.
    columns: Vec<Vec<f64>>,
    /// Trials per block: [`CHUNK`], or fewer for programs with many slots.
    lanes: usize,
    /// Each output's values for the whole chunk, when blocks are shorter than a chunk.
    gathered: Vec<Vec<f64>>,
    /// The first trial of the block being run, within its chunk.
    offset: usize,
    /// Each Latin hypercube member's stratum for every trial of the chunk.
    strata: Vec<Vec<u32>>,
    rngs: Vec<Rng>,
    /// Per-factor digital shifts of the quasi-random sequence (fixed for a run).
    shifts: Vec<u64>,
    /// Index of the current chunk's first trial.
    first_trial: u64,
    /// Non-finite values per var in the last chunk run.
    pub(super) nonfinite: Vec<u64>,
}

impl Workspace {
    /// A workspace for `program` whose slot columns fit in [`LANE_BYTES`] where they can.
    pub(super) fn new(program: &Program) -> Workspace {
        Workspace::with_lanes(program, lanes(program))
    }

    /// A workspace that runs `program` in blocks of `lanes` trials (a divisor of
    /// [`CHUNK`]).
    pub(super) fn with_lanes(program: &Program, lanes: usize) -> Workspace {
        debug_assert!(CHUNK % lanes == 0);
        let blocked = lanes < CHUNK;
        Workspace {
            columns: vec![vec![0.0; lanes]; program.n_slots()],
            lanes,
            gathered: if blocked { vec![vec![0.0; CHUNK]; program.outputs().len()] } else { Vec::new() },
            offset: 0,
            strata: Vec::new(),
            rngs: Vec::with_capacity(program.factors().len()),
            shifts: Vec::new(),
            first_trial: 0,
            nonfinite: vec![0; program.vars().len()],
        }
    }

    /// Bytes of the columns of [`Workspace::new`]`(program)`.
    pub(super) fn bytes(program: &Program) -> usize {
        let lanes = lanes(program);
        let gathered = if lanes < CHUNK { program.outputs().len() * CHUNK } else { 0 };
        (program.n_slots() * lanes + gathered) * std::mem::size_of::<f64>()
    }

    /// The values of output `k` (in [`Program::outputs`] order) of `program` for the `n`
    /// trials of the last chunk run.
    pub(super) fn output(&self, program: &Program, k: usize, n: usize) -> &[f64] {
        match self.gathered.get(k) {
            Some(gathered) => &gathered[..n],
            None => &self.columns[program.outputs()[k].slot as usize][..n],
        }
    }

    /// Runs chunk `chunk` (its first `n` trials), factor `i` drawing from the stream of
    /// `seeds[i]`.
    pub(super) fn evaluate(&mut self, program: &Program, seeds: &[u64], chunk: u64, n: usize) {
        self.start(program, seeds, chunk);
        if self.lanes == CHUNK {
            self.block(program, n);
            return;
        }
        self.draw_strata(program, n);
        for offset in (0..n).step_by(self.lanes) {
            let len = self.lanes.min(n - offset);
            self.offset = offset;
            self.block(program, len);
            for (gathered, output) in self.gathered.iter_mut().zip(program.outputs()) {
                gathered[offset..offset + len].copy_from_slice(&self.columns[output.slot as usize][..len]);
            }
        }
    }

    /// Runs every op over the block's `len` trials.
    fn block(&mut self, program: &Program, len: usize) {
        for op in program.ops() {
            self.op(op, len);
        }
    }

    /// Each Latin hypercube member's strata for the chunk's `n` trials, drawn from its
    /// stream as [`quantile::fill`] would draw them for the whole chunk at once.
    fn draw_strata(&mut self, program: &Program, n: usize) {
        let mut count = 0;
        for op in program.ops() {
            if let Op::Quantile { sampling: Sampling::Lhs, members, .. } = op {
                for m in members {
                    if self.strata.len() == count {
                        self.strata.push(Vec::with_capacity(CHUNK));
                    }
                    quantile::strata(n, &mut self.rngs[m.stream as usize], &mut self.strata[count]);
                    count += 1;
                }
            }
        }
        self.strata.truncate(count);
    }

    /// Runs chunk `chunk` like [`Workspace::evaluate`], one op at a time, until an op made by
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
        self.offset = 0;
        self.nonfinite.iter_mut().for_each(|c| *c = 0);
    }

    fn op(&mut self, op: &Op, n: usize) {
        if let Op::Check { slot, var, .. } = op {
            self.nonfinite[*var as usize] += count_nonfinite(&self.columns[*slot as usize][..n]);
            return;
        }
        if let Op::Quantile { sampling, members, correlated, cholesky } = op {
            let inputs = QuantileInputs {
                sampling: *sampling,
                correlated,
                cholesky,
                first_trial: self.first_trial + self.offset as u64,
                shifts: &self.shifts,
                strata: &self.strata,
                offset: self.offset,
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

/// Lanes per block for `program`: [`CHUNK`], halved while its slot columns need more than
/// [`LANE_BYTES`], down to [`MIN_LANES`].
fn lanes(program: &Program) -> usize {
    let per_lane = program.n_slots().max(1) * std::mem::size_of::<f64>();
    let mut lanes = CHUNK;
    while lanes > MIN_LANES && lanes * per_lane > LANE_BYTES {
        lanes /= 2;
    }
    lanes
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
            let mut p = [0.0; 4];
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
    use crate::compile::{CompileOptions, compile};
    use crate::model::Model;

    #[test]
    fn blocks_of_fewer_lanes_give_the_same_values_to_the_bit() {
        let text = "[model]\nname = \"t\"\n[vars]\n\
            a = \"normal(10, 2)\"\nb = \"pert(1, 2, 5)\"\nc = \"poisson(40)\"\n\
            d = \"lognormal(a / 10, 0.3)\"\ng = \"choice([a, b], [0.3, 0.7])\"\n\
            f = \"truncate(normal(a, 1), 9, 12)\"\ny = \"a * b + c - d + g + f\"\nz = \"y > 40\"\n\
            [[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.6\n";
        let model = Model::parse("m.toml", text.into()).unwrap();
        for sampling in [Sampling::Mc, Sampling::Lhs, Sampling::Qmc] {
            let options = CompileOptions { sampling: Some(sampling), ..CompileOptions::default() };
            let program = compile(&model, &options).unwrap();
            let seeds = vec![5; program.factors().len()];
            let (mut whole, mut blocked) =
                (Workspace::with_lanes(&program, CHUNK), Workspace::with_lanes(&program, 256));
            for (chunk, n) in [(3, CHUNK), (7, 1000), (8, 100)] {
                whole.evaluate(&program, &seeds, chunk, n);
                blocked.evaluate(&program, &seeds, chunk, n);
                for k in 0..program.outputs().len() {
                    let bits = |w: &Workspace| w.output(&program, k, n).iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&whole), bits(&blocked), "{sampling:?}, chunk {chunk}, output {k}");
                }
                assert_eq!(whole.nonfinite, blocked.nonfinite);
            }
        }
    }

    #[test]
    fn counts_nonfinite_in_lanes_and_remainder() {
        let mut values = vec![1.0; 21];
        values[3] = f64::NAN;
        values[12] = f64::INFINITY;
        values[20] = f64::NEG_INFINITY;
        assert_eq!(count_nonfinite(&values), 3);
    }
}
