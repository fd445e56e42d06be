//! The library's front door: compile a model and simulate it, reporting any var that
//! cannot be computed in some trials instead of letting NaN into the statistics.

use std::sync::Arc;

use crate::compile::program::Draw;
use crate::compile::{self, CompileOptions, Op, Operand, Program};
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::{Sampler, Shown, Truncated};
use crate::engine::{self, Accumulators, CHUNK, Cause, NonFinite, Pass, RunConfig};
use crate::error::Result;
use crate::model::Model;
use crate::stats::rank::RANK_CAP;
use crate::stats::{Caveat, Histogram, Summary, larger_side};

/// An input's quantiles and mean ([`Simulation::input_spreads`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spread {
    /// Its quantiles at the levels asked for.
    pub quantiles: Vec<f64>,
    /// Its mean (infinite for a distribution whose tail is too heavy for one), when
    /// asked for.
    pub mean: Option<f64>,
    /// The number of trials simulated, when its quantile function is not known.
    pub simulated: Option<u64>,
}

/// A precision target for [`Simulation::simulate_to_precision`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// Relative half-width of the 95% intervals, e.g. 0.005 for 0.5%.
    pub target: f64,
    /// Most trials to run.
    pub max_trials: u64,
}

/// A statistic that missed a [`Precision`] target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Miss {
    /// Index of the output in [`Program::outputs`].
    pub output: usize,
    /// `mean` or `p95`.
    pub statistic: &'static str,
    /// The larger side of its 95% interval relative to its value (infinite for a value
    /// of 0 with an interval around it).
    pub relative: f64,
    /// Why the mean's interval is not to be trusted, when that is (also) why it missed.
    pub caveat: Option<Caveat>,
}

/// Requested and achieved rank correlation of one pair of inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Achieved {
    /// The two vars.
    pub pair: [String; 2],
    /// Requested Spearman coefficient.
    pub requested: f64,
    /// Coefficient used (differs from `requested` only after repair).
    pub used: f64,
    /// Spearman coefficient measured on the simulated trials.
    pub achieved: f64,
    /// Trials it was measured on.
    pub trials: u64,
}

/// A compiled model ready to run. It shares its model (for names and error locations)
/// with the simulations made from it, so it can be kept, moved and returned on its own.
#[derive(Debug)]
pub struct Simulation {
    /// The model, for names and error locations.
    pub model: Arc<Model>,
    /// Its compiled form.
    pub program: Program,
    options: CompileOptions,
}

/// Trials of a run when neither its caller nor the model's `trials` says.
pub(crate) const DEFAULT_TRIALS: u64 = 1_000_000;
/// Seed of a run when neither its caller nor the model's `seed` says.
pub(crate) const DEFAULT_SEED: u64 = 1;

/// The run of `model` on `threads` threads: `trials` and `seed` if given, else the
/// model's `trials` and `seed`, else [`DEFAULT_TRIALS`] and [`DEFAULT_SEED`].
pub(crate) fn run_config(model: &Model, trials: Option<u64>, seed: Option<u64>, threads: usize) -> RunConfig {
    RunConfig {
        trials: trials.or(model.meta.trials).unwrap_or(DEFAULT_TRIALS),
        seed: seed.or(model.meta.seed).unwrap_or(DEFAULT_SEED),
        threads,
    }
}

impl Simulation {
    /// Compiles `model` (a [`Model`], or one already shared) as its file says.
    ///
    /// # Errors
    /// [`crate::Error::Model`] with every problem found.
    pub fn new(model: impl Into<Arc<Model>>) -> Result<Simulation> {
        Simulation::with_options(model, CompileOptions::default())
    }

    /// Compiles `model` with run options (sampling, correlation repair, extra outputs).
    ///
    /// # Errors
    /// As [`Simulation::new`], and [`crate::Error::Output`] for an unknown extra output.
    pub fn with_options(model: impl Into<Arc<Model>>, options: CompileOptions) -> Result<Simulation> {
        let model = model.into();
        Ok(Simulation { program: compile::compile(&model, &options)?, model, options })
    }

