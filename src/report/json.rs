//! The JSON contract (docs/json.md), built from typed structs in this one place: the only
//! `Serialize` types in the crate. Every document ends with a newline; objects keep the
//! field order below; numbers that can't be computed would be `null` (runs with them
//! fail instead).

use serde::{Serialize, Serializer, ser::SerializeMap};

use super::view::{CompareReport, RunReport, SensitivityReport};
use super::words::caveat_text;
use crate::sensitivity::{Analysis, Sensitivity};
use crate::stats::{Caveat, Percentiles, Summary};
use crate::study::{Description, VarKind};

/// An object whose keys come from the data, in order.
struct Entries<T>(Vec<(String, T)>);

impl<T: Serialize> Serialize for Entries<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ModelRef<'a> {
    name: &'a str,
    file: &'a str,
    sha256: &'a str,
    /// The data files its vars were fitted to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data: Vec<DataRef<'a>>,
}

/// A data file a model read, with its SHA-256.
#[derive(Serialize)]
struct DataRef<'a> {
    file: &'a str,
    sha256: &'a str,
}

impl<'a> ModelRef<'a> {
    fn new(name: &'a str, file: &'a str, sha256: &'a str, data: &'a [(String, String)]) -> ModelRef<'a> {
        let data = data.iter().map(|(file, sha256)| DataRef { file, sha256 }).collect();
        ModelRef { name, file, sha256, data }
    }
}

/// `costsim run --format json`.
#[derive(Serialize)]
struct Run<'a> {
    costsim_version: &'static str,
    model: ModelRef<'a>,
    scenario: Option<&'a str>,
    overrides: Entries<&'a str>,
    seed: u64,
    trials: u64,
    sampling: &'a str,
    outputs: Entries<Entry<Output>>,
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
    misses: Vec<PrecisionMiss>,
}

/// A statistic that missed the `--precision` target.
#[derive(Serialize)]
struct PrecisionMiss {
    output: String,
    statistic: &'static str,
    /// Absent when infinite (an interval around a value of 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    relative_half_width: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mean_caveat: Option<MeanCaveat>,
}

/// An output's entry: its statistics, or for a series one object per period.
#[derive(Serialize)]
#[serde(untagged)]
enum Entry<T> {
    One(T),
    Series { periods: Vec<Period<T>> },
}

/// One period of a series.
#[derive(Serialize)]
struct Period<T> {
    label: String,
    #[serde(flatten)]
    value: T,
}

/// `items` (name, period, value) as entries by name, the periods of a series (`period`:
/// its var and label) gathered under the var's name.
fn entries<'a, T>(items: impl IntoIterator<Item = (&'a str, Option<(&'a str, &'a str)>, T)>) -> Entries<Entry<T>> {
    let mut out: Vec<(String, Entry<T>)> = Vec::new();
    for (name, period, value) in items {
        match period {
            None => out.push((name.to_string(), Entry::One(value))),
            Some((var, label)) => {
                let period = Period { label: label.to_string(), value };
                match out.last_mut() {
                    Some((last, Entry::Series { periods })) if last == var => periods.push(period),
                    _ => out.push((var.to_string(), Entry::Series { periods: vec![period] })),
                }
            }
        }
    }
    Entries(out)
}

/// One output's (or one difference's) statistics, in its unit.
#[derive(Serialize)]
struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    mean: f64,
    std: f64,
    min: f64,
    max: f64,
    stderr_mean: f64,
    percentiles: Entries<f64>,
    ci90: [f64; 2],
    mean_ci95: [f64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    mean_caveat: Option<MeanCaveat>,
    percentile_ci95: Entries<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_greater: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_greater_ci95: Option<[f64; 2]>,
}

/// Why `mean_ci95` may not hold.
#[derive(Serialize)]
struct MeanCaveat {
    kind: &'static str,
    message: String,
}

/// `costsim compare --format json`.
#[derive(Serialize)]
struct Compare<'a> {
    common_random_numbers: bool,
    runs: Vec<Run<'a>>,
    differences: Entries<Entries<Entry<Output>>>,
}

