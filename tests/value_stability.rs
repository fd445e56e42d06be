//! Value stability: the first draws of every distribution, for a fixed seed, are pinned
//! to the bit (as rand_distr does for its own samplers). A dependency bump, a new
//! sampler or a change to stream keys that moves any of them fails here, and must be
//! a deliberate, announced change: users reproduce published figures from the seed.
//!
//! Each case is one var of a model; the pinned values are trials 0, 1, 2 (the first
//! chunk) and 4096 (the first trial of the second chunk, to pin chunk keying too).

use costsim::internals::dist::DistKind;
use costsim::{Model, RunConfig, Simulation};

/// The trials whose values are pinned.
const TRIALS: [usize; 4] = [0, 1, 2, 4096];

/// (var name, expression, its values at [`TRIALS`]) under plain Monte Carlo, seed 42.
/// Every distribution appears, with a second case where a parameter range takes a
/// different algorithm (small shapes, large rates).
const MC: &[(&str, &str, [f64; 4])] = &[
    ("normal", "normal(10, 2)", [10.439693617580575, 12.865191632857858, 7.606271763732094, 13.620124465471415]),
    ("lognormal", "lognormal(1, 0.5)", [3.7760302851970553, 4.733183040355688, 2.409497798668497, 2.5293454390162777]),
    ("uniform", "uniform(2, 5)", [4.472881049719632, 2.50542534561849, 4.9226308170192805, 3.801699632801835]),
    (
        "triangular",
        "triangular(1, 2, 4)",
        [2.8430512150928546, 3.9237646436092914, 1.9528855972104866, 1.7114934568336442],
    ),
    ("pert", "pert(1, 2, 4)", [1.72585400497409, 1.2415452787757408, 1.967577554644861, 1.555630966755471]),
    ("beta", "beta(2, 5)", [0.2764680194905676, 0.18485835955786153, 0.4404748181742659, 0.1513427398247894]),
    (
        "beta_small",
        "beta(0.01, 0.02)",
        [6.801087392761935e-166, 5.8320870724040056e-43, 4.1026867102905105e-42, 5.669253936301167e-72],
    ),
    ("gamma", "gamma(2, 3)", [7.241638354441905, 1.8992767256207095, 4.841100704548264, 2.929123958877386]),
    (
        "gamma_small",
        "gamma(0.3, 1)",
        [0.613699692808255, 0.1252738297735885, 0.05386564957922674, 2.1884890698586212e-5],
    ),
    (
        "exponential",
        "exponential(0.5)",
        [0.05541765968191408, 0.8895196897567359, 1.4148601657453554, 2.8906232990530167],
    ),
    ("poisson", "poisson(3)", [1.0, 2.0, 4.0, 3.0]),
    ("poisson_large", "poisson(1000)", [997.0, 992.0, 1006.0, 1013.0]),
    (
        "poisson_huge",
        "poisson(1e20)",
        [1.0000000000746409e20, 9.999999998804736e19, 1.0000000001569209e20, 1.000000000025054e20],
    ),
    ("bernoulli", "bernoulli(0.3)", [0.0, 1.0, 1.0, 1.0]),
    ("binomial", "binomial(10, 0.4)", [2.0, 2.0, 3.0, 6.0]),
    ("binomial_large", "binomial(1000000, 0.3)", [299896.0, 299541.0, 300376.0, 300040.0]),
    ("ci", "1 to 10", [1.7417684993238283, 4.99697321426062, 3.0242700691599476, 7.413338002400081]),
    (
        "truncated",
        "truncate(normal(0, 1), 2, 3)",
        [2.1379648876444826, 2.039050885291758, 2.242087901683514, 2.3361825772967806],
    ),
    ("choice", "choice([1, 2, 3], [0.2, 0.3, 0.5])", [3.0, 3.0, 3.0, 3.0]),
    (
        "metalog",
        "metalog([0.1, 0.5, 0.9], [3, 6, 15], 0)",
        [5.1377761445368195, 41.67306241968354, 7.521385691544516, 2.433643773600509],
    ),
    (
        "metalog_five",
        "metalog([0.05, 0.25, 0.5, 0.75, 0.95], [1, 2, 3, 5, 9], 0, 20)",
        [12.389220800337128, 1.9857959333602613, 3.771125152065181, 3.2004890051669057],
    ),
    ("empirical", "empirical([5, 1, 4, 2, 3])", [1.0, 2.0, 3.0, 3.0]),
    (
        "lognormal_mean_sd",
        "lognormal(mean = 6, sd = 2)",
        [5.081489444485268, 3.2197628552459037, 4.727843007155042, 5.446770897190981],
    ),
    (
        "normal_percentiles",
        "normal(p10 = 2, p90 = 5)",
        [2.198806129923701, 2.9806749813486655, 4.365977640810736, 3.23481526922582],
    ),
    (
        "pert_lambda",
        "pert(1, 2, 4, lambda = 6)",
        [2.4075632105008906, 2.0122477092012003, 2.0106360804889487, 1.8469513746285684],
    ),
];

