//! What `check` prints: vars, random factors, outputs, scenarios and correlations, as
//! text or JSON.

use super::cells::{Cell, Table};
use super::format::{Document, Format, Render};
use super::view::DescribeReport;
use super::{human, json};
use crate::study::{Description, VarKind};

impl Render for DescribeReport<'_> {
    const NAME: &'static str = "check";
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json];

    fn document(&self, format: Format) -> Document {
        match format {
            Format::Json => json::check_json(self.0).into(),
            Format::Table | Format::Csv | Format::Markdown | Format::Html => text(self.0).into(),
        }
    }
}

/// `c` exactly (the shortest decimal that reads back as the same double), with the
/// rounded human form beside it when that is easier to read (1600000000 ($1.6B)).
fn exact(c: f64, unit: Option<&str>) -> String {
    let digits = c.to_string();
    match c.abs() >= 1e4 && c.is_finite() {
        true => format!("{digits} ({})", human::number(c, unit)),
        false => digits,
    }
}

/// `description` as aligned text ending in `ok`.
fn text(d: &Description) -> String {
    let mut out = format!("model: {}\nsha256: {}\n\n", d.name, d.sha256);
    let width = d.vars.iter().map(|v| v.name.len()).max().unwrap_or(0);
    out.push_str(&format!("vars ({}):\n", d.vars.len()));
    let kinds: Vec<String> = d
        .vars
        .iter()
        .map(|var| {
            let kind = match var.kind {
                VarKind::Random => "random".to_string(),
                VarKind::Constant(c) => format!("constant = {}", exact(c, var.unit.as_deref())),
                VarKind::Derived => "derived".to_string(),
            };
            match (var.per_period, var.series) {
                (true, _) => format!("{kind}, per period"),
                (false, true) => format!("{kind} series"),
                (false, false) => kind,
            }
        })
        .collect();
    let kind_width = kinds.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    for (var, kind) in d.vars.iter().zip(&kinds) {
        let unit = var.unit.as_ref().map_or(String::new(), |u| format!(" [{u}]"));
        let (name, kind) = (human::pad(&var.name, width), human::pad(kind, kind_width));
        out.push_str(&format!("  {name}  {kind}  {}{unit}\n", var.text));
    }
    out.push_str(&spreads(d));
    out.push_str(&data(d));
    if !d.periods.is_empty() {
        out.push_str(&format!("\nperiods ({}): {}", d.periods.len(), d.periods.join(", ")));
    }
    out.push_str(&format!("\nrandom factors ({}): {}\n", d.factors.len(), d.factors.join(", ")));
    out.push_str(&format!("outputs ({}): {}\n", d.outputs.len(), d.outputs.join(", ")));
    out.push_str(&format!("scenarios ({}):", d.scenarios.len()));
    for s in &d.scenarios {
        let description = s.description.as_ref().map_or(String::new(), |d| format!(" — {d}"));
        out.push_str(&format!("\n  {}{description} (overrides {})", s.name, s.overrides.join(", ")));
    }
    out.push('\n');
    if !d.correlated.is_empty() {
        out.push_str(&format!("correlated inputs ({}): {}\n", d.correlated.len(), d.correlated.join(", ")));
    }
    out.push_str(&format!("sampling: {}\n", d.sampling));
    out.push_str("ok\n");
    out
}

/// Each var fitted to data: the file and column, its SHA-256, the sample size and the
/// Kolmogorov–Smirnov distance of the fit with its p-value; empty without any.
fn data(d: &Description) -> String {
    let fitted: Vec<_> = d.vars.iter().filter_map(|v| Some((&v.name, v.data.as_deref()?))).collect();
    if fitted.is_empty() {
        return String::new();
    }
    let mut out = format!("\ndata ({}):\n", fitted.len());
    for (name, fit) in fitted {
        let goodness = fit.goodness.map_or_else(
            || "resampled as it is".to_string(),
            |g| match g.p_value {
                p if p < 1e-4 => format!("Kolmogorov–Smirnov distance {:.4} (p < 0.0001)", g.distance),
                p => format!("Kolmogorov–Smirnov distance {:.4} (p = {p:.4})", g.distance),
            },
        );
        out.push_str(&format!(
            "  {name}: {} column {} · {} values · sha256 {} · {} · {goodness}\n",
            fit.spec.file,
            fit.spec.column,
            super::words::group_thousands(fit.n as u64),
            &fit.sha256[..16],
            fit.spec.family.name(),
        ));
    }
    out.push_str("  (the p-values are on the high side: each fit's parameters come from the data it is tested on)\n");
    out
}

/// Each random input's p5, p50, p95 and mean, aligned, so that a misread parameter shows
/// before a run; empty without any.
fn spreads(d: &Description) -> String {
    let mut table = Table::new("spreads", &["", "p5", "p50", "p95", "mean"]);
    for v in &d.vars {
        let Some(s) = &v.spread else { continue };
        let show = |x: f64| match x.is_finite() {
            true => human::number(x, v.unit.as_deref()),
            false if x == f64::INFINITY => "∞ (the tail is too heavy for a mean)".to_string(),
            false => "—".to_string(),
        };
        let mut cells = vec![Cell::Text(v.name.clone())];
        cells.extend([s.p5, s.p50, s.p95, s.mean].map(|x| Cell::Number(show(x), x)));
        table.row(None, cells);
    }
    let count = d.vars.iter().filter(|v| v.spread.is_some()).count();
    if count == 0 {
        return String::new();
    }
    let mut out = format!("\nrandom inputs ({count}), before any run:\n{}", table.text("  "));
    if let Some(n) = d.vars.iter().find_map(|v| v.spread.as_ref()?.simulated) {
        let simulated: Vec<&str> = d
            .vars
            .iter()
            .filter(|v| v.spread.as_ref().is_some_and(|s| s.simulated.is_some()))
            .map(|v| v.name.as_str())
            .collect();
        out.push_str(&format!(
            "  (exact from the quantile functions; {} from {} simulated trials)\n",
            simulated.join(", "),
            human::number(n as f64, None)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_printed_exactly() {
        assert_eq!(exact(1.275, None), "1.275");
        assert_eq!(exact(0.1 + 0.2, None), "0.30000000000000004");
        assert_eq!(exact(1.6e9, Some("USD")), "1600000000 ($1.6B)");
        assert_eq!(exact(-12_345.5, None), "-12345.5 (-12.3k)");
        assert_eq!(exact(4.0, None), "4");
    }
}
