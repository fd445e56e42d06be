//! Sharded runs: `--shard K/M` on run, compare, samples and sensitivity, and `costsim merge`, which
//! must print the bytes of a single-machine run in any format, merge partial merges to
//! the same bytes, and refuse every fault (missing, duplicate or foreign shards,
//! truncated or altered files, another version) with exit status 2 and no output file.

use crate::util::{Costsim, models_dir};

const TRIALS: &str = "150001";

/// A temp dir holding the fleet model as `model.toml`.
fn fleet() -> Costsim {
    Costsim::new().model(&std::fs::read_to_string(models_dir().join("deepseek_fleet_tco.toml")).unwrap())
}

/// Writes shard k of m of `command` (with `extra` arguments) to `name-k.json`.
fn shards(dir: &Costsim, command: &str, m: u64, name: &str, extra: &[&str]) -> Vec<String> {
    (0..m)
        .map(|k| {
            let (shard, file) = (format!("{k}/{m}"), format!("{name}-{k}.json"));
            let mut args = vec![command, "model.toml", "--trials", TRIALS, "--shard", &shard, "-o", &file];
            args.extend_from_slice(extra);
            Costsim::run_in(dir, &args).success();
            file
        })
        .collect()
}

fn merge(dir: &Costsim, files: &[&str], extra: &[&str]) -> crate::util::Outcome {
    let mut args = vec!["merge"];
    args.extend_from_slice(extra);
    args.extend_from_slice(files);
    Costsim::run_in(dir, &args)
}

#[test]
fn merged_shards_print_the_bytes_of_one_run_in_every_format() {
    let dir = fleet();
    let files = shards(&dir, "run", 5, "part", &["--threads", "1"]);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    for format in ["table", "json", "csv", "markdown"] {
        let single = Costsim::run_in(&dir, &["run", "model.toml", "--trials", TRIALS, "--format", format]).success();
        // Shards in any order.
        let reversed: Vec<&str> = files.iter().rev().copied().collect();
        let merged = merge(&dir, &reversed, &["--format", format]).success();
        assert_eq!(merged.stdout, single.stdout, "format {format}");
    }
}

#[test]
fn partial_merges_merge_to_the_same_bytes() {
    let dir = fleet();
    let files = shards(&dir, "run", 4, "part", &[]);
    merge(&dir, &[&files[3], &files[0]], &["--partial", "-o", "a.json"]).success();
    merge(&dir, &[&files[2], &files[1]], &["--partial", "-o", "b.json"]).success();
    let tree = merge(&dir, &["b.json", "a.json"], &["--format", "json"]).success().stdout;
    let flat = merge(&dir, &[&files[0], &files[1], &files[2], &files[3]], &["--format", "json"]).success().stdout;
    assert_eq!(tree, flat);
    // Even the merged partial states are the same bytes, however they were grouped.
    merge(&dir, &["a.json", "b.json"], &["--partial", "-o", "ab.json"]).success();
    merge(&dir, &[&files[0], &files[1], &files[2], &files[3]], &["--partial", "-o", "all.json"]).success();
    assert_eq!(std::fs::read(dir.path("ab.json")).unwrap(), std::fs::read(dir.path("all.json")).unwrap());
}

#[test]
fn many_shards_merged_as_they_are_read_give_the_same_bytes() {
    // 37 one-chunk shards: merge joins them in groups of 16 and then two merged states at
    // a time, in the order given; any order and any grouping gives the same bytes.
    let dir = fleet();
    let files = shards(&dir, "run", 37, "part", &["--threads", "1"]);
    let single = Costsim::run_in(&dir, &["run", "model.toml", "--trials", TRIALS, "--format", "json"]).success();
    let mut order: Vec<&str> = files.iter().map(String::as_str).collect();
    order.rotate_left(11);
    order.swap(0, 30);
    assert_eq!(merge(&dir, &order, &["--format", "json"]).success().stdout, single.stdout);
    merge(&dir, &order, &["--partial", "-o", "rotated.json"]).success();
    let in_order: Vec<&str> = files.iter().map(String::as_str).collect();
    merge(&dir, &in_order, &["--partial", "-o", "in-order.json"]).success();
    assert_eq!(std::fs::read(dir.path("rotated.json")).unwrap(), std::fs::read(dir.path("in-order.json")).unwrap());
}

