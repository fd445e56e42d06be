//! Tabulated quantile functions, for inputs drawn through them (lhs, qmc, correlations)
//! whose exact quantile function is slow.

use statrs::distribution::{Beta, Gamma};

use super::bounded::{Count, CountTable};
use super::sampler::Sampler;

/// A quantile function tabulated for speed: cubic Hermite interpolation between exact
/// values and slopes (Q′(u) = 1/f(Q(u))) on a grid of `TABLE_INTERVALS` (4,096) intervals.
/// An interval is interpolated only if the interpolant is monotone there (so it stays
/// between the interval's exact end values, inside the support) and, at its midpoint,
/// matches the exact quantile function to within 1e-10 of the distribution's p1–p99
/// range, or four units in the last place of its values where that is more (the exact
/// function is no closer; near the ends, where Q′ blows up, intervals fail this and stay
/// exact), so the marginal is unchanged for all practical purposes.
#[derive(Clone, Debug)]
pub(crate) struct QuantileTable {
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
    pub(crate) fn new(sampler: &Sampler) -> Option<QuantileTable> {
        let density = density(sampler)?;
        QuantileTable::of(&|u| sampler.quantile(u), &density)
    }

    /// A table of the quantile function `exact` of a distribution of density `density`,
    /// when it is accurate.
    pub(crate) fn of(exact: &dyn Fn(f64) -> f64, density: &dyn Fn(f64) -> f64) -> Option<QuantileTable> {
        let n = TABLE_INTERVALS;
        let values: Vec<f64> = (0..=n).map(|i| exact(i as f64 / n as f64)).collect();
        let slopes: Vec<f64> = values.iter().map(|&x| 1.0 / density(x)).collect();
        let mut table = QuantileTable { values, slopes, interpolated: Vec::new() };
        let (p1, p99) = (exact(0.01), exact(0.99));
        let tolerance = (1e-10 * (p99 - p1)).max(4.0 * ulp(p1.abs().max(p99.abs())));
        table.interpolated = (0..n)
            .map(|i| {
                let u = (i as f64 + 0.5) / n as f64;
                table.monotone(i) && (table.interpolate(u) - exact(u)).abs() <= tolerance
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
    pub(crate) fn quantile(&self, sampler: &Sampler, u: f64) -> f64 {
        self.quantile_or(u, |u| sampler.quantile(u))
    }

    /// Q(u): interpolated where that is accurate, else `exact(u)`.
    #[inline]
    pub(crate) fn quantile_or(&self, u: f64, exact: impl Fn(f64) -> f64) -> f64 {
        let i = ((u * TABLE_INTERVALS as f64) as usize).min(TABLE_INTERVALS - 1);
        if self.interpolated[i] { self.interpolate(u) } else { exact(u) }
    }
}

/// The density of a sampler whose quantile function is slow (beta, PERT, gamma), for a
/// table's slopes; `None` for the others.
pub(crate) fn density(sampler: &Sampler) -> Option<impl Fn(f64) -> f64 + use<>> {
    use statrs::distribution::Continuous as _;
    enum Density {
        Beta(Beta, f64, f64),
        Gamma(Gamma),
    }
    let density = match sampler {
        Sampler::Beta { min, width, a, b } => Density::Beta(Beta::new(a.shape, b.shape).ok()?, *min, *width),
        Sampler::Gamma { shape, scale } => Density::Gamma(Gamma::new(shape.shape, 1.0 / scale).ok()?),
        _ => return None,
    };
    Some(move |x: f64| match &density {
        Density::Beta(beta, min, width) => beta.pdf((x - min) / width) / width,
        Density::Gamma(gamma) => gamma.pdf(x),
    })
}

/// The gap from |x| to the next double up.
fn ulp(x: f64) -> f64 {
    let x = x.abs();
    f64::from_bits(x.to_bits() + 1) - x
}

/// A sampler's quantile function in a faster form, built once for an input drawn through
/// it (lhs, qmc, correlations).
#[derive(Clone, Debug)]
pub(crate) enum Tabulated {
    /// Interpolated, for beta, PERT and gamma.
    Continuous(QuantileTable),
    /// The exact CDF of a Poisson or binomial count.
    Counts(CountTable),
}

impl Tabulated {
    /// The table for `sampler`, when it has one.
    pub(crate) fn new(sampler: &Sampler) -> Option<Tabulated> {
        match sampler {
            Sampler::Poisson { lambda, .. } => Count::Poisson(*lambda).table().map(Tabulated::Counts),
            Sampler::Binomial { n, p, .. } => Count::Binomial(*n, *p).table().map(Tabulated::Counts),
            _ => QuantileTable::new(sampler).map(Tabulated::Continuous),
        }
    }

    /// Q(u), the same as `sampler.quantile(u)` up to the interpolation's tolerance.
    #[inline]
    pub(crate) fn quantile(&self, sampler: &Sampler, u: f64) -> f64 {
        match self {
            Tabulated::Continuous(table) => table.quantile(sampler, u),
            Tabulated::Counts(table) => table.quantile(u),
        }
    }
}
