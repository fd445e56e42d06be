//! Sobol indices by Saltelli sampling, streamed.
//!
//! With k factors, each chunk of N base trials is evaluated k + 2 ways: A (every factor
//! on the run's seed), B (every factor on a second seed) and, for each factor i, AB_i (A
//! with factor i on B's seed). Because a factor's randomness is its stream, this is
//! exactly Saltelli's "A with column i from B", hierarchical factors included. With V
//! the variance of the pooled A and B outputs:
//!
//! - first order, Saltelli et al. (2010), "Variance based sensitivity analysis of model
//!   output", eq. (b), on centred outputs: S_i = mean((f(B) − μ₀)·(f(AB_i) − f(A))) / V,
//!   with μ₀ the mean of A over the first chunk. Centring leaves the estimator's
//!   expectation unchanged but removes a variance that grows with (μ/σ)²: uncentred, a
//!   cost of $1.9B ± $0.25B or the Ishigami function plus 1000 gives indices of pure
//!   noise. Every index is therefore unchanged when a constant is added to, or a factor
//!   multiplies, the output;
//! - total, Jansen (1999): ST_i = mean((f(A) − f(AB_i))²) / (2V).
//!
//! Only the factors whose draws reach the output are analysed (N evaluations each). The
//! estimates are streamed as sums over batches of 256 trials (see
//! the `pick_freeze` module): memory does not grow with N, and the 95% intervals come from
//! the batch means. The indices assume independent inputs: they are computed on the
//! model without its correlations, by plain Monte Carlo (a pick-freeze design needs B
//! independent of A, which shifted quasi-random points are not).

use super::pick_freeze::{self, B_SEED, Failure, Layout, SOBOL_BATCH, Sums};
use crate::engine::{CHUNK, RunConfig};
use crate::error::Result;
use crate::simulation::Simulation;
use crate::stats::tree::ChunkTree;

/// One factor's Sobol indices.
#[derive(Clone, Debug)]
pub struct SobolFactor {
    /// The factor var.
    pub name: String,
    /// First-order index S_i.
    pub first_order: f64,
    /// 95% interval of S_i.
    pub first_order_ci: [f64; 2],
    /// Total index ST_i.
    pub total: f64,
    /// 95% interval of ST_i.
    pub total_ci: [f64; 2],
}

/// Sobol indices of one output.
#[derive(Clone, Debug)]
pub struct Sobol {
    /// Base sample size N.
    pub trials: u64,
    /// Model evaluations: N·(k + 2).
    pub evaluations: u64,
    /// Batches the intervals come from.
    pub batches: u64,
    /// Factors, largest total index first.
    pub factors: Vec<SobolFactor>,
    /// Problems a reader should know about (wide intervals, negative indices).
    pub warnings: Vec<String>,
}

/// Fewest base trials: two batches, so that there is an interval.
pub(crate) const MIN_TRIALS: u64 = 2 * SOBOL_BATCH as u64;

/// Sobol indices of `output` for the factors `factors` (indices into the program's
/// factors) of `simulation`'s program, with N = `config.trials` (at least
/// `MIN_TRIALS`).
///
/// # Errors
/// Non-finite values in any evaluation.
pub fn indices(simulation: &Simulation, output: &str, factors: &[usize], config: &RunConfig) -> Result<Sobol> {
    Ok(finish(simulation, factors, config, &sums(simulation, output, factors, config, None, &mut |_, _| {})?))
}

/// The base sample of a run asked for `config`.
fn base_sample(config: &RunConfig) -> RunConfig {
    RunConfig { trials: config.trials.max(MIN_TRIALS), ..*config }
}

/// The shape of the sums of a run asked for `config` with `k` inputs: per chunk,
/// 2k + 3 sums.
pub(super) fn layout(config: &RunConfig, k: usize) -> Layout {
    Layout { dim: 2 * k + 3, units: base_sample(config).n_chunks() }
}

