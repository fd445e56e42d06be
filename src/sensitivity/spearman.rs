//! Spearman rank correlation of each factor with the output, and each factor's
//! `contribution_to_variance`: its squared rank correlation as a share of the sum over
//! all factors (Crystal Ball's normalisation; shares sum to 1). Ties get average ranks,
//! so discrete inputs are handled. Uses the first [`crate::stats::rank::RANK_CAP`] trials at most.

use rayon::prelude::*;

use super::sample::Sample;
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

/// Spearman's ρ of each factor of `trials` with the output, whose ranks are
/// `output_ranks`, ranking on `threads` threads: one factor's ranks at a time per thread.
///
/// # Errors
/// [`crate::Error::Threads`] if the pool cannot be built.
pub(crate) fn correlations(output_ranks: &[f64], trials: &Sample, threads: usize) -> Result<Vec<(String, f64)>> {
    let rho = |(name, x): &(String, Vec<f64>)| (name.clone(), pearson(output_ranks, &ranks(x)));
    Ok(crate::engine::pool(threads)?.install(|| trials.factors.par_iter().map(rho).collect()))
}

/// The analysis from every factor's ρ (of [`correlations`]) over `trials` trials.
pub(crate) fn from_correlations(trials: u64, rhos: Vec<(String, f64)>) -> Spearman {
    let total: f64 = rhos.iter().map(|(_, r)| r * r).sum();
    let mut factors: Vec<SpearmanFactor> = rhos
        .into_iter()
        .map(|(name, rho)| SpearmanFactor {
            name,
            rank_correlation: rho,
            contribution_to_variance: if total > 0.0 { rho * rho / total } else { 0.0 },
        })
        .collect();
    factors.sort_by(|a, b| b.rank_correlation.abs().total_cmp(&a.rank_correlation.abs()));
    Spearman { trials, factors }
}
