//! Numbers for people: `$1.6B`, `5.58M`, `12.3%`.

/// Magnitudes at or above this are written in scientific notation (beyond the T suffix).
const LARGEST_PLAIN: f64 = 1e15;
/// Magnitudes below this (other than 0) are written in scientific notation.
const SMALLEST_PLAIN: f64 = 1e-4;

/// `x` with three significant digits and a k/M/B/T suffix, or in scientific notation
/// (`2.5e18`, `1.2e-7`) outside [1e-4, 1e15); in dollars (`$1.6B`) when `unit` is USD, and
/// per what follows for a price (`$2.10/GPU/hour` for `USD/GPU/hour`); a percentage for
/// `%`. Other units are not written: see [`in_value`].
pub fn number(x: f64, unit: Option<&str>) -> String {
    number_to(x, unit, 3)
}

/// True if [`number`] writes `unit` with the value (`$`, `/GPU`, `%`); a table shows any
/// other unit beside the output's name.
pub fn in_value(unit: Option<&str>) -> bool {
    unit.is_none_or(|u| u == "%" || money(u).is_some())
}

/// What follows the dollar sign of a value in `unit`: "" for USD, "/GPU/hour" for
/// `USD/GPU/hour`; `None` for a unit that is not dollars or dollars per something.
fn money(unit: &str) -> Option<&str> {
    let unit = unit.trim();
    let rest = unit.strip_prefix("USD").or_else(|| unit.strip_prefix('$'))?;
    (rest.is_empty() || rest.trim_start().starts_with('/')).then(|| rest.trim_start())
}

/// As [`number`], with `digits` significant digits.
pub fn number_to(x: f64, unit: Option<&str>, digits: i32) -> String {
    if unit.is_some_and(|u| u.trim() == "%") {
        return percent_to(x, digits);
    }
    let per = unit.and_then(money);
    let sign = if x < 0.0 { "-" } else { "" };
    let magnitude = x.abs();
    let (money, per) = match per {
        Some(per) => ("$", per),
        None => ("", ""),
    };
    if magnitude.is_finite() && (magnitude >= LARGEST_PLAIN || (magnitude > 0.0 && magnitude < SMALLEST_PLAIN)) {
        return format!("{sign}{money}{}{per}", scientific(magnitude, digits));
    }
    let (scaled, suffix) = match magnitude {
        m if m >= 1e12 => (m / 1e12, "T"),
        m if m >= 1e9 => (m / 1e9, "B"),
        m if m >= 1e6 => (m / 1e6, "M"),
        m if m >= 1e3 => (m / 1e3, "k"),
        m => (m, ""),
    };
    format!("{sign}{money}{}{suffix}{per}", significant(scaled, digits))
}

/// `cell` padded with spaces to `width` characters (a format width is limited to 65,535,
/// a var's name is not).
pub fn pad(cell: &str, width: usize) -> String {
    let n = cell.chars().count();
    format!("{cell}{}", " ".repeat(width.saturating_sub(n)))
}

/// `x` (positive) as `m.mme±x` with `digits` significant digits, trailing zeros dropped.
fn scientific(x: f64, digits: i32) -> String {
    let decimals = (digits - 1).max(0) as usize;
    let text = format!("{x:.decimals$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    format!("{mantissa}e{exponent}")
}

/// A probability as a percentage with enough digits to be useful.
pub fn percent(p: f64) -> String {
    percent_to(p, 3)
}

/// As [`percent`], with `digits` significant digits.
pub fn percent_to(p: f64, digits: i32) -> String {
    let pct = p * 100.0;
    let decimals = (digits - 1).max(0) as usize;
    if pct == 0.0 || pct.abs() >= 1e-4 {
        format!("{}%", significant(pct, digits))
    } else {
        format!("{pct:.decimals$e}%")
    }
}

/// The fewest significant digits, from 3 to 7, with which `write` tells `a` and `b`
/// apart (7 if it never does).
pub fn distinguishing(a: f64, b: f64, write: impl Fn(f64, i32) -> String) -> i32 {
    (3..7).find(|&digits| write(a, digits) != write(b, digits)).unwrap_or(7)
}

/// `x` with `decimals` decimals, never a negative zero: an estimate such as a Sobol
/// index that rounds to zero reads `0.000`, not `-0.000`.
pub fn fixed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    match text.strip_prefix('-') {
        Some(magnitude) if magnitude.chars().all(|c| c == '0' || c == '.') => magnitude.to_string(),
        _ => text,
    }
}

/// A difference of probabilities in percentage points: `12.3 pp`.
pub fn points(d: f64) -> String {
    format!("{} pp", significant(d * 100.0, 3))
}

/// `x` rounded to `digits` significant digits, trailing zeros dropped.
fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    let decimals = (digits - 1 - x.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_and_rounds_for_people() {
        assert_eq!(number(1.6e9, Some("USD")), "$1.6B");
        assert_eq!(number(5_576_000.0, None), "5.58M");
        assert_eq!(number(-2.345e6, Some("USD")), "-$2.35M");
        assert_eq!(number(12_345.0, None), "12.3k");
        assert_eq!(number(0.0123, None), "0.0123");
        assert_eq!(number(999.0, None), "999");
        assert_eq!(number(2.5e13, None), "25T");
        assert_eq!(number(999.4e12, None), "999T");
        assert_eq!(number(1e308, None), "1e308");
        assert_eq!(number(-2.66e299, Some("USD")), "-$2.66e299");
        assert_eq!(number(1.5e-300, None), "1.5e-300");
        assert_eq!(number(0.0001, None), "0.0001");
        assert_eq!(number(0.0000999, None), "9.99e-5");
        assert_eq!(percent(0.5234), "52.3%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(points(0.1234), "12.3 pp");
        assert_eq!(percent(-0.311), "-31.1%");
        assert_eq!(percent(0.000803), "0.0803%");
        assert_eq!(percent(0.0000001), "1.00e-5%");
        assert_eq!(number_to(1.893_71e9, Some("USD"), 5), "$1.8937B");
        assert_eq!(percent_to(0.886_123, 4), "88.61%");
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(-0.0, 3), "0.000");
        assert_eq!(fixed(-0.0006, 3), "-0.001");
        assert_eq!(fixed(1.0034, 3), "1.003");
    }

    #[test]
    fn intervals_get_the_digits_that_tell_their_ends_apart() {
        let write = |x: f64, d: i32| number_to(x, Some("USD"), d);
        assert_eq!(distinguishing(1.8932e9, 1.8941e9, write), 4);
        assert_eq!(distinguishing(1.89321e9, 1.89329e9, write), 5);
        assert_eq!(distinguishing(1.0e9, 2.0e9, write), 3);
        assert_eq!(distinguishing(5.0, 5.0, write), 7);
    }
}
