//! Exact order statistics of a long stream of values, in memory that grows only with the
//! square root of the stream's length.
//!
//! Reported percentiles and their confidence intervals are order statistics: the values of
//! known ranks among all n trials (nearest rank ⌈q·n⌉, and the ranks of
//! [`super::order_statistic_ranks`]). A [`Tally`] keeps every value that falls inside a
//! [`Window`] — a few closed intervals around where those ranks will land — and only counts
//! the values in the gaps between them, so the value of any rank inside the window is known
//! exactly.
//!
//! [`ExactQuantiles`] chooses the window from the stream itself and narrows it as values
//! arrive (at 4,096 values, then whenever their number has grown by a quarter). The
//! first m values are a sample
//! without replacement of the n to come, so the value that will have rank r among n sits,
//! among the m, near rank r·m/n, give or take m·√(q(1−q)(1 − m/n)/m) ranks with q = r/n;
//! the window keeps z = [`Z_MARGIN`] = 6 such spreads on each side of every wanted rank
//! (the order-statistic bracket of Floyd & Rivest, "Expected time bounds for selection",
//! CACM 18(3), 1975, with the stream's own prefix as the sample). The most values kept,
//! midway through a run of n trials, is about 3.5·z·√n·Σ√(q(1−q)) with the sum over
//! the reported levels: some 200,000 values (16 bytes each) per output at n = 10⁸.
//!
//! The answer never depends on the window: a wanted rank that falls outside it (probability
//! below 10⁻⁸ per run, or always for adversarially ordered input) is found exactly by
//! [`RankSearch`], which replays the values and narrows a range of their total-order keys
//! 1,024-fold per pass. Results are therefore exact for any thread count, merge order or
//! window history, which also lets tallies from separate machines merge: two windows
//! combine by intersection (see [`Tally::merge`]).

use std::sync::Arc;

/// Spreads kept on each side of a wanted rank (a miss has probability Φ(−6) ≈ 10⁻⁹).
pub(crate) const Z_MARGIN: f64 = 6.0;
/// Values seen before the window first narrows (the first chunk).
const FIRST_NARROWING: u64 = 4096;
/// A [`RankSearch`] collects the values of its range once there are at most this many.
const COLLECT_LIMIT: u64 = 1 << 20;
/// Key-range cells counted per [`RankSearch`] pass.
const CELLS: u64 = 1024;

/// The values a [`Tally`] keeps: sorted, disjoint closed intervals `[lows[j], highs[j]]`
/// with `highs[j] < lows[j + 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    lows: Vec<f64>,
    highs: Vec<f64>,
}

impl Window {
    /// Keeps every value.
    pub fn all() -> Window {
        Window { lows: vec![f64::NEG_INFINITY], highs: vec![f64::INFINITY] }
    }

    /// The intervals that `wanted` (in any order, possibly overlapping or empty) and this
    /// window have in common.
    fn intersect(&self, mut wanted: Vec<[f64; 2]>) -> Window {
        wanted.retain(|[lo, hi]| lo <= hi);
        wanted.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let mut union: Vec<[f64; 2]> = Vec::new();
        for [lo, hi] in wanted {
            match union.last_mut() {
                Some(last) if lo <= last[1] => last[1] = last[1].max(hi),
                _ => union.push([lo, hi]),
            }
        }
        let mut out = Window { lows: Vec::new(), highs: Vec::new() };
        for [lo, hi] in union {
            for (&a, &b) in self.lows.iter().zip(&self.highs) {
                let (l, h) = (lo.max(a), hi.min(b));
                if l <= h {
                    out.lows.push(l);
                    out.highs.push(h);
                }
            }
        }
        out
    }

    fn keeps_all(&self) -> bool {
        self.lows == [f64::NEG_INFINITY] && self.highs == [f64::INFINITY]
    }

    /// Number of intervals.
    fn len(&self) -> usize {
        self.lows.len()
    }

    /// The gap of `other` (a window with every interval inside one of this window's) that
    /// contains this window's gap `g`.
    fn gap_in(&self, g: usize, other: &Window) -> usize {
        let next_low = self.lows.get(g).copied().unwrap_or(f64::INFINITY);
        other.highs.partition_point(|&h| h < next_low)
    }

