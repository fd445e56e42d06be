//! Sensitivity methods against analytic answers: the Ishigami function (Sobol), a
//! linear model of independent normals (all methods), and a factor with no effect.

use costsim::sensitivity::{self, Analysis, Method, SensitivityConfig};
use costsim::{Model, sensitivity::sobol::Sobol};

const ISHIGAMI: &str = include_str!("../models/ishigami.toml");

fn analyse(text: &str, output: &str, methods: Vec<Method>, trials: Option<u64>) -> Vec<Analysis> {
    let model = Model::parse("m.toml", text.to_string()).unwrap();
    let config = SensitivityConfig {
        output: output.into(),
        methods,
        trials,
        default_trials: 200_000,
        seed: 42,
        threads: 2,
        tornado_range: (0.1, 0.9),
    };
    sensitivity::analyse(&model, &config).unwrap()
}

fn sobol(text: &str, output: &str, n: u64) -> Sobol {
    match analyse(text, output, vec![Method::Sobol], Some(n)).pop() {
        Some(Analysis::Sobol(s)) => s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn ishigami_indices_match_the_analytic_values() {
    // a = 7, b = 0.1: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2.
    let (a, b, pi) = (7.0f64, 0.1f64, std::f64::consts::PI);
    let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi.powi(8) / 18.0 - b * b * pi.powi(8) / 50.0;
    let v = v1 + v2 + v13;
    let want = [("x1", v1 / v, (v1 + v13) / v), ("x2", v2 / v, v2 / v), ("x3", 0.0, v13 / v)];
    let s = sobol(ISHIGAMI, "y", 1 << 16);
    for (name, first, total) in want {
        let f = s.factors.iter().find(|f| f.name == name).unwrap();
        assert!((f.first_order - first).abs() < 0.02, "{name} S1 {} vs {first}", f.first_order);
        assert!((f.total - total).abs() < 0.02, "{name} ST {} vs {total}", f.total);
        assert!(
            f.first_order_ci[0] <= first && first <= f.first_order_ci[1],
            "{name} S1 CI {:?} vs {first}",
            f.first_order_ci
        );
        assert!(f.total_ci[0] <= total && total <= f.total_ci[1], "{name} ST CI {:?} vs {total}", f.total_ci);
    }
    let order: Vec<&str> = s.factors.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(order, ["x1", "x2", "x3"], "sorted by total index");
}

const LINEAR: &str = r#"
[model]
name = "Linear"
[vars]
a = "normal(0, 1)"
b = "normal(5, 2)"
c = "normal(-1, 0.5)"
idle = "uniform(0, 1)"
y = "3 * a + 1 * b + 4 * c"
"#;

#[test]
fn linear_model_shares_are_a_squared_sigma_squared() {
    // a_i²σ_i²: a 9, b 4, c 4 → shares 9/17, 4/17, 4/17; S1 = ST for an additive model.
    let want = [("a", 9.0 / 17.0), ("b", 4.0 / 17.0), ("c", 4.0 / 17.0), ("idle", 0.0)];
    let s = sobol(LINEAR, "y", 1 << 15);
    for (name, share) in want {
        let f = s.factors.iter().find(|f| f.name == name).unwrap();
        assert!((f.first_order - share).abs() < 0.03, "{name} S1 {}", f.first_order);
        assert!((f.total - share).abs() < 0.02, "{name} ST {}", f.total);
        // Within 2.5 half-widths of the 95% bootstrap interval (about 5 standard errors).
        let half = (f.first_order_ci[1] - f.first_order_ci[0]) / 2.0;
        assert!((f.first_order - share).abs() <= 2.5 * half.max(1e-3), "{name} {} ± {half}", f.first_order);
    }
}

#[test]
fn spearman_and_tornado_rank_the_linear_model_the_same_way() {
    let analyses = analyse(LINEAR, "y", vec![Method::Tornado, Method::Spearman], None);
    let [Analysis::Tornado(t), Analysis::Spearman(s)] = &analyses[..] else { panic!("{analyses:?}") };
    assert_eq!(s.trials, 200_000);
    let first: Vec<&str> = s.factors.iter().map(|f| f.name.as_str()).collect();
    assert_eq!((first[0], first[3]), ("a", "idle"));
    // For a linear model of normals, ρ_s = (6/π)·asin(ρ/2) with ρ = a_iσ_i/σ_y.
    let rho = |share: f64| 6.0 / std::f64::consts::PI * (share.sqrt() / 2.0).asin();
    let se = 1.0 / (200_000f64).sqrt();
    for (name, share) in [("a", 9.0 / 17.0), ("b", 4.0 / 17.0), ("c", 4.0 / 17.0)] {
        let f = s.factors.iter().find(|f| f.name == name).unwrap();
        assert!(
            (f.rank_correlation - rho(share)).abs() < 5.0 * se,
            "{name} ρ {} vs {}",
            f.rank_correlation,
            rho(share)
        );
    }
    let idle = s.factors.iter().find(|f| f.name == "idle").unwrap();
    assert!(idle.rank_correlation.abs() < 5.0 * se && idle.contribution_to_variance < 1e-3);
    let total: f64 = s.factors.iter().map(|f| f.contribution_to_variance).sum();
    assert!((total - 1.0).abs() < 1e-12);
    // Tornado: swing = a_i·(p90 − p10) of the input = a_i·2·1.2816·σ_i, exactly up to
    // the sampled percentiles (standard error ≈ 0.4% here).
    let swing = |name: &str| t.factors.iter().find(|f| f.name == name).unwrap().swing;
    let z90 = 1.281_551_565_544_600_5;
    assert!((swing("a") / (3.0 * 2.0 * z90) - 1.0).abs() < 0.02, "{}", swing("a"));
    assert!((swing("c") / (4.0 * 0.5 * 2.0 * z90) - 1.0).abs() < 0.02, "{}", swing("c"));
    assert_eq!(swing("idle"), 0.0);
    assert_eq!(t.factors.last().unwrap().name, "idle");
    assert!((t.base - (3.0 * 0.0 + 5.0 - 4.0)).abs() < 0.02, "{}", t.base);
}
