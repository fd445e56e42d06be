//! Accumulating a run: moments, exact order statistics, sketches and counts for every
//! column of a [`Plan`] (moments folded in the fixed chunk tree of
//! [`crate::stats::tree`]), and the replay that finds ranks that fell outside their
//! windows.

use std::sync::{Arc, Mutex};

use super::plan::PlanState;
use super::{CHUNK, ChunkView, NonFinite, Plan, RunConfig, for_each_chunk};
use crate::error::Result;
use crate::stats::order::{PassPart, RankSearch, Tally, Window};
use crate::stats::tree::ChunkTree;
use crate::stats::{ExactQuantiles, LEVELS, Moments, QuantileSketch, SKETCH_BYTES, Summary};

/// The outcome of [`super::simulate`]: merged accumulators per column, before percentiles
/// are read off.
#[derive(Clone, Debug)]
pub struct Simulated {
    /// Moments per column, per chunk, folded in the chunk tree.
    moments: Vec<ChunkTree<Moments>>,
    /// Percentile sketches per column (for charts).
    pub sketches: Vec<QuantileSketch>,
    /// Exact order statistics per column (for the reported percentiles).
    exact: Vec<ExactQuantiles>,
    /// Trials in which each column was greater than 0.
    pub positive: Vec<u64>,
    /// Trials run so far.
    trials: u64,
    /// Trials in which each var of each program was NaN or infinite.
    nonfinite: Vec<NonFinite>,
}

/// Per-chunk results merged in chunk order.
struct ChunkStats {
    index: u64,
    moments: Vec<Moments>,
    positive: Vec<u64>,
    nonfinite: Vec<Vec<u64>>,
    tallies: Vec<Tally>,
}

