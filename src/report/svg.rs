//! Inline SVG charts for the HTML report: histogram, CDF, the drivers (tornado, rank
//! correlations, Sobol indices, Shapley effects), scenario intervals, a 0/1 output's
//! probability and the fan chart of a series over its periods. Hand-written SVG keeps
//! the report self-contained and dependency-free; every chart has a title, a legend on
//! its own line, axis labels in human units and marked percentiles.
//!
//! No two texts of a chart overlap: labels of vertical lines go on the first of several
//! rows where they clear the others ([`MarkRows`]), names are shortened to their room
//! ([`fit`]), and value labels have margins of their own. Widths are estimated
//! generously ([`text_width`]); the browser test measures the real ones.

use std::fmt::Write as _;

use super::escape::html;
use super::human;
use super::view::Mark;
use crate::sensitivity::shapley::Shapley;
use crate::sensitivity::sobol::Sobol;
use crate::sensitivity::spearman::Spearman;
use crate::sensitivity::tornado::{Tornado, TornadoKind};
use crate::stats::{Histogram, Summary};

/// How values are written: a human number in the output's unit, or a percentage.
pub(super) type Show<'a> = &'a dyn Fn(f64) -> String;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 290.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 20.0;
/// Top of the plot: below the title, the legend and the first row of mark labels.
const TOP: f64 = 60.0;
const BOTTOM: f64 = 44.0;
/// Size of a chart's title, px (bold: counted a little larger).
const TITLE: f64 = 14.0;
/// Size of small text (ticks, labels, legends), px.
const SMALL: f64 = 10.0;
/// Height of one line of small text.
const LINE: f64 = 13.0;
/// Width of the names column of the bar charts.
const NAMES: f64 = 132.0;
/// Room for a value written beside a bar's end.
const VALUE_ROOM: f64 = 64.0;
/// Most bars in a drivers chart.
const MOST_BARS: usize = 16;
/// Height of one bar's row.
const BAR_ROW: f64 = 22.0;

/// Width of `text` at `size` px: 0.66 em per character, more than DejaVu Sans (the
/// widest common fallback) gives digits and lower-case letters.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.66
}

/// `text`, shortened with an ellipsis to fit `width` px at `size` px.
fn fit(text: &str, width: f64, size: f64) -> String {
    let most = (width / (size * 0.66)).floor() as usize;
    match text.chars().count() > most {
        true => text.chars().take(most.saturating_sub(1)).chain(std::iter::once('…')).collect(),
        false => text.to_string(),
    }
}

/// A horizontal axis from `lo` to `hi`, linear or logarithmic.
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    left: f64,
    width: f64,
}

