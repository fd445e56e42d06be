//! Mergeable moment accumulators: count, mean, sums of squared and cubed deviations, min,
//! max.
//!
//! Each chunk's moments are computed in two passes over its column (mean, then powers of
//! the deviations), which is accurate for any offset and, with the deviations scaled by a
//! power of two, finite for any finite values; chunks are combined with the pairwise
//! update of Chan, Golub & LeVeque (1979), "Updating formulae and a pairwise algorithm
//! for computing sample variances", extended to the third moment by Pébay (2008),
//! "Formulas for robust, one-pass parallel computation of covariances and arbitrary-order
//! statistical moments" (Sandia report SAND2008-6212). Chunks are merged in a fixed tree over their indices
//! ([`super::tree`]), so results depend neither on the thread count nor on how the chunks
//! were split between machines.

/// Moments of a set of values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    /// Number of values.
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean, divided by `scale²`.
    m2: f64,
    /// Sum of cubed deviations from the mean, divided by `scale³`.
    m3: f64,
    /// A power of two at least as large as the deviations from the mean, so that `m2`
    /// neither overflows nor underflows whatever the values' magnitude.
    scale: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Moments {
        Moments { n: 0, mean: 0.0, m2: 0.0, m3: 0.0, scale: 1.0, min: f64::INFINITY, max: f64::NEG_INFINITY }
    }
}

impl Moments {
    /// Moments of `values` (two passes over finite values): a constant's mean is that
    /// constant exactly, a sum that overflows is replaced by a sum of `x/n`, and the
    /// deviations are scaled by a power of two, so that no intermediate overflows.
    pub fn of(values: &[f64]) -> Moments {
        if values.is_empty() {
            return Moments::default();
        }
        let n = values.len() as f64;
        let (min, max) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let sum = values.iter().sum::<f64>();
        let mean = match sum {
            _ if min == max => min,
            sum if sum.is_finite() => sum / n,
            _ => values.iter().map(|x| x / n).sum(),
        };
        let scale = cover(&[min, max], mean);
        let (inverse, centre) = (1.0 / scale, mean / scale);
        let (m2, m3) = values.iter().fold((0.0, 0.0), |(m2, m3), x| {
            let d = x * inverse - centre;
            let d2 = d * d;
            (m2 + d2, m3 + d2 * d)
        });
        Moments { n: values.len() as u64, mean, m2, m3, scale, min, max }
    }

    /// Adds `other`'s values to these (Chan et al. and Pébay, with both sets of sums
    /// rescaled to a common power of two).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let weight = other.n as f64 / n as f64;
        let delta = other.mean - self.mean;
        let mean = if delta.is_finite() {
            self.mean + delta * weight
        } else {
            self.mean * (1.0 - weight) + other.mean * weight
        };
        let scale = self.scale.max(other.scale).max(cover(&[other.mean], self.mean));
        // δ in units of the common scale; n_a·n_b/n = n_a·weight.
        let delta = other.mean / scale - self.mean / scale;
        let (mine, theirs) = (self.scale / scale, other.scale / scale);
        let (m2_a, m2_b) = (self.m2 * mine.powi(2), other.m2 * theirs.powi(2));
        let (n_a, n_b) = (self.n as f64, other.n as f64);
        let m3 = self.m3 * mine.powi(3)
            + other.m3 * theirs.powi(3)
            + delta.powi(3) * n_a * weight * (1.0 - 2.0 * weight)
            + 3.0 * delta * (n_a * m2_b - n_b * m2_a) / n as f64;
        self.m2 = m2_a + m2_b + delta.powi(2) * n_a * weight;
        self.m3 = m3;
        self.scale = scale;
        self.mean = mean;
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The accumulator's state: n and [mean, m2, m3, scale, min, max] (m2 and m3 are the
    /// sums of squared and cubed deviations divided by scale² and scale³), for saving a
    /// partial run.
    pub fn to_parts(&self) -> (u64, [f64; 6]) {
        (self.n, [self.mean, self.m2, self.m3, self.scale, self.min, self.max])
    }

    /// The accumulator [`Moments::to_parts`] gave, or `None` if the parts cannot come
    /// from one (a scale that is not a power of two, a negative m2, min above max, ...).
    pub fn from_parts(n: u64, [mean, m2, m3, scale, min, max]: [f64; 6]) -> Option<Moments> {
        let power_of_two = scale > 0.0 && scale.is_finite() && scale.log2().fract() == 0.0;
        let empty = Moments::default();
        let valid = match n {
            0 => (mean, m2, m3, scale, min, max) == (empty.mean, empty.m2, empty.m3, empty.scale, empty.min, empty.max),
            _ => {
                power_of_two
                    && m2 >= 0.0
                    && m2.is_finite()
                    && m3.is_finite()
                    // |Σd³| ≤ Σd²·max|d|, in an order that does not underflow for
                    // subnormal values, with room for rounding.
                    && m3.abs() <= m2 * ((max - min) / scale) * (1.0 + 1e-9)
                    && min.is_finite()
                    && max.is_finite()
                    && min <= max
                    && (min..=max).contains(&mean)
            }
        };
        valid.then_some(Moments { n, mean, m2, m3, scale, min, max })
    }

