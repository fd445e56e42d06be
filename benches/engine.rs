//! Engine throughput on `models/bench_fleet_tco.toml` (a copy of the shared reference
//! model), side by side with a hand-written Rust program of the same model: the ratio
//! of the two is the engine's interpretive overhead; and on its 4-period version,
//! `models/bench_fleet_cashflow.toml`, whose time over the single-period model's is the
//! cost of the time axis; and inputs drawn through their quantile functions (lhs) against
//! plain draws. Run with `cargo bench --bench engine`.
//!
//! The hand-written baseline is what a careful programmer would write without costsim:
//! the same distributions and random streams, rayon over the same fixed chunks,
//! straight-line code per trial, and the same streaming statistics.

use std::hint::black_box;
use std::sync::Mutex;

use costsim::internals::dist::{DistKind, Rng, Sampler};
use costsim::internals::engine::CHUNK;
use costsim::internals::stats::order::Tally;
use costsim::internals::stats::{ExactQuantiles, LEVELS, Moments, QuantileSketch};
use costsim::internals::stream::{stream, stream_key};
use costsim::{Model, RunConfig, Simulation};
use criterion::{Criterion, Throughput, criterion_main};
use rayon::prelude::*;

/// The bench model's inputs, one sampler each, with their stream keys.
struct Inputs {
    samplers: Vec<(Sampler, u64)>,
}

impl Inputs {
    fn new() -> Inputs {
        let lognormal = |lo, hi| {
            let (mu, sigma) = costsim::internals::dist::to_lognormal(lo, hi).unwrap();
            Sampler::new(DistKind::LogNormal, &[mu, sigma]).unwrap()
        };
        let s = |kind, params: &[f64]| Sampler::new(kind, params).unwrap();
        let named = [
            ("n_h800", s(DistKind::Pert, &[8000.0, 10000.0, 12000.0])),
            ("n_h100", s(DistKind::Pert, &[8000.0, 10000.0, 12000.0])),
            ("n_h20", s(DistKind::Pert, &[20000.0, 30000.0, 40000.0])),
            ("p_h800", lognormal(25e3, 40e3)),
            ("p_h100", lognormal(20e3, 35e3)),
            ("p_h20", lognormal(10e3, 16e3)),
            ("server_mult", s(DistKind::Triangular, &[1.4, 1.8, 2.5])),
            ("kw_hopper", s(DistKind::Normal, &[1.3, 0.1])),
            ("kw_h20", s(DistKind::Normal, &[0.7, 0.08])),
            ("pue", s(DistKind::Uniform, &[1.15, 1.5])),
            ("elec_price", lognormal(0.05, 0.12)),
            ("utilization", s(DistKind::Beta, &[8.0, 2.0])),
            ("staff", s(DistKind::Normal, &[180.0, 30.0])),
            ("salary", lognormal(150e3, 600e3)),
            ("other_opex_rate", s(DistKind::Uniform, &[0.05, 0.15])),
        ];
        Inputs { samplers: named.into_iter().map(|(name, s)| (s, stream_key(name))).collect() }
    }
}

/// Runs one chunk straight-line per trial; returns the four outputs' columns.
fn hand_written_chunk(inputs: &Inputs, seed: u64, chunk: u64, n: usize) -> [Vec<f64>; 4] {
    let mut rngs: Vec<Rng> = inputs.samplers.iter().map(|(_, key)| stream(seed, *key, chunk)).collect();
    let [mut capex_col, mut opex_col, mut tco_col, mut over_col] =
        [vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]];
    let years = 4.0;
    for i in 0..n {
        let mut x = [0.0; 15];
        for (j, ((sampler, _), rng)) in inputs.samplers.iter().zip(&mut rngs).enumerate() {
            x[j] = sampler.draw(rng);
        }
        let [
            n_h800,
            n_h100,
            n_h20,
            p_h800,
            p_h100,
            p_h20,
            server_mult,
            kw_hopper,
            kw_h20,
            pue,
            elec,
            util,
            staff,
            salary,
            other,
        ] = x;
        let capex = (n_h800 * p_h800 + n_h100 * p_h100 + n_h20 * p_h20) * server_mult;
        let energy = ((n_h800 + n_h100) * kw_hopper + n_h20 * kw_h20) * pue * 8760.0 * years * util * elec;
        let opex = energy + staff * salary * years + other * capex * years;
        capex_col[i] = capex;
        opex_col[i] = opex;
        tco_col[i] = capex + opex;
        over_col[i] = f64::from(capex > 1.6e9);
    }
    [capex_col, opex_col, tco_col, over_col]
}

