//! Quantile functions with bounded work for every valid parameter, where the general
//! algorithms of statrs search without bound (or panic) at extreme parameters: Poisson and
//! binomial counts, gamma with huge or tiny shape, beta with tiny shapes.
//!
//! - **Counts** (Poisson, binomial): the exact CDF over μ ± 12σ (plus 10), built by the
//!   probability-mass recurrence outward from the mode and normalised, then a binary
//!   search — when that span has at most [`MAX_SPAN`] values (λ or np(1−p) up to about
//!   7·10⁶). Mass outside the span is below 10⁻³⁰, far below the smallest uniform drawn
//!   (2⁻⁵³). Beyond, the Cornish–Fisher expansion to order 1/σ with continuity correction:
//!   its error is O(z⁴/σ²) < 10⁻⁴ of one count at 12σ, so at most one in many thousands
//!   of draws is one count off, a relative error below 10⁻⁹.
//! - **Gamma** with shape k > 10⁷: Wilson–Hilferty, k·(1 − 1/(9k) + z/(3√k))³, whose
//!   relative error falls as k^-3/2 (9·10⁻⁸ at k = 10⁴, 9·10⁻¹¹ at 10⁶, so below 3·10⁻¹²
//!   here); for 10³ < k ≤ 10⁷ the same followed by Newton steps (at most 4) on the exact CDF (the
//!   general search is 10 times slower there); with tiny k, the lower tail
//!   x = (u·Γ(k+1))^(1/k) wherever that is below 2⁻⁵² (the next term is O(x), so below
//!   double precision).
//! - **Beta**: the tails x = (u·a·B(a,b))^(1/a) and 1 − ((1−u)·b·B(a,b))^(1/b) wherever
//!   those are within 2⁻⁵² of 0 or 1; for shapes below 10⁻³ or above 10⁵, a bisection over
//!   the doubles in [0, 1] on the exact CDF (64 steps at most).
//!
//! Anything else is left to statrs (`None`).

use statrs::function::{beta::ln_beta, gamma::ln_gamma};

use super::sample::normal_quantile;

/// Most values in an exact count table (512 KB).
pub(crate) const MAX_SPAN: u64 = 1 << 16;
/// Shapes above this use Wilson–Hilferty alone.
const HUGE_SHAPE: f64 = 1e7;
/// Shapes above this (up to [`HUGE_SHAPE`]) use Wilson–Hilferty and Newton steps.
const LARGE_SHAPE: f64 = 1e3;
/// Most Newton steps after Wilson–Hilferty (two suffice from 10⁻⁹ to 1 − 10⁻⁹).
const NEWTON_STEPS: usize = 4;
/// Tail approximations are used where the value is this close to its bound.
const TAIL: f64 = f64::EPSILON;

/// A discrete distribution on 0..=`max` by its first four cumulants and its mass ratio
/// P(k+1)/P(k).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Count {
    /// Poisson(λ).
    Poisson(f64),
    /// Binomial(n, p).
    Binomial(u64, f64),
}

impl Count {
    fn mean_sd(self) -> (f64, f64) {
        match self {
            Count::Poisson(lambda) => (lambda, lambda.sqrt()),
            Count::Binomial(n, p) => (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt()),
        }
    }

    fn max(self) -> f64 {
        match self {
            Count::Poisson(_) => f64::INFINITY,
            Count::Binomial(n, _) => n as f64,
        }
    }

    /// P(k+1)/P(k).
    fn ratio(self, k: f64) -> f64 {
        match self {
            Count::Poisson(lambda) => lambda / (k + 1.0),
            Count::Binomial(n, p) => (n as f64 - k) / (k + 1.0) * p / (1.0 - p),
        }
    }

    /// The exact CDF table, when the span is small enough.
    pub(crate) fn table(self) -> Option<CountTable> {
        let (mean, sd) = self.mean_sd();
        let first = (mean - 12.0 * sd - 10.0).floor().max(0.0);
        let last = (mean + 12.0 * sd + 10.0).ceil().min(self.max());
        if last - first >= MAX_SPAN as f64 {
            return None;
        }
        let mode = mean.floor().clamp(first, last);
        let (below, above) = ((mode - first) as usize, (last - mode) as usize);
        let mut mass = vec![0.0; below + above + 1];
        mass[below] = 1.0;
        for i in (0..below).rev() {
            let k = first + i as f64;
            mass[i] = mass[i + 1] / self.ratio(k);
        }
        for i in below + 1..mass.len() {
            let k = first + i as f64;
            mass[i] = mass[i - 1] * self.ratio(k - 1.0);
        }
        let total: f64 = mass.iter().sum();
        let mut seen = 0.0;
        let cdf = mass.iter().map(|m| {
            seen += m / total;
            seen
        });
        Some(CountTable { first, cdf: cdf.collect() })
    }

