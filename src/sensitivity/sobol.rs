//! Sobol indices by Saltelli sampling.
//!
//! With k factors, the model runs on N trials for each of k + 2 seed assignments: A
//! (every factor on the run's seed), B (every factor on a second seed) and, for each
//! factor i, AB_i (A with factor i on B's seed). Because a factor's randomness is its
//! stream, this is exactly Saltelli's "A with column i from B", hierarchical factors
//! included. With V the variance of the pooled A and B outputs:
//!
//! - first order, Saltelli et al. (2010), "Variance based sensitivity analysis of model
//!   output", eq. (b), on centred outputs: S_i = mean((f(B) − μ)·(f(AB_i) − f(A))) / V,
//!   with μ the pooled mean. Centring leaves the estimator's expectation unchanged but
//!   removes a variance that grows with (μ/σ)²: uncentred, a cost of $1.9B ± $0.25B or
//!   the Ishigami function plus 1000 gives indices of pure noise. Every index is
//!   therefore unchanged when a constant is added to, or a factor multiplies, the output;
//! - total, Jansen (1999): ST_i = mean((f(A) − f(AB_i))²) / (2V).
//!
//! Only the factors whose draws reach the output are analysed (N evaluations each).
//! Confidence intervals are 95% percentile bootstrap intervals over [`RESAMPLES`]
//! resamples of the N rows, each resample with its own seeded generator (deterministic,
//! computed in parallel). The indices assume independent inputs.

use rand::{RngExt as _, SeedableRng};
use rayon::prelude::*;

use crate::dist::Rng;
use crate::engine::RunConfig;
use crate::error::Result;
use crate::simulation::Simulation;

/// Bootstrap resamples for the confidence intervals.
pub const RESAMPLES: usize = 200;
/// B's seed is the run's seed XOR this constant.
const B_SEED: u64 = 0x5851_f42d_4c95_7f2d;

/// One factor's Sobol indices.
#[derive(Clone, Debug)]
pub struct SobolFactor {
    /// The factor var.
    pub name: String,
    /// First-order index S_i.
    pub first_order: f64,
    /// 95% bootstrap interval of S_i.
    pub first_order_ci: [f64; 2],
    /// Total index ST_i.
    pub total: f64,
    /// 95% bootstrap interval of ST_i.
    pub total_ci: [f64; 2],
}

/// Sobol indices of one output.
#[derive(Clone, Debug)]
pub struct Sobol {
    /// Base sample size N.
    pub trials: u64,
    /// Model evaluations: N·(k + 2).
    pub evaluations: u64,
    /// Factors, largest total index first.
    pub factors: Vec<SobolFactor>,
    /// Problems a reader should know about (wide intervals, negative indices).
    pub warnings: Vec<String>,
}

/// Sobol indices of `output` for the factors `factors` (indices into the program's
/// factors) of `simulation`'s program.
///
/// # Errors
/// Non-finite values in any run.
pub fn run(simulation: &Simulation<'_>, output: &str, factors: &[usize], config: &RunConfig) -> Result<Sobol> {
    let out = simulation.output_index(output).expect("output kept");
    let base = config.seeds(&simulation.program);
    let seed_b = config.seed ^ B_SEED;
    let y_a = simulation.collect(config, &base)?.swap_remove(out);
    let y_b = simulation.collect(config, &vec![seed_b; base.len()])?.swap_remove(out);
    let y_ab = factors
        .iter()
        .map(|&f| {
            let mut seeds = base.clone();
            seeds[f] = seed_b;
            Ok(simulation.collect(config, &seeds)?.swap_remove(out))
        })
        .collect::<Result<Vec<_>>>()?;
    let all: Vec<usize> = (0..y_a.len()).collect();
    let point = indices(&y_a, &y_b, &y_ab, &all);
    let resample = |r: usize| {
        let mut rng = Rng::seed_from_u64(config.seed ^ (r as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let rows: Vec<usize> = (0..y_a.len()).map(|_| rng.random_range(0..y_a.len())).collect();
        indices(&y_a, &y_b, &y_ab, &rows)
    };
    let resamples: Vec<Vec<(f64, f64)>> =
        crate::engine::pool(config.threads)?.install(|| (0..RESAMPLES).into_par_iter().map(resample).collect());
    let names = simulation.factor_names();
    let mut analysed: Vec<SobolFactor> = factors
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            let first: Vec<f64> = resamples.iter().map(|r| r[i].0).collect();
            let total: Vec<f64> = resamples.iter().map(|r| r[i].1).collect();
            SobolFactor {
                name: names[f].to_string(),
                first_order: point[i].0,
                first_order_ci: interval(first),
                total: point[i].1,
                total_ci: interval(total),
            }
        })
        .collect();
    analysed.sort_by(|a, b| b.total.total_cmp(&a.total));
    let warnings = warnings(&analysed);
    let evaluations = config.trials * (factors.len() as u64 + 2);
    Ok(Sobol { trials: config.trials, evaluations, factors: analysed, warnings })
}

/// (S_i, ST_i) for every factor, over the given rows, with outputs centred on their
/// pooled mean over those rows.
fn indices(y_a: &[f64], y_b: &[f64], y_ab: &[Vec<f64>], rows: &[usize]) -> Vec<(f64, f64)> {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&j| y_a[j] + y_b[j]).sum::<f64>() / (2.0 * n);
    let variance =
        rows.iter().map(|&j| (y_a[j] - mean).powi(2) + (y_b[j] - mean).powi(2)).sum::<f64>() / (2.0 * n - 1.0);
    y_ab.iter()
        .map(|ab| {
            if variance == 0.0 {
                return (0.0, 0.0);
            }
            let (mut first, mut total) = (0.0, 0.0);
            for &j in rows {
                first += (y_b[j] - mean) * (ab[j] - y_a[j]);
                total += (y_a[j] - ab[j]).powi(2);
            }
            (first / n / variance, total / (2.0 * n) / variance)
        })
        .collect()
}

/// The 2.5th and 97.5th percentiles of bootstrap estimates.
fn interval(mut estimates: Vec<f64>) -> [f64; 2] {
    estimates.sort_by(f64::total_cmp);
    let at = |q: f64| estimates[((q * estimates.len() as f64) as usize).min(estimates.len() - 1)];
    [at(0.025), at(0.975)]
}

fn warnings(factors: &[SobolFactor]) -> Vec<String> {
    let mut warnings = Vec::new();
    let widest = factors
        .iter()
        .map(|f| (f.total_ci[1] - f.total_ci[0]).max(f.first_order_ci[1] - f.first_order_ci[0]))
        .fold(0.0, f64::max);
    if widest > 0.1 {
        warnings.push(format!(
            "confidence intervals are wide (up to {widest:.2}); run more trials (--trials) for firmer indices"
        ));
    }
    for f in factors.iter().filter(|f| f.first_order_ci[1] < 0.0) {
        warnings.push(format!(
            "first-order index of `{}` is negative beyond sampling noise ({:.3}); this signals too few trials or a very skewed output",
            f.name, f.first_order
        ));
    }
    warnings
}
