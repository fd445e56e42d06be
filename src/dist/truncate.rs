//! `truncate(dist, lo, hi)`: a distribution restricted to [lo, hi], without clamping.
//!
//! For a continuous distribution with constant parameters each draw is one inverse-CDF
//! evaluation, exact in distribution. In the left half it maps u uniformly into
//! [F(lo), F(hi)] and returns F⁻¹; in the right half (F(lo) > ½) it works on the
//! survival side, mapping u into [S(hi), S(lo)] with S = 1 − F and returning S⁻¹,
//! because there F is within an ulp of 1 and has lost the digits that tell 8σ from 10σ
//! (`truncate(normal(0, 1), 8, 10)` drew 7 distinct values with mean 8.2457; the truth is
//! 8.1214). Normal, lognormal, uniform, triangular and exponential have closed-form
//! inverses on both sides; beta, PERT and gamma have quantile functions for either tail
//! that keep all the digits of a tiny p (`super::bounded`). A range is refused only when its
//! probability is zero in double precision (below about 1e-308).
//!
//! Other distributions (discrete ones, or parameters that vary per trial) are drawn
//! again until the draw falls inside, giving NaN (reported) after [`MAX_REJECTIONS`]
//! misses. With constant parameters the range's probability is known at load, and a range
//! too unlikely for that ([`MIN_REJECTION_PROBABILITY`]: a trial would fail once in some
//! 10⁹) is refused there, before a single trial runs.

use statrs::distribution::{Beta, ContinuousCDF, Gamma};

use super::quantile::{QuantileTable, density};
use super::sample::{normal_cdf, normal_quantile, triangular_quantile, uniform_open};
use super::{DistKind, ParamError, Rng, Sampler, Shown};

/// Draws tried per trial before rejection sampling gives up.
pub(crate) const MAX_REJECTIONS: usize = 10_000;

/// The least probability of a range drawn by rejection: all [`MAX_REJECTIONS`] draws miss
/// it with probability (1 − p)^10⁴ ≈ e⁻²⁰ ≈ 2·10⁻⁹.
pub(crate) const MIN_REJECTION_PROBABILITY: f64 = 20.0 / MAX_REJECTIONS as f64;

/// A continuous distribution: its sampler (whose quantile function is the inverse CDF),
/// with the survival function and the inverse on the survival side.
#[derive(Clone, Debug)]
struct Continuous {
    sampler: Sampler,
    /// statrs' beta or gamma, for those samplers' CDF, survival function and density.
    shape: Option<Shape>,
}

/// The standard distribution behind a beta-family or gamma sampler.
#[derive(Clone, Debug)]
enum Shape {
    /// Beta(a, b) on [0, 1].
    Beta(Beta),
    /// Gamma(shape, 1).
    Gamma(Gamma),
}

/// P(X < x) for a draw of `sampler`, if it is continuous.
pub(crate) fn below(sampler: &Sampler, x: f64) -> Option<f64> {
    match sampler {
        Sampler::Metalog(m) => return Some(m.cdf(x)),
        Sampler::Empirical(values) => {
            return Some(values.partition_point(|v| *v < x) as f64 / values.len() as f64);
        }
        _ => {}
    }
    Continuous::new(sampler).map(|c| c.cdf(x))
}

impl Continuous {
    /// The continuous form of `sampler`, if it has one (not a point mass or discrete).
    fn new(sampler: &Sampler) -> Option<Continuous> {
        let shape = match sampler {
            Sampler::Normal { sd, .. } | Sampler::LogNormal { sigma: sd, .. } if *sd <= 0.0 => return None,
            Sampler::Uniform { width, .. } if *width <= 0.0 => return None,
            // A metalog is bounded by its own bounds, never truncated.
            Sampler::Poisson { .. }
            | Sampler::Bernoulli(_)
            | Sampler::Binomial { .. }
            | Sampler::Metalog(_)
            | Sampler::Empirical(_) => return None,
            Sampler::Beta { a, b, .. } => Some(Shape::Beta(Beta::new(a.shape, b.shape).ok()?)),
            Sampler::Gamma { shape, .. } => Some(Shape::Gamma(Gamma::new(shape.shape, 1.0).ok()?)),
            _ => None,
        };
        Some(Continuous { sampler: sampler.clone(), shape })
    }

