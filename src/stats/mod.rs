//! Summary statistics of simulated outputs, streamed: [`Moments`] (merged in a fixed tree
//! over the chunks, [`tree`]), exact order statistics for the reported percentiles ([`ExactQuantiles`], whose
//! memory grows with the square root of the trial count) and a [`QuantileSketch`] of the
//! whole distribution for charts (fixed memory), and exact bin counts ([`Histogram`]) for
//! the report's histograms.

mod histogram;
mod moments;
pub mod order;
mod quantiles;
pub mod rank;
pub mod tree;

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
/// confidence (normal approximation to the binomial: rank nq ± 1.96·√(nq(1 − q))).
/// Distribution-free for independent trials; conservative for lhs and qmc.
pub fn order_statistic_ranks(q: f64, n: u64) -> [u64; 2] {
    let n = n as f64;
    let spread = Z975 * (n * q * (1.0 - q)).sqrt();
    [(n * q - spread).floor().max(1.0) as u64, ((n * q + spread).ceil() + 1.0).min(n.max(1.0)) as u64]
}

/// Everything reported about one output.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Count, mean, spread, min and max.
    pub moments: Moments,
    /// The values of [`PERCENTILES`]: exact nearest-rank order statistics of the trials.
    pub percentiles: [f64; 9],
    /// The full distribution, for histograms and CDFs.
    pub sketch: QuantileSketch,
    /// 95% confidence interval of each percentile: exact order statistics of the ranks
    /// [`order_statistic_ranks`] gives.
    pub percentile_ci95: [[f64; 2]; 9],
}

impl Summary {
    /// Summarises merged moments, sketch and order statistics; `exact` must know the
    /// values of every rank it was asked for ([`ExactQuantiles::missing`] is empty).
    pub fn new(moments: Moments, sketch: QuantileSketch, exact: &ExactQuantiles) -> Summary {
        let found = exact.levels();
        let levels: [[f64; 3]; 9] = std::array::from_fn(|i| found[i].unwrap_or([f64::NAN; 3]));
        Summary {
            moments,
            percentiles: levels.map(|[_, mid, _]| mid),
            sketch,
            percentile_ci95: levels.map(|[lo, _, hi]| [lo, hi]),
        }
    }

    /// Half-width of the 95% confidence interval of the mean (1.96 standard errors).
    pub fn mean_half_width(&self) -> f64 {
        Z975 * self.moments.stderr_mean()
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
