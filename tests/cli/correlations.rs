//! Correlations, sampling methods and precision control from the command line.

use crate::util::{Costsim, model_with};

const IMPOSSIBLE: &str = "a = \"1 to 2\"\nb = \"1 to 3\"\nc = \"normal(0, 1)\"\ntotal = \"a + b + c\"\n\
[[correlations]]\nvars = [\"a\", \"b\", \"c\"]\nmatrix = [[1, 0.9, 0.9], [0.9, 1, -0.5], [0.9, -0.5, 1]]\n";

#[test]
fn impossible_matrix_names_the_pair_and_repair_reports_the_moves() {
    let stderr = Costsim::new().model(&model_with(IMPOSSIBLE)).args(&["run", "model.toml"]).run().failure(2).stderr;
    assert!(stderr.contains("error: the rank correlations cannot hold together: `b`–`c` is -0.5"), "{stderr}");
    assert!(stderr.contains("--repair-correlations"), "{stderr}");
    let dir = Costsim::new().model(&model_with(IMPOSSIBLE));
    let outcome = dir
        .args(&["run", "model.toml", "--repair-correlations", "--trials", "100k", "--format", "json"])
        .run()
        .success();
    assert!(outcome.stderr.contains("repaired to the nearest valid one"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("b – c: requested -0.500, used"), "{}", outcome.stderr);
    let json = outcome.json();
    let pairs = json["correlations"].as_array().unwrap();
    assert_eq!(pairs.len(), 3);
    let bc = pairs.iter().find(|p| p["vars"][0] == "b" && p["vars"][1] == "c").unwrap();
    assert!(bc["used"].as_f64().unwrap() > -0.5);
    assert!((bc["achieved"].as_f64().unwrap() - bc["used"].as_f64().unwrap()).abs() < 0.02);
}

#[test]
fn correlated_var_needs_constant_parameters() {
    let vars = "m = \"uniform(1, 2)\"\na = \"normal(m, 1)\"\nb = \"1 to 2\"\n[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.5\n";
    let stderr = Costsim::new().model(&model_with(vars)).args(&["check", "model.toml"]).run().failure(2).stderr;
    assert!(stderr.contains("var `a` is correlated, so its distribution's parameters must be constant"), "{stderr}");
}

#[test]
fn sampling_method_is_recorded_and_unknown_ones_rejected() {
    let text = model_with("x = \"1 to 2\"\n");
    let json = Costsim::new()
        .model(&text)
        .args(&["run", "model.toml", "--sampling", "qmc", "--trials", "1000", "--format", "json"])
        .run()
        .success()
        .json();
    assert_eq!(json["sampling"], "qmc");
    let bad = "[model]\nname = \"t\"\nsampling = \"sobol\"\n[vars]\nx = \"1 to 2\"\n";
    let stderr = Costsim::new().model(bad).args(&["run", "model.toml"]).run().failure(2).stderr;
    assert!(stderr.contains("unknown sampling method `sobol`") && stderr.contains("model.toml:3:12"), "{stderr}");
}

#[test]
fn precision_stops_meets_its_target_and_does_not_depend_on_threads() {
    let text = model_with("x = \"normal(100, 10)\"\ny = \"x * 2\"\n");
    let run = |threads: &str| {
        Costsim::new()
            .model(&text)
            .args(&["run", "model.toml", "--precision", "0.05%", "--threads", threads, "--format", "json"])
            .run()
            .success()
            .stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(json["precision"]["met"], true);
    let trials = json["trials"].as_u64().unwrap();
    let y = &json["outputs"]["y"];
    let half = (y["mean_ci95"][1].as_f64().unwrap() - y["mean_ci95"][0].as_f64().unwrap()) / 2.0;
    assert!(half <= 0.0005 * y["mean"].as_f64().unwrap());
    // The run equals a plain run of the same number of trials.
    let plain = Costsim::new()
        .model(&text)
        .args(&["run", "model.toml", "--trials", &trials.to_string(), "--format", "json"])
        .run()
        .success()
        .json();
    assert_eq!(plain["outputs"], json["outputs"]);
    // An unreachable target stops at --max-trials, says which statistic missed it and by
    // how much, and exits with status 3 (the results are written all the same).
    let capped = Costsim::new()
        .model(&model_with("x = \"normal(0, 1)\"\n"))
        .args(&["run", "model.toml", "--precision", "0.1%", "--max-trials", "100000"])
        .run()
        .failure(3)
        .stdout;
    assert!(capped.contains("precision: ±0.1% target NOT met after 100,000 trials (raise --max-trials):"), "{capped}");
    assert!(capped.contains("\n  x mean: ±") && capped.contains("\n  x p95: ±"), "{capped}");
    // In JSON the misses are data, and stderr says it too.
    let json = Costsim::new()
        .model(&model_with("x = \"normal(0, 1)\"\n"))
        .args(&["run", "model.toml", "--precision", "0.1%", "--max-trials", "100000", "--format", "json"])
        .run()
        .failure(3);
    assert!(json.stderr.starts_with("warning: precision: ±0.1% target NOT met"), "{}", json.stderr);
    let misses = &json.json()["precision"]["misses"];
    assert_eq!(misses[0]["output"], "x");
    assert_eq!(misses[0]["statistic"], "mean");
    assert!(misses[0]["relative_half_width"].as_f64().unwrap() > 0.001, "{misses}");
}

#[test]
fn invalid_parameters_are_reported_once_under_lhs() {
    let text = model_with("x = \"-1 to 2\"\n");
    let stderr = Costsim::new().model(&text).args(&["run", "model.toml", "--sampling", "lhs"]).run().failure(2).stderr;
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert!(stderr.contains("`a to b` is a lognormal and needs 0 < a < b"), "{stderr}");
}
