//! `check`: lists vars, factors, outputs and scenarios without simulating.

use serde_json::json;

use crate::util::Costsim;

#[test]
fn lists_what_the_model_contains() {
    let text = "[model]\nname = \"Demo\"\n[vars]\nn = \"pert(1, 2, 3)\"\nk = { value = \"4\", unit = \"USD\" }\n\
                y = \"n * k\"\n[scenarios.high]\ndescription = \"More\"\nn = \"5\"\n";
    let out = Costsim::new().model(text).args(&["check", "model.toml", "--format", "json"]).run().success().json();
    assert_eq!(out["model"]["name"], "Demo");
    assert_eq!(out["model"]["file"], "model.toml");
    assert_eq!(out["model"]["sha256"].as_str().map(str::len), Some(64));
    // The random input's spread, from its quantile function: pert(1, 2, 3) is symmetric
    // about its mode, with mean (1 + 4·2 + 3)/6 = 2.
    let mut vars = out["vars"].clone();
    let spread = vars[0].as_object_mut().unwrap().remove("spread").unwrap();
    let at = |k: &str| spread[k].as_f64().unwrap();
    assert_eq!(at("mean"), 2.0);
    assert!((at("p50") - 2.0).abs() < 1e-12 && (at("p5") + at("p95") - 4.0).abs() < 1e-12, "{spread}");
    assert!(1.0 < at("p5") && at("p5") < 1.5, "{spread}");
    assert!(spread.get("simulated_trials").is_none(), "exact, not simulated: {spread}");
    assert_eq!(
        vars,
        json!([
            { "name": "n", "kind": "random", "expression": "pert(1, 2, 3)", "unit": null },
            { "name": "k", "kind": "constant", "value": 4.0, "expression": "4", "unit": "USD" },
            { "name": "y", "kind": "derived", "expression": "n * k", "unit": "USD" },
        ])
    );
    assert_eq!(out["factors"], json!(["n"]));
    assert_eq!(out["outputs"], json!(["y"]));
    assert_eq!(out["scenarios"], json!([{ "name": "high", "description": "More", "overrides": ["n"] }]));
    assert_eq!(out["correlated"], json!([]));
    assert_eq!(out["sampling"], "mc");
}

#[test]
fn checks_every_scenario() {
    let text = "[model]\nname = \"Demo\"\n[vars]\nn = \"pert(1, 2, 3)\"\n[scenarios.bad]\nn = \"pert(3, 2, 1)\"\n";
    let stderr = Costsim::new().model(text).args(&["check", "model.toml"]).run().failure(2).stderr;
    assert!(stderr.contains("invalid parameters for `pert(...)` in var `n`"), "{stderr}");
    assert!(stderr.contains("model.toml:6:6"), "{stderr}");
}