/// One method's result for one output in `costsim sensitivity --format json`.
#[derive(Serialize)]
struct Method<'a> {
    costsim_version: &'static str,
    model: ModelRef<'a>,
    seed: u64,
    output: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    boolean: bool,
    method: &'static str,
    trials: u64,
    factors: Factors<'a>,
    left_out: &'a [String],
    #[serde(flatten)]
    extra: Extra,
    notes: &'a [String],
    warnings: Vec<&'a str>,
}

/// An output that is the same in every trial, in `costsim sensitivity --format json`.
#[derive(Serialize)]
struct ConstantOutput<'a> {
    costsim_version: &'static str,
    model: ModelRef<'a>,
    seed: u64,
    output: &'a str,
    method: &'static str,
    value: f64,
}

/// One entry of `costsim sensitivity --format json`.
#[derive(Serialize)]
#[serde(untagged)]
enum SensitivityEntry<'a> {
    Method(Method<'a>),
    Constant(ConstantOutput<'a>),
}

#[derive(Serialize)]
#[serde(untagged)]
enum Factors<'a> {
    Tornado(Vec<TornadoFactor<'a>>),
    Spearman(Vec<SpearmanFactor<'a>>),
    Sobol(Vec<SobolFactor<'a>>),
    Shapley(Vec<ShapleyFactor<'a>>),
}

#[derive(Serialize)]
struct TornadoFactor<'a> {
    name: &'a str,
    low: f64,
    high: f64,
    swing: f64,
    input_low: f64,
    input_high: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    low_ci: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    high_ci: Option<[f64; 2]>,
}

#[derive(Serialize)]
struct SpearmanFactor<'a> {
    name: &'a str,
    rank_correlation: f64,
    contribution_to_variance: f64,
}

#[derive(Serialize)]
struct SobolFactor<'a> {
    name: &'a str,
    first_order: f64,
    first_order_ci: [f64; 2],
    total: f64,
    total_ci: [f64; 2],
}

#[derive(Serialize)]
struct ShapleyFactor<'a> {
    name: &'a str,
    shapley: f64,
    shapley_ci: [f64; 2],
}

/// Fields only some methods have.
#[derive(Serialize)]
#[serde(untagged)]
enum Extra {
    Tornado { kind: &'static str, base: f64, low_percentile: f64, high_percentile: f64 },
    Sobol { evaluations: u64, batches: u64 },
    Shapley { evaluations: u64, permutations: u64, exact_permutations: bool, sum: f64 },
    None {},
}

/// `costsim check --format json`.
#[derive(Serialize)]
struct Check<'a> {
    costsim_version: &'static str,
    model: ModelRef<'a>,
    vars: Vec<CheckVar<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    periods: &'a [String],
    factors: &'a [String],
    outputs: &'a [String],
    scenarios: Vec<CheckScenario<'a>>,
    correlated: &'a [String],
    sampling: &'a str,
}

#[derive(Serialize)]
struct CheckVar<'a> {
    name: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    expression: &'a str,
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    series: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    per_period: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    spread: Option<CheckSpread>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<CheckData<'a>>,
}

/// The data a var was fitted to, in `check --format json`.
#[derive(Serialize)]
struct CheckData<'a> {
    file: &'a str,
    sha256: &'a str,
    column: &'a str,
    fit: &'static str,
    n: usize,
    parameters: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ks_distance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ks_p_value: Option<f64>,
}

/// A random input's spread in `check --format json`.
#[derive(Serialize)]
struct CheckSpread {
    p5: f64,
    p50: f64,
    p95: f64,
    /// `null` when infinite (a tail too heavy for a mean).
    mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    simulated_trials: Option<u64>,
}

#[derive(Serialize)]
struct CheckScenario<'a> {
    name: &'a str,
    description: Option<&'a str>,
    overrides: &'a [String],
}

/// Pretty-printed JSON with a trailing newline.
fn pretty(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("plain data serialises");
    bytes.push(b'\n');
    bytes
}

fn mean_caveat(caveat: Caveat) -> MeanCaveat {
    MeanCaveat { kind: caveat.kind(), message: caveat_text(&caveat) }
}

