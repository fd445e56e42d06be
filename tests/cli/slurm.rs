//! A sharded run on a real Slurm cluster: `scripts/slurm-local.sh` starts a one-node
//! cluster (munged, slurmctld, slurmd), `sbatch --array=0-7 --wait` runs eight shards of
//! a showcase model with `--shard auto`, and `costsim merge` must print the bytes of a
//! single-process run. Runs whenever CI is set (`.ci/run` installs the Debian packages;
//! the daemons run as root there); elsewhere it is skipped with a message unless Slurm is
//! installed.

use std::process::Command;

use crate::util::{Costsim, models_dir};

/// True if this machine can start a Slurm cluster; in CI it must.
fn slurm_available() -> bool {
    let found = ["munged", "slurmctld", "slurmd", "sbatch"].iter().all(|tool| {
        Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success())
    });
    if !found && std::env::var_os("CI").is_some() {
        panic!("CI must install slurmctld, slurmd, slurm-client and munge for the Slurm test (see .ci/run)");
    }
    found
}

#[test]
fn eight_slurm_array_tasks_merge_to_the_bytes_of_one_process() {
    if !slurm_available() {
        eprintln!("skipped: no Slurm on this machine (CI installs slurmctld, slurmd, slurm-client and munge)");
        return;
    }
    let model = std::fs::read_to_string(models_dir().join("deepseek_fleet_tco.toml")).unwrap();
    let dir = Costsim::new().model(&model);
    let costsim = env!("CARGO_BIN_EXE_costsim");
    let job = format!(
        "#!/bin/sh\nexec {costsim} run model.toml --trials 2M --threads 1 --shard auto -o part-$SLURM_ARRAY_TASK_ID.json\n"
    );
    std::fs::write(dir.path("job.sh"), job).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/slurm-local.sh");
    let workdir = dir.path("");
    let out = Command::new(script)
        .args(["sbatch", "--array=0-7", "--wait", "--output=slurm-%a.out", "job.sh"])
        .current_dir(&workdir)
        .output()
        .expect("the cluster script runs");
    let log = |name: &str| std::fs::read_to_string(dir.path(name)).unwrap_or_default();
    assert!(
        out.status.success(),
        "sbatch failed:\n{}{}\ntask 0 said: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        log("slurm-0.out")
    );
    let parts: Vec<String> = (0..8).map(|k| format!("part-{k}.json")).collect();
    let mut merge = vec!["merge", "--format", "json"];
    // Any order: the merge sorts the shards' chunks.
    merge.extend(parts.iter().rev().map(String::as_str));
    let merged = Costsim::run_in(&dir, &merge).success().stdout;
    let single = Costsim::run_in(&dir, &["run", "model.toml", "--trials", "2M", "--format", "json"]).success().stdout;
    assert_eq!(merged, single, "the merged shards differ from one process");
    // The pool of shards is really the one the array wrote: eight distinct files.
    let sizes: Vec<u64> = parts.iter().map(|p| std::fs::metadata(dir.path(p)).unwrap().len()).collect();
    assert!(sizes.iter().all(|&s| s > 0), "{sizes:?}");
}
