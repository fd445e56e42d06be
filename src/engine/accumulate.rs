//! Accumulating a run: moments, exact order statistics, extremes, sketches and counts
//! for every column of a [`Pass`] (moments folded in the fixed chunk tree of
//! [`crate::stats::tree`]), and the replay that finds ranks that fell outside their
//! windows.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use super::chunks::{ChunkView, for_each_chunk, workers};
use super::config::{CHUNK, RunConfig};
use super::pass::{Pass, PassState};
use super::trace::NonFinite;
use crate::error::Result;
use crate::stats::order::{PassPart, RankSearch, Tally, Window};
use crate::stats::tree::{ChunkTree, Node};
use crate::stats::{
    Accumulated, EXTREMES_BYTES, ExactQuantiles, Extremes, Moments, QuantileSketch, SKETCH_BYTES, Summary,
};

/// Bytes a run takes besides its accumulators and workers: the program, the thread pool,
/// the model and the binary's own pages.
const BASE_BYTES: u64 = 32 << 20;

/// The workers that accumulate `pass` on up to `threads` threads: each keeps a sketch per
/// column besides its pass state, and they share the budget of [`super::workers`].
fn pass_workers(pass: &Pass<'_>, threads: usize) -> usize {
    let per_worker = pass.worker_bytes() + pass.n_columns() * SKETCH_BYTES;
    workers(threads, per_worker, pass.n_columns())
}

/// The outcome of `super::simulate`: merged accumulators per column, before percentiles
/// are read off.
#[derive(Clone, Debug)]
pub struct Accumulators {
    /// Moments per column, per chunk, folded in the chunk tree.
    moments: Vec<ChunkTree<Moments>>,
    /// Percentile sketches per column (for charts), shared with the summaries.
    sketches: Vec<Arc<QuantileSketch>>,
    /// Exact order statistics per column (for the reported percentiles).
    exact: Vec<ExactQuantiles>,
    /// The largest and smallest values per column (for the tail checks of the mean).
    extremes: Vec<Extremes>,
    /// Trials in which each column was greater than 0.
    pub positive: Vec<u64>,
    /// Trials run so far.
    trials: u64,
    /// Trials in which each var of each program was NaN or infinite.
    nonfinite: Vec<NonFinite>,
}

/// The state of a [`Accumulators`], for saving one machine's share of a run: per column,
/// the moments' chunk-tree nodes, the sketch, the order statistics, the extremes and the
/// count of positive values; per program, the non-finite counts.
#[derive(Clone, Debug)]
pub struct AccumulatorParts {
    /// Trials accumulated.
    pub trials: u64,
    /// Per column: the nodes of its moments' chunk tree.
    pub moments: Vec<Vec<Node<Moments>>>,
    /// Per column: its sketch.
    pub sketches: Vec<QuantileSketch>,
    /// Per column: its order statistics.
    pub exact: Vec<ExactQuantiles>,
    /// Per column: its largest and smallest values.
    pub extremes: Vec<Extremes>,
    /// Per column: trials in which it was greater than 0.
    pub positive: Vec<u64>,
    /// Per program: non-finite values per var.
    pub nonfinite: Vec<NonFinite>,
}

/// Per-chunk results merged in chunk order.
struct ChunkStats {
    index: u64,
    moments: Vec<Moments>,
    positive: Vec<u64>,
    nonfinite: Vec<Vec<u64>>,
    tallies: Vec<Tally>,
    extremes: Vec<Extremes>,
}

/// What a chunk needs from the chunks merged before it, per column: the window to tally
/// its values in and the thresholds its extremes must pass.
struct Bounds {
    windows: Vec<Arc<Window>>,
    thresholds: Vec<[f64; 2]>,
}

