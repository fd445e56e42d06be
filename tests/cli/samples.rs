//! `samples`: per-trial CSV, streamed, thread-count independent.

use crate::util::{Costsim, model_with};

const VARS: &str = "n = \"poisson(4)\"\nprice = \"10 to 20\"\ncost = \"n * price\"\n";

#[test]
fn csv_has_one_row_per_trial_and_matches_run() {
    let dir = Costsim::new().model(&model_with(VARS)).args(&[
        "samples",
        "model.toml",
        "--vars",
        "n,cost",
        "--trials",
        "10007",
        "-o",
        "s.csv",
    ]);
    dir.run().success();
    let text = std::fs::read_to_string(dir.path("s.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("trial,n,cost"));
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 10007);
    assert!(rows.iter().enumerate().all(|(i, r)| r[0] == i as f64 && r.len() == 3));
    let json = Costsim::new()
        .model(&model_with(VARS))
        .args(&["run", "model.toml", "--trials", "10007", "--format", "json"])
        .run()
        .success()
        .json();
    let mean = rows.iter().map(|r| r[2]).sum::<f64>() / rows.len() as f64;
    let want = json["outputs"]["cost"]["mean"].as_f64().unwrap();
    assert!((mean / want - 1.0).abs() < 1e-12, "{mean} vs {want}");
}

#[test]
fn identical_for_any_thread_count_and_no_file_on_error() {
    let csv = |threads: &str| {
        Costsim::new()
            .model(&model_with(VARS))
            .args(&["samples", "model.toml", "--trials", "9000", "--threads", threads])
            .run()
            .success()
            .stdout
    };
    assert_eq!(csv("1"), csv("3"));
    let dir = Costsim::new().model(&model_with("x = \"normal(0, 1)\"\ny = \"ln(x)\"\n")).args(&[
        "samples",
        "model.toml",
        "--trials",
        "1000",
        "-o",
        "bad.csv",
    ]);
    let stderr = dir.run().failure(2).stderr;
    assert!(stderr.contains("var `y` is NaN or infinite"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path(".")).unwrap().count(), 1, "only the model: no partial or temp file");
}
