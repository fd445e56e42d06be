//! Streaming percentiles of f64 values with bounded memory, on top of hdrhistogram.
//!
//! hdrhistogram counts unsigned integers in log-linear buckets. To use it for costs that
//! may be negative or span 1e-3…1e13, a [`QuantileSketch`] keeps two histograms (for
//! |x| of negatives and of positives) plus a count of zeros, and maps |x| to an integer
//! by a fixed power of two, 2^`shift`, chosen from the first chunk of values (so the choice
//! is deterministic): the largest |x| of that chunk maps to about 2^40. The power is
//! applied as two factors, so that values of any finite magnitude, down to the smallest
//! subnormal (shift 1,114) and up to `f64::MAX` (shift −984), are charted.
//!
//! The sketch only draws charts (reported percentiles are exact order statistics, see
//! [`super::order`]), so it is kept small.
//!
//! # Error bound
//! With 2 significant digits each bucket spans at most 1/128 of its value; reporting
//! the bucket's midpoint bounds the relative error of a percentile at **2^-8 ≈ 0.4%**
//! for every |x| ≥ 2^-29 × (largest |x| of the first chunk), i.e. all but values a
//! billion times smaller than the typical one. Smaller magnitudes are resolved to an
//! absolute 2^-40 × that maximum (and may read as 0); magnitudes above 2^22 ≈ 4 million
//! times it saturate. Percentiles are also clamped to the exact min and max, which the
//! moment accumulators track. Memory does not grow with the trial count: each sign's
//! histogram holds 1 KB per binary order of magnitude from 1 up to the largest magnitude
//! it has recorded (about 36 KB for values of one sign within 4× of the first chunk's
//! largest), at most [`SKETCH_BYTES`] per output per worker.
//!
//! Outputs with few distinct values (counts, 0/1 comparisons, constants: at most
//! [`MAX_EXACT`] distinct values) are also counted exactly, value by value, and their
//! percentiles are exact.
//!
//! Percentiles use the nearest-rank definition: the value of rank ⌈q·n⌉ (at least 1).

use hdrhistogram::Histogram;

/// Where the first chunk's largest magnitude lands: 2^TOP.
const TOP: i32 = 40;
/// The shifts a sketch may have: TOP less the exponents of the smallest subnormal
/// (−1,074) and of the largest double (1,024).
const SHIFTS: std::ops::RangeInclusive<i32> = (TOP - 1024)..=(TOP + 1074);
/// The largest integer the histograms hold.
const HIGH: u64 = 1 << 62;
/// hdrhistogram's significant digits: buckets at most 1/128 of their value wide.
const SIGNIFICANT: u8 = 2;
/// Most bytes of one sketch (two histograms' counts, each up to saturation), for memory
/// budgets.
pub(crate) const SKETCH_BYTES: usize = 2 * 8 * 128 * 57;

/// Most distinct values counted exactly.
pub(crate) const MAX_EXACT: usize = 64;

/// Counts of values in buckets of bounded relative width; mergeable exactly.
#[derive(Clone, Debug)]
pub struct QuantileSketch {
    /// Values are mapped to integers as |x|·2^shift …
    shift: i32,
    /// … by multiplying by these two factors, each within f64's range.
    up: [f64; 2],
    negative: Histogram<u64>,
    positive: Histogram<u64>,
    zeros: u64,
    /// Exact (value, count) pairs, sorted, while there are at most [`MAX_EXACT`].
    exact: Option<Vec<(f64, u64)>>,
}

impl QuantileSketch {
    /// An empty sketch whose scale suits values like `sample` (the first chunk).
    pub fn for_values(sample: &[f64]) -> QuantileSketch {
        let largest = sample.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let exponent = if largest > 0.0 && largest.is_finite() { largest.log2().ceil() as i32 } else { 0 };
        QuantileSketch::with_shift(TOP - exponent)
    }

    /// An empty sketch that maps |x| to |x|·2^shift (`shift` in [`SHIFTS`]).
    fn with_shift(shift: i32) -> QuantileSketch {
        // Auto-resizing: counts cover the largest magnitude recorded so far, so a sketch
        // takes memory for the orders of magnitude its values span, not for all of them.
        let histogram = || Histogram::new(SIGNIFICANT).expect("constant digits are valid");
        let half = shift / 2;
        QuantileSketch {
            shift,
            up: [2f64.powi(half), 2f64.powi(shift - half)],
            negative: histogram(),
            positive: histogram(),
            zeros: 0,
            exact: Some(Vec::new()),
        }
    }

    /// An empty sketch with the same scale (and the memory of an empty one: its counts
    /// grow with what it records).
    pub fn empty_like(&self) -> QuantileSketch {
        QuantileSketch::with_shift(self.shift)
    }

