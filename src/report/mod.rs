//! Reports: the view model of a run and its renderings (table, JSON, CSV, Markdown).
//!
//! Renderers return bytes, so the CLI can write them to stdout or atomically to a file.

mod cells;
pub mod compare;
pub mod describe;
mod escape;
pub mod html;
pub mod human;
mod json;
mod markdown;
pub mod sensitivity;
mod svg;
mod table;

use crate::stats::{Caveat, PERCENTILES, Summary};
use crate::study::{OutputResult, PrecisionOutcome, RunResult};

/// Output formats of `run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// The JSON contract (docs/json.md).
    Json,
    /// One row per output.
    Csv,
    /// A Markdown table.
    Markdown,
}

/// Where a run came from: everything needed to reproduce it.
#[derive(Clone, Copy, Debug)]
pub struct Provenance<'a> {
    /// `[model] name`.
    pub model_name: &'a str,
    /// The model file as given.
    pub file: &'a str,
    /// SHA-256 of the model file.
    pub sha256: &'a str,
    /// Scenario applied, if any.
    pub scenario: Option<&'a str>,
    /// Seed.
    pub seed: u64,
    /// Trials.
    pub trials: u64,
    /// Sampling method.
    pub sampling: &'a str,
    /// `--set` overrides as given, `VAR=EXPR`, in order.
    pub overrides: &'a [String],
}

impl Provenance<'_> {
    /// The overrides as (var, expression) pairs.
    pub fn override_pairs(&self) -> Vec<(&str, &str)> {
        self.overrides
            .iter()
            .map(|o| o.split_once('=').map_or((o.as_str(), ""), |(var, expr)| (var.trim(), expr.trim())))
            .collect()
    }
}

/// A threshold a 0/1 output tests on another output (`capex > 1.6B`), drawn on that
/// output's histogram and CDF with the probability beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// The output compared.
    pub output: String,
    /// The value it is compared with.
    pub value: f64,
    /// The label: `P(capex > $1.6B) = 88.6%`.
    pub label: String,
}

/// One reported output.
#[derive(Clone, Copy, Debug)]
pub struct OutputRow<'a> {
    /// Its name: the var's, or `name[label]` for a period of a series.
    pub name: &'a str,
    /// For a period of a series: the var's name and the period's label.
    pub period: Option<(&'a str, &'a str)>,
    /// Its unit, if declared.
    pub unit: Option<&'a str>,
    /// True if it is a comparison or logic (its mean is a probability).
    pub boolean: bool,
    /// Its statistics.
    pub summary: &'a Summary,
}

impl OutputRow<'_> {
    /// A value of this output for people: a percentage for 0/1 outputs, else a human
    /// number in the output's unit.
    pub fn show(&self, x: f64) -> String {
        self.show_to(x, 3)
    }

    /// As [`OutputRow::show`], with `digits` significant digits.
    pub fn show_to(&self, x: f64, digits: i32) -> String {
        if self.boolean { human::percent_to(x, digits) } else { human::number_to(x, self.unit, digits) }
    }
}

impl<'a> From<&'a OutputResult> for OutputRow<'a> {
    fn from(o: &'a OutputResult) -> OutputRow<'a> {
        OutputRow {
            name: &o.name,
            period: o.period.as_ref().map(|(var, label)| (var.as_str(), label.as_str())),
            unit: o.unit.as_deref(),
            boolean: o.boolean,
            summary: &o.summary,
        }
    }
}

/// A run, ready to render.
#[derive(Clone, Debug)]
pub struct RunReport<'a> {
    /// Provenance.
    pub meta: Provenance<'a>,
    /// Outputs in report order.
    pub outputs: Vec<OutputRow<'a>>,
    /// Requested and achieved correlations.
    pub correlations: &'a [crate::simulation::Achieved],
    /// The precision target, if one was set.
    pub precision: Option<PrecisionOutcome>,
}

impl<'a> RunReport<'a> {
    /// The report of `run`, with `meta`'s provenance (its trial count from the run).
    pub fn new(meta: Provenance<'a>, run: &'a RunResult) -> RunReport<'a> {
        RunReport {
            meta: Provenance { trials: run.trials, ..meta },
            outputs: run.outputs.iter().map(OutputRow::from).collect(),
            correlations: &run.correlations,
            precision: run.precision.clone(),
        }
    }

    /// The report in `format`.
    pub fn render(&self, format: Format) -> Vec<u8> {
        match format {
            Format::Table => table::render(self).into_bytes(),
            Format::Json => json::run_json(self),
            Format::Csv => csv(self).into_bytes(),
            Format::Markdown => markdown::render(self).into_bytes(),
        }
    }
}

