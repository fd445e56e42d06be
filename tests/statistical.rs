//! Statistical tests against analytic answers, for every distribution and construct.
//!
//! Each case runs n = 10⁶ trials with a fixed seed, so results are deterministic, and
//! checks (with tolerances derived from standard errors):
//! - the mean, within 5 standard errors (σ/√n from the analytic σ);
//! - the variance, within 5 standard errors estimated by batch means (10 batches of
//!   10⁵ trials, each with its own seed);
//! - the p5, p50 and p95 percentiles through the analytic CDF: F(x̂_q) must be within
//!   5·√(q(1−q)/n) of q (for discrete distributions, q must lie between F(x̂⁻) and F(x̂)
//!   widened by that amount).

use costsim::{Model, RunConfig, Simulation};
use statrs::distribution::{Beta, Binomial, ContinuousCDF, DiscreteCDF, Gamma, LogNormal, Normal, Poisson};

const N: u64 = 1_000_000;
const BATCHES: u64 = 10;

/// What is known exactly about a distribution.
struct Truth {
    mean: f64,
    var: f64,
    /// P(X ≤ x).
    cdf: Box<dyn Fn(f64) -> f64>,
    /// P(X < x), for discrete distributions; `None` for continuous ones.
    cdf_below: Option<Box<dyn Fn(f64) -> f64>>,
}

fn continuous(mean: f64, var: f64, cdf: impl Fn(f64) -> f64 + 'static) -> Truth {
    Truth { mean, var, cdf: Box::new(cdf), cdf_below: None }
}

fn discrete(mean: f64, var: f64, cdf: impl Fn(f64) -> f64 + 'static) -> Truth {
    let cdf = std::rc::Rc::new(cdf);
    let below = cdf.clone();
    Truth { mean, var, cdf: Box::new(move |x| cdf(x)), cdf_below: Some(Box::new(move |x| below(x - 0.5))) }
}

/// Runs `x = expr` (plus `extra` vars) and returns (moments, percentiles) of `x`.
fn simulate(expr: &str, extra: &str, trials: u64, seed: u64) -> (costsim::internals::stats::Moments, [f64; 9]) {
    let text = format!("[model]\nname = \"t\"\noutputs = [\"x\"]\n[vars]\n{extra}x = \"{expr}\"\n");
    let model = Model::parse("t.toml", text).unwrap();
    let summaries = Simulation::new(model.clone()).unwrap().run(&RunConfig { trials, seed, threads: 2 }).unwrap();
    let p = &summaries[0].percentiles;
    (summaries[0].moments, std::array::from_fn(|i| p[i]))
}

#[track_caller]
fn check(expr: &str, extra: &str, truth: Truth) {
    let (m, percentiles) = simulate(expr, extra, N, 11);
    let se_mean = (truth.var / N as f64).sqrt();
    assert!((m.mean - truth.mean).abs() < 5.0 * se_mean, "{expr}: mean {} vs {} (se {se_mean})", m.mean, truth.mean);

    let batch_vars: Vec<f64> =
        (0..BATCHES).map(|b| simulate(expr, extra, N / BATCHES, 100 + b).0.std().powi(2)).collect();
    let pooled = batch_vars.iter().sum::<f64>() / BATCHES as f64;
    let spread = batch_vars.iter().map(|v| (v - pooled).powi(2)).sum::<f64>() / (BATCHES - 1) as f64;
    let se_var = (spread / BATCHES as f64).sqrt();
    let var = m.std().powi(2);
    assert!((var - truth.var).abs() < 5.0 * se_var.max(1e-12), "{expr}: var {var} vs {} (se {se_var})", truth.var);

    for (q, x) in [(0.05, percentiles[1]), (0.5, percentiles[4]), (0.95, percentiles[7])] {
        let tol = 5.0 * (q * (1.0 - q) / N as f64).sqrt();
        let hi = (truth.cdf)(x * (1.0 + 5e-4) + 1e-12);
        let lo = truth.cdf_below.as_ref().map_or_else(|| (truth.cdf)(x * (1.0 - 5e-4) - 1e-12), |below| below(x));
        assert!(lo - tol <= q && q <= hi + tol, "{expr}: p{} = {x}: F in [{lo}, {hi}], want {q} ± {tol}", q * 100.0);
    }
}

fn normal_cdf(mean: f64, sd: f64) -> impl Fn(f64) -> f64 {
    let d = Normal::new(mean, sd).unwrap();
    move |x| d.cdf(x)
}

#[test]
fn normal() {
    check("normal(10, 2)", "", continuous(10.0, 4.0, normal_cdf(10.0, 2.0)));
}

