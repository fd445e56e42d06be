//! Keelin's metalog distributions ("The Metalog Distributions", Decision Analysis 13(4),
//! 2016): a quantile function that is a series in ln(y/(1 − y)) and y − ½, fitted
//! exactly through k given quantiles, or by least squares to many; unbounded, bounded
//! below (the series is ln(x − lower)) or on both sides (ln((x − lower)/(upper − x))).
//!
//! Not every set of quantiles has a metalog: the series must increase for every
//! probability, or the density would be negative. [`Metalog::through`] checks that
//! everywhere (both tails in closed form, the interior on a fine grid) and, when it
//! fails, finds the nearest value that would make it hold.

use super::kind::Shown;

/// The fewest and most terms (and quantiles) a metalog takes.
const TERMS: std::ops::RangeInclusive<usize> = 3..=10;

/// Where a metalog's values may lie.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bounds {
    /// Any real value.
    Unbounded,
    /// Above `lower`: the series is ln(x − lower).
    Lower(f64),
    /// Between `lower` and `upper`: the series is ln((x − lower)/(upper − x)).
    Both(f64, f64),
}

impl Bounds {
    /// The bounds a call gives: none, a lower one, or both.
    pub fn new(lower: Option<f64>, upper: Option<f64>) -> Result<Bounds, String> {
        match (lower, upper) {
            (None, _) => Ok(Bounds::Unbounded),
            (Some(lo), None) => Ok(Bounds::Lower(lo)),
            (Some(lo), Some(hi)) if lo < hi => Ok(Bounds::Both(lo, hi)),
            (Some(lo), Some(hi)) => Err(format!("needs lower < upper (got {}, {})", Shown(lo), Shown(hi))),
        }
    }

    /// True if `x` lies strictly inside.
    pub(crate) fn contains(self, x: f64) -> bool {
        match self {
            Bounds::Unbounded => true,
            Bounds::Lower(lo) => x > lo,
            Bounds::Both(lo, hi) => x > lo && x < hi,
        }
    }

    /// The series' value for `x`.
    fn series_of(self, x: f64) -> f64 {
        match self {
            Bounds::Unbounded => x,
            Bounds::Lower(lo) => (x - lo).ln(),
            Bounds::Both(lo, hi) => ((x - lo) / (hi - x)).ln(),
        }
    }

    /// The value of series value `m`.
    fn value_of(self, m: f64) -> f64 {
        match self {
            Bounds::Unbounded => m,
            Bounds::Lower(lo) => lo + m.exp(),
            Bounds::Both(lo, hi) => lo + (hi - lo) / (1.0 + (-m).exp()),
        }
    }
}

/// A metalog distribution: its series' coefficients and its bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Metalog {
    a: Vec<f64>,
    bounds: Bounds,
}

/// Why quantiles give no metalog.
#[derive(Clone, Debug, PartialEq)]
pub struct Infeasible {
    /// What is wrong, and which value to move and where.
    pub message: String,
}

/// The probabilities of the logit grid where the density is checked: t from −40 to 40
/// in steps of 1/64 (y from 4·10⁻¹⁸ to 1 − 4·10⁻¹⁸), plus the tails in closed form.
const GRID_STEP: f64 = 1.0 / 64.0;
const GRID_END: f64 = 40.0;

