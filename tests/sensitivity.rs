//! Sensitivity methods against analytic answers: the Ishigami function (Sobol), a
//! linear model of independent normals (all methods), and a factor with no effect.

use costsim::internals::sensitivity::{self, Analysis, Method, Sensitivity, SensitivityConfig};
use costsim::internals::sensitivity::{TornadoKind, sobol::Sobol};
use costsim::{Model, Simulation};

const ISHIGAMI: &str = include_str!("../models/ishigami.toml");

/// The analyses of `output` by `method` (all that fit when `None`).
fn analyse(text: &str, output: &str, method: Option<Method>, trials: Option<u64>) -> Vec<Analysis> {
    one_output(text, output, method, trials).analyses
}

fn one_output(text: &str, output: &str, method: Option<Method>, trials: Option<u64>) -> Sensitivity {
    let model = Model::parse("m.toml", text.to_string()).unwrap();
    let config = SensitivityConfig {
        outputs: vec![output.into()],
        method,
        tornado: None,
        trials,
        default_trials: 200_000,
        seed: 42,
        threads: 2,
        tornado_range: (0.1, 0.9),
    };
    sensitivity::analyse(&Simulation::new(model.clone()).unwrap(), &config).unwrap().outputs.pop().unwrap()
}

fn sobol(text: &str, output: &str, n: u64) -> Sobol {
    match analyse(text, output, Some(Method::Sobol), Some(n)).pop() {
        Some(Analysis::Sobol(s)) => s,
        other => panic!("{other:?}"),
    }
}