    /// The range of total-order keys strictly inside gap `g`.
    fn gap_keys(&self, g: usize) -> [u64; 2] {
        let lo = if g == 0 { 0 } else { key(self.highs[g - 1]).saturating_add(1) };
        let hi = self.lows.get(g).map_or(u64::MAX, |&l| key(l).saturating_sub(1));
        [lo, hi]
    }
}

/// Values inside a `Window` and counts of the values in each gap.
#[derive(Clone, Debug)]
pub struct Tally {
    window: Arc<Window>,
    /// Values in gap g (below interval g; the last gap is above every interval).
    gaps: Vec<u64>,
    /// Values inside the window not yet sorted into `runs`.
    fresh: Vec<f64>,
    /// Sorted distinct values inside the window, each with how often it occurred: tied
    /// values (counts, 0/1 outputs) cost one entry however many trials share them.
    runs: Vec<(f64, u64)>,
    /// The sum of the runs' counts.
    in_runs: u64,
}

impl Tally {
    /// An empty tally keeping the values in `window`.
    pub fn new(window: Arc<Window>) -> Tally {
        let gaps = vec![0; window.len() + 1];
        Tally { window, gaps, fresh: Vec::new(), runs: Vec::new(), in_runs: 0 }
    }

    /// Number of values seen.
    pub fn count(&self) -> u64 {
        self.gaps.iter().sum::<u64>() + self.fresh.len() as u64 + self.in_runs
    }

    /// Records `values`.
    pub fn record(&mut self, values: &[f64]) {
        if self.window.keeps_all() {
            self.fresh.extend_from_slice(values);
            return;
        }
        // The region of x is 2j + 1 inside interval j and 2j in the gap just below it: the
        // number of bounds it has passed. A block at a time, one bound per pass, so the
        // comparisons vectorise.
        let mut regions = [0u64; 512];
        for block in values.chunks(regions.len()) {
            let regions = &mut regions[..block.len()];
            regions.fill(0);
            for &lo in &self.window.lows {
                regions.iter_mut().zip(block).for_each(|(r, &x)| *r += u64::from(x >= lo));
            }
            for &hi in &self.window.highs {
                regions.iter_mut().zip(block).for_each(|(r, &x)| *r += u64::from(x > hi));
            }
            let mut inside = 0;
            for &region in regions.iter() {
                inside += region & 1;
                self.gaps[(region / 2) as usize] += 1 - (region & 1);
            }
            if inside > 0 {
                self.fresh.extend(regions.iter().zip(block).filter(|(r, _)| *r & 1 == 1).map(|(_, &x)| x));
            }
        }
    }

    /// Sorts the fresh values into the runs.
    fn compact(&mut self) {
        if self.fresh.is_empty() {
            return;
        }
        self.fresh.sort_unstable_by(f64::total_cmp);
        let mut fresh: Vec<(f64, u64)> = Vec::new();
        for &x in &self.fresh {
            match fresh.last_mut() {
                Some(last) if last.0.total_cmp(&x).is_eq() => last.1 += 1,
                _ => fresh.push((x, 1)),
            }
        }
        self.in_runs += self.fresh.len() as u64;
        self.fresh.clear();
        merge_runs(&mut self.runs, fresh);
    }

    /// Compacts once the fresh values number half the runs (and a few chunks' worth), so
    /// memory stays near that of the runs and the work linear in the values recorded.
    fn compact_if_large(&mut self) {
        if self.fresh.len() > (self.runs.len() / 2).max(1 << 14) {
            self.compact();
        }
    }

    /// The same values, tallied in `window`, whose intervals must each lie inside one of
    /// this tally's.
    fn rebucket(self, window: &Arc<Window>) -> Tally {
        if Arc::ptr_eq(&self.window, window) || self.window == *window {
            return self;
        }
        let mut out = Tally::new(window.clone());
        for (g, &count) in self.gaps.iter().enumerate().filter(|(_, c)| **c > 0) {
            out.gaps[self.window.gap_in(g, window)] += count;
        }
        out.record(&self.fresh);
        // The runs are sorted: walk them and the new intervals together.
        let mut j = 0;
        for (x, count) in self.runs {
            while j < window.len() && x > window.highs[j] {
                j += 1;
            }
            if j < window.len() && x >= window.lows[j] {
                out.runs.push((x, count));
                out.in_runs += count;
            } else {
                out.gaps[j] += count;
            }
        }
        out.runs.shrink_to_fit();
        out
    }