#[test]
fn lognormal() {
    let d = LogNormal::new(1.0, 0.5).unwrap();
    let mean = (1.0f64 + 0.125).exp();
    let var = (0.25f64.exp() - 1.0) * (2.0f64 + 0.25).exp();
    check("lognormal(1, 0.5)", "", continuous(mean, var, move |x| d.cdf(x)));
}

#[test]
fn to_is_a_lognormal_with_those_p5_and_p95() {
    let z = 1.644_853_626_951_472_2;
    let (mu, sigma) = ((10f64.ln() + 100f64.ln()) / 2.0, (100f64 / 10.0).ln() / (2.0 * z));
    let d = LogNormal::new(mu, sigma).unwrap();
    let mean = (mu + sigma * sigma / 2.0).exp();
    let var = ((sigma * sigma).exp() - 1.0) * (2.0 * mu + sigma * sigma).exp();
    check("10 to 100", "", continuous(mean, var, move |x| d.cdf(x)));
    // And directly: p5 ≈ 10, p95 ≈ 100 within 5 standard errors of a sample quantile.
    let (_, p) = simulate("10 to 100", "", N, 3);
    let se = |q: f64| {
        sigma * (q * (1.0 - q) / N as f64).sqrt() / ((-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt())
    };
    assert!((p[1] / 10.0).ln().abs() < 5.0 * se(0.05) + 5e-4, "p5 {}", p[1]);
    assert!((p[7] / 100.0).ln().abs() < 5.0 * se(0.95) + 5e-4, "p95 {}", p[7]);
}

#[test]
fn lognormal_from_its_mean_and_sd_has_that_mean_and_sd() {
    // As @RISK's RiskLognorm(6, 2): sigma² = ln(1 + (2/6)²), mu = ln 6 − sigma²/2.
    let s2 = (1.0f64 + (2.0f64 / 6.0).powi(2)).ln();
    let d = LogNormal::new(6f64.ln() - s2 / 2.0, s2.sqrt()).unwrap();
    check("lognormal(mean = 6, sd = 2)", "", continuous(6.0, 4.0, move |x| d.cdf(x)));
    // Far from zero and scaled: a $1.9B cost with a $0.25B sd.
    let s2 = (1.0f64 + (0.25f64 / 1.9).powi(2)).ln();
    let d = LogNormal::new(1.9e9f64.ln() - s2 / 2.0, s2.sqrt()).unwrap();
    check("lognormal(mean = 1.9B, sd = 0.25B)", "", continuous(1.9e9, 0.0625e18, move |x| d.cdf(x)));
}

#[test]
fn normal_and_lognormal_from_two_percentiles_have_those_percentiles() {
    // z(0.9) − z(0.1) = 2 · 1.2815515655446004.
    let z90 = 1.281_551_565_544_600_4;
    let sd = 3.0 / (2.0 * z90);
    check("normal(p10 = 2, p90 = 5)", "", continuous(3.5, sd * sd, normal_cdf(3.5, sd)));
    // p5 and p95 of a lognormal are what `a to b` means: the same distribution.
    let z95 = 1.644_853_626_951_472_2;
    let (mu, sigma) = ((3e6f64.ln() + 15e6f64.ln()) / 2.0, (5f64).ln() / (2.0 * z95));
    let d = LogNormal::new(mu, sigma).unwrap();
    let mean = (mu + sigma * sigma / 2.0).exp();
    let var = ((sigma * sigma).exp() - 1.0) * (2.0 * mu + sigma * sigma).exp();
    check("lognormal(p95 = 15M, p5 = 3M)", "", continuous(mean, var, move |x| d.cdf(x)));
}

#[test]
fn pert_with_its_lambda() {
    // λ = 6 on [1, 4] with mode 2: Beta(1 + 6·1/3, 1 + 6·2/3) = Beta(3, 5) scaled by 3.
    let d = Beta::new(3.0, 5.0).unwrap();
    let var = 15.0 / (64.0 * 9.0) * 9.0;
    check(
        "pert(1, 2, 4, lambda = 6)",
        "",
        continuous(1.0 + 3.0 * 3.0 / 8.0, var, move |x| d.cdf(((x - 1.0) / 3.0).clamp(0.0, 1.0))),
    );
}

#[test]
fn empirical_resamples_its_values_equally() {
    // Values 1, 2, 4, 8: mean 3.75, variance (1 + 4 + 16 + 64)/4 − 3.75².
    let cdf = |x: f64| [1.0, 2.0, 4.0, 8.0].iter().filter(|v| **v <= x).count() as f64 / 4.0;
    let below = |x: f64| [1.0, 2.0, 4.0, 8.0].iter().filter(|v| **v < x).count() as f64 / 4.0;
    let truth =
        Truth { mean: 3.75, var: 85.0 / 4.0 - 3.75 * 3.75, cdf: Box::new(cdf), cdf_below: Some(Box::new(below)) };
    check("empirical([8, 1, 4, 2])", "", truth);
}

#[test]
fn uniform() {
    check("uniform(2, 5)", "", continuous(3.5, 0.75, |x| ((x - 2.0) / 3.0).clamp(0.0, 1.0)));
}

#[test]
fn triangular() {
    let cdf = |x: f64| match x {
        x if x <= 1.0 => 0.0,
        x if x <= 2.0 => (x - 1.0).powi(2) / 5.0,
        x if x < 6.0 => 1.0 - (6.0 - x).powi(2) / 20.0,
        _ => 1.0,
    };
    check("triangular(1, 2, 6)", "", continuous(3.0, 21.0 / 18.0, cdf));
}

#[test]
fn pert() {
    let (a, b) = (1.0 + 4.0 * 2.0 / 6.0, 1.0 + 4.0 * 4.0 / 6.0);
    let d = Beta::new(a, b).unwrap();
    let mean = (8.0 + 4.0 * 10.0 + 14.0) / 6.0;
    let var = a * b / ((a + b).powi(2) * (a + b + 1.0)) * 36.0;
    check("pert(8, 10, 14)", "", continuous(mean, var, move |x| d.cdf(((x - 8.0) / 6.0).clamp(0.0, 1.0))));
}

#[test]
fn beta() {
    let d = Beta::new(2.0, 5.0).unwrap();
    check("beta(2, 5)", "", continuous(2.0 / 7.0, 10.0 / (49.0 * 8.0), move |x| d.cdf(x.clamp(0.0, 1.0))));
}

#[test]
fn gamma_above_and_below_shape_one() {
    let d = Gamma::new(3.0, 0.5).unwrap();
    check("gamma(3, 2)", "", continuous(6.0, 12.0, move |x| d.cdf(x.max(0.0))));
    let d = Gamma::new(0.5, 1.0).unwrap();
    check("gamma(0.5, 1)", "", continuous(0.5, 0.5, move |x| d.cdf(x.max(0.0))));
}

#[test]
fn beta_with_tiny_shapes_samples_without_underflow() {
    // beta(0.001, 0.001): both gamma draws underflow to 0 in a fifth of trials unless
    // the ratio is formed in log space. Mean 1/2, variance ab/((a+b)²(a+b+1)).
    let (a, b) = (0.001f64, 0.001f64);
    let d = Beta::new(a, b).unwrap();
    let var = a * b / ((a + b).powi(2) * (a + b + 1.0));
    check("beta(0.001, 0.001)", "", continuous(0.5, var, move |x| d.cdf(x.clamp(0.0, 1.0))));
}

#[test]
fn poisson_beyond_the_exact_samplers_limit() {
    // rand_distr's Poisson stops at λ ≈ 1.8e19 (λ = 1e20 used to draw 0 silently); beyond
    // it the draw is round(λ + √λ·Z), normal to within a skewness of 1e-10.
    let lambda = 1e20f64;
    check("poisson(1e20)", "", continuous(lambda, lambda, normal_cdf(lambda, lambda.sqrt())));
}

#[test]
fn exponential() {
    check("exponential(4)", "", continuous(0.25, 1.0 / 16.0, |x: f64| 1.0 - (-4.0 * x.max(0.0)).exp()));
}

#[test]
fn poisson() {
    let d = Poisson::new(3.5).unwrap();
    check("poisson(3.5)", "", discrete(3.5, 3.5, move |x| if x < 0.0 { 0.0 } else { d.cdf(x.floor() as u64) }));
}

#[test]
fn bernoulli() {
    check(
        "bernoulli(0.3)",
        "",
        discrete(0.3, 0.21, |x| {
            if x < 0.0 {
                0.0
            } else if x < 1.0 {
                0.7
            } else {
                1.0
            }
        }),
    );
}

#[test]
fn binomial() {
    let d = Binomial::new(0.25, 20).unwrap();
    check("binomial(20, 0.25)", "", discrete(5.0, 3.75, move |x| if x < 0.0 { 0.0 } else { d.cdf(x.floor() as u64) }));
}

#[test]
fn choice_of_a_constant_and_a_distribution_is_a_mixture() {
    let n = Normal::new(10.0, 1.0).unwrap();
    let cdf = move |x: f64| 0.25 * f64::from(x >= 1.0) + 0.75 * n.cdf(x);
    let (mean, second) = (0.25 + 0.75 * 10.0, 0.25 * 1.0 + 0.75 * 101.0);
    check("choice([1, normal(10, 1)], [1, 3])", "", continuous(mean, second - mean * mean, cdf));
}

#[test]
fn truncated_normal_by_inverse_cdf() {
    let n = Normal::new(0.0, 1.0).unwrap();
    let phi = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let (a, b) = (-1.0, 2.0);
    let z = n.cdf(b) - n.cdf(a);
    let mean = (phi(a) - phi(b)) / z;
    let var = 1.0 + (a * phi(a) - b * phi(b)) / z - mean * mean;
    let cdf = move |x: f64| ((n.cdf(x.clamp(a, b)) - n.cdf(a)) / z).clamp(0.0, 1.0);
    check("truncate(normal(0, 1), -1, 2)", "", continuous(mean, var, cdf));
}

#[test]
fn truncated_far_right_tails_by_the_survival_function() {
    // Where F is within an ulp of 1, truncation works with S = 1 − F. Means and variances
    // by mpmath quadrature (40 digits); CDFs from statrs' survival functions.
    let n = Normal::new(0.0, 1.0).unwrap();
    let (s8, s10) = (n.sf(8.0), n.sf(10.0));
    let normal_tail = move |x: f64| ((s8 - n.sf(x.clamp(8.0, 10.0))) / (s8 - s10)).clamp(0.0, 1.0);
    check(
        "truncate(normal(0, 1), 8, 10)",
        "",
        continuous(8.121_368_088_023_847, 0.014_324_835_641_517_986, normal_tail),
    );
    let g = Gamma::new(2.0, 1.0).unwrap();
    let (s40, s41) = (g.sf(40.0), g.sf(41.0));
    let gamma_tail = move |x: f64| ((s40 - g.sf(x.clamp(40.0, 41.0))) / (s40 - s41)).clamp(0.0, 1.0);
    check("truncate(gamma(2, 1), 40, 41)", "", continuous(40.419_985_942_447_21, 0.079_513_192_338_005_53, gamma_tail));
}

#[test]
fn a_truncated_beta_next_to_its_bound_keeps_its_shape() {
    // beta(2, 2) within 1e-9 of 1: there its density is 6(1 − x)·x ≈ 6(1 − x), so
    // z = (x − lo)·1e9 is triangular(0, 0, 1) to within 1e-9: mean 1/3, variance 1/18,
    // F(z) = 1 − (1 − z)². Drawn through a tabulated quantile function (one root-finding
    // per draw made Shapley 51× slower); the table keeps to the exact function's ulps.
    let cdf = |z: f64| 1.0 - (1.0 - z.clamp(0.0, 1.0)).powi(2);
    check(
        "(t - 0.999999999) * 1e9",
        "t = \"truncate(beta(2, 2), 0.999999999, 1)\"\n",
        continuous(1.0 / 3.0, 1.0 / 18.0, cdf),
    );
}

#[test]
fn truncated_poisson_by_rejection() {
    let d = Poisson::new(3.0).unwrap();
    let pmf: Vec<f64> = (2..=5).map(|k| d.cdf(k) - d.cdf(k - 1)).collect();
    let total: f64 = pmf.iter().sum();
    let mean = (2..=5).zip(&pmf).map(|(k, p)| k as f64 * p).sum::<f64>() / total;
    let second = (2..=5).zip(&pmf).map(|(k, p)| (k * k) as f64 * p).sum::<f64>() / total;
    let cdf = move |x: f64| (2..=5).zip(&pmf).filter(|(k, _)| *k as f64 <= x).map(|(_, p)| p).sum::<f64>() / total;
    check("truncate(poisson(3), 2, 5)", "", discrete(mean, second - mean * mean, cdf));
}

#[test]
fn hierarchical_parameters_are_drawn_per_trial() {
    // x | mu ~ normal(mu, 1), mu ~ normal(0, 1): x ~ normal(0, √2).
    check("normal(mu, 1)", "mu = \"normal(0, 1)\"\n", continuous(0.0, 2.0, normal_cdf(0.0, 2f64.sqrt())));
}

#[test]
fn comparison_mean_is_a_probability() {
    let (m, _) = simulate("normal(0, 1) > 1.6448536269514722", "", N, 5);
    let se = (0.05f64 * 0.95 / N as f64).sqrt();
    assert!((m.mean - 0.05).abs() < 5.0 * se, "{}", m.mean);
}

/// An upper bound on the Kolmogorov–Smirnov distance of `values` from a distribution
/// given by `cdf(x) = [F(x⁻), F(x)]` (equal for a continuous one), evaluating it only at
/// every 50th order statistic: at each evaluated value x the empirical CDF steps from
/// (values below x)/n to (values up to x)/n, and F from F(x⁻) to F(x); between two
/// evaluated values a < b both are monotone, so the distance there is at most
/// max(F(b⁻) − (values up to a)/n, (values below b)/n − F(a)).
fn ks_bound(mut values: Vec<f64>, cdf: impl Fn(f64) -> [f64; 2]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len() as f64;
    let mut xs: Vec<f64> = values.iter().step_by(50).copied().chain(values.last().copied()).collect();
    xs.dedup();
    // At each evaluated value: F(x⁻), F(x), and the empirical CDF just below x and at x.
    let points: Vec<[f64; 4]> = xs
        .iter()
        .map(|&x| {
            let count = |strict: bool| values.partition_point(|&v| v < x || (!strict && v == x)) as f64 / n;
            let [before, at] = cdf(x);
            [before, at, count(true), count(false)]
        })
        .collect();
    let at = points.iter().map(|[before, at, below, upto]| (before - below).abs().max((at - upto).abs()));
    let between = points.windows(2).map(|w| (w[1][0] - w[0][3]).max(w[1][2] - w[0][1]));
    at.chain(between).fold(0.0, f64::max)
}

#[test]
fn gamma_and_beta_of_small_and_huge_shapes_match_their_cdf_under_every_sampling() {
    // Their quantile functions (lhs, qmc, correlations) once left the support (gamma(0.1)
    // correlated went below 0 in 0.036% of draws; beta(0.7, 0.3) above 1) and missed
    // lower quantiles by orders of magnitude. At 10⁶ draws a KS distance of 0.002 is the
    // 0.001 critical value (1.95/√n).
    type Cdf = Box<dyn Fn(f64) -> [f64; 2]>;
    let gammas = [0.01, 0.1, 0.25, 1e6].map(|shape| {
        let d = Gamma::new(shape, 1.0).unwrap();
        let cdf = move |x: f64| [d.cdf(x); 2];
        (format!("gamma({shape}, 1)"), Box::new(cdf) as Cdf, [0.0, f64::INFINITY])
    });
    // Near 1 the doubles are 2⁻⁵³ apart and a tiny shape b puts much of the mass within a
    // few spacings of 1 (beta(0.01, 0.01): 35% above the largest double below 1), so the
    // reference there is the distribution of the value rounded to a double: F at the
    // lower and upper edges of the values that round to x, from the mirrored distribution
    // (1 − x is exact), everything above the largest double below 1 drawn as it.
    let betas = [(0.01, 0.01), (0.7, 0.3), (0.3, 5.0), (1e4, 1e4)].map(|(a, b)| {
        let (d, mirror) = (Beta::new(a, b).unwrap(), Beta::new(b, a).unwrap());
        let cdf = move |x: f64| {
            if x <= 0.5 {
                return [d.cdf(x); 2];
            }
            let y = 1.0 - x;
            let top = if x >= 1.0 - f64::EPSILON / 2.0 { 1.0 } else { 1.0 - mirror.cdf(y - f64::EPSILON / 4.0) };
            [1.0 - mirror.cdf(y + f64::EPSILON / 4.0), top]
        };
        (format!("beta({a}, {b})"), Box::new(cdf) as Cdf, [0.0, 1.0])
    });
    for (expr, cdf, [lo, hi]) in gammas.into_iter().chain(betas) {
        for (sampling, correlated) in [("mc", false), ("lhs", false), ("qmc", false), ("mc", true)] {
            let partner = if correlated { "w = \"normal(0, 1)\"\n" } else { "" };
            let copula = if correlated { "[[correlations]]\nvars = [\"x\", \"w\"]\nrank = 0.5\n" } else { "" };
            let text = format!(
                "[model]\nname = \"t\"\nsampling = \"{sampling}\"\noutputs = [\"x\"]\n[vars]\n{partner}x = \"{expr}\"\n{copula}"
            );
            let model = Model::parse("t.toml", text).unwrap();
            let simulation = Simulation::new(model.clone()).unwrap();
            let config = RunConfig { trials: N, seed: 3, threads: 2 };
            let values = simulation.collect(&config, &config.seeds(&simulation.program)).unwrap().remove(0);
            let what = format!("{expr} under {sampling}{}", if correlated { ", correlated" } else { "" });
            assert!(values.iter().all(|&x| lo < x && x < hi), "{what}: a value outside ({lo}, {hi})");
            let distance = ks_bound(values, &cdf);
            assert!(distance < 0.002, "{what}: KS distance {distance}");
        }
    }
}
