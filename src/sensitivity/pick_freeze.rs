//! What Sobol indices and Shapley effects share: pick-freeze designs evaluated chunk by
//! chunk and reduced to sums, so memory does not grow with N or the number of inputs.
//!
//! Each chunk's trials are evaluated several ways, some factors drawing from the run's
//! seed (sample A) and others from a second seed (sample B). Every estimate is a ratio of
//! sums over trials. The trials are grouped into *batches* (for Sobol, blocks of
//! [`SOBOL_BATCH`] trials; for Shapley, a chunk with its random permutation, or a round
//! of chunks that goes once through every permutation), and a batch
//! contributes its vector of sums x_b and the products x_b·x_bᵀ. These are folded in the
//! fixed chunk tree ([`crate::stats::tree`]), so the bits do not depend on the thread
//! count, and the shards of a run split into contiguous ranges of batches
//! (`sensitivity --shard K/M`) fold to the same values.
//!
//! A ratio R = Σ a·x_b / Σ d·x_b (weights a and d) gets a 95% interval from the batch
//! means by the delta method: Var(R) ≈ B/(B − 1) · Σ_b ((a − R·d)·x_b)² / (Σ_b d·x_b)²,
//! with Student's t on B − 1 degrees of freedom. The centred sums are computed from the
//! second-moment matrix, so batches are kept small enough (hundreds of trials) that no
//! precision is lost to cancellation.

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::compile::Program;
use crate::engine::{self, Evaluator, NonFinite, RunConfig};
use crate::error::Result;
use crate::simulation::Simulation;
use crate::stats::tree::ChunkTree;
use std::ops::Range;

/// Sample B's seed is the run's seed XOR this constant.
pub(super) const B_SEED: u64 = 0x5851_f42d_4c95_7f2d;
/// Trials per Sobol batch.
pub(super) const SOBOL_BATCH: usize = 256;

/// Per-batch sums, added up over batches, with their pairwise products.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sums {
    /// Batches added.
    batches: u64,
    /// Σ_b x_b.
    sum: Vec<f64>,
    /// Σ_b x_b·x_bᵀ, the upper triangle row by row.
    products: Vec<f64>,
}

impl Sums {
    /// No batches of `dim` sums yet.
    pub(super) fn new(dim: usize) -> Sums {
        Sums { batches: 0, sum: vec![0.0; dim], products: vec![0.0; dim * (dim + 1) / 2] }
    }

    /// Adds one batch's sums.
    pub(super) fn add(&mut self, x: &[f64]) {
        self.batches += 1;
        let mut k = 0;
        for (i, xi) in x.iter().enumerate() {
            self.sum[i] += xi;
            for xj in &x[i..] {
                self.products[k] += xi * xj;
                k += 1;
            }
        }
    }

    /// Sums read back from [`Sums::parts`], or `None` if the lengths do not fit together.
    pub(crate) fn from_parts(batches: u64, sum: Vec<f64>, products: Vec<f64>) -> Option<Sums> {
        (products.len() == sum.len() * (sum.len() + 1) / 2).then_some(Sums { batches, sum, products })
    }

    /// The batch count, Σ_b x_b and the upper triangle of Σ_b x_b·x_bᵀ, row by row.
    pub(crate) fn parts(&self) -> (u64, &[f64], &[f64]) {
        (self.batches, &self.sum, &self.products)
    }

    /// Adds another set of batches.
    pub(crate) fn combine(&mut self, other: &Sums) {
        self.batches += other.batches;
        self.sum.iter_mut().zip(&other.sum).for_each(|(a, b)| *a += b);
        self.products.iter_mut().zip(&other.products).for_each(|(a, b)| *a += b);
    }

    /// Batches added.
    pub(super) fn batches(&self) -> u64 {
        self.batches
    }

    /// Σ_b w·x_b.
    pub(super) fn total(&self, w: &[f64]) -> f64 {
        w.iter().zip(&self.sum).map(|(w, s)| w * s).sum()
    }