    /// F(x) = P(X ≤ x).
    fn cdf(&self, x: f64) -> f64 {
        match (&self.sampler, &self.shape) {
            (Sampler::Normal { mean, sd }, _) => normal_cdf((x - mean) / sd),
            (Sampler::LogNormal { mu, sigma }, _) => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mu) / sigma)
                }
            }
            (Sampler::Uniform { min, width }, _) => ((x - min) / width).clamp(0.0, 1.0),
            (Sampler::Triangular { min, mode, max }, _) => triangular_cdf(*min, *mode, *max, x),
            (Sampler::Exponential { rate }, _) => -(-rate * x.max(0.0)).exp_m1(),
            (Sampler::Beta { min, width, .. }, Some(Shape::Beta(beta))) => {
                beta.cdf(((x - min) / width).clamp(0.0, 1.0))
            }
            (Sampler::Gamma { scale, .. }, Some(Shape::Gamma(gamma))) => gamma.cdf((x / scale).max(0.0)),
            _ => unreachable!("see Continuous::new"),
        }
    }

    /// S(x) = P(X > x), computed directly so it keeps its digits where F is near 1.
    fn sf(&self, x: f64) -> f64 {
        match (&self.sampler, &self.shape) {
            (Sampler::Normal { mean, sd }, _) => normal_cdf((mean - x) / sd),
            (Sampler::LogNormal { mu, sigma }, _) => {
                if x <= 0.0 {
                    1.0
                } else {
                    normal_cdf((mu - x.ln()) / sigma)
                }
            }
            (Sampler::Uniform { min, width }, _) => ((min + width - x) / width).clamp(0.0, 1.0),
            (Sampler::Triangular { min, mode, max }, _) => triangular_cdf(-max, -mode, -min, -x),
            (Sampler::Exponential { rate }, _) => (-rate * x.max(0.0)).exp(),
            (Sampler::Beta { min, width, .. }, Some(Shape::Beta(beta))) => beta.sf(((x - min) / width).clamp(0.0, 1.0)),
            (Sampler::Gamma { scale, .. }, Some(Shape::Gamma(gamma))) => gamma.sf((x / scale).max(0.0)),
            _ => unreachable!("see Continuous::new"),
        }
    }

    /// The x with F(x) = p (`upper` false: the sampler's own quantile
    /// function) or S(x) = p (`upper` true), each side exact however small p is.
    fn inverse(&self, p: f64, upper: bool) -> f64 {
        if !upper {
            return self.sampler.quantile(p);
        }
        match &self.sampler {
            Sampler::Normal { mean, sd } => mean - sd * normal_quantile(p),
            Sampler::LogNormal { mu, sigma } => (mu - sigma * normal_quantile(p)).exp(),
            Sampler::Uniform { min, width } => min + width - width * p,
            Sampler::Triangular { min, mode, max } => -triangular_quantile(-max, -mode, -min, p),
            Sampler::Exponential { rate } => -p.ln() / rate,
            Sampler::Beta { min, width, a, b } => min + width * super::bounded::beta(a.shape, b.shape, p, true),
            Sampler::Gamma { shape, scale } => scale * super::bounded::gamma(shape.shape, p, true),
            _ => unreachable!("only continuous samplers are truncated by their inverse"),
        }
    }
}

fn triangular_cdf(min: f64, mode: f64, max: f64, x: f64) -> f64 {
    if x <= min {
        0.0
    } else if x >= max {
        1.0
    } else if x <= mode {
        (x - min).powi(2) / ((max - min) * (mode - min))
    } else {
        1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
    }
}

/// P(lo ≤ X ≤ hi) for a sampler without a continuous form: a count or a point mass.
fn range_probability(sampler: &Sampler, lo: f64, hi: f64) -> f64 {
    use statrs::distribution::{Binomial, DiscreteCDF, Poisson};
    // Counts between ⌈lo⌉ and ⌊hi⌋: P(X > ⌈lo⌉ − 1) − P(X > ⌊hi⌋), on the survival side,
    // which keeps its digits in the right tail (the left is not far from zero anyway).
    let (first, last) = (lo.max(0.0).ceil(), hi.floor());
    if first > last {
        return 0.0;
    }
    let count = |sf: &dyn Fn(u64) -> f64| {
        let above = |k: f64| if k < 0.0 { 1.0 } else { sf(k.min(u64::MAX as f64) as u64) };
        (above(first - 1.0) - above(last)).max(0.0)
    };
    match sampler {
        Sampler::Poisson { lambda, .. } => Poisson::new(*lambda).map_or(0.0, |d| count(&|k| d.sf(k))),
        Sampler::Binomial { n, p, .. } => Binomial::new(*p, *n).map_or(0.0, |d| count(&|k| d.sf(k))),
        Sampler::Bernoulli(p) => {
            let at = |v: f64, mass: f64| if (lo..=hi).contains(&v) { mass } else { 0.0 };
            at(0.0, 1.0 - p) + at(1.0, *p)
        }
        // A point mass (zero spread): its one value is inside or not.
        point => f64::from(u8::from((lo..=hi).contains(&point.quantile(0.5)))),
    }
}

