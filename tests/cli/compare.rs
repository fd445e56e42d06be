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

/// Scenarios may turn an output into an input or an input into an output; every command
/// that runs several programs matches outputs by name (these once panicked or showed one
/// output's values under another's name).
#[test]
fn scenarios_that_rewire_outputs_are_matched_by_name() {
    let header = "[model]\nname = \"t\"\ntrials = 2000\n[vars]\n";
    let compare = |vars: &str, scenario: &str| {
        let model = format!("{header}{vars}[scenarios.s]\n{scenario}");
        let dir = Costsim::new().model(&model);
        let json = Costsim::run_in(&dir, &["compare", "model.toml", "--format", "json"]).success().json();
        Costsim::run_in(&dir, &["report", "model.toml", "-o", "r.html"]).success();
        json
    };
    let stat = |v: &serde_json::Value, key: &str| v[key].as_f64().unwrap();

    // x becomes y: scenario s's x is y, trial by trial.
    let json = compare("x = \"normal(0, 1)\"\ny = \"normal(0, 1)\"\n", "x = \"y\"\n");
    let s = &json["runs"][1]["outputs"];
    assert_eq!(s["x"], s["y"]);
    assert_eq!(json["runs"][0]["outputs"]["y"], s["y"]);

    // y no longer depends on x, which becomes an output of s that base does not report.
    let json = compare("x = \"normal(0, 1)\"\ny = \"x + 1\"\n", "y = \"2\"\n");
    let y = &json["runs"][1]["outputs"]["y"];
    assert_eq!([stat(y, "mean"), stat(y, "min"), stat(y, "max")], [2.0, 2.0, 2.0]);
    assert!(json["runs"][1]["outputs"].get("x").is_none());

    // c becomes b while a is pinned: b is unchanged, c moves by about +100.
    let json = compare("a = \"normal(0, 1)\"\nb = \"normal(100, 1)\"\nc = \"a + 0\"\n", "a = \"1\"\nc = \"b\"\n");
    assert_eq!(json["runs"][0]["outputs"]["b"], json["runs"][1]["outputs"]["b"]);
    let (db, dc) = (&json["differences"]["s"]["b"], &json["differences"]["s"]["c"]);
    assert_eq!([stat(db, "mean"), stat(db, "min"), stat(db, "max")], [0.0, 0.0, 0.0]);
    // c's difference is b − a with a ~ N(0, 1), b ~ N(100, 1): mean 100, sd √2.
    assert!((stat(dc, "mean") - 100.0).abs() < 5.0 * (2.0f64 / 2000.0).sqrt(), "{dc}");
}

#[test]
fn a_0_1_output_is_a_probability_with_its_interval_and_changes_in_points() {
    // P(cost > 200) under base and with dearer prices: the table shows P ± pp and the
    // change in pp with its interval, and no percentiles or P(> base) of 0s and 1s.
    let model = MODEL.replace("outputs = [\"cost\"]", "outputs = [\"cost\", \"over\"]");
    let model = model.replace(
        "cost = { value = \"n * price\", unit = \"USD\" }",
        "cost = { value = \"n * price\", unit = \"USD\" }\nover = \"cost > 2000\"",
    );
    let dir = Costsim::new().model(&model);
    let table = Costsim::run_in(&dir, &["compare", "model.toml", "--trials", "20000"]).success().stdout;
    let section = table.split("\nover\n").nth(1).expect("a section for `over`");
    assert!(section.starts_with("  scenario  probability"), "{section}");
    assert!(!section.contains("P(> base)") && !section.contains("p95"), "{section}");
    let pricier = section.lines().find(|l| l.trim_start().starts_with("pricier")).unwrap();
    assert!(pricier.contains("P = ") && pricier.contains(" pp ± ") && pricier.trim_end().ends_with(" pp"), "{pricier}");
    // In `run`, the probability sits in the mean column, aligned with the other rows.
    let run = Costsim::run_in(&dir, &["run", "model.toml", "--trials", "20000"]).success().stdout;
    let header = run.lines().find(|l| l.starts_with("output")).unwrap();
    let over = run.lines().find(|l| l.starts_with("over")).unwrap();
    assert_eq!(header.find("mean"), over.find("P = "), "{run}");
    assert!(over.trim_end().ends_with(" pp"), "{over}");
}

#[test]
fn a_scenario_that_changes_an_outputs_shape_says_which_way() {
    let model = |base: &str, scenario: &str| {
        format!(
            "[model]\nname = \"shape\"\nperiods = 2\noutputs = [\"b\"]\n[vars]\na = \"1 to 2\"\n\
             y = {{ value = \"normal(1, 0.1)\", per_period = true }}\nb = \"{base}\"\n[scenarios.s]\nb = \"{scenario}\"\n"
        )
    };
    for (base, scenario, message) in [
        ("a * 2", "y * 2", "`b` has one value per trial in the base model, but a scenario makes it a series"),
        (
            "y * 2",
            "a * 2",
            "`b[1]` is a period of the series `b` in the base model, but a scenario makes `b` one value per trial",
        ),
    ] {
        let out =
            Costsim::new().model(&model(base, scenario)).args(&["compare", "model.toml", "--trials", "100"]).run();
        let stderr = out.failure(2).stderr;
        assert!(stderr.contains(message), "{stderr}");
    }
}
