//! Tabulated quantile functions, for inputs drawn through them (lhs, qmc, correlations)
//! whose exact quantile function is slow.

use statrs::distribution::{Beta, Gamma};

use super::Sampler;

/// A quantile function tabulated for speed: cubic Hermite interpolation between exact
/// values and slopes (Q′(u) = 1/f(Q(u))) on a grid of `TABLE_INTERVALS` (4,096) intervals.
/// An interval is interpolated only if the interpolant is monotone there (so it stays
/// between the interval's exact end values, inside the support) and, at its midpoint,
/// matches the exact quantile function to within 1e-10 of the distribution's p1–p99
/// range (near the ends, where Q′ blows up, intervals fail this and stay exact), so the
/// marginal is unchanged for all practical purposes.
#[derive(Clone, Debug)]
pub struct QuantileTable {
    values: Vec<f64>,
    slopes: Vec<f64>,
    /// Whether each interval is interpolated (else evaluated exactly).
    interpolated: Vec<bool>,
}

/// Intervals in a [`QuantileTable`].
pub(crate) const TABLE_INTERVALS: usize = 4096;

impl QuantileTable {
    /// A table for `sampler`'s quantile function, when it is slow to evaluate (beta,
    /// PERT, gamma) and the table is accurate; `None` otherwise.
    pub fn new(sampler: &Sampler) -> Option<QuantileTable> {
        use statrs::distribution::Continuous as _;
        let density: Box<dyn Fn(f64) -> f64> = match sampler {
            Sampler::Beta { min, width, a, b } => {
                let beta = Beta::new(a.shape, b.shape).ok()?;
                let (min, width) = (*min, *width);
                Box::new(move |x| beta.pdf((x - min) / width) / width)
            }
            Sampler::Gamma { shape, scale } => {
                let gamma = Gamma::new(shape.shape, 1.0 / scale).ok()?;
                Box::new(move |x| gamma.pdf(x))
            }
            _ => return None,
        };
        let n = TABLE_INTERVALS;
        let values: Vec<f64> = (0..=n).map(|i| sampler.quantile(i as f64 / n as f64)).collect();
        let slopes: Vec<f64> = values.iter().map(|&x| 1.0 / density(x)).collect();
        let mut table = QuantileTable { values, slopes, interpolated: Vec::new() };
        let tolerance = 1e-10 * (sampler.quantile(0.99) - sampler.quantile(0.01));
        table.interpolated = (0..n)
            .map(|i| {
                let u = (i as f64 + 0.5) / n as f64;
                table.monotone(i) && (table.interpolate(u) - sampler.quantile(u)).abs() <= tolerance
            })
            .collect();
        let share = table.interpolated.iter().filter(|&&ok| ok).count() as f64 / n as f64;
        (share > 0.9).then_some(table)
    }

    /// True if interval `i`'s interpolant rises from its first value to its last and no
    /// further, so that it never leaves them (nor the support): finite slopes within the
    /// Fritsch–Carlson bound α² + β² ≤ 9, with α and β the end slopes over the secant's
    /// (Fritsch & Carlson 1980, "Monotone piecewise cubic interpolation", SIAM J. Numer.
    /// Anal. 17(2)). Near the end of a tiny-shape gamma, Q rises by orders of magnitude
    /// within one interval and an unchecked cubic dipped below 0.
    fn monotone(&self, i: usize) -> bool {
        let secant = (self.values[i + 1] - self.values[i]) * TABLE_INTERVALS as f64;
        let (alpha, beta) = (self.slopes[i] / secant, self.slopes[i + 1] / secant);
        secant > 0.0 && alpha >= 0.0 && beta >= 0.0 && alpha * alpha + beta * beta <= 9.0
    }

    /// Q(u) by interpolation; only for u in the interior intervals.
    #[inline]
    fn interpolate(&self, u: f64) -> f64 {
        let n = TABLE_INTERVALS as f64;
        let x = u * n;
        let i = (x as usize).min(TABLE_INTERVALS - 1);
        let t = x - i as f64;
        debug_assert!(i < self.values.len() - 1);
        let (t2, t3) = (t * t, t * t * t);
        let h = 1.0 / n;
        (2.0 * t3 - 3.0 * t2 + 1.0) * self.values[i]
            + (t3 - 2.0 * t2 + t) * h * self.slopes[i]
            + (3.0 * t2 - 2.0 * t3) * self.values[i + 1]
            + (t3 - t2) * h * self.slopes[i + 1]
    }

    /// Q(u): interpolated where that is accurate, else exact (from `sampler`).
    #[inline]
    pub fn quantile(&self, sampler: &Sampler, u: f64) -> f64 {
        let i = ((u * TABLE_INTERVALS as f64) as usize).min(TABLE_INTERVALS - 1);
        if self.interpolated[i] { self.interpolate(u) } else { sampler.quantile(u) }
    }
}