    /// Q(u): from a table when the span is small, else Cornish–Fisher.
    pub(crate) fn quantile(self, u: f64) -> f64 {
        match self.table() {
            Some(table) => table.quantile(u),
            None => self.cornish_fisher(u),
        }
    }

    fn cornish_fisher(self, u: f64) -> f64 {
        let (mean, sd) = self.mean_sd();
        let (skew, kurtosis) = match self {
            Count::Poisson(_) => (1.0 / sd, 1.0 / (sd * sd)),
            Count::Binomial(_, p) => ((1.0 - 2.0 * p) / sd, (1.0 - 6.0 * p * (1.0 - p)) / (sd * sd)),
        };
        let z = normal_quantile(u);
        let w = z + skew * (z * z - 1.0) / 6.0 + kurtosis * (z.powi(3) - 3.0 * z) / 24.0
            - skew * skew * (2.0 * z.powi(3) - 5.0 * z) / 36.0;
        (mean + sd * w - 0.5).ceil().clamp(0.0, self.max())
    }
}

/// The exact CDF of a count over a span of values.
#[derive(Clone, Debug)]
pub struct CountTable {
    first: f64,
    cdf: Vec<f64>,
}

impl CountTable {
    /// The smallest k with F(k) ≥ u.
    pub fn quantile(&self, u: f64) -> f64 {
        let i = self.cdf.partition_point(|&f| f < u).min(self.cdf.len() - 1);
        self.first + i as f64
    }
}

/// Gamma(shape, 1) quantile at u where an approximation is exact to double precision.
pub(crate) fn gamma(shape: f64, u: f64) -> Option<f64> {
    use statrs::distribution::{Continuous, ContinuousCDF};
    if shape > LARGE_SHAPE {
        let z = normal_quantile(u);
        let x = shape * (1.0 - 1.0 / (9.0 * shape) + z / (3.0 * shape.sqrt())).powi(3);
        if shape > HUGE_SHAPE {
            return Some(x);
        }
        let exact = statrs::distribution::Gamma::new(shape, 1.0).ok()?;
        let mut x = x;
        for _ in 0..NEWTON_STEPS {
            // F(x) − u, from the survival function in the upper half (no cancellation).
            let excess = if u > 0.5 { (1.0 - u) - exact.sf(x) } else { exact.cdf(x) - u };
            let step = excess / exact.pdf(x);
            if !step.is_finite() {
                break;
            }
            x -= step;
            if step.abs() <= 1e-15 * x {
                break;
            }
        }
        return Some(x);
    }
    // F(x) = x^k/Γ(k+1)·(1 − O(x)) near 0.
    let x = ((u.ln() + ln_gamma(shape + 1.0)) / shape).exp();
    (x < TAIL).then_some(x)
}

/// Beta(a, b) quantile at u: in its tails, where the leading term is exact to double
/// precision; for shapes outside [`MODERATE_SHAPES`], by bisection on the exact CDF.
pub(crate) fn beta(a: f64, b: f64, u: f64) -> Option<f64> {
    let ln_b = ln_beta(a, b);
    // F(x) = x^a/(a·B(a,b))·(1 − O(x)) near 0, and symmetrically near 1.
    let low = ((u.ln() + a.ln() + ln_b) / a).exp();
    if low < TAIL {
        return Some(low);
    }
    let high = (((-u).ln_1p() + b.ln() + ln_b) / b).exp();
    if high < TAIL {
        return Some(1.0 - high);
    }
    let moderate = MODERATE_SHAPES.contains(&a) && MODERATE_SHAPES.contains(&b);
    (!moderate).then(|| {
        use statrs::function::beta::beta_reg;
        // Below the median compare F(x) with u, above it S(x) = I_{1−x}(b, a) with 1 − u.
        if u <= 0.5 {
            bisect_unit(|x| beta_reg(a, b, x) < u)
        } else {
            bisect_unit(|x| beta_reg(b, a, 1.0 - x) > 1.0 - u)
        }
    })
}

/// Shapes for which statrs' inverse of the incomplete beta function is trusted; beyond,
/// it can search without end (beta(1e12, 5.7e5) under lhs never finished).
const MODERATE_SHAPES: std::ops::RangeInclusive<f64> = 1e-3..=1e5;

