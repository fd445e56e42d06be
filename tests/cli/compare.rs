//! `compare`: scenarios side by side with common random numbers.

use crate::util::Costsim;

const MODEL: &str = "[model]
name = \"Demo\"
trials = 50_000
seed = 3
outputs = [\"cost\"]

[vars]
n = \"pert(90, 100, 130)\"
price = { value = \"10 to 20\", unit = \"USD\" }
cost = { value = \"n * price\", unit = \"USD\" }

[scenarios.same]
description = \"Identical to base\"
n = \"pert(90, 100, 130)\"

[scenarios.pricier]
price = \"12 to 24\"
";

#[test]
fn identical_scenario_differs_by_exactly_zero_and_json_has_runs_and_differences() {
    let json = Costsim::new().model(MODEL).args(&["compare", "model.toml", "--format", "json"]).run().success().json();
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0]["scenario"], serde_json::Value::Null);
    assert_eq!(runs[1]["scenario"], "same");
    assert_eq!(runs[0]["outputs"]["cost"], runs[1]["outputs"]["cost"]);
    let same = &json["differences"]["same"]["cost"];
    assert_eq!((same["mean"].as_f64(), same["min"].as_f64(), same["max"].as_f64()), (Some(0.0), Some(0.0), Some(0.0)));
    assert_eq!(same["p_greater"].as_f64(), Some(0.0));
    // Prices scaled by 1.2 in every trial (same stream, same quantile): cost is 20% higher
    // in every trial, so P(pricier > base) is exactly 1 and the mean difference is 0.2·mean.
    let pricier = &json["differences"]["pricier"]["cost"];
    assert_eq!(pricier["p_greater"].as_f64(), Some(1.0));
    let base_mean = runs[0]["outputs"]["cost"]["mean"].as_f64().unwrap();
    assert!((pricier["mean"].as_f64().unwrap() / base_mean - 0.2).abs() < 1e-9);
}

#[test]
fn table_and_scenario_selection() {
    let out =
        Costsim::new().model(MODEL).args(&["compare", "model.toml", "--scenarios", "pricier"]).run().success().stdout;
    assert!(out.contains("common random numbers"), "{out}");
    assert!(out.contains("  base ") && out.contains("  pricier ") && !out.contains("  same "), "{out}");
    assert!(out.contains("100%"), "P(> base) is 100%: {out}");
    let stderr =
        Costsim::new().model(MODEL).args(&["compare", "model.toml", "--scenarios", "pricey"]).run().failure(2).stderr;
    assert!(stderr.contains("unknown scenario `pricey`; did you mean `pricier`?"), "{stderr}");
}
