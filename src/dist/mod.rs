//! Distributions: names and arities, parameter validation, samplers and quantile
//! functions.
//!
//! A [`Sampler`] is built once from validated parameters ([`Sampler::new`]) and then
//! fills columns of draws. When a distribution's parameters vary per trial, the engine
//! builds a sampler per trial; invalid parameters then give NaN, which the engine reports
//! with the var's name.

mod bounded;
mod quantile;
mod sample;
mod truncate;

use bounded::{Count, CountTable};
pub use quantile::QuantileTable;
pub use sample::{Rng, normal_cdf, normal_cdf_open, normal_quantile, std_normal, uniform_open};
pub use truncate::{InverseTruncation, Truncated};

use rand_distr::Distribution;

/// A sampler's quantile function in a faster form, built once for an input drawn through
/// it (lhs, qmc, correlations).
#[derive(Clone, Debug)]
pub enum Tabulated {
    /// Interpolated, for beta, PERT and gamma.
    Continuous(QuantileTable),
    /// The exact CDF of a Poisson or binomial count.
    Counts(CountTable),
}

impl Tabulated {
    /// The table for `sampler`, when it has one.
    pub fn new(sampler: &Sampler) -> Option<Tabulated> {
        match sampler {
            Sampler::Poisson { lambda, .. } => Count::Poisson(*lambda).table().map(Tabulated::Counts),
            Sampler::Binomial { n, p, .. } => Count::Binomial(*n, *p).table().map(Tabulated::Counts),
            _ => QuantileTable::new(sampler).map(Tabulated::Continuous),
        }
    }

    /// Q(u), the same as `sampler.quantile(u)` up to the interpolation's tolerance.
    #[inline]
    pub fn quantile(&self, sampler: &Sampler, u: f64) -> f64 {
        match self {
            Tabulated::Continuous(table) => table.quantile(sampler, u),
            Tabulated::Counts(table) => table.quantile(u),
        }
    }
}

/// The built-in distributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistKind {
    /// `normal(mean, sd)`
    Normal,
    /// `lognormal(mu, sigma)`, parameters of the underlying normal.
    LogNormal,
    /// `uniform(min, max)`
    Uniform,
    /// `triangular(min, mode, max)`
    Triangular,
    /// `pert(min, mode, max)`: Beta-PERT with λ = 4.
    Pert,
    /// `beta(a, b)`
    Beta,
    /// `gamma(shape, scale)`
    Gamma,
    /// `exponential(rate)`
    Exponential,
    /// `poisson(lambda)`
    Poisson,
    /// `bernoulli(p)`
    Bernoulli,
    /// `binomial(n, p)`
    Binomial,
}

/// z such that Φ(z) = 0.95: `a to b` has a and b at ±Z95 standard deviations.
pub const Z95: f64 = 1.644_853_626_951_472_2;

impl DistKind {
    /// Every distribution with its name, for lookups and suggestions.
    pub const ALL: [(&'static str, DistKind); 11] = [
        ("normal", DistKind::Normal),
        ("lognormal", DistKind::LogNormal),
        ("uniform", DistKind::Uniform),
        ("triangular", DistKind::Triangular),
        ("pert", DistKind::Pert),
        ("beta", DistKind::Beta),
        ("gamma", DistKind::Gamma),
        ("exponential", DistKind::Exponential),
        ("poisson", DistKind::Poisson),
        ("bernoulli", DistKind::Bernoulli),
        ("binomial", DistKind::Binomial),
    ];

    /// The distribution called `name`.
    pub fn from_name(name: &str) -> Option<DistKind> {
        DistKind::ALL.iter().find(|(n, _)| *n == name).map(|&(_, k)| k)
    }

    /// The name used in model files.
    pub fn name(self) -> &'static str {
        DistKind::ALL.iter().find(|(_, k)| *k == self).map_or("?", |(n, _)| n)
    }

