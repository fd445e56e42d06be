//! Values that can't be computed: how many trials of each var were NaN or infinite, and
//! which operation first made one.
//!
//! Every operation passes NaN on (comparisons, `min`, `max`, `not`, `and`, `or`, `if`'s
//! condition and `clamp` included), so a NaN made anywhere reaches its var and is counted
//! there, unless it sits in the branch of an `if` (or the option of a `choice`) that the
//! trial did not take. When a run has such values, [`cause`] replays the first chunk
//! that had them, one op at a time, to find the op that turned finite inputs into a
//! non-finite value.

use super::config::{CHUNK, RunConfig};
use super::eval::Workspace;
use crate::compile::Program;

/// Chunks [`cause`] replays, at most, looking for the op that made a var non-finite.
const MAX_TRACED_CHUNKS: u64 = 16;

/// Trials in which each var was NaN or infinite, and the first chunk in which it was.
#[derive(Clone, Debug, PartialEq)]
pub struct NonFinite {
    counts: Vec<u64>,
    first_chunk: Vec<Option<u64>>,
}

impl NonFinite {
    /// No trials yet, for a program with `n_vars` vars.
    pub fn new(n_vars: usize) -> NonFinite {
        NonFinite { counts: vec![0; n_vars], first_chunk: vec![None; n_vars] }
    }

    /// Adds chunk `chunk`'s counts (chunks may come in any order).
    pub fn add(&mut self, chunk: u64, counts: &[u64]) {
        for ((total, first), &count) in self.counts.iter_mut().zip(&mut self.first_chunk).zip(counts) {
            if count > 0 {
                *total += count;
                *first = Some(first.map_or(chunk, |f| f.min(chunk)));
            }
        }
    }

    /// Adds `other`'s counts (of other chunks of the same program).
    pub fn merge(&mut self, other: &NonFinite) {
        for (v, (&count, &first)) in other.counts.iter().zip(&other.first_chunk).enumerate() {
            self.counts[v] += count;
            self.first_chunk[v] = match (self.first_chunk[v], first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// The counts and the first chunk of each var with any, for saving a partial run.
    pub fn to_parts(&self) -> (Vec<u64>, Vec<Option<u64>>) {
        (self.counts.clone(), self.first_chunk.clone())
    }

    /// The record [`NonFinite::to_parts`] gave, or `None` if the parts disagree (a count
    /// without a first chunk, or lists of different lengths).
    pub fn from_parts(counts: Vec<u64>, first_chunk: Vec<Option<u64>>) -> Option<NonFinite> {
        let agree =
            counts.len() == first_chunk.len() && counts.iter().zip(&first_chunk).all(|(c, f)| (*c > 0) == f.is_some());
        agree.then_some(NonFinite { counts, first_chunk })
    }

    /// Trials in which each var (in [`Program::vars`] order) was NaN or infinite.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// True if every value of every var was finite.
    pub fn is_clean(&self) -> bool {
        self.counts.iter().all(|&c| c == 0)
    }
}

/// How a var came to be NaN or infinite.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cause {
    /// One of the var's own ops (an index into [`Program::ops`]) made a non-finite value
    /// from finite inputs: in trial `trial`, `inputs` gave `output`.
    Op {
        /// The op's index.
        op: usize,
        /// The first trial in which it did.
        trial: u64,
        /// Its inputs in that trial (the values of the columns it reads).
        inputs: Vec<f64>,
        /// Its output in that trial.
        output: f64,
    },
    /// None of its own ops did, in the chunks replayed: a var it uses was already NaN or
    /// infinite.
    Inherited,
}

/// Why var `var` (which `nonfinite` says was NaN or infinite) was: replays, one at a time,
/// up to [`MAX_TRACED_CHUNKS`] chunks from the first in which it was.
pub(crate) fn cause(program: &Program, config: &RunConfig, seeds: &[u64], nonfinite: &NonFinite, var: usize) -> Cause {
    let first = nonfinite.first_chunk[var].unwrap_or(0);
    // Traced one op at a time over whole chunks.
    let mut workspace = Workspace::with_lanes(program, CHUNK);
    for chunk in (first..config.n_chunks()).take(MAX_TRACED_CHUNKS as usize) {
        let n = config.chunk_len(chunk);
        if let Some((op, i, inputs, output)) = workspace.trace(program, seeds, chunk, n, var as u32) {
            return Cause::Op { op, trial: chunk * CHUNK as u64 + i as u64, inputs, output };
        }
    }
    Cause::Inherited
}