    /// Sample standard deviation (n − 1 denominator); 0 for fewer than 2 values.
    pub fn std(&self) -> f64 {
        if self.n < 2 { 0.0 } else { self.scale * (self.m2 / (self.n - 1) as f64).sqrt() }
    }

    /// Sample skewness g₁ = m₃ / m₂^(3/2) (moments with denominator n); 0 for values
    /// without spread.
    pub fn skewness(&self) -> f64 {
        if self.n < 2 || self.m2 == 0.0 {
            return 0.0;
        }
        let n = self.n as f64;
        (self.m3 / n) / (self.m2 / n).powf(1.5)
    }

    /// Standard error of the mean, std/√n.
    pub fn stderr_mean(&self) -> f64 {
        if self.n == 0 { 0.0 } else { self.std() / (self.n as f64).sqrt() }
    }
}

/// The smallest power of two (at least 1 when all are equal to `centre`) no smaller than
/// any of `values`' distances from `centre`, found without computing a distance that could
/// overflow.
fn cover(values: &[f64], centre: f64) -> f64 {
    let half = values.iter().map(|x| (x / 2.0 - centre / 2.0).abs()).fold(0.0, f64::max);
    if half == 0.0 || !half.is_finite() {
        return 1.0;
    }
    // 2^(e+2) ≥ 2·half for half in [2^e, 2^(e+1)); kept within 2^±1020 so that its
    // inverse is finite too.
    let exponent = half.log2().floor() as i32 + 2;
    2f64.powi(exponent.clamp(-1020, f64::MAX_EXP - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_parts_gives_the_whole() {
        let values: Vec<f64> = (0..1000).map(|i| 1e9 + ((i * 7919) % 1000) as f64 * 0.37).collect();
        let whole = Moments::of(&values);
        let mut merged = Moments::default();
        for part in values.chunks(333) {
            merged.merge(&Moments::of(part));
        }
        assert_eq!(merged.n, whole.n);
        assert!((merged.mean - whole.mean).abs() <= 1e-15 * whole.mean.abs());
        assert!((merged.std() - whole.std()).abs() <= 1e-9 * whole.std());
        assert_eq!((merged.min, merged.max), (whole.min, whole.max));
    }

    #[test]
    fn std_matches_the_textbook_formula() {
        let m = Moments::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m.mean, 5.0);
        assert!((m.std() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!((m.stderr_mean() - m.std() / 8f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn a_constant_has_exactly_its_value_as_mean_and_no_spread() {
        for c in [0.001, 1e308, -1e308, 5e-324, 1.6e9] {
            let mut merged = Moments::default();
            for _ in 0..5 {
                merged.merge(&Moments::of(&[c; 4096]));
            }
            assert_eq!((merged.mean, merged.std()), (c, 0.0), "{c}");
        }
    }

    #[test]
    fn values_near_the_largest_double_give_finite_moments() {
        // ±1e308 alternate: mean 0 and std √(n/(n−1))·1e308, where a plain sum of squares
        // (or even x − mean) overflows.
        let values: Vec<f64> = (0..1000).map(|i| if i % 2 == 0 { 1e308 } else { -1e308 }).collect();
        let mut merged = Moments::default();
        for part in values.chunks(64) {
            merged.merge(&Moments::of(part));
        }
        assert_eq!(merged.mean, 0.0);
        let want = 1e308 * (1000.0f64 / 999.0).sqrt();
        assert!((merged.std() - want).abs() <= 1e-12 * want, "{}", merged.std());
        // Shifted and scaled copies of the same values have shifted and scaled moments.
        let small: Vec<f64> = values.iter().map(|x| 1e9 + x * 1e-305).collect();
        let m = Moments::of(&small);
        assert!((m.mean - 1e9).abs() <= 1e-6 && (m.std() - want * 1e-305).abs() <= 1e-9 * want * 1e-305);
    }

    #[test]
    fn subnormal_and_huge_values_read_back_from_their_parts() {
        for (lo, hi) in [(1e-320, 2e-320), (1e-300, 2e-300), (1e307, 1.7e308)] {
            let values: Vec<f64> = (0..4096).map(|i| lo + (hi - lo) * ((i as f64 + 0.5) / 4096.0)).collect();
            let m = Moments::of(&values);
            let (n, parts) = m.to_parts();
            let again = Moments::from_parts(n, parts).unwrap_or_else(|| panic!("{lo}..{hi}: {parts:?}"));
            assert_eq!(again.to_parts(), (n, parts));
        }
    }
}
