//! Inputs fitted to data: a column of a CSV file beside the model, fitted by maximum
//! likelihood (or least squares for a metalog) or resampled; its parameters refit the
//! distribution that made the data, `check` shows the fit and its goodness, the file's
//! SHA-256 is in every report and a changed file is refused by `merge`; bad data is an
//! error with its line and exit status 2.

use crate::util::Costsim;

/// A temp dir holding `draws.csv`: 10,000 draws of `dist` made by costsim itself
/// (`samples`, column `x`), and `model.toml` fitting `fit` to them.
fn fitted_to(dist: &str, fit: &str) -> Costsim {
    let maker = Costsim::new().model(&format!("[model]\nname = \"maker\"\n[vars]\nx = \"{dist}\"\n"));
    let csv = Costsim::run_in(&maker, &["samples", "model.toml", "--trials", "10000", "--seed", "4"]).success().stdout;
    let model = format!(
        "[model]\nname = \"fitted\"\n[vars]\nprice = {{ data = \"draws.csv\", column = \"x\", fit = \"{fit}\", unit = \"USD\" }}\n"
    );
    let dir = Costsim::new().model(&model);
    std::fs::write(dir.path("draws.csv"), csv).unwrap();
    dir
}

/// The fit's parameters as `check --format json` gives them: `name = value` pairs.
fn parameters(dir: &Costsim) -> (serde_json::Value, Vec<(String, f64)>) {
    let json = Costsim::run_in(dir, &["check", "model.toml", "--format", "json"]).success().json();
    let data = json["vars"][0]["data"].clone();
    let pairs = data["parameters"]
        .as_str()
        .unwrap()
        .split(", ")
        .map(|p| {
            let (name, value) = p.split_once(" = ").unwrap();
            (name.to_string(), value.parse().unwrap())
        })
        .collect();
    (data, pairs)
}

#[test]
fn a_lognormal_sample_refits_its_parameters_within_their_standard_errors() {
    // MLE of a lognormal: se(mu) = sigma/√n, se(sigma) = sigma/√(2n).
    let dir = fitted_to("lognormal(mu = 10, sigma = 0.3)", "lognormal");
    let (data, p) = parameters(&dir);
    let n = 10_000f64;
    assert_eq!(data["n"], 10_000);
    assert_eq!((p[0].0.as_str(), p[1].0.as_str()), ("mu", "sigma"));
    // The parameters are shown to 4 significant digits (steps of 0.001 and 0.0001 here):
    // allow half a step of rounding too.
    assert!((p[0].1 - 10.0).abs() < 5.0 * 0.3 / n.sqrt() + 5e-4, "mu {}", p[0].1);
    assert!((p[1].1 - 0.3).abs() < 5.0 * 0.3 / (2.0 * n).sqrt() + 5e-5, "sigma {}", p[1].1);
    assert!(data["ks_p_value"].as_f64().unwrap() > 0.01, "{data}");
    // The same data read as a normal are far from one: a warning says so.
    let wrong = fitted_to("lognormal(mu = 0, sigma = 1)", "normal");
    let stderr = Costsim::run_in(&wrong, &["check", "model.toml"]).success().stderr;
    assert!(
        stderr.contains("warning: the normal fitted to `draws.csv` for var `price` is far from the data"),
        "{stderr}"
    );
}

#[test]
fn a_gamma_sample_refits_its_shape_within_its_standard_error() {
    // var(k̂) = k / (n (k ψ′(k) − 1)); ψ′(3) = π²/6 − 1 − 1/4.
    let dir = fitted_to("gamma(3, 2)", "gamma");
    let (_, p) = parameters(&dir);
    let trigamma = std::f64::consts::PI.powi(2) / 6.0 - 1.25;
    let se = (3.0 / (10_000.0 * (3.0 * trigamma - 1.0))).sqrt();
    assert!((p[0].1 - 3.0).abs() < 5.0 * se, "shape {} (se {se})", p[0].1);
    assert!((p[0].1 * p[1].1 - 6.0).abs() < 5.0 * 6.0 * (1.0 / (3.0 * 10_000f64)).sqrt(), "mean {}", p[0].1 * p[1].1);
}

#[test]
fn resampled_data_reproduce_the_datas_percentiles() {
    let dir = fitted_to("1B + 50M * exponential(1)", "empirical");
    let csv = std::fs::read_to_string(dir.path("draws.csv")).unwrap();
    let mut data: Vec<f64> = csv.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
    data.sort_by(f64::total_cmp);
    let json = Costsim::run_in(&dir, &["run", "model.toml", "--format", "json"]).success().json();
    let out = &json["outputs"]["price"];
    for name in ["p5", "p50", "p95"] {
        let q: f64 = name[1..].parse::<f64>().unwrap() / 100.0;
        let truth = data[(q * data.len() as f64).ceil() as usize - 1];
        let [lo, hi] = [0, 1].map(|i| out["percentile_ci95"][name][i].as_f64().unwrap());
        assert!(lo <= truth && truth <= hi, "{name}: the data's {truth} outside [{lo}, {hi}]");
    }
    // Every value drawn is one of the data.
    assert!(data.binary_search_by(|x| x.total_cmp(&out["percentiles"]["p50"].as_f64().unwrap())).is_ok());
}