    /// Adds `other`'s values, which must be tallied in the same window.
    fn add(&mut self, other: Tally) {
        debug_assert!(self.window == other.window);
        self.gaps.iter_mut().zip(&other.gaps).for_each(|(a, b)| *a += b);
        self.fresh.extend_from_slice(&other.fresh);
        self.in_runs += other.in_runs;
        if !other.runs.is_empty() {
            merge_runs(&mut self.runs, other.runs);
        }
    }

    /// The values of all `tallies` in one, keeping what every window keeps (the
    /// intersection of their windows), so tallies made on different machines with
    /// different windows merge exactly, in any order or grouping, in time linear in their
    /// values (one sort).
    pub fn merge(tallies: Vec<Tally>) -> Tally {
        let mut windows = tallies.iter().map(|t| &t.window);
        let first = (**windows.next().expect("at least one tally")).clone();
        let window = windows.fold(first, |w, other| {
            w.intersect(other.lows.iter().zip(&other.highs).map(|(&lo, &hi)| [lo, hi]).collect())
        });
        let window = Arc::new(window);
        let mut merged = Tally::new(window.clone());
        let mut runs: Vec<(f64, u64)> = Vec::new();
        for tally in tallies {
            let tally = tally.rebucket(&window);
            merged.gaps.iter_mut().zip(&tally.gaps).for_each(|(a, b)| *a += b);
            merged.fresh.extend_from_slice(&tally.fresh);
            merged.in_runs += tally.in_runs;
            runs.extend(tally.runs);
        }
        // Each tally's runs are sorted: the stable sort finds those runs and merges them, in
        // O(n log k) for k tallies.
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        combine_equal(&mut runs);
        merged.runs = runs;
        merged.compact();
        merged
    }

    /// The value of each rank in `ranks` (1-based) if it lies inside the window, else
    /// `Err(gap)` naming the gap it falls in; one walk over the (compacted) tally.
    fn at_ranks(&self, ranks: &[u64]) -> Vec<Result<f64, usize>> {
        debug_assert!(self.fresh.is_empty());
        let mut order: Vec<usize> = (0..ranks.len()).collect();
        order.sort_by_key(|&i| ranks[i]);
        let mut out = vec![Err(self.gaps.len() - 1); ranks.len()];
        let mut wanted = order.into_iter().peekable();
        let mut below = 0;
        let mut runs = self.runs.iter().peekable();
        for (g, &gap) in self.gaps.iter().enumerate() {
            below += gap;
            while let Some(i) = wanted.next_if(|&i| ranks[i] <= below) {
                out[i] = Err(g);
            }
            let Some(&high) = self.window.highs.get(g) else { break };
            while let Some((x, count)) = runs.next_if(|(x, _)| *x <= high) {
                below += count;
                while let Some(i) = wanted.next_if(|&i| ranks[i] <= below) {
                    out[i] = Ok(*x);
                }
            }
        }
        out
    }

    /// Values below gap `g`'s lower edge; the tally must be compacted.
    fn count_below_gap(&self, g: usize) -> u64 {
        let gaps_below: u64 = self.gaps[..g].iter().sum();
        let edge = if g == 0 { f64::NEG_INFINITY } else { self.window.highs[g - 1] };
        gaps_below + self.runs.iter().take_while(|(x, _)| *x <= edge).map(|(_, c)| c).sum::<u64>()
    }

    /// Where a rank found by [`Tally::at_ranks`] sits: its value if the window holds it,
    /// else the window's nearest edge on the inner side of a wanted interval (the low edge
    /// of the next interval up for its low end, the high edge of the interval below for
    /// its high end).
    fn edge(&self, found: Result<f64, usize>, side: Side) -> f64 {
        match (found, side) {
            (Ok(x), _) => x,
            (Err(g), Side::Low) => self.window.lows.get(g).copied().unwrap_or(f64::INFINITY),
            (Err(0), Side::High) => f64::NEG_INFINITY,
            (Err(g), Side::High) => self.window.highs[g - 1],
        }
    }
}