/// A distribution restricted to [lo, hi].
#[derive(Clone, Debug)]
pub enum Truncated {
    /// Inverse-CDF sampling on one side of the distribution.
    Inverse(Box<InverseTruncation>),
    /// Draw until inside [lo, hi].
    Reject {
        /// The untruncated sampler.
        sampler: Box<Sampler>,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
}

/// Truncation by the inverse of F (left half) or of S (right half).
#[derive(Clone, Debug)]
pub struct InverseTruncation {
    dist: Continuous,
    /// True to work with S = 1 − F.
    upper: bool,
    /// F(lo), or S(lo) on the survival side.
    start: f64,
    /// F(hi) − F(lo), or S(lo) − S(hi): the range's probability.
    width: f64,
    lo: f64,
    hi: f64,
    /// The quantile function tabulated, for beta, PERT and gamma, whose exact inverse
    /// takes a root-finding per draw.
    table: Option<QuantileTable>,
}

impl InverseTruncation {
    /// Q(u) exactly: the inverse at the matching point of [F(lo), F(hi)] (or of S).
    fn exact(&self, u: f64) -> f64 {
        let p = if self.upper { self.start - self.width * u } else { self.start + self.width * u };
        self.dist.inverse(p, self.upper).clamp(self.lo, self.hi)
    }
}

impl Truncated {
    /// `kind(params)` restricted to [lo, hi].
    ///
    /// # Errors
    /// Invalid parameters, lo ≥ hi, or a range whose probability is zero in double
    /// precision.
    pub fn new(kind: DistKind, params: &[f64], lo: f64, hi: f64) -> Result<Truncated, ParamError> {
        let sampler = Sampler::new(kind, params)?;
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return Err(ParamError::Order(format!("truncate needs lo < hi (got {}, {})", Shown(lo), Shown(hi))));
        }
        let Some(dist) = Continuous::new(&sampler) else {
            let p = range_probability(&sampler, lo, hi);
            if p < MIN_REJECTION_PROBABILITY {
                return Err(ParamError::Order(format!(
                    "{}(...) has probability {} between {} and {}: drawing until a value falls inside would fail; widen the range",
                    kind.name(),
                    Shown(p),
                    Shown(lo),
                    Shown(hi)
                )));
            }
            return Ok(Truncated::Reject { sampler: Box::new(sampler), lo, hi });
        };
        let upper = dist.cdf(lo) > 0.5;
        let (start, width) = if upper {
            let start = dist.sf(lo);
            (start, start - dist.sf(hi))
        } else {
            let start = dist.cdf(lo);
            (start, dist.cdf(hi) - start)
        };
        if width.is_nan() || width <= 0.0 {
            return Err(ParamError::Order(format!(
                "{}(...) has no probability between {} and {} in double precision; widen the range",
                kind.name(),
                Shown(lo),
                Shown(hi)
            )));
        }
        let mut truncation = InverseTruncation { dist, upper, start, width, lo, hi, table: None };
        if let Some(density) = density(&truncation.dist.sampler) {
            truncation.table = QuantileTable::of(&|u| truncation.exact(u), &|x| density(x) / width);
        }
        Ok(Truncated::Inverse(Box::new(truncation)))
    }

    /// The quantile function at u (0 < u < 1), when it is known exactly (inverse-CDF
    /// truncation); `None` for truncation by rejection.
    pub fn quantile(&self, u: f64) -> Option<f64> {
        match self {
            Truncated::Inverse(t) => Some(match &t.table {
                Some(table) => table.quantile_or(u, |u| t.exact(u)),
                None => t.exact(u),
            }),
            Truncated::Reject { .. } => None,
        }
    }

