//! The Sobol sequence for quasi-Monte Carlo sampling (Joe & Kuo 2008 direction numbers,
//! generated in Gray-code order): the compiler limits how many inputs may use it, the
//! engine fills columns from it.

use std::sync::OnceLock;

/// Sobol dimensions available (Joe–Kuo "new-joe-kuo-6" parameters, first 100).
pub(crate) const MAX_DIMENSIONS: usize = 100;
/// Bits of the Sobol sequence's index (trials up to 2^53).
const SOBOL_BITS: usize = 53;

/// Direction numbers of every dimension, as 64-bit fractions.
fn directions() -> &'static Vec<Vec<u64>> {
    static DIRECTIONS: OnceLock<Vec<Vec<u64>>> = OnceLock::new();
    DIRECTIONS.get_or_init(|| {
        let params = sobol::params::JoeKuoD6::minimal();
        sobol::Sobol::<f64>::init_direction_vals(MAX_DIMENSIONS, SOBOL_BITS, &params)
    })
}

/// The `index`-th Sobol point in dimension `dim` in Gray-code order (Antonov & Saleev
/// 1979), as a 64-bit fraction: the XOR of the direction numbers of the set bits of
/// index ^ (index >> 1).
#[inline]
fn sobol_point(index: u64, dim: usize) -> u64 {
    let v = &directions()[dim];
    let mut bits = index ^ (index >> 1);
    let mut x = 0;
    while bits != 0 {
        x ^= v[bits.trailing_zeros() as usize];
        bits &= bits - 1;
    }
    x
}

/// Fills `column` with the Sobol points `first..first + len` of dimension `dim`, each
/// from the previous by one XOR (Gray-code order), shifted by `shift`.
pub(crate) fn sobol_column(column: &mut [f64], first: u64, dim: usize, shift: u64) {
    let v = &directions()[dim];
    let mut x = sobol_point(first, dim);
    for (i, u) in column.iter_mut().enumerate() {
        *u = open_fraction(x ^ shift);
        x ^= v[(first + i as u64 + 1).trailing_zeros() as usize];
    }
}

/// A 64-bit fraction mapped into the open interval (0, 1).
#[inline]
fn open_fraction(x: u64) -> f64 {
    ((x >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sobol_points_are_the_textbook_ones() {
        let point = |i, d| sobol_point(i, d) as f64 / 2f64.powi(64);
        assert_eq!([point(1, 0), point(2, 0), point(3, 0)], [0.5, 0.75, 0.25]);
        assert_eq!([point(1, 1), point(2, 1), point(3, 1)], [0.5, 0.25, 0.75]);
    }

    #[test]
    fn incremental_columns_match_direct_points() {
        let mut column = vec![0.0; 100];
        sobol_column(&mut column, 4090, 3, 0);
        for (i, u) in column.iter().enumerate() {
            assert_eq!(*u, open_fraction(sobol_point(4090 + i as u64, 3)));
        }
    }
}
