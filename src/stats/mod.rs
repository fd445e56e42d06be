//! Summary statistics of simulated outputs, streamed: [`Moments`] (merged in a fixed tree
//! over the chunks, [`tree`]), exact order statistics for the reported percentiles ([`ExactQuantiles`], whose
//! memory grows with the square root of the trial count) and a [`QuantileSketch`] of the
//! whole distribution for charts (fixed memory), exact bin counts ([`Histogram`]) for
//! the report's histograms, the largest and smallest values ([`Extremes`]), and the
//! intervals of means that stay honest in the tails ([`confidence`]).

pub mod confidence;
mod extremes;
mod histogram;
mod moments;
pub mod order;
mod quantiles;
pub mod rank;
pub mod tree;

use std::sync::Arc;

pub use confidence::Caveat;
pub(crate) use extremes::EXTREMES_BYTES;
pub use extremes::Extremes;
pub use histogram::Histogram;
pub use moments::Moments;
pub use order::ExactQuantiles;
pub(crate) use quantiles::SKETCH_BYTES;
pub use quantiles::{QuantileSketch, SketchParts};

/// The reported percentiles, with their JSON names.
pub const PERCENTILES: [(&str, f64); 9] = [
    ("p1", 0.01),
    ("p5", 0.05),
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
];

/// Indices into [`PERCENTILES`] of the percentiles with accessors on [`Summary`].
const P1: usize = 0;
const P5: usize = 1;
const P25: usize = 3;
const P50: usize = 4;
const P75: usize = 5;
const P95: usize = 7;
const P99: usize = 8;

/// The probability levels of [`PERCENTILES`].
pub const LEVELS: [f64; 9] = {
    let mut levels = [0.0; 9];
    let mut i = 0;
    while i < levels.len() {
        levels[i] = PERCENTILES[i].1;
        i += 1;
    }
    levels
};

/// z such that Φ(z) = 0.975.
pub const Z975: f64 = 1.959_963_984_540_054;

/// Ranks of the order statistics bracketing the q-quantile of n values with 95%
/// confidence (normal approximation to the binomial count below the quantile):
/// ⌊nq − 1.96·√(nq(1 − q))⌋ and ⌈nq + 1.96·√(nq(1 − q))⌉ + 1, kept within 1..n.
/// Distribution-free for independent trials; conservative for lhs and qmc.
pub fn order_statistic_ranks(q: f64, n: u64) -> [u64; 2] {
    let n = n as f64;
    let spread = Z975 * (n * q * (1.0 - q)).sqrt();
    [(n * q - spread).floor().max(1.0) as u64, ((n * q + spread).ceil() + 1.0).min(n.max(1.0)) as u64]
}

/// The larger distance from `x` to an end of its interval `[lo, hi]`: what a precision
/// target checks of an asymmetric interval.
pub fn larger_side(x: f64, [lo, hi]: [f64; 2]) -> f64 {
    (x - lo).max(hi - x)
}

/// What a column's values are, which decides how the interval of its mean is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// The same in every trial by construction: no random draw reaches it.
    Fixed,
    /// Any number, depending on random draws: mean ± 1.96 standard errors, with a
    /// [`Caveat`] when the sample cannot support it.
    Random,
    /// 0 or 1 in every trial: the mean is a probability (Wilson's interval).
    Indicator,
    /// The trial-by-trial difference of two 0/1 values, −1, 0 or 1: a difference of
    /// paired probabilities (Tango's interval).
    IndicatorDifference,
}

/// A column's merged accumulators, ready to be summarised.
#[derive(Clone, Copy, Debug)]
pub struct Accumulated<'a> {
    /// What its values are.
    pub kind: ValueKind,
    /// Count, mean, spread, min and max.
    pub moments: Moments,
    /// The sketch of its distribution.
    pub sketch: &'a Arc<QuantileSketch>,
    /// Its order statistics, which must know every rank they were asked for
    /// ([`ExactQuantiles::missing`] is empty).
    pub exact: &'a ExactQuantiles,
    /// Its largest and smallest values.
    pub extremes: &'a Extremes,
    /// Values greater than 0.
    pub positive: u64,
}

