//! Metalog distributions: the fit passes through every given quantile, the simulated
//! quantiles agree with them within their 95% intervals at 1M trials, the moments agree
//! with an independent numerical integration of the quantile function, and quantiles
//! that give no valid density are refused with the value to move.

use costsim::internals::dist::{Bounds, Metalog};
use costsim::{Model, RunConfig, Simulation};
use statrs::distribution::{ContinuousCDF, Normal};

/// A metalog case: percents, values, bounds.
struct Case {
    what: &'static str,
    percents: Vec<f64>,
    values: Vec<f64>,
    bounds: Bounds,
}

fn z(percent: f64) -> f64 {
    Normal::new(0.0, 1.0).unwrap().inverse_cdf(percent / 100.0)
}

/// The shapes cost models have, with 3, 4, 5 and 10 quantiles, unbounded, bounded below
/// and bounded on both sides.
fn cases() -> Vec<Case> {
    let sets: [&[f64]; 4] = [
        &[10.0, 50.0, 90.0],
        &[5.0, 25.0, 75.0, 95.0],
        &[5.0, 25.0, 50.0, 75.0, 95.0],
        &[1.0, 5.0, 10.0, 25.0, 40.0, 50.0, 60.0, 75.0, 90.0, 99.0],
    ];
    let mut cases = Vec::new();
    for percents in sets {
        let p = percents.to_vec();
        // A $1.9B cost ± $0.25B, skewed right: far from zero, unbounded.
        let far = p.iter().map(|&q| 1.9e9 + 0.25e9 * z(q) + 0.03e9 * z(q) * z(q)).collect();
        cases.push(Case {
            what: "1.9B ± 0.25B, unbounded",
            percents: p.clone(),
            values: far,
            bounds: Bounds::Unbounded,
        });
        // A price above 0 with a moderate right tail (lognormal quantiles).
        let price = p.iter().map(|&q| 4e6 * (0.25 * z(q)).exp()).collect();
        cases.push(Case {
            what: "a price, bounded below by 0",
            percents: p.clone(),
            values: price,
            bounds: Bounds::Lower(0.0),
        });
        // A share between 0 and 100 (logit-normal quantiles).
        let share = p.iter().map(|&q| 100.0 / (1.0 + (-(0.4 + 0.8 * z(q))).exp())).collect();
        cases.push(Case { what: "a share in (0, 100)", percents: p, values: share, bounds: Bounds::Both(0.0, 100.0) });
    }
    cases
}

fn fit(case: &Case) -> Metalog {
    let probabilities: Vec<f64> = case.percents.iter().map(|p| p / 100.0).collect();
    Metalog::through(&probabilities, &case.values, case.bounds)
        .unwrap_or_else(|e| panic!("{} ({} terms): {}", case.what, case.values.len(), e.message))
}

/// ∫₀¹ f(y) dy by composite Simpson on panels halving towards both ends, [2⁻⁽ᵏ⁺¹⁾, 2⁻ᵏ]
/// and their mirrors (k up to 50: 1 − 2⁻⁵¹ is still a double), 64 intervals each: accurate for the logarithmic
/// singularities of a metalog's quantile function, and independent of the logit-space
/// rule costsim uses.
fn integrate(f: impl Fn(f64) -> f64) -> f64 {
    let simpson = |a: f64, b: f64| {
        let n = 64;
        let h = (b - a) / n as f64;
        let inner: f64 = (1..n).map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 }).sum();
        (f(a) + f(b) + inner) * h / 3.0
    };
    let mut total = simpson(0.25, 0.75);
    for k in 2..=50 {
        let (lo, hi) = (0.5f64.powi(k + 1), 0.5f64.powi(k));
        total += simpson(lo, hi) + simpson(1.0 - hi, 1.0 - lo);
    }
    total
}

#[test]
fn the_fit_passes_through_every_given_quantile() {
    for case in cases() {
        let m = fit(&case);
        for (p, v) in case.percents.iter().zip(&case.values) {
            let q = m.quantile(p / 100.0);
            assert!((q - v).abs() <= 1e-9 * v.abs().max(1.0), "{}: Q({p}%) = {q}, given {v}", case.what);
        }
    }
}

#[test]
fn simulated_quantiles_and_moments_agree_with_the_given_quantiles_and_the_integrals() {
    for case in cases() {
        let k = case.values.len();
        let show = |xs: &[f64]| xs.iter().map(|x| format!("{x:e}")).collect::<Vec<_>>().join(", ");
        let bounds = match case.bounds {
            Bounds::Unbounded => String::new(),
            Bounds::Lower(lo) => format!(", {lo:e}"),
            Bounds::Both(lo, hi) => format!(", {lo:e}, {hi:e}"),
        };
        let probabilities: Vec<f64> = case.percents.iter().map(|p| p / 100.0).collect();
        let text = format!(
            "[model]\nname = \"m\"\npercentiles = [{}]\n[vars]\nx = \"metalog([{}], [{}]{bounds})\"\n",
            case.percents.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", "),
            show(&probabilities),
            show(&case.values),
        );
        let simulation = Simulation::new(Model::parse("m.toml", text).unwrap()).unwrap();
        let s = &simulation.run(&RunConfig { trials: 1_000_000, seed: 17, threads: 2 }).unwrap()[0];
        for (q, v) in probabilities.iter().zip(&case.values) {
            let [lo, hi] = s.ci95_at(*q);
            assert!(lo <= *v && *v <= hi, "{} ({k} terms): p{} interval [{lo}, {hi}] misses {v}", case.what, q * 100.0);
        }
        // Moments: costsim's own mean, and the simulation's, against the integrals.
        let m = fit(&case);
        let mean = integrate(|y| m.quantile(y));
        let second = integrate(|y| (m.quantile(y) - mean).powi(2));
        let fourth = integrate(|y| (m.quantile(y) - mean).powi(4));
        let scale = second.sqrt();
        assert!(
            (m.mean() - mean).abs() < 1e-7 * scale.max(mean.abs() * 1e-9),
            "{}: mean {} vs {mean}",
            case.what,
            m.mean()
        );
        let n = s.moments.n as f64;
        let se_mean = scale / n.sqrt();
        assert!(
            (s.moments.mean - mean).abs() < 4.5 * se_mean,
            "{} ({k} terms): mean {} vs {mean} ± {se_mean}",
            case.what,
            s.moments.mean
        );
        let se_variance = ((fourth - second * second) / n).sqrt();
        let variance = s.moments.std().powi(2);
        assert!(
            (variance - second).abs() < 4.5 * se_variance,
            "{} ({k} terms): variance {variance} vs {second} ± {se_variance}",
            case.what
        );
    }
}