    /// Σ_b (w·x_b)².
    fn square(&self, w: &[f64]) -> f64 {
        let dim = self.sum.len();
        let mut k = 0;
        let mut total = 0.0;
        for i in 0..dim {
            for j in i..dim {
                let both = if i == j { w[i] * w[i] } else { 2.0 * w[i] * w[j] };
                total += both * self.products[k];
                k += 1;
            }
        }
        total
    }

    /// The ratio Σ a·x_b / Σ d·x_b and its 95% interval (see the module docs); 0 with an
    /// empty interval when the denominator is 0, unbounded with fewer than 2 batches.
    pub(super) fn ratio(&self, a: &[f64], d: &[f64]) -> (f64, [f64; 2]) {
        let den = self.total(d);
        if den == 0.0 {
            return (0.0, [0.0, 0.0]);
        }
        let r = self.total(a) / den;
        if self.batches < 2 {
            return (r, [f64::NEG_INFINITY, f64::INFINITY]);
        }
        let w: Vec<f64> = a.iter().zip(d).map(|(a, d)| a - r * d).collect();
        let b = self.batches as f64;
        let variance = (b / (b - 1.0) * self.square(&w)).max(0.0) / (den * den);
        let t = StudentsT::new(0.0, 1.0, b - 1.0).expect("at least one degree of freedom").inverse_cdf(0.975);
        let half = t * variance.sqrt();
        (r, [r - half, r + half])
    }
}

/// The shape of a method's sums: vectors of `dim` sums, over batch units `0..units`.
pub(super) struct Layout {
    /// The length of each batch's vector.
    pub(super) dim: usize,
    /// The batch units of the whole run.
    pub(super) units: u64,
}

impl Layout {
    /// True if `tree` (merged from partial states, which anyone can write) has this
    /// shape: nodes that tile `0..units` with sums of `dim`.
    pub(super) fn fits(&self, tree: &ChunkTree<Sums>) -> bool {
        let mut next = 0;
        for node in tree.nodes() {
            if node.start != next || node.value.sum.len() != self.dim {
                return false;
            }
            next = node.end();
        }
        next == self.units
    }
}

/// Why a chunk could not be reduced: some var was NaN or infinite in one evaluation.
pub(super) struct Failure {
    /// The program evaluated (a variant of the simulation's).
    program: Box<Program>,
    /// The seeds it ran with.
    seeds: Vec<u64>,
    /// Non-finite values per var.
    counts: Vec<u64>,
}

impl Failure {
    /// The failure of the last `evaluator.run` of `program` with `seeds`.
    pub(super) fn new(program: &Program, seeds: &[u64], counts: &[u64]) -> Failure {
        Failure { program: Box::new(program.clone()), seeds: seeds.to_vec(), counts: counts.to_vec() }
    }
}

/// The batch units of shard `shard` = (K, M) of a run of `n_chunks` chunks in units of
/// `chunks_per_batch` (all of them without a shard): contiguous ranges of nearly equal
/// length, as [`engine::shard_chunks`] splits chunks.
pub(super) fn shard_units(n_chunks: u64, chunks_per_batch: u64, shard: Option<(u64, u64)>) -> (Range<u64>, u64) {
    let units = n_chunks / chunks_per_batch;
    let (k, m) = shard.unwrap_or((0, 1));
    let at = |k: u64| (u128::from(units) * u128::from(k) / u128::from(m.max(1))) as u64;
    (at(k)..at(k + 1), chunks_per_batch)
}

