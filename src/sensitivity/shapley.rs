//! Shapley effects (Owen 2014): each input's fair share of the output's variance, which
//! stays meaningful when inputs are correlated. Sh_i averages, over every order in which
//! the inputs can be learnt, how much the expected remaining variance falls when input i
//! is learnt: with c(J) = E[Var(Y | X_{−J})] (the variance left when the inputs J are
//! unknown and the others known),
//!
//!   Sh_i = (1/k!) Σ_π [c(P_i(π) ∪ {i}) − c(P_i(π))] / Var(Y),
//!
//! P_i(π) being the inputs before i in the permutation π. The effects are non-negative
//! and sum to 1; without correlations Sh_i lies between the first-order and total Sobol
//! indices.
//!
//! Estimation follows Song, Nelson & Staum (2016), "Shapley effects for global
//! sensitivity analysis: theory and computation", with one permutation per chunk of
//! trials: up to [`EXACT_MAX_INPUTS`] inputs the chunks go through all k! permutations
//! in turn (the chunk count is rounded up to a whole number of rounds, at least 10, so
//! each has the same weight); above, each chunk draws a uniformly random permutation
//! from its own stream. For the permutation's prefixes J_1 ⊂ J_2 ⊂ … ⊂ J_k, every trial t of the
//! chunk is evaluated with all inputs from sample A, and then with the inputs of J_j
//! redrawn from sample B given the others: c(J_j) is estimated by Σ_t (y_t − y_t^{J_j})²/2,
//! and the differences of successive estimates are the inputs' contributions. Their sum
//! over the chunk, c(J_k), is the chunk's variance estimate, so the effects sum to 1
//! exactly. Each difference is shift-invariant, so a $1.9B ± $0.25B output is as firm
//! as one centred on zero.
//!
//! Conditional sampling is exact. Uncorrelated inputs are independent of the others, so
//! redrawing one is drawing it from its own stream with B's seed. Correlated inputs share
//! a Gaussian copula: ordering its Cholesky factor as the permutation reversed (the
//! inputs still unknown last) makes each input depend only on the normals of the inputs
//! before it, so redrawing the normals of J_j keeps X_{−J_j} and draws X_{J_j} from its
//! exact conditional distribution given X_{−J_j}, mapped through each marginal's
//! quantile function (`Program::with_copula_order`).
//!
//! Intervals are 95% batch-means intervals (see the `pick_freeze` module) whose batches are
//! the chunks with random permutations, and the rounds with exact ones (a round's sum
//! has no permutation-to-permutation variation). Evaluations: N·(k + 1).

use rand::RngExt as _;

use super::pick_freeze::{self, B_SEED, Failure, Layout, Sums};
use crate::engine::{CHUNK, RunConfig};
use crate::error::Result;
use crate::simulation::Simulation;
use crate::stats::tree::ChunkTree;
use crate::stream::{stream, stream_key};

/// Up to this many inputs, every permutation is used equally often (4! = 24 per round).
pub(crate) const EXACT_MAX_INPUTS: usize = 4;
/// Default base sample size N: 512 chunks, so 512 permutations.
pub(crate) const DEFAULT_TRIALS: u64 = 512 * CHUNK as u64;

/// One factor's Shapley effect.
#[derive(Clone, Debug)]
pub struct ShapleyFactor {
    /// The factor var.
    pub name: String,
    /// Its share of the output's variance.
    pub shapley: f64,
    /// 95% interval.
    pub shapley_ci: [f64; 2],
}

/// Shapley effects of one output.
#[derive(Clone, Debug)]
pub struct Shapley {
    /// Base sample size N (whole chunks).
    pub trials: u64,
    /// Model evaluations: N·(k + 1).
    pub evaluations: u64,
    /// Permutations evaluated (one per chunk).
    pub permutations: u64,
    /// True if every permutation was used equally often.
    pub exact: bool,
    /// Σ Sh_i (1 up to rounding).
    pub sum: f64,
    /// Factors, largest effect first.
    pub factors: Vec<ShapleyFactor>,
    /// Problems a reader should know about (wide intervals).
    pub warnings: Vec<String>,
}

