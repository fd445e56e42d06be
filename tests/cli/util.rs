//! A small builder for running the `costsim` binary on a model written to a temp dir.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a finished command printed and returned.
pub(crate) struct Outcome {
    pub(crate) status: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// `costsim` with a model file and arguments.
pub(crate) struct Costsim {
    dir: tempfile::TempDir,
    args: Vec<String>,
}

impl Costsim {
    pub(crate) fn new() -> Costsim {
        Costsim { dir: tempfile::tempdir().expect("temp dir"), args: Vec::new() }
    }

    /// Writes `text` as `model.toml` in the temp dir.
    pub(crate) fn model(self, text: &str) -> Costsim {
        std::fs::write(self.dir.path().join("model.toml"), text).expect("write model");
        self
    }

    pub(crate) fn args(mut self, args: &[&str]) -> Costsim {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// A path inside the temp dir.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn run(&self) -> Outcome {
        Costsim::run_in(self, &self.args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Runs `costsim args` in `dir`'s temp dir (whatever arguments `dir` was built with).
    pub(crate) fn run_in(dir: &Costsim, args: &[&str]) -> Outcome {
        let output = Command::new(env!("CARGO_BIN_EXE_costsim"))
            .args(args)
            .current_dir(dir.dir.path())
            .output()
            .expect("costsim runs");
        Outcome {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        }
    }
}

impl Outcome {
    #[track_caller]
    pub(crate) fn success(self) -> Outcome {
        assert_eq!(self.status, 0, "stderr:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub(crate) fn failure(self, status: i32) -> Outcome {
        assert_eq!(self.status, status, "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).expect("valid JSON on stdout")
    }
}

/// The repository's `models/` directory.
pub(crate) fn models_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"))
}

/// A model with a header and the given `[vars]` lines.
pub(crate) fn model_with(vars: &str) -> String {
    format!("[model]\nname = \"test\"\n\n[vars]\n{vars}")
}

/// Chromium, if installed; in CI it must be.
pub(crate) fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| Path::new(p).exists());
    if found.is_none() && std::env::var_os("CI").is_some() {
        panic!("CI must install chromium for the browser test (see .ci/run)");
    }
    found
}

pub(crate) fn headless(browser: &str, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
    ]);
    command.args(["--disable-component-update", "--disable-sync", "--hide-scrollbars"]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}
