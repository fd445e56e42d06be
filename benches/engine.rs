//! Engine throughput on `models/bench_fleet_tco.toml` (a copy of the shared reference
//! model), reported as trials per second. Run with `cargo bench --bench engine`.

use std::hint::black_box;

use costsim::{Model, RunConfig, Simulation};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn fleet_tco(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/models/bench_fleet_tco.toml");
    let model = Model::load(std::path::Path::new(path)).expect("bench model loads");
    let simulation = Simulation::new(&model).expect("bench model compiles");
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut group = c.benchmark_group("fleet_tco");
    group.sample_size(10);
    for trials in [1_000_000u64, 10_000_000] {
        group.throughput(Throughput::Elements(trials));
        group.bench_function(format!("costsim/{trials}"), |b| {
            b.iter(|| black_box(simulation.run(&RunConfig { trials, seed: 1, threads }).expect("runs")))
        });
    }
    group.finish();
}

mod group {
    #![allow(missing_docs)]
    use super::*;
    criterion_group!(benches, fleet_tco);
}

criterion_main!(group::benches);