/// Shapley effects of `output` for the factors `factors` (indices into the program's
/// factors) of `simulation`'s program, correlations included, with N about
/// `config.trials` (see `chunks`).
///
/// # Errors
/// Non-finite values in any evaluation.
pub fn effects(simulation: &Simulation, output: &str, factors: &[usize], config: &RunConfig) -> Result<Shapley> {
    Ok(finish(simulation, factors, config, &sums(simulation, output, factors, config, None, &mut |_, _| {})?))
}

/// The base sample of a run asked for `config` with `k` inputs: whole chunks.
fn base_sample(config: &RunConfig, k: usize) -> RunConfig {
    RunConfig { trials: chunks(config.trials, k) * CHUNK as u64, ..*config }
}

/// Chunks per batch with `k` inputs: a round of every permutation when they are few.
fn rounds(k: usize) -> u64 {
    if k <= EXACT_MAX_INPUTS { factorial(k) } else { 1 }
}

/// The shape of the sums of a run asked for `config` with `k` inputs: per batch, k sums.
pub(super) fn layout(config: &RunConfig, k: usize) -> Layout {
    Layout { dim: k, units: base_sample(config, k).n_chunks() / rounds(k) }
}

/// The sums behind [`effects`], over the batches of shard `shard` (K, M), or all,
/// telling `progress` the chunks done of those in all.
///
/// # Errors
/// As [`effects`].
pub(super) fn sums(
    simulation: &Simulation,
    output: &str,
    factors: &[usize],
    config: &RunConfig,
    shard: Option<(u64, u64)>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ChunkTree<Sums>> {
    let k = factors.len();
    let exact = k <= EXACT_MAX_INPUTS;
    let config = base_sample(config, k);
    let program = &simulation.program;
    let out = simulation.output_index(output).expect("output kept");
    let base = config.seeds(program);
    let seed_b = config.seed ^ B_SEED;
    let correlated = program.copula().is_some_and(|(members, _)| factors.iter().any(|f| members.contains(f)));
    let units = pick_freeze::shard_units(config.n_chunks(), rounds(k), shard);
    pick_freeze::fold(
        simulation,
        program,
        &config,
        k,
        units,
        |evaluator| {
            let order = permutation(k, exact, config.seed, evaluator.index);
            let reordered;
            let variant = match correlated {
                true => {
                    let unknown_last: Vec<usize> = order.iter().rev().map(|&i| factors[i]).collect();
                    reordered = program.with_copula_order(&unknown_last);
                    &reordered
                }
                false => program,
            };
            let mut seeds = base.clone();
            let y_a = match evaluator.evaluate(variant, &seeds, out) {
                Ok(values) => values.to_vec(),
                Err(counts) => return Err(Failure::new(variant, &seeds, counts)),
            };
            let mut contributions = vec![0.0; k];
            let mut before = 0.0;
            for &i in &order {
                seeds[factors[i]] = seed_b;
                let y =
                    evaluator.evaluate(variant, &seeds, out).map_err(|counts| Failure::new(variant, &seeds, counts))?;
                let c: f64 = y_a.iter().zip(y).map(|(a, b)| (a - b) * (a - b) / 2.0).sum();
                contributions[i] = c - before;
                before = c;
            }
            Ok(vec![contributions])
        },
        progress,
    )
}

/// [`effects`]'s result from the sums of every batch.
pub(super) fn finish(
    simulation: &Simulation,
    factors: &[usize],
    config: &RunConfig,
    tree: &ChunkTree<Sums>,
) -> Shapley {
    let k = factors.len();
    let config = base_sample(config, k);
    let sums = pick_freeze::total(tree, k);
    let names = simulation.factor_names();
    let ones = vec![1.0; k];
    let mut analysed: Vec<ShapleyFactor> = factors
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            let unit: Vec<f64> = (0..k).map(|j| f64::from(u8::from(i == j))).collect();
            let (shapley, shapley_ci) = sums.ratio(&unit, &ones);
            ShapleyFactor { name: names[f].clone(), shapley, shapley_ci }
        })
        .collect();
    let sum = analysed.iter().map(|f| f.shapley).sum();
    analysed.sort_by(|a, b| b.shapley.total_cmp(&a.shapley));
    let widest = analysed.iter().map(|f| f.shapley_ci[1] - f.shapley_ci[0]).fold(0.0, f64::max);
    let warnings = match widest > 0.1 {
        true => vec![format!(
            "confidence intervals are wide (up to {widest:.2}); run more trials (--trials) for firmer effects"
        )],
        false => Vec::new(),
    };
    Shapley {
        trials: config.trials,
        evaluations: config.trials * (k as u64 + 1),
        permutations: config.n_chunks(),
        exact: k <= EXACT_MAX_INPUTS,
        sum,
        factors: analysed,
        warnings,
    }
}