    /// Parameter names, in call order.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            DistKind::Normal => &["mean", "sd"],
            DistKind::LogNormal => &["mu", "sigma"],
            DistKind::Uniform => &["min", "max"],
            DistKind::Triangular | DistKind::Pert => &["min", "mode", "max"],
            DistKind::Beta => &["a", "b"],
            DistKind::Gamma => &["shape", "scale"],
            DistKind::Exponential => &["rate"],
            DistKind::Poisson => &["lambda"],
            DistKind::Bernoulli => &["p"],
            DistKind::Binomial => &["n", "p"],
        }
    }
}

/// A rule that a distribution's parameters break.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// A parameter is NaN or infinite.
    #[error("{name} must be a finite number (got {})", Shown(*value))]
    NotFinite {
        /// The parameter's name.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A parameter must be positive (or non-negative).
    #[error("{name} must be {rule} (got {})", Shown(*value))]
    Bound {
        /// The parameter's name.
        name: &'static str,
        /// E.g. "> 0".
        rule: &'static str,
        /// Its value.
        value: f64,
    },
    /// Parameters are out of order.
    #[error("{0}")]
    Order(String),
}

fn finite(names: &[&'static str], params: &[f64]) -> Result<(), ParamError> {
    match names.iter().zip(params).find(|(_, v)| !v.is_finite()) {
        Some((&name, &value)) => Err(ParamError::NotFinite { name, value }),
        None => Ok(()),
    }
}

fn positive(name: &'static str, value: f64) -> Result<f64, ParamError> {
    if value > 0.0 { Ok(value) } else { Err(ParamError::Bound { name, rule: "> 0", value }) }
}

fn non_negative(name: &'static str, value: f64) -> Result<f64, ParamError> {
    if value >= 0.0 { Ok(value) } else { Err(ParamError::Bound { name, rule: "≥ 0", value }) }
}

fn probability(value: f64) -> Result<f64, ParamError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(ParamError::Bound { name: "p", rule: "between 0 and 1", value })
    }
}

/// A number in a message, exactly as a double and short: scientific notation outside
/// [1e-4, 1e15), so that 1e308 does not print as 309 digits.
#[derive(Clone, Copy, Debug)]
pub struct Shown(pub f64);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let magnitude = self.0.abs();
        if magnitude == 0.0 || !magnitude.is_finite() || (1e-4..1e15).contains(&magnitude) {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}

fn ordered3(min: f64, mode: f64, max: f64) -> Result<(), ParamError> {
    if min <= mode && mode <= max && min < max {
        return Ok(());
    }
    let [min, mode, max] = [min, mode, max].map(Shown);
    Err(ParamError::Order(format!("need min ≤ mode ≤ max and min < max (got {min}, {mode}, {max})")))
}

/// The lognormal (mu, sigma) whose 5th and 95th percentiles are `lo` and `hi`.
///
/// # Errors
/// Unless 0 < lo < hi.
///
/// ```
/// let (mu, sigma) = costsim::dist::to_lognormal(1.0, 100.0).unwrap();
/// assert!((mu - 10f64.ln()).abs() < 1e-12 && sigma > 0.0);
/// assert!(costsim::dist::to_lognormal(-1.0, 1.0).is_err());
/// ```
pub fn to_lognormal(lo: f64, hi: f64) -> Result<(f64, f64), ParamError> {
    finite(&["low", "high"], &[lo, hi])?;
    let (lo, hi) = (Shown(lo), Shown(hi));
    if lo.0 <= 0.0 {
        return Err(ParamError::Order(format!(
            "`a to b` is a lognormal and needs 0 < a < b (got a = {lo}); for ranges that include zero or negatives use normal(mean, sd) or uniform(min, max)"
        )));
    }
    if lo.0 >= hi.0 {
        return Err(ParamError::Order(format!("`a to b` needs a < b (got {lo} to {hi})")));
    }
    let (ln_lo, ln_hi) = (lo.0.ln(), hi.0.ln());
    Ok(((ln_lo + ln_hi) / 2.0, (ln_hi - ln_lo) / (2.0 * Z95)))
}

/// How Poisson(λ) draws.
#[derive(Clone, Debug)]
pub enum PoissonDraw {
    /// λ = 0: always 0.
    Zero,
    /// rand_distr's exact sampler (λ up to its limit, [`rand_distr::Poisson::MAX_LAMBDA`]
    /// ≈ 1.8e19).
    Exact(rand_distr::Poisson<f64>),
    /// Beyond that limit, round(λ + √λ·Z): the skewness 1/√λ is below 2.4e-10, and
    /// values that large are spaced 2,048 or more apart in double precision anyway.
    Normal,
}

