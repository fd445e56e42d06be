//! Multi-period models from the command line: the JSON contract's `periods`, a column
//! per period in `samples`, streams that stay put when a period is added, byte-identical
//! results across thread counts, and clear errors (with file:line:column) for what cannot
//! be asked of a series.

use crate::util::Costsim;

const CASH_FLOW: &str = "[model]\nname = \"cash\"\nperiods = [\"2025\", \"2026\", \"2027\"]\n\
    outputs = [\"opex\", \"total\", \"pv\"]\n[vars]\n\
    rate = \"0.05 to 0.09\"\nbase = \"normal(100, 10)\"\n\
    demand = { value = \"normal(1, 0.1)\", per_period = true }\n\
    opex = { value = \"base * demand * 1.03^t\", unit = \"USD\" }\n\
    total = \"sum(opex)\"\npv = \"npv(rate, opex)\"\n";

fn json(model: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["run", "model.toml", "--format", "json", "--trials", "20000"];
    all.extend_from_slice(args);
    Costsim::new().model(model).args(&all).run().success().json()
}

#[test]
fn a_series_output_has_one_entry_per_period_in_json_and_a_row_per_period_in_the_table() {
    let json = json(CASH_FLOW, &[]);
    let periods = json["outputs"]["opex"]["periods"].as_array().expect("periods");
    let labels: Vec<&str> = periods.iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["2025", "2026", "2027"]);
    for p in periods {
        assert!(p["mean"].as_f64().is_some() && p["percentiles"]["p95"].as_f64().is_some(), "{p}");
    }
    // The sum of the periods' means is the mean of the sum (the same trials).
    let sum: f64 = periods.iter().map(|p| p["mean"].as_f64().unwrap()).sum();
    let total = json["outputs"]["total"]["mean"].as_f64().unwrap();
    assert!((sum - total).abs() <= 1e-9 * total, "{sum} vs {total}");
    let table = Costsim::new().model(CASH_FLOW).args(&["run", "model.toml", "--trials", "2000"]).run().success();
    for label in ["opex[2025]", "opex[2026]", "opex[2027]", "total", "pv"] {
        assert!(table.stdout.lines().any(|l| l.starts_with(label)), "{label} in\n{}", table.stdout);
    }
}

#[test]
fn samples_have_a_column_per_period() {
    let out = Costsim::new()
        .model(CASH_FLOW)
        .args(&["samples", "model.toml", "--trials", "5", "--vars", "demand,total,opex[2026]"])
        .run()
        .success();
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some("trial,demand[2025],demand[2026],demand[2027],total,opex[2026]"));
    assert_eq!(lines.count(), 5);
}

#[test]
fn adding_a_period_leaves_the_draws_of_the_others_unchanged() {
    let samples = |periods: &str| {
        let model = CASH_FLOW.replace("[\"2025\", \"2026\", \"2027\"]", periods);
        let out = Costsim::new()
            .model(&model)
            .args(&["samples", "model.toml", "--trials", "5000", "--vars", "demand,base"])
            .run()
            .success();
        out.stdout.lines().skip(1).map(|l| l.split(',').map(String::from).collect::<Vec<_>>()).collect::<Vec<_>>()
    };
    let three = samples("[\"2025\", \"2026\", \"2027\"]");
    let four = samples("[\"2025\", \"2026\", \"2027\", \"2028\"]");
    for (a, b) in three.iter().zip(&four) {
        // trial, demand per period, then base: the first three periods and base are equal.
        assert_eq!(a[..4], b[..4]);
        assert_eq!(a[4], b[5]);
    }
    // The new period draws values of its own, not a copy of another period's.
    assert!(four.iter().all(|row| row[4] != row[1] && row[4] != row[3]));
}

#[test]
fn results_are_byte_identical_across_thread_counts() {
    let model = std::fs::read_to_string(crate::util::models_dir().join("bench_fleet_cashflow.toml")).unwrap();
    let run = |threads: &str| {
        let args = ["run", "model.toml", "--format", "json", "--trials", "150001", "--threads", threads];
        Costsim::new().model(&model).args(&args).run().success().stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("7"));
}

