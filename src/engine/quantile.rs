//! Inputs sampled through quantile functions: uniforms by Monte Carlo, Latin hypercube or
//! a randomised Sobol sequence, an optional Gaussian copula, then x = Q(u).
//!
//! - `mc`: each input's uniforms come from its own stream, as for any other draw.
//! - `lhs`: each chunk is a Latin hypercube of its trials: input k's n uniforms are
//!   (π_k(i) + v_i)/n with π_k a random permutation and v_i uniform, both from the
//!   input's stream. Chunks are independent hypercubes, so results stay deterministic
//!   and thread-count independent.
//! - `qmc`: trial t's point is the t-th point of the Sobol sequence (Joe & Kuo 2008
//!   direction numbers, one dimension per input in declaration order), randomised by a
//!   random digital shift per input (XOR with 64 random bits fixed for the run). Up to
//!   [`crate::qmc::MAX_DIMENSIONS`] inputs.

use rand::RngExt as _;

use crate::compile::program::{Member, Sampling};
use crate::dist::{Rng, normal_quantile, std_normal, uniform_open};
use crate::qmc::sobol_column;

/// What the quantile op needs besides its members.
pub(super) struct QuantileInputs<'a> {
    pub(super) sampling: Sampling,
    pub(super) correlated: &'a [usize],
    pub(super) cholesky: &'a [Vec<f64>],
    /// Index of the chunk's first trial.
    pub(super) first_trial: u64,
    /// Per-factor digital shifts (qmc).
    pub(super) shifts: &'a [u64],
    /// When a chunk runs in blocks: each lhs member's strata for the whole chunk (else
    /// empty, and each block is the whole chunk).
    pub(super) strata: &'a [Vec<u32>],
    /// The block's first trial within the chunk.
    pub(super) offset: usize,
}

/// Fills every member's column for the chunk's `n` trials.
pub(super) fn fill(
    members: &[Member],
    inputs: &QuantileInputs<'_>,
    columns: &mut [Vec<f64>],
    rngs: &mut [Rng],
    n: usize,
) {
    for (k, m) in members.iter().enumerate() {
        let column = &mut columns[m.dst as usize][..n];
        let rng = &mut rngs[m.stream as usize];
        let correlated = inputs.correlated.contains(&k);
        match inputs.sampling {
            // Correlated inputs start from standard normals: drawn directly under mc.
            Sampling::Mc if correlated => column.iter_mut().for_each(|z| *z = std_normal(rng)),
            Sampling::Mc => column.iter_mut().for_each(|u| *u = uniform_open(rng)),
            Sampling::Lhs => match inputs.strata.get(k) {
                Some(strata) => jitter(column, &strata[inputs.offset..inputs.offset + n], strata.len(), rng),
                None => latin_hypercube(column, rng),
            },
            Sampling::Qmc => sobol_column(column, inputs.first_trial, m.dim as usize, inputs.shifts[m.stream as usize]),
        }
        if correlated && inputs.sampling != Sampling::Mc {
            column.iter_mut().for_each(|u| *u = normal_quantile(*u));
        }
    }
    if !inputs.correlated.is_empty() {
        correlate(members, inputs, columns, n);
    }
    for (k, m) in members.iter().enumerate() {
        let column = columns[m.dst as usize][..n].iter_mut();
        if inputs.correlated.contains(&k) {
            column.for_each(|z| *z = m.at_normal(*z));
        } else {
            column.for_each(|u| *u = m.quantile(*u));
        }
    }
}

/// Shuffles `items` in place (Fisher–Yates), drawing from `rng`.
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
}

/// The strata of a Latin hypercube of `n` trials, in random order, into `strata`: drawn
/// from `rng` exactly as [`latin_hypercube`] draws them.
pub(super) fn strata(n: usize, rng: &mut Rng, strata: &mut Vec<u32>) {
    strata.clear();
    strata.extend(0..n as u32);
    shuffle(strata, rng);
}

/// A Latin hypercube of the column's trials: one uniform in each stratum, the strata in
/// random order, made in place.
fn latin_hypercube(column: &mut [f64], rng: &mut Rng) {
    for (i, u) in column.iter_mut().enumerate() {
        *u = i as f64;
    }
    shuffle(column, rng);
    let n = column.len() as f64;
    column.iter_mut().for_each(|u| *u = (*u + uniform_open(rng)) / n);
}

/// One uniform in each of `strata` (of `n`), drawn in order: a block of a chunk's
/// [`latin_hypercube`].
fn jitter(column: &mut [f64], strata: &[u32], n: usize, rng: &mut Rng) {
    for (u, &s) in column.iter_mut().zip(strata) {
        *u = (f64::from(s) + uniform_open(rng)) / n as f64;
    }
}

/// Gaussian copula: independent standard normals ε → L·ε, for the correlated members.
fn correlate(members: &[Member], inputs: &QuantileInputs<'_>, columns: &mut [Vec<f64>], n: usize) {
    let slots: Vec<usize> = inputs.correlated.iter().map(|&k| members[k].dst as usize).collect();
    let mut z = vec![0.0; slots.len()];
    #[allow(clippy::needless_range_loop)] // Trial i of several columns at once.
    for i in 0..n {
        for (zk, &s) in z.iter_mut().zip(&slots) {
            *zk = columns[s][i];
        }
        for (row, &s) in inputs.cholesky.iter().zip(&slots) {
            columns[s][i] = row.iter().zip(&z).map(|(l, zk)| l * zk).sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn latin_hypercube_puts_one_value_in_each_stratum() {
        let mut column = vec![0.0; 1000];
        latin_hypercube(&mut column, &mut Rng::seed_from_u64(1));
        let mut strata: Vec<usize> = column.iter().map(|u| (u * 1000.0) as usize).collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..1000).collect::<Vec<_>>());
    }
}
