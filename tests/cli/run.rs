//! `run`: formats, options, scenarios and overrides.

use crate::util::{Costsim, model_with};

const MODEL: &str = "[model]
name = \"Demo\"
trials = 20_000
seed = 5
outputs = [\"cost\", \"big\"]

[vars]
hours = \"2.788M\"
price = { value = \"1.5 to 3.5\", unit = \"USD\" }
cost = { value = \"hours * price\", unit = \"USD\" }
big = \"cost > 8M\"

[scenarios.cheap]
description = \"Owner's cost\"
price = \"1\"
";

fn run(args: &[&str]) -> crate::util::Outcome {
    let mut all = vec!["run", "model.toml"];
    all.extend_from_slice(args);
    Costsim::new().model(MODEL).args(&all).run().success()
}

#[test]
fn json_follows_the_contract() {
    let json = run(&["--format", "json"]).json();
    assert_eq!(json["costsim_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["model"]["name"], "Demo");
    assert_eq!(json["model"]["file"], "model.toml");
    assert_eq!(json["model"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(json["scenario"], serde_json::Value::Null);
    assert_eq!((json["seed"].as_u64(), json["trials"].as_u64()), (Some(5), Some(20_000)));
    assert_eq!(json["sampling"], "mc");
    let keys: Vec<&String> = json["outputs"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["cost", "big"]);
    let cost = &json["outputs"]["cost"];
    let fields: Vec<&String> = cost.as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        ["unit", "mean", "std", "min", "max", "stderr_mean", "percentiles", "ci90", "mean_ci95", "percentile_ci95"]
    );
    assert_eq!(cost["unit"], "USD");
    // A 0/1 output is a plain number: no unit.
    assert!(json["outputs"]["big"].get("unit").is_none());
    let p95_ci = &cost["percentile_ci95"]["p95"];
    let p95 = cost["percentiles"]["p95"].as_f64().unwrap();
    assert!(p95_ci[0].as_f64().unwrap() <= p95 && p95 <= p95_ci[1].as_f64().unwrap(), "{p95_ci} vs {p95}");
    let names: Vec<&String> = cost["percentiles"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99"]);
    assert_eq!(cost["ci90"][0], cost["percentiles"]["p5"]);
    assert_eq!(cost["ci90"][1], cost["percentiles"]["p95"]);
    // `1.5 to 3.5` puts p5 and p95 of cost at 2.788M × 1.5 and × 3.5, within sampling error.
    let p5 = cost["percentiles"]["p5"].as_f64().unwrap();
    assert!((p5 / (2.788e6 * 1.5) - 1.0).abs() < 0.02, "{p5}");
    let std = cost["std"].as_f64().unwrap();
    assert!((cost["stderr_mean"].as_f64().unwrap() - std / 20_000f64.sqrt()).abs() < 1e-6 * std);
}

#[test]
fn table_is_for_people() {
    let out = run(&[]).stdout;
    assert!(out.starts_with("Demo\nmodel.toml · seed 5 · 20,000 trials · mc\n"), "{out}");
    let cost_line = out.lines().find(|l| l.starts_with("cost ")).unwrap();
    assert!(cost_line.contains("$7.") || cost_line.contains("$6."), "{cost_line}");
    assert!(cost_line.contains(" – "), "{cost_line}");
    let big_line = out.lines().find(|l| l.starts_with("big ")).unwrap();
    assert!(big_line.contains("P = "), "a comparison reads as a probability: {big_line}");
}

#[test]
fn csv_and_markdown() {
    let csv = run(&["--format", "csv"]).stdout;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "output,mean,std,min,max,stderr_mean,mean_ci95_low,mean_ci95_high,p1,p5,p10,p25,p50,p75,p90,p95,p99,mean_caveat,unit"
    );
    let cost: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!((cost.len(), cost[0], cost[18]), (19, "cost", "USD"));
    let md = run(&["--format", "markdown"]).stdout;
    assert!(md.starts_with("## Demo\n"), "{md}");
    assert!(md.contains("| cost | $"), "{md}");
}

#[test]
fn output_file_is_written_and_matches_stdout() {
    let dir = Costsim::new().model(MODEL);
    let stdout = dir.args(&["run", "model.toml", "--format", "json"]).run().success().stdout;
    let dir = Costsim::new().model(MODEL).args(&["run", "model.toml", "--format", "json", "-o", "out.json"]);
    let outcome = dir.run().success();
    assert!(outcome.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(dir.path("out.json")).unwrap(), stdout);
}

#[test]
fn scenario_set_seed_and_trials_change_what_they_should() {
    let base = run(&["--format", "json"]).json();
    let cheap = run(&["--format", "json", "--scenario", "cheap"]).json();
    assert_eq!(cheap["scenario"], "cheap");
    assert_eq!(cheap["outputs"]["cost"]["mean"].as_f64(), Some(2.788e6));
    assert_eq!(cheap["outputs"]["big"]["mean"].as_f64(), Some(0.0));
    let set = run(&["--format", "json", "--set", "price=10"]).json();
    // A constant price leaves nothing uncertain: every trial is hours × 10.
    let cost = &set["outputs"]["cost"];
    assert_eq!(cost["std"].as_f64(), Some(0.0));
    assert_eq!(cost["percentiles"]["p1"].as_f64(), Some(2.788e7));
    assert_eq!(cost["percentiles"]["p99"].as_f64(), Some(2.788e7));
    let reseeded = run(&["--format", "json", "--seed", "6", "--trials", "1k"]).json();
    assert_eq!(reseeded["trials"].as_u64(), Some(1000));
    assert_ne!(reseeded["outputs"]["cost"]["mean"], base["outputs"]["cost"]["mean"]);
}

#[test]
fn default_outputs_are_the_vars_nothing_else_uses() {
    let text = model_with("a = \"uniform(0, 1)\"\nb = \"a * 2\"\nc = \"b + 1\"\nd = \"a - 1\"\n");
    let json = Costsim::new()
        .model(&text)
        .args(&["run", "model.toml", "--format", "json", "--trials", "1000"])
        .run()
        .success()
        .json();
    let keys: Vec<&String> = json["outputs"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["c", "d"]);
}

#[test]
fn timings_go_to_stderr_only() {
    let plain = run(&["--format", "json"]);
    let timed = run(&["--format", "json", "--timings"]);
    assert_eq!(plain.stdout, timed.stdout, "timings never reach the JSON");
    assert!(timed.stderr.starts_with("timings: 20000 trials in "), "{}", timed.stderr);
    for phase in ["load + compile", "sampling + evaluation", "summary + rendering"] {
        assert!(timed.stderr.contains(phase), "{}", timed.stderr);
    }
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let outcome = Costsim::new().model(MODEL).args(&["run", "model.toml", "--trials", "3M"]).run().success();
    assert_eq!(outcome.stderr, "");
}

#[test]
fn overrides_and_scenario_are_in_the_header_and_the_json() {
    // Two different runs never print the same header: what was overridden is named.
    let plain = run(&[]).stdout;
    let set = run(&["--set", "price = 2 to 3", "--set", "hours=3M", "--scenario", "cheap"]).stdout;
    let header = |text: &str| text.lines().nth(1).unwrap().to_string();
    assert_ne!(header(&plain), header(&set));
    assert!(header(&set).contains("scenario cheap · set price = 2 to 3 · set hours = 3M · seed 5"), "{set}");
    let json = run(&["--set", "price = 2 to 3", "--set", "hours=3M", "--format", "json"]).json();
    assert_eq!(json["overrides"], serde_json::json!({"price": "2 to 3", "hours": "3M"}));
    let keys: Vec<&String> = json["overrides"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["price", "hours"], "in the order given");
    assert_eq!(run(&["--format", "json"]).json()["overrides"], serde_json::json!({}));
}

#[test]
fn a_query_adds_an_output_without_editing_the_model() {
    // `big` is cost > 8M in the model; the same question asked ad hoc must agree with it
    // to the trial, and a named query is reported under its name.
    let json = run(&["--query", "cost > 8M", "--query", "dear = price > 3", "--format", "json"]).json();
    let outputs = json["outputs"].as_object().unwrap();
    let names: Vec<&String> = outputs.keys().collect();
    assert_eq!(names, ["cost", "big", "cost > 8M", "dear"], "after the model's outputs, in order");
    assert_eq!(outputs["cost > 8M"]["mean"], outputs["big"]["mean"]);
    // `1.5 to 3.5` is the lognormal with those p5 and p95: P(price > 3) = 1 − Φ((ln 3 − μ)/σ).
    use statrs::distribution::{ContinuousCDF, Normal};
    let z95 = 1.644_853_626_951_472_2;
    let (mu, sigma) = ((1.5f64.ln() + 3.5f64.ln()) / 2.0, (3.5f64.ln() - 1.5f64.ln()) / (2.0 * z95));
    let want = 1.0 - Normal::new(0.0, 1.0).unwrap().cdf((3f64.ln() - mu) / sigma);
    let p = outputs["dear"]["mean"].as_f64().unwrap();
    assert!((p - want).abs() < 4.0 * (want * (1.0 - want) / 20_000.0).sqrt(), "P(price > 3) = {want}, got {p}");
    let table = run(&["--query", "cost > 8M"]).stdout;
    assert!(table.lines().any(|l| l.starts_with("cost > 8M") && l.contains("P = ")), "{table}");
}

#[test]
fn a_bad_query_is_an_error_at_the_option() {
    let dir = Costsim::new().model(MODEL);
    let taken = Costsim::run_in(&dir, &["run", "model.toml", "--query", "cost = 1"]).failure(2).stderr;
    assert!(taken.contains("`--query` output `cost` is already a var") && taken.contains("use `--set`"), "{taken}");
    let broken = Costsim::run_in(&dir, &["run", "model.toml", "--query", "cost >"]).failure(2).stderr;
    assert!(broken.contains("in `--query cost >`") && broken.contains("--> --query:1:7"), "{broken}");
    let unknown = Costsim::run_in(&dir, &["run", "model.toml", "--query", "cots > 1"]).failure(2).stderr;
    assert!(unknown.contains("unknown name `cots`") && unknown.contains("did you mean `cost`?"), "{unknown}");
}

#[test]
fn units_show_with_their_values_in_every_format() {
    let vars = "power = { value = \"uniform(1, 2)\", unit = \"kW\" }\nhours = { value = \"10\", unit = \"hour\" }\n\
                energy = { value = \"power * hours\", unit = \"kWh\" }\nprice = { value = \"2 to 3\", unit = \"USD/(GPU*hour)\" }\n\
                load = { value = \"uniform(0.5, 0.7)\", unit = \"%\" }\nplain = \"uniform(1, 2)\"\n";
    let model = crate::util::model_with(vars)
        .replace("[vars]", "outputs = [\"energy\", \"price\", \"load\", \"plain\"]\n[vars]");
    let run = |format: &str| {
        Costsim::new()
            .model(&model)
            .args(&["run", "model.toml", "--trials", "2000", "--format", format])
            .run()
            .success()
    };
    let table = run("table").stdout;
    // A unit the values cannot show stands beside the name; dollars and percentages are
    // in the values; a plain number has none.
    let row = |name: &str| table.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name}:\n{table}"));
    assert!(row("energy (kWh) ").contains(" – "), "{table}");
    assert!(row("price ").contains("/(GPU*hour)") && row("price ").contains('$'), "{table}");
    assert!(row("load ").contains('%') && !row("load ").contains("(%)"), "{table}");
    assert!(!row("plain ").contains('('), "{table}");
    let markdown = run("markdown").stdout;
    assert!(markdown.contains("| energy (kWh) |"), "{markdown}");
    // A unit's `*` is escaped: the mean, p5, p50, p95 and both ends of the interval open no
    // emphasis.
    let price = markdown.lines().find(|l| l.starts_with("| price |")).unwrap();
    assert_eq!(price.matches("/(GPU\\*hour)").count(), 6, "{price}");
    assert!(!price.contains("/(GPU*"), "{price}");
    let csv = run("csv").stdout;
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",mean_caveat,unit"), "{header}");
    let unit_of = |name: &str| csv.lines().find(|l| l.starts_with(&format!("{name},"))).unwrap().rsplit(',').next();
    assert_eq!(["energy", "price", "load", "plain"].map(|n| unit_of(n).unwrap()), ["kWh", "USD/(GPU*hour)", "%", ""]);
    let json = run("json").json();
    assert_eq!(json["outputs"]["energy"]["unit"], "kWh");
    assert!(json["outputs"]["plain"].get("unit").is_none());
}