/// Each column's statistics, its values tallied in the matching window.
fn chunk_stats(index: u64, columns: &[&[f64]], nonfinite: &[&[u64]], windows: &Mutex<Vec<Arc<Window>>>) -> ChunkStats {
    let windows = windows.lock().expect("no panics while locked").clone();
    ChunkStats {
        index,
        moments: columns.iter().map(|c| Moments::of(c)).collect(),
        positive: columns.iter().map(|c| c.iter().filter(|x| **x > 0.0).count() as u64).collect(),
        nonfinite: nonfinite.iter().map(|n| n.to_vec()).collect(),
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

/// A sketch of `values` scaled to them (chunk 0 fixes each sketch's scale).
fn first_sketch(values: &[f64]) -> QuantileSketch {
    let mut sketch = QuantileSketch::for_values(values);
    sketch.record_all(values);
    sketch
}

impl Simulated {
    /// Nothing simulated yet.
    pub fn new(plan: &Plan<'_>) -> Simulated {
        let n = plan.n_columns();
        Simulated {
            moments: vec![ChunkTree::default(); n],
            sketches: Vec::new(),
            exact: Vec::new(),
            positive: vec![0; n],
            trials: 0,
            nonfinite: plan.programs().iter().map(|p| NonFinite::new(p.vars().len())).collect(),
        }
    }

    /// Trials accumulated so far.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// The non-finite values of program `program`'s vars (0 is the plan's first).
    pub fn nonfinite(&self, program: usize) -> &NonFinite {
        &self.nonfinite[program]
    }

    /// Runs the trials from [`Simulated::trials`] up to `trials`, of a run of
    /// `config.trials` (streams by `config.seed`). Extending in steps gives the same result
    /// as one run, provided each step but the last ends on a chunk boundary; percentiles
    /// can be read once `trials` reaches `config.trials`.
    ///
    /// # Errors
    /// [`crate::Error::Threads`] if the pool cannot be built.
    pub fn extend(&mut self, plan: &Plan<'_>, config: &RunConfig, trials: u64) -> Result<()> {
        if self.exact.is_empty() {
            self.exact = vec![ExactQuantiles::new(&LEVELS, config.trials); plan.n_columns()];
        }
        self.exact.iter_mut().for_each(|e| e.plan(config.trials));
        let windows = Mutex::new(self.exact.iter().map(ExactQuantiles::window).collect::<Vec<_>>());
        // Each worker keeps a sketch per column besides its plan state.
        let per_worker = plan.worker_bytes() + plan.n_columns() * SKETCH_BYTES;
        let threads = super::workers(config.threads, per_worker, plan.n_columns());
        let step = RunConfig { trials, threads, ..*config };
        let program = plan.first();
        let seeds = config.seeds(program);
        let mut start = self.trials.div_ceil(CHUNK as u64);
        if start == 0 && step.n_chunks() > 0 {
            let mut first = Vec::new();
            let chunk = |state: &mut PlanState, view: &ChunkView<'_>| {
                let (columns, nonfinite) = plan.columns(&step, state, view);
                (
                    chunk_stats(view.index, &columns, &nonfinite, &windows),
                    columns.iter().map(|c| first_sketch(c)).collect(),
                )
            };
            let consume = |(stats, sketches): (ChunkStats, Vec<QuantileSketch>)| {
                self.merge(stats, &windows);
                first = sketches;
                Ok(())
            };
            for_each_chunk(program, &step, &seeds, 0..1, || plan.state(), chunk, consume)?;
            self.sketches = first;
            start = 1;
        }
        let empty: Vec<QuantileSketch> = self.sketches.iter().map(QuantileSketch::empty_like).collect();
        let chunk = |(state, local): &mut (PlanState, Vec<QuantileSketch>), view: &ChunkView<'_>| {
            let (columns, nonfinite) = plan.columns(&step, state, view);
            local.iter_mut().zip(&columns).for_each(|(sketch, c)| sketch.record_all(c));
            chunk_stats(view.index, &columns, &nonfinite, &windows)
        };
        let make = || (plan.state(), empty.clone());
        let consume = |stats| {
            self.merge(stats, &windows);
            Ok(())
        };
        let workers = for_each_chunk(program, &step, &seeds, start..step.n_chunks(), make, chunk, consume)?;
        for (_, local) in &workers {
            self.sketches.iter_mut().zip(local).for_each(|(s, l)| s.merge(l));
        }
        self.trials = self.trials.max(trials);
        // Only finite values have ranks; a run with others fails (see `nonfinite`).
        if trials == config.trials && self.nonfinite.iter().all(NonFinite::is_clean) {
            self.resolve(plan, &step)?;
        }
        Ok(())
    }

    /// Adds a chunk's results; the windows later chunks are tallied in follow the exact
    /// order statistics as they narrow.
    fn merge(&mut self, stats: ChunkStats, windows: &Mutex<Vec<Arc<Window>>>) {
        let index = stats.index;
        self.moments.iter_mut().zip(stats.moments).for_each(|(m, c)| m.push(index, c, &Moments::merge));
        self.positive.iter_mut().zip(&stats.positive).for_each(|(p, c)| *p += c);
        self.nonfinite.iter_mut().zip(&stats.nonfinite).for_each(|(n, c)| n.add(stats.index, c));
        let mut windows = windows.lock().expect("no panics while locked");
        for ((exact, tally), window) in self.exact.iter_mut().zip(stats.tallies).zip(windows.iter_mut()) {
            exact.absorb(tally);
            *window = exact.window();
        }
    }

    /// Finds, by replaying the trials, the value of every wanted rank that fell outside
    /// its column's window (rare: see [`crate::stats::order`]).
    fn resolve(&mut self, plan: &Plan<'_>, config: &RunConfig) -> Result<()> {
        let mut searches: Vec<Vec<RankSearch>> = self.exact.iter_mut().map(ExactQuantiles::missing).collect();
        let program = plan.first();
        while searches.iter().flatten().any(|s| s.answer().is_none()) {
            let readers = searches.clone();
            let gather = |state: &mut PlanState, view: &ChunkView<'_>| {
                let (columns, _) = plan.columns(config, state, view);
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
                Ok(())
            };
            let seeds = config.seeds(program);
            for_each_chunk(program, config, &seeds, 0..config.n_chunks(), || plan.state(), gather, absorb)?;
            searches.iter_mut().flatten().filter(|s| s.answer().is_none()).for_each(RankSearch::finish_pass);
        }
        self.exact.iter_mut().zip(&searches).for_each(|(exact, found)| exact.found(found));
        Ok(())
    }

    /// One summary per column: exact percentiles and the sketch of its distribution.
    pub fn summaries(&self) -> Vec<Summary> {
        (0..self.moments.len())
            .map(|i| {
                let moments = self.moments[i].fold(&Moments::merge).unwrap_or_default();
                Summary::new(moments, self.sketches[i].clone(), &self.exact[i])
            })
            .collect()
    }
}
