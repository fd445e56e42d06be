//! Multi-period models against closed forms: `sum`, `npv`, `cumsum`, `mean`, `min`/`max`
//! over a series, scalars shared by every period, per-period draws, and the same checks on
//! a shifted and scaled model (outputs far from zero).
//!
//! Each case runs n = 400,000 trials with a fixed seed. A mean must lie within 5
//! standard errors σ/√n of its closed form; a standard deviation within 5 standard
//! errors of σ, the standard error of a normal sample's sd being σ/√(2n) (every output
//! checked that way is normal, or a sum of normals).

use costsim::internals::stats::Summary;
use costsim::{Model, RunConfig, Simulation};

const N: u64 = 400_000;

/// Runs `vars` in a model with `periods`, returning each output's summary by name.
fn run(periods: &str, vars: &str, sampling: &str) -> Vec<(String, Summary)> {
    let text = format!("[model]\nname = \"t\"\nperiods = {periods}\nsampling = \"{sampling}\"\n[vars]\n{vars}");
    let model = Model::parse("t.toml", text).unwrap();
    let simulation = Simulation::new(model.clone()).unwrap();
    let summaries = simulation.run(&RunConfig { trials: N, seed: 7, threads: 2 }).unwrap();
    summaries.into_iter().enumerate().map(|(i, s)| (simulation.program.output_name(i), s)).collect()
}

fn find<'a>(outputs: &'a [(String, Summary)], name: &str) -> &'a Summary {
    &outputs.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no output {name}")).1
}

/// Asserts the mean and sd of a normal output against their closed forms.
#[track_caller]
fn normal_like(s: &Summary, mean: f64, sd: f64) {
    let n = N as f64;
    let mean_error = sd / n.sqrt();
    assert!((s.moments.mean - mean).abs() < 5.0 * mean_error, "mean {} vs {mean} (se {mean_error})", s.moments.mean);
    let sd_error = sd / (2.0 * n).sqrt();
    assert!((s.moments.std() - sd).abs() < 5.0 * sd_error, "sd {} vs {sd} (se {sd_error})", s.moments.std());
}

/// Σ 1.1^(−2k) for k = 1..=5: the npv's variance per unit of a period's variance.
fn discount_squares() -> f64 {
    (1..=5).map(|k| 1.1f64.powi(-2 * k)).sum()
}

#[test]
fn sum_and_npv_of_independent_periods_match_their_closed_forms() {
    for sampling in ["mc", "lhs", "qmc"] {
        let outputs = run(
            "5",
            "cash = { value = \"normal(100, 10)\", per_period = true }\ntotal = \"sum(cash)\"\npv = \"npv(0.1, cash)\"\n",
            sampling,
        );
        normal_like(find(&outputs, "total"), 500.0, 5f64.sqrt() * 10.0);
        let pv_mean: f64 = (1..=5).map(|k| 100.0 / 1.1f64.powi(k)).sum();
        assert!((pv_mean - 379.078_676_940_845_5).abs() < 1e-9);
        normal_like(find(&outputs, "pv"), pv_mean, 10.0 * discount_squares().sqrt());
    }
}

#[test]
fn the_same_checks_hold_far_from_zero_and_scaled() {
    // A fixed cost of 1B per period plus the same small variable part, in units of 1k.
    let outputs = run(
        "5",
        "cash = { value = \"1B + normal(100k, 10k)\", per_period = true }\ntotal = \"sum(cash)\"\npv = \"npv(0.1, cash)\"\n",
        "mc",
    );
    normal_like(find(&outputs, "total"), 5e9 + 500e3, 5f64.sqrt() * 10e3);
    let pv_mean: f64 = (1..=5).map(|k| (1e9 + 100e3) / 1.1f64.powi(k)).sum();
    normal_like(find(&outputs, "pv"), pv_mean, 10e3 * discount_squares().sqrt());
}