/// Merges the sorted runs `more` into the sorted runs `runs`, in place (from the back, so
/// the only extra memory is `more` itself), combining equal values.
fn merge_runs(runs: &mut Vec<(f64, u64)>, more: Vec<(f64, u64)>) {
    let (mut i, mut j) = (runs.len(), more.len());
    runs.reserve_exact(j);
    runs.resize(i + j, (0.0, 0));
    while j > 0 {
        let k = i + j - 1;
        if i > 0 && runs[i - 1].0.total_cmp(&more[j - 1].0).is_gt() {
            runs[k] = runs[i - 1];
            i -= 1;
        } else {
            runs[k] = more[j - 1];
            j -= 1;
        }
    }
    combine_equal(runs);
}

/// Sorted runs with each value once: the counts of equal neighbours added up.
fn combine_equal(runs: &mut Vec<(f64, u64)>) {
    runs.dedup_by(|later, kept| {
        let equal = later.0.total_cmp(&kept.0).is_eq();
        if equal {
            kept.1 += later.1;
        }
        equal
    });
}

/// Which end of a wanted interval a bound is.
#[derive(Clone, Copy)]
enum Side {
    Low,
    High,
}

/// The exact values of chosen ranks of a stream (see the module docs).
#[derive(Clone, Debug)]
pub struct ExactQuantiles {
    tally: Tally,
    /// Probability levels whose nearest-rank values and 95% intervals are wanted.
    levels: Arc<[f64]>,
    /// The stream's expected length, which sets the wanted ranks.
    planned: u64,
    /// The count at which the window narrows next.
    next_narrowing: u64,
    /// Values found by [`RankSearch`] for ranks outside the window, by rank.
    found: Vec<(u64, f64)>,
}

impl ExactQuantiles {
    /// Ready for a stream of about `planned` values, whose `levels`-quantiles (with their
    /// 95% intervals) will be wanted.
    pub fn new(levels: Arc<[f64]>, planned: u64) -> ExactQuantiles {
        ExactQuantiles {
            tally: Tally::new(Arc::new(Window::all())),
            levels,
            planned: planned.max(1),
            next_narrowing: FIRST_NARROWING,
            found: Vec::new(),
        }
    }

    /// The most bytes an [`ExactQuantiles`] of the 9 default levels holds in a stream of
    /// `planned` values, allocation slack included: 16 bytes a value while the first chunk
    /// is kept whole, then about 420·√n (measured up to n = 10⁷; the test holds it to
    /// this bound).
    /// The window holds values near each level's three ranks, so more levels take
    /// proportionally more (`levels` of them).
    pub fn peak_bytes(planned: u64, levels: usize) -> u64 {
        let windows = levels.max(9) as f64 / 9.0;
        16 * planned.min(FIRST_NARROWING) + (460.0 * windows * (planned as f64).sqrt()) as u64
    }

    /// Sets the stream's expected length (e.g. when a run is extended).
    pub fn plan(&mut self, planned: u64) {
        self.planned = planned.max(1);
    }

    /// The window new values should be tallied in.
    pub fn window(&self) -> Arc<Window> {
        self.tally.window.clone()
    }

    /// Number of values seen.
    pub fn count(&self) -> u64 {
        self.tally.count()
    }

    /// Adds the values of `part` (tallied in this or an earlier window), narrowing the
    /// window when the count passes the next checkpoint.
    pub fn absorb(&mut self, part: Tally) {
        self.tally.add(part.rebucket(&self.tally.window));
        self.tally.compact_if_large();
        self.found.clear();
        if self.count() >= self.next_narrowing {
            self.narrow();
            while self.next_narrowing <= self.count() {
                self.next_narrowing += self.next_narrowing.div_ceil(4);
            }
        }
    }

