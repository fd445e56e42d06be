//! Property tests over thousands of models per run: random models from the grammar and
//! mutations of the shipped ones. Whatever the text, loading, compiling and running give a
//! result or a rendered diagnostic — never a panic — and the result is the same on 1 and 3
//! threads, and the same when the run is split into shards that are joined in any order.
//! Trials are few, so no case can hang the suite.

use std::panic::{AssertUnwindSafe, catch_unwind};

use costsim::internals::engine::{Accumulators, RunConfig};
use costsim::model::Model;
use costsim::study::Simulation;
use proptest::prelude::*;

/// Runs `text` as a model: `Ok(summaries)` or `Err(rendered error)`; panics propagate.
fn outcome(text: &str, trials: u64, threads: usize) -> Result<String, String> {
    let model = Model::parse("m.toml", text.to_string()).map_err(|e| e.to_string())?;
    let simulation = Simulation::new(model.clone()).map_err(|e| e.to_string())?;
    let config = RunConfig { trials, seed: 7, threads };
    let summaries = simulation.run(&config).map_err(|e| e.to_string())?;
    Ok(format!("{summaries:?}"))
}

/// The property: no panic, an error message that says something, and thread-count
/// independence. Returns whether the model ran.
fn check(text: &str, trials: u64) -> Result<bool, TestCaseError> {
    let one = catch_unwind(AssertUnwindSafe(|| outcome(text, trials, 1)));
    let one = one.map_err(|_| TestCaseError::fail(format!("panic on:\n{text}")))?;
    if let Err(message) = &one {
        prop_assert!(message.starts_with("error: ") || message.contains("cannot"), "{message}\n{text}");
        return Ok(false);
    }
    let three = catch_unwind(AssertUnwindSafe(|| outcome(text, trials, 3)));
    let three = three.map_err(|_| TestCaseError::fail(format!("panic on 3 threads:\n{text}")))?;
    prop_assert_eq!(one, three, "thread count changed the result of:\n{}", text);
    Ok(true)
}

/// Checks `cases` models from `strategy` with `trials` trials each; asserts that at least
/// `min_share` of them ran (so the cases exercise the simulator, not only the parser).
fn hold(strategy: impl Strategy<Value = String>, cases: u32, trials: u64, min_share: f64) {
    use std::sync::atomic::{AtomicU32, Ordering};
    let config = ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() };
    let ran = AtomicU32::new(0);
    let result = proptest::test_runner::TestRunner::new(config).run(&strategy, |text| {
        if check(&text, trials)? {
            ran.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let ran = ran.into_inner();
    eprintln!("{ran} of {cases} models ran");
    assert!(f64::from(ran) >= min_share * f64::from(cases), "only {ran} of {cases} models ran");
}

/// Numbers a model might hold, extremes included.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (0.1f64..1000.0).prop_map(|x| format!("{x}")),
        2 => (-1e6f64..1e6).prop_map(|x| format!("{x}")),
        2 =>
        prop::sample::select(vec!["0", "1", "-1", "0.5", "1e308", "-1e308", "1e-300", "5e9", "1e12", "2k", "30%", "1.5M"])
            .prop_map(str::to_string),
    ]
}

