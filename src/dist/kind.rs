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
    /// `pert(min, mode, max)`: Beta-PERT with λ = 4, or `pert(min, mode, max, lambda)`.
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
    /// `metalog([probabilities], [quantiles], lower, upper)`: Keelin's metalog through
    /// the given quantiles, the bounds optional (see [`super::Metalog`]).
    Metalog,
    /// `empirical([values])`: one of the values, each equally likely (data resampled).
    Empirical,
}

/// How a distribution call names its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Form {
    /// In order, as [`DistKind::params`] lists them, unnamed.
    Positional,
    /// By their names (`pert(1, 2, 5, lambda = 6)`), put back in order.
    Named,
    /// A lognormal's `mean = m, sd = s` (of the values, not of their logarithm).
    MeanSd,
    /// Two percentiles (`p10 = a, p90 = b`) of a normal or lognormal: their levels as
    /// probabilities, the lower first; the arguments follow that order.
    Percentiles(f64, f64),
}

/// Pert's λ when the call gives none.
pub(crate) const PERT_LAMBDA: f64 = 4.0;

/// z such that Φ(z) = 0.95: `a to b` has a and b at ±Z95 standard deviations.
pub(crate) const Z95: f64 = 1.644_853_626_951_472_2;

impl DistKind {
    /// Every distribution with its name, for lookups and suggestions.
    pub const ALL: [(&'static str, DistKind); 13] = [
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
        ("metalog", DistKind::Metalog),
        ("empirical", DistKind::Empirical),
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
            DistKind::Triangular => &["min", "mode", "max"],
            DistKind::Pert => &["min", "mode", "max", "lambda"],
            DistKind::Beta => &["a", "b"],
            DistKind::Gamma => &["shape", "scale"],
            DistKind::Exponential => &["rate"],
            DistKind::Poisson => &["lambda"],
            DistKind::Bernoulli => &["p"],
            DistKind::Binomial => &["n", "p"],
            DistKind::Metalog => &["probabilities", "quantiles", "lower", "upper"],
            DistKind::Empirical => &["values"],
        }
    }

    /// What the distribution is, in a phrase (the man page's model language section).
    pub fn meaning(self) -> &'static str {
        match self {
            DistKind::Normal => "normal; also normal(p10 = a, p90 = b) from two percentiles (any of p1 … p99)",
            DistKind::LogNormal => {
                "lognormal with mu and sigma of ln(x), not of x; also lognormal(mean = m, sd = s) and lognormal(p10 = a, p90 = b)"
            }
            DistKind::Uniform => "uniform between min and max",
            DistKind::Triangular => "triangular",
            DistKind::Pert => "Beta-PERT, lambda 4 unless given (larger: more weight on the mode)",
            DistKind::Beta => "beta on [0, 1]",
            DistKind::Gamma => "gamma",
            DistKind::Exponential => "exponential with mean 1/rate",
            DistKind::Poisson => "Poisson count",
            DistKind::Bernoulli => "1 with probability p, else 0",
            DistKind::Binomial => "binomial count",
            DistKind::Metalog => {
                "Keelin's metalog through 3 to 10 quantiles, e.g. metalog([0.1, 0.5, 0.9], [3M, 6M, 15M]), optionally bounded"
            }
            DistKind::Empirical => "one of the values, each equally likely (data resampled)",
        }
    }

    /// How many of [`DistKind::params`] a call must give (the rest are optional).
    pub fn required(self) -> usize {
        match self {
            DistKind::Pert => 3,
            DistKind::Metalog => 2,
            kind => kind.params().len(),
        }
    }

    /// The call's arguments in parameter order, and how they name the parameters, from
    /// its `positional` and `named` arguments: the parameters' own names in any order
    /// after the positional ones, or for `normal` and `lognormal` two percentiles
    /// (`p10 = a, p90 = b`), and for `lognormal` `mean = m, sd = s`.
    ///
    /// # Errors
    /// What is wrong with the names, and what the distribution takes.
    pub fn arrange<T>(self, positional: Vec<T>, named: Vec<(String, T)>) -> Result<(Form, Vec<T>), String> {
        if named.is_empty() {
            return Ok((Form::Positional, positional));
        }
        let names: Vec<String> = named.iter().map(|(n, _)| n.clone()).collect();
        if let Some(n) = names.iter().enumerate().find_map(|(i, n)| names[..i].contains(n).then_some(n)) {
            return Err(format!("`{n}` is given twice"));
        }
        let params = self.params();
        let own = |n: &str| params.iter().position(|p| *p == n);
        if names.iter().all(|n| own(n).is_some()) {
            drop(names);
            let mut slots: Vec<Option<T>> = positional.into_iter().map(Some).collect();
            slots.resize_with(params.len(), || None);
            for (name, value) in named {
                let i = own(&name).expect("checked above");
                if slots[i].is_some() {
                    return Err(format!("`{name}` is given twice: by position and by name"));
                }
                slots[i] = Some(value);
            }
            while slots.last().is_some_and(Option::is_none) {
                slots.pop();
            }
            if let Some(i) = slots
                .iter()
                .position(Option::is_none)
                .or_else(|| (slots.len() < self.required()).then_some(slots.len()))
            {
                return Err(format!("`{}` is missing", params[i]));
            }
            return Ok((Form::Named, slots.into_iter().flatten().collect()));
        }
        let takes = self.forms();
        if !positional.is_empty() || !matches!(self, DistKind::Normal | DistKind::LogNormal) || named.len() != 2 {
            return Err(format!("{} takes {takes}", self.name()));
        }
        let mut named = named;
        if self == DistKind::LogNormal && names.iter().any(|n| n == "mean") && names.iter().any(|n| n == "sd") {
            named.sort_by_key(|(n, _)| n != "mean");
            return Ok((Form::MeanSd, named.into_iter().map(|(_, v)| v).collect()));
        }
        let levels: Option<Vec<f64>> = names.iter().map(|n| percentile_level(n)).collect();
        match levels {
            Some(l) if l[0] != l[1] => {
                let low_first = l[0] < l[1];
                if !low_first {
                    named.swap(0, 1);
                }
                let (lo, hi) = if low_first { (l[0], l[1]) } else { (l[1], l[0]) };
                Ok((Form::Percentiles(lo, hi), named.into_iter().map(|(_, v)| v).collect()))
            }
            Some(_) => Err("the two percentiles must differ".into()),
            None => Err(format!("{} takes {takes}", self.name())),
        }
    }

    /// The ways a call may give this distribution's parameters, for messages.
    pub fn forms(self) -> String {
        let own = format!("({})", self.params().join(", "));
        match self {
            DistKind::Normal => format!("{own} or two percentiles such as (p10 = a, p90 = b)"),
            DistKind::LogNormal => {
                format!("{own} of ln(x), (mean = m, sd = s) of x, or two percentiles such as (p10 = a, p90 = b)")
            }
            _ => own,
        }
    }
}