impl Metalog {
    /// The metalog with as many terms as pairs that passes through each
    /// (`probabilities[i]`, `values[i]`): 3 to 10 pairs, both lists increasing, the
    /// probabilities inside (0, 1) and the values inside the bounds.
    ///
    /// # Errors
    /// A rule the pairs break, or, when no such metalog has a positive density, which
    /// value to move and to where.
    ///
    /// ```
    /// use costsim::internals::dist::{Bounds, Metalog};
    /// let m = Metalog::through(&[0.1, 0.5, 0.9], &[3e6, 6e6, 15e6], Bounds::Lower(0.0)).unwrap();
    /// assert!((m.quantile(0.9) - 15e6).abs() < 1e-3);
    /// let err = Metalog::through(&[0.1, 0.5, 0.9], &[3e6, 14.5e6, 15e6], Bounds::Unbounded).unwrap_err();
    /// assert!(err.message.contains("move"), "{}", err.message);
    /// ```
    pub fn through(probabilities: &[f64], values: &[f64], bounds: Bounds) -> Result<Metalog, Infeasible> {
        let fail = |message: String| Err(Infeasible { message });
        let k = values.len();
        if probabilities.len() != k {
            return fail(format!("needs as many probabilities as values (got {} and {k})", probabilities.len()));
        }
        if !TERMS.contains(&k) {
            return fail(format!("takes {} to {} quantiles (got {k})", TERMS.start(), TERMS.end()));
        }
        if let Some(p) = probabilities.iter().find(|p| !(**p > 0.0 && **p < 1.0)) {
            return fail(format!("probabilities must be between 0 and 1, exclusive (got {})", Shown(*p)));
        }
        if let Some(x) = values.iter().find(|x| !x.is_finite()) {
            return fail(format!("values must be finite numbers (got {})", Shown(*x)));
        }
        if probabilities.windows(2).any(|w| w[0] >= w[1]) {
            return fail("probabilities must increase".into());
        }
        if let Some(w) = values.windows(2).find(|w| w[0] >= w[1]) {
            return fail(format!(
                "values must increase with their probabilities (got {} then {})",
                Shown(w[0]),
                Shown(w[1])
            ));
        }
        if let Some(x) = values.iter().find(|x| !bounds.contains(**x)) {
            let within = match bounds {
                Bounds::Lower(lo) => format!("above the lower bound {}", Shown(lo)),
                Bounds::Both(lo, hi) => format!("between the bounds {} and {}", Shown(lo), Shown(hi)),
                Bounds::Unbounded => unreachable!("every value is inside no bounds"),
            };
            return fail(format!("values must lie strictly {within} (got {})", Shown(*x)));
        }
        match Metalog::fit(probabilities, values, k, bounds) {
            Some(m) if m.feasible() => Ok(m),
            _ => fail(nearest_fix(probabilities, values, bounds)),
        }
    }

    /// The metalog of `terms` terms closest, by least squares on the series' scale, to
    /// the pairs (`probabilities[i]`, `values[i]`); `None` if the system is singular or
    /// the fit has no positive density. For data: the sorted values with probabilities
    /// (i − ½)/n.
    pub fn least_squares(probabilities: &[f64], values: &[f64], terms: usize, bounds: Bounds) -> Option<Metalog> {
        Metalog::fit(probabilities, values, terms, bounds).filter(Metalog::feasible)
    }

    fn fit(probabilities: &[f64], values: &[f64], terms: usize, bounds: Bounds) -> Option<Metalog> {
        let rows: Vec<Vec<f64>> = probabilities.iter().map(|&y| basis(terms, logit(y), y - 0.5)).collect();
        let z: Vec<f64> = values.iter().map(|&x| bounds.series_of(x)).collect();
        let a = least_squares(rows, z, terms)?;
        Some(Metalog { a, bounds })
    }

    /// The series' coefficients a₁ … a_k.
    pub fn coefficients(&self) -> &[f64] {
        &self.a
    }

    /// Its bounds.
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// The quantile function Q(y), 0 < y < 1, in closed form.
    #[inline]
    pub fn quantile(&self, y: f64) -> f64 {
        self.bounds.value_of(series(&self.a, logit(y), y - 0.5))
    }

    /// The value at logit t = ln(y/(1 − y)), exact far into both tails (where y itself
    /// would round to 0 or 1).
    fn at_logit(&self, t: f64) -> f64 {
        self.bounds.value_of(series(&self.a, t, (t / 2.0).tanh() / 2.0))
    }

