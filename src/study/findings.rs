//! Everything the HTML report shows: the run, its achieved correlations, exact histogram
//! bins of each output, the percentiles of every uncertain var that is not an output, the
//! sensitivity analyses `costsim sensitivity` runs by default for each output that
//! varies, and each scenario's values of the base's outputs, simulated in the same pass;
//! with every var as the model states it, and the thresholds its 0/1 outputs test.

use super::compare::{ComparePlan, Difference, compare_whole};
use super::run::{OutputResult, RunResult};
use super::setup::Setup;
use crate::engine::RunConfig;
use crate::error::Result;
use crate::expr::{BinOp, ExprKind};
use crate::model::Model;
use crate::sensitivity::{self, Sensitivity, SensitivityConfig, Step};
use crate::stats::{Histogram, Summary};

/// The report's tornado percentiles of each input: p10 and p90, as `costsim sensitivity`.
const TORNADO_RANGE: (f64, f64) = (0.1, 0.9);

/// Bins of each histogram.
const HISTOGRAM_BINS: usize = 48;

/// Everything the HTML report shows.
#[derive(Clone, Debug)]
pub struct Findings {
    /// The base run.
    pub run: RunResult,
    /// Exact bin counts, from p0.5 to p99.5, of each output that varies and is neither a
    /// probability nor a period of a series: (output, histogram).
    pub histograms: Vec<(String, Histogram)>,
    /// Each var that is neither an output nor a constant nor per period, with its
    /// statistics over the same trials, in model order.
    pub inputs: Vec<(String, Summary)>,
    /// The default sensitivity analyses of each output that varies and is not a period of
    /// a series (see [`sensitivity::analyse`]): the same numbers as `costsim sensitivity`.
    pub sensitivity: Vec<Sensitivity>,
    /// Each scenario: its name, its values of the base's outputs, and each output's
    /// difference from base, trial by trial.
    pub scenarios: Vec<(String, Vec<OutputResult>, Vec<Difference>)>,
    /// Every var, in model order.
    pub assumptions: Vec<Assumption>,
    /// The thresholds the 0/1 outputs test on other outputs (see [`thresholds`]).
    pub thresholds: Vec<Threshold>,
}

/// A var as the model states it: for the report's inputs table, or above its output's
/// section.
#[derive(Clone, Debug, PartialEq)]
pub struct Assumption {
    /// Name.
    pub name: String,
    /// Expression as written.
    pub expression: String,
    /// Unit.
    pub unit: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Its value, if it is a constant.
    pub constant: Option<f64>,
    /// True if it has one value per period (a series, or drawn per period).
    pub series: bool,
}

/// A threshold a 0/1 output tests on another output, as the model writes it:
/// `over = "capex > 1.6B"` tests `capex > 1.6e9`.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// The 0/1 output.
    pub indicator: String,
    /// The output it compares.
    pub output: String,
    /// `>`, `≥`, `<` or `≤`, with the output on the left.
    pub relation: &'static str,
    /// The number it is compared with.
    pub value: f64,
}

/// The output and method a report's simulation of the base, its scenarios and inputs
/// reports as its [`Step`]s, in trials.
pub const SIMULATION_STEP: (&str, &str) = ("all outputs", "trials");

