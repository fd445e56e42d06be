//! Mergeable moment accumulators: count, mean, sum of squared deviations, min, max.
//!
//! Each chunk's moments are computed in two passes over its column (mean, then squared
//! deviations), which is accurate for any offset; chunks are combined with the pairwise
//! update of Chan, Golub & LeVeque (1979), "Updating formulae and a pairwise algorithm
//! for computing sample variances". Merging is done in chunk order, so results do not
//! depend on the thread count.

/// Moments of a set of values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    /// Number of values.
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Moments {
        Moments { n: 0, mean: 0.0, m2: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY }
    }
}

impl Moments {
    /// Moments of `values` (two-pass).
    pub fn of(values: &[f64]) -> Moments {
        if values.is_empty() {
            return Moments::default();
        }
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let m2 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        let (min, max) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        Moments { n: n as u64, mean, m2, min, max }
    }

    /// Adds `other`'s values to these (Chan et al.).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let weight = other.n as f64 / n as f64;
        self.mean += delta * weight;
        self.m2 += other.m2 + delta * delta * self.n as f64 * weight;
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Sample standard deviation (n − 1 denominator); 0 for fewer than 2 values.
    pub fn std(&self) -> f64 {
        if self.n < 2 { 0.0 } else { (self.m2 / (self.n - 1) as f64).sqrt() }
    }

    /// Standard error of the mean, std/√n.
    pub fn stderr_mean(&self) -> f64 {
        if self.n == 0 { 0.0 } else { self.std() / (self.n as f64).sqrt() }
    }
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
        assert!((merged.m2 - whole.m2).abs() <= 1e-9 * whole.m2);
        assert_eq!((merged.min, merged.max), (whole.min, whole.max));
    }

    #[test]
    fn std_matches_the_textbook_formula() {
        let m = Moments::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m.mean, 5.0);
        assert!((m.std() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!((m.stderr_mean() - m.std() / 8f64.sqrt()).abs() < 1e-15);
    }
}