/// The hand-written program: rayon over fixed chunks in blocks, streaming moments,
/// sketches and exact order statistics, as costsim keeps them.
fn hand_written(inputs: &Inputs, trials: u64, seed: u64) -> Vec<(Moments, QuantileSketch, ExactQuantiles)> {
    let n_chunks = trials.div_ceil(CHUNK as u64);
    let len = |c: u64| (trials - c * CHUNK as u64).min(CHUNK as u64) as usize;
    let first = hand_written_chunk(inputs, seed, 0, len(0));
    let mut acc: Vec<(Moments, QuantileSketch, ExactQuantiles)> = first
        .iter()
        .map(|col| {
            let mut sketch = QuantileSketch::for_values(col);
            sketch.record_all(col);
            let mut exact = ExactQuantiles::new(LEVELS.into(), trials);
            let mut tally = Tally::new(exact.window());
            tally.record(col);
            exact.absorb(tally);
            (Moments::of(col), sketch, exact)
        })
        .collect();
    // Sketches accumulate per thread (exact, order-free). Blocks of chunks run in parallel;
    // each block's moments and tallies are merged in chunk order, the tallies in the
    // windows the merged order statistics had when the block started.
    let empty: Vec<QuantileSketch> = acc.iter().map(|(_, s, _)| s.empty_like()).collect();
    let threads = rayon::current_num_threads();
    let local: Vec<Mutex<Vec<QuantileSketch>>> = (0..threads).map(|_| Mutex::new(empty.clone())).collect();
    let mut start = 1;
    while start < n_chunks {
        let end = (start + start.clamp(1, 64)).min(n_chunks);
        let windows: Vec<_> = acc.iter().map(|(_, _, e)| e.window()).collect();
        let chunks: Vec<Vec<(Moments, Tally)>> = (start..end)
            .into_par_iter()
            .map(|c| {
                let cols = hand_written_chunk(inputs, seed, c, len(c));
                let mut sketches = local[rayon::current_thread_index().unwrap_or(0)].lock().unwrap();
                sketches.iter_mut().zip(&cols).for_each(|(s, col)| s.record_all(col));
                cols.iter()
                    .zip(&windows)
                    .map(|(col, window)| {
                        let mut tally = Tally::new(window.clone());
                        tally.record(col);
                        (Moments::of(col), tally)
                    })
                    .collect()
            })
            .collect();
        for stats in chunks {
            for ((m, _, e), (cm, tally)) in acc.iter_mut().zip(stats) {
                m.merge(&cm);
                e.absorb(tally);
            }
        }
        start = end;
    }
    for sketches in &local {
        acc.iter_mut().zip(sketches.lock().unwrap().iter()).for_each(|((_, s, _), cs)| s.merge(cs));
    }
    for (_, _, exact) in &mut acc {
        assert!(exact.missing().is_empty(), "the bench model's ranks stay in their windows");
    }
    acc
}

/// A model of `models/`.
fn bench_model(name: &str) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models").join(name);
    Model::load(&path).expect("bench model loads")
}

/// Times costsim on `models/{file}` at 1M and 10M trials in group `name`, beside the
/// hand-written program when `baseline` is set (it is the single-period model).
fn model_group(c: &mut Criterion, name: &str, file: &str, baseline: bool) {
    let model = bench_model(file);
    let simulation = Simulation::new(model.clone()).expect("bench model compiles");
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let inputs = Inputs::new();
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for trials in [1_000_000u64, 10_000_000] {
        group.throughput(Throughput::Elements(trials));
        group.bench_function(format!("costsim/{trials}"), |b| {
            b.iter(|| black_box(simulation.run(&RunConfig { trials, seed: 1, threads }).expect("runs")))
        });
        if baseline {
            group.bench_function(format!("hand_written/{trials}"), |b| {
                b.iter(|| black_box(hand_written(&inputs, trials, 1)))
            });
        }
    }
    group.finish();
}

fn fleet_tco(c: &mut Criterion) {
    model_group(c, "fleet_tco", "bench_fleet_tco.toml", true);
}

/// The 4-period model: capex once, opex per year with a per-year utilisation draw.
fn fleet_cashflow(c: &mut Criterion) {
    model_group(c, "fleet_cashflow", "bench_fleet_cashflow.toml", false);
}

/// The shipped fleet model with its units, and the same model with every `unit` removed:
/// checking units adds no work per trial (a conversion is one multiplication where one is
/// needed, and this model needs none: `compile::tests` checks that the ops are the same).
fn units(c: &mut Criterion) {
    let model = bench_model("deepseek_fleet_tco.toml");
    let mut without = model.clone();
    without.vars.iter_mut().for_each(|v| v.unit = None);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut group = c.benchmark_group("units");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    for (name, model) in [("with", model), ("without", without)] {
        let simulation = Simulation::new(model).expect("compiles");
        group.bench_function(format!("{name}/1000000"), |b| {
            b.iter(|| black_box(simulation.run(&RunConfig { trials: 1_000_000, seed: 1, threads }).expect("runs")))
        });
    }
    group.finish();
}

