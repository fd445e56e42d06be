//! [`Sampler`]: a distribution with validated parameters, drawing values and giving
//! quantiles.

use rand_distr::Distribution;

use super::bounded::{self, Count};
use super::kind::{DistKind, PERT_LAMBDA, ParamError, Shown, finite, non_negative, ordered3, positive, probability};
use super::metalog::{Bounds, Metalog};
use super::sample::{self, Rng, normal_cdf_open, normal_quantile, std_normal, uniform_open};

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
    /// Q(U) of a metalog, in closed form.
    Metalog(Box<Metalog>),
    /// One of the values (sorted), each equally likely.
    Empirical(std::sync::Arc<[f64]>),
}

impl Sampler {
    /// Validates `params` (in [`DistKind::params`] order) and builds the sampler. A
    /// metalog's are its number of quantiles k, the k probabilities, the k quantiles,
    /// then its lower and upper bounds if given.
    ///
    /// # Errors
    /// The rule the parameters break.
    ///
    /// ```
    /// use costsim::internals::dist::{DistKind, Sampler};
    /// let err = Sampler::new(DistKind::Normal, &[0.0, -1.0]).unwrap_err();
    /// assert_eq!(err.to_string(), "sd must be ≥ 0 (got -1)");
    /// ```
    pub fn new(kind: DistKind, params: &[f64]) -> Result<Sampler, ParamError> {
        if kind == DistKind::Metalog {
            return metalog(params);
        }
        if kind == DistKind::Empirical {
            return empirical(params);
        }
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
                let lambda = non_negative("lambda", params.get(3).copied().unwrap_or(PERT_LAMBDA))?;
                let width = p(2) - p(0);
                let alpha = 1.0 + lambda * (p(1) - p(0)) / width;
                let beta = 1.0 + lambda * (p(2) - p(1)) / width;
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
            DistKind::Metalog | DistKind::Empirical => unreachable!("built above"),
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
            Sampler::Metalog(m) => m.quantile(uniform_open(rng)),
            Sampler::Empirical(_) => self.quantile(uniform_open(rng)),
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
            Sampler::Metalog(m) => m.quantile(u),
            Sampler::Empirical(values) => {
                // The nearest rank ⌈u·n⌉: each value has probability 1/n.
                let rank = ((u * values.len() as f64).ceil() as usize).clamp(1, values.len());
                values[rank - 1]
            }
        }
    }

    /// The mean: in closed form, or for a metalog by integrating its quantile function
    /// (infinite when its tail is too heavy for one).
    pub fn mean(&self) -> f64 {
        match self {
            Sampler::Normal { mean, .. } => *mean,
            Sampler::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Sampler::Uniform { min, width } => min + width / 2.0,
            Sampler::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Sampler::Beta { min, width, a, b } => min + width * a.shape / (a.shape + b.shape),
            Sampler::Gamma { shape, scale } => shape.shape * scale,
            Sampler::Exponential { rate } => 1.0 / rate,
            Sampler::Poisson { lambda, .. } => *lambda,
            Sampler::Bernoulli(p) => *p,
            Sampler::Binomial { n, p, .. } => *n as f64 * p,
            Sampler::Metalog(m) => m.mean(),
            Sampler::Empirical(values) => values.iter().sum::<f64>() / values.len() as f64,
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
            Sampler::Metalog(_) => each(),
            Sampler::Empirical(_) => each(),
        }
    }
}

/// The empirical distribution of `values` (at least one, each finite).
fn empirical(values: &[f64]) -> Result<Sampler, ParamError> {
    if values.is_empty() {
        return Err(ParamError::Order("needs at least one value".into()));
    }
    if let Some(x) = values.iter().find(|x| !x.is_finite()) {
        return Err(ParamError::NotFinite { name: "values", value: *x });
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(Sampler::Empirical(sorted.into()))
}

/// A metalog from its flattened parameters (see [`Sampler::new`]).
fn metalog(params: &[f64]) -> Result<Sampler, ParamError> {
    let k = params.first().map_or(0, |&k| k as usize);
    let (probabilities, rest) = params[1..].split_at(k.min(params.len() - 1));
    let (quantiles, bounds) = rest.split_at(k.min(rest.len()));
    let bounds = Bounds::new(bounds.first().copied(), bounds.get(1).copied()).map_err(ParamError::Order)?;
    let fitted = Metalog::through(probabilities, quantiles, bounds).map_err(|e| ParamError::Order(e.message))?;
    Ok(Sampler::Metalog(Box::new(fitted)))
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
        assert!(
            super::super::to_lognormal(0.0, 1.0)
                .unwrap_err()
                .to_string()
                .contains("use normal(mean, sd) or uniform(min, max)")
        );
        assert_eq!(super::super::to_lognormal(3.0, 2.0).unwrap_err().to_string(), "`a to b` needs a < b (got 3 to 2)");
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
}
