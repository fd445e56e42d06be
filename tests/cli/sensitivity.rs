//! `sensitivity` from the command line: what runs by default, formats, determinism,
//! warnings and errors.

use crate::util::{Costsim, models_dir};

fn fleet(args: &[&str]) -> crate::util::Outcome {
    let path = models_dir().join("deepseek_fleet_tco.toml");
    let mut all = vec!["sensitivity", path.to_str().unwrap()];
    all.extend_from_slice(args);
    Costsim::new().args(&all).run()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn json_is_byte_identical_across_thread_counts() {
    let run = |threads: &str| fleet(&["--var", "tco", "--format", "json", "--trials", "8192", "--threads", threads]);
    let one = run("1").success().stdout;
    assert_eq!(one, run("2").success().stdout);
    assert_eq!(one, run("7").success().stdout);
    let json = json(&one);
    let methods: Vec<&str> = json.as_array().unwrap().iter().map(|m| m["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["tornado", "spearman", "shapley"], "the fleet's GPU prices are correlated");
    let shapley = &json[2];
    assert_eq!(shapley["output"], "tco");
    assert_eq!(shapley["trials"], 8192);
    assert_eq!(shapley["permutations"], 2);
    assert_eq!(shapley["exact_permutations"], false);
    assert!((shapley["sum"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    for key in ["name", "shapley", "shapley_ci"] {
        assert!(!shapley["factors"][0][key].is_null(), "{key}");
    }
    assert!(
        shapley["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("shapley in place of sobol"))
    );
    let tornado = &json[0];
    assert_eq!(tornado["kind"], "conditional");
    assert!(tornado["factors"][0]["swing"].as_f64().unwrap() >= tornado["factors"][1]["swing"].as_f64().unwrap());
    assert!(tornado["factors"][0]["low_ci"].is_array() && tornado["factors"][0]["high_ci"].is_array());
    assert!(tornado["warnings"].as_array().unwrap().is_empty(), "{tornado}");
    let sobol = |threads: &str| {
        fleet(&["--var", "capex", "--method", "sobol", "--format", "json", "--trials", "8192", "--threads", threads])
            .success()
            .stdout
    };
    assert_eq!(sobol("1"), sobol("3"));
}

#[test]
fn without_var_every_output_is_analysed_with_what_fits_it() {
    let all = json(&fleet(&["--format", "json", "--trials", "8192"]).success().stdout);
    let entries = all.as_array().unwrap();
    let of = |output: &str| -> Vec<&serde_json::Value> { entries.iter().filter(|e| e["output"] == output).collect() };
    for output in ["capex", "opex", "tco", "tco_per_year"] {
        let methods: Vec<&str> = of(output).iter().map(|e| e["method"].as_str().unwrap()).collect();
        assert_eq!(methods, ["tornado", "spearman", "shapley"], "{output}");
    }
    // A 0/1 output: probabilities in each decile, and rank correlations; no variance shares.
    let hit = of("capex_over_1_6b");
    let methods: Vec<&str> = hit.iter().map(|e| e["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["tornado", "spearman"]);
    assert_eq!(hit[0]["kind"], "conditional");
    assert_eq!(hit[0]["boolean"], true);
    let bar = &hit[0]["factors"][0];
    let (low, high) = (bar["low"].as_f64().unwrap(), bar["high"].as_f64().unwrap());
    assert!((0.0..=1.0).contains(&low) && (0.0..=1.0).contains(&high) && high - low > 0.2, "{bar}");
    let table = fleet(&["--trials", "8192"]).success().stdout;
    for heading in ["━━ capex ━━", "━━ tco ━━", "━━ capex_over_1_6b (0/1: values are probabilities) ━━"]
    {
        assert!(table.contains(heading), "{heading} in {table}");
    }
    assert!(table.contains(" pp "), "swings of a probability in percentage points: {table}");
    assert!(!table.contains("treats inputs as independent"), "no method that ignores correlations ran: {table}");
}

const MIXED: &str = r#"
[model]
name = "Mixed"
outputs = ["total", "fixed", "over"]
[vars]
a = "normal(100, 10)"
b = "lognormal(5, 0.5)"
fixed = "12.5 * 4"
total = "1e9 + a * b"
over = "total > 1e9 + 16000"
"#;

#[test]
fn independent_inputs_get_sobol_and_a_constant_output_is_listed_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.toml");
    std::fs::write(&path, MIXED).unwrap();
    let model = path.to_str().unwrap();
    let table = Costsim::new().args(&["sensitivity", model, "--trials", "8192"]).run().success().stdout;
    assert!(table.contains("constant — nothing to explain (the same in every trial): `fixed` = 50"), "{table}");
    assert_eq!(table.matches("fixed").count(), 1, "{table}");
    assert!(table.contains("tornado (swing)") && table.contains("sobol: variance shares"), "{table}");
    let all = json(
        &Costsim::new().args(&["sensitivity", model, "--trials", "8192", "--format", "json"]).run().success().stdout,
    );
    let entries = all.as_array().unwrap();
    let fixed: Vec<&serde_json::Value> = entries.iter().filter(|e| e["output"] == "fixed").collect();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["method"], "constant");
    assert_eq!(fixed[0]["value"], 50.0);
    let methods = |output: &str| -> Vec<String> {
        entries.iter().filter(|e| e["output"] == output).map(|e| e["method"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(methods("total"), ["tornado", "spearman", "sobol"]);
    assert_eq!(methods("over"), ["tornado", "spearman"]);
    // Shapley stays available on independent inputs.
    let shapley =
        Costsim::new().args(&["sensitivity", model, "--var", "total", "--method", "shapley", "--trials", "8192"]).run();
    let out = shapley.success().stdout;
    assert!(out.contains("shapley: variance shares") && out.contains("all orders of the inputs"), "{out}");
    let md =
        Costsim::new().args(&["sensitivity", model, "--trials", "8192", "--format", "markdown"]).run().success().stdout;
    assert!(md.contains("### `total`") && md.contains("#### Sobol indices") && md.contains("`fixed` = 50"), "{md}");
}

#[test]
fn warnings_are_about_the_methods_that_ran() {
    let spearman = fleet(&["--var", "tco", "--method", "spearman", "--trials", "5000"]).success().stdout;
    assert!(!spearman.contains("warning"), "{spearman}");
    let sobol = fleet(&["--var", "tco", "--method", "sobol", "--trials", "4096"]).success().stdout;
    assert!(sobol.contains("warning: sobol (use shapley) treats inputs as independent"), "{sobol}");
    let swing =
        fleet(&["--var", "tco", "--method", "tornado", "--tornado", "swing", "--trials", "5000"]).success().stdout;
    assert!(swing.contains("tornado (swing): each input at its p10 and p90"), "{swing}");
    assert!(
        swing.contains("warning: the swing tornado (use --tornado conditional) treats inputs as independent"),
        "{swing}"
    );
    assert!(swing.contains('█') && swing.contains('│'), "{swing}");
}

#[test]
fn single_output_and_method_is_one_object() {
    let one = json(
        &fleet(&["--var", "tco", "--format", "json", "--method", "spearman", "--trials", "5000"]).success().stdout,
    );
    assert_eq!(one["method"], "spearman");
    assert_eq!(one["output"], "tco");
}

#[test]
fn unknown_output_is_a_usage_error() {
    let stderr = fleet(&["--var", "tcoo"]).failure(2).stderr;
    assert!(stderr.contains("unknown var `tcoo`; did you mean `tco`?"), "{stderr}");
}
