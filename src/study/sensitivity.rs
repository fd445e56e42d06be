//! `sensitivity`: which inputs drive each output's uncertainty — the analyses of the
//! whole run, a shard's Sobol and Shapley sums as a partial state, or the analyses
//! finished from merged sums.

use super::setup::{Outcome, Scope, Setup};
use crate::error::Result;
use crate::partial::{Accumulated, Command, SensitivityKey};
use crate::sensitivity::{self, Analysed, MethodSums, SensitivityConfig, Step};

/// The analyses `request` asks for of `setup`'s model, in `scope`, telling `progress` how
/// far each has got (a shard's sums are not followed).
///
/// # Errors
/// A model that does not compile, an unknown or unfit output, values that can't be
/// computed.
pub fn sensitivity(
    setup: &Setup,
    request: &SensitivityKey,
    scope: Scope,
    progress: &mut dyn FnMut(Step<'_>),
) -> Result<Outcome<Analysed>> {
    let (base, config) = (setup.simulation()?, config(setup, request));
    match scope {
        Scope::Whole => Ok(Outcome::Done(sensitivity::analyse_tracked(&base, &config, progress)?)),
        Scope::Shard(shard) => {
            let streams = sensitivity::analyse_shard(&base, &config, (shard.index(), shard.count()))?;
            let mut key = setup.key(Command::Sensitivity, &base, &[], shard.count());
            key.sensitivity = Some(request.clone());
            let accumulated = Accumulated::Sums(streams);
            Ok(Outcome::Shard(shard.state(key, accumulated)))
        }
    }
}

/// The analyses `request` asks for, finished from the merged sums `streams` of every
/// shard.
///
/// # Errors
/// As [`sensitivity()`], and sums that do not fit the model.
pub(super) fn merged_sensitivity(
    setup: &Setup,
    request: &SensitivityKey,
    streams: Vec<MethodSums>,
) -> Result<Analysed> {
    sensitivity::analyse_merged(&setup.simulation()?, &config(setup, request), streams)
}

/// The analyses' configuration: `request` with `setup`'s trials, seed and threads.
fn config(setup: &Setup, request: &SensitivityKey) -> SensitivityConfig {
    SensitivityConfig {
        outputs: request.vars.clone(),
        method: request.method,
        tornado: request.tornado,
        trials: request.trials_given.then_some(setup.config.trials),
        default_trials: setup.config.trials,
        seed: setup.config.seed,
        threads: setup.config.threads,
        tornado_range: request.tornado_range,
    }
}