/// Folds the batches `reduce` makes of each chunk (vectors of `dim` sums) over the
/// batch units `units` (chunks, or rounds of `chunks_per_batch` chunks) of `config`, in
/// the fixed tree keyed by unit; `program` is the program (or one with the same slots)
/// that `reduce` evaluates. With `chunks_per_batch` > 1, each chunk gives one vector,
/// and the vectors of a round (of exact permutations) are added up into one batch.
/// `progress` is told the chunks done and the chunks in all, as each is folded.
///
/// # Errors
/// The non-finite values of the first chunk that had some, located as a run would locate
/// them; [`crate::Error::Threads`].
pub(super) fn fold(
    simulation: &Simulation,
    program: &Program,
    config: &RunConfig,
    dim: usize,
    (units, chunks_per_batch): (Range<u64>, u64),
    reduce: impl Fn(&mut Evaluator<'_>) -> std::result::Result<Vec<Vec<f64>>, Failure> + Sync,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ChunkTree<Sums>> {
    let mut tree = ChunkTree::default();
    let mut round = vec![0.0; dim];
    let chunks = units.start * chunks_per_batch..units.end * chunks_per_batch;
    let (total, mut done) = (chunks.end - chunks.start, 0);
    engine::for_each_evaluator(
        program,
        config,
        chunks,
        |evaluator| (evaluator.index, reduce(evaluator)),
        |(chunk, batches)| {
            done += 1;
            progress(done, total);
            match batches {
                Ok(batches) if chunks_per_batch == 1 => {
                    let mut sums = Sums::new(dim);
                    batches.iter().for_each(|x| sums.add(x));
                    tree.push(chunk, sums, &Sums::combine);
                    Ok(())
                }
                Ok(batches) => {
                    batches.iter().flatten().zip(0..).for_each(|(x, i)| round[i % dim] += x);
                    if (chunk + 1) % chunks_per_batch == 0 {
                        let mut sums = Sums::new(dim);
                        sums.add(&std::mem::replace(&mut round, vec![0.0; dim]));
                        tree.push(chunk / chunks_per_batch, sums, &Sums::combine);
                    }
                    Ok(())
                }
                Err(failure) => {
                    let mut nonfinite = NonFinite::new(failure.program.vars().len());
                    nonfinite.add(chunk, &failure.counts);
                    simulation.with_program(*failure.program).check_finite(&nonfinite, config, &failure.seeds)
                }
            }
        },
    )?;
    Ok(tree)
}

/// Every batch of `tree` in one.
pub(super) fn total(tree: &ChunkTree<Sums>, dim: usize) -> Sums {
    tree.fold(&Sums::combine).unwrap_or_else(|| Sums::new(dim))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_interval_matches_the_delta_method_by_hand() {
        // Batches (a, d): (1, 2), (2, 3), (4, 5): R = 7/10.
        let mut sums = Sums::new(2);
        for x in [[1.0, 2.0], [2.0, 3.0], [4.0, 5.0]] {
            sums.add(&x);
        }
        let (r, [lo, hi]) = sums.ratio(&[1.0, 0.0], &[0.0, 1.0]);
        assert_eq!(r, 0.7);
        let residuals: f64 = [1.0 - 1.4, 2.0 - 2.1, 4.0 - 3.5].iter().map(|e: &f64| e * e).sum();
        let sd = (1.5 * residuals).sqrt() / 10.0;
        let t = StudentsT::new(0.0, 1.0, 2.0).unwrap().inverse_cdf(0.975);
        assert!((hi - r - t * sd).abs() < 1e-12 && (r - lo - t * sd).abs() < 1e-12, "{lo} {hi}");
    }

    #[test]
    fn combining_equals_adding_every_batch_to_one() {
        let batches = [[1.0, -2.0, 0.5], [3.0, 0.25, -1.0], [-0.5, 4.0, 2.0]];
        let mut one = Sums::new(3);
        batches.iter().for_each(|x| one.add(x));
        let mut left = Sums::new(3);
        left.add(&batches[0]);
        let mut right = Sums::new(3);
        right.add(&batches[1]);
        right.add(&batches[2]);
        left.combine(&right);
        assert_eq!(left.batches(), 3);
        for w in [[1.0, 0.0, 0.0], [0.5, -1.0, 2.0]] {
            assert!((left.square(&w) - one.square(&w)).abs() < 1e-12);
            let direct: f64 = batches.iter().map(|x| w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().powi(2)).sum();
            assert!((one.square(&w) - direct).abs() < 1e-12);
        }
    }
}
