//! The parallel chunk loop: one rayon pool per thread count, blocks of chunks run in
//! parallel and consumed in chunk order, workers limited to what memory allows.

use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use super::config::{BLOCK_CHUNKS, RunConfig};
use super::eval::Workspace;
use crate::compile::Program;
use crate::error::{Error, Result};

/// Memory all workers of a run may use together: this much, plus
/// [`WORKER_BYTES_PER_COLUMN`] per accumulated column. Workers beyond it are not started
/// (results do not depend on their number), so memory does not grow with `--threads`.
pub(crate) const WORKER_BYTES: usize = 48 << 20;
/// See [`WORKER_BYTES`].
pub(crate) const WORKER_BYTES_PER_COLUMN: usize = 256 << 10;

/// How many of `threads` workers to run when each needs `per_worker` bytes and the run
/// accumulates `columns` columns: as many as fit in the budget, at least one.
pub(crate) fn workers(threads: usize, per_worker: usize, columns: usize) -> usize {
    let budget = WORKER_BYTES + WORKER_BYTES_PER_COLUMN * columns;
    (budget / per_worker.max(1)).clamp(1, threads.max(1))
}

/// The worker pool of `threads` threads: built once per process and size, and used for
/// all parallel work (chunks, bootstrap resamples, ranking), so `--threads` holds
/// everywhere.
///
/// # Errors
/// [`Error::Threads`] if the operating system will not start the threads.
pub(crate) fn pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    /// The pools built so far, by size.
    type Pools = Mutex<Vec<(usize, Arc<rayon::ThreadPool>)>>;
    static POOLS: OnceLock<Pools> = OnceLock::new();
    let mut pools = POOLS.get_or_init(Mutex::default).lock().expect("no panics while locked");
    if let Some((_, pool)) = pools.iter().find(|(n, _)| *n == threads) {
        return Ok(pool.clone());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Threads { threads, message: e.to_string() })?;
    let pool = Arc::new(pool);
    pools.push((threads, pool.clone()));
    Ok(pool)
}

/// One chunk's results, as seen by a consumer while the chunk's columns are alive.
pub(crate) struct ChunkView<'a> {
    /// The chunk's index.
    pub(crate) index: u64,
    /// Trials in the chunk.
    pub(crate) n: usize,
    program: &'a Program,
    workspace: &'a Workspace,
}

impl ChunkView<'_> {
    /// Values of output `i` (in [`Program::outputs`] order) for this chunk's trials.
    pub(crate) fn output(&self, i: usize) -> &[f64] {
        self.workspace.output(self.program, i, self.n)
    }

    /// Non-finite values per var (in [`Program::vars`] order) in this chunk.
    pub(crate) fn nonfinite(&self) -> &[u64] {
        &self.workspace.nonfinite
    }
}

/// Runs chunks `chunks` of `program`, factor `i` drawing from the streams of `seeds[i]`
/// (usually `config.seed` for every factor; see [`RunConfig::seeds`]). `work` turns each
/// chunk into a `T` using per-thread state `W` (made by `make` on first use), and
/// `consume` receives the `T`s in chunk order. Returns the per-thread states.
///
/// # Errors
/// [`Error::Threads`] if the pool cannot be built; the first error `consume` returns,
/// which stops the run after the chunks already under way.
pub(crate) fn for_each_chunk<W: Send, T: Send>(
    program: &Program,
    config: &RunConfig,
    seeds: &[u64],
    chunks: Range<u64>,
    make: impl Fn() -> W + Sync,
    work: impl Fn(&mut W, &ChunkView<'_>) -> T + Sync,
    consume: impl FnMut(T) -> Result<()>,
) -> Result<Vec<W>> {
    let run = |(workspace, state): &mut (Workspace, W), index: u64, n: usize| {
        workspace.evaluate(program, seeds, index, n);
        work(state, &ChunkView { index, n, program, workspace })
    };
    let states = for_each_workspace(program, config, chunks, || (Workspace::new(program), make()), run, consume)?;
    Ok(states.into_iter().map(|(_, w)| w).collect())
}

/// One chunk's trials, to be evaluated as many ways as an estimator needs (Sobol's and
/// Shapley's pick-freeze designs): by programs that share `program`'s slots (the same
/// model with the copula factored in another order) and with any seed per factor.
pub(crate) struct Evaluator<'a> {
    workspace: &'a mut Workspace,
    /// The chunk's index.
    pub(crate) index: u64,
    /// Trials in the chunk.
    pub(crate) n: usize,
}