#[test]
fn shifting_and_scaling_the_quantiles_shifts_and_scales_the_distribution() {
    let p = [0.1, 0.5, 0.9];
    let base = Metalog::through(&p, &[3.0, 6.0, 15.0], Bounds::Lower(0.0)).unwrap();
    let moved = Metalog::through(&p, &[1e9 + 3e6, 1e9 + 6e6, 1e9 + 15e6], Bounds::Lower(1e9)).unwrap();
    for y in [1e-6, 0.01, 0.3, 0.5, 0.77, 0.99, 1.0 - 1e-9] {
        let (a, b) = (base.quantile(y), moved.quantile(y));
        assert!((1e9 + 1e6 * a - b).abs() <= 1e-6 * b, "y = {y}: {a} vs {b}");
    }
    assert!((1e9 + 1e6 * base.mean() - moved.mean()).abs() < 1e-9 * moved.mean());
}

#[test]
fn three_terms_are_feasible_exactly_when_keelins_bound_holds() {
    // Keelin (2016): a 3-term metalog is feasible iff a₂ > 0 and |a₃|/a₂ < 1.66711. With
    // probabilities 0.1, 0.5, 0.9 its coefficients are in closed form; move the median
    // across the range and compare (leaving out a sliver at the bound itself).
    let ln9 = 9f64.ln();
    for i in 1..400 {
        let median = 3.0 + 12.0 * i as f64 / 400.0;
        let (a2, a3) = ((15.0 - 3.0) / (2.0 * ln9), (3.0 + 15.0 - 2.0 * median) / (2.0 * 0.4 * ln9));
        let ratio = a3.abs() / a2;
        if (ratio - 1.66711).abs() < 2e-3 {
            continue;
        }
        let feasible = Metalog::through(&[0.1, 0.5, 0.9], &[3.0, median, 15.0], Bounds::Unbounded).is_ok();
        assert_eq!(feasible, ratio < 1.66711, "median {median}: |a3|/a2 = {ratio}");
    }
}

#[test]
fn infeasible_or_malformed_quantiles_are_refused_with_what_to_change() {
    let table: [(&[f64], &[f64], Bounds, &str); 9] = [
        (&[0.1, 0.5, 0.9], &[3e6, 14.5e6, 15e6], Bounds::Unbounded, "move the 0.5-quantile 14.5M to 13M"),
        (
            &[0.1, 0.5, 0.9],
            &[3.0, 3.1, 15.0],
            Bounds::Unbounded,
            "the 0.5-quantile 3.1 is too close to the 0.1-quantile 3",
        ),
        (
            &[0.02, 0.1, 0.5, 0.9, 0.98],
            &[1e6, 3e6, 5e6, 15e6, 15.5e6],
            Bounds::Lower(0.0),
            "the 0.9-quantile 15M is too close to the 0.98-quantile 15.5M",
        ),
        (&[0.1, 0.5], &[1.0, 2.0], Bounds::Unbounded, "takes 3 to 10 quantiles (got 2)"),
        (&[0.1, 0.5, 0.9], &[1.0, 3.0, 2.0], Bounds::Unbounded, "values must increase"),
        (&[0.5, 0.1, 0.9], &[1.0, 2.0, 3.0], Bounds::Unbounded, "probabilities must increase"),
        (&[0.0, 0.5, 0.9], &[1.0, 2.0, 3.0], Bounds::Unbounded, "between 0 and 1"),
        (&[0.1, 0.5, 0.9], &[1.0, 2.0, 3.0], Bounds::Lower(1.0), "strictly above the lower bound 1"),
        (&[0.1, 0.5, 0.9], &[1.0, 2.0, 3.0], Bounds::Both(0.0, 2.5), "strictly between the bounds 0 and 2.5"),
    ];
    for (p, v, bounds, want) in table {
        let err = Metalog::through(p, v, bounds).unwrap_err().message;
        assert!(err.contains(want), "{v:?}: {err}");
    }
    // The fix it names works.
    assert!(Metalog::through(&[0.1, 0.5, 0.9], &[3e6, 13e6, 15e6], Bounds::Unbounded).is_ok());
}

#[test]
fn a_model_with_an_infeasible_metalog_fails_at_its_place() {
    let text = "[model]\nname = \"m\"\n[vars]\nx = \"metalog([0.1, 0.5, 0.9], [3M, 14.5M, 15M])\"\n";
    let err = Simulation::new(Model::parse("m.toml", text.to_string()).unwrap()).unwrap_err().to_string();
    assert!(err.contains("m.toml:4:6") && err.contains("var `x`") && err.contains("move"), "{err}");
}
