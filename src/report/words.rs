//! The words every rendering of a report shares: the provenance line, a value in its
//! output's terms, a probability with its interval, the headline cells of an output, why
//! an interval may not hold and whether a precision target was met.

use super::cells::Cell;
use super::human;
use super::view::Provenance;
use crate::stats::{Caveat, Summary};
use crate::study::{Difference, OutputResult, PrecisionOutcome};

/// The mark after a mean whose ± may not hold (see [`caveat_text`]).
pub(super) const CAVEAT_MARK: &str = " !";

/// One line summarising the run's provenance.
pub(super) fn provenance(meta: &Provenance<'_>) -> String {
    let scenario = meta.scenario.map_or(String::new(), |s| format!(" · scenario {s}"));
    let overrides: String = meta.override_pairs().iter().map(|(var, expr)| format!(" · set {var} = {expr}")).collect();
    // The file name may hold anything (an escape sequence, a line break): shown printable.
    crate::diagnostic::printable_line(&format!(
        "{}{scenario}{overrides} · seed {} · {} trials · {}",
        meta.file,
        meta.seed,
        group_thousands(meta.trials),
        meta.sampling
    ))
}

/// `1234567` as `1,234,567`.
pub(super) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Output `o`'s name as a table shows it: with its unit when its values do not show it,
/// `energy (kWh)`.
pub(super) fn label(o: &OutputResult) -> String {
    match o.unit.as_deref() {
        Some(unit) if !o.boolean && !human::in_value(Some(unit)) => format!("{} ({unit})", o.name),
        _ => o.name.clone(),
    }
}

/// A value of output `o` for people: a percentage for a 0/1 output, else a human number
/// in the output's unit.
pub(super) fn show(o: &OutputResult, x: f64) -> String {
    show_to(o, x, 3)
}

/// As [`show`], with `digits` significant digits.
pub(super) fn show_to(o: &OutputResult, x: f64, digits: i32) -> String {
    if o.boolean { human::percent_to(x, digits) } else { human::number_to(x, o.unit.as_deref(), digits) }
}

/// The header after the mean (and the last percentile) whose cells carry the half-width
/// of its 95% interval: the error of the estimate, which more trials shrink, not the
/// spread of the output.
pub(super) const MC_ERROR: &str = "± MC error";

/// A 0/1 output's mean as a probability with its 95% interval: `P = 88.6% ± 0.0622 pp`
/// while the interval is symmetric to a tenth of its width, else both ends,
/// `P = 0.00312% (0.00218% to 0.00446%)`; no events read as an upper bound,
/// `P < 0.000384%`, and events in every trial as a lower one.
pub(super) fn probability(s: &Summary) -> String {
    let (p, [lo, hi]) = (s.moments.mean, s.mean_ci95);
    if p <= 0.0 {
        return format!("P < {}", human::percent(hi));
    }
    if p >= 1.0 {
        let digits = human::distinguishing(lo, 1.0, human::percent_to);
        return format!("P > {}", human::percent_to(lo, digits));
    }
    format!("P = {}", estimate(p, [lo, hi], &human::percent, &human::points))
}

/// [`probability`] as a number cell.
pub(super) fn probability_cell(s: &Summary) -> Cell {
    Cell::Number(probability(s), s.moments.mean)
}

/// `x ± half` (the half-width in `width`'s words) when `x` is within a tenth of the
/// middle of its 95% interval `[lo, hi]`, else `x (lo to hi)`.
pub(super) fn estimate(
    x: f64,
    [lo, hi]: [f64; 2],
    show: &impl Fn(f64) -> String,
    width: &impl Fn(f64) -> String,
) -> String {
    let (below, above) = (x - lo, hi - x);
    if (above - below).abs() <= 0.1 * above.max(below) {
        format!("{} ± {}", show(x), width((hi - lo) / 2.0))
    } else {
        format!("{} ({} to {})", show(x), show(lo), show(hi))
    }
}

/// The mean and the `columns`' percentiles (name, level: see
/// [`Percentiles::headline`](crate::stats::Percentiles::headline)) of `s` (`o`'s
/// statistics, or a period's or a scenario's) as number cells written as `o` writes its
/// values.
pub(super) fn values(o: &OutputResult, s: &Summary, columns: &[(String, f64)]) -> Vec<Cell> {
    std::iter::once(s.moments.mean)
        .chain(columns.iter().map(|(_, q)| s.at(*q)))
        .map(|x| Cell::number(x, |x| show(o, x)))
        .collect()
}

