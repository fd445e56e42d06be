//! Shapley effects and the conditional tornado against independent references: the
//! closed form for a linear Gaussian model with correlated inputs (Iooss & Prieur 2019),
//! the same with a large constant added and scaled, an input that feeds the output with
//! a zero coefficient, the Ishigami function (independent inputs: Shapley splits each
//! interaction equally, and lies between the first-order and total Sobol indices), and an
//! eight-input linear model with a correlated block in the random-permutation regime,
//! against effects computed here by enumerating every subset with Gaussian conditional
//! variances.

use costsim::internals::sensitivity::shapley::Shapley;
use costsim::internals::sensitivity::sobol::Sobol;
use costsim::internals::sensitivity::tornado::Tornado;
use costsim::internals::sensitivity::{self, Analysis, Method, SensitivityConfig, TornadoKind};
use costsim::{Model, Simulation};

const ISHIGAMI: &str = include_str!("../models/ishigami.toml");

fn analysis(text: &str, output: &str, method: Method, trials: Option<u64>) -> Analysis {
    let model = Model::parse("m.toml", text.to_string()).unwrap();
    let config = SensitivityConfig {
        outputs: vec![output.into()],
        method: Some(method),
        tornado: Some(TornadoKind::Conditional),
        trials,
        default_trials: 200_000,
        seed: 2024,
        threads: 2,
        tornado_range: (0.1, 0.9),
    };
    let mut result = sensitivity::analyse(&Simulation::new(model.clone()).unwrap(), &config).unwrap();
    result.outputs.pop().unwrap().analyses.pop().unwrap()
}

fn shapley(text: &str, output: &str, trials: Option<u64>) -> Shapley {
    match analysis(text, output, Method::Shapley, trials) {
        Analysis::Shapley(s) => s,
        other => panic!("{other:?}"),
    }
}

/// The Pearson correlation of the normal scores for a Spearman coefficient `r`.
fn pearson(r: f64) -> f64 {
    2.0 * (std::f64::consts::PI * r / 6.0).sin()
}

/// Asserts each effect is within 2 half-widths of its 95% interval (about 4 standard
/// errors) of the truth, and that the intervals are narrow enough to mean something.
#[track_caller]
fn assert_effects(s: &Shapley, truth: &[(&str, f64)], what: &str) {
    assert!((s.sum - 1.0).abs() < 1e-9, "{what}: effects sum to {}", s.sum);
    for &(name, want) in truth {
        let f = s.factors.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("{what}: no {name}"));
        let half = (f.shapley_ci[1] - f.shapley_ci[0]) / 2.0;
        assert!(half < 0.02, "{what}: {name} interval {:?} too wide", f.shapley_ci);
        assert!((f.shapley - want).abs() <= 2.0 * half.max(1e-4), "{what}: {name} {} ± {half} vs {want}", f.shapley);
    }
}

const LINEAR: &str = r#"
[model]
name = "Linear Gaussian, x1 and x2 correlated"
[vars]
x1 = "normal(0, 1)"
x2 = "normal(3, 0.5)"
x3 = "normal(-1, 1.5)"
y = "2 * x1 + 2 * x2 + 0.5 * x3"

[[correlations]]
vars = ["x1", "x2"]
rank = 0.6
"#;