    /// Counts every value in `values`.
    pub fn record_all(&mut self, values: &[f64]) {
        if let Some(exact) = &mut self.exact {
            for &x in values {
                match exact.binary_search_by(|(v, _)| v.total_cmp(&x)) {
                    Ok(i) => exact[i].1 += 1,
                    Err(_) if exact.len() == MAX_EXACT => {
                        self.exact = None;
                        break;
                    }
                    Err(i) => exact.insert(i, (x, 1)),
                }
            }
        }
        for &x in values {
            let magnitude = (x.abs() * self.up[0] * self.up[1]).round();
            if magnitude < 1.0 {
                self.zeros += 1;
            } else {
                let histogram = if x < 0.0 { &mut self.negative } else { &mut self.positive };
                histogram.record((magnitude as u64).min(HIGH)).expect("magnitudes up to HIGH fit");
            }
        }
    }

    /// True if `other` maps values to integers as this sketch does, so that the two
    /// can be merged.
    pub fn same_scale(&self, other: &QuantileSketch) -> bool {
        self.shift == other.shift
    }

    /// Adds `other`'s counts (same scale, see [`QuantileSketch::same_scale`]) to these.
    pub fn merge(&mut self, other: &QuantileSketch) {
        debug_assert!(self.same_scale(other));
        self.negative.add(&other.negative).expect("magnitudes up to HIGH fit");
        self.positive.add(&other.positive).expect("magnitudes up to HIGH fit");
        self.zeros += other.zeros;
        self.exact = match (self.exact.take(), &other.exact) {
            (Some(mine), Some(theirs)) => merge_exact(mine, theirs),
            _ => None,
        };
    }

    /// Number of values counted.
    pub fn count(&self) -> u64 {
        self.negative.len() + self.zeros + self.positive.len()
    }

    /// Every bucket in ascending order of value: (midpoint value, count).
    pub fn buckets(&self) -> Box<dyn Iterator<Item = (f64, u64)> + '_> {
        Box::new(self.spans().map(|(mid, _, count)| (mid, count)))
    }

    /// Counts of values in `n_bins` equal bins over [lo, hi]; values outside are left out.
    /// A sketch bucket's count is spread evenly over its width, so that bins holding
    /// different numbers of buckets do not show a false saw-tooth.
    pub fn density(&self, lo: f64, hi: f64, n_bins: usize) -> Vec<f64> {
        let mut bins = vec![0.0; n_bins];
        let width = (hi - lo) / n_bins as f64;
        if width <= 0.0 || n_bins == 0 {
            return bins;
        }
        let bin = |x: f64| (((x - lo) / width) as usize).min(n_bins - 1);
        for (mid, span, count) in self.spans() {
            let (a, b) = ((mid - span / 2.0).max(lo), (mid + span / 2.0).min(hi));
            if span == 0.0 || b <= a {
                if (lo..=hi).contains(&mid) {
                    bins[bin(mid)] += count as f64;
                }
                continue;
            }
            for (k, share) in bins.iter_mut().enumerate().take(bin(b) + 1).skip(bin(a)) {
                let (edge_lo, edge_hi) = (lo + k as f64 * width, lo + (k + 1) as f64 * width);
                *share += count as f64 * (b.min(edge_hi) - a.max(edge_lo)).max(0.0) / span;
            }
        }
        bins
    }

    /// Every bucket in ascending order of value: (midpoint value, width, count); the width
    /// is 0 for values counted exactly.
    pub fn spans(&self) -> Box<dyn Iterator<Item = (f64, f64, u64)> + '_> {
        if let Some(exact) = &self.exact {
            return Box::new(exact.iter().map(|&(value, count)| (value, 0.0, count)));
        }
        let negative: Vec<(f64, f64, u64)> = self.signed_buckets(&self.negative, -1.0).collect();
        let zeros = (self.zeros > 0).then_some((0.0, 0.0, self.zeros));
        Box::new(negative.into_iter().rev().chain(zeros).chain(self.signed_buckets(&self.positive, 1.0)))
    }

    /// A histogram's buckets as (signed midpoint, width, count), by ascending magnitude.
    fn signed_buckets<'a>(&'a self, h: &'a Histogram<u64>, sign: f64) -> impl Iterator<Item = (f64, f64, u64)> + 'a {
        h.iter_recorded().map(move |v| {
            let value = v.value_iterated_to();
            let (mid, width) = (h.median_equivalent(value), h.equivalent_range(value));
            let value = |n: u64| n as f64 / self.up[0] / self.up[1];
            (sign * value(mid), value(width), v.count_at_value())
        })
    }

    /// The nearest-rank `q`-quantile (0 < q ≤ 1), or NaN if the sketch is empty.
    pub fn quantile(&self, q: f64) -> f64 {
        self.at_rank((q * self.count() as f64).ceil() as u64)
    }

    /// The value of rank `rank` (1-based, clamped to 1..=count), or NaN if empty.
    pub fn at_rank(&self, rank: u64) -> f64 {
        let rank = rank.clamp(1, self.count().max(1));
        let mut seen = 0;
        for (value, count) in self.buckets() {
            seen += count;
            if seen >= rank {
                return value;
            }
        }
        f64::NAN
    }
}