fn output(s: &Summary, unit: Option<&str>, p_greater: Option<(f64, [f64; 2])>, percentiles: &Percentiles) -> Output {
    let m = &s.moments;
    let names = percentiles.names();
    Output {
        unit: unit.map(str::to_string),
        mean: m.mean,
        std: m.std(),
        min: m.min,
        max: m.max,
        stderr_mean: m.stderr_mean(),
        percentiles: Entries(names.iter().cloned().zip(percentiles.levels().map(|q| s.at(q))).collect()),
        ci90: s.ci90(),
        mean_ci95: s.mean_ci95,
        mean_caveat: s.mean_caveat.map(mean_caveat),
        percentile_ci95: Entries(names.into_iter().zip(percentiles.levels().map(|q| s.ci95_at(q))).collect()),
        p_greater: p_greater.map(|(p, _)| p),
        p_greater_ci95: p_greater.map(|(_, ci)| ci),
    }
}

fn run_view<'a>(report: &'a RunReport<'a>) -> Run<'a> {
    let meta = &report.meta;
    Run {
        costsim_version: env!("CARGO_PKG_VERSION"),
        model: ModelRef::new(meta.model_name, meta.file, meta.sha256, meta.data),
        scenario: meta.scenario,
        overrides: Entries(meta.override_pairs().into_iter().map(|(var, expr)| (var.to_string(), expr)).collect()),
        seed: meta.seed,
        trials: meta.trials,
        sampling: meta.sampling,
        outputs: entries(
            report.outputs.iter().map(|o| {
                (o.name.as_str(), o.in_series(), output(&o.summary, o.unit.as_deref(), None, meta.percentiles))
            }),
        ),
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
        precision: report.precision.map(|p| Precision {
            target: p.target,
            met: p.met(),
            misses: p
                .misses
                .iter()
                .map(|m| PrecisionMiss {
                    output: m.output.clone(),
                    statistic: m.statistic,
                    relative_half_width: m.relative.is_finite().then_some(m.relative),
                    mean_caveat: m.caveat.map(mean_caveat),
                })
                .collect(),
        }),
    }
}

/// A run.
pub(super) fn run_json(report: &RunReport<'_>) -> Vec<u8> {
    pretty(&run_view(report))
}

/// A comparison: each run, and the differences by scenario, then output.
pub(super) fn compare_json(report: &CompareReport<'_>) -> Vec<u8> {
    let mut differences: Vec<(String, Entries<Entry<Output>>)> = Vec::new();
    let base = report.runs[0].outputs;
    for (run, of_scenario) in report.runs[1..].iter().zip(report.differences) {
        let Some(scenario) = run.meta.scenario else { continue };
        let items = entries(base.iter().zip(of_scenario).map(|(o, d)| {
            (
                o.name.as_str(),
                o.in_series(),
                output(&d.summary, o.unit.as_deref(), Some((d.p_greater, d.p_greater_ci95)), run.meta.percentiles),
            )
        }));
        if !items.0.is_empty() {
            differences.push((scenario.to_string(), items));
        }
    }
    let compare = Compare {
        common_random_numbers: true,
        runs: report.runs.iter().map(run_view).collect(),
        differences: Entries(differences),
    };
    pretty(&compare)
}

/// A sensitivity analysis: one object per method, a list when there are several.
pub(super) fn sensitivity_json(report: &SensitivityReport<'_>) -> Vec<u8> {
    let model = || ModelRef::new(report.model_name, report.file, report.sha256, report.data);
    let mut entries = Vec::new();
    for s in &report.analysed.outputs {
        if let Some(value) = s.constant {
            entries.push(SensitivityEntry::Constant(ConstantOutput {
                costsim_version: env!("CARGO_PKG_VERSION"),
                model: model(),
                seed: report.seed,
                output: &s.output,
                method: "constant",
                value,
            }));
        }
        entries.extend(s.analyses.iter().map(|a| SensitivityEntry::Method(method(report, s, a))));
    }
    match entries.as_slice() {
        [one] => pretty(one),
        _ => pretty(&entries),
    }
}