/// Iooss & Prieur (2019), eq. for y = Σ βᵢxᵢ with x₁, x₂ correlated ρ and x₃ independent.
fn linear_truth() -> [(&'static str, f64); 3] {
    let rho = pearson(0.6);
    let (a, b, c) = (2.0 * 1.0, 2.0 * 0.5, 0.5 * 1.5); // βᵢσᵢ
    let v = a * a + b * b + 2.0 * rho * a * b + c * c;
    let sh = |own: f64, other: f64| {
        (own * own * (1.0 - rho * rho / 2.0) + rho * own * other + rho * rho * other * other / 2.0) / v
    };
    [("x1", sh(a, b)), ("x2", sh(b, a)), ("x3", c * c / v)]
}

#[test]
fn correlated_linear_gaussian_effects_match_the_closed_form() {
    let s = shapley(LINEAR, "y", None);
    assert!(s.exact, "3 inputs: every order of them");
    assert!(s.permutations % 6 == 0 && s.permutations >= 60, "whole rounds of the 3! orders, at least 10");
    assert_effects(&s, &linear_truth(), "plain");
    // x1 and x2 share their covariance: Sobol on independent inputs would give x2 only
    // b²/V; its Shapley effect is well above that.
    let x2 = s.factors.iter().find(|f| f.name == "x2").unwrap().shapley;
    assert!(x2 > 0.3, "{x2}");
}

#[test]
fn effects_do_not_move_when_the_output_is_shifted_or_scaled() {
    // A cost far from zero: a fixed $1B plus the variable part, and the same in units of
    // a billionth.
    let plain = shapley(LINEAR, "y", None);
    for variant in [
        "1e9 + 2 * x1 + 2 * x2 + 0.5 * x3",
        "1e-9 * (2 * x1 + 2 * x2 + 0.5 * x3)",
        "1e12 + 1e9 * (2 * x1 + 2 * x2 + 0.5 * x3)",
    ] {
        let text = LINEAR.replace("y = \"2 * x1 + 2 * x2 + 0.5 * x3\"", &format!("y = \"{variant}\""));
        assert_ne!(text, LINEAR);
        let s = shapley(&text, "y", None);
        assert_effects(&s, &linear_truth(), variant);
        for f in &s.factors {
            let p = plain.factors.iter().find(|p| p.name == f.name).unwrap();
            let half = (p.shapley_ci[1] - p.shapley_ci[0]) / 2.0;
            assert!((f.shapley - p.shapley).abs() <= half, "{variant}: {} moved {} → {}", f.name, p.shapley, f.shapley);
        }
    }
}

#[test]
fn an_input_with_a_zero_coefficient_gets_a_share_through_its_correlation() {
    // y = x1 + 0·x2 with corr(x1, x2) = ρ: Sh₂ = ρ²/2, Sh₁ = 1 − ρ²/2 (Iooss & Prieur, β₂ = 0).
    let text = LINEAR.replace("y = \"2 * x1 + 2 * x2 + 0.5 * x3\"", "y = \"x1 + 0 * x2\"");
    let rho = pearson(0.6);
    let s = shapley(&text, "y", None);
    assert_effects(&s, &[("x1", 1.0 - rho * rho / 2.0), ("x2", rho * rho / 2.0)], "zero coefficient");
}

#[test]
fn ishigami_effects_split_the_interaction_and_lie_between_sobol_indices() {
    // Independent inputs: Sh₁ = (V₁ + V₁₃/2)/V, Sh₂ = V₂/V, Sh₃ = (V₁₃/2)/V.
    let (a, b, pi) = (7.0f64, 0.1f64, std::f64::consts::PI);
    let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi.powi(8) / 18.0 - b * b * pi.powi(8) / 50.0;
    let v = v1 + v2 + v13;
    let s = shapley(ISHIGAMI, "y", None);
    assert_effects(&s, &[("x1", (v1 + v13 / 2.0) / v), ("x2", v2 / v), ("x3", v13 / 2.0 / v)], "ishigami");
    let Analysis::Sobol(sobol) = analysis(ISHIGAMI, "y", Method::Sobol, Some(1 << 18)) else { panic!() };
    assert_between_sobol(&s, &sobol);
}

/// S1ᵢ ≤ Shᵢ ≤ STᵢ, up to the sum of the half-widths involved.
#[track_caller]
fn assert_between_sobol(s: &Shapley, sobol: &Sobol) {
    for f in &s.factors {
        let so = sobol.factors.iter().find(|g| g.name == f.name).unwrap();
        let slack = |ci: [f64; 2]| (ci[1] - ci[0]) / 2.0 + (f.shapley_ci[1] - f.shapley_ci[0]) / 2.0;
        assert!(
            f.shapley >= so.first_order - slack(so.first_order_ci),
            "{}: Sh {} < S1 {}",
            f.name,
            f.shapley,
            so.first_order
        );
        assert!(f.shapley <= so.total + slack(so.total_ci), "{}: Sh {} > ST {}", f.name, f.shapley, so.total);
    }
}

/// Eight inputs: x1…x3 correlated, x4…x8 independent, with unequal coefficients and
/// spreads, and a billion added.
const EIGHT: &str = r#"
[model]
name = "Eight inputs"
[vars]
x1 = "normal(10, 1)"
x2 = "normal(0, 2)"
x3 = "normal(5, 0.5)"
x4 = "normal(0, 1)"
x5 = "normal(0, 1)"
x6 = "normal(1, 3)"
x7 = "normal(0, 0.2)"
x8 = "normal(0, 1)"
y = "1e9 + 1.5 * x1 - 1 * x2 + 4 * x3 + 2 * x4 + 1 * x5 + 0.5 * x6 + 3 * x7 + 0.7 * x8"

[[correlations]]
vars = ["x1", "x2", "x3"]
matrix = [[1, 0.5, -0.3], [0.5, 1, 0.2], [-0.3, 0.2, 1]]
"#;

/// The exact Shapley effects of y = Σβᵢxᵢ for Gaussian x with covariance Σ: every subset
/// J's cost c(J) = β_Jᵀ(Σ_JJ − Σ_J,−J Σ_−J,−J⁻¹ Σ_−J,J)β_J, weighted over all subsets.
fn linear_gaussian_shapley(beta: &[f64], cov: &[Vec<f64>]) -> Vec<f64> {
    let k = beta.len();
    let cost = |mask: usize| -> f64 {
        let inside: Vec<usize> = (0..k).filter(|i| mask >> i & 1 == 1).collect();
        let outside: Vec<usize> = (0..k).filter(|i| mask >> i & 1 == 0).collect();
        // Var(βᵀx | x_out) = βᵀΣβ restricted to J, minus the part x_out explains.
        let s = |rows: &[usize], cols: &[usize]| -> Vec<Vec<f64>> {
            rows.iter().map(|&r| cols.iter().map(|&c| cov[r][c]).collect()).collect()
        };
        let b: Vec<f64> = inside.iter().map(|&i| beta[i]).collect();
        let jj = s(&inside, &inside);
        let total: f64 = (0..b.len()).map(|p| (0..b.len()).map(|q| b[p] * jj[p][q] * b[q]).sum::<f64>()).sum();
        if outside.is_empty() {
            return total;
        }
        // u = Σ_−J,J β_J; explained = uᵀ Σ_−J,−J⁻¹ u (solved by Gaussian elimination).
        let oj = s(&outside, &inside);
        let u: Vec<f64> = oj.iter().map(|row| row.iter().zip(&b).map(|(x, y)| x * y).sum()).collect();
        let mut a = s(&outside, &outside);
        let mut rhs = u.clone();
        let n = rhs.len();
        for col in 0..n {
            let pivot = a[col].clone();
            for row in col + 1..n {
                let f = a[row][col] / pivot[col];
                a[row].iter_mut().zip(&pivot).skip(col).for_each(|(x, p)| *x -= f * p);
                rhs[row] -= f * rhs[col];
            }
        }
        let mut x = vec![0.0; n];
        for row in (0..n).rev() {
            x[row] = (rhs[row] - (row + 1..n).map(|c| a[row][c] * x[c]).sum::<f64>()) / a[row][row];
        }
        total - u.iter().zip(&x).map(|(p, q)| p * q).sum::<f64>()
    };
    let costs: Vec<f64> = (0..1usize << k).map(cost).collect();
    let factorial = |n: usize| (1..=n).map(|x| x as f64).product::<f64>();
    let v = costs[(1 << k) - 1];
    (0..k)
        .map(|i| {
            (0..1usize << k)
                .filter(|m| m >> i & 1 == 0)
                .map(|m| {
                    let size = m.count_ones() as usize;
                    let weight = factorial(size) * factorial(k - size - 1) / factorial(k);
                    weight * (costs[m | 1 << i] - costs[m])
                })
                .sum::<f64>()
                / v
        })
        .collect()
}

#[test]
fn random_permutations_match_the_exact_effects_of_an_eight_input_correlated_model() {
    let rank = [[1.0, 0.5, -0.3], [0.5, 1.0, 0.2], [-0.3, 0.2, 1.0]];
    let sd = [1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 0.2, 1.0];
    let beta = [1.5, -1.0, 4.0, 2.0, 1.0, 0.5, 3.0, 0.7];
    let mut cov = vec![vec![0.0; 8]; 8];
    for i in 0..8 {
        for j in 0..8 {
            let r = if i < 3 && j < 3 { pearson(rank[i][j]) } else { f64::from(u8::from(i == j)) };
            cov[i][j] = r * sd[i] * sd[j];
        }
    }
    let truth = linear_gaussian_shapley(&beta, &cov);
    assert!((truth.iter().sum::<f64>() - 1.0).abs() < 1e-12, "the reference is efficient");
    let s = shapley(EIGHT, "y", None);
    assert!(!s.exact, "8 inputs: random orders");
    let names = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"];
    let pairs: Vec<(&str, f64)> = names.into_iter().zip(truth).collect();
    assert_effects(&s, &pairs, "eight inputs");
}

const PAIR: &str = r#"
[model]
name = "Correlated pair"
[vars]
x1 = "normal(0, 1)"
x2 = "normal(0, 1)"
hit = "x1 + 0 * x2 > 1.2816"
z = "x1 + 0 * x2"

[[correlations]]
vars = ["x1", "x2"]
rank = 0.6
"#;

fn conditional(output: &str) -> Tornado {
    match analysis(PAIR, output, Method::Tornado, None) {
        Analysis::Tornado(t) => t,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_conditional_tornado_follows_correlated_partners() {
    // E[x1 | x2 in its top 10%] = ρ·φ(z₉₀)/0.1, and −that in the bottom 10%; x1's own bar
    // is ±φ(z₉₀)/0.1. Each mean is over 20,000 trials: standard error below 1/√20,000.
    let t = conditional("z");
    assert_eq!(t.kind, TornadoKind::Conditional);
    assert_eq!(t.trials, 200_000);
    let z90: f64 = 1.281_551_565_544_600_5;
    let tail = (-0.5 * z90 * z90).exp() / (2.0 * std::f64::consts::PI).sqrt() / 0.1;
    let se = (1.0f64 / 20_000.0).sqrt();
    for (name, scale) in [("x1", 1.0), ("x2", pearson(0.6))] {
        let f = t.factors.iter().find(|f| f.name == name).unwrap();
        assert!((f.high - scale * tail).abs() < 4.0 * se, "{name} high {} vs {}", f.high, scale * tail);
        assert!((f.low + scale * tail).abs() < 4.0 * se, "{name} low {} vs {}", f.low, -scale * tail);
        let [[lo_a, lo_b], [hi_a, hi_b]] = f.intervals.unwrap();
        assert!(lo_a < f.low && f.low < lo_b && hi_a < f.high && f.high < hi_b);
        assert!((hi_b - hi_a) / 2.0 < 2.0 * 1.96 * se, "interval {:?}", [hi_a, hi_b]);
    }
    assert_eq!(t.factors[0].name, "x1", "largest swing first");
}

#[test]
fn the_conditional_tornado_of_a_0_1_output_gives_probabilities_in_each_tail() {
    // hit = x1 > c (c = 1.2816 ≈ z₉₀): P(hit | x1 in its bottom 10%) = 0 and P(hit | x1 in
    // its top 10%) = 1 exactly; for x2 the bivariate normal gives
    // P(x1 > c | x2 in tail T) = 10·∫_T φ(y)·(1 − Φ((c − ρy)/√(1 − ρ²))) dy.
    use statrs::distribution::{Continuous, ContinuousCDF, Normal};
    let t = conditional("hit");
    let x1 = t.factors.iter().find(|f| f.name == "x1").unwrap();
    assert!(x1.low == 0.0 && (x1.high - 1.0).abs() < 1e-3, "{} {}", x1.low, x1.high);
    let (rho, c, z90) = (pearson(0.6), 1.2816, 1.281_551_565_544_600_5);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let tail = |from: f64, to: f64| {
        let steps = 20_000;
        let h = (to - from) / steps as f64;
        let f = |y: f64| normal.pdf(y) * (1.0 - normal.cdf((c - rho * y) / (1.0 - rho * rho).sqrt()));
        // Simpson's rule.
        let inner: f64 = (1..steps).map(|k| f(from + k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 }).sum();
        10.0 * h / 3.0 * (f(from) + inner + f(to))
    };
    let x2 = t.factors.iter().find(|f| f.name == "x2").unwrap();
    for (got, want) in [(x2.low, tail(-9.0, -z90)), (x2.high, tail(z90, 9.0))] {
        let se = (want * (1.0 - want) / 20_000.0).sqrt();
        assert!((got - want).abs() < 4.0 * se, "{got} vs {want} ± {se}");
    }
    assert!((t.base - 0.1).abs() < 4.0 * (0.09f64 / 200_000.0).sqrt(), "P(hit) {}", t.base);
}

#[test]
fn a_value_that_cannot_be_computed_in_a_resample_is_reported_where_it_arises() {
    // ln(x − 0.5) is NaN for half the draws: the streamed estimators stop at the first
    // chunk that has one and point at the operation, as a run does.
    let text = "[model]\nname = \"nan\"\n[vars]\nx = \"uniform(0, 1)\"\ny = \"ln(x - 0.5)\"\n";
    let model = Model::parse("nan.toml", text.to_string()).unwrap();
    let simulation = Simulation::new(model.clone()).unwrap();
    let config = costsim::RunConfig { trials: 8192, seed: 1, threads: 2 };
    for message in [
        sensitivity::shapley::effects(&simulation, "y", &[0], &config).unwrap_err().to_string(),
        sensitivity::sobol::indices(&simulation, "y", &[0], &config).unwrap_err().to_string(),
    ] {
        assert!(message.contains("nan.toml:5") && message.contains("`y`") && message.contains("`ln"), "{message}");
    }
}
