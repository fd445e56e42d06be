//! What a new user tripped on (issue 27), each point with the behaviour it now has, on
//! two models of the kind a new user writes (`tests/fixtures`): 256 rented H100s for 18
//! months, and five years of cloud against on-prem with scenarios and correlated prices.

use std::path::PathBuf;

use crate::util::{Costsim, model_with};

fn fixture(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name].iter().collect();
    path.to_str().unwrap().to_string()
}

fn rented() -> String {
    fixture("rented_h100.toml")
}

fn cloud() -> String {
    fixture("cloud_vs_onprem.toml")
}

fn outputs(json: &serde_json::Value) -> Vec<String> {
    json["outputs"].as_object().unwrap().keys().cloned().collect()
}

#[test]
fn both_models_check_run_compare_and_report_without_a_warning() {
    for model in [rented(), cloud()] {
        let dir = Costsim::new();
        let check = Costsim::run_in(&dir, &["check", &model]).success();
        assert!(check.stdout.ends_with("ok\n"), "{}", check.stdout);
        for args in
            [&["run", &model, "--trials", "20k"][..], &["report", &model, "--trials", "5k", "-q", "-o", "r.html"]]
        {
            let out = Costsim::run_in(&dir, args).success();
            assert!(!out.stderr.contains("warning"), "{args:?}: {}", out.stderr);
        }
    }
    let compared = Costsim::run_in(&Costsim::new(), &["compare", &cloud(), "--trials", "20k"]).success();
    // The one thing said: the scenario that pins a correlated input.
    assert!(!compared.stderr.contains("warning"), "{}", compared.stderr);
    assert!(
        compared.stderr.starts_with("note: `cloud_decline` is set to `0.3` by scenario `steep_decline`"),
        "{}",
        compared.stderr
    );
}

#[test]
fn a_query_adds_an_output_and_hides_none() {
    let plain = Costsim::new().args(&["run", &rented(), "--trials", "10k", "--format", "json"]).run().success().json();
    assert_eq!(outputs(&plain), ["idle", "total"]);
    let queried = Costsim::new()
        .args(&[
            "run",
            &rented(),
            "--trials",
            "10k",
            "--format",
            "json",
            "--query",
            "total > 12M",
            "--query",
            "twice=total * 2",
        ])
        .run()
        .success()
        .json();
    assert_eq!(outputs(&queried), ["idle", "total", "total > 12M", "twice"]);
    assert_eq!(queried["outputs"]["total"], plain["outputs"]["total"], "the same trials");
    // A test written in the model keeps what it tests as an output too; a formula does not.
    let model = model_with(
        "cost = \"1 to 2\"\nover = \"cost > 1.5\"\ndouble = \"cost * 2\"\nother = \"3 to 4\"\nlow = \"other < 3.5\"\n",
    );
    let json = Costsim::new()
        .model(&model)
        .args(&["run", "model.toml", "--trials", "1000", "--format", "json"])
        .run()
        .success()
        .json();
    assert_eq!(outputs(&json), ["over", "double", "other", "low"]);
}

#[test]
fn pinning_a_correlated_input_takes_it_out_of_its_correlations_with_a_note() {
    let dir = Costsim::new();
    let pinned =
        Costsim::run_in(&dir, &["run", &cloud(), "--trials", "20k", "--set", "cloud_decline=0.2", "--format", "json"])
            .success();
    assert!(
        pinned.stderr.contains(
            "note: `cloud_decline` is set to `0.2` by --set, so it leaves its correlation with `cloud_rate`, `server_price`"
        ),
        "{}",
        pinned.stderr
    );
    let json = pinned.json();
    let pairs: Vec<&serde_json::Value> = json["correlations"].as_array().unwrap().iter().map(|c| &c["vars"]).collect();
    assert_eq!(pairs, [&serde_json::json!(["cloud_rate", "server_price"])], "the matrix keeps the other pair");
    // The same as a model file that writes the pin and the smaller matrix itself.
    let text = std::fs::read_to_string(cloud()).unwrap();
    let written = text
        .replace("cloud_decline = { value = \"uniform(0.05, 0.3)\"", "cloud_decline = { value = \"0.2\"")
        .replace(
            "vars = [\"cloud_rate\", \"server_price\", \"cloud_decline\"]\nmatrix = [[1, 0.6, 0.3], [0.6, 1, 0.2], [0.3, 0.2, 1]]",
            "vars = [\"cloud_rate\", \"server_price\"]\nrank = 0.6",
        );
    assert_ne!(written, text);
    let by_hand = Costsim::new()
        .model(&written)
        .args(&["run", "model.toml", "--trials", "20k", "--format", "json"])
        .run()
        .success()
        .json();
    assert_eq!(json["outputs"], by_hand["outputs"]);
    // A scenario that pins it runs too; a model file that correlates a constant itself is
    // still refused, at the name.
    let scenario = Costsim::run_in(&dir, &["run", &cloud(), "--trials", "5k", "--scenario", "steep_decline"]).success();
    assert!(scenario.stderr.contains("set to `0.3` by scenario `steep_decline`"), "{}", scenario.stderr);
    let constant = Costsim::new()
        .model(&format!(
            "{}\n[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.5\n",
            model_with("a = 3\nb = \"1 to 2\"\nc = \"a + b\"\n")
        ))
        .args(&["check", "model.toml"])
        .run()
        .failure(2);
    assert!(constant.stderr.contains("var `a` is a constant, so it cannot be correlated"), "{}", constant.stderr);
    assert!(constant.stderr.contains("model.toml:10:"), "{}", constant.stderr);
}

