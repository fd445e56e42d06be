//! The figures in `docs/*.md` and `README.md` are the output of the costsim commands shown
//! beside them.
//! Every ```console block starts with `$ costsim ARGS`; the rest of the block must be
//! exactly what that command prints (run from the repository root). The HTML report in
//! `docs/` must equal what the command in its footer writes.
//!
//! When a change alters the figures on purpose, regenerate them with
//! `COSTSIM_UPDATE_DOCS=1 cargo test --release --test docs` and review the diff.

use std::path::Path;

#[path = "support/walk.rs"]
mod walk;
use std::process::Command;

fn costsim(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_costsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("costsim runs");
    assert!(out.status.success(), "costsim {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The document with every console block's output replaced by what its command prints.
fn regenerate(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line != "```console" {
            continue;
        }
        let command = lines.next().expect("a command after ```console");
        let args: Vec<&str> =
            command.strip_prefix("$ costsim ").expect("`$ costsim ...` first").split_whitespace().collect();
        out.push_str(command);
        out.push('\n');
        out.push_str(&costsim(&args));
        for rest in lines.by_ref() {
            if rest == "```" {
                out.push_str("```\n");
                break;
            }
        }
    }
    out
}

#[test]
fn figures_in_the_docs_are_what_the_commands_print() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_dir(root.join("docs")).unwrap().map(|e| e.unwrap().path());
    for path in docs.chain([root.join("README.md")]) {
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        up_to_date(&path, &text, &regenerate(&text));
    }
}

#[test]
fn the_studys_side_by_side_table_quotes_the_runs_above_it() {
    // Each row of the table in section 4 names a model and an output (`cost`, `total`,
    // `tco`, `attributed_v3r1`); its median, P80 and 90% interval must be that output's
    // p50, p80, p5 and p95 in the console block of `costsim run models/<model>.toml`
    // (which `figures_in_the_docs_are_what_the_commands_print` keeps current).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/deepseek.md")).unwrap();
    let files =
        [("final run", "deepseek_final_run"), ("programme", "deepseek_program"), ("fleet TCO", "deepseek_fleet_tco")];
    let mut checked = 0;
    for row in text.lines().skip_while(|l| !l.starts_with("| question | model |")).skip(2) {
        if !row.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        let (model, output) = cells[1].split_once(" (`").expect("model (`output`...)");
        let output = output.split('`').next().unwrap();
        let file = files.iter().find(|(m, _)| *m == model).map(|(_, f)| f).expect("a known model");
        let block = text.split(&format!("$ costsim run models/{file}.toml\n")).nth(1).expect("its run block");
        let split = |l: &str| -> Vec<String> {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| c.split(' ').next().unwrap().to_string())
                .collect()
        };
        let header = split(block.lines().find(|l| l.starts_with("output ")).expect("the table's header"));
        let line =
            split(block.lines().find(|l| l.split_whitespace().next() == Some(output)).expect("the output's row"));
        let column = |name: &str| line[header.iter().position(|h| h == name).expect(name)].clone();
        assert_eq!(cells[3], column("p50"), "{row}");
        assert_eq!(cells[4], column("p80"), "{row}");
        assert_eq!(cells[5], format!("{} – {}", column("p5"), column("p95")), "{row}");
        checked += 1;
    }
    assert_eq!(checked, 4, "the table has a row per answer");
}

/// Asserts that `path`, which holds `text`, is `fresh`; with COSTSIM_UPDATE_DOCS set,
/// writes `fresh` to it instead.
fn up_to_date(path: &Path, text: &str, fresh: &str) {
    if std::env::var_os("COSTSIM_UPDATE_DOCS").is_some() {
        std::fs::write(path, fresh).unwrap();
        return;
    }
    assert!(
        text == fresh,
        "{} is out of date with what its commands write; regenerate with COSTSIM_UPDATE_DOCS=1 cargo test --release --test docs",
        path.display()
    );
}

#[test]
fn committed_html_reports_are_what_their_commands_write() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut reports = 0;
    for path in std::fs::read_dir(&docs).unwrap().map(|e| e.unwrap().path()) {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        reports += 1;
        let html = std::fs::read_to_string(&path).unwrap();
        let command =
            html.split("Reproduce: <code>").nth(1).and_then(|s| s.split("</code>").next()).expect("footer command");
        let args: Vec<&str> = command.strip_prefix("costsim ").unwrap().split_whitespace().collect();
        let out = args.iter().position(|a| *a == "-o").expect("-o in the command");
        let temp = tempfile::tempdir().unwrap();
        let target = temp.path().join("report.html");
        let mut fresh_args = args.clone();
        let target_text = target.to_str().unwrap();
        fresh_args[out + 1] = target_text;
        costsim(&fresh_args);
        let fresh = std::fs::read_to_string(&target).unwrap().replace(target_text, args[out + 1]);
        up_to_date(&path, &html, &fresh);
    }
    assert!(reports >= 2, "the fleet reports are in docs/");
}