#[test]
fn compare_and_samples_shard_too() {
    let dir = fleet();
    let files = shards(&dir, "compare", 3, "cmp", &["--scenarios", "hoppers_only,semianalysis_style"]);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let single = Costsim::run_in(
        &dir,
        &[
            "compare",
            "model.toml",
            "--trials",
            TRIALS,
            "--scenarios",
            "hoppers_only,semianalysis_style",
            "--format",
            "json",
        ],
    )
    .success();
    assert_eq!(merge(&dir, &files, &["--format", "json"]).success().stdout, single.stdout);
    // samples: each shard writes its block of rows (the header in shard 0 only).
    let blocks: String = (0..3)
        .map(|k| {
            let shard = format!("{k}/3");
            Costsim::run_in(&dir, &["samples", "model.toml", "--trials", "10000", "--shard", &shard]).success().stdout
        })
        .collect();
    let whole = Costsim::run_in(&dir, &["samples", "model.toml", "--trials", "10000"]).success().stdout;
    assert_eq!(blocks, whole);
}

/// Runs a merge that must fail; asserts exit 2, the message, and that `-o` wrote nothing.
#[track_caller]
fn refused(dir: &Costsim, files: &[&str], message: &str) {
    let out = merge(dir, files, &["-o", "merged.txt"]).failure(2);
    assert!(out.stderr.contains(message), "{message} in:\n{}", out.stderr);
    assert!(!dir.path("merged.txt").exists(), "a failed merge wrote its output");
}

#[test]
fn faults_are_errors_that_name_the_shard_or_the_field() {
    let dir = fleet();
    let files = shards(&dir, "run", 3, "part", &[]);
    let [a, b, c] = [files[0].as_str(), files[1].as_str(), files[2].as_str()];
    refused(&dir, &[a, c], "shard 1 of 3 is missing");
    refused(&dir, &[a, b, b, c], "shard 1 of 3 is given twice");
    // Shards of another run: the field that differs, and both values.
    for (extra, field) in [
        (vec!["--seed", "9"], "`seed` is 20250603 in one and 9 in the other"),
        (vec!["--sampling", "lhs"], "`sampling` is \"mc\" in one and \"lhs\" in the other"),
        (vec!["--set", "years=5"], "`overrides`"),
        (vec!["--scenario", "hoppers_only"], "`scenario`"),
    ] {
        let mut args = vec!["run", "model.toml", "--trials", TRIALS, "--shard", "1/3", "-o", "other.json"];
        args.extend(extra);
        Costsim::run_in(&dir, &args).success();
        refused(&dir, &[a, "other.json", c], field);
    }
    Costsim::run_in(&dir, &["run", "model.toml", "--trials", "150000", "--shard", "1/3", "-o", "other.json"]).success();
    refused(&dir, &[a, "other.json", c], "`trials` is 150001 in one and 150000 in the other");
    // A truncated file, an altered one, another version's, something else entirely.
    let text = std::fs::read_to_string(dir.path(b)).unwrap();
    std::fs::write(dir.path("cut.json"), &text[..text.len() / 2]).unwrap();
    refused(&dir, &[a, "cut.json", c], "cut.json: not a costsim partial state: the file is truncated");
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["state"]["columns"][0]["positive"] = serde_json::json!(1);
    std::fs::write(dir.path("altered.json"), value.to_string()).unwrap();
    refused(&dir, &[a, "altered.json", c], "altered.json: corrupt partial state: its checksum does not match");
    value["key"]["costsim_version"] = serde_json::json!("0.0.1");
    std::fs::write(dir.path("old.json"), value.to_string()).unwrap();
    refused(&dir, &[a, "old.json", c], "written by costsim 0.0.1");
    refused(&dir, &[a, "model.toml"], "model.toml: not a costsim partial state");
    // The model changed after the shards ran.
    let changed = std::fs::read_to_string(models_dir().join("deepseek_fleet_tco.toml")).unwrap() + "\n# edited\n";
    std::fs::write(dir.path("model.toml"), changed).unwrap();
    refused(&dir, &[a, b, c], "is not the model file the shards ran");
}

#[test]
fn shard_options_that_cannot_be_honoured_are_refused() {
    let dir = fleet();
    for (args, message) in [
        (vec!["run", "model.toml", "--shard", "3/3"], "must be K/M with 0 ≤ K < M"),
        (vec!["run", "model.toml", "--shard", "1/3", "--precision", "1%"], "--precision decides the trial count"),
        (vec!["run", "model.toml", "--shard", "1/3", "--format", "json"], "choose the format when merging"),
        (vec!["run", "model.toml", "--shard", "auto"], "`--shard auto` reads SLURM_ARRAY_TASK_ID"),
    ] {
        let out = Costsim::run_in(&dir, &args).failure(2);
        assert!(out.stderr.contains(message), "{message} in:\n{}", out.stderr);
    }
}

