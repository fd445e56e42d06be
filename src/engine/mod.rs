//! The engine: runs a [`Program`] over many trials, in parallel and deterministically.
//!
//! Trials are split into fixed chunks of [`CHUNK`]; every random factor draws from its own
//! stream keyed by (seed, factor name, chunk) ([`crate::stream`]). Chunks run in parallel with
//! rayon, a block of up to [`BLOCK_CHUNKS`] at a time (so memory stays bounded), and their
//! results are consumed in chunk order. Results are therefore byte-identical for any
//! thread count and any scheduling. The engine never sees a name, a span or a string.

mod eval;
mod quantile;
mod trace;

use std::ops::Range;
use std::sync::{Arc, Mutex};

pub use trace::{Cause, NonFinite, cause};

use crate::compile::Program;
use crate::stats::order::{PassPart, RankSearch, Tally, Window};
use crate::stats::{ExactQuantiles, LEVELS, Moments, QuantileSketch, Summary};
use eval::Workspace;

/// Trials per chunk. Part of the reproducibility contract: changing it changes results.
pub const CHUNK: usize = 4096;
/// Chunks per parallel block.
pub const BLOCK_CHUNKS: u64 = 64;

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

    fn n_chunks(&self) -> u64 {
        self.trials.div_ceil(CHUNK as u64)
    }

    fn chunk_len(&self, chunk: u64) -> usize {
        (self.trials - chunk * CHUNK as u64).min(CHUNK as u64) as usize
    }
}

/// One chunk's results, as seen by a consumer while the chunk's columns are alive.
pub struct ChunkView<'a> {
    /// The chunk's index.
    pub index: u64,
    /// Trials in the chunk.
    pub n: usize,
    program: &'a Program,
    workspace: &'a Workspace,
}

impl ChunkView<'_> {
    /// Values of output `i` (in [`Program::outputs`] order) for this chunk's trials.
    pub fn output(&self, i: usize) -> &[f64] {
        self.workspace.column(self.program.outputs()[i].slot, self.n)
    }

    /// Non-finite values per var (in [`Program::vars`] order) in this chunk.
    pub fn nonfinite(&self) -> &[u64] {
        &self.workspace.nonfinite
    }
}