/// One CSV row per output with every statistic, full precision, and the kind of caveat
/// on the mean's interval (`unseen`, `skewed`, `heavy_tail`; empty when it holds).
fn csv(report: &RunReport<'_>) -> String {
    let names: Vec<&str> = PERCENTILES.iter().map(|(n, _)| *n).collect();
    let mut out =
        format!("output,mean,std,min,max,stderr_mean,mean_ci95_low,mean_ci95_high,{},mean_caveat\n", names.join(","));
    for o in &report.outputs {
        let (s, m) = (o.summary, &o.summary.moments);
        let [lo, hi] = s.mean_ci95;
        let mut cells = vec![o.name.to_string()];
        cells.extend([m.mean, m.std(), m.min, m.max, m.stderr_mean(), lo, hi].iter().map(f64::to_string));
        cells.extend(s.percentiles.iter().map(f64::to_string));
        cells.push(s.mean_caveat.map_or("", |c| c.kind()).to_string());
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// One line summarising the run's provenance.
fn provenance(meta: &Provenance<'_>) -> String {
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
fn group_thousands(n: u64) -> String {
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

/// A 0/1 output's mean as a probability with its 95% interval: `P = 88.6% ± 0.0622 pp`
/// while the interval is symmetric to a tenth of its width, else both ends,
/// `P = 0.00312% (0.00218% to 0.00446%)`; no events read as an upper bound,
/// `P < 0.000384%`, and events in every trial as a lower one.
fn probability(s: &Summary) -> String {
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

/// `x ± half` (the half-width in `width`'s words) when `x` is within a tenth of the
/// middle of its 95% interval `[lo, hi]`, else `x (lo to hi)`.
fn estimate(x: f64, [lo, hi]: [f64; 2], show: &impl Fn(f64) -> String, width: &impl Fn(f64) -> String) -> String {
    let (below, above) = (x - lo, hi - x);
    if (above - below).abs() <= 0.1 * above.max(below) {
        format!("{} ± {}", show(x), width((hi - lo) / 2.0))
    } else {
        format!("{} ({} to {})", show(x), show(lo), show(hi))
    }
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

/// The mark after a mean whose ± may not hold (see [`caveat_text`]).
const CAVEAT_MARK: &str = " !";

/// The value columns for an output: mean, p5, p50, p95 (or a probability), with the
/// 95% half-widths of the mean and p95 relative to their values.
fn headline(o: &OutputRow<'_>) -> Vec<String> {
    let s = o.summary;
    if o.boolean {
        return vec![probability(s)];
    }
    let relative = |half: f64, x: f64| {
        if x == 0.0 || half == 0.0 { String::new() } else { format!(" ±{}", human::percent(half / x.abs())) }
    };
    let [lo, hi] = s.p95_ci95();
    vec![
        format!(
            "{}{}{}",
            human::number(s.moments.mean, o.unit),
            relative(s.mean_half_width(), s.moments.mean),
            if s.mean_caveat.is_some() { CAVEAT_MARK } else { "" }
        ),
        human::number(s.p5(), o.unit),
        human::number(s.p50(), o.unit),
        format!("{}{}", human::number(s.p95(), o.unit), relative((hi - lo) / 2.0, s.p95())),
    ]
}

/// Lines about correlations and precision, shared by the table and Markdown.
fn notes(report: &RunReport<'_>) -> String {
    let mut out = String::new();
    if !report.correlations.is_empty() {
        out.push_str("\nrank correlations: requested → achieved\n");
        for c in report.correlations {
            let repaired = if c.used == c.requested { String::new() } else { format!(" (repaired to {:+.3})", c.used) };
            out.push_str(&format!(
                "  {} – {}: {:+.3}{repaired} → {:+.3}\n",
                c.pair[0], c.pair[1], c.requested, c.achieved
            ));
        }
    }
    let caveats: Vec<(&str, &Caveat)> =
        report.outputs.iter().filter_map(|o| Some((o.name, o.summary.mean_caveat.as_ref()?))).collect();
    if !caveats.is_empty() {
        out.push_str("\nthe ± of a mean marked ! may not hold:\n");
        for (name, caveat) in caveats {
            out.push_str(&format!("  {name}: {}\n", caveat_text(caveat)));
        }
    }
    if let Some(p) = &report.precision {
        out.push_str(&precision_text(p, report.meta.trials));
    }
    out
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

/// Rows as left-aligned columns two spaces apart, each line indented by two spaces.
fn aligned(rows: &[Vec<String>]) -> String {
    let n_cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n_cols)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count()))).collect();
        out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
    }
    out
}