    /// The ranks wanted for each level among n values: nearest rank and 95% interval.
    fn ranks(&self, n: u64) -> impl Iterator<Item = [u64; 3]> + '_ {
        self.levels.iter().map(move |&q| {
            let [lo, hi] = super::order_statistic_ranks(q, n);
            [lo, nearest_rank(q, n), hi]
        })
    }

    /// Keeps only what the wanted ranks of the planned stream may need.
    fn narrow(&mut self) {
        self.tally.compact();
        let (m, n) = (self.count() as f64, self.planned as f64);
        // Each wanted rank of the n to come, as a range of ranks among the m seen.
        let ranges: Vec<[f64; 2]> = self
            .ranks(self.planned)
            .zip(self.levels.iter())
            .flat_map(|(ranks, &q)| {
                // The m values seen are a sample without replacement of the n to come: the
                // spread of their quantile about the final one has the finite-population
                // correction 1 − m/n.
                let margin = Z_MARGIN * (q * (1.0 - q) * (1.0 - m / n).max(0.0) / m).sqrt();
                ranks.map(|rank| [((rank as f64 / n - margin) * m).floor(), ((rank as f64 / n + margin) * m).ceil()])
            })
            .collect();
        let ends: Vec<u64> = ranges.iter().flat_map(|r| r.map(|k| k.clamp(1.0, m) as u64)).collect();
        let found = self.tally.at_ranks(&ends);
        let wanted = ranges
            .iter()
            .zip(found.chunks(2))
            .map(|([from, to], found)| {
                let low = if *from < 1.0 { f64::NEG_INFINITY } else { self.tally.edge(found[0], Side::Low) };
                let high = if *to > m { f64::INFINITY } else { self.tally.edge(found[1], Side::High) };
                [low, high]
            })
            .collect();
        let window = Arc::new(self.tally.window.intersect(wanted));
        let tally = std::mem::replace(&mut self.tally, Tally::new(window.clone()));
        self.tally = tally.rebucket(&window);
    }

    /// Every wanted rank (among the values seen so far) that lies outside the window,
    /// as searches to run over a replay of the values.
    pub fn missing(&mut self) -> Vec<RankSearch> {
        self.tally.compact();
        let n = self.count();
        let mut ranks: Vec<u64> = self.ranks(n).flatten().filter(|r| self.found.iter().all(|f| f.0 != *r)).collect();
        ranks.sort_unstable();
        ranks.dedup();
        if n == 0 {
            return Vec::new();
        }
        let found = self.tally.at_ranks(&ranks);
        ranks
            .iter()
            .zip(found)
            .filter_map(|(&rank, found)| {
                let g = found.err()?;
                let below = self.tally.count_below_gap(g);
                Some(RankSearch::new(self.tally.window.gap_keys(g), rank, rank - below, self.tally.gaps[g]))
            })
            .collect()
    }

    /// Records what finished searches found.
    pub fn found(&mut self, searches: &[RankSearch]) {
        self.found.extend(searches.iter().filter_map(|s| s.answer.map(|x| (s.rank_overall, x))));
    }

    /// The levels wanted, ascending.
    pub fn wanted(&self) -> Arc<[f64]> {
        self.levels.clone()
    }

    /// Each level's nearest-rank quantile and its 95% interval among the values seen, if
    /// known (after [`Self::missing`]'s searches have run, every one is).
    pub fn levels(&self) -> Vec<Option<[f64; 3]>> {
        let ranks: Vec<u64> = self.ranks(self.count()).flatten().collect();
        let found = self.tally.at_ranks(&ranks);
        let value = |(rank, found): (&u64, Result<f64, usize>)| {
            found.ok().or_else(|| self.found.iter().find(|(r, _)| r == rank).map(|(_, x)| *x))
        };
        let values: Vec<Option<f64>> = ranks.iter().zip(found).map(value).collect();
        values.chunks(3).map(|v| Some([v[0]?, v[1]?, v[2]?])).collect()
    }
}

/// The state of an [`ExactQuantiles`], for saving a partial run: the planned length,
/// the next narrowing, the window's intervals, the counts in its gaps and the values kept
/// inside it (sorted, with their counts).
#[derive(Clone, Debug, PartialEq)]
pub struct ExactParts {
    /// The stream's expected length.
    pub planned: u64,
    /// The count at which the window narrows next.
    pub next_narrowing: u64,
    /// The window's intervals: `[lows[j], highs[j]]`.
    pub lows: Vec<f64>,
    /// See `lows`.
    pub highs: Vec<f64>,
    /// Values in each gap (one more than intervals).
    pub gaps: Vec<u64>,
    /// Distinct values inside the window, ascending, with their counts.
    pub runs: Vec<(f64, u64)>,
}

impl ExactQuantiles {
    /// The state (see [`ExactParts`]) of these order statistics (their levels are the
    /// run's, saved with its key).
    pub fn to_parts(&mut self) -> ExactParts {
        self.tally.compact();
        let window = &self.tally.window;
        ExactParts {
            planned: self.planned,
            next_narrowing: self.next_narrowing,
            lows: window.lows.clone(),
            highs: window.highs.clone(),
            gaps: self.tally.gaps.clone(),
            runs: self.tally.runs.clone(),
        }
    }