impl Form {
    /// Checks constant `values` given in this form for a `kind` distribution: two
    /// percentiles in the order of their levels (and above 0 for a lognormal), a
    /// lognormal's mean above 0 and its sd at least 0.
    ///
    /// # Errors
    /// The rule they break.
    pub(crate) fn check(self, kind: DistKind, values: &[f64]) -> Result<(), ParamError> {
        match self {
            Form::Positional | Form::Named => Ok(()),
            Form::MeanSd => {
                finite(&["mean", "sd"], values)?;
                positive("mean", values[0])?;
                non_negative("sd", values[1]).map(drop)
            }
            Form::Percentiles(lo, hi) => {
                let name = |q: f64| format!("p{}", (q * 100.0).round());
                let (a, b) = (values[0], values[1]);
                let (name_a, name_b) = (name(lo), name(hi));
                if !(a.is_finite() && b.is_finite()) {
                    return Err(ParamError::Order(format!("{name_a} and {name_b} must be finite numbers")));
                }
                if kind == DistKind::LogNormal && a <= 0.0 {
                    return Err(ParamError::Order(format!(
                        "a lognormal is above 0: {name_a} must be > 0 (got {}); for a quantity that can be zero or negative use normal({name_a} = …, {name_b} = …)",
                        Shown(a)
                    )));
                }
                if a >= b {
                    return Err(ParamError::Order(format!(
                        "{name_a} must be below {name_b} (got {name_a} = {}, {name_b} = {})",
                        Shown::suffixed(a),
                        Shown::suffixed(b)
                    )));
                }
                Ok(())
            }
        }
    }
}

/// The probability a percentile's name stands for: `p10` is 0.1 (a whole number of
/// percent, 1 to 99).
fn percentile_level(name: &str) -> Option<f64> {
    let digits = name.strip_prefix('p')?;
    let percent: u32 = digits.parse().ok().filter(|_| !digits.starts_with('0'))?;
    (1..=99).contains(&percent).then(|| f64::from(percent) / 100.0)
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

impl Shown {
    /// `x` in the model language's notation where that is exact and shorter (`14.5M`,
    /// `250k`), else as [`Shown`] shows it: a value a user can paste back.
    pub(crate) fn suffixed(x: f64) -> String {
        for (suffix, scale) in [("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)] {
            let scaled = x / scale;
            let text = scaled.to_string();
            if x.abs() >= scale && x.abs() < 1e15 && text.len() <= 7 && scaled * scale == x {
                return format!("{text}{suffix}");
            }
        }
        Shown(x).to_string()
    }

    /// `x` rounded to four significant digits, shown as [`Shown`] shows it.
    pub(crate) fn short(x: f64) -> Shown {
        if !x.is_finite() || x == 0.0 {
            return Shown(x);
        }
        Shown(format!("{x:.3e}").parse::<f64>().unwrap_or(x))
    }
}

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
