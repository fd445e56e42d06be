//! Distributions fitted to data: normal, lognormal and gamma by maximum likelihood, a
//! metalog by least squares on the data's quantiles, or the data themselves (empirical),
//! each with its Kolmogorov–Smirnov distance from the data and that distance's p-value.

use statrs::function::gamma::digamma;

use super::kind::{DistKind, Shown};
use super::metalog::{Bounds, Metalog};
use super::sampler::Sampler;
use super::truncate::below;

/// The distributions a column of data can be fitted to, in the order messages list them.
pub(crate) const FITS: [DistKind; 5] =
    [DistKind::Empirical, DistKind::Normal, DistKind::LogNormal, DistKind::Gamma, DistKind::Metalog];

/// The metalog terms a fit uses when the model names none.
pub(crate) const DEFAULT_TERMS: usize = 5;

/// How far a fit is from its data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Goodness {
    /// Kolmogorov–Smirnov distance: the largest gap between the fitted CDF and the data's.
    pub distance: f64,
    /// Its asymptotic p-value (Kolmogorov's distribution, with Stephens' correction for
    /// n). The parameters come from the same data, so it is on the high side (Lilliefors).
    pub p_value: f64,
}

/// The fewest values each family is fitted to.
fn min_values(family: DistKind, terms: usize) -> usize {
    match family {
        DistKind::Empirical => 1,
        DistKind::Metalog => terms + 1,
        _ => 2,
    }
}

/// Fits `family` (one of [`FITS`]) to `data` (finite numbers; `bounds` and `terms` for a
/// metalog): normal, lognormal and gamma by maximum likelihood, a metalog by least
/// squares on the data's quantiles, the empirical distribution as the data themselves;
/// and measures the fit.
///
/// # Errors
/// Too few values, values outside the family's support (with the first one), data with
/// no spread, or a metalog with no valid density for this many terms.
pub(crate) fn fit(
    family: DistKind,
    data: &[f64],
    terms: usize,
    bounds: Bounds,
) -> Result<(Sampler, Option<Goodness>), String> {
    let n = data.len();
    let wanted = min_values(family, terms);
    if n < wanted {
        return Err(format!("a {} fit needs at least {wanted} values (got {n})", family.name()));
    }
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let positive = matches!(family, DistKind::LogNormal | DistKind::Gamma);
    if positive && let Some(x) = sorted.iter().find(|x| **x <= 0.0) {
        return Err(format!("a {} fit needs values above 0 (got {})", family.name(), Shown(*x)));
    }
    if family != DistKind::Empirical && sorted[0] == sorted[n - 1] {
        return Err(format!("every value is {}: a constant has no {} fit", Shown(sorted[0]), family.name()));
    }
    let nf = n as f64;
    let params = match family {
        DistKind::Normal => {
            let mean = sorted.iter().sum::<f64>() / nf;
            vec![mean, (sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / nf).sqrt()]
        }
        DistKind::LogNormal => {
            let mu = sorted.iter().map(|x| x.ln()).sum::<f64>() / nf;
            vec![mu, (sorted.iter().map(|x| (x.ln() - mu).powi(2)).sum::<f64>() / nf).sqrt()]
        }
        DistKind::Gamma => {
            let mean = sorted.iter().sum::<f64>() / nf;
            let mean_ln = sorted.iter().map(|x| x.ln()).sum::<f64>() / nf;
            let shape = gamma_shape(mean.ln() - mean_ln);
            vec![shape, mean / shape]
        }
        DistKind::Metalog => return metalog(&sorted, terms, bounds),
        _ => return Ok((Sampler::Empirical(sorted.into()), None)),
    };
    let sampler = Sampler::new(family, &params).map_err(|e| format!("the {} fit failed: {e}", family.name()))?;
    let goodness = goodness(&sorted, &sampler);
    Ok((sampler, Some(goodness)))
}

/// The `terms`-term metalog closest to the `sorted` data's quantiles, at probabilities
/// (i − ½)/n, and its goodness of fit.
fn metalog(sorted: &[f64], terms: usize, bounds: Bounds) -> Result<(Sampler, Option<Goodness>), String> {
    let n = sorted.len() as f64;
    let probabilities: Vec<f64> = (1..=sorted.len()).map(|i| (i as f64 - 0.5) / n).collect();
    if let Some(x) = sorted.iter().find(|x| !bounds.contains(**x)) {
        return Err(format!("a value lies outside the metalog's bounds (got {})", Shown(*x)));
    }
    let Some(fitted) = Metalog::least_squares(&probabilities, sorted, terms, bounds) else {
        let working: Vec<String> = (3..terms)
            .filter(|&k| Metalog::least_squares(&probabilities, sorted, k, bounds).is_some())
            .map(|k| k.to_string())
            .collect();
        let hint = match working.last() {
            Some(k) => format!("; with `terms = {k}` it has one"),
            None => "; try `fit = \"empirical\"`".into(),
        };
        return Err(format!("the {terms}-term metalog fitted to the data has no valid density{hint}"));
    };
    let sampler = Sampler::Metalog(Box::new(fitted));
    let goodness = goodness(sorted, &sampler);
    Ok((sampler, Some(goodness)))
}