#[test]
fn the_data_files_checksum_is_in_every_report_and_merge_refuses_a_changed_file() {
    let dir = fitted_to("lognormal(mu = 10, sigma = 0.3)", "lognormal");
    let bytes = std::fs::read(dir.path("draws.csv")).unwrap();
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
    };
    let json = Costsim::run_in(&dir, &["run", "model.toml", "--trials", "20000", "--format", "json"]).success().json();
    assert_eq!(json["model"]["data"][0]["file"], "draws.csv");
    assert_eq!(json["model"]["data"][0]["sha256"], sha.as_str());
    for k in 0..2 {
        let shard = format!("{k}/2");
        let out = format!("part-{k}.json");
        Costsim::run_in(&dir, &["run", "model.toml", "--trials", "20000", "--shard", &shard, "-o", &out]).success();
    }
    Costsim::run_in(&dir, &["merge", "part-0.json", "part-1.json"]).success();
    let mut changed = bytes.clone();
    changed.extend_from_slice(b"99,12345\n");
    std::fs::write(dir.path("draws.csv"), changed).unwrap();
    let stderr = Costsim::run_in(&dir, &["merge", "part-0.json", "part-1.json", "-o", "out.txt"]).failure(2).stderr;
    assert!(stderr.contains("`draws.csv` is not the data file the shards ran") && stderr.contains(&sha), "{stderr}");
    assert!(!dir.path("out.txt").exists());
}

#[test]
fn bad_data_is_an_error_at_the_var_with_the_line_and_a_fix() {
    let csv = "vendor,usd\nacme,100\nbeta,120\ngamma,-5\ndelta,abc\n";
    let cases: [(&str, &str, &[&str]); 11] = [
        // A header with a terminal escape sequence is shown escaped, never as it is.
        ("data = \"q.csv\", column = \"usd\", fit = \"normal\"", "\u{1b}[31mred\n1\n", &["`\\u{1b}[31mred`"]),
        (
            "data = \"q.csv\", column = \"usd\", fit = \"normal\"",
            "usd\n1\n2,3\n",
            &["line 3: not a CSV record (it has 2 fields, the header has 1)"],
        ),
        ("data = \"nope.csv\", column = \"usd\", fit = \"normal\"", "", &["data `nope.csv`", "cannot read"]),
        ("data = \"q.csv\", column = \"USD\", fit = \"normal\"", csv, &["no column `USD`", "did you mean `usd`?"]),
        (
            "data = \"q.csv\", column = \"usd\", fit = \"normal\"",
            csv,
            &["line 5: `abc` in column `usd` is not a finite number"],
        ),
        ("data = \"q.csv\", column = \"usd\", fit = \"normal\"", "vendor,usd\n", &["column `usd` has no values"]),
        ("data = \"q.csv\", column = \"usd\", fit = \"lognormal\"", "usd\n100\n-5\n", &["above 0 (got -5)"]),
        ("data = \"q.csv\", column = \"usd\", fit = \"metalog\"", "usd\n1\n2\n3\n", &["at least 6 values (got 3)"]),
        (
            "data = \"q.csv\", column = \"usd\", fit = \"normal\"",
            "usd,n\n1,1\n ,2\n2,3\n",
            &["line 3: the `usd` cell is empty"],
        ),
        ("data = \"q.csv\", column = \"usd\", fit = \"weibull\"", csv, &["unknown fit `weibull`", "lognormal"]),
        (
            "value = \"1 to 2\", data = \"q.csv\", column = \"usd\", fit = \"normal\"",
            csv,
            &["`value` or `data`, not both"],
        ),
    ];
    for (keys, file, wanted) in cases {
        let dir = Costsim::new().model(&format!("[model]\nname = \"bad\"\n[vars]\nprice = {{ {keys} }}\n"));
        if !file.is_empty() {
            std::fs::write(dir.path("q.csv"), file).unwrap();
        }
        let stderr = Costsim::run_in(&dir, &["run", "model.toml", "-o", "out.json"]).failure(2).stderr;
        assert!(stderr.contains("model.toml:4:"), "{keys}: {stderr}");
        for w in wanted {
            assert!(stderr.contains(w), "{keys}: wanted {w:?} in {stderr}");
        }
        assert!(!dir.path("out.json").exists(), "{keys}: no output file");
        assert!(!stderr.contains('\u{1b}'), "{keys}: a raw escape reached the terminal");
    }
}
