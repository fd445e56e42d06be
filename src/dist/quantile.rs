//! CDFs and quantile functions, and truncation built on them.
//!
//! `truncate(dist, lo, hi)` restricts a distribution to [lo, hi] without clamping: for
//! continuous distributions with constant parameters it draws u uniformly in
//! [F(lo), F(hi)] and returns F⁻¹(u) (one draw per trial, exact); otherwise it resamples
//! until the draw falls inside, giving NaN (reported) after [`MAX_REJECTIONS`] misses.

use statrs::distribution::{Beta, ContinuousCDF, Exp, Gamma, LogNormal, Normal};

use super::sample::{triangular_quantile, uniform_open};
use super::{DistKind, ParamError, Rng, Sampler};

/// Draws tried per trial before rejection sampling gives up.
pub(crate) const MAX_REJECTIONS: usize = 10_000;

/// A continuous distribution's CDF and quantile function.
#[derive(Clone, Debug)]
enum Continuous {
    Normal(Normal),
    LogNormal(LogNormal),
    Uniform { min: f64, width: f64 },
    Triangular { min: f64, mode: f64, max: f64 },
    Beta { min: f64, width: f64, beta: Beta },
    Gamma { scale: f64, gamma: Gamma },
    Exp(Exp),
}

impl Continuous {
    fn new(kind: DistKind, p: &[f64]) -> Option<Continuous> {
        Some(match kind {
            DistKind::Normal if p[1] > 0.0 => Continuous::Normal(Normal::new(p[0], p[1]).ok()?),
            DistKind::LogNormal if p[1] > 0.0 => Continuous::LogNormal(LogNormal::new(p[0], p[1]).ok()?),
            DistKind::Uniform if p[1] > p[0] => Continuous::Uniform { min: p[0], width: p[1] - p[0] },
            DistKind::Triangular => Continuous::Triangular { min: p[0], mode: p[1], max: p[2] },
            DistKind::Pert => {
                let width = p[2] - p[0];
                let (a, b) = (1.0 + 4.0 * (p[1] - p[0]) / width, 1.0 + 4.0 * (p[2] - p[1]) / width);
                Continuous::Beta { min: p[0], width, beta: Beta::new(a, b).ok()? }
            }
            DistKind::Beta => Continuous::Beta { min: 0.0, width: 1.0, beta: Beta::new(p[0], p[1]).ok()? },
            DistKind::Gamma => Continuous::Gamma { scale: p[1], gamma: Gamma::new(p[0], 1.0).ok()? },
            DistKind::Exponential => Continuous::Exp(Exp::new(p[0]).ok()?),
            _ => return None,
        })
    }

    fn cdf(&self, x: f64) -> f64 {
        match self {
            Continuous::Normal(d) => d.cdf(x),
            Continuous::LogNormal(d) => d.cdf(x),
            Continuous::Uniform { min, width } => ((x - min) / width).clamp(0.0, 1.0),
            Continuous::Triangular { min, mode, max } => triangular_cdf(*min, *mode, *max, x),
            Continuous::Beta { min, width, beta } => beta.cdf(((x - min) / width).clamp(0.0, 1.0)),
            Continuous::Gamma { scale, gamma } => gamma.cdf((x / scale).max(0.0)),
            Continuous::Exp(d) => d.cdf(x),
        }
    }

    fn quantile(&self, u: f64) -> f64 {
        match self {
            Continuous::Normal(d) => d.inverse_cdf(u),
            Continuous::LogNormal(d) => d.inverse_cdf(u),
            Continuous::Uniform { min, width } => min + width * u,
            Continuous::Triangular { min, mode, max } => triangular_quantile(*min, *mode, *max, u),
            Continuous::Beta { min, width, beta } => min + width * beta.inverse_cdf(u),
            Continuous::Gamma { scale, gamma } => scale * gamma.inverse_cdf(u),
            Continuous::Exp(d) => d.inverse_cdf(u),
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

/// A distribution restricted to [lo, hi].
#[derive(Clone, Debug)]
pub enum Truncated {
    /// Inverse-CDF sampling between F(lo) and F(hi).
    Inverse {
        /// The distribution's quantile function.
        dist: ContinuousBox,
        /// F(lo).
        p_lo: f64,
        /// F(hi) − F(lo).
        p_width: f64,
        /// Bounds, to clamp round-off in F⁻¹.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
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

/// Opaque holder of a continuous distribution's CDF and quantile function.
#[derive(Clone, Debug)]
pub struct ContinuousBox(Continuous);

impl Truncated {
    /// `kind(params)` restricted to [lo, hi].
    ///
    /// # Errors
    /// Invalid parameters, lo ≥ hi, or a range the distribution gives no probability.
    pub fn new(kind: DistKind, params: &[f64], lo: f64, hi: f64) -> Result<Truncated, ParamError> {
        let sampler = Sampler::new(kind, params)?;
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return Err(ParamError::Order(format!("truncate needs lo < hi (got {lo}, {hi})")));
        }
        let Some(dist) = Continuous::new(kind, params) else {
            return Ok(Truncated::Reject { sampler: Box::new(sampler), lo, hi });
        };
        let p_lo = dist.cdf(lo);
        let p_width = dist.cdf(hi) - p_lo;
        if p_width.is_nan() || p_width <= 0.0 {
            return Err(ParamError::Order(format!(
                "{}(...) has no probability between {lo} and {hi}; widen the range",
                kind.name()
            )));
        }
        Ok(Truncated::Inverse { dist: ContinuousBox(dist), p_lo, p_width, lo, hi })
    }

    /// The quantile function at u (0 < u < 1), when it is known exactly (inverse-CDF
    /// truncation); `None` for truncation by rejection.
    pub fn quantile(&self, u: f64) -> Option<f64> {
        match self {
            Truncated::Inverse { dist, p_lo, p_width, lo, hi } => {
                Some(dist.0.quantile(p_lo + p_width * u).clamp(*lo, *hi))
            }
            Truncated::Reject { .. } => None,
        }
    }

    /// One draw; NaN if rejection sampling found no value in range.
    #[inline]
    pub fn draw(&self, rng: &mut Rng) -> f64 {
        match self {
            Truncated::Inverse { dist, p_lo, p_width, lo, hi } => {
                dist.0.quantile(p_lo + p_width * uniform_open(rng)).clamp(*lo, *hi)
            }
            Truncated::Reject { sampler, lo, hi } => {
                (0..MAX_REJECTIONS).map(|_| sampler.draw(rng)).find(|x| (*lo..=*hi).contains(x)).unwrap_or(f64::NAN)
            }
        }
    }
}

/// A quantile function tabulated for speed: cubic Hermite interpolation between exact
/// values and slopes (Q′(u) = 1/f(Q(u))) on a grid of `TABLE_INTERVALS` (4,096) intervals.
/// An interval is interpolated only if, at its midpoint, the interpolant matches the
/// exact quantile function to within 1e-10 of the distribution's p1–p99 range (near
/// the ends, where Q′ blows up, intervals fail this and stay exact), so the marginal is
/// unchanged for all practical purposes.
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
                let finite = table.slopes[i].is_finite() && table.slopes[i + 1].is_finite();
                finite && (table.interpolate(u) - sampler.quantile(u)).abs() <= tolerance
            })
            .collect();
        let share = table.interpolated.iter().filter(|&&ok| ok).count() as f64 / n as f64;
        (share > 0.9).then_some(table)
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