/// Runs chunks `chunks` of `program`, factor `i` drawing from the streams of `seeds[i]`
/// (usually `config.seed` for every factor; see [`RunConfig::seeds`]). `work` turns each
/// chunk into a `T` using per-thread state `W` (made by `make` on first use), and
/// `consume` receives the `T`s in chunk order. Returns the per-thread states.
pub fn for_each_chunk<W: Send, T: Send>(
    program: &Program,
    config: &RunConfig,
    seeds: &[u64],
    chunks: Range<u64>,
    make: impl Fn() -> W + Sync,
    work: impl Fn(&mut W, &ChunkView<'_>) -> T + Sync,
    mut consume: impl FnMut(T),
) -> Vec<W> {
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build().expect("thread pool");
    let states: Vec<Mutex<Option<(Workspace, W)>>> = (0..config.threads).map(|_| Mutex::new(None)).collect();
    let run_chunk = |index: u64| {
        let thread = rayon::current_thread_index().unwrap_or(0);
        let mut guard = states[thread].lock().expect("no panics while locked");
        let (workspace, state) = guard.get_or_insert_with(|| (Workspace::new(program), make()));
        let n = config.chunk_len(index);
        workspace.run(program, seeds, index, n);
        work(state, &ChunkView { index, n, program, workspace })
    };
    let mut start = chunks.start;
    while start < chunks.end {
        // Blocks grow with the chunk index up to BLOCK_CHUNKS, so the first chunks' results
        // (which narrow what later chunks keep of each output) arrive early.
        let end = (start + start.clamp(1, BLOCK_CHUNKS)).min(chunks.end);
        let results: Vec<T> = pool.install(|| (start..end).into_par_iter().map(run_chunk).collect());
        results.into_iter().for_each(&mut consume);
        start = end;
    }
    states.into_iter().filter_map(|s| s.into_inner().expect("no panics while locked")).map(|(_, w)| w).collect()
}

/// The outcome of [`simulate`]: merged accumulators, before percentiles are read off.
#[derive(Clone, Debug)]
pub struct Simulated {
    /// Moments per output, in [`Program::outputs`] order.
    pub moments: Vec<Moments>,
    /// Percentile sketches per output (for charts).
    pub sketches: Vec<QuantileSketch>,
    /// Exact order statistics per output (for the reported percentiles).
    exact: Vec<ExactQuantiles>,
    /// Trials in which each output was greater than 0.
    pub positive: Vec<u64>,
    /// Trials run so far.
    trials: u64,
    /// Trials in which each var was NaN or infinite.
    pub nonfinite: NonFinite,
}

/// Per-chunk results merged in chunk order.
struct ChunkStats {
    index: u64,
    moments: Vec<Moments>,
    positive: Vec<u64>,
    nonfinite: Vec<u64>,
    tallies: Vec<Tally>,
}

/// Each column's statistics, its values tallied in the matching window.
fn chunk_stats(columns: &[&[f64]], view: &ChunkView<'_>, windows: &Mutex<Vec<Arc<Window>>>) -> ChunkStats {
    let windows = windows.lock().expect("no panics while locked").clone();
    ChunkStats {
        index: view.index,
        moments: columns.iter().map(|c| Moments::of(c)).collect(),
        positive: columns.iter().map(|c| c.iter().filter(|x| **x > 0.0).count() as u64).collect(),
        nonfinite: view.nonfinite().to_vec(),
        tallies: columns
            .iter()
            .zip(windows)
            .map(|(c, window)| {
                let mut tally = Tally::new(window);
                tally.record(c);
                tally
            })
            .collect(),
    }
}

/// The columns a run accumulates from each chunk: the outputs, or differences between
/// two programs' outputs.
trait Columns: Sync {
    /// Per-thread scratch state.
    type State: Send;
    fn state(&self) -> Self::State;
    /// The chunk's columns, one per accumulated quantity.
    fn columns<'a>(&self, state: &'a mut Self::State, view: &'a ChunkView<'_>) -> Vec<&'a [f64]>;
}

/// A program's own outputs.
struct Outputs(usize);

impl Columns for Outputs {
    type State = ();
    fn state(&self) {}
    fn columns<'a>(&self, _: &'a mut (), view: &'a ChunkView<'_>) -> Vec<&'a [f64]> {
        (0..self.0).map(|i| view.output(i)).collect()
    }
}

/// `other`'s outputs minus the base program's, trial by trial, with the same streams
/// (common random numbers): a var the two programs share draws identical values.
struct Differences<'p> {
    other: &'p Program,
    seeds: Vec<u64>,
}

impl Columns for Differences<'_> {
    type State = (Workspace, Vec<Vec<f64>>);
    fn state(&self) -> Self::State {
        (Workspace::new(self.other), vec![vec![0.0; CHUNK]; self.other.outputs().len()])
    }
    fn columns<'a>(&self, state: &'a mut Self::State, view: &'a ChunkView<'_>) -> Vec<&'a [f64]> {
        let (workspace, buffers) = state;
        workspace.run(self.other, &self.seeds, view.index, view.n);
        for (i, buffer) in buffers.iter_mut().enumerate() {
            let theirs = workspace.column(self.other.outputs()[i].slot, view.n);
            for ((d, t), b) in buffer.iter_mut().zip(theirs).zip(view.output(i)) {
                *d = t - b;
            }
        }
        buffers.iter().map(|b| &b[..view.n]).collect()
    }
}

/// Runs every trial, accumulating each output's moments and sketch.
pub fn simulate(program: &Program, config: &RunConfig) -> Simulated {
    let mut simulated = Simulated::new(program);
    simulated.extend(program, config, config.trials);
    simulated
}

