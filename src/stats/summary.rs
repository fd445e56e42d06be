//! What is reported about one column: its [`Summary`], built from its merged
//! accumulators.

use std::sync::Arc;

use super::confidence::{self, Caveat};
use super::extremes::Extremes;
use super::levels::{Z975, larger_side};
use super::moments::Moments;
use super::order::ExactQuantiles;
use super::quantiles::QuantileSketch;

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
    /// The probability levels of `percentiles`, ascending: the run's reported
    /// percentiles and the defaults ([`super::LEVELS`]).
    pub levels: Arc<[f64]>,
    /// The value at each level: exact nearest-rank order statistics of the trials.
    pub percentiles: Vec<f64>,
    /// The full distribution, for histograms and CDFs (shared with the run it came from).
    pub sketch: Arc<QuantileSketch>,
    /// 95% confidence interval of each percentile: exact order statistics of the ranks
    /// [`super::order_statistic_ranks`] gives.
    pub percentile_ci95: Vec<[f64; 2]>,
    /// 95% confidence interval of the mean: Wilson's for a 0/1 output, Tango's for a
    /// difference of two, else mean ± 1.96 standard errors.
    pub mean_ci95: [f64; 2],
    /// Why [`Summary::mean_ci95`] may not hold, if it may not.
    pub mean_caveat: Option<Caveat>,
}

impl Summary {
    /// Summarises a column's accumulators.
    pub fn new(column: Accumulated<'_>) -> Summary {
        let found: Vec<[f64; 3]> = column.exact.levels().into_iter().map(|f| f.unwrap_or([f64::NAN; 3])).collect();
        let percentiles: Vec<f64> = found.iter().map(|[_, mid, _]| *mid).collect();
        let levels = column.exact.wanted();
        let median = levels.iter().position(|&q| q == 0.5).map_or(f64::NAN, |i| percentiles[i]);
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
                let caveat = confidence::mean_caveat(&moments, median, top, bottom);
                ([mean - half, mean + half], caveat)
            }
        };
        Summary {
            moments,
            levels,
            percentiles,
            sketch: column.sketch.clone(),
            percentile_ci95: found.iter().map(|[lo, _, hi]| [*lo, *hi]).collect(),
            mean_ci95,
            mean_caveat,
        }
    }

    /// The larger distance from the mean to an end of its 95% interval (1.96 standard
    /// errors, unless the interval is asymmetric, as a probability's can be).
    pub fn mean_half_width(&self) -> f64 {
        larger_side(self.moments.mean, self.mean_ci95)
    }

    /// The index of level `q` among [`Summary::levels`].
    fn index(&self, q: f64) -> usize {
        self.levels.iter().position(|&l| l == q).unwrap_or_else(|| panic!("level {q} is not computed"))
    }

    /// The q-quantile, for a level the run computed: a default one ([`super::LEVELS`]) or
    /// one of its reported percentiles (as `p / 100`).
    ///
    /// # Panics
    /// For any other level.
    pub fn at(&self, q: f64) -> f64 {
        self.percentiles[self.index(q)]
    }

    /// The 95% confidence interval of the q-quantile (see [`Summary::at`]).
    ///
    /// # Panics
    /// As [`Summary::at`].
    pub fn ci95_at(&self, q: f64) -> [f64; 2] {
        self.percentile_ci95[self.index(q)]
    }

    /// The 1st percentile.
    pub fn p1(&self) -> f64 {
        self.at(0.01)
    }

    /// The 5th percentile.
    pub fn p5(&self) -> f64 {
        self.at(0.05)
    }

    /// The median.
    pub fn p50(&self) -> f64 {
        self.at(0.5)
    }

    /// The 25th percentile.
    pub fn p25(&self) -> f64 {
        self.at(0.25)
    }

    /// The 75th percentile.
    pub fn p75(&self) -> f64 {
        self.at(0.75)
    }

    /// The 95th percentile.
    pub fn p95(&self) -> f64 {
        self.at(0.95)
    }

    /// The 99th percentile.
    pub fn p99(&self) -> f64 {
        self.at(0.99)
    }

    /// The 95% confidence interval of the 95th percentile.
    pub fn p95_ci95(&self) -> [f64; 2] {
        self.ci95_at(0.95)
    }

    /// The 90% interval [p5, p95].
    pub fn ci90(&self) -> [f64; 2] {
        [self.p5(), self.p95()]
    }
}