/// The sums behind [`indices`], over the chunks of shard `shard` (K, M), or all,
/// telling `progress` the chunks done of those in all.
///
/// # Errors
/// As [`indices`].
pub(super) fn sums(
    simulation: &Simulation,
    output: &str,
    factors: &[usize],
    config: &RunConfig,
    shard: Option<(u64, u64)>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ChunkTree<Sums>> {
    let config = base_sample(config);
    let program = &simulation.program;
    let out = simulation.output_index(output).expect("output kept");
    let base = config.seeds(program);
    let seed_b = vec![config.seed ^ B_SEED; base.len()];
    let pilot = RunConfig { trials: config.trials.min(CHUNK as u64), ..config };
    let first = simulation.collect(&pilot, &base)?.swap_remove(out);
    let mu0 = first.iter().sum::<f64>() / first.len() as f64;
    let k = factors.len();
    // Per batch: Σ(f(B) − μ₀)(f(AB_i) − f(A)) for each i, Σ(f(A) − f(AB_i))²/2 for each i,
    // Σ((f(A) − μ₀)² + (f(B) − μ₀)²), Σ((f(A) − μ₀) + (f(B) − μ₀)) and the trial count.
    let dim = 2 * k + 3;
    let units = pick_freeze::shard_units(config.n_chunks(), 1, shard);
    pick_freeze::fold(
        simulation,
        program,
        &config,
        dim,
        units,
        |evaluator| {
            let mut run = |seeds: &[u64]| match evaluator.evaluate(program, seeds, out) {
                Ok(values) => Ok(values.to_vec()),
                Err(counts) => Err(Failure::new(program, seeds, counts)),
            };
            let (y_a, y_b) = (run(&base)?, run(&seed_b)?);
            let mut batches = vec![vec![0.0; dim]; y_a.len().div_ceil(SOBOL_BATCH)];
            for (t, (a, b)) in y_a.iter().zip(&y_b).enumerate() {
                let x = &mut batches[t / SOBOL_BATCH];
                let (a0, b0) = (a - mu0, b - mu0);
                x[2 * k] += a0 * a0 + b0 * b0;
                x[2 * k + 1] += a0 + b0;
                x[2 * k + 2] += 1.0;
            }
            for (i, &f) in factors.iter().enumerate() {
                let mut seeds = base.clone();
                seeds[f] = seed_b[f];
                let y_ab = run(&seeds)?;
                for (t, ((a, b), ab)) in y_a.iter().zip(&y_b).zip(&y_ab).enumerate() {
                    let x = &mut batches[t / SOBOL_BATCH];
                    x[i] += (b - mu0) * (ab - a);
                    x[k + i] += (a - ab) * (a - ab) / 2.0;
                }
            }
            Ok(batches)
        },
        progress,
    )
}

/// [`indices`]'s result from the sums of every chunk.
pub(super) fn finish(simulation: &Simulation, factors: &[usize], config: &RunConfig, tree: &ChunkTree<Sums>) -> Sobol {
    let config = base_sample(config);
    let k = factors.len();
    let dim = 2 * k + 3;
    let sums = pick_freeze::total(tree, dim);
    // Σ_b d·x_b = N·V with V the pooled variance about the pooled mean μ₀ + m.
    let unit = |j: usize| (0..dim).map(|i| f64::from(u8::from(i == j))).collect::<Vec<f64>>();
    let m = sums.total(&unit(2 * k + 1)) / (2.0 * config.trials as f64);
    let mut den = vec![0.0; dim];
    (den[2 * k], den[2 * k + 1], den[2 * k + 2]) = (0.5, -m, m * m);
    let names = simulation.factor_names();
    let mut analysed: Vec<SobolFactor> = factors
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            let (first_order, first_order_ci) = sums.ratio(&unit(i), &den);
            let (total, total_ci) = sums.ratio(&unit(k + i), &den);
            SobolFactor { name: names[f].clone(), first_order, first_order_ci, total, total_ci }
        })
        .collect();
    analysed.sort_by(|a, b| b.total.total_cmp(&a.total));
    let warnings = warnings(&analysed);
    let evaluations = config.trials * (k as u64 + 2);
    Sobol { trials: config.trials, evaluations, batches: sums.batches(), factors: analysed, warnings }
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