#[test]
fn sensitivity_shards_merge_to_the_bytes_of_one_analysis() {
    // Every output of the fleet model (Shapley effects with random orders, conditional
    // tornadoes, rank correlations), in 3 shards given in reverse order.
    let dir = fleet();
    let files = shards(&dir, "sensitivity", 3, "part", &["--threads", "1"]);
    let reversed: Vec<&str> = files.iter().rev().map(String::as_str).collect();
    for format in ["table", "json", "markdown"] {
        let single = Costsim::run_in(&dir, &["sensitivity", "model.toml", "--trials", TRIALS, "--format", format]);
        assert_eq!(merge(&dir, &reversed, &["--format", format]).success().stdout, single.success().stdout, "{format}");
    }
    refused(&dir, &[&files[0], &files[2]], "shard 1 of 3 is missing");
    refused(&dir, &[&files[0], &files[1], &files[2], &files[1]], "shard 1 of 3 is given twice");
    Costsim::run_in(&dir, &["run", "model.toml", "--trials", TRIALS, "--shard", "1/3", "-o", "run.json"]).success();
    refused(&dir, &[&files[0], "run.json", &files[2]], "`command` is \"sensitivity\" in one and \"run\" in the other");
    let csv = merge(&dir, &reversed, &["--format", "csv"]).failure(2).stderr;
    assert!(csv.contains("`sensitivity` has no CSV format: use table, json or markdown"), "{csv}");
    // Known from the first state, before the others are read: not "shard 1 is missing".
    let early = merge(&dir, &[&files[0]], &["--format", "csv"]).failure(2).stderr;
    assert!(early.contains("`sensitivity` has no CSV format") && !early.contains("missing"), "{early}");
}

#[test]
fn sensitivity_shards_split_exact_permutation_rounds_and_sobol_batches() {
    // Three inputs: Shapley goes through all 3! orders in rounds of 6 chunks, which are
    // the batches a shard boundary must not cut; 10 rounds in 12 shards leave some empty.
    // Sobol's batches are 256 trials. Options travel in the key: --var, --method.
    let dir = Costsim::new().model(
        "[model]\nname = \"three\"\n[vars]\na = \"normal(0, 1)\"\nb = \"lognormal(0, 0.5)\"\nc = \"uniform(1, 3)\"\n\
         y = \"1e9 + a * b + c\"\nz = \"a + c\"\n[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.5\n",
    );
    for method in ["shapley", "sobol"] {
        let extra = ["--var", "y", "--var", "z", "--method", method];
        let files = shards(&dir, "sensitivity", 12, method, &extra);
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        merge(&dir, &files[..3], &["--partial", "-o", "a.json"]).success();
        merge(&dir, &files[3..], &["--partial", "-o", "b.json"]).success();
        let merged = merge(&dir, &["b.json", "a.json"], &["--format", "json"]).success().stdout;
        let mut args = vec!["sensitivity", "model.toml", "--trials", TRIALS, "--format", "json"];
        args.extend_from_slice(&extra);
        assert_eq!(merged, Costsim::run_in(&dir, &args).success().stdout, "{method}");
        let json: serde_json::Value = serde_json::from_str(&merged).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 2, "y and z");
        assert_eq!(json[0]["method"], method);
    }
}

#[test]
fn queries_travel_with_the_shards() {
    let dir = fleet();
    let files = shards(&dir, "run", 2, "q", &["--query", "opex > 944M"]);
    let merged = merge(&dir, &[&files[1], &files[0]], &["--format", "json"]).success().stdout;
    let single =
        Costsim::run_in(&dir, &["run", "model.toml", "--trials", TRIALS, "--query", "opex > 944M", "--format", "json"]);
    assert_eq!(merged, single.success().stdout);
    let plain = shards(&dir, "run", 2, "plain", &[]);
    refused(&dir, &[&files[0], &plain[1]], "`queries`");
}