/// Chunks for about `trials` base trials and `k` inputs: at least 2 (for an interval)
/// and, with exact permutations, a whole number of rounds of all k! of them.
pub(crate) fn chunks(trials: u64, k: usize) -> u64 {
    let n = trials.div_ceil(CHUNK as u64).max(2);
    match k <= EXACT_MAX_INPUTS {
        true => {
            let rounds = factorial(k);
            // At least 10 rounds: each round is one batch of the interval.
            n.max(10 * rounds).div_ceil(rounds) * rounds
        }
        false => n,
    }
}

/// k!
fn factorial(k: usize) -> u64 {
    (1..=k as u64).product()
}

/// Chunk `chunk`'s permutation of 0..k: the (chunk mod k!)-th in lexicographic order when
/// `exact`, else a uniformly random one from the chunk's own stream.
fn permutation(k: usize, exact: bool, seed: u64, chunk: u64) -> Vec<usize> {
    let mut items: Vec<usize> = (0..k).collect();
    if exact {
        // Decode chunk mod k! in the factorial number system (Lehmer code).
        let mut rest = chunk % factorial(k);
        let mut order = Vec::with_capacity(k);
        for left in (1..=k).rev() {
            let block = factorial(left - 1);
            order.push(items.remove((rest / block) as usize));
            rest %= block;
        }
        return order;
    }
    let mut rng = stream(seed, stream_key("shapley permutations"), chunk);
    for i in (1..k).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_permutations_go_through_every_order_once_per_round() {
        let mut seen: Vec<Vec<usize>> = (0..24).map(|c| permutation(4, true, 1, c)).collect();
        assert_eq!(seen[0], [0, 1, 2, 3]);
        assert_eq!(seen[23], [3, 2, 1, 0]);
        assert_eq!(permutation(4, true, 1, 24), seen[0]);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 24);
    }

    #[test]
    fn random_permutations_are_permutations_and_depend_on_the_chunk() {
        let a = permutation(16, false, 7, 0);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..16).collect::<Vec<_>>());
        assert_ne!(a, permutation(16, false, 7, 1));
        assert_eq!(a, permutation(16, false, 7, 0));
    }

    #[test]
    fn chunk_counts_are_whole_rounds_with_exact_permutations() {
        assert_eq!(chunks(1, 1), 10);
        assert_eq!(chunks(10 * CHUNK as u64, 3), 60);
        assert_eq!(chunks(DEFAULT_TRIALS, 3), 516);
        assert_eq!(chunks(DEFAULT_TRIALS, 4), 528);
        assert_eq!(chunks(1, 5), 2);
        assert_eq!(chunks(DEFAULT_TRIALS, 7), 512);
    }
}