/// `samples` of every output of the fleet model, 1M trials, as CSV and as Parquet, to a
/// sink (formatting and encoding, not the disk).
fn samples(c: &mut Criterion) {
    let model = bench_model("bench_fleet_tco.toml");
    let simulation = Simulation::new(model.clone()).expect("bench model compiles");
    let names = simulation.program.output_vars();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let config = RunConfig { trials: 1_000_000, seed: 1, threads };
    let chunks = 0..config.trials.div_ceil(costsim::internals::engine::CHUNK as u64);
    let mut group = c.benchmark_group("samples");
    group.sample_size(10);
    group.throughput(Throughput::Elements(config.trials));
    group.bench_function("csv/1000000", |b| {
        b.iter(|| {
            costsim::internals::samples::write_csv(&simulation, &config, &names, &mut std::io::sink()).expect("writes")
        })
    });
    group.bench_function("parquet/1000000", |b| {
        b.iter(|| {
            costsim::internals::samples::write_parquet_chunks(
                &simulation,
                &config,
                &names,
                chunks.clone(),
                &mut std::io::sink(),
            )
            .expect("writes")
        })
    });
    group.finish();
}

/// Inputs drawn through their quantile functions (lhs) against plain draws (mc), 1M
/// trials each: gamma with a huge and a tiny shape, beta with small shapes, and a beta
/// truncated next to its bound (tabulated: 0.15 s for the default Shapley on it, against
/// 2.05 s with a root-finding per draw).
fn quantiles(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut group = c.benchmark_group("quantiles");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    for (name, dist) in [
        ("gamma_1e6", "gamma(1e6, 1)"),
        ("gamma_0.1", "gamma(0.1, 2)"),
        ("beta_0.7_0.3", "beta(0.7, 0.3)"),
        ("truncated_beta", "truncate(beta(2, 2), 0.999999999, 1)"),
    ] {
        for sampling in ["mc", "lhs"] {
            let text = format!("[model]\nname = \"q\"\nsampling = \"{sampling}\"\n[vars]\nx = \"{dist}\"\n");
            let model = Model::parse("q.toml", text).expect("parses");
            let simulation = Simulation::new(model.clone()).expect("compiles");
            group.bench_function(format!("{name}/{sampling}"), |b| {
                b.iter(|| black_box(simulation.run(&RunConfig { trials: 1_000_000, seed: 1, threads }).expect("runs")))
            });
        }
    }
    group.finish();
}

/// Loading and compiling large models, as `costsim check` does: n independent vars, and a
/// 2-var model with n scenarios (each compiled). Both must grow as n log n at most; at n =
/// 8,000 scenarios and 80,000 vars they once took 49 s and 33 s (linear name lookups, and
/// a copy of every scenario for each one).
fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for n in [20_000, 80_000] {
        let vars: String = (0..n).map(|i| format!("v{i} = \"normal({i}, 1)\"\n")).collect();
        let text = format!("[model]\nname = \"big\"\n[vars]\n{vars}");
        group.throughput(Throughput::Elements(n));
        group.bench_function(format!("vars/{n}"), |b| {
            b.iter(|| {
                let model = Model::parse("big.toml", text.clone()).expect("parses");
                black_box(Simulation::new(model).expect("compiles").program.vars().len())
            })
        });
    }
    for n in [2_000, 8_000] {
        let scenarios: String = (0..n).map(|i| format!("[scenarios.s{i}]\nx = \"normal({i}, 1)\"\n")).collect();
        let text = format!("[model]\nname = \"many\"\n[vars]\nx = \"normal(1, 1)\"\ny = \"x * 2\"\n{scenarios}");
        group.throughput(Throughput::Elements(n));
        group.bench_function(format!("scenarios/{n}"), |b| {
            b.iter(|| {
                let model = Model::parse("many.toml", text.clone()).expect("parses");
                for scenario in model.scenarios.iter() {
                    let variant = model.with_scenario(&scenario.name.name).expect("applies");
                    black_box(Simulation::new(variant).expect("compiles").program.vars().len());
                }
            })
        });
    }
    group.finish();
}

mod group {
    #![allow(missing_docs)]
    use super::*;
    criterion::criterion_group!(benches, fleet_tco, fleet_cashflow, units, samples, quantiles, load);
}

criterion_main!(group::benches);