#[test]
fn report_analyses_follow_trials_and_say_so() {
    let dir = Costsim::new();
    let fleet = crate::util::models_dir().join("deepseek_fleet_tco.toml");
    Costsim::run_in(&dir, &["report", fleet.to_str().unwrap(), "--trials", "10k", "-q", "-o", "r.html"]).success();
    let html = std::fs::read_to_string(dir.path("r.html")).unwrap();
    assert!(html.contains(
        "shapley: N = 10000 as --trials says (its default: 2097152), so its intervals are wider than by default"
    ));
    assert!(html.contains("Shapley effect (sum"), "the analyses ran");
}

#[test]
fn trial_counts_in_a_model_file_take_the_forms_trials_takes() {
    let trials = |value: &str| {
        let model = format!("[model]\nname = \"t\"\ntrials = {value}\n\n[vars]\nx = \"2K to 3K\"\n");
        Costsim::new().model(&model).args(&["run", "model.toml", "--format", "json", "-q"]).run()
    };
    for (value, n) in [("\"200k\"", 200_000), ("1e5", 100_000), ("1_000", 1000), ("\"1.5K\"", 1500), ("\"2k\"", 2000)] {
        assert_eq!(trials(value).success().json()["trials"], n, "{value}");
    }
    for (value, says) in [
        ("\"2m\"", "m is ambiguous: write M for millions"),
        ("0", "must be a whole number ≥ 1"),
        ("2e16", "is out of range"),
    ] {
        let out = trials(value).failure(2);
        assert!(out.stderr.contains(says) && out.stderr.contains("model.toml:3:10"), "{value}: {}", out.stderr);
        let model = format!("[model]\nname = \"t\"\ntrials = {value}\n\n[vars]\nx = \"2K to 3K\"\n");
        Costsim::new().model(&model).args(&["check", "model.toml"]).run().failure(2);
    }
}

#[test]
fn the_output_files_extension_chooses_the_format_and_a_contradiction_is_refused() {
    let dir = Costsim::new();
    let model = rented();
    let run = |args: &[&str]| Costsim::run_in(&dir, &[&["run", model.as_str(), "--trials", "5k", "-q"], args].concat());
    run(&["-o", "out.json"]).success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("out.json")).unwrap()).unwrap();
    assert_eq!(json["trials"], 5000);
    run(&["-o", "out.csv"]).success();
    assert!(std::fs::read_to_string(dir.path("out.csv")).unwrap().starts_with("output,mean,"));
    run(&["-o", "out.md"]).success();
    assert!(std::fs::read_to_string(dir.path("out.md")).unwrap().starts_with("## 256 rented H100s"));
    run(&["-o", "out.txt", "--format", "table"]).success();
    for (args, says) in [
        (&["-o", "x.json", "--format", "csv"][..], "`-o x.json` names the json format but --format is csv"),
        (&["-o", "x.html"][..], "`costsim report` writes HTML"),
    ] {
        let out = run(args).failure(2);
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert!(!dir.path(args[1]).exists());
    }
    Costsim::run_in(&dir, &["report", &model, "--trials", "2k", "-q", "-o", "r.md"]).success();
    assert!(std::fs::read_to_string(dir.path("r.md")).unwrap().starts_with("# "));
    assert!(dir.path("r-total-histogram.svg").exists());
    // A shard's state is JSON whatever the extension says; samples go by theirs.
    Costsim::run_in(&dir, &["run", &model, "--trials", "10k", "--shard", "0/2", "-o", "p.json"]).success();
    assert!(std::fs::read_to_string(dir.path("p.json")).unwrap().contains("costsim partial state"));
    let out = Costsim::run_in(&dir, &["samples", &model, "--trials", "10", "-o", "s.json"]).failure(2);
    assert!(out.stderr.contains("its formats are csv, parquet"), "{}", out.stderr);
}