    /// The CDF F(x) = P(X ≤ x), by bisection on the logit (the quantile function
    /// increases); 0 and 1 beyond the bounds.
    pub fn cdf(&self, x: f64) -> f64 {
        let (mut lo, mut hi) = (-745.0, 745.0);
        if self.at_logit(lo) >= x {
            return 0.0;
        }
        if self.at_logit(hi) < x {
            return 1.0;
        }
        for _ in 0..200 {
            let mid = (lo + hi) / 2.0;
            if self.at_logit(mid) < x { lo = mid } else { hi = mid }
        }
        1.0 / (1.0 + (-(lo + hi) / 2.0).exp())
    }

    /// The coefficient of ln(y/(1 − y)) in the series at c = y − ½, whose values at
    /// c = ∓½ set the tails: M ~ s·ln(y/(1 − y)) there.
    fn tail(&self, c: f64) -> f64 {
        let a = &self.a;
        let mut s = a[1] + a[2] * c;
        let mut power = c * c;
        for j in (5..a.len()).step_by(2) {
            s += a[j] * power;
            power *= c;
        }
        s
    }

    /// True if the series increases for every probability: both tails rise (the
    /// coefficient of the logit is positive at y → 0 and y → 1) and dM/dy > 0 on a
    /// fine grid of logits.
    fn feasible(&self) -> bool {
        if !(self.tail(-0.5) > 0.0 && self.tail(0.5) > 0.0) || self.a.iter().any(|a| !a.is_finite()) {
            return false;
        }
        let steps = (GRID_END / GRID_STEP) as i64;
        (-steps..=steps).all(|i| {
            let t = i as f64 * GRID_STEP;
            slope(&self.a, t, (t / 2.0).tanh() / 2.0) > 0.0
        })
    }

    /// The mean, by the trapezoid rule over the logit t = ln(y/(1 − y)) (spectrally
    /// accurate for these smooth, exponentially decaying integrands); infinite when the
    /// right tail of a metalog bounded only below is too heavy for one
    /// (Q − lower ~ (1 − y)^(−s) with s ≥ 1).
    pub fn mean(&self) -> f64 {
        self.moment(1)
    }

    /// E[Xⁿ] for n = 1 or 2 (see [`Metalog::mean`]).
    pub fn moment(&self, n: i32) -> f64 {
        let (lo_t, hi_t) = match self.bounds {
            Bounds::Lower(_) => {
                let s = self.tail(0.5) * f64::from(n);
                if s >= 1.0 {
                    return f64::INFINITY;
                }
                (-60.0, (60.0 / (1.0 - s)).min(1e5))
            }
            _ => (-60.0, 60.0),
        };
        let h = GRID_STEP;
        let steps = ((hi_t - lo_t) / h).ceil() as usize;
        let total: f64 = (0..=steps)
            .map(|i| {
                let t = lo_t + i as f64 * h;
                let m = series(&self.a, t, (t / 2.0).tanh() / 2.0);
                // The weight dy/dt = y(1 − y) = 1/(4 cosh²(t/2)), in logs to meet e^M.
                let ln_w = -2.0 * (t.abs() / 2.0 + (-t.abs()).exp().ln_1p());
                match self.bounds {
                    // (lower + eᴹ)ⁿ·w without overflow where eᴹ is huge and w tiny.
                    Bounds::Lower(lo) if m > 0.0 => (1.0 + lo * (-m).exp()).powi(n) * (f64::from(n) * m + ln_w).exp(),
                    b => b.value_of(m).powi(n) * ln_w.exp(),
                }
            })
            .sum();
        total * h
    }
}

/// ln(y/(1 − y)).
#[inline]
fn logit(y: f64) -> f64 {
    (y / (1.0 - y)).ln()
}

