//! Correlated inputs, Latin hypercube and quasi-Monte Carlo sampling, against theory.

use costsim::{Model, RunConfig, Simulation};

fn model(vars: &str, extra: &str) -> Model {
    Model::parse("m.toml", format!("[model]\nname = \"t\"\n{extra}[vars]\n{vars}")).unwrap()
}

fn run(model: &Model, trials: u64, seed: u64) -> Vec<costsim::internals::stats::Summary> {
    Simulation::new(model.clone()).unwrap().run(&RunConfig { trials, seed, threads: 2 }).unwrap()
}

const PAIR: &str = "a = \"100 to 400\"\nb = \"pert(10, 20, 60)\"\n";
const N: u64 = 1_000_000;

#[test]
fn requested_rank_correlation_is_achieved_and_marginals_are_unchanged() {
    let correlated = model(PAIR, "outputs = [\"a\", \"b\"]\n");
    let mut correlated_with = correlated.clone();
    correlated_with.correlations =
        model(&format!("{PAIR}[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.8\n"), "").correlations.clone();
    let simulation = Simulation::new(correlated_with.clone()).unwrap();
    let achieved = simulation.observe(&RunConfig { trials: N, seed: 9, threads: 2 }, &[]).unwrap().1;
    assert_eq!(achieved.len(), 1);
    assert!((achieved[0].achieved - 0.8).abs() < 0.02, "{:?}", achieved[0]);
    let independent = run(&correlated, N, 9);
    let dependent = simulation.run(&RunConfig { trials: N, seed: 9, threads: 2 }).unwrap();
    for (i, s) in independent.iter().enumerate() {
        // Each marginal's p5, p50, p95 agree within their 95% intervals (widened to 3
        // half-widths to allow for two independent estimates).
        for p in [1, 4, 7] {
            let [lo, hi] = s.percentile_ci95[p];
            let half = (hi - lo) / 2.0;
            let diff = (dependent[i].percentiles[p] - s.percentiles[p]).abs();
            assert!(
                diff <= 3.0 * half,
                "output {i} p-index {p}: {} vs {} (half {half})",
                dependent[i].percentiles[p],
                s.percentiles[p]
            );
        }
    }
}

#[test]
fn correlated_sum_widens_as_theory_predicts() {
    let (s1, s2, rho_s) = (3.0f64, 2.0f64, 0.6f64);
    let vars = format!("x = \"normal(10, {s1})\"\ny = \"normal(5, {s2})\"\ntotal = \"x + y\"\n");
    let independent = run(&model(&vars, ""), N, 4);
    let correlated = run(&model(&format!("{vars}[[correlations]]\nvars = [\"x\", \"y\"]\nrank = {rho_s}\n"), ""), N, 4);
    let rho = 2.0 * (std::f64::consts::PI * rho_s / 6.0).sin();
    let width = |sd: f64| 2.0 * 1.644_853_626_951_472_2 * sd;
    let want_independent = width((s1 * s1 + s2 * s2).sqrt());
    let want_correlated = width((s1 * s1 + s2 * s2 + 2.0 * rho * s1 * s2).sqrt());
    for (summary, want) in [(&independent[0], want_independent), (&correlated[0], want_correlated)] {
        let got = summary.percentiles[7] - summary.percentiles[1];
        let [lo5, hi5] = summary.percentile_ci95[1];
        let [lo95, hi95] = summary.percentile_ci95[7];
        let tolerance = 1.5 * ((hi5 - lo5) + (hi95 - lo95)) / 2.0;
        assert!((got - want).abs() < tolerance, "90% width {got} vs {want} ± {tolerance}");
    }
    assert!(correlated[0].percentiles[7] - correlated[0].percentiles[1] > 1.15 * want_independent);
}

/// Spread across seeds of the mean of a smooth model, by sampling method.
fn spread_of_means(sampling: &str) -> f64 {
    let vars = "a = \"uniform(0, 1)\"\nb = \"normal(2, 0.5)\"\nc = \"1 to 3\"\ny = \"exp(a) * b + c ^ 2\"\n";
    let m = model(vars, &format!("sampling = \"{sampling}\"\n"));
    let means: Vec<f64> = (0..20).map(|seed| run(&m, 16_384, 1000 + seed)[0].moments.mean).collect();
    let mean = means.iter().sum::<f64>() / means.len() as f64;
    (means.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (means.len() - 1) as f64).sqrt()
}

#[test]
fn lhs_and_qmc_beat_plain_monte_carlo_on_a_smooth_model() {
    let (mc, lhs, qmc) = (spread_of_means("mc"), spread_of_means("lhs"), spread_of_means("qmc"));
    // The spread of 20 means has a relative standard error of about 16%; these margins
    // are far outside it.
    assert!(lhs < 0.5 * mc, "lhs {lhs} vs mc {mc}");
    assert!(qmc < 0.5 * mc, "qmc {qmc} vs mc {mc}");
}

#[test]
fn lhs_and_qmc_keep_every_marginal() {
    for sampling in ["lhs", "qmc"] {
        let m = model("x = \"gamma(2, 3)\"\n", &format!("sampling = \"{sampling}\"\n"));
        let s = &run(&m, N, 2)[0];
        // Gamma(2, 3): mean 6, sd √18; the mean within 5 iid standard errors.
        assert!((s.moments.mean - 6.0).abs() < 5.0 * (18.0f64 / N as f64).sqrt(), "{sampling}: {}", s.moments.mean);
        assert!((s.moments.std() - 18f64.sqrt()).abs() < 0.01, "{sampling}: {}", s.moments.std());
    }
}