/// A distribution with validated parameters, ready to draw from.
#[derive(Clone, Debug)]
pub enum Sampler {
    /// mean + sd·Z
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// exp(mu + sigma·Z)
    LogNormal {
        /// Mean of the log.
        mu: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// min + width·U
    Uniform {
        /// Lower bound.
        min: f64,
        /// max − min.
        width: f64,
    },
    /// Triangular by inverse CDF.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// min + width·X/(X+Y) with X, Y gamma: Beta and Beta-PERT.
    Beta {
        /// Lower bound (0 for `beta`).
        min: f64,
        /// Scale (1 for `beta`).
        width: f64,
        /// Gamma(α) draws.
        a: sample::StdGamma,
        /// Gamma(β) draws.
        b: sample::StdGamma,
    },
    /// scale·Gamma(shape)
    Gamma {
        /// Unit-scale gamma draws.
        shape: sample::StdGamma,
        /// Scale.
        scale: f64,
    },
    /// Exp1/rate
    Exponential {
        /// Rate.
        rate: f64,
    },
    /// Poisson(λ).
    Poisson {
        /// λ.
        lambda: f64,
        /// How it draws.
        draw: PoissonDraw,
    },
    /// 1 with probability p.
    Bernoulli(f64),
    /// Binomial(n, p).
    Binomial {
        /// Trials.
        n: u64,
        /// Success probability.
        p: f64,
        /// The sampler.
        draw: rand_distr::Binomial,
    },
}

impl Sampler {
    /// Validates `params` (in [`DistKind::params`] order) and builds the sampler.
    ///
    /// # Errors
    /// The rule the parameters break.
    ///
    /// ```
    /// use costsim::dist::{DistKind, Sampler};
    /// let err = Sampler::new(DistKind::Normal, &[0.0, -1.0]).unwrap_err();
    /// assert_eq!(err.to_string(), "sd must be ≥ 0 (got -1)");
    /// ```
    pub fn new(kind: DistKind, params: &[f64]) -> Result<Sampler, ParamError> {
        finite(kind.params(), params)?;
        let p = |i: usize| params[i];
        Ok(match kind {
            DistKind::Normal => Sampler::Normal { mean: p(0), sd: non_negative("sd", p(1))? },
            DistKind::LogNormal => Sampler::LogNormal { mu: p(0), sigma: non_negative("sigma", p(1))? },
            DistKind::Uniform => {
                if p(0) > p(1) {
                    return Err(ParamError::Order(format!("need min ≤ max (got {}, {})", Shown(p(0)), Shown(p(1)))));
                }
                Sampler::Uniform { min: p(0), width: p(1) - p(0) }
            }
            DistKind::Triangular => {
                ordered3(p(0), p(1), p(2))?;
                Sampler::Triangular { min: p(0), mode: p(1), max: p(2) }
            }
            DistKind::Pert => {
                ordered3(p(0), p(1), p(2))?;
                let width = p(2) - p(0);
                let alpha = 1.0 + 4.0 * (p(1) - p(0)) / width;
                let beta = 1.0 + 4.0 * (p(2) - p(1)) / width;
                Sampler::Beta { min: p(0), width, a: sample::StdGamma::new(alpha), b: sample::StdGamma::new(beta) }
            }
            DistKind::Beta => {
                let (a, b) = (positive("a", p(0))?, positive("b", p(1))?);
                Sampler::Beta { min: 0.0, width: 1.0, a: sample::StdGamma::new(a), b: sample::StdGamma::new(b) }
            }
            DistKind::Gamma => {
                let shape = positive("shape", p(0))?;
                Sampler::Gamma { shape: sample::StdGamma::new(shape), scale: positive("scale", p(1))? }
            }
            DistKind::Exponential => Sampler::Exponential { rate: positive("rate", p(0))? },
            DistKind::Poisson => {
                let lambda = non_negative("lambda", p(0))?;
                let draw = match rand_distr::Poisson::new(lambda) {
                    _ if lambda == 0.0 => PoissonDraw::Zero,
                    Ok(exact) => PoissonDraw::Exact(exact),
                    Err(_) if lambda > rand_distr::Poisson::<f64>::MAX_LAMBDA => PoissonDraw::Normal,
                    Err(e) => return Err(ParamError::Order(e.to_string())),
                };
                Sampler::Poisson { lambda, draw }
            }
            DistKind::Bernoulli => Sampler::Bernoulli(probability(p(0))?),
            DistKind::Binomial => {
                let n = non_negative("n", p(0))?;
                if n.fract() != 0.0 || n > 2f64.powi(53) {
                    return Err(ParamError::Bound { name: "n", rule: "a whole number", value: n });
                }
                let prob = probability(p(1))?;
                let draw = rand_distr::Binomial::new(n as u64, prob).map_err(|e| ParamError::Order(e.to_string()))?;
                Sampler::Binomial { n: n as u64, p: prob, draw }
            }
        })
    }