impl Simulated {
    /// Nothing simulated yet.
    pub fn new(program: &Program) -> Simulated {
        let n_outputs = program.outputs().len();
        Simulated {
            moments: vec![Moments::default(); n_outputs],
            sketches: Vec::new(),
            exact: Vec::new(),
            positive: vec![0; n_outputs],
            trials: 0,
            nonfinite: NonFinite::new(program.vars().len()),
        }
    }

    /// Trials accumulated so far.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Runs the trials from [`Simulated::trials`] up to `trials`, of a run of
    /// `config.trials` (streams by `config.seed`). Extending in steps gives the same result
    /// as one run, provided each step but the last ends on a chunk boundary; percentiles
    /// can be read once `trials` reaches `config.trials`.
    pub fn extend(&mut self, program: &Program, config: &RunConfig, trials: u64) {
        self.accumulate(program, config, trials, &Outputs(program.outputs().len()));
    }

    fn accumulate<C: Columns>(&mut self, program: &Program, config: &RunConfig, trials: u64, source: &C) {
        let seeds = config.seeds(program);
        if self.exact.is_empty() {
            self.exact = vec![ExactQuantiles::new(&LEVELS, config.trials); program.outputs().len()];
        }
        self.exact.iter_mut().for_each(|e| e.plan(config.trials));
        let windows = Mutex::new(self.exact.iter().map(ExactQuantiles::window).collect::<Vec<_>>());
        let step = RunConfig { trials, ..*config };
        let mut start = self.trials().div_ceil(CHUNK as u64);
        if start == 0 && step.n_chunks() > 0 {
            // Chunk 0 runs alone first: its values fix each sketch's scale deterministically.
            let mut first = Vec::new();
            let chunk = |state: &mut C::State, view: &ChunkView<'_>| {
                let columns = source.columns(state, view);
                let sketches: Vec<QuantileSketch> = columns
                    .iter()
                    .map(|c| {
                        let mut s = QuantileSketch::for_values(c);
                        s.record_all(c);
                        s
                    })
                    .collect();
                (chunk_stats(&columns, view, &windows), sketches)
            };
            for_each_chunk(
                program,
                &step,
                &seeds,
                0..1,
                || source.state(),
                chunk,
                |(stats, sketches)| {
                    self.merge(stats, &windows);
                    first = sketches;
                },
            );
            self.sketches = first;
            start = 1;
        }
        let empty: Vec<QuantileSketch> = self.sketches.iter().map(QuantileSketch::empty_like).collect();
        let chunk = |(state, local): &mut (C::State, Vec<QuantileSketch>), view: &ChunkView<'_>| {
            let columns = source.columns(state, view);
            local.iter_mut().zip(&columns).for_each(|(sketch, c)| sketch.record_all(c));
            chunk_stats(&columns, view, &windows)
        };
        let workers = for_each_chunk(
            program,
            &step,
            &seeds,
            start..step.n_chunks(),
            || (source.state(), empty.clone()),
            chunk,
            |stats| self.merge(stats, &windows),
        );
        for (_, local) in &workers {
            self.sketches.iter_mut().zip(local).for_each(|(s, l)| s.merge(l));
        }
        self.trials = self.trials.max(trials);
        // Only finite values have ranks; a run with others fails (see `nonfinite`).
        if trials == config.trials && self.nonfinite.is_clean() {
            self.resolve(program, &step, &seeds, source);
        }
    }

    /// Adds a chunk's results; the windows later chunks are tallied in follow the exact
    /// order statistics as they narrow.
    fn merge(&mut self, stats: ChunkStats, windows: &Mutex<Vec<Arc<Window>>>) {
        self.moments.iter_mut().zip(&stats.moments).for_each(|(m, c)| m.merge(c));
        self.positive.iter_mut().zip(&stats.positive).for_each(|(p, c)| *p += c);
        self.nonfinite.add(stats.index, &stats.nonfinite);
        let mut windows = windows.lock().expect("no panics while locked");
        for ((exact, tally), window) in self.exact.iter_mut().zip(stats.tallies).zip(windows.iter_mut()) {
            exact.absorb(tally);
            *window = exact.window();
        }
    }

    /// Finds, by replaying the trials, the value of every wanted rank that fell outside
    /// its output's window (rare: see [`crate::stats::order`]).
    fn resolve<C: Columns>(&mut self, program: &Program, config: &RunConfig, seeds: &[u64], source: &C) {
        let mut searches: Vec<Vec<RankSearch>> = self.exact.iter_mut().map(ExactQuantiles::missing).collect();
        while searches.iter().flatten().any(|s| s.answer().is_none()) {
            let readers = searches.clone();
            let gather = |state: &mut C::State, view: &ChunkView<'_>| {
                let columns = source.columns(state, view);
                let parts = |(searches, column): (&Vec<RankSearch>, &&[f64])| {
                    let part = |s: &RankSearch| {
                        let mut part = s.empty();
                        s.gather(column, &mut part);
                        part
                    };
                    searches.iter().map(|s| s.answer().is_none().then(|| part(s))).collect::<Vec<_>>()
                };
                readers.iter().zip(&columns).map(parts).collect::<Vec<_>>()
            };
            let absorb = |parts: Vec<Vec<Option<PassPart>>>| {
                for (searches, parts) in searches.iter_mut().zip(parts) {
                    for (search, part) in searches.iter_mut().zip(parts) {
                        part.into_iter().for_each(|p| search.absorb(p));
                    }
                }
            };
            for_each_chunk(program, config, seeds, 0..config.n_chunks(), || source.state(), gather, absorb);
            searches.iter_mut().flatten().filter(|s| s.answer().is_none()).for_each(RankSearch::finish_pass);
        }
        self.exact.iter_mut().zip(&searches).for_each(|(exact, found)| exact.found(found));
    }

    /// One summary per output: exact percentiles and the sketch of its distribution.
    pub fn summaries(&self) -> Vec<Summary> {
        (0..self.moments.len())
            .map(|i| Summary::new(self.moments[i], self.sketches[i].clone(), &self.exact[i]))
            .collect()
    }
}

