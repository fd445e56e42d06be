//! Forged partial states: a checksum proves a file intact, not honest, since anyone can
//! re-sign what they altered. Every forged, re-signed state — wrong lengths, counts, NaN,
//! huge numbers, unknown names — is refused by `merge` with exit status 2 and a clear
//! error: never a panic, a hang, unbounded memory or a line of some other file.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::util::Costsim;

/// The virtual memory a forged merge may use (KiB): the states here are a few hundred
/// KB, and a 2^63-shard or 10^12-trial key once allocated until the process aborted.
const MEMORY_KIB: u64 = 1 << 20;

/// A model with a scalar and a per-period output, its two `run` shards and one Sobol
/// `sensitivity` shard.
fn written() -> (Costsim, [Value; 3]) {
    let dir = Costsim::new().model(
        "[model]\nname = \"forge\"\nperiods = 2\n[vars]\na = \"normal(10, 1)\"\nb = \"uniform(0, 1)\"\n\
         y = \"a * b\"\nz = { value = \"a + b\", per_period = true }\n",
    );
    for (args, file) in [
        (&["run", "model.toml", "--trials", "10000", "--shard", "0/2"][..], "r0.json"),
        (&["run", "model.toml", "--trials", "10000", "--shard", "1/2"], "r1.json"),
        (
            &["sensitivity", "model.toml", "--var", "y", "--method", "sobol", "--trials", "8192", "--shard", "0/1"],
            "s0.json",
        ),
    ] {
        let mut all = args.to_vec();
        all.extend(["-o", file]);
        Costsim::run_in(&dir, &all).success();
    }
    let read = |f: &str| serde_json::from_str(&std::fs::read_to_string(dir.path(f)).unwrap()).unwrap();
    let states = [read("r0.json"), read("r1.json"), read("s0.json")];
    (dir, states)
}

/// `state` with its checksum recomputed as costsim computes it (SHA-256 of the key and
/// the shard indices as serialised, then the state's text), so only the checks behind
/// the checksum can refuse it.
fn resigned(mut state: Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(&(&state["key"], &state["covered"])).unwrap());
    hasher.update(serde_json::to_string(&state["state"]).unwrap().as_bytes());
    state["checksum"] = json!(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>());
    serde_json::to_string(&state).unwrap()
}