/// Everything the report shows of `setup`'s model by `plan` (see
/// [`ComparePlan::for_findings`]) in two passes over the setup's trials: the base, its
/// scenarios and its inputs simulated together, then the histograms' exact bins and the
/// achieved rank correlations; then the sensitivity analyses, which sample designs of
/// their own (of `--trials` when given, else of their default sizes). `progress` is told
/// how far each has got: the simulation as [`SIMULATION_STEP`] in trials, then each
/// analysis.
///
/// # Errors
/// As [`super::compare`] and [`sensitivity::analyse`].
pub fn findings(setup: &Setup, plan: &ComparePlan, progress: &mut dyn FnMut(Step<'_>)) -> Result<Findings> {
    let config = &setup.config;
    let (output, method) = SIMULATION_STEP;
    let mut trials = |done| progress(Step { output, method, done, total: config.trials });
    let mut findings = observe(plan, config, &mut trials)?;
    let sensitivity = SensitivityConfig {
        outputs: findings.run.outputs.iter().filter(varies).map(|o| o.name.clone()).collect(),
        method: None,
        tornado: None,
        trials: setup.trials_given().then_some(config.trials),
        default_trials: config.trials,
        seed: config.seed,
        threads: config.threads,
        tornado_range: TORNADO_RANGE,
    };
    findings.sensitivity = sensitivity::analyse_tracked(&plan.base, &sensitivity, progress)?.outputs;
    // The program's vars are the model's, in its order.
    findings.assumptions = setup
        .model
        .vars
        .iter()
        .zip(plan.base.program.vars())
        .map(|(v, compiled)| Assumption {
            name: v.name.name.clone(),
            expression: v.text.clone(),
            unit: compiled.unit.clone(),
            source: v.source.clone(),
            note: v.note.clone(),
            constant: compiled.constant,
            series: compiled.series,
        })
        .collect();
    findings.thresholds = thresholds(&setup.model, &findings.run.outputs);
    Ok(findings)
}

/// The thresholds tested by the 0/1 outputs among `outputs` that compare another of them
/// (not a period of a series) with a number: `x > c`, `x >= c`, `x < c`, `x <= c`, or
/// `c < x` and so on, as `model` writes them.
pub fn thresholds(model: &Model, outputs: &[OutputResult]) -> Vec<Threshold> {
    let compared = |name: &str| outputs.iter().any(|o| o.name == name && !o.boolean && o.period.is_none());
    outputs
        .iter()
        .filter(|o| o.boolean && o.period.is_none())
        .filter_map(|o| {
            let ExprKind::Binary(op, a, b) = &model.var(&o.name)?.expr.kind else { return None };
            let (name, value, op) = match (&a.kind, &b.kind) {
                (ExprKind::Name(x), ExprKind::Num(c)) => (x, *c, *op),
                // `c < x` is `x > c`.
                (ExprKind::Num(c), ExprKind::Name(x)) => (
                    x,
                    *c,
                    match op {
                        BinOp::Lt => BinOp::Gt,
                        BinOp::Le => BinOp::Ge,
                        BinOp::Gt => BinOp::Lt,
                        BinOp::Ge => BinOp::Le,
                        other => *other,
                    },
                ),
                _ => return None,
            };
            let relation = match op {
                BinOp::Gt => ">",
                BinOp::Ge => "≥",
                BinOp::Lt => "<",
                BinOp::Le => "≤",
                _ => return None,
            };
            compared(name).then(|| Threshold { indicator: o.name.clone(), output: name.clone(), relation, value })
        })
        .collect()
}

/// True for an output that varies and is not a period of a series: one with a histogram
/// (unless it is 0/1) and a sensitivity analysis.
fn varies(o: &&OutputResult) -> bool {
    o.period.is_none() && o.summary.moments.min < o.summary.moments.max
}

/// [`findings`]' two passes over the trials of `config`: everything but the sensitivity
/// analyses.
fn observe(plan: &ComparePlan, config: &RunConfig, progress: &mut dyn FnMut(u64)) -> Result<Findings> {
    let mut comparison = compare_whole(plan, config, progress)?;
    let mut run = comparison.runs.remove(0);
    let bins: Vec<(usize, Histogram)> = run
        .outputs
        .iter()
        .enumerate()
        .filter(|(_, o)| varies(o) && !o.boolean)
        .map(|(i, o)| {
            let (lo, hi) = (o.summary.sketch.quantile(0.005), o.summary.sketch.quantile(0.995));
            // A spike at one value: a bin either side of it.
            let (lo, hi) =
                if hi > lo { (lo, hi) } else { (lo - lo.abs().max(1.0) * 1e-3, hi + hi.abs().max(1.0) * 1e-3) };
            (i, Histogram::new(lo, hi, HISTOGRAM_BINS))
        })
        .collect();
    let (filled, correlations) = plan.base.observe(config, &bins)?;
    run.correlations = correlations;
    let histograms = bins.iter().map(|(i, _)| run.outputs[*i].name.clone()).zip(filled).collect();
    let scenarios = plan
        .scenario_names
        .iter()
        .zip(comparison.runs)
        .zip(comparison.differences)
        .map(|((name, run), differences)| (name.clone(), run.outputs, differences))
        .collect();
    Ok(Findings {
        run,
        histograms,
        inputs: comparison.inputs,
        sensitivity: Vec::new(),
        scenarios,
        assumptions: Vec::new(),
        thresholds: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::COMPILES;
    use crate::engine::CHUNK;
    use crate::engine::TRIALS_RUN;
    use crate::stats::rank::RANK_CAP;
    use crate::study::{ComparePlan, Scope, Settings, Setup, compare};

    /// A fleet-like model: correlated inputs, inputs that are not outputs, a 0/1 output,
    /// and a scenario.
    const MODEL: &str = "[model]\nname = \"fleet\"\noutputs = [\"capex\", \"over\"]\n[vars]\n\
        gpus = \"45k to 55k\"\nprice = \"25k to 35k\"\nshare = \"0.8\"\n\
        capex = \"gpus * price * share\"\nover = \"capex > 1.1B\"\n\
        [[correlations]]\nvars = [\"gpus\", \"price\"]\nrank = 0.5\n\
        [scenarios.cheap]\nprice = \"20k to 30k\"\n";

    fn setup(trials: u64) -> Setup {
        let model = crate::model::Model::parse("fleet.toml", MODEL.into()).unwrap();
        let settings = Settings { trials: Some(trials), seed: Some(3), threads: Some(2), ..Settings::default() };
        Setup::new(model, "fleet.toml".into(), settings, None).unwrap()
    }

    /// The report's findings take two passes over the trials (counted in trials run by
    /// the engine on this thread), and the one chunk that ends the correlations' sample
    /// when the run is longer; they equal what separate runs give.
    #[test]
    fn the_report_observes_everything_in_two_passes_and_changes_no_number() {
        for trials in [20_000, 250_000] {
            let setup = setup(trials);
            // The base and the scenario are compiled; the inputs the report observes are
            // the base's program laid out again.
            let compiled = COMPILES.with(|n| n.get());
            let plan = ComparePlan::for_findings(&setup, vec!["cheap".into()]).unwrap();
            assert_eq!(COMPILES.with(|n| n.get()) - compiled, 2, "compiled: the base and one scenario");
            let before = TRIALS_RUN.with(|n| n.get());
            let found = observe(&plan, &setup.config, &mut |_| {}).unwrap();
            let run = TRIALS_RUN.with(|n| n.get()) - before;
            let partial = if trials > RANK_CAP { RANK_CAP % CHUNK as u64 } else { 0 };
            assert_eq!(run, 2 * trials + partial, "{trials} trials");
            // The same numbers as a run of the base, its correlations and its inputs alone.
            let alone = crate::study::run(&setup, &setup.simulation().unwrap(), Scope::Whole, None, &mut |_| {})
                .unwrap()
                .done()
                .unwrap();
            assert_eq!(format!("{:?}", alone.outputs), format!("{:?}", found.run.outputs));
            assert_eq!(format!("{:?}", alone.correlations), format!("{:?}", found.run.correlations));
            assert!(found.run.correlations[0].achieved > 0.4, "{:?}", found.run.correlations);
            let inputs = setup.simulation().unwrap().keeping(&["gpus", "price"]).unwrap();
            let summaries = inputs.run(&setup.config).unwrap();
            for (name, summary) in &found.inputs {
                let i = inputs.output_index(name).unwrap();
                assert_eq!(format!("{summary:?}"), format!("{:?}", summaries[i]), "{name}");
            }
            assert_eq!(found.inputs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["gpus", "price"]);
            let compared = compare(&setup, &plan, Scope::Whole, &mut |_| {}).unwrap().done().unwrap();
            assert_eq!(format!("{:?}", compared.runs[1].outputs), format!("{:?}", found.scenarios[0].1));
            assert_eq!(format!("{:?}", compared.differences[0]), format!("{:?}", found.scenarios[0].2));
        }
    }

    /// Progress is told of every phase, in order, each counting up to its total: the
    /// simulation in trials, then each analysis of each output.
    #[test]
    fn progress_follows_every_phase_to_its_end() {
        let setup = setup(20_000);
        let plan = ComparePlan::for_findings(&setup, vec!["cheap".into()]).unwrap();
        let mut steps: Vec<(String, &str, u64, u64)> = Vec::new();
        findings(&setup, &plan, &mut |s| steps.push((s.output.to_string(), s.method, s.done, s.total))).unwrap();
        let mut phases: Vec<(String, &str)> = steps.iter().map(|(o, m, ..)| (o.clone(), *m)).collect();
        phases.dedup();
        let (all, trials) = SIMULATION_STEP;
        let expected: Vec<(String, &str)> = [(all, trials), ("capex", "ranks"), ("capex", "shapley")]
            .into_iter()
            .map(|(o, m)| (o.to_string(), m))
            .chain([("over".to_string(), "ranks")])
            .collect();
        assert_eq!(phases, expected, "capex's inputs are correlated; over is 0/1");
        for phase in &phases {
            let of: Vec<_> = steps.iter().filter(|(o, m, ..)| (o, m) == (&phase.0, &phase.1)).collect();
            assert!(of.windows(2).all(|w| w[0].2 <= w[1].2), "{phase:?} counts up");
            let (.., done, total) = of.last().unwrap();
            assert_eq!(done, total, "{phase:?} ends done");
        }
        // Given --trials, Shapley's sample follows the run's 20,000 trials (20 chunks of
        // pick-freeze evaluations here), not its default N of 2,097,152 (512 and more).
        assert!(steps.iter().any(|s| s.1 == "shapley" && s.3 == 20), "{steps:?}");
    }
}
