//! `-o`: what is at the path is replaced atomically when it is a regular file, written
//! through when it is anything else, and never destroyed: not the model, not a read-only
//! file, not a symlink, not a hard link, not on a signal.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Costsim, model_with};

fn model() -> String {
    model_with("x = \"normal(100, 10)\"\n")
}

fn run_to(dir: &Costsim, target: &str) -> crate::util::Outcome {
    Costsim::run_in(dir, &["run", "model.toml", "--trials", "1000", "--format", "json", "-o", target])
}

fn leftovers(dir: &Costsim) -> Vec<String> {
    std::fs::read_dir(dir.path("."))
        .expect("temp dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".costsim-"))
        .collect()
}

#[test]
fn a_fifo_is_written_through_not_replaced() {
    let dir = Costsim::new().model(&model());
    let fifo = dir.path("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs").success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the fifo"))
    };
    run_to(&dir, "fifo").success();
    let received = reader.join().expect("reader");
    assert!(received.contains("\"outputs\""), "the reader got the report: {received}");
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn a_symlinks_target_is_replaced_and_the_link_kept() {
    let dir = Costsim::new().model(&model());
    std::fs::create_dir(dir.path("real")).unwrap();
    std::fs::write(dir.path("real/out.json"), "old").unwrap();
    std::os::unix::fs::symlink("real/out.json", dir.path("link.json")).unwrap();
    run_to(&dir, "link.json").success();
    assert!(std::fs::symlink_metadata(dir.path("link.json")).unwrap().file_type().is_symlink());
    let written = std::fs::read_to_string(dir.path("real/out.json")).unwrap();
    assert!(written.contains("\"outputs\""), "{written}");
    assert!(leftovers(&dir).is_empty());
}

#[test]
fn an_existing_files_permissions_are_kept() {
    let dir = Costsim::new().model(&model());
    let path = dir.path("secret.json");
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    run_to(&dir, "secret.json").success();
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&path).unwrap().contains("\"outputs\""));
}

#[test]
fn a_read_only_file_and_the_model_itself_are_refused_untouched() {
    let dir = Costsim::new().model(&model());
    let path = dir.path("frozen.json");
    std::fs::write(&path, "keep me").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let stderr = run_to(&dir, "frozen.json").failure(2).stderr;
    assert!(stderr.contains("`frozen.json`") && stderr.contains("read-only"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");

    std::os::unix::fs::symlink("model.toml", dir.path("alias.toml")).unwrap();
    for target in ["model.toml", "alias.toml", "./model.toml"] {
        let stderr = run_to(&dir, target).failure(2).stderr;
        assert!(stderr.contains("is the model file"), "{target}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(dir.path("model.toml")).unwrap(), model());
}

#[test]
fn hard_links_all_see_the_new_contents() {
    let dir = Costsim::new().model(&model());
    std::fs::write(dir.path("a.json"), "old").unwrap();
    std::fs::hard_link(dir.path("a.json"), dir.path("b.json")).unwrap();
    run_to(&dir, "a.json").success();
    let (a, b) =
        (std::fs::read_to_string(dir.path("a.json")).unwrap(), std::fs::read_to_string(dir.path("b.json")).unwrap());
    assert!(a.contains("\"outputs\"") && a == b);
    assert_eq!(std::fs::metadata(dir.path("a.json")).unwrap().nlink(), 2);
}

#[test]
fn directories_and_missing_directories_are_usage_errors() {
    let dir = Costsim::new().model(&model());
    assert!(run_to(&dir, ".").failure(2).stderr.contains("is a directory"));
    let stderr = run_to(&dir, "missing/out.json").failure(2).stderr;
    assert!(stderr.contains("directory missing does not exist"), "{stderr}");
}

#[test]
fn a_signal_removes_the_temporary_file_and_kills_the_process_as_usual() {
    use std::os::unix::process::ExitStatusExt;
    for (signal, number) in [("TERM", 15), ("INT", 2)] {
        let dir = Costsim::new().model(&model());
        let mut child = Command::new(env!("CARGO_BIN_EXE_costsim"))
            .args(["samples", "model.toml", "--trials", "1000000000", "-o", "out.csv"])
            .current_dir(dir.path("."))
            .stderr(Stdio::null())
            .spawn()
            .expect("costsim starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        while leftovers(&dir).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!leftovers(&dir).is_empty(), "the temporary file appears while samples runs");
        let kill = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        assert!(kill.expect("kill runs").success());
        let status = child.wait().expect("costsim ends");
        assert_eq!(status.signal(), Some(number), "{status:?}");
        assert!(leftovers(&dir).is_empty(), "SIG{signal} left {:?}", leftovers(&dir));
        assert!(!dir.path("out.csv").exists());
    }
}

#[test]
fn a_closed_pipe_stops_samples_at_once() {
    use std::io::{BufRead, BufReader};
    let dir = Costsim::new().model(&model());
    // 10^12 trials would take hours; the command must end as soon as nobody reads.
    let mut child = Command::new(env!("CARGO_BIN_EXE_costsim"))
        .args(["samples", "model.toml", "--trials", "1e12"])
        .current_dir(dir.path("."))
        .stdout(Stdio::piped())
        .spawn()
        .expect("costsim starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "trial,x");
    assert!(lines.next().unwrap().unwrap().starts_with("0,"));
    drop(lines);
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "samples kept running after its reader left");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