#[test]
fn values_of_any_magnitude_chart_shard_and_merge() {
    // Down to subnormals: the chart sketch's scale once overflowed below about 1e-297, so
    // shards could not merge, the sparkline was blank and the histogram had one bin.
    let dir = Costsim::new().model(
        "[model]\nname = \"tiny\"\noutputs = [\"x\", \"c\", \"s\", \"big\"]\n[vars]\n\
         x = \"uniform(1e-300, 2e-300)\"\nc = \"1e-300\"\ns = \"uniform(1e-320, 2e-320)\"\nbig = \"uniform(1e307, 1.7e308)\"\n",
    );
    let files: Vec<String> = (0..3)
        .map(|k| {
            let (shard, file) = (format!("{k}/3"), format!("t-{k}.json"));
            Costsim::run_in(&dir, &["run", "model.toml", "--trials", "20000", "--shard", &shard, "-o", &file])
                .success();
            file
        })
        .collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    for format in ["json", "table"] {
        let single = Costsim::run_in(&dir, &["run", "model.toml", "--trials", "20000", "--format", format]).success();
        assert_eq!(merge(&dir, &files, &["--format", format]).success().stdout, single.stdout, "{format}");
    }
    let table = Costsim::run_in(&dir, &["run", "model.toml", "--trials", "20000"]).success().stdout;
    for name in ["x ", "s ", "big "] {
        let line = table.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {table}"));
        assert!(line.chars().filter(|c| ('▁'..='█').contains(c)).count() >= 20, "a sparkline: {line}");
    }
    Costsim::run_in(&dir, &["report", "model.toml", "--trials", "20000", "-o", "r.html"]).success();
    let html = std::fs::read_to_string(dir.path("r.html")).unwrap();
    // Each uniform's histogram has trials in every bin, none with more than twice its share.
    let histograms: Vec<Vec<u64>> = html
        .split("data-counts=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().split(' ').map(|n| n.parse().unwrap()).collect())
        .collect();
    assert_eq!(histograms.len(), 3, "x, s and big have histograms (c is constant)");
    for counts in histograms {
        let mean = counts.iter().sum::<u64>() as f64 / counts.len() as f64;
        assert!(counts.iter().all(|&c| c as f64 > 0.5 * mean && (c as f64) < 2.0 * mean), "{counts:?}");
    }
}

#[test]
fn requested_percentiles_are_the_exact_order_statistics_of_the_samples_shards_merged_included() {
    // P80 and P97.5 of a fixed cost plus a heavy-tailed part, from `--percentiles` and
    // from the model's `percentiles`, equal the nearest-rank order statistics of the
    // trials `samples` writes; the merged shards print the same bytes as one run.
    let model = "[model]\nname = \"p80\"\npercentiles = [80, 97.5]\noutputs = [\"cost\"]\n[vars]\n\
                 base = \"1.9B\"\nextra = \"metalog([0.1, 0.5, 0.9], [3M, 6M, 15M], 0)\"\ncost = \"base + extra\"\n";
    let dir = Costsim::new().model(model);
    let json = Costsim::run_in(&dir, &["run", "model.toml", "--trials", TRIALS, "--format", "json"]).success().json();
    let csv = Costsim::run_in(&dir, &["samples", "model.toml", "--trials", TRIALS]).success().stdout;
    let mut values: Vec<f64> =
        csv.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect::<Vec<f64>>();
    values.sort_by(f64::total_cmp);
    let n = values.len() as f64;
    let percentiles = &json["outputs"]["cost"]["percentiles"];
    assert_eq!(percentiles.as_object().unwrap().keys().collect::<Vec<_>>(), ["p80", "p97.5"]);
    for (name, q) in [("p80", 0.8), ("p97.5", 0.975)] {
        let exact = values[(q * n).ceil() as usize - 1];
        assert_eq!(percentiles[name].as_f64().unwrap(), exact, "{name}");
    }
    // The same from the command line, over the model's list; then sharded and merged.
    let asked = ["--percentiles", "50,97.5", "--format", "json"];
    let mut single = vec!["run", "model.toml", "--trials", TRIALS];
    single.extend_from_slice(&asked);
    let single = Costsim::run_in(&dir, &single).success();
    let p975 = &single.json()["outputs"]["cost"]["percentiles"]["p97.5"];
    assert_eq!(p975.as_f64().unwrap(), values[(0.975 * n).ceil() as usize - 1]);
    let files = shards(&dir, "run", 3, "part", &["--percentiles", "50,97.5"]);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    assert_eq!(merge(&dir, &files, &["--format", "json"]).success().stdout, single.stdout);
    // A shard with other percentiles is of another run.
    Costsim::run_in(&dir, &["run", "model.toml", "--trials", TRIALS, "--shard", "2/3", "-o", "other.json"]).success();
    let stderr = merge(&dir, &[files[0], files[1], "other.json"], &[]).failure(2).stderr;
    assert!(stderr.contains("`percentiles`"), "{stderr}");
}

#[test]
fn bad_percentiles_are_refused_before_any_trial() {
    let dir = Costsim::new().model("[model]\nname = \"p\"\npercentiles = [80, 100]\n[vars]\nx = \"1 to 2\"\n");
    let stderr = Costsim::run_in(&dir, &["run", "model.toml"]).failure(2).stderr;
    assert!(stderr.contains("model.toml:3:15") && stderr.contains("between 0 and 100"), "{stderr}");
    let dir = Costsim::new().model("[model]\nname = \"p\"\n[vars]\nx = \"1 to 2\"\n");
    let stderr = Costsim::run_in(&dir, &["run", "model.toml", "--percentiles", "50,eighty"]).failure(2).stderr;
    assert!(stderr.contains("`eighty` is not a number"), "{stderr}");
    let stderr = Costsim::run_in(&dir, &["run", "model.toml", "--percentiles", "80,80"]).failure(2).stderr;
    assert!(stderr.contains("`80` is named twice"), "{stderr}");
}
