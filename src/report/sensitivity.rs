//! Renderings of sensitivity analyses: a text tornado that reads at a glance, tables of
//! rank correlations and Sobol indices, and Markdown (JSON is in `json`).

use super::{aligned, human};
use crate::sensitivity::{Analysis, Sensitivity};

/// Width of the bars in text charts.
const BAR_WIDTH: usize = 30;

/// Everything a sensitivity report shows.
#[derive(Clone, Debug)]
pub struct SensitivityReport<'a> {
    /// Model name.
    pub model_name: &'a str,
    /// Model file as given.
    pub file: &'a str,
    /// Model sha256.
    pub sha256: &'a str,
    /// Seed.
    pub seed: u64,
    /// The output analysed.
    pub output: &'a str,
    /// Its unit.
    pub unit: Option<&'a str>,
    /// The analyses, the factors left out and the warnings.
    pub sensitivity: &'a Sensitivity,
}

impl SensitivityReport<'_> {
    /// The aligned text report with bar charts.
    pub fn table(&self) -> String {
        let mut out =
            format!("Sensitivity of `{}` — {}\n{} · seed {}\n", self.output, self.model_name, self.file, self.seed);
        out.push_str(&self.left_out_line());
        for analysis in &self.sensitivity.analyses {
            out.push('\n');
            out.push_str(&match analysis {
                Analysis::Tornado(t) => self.tornado_text(t),
                Analysis::Spearman(s) => self.spearman_text(s),
                Analysis::Sobol(s) => sobol_text(s),
            });
        }
        for w in self.sensitivity.warnings.iter().chain(self.sensitivity.analyses.iter().flat_map(|a| match a {
            Analysis::Sobol(s) => s.warnings.iter(),
            _ => [].iter(),
        })) {
            out.push_str(&format!("\nwarning: {w}"));
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }

    fn number(&self, x: f64) -> String {
        human::number(x, self.unit)
    }

    /// One line naming the random inputs that do not feed the output, if any.
    fn left_out_line(&self) -> String {
        match self.sensitivity.left_out.as_slice() {
            [] => String::new(),
            names => format!(
                "left out: {} random input{} that do{} not feed `{}` ({})\n",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                if names.len() == 1 { "es" } else { "" },
                self.output,
                names.join(", ")
            ),
        }
    }

    fn tornado_text(&self, t: &crate::sensitivity::tornado::Tornado) -> String {
        let mut out = format!(
            "tornado: each input at its p{} and p{}, the others at their medians\n  output with every input at its median: {}\n",
            t.range.0 * 100.0,
            t.range.1 * 100.0,
            self.number(t.base)
        );
        let lo = t.factors.iter().map(|f| f.low.min(f.high)).fold(t.base, f64::min);
        let hi = t.factors.iter().map(|f| f.low.max(f.high)).fold(t.base, f64::max);
        let rows: Vec<Vec<String>> = t
            .factors
            .iter()
            .map(|f| {
                vec![
                    f.name.clone(),
                    self.number(f.low),
                    self.number(f.high),
                    self.number(f.swing),
                    bar(f.low, f.high, t.base, lo, hi),
                ]
            })
            .collect();
        out.push_str(&columns(&["input", "low", "high", "swing", ""], &rows));
        out
    }

    fn spearman_text(&self, s: &crate::sensitivity::spearman::Spearman) -> String {
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
        out.push_str(&columns(&["input", "rank corr", "contribution", ""], &rows));
        out
    }
}

fn sobol_text(s: &crate::sensitivity::sobol::Sobol) -> String {
    let mut out =
        format!("sobol: variance shares (N = {}, {} evaluations, 95% bootstrap intervals)\n", s.trials, s.evaluations);
    let rows: Vec<Vec<String>> = s
        .factors
        .iter()
        .map(|f| {
            let ci = |c: [f64; 2]| format!("[{:.3}, {:.3}]", c[0], c[1]);
            vec![
                f.name.clone(),
                format!("{:.3}", f.first_order),
                ci(f.first_order_ci),
                format!("{:.3}", f.total),
                ci(f.total_ci),
                "█".repeat((f.total.clamp(0.0, 1.0) * BAR_WIDTH as f64).round() as usize),
            ]
        })
        .collect();
    out.push_str(&columns(&["input", "first", "95% CI", "total", "95% CI", ""], &rows));
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

/// Left-aligned columns under a header.
fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut all = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    all.extend_from_slice(rows);
    aligned(&all)
}

/// Markdown: one table per method.
pub fn markdown(report: &SensitivityReport<'_>) -> String {
    let mut out = format!("## Sensitivity of `{}`: {}\n", report.output, super::md(report.model_name));
    if !report.sensitivity.left_out.is_empty() {
        out.push('\n');
        out.push_str(&report.left_out_line());
    }
    for analysis in &report.sensitivity.analyses {
        match analysis {
            Analysis::Tornado(t) => {
                out.push_str(&format!("\n### Tornado (p{} / p{}, others at median; base {})\n\n| input | low | high | swing |\n|---|---:|---:|---:|\n", t.range.0 * 100.0, t.range.1 * 100.0, report.number(t.base)));
                for f in &t.factors {
                    out.push_str(&format!(
                        "| {} | {} | {} | {} |\n",
                        f.name,
                        report.number(f.low),
                        report.number(f.high),
                        report.number(f.swing)
                    ));
                }
            }
            Analysis::Spearman(s) => {
                out.push_str(&format!("\n### Rank correlation ({} trials)\n\n| input | rank correlation | contribution to variance |\n|---|---:|---:|\n", s.trials));
                for f in &s.factors {
                    out.push_str(&format!(
                        "| {} | {:+.3} | {} |\n",
                        f.name,
                        f.rank_correlation,
                        human::percent(f.contribution_to_variance)
                    ));
                }
            }
            Analysis::Sobol(s) => {
                out.push_str(&format!("\n### Sobol indices (N = {})\n\n| input | first order | 95% CI | total | 95% CI |\n|---|---:|---|---:|---|\n", s.trials));
                for f in &s.factors {
                    out.push_str(&format!(
                        "| {} | {:.3} | [{:.3}, {:.3}] | {:.3} | [{:.3}, {:.3}] |\n",
                        f.name,
                        f.first_order,
                        f.first_order_ci[0],
                        f.first_order_ci[1],
                        f.total,
                        f.total_ci[0],
                        f.total_ci[1]
                    ));
                }
            }
        }
    }
    out
}
