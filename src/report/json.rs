//! The JSON contract of design.md §3. The only `Serialize` types in the crate.

use serde::Serialize;

use super::RunReport;
use crate::stats::{PERCENTILES, Summary};

#[derive(Serialize)]
struct Run<'a> {
    costsim_version: &'static str,
    model: ModelRef<'a>,
    scenario: Option<&'a str>,
    seed: u64,
    trials: u64,
    sampling: &'a str,
    outputs: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    correlations: Vec<Correlation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    precision: Option<Precision>,
}

#[derive(Serialize)]
struct Correlation<'a> {
    vars: &'a [String; 2],
    requested: f64,
    used: f64,
    achieved: f64,
    trials: u64,
}

#[derive(Serialize)]
struct Precision {
    target: f64,
    met: bool,
}

#[derive(Serialize)]
struct ModelRef<'a> {
    name: &'a str,
    file: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct Output {
    mean: f64,
    std: f64,
    min: f64,
    max: f64,
    stderr_mean: f64,
    percentiles: serde_json::Map<String, serde_json::Value>,
    ci90: [f64; 2],
    mean_ci95: [f64; 2],
    percentile_ci95: serde_json::Map<String, serde_json::Value>,
}

/// The run as pretty-printed JSON with a trailing newline.
pub(super) fn render(report: &RunReport<'_>) -> Vec<u8> {
    pretty(&run_value(report))
}

/// Pretty-printed JSON with a trailing newline.
pub(super) fn pretty(value: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("plain data serialises");
    bytes.push(b'\n');
    bytes
}

/// One output's statistics (design.md §3, plus confidence intervals).
pub(super) fn summary_value(s: &Summary) -> serde_json::Value {
    let percentiles = PERCENTILES.iter().zip(s.percentiles).map(|((n, _), v)| (n.to_string(), v.into())).collect();
    let percentile_ci95 =
        PERCENTILES.iter().zip(s.percentile_ci95).map(|((n, _), ci)| (n.to_string(), serde_json::json!(ci))).collect();
    let m = &s.moments;
    let half = s.mean_half_width();
    let output = Output {
        mean: m.mean,
        std: m.std(),
        min: m.min,
        max: m.max,
        stderr_mean: m.stderr_mean(),
        percentiles,
        ci90: s.ci90(),
        mean_ci95: [m.mean - half, m.mean + half],
        percentile_ci95,
    };
    serde_json::to_value(output).expect("plain data serialises")
}

/// The run object of design.md §3.
pub(super) fn run_value(report: &RunReport<'_>) -> serde_json::Value {
    let outputs = report.outputs.iter().map(|o| (o.name.to_string(), summary_value(o.summary))).collect();
    let meta = &report.meta;
    let run = Run {
        costsim_version: env!("CARGO_PKG_VERSION"),
        model: ModelRef { name: meta.model_name, file: meta.file, sha256: meta.sha256 },
        scenario: meta.scenario,
        seed: meta.seed,
        trials: meta.trials,
        sampling: meta.sampling,
        outputs,
        correlations: report
            .correlations
            .iter()
            .map(|c| Correlation {
                vars: &c.pair,
                requested: c.requested,
                used: c.used,
                achieved: c.achieved,
                trials: c.trials,
            })
            .collect(),
        precision: report.precision.map(|p| Precision { target: p.target, met: p.met }),
    };
    serde_json::to_value(run).expect("plain data serialises")
}