/// The parameters of a fitted normal (mean, sd), lognormal (mu, sigma) or gamma (shape,
/// scale), in its [`DistKind::params`] order; none for the others.
pub(crate) fn params(sampler: &Sampler) -> Vec<f64> {
    match sampler {
        Sampler::Normal { mean, sd } => vec![*mean, *sd],
        Sampler::LogNormal { mu, sigma } => vec![*mu, *sigma],
        Sampler::Gamma { shape, scale } => vec![shape.shape, *scale],
        _ => Vec::new(),
    }
}

/// A fitted distribution's parameters, for people: `mu = 10.3, sigma = 0.25`.
pub(crate) fn describe(sampler: &Sampler) -> String {
    let short = |x: f64| Shown::short(x).to_string();
    match sampler {
        Sampler::Empirical(values) => format!("{} values", values.len()),
        Sampler::Normal { mean, sd } => format!("mean = {}, sd = {}", short(*mean), short(*sd)),
        Sampler::LogNormal { mu, sigma } => format!("mu = {}, sigma = {}", short(*mu), short(*sigma)),
        Sampler::Gamma { shape, scale } => format!("shape = {}, scale = {}", short(shape.shape), short(*scale)),
        Sampler::Metalog(metalog) => {
            let a: Vec<String> = metalog.coefficients().iter().map(|a| short(*a)).collect();
            format!("{} terms, a = [{}]", a.len(), a.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// The Kolmogorov–Smirnov distance between `sorted` data and the continuous `fitted`
/// distribution, and its p-value.
fn goodness(sorted: &[f64], fitted: &Sampler) -> Goodness {
    let n = sorted.len() as f64;
    let distance = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = below(fitted, x).unwrap_or(f64::NAN);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max);
    Goodness { distance, p_value: kolmogorov_p(distance, n) }
}

/// P(D > d) for the KS distance of n values: Kolmogorov's limit at λ = (√n + 0.12 +
/// 0.11/√n)·d (Stephens 1970), 2·Σ (−1)^(k−1) e^(−2k²λ²).
fn kolmogorov_p(d: f64, n: f64) -> f64 {
    let lambda = (n.sqrt() + 0.12 + 0.11 / n.sqrt()) * d;
    if lambda < 0.2 {
        return 1.0;
    }
    let sum: f64 = (1..=100)
        .map(|k| {
            let k = f64::from(k);
            let sign = if k as u32 % 2 == 1 { 1.0 } else { -1.0 };
            sign * (-2.0 * k * k * lambda * lambda).exp()
        })
        .sum();
    (2.0 * sum).clamp(0.0, 1.0)
}

/// The gamma shape k of maximum likelihood: ln k − ψ(k) = s, where s = ln(mean) −
/// mean(ln x) > 0; Newton's method from Minka's closed-form start.
fn gamma_shape(s: f64) -> f64 {
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let f = k.ln() - digamma(k) - s;
        let slope = 1.0 / k - trigamma(k);
        let next = (k - f / slope).max(k / 10.0);
        if (next - k).abs() <= 1e-14 * k {
            return next;
        }
        k = next;
    }
    k
}

/// ψ′(x) for x > 0: the recurrence ψ′(x) = ψ′(x + 1) + 1/x² up to x ≥ 10, then the
/// asymptotic series to x⁻¹¹ (the next term is below 3·10⁻¹⁴ there).
fn trigamma(mut x: f64) -> f64 {
    let mut shift = 0.0;
    while x < 10.0 {
        shift += 1.0 / (x * x);
        x += 1.0;
    }
    let (x2, inv) = (x * x, 1.0 / x);
    let inv2 = 1.0 / x2;
    shift
        + inv
        + inv2 / 2.0
        + inv * inv2 * (1.0 / 6.0 - inv2 * (1.0 / 30.0 - inv2 * (1.0 / 42.0 - inv2 * (1.0 / 30.0 - inv2 * 5.0 / 66.0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_matches_known_values() {
        // ψ′(1) = π²/6, ψ′(1/2) = π²/2.
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-13);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-12);
    }

    #[test]
    fn the_kolmogorov_p_value_matches_its_tables() {
        // The asymptotic 5% and 1% critical values of √n·D are 1.3581 and 1.6276.
        assert!((kolmogorov_p(1.3581 / 1e4, 1e8) - 0.05).abs() < 1e-3);
        assert!((kolmogorov_p(1.6276 / 1e4, 1e8) - 0.01).abs() < 1e-3);
    }

    #[test]
    fn bad_data_for_a_family_is_refused_with_the_value() {
        let err = |f: DistKind, d: &[f64]| fit(f, d, DEFAULT_TERMS, Bounds::Unbounded).unwrap_err();
        assert!(err(DistKind::LogNormal, &[1.0, -2.0, 3.0]).contains("above 0 (got -2)"));
        assert!(err(DistKind::Normal, &[4.0]).contains("at least 2 values (got 1)"));
        assert!(err(DistKind::Gamma, &[2.0, 2.0]).contains("every value is 2"));
        assert!(err(DistKind::Metalog, &[1.0, 2.0, 3.0]).contains("at least 6 values"));
    }
}