fn method<'a>(report: &'a SensitivityReport<'a>, s: &'a Sensitivity, analysis: &'a Analysis) -> Method<'a> {
    let (method, trials, factors, extra) = match analysis {
        Analysis::Tornado(t) => (
            "tornado",
            t.trials,
            Factors::Tornado(
                t.factors
                    .iter()
                    .map(|f| TornadoFactor {
                        name: &f.name,
                        low: f.low,
                        high: f.high,
                        swing: f.swing,
                        input_low: f.inputs[0],
                        input_high: f.inputs[1],
                        low_ci: f.intervals.map(|i| i[0]),
                        high_ci: f.intervals.map(|i| i[1]),
                    })
                    .collect(),
            ),
            Extra::Tornado {
                kind: t.kind.name(),
                base: t.base,
                low_percentile: t.range.0 * 100.0,
                high_percentile: t.range.1 * 100.0,
            },
        ),
        Analysis::Spearman(sp) => (
            "spearman",
            sp.trials,
            Factors::Spearman(
                sp.factors
                    .iter()
                    .map(|f| SpearmanFactor {
                        name: &f.name,
                        rank_correlation: f.rank_correlation,
                        contribution_to_variance: f.contribution_to_variance,
                    })
                    .collect(),
            ),
            Extra::None {},
        ),
        Analysis::Sobol(so) => (
            "sobol",
            so.trials,
            Factors::Sobol(
                so.factors
                    .iter()
                    .map(|f| SobolFactor {
                        name: &f.name,
                        first_order: f.first_order,
                        first_order_ci: f.first_order_ci,
                        total: f.total,
                        total_ci: f.total_ci,
                    })
                    .collect(),
            ),
            Extra::Sobol { evaluations: so.evaluations, batches: so.batches },
        ),
        Analysis::Shapley(sh) => (
            "shapley",
            sh.trials,
            Factors::Shapley(
                sh.factors
                    .iter()
                    .map(|f| ShapleyFactor { name: &f.name, shapley: f.shapley, shapley_ci: f.shapley_ci })
                    .collect(),
            ),
            Extra::Shapley {
                evaluations: sh.evaluations,
                permutations: sh.permutations,
                exact_permutations: sh.exact,
                sum: sh.sum,
            },
        ),
    };
    Method {
        costsim_version: env!("CARGO_PKG_VERSION"),
        model: ModelRef::new(report.model_name, report.file, report.sha256, report.data),
        seed: report.seed,
        output: &s.output,
        boolean: s.boolean,
        method,
        trials,
        factors,
        left_out: &s.left_out,
        extra,
        notes: &s.notes,
        warnings: s.warnings.iter().chain(analysis.warnings()).map(String::as_str).collect(),
    }
}

/// What `check` found.
pub(super) fn check_json(d: &Description) -> Vec<u8> {
    let var = |v: &'_ crate::study::VarDescription| {
        let (kind, value) = match v.kind {
            VarKind::Random => ("random", None),
            VarKind::Constant(c) => ("constant", Some(c)),
            VarKind::Derived => ("derived", None),
        };
        (kind, value)
    };
    let check = Check {
        costsim_version: env!("CARGO_PKG_VERSION"),
        model: ModelRef::new(&d.name, &d.file, &d.sha256, &[]),
        vars: d
            .vars
            .iter()
            .map(|v| {
                let (kind, value) = var(v);
                CheckVar {
                    name: &v.name,
                    kind,
                    value,
                    expression: &v.text,
                    unit: v.unit.as_deref(),
                    series: v.series,
                    per_period: v.per_period,
                    spread: v.spread.as_ref().map(|s| CheckSpread {
                        p5: s.p5,
                        p50: s.p50,
                        p95: s.p95,
                        mean: s.mean.is_finite().then_some(s.mean),
                        simulated_trials: s.simulated,
                    }),
                    data: v.data.as_deref().map(|fit| CheckData {
                        file: &fit.spec.file,
                        sha256: &fit.sha256,
                        column: &fit.spec.column,
                        fit: fit.spec.family.name(),
                        n: fit.n,
                        parameters: fit.parameters(),
                        ks_distance: fit.goodness.map(|g| g.distance),
                        ks_p_value: fit.goodness.map(|g| g.p_value),
                    }),
                }
            })
            .collect(),
        periods: &d.periods,
        factors: &d.factors,
        outputs: &d.outputs,
        scenarios: d
            .scenarios
            .iter()
            .map(|s| CheckScenario { name: &s.name, description: s.description.as_deref(), overrides: &s.overrides })
            .collect(),
        correlated: &d.correlated,
        sampling: d.sampling,
    };
    pretty(&check)
}