/// The state of a [`QuantileSketch`], for saving a partial run: its shift, the count of
/// zeros, each histogram's recorded buckets as (a value in the bucket, count), and the
/// exact counts while there are few distinct values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SketchParts {
    /// The power of two that maps values to the histograms' integers: |x|·2^shift.
    pub shift: i32,
    /// Values that map to 0.
    pub zeros: u64,
    /// |x| of negative values: (integer in the bucket, count).
    pub negative: Vec<(u64, u64)>,
    /// Positive values: (integer in the bucket, count).
    pub positive: Vec<(u64, u64)>,
    /// Exact (value, count) pairs, sorted, while there are at most 64.
    pub exact: Option<Vec<(f64, u64)>>,
}

impl QuantileSketch {
    /// The sketch's state (see [`SketchParts`]).
    pub(crate) fn to_parts(&self) -> SketchParts {
        let buckets =
            |h: &Histogram<u64>| h.iter_recorded().map(|v| (v.value_iterated_to(), v.count_at_value())).collect();
        SketchParts {
            shift: self.shift,
            zeros: self.zeros,
            negative: buckets(&self.negative),
            positive: buckets(&self.positive),
            exact: self.exact.clone(),
        }
    }

    /// The sketch [`QuantileSketch::to_parts`] gave (recording a value of each bucket
    /// lands in that bucket, so the counts are the same), or `None` for parts no sketch
    /// has: a shift out of range, a value out of range, exact values not sorted, not
    /// finite or too many, counts that overflow.
    pub(crate) fn from_parts(parts: SketchParts) -> Option<QuantileSketch> {
        if !SHIFTS.contains(&parts.shift) {
            return None;
        }
        let mut sketch = QuantileSketch::with_shift(parts.shift);
        sketch.zeros = parts.zeros;
        // Counted with overflow checks first: the histograms' own totals saturate.
        let mut total = parts.zeros;
        for &(value, count) in parts.negative.iter().chain(&parts.positive) {
            total = total.checked_add(count)?;
            if !(1..=HIGH).contains(&value) {
                return None;
            }
        }
        for (histogram, buckets) in [(&mut sketch.negative, &parts.negative), (&mut sketch.positive, &parts.positive)] {
            for &(value, count) in buckets {
                histogram.record_n(value, count).ok()?;
            }
        }
        let exact_ok = |e: &Vec<(f64, u64)>| {
            e.len() <= MAX_EXACT
                && e.iter().all(|(x, _)| x.is_finite())
                && e.windows(2).all(|w| w[0].0 < w[1].0)
                && e.iter().try_fold(0u64, |sum, (_, c)| sum.checked_add(*c)) == Some(total)
        };
        if parts.exact.as_ref().is_some_and(|e| !exact_ok(e)) {
            return None;
        }
        sketch.exact = parts.exact;
        Some(sketch)
    }
}

