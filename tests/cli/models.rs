//! Every shipped model checks and runs; the showcase figures are what docs/sources.md leads
//! us to expect, and the Epoch model matches its analytic interval.

use crate::util::{Costsim, models_dir};

fn run_json(model: &str, args: &[&str]) -> serde_json::Value {
    let path = models_dir().join(model);
    let path = path.to_str().unwrap();
    let mut all = vec!["run", path, "--format", "json"];
    all.extend_from_slice(args);
    Costsim::new().args(&all).run().success().json()
}

#[test]
fn every_model_checks_and_runs_every_scenario() {
    for entry in std::fs::read_dir(models_dir()).unwrap() {
        let path = entry.unwrap().path();
        let path = path.to_str().unwrap();
        let check = Costsim::new().args(&["check", path, "--format", "json"]).run().success().json();
        let scenarios = check["scenarios"].as_array().unwrap();
        Costsim::new().args(&["run", path, "--trials", "20000"]).run().success();
        for s in scenarios {
            let name = s["name"].as_str().unwrap();
            Costsim::new().args(&["run", path, "--trials", "20000", "--scenario", name]).run().success();
        }
    }
}

#[test]
fn fleet_tco_answers_the_showcase_questions() {
    let json = run_json("deepseek_fleet_tco.toml", &["--trials", "200000"]);
    let capex = &json["outputs"]["capex"];
    let p50 = capex["percentiles"]["p50"].as_f64().unwrap();
    assert!((1.2e9..2.5e9).contains(&p50), "capex median {p50}");
    let p = json["outputs"]["capex_over_1_6b"]["mean"].as_f64().unwrap();
    // P(capex > $1.6B) is exactly the share of the same trials' capex values above it.
    let path = models_dir().join("deepseek_fleet_tco.toml");
    let csv = Costsim::new()
        .args(&["samples", path.to_str().unwrap(), "--vars", "capex", "--trials", "200000"])
        .run()
        .success()
        .stdout;
    let above = csv.lines().skip(1).filter(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap() > 1.6e9).count();
    assert!((p - above as f64 / 200_000.0).abs() < 1e-12, "{p} vs {above}/200000");
    assert!(p > 0.5 && p < 1.0, "capex is more likely above $1.6B than below in this model: {p}");
}

#[test]
fn final_run_as_reported_reproduces_deepseeks_arithmetic() {
    let json = run_json("deepseek_final_run.toml", &["--trials", "1000", "--scenario", "as_reported"]);
    // (2.788M + 0.147M) H800-hours × $2 = $5.87M, exactly, in every trial.
    assert_eq!(json["outputs"]["cost"]["mean"].as_f64(), Some(5.87e6));
    assert_eq!(json["outputs"]["claimed_v3"]["mean"].as_f64(), Some(5.576e6));
}

#[test]
fn epoch_amortized_cost_has_the_analytic_lognormal_interval() {
    let json = run_json("epoch_hardware_cost.toml", &["--trials", "1000000"]);
    let p = &json["outputs"]["amortized"]["percentiles"];
    let (p5, p50, p95) = (p["p5"].as_f64().unwrap(), p["p50"].as_f64().unwrap(), p["p95"].as_f64().unwrap());
    // σ of each factor is ln(hi/lo)/(2·z95); the product's σ is their root sum of squares.
    let z95 = 1.644_853_626_951_472_2_f64;
    let ranges: [(f64, f64); 6] = [(0.5, 2.0), (0.8, 1.25), (0.5, 2.0), (1.3, 2.1), (1.07, 1.32), (0.10, 0.18)];
    let sigma = ranges.iter().map(|(lo, hi)| ((hi / lo).ln() / (2.0 * z95)).powi(2)).sum::<f64>().sqrt();
    let median =
        30e3 * 2048.0 * (2.1f64 * 1.3).sqrt() * (1.07f64 * 1.32).sqrt() * (0.018f64).sqrt() * 10f64.ln() * 2.788e6
            / 2048.0
            / 8766.0;
    // The standard error of the log of a sample q-quantile of n lognormal draws is
    // σ·√(q(1−q)/n)/φ(z_q). Allow 5 of them (plus the sketch's 0.05% resolution).
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let se = |q: f64, z: f64| sigma * (q * (1.0 - q) / 1e6).sqrt() / phi(z) + 5e-4;
    let (se50, se_tail) = (se(0.5, 0.0), se(0.95, z95));
    assert!((p50 / median).ln().abs() < 5.0 * se50, "median {p50} vs {median}");
    assert!(((p95 / p50).ln() - z95 * sigma).abs() < 5.0 * (se_tail + se50), "p95/p50 {}", p95 / p50);
    assert!(((p5 / p50).ln() + z95 * sigma).abs() < 5.0 * (se_tail + se50), "p5/p50 {}", p5 / p50);
}
