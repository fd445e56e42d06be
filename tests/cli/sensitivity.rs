//! `sensitivity` from the command line: formats, determinism, errors.

use crate::util::{Costsim, models_dir};

fn fleet(args: &[&str]) -> crate::util::Outcome {
    let path = models_dir().join("deepseek_fleet_tco.toml");
    let mut all = vec!["sensitivity", path.to_str().unwrap(), "--var", "tco"];
    all.extend_from_slice(args);
    Costsim::new().args(&all).run()
}

#[test]
fn json_is_byte_identical_across_thread_counts() {
    let one = fleet(&["--format", "json", "--trials", "4096", "--threads", "1"]).success().stdout;
    let two = fleet(&["--format", "json", "--trials", "4096", "--threads", "2"]).success().stdout;
    assert_eq!(one, two);
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    let methods: Vec<&str> = json.as_array().unwrap().iter().map(|m| m["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["tornado", "spearman", "sobol"]);
    let sobol = &json[2];
    assert_eq!(sobol["output"], "tco");
    assert_eq!(sobol["trials"], 4096);
    let first = &sobol["factors"][0];
    for key in ["name", "first_order", "first_order_ci", "total", "total_ci"] {
        assert!(!first[key].is_null(), "{key}");
    }
    assert!(json[0]["factors"][0]["swing"].as_f64().unwrap() >= json[0]["factors"][1]["swing"].as_f64().unwrap());
    assert!(!json[1]["factors"][0]["contribution_to_variance"].is_null());
}

#[test]
fn single_method_is_one_object_and_the_table_has_bars() {
    let json: serde_json::Value = serde_json::from_str(
        &fleet(&["--format", "json", "--method", "spearman", "--trials", "5000"]).success().stdout,
    )
    .unwrap();
    assert_eq!(json["method"], "spearman");
    let table = fleet(&["--method", "tornado", "--trials", "5000"]).success().stdout;
    assert!(table.contains("tornado: each input at its p10 and p90"), "{table}");
    assert!(table.contains('█') && table.contains('│'), "{table}");
}

#[test]
fn unknown_output_and_oversized_sobol_are_usage_errors() {
    let stderr = fleet(&["--method", "sobol", "--trials", "1e9"]).failure(2).stderr;
    assert!(stderr.contains("use --trials at most 4194304"), "{stderr}");
    let path = models_dir().join("deepseek_fleet_tco.toml");
    let stderr = Costsim::new().args(&["sensitivity", path.to_str().unwrap(), "--var", "tcoo"]).run().failure(2).stderr;
    assert!(stderr.contains("unknown var `tcoo`; did you mean `tco`?"), "{stderr}");
}
