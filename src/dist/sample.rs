//! Draw kernels: uniform, normal, exponential and gamma variates.
//!
//! Gamma uses Marsaglia & Tsang (2000), "A simple method for generating gamma
//! variables", ACM TOMS 26(3), with the U^(1/a) boost for shape < 1. Beta is X/(X+Y)
//! with X, Y gamma, which is exact in distribution and several times faster than
//! Cheng's algorithm used by rand_distr's `Beta`.

use rand::Rng as _;
use rand_distr::{Distribution, Exp1, StandardNormal};

/// The generator behind every stream: xoshiro256++ (fast, 256-bit state, portable).
pub type Rng = rand::rngs::Xoshiro256PlusPlus;

/// A uniform draw in the open interval (0, 1), so that `ln` and quantile functions of it
/// are always finite.
#[inline(always)]
pub fn uniform_open(rng: &mut Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal draw (ziggurat).
#[inline(always)]
pub fn std_normal(rng: &mut Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// A unit-rate exponential draw (ziggurat).
#[inline(always)]
pub(super) fn std_exp(rng: &mut Rng) -> f64 {
    Exp1.sample(rng)
}

/// Inverse CDF of triangular(min, mode, max) at `u`.
#[inline(always)]
pub(super) fn triangular_quantile(min: f64, mode: f64, max: f64, u: f64) -> f64 {
    let width = max - min;
    if u * width < mode - min {
        min + (u * width * (mode - min)).sqrt()
    } else {
        max - ((1.0 - u) * width * (max - mode)).sqrt()
    }
}

/// Unit-scale Gamma(shape) with Marsaglia–Tsang constants precomputed.
#[derive(Clone, Debug)]
pub struct StdGamma {
    /// The shape parameter.
    pub(super) shape: f64,
    /// shape − 1/3 (of shape + 1 when boosting).
    d: f64,
    /// 1/√(9d).
    c: f64,
    /// 1/shape when shape < 1, else 0 (no boost).
    inv_shape: f64,
}

impl StdGamma {
    /// Gamma with the given shape > 0.
    pub(super) fn new(shape: f64) -> StdGamma {
        let boosted = if shape < 1.0 { shape + 1.0 } else { shape };
        let d = boosted - 1.0 / 3.0;
        StdGamma { shape, d, c: 1.0 / (9.0 * d).sqrt(), inv_shape: if shape < 1.0 { 1.0 / shape } else { 0.0 } }
    }

    /// One draw.
    #[inline]
    pub(super) fn draw(&self, rng: &mut Rng) -> f64 {
        let x = self.draw_at_least_one(rng);
        if self.inv_shape == 0.0 { x } else { x * uniform_open(rng).powf(self.inv_shape) }
    }

    #[inline]
    fn draw_at_least_one(&self, rng: &mut Rng) -> f64 {
        loop {
            let z = std_normal(rng);
            let v = 1.0 + self.c * z;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = uniform_open(rng);
            let z2 = z * z;
            if u < 1.0 - 0.0331 * z2 * z2 || u.ln() < 0.5 * z2 + self.d * (1.0 - v + v.ln()) {
                return self.d * v;
            }
        }
    }
}

/// The standard normal CDF Φ(z).
#[inline]
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile Φ⁻¹(u), for 0 < u < 1.
#[inline]
pub fn normal_quantile(u: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * u)
}