impl Evaluator<'_> {
    /// Output `output` of `program` for this chunk's trials, factor `i` drawing from the
    /// streams of `seeds[i]`; or, if some var was NaN or infinite, the count per var (in
    /// [`Program::vars`] order).
    pub(crate) fn evaluate(
        &mut self,
        program: &Program,
        seeds: &[u64],
        output: usize,
    ) -> std::result::Result<&[f64], &[u64]> {
        self.workspace.evaluate(program, seeds, self.index, self.n);
        match self.workspace.nonfinite.iter().all(|&c| c == 0) {
            true => Ok(self.workspace.output(program, output, self.n)),
            false => Err(&self.workspace.nonfinite),
        }
    }
}

/// Runs `work` on an [`Evaluator`] of every chunk in `chunks` (programs given to it must
/// have `program`'s slots), in parallel; `consume` receives the results in chunk order.
///
/// # Errors
/// As [`for_each_chunk`].
pub(crate) fn for_each_evaluator<T: Send>(
    program: &Program,
    config: &RunConfig,
    chunks: Range<u64>,
    work: impl Fn(&mut Evaluator<'_>) -> T + Sync,
    consume: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let run = |workspace: &mut Workspace, index: u64, n: usize| work(&mut Evaluator { workspace, index, n });
    for_each_workspace(program, config, chunks, || Workspace::new(program), run, consume).map(drop)
}

/// The chunk loop under [`for_each_chunk`] and [`for_each_evaluator`]: `run` turns chunk
/// (index, trials) into a `T` with a per-thread state made by `make`; `consume` gets the
/// `T`s in chunk order. Returns the per-thread states.
fn for_each_workspace<S: Send, T: Send>(
    program: &Program,
    config: &RunConfig,
    chunks: Range<u64>,
    make: impl Fn() -> S + Sync,
    run: impl Fn(&mut S, u64, usize) -> T + Sync,
    mut consume: impl FnMut(T) -> Result<()>,
) -> Result<Vec<S>> {
    use rayon::prelude::*;
    #[cfg(test)]
    TRIALS_RUN.with(|n| n.set(n.get() + chunks.clone().map(|i| config.chunk_len(i) as u64).sum::<u64>()));
    let threads = workers(config.threads, Workspace::bytes(program), program.outputs().len());
    let pool = pool(threads)?;
    let states: Vec<Mutex<Option<S>>> = (0..threads).map(|_| Mutex::new(None)).collect();
    let run_chunk = |index: u64| {
        let thread = rayon::current_thread_index().unwrap_or(0);
        let mut guard = states[thread].lock().expect("no panics while locked");
        let state = guard.get_or_insert_with(&make);
        run(state, index, config.chunk_len(index))
    };
    let mut start = chunks.start;
    while start < chunks.end {
        // Blocks grow with the chunk index up to BLOCK_CHUNKS, so the first chunks' results
        // (which narrow what later chunks keep of each output) arrive early.
        let end = (start + start.clamp(1, BLOCK_CHUNKS)).min(chunks.end);
        let results: Vec<T> = pool.install(|| (start..end).into_par_iter().map(run_chunk).collect());
        results.into_iter().try_for_each(&mut consume)?;
        start = end;
    }
    Ok(states.into_iter().filter_map(|s| s.into_inner().expect("no panics while locked")).collect())
}

#[cfg(test)]
thread_local! {
    /// Trials this thread has had run, to count a study's passes over the trials.
    pub(crate) static TRIALS_RUN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{CompileOptions, compile};
    use crate::engine::config::CHUNK;
    use crate::engine::eval;
    use crate::model::Model;

    /// 5,000 inputs summed into one output: every input is live until the sums.
    fn wide_program() -> Program {
        let mut text = String::from("[model]\nname = \"wide\"\n[vars]\n");
        for i in 0..5000 {
            text.push_str(&format!("v{i} = \"normal({i}, 1)\"\n"));
        }
        for j in 0..50 {
            let terms: Vec<String> = (j * 100..(j + 1) * 100).map(|i| format!("v{i}")).collect();
            text.push_str(&format!("s{j} = \"{}\"\n", terms.join(" + ")));
        }
        let sums: Vec<String> = (0..50).map(|j| format!("s{j}")).collect();
        text.push_str(&format!("total = \"{}\"\n", sums.join(" + ")));
        let model = Model::parse("wide.toml", text).unwrap();
        compile(&model, &CompileOptions::default()).unwrap()
    }

    #[test]
    fn a_workers_memory_is_bounded_whatever_the_model_and_the_thread_count() {
        let program = wide_program();
        assert!(program.n_slots() >= 5000);
        // Full chunks would need 5,000 × 32 KB = 160 MB; blocks keep it near LANE_BYTES.
        let bytes = Workspace::bytes(&program);
        assert!(bytes <= eval::LANE_BYTES + program.outputs().len() * CHUNK * 8, "{bytes}");
        for threads in [1, 2, 32, 1024] {
            let n = workers(threads, bytes, 1);
            assert!(n == 1 || n * bytes <= WORKER_BYTES + WORKER_BYTES_PER_COLUMN, "{threads}: {n} workers");
            assert!(n <= threads);
        }
    }
}