#[test]
fn a_scalar_draw_is_shared_by_every_period() {
    // x = d · 1.1^t with d ~ N(100, 10) drawn once per trial: x[0] − x[3] = d·(1 − 1.331)
    // exactly; a per-period draw differs independently: y[0] − y[3] has sd 10·√2.
    let outputs = run(
        "4",
        "d = \"normal(100, 10)\"\nx = \"d * 1.1^t\"\ny = { value = \"normal(100, 10)\", per_period = true }\n\
         shared = \"at(x, 0) - at(x, 3)\"\nfresh = \"at(y, 0) - at(y, 3)\"\nd_alone = \"d\"\n",
        "mc",
    );
    let shared = find(&outputs, "shared");
    normal_like(shared, -33.1, 3.31);
    normal_like(find(&outputs, "fresh"), 0.0, 10.0 * 2f64.sqrt());
    // The shared draw makes x[0] − x[3] the same multiple of d in every trial, so its
    // extremes are d's extremes times 1 − 1.1³ = −0.331 (to rounding).
    let d = find(&outputs, "d_alone");
    let factor = 1.0 - 1.1f64.powi(3);
    for (difference, of_d) in [(shared.moments.min, d.moments.max), (shared.moments.max, d.moments.min)] {
        let expected = of_d * factor;
        assert!((difference - expected).abs() <= 1e-12 * expected.abs(), "{difference} vs {expected}");
    }
}

#[test]
fn cumsum_is_a_random_walk_and_mean_min_max_reduce_a_series() {
    let outputs = run(
        "[\"q1\", \"q2\", \"q3\", \"q4\"]",
        "shock = { value = \"normal(0, 1)\", per_period = true }\nwalk = \"cumsum(shock)\"\n\
         average = \"mean(shock)\"\nhigh = \"max(at(shock, 0), at(shock, 1))\"\nhighest2 = \"max(shock * [1, 1, 0, 0] - [0, 0, 100, 100])\"\n",
        "mc",
    );
    for (k, label) in ["q1", "q2", "q3", "q4"].iter().enumerate() {
        normal_like(find(&outputs, &format!("walk[{label}]")), 0.0, ((k + 1) as f64).sqrt());
    }
    normal_like(find(&outputs, "average"), 0.0, 0.5);
    // The larger of two independent N(0, 1): mean 1/√π, variance 1 − 1/π. The series
    // reduction `max(x)` and the two-argument `max(a, b)` agree trial by trial.
    let (two, series) = (find(&outputs, "high"), find(&outputs, "highest2"));
    let sd = (1.0 - 1.0 / std::f64::consts::PI).sqrt();
    assert!((two.moments.mean - 1.0 / std::f64::consts::PI.sqrt()).abs() < 5.0 * sd / (N as f64).sqrt());
    assert_eq!(two.moments.mean.to_bits(), series.moments.mean.to_bits());
    assert_eq!(
        two.percentiles.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        series.percentiles.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
}

#[test]
fn series_arithmetic_folds_constants_per_period() {
    // Spreadsheet columns: capex in the first year, a price falling 30% a year.
    let outputs = run(
        "4",
        "share = \"[1, 0, 0, 0]\"\ncapex = \"share * 2B\"\nprice = \"30k * (1 - 0.3)^t\"\ntotal = \"sum(price)\"\n",
        "mc",
    );
    let expected = [2e9, 0.0, 0.0, 0.0];
    for (k, want) in expected.iter().enumerate() {
        let s = find(&outputs, &format!("capex[{}]", k + 1));
        assert_eq!((s.moments.mean, s.moments.std()), (*want, 0.0));
    }
    let total: f64 = (0..4).map(|k| 30e3 * 0.7f64.powi(k)).sum();
    assert_eq!(find(&outputs, "total").moments.mean, total);
}

#[test]
fn pinning_one_period_of_a_per_period_input_fixes_that_period_only() {
    let text = "[model]\nname = \"t\"\nperiods = [\"y1\", \"y2\", \"y3\"]\n[vars]\n\
        d = { value = \"normal(0, 1)\", per_period = true }\ns = \"uniform(0, 1)\"\nx = \"d + s * t\"\n";
    let model = Model::parse("t.toml", text.to_string()).unwrap();
    let simulation = Simulation::new(model.clone()).unwrap();
    assert_eq!(simulation.factor_names(), ["d[y1]", "d[y2]", "d[y3]", "s"]);
    let values = simulation.pinned(&[("d[y2]", 5.0), ("s", 0.5)]).first_trial().unwrap();
    assert_eq!(values[1], 5.0 + 0.5);
    // The other periods keep their own draws.
    let free = simulation.pinned(&[("s", 0.5)]).first_trial().unwrap();
    assert_eq!((values[0], values[2]), (free[0], free[2]));
    assert_ne!(free[1], 5.5);
}
