//! Exact counts of values in equal-width bins: what the report's histograms draw. The
//! bins are fixed before the values are seen (from a first run's percentiles) and counts
//! add up, so merging chunks in any order gives the same histogram.

/// Counts of values in `counts.len()` equal bins from `lo` to `hi` (the last bin holds
/// `hi`), and of the values below and above.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// Lower edge of the first bin.
    pub lo: f64,
    /// Upper edge of the last bin.
    pub hi: f64,
    /// Values in each bin.
    pub counts: Vec<u64>,
    /// Values below `lo`.
    pub below: u64,
    /// Values above `hi`.
    pub above: u64,
}

impl Histogram {
    /// `bins` empty bins from `lo` to `hi` (`lo < hi`, `bins > 0`).
    pub fn new(lo: f64, hi: f64, bins: usize) -> Histogram {
        Histogram { lo, hi, counts: vec![0; bins], below: 0, above: 0 }
    }

    /// The same bins, empty.
    pub fn empty_like(&self) -> Histogram {
        Histogram::new(self.lo, self.hi, self.counts.len())
    }

    /// Counts each value of `values` (NaN counts nowhere).
    pub fn record(&mut self, values: &[f64]) {
        let n = self.counts.len();
        // The share of the span below x, by division: n / span overflows for subnormal
        // spans, and a span wider than f64::MAX is measured in halves.
        let halves = !(self.hi - self.lo).is_finite();
        let (lo, span) = match halves {
            true => (self.lo / 2.0, self.hi / 2.0 - self.lo / 2.0),
            false => (self.lo, self.hi - self.lo),
        };
        for &x in values {
            if x < self.lo {
                self.below += 1;
            } else if x > self.hi {
                self.above += 1;
            } else if x >= self.lo {
                let offset = if halves { x / 2.0 - lo } else { x - lo };
                self.counts[((offset / span * n as f64) as usize).min(n - 1)] += 1;
            }
        }
    }

    /// Adds `other`'s counts (same bins) to these.
    pub fn merge(&mut self, other: &Histogram) {
        debug_assert!(self.counts.len() == other.counts.len() && self.lo == other.lo && self.hi == other.hi);
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.below += other.below;
        self.above += other.above;
    }
}

#[cfg(test)]
mod tests {
    use super::Histogram;

    #[test]
    fn counts_every_value_once_at_its_bin_and_the_edges() {
        let mut h = Histogram::new(0.0, 1.0, 4);
        h.record(&[-0.1, 0.0, 0.24, 0.25, 0.5, 0.99, 1.0, 1.5, f64::NAN]);
        assert_eq!(h.counts, [2, 1, 1, 2]);
        assert_eq!((h.below, h.above), (1, 1), "NaN counts nowhere");
        let mut twice = h.empty_like();
        twice.merge(&h);
        twice.merge(&h);
        assert_eq!(twice.counts, [4, 2, 2, 4]);
    }

    #[test]
    fn bins_far_from_zero_are_counted_exactly() {
        // $1.9B ± a few dollars: (x - lo) keeps the resolution a ratio to zero would lose.
        let lo = 1.9e9;
        let mut h = Histogram::new(lo, lo + 4.0, 4);
        h.record(&[lo + 0.5, lo + 1.5, lo + 2.5, lo + 3.5, lo + 3.6]);
        assert_eq!(h.counts, [1, 1, 1, 2]);
    }

    #[test]
    fn subnormal_and_overflowing_spans_are_binned_evenly() {
        // A uniform grid over each span lands one value in each bin.
        for (lo, hi) in [(1e-320, 2e-320), (1e-300, 2e-300), (-1e308, 1e308), (0.0, f64::MAX)] {
            let mut h = Histogram::new(lo, hi, 4);
            let values: Vec<f64> = (0..4).map(|k| lo + (hi / 8.0 - lo / 8.0) * (2 * k + 1) as f64).collect();
            h.record(&values);
            assert_eq!(h.counts, [1, 1, 1, 1], "{lo}..{hi}: {values:?}");
        }
    }
}
