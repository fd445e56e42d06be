//! Snapshots of every rendering (text, Markdown, CSV, JSON) of every command on one small
//! model, so that a change to any of them shows in review as a diff of
//! `tests/cli/snapshots/`. After an intended change, regenerate with
//! `INSTA_UPDATE=always cargo test --release --test cli snapshots` and review the diff.

use crate::util::Costsim;

/// A fixed cost plus a variable part, a constant with a unit, a 0/1 output and a scenario.
const MODEL: &str = r#"[model]
name = "Snapshot"
description = "A training run: a fixed cost plus GPU-hours at an uncertain price."
seed = 11
trials = 20000
outputs = ["cost", "over_12m"]

[vars]
gpus = { value = "2048", unit = "GPUs" }
hours = { value = "normal(1400, 100)", unit = "h" }
price = { value = "1.5 to 3.5", unit = "USD/(GPU*h)" }
fixed = { value = "5M", unit = "USD" }
cost = { value = "fixed + gpus * hours * price", unit = "USD" }
over_12m = "cost > 12M"

[scenarios.cheap]
description = "Spot prices"
price = "1 to 2"
"#;

/// What `costsim ARGS` prints on stdout for [`MODEL`], the version number masked so that
/// a release does not change every snapshot.
fn stdout(args: &[&str]) -> String {
    let out = Costsim::new().model(MODEL).args(args).run().success().stdout;
    out.replace(
        concat!("\"costsim_version\": \"", env!("CARGO_PKG_VERSION"), "\""),
        "\"costsim_version\": \"[version]\"",
    )
}

#[test]
fn run() {
    for format in ["table", "markdown", "csv", "json"] {
        insta::assert_snapshot!(format!("run_{format}"), stdout(&["run", "model.toml", "--format", format]));
    }
}

#[test]
fn check() {
    for format in ["table", "json"] {
        insta::assert_snapshot!(format!("check_{format}"), stdout(&["check", "model.toml", "--format", format]));
    }
}

#[test]
fn compare() {
    for format in ["table", "markdown", "json"] {
        insta::assert_snapshot!(format!("compare_{format}"), stdout(&["compare", "model.toml", "--format", format]));
    }
}

#[test]
fn sensitivity() {
    for format in ["table", "markdown", "json"] {
        let args = ["sensitivity", "model.toml", "--var", "cost", "--trials", "4096", "--format", format];
        insta::assert_snapshot!(format!("sensitivity_{format}"), stdout(&args));
    }
}

#[test]
fn errors() {
    // Four problems in four vars, each reported at its own place, all at once.
    let text = "[model]\nname = \"Broken\"\n[vars]\na = \"triangular(40, 70)\"\nb = \"0.55 to 0.30\"\n\
                c = \"normal(0.09, -1)\"\nd = \"a + b + c + missing\"\n";
    let stderr = Costsim::new().model(text).args(&["run", "model.toml"]).run().failure(2).stderr;
    insta::assert_snapshot!("errors", stderr);
}