/// Runs `costsim merge files` in `dir` with bounded virtual memory; returns (status, stderr).
fn merge_bounded(dir: &Costsim, files: &[&str]) -> (i32, String) {
    let command = format!("ulimit -v {MEMORY_KIB}; exec \"$0\" merge \"$@\" -o out.txt");
    let output = std::process::Command::new("sh")
        .args(["-c", &command, env!("CARGO_BIN_EXE_costsim")])
        .args(files)
        .current_dir(dir.path("."))
        .output()
        .expect("sh runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

type Forgery = (&'static str, fn(&mut Value));

/// Alterations of a `run` shard that no honest shard has.
const RUN_FORGERIES: &[Forgery] = &[
    ("2^63 shards", |v| v["key"]["shards"] = json!(1u64 << 63)),
    ("no shards", |v| v["key"]["shards"] = json!(0)),
    ("10^12 trials, the state's 5,000", |v| v["key"]["trials"] = json!(1_000_000_000_000u64)),
    ("10^15 trials in the state too", |v| {
        v["key"]["trials"] = json!(1_000_000_000_000_000u64);
        v["state"]["trials"] = json!(500_000_000_000_000u64);
    }),
    ("u64::MAX trials", |v| v["key"]["trials"] = json!(u64::MAX)),
    ("no trials", |v| v["key"]["trials"] = json!(0)),
    ("a state with more trials", |v| v["state"]["trials"] = json!(5001)),
    ("200,000 shards covered", |v| {
        v["key"]["shards"] = json!(1_000_000);
        v["covered"] = json!((0..200_000u64).collect::<Vec<_>>());
    }),
    ("a shard past the last", |v| v["covered"] = json!([7])),
    ("shards out of order", |v| v["covered"] = json!([1, 0])),
    ("no shards covered", |v| v["covered"] = json!([])),
    ("unknown sampling", |v| v["key"]["sampling"] = json!("bogus")),
    ("unknown command", |v| v["key"]["command"] = json!("evil")),
    ("an unknown key field", |v| v["key"]["extra"] = json!(1)),
    ("sensitivity options on a run", |v| {
        v["key"]["sensitivity"] =
            json!({"vars": [], "method": null, "tornado": null, "tornado_range": [0.1, 0.9], "trials_given": false})
    }),
    ("a column fewer", |v| {
        v["state"]["columns"].as_array_mut().unwrap().pop();
    }),
    ("a column more", |v| {
        let first = v["state"]["columns"][0].clone();
        v["state"]["columns"].as_array_mut().unwrap().push(first);
    }),
    ("a NaN mean", |v| v["state"]["columns"][0]["moments"][0][3][0] = json!("nan")),
    ("a huge moment count", |v| v["state"]["columns"][0]["moments"][0][2] = json!(u64::MAX)),
    ("a sketch shift past any double", |v| v["state"]["columns"][0]["sketch"]["shift"] = json!(5000)),
    ("sketch counts that overflow", |v| {
        v["state"]["columns"][0]["sketch"]["positive"] = json!([[1, u64::MAX], [2, u64::MAX]]);
    }),
    ("sketch value out of range", |v| v["state"]["columns"][0]["sketch"]["positive"][0][0] = json!(0)),
    ("positives above the trials", |v| v["state"]["columns"][0]["positive"] = json!(u64::MAX)),
    ("unsorted extremes", |v| v["state"]["columns"][0]["top"] = json!([1.0, 2.0, 3.0])),
    ("non-finite counts of the wrong length", |v| v["state"]["nonfinite"][0]["counts"] = json!([0])),
    ("exact window bounds reversed", |v| {
        let lows = v["state"]["columns"][0]["exact"]["lows"].clone();
        v["state"]["columns"][0]["exact"]["lows"] = v["state"]["columns"][0]["exact"]["highs"].clone();
        v["state"]["columns"][0]["exact"]["highs"] = lows;
    }),
];

/// Alterations of a Sobol `sensitivity` shard.
const SENSITIVITY_FORGERIES: &[Forgery] = &[
    ("a Sobol sum too many", |v| {
        let node = &mut v["state"]["streams"][0]["nodes"][0];
        node[3].as_array_mut().unwrap().push(json!(1.0));
        let k = node[3].as_array().map_or(0, Vec::len);
        node[4].as_array_mut().unwrap().resize(k * (k + 1) / 2, json!(0.0));
    }),
    ("a Sobol sum too few", |v| {
        let node = &mut v["state"]["streams"][0]["nodes"][0];
        node[3].as_array_mut().unwrap().pop();
        let k = node[3].as_array().map_or(0, Vec::len);
        node[4].as_array_mut().unwrap().truncate(k * (k + 1) / 2);
    }),
    ("NaN sums", |v| v["state"]["streams"][0]["nodes"][0][3][0] = json!("nan")),
    ("a missing batch", |v| {
        v["state"]["streams"][0]["nodes"].as_array_mut().unwrap().pop();
    }),
    ("an unknown method", |v| v["key"]["sensitivity"]["method"] = json!("evil")),
    ("an unknown tornado", |v| v["key"]["sensitivity"]["tornado"] = json!("evil")),
    ("a streamed tornado", |v| v["state"]["streams"][0]["method"] = json!("tornado")),
    ("no sensitivity options", |v| v["key"]["sensitivity"] = Value::Null),
    ("a tornado range upside down", |v| v["key"]["sensitivity"]["tornado_range"] = json!([0.9, 0.1])),
    ("a tornado range past 100%", |v| v["key"]["sensitivity"]["tornado_range"] = json!([0.1, 1.5])),
    ("a tornado range as text", |v| v["key"]["sensitivity"]["tornado_range"] = json!("10,90")),
];

#[test]
fn forged_resigned_states_are_refused_never_a_panic() {
    let (dir, [r0, r1, s0]) = written();
    let honest = std::fs::read_to_string(dir.path("r1.json")).unwrap();
    assert_eq!(resigned(r1.clone()), honest.trim_end(), "the test signs as costsim does");
    let cases = RUN_FORGERIES
        .iter()
        .map(|f| (f, &r0, Some("r1.json")))
        .chain(SENSITIVITY_FORGERIES.iter().map(|f| (f, &s0, None)));
    for ((what, forge), original, other) in cases {
        let mut state = original.clone();
        forge(&mut state);
        std::fs::write(dir.path("forged.json"), resigned(state)).unwrap();
        let started = std::time::Instant::now();
        let files: Vec<&str> = std::iter::once("forged.json").chain(other).collect();
        let (status, stderr) = merge_bounded(&dir, &files);
        assert_eq!(status, 2, "{what}: exit {status}\n{stderr}");
        assert!(!stderr.contains("panicked") && stderr.len() < 2000, "{what}: {stderr}");
        assert!(stderr.contains("forged.json") || stderr.contains("partial states"), "{what} names the file: {stderr}");
        assert!(started.elapsed().as_secs() < 20, "{what} took {:?}", started.elapsed());
        assert!(!dir.path("out.txt").exists(), "{what}: an output was written");
    }
}

#[test]
fn a_forged_model_path_is_checked_before_any_of_it_is_shown() {
    let (dir, [r0, r1, _]) = written();
    std::fs::write(dir.path("secret.txt"), "[vars]\nx = \"TOP SECRET LINE\n").unwrap();
    for (name, mut state) in [("f0.json", r0), ("f1.json", r1)] {
        state["key"]["model_file"] = json!(dir.path("secret.txt").display().to_string());
        std::fs::write(dir.path(name), resigned(state)).unwrap();
    }
    let (status, stderr) = merge_bounded(&dir, &["f0.json", "f1.json"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("is not the model file the shards ran") && !stderr.contains("SECRET"), "{stderr}");
}

#[test]
fn missing_shards_are_listed_briefly() {
    let (dir, _) = written();
    Costsim::run_in(&dir, &["run", "model.toml", "--trials", "10000", "--shard", "5/1000000", "-o", "one.json"])
        .success();
    let stderr = Costsim::run_in(&dir, &["merge", "one.json"]).failure(2).stderr;
    assert!(
        stderr.contains("shards 0, 1, 2, 3, 4, 6, 7, 8, 9, 10, … and 999989 more of 1000000 are missing"),
        "{stderr}"
    );
    assert!(stderr.len() < 500, "{stderr}");
    let stderr = Costsim::run_in(&dir, &["run", "model.toml", "--shard", "0/1000001"]).failure(2).stderr;
    assert!(stderr.contains("1000001 shards are too many: a run is split into at most 1000000"), "{stderr}");
}