/// Ishigami (a = 7, b = 0.1): (name, S1, ST) from V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2.
fn ishigami_truth() -> [(&'static str, f64, f64); 3] {
    let (a, b, pi) = (7.0f64, 0.1f64, std::f64::consts::PI);
    let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi.powi(8) / 18.0 - b * b * pi.powi(8) / 50.0;
    let v = v1 + v2 + v13;
    [("x1", v1 / v, (v1 + v13) / v), ("x2", v2 / v, v2 / v), ("x3", 0.0, v13 / v)]
}

#[track_caller]
fn assert_matches(s: &Sobol, truth: &[(&str, f64, f64)], what: &str) {
    for &(name, first, total) in truth {
        let f = s.factors.iter().find(|f| f.name == name).unwrap();
        assert!((f.first_order - first).abs() < 0.02, "{what}: {name} S1 {} vs {first}", f.first_order);
        assert!((f.total - total).abs() < 0.02, "{what}: {name} ST {} vs {total}", f.total);
        // Within two half-widths of the 95% interval (about 4 standard errors) of the truth.
        let [lo, hi] = f.first_order_ci;
        assert!(
            (f.first_order - first).abs() <= hi - lo,
            "{what}: {name} S1 {} CI {:?} vs {first}",
            f.first_order,
            [lo, hi]
        );
        let [lo_t, hi_t] = f.total_ci;
        assert!(
            (f.total - total).abs() <= hi_t - lo_t,
            "{what}: {name} ST {} CI {:?} vs {total}",
            f.total,
            [lo_t, hi_t]
        );
        assert!(hi - lo < 0.05, "{what}: {name} S1 CI {:?} is too wide to mean anything", f.first_order_ci);
    }
}

#[test]
fn ishigami_indices_match_the_analytic_values() {
    let s = sobol(ISHIGAMI, "y", 1 << 16);
    assert_matches(&s, &ishigami_truth(), "ishigami");
    let order: Vec<&str> = s.factors.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(order, ["x1", "x2", "x3"], "sorted by total index");
}

#[test]
fn indices_do_not_change_when_the_output_is_shifted_or_scaled() {
    // Cost outputs sit far from zero ($1.9B ± $0.25B): the first-order estimator must be
    // centred, or its variance grows with (mean/sd)². Ishigami plus 1,000, times 1e9,
    // and both, must give the analytic indices and the same indices as the original,
    // within the original's own intervals.
    let plain = sobol(ISHIGAMI, "y", 1 << 16);
    let formula = "sin(x1) + 7 * sin(x2)^2 + 0.1 * x3^4 * sin(x1)";
    for variant in [format!("1000 + {formula}"), format!("1e9 * ({formula})"), format!("1e12 + 1e9 * ({formula})")] {
        let text = ISHIGAMI.replace(&format!("y = \"{formula}\""), &format!("y = \"{variant}\""));
        assert_ne!(text, ISHIGAMI);
        let s = sobol(&text, "y", 1 << 16);
        assert_matches(&s, &ishigami_truth(), &variant);
        for (f, p) in s.factors.iter().zip(&plain.factors) {
            let half = (p.first_order_ci[1] - p.first_order_ci[0]) / 2.0;
            assert!((f.first_order - p.first_order).abs() <= half, "{variant}: {} S1 moved", f.name);
            let half = (p.total_ci[1] - p.total_ci[0]) / 2.0;
            assert!((f.total - p.total).abs() <= half, "{variant}: {} ST moved", f.name);
        }
    }
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
    // Also with a mean of a billion, as a fixed cost plus variable parts has.
    let want = [("a", 9.0 / 17.0), ("b", 4.0 / 17.0), ("c", 4.0 / 17.0)];
    let shifted = LINEAR.replace("y = \"3 * a", "y = \"1B + 3 * a");
    for text in [LINEAR, shifted.as_str()] {
        let s = sobol(text, "y", 1 << 15);
        assert_eq!(s.factors.len(), 3, "`idle` does not feed y and is left out");
        for (name, share) in want {
            let f = s.factors.iter().find(|f| f.name == name).unwrap();
            assert!((f.first_order - share).abs() < 0.03, "{name} S1 {}", f.first_order);
            assert!((f.total - share).abs() < 0.02, "{name} ST {}", f.total);
            // Within 2.5 half-widths of the 95% interval (about 5 standard errors).
            let half = (f.first_order_ci[1] - f.first_order_ci[0]) / 2.0;
            assert!((f.first_order - share).abs() <= 2.5 * half.max(1e-3), "{name} {} ± {half}", f.first_order);
        }
    }
}

#[test]
fn inputs_that_do_not_feed_the_output_are_left_out_and_named() {
    let mut analyses = Vec::new();
    for method in [Method::Tornado, Method::Spearman, Method::Sobol, Method::Shapley] {
        let result = one_output(LINEAR, "y", Some(method), Some(4096));
        assert_eq!(result.left_out, ["idle"]);
        assert_eq!(result.factors, ["a", "b", "c"]);
        analyses.extend(result.analyses);
    }
    for analysis in &analyses {
        let names = analysis.factor_names();
        assert!(names.len() == 3 && !names.contains(&"idle"), "{names:?}");
    }
    let [_, _, Analysis::Sobol(sobol), Analysis::Shapley(shapley)] = &analyses[..] else { panic!("{analyses:?}") };
    assert_eq!(sobol.evaluations, 4096 * 5, "N·(k + 2) with k = 3, not 4");
    assert_eq!(shapley.trials, 10 * 6 * 4096, "at least ten whole rounds of the 3! orders, a chunk each");
    assert_eq!(shapley.evaluations, shapley.trials * 4, "N·(k + 1) with k = 3");
}

#[test]
fn spearman_and_tornado_rank_the_linear_model_the_same_way() {
    let analyses = analyse(LINEAR, "y", None, None);
    let [Analysis::Tornado(t), Analysis::Spearman(s), Analysis::Sobol(_)] = &analyses[..] else {
        panic!("{analyses:?}")
    };
    assert_eq!(t.kind, TornadoKind::Swing, "independent inputs and a continuous output: the swing tornado");
    assert_eq!(s.trials, 200_000);
    assert_eq!(s.factors[0].name, "a");
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
    let total: f64 = s.factors.iter().map(|f| f.contribution_to_variance).sum();
    assert!((total - 1.0).abs() < 1e-12);
    // Tornado: each input at its exact p10 and p90 (its quantile function), so the swing
    // is a_i·σ_i·(z90 − z10) and the base is the output at the medians, to rounding.
    let swing = |name: &str| t.factors.iter().find(|f| f.name == name).unwrap().swing;
    let z90 = 1.281_551_565_544_600_5;
    for (name, a_sigma) in [("a", 3.0), ("b", 2.0), ("c", 2.0)] {
        let want = a_sigma * 2.0 * z90;
        assert!((swing(name) - want).abs() < 1e-12 * want, "{name}: {} vs {want}", swing(name));
    }
    assert_eq!(t.trials, 0, "every input has a quantile function: nothing simulated");
    assert!((t.base - (3.0 * 0.0 + 5.0 - 4.0)).abs() < 1e-12, "{}", t.base);
}

#[test]
fn tornado_of_a_formula_input_uses_its_simulated_order_statistics() {
    // s = normal(0, 1) + normal(0, 1) ~ N(0, √2) has no quantile function of its own: its
    // p10 and p90 come from 200,000 simulated trials, each within 5 standard errors.
    let text = "[model]\nname = \"t\"\n[vars]\ns = \"normal(0, 1) + normal(0, 1)\"\ny = \"2 * s\"\n";
    let Some(Analysis::Tornado(t)) = analyse(text, "y", Some(Method::Tornado), None).pop() else { panic!() };
    assert_eq!(t.trials, 200_000);
    let sd = 2f64.sqrt();
    let z90: f64 = 1.281_551_565_544_600_5;
    let density = (-0.5 * z90 * z90).exp() / (2.0 * std::f64::consts::PI).sqrt() / sd;
    let se = (0.09f64 / 200_000.0).sqrt() / density;
    let [lo, hi] = t.factors[0].inputs;
    assert!((hi - z90 * sd).abs() < 5.0 * se && (lo + z90 * sd).abs() < 5.0 * se, "{lo}, {hi} (se {se})");
}

#[test]
fn pinned_programs_fix_random_inputs_without_recompiling() {
    // `x` aliases `y` through a constant condition, so it gets its own column: pinning it
    // must not move `y`, and every output is then an exact function of the pins.
    let text = "[model]\nname = \"t\"\noutputs = [\"a\", \"b\", \"c\"]\n[vars]\ny = \"normal(0, 1)\"\n\
                x = \"if(1, y, normal(0, 1))\"\nw = \"pert(1, 2, 9)\"\na = \"x * 10 + w\"\nb = \"y + 0\"\nc = \"w\"\n";
    let model = Model::parse("m.toml", text.to_string()).unwrap();
    let simulation = Simulation::new(model.clone()).unwrap();
    let outputs = simulation.pinned(&[("x", 2.5), ("y", -1.0), ("w", 4.0)]).first_trial().unwrap();
    assert_eq!(outputs, [29.0, -1.0, 4.0]);
    // Unpinned inputs still draw.
    let partly = simulation.pinned(&[("x", 2.5)]).first_trial().unwrap();
    assert_eq!(partly[0], 25.0 + partly[2]);
    assert!(partly[2] > 1.0 && partly[2] < 9.0);
}

#[test]
fn rank_analyses_of_more_inputs_than_fit_in_memory_at_once_match_the_closed_form() {
    // 200 normals summed (σ_i = 1 + i/20): at 200,000 trials the rank analyses hold 160
    // inputs at a time, so the inputs come in two groups; each must keep its own values.
    let k = 200;
    assert!(sensitivity::Sample::group_size(200_000) < k, "the test must cross a group boundary");
    let sigma = |i: usize| 1.0 + i as f64 / 20.0;
    let mut text = String::from("[model]\nname = \"wide\"\noutputs = [\"total\"]\n[vars]\n");
    for i in 0..k {
        text.push_str(&format!("x{i} = \"normal({i}, {})\"\n", sigma(i)));
    }
    let terms: Vec<String> = (0..k).map(|i| format!("x{i}")).collect();
    text.push_str(&format!("total = \"{}\"\n", terms.join(" + ")));
    let variance: f64 = (0..k).map(|i| sigma(i).powi(2)).sum();
    let rho = |i: usize| 6.0 / std::f64::consts::PI * (sigma(i) / variance.sqrt() / 2.0).asin();
    let se = 1.0 / (200_000f64).sqrt();
    let analyses = analyse(&text, "total", Some(Method::Spearman), None);
    let [Analysis::Spearman(s)] = &analyses[..] else { panic!("{analyses:?}") };
    assert_eq!(s.factors.len(), k);
    for i in 0..k {
        let f = s.factors.iter().find(|f| f.name == format!("x{i}")).unwrap();
        assert!((f.rank_correlation - rho(i)).abs() < 5.0 * se, "x{i}: ρ {} vs {}", f.rank_correlation, rho(i));
    }
    // The conditional tornado's bars, from the same groups: the top-decile mean of the
    // total given x_i is E[total] + σ_i·φ(z90)/0.1 (a normal's tail mean).
    let config = |tornado| SensitivityConfig {
        outputs: vec!["total".into()],
        method: Some(Method::Tornado),
        tornado,
        trials: None,
        default_trials: 200_000,
        seed: 42,
        threads: 2,
        tornado_range: (0.1, 0.9),
    };
    let model = Model::parse("m.toml", text.clone()).unwrap();
    let simulation = Simulation::new(model.clone()).unwrap();
    let analysed = sensitivity::analyse(&simulation, &config(Some(TornadoKind::Conditional))).unwrap();
    let [Analysis::Tornado(t)] = &analysed.outputs[0].analyses[..] else { panic!() };
    assert_eq!(t.factors.len(), k);
    let mean: f64 = (0..k).map(|i| i as f64).sum();
    let tail = (-1.281_551_565_544_600_5f64.powi(2) / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() / 0.1;
    for bar in &t.factors {
        let i: usize = bar.name[1..].parse().unwrap();
        // Given x_i's top decile, the total's mean moves by σ_i·tail; the rest of the
        // total's spread (√(variance − σ_i²)) over 20,000 trials is the error.
        let se = (variance / 20_000.0).sqrt();
        let want = mean + sigma(i) * tail;
        assert!((bar.high - want).abs() < 5.0 * se, "x{i}: high {} vs {want}", bar.high);
    }
}
