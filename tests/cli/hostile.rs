//! Huge, deep or hostile model files and extreme numbers: a clear error or a correct
//! answer, never a panic, a hang, a 300-digit number or an escape sequence on the screen.

use crate::util::{Costsim, model_with};

#[test]
fn a_model_file_over_16_mb_is_refused_without_reading_it_all() {
    let dir = Costsim::new();
    let file = std::fs::File::create(dir.path("huge.toml")).unwrap();
    file.set_len(17 << 20).unwrap();
    let stderr = Costsim::run_in(&dir, &["check", "huge.toml"]).failure(2).stderr;
    assert!(stderr.contains("larger than 16 MB"), "{stderr}");
}

#[test]
fn a_var_name_of_70000_characters_is_printed_not_a_panic() {
    let name = "v".repeat(70_000);
    let dir = Costsim::new().model(&model_with(&format!("{name} = \"normal(0, 1)\"\n")));
    let out = Costsim::run_in(&dir, &["check", "model.toml"]).success().stdout;
    assert!(out.contains(&name));
    Costsim::run_in(&dir, &["run", "model.toml", "--trials", "100"]).success();
}

#[test]
fn a_long_line_is_shown_cut_around_the_problem() {
    let expression = format!("1{}", " + 1".repeat(20_000));
    let dir = Costsim::new().model(&model_with(&format!("x = \"{expression}\"\n")));
    let stderr = Costsim::run_in(&dir, &["check", "model.toml"]).failure(2).stderr;
    assert!(stderr.contains("longer than 10000 tokens") && stderr.contains("model.toml:5:6"), "{stderr}");
    assert!(stderr.len() < 1000, "the 80,000-character line is not echoed whole: {} bytes", stderr.len());
}

#[test]
fn control_characters_in_model_text_are_refused_where_they_are() {
    let model = "[model]\nname = \"t\"\n[vars]\nx = { value = \"1\", unit = \"\\u001b]52;c;aGk=\\u0007\" }\n";
    let stderr = Costsim::new().model(model).args(&["run", "model.toml"]).run().failure(2).stderr;
    assert!(stderr.contains("`unit` contains the control character U+001B"), "{stderr}");
    assert!(stderr.contains("model.toml:4:27"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    // A raw escape in the file is shown as a visible symbol in the excerpt.
    let raw = "[model]\nname = \"t\"\n[vars]\nx = \"1 +\u{1b}[2J 2\"\n";
    let stderr = Costsim::new().model(raw).args(&["check", "model.toml"]).run().failure(2).stderr;
    assert!(!stderr.contains('\u{1b}') && stderr.contains('\u{241b}'), "{stderr:?}");
}

#[test]
fn markdown_shows_model_text_as_text_not_html() {
    let model = "[model]\nname = \"<script>alert(1)</script>\"\n[vars]\nx = { value = \"1 to 2\", unit = \"<b>u</b>\" }\n[scenarios.\"<s>\"]\nx = \"2\"\n";
    let dir = Costsim::new().model(model);
    for args in [&["run", "model.toml", "--format", "markdown"][..], &["compare", "model.toml", "--format", "markdown"]]
    {
        let mut all = args.to_vec();
        all.extend(["--trials", "100"]);
        let out = Costsim::run_in(&dir, &all).success().stdout;
        assert!(!out.contains("<script>") && !out.contains("<s>"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
    }
}

#[test]
fn extreme_finite_values_give_finite_statistics_in_readable_notation() {
    let vars = "big = \"1e308\"\nwide = \"normal(0, 1e300)\"\nsmall = \"0.001\"\n";
    let dir = Costsim::new().model(&model_with(vars));
    let json = Costsim::run_in(&dir, &["run", "model.toml", "--trials", "20000", "--format", "json"]).success().json();
    let o = &json["outputs"];
    assert_eq!((o["big"]["mean"].as_f64(), o["big"]["std"].as_f64()), (Some(1e308), Some(0.0)));
    assert_eq!(o["small"]["mean"].as_f64(), Some(0.001), "a constant's mean is the constant exactly");
    // std of 20,000 draws of N(0, 1e300): within 5 standard errors (σ/√(2n)) of 1e300.
    let std = o["wide"]["std"].as_f64().expect("finite std");
    assert!((std / 1e300 - 1.0).abs() < 5.0 / (2.0f64 * 20_000.0).sqrt(), "{std}");
    let table = Costsim::run_in(&dir, &["run", "model.toml", "--trials", "20000"]).success().stdout;
    assert!(table.contains("1e308") && table.lines().all(|l| l.len() < 200), "{table}");
}

/// Inputs drawn through their quantile functions (lhs, qmc, a correlation) with extreme
/// parameters: each once hung, panicked in statrs or took a millisecond per draw.
#[test]
fn extreme_parameters_under_quantile_sampling_finish_with_the_right_mean() {
    // (distribution, mean, sd)
    let cases = [
        ("poisson(5e9)", 5e9, 5e9f64.sqrt()),
        ("poisson(1e10)", 1e10, 1e5),
        ("poisson(1e6)", 1e6, 1e3),
        ("poisson(1e300)", 1e300, 1e150),
        ("binomial(1e12, 0.5)", 5e11, 5e5),
        ("gamma(1e8, 2)", 2e8, 2e4),
        ("gamma(1e-300, 1)", 1e-300, 1e-150),
        ("beta(1e-300, 1e-300)", 0.5, 0.5),
        // Found by tests/properties.rs: statrs' inverse never returned under lhs.
        ("beta(1e12, 573919.1944423529)", 1e12 / (1e12 + 573919.1944423529), 7.6e-10),
    ];
    let trials = 2000.0;
    for (dist, mean, sd) in cases {
        for (sampling, correlation) in
            [("lhs", ""), ("qmc", ""), ("mc", "[[correlations]]\nvars = [\"x\", \"y\"]\nrank = 0.5\n")]
        {
            let model = format!(
                "[model]\nname = \"t\"\nsampling = \"{sampling}\"\n[vars]\nx = \"{dist}\"\ny = \"normal(0, 1)\"\n{correlation}"
            );
            let dir = Costsim::new().model(&model);
            let args = ["run", "model.toml", "--trials", "2000", "--format", "json"];
            let json = Costsim::run_in(&dir, &args).success().json();
            let got = json["outputs"]["x"]["mean"].as_f64().unwrap();
            assert!((got - mean).abs() <= 6.0 * sd / f64::sqrt(trials), "{dist} {sampling}: mean {got}, want {mean}");
        }
    }
    // An output that overflows is an error naming the var, not a hang.
    let model = "[model]\nname = \"t\"\nsampling = \"lhs\"\n[vars]\nx = \"gamma(1e300, 1e300)\"\n";
    let stderr = Costsim::new().model(model).args(&["run", "model.toml", "--trials", "100"]).run().failure(2).stderr;
    assert!(stderr.contains("var `x` is NaN or infinite"), "{stderr}");
}
