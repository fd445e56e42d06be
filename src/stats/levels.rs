//! The reported percentiles and the ranks of the order statistics that bound them.

/// The reported percentiles, with their JSON names.
pub(crate) const PERCENTILES: [(&str, f64); 9] = [
    ("p1", 0.01),
    ("p5", 0.05),
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
];

/// Indices into [`PERCENTILES`] of the percentiles with accessors on [`Summary`].
pub(super) const P1: usize = 0;
pub(super) const P5: usize = 1;
pub(super) const P25: usize = 3;
pub(super) const P50: usize = 4;
pub(super) const P75: usize = 5;
pub(super) const P95: usize = 7;
pub(super) const P99: usize = 8;

/// The probability levels of `PERCENTILES`.
pub const LEVELS: [f64; 9] = {
    let mut levels = [0.0; 9];
    let mut i = 0;
    while i < levels.len() {
        levels[i] = PERCENTILES[i].1;
        i += 1;
    }
    levels
};

/// z such that Φ(z) = 0.975.
pub(crate) const Z975: f64 = 1.959_963_984_540_054;

/// Ranks of the order statistics bracketing the q-quantile of n values with 95%
/// confidence (normal approximation to the binomial count below the quantile):
/// ⌊nq − 1.96·√(nq(1 − q))⌋ and ⌈nq + 1.96·√(nq(1 − q))⌉ + 1, kept within 1..n.
/// Distribution-free for independent trials; conservative for lhs and qmc.
pub fn order_statistic_ranks(q: f64, n: u64) -> [u64; 2] {
    let n = n as f64;
    let spread = Z975 * (n * q * (1.0 - q)).sqrt();
    [(n * q - spread).floor().max(1.0) as u64, ((n * q + spread).ceil() + 1.0).min(n.max(1.0)) as u64]
}

/// The larger distance from `x` to an end of its interval `[lo, hi]`: what a precision
/// target checks of an asymmetric interval.
pub(crate) fn larger_side(x: f64, [lo, hi]: [f64; 2]) -> f64 {
    (x - lo).max(hi - x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessor_indices_name_their_percentiles() {
        let names = [P1, P5, P50, P95, P99].map(|i| PERCENTILES[i].0);
        assert_eq!(names, ["p1", "p5", "p50", "p95", "p99"]);
    }
}