/// The backticked names in `text` (a call's name without its arguments).
fn backticked(text: &str) -> Vec<String> {
    text.split('`').skip(1).step_by(2).map(|t| t.split('(').next().unwrap().trim().to_string()).collect()
}

#[test]
fn readme_lists_every_builtin_function_constant_and_distribution() {
    use costsim::internals::builtins::{CONSTANTS, FUNCTIONS};
    use costsim::internals::dist::DistKind;
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let bullet = readme.split("- Functions: ").nth(1).unwrap().split("\n\n").next().unwrap();
    let (functions, constants) = bullet.split_once("; constants").unwrap();
    let in_table = |name: &str| ["truncate", "choice"].contains(&name);
    let want: Vec<&str> = FUNCTIONS.iter().map(|b| b.name).filter(|n| !in_table(n)).collect();
    assert_eq!(backticked(functions), want, "README's function list");
    assert_eq!(backticked(constants), CONSTANTS.map(|(c, _)| c), "README's constants");
    let section = readme.split("### Distributions").nth(1).unwrap().split("\n\n").nth(1).unwrap();
    let mut rows: Vec<String> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .flat_map(|l| backticked(l.split(" |").next().unwrap()))
        .collect();
    let mut want: Vec<String> = DistKind::ALL.iter().map(|(n, _)| n.to_string()).collect();
    want.extend(["a to b", "choice", "truncate"].map(String::from));
    rows.sort();
    want.sort();
    assert_eq!(rows, want, "README's distribution table");
}

/// Every file a clone of the repository ships as text: docs, models, code, tests, CI.
fn shipped_texts(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![root.join("README.md"), root.join("Cargo.toml"), root.join(".ci/run")];
    for dir in ["docs", "models", "src", "tests", "benches"] {
        out.extend(walk::files(&root.join(dir), &["md", "toml", "rs", "snap", "html"]));
    }
    out
}

/// `path` with `.` and `..` folded, or `None` if it climbs above its start.
fn fold(path: &Path) -> Option<std::path::PathBuf> {
    let mut parts = Vec::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str().to_owned()),
        }
    }
    Some(parts.iter().collect())
}

#[test]
fn shipped_texts_refer_to_no_file_outside_the_repository() {
    // A clone has only the repository: a reference to a path above its root, or to a
    // Markdown file it does not contain, leaves a reader without what it points at.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let markdown: Vec<std::ffi::OsString> = shipped_texts(root)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    let mut bad = Vec::new();
    for file in shipped_texts(root) {
        let text = std::fs::read_to_string(&file).unwrap();
        let here = file.parent().unwrap().strip_prefix(root).unwrap();
        let tokens = text.split(|c: char| !(c.is_alphanumeric() || "._/-".contains(c)));
        for token in tokens.filter(|t| t.contains("../") || t.ends_with(".md")) {
            // Resolved inside the repository, relative to the file or to the root.
            let inside = |base: &Path| fold(&base.join(token)).is_some_and(|p| root.join(p).exists());
            let outside = token.contains("../") && !inside(here);
            // In what users read (README, docs, models), a Markdown file named must exist
            // (a URL's path and a bare extension are no such reference).
            let for_readers = !file.starts_with(root.join("src")) && !file.starts_with(root.join("tests"));
            let missing = for_readers
                && token.ends_with(".md")
                && token != ".md"
                && !token.starts_with("//")
                && !inside(here)
                && !inside(Path::new(""))
                && !markdown.iter().any(|m| Path::new(token).file_name() == Some(m.as_os_str()));
            if outside || missing {
                bad.push(format!("{}: `{token}`", file.strip_prefix(root).unwrap().display()));
            }
        }
    }
    assert!(bad.is_empty(), "shipped texts point outside the repository:\n{}", bad.join("\n"));
}

#[test]
fn the_readme_multi_period_example_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme.split("### Periods").nth(1).expect("a Periods section");
    let model = section.split("```toml\n").nth(1).and_then(|s| s.split("```").next()).expect("an example model");
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("periods.toml");
    std::fs::write(&path, model).unwrap();
    let path = path.to_str().unwrap();
    let json = costsim(&["run", path, "--trials", "20000", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let periods = json["outputs"]["cash"]["periods"].as_array().expect("cash is a series");
    assert_eq!(periods.len(), 3);
    assert!(json["outputs"]["cost_npv"]["mean"].as_f64().unwrap() > 0.0);
}