/// The smallest x in [0, 1] with `below(x)` false, where `below` is true up to some point
/// and false after it: a bisection over the bit patterns of the doubles in [0, 1], so at
/// most 64 steps find the exact double.
fn bisect_unit(below: impl Fn(f64) -> bool) -> f64 {
    let (mut lo, mut hi) = (0f64.to_bits(), 1f64.to_bits());
    if !below(0.0) {
        return 0.0;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if below(f64::from_bits(mid)) { lo = mid } else { hi = mid }
    }
    f64::from_bits(hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Binomial, DiscreteCDF, Poisson};

    fn grid() -> impl Iterator<Item = f64> {
        (1..2000).map(|i| i as f64 / 2000.0).chain([1e-12, 1e-6, 1.0 - 1e-6, 1.0 - 1e-12])
    }

    #[test]
    fn count_tables_match_statrs_exact_quantiles() {
        for lambda in [0.3, 4.0, 57.5, 1e4] {
            let reference = Poisson::new(lambda).unwrap();
            for u in grid() {
                let got = Count::Poisson(lambda).quantile(u);
                assert_eq!(got, reference.inverse_cdf(u) as f64, "poisson({lambda}) at {u}");
            }
        }
        for (n, p) in [(10, 0.5), (1000, 0.01), (200_000, 0.7)] {
            let reference = Binomial::new(p, n).unwrap();
            for u in grid() {
                let got = Count::Binomial(n, p).quantile(u);
                assert_eq!(got, reference.inverse_cdf(u) as f64, "binomial({n}, {p}) at {u}");
            }
        }
    }

    #[test]
    fn cornish_fisher_is_off_by_one_count_in_almost_no_draws() {
        // λ = 5e6 still has an exact table to compare with.
        let count = Count::Poisson(5e6);
        let table = count.table().expect("within the span");
        let us: Vec<f64> = (1..100_000).map(|i| i as f64 / 100_000.0).collect();
        let off: Vec<f64> = us.iter().map(|&u| count.cornish_fisher(u) - table.quantile(u)).collect();
        assert!(off.iter().all(|d| d.abs() <= 1.0));
        assert!(off.iter().filter(|d| **d != 0.0).count() <= 10, "{}", off.iter().filter(|d| **d != 0.0).count());
    }

    #[test]
    fn extreme_shapes_have_closed_form_tails() {
        assert_eq!(gamma(1e-300, 0.5), Some(0.0));
        assert_eq!(beta(1e-300, 1e-300, 0.3), Some(0.0));
        assert_eq!(beta(1e-300, 1e-300, 0.7), Some(1.0));
        // Wilson–Hilferty at the median of Gamma(1e10): k − 1/3 + O(1/k).
        let median = gamma(1e10, 0.5).unwrap();
        assert!((median - (1e10 - 1.0 / 3.0)).abs() < 1e-3, "{median}");
        // With its Newton steps, Gamma(1e4) quantiles as scipy.stats.gamma.ppf gives them,
        // to the accuracy of statrs' CDF (~1e-13).
        let scipy = [
            (1e-9, 9411.828411445864),
            (0.01, 9768.836856696591),
            (0.5, 9999.666668642047),
            (0.99, 10234.104379158054),
            (1.0 - 1e-9, 10611.486364888995),
        ];
        for (u, want) in scipy {
            let got = gamma(1e4, u).unwrap();
            assert!((got - want).abs() <= 1e-12 * want, "{u}: {got} vs {want}");
        }
        // Shapes outside the moderate range: bisection, against scipy.stats.beta.ppf, to
        // the accuracy of statrs' CDF at such shapes (~1e-7 in probability, 2e-7 sd here).
        let x = beta(1e6, 2e6, 0.3).unwrap();
        assert!((x - 0.33319058273526214).abs() < 1e-9, "{x}");
        let x = beta(3e5, 0.5, 0.999).unwrap();
        assert!((x - 0.999999999997382).abs() < 1e-13, "{x}");
        // Beta(1e12, 5.7e5) once never finished; its sd is 7.6e-10, statrs' CDF is good
        // to a few percent of that there.
        let x = beta(1e12, 573919.1944423529, 0.5).unwrap();
        assert!((x - 0.9999994260814683).abs() < 1e-10, "{x}");
        // Moderate shapes are left to the general algorithm.
        assert_eq!(gamma(2.0, 0.5), None);
        assert_eq!(beta(2.0, 3.0, 0.5), None);
    }
}
