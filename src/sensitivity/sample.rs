//! What the rank analyses (Spearman, the conditional tornado) read: an output's
//! simulated values and those of the factors that feed it, a group of factors at a time
//! within a memory budget.

use std::collections::HashMap;

use crate::engine::RunConfig;
use crate::error::Result;
use crate::simulation::Simulation;

/// Accumulators values of an output and of (a group of) the factors that feed it, trial by
/// trial, with the model's correlations: what rank correlations and the conditional
/// tornado use.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The output's values.
    pub output: Vec<f64>,
    /// Each factor's name and values.
    pub factors: Vec<(String, Vec<f64>)>,
}

/// Most bytes of values one [`Sample`] holds. An output fed by more factors than fit is
/// analysed a group of factors at a time, one pass over its trials per group: the rank
/// analyses of 10,000 inputs take the memory of about 160 at 200,000 trials.
pub(crate) const RANK_BYTES: u64 = 256 << 20;

impl Sample {
    /// Factors per group at `trials` trials: as many as fit in [`RANK_BYTES`] beside the
    /// output, at least one.
    pub fn group_size(trials: u64) -> usize {
        (RANK_BYTES / (8 * trials.max(1))).saturating_sub(1).max(1) as usize
    }

    /// Calls `each` with the first `config.trials` trials of `output` and of each group of
    /// [`Sample::group_size`] of `factors` in turn (one group of none if there are none),
    /// until `each` says to stop (returns `false`).
    ///
    /// # Errors
    /// Non-finite values, and what `each` returns.
    pub fn for_each_group(
        simulation: &Simulation,
        output: &str,
        factors: &[String],
        config: &RunConfig,
        mut each: impl FnMut(Sample) -> Result<bool>,
    ) -> Result<()> {
        let groups: Vec<&[String]> = match factors.is_empty() {
            true => vec![&[]],
            false => factors.chunks(Sample::group_size(config.trials)).collect(),
        };
        for group in groups {
            let names: Vec<&str> = std::iter::once(output).chain(group.iter().map(String::as_str)).collect();
            let kept = simulation.reporting(&names)?;
            let program = &kept.program;
            let index: HashMap<String, usize> =
                (0..program.outputs().len()).map(|i| (program.output_name(i), i)).collect();
            let mut columns: Vec<Option<Vec<f64>>> =
                kept.collect(config, &config.seeds(program))?.into_iter().map(Some).collect();
            let mut take = |name: &str| index.get(name).and_then(|&i| columns[i].take());
            let output_values = take(output).expect("the output is kept");
            let factors = group
                .iter()
                .map(|name| {
                    // A factor that is itself the output shares its column.
                    let values = take(name).unwrap_or_else(|| output_values.clone());
                    (name.clone(), values)
                })
                .collect();
            if !each(Sample { output: output_values, factors })? {
                break;
            }
        }
        Ok(())
    }

    /// The output's value if it is the same in every trial.
    pub fn constant(&self) -> Option<f64> {
        let first = *self.output.first()?;
        self.output.iter().all(|&x| x == first).then_some(first)
    }
}
