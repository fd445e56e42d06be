//! Rank correlations between inputs: the requested matrix, its validation and repair.
//!
//! costsim correlates inputs with a Gaussian copula: each correlated var is drawn as
//! Q(Φ(z)) where Q is its own quantile function and z is a correlated standard normal
//! (z = L·ε, L the Cholesky factor). Marginals are therefore exactly what the model
//! says, each trial is independent of every other (so chunks, threads and streams work
//! as for uncorrelated inputs), and for continuous marginals the Spearman correlation is
//! exactly the requested one once the Pearson correlation of the normals is set to
//! ρ = 2·sin(π·ρ_s/6) (Kruskal 1958). Discrete marginals keep their exact distribution;
//! ties lower the achieved rank correlation, which is measured and reported.
//!
//! The matrix of normal correlations must be positive semi-definite. When it is not,
//! [`CorrelationMatrix::new`] names the pair whose coefficient is furthest outside the
//! range the other two coefficients of its triple allow; with repair requested it is
//! replaced by the nearest correlation matrix (Higham 2002, alternating projections
//! with Dykstra's correction) and the moves are reported.

/// Requested Spearman rank correlation of one `[[correlations]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Coefficients {
    /// `rank = ρ` between two vars.
    Rank(f64),
    /// `matrix = [[...]]` between n vars.
    Matrix(Vec<Vec<f64>>),
}

/// One `[[correlations]]` entry: its vars and coefficients.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    /// The correlated vars, in the entry's order.
    pub vars: Vec<&'a str>,
    /// Their coefficients.
    pub coefficients: &'a Coefficients,
}

/// Why a set of correlations cannot be used; `entry` indexes the entries given.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CorrelationError {
    /// Two entries give one pair different coefficients.
    #[error("the pair `{a}`–`{b}` is given two different correlations ({first} and {second})")]
    Conflicting {
        /// The later entry.
        entry: usize,
        /// The pair.
        a: String,
        /// The pair.
        b: String,
        /// The earlier coefficient.
        first: f64,
        /// The later one.
        second: f64,
    },
    /// The matrix is not positive semi-definite: a pair lies outside the range the other
    /// two coefficients of a triple allow.
    #[error(
        "the rank correlations cannot hold together: `{a}`–`{b}` is {value}, but given `{a}`–`{c}` = {ac} and `{b}`–`{c}` = {bc} it must lie in [{lo:.3}, {hi:.3}]"
    )]
    Impossible {
        /// The entry that set the pair.
        entry: usize,
        /// The pair.
        a: String,
        /// The pair.
        b: String,
        /// Its requested coefficient.
        value: f64,
        /// The third var of the triple.
        c: String,
        /// `a`–`c`.
        ac: f64,
        /// `b`–`c`.
        bc: f64,
        /// The allowed range's ends.
        lo: f64,
        /// The allowed range's ends.
        hi: f64,
    },
    /// Not positive semi-definite, with no single triple to blame.
    #[error("the correlation matrix is not positive semi-definite")]
    NotPositive {
        /// The first entry.
        entry: usize,
    },
    /// Even the repaired matrix has no Cholesky factor.
    #[error("the repaired matrix is still not positive definite")]
    Unrepairable {
        /// The first entry.
        entry: usize,
    },
}

impl CorrelationError {
    /// The entry to blame.
    pub fn entry(&self) -> usize {
        match self {
            CorrelationError::Conflicting { entry, .. }
            | CorrelationError::Impossible { entry, .. }
            | CorrelationError::NotPositive { entry }
            | CorrelationError::Unrepairable { entry } => *entry,
        }
    }
}

/// A requested coefficient that had to move to make the matrix valid.
#[derive(Clone, Debug, PartialEq)]
pub struct Repair {
    /// The two vars.
    pub pair: [String; 2],
    /// Requested Spearman coefficient.
    pub requested: f64,
    /// Spearman coefficient used after repair.
    pub used: f64,
}

/// The validated correlation structure of a model.
#[derive(Clone, Debug)]
pub struct CorrelationMatrix {
    /// Correlated vars, in order of first mention.
    pub vars: Vec<String>,
    /// Requested Spearman coefficients, n×n.
    pub requested: Vec<Vec<f64>>,
    /// Lower Cholesky factor of the normal (Pearson) correlations used, n×n.
    pub cholesky: Vec<Vec<f64>>,
    /// Coefficients that repair moved (empty unless repaired).
    pub repairs: Vec<Repair>,
}

