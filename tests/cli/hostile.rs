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
fn too_deep_or_too_tall_an_expression_is_refused_where_it_passes_the_limit() {
    // 65 nested parentheses: the 65th is named (column 6 + 64).
    let deep = format!("{}1{}", "(".repeat(65), ")".repeat(65));
    // 1,001 additions: the 1,001st `+` is named (column 6 + 2,001).
    let tall = format!("1{}", "+1".repeat(1_001));
    for (expression, problem, column) in
        [(deep, "nested more than 64 levels deep", 70), (tall, "more than 1000 operators deep", 2007)]
    {
        let dir = Costsim::new().model(&model_with(&format!("x = \"{expression}\"\n")));
        let stderr = Costsim::run_in(&dir, &["check", "model.toml"]).failure(2).stderr;
        let place = format!("model.toml:5:{column}");
        assert!(stderr.contains(problem) && stderr.contains(&place), "{place}: {stderr}");
        assert!(stderr.contains("split it into several vars"), "{stderr}");
    }
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

/// Payloads that run a script, link to one or load a remote image if a Markdown
/// renderer passes them through: each sets the page title to `XSS`.
const PAYLOADS: &[&str] = &[
    "<script>document.title='XSS'</script>",
    "<svg onload=document.title='XSS'>",
    "`<img src=x onerror=document.title='XSS'>`",
    "[click](javascript:document.title='XSS')",
];

/// A model whose name, description, periods, sources, notes and scenario carry
/// [`PAYLOADS`] (a unit is refused unless it is a unit).
fn hostile_model() -> String {
    let labels: Vec<String> = PAYLOADS.iter().map(|p| format!("\"{}\"", p.replace(['[', ']', ','], ""))).collect();
    format!(
        "[model]\nname = \"{p0}\"\ndescription = \"{p1} {p3} ![pic](https://x.test/c.png) <javascript:document.title='XSS'>\"\n\
         periods = [{labels}]\n[vars]\nx = {{ value = \"1 to 2\", source = \"{p0}\" }}\n\
         y = {{ value = \"x * 2\", per_period = true, note = \"{p2}\" }}\ntotal = \"sum(y)\"\n[scenarios.\"{p0}\"]\nx = \"2\"\n",
        p0 = PAYLOADS[0],
        p1 = PAYLOADS[1],
        p2 = PAYLOADS[2],
        p3 = PAYLOADS[3],
        labels = labels.join(", ")
    )
}

/// `markdown` as a CommonMark renderer turns it into HTML (raw HTML passed through, as
/// many renderers do).
fn rendered(markdown: &str) -> String {
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[test]
fn markdown_output_stays_inert_once_rendered() {
    let dir = Costsim::new().model(&hostile_model());
    // A model file whose name has backticks (the report's "reproduce" code span).
    std::fs::copy(dir.path("model.toml"), dir.path("a`b``c.toml")).unwrap();
    let mut documents = Vec::new();
    for args in [
        &["run", "model.toml", "--format", "markdown"][..],
        &["compare", "model.toml", "--format", "markdown"],
        &["sensitivity", "model.toml", "--format", "markdown", "--method", "spearman", "--var", "total"],
        &["sensitivity", "model.toml", "--format", "markdown", "--method", "tornado"],
    ] {
        let mut all = args.to_vec();
        all.extend(["--trials", "2000"]);
        documents.push(Costsim::run_in(&dir, &all).success().stdout);
    }
    Costsim::run_in(&dir, &["report", "a`b``c.toml", "--trials", "2000", "--format", "markdown", "-o", "r.md"])
        .success();
    documents.push(std::fs::read_to_string(dir.path("r.md")).unwrap());
    for markdown in &documents {
        let html = rendered(markdown);
        for bad in ["<script", "<svg", "href=\"javascript", "x.test"] {
            assert!(!html.contains(bad), "{bad} in:\n{html}");
        }
        // The only images are the report's own charts, beside it.
        assert!(html.split("<img ").skip(1).all(|img| img.starts_with("src=\"r-")), "{html}");
        assert!(html.contains("document.title"), "the payloads are shown as text: {html}");
    }
    let report = rendered(&documents[4]);
    assert!(report.contains("<code>costsim report a`b``c.toml"), "the reproduce line holds the file name: {report}");
    let Some(browser) = crate::util::chromium() else {
        eprintln!("skipped the browser: no chromium on this machine (CI installs it)");
        return;
    };
    for (i, markdown) in documents.iter().enumerate() {
        let page = format!("<html><head><title>inert</title></head><body>{}</body></html>", rendered(markdown));
        let file = dir.path(&format!("page{i}.html"));
        std::fs::write(&file, page).unwrap();
        let out = crate::util::headless(browser, &dir.path("profile"))
            .args(["--virtual-time-budget=2000", "--dump-dom"])
            .arg(&file)
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(dom.contains("<title>inert</title>"), "no script ran in document {i}: {dom}");
    }
}

#[test]
fn escape_sequences_in_the_model_files_name_never_reach_the_screen_or_a_document() {
    let dir = Costsim::new().model(&model_with("x = \"normal(100, 10)\"\n"));
    let name = "\u{1b}]0;TITLE\u{7}\u{1b}[2J.toml";
    std::fs::copy(dir.path("model.toml"), dir.path(name)).unwrap();
    let mut outputs = Vec::new();
    for format in ["table", "markdown", "csv"] {
        outputs.push(Costsim::run_in(&dir, &["run", name, "--trials", "1000", "--format", format]).success().stdout);
    }
    outputs.push(
        Costsim::run_in(&dir, &["sensitivity", name, "--trials", "1000", "--method", "spearman"]).success().stdout,
    );
    outputs.push(Costsim::run_in(&dir, &["run", "missing\u{1b}[2J.toml"]).failure(2).stderr);
    Costsim::run_in(&dir, &["run", name, "--trials", "1000", "--shard", "0/1", "-o", "p.json"]).success();
    outputs.push(Costsim::run_in(&dir, &["merge", "p.json"]).success().stdout);
    for out in &outputs {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    }
    assert!(outputs[0].contains("\u{241b}]0;TITLE"), "the name is shown, its escapes as symbols: {}", outputs[0]);
    Costsim::run_in(&dir, &["report", name, "--trials", "1000", "-o", "r.html"]).success();
    let html = std::fs::read_to_string(dir.path("r.html")).unwrap();
    assert!(!html.contains('\u{1b}'));
    roxmltree::Document::parse(&html.replacen("<!DOCTYPE html>", "", 1)).expect("the report is well-formed XHTML");
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

#[test]
fn a_truncation_too_unlikely_to_draw_is_refused_before_any_trial() {
    let dir = Costsim::new().model(&model_with("x = \"truncate(poisson(3), 1e6, 1e7)\"\n"));
    let stderr = Costsim::run_in(&dir, &["check", "model.toml"]).failure(2).stderr;
    assert!(stderr.contains("poisson(...) has probability 0 between 1000000 and 10000000"), "{stderr}");
    assert!(stderr.contains("model.toml:5:6"), "{stderr}");
}
