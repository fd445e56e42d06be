//! Sobol indices of the Ishigami function (3 factors): N·5 model evaluations plus the
//! bootstrap, at N = 2^14 and 2^16. Run with `cargo bench --bench sensitivity`.

use std::hint::black_box;

use costsim::sensitivity::{self, Method, SensitivityConfig};
use costsim::{Model, Simulation};
use criterion::{Criterion, criterion_main};

const ISHIGAMI: &str = include_str!("../models/ishigami.toml");

fn ishigami(c: &mut Criterion) {
    let model = Model::parse("ishigami.toml", ISHIGAMI.to_string()).expect("model loads");
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut group = c.benchmark_group("sobol_ishigami");
    group.sample_size(10);
    for log_n in [14u32, 16] {
        let config = SensitivityConfig {
            output: "y".into(),
            methods: vec![Method::Sobol],
            trials: Some(1 << log_n),
            default_trials: 1 << log_n,
            seed: 1,
            threads,
            tornado_range: (0.1, 0.9),
        };
        group.bench_function(format!("N=2^{log_n}"), |b| {
            b.iter(|| black_box(sensitivity::analyse(&Simulation::new(&model).unwrap(), &config).expect("runs")))
        });
    }
    group.finish();
}

mod group {
    #![allow(missing_docs)]
    use super::*;
    criterion::criterion_group!(benches, ishigami);
}

criterion_main!(group::benches);