/// `other`'s outputs minus `base`'s, trial by trial, with common random numbers (each
/// factor's stream is keyed by its name, so vars the programs share draw identical
/// values). The programs must have the same outputs in the same order.
pub fn simulate_difference(base: &Program, other: &Program, config: &RunConfig) -> Simulated {
    let mut simulated = Simulated::new(base);
    let source = Differences { other, seeds: config.seeds(other) };
    simulated.accumulate(base, config, config.trials, &source);
    simulated
}

/// The outputs of trial 0 alone, and which vars were non-finite in it: one chunk of one
/// trial, without a thread pool. For a program whose random inputs are all pinned (see
/// [`Program::pinned`]) these are exact values.
pub fn first_trial(program: &Program, seeds: &[u64]) -> (Vec<f64>, NonFinite) {
    let mut workspace = Workspace::new(program);
    workspace.run(program, seeds, 0, 1);
    let outputs = program.outputs().iter().map(|o| workspace.column(o.slot, 1)[0]).collect();
    let mut nonfinite = NonFinite::new(program.vars().len());
    nonfinite.add(0, &workspace.nonfinite);
    (outputs, nonfinite)
}

/// Every output's values in trial order (for rank statistics and Sobol indices: memory
/// grows with `config.trials`, so callers cap it), with the non-finite values per var.
pub fn collect(program: &Program, config: &RunConfig, seeds: &[u64]) -> (Vec<Vec<f64>>, NonFinite) {
    let n_outputs = program.outputs().len();
    let mut columns = vec![Vec::with_capacity(config.trials as usize); n_outputs];
    let mut nonfinite = NonFinite::new(program.vars().len());
    for_each_chunk(
        program,
        config,
        seeds,
        0..config.n_chunks(),
        || (),
        |_, view| {
            let chunk: Vec<Vec<f64>> = (0..n_outputs).map(|i| view.output(i).to_vec()).collect();
            (chunk, view.index, view.nonfinite().to_vec())
        },
        |(chunk, index, counts)| {
            columns.iter_mut().zip(chunk).for_each(|(c, values)| c.extend(values));
            nonfinite.add(index, &counts);
        },
    );
    (columns, nonfinite)
}
