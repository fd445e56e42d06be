//! How a run is cut: trials, seed and threads ([`RunConfig`]), fixed chunks of
//! [`CHUNK`] trials, and the contiguous ranges of chunks that shards run.

use std::ops::Range;

use crate::compile::Program;

/// Trials per chunk. Part of the reproducibility contract: changing it changes results.
pub const CHUNK: usize = 4096;

/// The most shards a run may be split into (`--shard K/M`, a partial state's key).
pub(crate) const MAX_SHARDS: u64 = 1_000_000;
/// Most chunks per parallel block.
pub(crate) const BLOCK_CHUNKS: u64 = 64;
/// How many trials to run, from which seed, on how many threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// Number of trials, at least 1.
    pub trials: u64,
    /// Seed of every random stream.
    pub seed: u64,
    /// Worker threads, at least 1.
    pub threads: usize,
}

impl RunConfig {
    /// The seed of every factor's streams: `seed` for each of `program`'s factors.
    pub fn seeds(&self, program: &Program) -> Vec<u64> {
        vec![self.seed; program.factors().len()]
    }

    /// Chunks in the run: the last may be partial.
    pub(crate) fn n_chunks(&self) -> u64 {
        self.trials.div_ceil(CHUNK as u64)
    }

    /// Trials in chunk `chunk`.
    pub(super) fn chunk_len(&self, chunk: u64) -> usize {
        (self.trials - chunk * CHUNK as u64).min(CHUNK as u64) as usize
    }
}

/// The chunks of shard `k` of `m` (0-based) of a run of `trials` trials: the chunks split
/// into `m` contiguous ranges of nearly equal length, in order.
pub fn shard_chunks(trials: u64, k: u64, m: u64) -> Range<u64> {
    let n = trials.div_ceil(CHUNK as u64);
    let at = |k: u64| (u128::from(n) * u128::from(k) / u128::from(m.max(1))) as u64;
    at(k)..at(k + 1)
}

/// The number of trials in shard `k` of `m` of a run of `trials` (see [`shard_chunks`]).
pub(crate) fn shard_trials(trials: u64, k: u64, m: u64) -> u64 {
    let chunks = shard_chunks(trials, k, m);
    let at = |chunk: u64| chunk.saturating_mul(CHUNK as u64).min(trials);
    at(chunks.end) - at(chunks.start)
}

/// Trials per progress step: whole chunks, so stepping gives the same result as one run.
pub(crate) const PROGRESS_STEP: u64 = 256 * CHUNK as u64;
