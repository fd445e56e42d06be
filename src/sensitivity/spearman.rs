//! Spearman rank correlation of each factor with the output, and each factor's
//! `contribution_to_variance`: its squared rank correlation as a share of the sum over
//! all factors (Crystal Ball's normalisation; shares sum to 1). Ties get average ranks,
//! so discrete inputs are handled. Uses the first [`super::RANK_CAP`] trials at most.

use rayon::prelude::*;

use crate::engine::RunConfig;
use crate::error::Result;
use crate::simulation::Simulation;

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

/// Rank correlations of every factor with `output`; `simulation` reports both.
///
/// # Errors
/// Non-finite values.
pub fn run(simulation: &Simulation<'_>, output: &str, config: &RunConfig) -> Result<Spearman> {
    let columns = simulation.collect(config, &config.seeds(&simulation.program))?;
    let index = |name: &str| simulation.output_index(name).expect("kept as output");
    let names = simulation.factor_names();
    let wanted: Vec<usize> = std::iter::once(index(output)).chain(names.iter().map(|n| index(n))).collect();
    let ranks: Vec<Vec<f64>> = wanted.par_iter().map(|&i| ranks(&columns[i])).collect();
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

/// Ranks 1..n, ties sharing their average rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let average = (start + end + 1) as f64 / 2.0;
        order[start..end].iter().for_each(|&i| ranks[i] = average);
        start = end;
    }
    ranks
}

/// Pearson correlation; 0 when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 { 0.0 } else { sxy / (sxx * syy).sqrt() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_their_average_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn pearson_of_a_line_is_one_and_of_a_constant_is_zero() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-15);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-15);
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]), 0.0);
    }
}