/// Spearman ρ_s → Pearson ρ of the underlying normals.
pub(crate) fn spearman_to_pearson(rho_s: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho_s / 6.0).sin()
}

/// Pearson ρ of normals → their Spearman ρ_s.
pub(crate) fn pearson_to_spearman(rho: f64) -> f64 {
    6.0 / std::f64::consts::PI * (rho / 2.0).asin()
}

impl CorrelationMatrix {
    /// Combines every `[[correlations]]` entry into one matrix (unspecified pairs are 0).
    ///
    /// # Errors
    /// The offending pair when the matrix is not positive semi-definite (and `repair` is
    /// false), or when two entries give one pair different values.
    pub fn new(entries: &[Entry<'_>], repair: bool) -> Result<CorrelationMatrix, CorrelationError> {
        let mut vars: Vec<String> = Vec::new();
        for e in entries {
            for v in &e.vars {
                if !vars.iter().any(|w| w == v) {
                    vars.push(v.to_string());
                }
            }
        }
        let n = vars.len();
        let mut requested = vec![vec![0.0; n]; n];
        let mut set_by: Vec<Vec<Option<usize>>> = vec![vec![None; n]; n];
        for (i, row) in requested.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        for (entry, e) in entries.iter().enumerate() {
            let index: Vec<usize> =
                e.vars.iter().map(|v| vars.iter().position(|w| w == v).expect("collected")).collect();
            for (a, &i) in index.iter().enumerate() {
                for (b, &j) in index.iter().enumerate().filter(|(b, _)| *b != a) {
                    let value = match e.coefficients {
                        Coefficients::Rank(r) => *r,
                        Coefficients::Matrix(m) => m[a][b],
                    };
                    if set_by[i][j].is_some() && requested[i][j] != value {
                        let (a, b) = (vars[i].clone(), vars[j].clone());
                        return Err(CorrelationError::Conflicting {
                            entry,
                            a,
                            b,
                            first: requested[i][j],
                            second: value,
                        });
                    }
                    requested[i][j] = value;
                    set_by[i][j] = Some(entry);
                }
            }
        }
        let pearson: Vec<Vec<f64>> =
            requested.iter().map(|row| row.iter().map(|&r| spearman_to_pearson(r)).collect()).collect();
        if let Some(cholesky) = cholesky(&pearson) {
            return Ok(CorrelationMatrix { vars, requested, cholesky, repairs: Vec::new() });
        }
        if !repair {
            return Err(explain_not_psd(&vars, &requested, &pearson, &set_by));
        }
        let fixed = nearest_correlation(&pearson);
        let cholesky = cholesky(&fixed).ok_or(CorrelationError::Unrepairable { entry: 0 })?;
        let mut repairs = Vec::new();
        for i in 0..n {
            for j in 0..i {
                let used = pearson_to_spearman(fixed[i][j]);
                if (used - requested[i][j]).abs() > 5e-4 {
                    repairs.push(Repair { pair: [vars[j].clone(), vars[i].clone()], requested: requested[i][j], used });
                }
            }
        }
        Ok(CorrelationMatrix { vars, requested, cholesky, repairs })
    }
}

/// The lower Cholesky factor, or `None` if `m` is not positive definite (to a tolerance
/// that admits semi-definite matrices with rounding).
pub(crate) fn cholesky(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = m[i][i] - sum;
                if d < -1e-10 {
                    return None;
                }
                l[i][j] = d.max(0.0).sqrt();
            } else {
                l[i][j] = if l[j][j] > 1e-12 { (m[i][j] - sum) / l[j][j] } else { 0.0 };
                if l[j][j] <= 1e-12 && (m[i][j] - sum).abs() > 1e-10 {
                    return None;
                }
            }
        }
    }
    Some(l)
}

