//! Sensitivity estimators: Sobol indices of the Ishigami function (3 factors, N·5 model
//! evaluations) at N = 2^14 and 2^16, and Shapley effects of the fleet model's `tco` (15
//! inputs, two of them correlated) at the default N (2^21 base trials, 512 random
//! permutations, N·16 evaluations). Run with `cargo bench --bench sensitivity`.

use std::hint::black_box;

use costsim::internals::sensitivity::{self, Method, SensitivityConfig};
use costsim::{Model, Simulation};
use criterion::{Criterion, criterion_main};

const ISHIGAMI: &str = include_str!("../models/ishigami.toml");
const FLEET: &str = include_str!("../models/deepseek_fleet_tco.toml");

/// One method on one output, with `trials` (None: the method's default).
fn config(output: &str, method: Method, trials: Option<u64>) -> SensitivityConfig {
    SensitivityConfig {
        outputs: vec![output.into()],
        method: Some(method),
        tornado: None,
        trials,
        default_trials: 1_000_000,
        seed: 1,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        tornado_range: (0.1, 0.9),
    }
}

fn ishigami(c: &mut Criterion) {
    let model = Model::parse("ishigami.toml", ISHIGAMI.to_string()).expect("model loads");
    let mut group = c.benchmark_group("sobol_ishigami");
    group.sample_size(10);
    for log_n in [14u32, 16] {
        let config = config("y", Method::Sobol, Some(1 << log_n));
        group.bench_function(format!("N=2^{log_n}"), |b| {
            b.iter(|| black_box(sensitivity::analyse(&Simulation::new(model.clone()).unwrap(), &config).expect("runs")))
        });
    }
    group.finish();
}

fn fleet(c: &mut Criterion) {
    let model = Model::parse("deepseek_fleet_tco.toml", FLEET.to_string()).expect("model loads");
    let mut group = c.benchmark_group("shapley_fleet");
    group.sample_size(10);
    let config = config("tco", Method::Shapley, None);
    group.bench_function("tco default", |b| {
        b.iter(|| black_box(sensitivity::analyse(&Simulation::new(model.clone()).unwrap(), &config).expect("runs")))
    });
    group.finish();
}

mod group {
    #![allow(missing_docs)]
    use super::*;
    criterion::criterion_group!(benches, ishigami, fleet);
}

criterion_main!(group::benches);