    /// One draw.
    #[inline(always)]
    pub fn draw(&self, rng: &mut Rng) -> f64 {
        match self {
            Sampler::Normal { mean, sd } => mean + sd * sample::std_normal(rng),
            Sampler::LogNormal { mu, sigma } => (mu + sigma * sample::std_normal(rng)).exp(),
            Sampler::Uniform { min, width } => min + width * uniform_open(rng),
            Sampler::Triangular { min, mode, max } => sample::triangular_quantile(*min, *mode, *max, uniform_open(rng)),
            Sampler::Beta { min, width, a, b } => min + width * sample::beta(a, b, rng),
            Sampler::Gamma { shape, scale } => scale * shape.draw(rng),
            Sampler::Exponential { rate } => sample::std_exp(rng) / rate,
            Sampler::Poisson { draw: PoissonDraw::Zero, .. } => 0.0,
            Sampler::Poisson { draw: PoissonDraw::Exact(p), .. } => p.sample(rng),
            Sampler::Poisson { lambda, draw: PoissonDraw::Normal } => {
                (lambda + lambda.sqrt() * std_normal(rng)).round()
            }
            Sampler::Bernoulli(p) => f64::from(uniform_open(rng) < *p),
            Sampler::Binomial { draw, .. } => draw.sample(rng) as f64,
        }
    }

    /// Q(Φ(z)): the value at the same quantile as the standard normal value z; exact and
    /// cheap for normal and lognormal inputs.
    pub fn at_normal(&self, z: f64) -> f64 {
        match self {
            Sampler::Normal { mean, sd } => mean + sd * z,
            Sampler::LogNormal { mu, sigma } => (mu + sigma * z).exp(),
            _ => self.quantile(normal_cdf_open(z)),
        }
    }

