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

/// A file `name` in `dir` holding "old", with permissions `mode`.
fn old_file(dir: &Costsim, name: &str, mode: u32) -> std::path::PathBuf {
    let path = dir.path(name);
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// `samples` of 10^9 trials to `target`, started and seen writing its temporary file.
fn writing_samples(dir: &Costsim, target: &str) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_costsim"))
        .args(["samples", "model.toml", "--trials", "1000000000", "-o", target])
        .current_dir(dir.path("."))
        .stderr(Stdio::null())
        .spawn()
        .expect("costsim starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while leftovers(dir).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child
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
    let path = old_file(&dir, "secret.json", 0o600);
    run_to(&dir, "secret.json").success();
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&path).unwrap().contains("\"outputs\""));
}

#[test]
fn a_read_only_file_and_the_model_itself_are_refused_untouched() {
    let dir = Costsim::new().model(&model());
    let path = old_file(&dir, "frozen.json", 0o444);
    let stderr = run_to(&dir, "frozen.json").failure(2).stderr;
    assert!(stderr.contains("`frozen.json`") && stderr.contains("read-only"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");

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
    for (signal, number) in
        [("TERM", 15), ("INT", 2), ("HUP", 1), ("QUIT", 3), ("USR1", 10), ("ALRM", 14), ("XCPU", 24)]
    {
        let dir = Costsim::new().model(&model());
        let mut child = writing_samples(&dir, "out.csv");
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

#[test]
fn merge_refuses_the_model_and_every_state_it_reads_as_its_output() {
    let dir = Costsim::new().model(&model());
    for k in 0..2 {
        let shard = format!("{k}/2");
        let file = format!("p{k}.json");
        Costsim::run_in(&dir, &["run", "model.toml", "--trials", "10000", "--shard", &shard, "-o", &file]).success();
    }
    let before: Vec<String> =
        ["model.toml", "p0.json", "p1.json"].iter().map(|f| std::fs::read_to_string(dir.path(f)).unwrap()).collect();
    std::os::unix::fs::symlink("model.toml", dir.path("alias.toml")).unwrap();
    std::fs::hard_link(dir.path("p1.json"), dir.path("hard.json")).unwrap();
    let model = dir.path("model.toml").display().to_string();
    for (target, what) in [
        ("model.toml", "is the model file"),
        ("./model.toml", "is the model file"),
        ("alias.toml", "is the model file"),
        (model.as_str(), "is the model file"),
        ("p0.json", "`p0.json`, which this command reads"),
        ("./p1.json", "`p1.json`, which this command reads"),
        ("hard.json", "`p1.json`, which this command reads"),
    ] {
        for extra in [&[][..], &["--partial"]] {
            let mut args = vec!["merge", "p0.json", "p1.json", "-o", target];
            args.extend_from_slice(extra);
            let stderr = Costsim::run_in(&dir, &args).failure(2).stderr;
            assert!(stderr.contains(what), "{target} {extra:?}: {stderr}");
        }
    }
    let after: Vec<String> =
        ["model.toml", "p0.json", "p1.json"].iter().map(|f| std::fs::read_to_string(dir.path(f)).unwrap()).collect();
    assert_eq!(before, after, "nothing merge read was changed");
    // The model named with --model is refused too, and any other path is written.
    std::fs::copy(dir.path("model.toml"), dir.path("moved.toml")).unwrap();
    let stderr = Costsim::run_in(&dir, &["merge", "p0.json", "p1.json", "--model", "moved.toml", "-o", "moved.toml"])
        .failure(2)
        .stderr;
    assert!(stderr.contains("is the model file"), "{stderr}");
    Costsim::run_in(&dir, &["merge", "p0.json", "p1.json", "-o", "merged.txt"]).success();
    assert!(std::fs::read_to_string(dir.path("merged.txt")).unwrap().contains("10,000 trials"));
}

#[test]
fn a_private_file_is_never_readable_by_others_and_loses_its_setuid_bit() {
    let dir = Costsim::new().model(&model());
    let path = old_file(&dir, "private.csv", 0o600);
    // While samples writes, the temporary file already has the target's mode.
    let mut child = writing_samples(&dir, "private.csv");
    let temp = leftovers(&dir);
    let mode = temp.first().and_then(|t| std::fs::metadata(dir.path(t)).ok()).map(|m| m.mode() & 0o777);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(mode, Some(0o600), "the temporary file {temp:?} is private from the start");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o4755)).unwrap();
    Costsim::run_in(&dir, &["run", "model.toml", "--trials", "1000", "-o", "private.csv"]).success();
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, 0o755, "setuid is dropped, the rest kept");
}

#[test]
fn a_run_beyond_max_memory_is_refused_before_it_starts_and_writes_nothing() {
    let mut vars = String::new();
    for i in 0..500 {
        vars.push_str(&format!("v{i} = \"normal({i}, 1)\"\n"));
    }
    let dir = Costsim::new().model(&format!("{}\n[scenarios.high]\nv0 = \"5\"\n", model_with(&vars)));
    // run keeps the 500 outputs; report and compare also the scenario's (simulated
    // together) and the differences.
    for (command, target, columns) in
        [("run", "out.json", 500), ("report", "out.html", 1500), ("compare", "out.md", 1500)]
    {
        let args = [command, "model.toml", "--trials", "1M", "--max-memory", "64M", "-o", target];
        let out = Costsim::run_in(&dir, &args).failure(2);
        for part in [
            "this run needs about",
            "more than the 64 MiB --max-memory",
            &format!("{columns} column(s)"),
            "1000000 trials",
        ] {
            assert!(out.stderr.contains(part), "{command}: {part}: {}", out.stderr);
        }
        assert!(!dir.path(target).exists(), "{command} wrote {target}");
    }
    // A limit it fits in runs as usual; a size that is no size is a usage error.
    Costsim::run_in(&dir, &["run", "model.toml", "--trials", "10k", "--max-memory", "1G", "-o", "out.json"]).success();
    assert!(dir.path("out.json").exists());
    let out = Costsim::run_in(&dir, &["run", "model.toml", "--max-memory", "12X"]).failure(2);
    assert!(out.stderr.contains("`--max-memory 12X` must be a size such as 512M"), "{}", out.stderr);
}
