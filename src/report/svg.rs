//! Inline SVG charts for the HTML report: histogram, CDF, tornado, scenario intervals
//! and the fan chart of a series over its periods. Hand-written SVG keeps the report self-contained and dependency-free; every
//! chart has a title, axis labels in human units and marked percentiles.

use std::fmt::Write as _;

use super::{Threshold, escape, human};
use crate::sensitivity::tornado::{Tornado, TornadoKind};
use crate::stats::Summary;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 44.0;

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

    fn draw(&self, svg: &mut String, y: f64, unit: Option<&str>, label: &str) {
        let _ = write!(
            svg,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="axis"/>"#,
            self.left,
            self.left + self.width
        );
        for t in self.ticks() {
            let x = self.x(t);
            let _ = write!(
                svg,
                r#"<line x1="{x:.1}" y1="{y:.1}" x2="{x:.1}" y2="{:.1}" class="axis"/><text x="{x:.1}" y="{:.1}" class="tick">{}</text>"#,
                y + 4.0,
                y + 16.0,
                escape(&human::number(t, unit))
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="label">{}</text>"#,
            self.left + self.width / 2.0,
            y + 34.0,
            escape(label)
        );
    }
}

fn open(svg: &mut String, title: &str, kind: &str, height: f64) {
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img"><title>{t}</title><text x="{LEFT}" y="18" class="title">{t}</text>"#,
        t = escape(title)
    );
}