    /// The quantile function Q(u) for 0 < u < 1: the value below which a fraction u of
    /// draws fall (for discrete distributions, the smallest value with CDF ≥ u).
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Sampler::Normal { mean, sd } => mean + sd * normal_quantile(u),
            Sampler::LogNormal { mu, sigma } => (mu + sigma * normal_quantile(u)).exp(),
            Sampler::Uniform { min, width } => min + width * u,
            Sampler::Triangular { min, mode, max } => sample::triangular_quantile(*min, *mode, *max, u),
            Sampler::Beta { min, width, a, b } => min + width * bounded::beta(a.shape, b.shape, u, false),
            Sampler::Gamma { shape, scale } => scale * bounded::gamma(shape.shape, u, false),
            Sampler::Exponential { rate } => -(-u).ln_1p() / rate,
            Sampler::Poisson { draw: PoissonDraw::Zero, .. } => 0.0,
            Sampler::Poisson { lambda, .. } => Count::Poisson(*lambda).quantile(u),
            Sampler::Bernoulli(p) => f64::from(u > 1.0 - p),
            Sampler::Binomial { n, p, .. } => Count::Binomial(*n, *p).quantile(u),
        }
    }

    /// Fills `out` with independent draws.
    pub fn fill(&self, rng: &mut Rng, out: &mut [f64]) {
        // One loop per kind, each with `draw` inlined for a kind the compiler then knows.
        let mut each = || out.iter_mut().for_each(|x| *x = self.draw(rng));
        match self {
            Sampler::LogNormal { mu, sigma } => {
                out.iter_mut().for_each(|x| *x = sample::std_normal(rng));
                out.iter_mut().for_each(|x| *x = (mu + sigma * *x).exp());
            }
            Sampler::Normal { .. } => each(),
            Sampler::Uniform { .. } => each(),
            Sampler::Triangular { .. } => each(),
            Sampler::Beta { .. } => each(),
            Sampler::Gamma { .. } => each(),
            Sampler::Exponential { .. } => each(),
            Sampler::Poisson { .. } => each(),
            Sampler::Bernoulli(_) => each(),
            Sampler::Binomial { .. } => each(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_checked_with_its_message() {
        let err = |kind, params: &[f64]| Sampler::new(kind, params).unwrap_err().to_string();
        assert_eq!(err(DistKind::Uniform, &[2.0, 1.0]), "need min ≤ max (got 2, 1)");
        assert_eq!(err(DistKind::Pert, &[1.0, 5.0, 3.0]), "need min ≤ mode ≤ max and min < max (got 1, 5, 3)");
        assert_eq!(err(DistKind::Triangular, &[1.0, 1.0, 1.0]), "need min ≤ mode ≤ max and min < max (got 1, 1, 1)");
        assert_eq!(err(DistKind::Beta, &[0.0, 1.0]), "a must be > 0 (got 0)");
        assert_eq!(err(DistKind::Gamma, &[1.0, -2.0]), "scale must be > 0 (got -2)");
        assert_eq!(err(DistKind::Exponential, &[0.0]), "rate must be > 0 (got 0)");
        assert_eq!(err(DistKind::Poisson, &[-1.0]), "lambda must be ≥ 0 (got -1)");
        assert_eq!(err(DistKind::Bernoulli, &[1.5]), "p must be between 0 and 1 (got 1.5)");
        assert_eq!(err(DistKind::Binomial, &[2.5, 0.5]), "n must be a whole number (got 2.5)");
        assert_eq!(err(DistKind::Normal, &[f64::NAN, 1.0]), "mean must be a finite number (got NaN)");
        assert!(to_lognormal(0.0, 1.0).unwrap_err().to_string().contains("use normal(mean, sd) or uniform(min, max)"));
        assert_eq!(to_lognormal(3.0, 2.0).unwrap_err().to_string(), "`a to b` needs a < b (got 3 to 2)");
    }

    #[test]
    fn quantiles_invert_the_cdf() {
        use statrs::distribution::{Beta, ContinuousCDF, Gamma, Normal};
        let normal = Sampler::new(DistKind::Normal, &[3.0, 2.0]).unwrap();
        let pert = Sampler::new(DistKind::Pert, &[0.0, 1.0, 4.0]).unwrap();
        let gamma = Sampler::new(DistKind::Gamma, &[2.5, 3.0]).unwrap();
        for u in [0.001, 0.05, 0.5, 0.95, 0.999] {
            let err = (Normal::new(3.0, 2.0).unwrap().cdf(normal.quantile(u)) - u).abs();
            assert!(err < 1e-12 * u.max(1e-3) * 1e3, "u={u} err={err}");
            assert!((Beta::new(2.0, 4.0).unwrap().cdf(pert.quantile(u) / 4.0) - u).abs() < 1e-9);
            assert!((Gamma::new(2.5, 1.0 / 3.0).unwrap().cdf(gamma.quantile(u)) - u).abs() < 1e-9);
        }
        let poisson = Sampler::new(DistKind::Poisson, &[3.0]).unwrap();
        assert_eq!(poisson.quantile(0.5), 3.0);
        assert_eq!(Sampler::new(DistKind::Bernoulli, &[0.3]).unwrap().quantile(0.69), 0.0);
        assert_eq!(Sampler::new(DistKind::Bernoulli, &[0.3]).unwrap().quantile(0.71), 1.0);
    }

    #[test]
    fn names_round_trip() {
        for (name, kind) in DistKind::ALL {
            assert_eq!(DistKind::from_name(name), Some(kind));
            assert_eq!(kind.name(), name);
        }
    }
}