impl Axis {
    fn linear(lo: f64, hi: f64, left: f64, width: f64) -> Axis {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5 * lo.abs().max(1.0), hi + 0.5 * hi.abs().max(1.0)) };
        Axis { lo, hi, log: false, left, width }
    }

    /// From `left` to `right` px.
    fn between(lo: f64, hi: f64, left: f64, right: f64) -> Axis {
        Axis::linear(lo, hi, left, right - left)
    }

    fn x(&self, value: f64) -> f64 {
        let t = if self.log {
            (value.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (value - self.lo) / (self.hi - self.lo)
        };
        self.left + t.clamp(0.0, 1.0) * self.width
    }

    /// Tick values: 1-2-5 steps (linear) or powers of ten (log).
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (self.lo.log10().ceil() as i32, self.hi.log10().floor() as i32);
            return (a..=b).map(|k| 10f64.powi(k)).collect();
        }
        let raw = (self.hi - self.lo) / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude);
        let first = (self.lo / step).ceil() as i64;
        let last = (self.hi / step).floor() as i64;
        (first..=last).map(|k| k as f64 * step).collect()
    }

    /// The axis line at height `y` with its ticks written by `show` (each only if it
    /// clears the one before) and `label` under them.
    fn draw(&self, svg: &mut String, y: f64, show: Show<'_>, label: &str) {
        let _ = write!(
            svg,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="axis"/>"#,
            self.left,
            self.left + self.width
        );
        let mut last_end = f64::NEG_INFINITY;
        for t in self.ticks() {
            let x = self.x(t);
            let text = show(t);
            let half = text_width(&text, SMALL) / 2.0;
            let _ = write!(svg, r#"<line x1="{x:.1}" y1="{y:.1}" x2="{x:.1}" y2="{:.1}" class="axis"/>"#, y + 4.0);
            if x - half > last_end + 4.0 {
                let _ = write!(svg, r#"<text x="{x:.1}" y="{:.1}" class="tick">{}</text>"#, y + 16.0, html(&text));
                last_end = x + half;
            }
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="label">{}</text>"#,
            self.left + self.width / 2.0,
            y + 34.0,
            html(&fit(label, WIDTH - 16.0, 11.0))
        );
    }
}

/// A legend item: a swatch of the class, if any, and its text.
type Key<'a> = (Option<&'a str>, &'a str);

/// Opens a chart: the title on the first line and the legend's items on the second.
fn open(svg: &mut String, title: &str, kind: &str, height: f64, legend: &[Key<'_>]) {
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img"><title>{t}</title><text x="8" y="20" class="title">{}</text>"#,
        html(&fit(title, WIDTH - 16.0, TITLE)),
        t = html(title)
    );
    let mut x = 8.0;
    for (swatch, text) in legend {
        if let Some(class) = swatch {
            let _ = write!(svg, r#"<rect x="{x:.1}" y="28" width="10" height="10" class="swatch {class}"/>"#);
            x += 14.0;
        }
        let _ = write!(svg, r#"<text x="{x:.1}" y="37" class="legend">{}</text>"#, html(text));
        x += text_width(text, SMALL) + 12.0;
    }
}

/// Rows for the labels of vertical lines: row 0 above the plot, the next ones inside it
/// (haloed); each label goes on the first row where it clears every other label. The
/// labels are kept, and written after the lines, which start below any label inside the
/// plot that they would cross.
#[derive(Default)]
struct MarkRows {
    /// Each label placed: its extent, its baseline (which says its row) and its SVG.
    placed: Vec<(f64, f64, f64, String)>,
}

impl MarkRows {
    /// The baseline of row `k`.
    fn baseline(k: usize) -> f64 {
        match k {
            0 => TOP - 8.0,
            k => TOP + 4.0 + LINE * k as f64,
        }
    }

    /// Places `text` over [x0, x1], at `tx` with `anchor`, on the first row where it
    /// clears the labels there; returns its baseline.
    fn label(&mut self, x0: f64, x1: f64, tx: f64, anchor: &str, text: &str, class: &str) -> f64 {
        let clear = |y: f64| self.placed.iter().filter(|p| p.2 == y).all(|&(a, b, ..)| x1 + 4.0 <= a || b + 4.0 <= x0);
        let y = (0..).map(MarkRows::baseline).find(|&y| clear(y)).expect("a row past the last is clear");
        let halo = if y > TOP { " halo" } else { "" };
        let svg = format!(
            r#"<text x="{tx:.1}" y="{y:.1}" class="{class}{halo}" text-anchor="{anchor}">{}</text>"#,
            html(text)
        );
        self.placed.push((x0, x1, y, svg));
        y
    }

    /// Places `text` centred at `x` (kept inside the chart).
    fn centred(&mut self, x: f64, text: &str, class: &str) {
        let half = text_width(text, SMALL) / 2.0;
        let x = x.clamp(half + 2.0, WIDTH - half - 2.0);
        self.label(x - half, x + half, x, "middle", text, class);
    }

    /// Places `text` beside the line at `x`: to its right if `right`, else to its left.
    fn beside(&mut self, x: f64, right: bool, text: &str, class: &str) {
        let w = text_width(text, SMALL);
        let (x0, x1, tx, anchor) =
            if right { (x + 4.0, x + 4.0 + w, x + 4.0, "start") } else { (x - 4.0 - w, x - 4.0, x - 4.0, "end") };
        self.label(x0, x1, tx, anchor, text, class);
    }

    /// Where a vertical line at `x` starts: the plot's top, or just below the lowest label
    /// inside the plot that it would cross.
    fn line_top(&self, x: f64) -> f64 {
        self.placed
            .iter()
            .filter(|&&(x0, x1, y, _)| y > TOP && x0 - 2.0 <= x && x <= x1 + 2.0)
            .map(|&(.., y, _)| y + 5.0)
            .fold(TOP, f64::max)
    }
}

/// Dashed lines at p5, p50 and p95 and solid lines at `thresholds`, labelled without
/// overlaps: labels clear each other, and lines clear the labels.
fn marks(svg: &mut String, axis: &Axis, s: &Summary, show: Show<'_>, thresholds: &[&Mark], bottom: f64) {
    let mut rows = MarkRows::default();
    let mut lines = Vec::new();
    for (value, name) in [(s.p5(), "p5"), (s.p50(), "p50"), (s.p95(), "p95")] {
        let x = axis.x(value);
        lines.push((x, "mark"));
        rows.centred(x, &format!("{name} {}", show(value)), "marklabel");
    }
    for t in thresholds {
        let x = axis.x(t.value);
        lines.push((x, "threshold"));
        rows.beside(x, x < axis.left + axis.width / 2.0, &t.label, "thresholdlabel");
    }
    for (x, class) in lines {
        let top = rows.line_top(x);
        let _ = write!(svg, r#"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" class="{class}"/>"#);
    }
    rows.placed.iter().for_each(|(.., label)| svg.push_str(label));
}

/// The histogram of an output from exact bin counts (from its p0.5 to its p99.5), with
/// `thresholds` drawn.
pub(super) fn histogram(
    name: &str,
    s: &Summary,
    h: &Histogram,
    show: Show<'_>,
    unit: &str,
    thresholds: &[&Mark],
) -> String {
    let axis = Axis::linear(h.lo, h.hi, LEFT, WIDTH - LEFT - RIGHT);
    let peak = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut svg = String::new();
    let legend = [(Some("bars"), "trials per bin (p0.5 to p99.5)"), (Some("mark"), "percentiles")];
    open(&mut svg, &format!("{name}: distribution"), "histogram", HEIGHT, &legend);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let bar = axis.width / h.counts.len() as f64;
    let mut path = String::new();
    for (i, &count) in h.counts.iter().enumerate() {
        let height = count as f64 / peak * plot_height;
        let x = axis.left + i as f64 * bar;
        let _ =
            write!(path, "M{x:.1},{:.1}h{:.1}v{height:.1}h{:.1}z", HEIGHT - BOTTOM - height, bar - 0.5, -(bar - 0.5));
    }
    // The counts themselves ride along, so readers and tests can check the bars.
    let counts: Vec<String> = h.counts.iter().map(u64::to_string).collect();
    let _ = write!(
        svg,
        r#"<path d="{path}" class="bars" data-lo="{}" data-hi="{}" data-counts="{}"/>"#,
        h.lo,
        h.hi,
        counts.join(" ")
    );
    marks(&mut svg, &axis, s, show, thresholds, HEIGHT - BOTTOM);
    axis.draw(&mut svg, HEIGHT - BOTTOM, show, &format!("{name} ({unit})"));
    svg.push_str("</svg>");
    svg
}

/// The cumulative distribution of an output, with p5/p50/p95 and `thresholds` marked.
pub(super) fn cdf(name: &str, s: &Summary, show: Show<'_>, unit: &str, thresholds: &[&Mark]) -> String {
    let (lo, hi) = (s.sketch.quantile(0.005), s.sketch.quantile(0.995));
    let axis = Axis::linear(lo, hi, LEFT, WIDTH - LEFT - RIGHT);
    let mut svg = String::new();
    let legend = [(Some("line"), "share of trials at or below"), (Some("mark"), "percentiles")];
    open(&mut svg, &format!("{name}: cumulative probability"), "cdf", HEIGHT, &legend);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y = |p: f64| HEIGHT - BOTTOM - p * plot_height;
    let n = s.sketch.count() as f64;
    let mut seen = 0u64;
    let mut path = format!("M{:.1},{:.1}", axis.x(axis.lo), y(0.0));
    for (value, count) in s.sketch.buckets() {
        seen += count;
        if value >= axis.lo && value <= axis.hi {
            let _ = write!(path, "L{:.1},{:.1}", axis.x(value), y(seen as f64 / n));
        }
    }
    let _ = write!(path, "L{:.1},{:.1}", axis.x(axis.hi), y(1.0));
    let _ = write!(svg, r#"<path d="{path}" class="line"/>"#);
    for p in [0.0, 0.5, 1.0] {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="ytick">{}</text>"#,
            LEFT - 6.0,
            y(p) + 4.0,
            human::percent(p)
        );
    }
    marks(&mut svg, &axis, s, show, thresholds, HEIGHT - BOTTOM);
    axis.draw(&mut svg, HEIGHT - BOTTOM, show, &format!("{name} ({unit})"));
    svg.push_str("</svg>");
    svg
}

/// A chart of one bar row per factor: names on the left and a plot area between
/// `NAMES + VALUE_ROOM` and `WIDTH - VALUE_ROOM`, so values fit beside the bars.
struct Bars {
    svg: String,
    height: f64,
    axis: Axis,
}

impl Bars {
    fn open(title: &str, kind: &str, rows: usize, lo: f64, hi: f64, legend: &[Key<'_>]) -> Bars {
        let height = TOP + rows as f64 * BAR_ROW + BOTTOM;
        let mut svg = String::new();
        open(&mut svg, title, kind, height, legend);
        Bars { svg, height, axis: Axis::between(lo, hi, NAMES + VALUE_ROOM, WIDTH - VALUE_ROOM) }
    }

    /// The middle of row `i`.
    fn middle(i: usize) -> f64 {
        TOP + (i as f64 + 0.5) * BAR_ROW
    }

    /// Row `i`'s name, shortened to fit (the whole name in its tooltip).
    fn name(&mut self, i: usize, name: &str) {
        let _ = write!(
            self.svg,
            r#"<text x="{:.1}" y="{:.1}" class="rowlabel"><title>{}</title>{}</text>"#,
            NAMES - 6.0,
            Bars::middle(i) + 4.0,
            html(name),
            html(&fit(name, NAMES - 14.0, SMALL))
        );
    }

    /// A bar of `class` in row `i` from `a` to `b` (values), `thickness` px high and
    /// `offset` px below the row's middle.
    fn bar(&mut self, i: usize, a: f64, b: f64, class: &str, thickness: f64, offset: f64) {
        let (x0, x1) = (self.axis.x(a.min(b)), self.axis.x(a.max(b)));
        let _ = write!(
            self.svg,
            r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{thickness:.1}" class="{class}"/>"#,
            Bars::middle(i) + offset - thickness / 2.0,
            (x1 - x0).max(1.0)
        );
    }

    /// A 95% interval's whisker in row `i`, `offset` px below the middle.
    fn whisker(&mut self, i: usize, [lo, hi]: [f64; 2], offset: f64) {
        let (x0, x1, y) = (self.axis.x(lo), self.axis.x(hi), Bars::middle(i) + offset);
        let _ = write!(
            self.svg,
            r#"<path d="M{x0:.1},{:.1}v6M{x0:.1},{y:.1}H{x1:.1}M{x1:.1},{:.1}v6" class="ci"/>"#,
            y - 3.0,
            y - 3.0
        );
    }

    /// `text` beside the span [lo, hi] of row `i` (a bar's end, or with its whisker): after
    /// it if `after`, else before it; inside the bar, clear of the span, when there is no
    /// room outside.
    fn value(&mut self, i: usize, [lo, hi]: [f64; 2], after: bool, text: &str) {
        let (x0, x1) = (self.axis.x(lo), self.axis.x(hi));
        let w = text_width(text, SMALL) + 4.0;
        let outside = if after { x1 + w <= WIDTH - 2.0 } else { x0 - w >= NAMES };
        let (x, anchor, class) = match (after, outside) {
            (true, true) => (x1 + 4.0, "start", "value"),
            (false, true) => (x0 - 4.0, "end", "value"),
            (true, false) => (x0 - 4.0, "end", "value inverse"),
            (false, false) => (x1 + 4.0, "start", "value inverse"),
        };
        let _ = write!(
            self.svg,
            r#"<text x="{x:.1}" y="{:.1}" class="{class}" text-anchor="{anchor}">{}</text>"#,
            Bars::middle(i) + 4.0,
            html(text)
        );
    }

    /// A dashed vertical line at `value` through every row.
    fn line(&mut self, value: f64) {
        let x = self.axis.x(value);
        let _ = write!(
            self.svg,
            r#"<line x1="{x:.1}" y1="{TOP:.1}" x2="{x:.1}" y2="{:.1}" class="mark"/>"#,
            self.height - BOTTOM
        );
    }

    fn close(mut self, show: Show<'_>, label: &str) -> String {
        let y = self.height - BOTTOM;
        self.axis.draw(&mut self.svg, y, show, label);
        self.svg.push_str("</svg>");
        self.svg
    }
}

/// The tornado: per input, a bar from the base to the output with the input low and one
/// to the output with it high, in two colours, with those values at their ends (swing:
/// the input at its low and high percentile, others at their medians; conditional: the
/// output's mean over the input's bottom and top tail).
pub(super) fn tornado(name: &str, t: &Tornado, show: Show<'_>, unit: &str) -> String {
    let rows: Vec<_> = t.factors.iter().take(MOST_BARS).collect();
    let lo = rows.iter().map(|f| f.low.min(f.high)).fold(t.base, f64::min);
    let hi = rows.iter().map(|f| f.low.max(f.high)).fold(t.base, f64::max);
    let (lo_pct, hi_pct) = (t.range.0 * 100.0, t.range.1 * 100.0);
    let (title, low, high, base, axis_label) = match t.kind {
        TornadoKind::Swing => (
            format!("{name}: tornado, inputs at p{lo_pct:.0} / p{hi_pct:.0}"),
            format!("input at p{lo_pct:.0}"),
            format!("input at p{hi_pct:.0}"),
            "dashed: all at medians",
            format!("{name} ({unit}), other inputs at their medians"),
        ),
        TornadoKind::Conditional => (
            format!("{name}: tornado, by input tails"),
            format!("input in bottom {lo_pct:.0}%"),
            format!("input in top {:.0}%", 100.0 - hi_pct),
            "dashed: mean of all",
            format!("mean {name} ({unit}) when the input is in that tail"),
        ),
    };
    let legend = [(Some("low"), low.as_str()), (Some("high"), high.as_str()), (None, base)];
    let mut bars = Bars::open(&top(&title, t.factors.len()), "tornado", rows.len(), lo, hi, &legend);
    for (i, f) in rows.iter().enumerate() {
        bars.name(i, &f.name);
        // The longer bar first, so the shorter one stays visible on top of it.
        let mut ends = [(f.low, "low"), (f.high, "high")];
        ends.sort_by(|a, b| (b.0 - t.base).abs().total_cmp(&(a.0 - t.base).abs()));
        for (value, class) in ends {
            bars.bar(i, t.base, value, class, BAR_ROW - 8.0, 0.0);
        }
        // Each end's value outside it; when both ends are on one side (or are one value),
        // the outer one.
        let same_side = (f.low - t.base) * (f.high - t.base) > 0.0 || f.low == f.high;
        for (value, _) in ends.iter().take(if same_side { 1 } else { 2 }) {
            bars.value(i, [*value, *value], *value >= t.base, &show(*value));
        }
    }
    bars.line(t.base);
    bars.close(show, &axis_label)
}

/// Each input's Spearman rank correlation with the output, as a bar from 0, with ρ and
/// its share of Σρ² beside it.
pub(super) fn spearman(name: &str, s: &Spearman) -> String {
    let rows: Vec<_> = s.factors.iter().take(MOST_BARS).collect();
    let legend = [(Some("high"), "ρ > 0"), (Some("low"), "ρ < 0"), (None, "(share of Σρ²)")];
    let mut bars = Bars::open(
        &top(&format!("{name}: rank correlations"), s.factors.len()),
        "spearman",
        rows.len(),
        -1.0,
        1.0,
        &legend,
    );
    for (i, f) in rows.iter().enumerate() {
        let rho = f.rank_correlation;
        bars.name(i, &f.name);
        bars.bar(i, 0.0, rho, if rho >= 0.0 { "high" } else { "low" }, BAR_ROW - 8.0, 0.0);
        bars.value(i, [rho, rho], rho >= 0.0, &format!("{rho:+.2} ({:.0}%)", 100.0 * f.contribution_to_variance));
    }
    bars.line(0.0);
    bars.close(&|x| format!("{x:.1}"), &format!("Spearman's ρ with {name}, {} trials", s.trials))
}

/// `title`, saying which bars are shown when there are more than [`MOST_BARS`] inputs.
fn top(title: &str, inputs: usize) -> String {
    match inputs > MOST_BARS {
        true => format!("{title} (top {MOST_BARS} of {inputs})"),
        false => title.to_string(),
    }
}

/// The upper end of a share-of-variance axis: 1, or more if an interval reaches past it.
fn share_axis_end(ends: impl Iterator<Item = f64>) -> f64 {
    ends.fold(1.0, f64::max)
}

/// Sobol indices: per input, the first-order index over the total index, with their 95%
/// intervals.
pub(super) fn sobol(name: &str, s: &Sobol) -> String {
    let rows: Vec<_> = s.factors.iter().take(MOST_BARS).collect();
    let hi = share_axis_end(rows.iter().map(|f| f.total_ci[1].max(f.first_order_ci[1])));
    let legend = [(Some("first"), "first-order"), (Some("total"), "total"), (None, "whiskers: 95% interval")];
    let mut bars =
        Bars::open(&top(&format!("{name}: Sobol indices"), s.factors.len()), "sobol", rows.len(), 0.0, hi, &legend);
    for (i, f) in rows.iter().enumerate() {
        bars.name(i, &f.name);
        bars.bar(i, 0.0, f.first_order, "first", 7.0, -4.0);
        bars.bar(i, 0.0, f.total, "total", 7.0, 4.0);
        bars.whisker(i, f.first_order_ci, -4.0);
        bars.whisker(i, f.total_ci, 4.0);
        let end = f.first_order_ci[1].max(f.total_ci[1]).max(f.total).max(f.first_order);
        let start = f.first_order_ci[0].min(f.total_ci[0]).min(f.total).min(f.first_order);
        let text = format!("{} / {}", human::fixed(f.first_order, 2), human::fixed(f.total, 2));
        bars.value(i, [start, end], true, &text);
    }
    bars.close(&|x| format!("{x:.1}"), &format!("Sobol index (first-order / total), N = {}", s.trials))
}

/// Shapley effects: per input, its share of the variance with inputs correlated, with its
/// 95% interval.
pub(super) fn shapley(name: &str, s: &Shapley) -> String {
    let rows: Vec<_> = s.factors.iter().take(MOST_BARS).collect();
    let hi = share_axis_end(rows.iter().map(|f| f.shapley_ci[1]));
    let lo = rows.iter().map(|f| f.shapley_ci[0]).fold(0.0, f64::min);
    let legend = [(Some("total"), "share of variance, inputs correlated"), (None, "whiskers: 95% interval")];
    let mut bars =
        Bars::open(&top(&format!("{name}: Shapley effects"), s.factors.len()), "shapley", rows.len(), lo, hi, &legend);
    for (i, f) in rows.iter().enumerate() {
        bars.name(i, &f.name);
        bars.bar(i, 0.0, f.shapley, "total", BAR_ROW - 10.0, 0.0);
        bars.whisker(i, f.shapley_ci, 0.0);
        let span = [f.shapley_ci[0].min(f.shapley), f.shapley_ci[1].max(f.shapley)];
        bars.value(i, span, true, &human::fixed(f.shapley, 3));
    }
    let orders = if s.exact { "every order" } else { "random orders" };
    bars.close(
        &|x| format!("{x:.1}"),
        &format!("Shapley effect (sum {:.3}), {} permutations, {orders}", s.sum, s.permutations),
    )
}

/// Scenarios side by side: p5–p95 bar and p50 dot per scenario; log scale when they span
/// more than a factor of 30.
pub(super) fn scenarios(name: &str, rows: &[(&str, &Summary)], show: Show<'_>, unit: &str) -> String {
    let lo = rows.iter().map(|(_, s)| s.p5()).fold(f64::INFINITY, f64::min);
    let hi = rows.iter().map(|(_, s)| s.p95()).fold(f64::NEG_INFINITY, f64::max);
    let log = lo > 0.0 && hi / lo > 30.0;
    let title = format!("{name}: scenarios{}", if log { " (log scale)" } else { "" });
    let legend = [(Some("bars"), "p5 to p95"), (Some("dot"), "median")];
    let mut bars = Bars::open(&title, "scenarios", rows.len(), lo, hi, &legend);
    bars.axis = Axis { left: NAMES + 8.0, width: WIDTH - NAMES - 8.0 - RIGHT - 8.0, ..bars.axis };
    if log {
        bars.axis = Axis { lo: lo / 1.5, hi: hi * 1.5, log: true, ..bars.axis };
    }
    for (i, (label, s)) in rows.iter().enumerate() {
        bars.name(i, label);
        bars.bar(i, s.p5(), s.p95(), "bars", 6.0, 0.0);
        let _ = write!(
            bars.svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="5" class="dot"/>"#,
            bars.axis.x(s.p50()),
            Bars::middle(i)
        );
    }
    bars.close(show, &format!("{name} ({unit})"))
}

/// A 0/1 output in each scenario: the probability that it is 1, as bars on a 0–100%
/// scale with the value beside each.
pub(super) fn scenario_probabilities(name: &str, rows: &[(&str, &Summary)]) -> String {
    let legend = [(Some("bars"), "probability of being true")];
    let mut bars = Bars::open(&format!("{name}: scenarios"), "scenarios", rows.len(), 0.0, 1.0, &legend);
    for (i, (label, s)) in rows.iter().enumerate() {
        bars.name(i, label);
        bars.bar(i, 0.0, s.moments.mean, "bars", BAR_ROW - 8.0, 0.0);
        bars.value(i, [s.moments.mean; 2], true, &human::percent(s.moments.mean));
    }
    bars.close(&|x| human::percent(x), "probability")
}

/// A 0/1 output: the probability that it is 1, as a bar on a 0–100% scale.
pub(super) fn probability(name: &str, s: &Summary) -> String {
    let height = TOP + 40.0 + BOTTOM;
    let axis = Axis::linear(0.0, 1.0, LEFT, WIDTH - LEFT - RIGHT);
    let mut svg = String::new();
    open(
        &mut svg,
        &format!("{name}: probability of being true"),
        "probability",
        height,
        &[(Some("bars"), "share of trials where it holds")],
    );
    let p = s.moments.mean;
    let text = human::percent(p);
    // The value after the bar's end, or inside it when the bar reaches the right.
    let room = text_width(&text, SMALL) + 8.0;
    let (x, anchor, class) = match axis.x(p) + room > axis.left + axis.width {
        true => (axis.x(p) - 4.0, "end", "value inverse"),
        false => (axis.x(p) + 4.0, "start", "value"),
    };
    let _ = write!(
        svg,
        r#"<path d="M{:.1},{:.1}h{:.1}v24h{:.1}z" class="bars"/><text x="{x:.1}" y="{:.1}" class="{class}" text-anchor="{anchor}">{}</text>"#,
        axis.left,
        TOP + 8.0,
        (axis.x(p) - axis.left).max(1.0),
        -(axis.x(p) - axis.left).max(1.0),
        TOP + 24.0,
        html(&text)
    );
    axis.draw(&mut svg, height - BOTTOM, &|x| human::percent(x), "probability");
    svg.push_str("</svg>");
    svg
}

/// Fan chart of a series: its median over the periods, in bands from p25 to p75 and from
/// p5 to p95. Every band is drawn from exact percentiles.
pub(super) fn fan(name: &str, periods: &[(&str, &Summary)], show: Show<'_>, unit: &str) -> String {
    let lo = periods.iter().map(|(_, s)| s.p5()).fold(f64::INFINITY, f64::min);
    let hi = periods.iter().map(|(_, s)| s.p95()).fold(f64::NEG_INFINITY, f64::max);
    let plot_height = HEIGHT - TOP - BOTTOM;
    // A vertical axis: Axis maps values to 0..plot_height, drawn upwards from the bottom.
    let axis = Axis::linear(lo, hi, 0.0, plot_height);
    let y = |v: f64| HEIGHT - BOTTOM - axis.x(v);
    let step = (WIDTH - LEFT - RIGHT) / periods.len() as f64;
    let x = |k: usize| LEFT + (k as f64 + 0.5) * step;
    let mut svg = String::new();
    let legend = [(Some("line"), "median"), (Some("band50"), "p25 to p75"), (Some("band90"), "p5 to p95")];
    open(&mut svg, &format!("{name} by period ({unit})"), "fan", HEIGHT, &legend);
    for (class, low, high) in [
        ("band90", Summary::p5 as fn(&Summary) -> f64, Summary::p95 as fn(&Summary) -> f64),
        ("band50", Summary::p25, Summary::p75),
    ] {
        let mut path = String::new();
        for (k, (_, s)) in periods.iter().enumerate() {
            let _ = write!(path, "{}{:.1},{:.1}", if k == 0 { 'M' } else { 'L' }, x(k), y(high(s)));
        }
        for (k, (_, s)) in periods.iter().enumerate().rev() {
            let _ = write!(path, "L{:.1},{:.1}", x(k), y(low(s)));
        }
        let _ = write!(svg, r#"<path d="{path}Z" class="{class}"/>"#);
    }
    let mut median = String::new();
    for (k, (_, s)) in periods.iter().enumerate() {
        let _ = write!(median, "{}{:.1},{:.1}", if k == 0 { 'M' } else { 'L' }, x(k), y(s.p50()));
    }
    let _ = write!(svg, r#"<path d="{median}" class="line"/>"#);
    let _ = write!(
        svg,
        r#"<line x1="{LEFT:.1}" y1="{b:.1}" x2="{:.1}" y2="{b:.1}" class="axis"/><line x1="{LEFT:.1}" y1="{TOP:.1}" x2="{LEFT:.1}" y2="{b:.1}" class="axis"/>"#,
        WIDTH - RIGHT,
        b = HEIGHT - BOTTOM
    );
    for t in axis.ticks() {
        let _ =
            write!(svg, r#"<text x="{:.1}" y="{:.1}" class="ytick">{}</text>"#, LEFT - 6.0, y(t) + 4.0, html(&show(t)));
    }
    // Period labels that clear each other: every k-th, k from the widest label.
    let widest = periods.iter().map(|(label, _)| text_width(label, SMALL)).fold(0.0, f64::max);
    let every = ((widest + 6.0) / step).ceil().max(1.0) as usize;
    for (k, (label, _)) in periods.iter().enumerate().step_by(every) {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="tick">{}</text>"#,
            x(k),
            HEIGHT - BOTTOM + 16.0,
            html(label)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" class="label">period</text>"#,
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        HEIGHT - BOTTOM + 34.0
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_labels_that_would_overlap_go_to_the_next_row() {
        let mut rows = MarkRows::default();
        let mut place = |x0: f64, x1: f64| rows.label(x0, x1, x0, "start", "label", "marklabel");
        let first = place(100.0, 160.0);
        assert_eq!(place(150.0, 200.0), first + LINE + 12.0, "overlaps the first: one row down, inside the plot");
        assert_eq!(place(170.0, 220.0), first, "clears the first: its row");
        assert_eq!(place(90.0, 230.0), TOP + 4.0 + 2.0 * LINE, "overlaps both rows: a third");
    }

    #[test]
    fn names_are_shortened_to_their_room() {
        assert_eq!(fit("gpu", 100.0, SMALL), "gpu");
        let long = fit("a_very_long_var_name_for_the_price_of_h800", 66.0, SMALL);
        assert_eq!(long.chars().count(), 10);
        assert!(long.ends_with('…'));
    }
}