/// An expression over vars `v0 … v{n-1}`.
fn expression(n: usize) -> impl Strategy<Value = String> {
    let name = move || (0..n.max(1)).prop_map(move |i| if n == 0 { "1".to_string() } else { format!("v{i}") });
    let leaf = prop_oneof![number(), name()];
    leaf.prop_recursive(3, 24, 3, |inner| {
        let dist = prop::sample::select(vec![
            ("normal", 2),
            ("lognormal", 2),
            ("uniform", 2),
            ("triangular", 3),
            ("pert", 3),
            ("beta", 2),
            ("gamma", 2),
            ("exponential", 1),
            ("poisson", 1),
            ("bernoulli", 1),
            ("binomial", 2),
        ]);
        prop_oneof![
            (inner.clone(), prop::sample::select(vec!["+", "-", "*", "/", "^", "<", ">=", "and"]), inner.clone())
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (dist, prop::collection::vec(inner.clone(), 3))
                .prop_map(|((f, arity), args)| format!("{f}({})", args[..arity].join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} to {b}")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("if({c}, {a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            (inner.clone(), inner.clone(), inner)
                .prop_map(|(d, lo, hi)| format!("truncate(normal({d}, 1), {lo}, {hi})")),
        ]
    })
}

/// A whole model: up to 6 vars each over the earlier ones, a sampling method, maybe a
/// correlation and a scenario.
fn model() -> impl Strategy<Value = String> {
    (1usize..7)
        .prop_flat_map(|n| {
            let vars: Vec<_> = (0..n).map(expression).collect();
            (vars, prop::sample::select(vec!["mc", "lhs", "qmc"]), any::<bool>(), (0..n, expression(n)))
        })
        .prop_map(|(vars, sampling, correlate, (target, scenario))| {
            let mut text = format!("[model]\nname = \"generated\"\nsampling = \"{sampling}\"\n[vars]\n");
            for (i, e) in vars.iter().enumerate() {
                text.push_str(&format!("v{i} = \"{e}\"\n"));
            }
            if correlate && vars.len() > 1 {
                text.push_str("[[correlations]]\nvars = [\"v0\", \"v1\"]\nrank = 0.6\n");
            }
            text.push_str(&format!("[scenarios.s]\nv{target} = \"{scenario}\"\n"));
            text
        })
}

/// A positive parameter, now and then an extreme one.
fn positive() -> impl Strategy<Value = f64> {
    prop_oneof![8 => 0.01f64..1e4, 1 => prop::sample::select(vec![1e-300, 1e-6, 1e6, 5e9, 1e12, 1e300])]
}

/// A var that is valid by construction: a distribution with parameters in range, or a
/// formula over earlier vars (`v0 … v{n-1}`).
fn valid_var(n: usize) -> BoxedStrategy<String> {
    let dist = prop_oneof![
        (-1e6f64..1e6, positive()).prop_map(|(m, s)| format!("normal({m}, {s})")),
        (-1e6f64..1e6, positive()).prop_map(|(a, w)| format!("uniform({a}, {})", a + w)),
        (positive(), positive()).prop_map(|(lo, w)| format!("{lo} to {}", lo + w)),
        (-1e3f64..1e3, positive(), positive()).prop_map(|(a, w, v)| format!("pert({a}, {}, {})", a + w, a + w + v)),
        positive().prop_map(|l| format!("poisson({l})")),
        (positive(), positive()).prop_map(|(k, t)| format!("gamma({k}, {t})")),
        (positive(), positive()).prop_map(|(a, b)| format!("beta({a}, {b})")),
        (0.0f64..1.0).prop_map(|p| format!("bernoulli({p})")),
    ];
    if n == 0 {
        return dist.boxed();
    }
    let var = move || (0..n).prop_map(|i| format!("v{i}"));
    let op = prop::sample::select(vec!["+", "-", "*", "/", "^", ">", "<="]);
    prop_oneof![
        3 => dist,
        2 => (var(), op, var()).prop_map(|(a, op, b)| format!("{a} {op} {b}")),
        1 => (var(), -1e3f64..1e3).prop_map(|(a, c)| format!("max({a}, {c})")),
        1 => (var(), -1e3f64..1e3, var()).prop_map(|(a, c, b)| format!("if({a} > {c}, {b}, {c})")),
    ]
    .boxed()
}

/// A model whose every var is valid by construction (it may still overflow or divide by
/// zero in some trials, which must then be reported).
fn valid_model() -> impl Strategy<Value = String> {
    (1usize..8)
        .prop_flat_map(|n| {
            ((0..n).map(valid_var).collect::<Vec<_>>(), prop::sample::select(vec!["mc", "lhs", "qmc"]), -0.9f64..0.9)
        })
        .prop_map(|(vars, sampling, rho)| {
            let mut text = format!("[model]\nname = \"valid\"\nsampling = \"{sampling}\"\n[vars]\n");
            for (i, e) in vars.iter().enumerate() {
                text.push_str(&format!("v{i} = \"{e}\"\n"));
            }
            let draws: Vec<usize> = (0..vars.len())
                .filter(|&i| {
                    vars[i].contains('(') && !vars[i].starts_with("max") && !vars[i].starts_with("if")
                        || vars[i].contains(" to ")
                })
                .collect();
            if let [a, b, ..] = draws[..] {
                text.push_str(&format!("[[correlations]]\nvars = [\"v{a}\", \"v{b}\"]\nrank = {rho}\n"));
            }
            text
        })
}

/// The shipped models, as a user would start from them.
const SHIPPED: [&str; 8] = [
    include_str!("../models/deepseek_fleet_tco.toml"),
    include_str!("../models/deepseek_fleet_cashflow.toml"),
    include_str!("../models/deepseek_final_run.toml"),
    include_str!("../models/deepseek_program.toml"),
    include_str!("../models/epoch_hardware_cost.toml"),
    include_str!("../models/bench_fleet_tco.toml"),
    include_str!("../models/bench_fleet_cashflow.toml"),
    include_str!("../models/ishigami.toml"),
];

/// Text a careless edit might leave.
const SNIPPETS: [&str; 16] = [
    "\"",
    "[",
    "]",
    "=",
    "(",
    ")",
    "1e308",
    "-",
    "\n",
    " to ",
    ",",
    "{",
    "}",
    "x",
    "0",
    "\n[scenarios.z]\nrank = \"1\"\n",
];

/// One of the shipped models after one or two edits: a deletion, an insertion, or a line
/// duplicated.
fn mutated() -> impl Strategy<Value = String> {
    let edit = (0..3u8, any::<prop::sample::Index>(), 0usize..40, prop::sample::select(SNIPPETS.to_vec()));
    (prop::sample::select(SHIPPED.to_vec()), prop::collection::vec(edit, 1..3)).prop_map(|(text, edits)| {
        let mut chars: Vec<char> = text.chars().collect();
        for (kind, at, len, snippet) in edits {
            let i = at.index(chars.len().max(1));
            match kind {
                0 => {
                    let end = (i + len).min(chars.len());
                    chars.drain(i..end);
                }
                1 => {
                    chars.splice(i..i, snippet.chars());
                }
                _ => {
                    let start = chars[..i].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
                    let end = chars[i..].iter().position(|&c| c == '\n').map_or(chars.len(), |p| i + p + 1);
                    let line: Vec<char> = chars[start..end].to_vec();
                    chars.splice(end..end, line);
                }
            }
        }
        chars.into_iter().collect()
    })
}

#[test]
fn generated_models_run_or_explain_and_ignore_the_thread_count() {
    // Most random formulas are invalid models: these exercise the diagnostics.
    hold(model(), 1500, 500, 0.05);
}

#[test]
fn valid_generated_models_run_or_explain_and_ignore_the_thread_count() {
    // Fewer: extreme beta and gamma shapes cost up to a second to tabulate.
    hold(valid_model(), 600, 500, 0.5);
}

#[test]
fn mutated_shipped_models_run_or_explain_and_ignore_the_thread_count() {
    hold(mutated(), 1500, 300, 0.2);
}

/// The property of sharded runs: `m` shards of a run, joined in the order `order` picks
/// (partial joins included), give the same summaries as the whole run, to the bit.
fn shards_join_to_the_whole(text: &str, trials: u64, m: u64, order: &[usize]) -> Result<bool, TestCaseError> {
    let Ok(model) = Model::parse("m.toml", text.to_string()) else { return Ok(false) };
    let Ok(simulation) = Simulation::new(model.clone()) else { return Ok(false) };
    let config = RunConfig { trials, seed: 11, threads: 2 };
    let Ok(whole) = simulation.simulate(&config, &mut |_| {}) else { return Ok(false) };
    let mut shards: Vec<Option<Accumulators>> = (0..m)
        .map(|k| {
            Some(simulation.simulate_shard(&config, costsim::internals::engine::shard_chunks(trials, k, m)).unwrap())
        })
        .collect();
    // The shards `order` names first (each once) are joined apart, the rest apart, then
    // the two joins are joined: a partial merge of each group, then their merge.
    let mut first: Vec<Accumulators> =
        order.iter().filter(|&&k| (k as u64) < m).filter_map(|&k| shards[k].take()).collect();
    let rest: Vec<Accumulators> = shards.into_iter().flatten().collect();
    let join = |group: Vec<Accumulators>| Accumulators::join(group).map_err(|e| TestCaseError::fail(e.to_string()));
    if !rest.is_empty() {
        first.push(join(rest)?);
    }
    let mut joined = join(first)?;
    simulation.finish(&mut joined, &config).map_err(|e| TestCaseError::fail(e.to_string()))?;
    for (i, (a, b)) in simulation.summaries(&whole).iter().zip(simulation.summaries(&joined)).enumerate() {
        let parts = |s: &costsim::internals::stats::Summary| {
            let buckets: Vec<(f64, u64)> = s.sketch.buckets().collect();
            [
                format!("moments {:?}", s.moments),
                format!("percentiles {:?}", s.percentiles),
                format!("intervals {:?}", s.percentile_ci95),
                format!("mean interval {:?} {:?}", s.mean_ci95, s.mean_caveat),
                format!("sketch {buckets:?}"),
            ]
        };
        for (x, y) in parts(a).iter().zip(parts(&b)) {
            prop_assert!(x == &y, "output {i}, {m} shards of {trials} trials joined as {order:?}:\n{x}\n{y}\n{text}");
        }
    }
    Ok(true)
}

#[test]
fn sharded_runs_joined_in_any_order_equal_the_whole_run() {
    let config = ProptestConfig { cases: 60, failure_persistence: None, ..ProptestConfig::default() };
    let cases = (valid_model(), 1..40_000u64, 1..9u64, proptest::collection::vec(0..8usize, 0..8));
    let ran = std::sync::atomic::AtomicU32::new(0);
    let result = proptest::test_runner::TestRunner::new(config).run(&cases, |(text, trials, m, order)| {
        if shards_join_to_the_whole(&text, trials, m, &order)? {
            ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    assert!(ran.into_inner() >= 30, "most generated models run");
}
