//! `sensitivity`: a text tornado that reads at a glance, tables of rank correlations,
//! Sobol indices and Shapley effects, a section per output, as text, Markdown or JSON. A 0/1 output's values are probabilities, shown in
//! percent, and their differences in percentage points.

use super::cells::{Cell, Table};
use super::escape::{self, code};
use super::format::{Document, Format, Render};
use super::human;
use super::json;
use super::view::SensitivityReport;
use crate::sensitivity::shapley::Shapley;
use crate::sensitivity::sobol::Sobol;
use crate::sensitivity::spearman::Spearman;
use crate::sensitivity::tornado::{Tornado, TornadoKind};
use crate::sensitivity::{Analysis, Sensitivity};

/// Width of the bars in text charts.
const BAR_WIDTH: usize = 30;

impl Render for SensitivityReport<'_> {
    const NAME: &'static str = "sensitivity";
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Markdown];

    fn document(&self, format: Format) -> Document {
        match format {
            Format::Json => json::sensitivity_json(self).into(),
            Format::Markdown => markdown(self).into(),
            Format::Table | Format::Csv | Format::Html => self.table().into(),
        }
    }
}

impl SensitivityReport<'_> {
    /// The aligned text report with bar charts: a section per output.
    fn table(&self) -> String {
        let outputs = &self.analysed.outputs;
        let mut out = match outputs.as_slice() {
            [one] => format!("Sensitivity of `{}` — {}\n", one.output, self.model_name),
            _ => format!("Sensitivity — {}\n", self.model_name),
        };
        out.push_str(&format!("{} · seed {}\n", crate::diagnostic::printable_line(self.file), self.seed));
        let (constant, varying): (Vec<&Sensitivity>, Vec<&Sensitivity>) =
            outputs.iter().partition(|s| s.constant.is_some());
        for s in &varying {
            if outputs.len() > 1 {
                out.push_str(&format!("\n━━ {} ━━\n", heading(s)));
            }
            out.push_str(&section_text(s));
        }
        out.push_str(&self.leftovers(&constant, "\n", |s| format!("`{}`", s), str::to_string));
        out
    }

    /// Lines for the constant outputs and the series not analysed: names as `code` writes
    /// them, values (in their unit) as `shown` does.
    fn leftovers(
        &self,
        constant: &[&Sensitivity],
        before: &str,
        code: impl Fn(&str) -> String,
        shown: impl Fn(&str) -> String,
    ) -> String {
        let mut out = String::new();
        if !constant.is_empty() {
            let items: Vec<String> = constant
                .iter()
                .map(|s| format!("{} = {}", code(&s.output), shown(&value(s, s.constant.unwrap_or(0.0)))))
                .collect();
            out.push_str(&format!(
                "{before}constant — nothing to explain (the same in every trial): {}\n",
                items.join(", ")
            ));
        }
        if !self.analysed.series.is_empty() {
            let names: Vec<String> = self.analysed.series.iter().map(|n| code(n)).collect();
            out.push_str(&format!(
                "{before}series not analysed (name a period, e.g. --var '{}[…]', or a var that reduces it): {}\n",
                self.analysed.series[0],
                names.join(", ")
            ));
        }
        out
    }
}

/// An output's heading: its name, and what its values are when it is 0/1.
fn heading(s: &Sensitivity) -> String {
    match s.boolean {
        true => format!("{} (0/1: values are probabilities)", s.output),
        false => match s.unit.as_deref() {
            Some(unit) if !human::in_value(Some(unit)) => format!("{} (swings in {unit})", s.output),
            _ => s.output.clone(),
        },
    }
}

/// The output's value `x`: a probability for a 0/1 output, else a number in its unit.
fn value(s: &Sensitivity, x: f64) -> String {
    match s.boolean {
        true => human::percent(x),
        false => human::number(x, s.unit.as_deref()),
    }
}

/// A difference of the output's values: percentage points for a 0/1 output.
fn difference(s: &Sensitivity, d: f64) -> String {
    match s.boolean {
        true => human::points(d),
        false => human::number(d, s.unit.as_deref()),
    }
}