/// Each column's statistics, its values tallied in the matching window.
fn chunk_stats(index: u64, columns: &[&[f64]], nonfinite: &[&[u64]], bounds: &Mutex<Bounds>) -> ChunkStats {
    let (windows, thresholds) = {
        let bounds = bounds.lock().expect("no panics while locked");
        (bounds.windows.clone(), bounds.thresholds.clone())
    };
    ChunkStats {
        index,
        moments: columns.iter().map(|c| Moments::of(c)).collect(),
        extremes: columns.iter().zip(thresholds).map(|(c, t)| Extremes::of(c, t)).collect(),
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

/// A sketch scaled to `values` (chunk 0 fixes each sketch's scale), holding them if
/// `record`.
fn first_sketch(values: &[f64], record: bool) -> QuantileSketch {
    let mut sketch = QuantileSketch::for_values(values);
    if record {
        sketch.record_all(values);
    }
    sketch
}

impl Accumulators {
    /// An estimate of the most memory, in bytes, a run of `pass` over `config` takes:
    /// per column, a chart sketch for the run (shared with its summary) and one per worker
    /// that runs a chunk after the first (each up to half of `SKETCH_BYTES`, 58 KB, for
    /// values of one sign), the extremes (16 bytes a trial, up to 16 KB) and the exact
    /// order statistics ([`ExactQuantiles::peak_bytes`]); per worker that runs a chunk, its
    /// columns (32 KB per output and per difference, and up to 16 MB of slots); a quarter
    /// more for the chunks in flight, and 32 MB for the rest. Measured resident memory
    /// stays within it (README "Output files, memory and limits").
    pub fn peak_bytes(pass: &Pass<'_>, config: &RunConfig) -> u64 {
        let (chunks, workers) = (config.n_chunks(), pass_workers(pass, config.threads) as u64);
        let sketches = 1 + workers.min(chunks.saturating_sub(1));
        let extremes = (EXTREMES_BYTES as u64).min(16 * config.trials);
        let per_column = sketches * (SKETCH_BYTES / 2) as u64
            + extremes
            + ExactQuantiles::peak_bytes(config.trials, pass.levels().len());
        let accumulators = pass.n_columns() as u64 * per_column + workers.min(chunks) * pass.worker_bytes() as u64;
        BASE_BYTES + accumulators + accumulators / 4
    }

    /// Nothing simulated yet.
    pub fn new(pass: &Pass<'_>) -> Accumulators {
        let n = pass.n_columns();
        Accumulators {
            moments: vec![ChunkTree::default(); n],
            sketches: Vec::new(),
            exact: Vec::new(),
            extremes: vec![Extremes::default(); n],
            positive: vec![0; n],
            trials: 0,
            nonfinite: pass.programs().iter().map(|p| NonFinite::new(p.vars().len())).collect(),
        }
    }

    /// The state of this (partial) run, to save (see [`AccumulatorParts`]).
    pub fn into_parts(self) -> AccumulatorParts {
        AccumulatorParts {
            trials: self.trials,
            moments: self.moments.iter().map(|t| t.nodes().to_vec()).collect(),
            exact: self.exact,
            extremes: self.extremes,
            sketches: self.sketches.into_iter().map(Arc::unwrap_or_clone).collect(),
            positive: self.positive,
            nonfinite: self.nonfinite,
        }
    }

    /// The (partial) run [`Accumulators::into_parts`] gave; `None` if the parts cannot come
    /// from one (counts per column of different lengths, moments that are no chunk tree,
    /// or counts that disagree with the trials).
    pub fn from_parts(parts: AccumulatorParts) -> Option<Accumulators> {
        let n = parts.moments.len();
        let columns_fit = [parts.sketches.len(), parts.exact.len(), parts.extremes.len(), parts.positive.len()]
            .iter()
            .all(|&len| len == n);
        if !columns_fit {
            return None;
        }
        let moments: Vec<ChunkTree<Moments>> =
            parts.moments.into_iter().map(ChunkTree::from_nodes).collect::<Option<_>>()?;
        let counted = |i: usize| {
            let n_moments: u64 = moments[i].nodes().iter().map(|node| node.value.n).sum();
            n_moments == parts.trials
                && parts.exact[i].count() == parts.trials
                && parts.sketches[i].count() == parts.trials
                && parts.positive[i] <= parts.trials
        };
        if !(0..n).all(counted) {
            return None;
        }
        Some(Accumulators {
            moments,
            sketches: parts.sketches.into_iter().map(Arc::new).collect(),
            exact: parts.exact,
            extremes: parts.extremes,
            positive: parts.positive,
            trials: parts.trials,
            nonfinite: parts.nonfinite,
        })
    }

    /// True if this run's columns and programs are `pass`'s.
    pub fn fits(&self, pass: &Pass<'_>) -> bool {
        self.moments.len() == pass.n_columns()
            && self.nonfinite.len() == pass.programs().len()
            && self.nonfinite.iter().zip(pass.programs()).all(|(f, p)| f.counts().len() == p.vars().len())
    }

    /// Trials accumulated so far.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// The non-finite values of program `program`'s vars (0 is the pass's first).
    pub fn nonfinite(&self, program: usize) -> &NonFinite {
        &self.nonfinite[program]
    }

    /// Runs the trials from [`Accumulators::trials`] up to `trials`, of a run of
    /// `config.trials` (streams by `config.seed`). Extending in steps gives the same result
    /// as one run, provided each step but the last ends on a chunk boundary; percentiles
    /// can be read once `trials` reaches `config.trials`.
    ///
    /// # Errors
    /// [`crate::Error::Threads`] if the pool cannot be built.
    pub fn extend(&mut self, pass: &Pass<'_>, config: &RunConfig, trials: u64) -> Result<()> {
        let step = RunConfig { trials, ..*config };
        self.run_chunks(pass, config, &step, self.trials.div_ceil(CHUNK as u64)..step.n_chunks())?;
        self.trials = self.trials.max(trials);
        if trials == config.trials {
            self.finish(pass, &step)?;
        }
        Ok(())
    }

    /// The chunks `chunks` of a run of `config.trials` trials, and nothing else: one
    /// machine's share of a run split between several. Joined ([`Accumulators::join`]) with
    /// the other shares and finished ([`Accumulators::finish`]), the result is the whole
    /// run's, to the bit.
    ///
    /// # Errors
    /// As [`Accumulators::extend`].
    pub fn shard(pass: &Pass<'_>, config: &RunConfig, chunks: Range<u64>) -> Result<Accumulators> {
        let mut simulated = Accumulators::new(pass);
        simulated.run_chunks(pass, config, config, chunks.clone())?;
        simulated.trials = chunks.map(|c| config.chunk_len(c) as u64).sum();
        Ok(simulated)
    }

    /// The chunks of all `shares` (of the same run, no two with a chunk in common) in one
    /// run, in time linear in their accumulators.
    ///
    /// # Errors
    /// [`crate::Error::Unfit`] if two shares have a chunk in common or different columns.
    pub fn join(shares: Vec<Accumulators>) -> Result<Accumulators> {
        let clash = || crate::Error::Unfit { reason: "the partial states share chunks or differ in columns".into() };
        let mut shares = shares.into_iter();
        let mut joined = shares.next().ok_or_else(clash)?;
        let mut exact: Vec<Vec<ExactQuantiles>> =
            std::mem::take(&mut joined.exact).into_iter().map(|e| vec![e]).collect();
        for other in shares {
            let same_vars =
                joined.nonfinite.iter().zip(&other.nonfinite).all(|(a, b)| a.counts().len() == b.counts().len());
            let same_scales = joined.sketches.iter().zip(&other.sketches).all(|(a, b)| a.same_scale(b));
            if joined.moments.len() != other.moments.len()
                || joined.nonfinite.len() != other.nonfinite.len()
                || !same_vars
                || !same_scales
            {
                return Err(clash());
            }
            let mine = std::mem::take(&mut joined.moments);
            for (theirs, mine) in other.moments.into_iter().zip(mine) {
                joined.moments.push(mine.merge(theirs, &Moments::merge).ok_or_else(clash)?);
            }
            joined.sketches.iter_mut().zip(&other.sketches).for_each(|(s, o)| Arc::make_mut(s).merge(o));
            exact.iter_mut().zip(other.exact).for_each(|(parts, o)| parts.push(o));
            joined.extremes.iter_mut().zip(&other.extremes).for_each(|(e, o)| e.merge(o));
            joined.positive.iter_mut().zip(&other.positive).for_each(|(p, o)| *p += o);
            joined.nonfinite.iter_mut().zip(&other.nonfinite).for_each(|(n, o)| n.merge(o));
            joined.trials += other.trials;
        }
        joined.exact = exact.into_iter().map(ExactQuantiles::merge_all).collect();
        Ok(joined)
    }

    /// Completes a run once every chunk of `config.trials` trials is in: finds, by
    /// replaying the trials, any percentile that fell outside its window. A run with
    /// values that can't be computed has no percentiles to find (it fails instead).
    ///
    /// # Errors
    /// As [`Accumulators::extend`].
    pub fn finish(&mut self, pass: &Pass<'_>, config: &RunConfig) -> Result<()> {
        // Only finite values have ranks; a run with others fails (see `nonfinite`).
        if self.nonfinite.iter().all(NonFinite::is_clean) {
            self.resolve(pass, config)?;
        }
        Ok(())
    }

    /// Runs chunks `chunks` of a run of `whole.trials` trials, each as long as `step`
    /// (a run of `step.trials`, at most `whole.trials`) makes it. The sketches take their
    /// scale from chunk 0, which is run for that alone when it is not among `chunks`.
    fn run_chunks(&mut self, pass: &Pass<'_>, whole: &RunConfig, step: &RunConfig, chunks: Range<u64>) -> Result<()> {
        if self.exact.is_empty() {
            self.exact = vec![ExactQuantiles::new(pass.levels(), whole.trials); pass.n_columns()];
        }
        self.exact.iter_mut().for_each(|e| e.plan(whole.trials));
        let bounds = Mutex::new(Bounds {
            windows: self.exact.iter().map(ExactQuantiles::window).collect(),
            thresholds: self.extremes.iter().map(Extremes::thresholds).collect(),
        });
        let step = RunConfig { threads: pass_workers(pass, whole.threads), ..*step };
        let program = pass.first();
        let seeds = whole.seeds(program);
        let mut start = chunks.start;
        if self.sketches.is_empty() && step.n_chunks() > 0 {
            let own = start == 0 && !chunks.is_empty();
            let mut first = Vec::new();
            let chunk = |state: &mut PassState, view: &ChunkView<'_>| {
                let (columns, nonfinite) = pass.columns(&step, state, view);
                let stats = own.then(|| chunk_stats(view.index, &columns, &nonfinite, &bounds));
                (stats, columns.iter().map(|c| first_sketch(c, own)).collect())
            };
            let consume = |(stats, sketches): (Option<ChunkStats>, Vec<QuantileSketch>)| {
                if let Some(stats) = stats {
                    self.merge(stats, &bounds);
                }
                first = sketches;
                Ok(())
            };
            for_each_chunk(program, &step, &seeds, 0..1, || pass.state(), chunk, consume)?;
            self.sketches = first.into_iter().map(Arc::new).collect();
            if own {
                start = 1;
            }
        }
        let empty: Vec<QuantileSketch> = self.sketches.iter().map(|s| s.empty_like()).collect();
        let chunk = |(state, local): &mut (PassState, Vec<QuantileSketch>), view: &ChunkView<'_>| {
            let (columns, nonfinite) = pass.columns(&step, state, view);
            local.iter_mut().zip(&columns).for_each(|(sketch, c)| sketch.record_all(c));
            chunk_stats(view.index, &columns, &nonfinite, &bounds)
        };
        let make = || (pass.state(), empty.clone());
        let consume = |stats| {
            self.merge(stats, &bounds);
            Ok(())
        };
        let workers = for_each_chunk(program, &step, &seeds, start..chunks.end, make, chunk, consume)?;
        for (_, local) in &workers {
            self.sketches.iter_mut().zip(local).for_each(|(s, l)| Arc::make_mut(s).merge(l));
        }
        Ok(())
    }

    /// Adds a chunk's results; the windows later chunks are tallied in follow the exact
    /// order statistics as they narrow, and their extremes' thresholds those merged.
    fn merge(&mut self, stats: ChunkStats, bounds: &Mutex<Bounds>) {
        let index = stats.index;
        self.moments.iter_mut().zip(stats.moments).for_each(|(m, c)| m.push(index, c, &Moments::merge));
        self.positive.iter_mut().zip(&stats.positive).for_each(|(p, c)| *p += c);
        self.nonfinite.iter_mut().zip(&stats.nonfinite).for_each(|(n, c)| n.add(stats.index, c));
        let mut bounds = bounds.lock().expect("no panics while locked");
        for ((exact, tally), window) in self.exact.iter_mut().zip(stats.tallies).zip(bounds.windows.iter_mut()) {
            exact.absorb(tally);
            *window = exact.window();
        }
        for ((extremes, part), threshold) in self.extremes.iter_mut().zip(&stats.extremes).zip(&mut bounds.thresholds) {
            extremes.merge(part);
            *threshold = extremes.thresholds();
        }
    }

    /// Finds, by replaying the trials, the value of every wanted rank that fell outside
    /// its column's window (rare: see [`crate::stats::order`]).
    fn resolve(&mut self, pass: &Pass<'_>, config: &RunConfig) -> Result<()> {
        let mut searches: Vec<Vec<RankSearch>> = self.exact.iter_mut().map(ExactQuantiles::missing).collect();
        let program = pass.first();
        while searches.iter().flatten().any(|s| s.answer().is_none()) {
            let readers = searches.clone();
            let gather = |state: &mut PassState, view: &ChunkView<'_>| {
                let (columns, _) = pass.columns(config, state, view);
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
            for_each_chunk(program, config, &seeds, 0..config.n_chunks(), || pass.state(), gather, absorb)?;
            searches.iter_mut().flatten().filter(|s| s.answer().is_none()).for_each(RankSearch::finish_pass);
        }
        self.exact.iter_mut().zip(&searches).for_each(|(exact, found)| exact.found(found));
        Ok(())
    }

    /// One summary per column of `pass` (whose columns this run accumulated): exact
    /// percentiles, the interval of the mean its kind of values calls for, and the sketch
    /// of its distribution.
    pub fn summaries(&self, pass: &Pass<'_>) -> Vec<Summary> {
        pass.kinds()
            .into_iter()
            .enumerate()
            .map(|(i, kind)| {
                Summary::new(Accumulated {
                    kind,
                    moments: self.moments[i].fold(&Moments::merge).unwrap_or_default(),
                    sketch: &self.sketches[i],
                    exact: &self.exact[i],
                    extremes: &self.extremes[i],
                    positive: self.positive[i],
                })
            })
            .collect()
    }
}