#[test]
fn sensitivity_explains_a_reduction_and_refuses_a_series_with_a_suggestion() {
    let run = |var: &str| {
        let args = ["sensitivity", "model.toml", "--var", var, "--method", "sobol", "--trials", "4096"];
        Costsim::new().model(CASH_FLOW).args(&args).run()
    };
    let series = run("opex").failure(2);
    assert!(series.stderr.contains("`opex` is a series"), "{}", series.stderr);
    assert!(series.stderr.contains("`opex[2025]`") && series.stderr.contains("sum(opex)"), "{}", series.stderr);
    let missing = run("opex[2031]").failure(2);
    assert!(missing.stderr.contains("not a period of `opex`"), "{}", missing.stderr);
    // npv over per-period draws: each period's demand is a factor of its own.
    let pv = Costsim::new()
        .model(CASH_FLOW)
        .args(&[
            "sensitivity",
            "model.toml",
            "--var",
            "pv",
            "--method",
            "sobol",
            "--trials",
            "4096",
            "--format",
            "json",
        ])
        .run()
        .success()
        .json();
    let mut names: Vec<&str> = pv["factors"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["base", "demand[2025]", "demand[2026]", "demand[2027]", "rate"]);
}

#[test]
fn compare_matches_series_period_by_period() {
    let model = format!("{CASH_FLOW}[scenarios.growth]\nopex = \"base * demand * 1.10^t\"\n");
    let json = Costsim::new()
        .model(&model)
        .args(&["compare", "model.toml", "--trials", "20000", "--format", "json"])
        .run()
        .success()
        .json();
    let differences = json["differences"]["growth"]["opex"]["periods"].as_array().expect("periods");
    // Period 0 is the same in both (1.03^0 = 1.10^0): a difference of exactly zero.
    assert_eq!(differences[0]["mean"].as_f64(), Some(0.0));
    assert!(differences[2]["mean"].as_f64().unwrap() > 0.0);
}

/// Runs `check` on `vars` in a model with `periods`; returns stderr.
fn error(meta: &str, vars: &str) -> String {
    let model = format!("[model]\nname = \"e\"\n{meta}[vars]\n{vars}");
    Costsim::new().model(&model).args(&["check", "model.toml"]).run().failure(2).stderr
}

#[test]
fn errors_name_the_problem_and_its_place() {
    let cases = [
        ("periods = 0\n", "x = \"1\"\n", "a model has 1 to 1000 periods, got 0", "model.toml:3:11"),
        ("periods = [\"a\", \"b\", \"a\"]\n", "x = \"1\"\n", "period label `a` is used twice", "model.toml:3:22"),
        ("periods = 3\n", "y = \"2\"\nx = \"sum(y)\"\n", "`sum(...)` takes a series", "model.toml:6:10"),
        ("", "x = \"t * 2\"\n", "`t` (the period index) needs periods", "model.toml:4:6"),
        (
            "periods = 3\n",
            "x = \"normal(100, 1) * t\"\n",
            "var `x` draws a random number and has one value per period",
            "model.toml:5:6",
        ),
        ("periods = 3\n", "x = \"[1, 2]\"\n", "the model has 3 periods, the list has 2 values", "model.toml:5:6"),
        ("periods = 3\n", "x = \"at(t, 3)\"\n", "a whole number from 0 to 2", "model.toml:5:12"),
        (
            "",
            "x = { value = \"normal(0, 1)\", per_period = true }\n",
            "var `x` is per_period, but the model has no periods",
            "model.toml:4:1",
        ),
        (
            "periods = 3\n",
            "r = \"0.1 * t\"\nx = \"npv(r, t)\"\n",
            "the rate of `npv` must be one value per trial",
            "model.toml:6:10",
        ),
        ("periods = 2\n", "t = \"1\"\n", "`t` is a reserved word", "model.toml:5:1"),
    ];
    for (meta, vars, message, place) in cases {
        let stderr = error(meta, vars);
        assert!(stderr.contains(message), "{message} in\n{stderr}");
        assert!(stderr.contains(place), "{place} in\n{stderr}");
    }
}

#[test]
fn correlations_stay_between_inputs_drawn_once_per_trial() {
    let stderr = error(
        "periods = 2\n",
        "a = { value = \"normal(0, 1)\", per_period = true }\nb = \"normal(0, 1)\"\n\
         [[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.5\n",
    );
    assert!(stderr.contains("var `a` is per_period, so it cannot be correlated"), "{stderr}");
}