/// The union of two exact counts, or `None` past [`MAX_EXACT`] values.
fn merge_exact(mut mine: Vec<(f64, u64)>, theirs: &[(f64, u64)]) -> Option<Vec<(f64, u64)>> {
    for &(x, count) in theirs {
        match mine.binary_search_by(|(v, _)| v.total_cmp(&x)) {
            Ok(i) => mine[i].1 += count,
            Err(_) if mine.len() == MAX_EXACT => return None,
            Err(i) => mine.insert(i, (x, count)),
        }
    }
    Some(mine)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_within_the_documented_relative_error() {
        let values: Vec<f64> = (1..=100_000).map(|i| -5e3 + i as f64 * 0.37e3).collect();
        let mut sketch = QuantileSketch::for_values(&values[..4096]);
        sketch.record_all(&values);
        for q in [0.01, 0.05, 0.25, 0.5, 0.9, 0.99] {
            let exact = values[((q * values.len() as f64).ceil() as usize) - 1];
            let got = sketch.quantile(q);
            assert!((got - exact).abs() <= exact.abs() * 2f64.powi(-8) + 1e-9, "q={q}: {got} vs {exact}");
        }
    }

    #[test]
    fn few_distinct_values_are_exact_until_there_are_too_many() {
        let mut a = QuantileSketch::for_values(&[3.0]);
        a.record_all(&[0.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0]);
        assert_eq!([a.quantile(0.25), a.quantile(0.5), a.quantile(1.0)], [1.0, 2.0, 3.0]);
        let mut b = a.empty_like();
        b.record_all(&(0..MAX_EXACT).map(|i| i as f64 + 0.5).collect::<Vec<_>>());
        a.merge(&b);
        assert!(a.exact.is_none());
        assert_eq!(a.count(), 7 + MAX_EXACT as u64);
    }

    #[test]
    fn handles_negatives_zeros_and_merging() {
        let values = [-3.0, -1.0, 0.0, 0.0, 2.0, 5.0];
        let mut a = QuantileSketch::for_values(&values);
        let mut b = a.empty_like();
        a.record_all(&values[..3]);
        b.record_all(&values[3..]);
        a.merge(&b);
        let got: Vec<f64> = (1..=6).map(|r| a.quantile(r as f64 / 6.0)).collect();
        for (g, want) in got.iter().zip(values) {
            assert!((g - want).abs() <= want.abs() * 2f64.powi(-8), "{got:?}");
        }
        assert_eq!(a.count(), 6);
    }

    #[test]
    fn any_finite_magnitude_is_sketched_within_the_bound() {
        // Down to subnormals and up to f64::MAX: the scale never overflows, and parts
        // read back to the same sketch.
        for (lo, hi) in [(1e-320, 2e-320), (1e-300, 2e-300), (1e300, 1.7e308), (-2e-310, -1e-310)] {
            let values: Vec<f64> = (0..10_000).map(|i| lo + (hi - lo) * ((i as f64 + 0.5) / 10_000.0)).collect();
            let mut sketch = QuantileSketch::for_values(&values[..4096]);
            sketch.record_all(&values);
            assert!(sketch.exact.is_none(), "{lo}..{hi}");
            for q in [0.05, 0.5, 0.95] {
                let exact = values[((q * values.len() as f64).ceil() as usize) - 1];
                let got = sketch.quantile(q);
                // Subnormals hold fewer digits than the sketch's 2^-8: one ulp more.
                let bound = exact.abs() * 2f64.powi(-8) + 2.0 * f64::from_bits(1);
                assert!((got - exact).abs() <= bound, "{lo}..{hi} q={q}: {got} vs {exact}");
            }
            let again = QuantileSketch::from_parts(sketch.to_parts()).expect("parts read back");
            assert_eq!(again.to_parts(), sketch.to_parts());
        }
        assert!(
            QuantileSketch::from_parts(SketchParts { shift: 2000, ..QuantileSketch::for_values(&[1.0]).to_parts() })
                .is_none()
        );
    }

    /// Bytes of the sketch's two histograms' counts.
    fn counts_bytes(sketch: &QuantileSketch) -> usize {
        (sketch.negative.distinct_values() + sketch.positive.distinct_values()) * 8
    }

    #[test]
    fn a_sketch_takes_memory_for_the_magnitudes_it_holds_and_at_most_sketch_bytes() {
        // Costs of one sign within a few times the first chunk's largest: ~36 KB.
        let values: Vec<f64> = (0..100_000).map(|i| 1.9e9 + 2.5e8 * ((i % 977) as f64 / 488.0 - 1.0)).collect();
        let mut sketch = QuantileSketch::for_values(&values[..4096]);
        sketch.record_all(&values);
        let small = counts_bytes(&sketch);
        assert!((32 << 10..=40 << 10).contains(&small), "{small}");
        // Both signs up to saturation: every count of both histograms.
        sketch.record_all(&[-1e300, 1e300]);
        assert_eq!(counts_bytes(&sketch), SKETCH_BYTES);
        // Saturated magnitudes are counted at the top, as before.
        assert_eq!(sketch.count(), 100_002);
    }

    #[test]
    fn density_spreads_buckets_so_a_flat_distribution_looks_flat() {
        // 1M + uniform(0, 1M): 2/128-wide buckets land 7 or 8 to a bin of 24; counted at
        // their midpoints the bins would differ by ±7%.
        let values: Vec<f64> = (0..200_000).map(|i| 1e6 + (i as f64 + 0.5) * 5.0).collect();
        let mut sketch = QuantileSketch::for_values(&values[..4096]);
        sketch.record_all(&values);
        let bins = sketch.density(1.05e6, 1.95e6, 24);
        let mean = bins.iter().sum::<f64>() / 24.0;
        assert!(bins.iter().all(|b| (b / mean - 1.0).abs() < 0.01), "{bins:?}");
    }
}
