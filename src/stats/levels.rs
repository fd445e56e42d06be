//! The reported percentiles ([`Percentiles`]), the levels every run computes, and the
//! ranks of the order statistics that bound them.

use std::sync::Arc;

/// The percentiles reported when a model or command names none, in percent.
pub(crate) const DEFAULT_PERCENTS: [f64; 9] = [1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0];

/// The probability levels of the default percentiles: every run computes these, whatever it
/// reports, for its tables, charts and precision targets.
pub const LEVELS: [f64; 9] = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];

/// The most percentiles a run reports.
pub const MAX_PERCENTILES: usize = 32;

/// The percentiles a run reports, in percent (`80`, `97.5`): distinct, ascending, each
/// strictly between 0 and 100.
#[derive(Clone, Debug, PartialEq)]
pub struct Percentiles {
    percents: Vec<f64>,
    /// True if these are [`DEFAULT_PERCENTS`] because none were asked for.
    default: bool,
}

impl Default for Percentiles {
    fn default() -> Percentiles {
        Percentiles { percents: DEFAULT_PERCENTS.to_vec(), default: true }
    }
}

impl Percentiles {
    /// The percentiles `percents`, sorted.
    ///
    /// # Errors
    /// What is wrong: none, more than [`MAX_PERCENTILES`], one outside (0, 100), only
    /// values below 1 (fractions written for percents), or one given twice.
    ///
    /// ```
    /// use costsim::study::Percentiles;
    /// let p = Percentiles::new(vec![97.5, 50.0, 80.0]).unwrap();
    /// assert_eq!(p.names(), ["p50", "p80", "p97.5"]);
    /// assert!(Percentiles::new(vec![100.0]).is_err());
    /// ```
    pub fn new(mut percents: Vec<f64>) -> Result<Percentiles, String> {
        if percents.is_empty() {
            return Err("name at least one percentile, e.g. [50, 80, 95]".into());
        }
        if percents.len() > MAX_PERCENTILES {
            return Err(format!("at most {MAX_PERCENTILES} percentiles (got {})", percents.len()));
        }
        if let Some(p) = percents.iter().find(|p| !(**p > 0.0 && **p < 100.0)) {
            return Err(format!(
                "a percentile must lie strictly between 0 and 100 (got {p}); the minimum and maximum are reported anyway"
            ));
        }
        if percents.iter().all(|p| *p < 1.0) {
            return Err(format!(
                "percentiles are in percent: 80, not 0.8 (got only values below 1: {percents:?}; list a tail percentile such as 0.1 beside others, e.g. [0.1, 50, 99.9])"
            ));
        }
        percents.sort_by(f64::total_cmp);
        if let Some(w) = percents.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("percentile {} is given twice", w[0]));
        }
        if percents.iter().any(|p| p.to_string().len() > 8) {
            return Err("a percentile has at most 6 significant digits (e.g. 99.9999)".into());
        }
        Ok(Percentiles { percents, default: false })
    }

    /// True if no percentiles were asked for (these are the defaults).
    pub fn is_default(&self) -> bool {
        self.default
    }

    /// The percents, ascending.
    pub fn percents(&self) -> &[f64] {
        &self.percents
    }

    /// Each percentile's probability level (`0.8` for `p80`).
    pub fn levels(&self) -> impl Iterator<Item = f64> + '_ {
        self.percents.iter().map(|p| p / 100.0)
    }

    /// Each percentile's name: `p80`, `p97.5`.
    pub fn names(&self) -> Vec<String> {
        self.percents.iter().map(|p| format!("p{p}")).collect()
    }

    /// The percentiles a table shows beside the mean, as (name, level): p5, p50 and p95
    /// by default, else every one asked for.
    pub fn headline(&self) -> Vec<(String, f64)> {
        match self.default {
            true => vec![("p5".into(), 0.05), ("p50".into(), 0.5), ("p95".into(), 0.95)],
            false => self.names().into_iter().zip(self.levels()).collect(),
        }
    }

    /// Every level a run computes: these and [`LEVELS`], ascending, distinct.
    pub fn computed(&self) -> Arc<[f64]> {
        let mut all: Vec<f64> = LEVELS.iter().copied().chain(self.levels()).collect();
        all.sort_by(f64::total_cmp);
        all.dedup();
        all.into()
    }
}

/// z such that Φ(z) = 0.975.
pub(crate) const Z975: f64 = 1.959_963_984_540_054;

/// Ranks of the order statistics bracketing the q-quantile of n values with 95%
/// confidence (normal approximation to the binomial count below the quantile):
/// ⌊nq − 1.96·√(nq(1 − q))⌋ and ⌈nq + 1.96·√(nq(1 − q))⌉ + 1, kept within 1..n.
/// Distribution-free for independent trials; conservative for lhs and qmc.
pub fn order_statistic_ranks(q: f64, n: u64) -> [u64; 2] {
    let n = n as f64;
    let spread = Z975 * (n * q * (1.0 - q)).sqrt();
    [(n * q - spread).floor().max(1.0) as u64, ((n * q + spread).ceil() + 1.0).min(n.max(1.0)) as u64]
}

/// The larger distance from `x` to an end of its interval `[lo, hi]`: what a precision
/// target checks of an asymmetric interval.
pub(crate) fn larger_side(x: f64, [lo, hi]: [f64; 2]) -> f64 {
    (x - lo).max(hi - x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_levels_are_the_default_percents() {
        // A requested level and a default one meet exactly: p/100 is the double nearest it.
        assert_eq!(DEFAULT_PERCENTS.map(|p| p / 100.0), LEVELS);
        assert_eq!(&*Percentiles::default().computed(), &LEVELS[..]);
        let asked = Percentiles::new(vec![80.0, 5.0, 97.5]).unwrap();
        assert_eq!(asked.computed().len(), LEVELS.len() + 2);
    }

    #[test]
    fn bad_lists_are_refused_with_what_is_wrong() {
        let err = |p: Vec<f64>| Percentiles::new(p).unwrap_err();
        assert!(err(vec![0.8]).contains("80, not 0.8"));
        assert!(err(vec![0.0]).contains("between 0 and 100"));
        assert!(err(vec![50.0, 50.0]).contains("given twice"));
        assert!(err(vec![]).contains("at least one"));
        assert!(err(vec![f64::NAN]).contains("between 0 and 100"));
    }
}
