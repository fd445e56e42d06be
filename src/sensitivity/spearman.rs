//! Spearman rank correlation of each factor with the output, and each factor's
//! `contribution_to_variance`: its squared rank correlation as a share of the sum over
//! all factors (Crystal Ball's normalisation; shares sum to 1). Ties get average ranks,
//! so discrete inputs are handled. Uses the first [`crate::stats::rank::RANK_CAP`] trials at most.

use rayon::prelude::*;

use crate::engine::RunConfig;
use crate::error::Result;
use crate::simulation::Simulation;
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

/// Rank correlations of each factor in `names` with `output`; `simulation` reports them
/// all.
///
/// # Errors
/// Non-finite values.
pub fn run(simulation: &Simulation<'_>, output: &str, names: &[String], config: &RunConfig) -> Result<Spearman> {
    let columns = simulation.collect(config, &config.seeds(&simulation.program))?;
    let index = |name: &str| simulation.output_index(name).expect("kept as output");
    let wanted: Vec<usize> = std::iter::once(index(output)).chain(names.iter().map(|n| index(n))).collect();
    let pool = crate::engine::pool(config.threads)?;
    let ranks: Vec<Vec<f64>> = pool.install(|| wanted.par_iter().map(|&i| ranks(&columns[i])).collect());
    let rhos: Vec<f64> = ranks[1..].iter().map(|r| pearson(&ranks[0], r)).collect();
    let total: f64 = rhos.iter().map(|r| r * r).sum();
    let mut factors: Vec<SpearmanFactor> = names
        .iter()
        .zip(&rhos)
        .map(|(name, &rho)| SpearmanFactor {
            name: name.to_string(),
            rank_correlation: rho,
            contribution_to_variance: if total > 0.0 { rho * rho / total } else { 0.0 },
        })
        .collect();
    factors.sort_by(|a, b| b.rank_correlation.abs().total_cmp(&a.rank_correlation.abs()));
    Ok(Spearman { trials: config.trials, factors })
}