/// The first `k` basis functions at logit `l` and c = y − ½: 1, l, c·l, c, c², c²·l,
/// c³, c³·l, …
fn basis(k: usize, l: f64, c: f64) -> Vec<f64> {
    let mut row = vec![1.0, l, c * l, c];
    let mut power = c * c;
    while row.len() < k {
        row.push(power);
        row.push(power * l);
        power *= c;
    }
    row.truncate(k);
    row
}

/// Σ aⱼ·basisⱼ at logit `l` and c = y − ½.
#[inline]
fn series(a: &[f64], l: f64, c: f64) -> f64 {
    let mut m = a[0] + a[1] * l + a[2] * c * l;
    if a.len() > 3 {
        m += a[3] * c;
    }
    let mut power = c * c;
    for pair in a[4.min(a.len())..].chunks(2) {
        m += pair[0] * power;
        if let Some(b) = pair.get(1) {
            m += b * power * l;
        }
        power *= c;
    }
    m
}

/// y(1 − y)·dM/dy at logit `t` and c = y − ½ (positive where the density is), with
/// y(1 − y) = ¼ − c².
fn slope(a: &[f64], t: f64, c: f64) -> f64 {
    let w = 0.25 - c * c;
    // d(l)/dy = 1/w; d(c)/dy = 1; d(cᵖ)/dy = p·cᵖ⁻¹; d(cᵖ·l)/dy = p·cᵖ⁻¹·l + cᵖ/w.
    let mut d = a[1] + a[2] * (w * t + c);
    if a.len() > 3 {
        d += a[3] * w;
    }
    let mut below = c; // c^(p − 1), from p = 2
    for (i, pair) in a[4.min(a.len())..].chunks(2).enumerate() {
        let p = (i + 2) as f64;
        d += pair[0] * p * below * w;
        if let Some(b) = pair.get(1) {
            d += b * (p * below * t * w + below * c);
        }
        below *= c;
    }
    d
}

/// The least-squares solution of rows·a = z (Householder QR); `None` when the rows do
/// not determine `k` coefficients.
fn least_squares(rows: Vec<Vec<f64>>, mut z: Vec<f64>, k: usize) -> Option<Vec<f64>> {
    let m = rows.len();
    if m < k {
        return None;
    }
    // Column-major copy.
    let mut a: Vec<Vec<f64>> = (0..k).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    let scale = a.iter().flatten().fold(0.0f64, |s, x| s.max(x.abs()));
    for j in 0..k {
        let norm = a[j][j..].iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm <= 1e-12 * scale {
            return None;
        }
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = a[j][j..].to_vec();
        v[0] -= alpha;
        let vv: f64 = v.iter().map(|x| x * x).sum();
        let reflect = |col: &mut [f64]| {
            let dot: f64 = v.iter().zip(col.iter()).map(|(a, b)| a * b).sum();
            let f = 2.0 * dot / vv;
            col.iter_mut().zip(&v).for_each(|(c, v)| *c -= f * v);
        };
        for col in a.iter_mut().skip(j) {
            reflect(&mut col[j..]);
        }
        reflect(&mut z[j..]);
    }
    let mut x = vec![0.0; k];
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|j| a[j][i] * x[j]).sum();
        x[i] = (z[i] - s) / a[i][i];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Why the pairs give no metalog, and the smallest single move that gives one: for each