    /// The same model and options, also reporting the `extra` vars as outputs (after
    /// them): the same program laid out again, not compiled again.
    ///
    /// # Errors
    /// [`crate::Error::Output`] for an unknown var.
    pub fn keeping(&self, extra: &[&str]) -> Result<Simulation> {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let mut reported: Vec<usize> = self.program.outputs().iter().map(|o| o.var as usize).collect();
        reported.dedup();
        let vars = compile::with_extra(&self.model, reported, &extra)?;
        let mut options = self.options.clone();
        options.extra_outputs.extend(extra);
        Ok(Simulation { model: Arc::clone(&self.model), program: self.program.reporting(&vars), options })
    }

    /// The same model and options, reporting only the `vars` (in that order, each once),
    /// not the model's outputs: what an analysis of a few vars of a wide model keeps. The
    /// same program laid out again, not compiled again.
    ///
    /// # Errors
    /// [`crate::Error::Output`] for an unknown var.
    pub fn reporting(&self, vars: &[&str]) -> Result<Simulation> {
        let names: Vec<String> = vars.iter().map(|s| s.to_string()).collect();
        let vars = compile::with_extra(&self.model, Vec::new(), &names)?;
        let options = CompileOptions { extra_outputs: names, only_extra: true, ..self.options.clone() };
        Ok(Simulation { model: Arc::clone(&self.model), program: self.program.reporting(&vars), options })
    }

    /// `model` (e.g. this one without correlations) compiled with these options, also
    /// reporting the `extra` vars as outputs.
    ///
    /// # Errors
    /// As [`Simulation::with_options`].
    pub fn variant(&self, model: impl Into<Arc<Model>>, extra: &[&str]) -> Result<Simulation> {
        let mut options = self.options.clone();
        options.extra_outputs.extend(extra.iter().map(|s| s.to_string()));
        Simulation::with_options(model, options)
    }

    /// The same model and options, sampled by plain Monte Carlo whatever the model or
    /// `--sampling` says (pick-freeze designs need independent resamples): this program
    /// if it already is, else the model compiled again.
    ///
    /// # Errors
    /// As [`Simulation::with_options`].
    pub fn monte_carlo(&self) -> Result<Simulation> {
        let options = CompileOptions { sampling: Some(compile::Sampling::Mc), ..self.options.clone() };
        if self.program.sampling() == compile::Sampling::Mc {
            return Ok(Simulation { model: Arc::clone(&self.model), program: self.program.clone(), options });
        }
        Simulation::with_options(Arc::clone(&self.model), options)
    }

    /// This simulation with the factors named in `pins` (see
    /// [`Simulation::factor_names`]) fixed at the given values, without recompiling.
    ///
    /// # Panics
    /// If a name is not a factor of the model.
    pub fn pinned(&self, pins: &[(&str, f64)]) -> Simulation {
        let names = self.factor_names();
        let index = |name: &str| names.iter().position(|n| n == name).expect("a factor of the model");
        let pins: Vec<(usize, f64)> = pins.iter().map(|&(name, value)| (index(name), value)).collect();
        self.with_program(self.program.pinned(&pins))
    }

    /// This simulation running `program`, a variant of its own program (factors pinned,
    /// the copula in another order) with the same vars and slots.
    pub(crate) fn with_program(&self, program: Program) -> Simulation {
        Simulation { model: Arc::clone(&self.model), program, options: self.options.clone() }
    }

    /// The outputs of the first trial (exact values when every random input is pinned).
    ///
    /// # Errors
    /// As [`Simulation::run`].
    pub fn first_trial(&self) -> Result<Vec<f64>> {
        let config = RunConfig { trials: 1, seed: 0, threads: 1 };
        let seeds = config.seeds(&self.program);
        let (outputs, nonfinite) = engine::first_trial(&self.program, &seeds);
        self.check_finite(&nonfinite, &config, &seeds)?;
        Ok(outputs)
    }