/// A one-line legend at the top right.
fn legend(svg: &mut String, text: &str) {
    let _ = write!(svg, r#"<text x="{:.1}" y="18" class="legend">{}</text>"#, WIDTH - RIGHT, escape(text));
}

/// Vertical lines at p5, p50 and p95 with labels.
fn percentile_marks(svg: &mut String, axis: &Axis, s: &Summary, unit: Option<&str>) {
    for (value, name) in [(s.p5(), "p5"), (s.p50(), "p50"), (s.p95(), "p95")] {
        let x = axis.x(value);
        let _ = write!(
            svg,
            r#"<line x1="{x:.1}" y1="{TOP:.1}" x2="{x:.1}" y2="{:.1}" class="mark"/><text x="{x:.1}" y="{:.1}" class="marklabel">{name} {}</text>"#,
            HEIGHT - BOTTOM,
            TOP - 4.0,
            escape(&human::number(value, unit))
        );
    }
}

/// A solid line at each threshold with its label inside the plot, beside the line on
/// the side with more room.
fn threshold_marks(svg: &mut String, axis: &Axis, thresholds: &[&Threshold]) {
    for (i, t) in thresholds.iter().enumerate() {
        let x = axis.x(t.value);
        let right = x < axis.left + axis.width / 2.0;
        let (tx, anchor) = if right { (x + 4.0, "start") } else { (x - 4.0, "end") };
        let _ = write!(
            svg,
            r#"<line x1="{x:.1}" y1="{TOP:.1}" x2="{x:.1}" y2="{:.1}" class="threshold"/><text x="{tx:.1}" y="{:.1}" class="thresholdlabel" text-anchor="{anchor}">{}</text>"#,
            HEIGHT - BOTTOM,
            TOP + 14.0 + 13.0 * i as f64,
            escape(&t.label)
        );
    }
}

/// Histogram of an output between its p0.5 and p99.5 (ends marked by the axis), with
/// `thresholds` drawn.
pub(super) fn histogram(name: &str, s: &Summary, unit: Option<&str>, thresholds: &[&Threshold]) -> String {
    let (lo, hi) = (s.sketch.quantile(0.005), s.sketch.quantile(0.995));
    let axis = Axis::linear(lo, hi, LEFT, WIDTH - LEFT - RIGHT);
    let bins = s.sketch.density(axis.lo, axis.hi, 48);
    let peak = bins.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let mut svg = String::new();
    open(&mut svg, &format!("{name}: distribution"), "histogram", HEIGHT);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let bar = axis.width / bins.len() as f64;
    let mut path = String::new();
    for (i, &count) in bins.iter().enumerate() {
        let h = count / peak * plot_height;
        let x = axis.left + i as f64 * bar;
        let _ = write!(path, "M{x:.1},{:.1}h{:.1}v{h:.1}h{:.1}z", HEIGHT - BOTTOM - h, bar - 0.5, -(bar - 0.5));
    }
    let _ = write!(svg, r#"<path d="{path}" class="bars"/>"#);
    percentile_marks(&mut svg, &axis, s, unit);
    threshold_marks(&mut svg, &axis, thresholds);
    legend(&mut svg, "bars: share of trials · dashed: percentiles");
    axis.draw(&mut svg, HEIGHT - BOTTOM, unit, &format!("{name} ({})", unit.unwrap_or("value")));
    svg.push_str("</svg>");
    svg
}

/// Cumulative distribution of an output, with p5/p50/p95 and `thresholds` marked.
pub(super) fn cdf(name: &str, s: &Summary, unit: Option<&str>, thresholds: &[&Threshold]) -> String {
    let (lo, hi) = (s.sketch.quantile(0.005), s.sketch.quantile(0.995));
    let axis = Axis::linear(lo, hi, LEFT, WIDTH - LEFT - RIGHT);
    let mut svg = String::new();
    open(&mut svg, &format!("{name}: cumulative probability"), "cdf", HEIGHT);
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
    percentile_marks(&mut svg, &axis, s, unit);
    threshold_marks(&mut svg, &axis, thresholds);
    axis.draw(&mut svg, HEIGHT - BOTTOM, unit, &format!("{name} ({})", unit.unwrap_or("value")));
    svg.push_str("</svg>");
    svg
}

/// Tornado: one bar per input from the output at its low to its high value (swing: the
/// input at its low and high percentile; conditional: the output's mean in the input's
/// bottom and top tail).
pub(super) fn tornado(name: &str, t: &Tornado, unit: Option<&str>) -> String {
    let rows = t.factors.iter().take(12).collect::<Vec<_>>();
    let row_height = 20.0;
    let label_width = 130.0;
    let height = TOP + rows.len() as f64 * row_height + BOTTOM;
    let lo = rows.iter().map(|f| f.low.min(f.high)).fold(t.base, f64::min);
    let hi = rows.iter().map(|f| f.low.max(f.high)).fold(t.base, f64::max);
    let axis = Axis::linear(lo, hi, label_width, WIDTH - label_width - RIGHT);
    let mut svg = String::new();
    let (lo_pct, hi_pct) = (t.range.0 * 100.0, t.range.1 * 100.0);
    let (title, note, axis_label) = match t.kind {
        TornadoKind::Swing => (
            format!("{name}: what drives it (inputs at p{lo_pct:.0}/p{hi_pct:.0})"),
            "dashed: every input at its median",
            format!("{name} ({}), others at their medians", unit.unwrap_or("value")),
        ),
        TornadoKind::Conditional => (
            format!("{name}: drivers (each input's bottom/top {lo_pct:.0}%)"),
            "dashed: mean of all trials",
            format!("mean {name} ({}) when the input is in that tail", unit.unwrap_or("value")),
        ),
    };
    open(&mut svg, &title, "tornado", height);
    let mut path = String::new();
    for (i, f) in rows.iter().enumerate() {
        let y = TOP + i as f64 * row_height;
        let (a, b) = (axis.x(f.low.min(f.high)), axis.x(f.low.max(f.high)));
        let _ = write!(
            path,
            "M{a:.1},{:.1}h{:.1}v{:.1}h{:.1}z",
            y + 3.0,
            (b - a).max(1.0),
            row_height - 6.0,
            -(b - a).max(1.0)
        );
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="rowlabel">{}</text>"#,
            label_width - 6.0,
            y + row_height / 2.0 + 4.0,
            escape(&f.name)
        );
    }
    let _ = write!(svg, r#"<path d="{path}" class="bars"/>"#);
    let x = axis.x(t.base);
    let _ = write!(svg, r#"<line x1="{x:.1}" y1="{TOP:.1}" x2="{x:.1}" y2="{:.1}" class="mark"/>"#, height - BOTTOM);
    legend(&mut svg, note);
    axis.draw(&mut svg, height - BOTTOM, unit, &axis_label);
    svg.push_str("</svg>");
    svg
}

/// Scenarios side by side: p5–p95 bar and p50 dot per scenario; log scale when they span
/// more than a factor of 30.
pub(super) fn scenarios(name: &str, rows: &[(&str, &Summary)], unit: Option<&str>) -> String {
    let row_height = 24.0;
    let label_width = 150.0;
    let height = TOP + rows.len() as f64 * row_height + BOTTOM;
    let lo = rows.iter().map(|(_, s)| s.p5()).fold(f64::INFINITY, f64::min);
    let hi = rows.iter().map(|(_, s)| s.p95()).fold(f64::NEG_INFINITY, f64::max);
    let log = lo > 0.0 && hi / lo > 30.0;
    let mut axis = Axis::linear(lo, hi, label_width, WIDTH - label_width - RIGHT);
    if log {
        axis = Axis { lo: lo / 1.5, hi: hi * 1.5, log: true, left: label_width, width: WIDTH - label_width - RIGHT };
    }
    let mut svg = String::new();
    open(
        &mut svg,
        &format!("{name}: scenarios, 90% interval and median{}", if log { " (log scale)" } else { "" }),
        "scenarios",
        height,
    );
    let mut path = String::new();
    for (i, (label, s)) in rows.iter().enumerate() {
        let y = TOP + i as f64 * row_height + row_height / 2.0;
        let (a, b) = (axis.x(s.p5()), axis.x(s.p95()));
        let _ = write!(path, "M{a:.1},{:.1}h{:.1}v6h{:.1}z", y - 3.0, (b - a).max(1.0), -(b - a).max(1.0));
        let _ = write!(svg, r#"<circle cx="{:.1}" cy="{y:.1}" r="5" class="dot"/>"#, axis.x(s.p50()));
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="rowlabel">{}</text>"#,
            label_width - 6.0,
            y + 4.0,
            escape(label)
        );
    }
    let _ = write!(svg, r#"<path d="{path}" class="bars"/>"#);
    legend(&mut svg, "bar: p5–p95 · dot: median");
    axis.draw(&mut svg, height - BOTTOM, unit, &format!("{name} ({})", unit.unwrap_or("value")));
    svg.push_str("</svg>");
    svg
}

/// A 0/1 output: the probability that it is 1, as a bar on a 0–100% scale.
pub(super) fn probability(name: &str, s: &Summary) -> String {
    let height = TOP + 40.0 + BOTTOM;
    let axis = Axis::linear(0.0, 1.0, LEFT, WIDTH - LEFT - RIGHT);
    let mut svg = String::new();
    open(&mut svg, &format!("{name}: probability of being true"), "probability", height);
    let p = s.moments.mean;
    let _ = write!(
        svg,
        r#"<path d="M{:.1},{:.1}h{:.1}v24h{:.1}z" class="bars"/><text x="{:.1}" y="{:.1}" class="marklabel">{}</text>"#,
        axis.left,
        TOP + 8.0,
        (axis.x(p) - axis.left).max(1.0),
        -(axis.x(p) - axis.left).max(1.0),
        axis.x(p).min(axis.left + axis.width - 30.0) + 4.0,
        TOP + 4.0,
        escape(&human::percent(p))
    );
    let ticks = Axis { lo: 0.0, hi: 100.0, log: false, left: LEFT, width: WIDTH - LEFT - RIGHT };
    ticks.draw(&mut svg, height - BOTTOM, Some("%"), "probability (%)");
    svg.push_str("</svg>");
    svg
}

/// Fan chart of a series: its median over the periods, in bands from p25 to p75 and from
/// p5 to p95. Every band is drawn from exact percentiles.
pub(super) fn fan(name: &str, periods: &[(&str, &Summary)], unit: Option<&str>) -> String {
    let lo = periods.iter().map(|(_, s)| s.p5()).fold(f64::INFINITY, f64::min);
    let hi = periods.iter().map(|(_, s)| s.p95()).fold(f64::NEG_INFINITY, f64::max);
    let plot_height = HEIGHT - TOP - BOTTOM;
    // A vertical axis: Axis maps values to 0..plot_height, drawn upwards from the bottom.
    let axis = Axis::linear(lo, hi, 0.0, plot_height);
    let y = |v: f64| HEIGHT - BOTTOM - axis.x(v);
    let step = (WIDTH - LEFT - RIGHT) / periods.len() as f64;
    let x = |k: usize| LEFT + (k as f64 + 0.5) * step;
    let mut svg = String::new();
    open(&mut svg, &format!("{name} by period ({})", unit.unwrap_or("value")), "fan", HEIGHT);
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
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="ytick">{}</text>"#,
            LEFT - 6.0,
            y(t) + 4.0,
            escape(&human::number(t, unit))
        );
    }
    // At most about 12 period labels, so that they never overlap.
    let every = periods.len().div_ceil(12);
    for (k, (label, _)) in periods.iter().enumerate().step_by(every) {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="tick">{}</text>"#,
            x(k),
            HEIGHT - BOTTOM + 16.0,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" class="label">period</text>"#,
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        HEIGHT - BOTTOM + 34.0
    );
    legend(&mut svg, "line: median · bands: p25–p75, p5–p95");
    svg.push_str("</svg>");
    svg
}