    /// One draw; NaN if rejection sampling found no value in range.
    #[inline]
    pub fn draw(&self, rng: &mut Rng) -> f64 {
        match self {
            Truncated::Inverse(_) => self.quantile(uniform_open(rng)).unwrap_or(f64::NAN),
            Truncated::Reject { sampler, lo, hi } => {
                (0..MAX_REJECTIONS).map(|_| sampler.draw(rng)).find(|x| (*lo..=*hi).contains(x)).unwrap_or(f64::NAN)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The truncated distribution's mean by the midpoint rule over its quantile function
    /// (no sampling): ∫₀¹ Q(u) du.
    fn mean_of(t: &Truncated) -> f64 {
        let n = 200_000;
        (0..n).map(|i| t.quantile((i as f64 + 0.5) / n as f64).unwrap()).sum::<f64>() / n as f64
    }

    #[test]
    fn far_right_tails_keep_their_shape() {
        // Means by mpmath quadrature at 40 digits (∫x·f / ∫f over the range).
        let cases = [
            (DistKind::Normal, vec![0.0, 1.0], 8.0, 10.0, 8.121_368_088_023_847),
            (DistKind::Normal, vec![0.0, 1.0], 37.0, 38.0, 37.026_999_584_641_83),
            (DistKind::Gamma, vec![2.0, 1.0], 40.0, 41.0, 40.419_985_942_447_21),
            (DistKind::Exponential, vec![1.0], 40.0, 41.0, 40.418_023_293_130_67),
            (DistKind::LogNormal, vec![0.0, 1.0], 1e4, 1e5, 11_185.921_945_166_996),
            (DistKind::Beta, vec![2.0, 30.0], 0.9, 0.95, 0.903_236_607_095_387_1),
        ];
        for (kind, params, lo, hi, want) in cases {
            let t = Truncated::new(kind, &params, lo, hi).unwrap();
            let got = mean_of(&t);
            assert!((got - want).abs() < 1e-6 * want, "{kind:?}{params:?} on [{lo}, {hi}]: {got} vs {want}");
        }
    }

    #[test]
    fn far_left_tails_and_the_middle_stay_exact() {
        let cases = [
            (DistKind::Normal, vec![0.0, 1.0], -10.0, -8.0, -8.121_368_088_023_847),
            (DistKind::Gamma, vec![2.0, 1.0], 1e-10, 1e-9, 6.727_272_726_748_347e-10),
            (DistKind::Triangular, vec![0.0, 1.0, 4.0], 3.9, 4.0, 3.933_333_333_333_333),
        ];
        for (kind, params, lo, hi, want) in cases {
            let t = Truncated::new(kind, &params, lo, hi).unwrap();
            let got = mean_of(&t);
            assert!((got - want).abs() < 1e-6 * want.abs(), "{kind:?}{params:?} on [{lo}, {hi}]: {got} vs {want}");
        }
    }

    #[test]
    fn counts_are_refused_where_drawing_until_inside_would_fail() {
        // P(X ≥ 10^6) for Poisson(3) is 0 in double precision; P(X ≥ 12) = 7.1e-5 (scipy:
        // poisson.sf(11, 3)) is below the least probability; P(X ≥ 8) = 0.0119 is above.
        for (kind, params, lo, hi, ok) in [
            (DistKind::Poisson, vec![3.0], 1e6, 1e7, false),
            (DistKind::Poisson, vec![3.0], 12.0, 1e9, false),
            (DistKind::Poisson, vec![3.0], 8.0, 1e9, true),
            (DistKind::Poisson, vec![3.0], 0.2, 0.8, false),
            (DistKind::Binomial, vec![10.0, 0.5], 3.0, 7.0, true),
            (DistKind::Bernoulli, vec![0.0001], 0.5, 2.0, false),
            (DistKind::Normal, vec![5.0, 0.0], 4.0, 6.0, true),
            (DistKind::Normal, vec![5.0, 0.0], 6.0, 7.0, false),
        ] {
            let got = Truncated::new(kind, &params, lo, hi);
            assert_eq!(got.is_ok(), ok, "{kind:?}{params:?} on [{lo}, {hi}]: {got:?}");
        }
        let p = range_probability(&Sampler::new(DistKind::Poisson, &[3.0]).unwrap(), 12.0, 1e9);
        assert!((p / 7.138_662_897_420_658e-5 - 1.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn only_ranges_of_zero_probability_are_refused() {
        // S(40) for a standard normal is 3.7e-350, below the smallest double.
        assert!(Truncated::new(DistKind::Normal, &[0.0, 1.0], 40.0, 41.0).is_err());
        assert!(Truncated::new(DistKind::Exponential, &[1.0], 700.0, 701.0).is_ok());
        assert!(Truncated::new(DistKind::Gamma, &[2.0, 1.0], 600.0, 601.0).is_ok());
    }
}