#[test]
fn the_plus_minus_is_labelled_the_runs_error_and_near_zero_is_in_the_outputs_units() {
    let model = model_with(
        "saving = { value = \"normal(0.2M, 5M)\", unit = \"USD\" }\ncost = { value = \"10M to 20M\", unit = \"USD\" }\ntail = { value = \"1M to 100M\", unit = \"USD\" }\n",
    );
    let out = Costsim::new().model(&model).args(&["run", "model.toml", "--trials", "100k"]).run().success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    let header = lines.iter().find(|l| l.starts_with("output")).unwrap();
    assert!(header.contains("mean ± MC error") && header.contains("p95 ± MC error"), "{header}");
    let row = |name: &str| *lines.iter().find(|l| l.starts_with(name)).unwrap();
    // saving takes both signs: its ± is in dollars (5M/√100k × 1.96 ≈ $31k); cost's (and
    // a heavy-tailed cost's, whose sd exceeds its mean) is relative.
    let saving = row("saving ");
    let half = saving.split_whitespace().nth(2).unwrap();
    assert!(half.starts_with("±$") && half.ends_with('k'), "{saving}");
    let k: f64 = half.trim_start_matches("±$").trim_end_matches('k').parse().unwrap();
    // 1.96 × 5M / √100k = $30.99k; the sample sd's relative error is 1/√(2n) = 0.22%
    // (±$0.07k), and the figure is shown to 3 digits.
    assert!((k - 30.99).abs() < 0.35, "{saving}");
    for name in ["cost ", "tail "] {
        assert!(row(name).split_whitespace().nth(2).unwrap().ends_with('%'), "{}", row(name));
    }
}

#[test]
fn compare_takes_var_hides_what_no_scenario_changes_and_keeps_the_interval_in_markdown() {
    let dir = Costsim::new();
    let model = cloud();
    let compare =
        |args: &[&str]| Costsim::run_in(&dir, &[&["compare", model.as_str(), "--trials", "10k", "-q"], args].concat());
    let all = compare(&[]).success().stdout;
    assert!(!all.contains("$0 – $0"), "{all}");
    assert!(all.contains("the same as base in every trial of every scenario (5): cloud_cost[2026], onprem_cost[2027], onprem_cost[2028], onprem_cost[2029], onprem_cost[2030]"), "{all}");
    assert!(all.contains("  the same as base in every trial: cheap_servers\n"), "{all}");
    let some = compare(&["--var", "saving_npv", "--var", "cloud_cost[2027]"]).success().stdout;
    let headings: Vec<&str> = some.lines().filter(|l| !l.starts_with(' ') && !l.is_empty()).skip(2).collect();
    assert_eq!(headings, ["saving_npv", "cloud_cost[2027]"]);
    // The Δ of a var asked for alone is the Δ it has among all the outputs.
    let row = |text: &str, heading: &str| {
        let at = text.find(&format!("\n{heading}\n")).unwrap();
        text[at..].lines().find(|l| l.trim_start().starts_with("steep_decline")).unwrap().to_string()
    };
    assert_eq!(row(&all, "saving_npv"), row(&some, "saving_npv"));
    let err = compare(&["--var", "cloud_cost[2037]"]).failure(2);
    assert!(err.stderr.contains("2037"), "{}", err.stderr);
    let markdown = compare(&["--format", "markdown", "--var", "saving_npv"]).success().stdout;
    assert!(markdown.contains("| Δ mean | Δ 90% interval | P(> base) |"), "{markdown}");
    // Sharded with --var, merged: the bytes of one machine.
    for k in 0..2 {
        compare(&["--var", "saving_npv", "--shard", &format!("{k}/2"), "-o", &format!("c{k}.json")]).success();
    }
    let merged = Costsim::run_in(&dir, &["merge", "c0.json", "c1.json", "--format", "json"]).success().stdout;
    assert_eq!(merged, compare(&["--var", "saving_npv", "--format", "json"]).success().stdout);
    // The report's scenario tables give Δ vs base and P(> base) too.
    Costsim::run_in(&dir, &["report", &model, "--trials", "5k", "-q", "-o", "r.html"]).success();
    let html = std::fs::read_to_string(dir.path("r.html")).unwrap();
    let scenarios = &html[html.find("id=\"scenarios\"").unwrap()..];
    assert!(scenarios.contains(">Δ mean</th>") && scenarios.contains(">P(&gt; base)</th>"), "{scenarios:.2000}");
    assert!(scenarios.contains(">Δ probability</th>"));
    // cheap_servers leaves cloud_npv as it is: said, not a row of zeros.
    let cloud_npv = &scenarios[..scenarios.find("cloud_npv: scenarios").unwrap()];
    let cheap = &cloud_npv[cloud_npv.find("<td>cheap_servers</td>").unwrap()..];
    assert!(cheap[..cheap.find("</tr>").unwrap()].contains("<td>same as base</td>"), "{cheap:.800}");
    // Its inputs table says a per-period input varies by period, not blank cells.
    let inputs = &html[html.find("id=\"inputs\"").unwrap()..];
    let usage = &inputs[inputs.find("<td>usage</td>").unwrap()..];
    assert!(usage[..usage.find("</tr>").unwrap()].contains("per period"), "{usage:.500}");
}