    /// The order statistics [`ExactQuantiles::to_parts`] gave, wanting `levels`; `None`
    /// for parts no tally has (intervals out of order, a count per gap missing, values
    /// out of order or outside the window).
    pub fn from_parts(levels: Arc<[f64]>, parts: ExactParts) -> Option<ExactQuantiles> {
        let ExactParts { planned, next_narrowing, lows, highs, gaps, runs } = parts;
        let intervals = lows.len() == highs.len()
            && lows.iter().zip(&highs).all(|(lo, hi)| lo <= hi)
            && highs.iter().zip(lows.iter().skip(1)).all(|(hi, next)| hi < next)
            && gaps.len() == lows.len() + 1;
        let window = Window { lows, highs };
        let mut j = 0;
        let inside = runs.iter().all(|&(x, count)| {
            while j < window.len() && x > window.highs[j] {
                j += 1;
            }
            count > 0 && j < window.len() && x >= window.lows[j]
        });
        let sorted = runs.windows(2).all(|w| w[0].0 < w[1].0);
        if !(intervals && inside && sorted && planned > 0) {
            return None;
        }
        let in_runs = runs.iter().map(|(_, c)| c).sum();
        let tally = Tally { window: Arc::new(window), gaps, fresh: Vec::new(), runs, in_runs };
        Some(ExactQuantiles { tally, levels, planned, next_narrowing, found: Vec::new() })
    }

    /// The values of all `parts` (shares of the same planned stream, e.g. other machines'
    /// shares of it) in one: the window keeps what every window keeps (see
    /// [`Tally::merge`]), in time linear in the values.
    pub fn merge_all(parts: Vec<ExactQuantiles>) -> ExactQuantiles {
        let next_narrowing = parts.iter().map(|p| p.next_narrowing).max().unwrap_or(FIRST_NARROWING);
        let (levels, planned) = (parts[0].levels.clone(), parts[0].planned);
        let tally = Tally::merge(parts.into_iter().map(|p| p.tally).collect());
        ExactQuantiles { tally, levels, planned, next_narrowing, found: Vec::new() }
    }
}

/// The nearest rank of the q-quantile among n values: ⌈q·n⌉, at least 1.
pub fn nearest_rank(q: f64, n: u64) -> u64 {
    ((q * n as f64).ceil() as u64).clamp(1, n.max(1))
}

/// A key whose unsigned order is the numeric order of finite values (−0 and +0 share one).
pub(crate) fn key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}

/// The value of a key made by [`key`].
fn from_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// A search for the value of one rank among the values whose keys lie in a range, by
/// replaying the values: each pass counts them in `CELLS` equal key ranges and keeps
/// the one holding the rank, until few enough remain to collect and sort. A key range
/// shrinks 1,024-fold per pass, so at most seven passes are needed.
#[derive(Clone, Debug)]
pub struct RankSearch {
    /// Inclusive key range still searched.
    range: [u64; 2],
    /// The rank overall, as reported.
    rank_overall: u64,
    /// The rank within the range (1-based).
    rank: u64,
    /// Values in the range.
    count: u64,
    /// What the current pass has gathered.
    pass: PassPart,
    answer: Option<f64>,
}

/// What one pass gathers from some values.
#[derive(Clone, Debug)]
pub enum PassPart {
    /// Counts per key cell.
    Cells(Vec<u64>),
    /// The values in range.
    Values(Vec<f64>),
}

impl RankSearch {
    fn new(range: [u64; 2], rank_overall: u64, rank: u64, count: u64) -> RankSearch {
        let mut search =
            RankSearch { range, rank_overall, rank, count, pass: PassPart::Values(Vec::new()), answer: None };
        search.next_pass();
        search
    }

    /// The value, once found.
    pub fn answer(&self) -> Option<f64> {
        self.answer
    }

    fn cell_width(&self) -> u128 {
        (u128::from(self.range[1] - self.range[0]) + 1).div_ceil(u128::from(CELLS))
    }

    fn next_pass(&mut self) {
        if self.range[0] == self.range[1] {
            self.answer = Some(from_key(self.range[0]));
        }
        self.pass = self.empty();
    }

    /// An empty part of the current pass.
    pub fn empty(&self) -> PassPart {
        if self.count <= COLLECT_LIMIT {
            PassPart::Values(Vec::new())
        } else {
            PassPart::Cells(vec![0; CELLS as usize])
        }
    }

