//! Draw kernels: uniform, normal, exponential and gamma variates.
//!
//! Gamma uses Marsaglia & Tsang (2000), "A simple method for generating gamma
//! variables", ACM TOMS 26(3), with the U^(1/a) boost for shape < 1. Beta is X/(X+Y)
//! with X, Y gamma, which is exact in distribution and several times faster than
//! Cheng's algorithm used by rand_distr's `Beta`; for shapes below 1 it is formed from
//! ln X and ln Y, which cannot underflow.

use rand::Rng as _;
use rand_distr::{Distribution, Exp1, StandardNormal};

pub use crate::stream::Rng;

/// A uniform draw in the open interval (0, 1), so that `ln` and quantile functions of it
/// are always finite.
#[inline(always)]
pub(crate) fn uniform_open(rng: &mut Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal draw (ziggurat).
#[inline(always)]
pub(crate) fn std_normal(rng: &mut Rng) -> f64 {
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

    /// One draw, inside the support (0, ∞): a draw below the smallest positive double
    /// (shapes below about 0.01) is that double.
    #[inline]
    pub(super) fn draw(&self, rng: &mut Rng) -> f64 {
        let x = self.draw_at_least_one(rng);
        if self.inv_shape == 0.0 { x } else { (x * uniform_open(rng).powf(self.inv_shape)).max(TINY) }
    }

    /// The logarithm of one draw, which does not underflow for tiny shapes (where
    /// `draw` gives exactly 0 about half the time at shape 0.001).
    #[inline]
    fn ln_draw(&self, rng: &mut Rng) -> f64 {
        let x = self.draw_at_least_one(rng).ln();
        if self.inv_shape == 0.0 { x } else { x + uniform_open(rng).ln() * self.inv_shape }
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

/// A Beta(a, b) draw as X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b). When a shape is below
/// 1 both gamma draws can underflow to 0 (beta(0.001, 0.001) gave 0/0 in 22% of trials),
/// so the ratio is then formed from their logarithms, 1/(1 + e^(ln Y − ln X)), and kept
/// inside (0, 1).
#[inline]
pub(super) fn beta(a: &StdGamma, b: &StdGamma, rng: &mut Rng) -> f64 {
    if a.inv_shape == 0.0 && b.inv_shape == 0.0 {
        let x = a.draw(rng);
        let y = b.draw(rng);
        return x / (x + y);
    }
    let d = a.ln_draw(rng) - b.ln_draw(rng);
    let x = if d >= 0.0 {
        1.0 / (1.0 + (-d).exp())
    } else {
        let e = d.exp();
        e / (1.0 + e)
    };
    // Inside the support (0, 1): the nearest double inside it when x rounds to an end.
    x.clamp(TINY, 1.0 - f64::EPSILON / 2.0)
}

/// The smallest positive double.
const TINY: f64 = 5e-324;

/// The standard normal CDF Φ(z).
#[inline]
pub(crate) fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// Φ(z) kept inside the open interval (0, 1), so quantile functions of it are finite.
#[inline]
pub(crate) fn normal_cdf_open(z: f64) -> f64 {
    normal_cdf(z).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0)
}

/// The standard normal quantile Φ⁻¹(u), for 0 < u < 1, by Wichura's algorithm AS 241
/// (PPND16, Applied Statistics 37(3), 1988): rational approximations accurate to about
/// 1e-16, with one logarithm and one square root in the tails and neither in the middle.
#[inline]
#[allow(clippy::excessive_precision)] // Coefficients as published, to check against the paper.
pub(crate) fn normal_quantile(u: f64) -> f64 {
    const A: [f64; 8] = [
        3.387_132_872_796_366_608,
        133.141_667_891_784_377_45,
        1_971.590_950_306_551_442_7,
        13_731.693_765_509_461_125,
        45_921.953_931_549_871_457,
        67_265.770_927_008_700_853,
        33_430.575_583_588_128_105,
        2_509.080_928_730_122_672_7,
    ];
    const B: [f64; 8] = [
        1.0,
        42.313_330_701_600_911_252,
        687.187_007_492_057_908_3,
        5_394.196_021_424_751_107_7,
        21_213.794_301_586_595_867,
        39_307.895_800_092_710_61,
        28_729.085_735_721_942_674,
        5_226.495_278_852_854_561,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        0.241_780_725_177_450_611_77,
        0.022_723_844_989_269_184_583_3,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        0.689_767_334_985_100_004_55,
        0.148_103_976_427_480_074_59,
        0.015_198_666_563_616_457_196_6,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        0.296_560_571_828_504_891_23,
        0.026_532_189_526_576_123_093,
        0.001_242_660_947_388_078_438_6,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        0.599_832_206_555_887_937_69,
        0.136_929_880_922_735_805_31,
        0.014_875_361_290_850_614_852_5,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    fn ratio(num: &[f64; 8], den: &[f64; 8], x: f64) -> f64 {
        let horner = |c: &[f64; 8]| c.iter().rev().fold(0.0, |acc, &k| acc * x + k);
        horner(num) / horner(den)
    }
    let q = u - 0.5;
    if q.abs() <= 0.425 {
        return q * ratio(&A, &B, 0.180_625 - q * q);
    }
    let r = (-(if q < 0.0 { u } else { 1.0 - u }).ln()).sqrt();
    let z = if r <= 5.0 { ratio(&C, &D, r - 1.6) } else { ratio(&E, &F, r - 5.0) };
    if q < 0.0 { -z } else { z }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_inverts_the_cdf_to_full_precision() {
        let reference = |u: f64| -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * u);
        for u in [1e-300, 1e-20, 1e-12, 1e-6, 0.001, 0.05, 0.0751, 0.3, 0.5, 0.7, 0.924, 0.95, 0.999, 1.0 - 1e-12] {
            let (got, want) = (normal_quantile(u), reference(u));
            assert!((got - want).abs() <= 1e-14 * want.abs().max(1.0), "u={u}: {got} vs {want}");
        }
        assert_eq!(normal_quantile(0.5), 0.0);
    }
}
