//! Spearman rank correlation of each factor with the output, and each factor's
//! `contribution_to_variance`: its squared rank correlation as a share of the sum over
//! all factors (Crystal Ball's normalisation; shares sum to 1). Ties get average ranks,
//! so discrete inputs are handled. Uses the first [`crate::stats::rank::RANK_CAP`] trials at most.

use rayon::prelude::*;

use super::Trials;
use crate::error::Result;
use crate::stats::rank::{pearson, ranks};

/// One factor's rank correlation.
#[derive(Clone, Debug)]
pub struct SpearmanFactor {
    /// The factor var.
    pub name: String,
    /// Spearman's ρ between the factor and the output.
    pub rank_correlation: f64,
    /// ρ² / Σρ² (0 if every ρ is 0).
    pub contribution_to_variance: f64,
}

/// Rank correlations with one output.
#[derive(Clone, Debug)]
pub struct Spearman {
    /// Trials used.
    pub trials: u64,
    /// Factors, largest |ρ| first.
    pub factors: Vec<SpearmanFactor>,
}

/// Rank correlations of each factor with the output over `trials`, ranking on `threads`
/// threads.
///
/// # Errors
/// [`crate::Error::Threads`] if the pool cannot be built.
pub fn run(trials: &Trials, threads: usize) -> Result<Spearman> {
    let columns: Vec<&[f64]> =
        std::iter::once(&trials.output[..]).chain(trials.factors.iter().map(|(_, v)| &v[..])).collect();
    let ranks: Vec<Vec<f64>> =
        crate::engine::pool(threads)?.install(|| columns.par_iter().map(|column| ranks(column)).collect());
    let rhos: Vec<f64> = ranks[1..].iter().map(|r| pearson(&ranks[0], r)).collect();
    let total: f64 = rhos.iter().map(|r| r * r).sum();
    let mut factors: Vec<SpearmanFactor> = trials
        .factors
        .iter()
        .zip(&rhos)
        .map(|((name, _), &rho)| SpearmanFactor {
            name: name.clone(),
            rank_correlation: rho,
            contribution_to_variance: if total > 0.0 { rho * rho / total } else { 0.0 },
        })
        .collect();
    factors.sort_by(|a, b| b.rank_correlation.abs().total_cmp(&a.rank_correlation.abs()));
    Ok(Spearman { trials: trials.output.len() as u64, factors })
}
