//! The engine: runs [`Program`](crate::compile::Program)s over many trials, in parallel
//! and deterministically. Its files: `config` (how a run is cut into chunks and shards),
//! `chunks` (the parallel chunk loop), `eval` (the batch interpreter), `quantile`
//! (sampling through quantile functions), `pass` (programs and columns run together),
//! `accumulate` (the columns' accumulators), `trace` (non-finite values traced to their
//! op) and `drive` (the passes over a run's trials).
//!
//! Trials are split into fixed chunks of [`CHUNK`]; every random factor draws from its own
//! stream keyed by (seed, factor name, chunk) ([`crate::stream`]). Chunks run in parallel
//! on one rayon pool per thread count, a block of up to 64 chunks at a time (so
//! memory stays bounded), and their results are consumed in chunk order. Results are
//! therefore byte-identical for any thread count and any scheduling. A [`Pass`] runs
//! several programs on the same streams (common random numbers) and says which columns
//! to accumulate into [`Accumulators`]. The engine never sees a name, a span or a string.
//!
//! Memory does not grow with the thread count: a worker's columns stay within 16 MB (big
//! programs run each chunk in blocks of fewer lanes, see `eval`), and only as many
//! workers start as fit in `WORKER_BYTES` plus `WORKER_BYTES_PER_COLUMN` per accumulated
//! column.

mod accumulate;
mod chunks;
mod config;
mod drive;
mod eval;
mod pass;
mod quantile;
mod trace;

pub(crate) use accumulate::AccumulatorParts;
pub use accumulate::Accumulators;
#[cfg(test)]
pub(crate) use chunks::TRIALS_RUN;
pub(crate) use chunks::{ChunkView, Evaluator, for_each_chunk, for_each_evaluator, pool};
pub use config::{CHUNK, RunConfig, shard_chunks};
pub(crate) use config::{MAX_SHARDS, shard_trials};
pub(crate) use drive::simulate;
pub(crate) use drive::{collect, first_trial};
pub(crate) use pass::{Column, Pass};
pub(crate) use trace::NonFinite;
pub(crate) use trace::{Cause, cause};