#[test]
fn help_names_the_command_that_takes_an_option_and_the_man_page_has_everything() {
    let dir = Costsim::new();
    let out = Costsim::run_in(&dir, &["run", "m.toml", "--method", "sobol"]).failure(2);
    assert_eq!(
        out.stderr.trim(),
        "error: `costsim run` takes no --method: `costsim sensitivity` takes it; see `costsim sensitivity --help`"
    );
    let out = Costsim::run_in(&dir, &["report", "m.toml", "--shard", "0/2"]).failure(2);
    assert!(out.stderr.contains("a report runs on one machine"), "{}", out.stderr);
    assert!(!out.stderr.contains("--threads"), "no misleading usage line: {}", out.stderr);
    let help = Costsim::run_in(&dir, &["samples", "--help"]).success().stdout;
    assert!(help.contains("CSV or Parquet"), "{help}");
    let man = Costsim::run_in(&dir, &["man"]).success().stdout;
    assert!(!man.contains("costsim-run(1)"), "no page that does not exist");
    for command in ["run", "check", "sensitivity", "compare", "samples", "report", "merge", "completions", "man"] {
        assert!(man.contains(&format!(".SS \"costsim {command}\"")), "{command}");
    }
    for section in [
        ".SH \"MODEL FILES\"",
        ".SS \"Distributions\"",
        ".SS \"Functions\"",
        ".SS \"Periods\"",
        ".SS \"Units\"",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(man.contains(section), "{section}");
    }
    // Every name the compiler knows is in it (the tables are costsim's own).
    let names = [
        "min",
        "max",
        "abs",
        "sqrt",
        "exp",
        "ln",
        "log10",
        "floor",
        "ceil",
        "round",
        "clamp",
        "sin",
        "cos",
        "tan",
        "if",
        "truncate",
        "choice",
        "sum",
        "mean",
        "cumsum",
        "npv",
        "at",
        "normal",
        "lognormal",
        "uniform",
        "triangular",
        "pert",
        "beta",
        "gamma",
        "exponential",
        "poisson",
        "bernoulli",
        "binomial",
        "metalog",
        "empirical",
    ];
    for name in names {
        assert!(man.contains(&format!("\\fB{name}(")), "{name}");
    }
    let terms: Vec<&str> =
        man.lines().filter_map(|l| l.strip_prefix("\\fB")?.strip_suffix("\\fR")).flat_map(|t| t.split(", ")).collect();
    for unit in ["hour", "month", "Wh", "W", "USD", "EUR", "bit", "B", "%"] {
        assert!(terms.contains(&unit), "{unit}: {terms:?}");
    }
}

#[test]
fn a_parse_error_says_what_was_probably_meant() {
    for (expression, says) in [
        ("2 ** 3", "write `2 ^ 3`"),
        ("60 %", "write `60%` without a space"),
        ("18 months", "a unit goes in the var's `unit`"),
        ("between 2 and 3", "write a range as `low to high`"),
        ("2..3", "write a range as `low to high`"),
        ("[2, 3]", "for a range write `2 to 3`"),
        ("mean(y)", "the mean of `x` over the trials is what `run` reports"),
    ] {
        let model = model_with(&format!("y = \"1 to 2\"\nx = \"{expression}\"\n"));
        let out = Costsim::new().model(&model).args(&["check", "model.toml"]).run().failure(2);
        assert!(out.stderr.contains(says), "{expression}: {}", out.stderr);
        assert!(out.stderr.contains("model.toml:6:"), "{expression}: {}", out.stderr);
    }
}