/// Inputs drawn through their quantile functions, under `lhs`.
const LHS: &[(&str, &str, [f64; 4])] = &[
    ("normal", "normal(10, 2)", [8.390637585651614, 7.521974144284561, 9.989817901498538, 13.228648240860268]),
    ("ci", "1 to 10", [3.2828948453475038, 2.757357929889836, 1.2620112509686794, 8.392550577424085]),
    ("gamma", "gamma(2, 3)", [9.657988561880135, 3.2362332233784716, 10.536195743828666, 1.0512587969694192]),
    (
        "metalog",
        "metalog([0.1, 0.5, 0.9], [3, 6, 15], 0)",
        [9.148752374988348, 2.4412917954990307, 8.32837923358584, 2.433643773600509],
    ),
];

/// The same inputs under `qmc`.
const QMC: &[(&str, &str, [f64; 4])] = &[
    ("normal", "normal(10, 2)", [8.132298906890854, 10.90858306878342, 12.881757019107917, 8.129457663008612]),
    ("ci", "1 to 10", [1.1762312092773863, 3.6346731247619823, 2.318980518405061, 2.7612858846476285]),
    ("gamma", "gamma(2, 3)", [3.959208405359899, 10.982120784698935, 1.874577377215613, 7.398870047214741]),
];

/// A rank-correlated pair (Gaussian copula), rank 0.7.
const CORRELATED: &[(&str, &str, [f64; 4])] = &[
    ("a", "normal(10, 2)", [13.049808831515643, 13.669905839428793, 6.476372475324807, 10.578419976169496]),
    ("b", "pert(1, 2, 4)", [2.450833786024958, 2.522978074136286, 1.1382958645862342, 2.934457097456298]),
];

/// The values at [`TRIALS`] of each case's var, in a model with `header` lines in
/// `[model]` and `footer` after `[vars]`.
fn draws(cases: &[(&str, &str, [f64; 4])], header: &str, footer: &str) -> Vec<[f64; 4]> {
    let vars: String = cases.iter().map(|(name, expr, _)| format!("{name} = \"{expr}\"\n")).collect();
    let names: Vec<&str> = cases.iter().map(|(name, _, _)| *name).collect();
    let text = format!("[model]\nname = \"pins\"\nseed = 42\n{header}\n[vars]\n{vars}{footer}");
    let model = Model::parse("pins.toml", text).expect("model loads");
    let simulation = Simulation::new(model.clone()).expect("compiles").keeping(&names).expect("vars exist");
    let config = RunConfig { trials: 4097, seed: 42, threads: 2 };
    let mut csv = Vec::new();
    costsim::internals::samples::write_csv(&simulation, &config, &names, &mut csv).expect("runs");
    let rows: Vec<Vec<f64>> = String::from_utf8(csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    (0..cases.len()).map(|c| TRIALS.map(|t| rows[t][c])).collect()
}

/// Asserts each case's draws equal its pins to the bit, listing every case that moved
/// with its new values in the table's syntax.
#[track_caller]
fn assert_pinned(cases: &[(&str, &str, [f64; 4])], header: &str, footer: &str) {
    let moved: Vec<String> = cases
        .iter()
        .zip(draws(cases, header, footer))
        .filter(|((_, _, pinned), got)| pinned.map(f64::to_bits) != got.map(f64::to_bits))
        .map(|((name, expr, _), got)| format!("    (\"{name}\", \"{expr}\", {got:?}),"))
        .collect();
    assert!(moved.is_empty(), "draws moved; if deliberate, update the pins:\n{}", moved.join("\n"));
}

#[test]
fn every_distribution_is_pinned() {
    for (name, _) in DistKind::ALL {
        assert!(MC.iter().any(|(_, expr, _)| expr.starts_with(&format!("{name}("))), "no pinned draws for `{name}`");
    }
}

#[test]
fn monte_carlo_draws_are_stable() {
    assert_pinned(MC, "", "");
}

#[test]
fn latin_hypercube_draws_are_stable() {
    assert_pinned(LHS, "sampling = \"lhs\"", "");
}

#[test]
fn quasi_monte_carlo_draws_are_stable() {
    assert_pinned(QMC, "sampling = \"qmc\"", "");
}

#[test]
fn correlated_draws_are_stable() {
    assert_pinned(CORRELATED, "", "[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.7\n");
}
