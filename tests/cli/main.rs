//! Integration tests of the `costsim` binary: one test binary, one module per area.

mod check;
mod compare;
mod completions;
mod correlations;
mod data;
mod determinism;
mod errors;
mod forged;
mod hostile;
mod models;
mod newcomer;
mod output;
mod periods;
mod report;
mod run;
mod samples;
mod sensitivity;
mod shard;
mod slurm;
mod snapshots;
mod util;