/// A scenario's difference `d` from base in output `o`, as cells: for a 0/1 output the
/// change of probability in percentage points with its 95% interval; else the mean
/// difference and P(scenario > base). Blank cells for the base (no difference), and
/// "same as base" for a scenario that gives the base's value in every trial.
pub(super) fn change(o: &OutputResult, d: Option<&Difference>) -> Vec<Cell> {
    let blank = || Cell::Text(String::new());
    let same = d.is_some_and(Difference::unchanged);
    match d {
        None if o.boolean => vec![blank()],
        None => vec![blank(), blank()],
        Some(_) if same && o.boolean => vec![Cell::Text("same as base".into())],
        Some(_) if same => vec![Cell::Text("same as base".into()), blank()],
        Some(d) if o.boolean => {
            let change = |x: f64| signed(x, &human::points);
            let text = estimate(d.summary.moments.mean, d.summary.mean_ci95, &change, &human::points);
            vec![Cell::Number(text, d.summary.moments.mean)]
        }
        Some(d) => vec![
            Cell::Number(signed(d.summary.moments.mean, &|x| show(o, x)), d.summary.moments.mean),
            Cell::number(d.p_greater, human::percent),
        ],
    }
}

/// A difference with an explicit sign.
pub(super) fn signed(x: f64, n: &impl Fn(f64) -> String) -> String {
    if x > 0.0 { format!("+{}", n(x)) } else { n(x) }
}

/// The headers of [`values`]: `mean` and the columns' names.
pub(super) fn value_headers(columns: &[(String, f64)]) -> Vec<String> {
    std::iter::once("mean".to_string()).chain(columns.iter().map(|(n, _)| n.clone())).collect()
}

/// The headline of output `o` with statistics `s`: its probability if it is 0/1, else
/// its [`values`]; when `precise`, the mean and the last percentile (p95 by default)
/// carry the 95% half-widths of their intervals (relative to their values, or in the
/// output's units when it takes both signs), and the mean the [`CAVEAT_MARK`] when its
/// interval may not hold.
pub(super) fn headline(o: &OutputResult, s: &Summary, precise: bool, columns: &[(String, f64)]) -> Vec<Cell> {
    if o.boolean {
        return vec![probability_cell(s)];
    }
    let mut cells = values(o, s, columns);
    if precise {
        // Relative to the value where that means something; for an output that takes
        // both signs (p1 < 0 < p99: a saving, a net value), whose values can sit near
        // zero where a relative figure says more about zero than about the run, in the
        // output's units.
        let both_signs = s.p1() < 0.0 && s.p99() > 0.0;
        let relative = |half: f64, x: f64| match half {
            0.0 => String::new(),
            _ if both_signs || x == 0.0 => format!(" ±{}", show_to(o, half, 3)),
            _ => format!(" ±{}", human::percent(half / x.abs())),
        };
        let mark = if s.mean_caveat.is_some() { CAVEAT_MARK } else { "" };
        let mean = format!("{}{}{mark}", show(o, s.moments.mean), relative(s.mean_half_width(), s.moments.mean));
        cells[0] = Cell::Number(mean, s.moments.mean);
        if let Some((_, q)) = columns.last() {
            let ([lo, hi], x) = (s.ci95_at(*q), s.at(*q));
            cells[columns.len()] = Cell::Number(format!("{}{}", show(o, x), relative((hi - lo) / 2.0, x)), x);
        }
    }
    cells
}

/// Why a mean's ± may not hold, for people.
pub fn caveat_text(caveat: &Caveat) -> String {
    match *caveat {
        Caveat::Unseen { trials } => format!(
            "it was the same in all {} trials although random draws reach it: what moves it has not happened yet, so its mean is not known (run more trials)",
            group_thousands(trials)
        ),
        Caveat::Skewed { skewness, wanted } => format!(
            "a few large trials carry its mean (skewness {}): the ± holds from about {} trials (Cochran's rule, 25 × skewness²)",
            human::number(skewness, None),
            human::number(wanted.ceil(), None)
        ),
        Caveat::HeavyTail { upper, index, trials } => format!(
            "its {} tail is too heavy for the ± to hold: tail index {:.2} < {} (Hill's estimate from the {} trials farthest {} the median), so its variance is not known",
            if upper { "right" } else { "left" },
            index,
            crate::stats::confidence::HEAVY_TAIL_INDEX,
            group_thousands(trials as u64),
            if upper { "above" } else { "below" }
        ),
    }
}

/// Whether a `--precision` target was met after `trials` trials and, if not, what missed
/// it and by how much.
pub fn precision_text(p: &PrecisionOutcome, trials: u64) -> String {
    let target = human::percent(p.target);
    let trials = group_thousands(trials);
    if p.met() {
        return format!("\nprecision: ±{target} target met after {trials} trials\n");
    }
    let mut out = format!("\nprecision: ±{target} target NOT met after {trials} trials (raise --max-trials):\n");
    for miss in &p.misses {
        let achieved = match miss.relative {
            r if r.is_finite() => format!("±{}", human::percent(r)),
            _ => "an interval around 0".to_string(),
        };
        let why = miss.caveat.as_ref().map_or(String::new(), |c| format!("; {}", caveat_text(c)));
        out.push_str(&format!("  {} {}: {achieved}{why}\n", miss.output, miss.statistic));
    }
    out
}
