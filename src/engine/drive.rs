//! The engine's passes over a run's trials: accumulating a pass's columns, the first
//! trial alone, and collecting values.

use std::ops::Range;

use super::accumulate::Accumulators;
use super::chunks::for_each_chunk;
use super::config::{CHUNK, PROGRESS_STEP, RunConfig};
use super::eval::Workspace;
use super::pass::Pass;
use super::trace::NonFinite;
use crate::compile::Program;
use crate::error::Result;

/// Runs every trial of `pass`, accumulating each of its columns, in steps of
/// [`PROGRESS_STEP`] trials after each of which `progress` hears how many are done (the
/// result is the same as one run).
///
/// # Errors
/// [`crate::Error::Threads`] if the pool cannot be built.
pub(crate) fn simulate(pass: &Pass<'_>, config: &RunConfig, progress: &mut dyn FnMut(u64)) -> Result<Accumulators> {
    let mut simulated = Accumulators::new(pass);
    while simulated.trials() < config.trials {
        let next = (simulated.trials() + PROGRESS_STEP).min(config.trials);
        simulated.extend(pass, config, next)?;
        progress(next);
    }
    Ok(simulated)
}

/// The outputs of trial 0 alone, and which vars were non-finite in it: one chunk of one
/// trial, without a thread pool. For a program whose random inputs are all pinned (see
/// [`Program::pinned`]) these are exact values.
pub(crate) fn first_trial(program: &Program, seeds: &[u64]) -> (Vec<f64>, NonFinite) {
    let mut workspace = Workspace::new(program);
    workspace.evaluate(program, seeds, 0, 1);
    let outputs = (0..program.outputs().len()).map(|k| workspace.output(program, k, 1)[0]).collect();
    let mut nonfinite = NonFinite::new(program.vars().len());
    nonfinite.add(0, &workspace.nonfinite);
    (outputs, nonfinite)
}

/// Every output's values in trial order over the chunks `chunks` of a run of
/// `config.trials` (for rank statistics and Sobol indices: memory grows with the trials,
/// so callers cap them), with the non-finite values per var.
///
/// # Errors
/// [`crate::Error::Threads`] if the pool cannot be built.
pub(crate) fn collect(
    program: &Program,
    config: &RunConfig,
    seeds: &[u64],
    chunks: Range<u64>,
) -> Result<(Vec<Vec<f64>>, NonFinite)> {
    let n_outputs = program.outputs().len();
    let mut columns = vec![Vec::with_capacity(config.trials.min(chunks.end * CHUNK as u64) as usize); n_outputs];
    let mut nonfinite = NonFinite::new(program.vars().len());
    for_each_chunk(
        program,
        config,
        seeds,
        chunks,
        || (),
        |_, view| {
            let chunk: Vec<Vec<f64>> = (0..n_outputs).map(|i| view.output(i).to_vec()).collect();
            (chunk, view.index, view.nonfinite().to_vec())
        },
        |(chunk, index, counts)| {
            columns.iter_mut().zip(chunk).for_each(|(c, values)| c.extend(values));
            nonfinite.add(index, &counts);
            Ok(())
        },
    )?;
    Ok((columns, nonfinite))
}
