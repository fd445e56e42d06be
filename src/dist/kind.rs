//! The built-in distributions' names and parameters, and the rules their parameters
//! must follow.

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
pub(crate) const Z95: f64 = 1.644_853_626_951_472_2;

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

pub(super) fn finite(names: &[&'static str], params: &[f64]) -> Result<(), ParamError> {
    match names.iter().zip(params).find(|(_, v)| !v.is_finite()) {
        Some((&name, &value)) => Err(ParamError::NotFinite { name, value }),
        None => Ok(()),
    }
}

pub(super) fn positive(name: &'static str, value: f64) -> Result<f64, ParamError> {
    if value > 0.0 { Ok(value) } else { Err(ParamError::Bound { name, rule: "> 0", value }) }
}

pub(super) fn non_negative(name: &'static str, value: f64) -> Result<f64, ParamError> {
    if value >= 0.0 { Ok(value) } else { Err(ParamError::Bound { name, rule: "≥ 0", value }) }
}

pub(super) fn probability(value: f64) -> Result<f64, ParamError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(ParamError::Bound { name: "p", rule: "between 0 and 1", value })
    }
}

/// A number in a message, exactly as a double and short: scientific notation outside
/// [1e-4, 1e15), so that 1e308 does not print as 309 digits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shown(pub f64);

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

pub(super) fn ordered3(min: f64, mode: f64, max: f64) -> Result<(), ParamError> {
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
/// let (mu, sigma) = costsim::internals::dist::to_lognormal(1.0, 100.0).unwrap();
/// assert!((mu - 10f64.ln()).abs() < 1e-12 && sigma > 0.0);
/// assert!(costsim::internals::dist::to_lognormal(-1.0, 1.0).is_err());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (name, kind) in DistKind::ALL {
            assert_eq!(DistKind::from_name(name), Some(kind));
            assert_eq!(kind.name(), name);
        }
    }
}