/// Everything reported about one output.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Count, mean, spread, min and max.
    pub moments: Moments,
    /// The values of [`PERCENTILES`]: exact nearest-rank order statistics of the trials.
    pub percentiles: [f64; 9],
    /// The full distribution, for histograms and CDFs (shared with the run it came from).
    pub sketch: Arc<QuantileSketch>,
    /// 95% confidence interval of each percentile: exact order statistics of the ranks
    /// [`order_statistic_ranks`] gives.
    pub percentile_ci95: [[f64; 2]; 9],
    /// 95% confidence interval of the mean (see [`ValueKind`]).
    pub mean_ci95: [f64; 2],
    /// Why [`Summary::mean_ci95`] may not hold, if it may not.
    pub mean_caveat: Option<Caveat>,
}

impl Summary {
    /// Summarises a column's accumulators.
    pub fn new(column: Accumulated<'_>) -> Summary {
        let found = column.exact.levels();
        let levels: [[f64; 3]; 9] = std::array::from_fn(|i| found[i].unwrap_or([f64::NAN; 3]));
        let percentiles = levels.map(|[_, mid, _]| mid);
        let moments = column.moments;
        let (n, mean) = (moments.n, moments.mean);
        // A mean of counts is exact in double precision up to 2⁵³ trials: round it back.
        let count = |share: f64| (share * n as f64).round().max(0.0) as u64;
        let (mean_ci95, mean_caveat) = match column.kind {
            ValueKind::Fixed => ([mean, mean], None),
            ValueKind::Indicator => (confidence::proportion_ci95(count(mean), n), None),
            ValueKind::IndicatorDifference => {
                // Trials of +1 are counted; those of −1 follow from the mean, (b − c)/n.
                let first_only = column.positive;
                let second_only = (first_only as f64 - (mean * n as f64).round()).max(0.0) as u64;
                (confidence::paired_difference_ci95(first_only, second_only, n), None)
            }
            ValueKind::Random => {
                let half = Z975 * moments.stderr_mean();
                let (top, bottom) = (column.extremes.top(), column.extremes.bottom());
                let caveat = confidence::mean_caveat(&moments, percentiles[P50], top, bottom);
                ([mean - half, mean + half], caveat)
            }
        };
        Summary {
            moments,
            percentiles,
            sketch: column.sketch.clone(),
            percentile_ci95: levels.map(|[lo, _, hi]| [lo, hi]),
            mean_ci95,
            mean_caveat,
        }
    }

    /// The larger distance from the mean to an end of its 95% interval (1.96 standard
    /// errors, unless the interval is asymmetric, as a probability's can be).
    pub fn mean_half_width(&self) -> f64 {
        larger_side(self.moments.mean, self.mean_ci95)
    }

    /// The 1st percentile.
    pub fn p1(&self) -> f64 {
        self.percentiles[P1]
    }

    /// The 5th percentile.
    pub fn p5(&self) -> f64 {
        self.percentiles[P5]
    }

    /// The median.
    pub fn p50(&self) -> f64 {
        self.percentiles[P50]
    }

    /// The 25th percentile.
    pub fn p25(&self) -> f64 {
        self.percentiles[P25]
    }

    /// The 75th percentile.
    pub fn p75(&self) -> f64 {
        self.percentiles[P75]
    }

    /// The 95th percentile.
    pub fn p95(&self) -> f64 {
        self.percentiles[P95]
    }

    /// The 99th percentile.
    pub fn p99(&self) -> f64 {
        self.percentiles[P99]
    }

    /// The 95% confidence interval of the 95th percentile.
    pub fn p95_ci95(&self) -> [f64; 2] {
        self.percentile_ci95[P95]
    }

    /// The 90% interval [p5, p95].
    pub fn ci90(&self) -> [f64; 2] {
        [self.p5(), self.p95()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessor_indices_name_their_percentiles() {
        let names = [P1, P5, P50, P95, P99].map(|i| PERCENTILES[i].0);
        assert_eq!(names, ["p1", "p5", "p50", "p95", "p99"]);
    }
}