    /// Runs every trial and summarises each output.
    ///
    /// # Errors
    /// [`crate::Error::Model`] naming each var that was NaN or infinite in some trials,
    /// with how many.
    pub fn run(&self, config: &RunConfig) -> Result<Vec<Summary>> {
        Ok(self.summaries(&self.simulate(config, &mut |_| {})?))
    }

    /// The summary of each output of a run of this simulation's outputs.
    pub fn summaries(&self, simulated: &Accumulators) -> Vec<Summary> {
        simulated.summaries(&Pass::outputs(&self.program))
    }

    /// Runs every trial, telling `progress` how many are done as the run goes (see
    /// `engine::simulate`); the accumulators are summarised by [`Accumulators::summaries`].
    ///
    /// # Errors
    /// As [`Simulation::run`].
    pub fn simulate(&self, config: &RunConfig, progress: &mut dyn FnMut(u64)) -> Result<Accumulators> {
        let simulated = engine::simulate(&Pass::outputs(&self.program), config, progress)?;
        self.check_finite(simulated.nonfinite(0), config, &config.seeds(&self.program))?;
        Ok(simulated)
    }

    /// An estimate of the most memory, in bytes, a run of this simulation over `config`
    /// takes (see [`Accumulators::peak_bytes`]).
    pub fn peak_bytes(&self, config: &RunConfig) -> u64 {
        Accumulators::peak_bytes(&Pass::outputs(&self.program), config)
    }

    /// One machine's share of a run: the chunks `chunks` only (see
    /// [`crate::engine::shard_chunks`] and [`Accumulators::shard`]).
    ///
    /// # Errors
    /// [`crate::Error::Threads`] if the pool cannot be built.
    pub fn simulate_shard(&self, config: &RunConfig, chunks: std::ops::Range<u64>) -> Result<Accumulators> {
        Accumulators::shard(&Pass::outputs(&self.program), config, chunks)
    }

    /// Completes a run joined from shards ([`Accumulators::join`]): finds the percentiles
    /// that fell outside every window, and reports values that can't be computed, as
    /// [`Simulation::simulate`] does.
    ///
    /// # Errors
    /// As [`Simulation::run`].
    pub fn finish(&self, simulated: &mut Accumulators, config: &RunConfig) -> Result<()> {
        simulated.finish(&Pass::outputs(&self.program), config)?;
        self.check_finite(simulated.nonfinite(0), config, &config.seeds(&self.program))
    }

    /// Every output's values in trial order, factor `i` drawing from the streams of
    /// `seeds[i]`. Memory grows with the trial count: callers cap it.
    ///
    /// # Errors
    /// As [`Simulation::run`].
    pub fn collect(&self, config: &RunConfig, seeds: &[u64]) -> Result<Vec<Vec<f64>>> {
        let (columns, nonfinite) = engine::collect(&self.program, config, seeds, 0..config.n_chunks())?;
        self.check_finite(&nonfinite, config, seeds)?;
        Ok(columns)
    }

