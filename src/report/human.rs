//! Numbers for people: `$1.6B`, `5.58M`, `12.3%`.

/// Magnitudes at or above this are written in scientific notation (beyond the T suffix).
const LARGEST_PLAIN: f64 = 1e15;
/// Magnitudes below this (other than 0) are written in scientific notation.
const SMALLEST_PLAIN: f64 = 1e-4;

/// `x` with three significant digits and a k/M/B/T suffix, or in scientific notation
/// (`2.5e18`, `1.2e-7`) outside [1e-4, 1e15); a `$` prefix when `unit` is a dollar unit.
pub fn number(x: f64, unit: Option<&str>) -> String {
    let dollars = unit.is_some_and(|u| matches!(u.to_ascii_uppercase().as_str(), "USD" | "$"));
    let sign = if x < 0.0 { "-" } else { "" };
    let magnitude = x.abs();
    let money = if dollars { "$" } else { "" };
    if magnitude.is_finite() && (magnitude >= LARGEST_PLAIN || (magnitude > 0.0 && magnitude < SMALLEST_PLAIN)) {
        return format!("{sign}{money}{}", scientific(magnitude));
    }
    let (scaled, suffix) = match magnitude {
        m if m >= 1e12 => (m / 1e12, "T"),
        m if m >= 1e9 => (m / 1e9, "B"),
        m if m >= 1e6 => (m / 1e6, "M"),
        m if m >= 1e3 => (m / 1e3, "k"),
        m => (m, ""),
    };
    let digits = significant(scaled, 3);
    format!("{sign}{money}{digits}{suffix}")
}

/// `cell` padded with spaces to `width` characters (a format width is limited to 65,535,
/// a var's name is not).
pub fn pad(cell: &str, width: usize) -> String {
    let n = cell.chars().count();
    format!("{cell}{}", " ".repeat(width.saturating_sub(n)))
}

/// `x` (positive) as `m.mme±x` with three significant digits, trailing zeros dropped.
fn scientific(x: f64) -> String {
    let text = format!("{x:.2e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    format!("{mantissa}e{exponent}")
}

/// A probability as a percentage with enough digits to be useful.
pub fn percent(p: f64) -> String {
    let pct = p * 100.0;
    if pct == 0.0 || pct.abs() >= 1e-3 { format!("{}%", significant(pct, 3)) } else { format!("{pct:.2e}%") }
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
    }
}
