//! The largest and the smallest values of a stream, exactly, in fixed memory: what the
//! tail checks of [`super::confidence`] read (`KEPT` values on each side).
//!
//! Each chunk offers only its values beyond the thresholds of what has been merged so far
//! ([`Extremes::thresholds`]); those thresholds never pass the final ones (the k-th
//! largest of some of the values is at most the k-th largest of all), so no value that
//! belongs among the extremes is left out, and the result is the same for any thread count,
//! merge order or split between machines.

use super::confidence::TAIL_TRIALS;

/// Values kept on each side: enough for Hill's estimate from [`TAIL_TRIALS`] values and
/// the threshold beyond them.
pub(crate) const KEPT: usize = TAIL_TRIALS + 1;

/// Most bytes of one [`Extremes`]: `KEPT` values on each side.
pub(crate) const EXTREMES_BYTES: usize = 2 * KEPT * std::mem::size_of::<f64>();

/// The `KEPT` (1,025) largest and smallest values seen (all of them, if fewer).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extremes {
    /// The largest values, in descending order.
    top: Vec<f64>,
    /// The smallest values, in ascending order.
    bottom: Vec<f64>,
}

impl Extremes {
    /// The extremes of those of `values` at or below `low` or at or above `high` (see
    /// [`Extremes::thresholds`]). Time: O(`values.len()`).
    pub fn of(values: &[f64], [low, high]: [f64; 2]) -> Extremes {
        let mut top: Vec<f64> = values.iter().copied().filter(|&x| x >= high).collect();
        let mut bottom: Vec<f64> = values.iter().copied().filter(|&x| x <= low).collect();
        keep_first(&mut top, |a, b| b.total_cmp(a));
        keep_first(&mut bottom, f64::total_cmp);
        Extremes { top, bottom }
    }

    /// The values a chunk must reach to matter: [the largest of the smallest, the smallest
    /// of the largest] once `KEPT` are known on that side, else ±∞ (every value).
    pub fn thresholds(&self) -> [f64; 2] {
        let full = |side: &[f64], everything: f64| if side.len() < KEPT { everything } else { side[KEPT - 1] };
        [full(&self.bottom, f64::INFINITY), full(&self.top, f64::NEG_INFINITY)]
    }

    /// Adds `other`'s values. Time: O(`KEPT`).
    pub fn merge(&mut self, other: &Extremes) {
        self.top = merged(&self.top, &other.top, |a, b| b.total_cmp(a));
        self.bottom = merged(&self.bottom, &other.bottom, f64::total_cmp);
    }

    /// The largest values, descending.
    pub fn top(&self) -> &[f64] {
        &self.top
    }

    /// The smallest values, ascending.
    pub fn bottom(&self) -> &[f64] {
        &self.bottom
    }

    /// The extremes [`Extremes::top`] and [`Extremes::bottom`] gave, or `None` if they
    /// cannot come from one stream of `n` values (too many, out of order, not finite, or
    /// a side shorter than `min(n, KEPT)`).
    pub fn from_parts(top: Vec<f64>, bottom: Vec<f64>, n: u64) -> Option<Extremes> {
        let want = (n.min(KEPT as u64)) as usize;
        let ordered = top.windows(2).all(|w| w[0] >= w[1]) && bottom.windows(2).all(|w| w[0] <= w[1]);
        let finite = top.iter().chain(&bottom).all(|x| x.is_finite());
        (ordered && finite && top.len() == want && bottom.len() == want).then_some(Extremes { top, bottom })
    }
}

/// Keeps the first `KEPT` of `values` in `order`, sorted.
fn keep_first(values: &mut Vec<f64>, order: impl Fn(&f64, &f64) -> std::cmp::Ordering) {
    if values.len() > KEPT {
        values.select_nth_unstable_by(KEPT - 1, &order);
        values.truncate(KEPT);
    }
    values.sort_unstable_by(order);
}

/// The first `KEPT` of two sorted lists, merged in `order`.
fn merged(a: &[f64], b: &[f64], order: impl Fn(&f64, &f64) -> std::cmp::Ordering) -> Vec<f64> {
    let mut out = Vec::with_capacity((a.len() + b.len()).min(KEPT));
    let (mut i, mut j) = (0, 0);
    while out.len() < KEPT && (i < a.len() || j < b.len()) {
        if j == b.len() || (i < a.len() && order(&a[i], &b[j]).is_le()) {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_chunks_hold_the_extremes_of_the_whole_whatever_the_thresholds() {
        // A shuffled ramp with ties: the whole stream's extremes, against chunks offered
        // with the thresholds of what came before, in two different orders.
        let values: Vec<f64> = (0..20_000u64).map(|i| ((i * 7919) % 20_000 / 3) as f64).collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let want_bottom = &sorted[..KEPT];
        let want_top: Vec<f64> = sorted.iter().rev().take(KEPT).copied().collect();
        for chunks in [values.chunks(4096).collect::<Vec<_>>(), values.chunks(777).rev().collect()] {
            let mut merged = Extremes::default();
            for chunk in chunks {
                let part = Extremes::of(chunk, merged.thresholds());
                merged.merge(&part);
            }
            assert_eq!(merged.bottom(), want_bottom);
            assert_eq!(merged.top(), want_top);
        }
    }

    #[test]
    fn parts_that_no_stream_gives_are_refused() {
        let e = Extremes::of(&[3.0, 1.0, 2.0], [f64::INFINITY, f64::NEG_INFINITY]);
        assert_eq!(e.top(), [3.0, 2.0, 1.0]);
        assert!(Extremes::from_parts(e.top().to_vec(), e.bottom().to_vec(), 3).is_some());
        assert!(Extremes::from_parts(vec![1.0, 3.0, 2.0], e.bottom().to_vec(), 3).is_none());
        assert!(Extremes::from_parts(e.top().to_vec(), e.bottom().to_vec(), 4).is_none());
        assert!(Extremes::from_parts(vec![f64::NAN, 2.0, 1.0], e.bottom().to_vec(), 3).is_none());
    }
}