/// One output's analyses, notes and warnings.
fn section_text(s: &Sensitivity) -> String {
    let mut out = left_out_line(s, |n| format!("`{n}`"));
    for note in &s.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    for analysis in &s.analyses {
        out.push('\n');
        out.push_str(&match analysis {
            Analysis::Tornado(t) => tornado_text(s, t),
            Analysis::Spearman(sp) => spearman_text(sp),
            Analysis::Sobol(so) => sobol_text(so),
            Analysis::Shapley(sh) => shapley_text(sh),
        });
    }
    for w in s.warnings.iter().chain(s.analyses.iter().flat_map(Analysis::warnings)) {
        out.push_str(&format!("\nwarning: {w}"));
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// One line naming the random inputs that do not feed the output, if any.
fn left_out_line(s: &Sensitivity, code: impl Fn(&str) -> String) -> String {
    match s.left_out.as_slice() {
        [] => String::new(),
        names => format!(
            "left out: {} random input{} that do{} not feed {} ({})\n",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            if names.len() == 1 { "es" } else { "" },
            code(&s.output),
            names.iter().map(|n| code(n)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The tornado's title lines.
fn tornado_title(s: &Sensitivity, t: &Tornado) -> String {
    let (lo, hi) = (t.range.0 * 100.0, t.range.1 * 100.0);
    match t.kind {
        TornadoKind::Swing => format!(
            "tornado (swing): each input at its p{lo} and p{hi}, the others at their medians\n  output with every input at its median: {}\n",
            value(s, t.base)
        ),
        TornadoKind::Conditional => format!(
            "tornado (conditional): the output's mean with each input in its bottom {lo}% and top {}% of {} trials\n  mean over all trials: {}\n",
            100.0 - hi,
            t.trials,
            value(s, t.base)
        ),
    }
}

fn tornado_text(s: &Sensitivity, t: &Tornado) -> String {
    let mut out = tornado_title(s, t);
    let lo = t.factors.iter().map(|f| f.low.min(f.high)).fold(t.base, f64::min);
    let hi = t.factors.iter().map(|f| f.low.max(f.high)).fold(t.base, f64::max);
    let rows: Vec<Vec<String>> = t
        .factors
        .iter()
        .map(|f| {
            vec![
                f.name.clone(),
                value(s, f.low),
                value(s, f.high),
                difference(s, f.swing),
                bar(f.low, f.high, t.base, lo, hi),
            ]
        })
        .collect();
    out.push_str(&columns(&["input", "low", "high", "swing", ""], rows));
    out
}

fn spearman_text(s: &Spearman) -> String {
    let mut out = format!("spearman: rank correlation with the output ({} trials)\n", s.trials);
    let rows: Vec<Vec<String>> = s
        .factors
        .iter()
        .map(|f| {
            let share = f.contribution_to_variance;
            vec![
                f.name.clone(),
                format!("{:+.3}", f.rank_correlation),
                human::percent(share),
                "█".repeat((share * BAR_WIDTH as f64).round() as usize),
            ]
        })
        .collect();
    out.push_str(&columns(&["input", "rank corr", "contribution", ""], rows));
    out
}

/// `[lo, hi]` to three decimals.
fn interval(c: [f64; 2]) -> String {
    format!("[{}, {}]", human::fixed(c[0], 3), human::fixed(c[1], 3))
}

/// A bar of length `share` of the full width.
fn share_bar(share: f64) -> String {
    "█".repeat((share.clamp(0.0, 1.0) * BAR_WIDTH as f64).round() as usize)
}

fn sobol_text(s: &Sobol) -> String {
    let mut out = format!(
        "sobol: variance shares, inputs independent (N = {}, {} evaluations, 95% intervals)\n",
        s.trials, s.evaluations
    );
    let rows: Vec<Vec<String>> = s
        .factors
        .iter()
        .map(|f| {
            vec![
                f.name.clone(),
                human::fixed(f.first_order, 3),
                interval(f.first_order_ci),
                human::fixed(f.total, 3),
                interval(f.total_ci),
                share_bar(f.total),
            ]
        })
        .collect();
    out.push_str(&columns(&["input", "first", "95% CI", "total", "95% CI", ""], rows));
    out
}

/// How the permutations were chosen.
fn permutations(s: &Shapley) -> String {
    match s.exact {
        true => format!("all orders of the inputs, {} chunks", s.permutations),
        false => format!("{} random orders of the inputs", s.permutations),
    }
}

fn shapley_text(s: &Shapley) -> String {
    let mut out = format!(
        "shapley: variance shares, correlations respected (N = {}, {} evaluations, {}; effects sum to {:.3})\n",
        s.trials,
        s.evaluations,
        permutations(s),
        s.sum
    );
    let rows: Vec<Vec<String>> = s
        .factors
        .iter()
        .map(|f| vec![f.name.clone(), human::fixed(f.shapley, 3), interval(f.shapley_ci), share_bar(f.shapley)])
        .collect();
    out.push_str(&columns(&["input", "effect", "95% CI", ""], rows));
    out
}

/// A bar from `low` to `high` on a scale from `lo` to `hi`, with `│` at `base`.
fn bar(low: f64, high: f64, base: f64, lo: f64, hi: f64) -> String {
    if hi <= lo {
        return String::new();
    }
    let at = |x: f64| (((x - lo) / (hi - lo)) * (BAR_WIDTH - 1) as f64).round() as usize;
    let (from, to, mid) = (at(low.min(high)), at(low.max(high)), at(base));
    (0..BAR_WIDTH)
        .map(|i| {
            if i == mid {
                '│'
            } else if (from..=to).contains(&i) {
                '█'
            } else {
                ' '
            }
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Left-aligned columns under a header, indented: the input's name, then what costsim
/// wrote about it.
fn columns(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new("sensitivity", header);
    for row in rows {
        let mut cells = row.into_iter();
        let name = cells.next().map(Cell::Text);
        table.row(None, name.into_iter().chain(cells.map(Cell::Shown)).collect());
    }
    table.text("  ")
}

/// Markdown: a section per output, a table per method.
fn markdown(report: &SensitivityReport<'_>) -> String {
    let mut out = format!("## Sensitivity: {}\n", escape::markdown(report.model_name));
    let (constant, varying): (Vec<&Sensitivity>, Vec<&Sensitivity>) =
        report.analysed.outputs.iter().partition(|s| s.constant.is_some());
    for s in varying {
        out.push_str(&format!(
            "\n### {}{}\n",
            code(&s.output),
            if s.boolean { " (0/1: values are probabilities)" } else { "" }
        ));
        if !s.left_out.is_empty() {
            out.push('\n');
            out.push_str(&left_out_line(s, code));
        }
        for note in &s.notes {
            out.push_str(&format!("\nNote: {}.\n", escape::markdown(note)));
        }
        for analysis in &s.analyses {
            out.push_str(&analysis_markdown(s, analysis));
        }
        for w in s.warnings.iter().chain(s.analyses.iter().flat_map(Analysis::warnings)) {
            out.push_str(&format!("\nWarning: {}.\n", escape::markdown(w)));
        }
    }
    let leftovers = report.leftovers(&constant, "\n", code, escape::markdown_shown);
    out.push_str(&leftovers);
    out
}

/// One method's Markdown table.
fn analysis_markdown(s: &Sensitivity, analysis: &Analysis) -> String {
    let name = |n: &str| Cell::Text(n.to_string());
    let number = |x: f64, shown: String| Cell::Number(shown, x);
    let (title, table) = match analysis {
        Analysis::Tornado(t) => {
            let title = match t.kind {
                TornadoKind::Swing => format!(
                    "Tornado, swing (p{} / p{}, others at median; base {})",
                    t.range.0 * 100.0,
                    t.range.1 * 100.0,
                    value(s, t.base)
                ),
                TornadoKind::Conditional => format!(
                    "Tornado, conditional (mean in each input's bottom {}% / top {}% of {} trials; overall {})",
                    t.range.0 * 100.0,
                    100.0 - t.range.1 * 100.0,
                    t.trials,
                    value(s, t.base)
                ),
            };
            let mut table = Table::new("tornado", &["input", "low", "high", "swing"]);
            for f in &t.factors {
                table.row(
                    None,
                    vec![
                        name(&f.name),
                        number(f.low, value(s, f.low)),
                        number(f.high, value(s, f.high)),
                        number(f.swing, difference(s, f.swing)),
                    ],
                );
            }
            (title, table)
        }
        Analysis::Spearman(sp) => {
            let mut table = Table::new("spearman", &["input", "rank correlation", "contribution to variance"]);
            for f in &sp.factors {
                let share = f.contribution_to_variance;
                table.row(
                    None,
                    vec![
                        name(&f.name),
                        number(f.rank_correlation, format!("{:+.3}", f.rank_correlation)),
                        number(share, human::percent(share)),
                    ],
                );
            }
            (format!("Rank correlation ({} trials)", sp.trials), table)
        }
        Analysis::Sobol(so) => {
            let mut table = Table::new("sobol", &["input", "first order", "95% CI", "total", "95% CI"]);
            for f in &so.factors {
                table.row(
                    None,
                    vec![
                        name(&f.name),
                        number(f.first_order, human::fixed(f.first_order, 3)),
                        Cell::Shown(interval(f.first_order_ci)),
                        number(f.total, human::fixed(f.total, 3)),
                        Cell::Shown(interval(f.total_ci)),
                    ],
                );
            }
            (format!("Sobol indices, inputs independent (N = {})", so.trials), table)
        }
        Analysis::Shapley(sh) => {
            let mut table = Table::new("shapley", &["input", "effect", "95% CI"]);
            for f in &sh.factors {
                table.row(
                    None,
                    vec![
                        name(&f.name),
                        number(f.shapley, human::fixed(f.shapley, 3)),
                        Cell::Shown(interval(f.shapley_ci)),
                    ],
                );
            }
            let title = format!(
                "Shapley effects, correlations respected (N = {}, {}; sum {:.3})",
                sh.trials,
                permutations(sh),
                sh.sum
            );
            (title, table)
        }
    };
    // The title holds the base value in the output's unit (`$2.1/(GPU*hour)`).
    format!("\n#### {}\n\n{}", escape::markdown_shown(&title), table.markdown())
}