    /// One pass over the trials of `config` for what a report adds to a run: the exact
    /// bin counts of the outputs `bins` ((output index, empty histogram), over every
    /// trial), and the achieved rank correlation of each correlated pair (from the first
    /// min(trials, `RANK_CAP`) trials: standard error about 1/√200,000 ≈ 0.002). Without
    /// bins, the pass stops at those first trials; without bins or correlations, there is
    /// none.
    ///
    /// # Errors
    /// Values that can't be computed in a chunk run for the correlations alone;
    /// [`crate::Error::Threads`] if the pool cannot be built.
    pub fn observe(&self, config: &RunConfig, bins: &[(usize, Histogram)]) -> Result<(Vec<Histogram>, Vec<Achieved>)> {
        let names = self.correlated();
        if bins.is_empty() && names.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        if names.iter().any(|n| self.output_index(n).is_none()) {
            // The correlated vars reported after the outputs: `bins` still name the same.
            return self.keeping(&names)?.observe(config, bins);
        }
        let seeds = config.seeds(&self.program);
        let correlated: Vec<usize> = names.iter().filter_map(|n| self.output_index(n)).collect();
        // The correlations' sample is the first trials of a run of `capped` trials: the
        // whole chunks below it are this run's; a last partial chunk is run on its own
        // (under Latin hypercube sampling its strata depend on its length).
        let capped = RunConfig { trials: config.trials.min(RANK_CAP), ..*config };
        let whole_chunks = match capped.trials == config.trials {
            true => config.n_chunks(),
            false => capped.trials / CHUNK as u64,
        };
        let mut filled: Vec<Histogram> = bins.iter().map(|(_, h)| h.empty_like()).collect();
        let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(capped.trials as usize); correlated.len()];
        let count = |_: &mut (), chunk: &engine::ChunkView<'_>| {
            let histograms: Vec<Histogram> = bins
                .iter()
                .map(|(i, empty)| {
                    let mut h = empty.empty_like();
                    h.record(chunk.output(*i));
                    h
                })
                .collect();
            let kept = match chunk.index < whole_chunks {
                true => correlated.iter().map(|&i| chunk.output(i).to_vec()).collect(),
                false => Vec::new(),
            };
            (histograms, kept)
        };
        let merge = |(chunk, kept): (Vec<Histogram>, Vec<Vec<f64>>)| {
            filled.iter_mut().zip(&chunk).for_each(|(total, part)| total.merge(part));
            values.iter_mut().zip(kept).for_each(|(all, part)| all.extend(part));
            Ok(())
        };
        let chunks = if bins.is_empty() { 0..whole_chunks } else { 0..config.n_chunks() };
        engine::for_each_chunk(&self.program, config, &seeds, chunks, || (), count, merge)?;
        if whole_chunks < capped.n_chunks() {
            let capped_seeds = capped.seeds(&self.program);
            let (last, nonfinite) =
                engine::collect(&self.program, &capped, &capped_seeds, whole_chunks..capped.n_chunks())?;
            self.check_finite(&nonfinite, &capped, &capped_seeds)?;
            values.iter_mut().zip(&correlated).for_each(|(all, &i)| all.extend_from_slice(&last[i]));
        }
        let columns: Vec<&[f64]> = values.iter().map(Vec::as_slice).collect();
        Ok((filled, self.achieved(&columns, capped.trials)))
    }

    /// Runs in rounds, doubling the trials (in whole chunks, from 65,536) until each side
    /// of the 95% interval of every output's mean, and of its p95 unless it is a 0/1
    /// output, is within `precision.target` of the value, and no mean's interval has a
    /// [`Caveat`] (an output whose variation the run has not seen, or has seen in too few
    /// trials, is not known to any precision); or until `precision.max_trials`. Returns
    /// the run and what still misses the target (nothing when it was met). The result
    /// equals a plain run of the same number of trials.
    ///
    /// # Errors
    /// As [`Simulation::run`].
    pub fn simulate_to_precision(
        &self,
        config: &RunConfig,
        precision: &Precision,
    ) -> Result<(Accumulators, Vec<Miss>)> {
        let pass = Pass::outputs(&self.program);
        let mut simulated = Accumulators::new(&pass);
        let mut trials = (16 * CHUNK as u64).min(precision.max_trials);
        loop {
            let round = RunConfig { trials, ..*config };
            simulated.extend(&pass, &round, trials)?;
            self.check_finite(simulated.nonfinite(0), &round, &round.seeds(&self.program))?;
            let misses = self.misses(&self.summaries(&simulated), precision.target);
            if misses.is_empty() || trials >= precision.max_trials {
                return Ok((simulated, misses));
            }
            trials = (trials * 2).min(precision.max_trials);
        }
    }

    /// The statistics of `summaries` (one per output) that miss a relative `target`.
    fn misses(&self, summaries: &[Summary], target: f64) -> Vec<Miss> {
        // The larger side of an interval around `x`, relative to `x`.
        let relative = |x: f64, interval: [f64; 2]| {
            let side = larger_side(x, interval);
            if side == 0.0 { 0.0 } else { side / x.abs() }
        };
        let mut misses = Vec::new();
        for (output, (o, s)) in self.program.outputs().iter().zip(summaries).enumerate() {
            let mean = relative(s.moments.mean, s.mean_ci95);
            if mean > target || s.mean_caveat.is_some() {
                misses.push(Miss { output, statistic: "mean", relative: mean, caveat: s.mean_caveat });
            }
            let p95 = relative(s.p95(), s.p95_ci95());
            if !o.boolean && p95 > target {
                misses.push(Miss { output, statistic: "p95", relative: p95, caveat: None });
            }
        }
        misses
    }

    /// The vars of the correlation matrix, in its order (none without one).
    pub fn correlated(&self) -> Vec<&str> {
        self.program.correlation().map_or(Vec::new(), |m| m.vars.iter().map(String::as_str).collect())
    }

    /// Requested, used and achieved rank correlations from `columns`, the values of the
    /// [`Simulation::correlated`] vars in `trials` trials.
    fn achieved(&self, columns: &[&[f64]], trials: u64) -> Vec<Achieved> {
        let Some(matrix) = self.program.correlation() else { return Vec::new() };
        let names = self.correlated();
        let ranks: Vec<Vec<f64>> = columns.iter().map(|c| crate::stats::rank::ranks(c)).collect();
        let mut achieved = Vec::new();
        for i in 0..names.len() {
            for j in (i + 1)..names.len() {
                let requested = matrix.requested[i][j];
                let used = matrix
                    .repairs
                    .iter()
                    .find(|r| r.pair == [names[i], names[j]] || r.pair == [names[j], names[i]])
                    .map_or(requested, |r| r.used);
                let value = crate::stats::rank::pearson(&ranks[i], &ranks[j]);
                achieved.push(Achieved {
                    pair: [names[i].to_string(), names[j].to_string()],
                    requested,
                    used,
                    achieved: value,
                    trials,
                });
            }
        }
        achieved
    }

    /// The spread of each of the inputs `names` (vars this simulation reports): its
    /// quantiles at `levels` and, if `mean`, its mean, from its quantile function when it
    /// is a distribution with constant parameters (exact), else from the exact order
    /// statistics and the mean of `config.trials` simulated trials.
    ///
    /// # Errors
    /// Non-finite values in the simulation.
    pub(crate) fn input_spreads(
        &self,
        names: &[String],
        config: &RunConfig,
        levels: &[f64],
        mean: bool,
    ) -> Result<Vec<Spread>> {
        let program = &self.program;
        let exact: Vec<Option<Spread>> = names
            .iter()
            .map(|name| {
                // A per-period factor (`name[label]`) names no var: its values are simulated.
                let marginal = program.vars().iter().find(|v| v.name == *name)?.marginal.as_ref()?;
                let quantiles = levels.iter().map(|&u| marginal.quantile(u)).collect::<Option<Vec<f64>>>()?;
                let mean = match mean {
                    true => Some(marginal.mean()?),
                    false => None,
                };
                Some(Spread { quantiles, mean, simulated: None })
            })
            .collect();
        let columns = match exact.iter().all(Option::is_some) {
            true => Vec::new(),
            false => self.collect(config, &config.seeds(program))?,
        };
        let simulated = |name: &String| {
            let mut values = columns[self.output_index(name).expect("inputs are kept as outputs")].clone();
            let mean = mean.then(|| values.iter().sum::<f64>() / values.len() as f64);
            values.sort_unstable_by(f64::total_cmp);
            let n = values.len() as u64;
            let quantiles = levels.iter().map(|&q| values[crate::stats::order::nearest_rank(q, n) as usize - 1]);
            Spread { quantiles: quantiles.collect(), mean, simulated: Some(n) }
        };
        Ok(names.iter().zip(exact).map(|(name, exact)| exact.unwrap_or_else(|| simulated(name))).collect())
    }

    /// The index in [`Program::outputs`] of the output called `name` (a var's name, or
    /// `name[label]` for a period of a series).
    pub fn output_index(&self, name: &str) -> Option<usize> {
        (0..self.program.outputs().len()).find(|&i| self.program.output_name(i) == name)
    }

    /// The index of the output called `name`, which must have one value per trial (a var,
    /// or `name[label]` for one period of a series).
    ///
    /// # Errors
    /// [`crate::Error::Output`] for a series, with what to ask for instead, or for a period
    /// the series does not have.
    pub fn scalar_output(&self, name: &str) -> Result<usize> {
        if let Some(i) = self.output_index(name) {
            return Ok(i);
        }
        let periods = self.program.periods();
        let var = name.split_once('[').map_or(name, |(var, _)| var);
        let labels = || periods.iter().map(|l| format!("`{var}[{l}]`")).collect::<Vec<_>>().join(", ");
        let series = self.program.vars().iter().any(|v| v.name == var && v.series);
        let problem = if !series {
            format!("`{var}` has one value per trial, not one per period: ask for `{var}`")
        } else if name != var {
            format!("`{name}` is not a period of `{var}`: its periods are {}", labels())
        } else {
            format!(
                "`{name}` is a series (one value per period), and this needs one value per trial: ask for a period ({}), or add a var that reduces it, e.g. `{name}_total = \"sum({name})\"` or `{name}_npv = \"npv(0.08, {name})\"`",
                labels()
            )
        };
        Err(crate::Error::Output { name: name.to_string(), problem })
    }

    /// The outputs called `name`: the one with that name, or every period of the series
    /// var called `name`, in period order.
    pub fn output_indices(&self, name: &str) -> Vec<usize> {
        match self.output_index(name) {
            Some(i) => vec![i],
            None => {
                let program = &self.program;
                let is = |i: usize| {
                    let o = &program.outputs()[i];
                    o.period.is_some() && program.vars()[o.var as usize].name == name
                };
                (0..program.outputs().len()).filter(|&i| is(i)).collect()
            }
        }
    }

    /// The names of the factors (vars that draw random numbers, and `name[label]` for each
    /// period of a per-period var), in stream order.
    pub fn factor_names(&self) -> Vec<String> {
        (0..self.program.factors().len()).map(|f| self.program.factor_name(f)).collect()
    }

    /// An error for the vars with non-finite values, if any, pointing at the operation
    /// that made each one (found by replaying the first chunk that had them, with the
    /// streams of `config` and `seeds`). A var that is non-finite only because a var it
    /// uses is, is left to that var's diagnostic.
    ///
    /// # Errors
    /// When any count is non-zero.
    pub fn check_finite(&self, nonfinite: &NonFinite, config: &RunConfig, seeds: &[u64]) -> Result<()> {
        if nonfinite.is_clean() {
            return Ok(());
        }
        let flagged: Vec<(usize, u64, Cause)> = (0..self.program.vars().len())
            .filter(|&v| nonfinite.counts()[v] > 0)
            .map(|v| (v, nonfinite.counts()[v], engine::cause(&self.program, config, seeds, nonfinite, v)))
            .collect();
        let any_own = flagged.iter().any(|(_, _, cause)| matches!(cause, Cause::Op { .. }));
        let diagnostics = flagged
            .iter()
            .filter(|(_, _, cause)| !any_own || matches!(cause, Cause::Op { .. }))
            .map(|(v, count, cause)| self.nonfinite_diagnostic(*v, *count, cause, config.trials))
            .collect();
        Err(self.model.error(diagnostics))
    }

    fn nonfinite_diagnostic(&self, v: usize, count: u64, cause: &Cause, trials: u64) -> Diagnostic {
        let var = self.program.vars()[v].name.clone();
        let def = self.model.var(&var).expect("program vars come from the model");
        let Cause::Op { op, trial, inputs, output } = cause else {
            return Diagnostic::new(Problem::NonFinite { var, count, trials, cause: None }, def.expr.span);
        };
        let span = self.program.origins()[*op].span.unwrap_or(def.expr.span);
        let text = self.model.sources.text(span);
        let why = match broken_rule(&self.program.ops()[*op], inputs) {
            Some(rule) => format!("in trial {trial}: {rule}"),
            None => {
                let inputs: Vec<String> = inputs.iter().map(|&x| Shown::short(x).to_string()).collect();
                let from = match inputs.as_slice() {
                    [] => "from constant parameters".to_string(),
                    [one] => format!("from input {one}"),
                    [rest @ .., last] => format!("from inputs {} and {last}", rest.join(", ")),
                };
                format!("{from} in trial {trial}")
            }
        };
        let cause = format!(
            "`{text}` gives {} {why}; keep its inputs in range (max, min, clamp) or guard it: `if(condition, formula, fallback)`",
            Shown::short(*output)
        );
        Diagnostic::new(Problem::NonFinite { var, count, trials, cause: Some(cause) }, span)
    }
}