/// The pair furthest outside the range its triples allow, and the entry that set it.
fn explain_not_psd(
    vars: &[String],
    requested: &[Vec<f64>],
    pearson: &[Vec<f64>],
    set_by: &[Vec<Option<usize>>],
) -> CorrelationError {
    let n = vars.len();
    let mut worst: Option<(f64, usize, usize, usize, f64, f64)> = None;
    for i in 0..n {
        for j in (i + 1)..n {
            for k in (0..n).filter(|&k| k != i && k != j) {
                // Given ρ_ik and ρ_jk, ρ_ij must lie in ρ_ik·ρ_jk ± √((1−ρ_ik²)(1−ρ_jk²)).
                let (a, b) = (pearson[i][k], pearson[j][k]);
                let spread = ((1.0 - a * a) * (1.0 - b * b)).max(0.0).sqrt();
                let (lo, hi) = (a * b - spread, a * b + spread);
                let excess = (lo - pearson[i][j]).max(pearson[i][j] - hi);
                if excess > 1e-9 && worst.is_none_or(|w| excess > w.0) {
                    worst = Some((excess, i, j, k, lo, hi));
                }
            }
        }
    }
    match worst {
        Some((_, i, j, k, lo, hi)) => CorrelationError::Impossible {
            entry: set_by[i][j].unwrap_or(0),
            a: vars[i].clone(),
            b: vars[j].clone(),
            value: requested[i][j],
            c: vars[k].clone(),
            ac: requested[i][k],
            bc: requested[j][k],
            lo: pearson_to_spearman(lo),
            hi: pearson_to_spearman(hi),
        },
        None => CorrelationError::NotPositive { entry: 0 },
    }
}

/// Eigenvalues and eigenvectors of a symmetric matrix (cyclic Jacobi): (values, vectors
/// as columns).
fn eigen(m: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = m.len();
    let mut a = m.to_vec();
    let mut v: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| f64::from(i == j)).collect()).collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..n {
            for q in (p + 1)..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
                for row in a.iter_mut() {
                    let (akp, akq) = (row[p], row[q]);
                    row[p] = c * akp - s * akq;
                    row[q] = s * akp + c * akq;
                }
                let (row_p, row_q) = (a[p].clone(), a[q].clone());
                for (k, (apk, aqk)) in row_p.iter().zip(&row_q).enumerate() {
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}

/// Higham's nearest correlation matrix, kept strictly positive definite (eigenvalues
/// at least 1e-6) so it has a Cholesky factor.
fn nearest_correlation(m: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = m.len();
    let mut y = m.to_vec();
    let mut correction = vec![vec![0.0; n]; n];
    for _ in 0..500 {
        let r: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| y[i][j] - correction[i][j]).collect()).collect();
        let (values, vectors) = eigen(&r);
        let x: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n).map(|j| (0..n).map(|k| vectors[i][k] * values[k].max(1e-6) * vectors[j][k]).sum()).collect()
            })
            .collect();
        correction = (0..n).map(|i| (0..n).map(|j| x[i][j] - r[i][j]).collect()).collect();
        let previous = std::mem::replace(&mut y, x);
        for (i, row) in y.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        let change: f64 = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| (y[i][j] - previous[i][j]).abs())
            .fold(0.0, f64::max);
        if change < 1e-10 {
            break;
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def<'a>(vars: &[&'a str], coefficients: &'a Coefficients) -> Entry<'a> {
        Entry { vars: vars.to_vec(), coefficients }
    }

    #[test]
    fn spearman_pearson_round_trip() {
        for r in [-0.9, -0.3, 0.0, 0.5, 0.8, 1.0] {
            assert!((pearson_to_spearman(spearman_to_pearson(r)) - r).abs() < 1e-12);
        }
    }

    #[test]
    fn impossible_triple_names_the_worst_pair_and_repair_moves_it() {
        let m = Coefficients::Matrix(vec![vec![1.0, 0.9, 0.9], vec![0.9, 1.0, -0.5], vec![0.9, -0.5, 1.0]]);
        let err = CorrelationMatrix::new(&[def(&["a", "b", "c"], &m)], false).unwrap_err().to_string();
        assert!(err.starts_with("the rank correlations cannot hold together: `b`–`c` is -0.5"), "{err}");
        let fixed = CorrelationMatrix::new(&[def(&["a", "b", "c"], &m)], true).unwrap();
        assert!(!fixed.repairs.is_empty());
        assert!(fixed.repairs.iter().any(|r| r.pair == ["b".to_string(), "c".to_string()] && r.used > -0.5));
    }

    #[test]
    fn valid_pairs_combine_into_one_matrix() {
        let (ab, bc) = (Coefficients::Rank(0.8), Coefficients::Rank(-0.3));
        let c = CorrelationMatrix::new(&[def(&["a", "b"], &ab), def(&["b", "c"], &bc)], false).unwrap();
        assert_eq!(c.vars, ["a", "b", "c"]);
        assert_eq!(c.requested[0][1], 0.8);
        assert_eq!(c.requested[2][1], -0.3);
        assert_eq!(c.requested[0][2], 0.0);
        let l = &c.cholesky;
        let rebuilt: f64 = (0..3).map(|k| l[1][k] * l[0][k]).sum();
        assert!((rebuilt - spearman_to_pearson(0.8)).abs() < 1e-12);
    }
}