    /// Gathers `values` (some of the replayed stream) into `part`.
    pub fn gather(&self, values: &[f64], part: &mut PassPart) {
        let [lo, hi] = self.range;
        let width = self.cell_width();
        for &x in values {
            let k = key(x);
            if k < lo || k > hi {
                continue;
            }
            match part {
                PassPart::Values(v) => v.push(x),
                PassPart::Cells(c) => c[(u128::from(k - lo) / width) as usize] += 1,
            }
        }
    }

    /// Adds a part gathered from some of the values to this pass.
    pub fn absorb(&mut self, part: PassPart) {
        match (&mut self.pass, part) {
            (PassPart::Values(mine), PassPart::Values(theirs)) => mine.extend(theirs),
            (PassPart::Cells(mine), PassPart::Cells(theirs)) => mine.iter_mut().zip(theirs).for_each(|(a, b)| *a += b),
            _ => unreachable!("parts of one pass have one kind"),
        }
    }

    /// Ends a pass over every value: finds the answer or narrows the range.
    pub fn finish_pass(&mut self) {
        match std::mem::replace(&mut self.pass, PassPart::Values(Vec::new())) {
            // A replay that does not give back the values counted (only non-finite values
            // can do that, and they fail the run) ends the search with NaN.
            PassPart::Values(mut values) => {
                values.sort_unstable_by(f64::total_cmp);
                self.answer = Some(values.get((self.rank - 1) as usize).copied().unwrap_or(f64::NAN));
            }
            PassPart::Cells(cells) => {
                let width = self.cell_width();
                let mut below = 0;
                let Some(c) = cells.iter().position(|&count| {
                    below += count;
                    self.rank <= below
                }) else {
                    self.answer = Some(f64::NAN);
                    return;
                };
                let start = u128::from(self.range[0]) + c as u128 * width;
                let end = (start + width - 1).min(u128::from(self.range[1]));
                self.range = [start as u64, end as u64];
                self.rank -= below - cells[c];
                self.count = cells[c];
                self.next_pass();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: [f64; 3] = [0.01, 0.5, 0.95];

    /// A reproducible spread of values (a multiplicative congruential sequence).
    fn values(n: usize, map: impl Fn(f64) -> f64) -> Vec<f64> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                map(((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64)
            })
            .collect()
    }

    /// Feeds `values` in chunks of 4,096, resolves what is missing, and checks every
    /// wanted rank against a full sort. Returns how many searches were needed.
    fn check_exact(values: &[f64]) -> usize {
        let mut exact = ExactQuantiles::new(LEVELS.into(), values.len() as u64);
        for chunk in values.chunks(4096) {
            let mut part = Tally::new(exact.window());
            part.record(chunk);
            exact.absorb(part);
        }
        let mut searches = exact.missing();
        let n_searches = searches.len();
        while searches.iter().any(|s| s.answer().is_none()) {
            for s in searches.iter_mut().filter(|s| s.answer().is_none()) {
                let mut part = s.empty();
                values.chunks(1000).for_each(|c| s.gather(c, &mut part));
                s.absorb(part);
                s.finish_pass();
            }
        }
        exact.found(&searches);
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        let n = sorted.len() as u64;
        for (i, &q) in LEVELS.iter().enumerate() {
            let [lo, hi] = super::super::order_statistic_ranks(q, n);
            let want = [lo, nearest_rank(q, n), hi].map(|r| sorted[r as usize - 1]);
            assert_eq!(exact.levels()[i], Some(want), "level {q}");
        }
        n_searches
    }

    #[test]
    fn percentiles_are_exact_order_statistics_for_awkward_shapes() {
        // A fixed cost plus a small variable part; nine orders of magnitude; mixed sign;
        // tiny values; few distinct values.
        assert_eq!(check_exact(&values(300_000, |u| 1e9 + 1e5 * (1.0 + u))), 0);
        assert_eq!(check_exact(&values(300_000, |u| 10f64.powf(9.0 * u))), 0);
        assert_eq!(check_exact(&values(300_000, |u| (u - 0.3) * 1e6)), 0);
        assert_eq!(check_exact(&values(300_000, |u| u.powi(8))), 0);
        assert_eq!(check_exact(&values(300_000, |u| (u * 4.0).floor())), 0);
        assert_eq!(check_exact(&values(10, |u| u)), 0);
    }

    #[test]
    fn the_window_stays_small() {
        let values = values(1 << 20, |u| u);
        let mut exact = ExactQuantiles::new(LEVELS.into(), values.len() as u64);
        for chunk in values.chunks(4096) {
            let mut part = Tally::new(exact.window());
            part.record(chunk);
            exact.absorb(part);
        }
        // About 2·z·√m·Σ√(q(1−q)) plus the intervals' widths: a few percent of 2^20.
        exact.tally.compact();
        assert!(exact.tally.runs.len() < 40_000, "{} values kept", exact.tally.runs.len());
    }

    #[test]
    fn ranks_outside_the_window_are_found_by_replay() {
        // Sorted input defeats any window chosen from a prefix: every wanted rank is
        // beyond what the first values suggest.
        let mut sorted = values(200_000, |u| u * 100.0);
        sorted.sort_unstable_by(f64::total_cmp);
        assert!(check_exact(&sorted) > 0);
        // Many equal values and a large range force counting passes before collecting.
        let mut tied: Vec<f64> = values(3_000_000, |u| (u * 3.0).floor());
        tied.sort_unstable_by(f64::total_cmp);
        assert!(check_exact(&tied) > 0);
    }

    #[test]
    fn tallies_with_different_windows_merge_exactly_in_any_order() {
        let values = values(100_000, |u| u * 2.0 - 1.0);
        let narrow = |lo: f64, hi: f64| Arc::new(Window { lows: vec![lo], highs: vec![hi] });
        let tally = |window: Arc<Window>, part: &[f64]| {
            let mut t = Tally::new(window);
            t.record(part);
            t
        };
        let a = tally(narrow(-0.5, 0.5), &values[..40_000]);
        let b = tally(narrow(-0.2, 0.8), &values[40_000..70_000]);
        let c = tally(Arc::new(Window::all()), &values[70_000..]);
        let merged = Tally::merge(vec![Tally::merge(vec![a.clone(), b.clone()]), c.clone()]);
        let other = Tally::merge(vec![c, Tally::merge(vec![a, b])]);
        assert_eq!(merged.count(), 100_000);
        assert_eq!(merged.gaps, other.gaps);
        assert_eq!(merged.runs, other.runs);
        assert!(merged.runs.iter().all(|(v, _)| (-0.2..=0.5).contains(v)));
    }

    #[test]
    fn a_replay_that_misses_values_ends_the_search_instead_of_looping() {
        // Two million values counted, none replayed: both kinds of pass must give up.
        for count in [10, 2_000_000] {
            let mut search = RankSearch::new([0, u64::MAX], 5, 5, count);
            for _ in 0..8 {
                if search.answer().is_some() {
                    break;
                }
                search.finish_pass();
            }
            assert!(search.answer().is_some_and(f64::is_nan), "{count}: {:?}", search.answer());
        }
    }

    #[test]
    fn keys_order_like_numbers() {
        let xs = [f64::NEG_INFINITY, -1e300, -1.0, -1e-300, 0.0, 1e-300, 1.0, 1e300, f64::INFINITY];
        for pair in xs.windows(2) {
            assert!(key(pair[0]) < key(pair[1]), "{pair:?}");
        }
        assert_eq!(key(-0.0), key(0.0));
        for x in xs {
            assert_eq!(from_key(key(x)), x);
        }
    }

    #[test]
    fn the_values_kept_stay_within_peak_bytes() {
        for n in [1_000, 10_000, 100_000, 1_000_000] {
            let mut exact = ExactQuantiles::new(crate::stats::LEVELS.into(), n as u64);
            let mut peak = 0;
            for chunk in values(n, |u| 1.9e9 + 2.5e8 * (u - 0.5)).chunks(4096) {
                let mut part = Tally::new(exact.window());
                part.record(chunk);
                exact.absorb(part);
                peak = peak.max(exact.tally.runs.capacity() * 16 + exact.tally.fresh.capacity() * 8);
            }
            let bound = ExactQuantiles::peak_bytes(n as u64, crate::stats::LEVELS.len()) as usize;
            // Tight enough to mean something: the bound is at most twice what is kept.
            assert!(peak <= bound && bound <= 2 * peak + (64 << 10), "n = {n}: {peak} kept, bound {bound}");
        }
    }
}