/// value, the nearest position between its neighbours (or out to a span beyond the ends)
/// where the fit is feasible, found on a grid and refined by bisection.
fn nearest_fix(probabilities: &[f64], values: &[f64], bounds: Bounds) -> String {
    let k = values.len();
    let span = values[k - 1] - values[0];
    let works = |i: usize, x: f64| {
        let mut moved = values.to_vec();
        moved[i] = x;
        bounds.contains(x)
            && moved.windows(2).all(|w| w[0] < w[1])
            && Metalog::fit(probabilities, &moved, k, bounds).is_some_and(|m| m.feasible())
    };
    let mut best: Option<(usize, f64)> = None;
    for i in 0..k {
        let below = if i == 0 { values[0] - span } else { values[i - 1] };
        let above = if i + 1 == k { values[k - 1] + span } else { values[i + 1] };
        const GRID: usize = 256;
        let candidates = (1..GRID).map(|g| below + (above - below) * g as f64 / GRID as f64);
        let Some(mut good) =
            candidates.filter(|&x| works(i, x)).min_by(|a, b| (a - values[i]).abs().total_cmp(&(b - values[i]).abs()))
        else {
            continue;
        };
        let mut bad = values[i];
        for _ in 0..60 {
            let mid = (good + bad) / 2.0;
            if works(i, mid) { good = mid } else { bad = mid }
        }
        let x = round_towards(good, bad, |x| works(i, x));
        if best.is_none_or(|(j, y)| (x - values[i]).abs() < (y - values[j]).abs()) {
            best = Some((i, x));
        }
    }
    let quantile = |i: usize| format!("the {}-quantile {}", Shown(probabilities[i]), Shown::suffixed(values[i]));
    let more = if k < *TERMS.end() { ", or give more quantiles" } else { "" };
    match best {
        Some((i, x)) => {
            let near = if x < values[i] { i + 1 } else { i.wrapping_sub(1) };
            let crowded = match near {
                j if j < k => format!(": {} is too close to {} for a metalog of {k} terms", quantile(i), quantile(j)),
                _ => String::new(),
            };
            let by = x - values[i];
            let sign = if by > 0.0 { "+" } else { "" };
            format!(
                "these quantiles give no valid distribution (its density would be negative somewhere){crowded}; move {} to {} (by {sign}{}: the nearest value that works, the others unchanged){more}",
                quantile(i),
                Shown::suffixed(x),
                Shown::suffixed(by)
            )
        }
        None => format!(
            "these quantiles give no valid distribution (its density would be negative somewhere); spread the values more evenly between their probabilities{more}"
        ),
    }
}

/// `good`, rounded to the fewest significant digits (up to 6) that still `works`, away
/// from `bad`.
fn round_towards(good: f64, bad: f64, works: impl Fn(f64) -> bool) -> f64 {
    for digits in 2..=6 {
        let unit = 10f64.powi(good.abs().max(f64::MIN_POSITIVE).log10().floor() as i32 + 1 - digits);
        let rounded = if good > bad { (good / unit).ceil() * unit } else { (good / unit).floor() * unit };
        if works(rounded) {
            return rounded;
        }
    }
    good
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cdf_inverts_the_quantile_function_deep_into_both_tails() {
        let m = Metalog::through(&[0.1, 0.5, 0.9], &[3e6, 6e6, 15e6], Bounds::Lower(0.0)).unwrap();
        for y in [1e-12, 1e-4, 0.1, 0.5, 0.9, 0.9999] {
            let back = m.cdf(m.quantile(y));
            assert!((back - y).abs() <= 1e-9 * y.min(1.0 - y).max(1e-12) + 1e-15, "y = {y}: {back}");
        }
        assert_eq!(m.cdf(-1.0), 0.0);
    }

    #[test]
    fn a_tail_too_heavy_for_a_mean_has_an_infinite_one() {
        // ln-values 0, ln 10, ln 1000: the right tail goes as (1 − y)^(−s) with s > 1.
        let heavy = Metalog::through(&[0.1, 0.5, 0.9], &[1.0, 10.0, 1000.0], Bounds::Lower(0.0)).unwrap();
        assert!(heavy.tail(0.5) >= 1.0);
        assert_eq!(heavy.mean(), f64::INFINITY);
        let light = Metalog::through(&[0.1, 0.5, 0.9], &[1.0, 2.0, 4.0], Bounds::Lower(0.0)).unwrap();
        assert!(light.mean().is_finite() && light.moment(2).is_finite());
    }
}
