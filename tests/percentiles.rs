//! Reported percentiles and their 95% intervals are the exact order statistics of the
//! run's own trials, for every shape of output a cost model has, and the intervals cover
//! the true quantile as often as order-statistic theory says.

use costsim::internals::stats::order::nearest_rank;
use costsim::internals::stats::{LEVELS, Summary, order_statistic_ranks};
use costsim::{Model, RunConfig, Simulation};
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Normal};

fn model(vars: &str, extra: &str) -> Model {
    Model::parse("m.toml", format!("[model]\nname = \"t\"\n{extra}[vars]\n{vars}")).unwrap()
}

/// Every output's summary and its values in trial order, from the same run.
fn run_and_collect(model: &Model, config: &RunConfig) -> (Vec<Summary>, Vec<Vec<f64>>) {
    let simulation = Simulation::new(model.clone()).unwrap();
    let summaries = simulation.run(config).unwrap();
    let values = simulation.collect(config, &config.seeds(&simulation.program)).unwrap();
    (summaries, values)
}

#[track_caller]
fn assert_exact(summary: &Summary, values: &[f64], what: &str) {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len() as u64;
    let at = |rank: u64| sorted[rank as usize - 1];
    assert!(LEVELS.iter().all(|q| summary.levels.contains(q)), "{what}: every default level is computed");
    for (i, &q) in summary.levels.iter().enumerate() {
        assert_eq!(summary.percentiles[i], at(nearest_rank(q, n)), "{what}: percentile {q}");
        assert_eq!(summary.percentile_ci95[i], order_statistic_ranks(q, n).map(at), "{what}: interval of {q}");
    }
}

/// The shapes that defeated a value-relative sketch, and the usual ones.
const SHAPES: [&str; 13] = [
    "1B + (100k to 200k)",
    "1000 + normal(0, 1)",
    "1 to 1e9",
    "uniform(0, 1)^8",
    "gamma(0.1, 1)",
    "normal(0, 1) * 1e6 - 2e5",
    "lognormal(0, 4)",
    "poisson(3)",
    "bernoulli(0.3)",
    "normal(0, 1) > 1.2",
    "max(0, normal(1, 2))",
    "42",
    "1e-300 * normal(0, 1)",
];

#[test]
fn percentiles_are_exact_for_every_shape() {
    for shape in SHAPES {
        let m = model(&format!("x = \"{shape}\"\n"), "");
        for trials in [1, 5_000, 300_001] {
            let (summaries, values) = run_and_collect(&m, &RunConfig { trials, seed: 7, threads: 2 });
            assert_exact(&summaries[0], &values[0], &format!("{shape} at {trials} trials"));
        }
    }
}

#[test]
fn percentiles_are_exact_under_every_sampling_method_and_with_correlations() {
    let vars = "a = \"100 to 400\"\nb = \"pert(10, 20, 60)\"\nc = \"poisson(4)\"\ny = \"5B + a * b + c\"\n";
    let correlated = "[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.7\n";
    for sampling in ["mc", "lhs", "qmc"] {
        for extra_vars in ["", correlated] {
            let m = model(&format!("{vars}{extra_vars}"), &format!("sampling = \"{sampling}\"\n"));
            let (summaries, values) = run_and_collect(&m, &RunConfig { trials: 200_000, seed: 3, threads: 3 });
            assert_exact(&summaries[0], &values[0], sampling);
        }
    }
}

#[test]
fn compared_differences_have_exact_percentiles() {
    use costsim::study::{ComparePlan, Scope, Settings, Setup, compare};
    let vars = "a = \"normal(1B, 1M)\"\nb = \"uniform(0, 10)\"\ny = \"a + b\"\n";
    let base = model(&format!("{vars}[scenarios.other]\ny = \"a + 2 * b\"\n"), "");
    let other = base.with_scenario("other").unwrap();
    let config = RunConfig { trials: 250_000, seed: 11, threads: 2 };
    let settings =
        Settings { trials: Some(config.trials), seed: Some(config.seed), threads: Some(2), ..Settings::default() };
    let setup = Setup::new(base.clone(), "m.toml".into(), settings, None).unwrap();
    let plan = ComparePlan::new(&setup, vec!["other".into()], true).unwrap();
    let comparison = compare(&setup, &plan, Scope::Whole, &mut |_| {}).unwrap().done().unwrap();
    let difference = [comparison.differences[0][0].summary.clone()];
    let (base_sim, other_sim) = (Simulation::new(base).unwrap(), Simulation::new(other).unwrap());
    let seeds = config.seeds(&base_sim.program);
    let (x, y) = (base_sim.collect(&config, &seeds).unwrap(), other_sim.collect(&config, &seeds).unwrap());
    let differences: Vec<f64> = y[0].iter().zip(&x[0]).map(|(b, a)| b - a).collect();
    assert_exact(&difference[0], &differences, "y difference");
}

#[test]
fn intervals_cover_the_true_quantile_as_often_as_theory_says() {
    // x = 1000 + N(0, 1): the p5, p50, p80 and p97.5 intervals (the last two asked for,
    // as a budget asks for them) over 400 seeds of 4,000 trials. Their
    // exact coverage is P(lo ≤ B < hi) with B ~ Binomial(n, q) the number of trials below
    // the true quantile; the observed share must be within 4 standard errors of it.
    let m = model("x = \"1000 + normal(0, 1)\"\n", "percentiles = [5, 50, 80, 97.5]\n");
    let simulation = Simulation::new(m.clone()).unwrap();
    let (n, seeds) = (4_000u64, 400u64);
    let z = |q: f64| Normal::new(0.0, 1.0).unwrap().inverse_cdf(q);
    let runs: Vec<Summary> =
        (0..seeds).map(|seed| simulation.run(&RunConfig { trials: n, seed, threads: 1 }).unwrap().remove(0)).collect();
    for q in [0.05, 0.5, 0.8, 0.975] {
        let truth = 1000.0 + z(q);
        let covered = runs
            .iter()
            .filter(|s| {
                let [lo, hi] = s.ci95_at(q);
                lo <= truth && truth <= hi
            })
            .count() as f64
            / seeds as f64;
        let [lo, hi] = order_statistic_ranks(q, n);
        let b = Binomial::new(q, n).unwrap();
        let expected = b.cdf(hi - 1) - b.cdf(lo - 1);
        let se = (expected * (1.0 - expected) / seeds as f64).sqrt();
        assert!((covered - expected).abs() < 4.0 * se, "q = {q}: covered {covered}, theory {expected} ± {se}");
        assert!(expected > 0.94, "the intervals are 95% intervals ({expected})");
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let m = model("x = \"1B + (100k to 200k)\"\ny = \"1 to 1e9\"\n", "");
    let run =
        |threads| Simulation::new(m.clone()).unwrap().run(&RunConfig { trials: 500_000, seed: 5, threads }).unwrap();
    let (one, three) = (run(1), run(3));
    for (a, b) in one.iter().zip(&three) {
        assert_eq!((&a.percentiles, &a.percentile_ci95), (&b.percentiles, &b.percentile_ci95));
    }
}