/// The rule a per-trial distribution call broke with these inputs (the values of the
/// columns it reads, in operand order), if the op is one.
fn broken_rule(op: &Op, inputs: &[f64]) -> Option<String> {
    let Op::Sample { draw: Draw::PerTrial { kind, params, bounds }, .. } = op else { return None };
    let mut read = inputs.iter();
    let mut value = |o: &Operand| match o {
        Operand::Const(c) => *c,
        Operand::Slot(_) => read.next().copied().unwrap_or(f64::NAN),
    };
    let params: Vec<f64> = params.iter().map(&mut value).collect();
    let broken = match bounds {
        None => Sampler::new(*kind, &params).err()?,
        Some([lo, hi]) => Truncated::new(*kind, &params, value(lo), value(hi)).err()?,
    };
    Some(broken.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_takes_the_callers_settings_then_the_models_then_the_defaults() {
        let with = Model::parse("m.toml", "[model]\nname = \"m\"\ntrials = 5000\nseed = 9\n[vars]\nx = \"1\"\n".into());
        let without = Model::parse("m.toml", "[model]\nname = \"m\"\n[vars]\nx = \"1\"\n".into());
        let (with, without) = (with.unwrap(), without.unwrap());
        assert_eq!(run_config(&with, None, None, 2), RunConfig { trials: 5000, seed: 9, threads: 2 });
        assert_eq!(run_config(&with, Some(7), Some(3), 1), RunConfig { trials: 7, seed: 3, threads: 1 });
        let defaults = RunConfig { trials: DEFAULT_TRIALS, seed: DEFAULT_SEED, threads: 4 };
        assert_eq!(run_config(&without, None, None, 4), defaults);
    }

    /// Reporting other vars lays the compiled program out again: the same ops, slots and
    /// outputs as compiling the model with those vars, without compiling it, for scalar,
    /// constant, 0/1 and series vars; and a pinned program reports them as its own ops do.
    /// A program sampled by Monte Carlo already is its own Monte Carlo variant.
    #[test]
    fn other_vars_are_reported_without_compiling_again_exactly_as_compiling_would() {
        let text = "[model]\nname = \"m\"\noutputs = [\"total\"]\nperiods = 3\n[vars]\n\
            rate = \"0.25\"\nprice = \"uniform(10, 20)\"\nunits = \"poisson(40)\"\n\
            spend = \"units * price * (1 + rate)\"\ngrowth = { value = \"normal(1, 0.1)\", per_period = true }\n\
            path = \"cumsum(growth) * spend\"\nover = \"spend > 900\"\ntotal = \"sum(path) + rate\"\n";
        let model = Arc::new(Model::parse("m.toml", text.into()).expect("loads"));
        let base = Simulation::new(Arc::clone(&model)).expect("compiles");
        let layout =
            |s: &Simulation| format!("{:?} {:?} {}", s.program.ops(), s.program.outputs(), s.program.n_slots());
        let compiled = |extra: &[&str], only_extra: bool| {
            let extra_outputs = extra.iter().map(|s| s.to_string()).collect();
            Simulation::with_options(
                Arc::clone(&model),
                CompileOptions { extra_outputs, only_extra, ..Default::default() },
            )
            .expect("compiles")
        };
        for extra in [&["price", "rate"][..], &["over", "path", "units"], &["total"], &["growth", "spend"]] {
            let before = compile::COMPILES.with(|n| n.get());
            let (kept, only) = (base.keeping(extra).expect("known"), base.reporting(extra).expect("known"));
            let monte_carlo = only.monte_carlo().expect("compiles");
            assert_eq!(compile::COMPILES.with(|n| n.get()), before, "laid out, not compiled, for {extra:?}");
            assert_eq!(layout(&monte_carlo), layout(&only), "already Monte Carlo");
            assert_eq!(layout(&kept), layout(&compiled(extra, false)), "keeping {extra:?}");
            assert_eq!(layout(&only), layout(&compiled(extra, true)), "reporting {extra:?}");
            let kept_again = kept.keeping(&["rate"]).expect("known");
            assert_eq!(layout(&kept_again), layout(&compiled(&[extra, &["rate"]].concat(), false)));
            // Pinned then laid out again, or laid out then pinned: the same values.
            let names = base.factor_names();
            let pins: Vec<(&str, f64)> = names.iter().map(|n| (n.as_str(), 1.5)).collect();
            let (a, b) = (base.pinned(&pins).reporting(extra).expect("known"), only.pinned(&pins));
            assert_eq!(a.first_trial().expect("finite"), b.first_trial().expect("finite"), "{extra:?}");
        }
        assert!(matches!(base.keeping(&["nope"]), Err(crate::Error::Output { .. })));
    }

    /// The deepest nesting and the tallest tree the parser accepts go through every stage
    /// — load, compile, simulate, clone, drop — on a 2 MiB thread, the least a test or a
    /// rayon worker has, in a debug build too (`cargo test --lib` runs this in CI).
    #[test]
    fn the_largest_expressions_accepted_fit_a_small_stack_in_every_build() {
        use crate::expr::{MAX_DEPTH, MAX_HEIGHT};
        // Calls, prefix operators and parentheses, 3 levels a step: always 1.
        let steps = MAX_DEPTH / 3;
        let deep = format!("{}x{}", "max(1, -(".repeat(steps), "))".repeat(steps));
        // The tallest chain, inside the deepest parentheses: 0 − x − … − x = −1000·x.
        let chain = format!("0{}", " - x".repeat(MAX_HEIGHT));
        let tall = format!("{}{chain}{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        let vars = format!("x = \"uniform(1, 2)\"\ndeep = \"{deep}\"\ntall = \"{tall}\"\n");
        let run = move || {
            let model = Model::parse("m.toml", format!("[model]\nname = \"m\"\n[vars]\n{vars}")).expect("accepted");
            let copy = model.clone();
            let simulation = Simulation::new(copy.clone()).expect("compiles");
            let summaries = simulation.run(&RunConfig { trials: 100, seed: 1, threads: 1 }).expect("runs");
            let mean = |name: &str| summaries[simulation.output_index(name).expect("an output")].moments.mean;
            (mean("deep"), mean("tall"))
        };
        let thread = std::thread::Builder::new().stack_size(2 << 20).spawn(run).expect("a thread");
        let (deep, tall) = thread.join().expect("no stack overflow");
        assert_eq!(deep, 1.0);
        // Mean of −1000·U(1, 2) over 100 trials: −1500, standard error 1000/√1200 ≈ 29.
        let n = MAX_HEIGHT as f64;
        assert!((tall + 1.5 * n).abs() < 6.0 * n / 1200f64.sqrt(), "{tall}");
    }
}
