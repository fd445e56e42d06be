//! The analyses of a model's outputs: which methods fit each output, run whole, as a
//! shard's sums, or finished from merged sums.

use super::pick_freeze::{Layout, Sums};
use super::sample::Sample;
use super::tornado::{self, TornadoKind};
use super::{shapley, sobol, spearman};
use crate::engine::RunConfig;
use crate::error::Result;
use crate::simulation::Simulation;
use crate::stats::rank::RANK_CAP;
use crate::stats::tree::ChunkTree;

/// Default Sobol base sample size N (the model is evaluated N·(k + 2) times).
pub(crate) const SOBOL_DEFAULT_N: u64 = 1 << 16;

/// A sensitivity method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Low/high bars (see [`TornadoKind`]).
    Tornado,
    /// Rank correlation.
    Spearman,
    /// Sobol indices.
    Sobol,
    /// Shapley effects.
    Shapley,
}

impl Method {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::Tornado => "tornado",
            Method::Spearman => "spearman",
            Method::Sobol => "sobol",
            Method::Shapley => "shapley",
        }
    }
}

/// How far the analyses have got, for a progress bar: the output and the method at
/// work, and the units of work it has done of those it will do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step<'a> {
    /// The output analysed.
    pub output: &'a str,
    /// The method at work: `ranks` (the conditional tornado and Spearman, from one
    /// sample), `swing tornado`, `sobol` or `shapley`.
    pub method: &'static str,
    /// Units done (chunks of trials for Sobol and Shapley).
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

/// What to analyse and how.
#[derive(Clone, Debug)]
pub struct SensitivityConfig {
    /// The outputs to explain; empty for every output with one value per trial.
    pub outputs: Vec<String>,
    /// One method, or `None` for all that fit each output (see [`analyse`]).
    pub method: Option<Method>,
    /// The tornado's kind, or `None` for the one that fits each output.
    pub tornado: Option<TornadoKind>,
    /// Trials requested (`None`: each method's default).
    pub trials: Option<u64>,
    /// The model's or default trial count, used when `trials` is `None`.
    pub default_trials: u64,
    /// Seed.
    pub seed: u64,
    /// Threads.
    pub threads: usize,
    /// Tornado percentiles (as fractions), e.g. (0.1, 0.9).
    pub tornado_range: (f64, f64),
}

/// The result of one method.
#[derive(Clone, Debug)]
pub enum Analysis {
    /// See `tornado`.
    Tornado(tornado::Tornado),
    /// See `spearman`.
    Spearman(spearman::Spearman),
    /// See `sobol`.
    Sobol(sobol::Sobol),
    /// See `shapley`.
    Shapley(shapley::Shapley),
}

impl Analysis {
    /// The names of the factors ranked, in the analysis's order.
    pub fn factor_names(&self) -> Vec<&str> {
        match self {
            Analysis::Tornado(t) => t.factors.iter().map(|f| f.name.as_str()).collect(),
            Analysis::Spearman(s) => s.factors.iter().map(|f| f.name.as_str()).collect(),
            Analysis::Sobol(s) => s.factors.iter().map(|f| f.name.as_str()).collect(),
            Analysis::Shapley(s) => s.factors.iter().map(|f| f.name.as_str()).collect(),
        }
    }

    /// The method's own warnings (wide intervals and the like).
    pub fn warnings(&self) -> &[String] {
        match self {
            Analysis::Sobol(s) => &s.warnings,
            Analysis::Shapley(s) => &s.warnings,
            Analysis::Tornado(_) | Analysis::Spearman(_) => &[],
        }
    }
}

/// Every method's result for one output.
#[derive(Clone, Debug)]
pub struct Sensitivity {
    /// The output analysed.
    pub output: String,
    /// Its unit.
    pub unit: Option<String>,
    /// True if it is 0 or 1 in every trial (its mean is a probability).
    pub boolean: bool,
    /// Its value, when it is the same in every trial: nothing to explain, no analyses.
    pub constant: Option<f64>,
    /// One analysis per method run, in order.
    pub analyses: Vec<Analysis>,
    /// The random inputs whose draws reach the output: the factors every method ranks.
    pub factors: Vec<String>,
    /// Random inputs that do not feed the output, left out of every method.
    pub left_out: Vec<String>,
    /// Choices made for this output (a method run in place of another, and why).
    pub notes: Vec<String>,
    /// Warnings about the methods run (correlations a method ignores).
    pub warnings: Vec<String>,
}

/// The analyses of every output asked for.
#[derive(Clone, Debug)]
pub struct Analysed {
    /// One per output, in the model's order (or as asked).
    pub outputs: Vec<Sensitivity>,
    /// Series outputs skipped because none was named (they need a period or a reduction).
    pub series: Vec<String>,
}

/// The sums of a streamed estimator (Sobol or Shapley) for one output over some of the
/// run's batches: what a shard of `sensitivity` computes.
#[derive(Clone, Debug)]
pub(crate) struct MethodSums {
    /// The output analysed.
    pub output: String,
    /// [`Method::Sobol`] or [`Method::Shapley`].
    pub method: Method,
    /// The batches' sums, in the fixed tree.
    pub tree: ChunkTree<Sums>,
}

/// Where the streamed estimators' sums come from.
enum SumsScope {
    /// Every batch, computed here.
    All,
    /// Shard (K, M)'s batches, computed here and kept.
    Shard((u64, u64), Vec<MethodSums>),
    /// Every batch, merged from the shards.
    Merged(Vec<MethodSums>),
}

impl SumsScope {
    /// The sums of `method` on `output`: from `compute` (given the shard, if any), or
    /// the merged ones. `None` for a shard, which only keeps them.
    fn tree(
        &mut self,
        output: &str,
        method: Method,
        layout: Layout,
        compute: impl FnOnce(Option<(u64, u64)>) -> Result<ChunkTree<Sums>>,
    ) -> Result<Option<ChunkTree<Sums>>> {
        match self {
            SumsScope::All => compute(None).map(Some),
            SumsScope::Shard(shard, kept) => {
                let tree = compute(Some(*shard))?;
                kept.push(MethodSums { output: output.to_string(), method, tree });
                Ok(None)
            }
            SumsScope::Merged(merged) => {
                let unfit = |what: &str| crate::Error::Unfit {
                    reason: format!(
                        "the partial states {what} {} sums of `{output}`: were they written for another model or options?",
                        method.name()
                    ),
                };
                match merged.iter().position(|s| s.output == output && s.method == method) {
                    Some(i) if layout.fits(&merged[i].tree) => Ok(Some(merged.remove(i).tree)),
                    Some(_) => Err(unfit("have the wrong number of")),
                    None => Err(unfit("have no")),
                }
            }
        }
    }
}

/// Runs the configured methods on each output of `base`'s model (compiled with its
/// options), over the random inputs that feed it.
///
/// Unless told otherwise, [`analyse`] analyses every output with one value per trial;
/// lists an output that is the same in every trial as constant, without analyses; runs
/// the conditional tornado and Spearman on a 0/1 output; runs the conditional tornado
/// when two inputs that feed the output are correlated, and Shapley effects in place of
/// Sobol indices.
///
/// # Errors
/// Unknown output var, a series named without a period, a model that does not compile,
/// or non-finite values.
pub fn analyse(base: &Simulation, config: &SensitivityConfig) -> Result<Analysed> {
    analyse_tracked(base, config, &mut |_| {})
}

/// As [`analyse`], telling `progress` how far each method on each output has got.
///
/// # Errors
/// As [`analyse`].
pub(crate) fn analyse_tracked(
    base: &Simulation,
    config: &SensitivityConfig,
    progress: &mut dyn FnMut(Step<'_>),
) -> Result<Analysed> {
    analyse_with(base, config, &mut SumsScope::All, progress)
}

/// Shard `shard` = (K, M) of [`analyse`]: the sums of the Sobol and Shapley estimators
/// over the shard's contiguous range of batches, one [`MethodSums`] per output and method
/// in analysis order. The other methods are cheap and run when the shards are merged.
///
/// # Errors
/// As [`analyse`].
pub(crate) fn analyse_shard(
    base: &Simulation,
    config: &SensitivityConfig,
    shard: (u64, u64),
) -> Result<Vec<MethodSums>> {
    let mut streaming = SumsScope::Shard(shard, Vec::new());
    analyse_with(base, config, &mut streaming, &mut |_| {})?;
    match streaming {
        SumsScope::Shard(_, kept) => Ok(kept),
        _ => unreachable!("a shard keeps its sums"),
    }
}

/// [`analyse`] with the Sobol and Shapley sums of every shard, merged: the same result.
///
/// # Errors
/// As [`analyse`], and [`crate::Error::Unfit`] if sums are missing.
pub(crate) fn analyse_merged(
    base: &Simulation,
    config: &SensitivityConfig,
    merged: Vec<MethodSums>,
) -> Result<Analysed> {
    analyse_with(base, config, &mut SumsScope::Merged(merged), &mut |_| {})
}

fn analyse_with(
    base: &Simulation,
    config: &SensitivityConfig,
    streaming: &mut SumsScope,
    progress: &mut dyn FnMut(Step<'_>),
) -> Result<Analysed> {
    let program = &base.program;
    let (outputs, series) = match config.outputs.is_empty() {
        false => (config.outputs.clone(), Vec::new()),
        true => {
            let mut series: Vec<String> = Vec::new();
            let mut scalars = Vec::new();
            for (i, output) in program.outputs().iter().enumerate() {
                match output.period {
                    None => scalars.push(program.output_name(i)),
                    Some(_) => {
                        let name = &program.vars()[output.var as usize].name;
                        if !series.contains(name) {
                            series.push(name.clone());
                        }
                    }
                }
            }
            (scalars, series)
        }
    };
    let outputs =
        outputs.iter().map(|o| analyse_output(base, o, config, streaming, progress)).collect::<Result<_>>()?;
    Ok(Analysed { outputs, series })
}

/// The analyses of one output.
fn analyse_output(
    base: &Simulation,
    output: &str,
    config: &SensitivityConfig,
    streaming: &mut SumsScope,
    progress: &mut dyn FnMut(Step<'_>),
) -> Result<Sensitivity> {
    let mut tell = |method: &'static str, done: u64, total: u64| progress(Step { output, method, done, total });
    let simulation = base.reporting(&[output])?;
    let program = &simulation.program;
    let index = simulation.scalar_output(output)?;
    let var = program.outputs()[index].var as usize;
    let feeding = program.factors_feeding(var);
    let all = simulation.factor_names();
    let factors: Vec<String> = feeding.iter().map(|&f| all[f].clone()).collect();
    let left_out = (0..all.len()).filter(|f| !feeding.contains(f)).map(|f| all[f].clone()).collect();
    let mut result = Sensitivity {
        output: output.to_string(),
        unit: program.vars()[var].unit.clone(),
        boolean: program.outputs()[index].boolean,
        constant: program.vars()[var].constant,
        analyses: Vec::new(),
        factors,
        left_out,
        notes: Vec::new(),
        warnings: Vec::new(),
    };
    if result.constant.is_some() || result.factors.is_empty() {
        result.constant = Some(simulation.first_trial()?[index]);
        return Ok(result);
    }
    let rank_config = RunConfig {
        trials: config.trials.unwrap_or(config.default_trials).min(RANK_CAP),
        seed: config.seed,
        threads: config.threads,
    };
    let correlated = correlated(program, &feeding);
    let kind = config.tornado.unwrap_or(match correlated || result.boolean {
        true => TornadoKind::Conditional,
        false => TornadoKind::Swing,
    });
    let mut notes = Vec::new();
    let methods = match config.method {
        Some(method) => vec![method],
        None if result.boolean => vec![Method::Tornado, Method::Spearman],
        None if correlated => {
            notes.push("shapley in place of sobol: inputs that feed it are correlated".to_string());
            vec![Method::Tornado, Method::Spearman, Method::Shapley]
        }
        None => vec![Method::Tornado, Method::Spearman, Method::Sobol],
    };
    if config.tornado.is_none() && kind == TornadoKind::Conditional && methods.contains(&Method::Tornado) {
        let why = if result.boolean { "the output is 0/1" } else { "inputs that feed it are correlated" };
        notes.push(format!("conditional tornado: {why}"));
    }
    let sharded = matches!(streaming, SumsScope::Shard(..));
    let conditional = !sharded && kind == TornadoKind::Conditional && methods.contains(&Method::Tornado);
    let spearman = !sharded && methods.contains(&Method::Spearman);
    let wanted = Wanted { conditional: conditional.then_some(config.tornado_range), spearman };
    tell("ranks", 0, 1);
    let mut ranked = Ranked::analyse(&simulation, output, &result.factors, &rank_config, wanted)?;
    tell("ranks", 1, 1);
    if let Some(value) = ranked.constant {
        result.constant = Some(value);
        return Ok(result);
    }
    result.notes = notes;
    let keep: Vec<&str> = std::iter::once(output).chain(result.factors.iter().map(String::as_str)).collect();
    let mut independent_model = (*base.model).clone();
    independent_model.correlations.clear();
    let independent_model = std::sync::Arc::new(independent_model);
    let base_sample = |default: u64| RunConfig { trials: config.trials.unwrap_or(default), ..rank_config };
    if let Some(n) = config.trials {
        for (method, default) in [(Method::Sobol, SOBOL_DEFAULT_N), (Method::Shapley, shapley::DEFAULT_TRIALS)] {
            if methods.contains(&method) && n != default {
                result.notes.push(format!(
                    "{}: N = {n} as --trials says (its default: {default}), so its intervals are {} than by default",
                    method.name(),
                    if n < default { "wider" } else { "narrower" }
                ));
            }
        }
    }
    for method in methods {
        let analysis = match method {
            _ if sharded && !matches!(method, Method::Sobol | Method::Shapley) => continue,
            Method::Tornado if kind == TornadoKind::Conditional => {
                let Some(tornado) = ranked.tornado.take() else { continue };
                Analysis::Tornado(tornado)
            }
            Method::Tornado => {
                tell("swing tornado", 0, 1);
                let independent = simulation.variant(std::sync::Arc::clone(&independent_model), &keep)?;
                Analysis::Tornado(tornado::swing(
                    &independent,
                    output,
                    &result.factors,
                    &rank_config,
                    config.tornado_range,
                )?)
            }
            Method::Spearman => {
                let Some(spearman) = ranked.spearman.take() else { continue };
                Analysis::Spearman(spearman)
            }
            Method::Sobol => {
                let independent = simulation.monte_carlo()?.variant(std::sync::Arc::clone(&independent_model), &[])?;
                let n = base_sample(SOBOL_DEFAULT_N);
                let sums =
                    |shard| sobol::sums(&independent, output, &feeding, &n, shard, &mut |d, t| tell("sobol", d, t));
                let layout = sobol::layout(&n, feeding.len());
                let Some(tree) = streaming.tree(output, method, layout, sums)? else { continue };
                Analysis::Sobol(sobol::finish(&independent, &feeding, &n, &tree))
            }
            Method::Shapley => {
                let correlated = simulation.monte_carlo()?;
                let n = base_sample(shapley::DEFAULT_TRIALS);
                let sums =
                    |shard| shapley::sums(&correlated, output, &feeding, &n, shard, &mut |d, t| tell("shapley", d, t));
                let layout = shapley::layout(&n, feeding.len());
                let Some(tree) = streaming.tree(output, method, layout, sums)? else { continue };
                Analysis::Shapley(shapley::finish(&correlated, &feeding, &n, &tree))
            }
        };
        let ignores = matches!(&analysis, Analysis::Sobol(_))
            || matches!(&analysis, Analysis::Tornado(t) if t.kind == TornadoKind::Swing);
        if correlated && ignores {
            result.warnings.push(format!(
                "{} treats inputs as independent: the model's correlations between inputs that feed `{output}` are not applied there",
                match &analysis {
                    Analysis::Sobol(_) => "sobol (use shapley)",
                    _ => "the swing tornado (use --tornado conditional)",
                }
            ));
        }
        result.analyses.push(analysis);
    }
    Ok(result)
}

/// The rank analyses an output needs: the conditional tornado (over this range) and
/// Spearman's rank correlations.
struct Wanted {
    conditional: Option<(f64, f64)>,
    spearman: bool,
}

/// The rank analyses of one output, made from its trials a group of factors at a time;
/// or the output's value if it is the same in every trial.
struct Ranked {
    constant: Option<f64>,
    tornado: Option<tornado::Tornado>,
    spearman: Option<spearman::Spearman>,
}

impl Ranked {
    /// The `wanted` analyses of `output` over the trials of `config`, whose `factors` feed
    /// it (only the output's values are simulated when no analysis is wanted: enough to
    /// find a constant).
    fn analyse(
        simulation: &Simulation,
        output: &str,
        factors: &[String],
        config: &RunConfig,
        wanted: Wanted,
    ) -> Result<Ranked> {
        let factors = match wanted.conditional.is_some() || wanted.spearman {
            true => factors,
            false => &[],
        };
        // The output's values and ranks, from the first group (every group has the same).
        let mut first: Option<(Vec<f64>, Vec<f64>)> = None;
        let (mut constant, mut bars, mut rhos) = (None, Vec::new(), Vec::new());
        Sample::for_each_group(simulation, output, factors, config, |trials| {
            let (_, output_ranks) = match &first {
                Some(first) => first,
                None => {
                    constant = trials.constant();
                    if constant.is_some() {
                        return Ok(false);
                    }
                    let ranks = if wanted.spearman { crate::stats::rank::ranks(&trials.output) } else { Vec::new() };
                    first.insert((trials.output.clone(), ranks))
                }
            };
            if let Some(range) = wanted.conditional {
                bars.extend(tornado::conditional_bars(&trials, range));
            }
            if wanted.spearman {
                rhos.extend(spearman::correlations(output_ranks, &trials, config.threads)?);
            }
            Ok(true)
        })?;
        let Some((output_values, _)) = first else { return Ok(Ranked { constant, tornado: None, spearman: None }) };
        Ok(Ranked {
            constant,
            tornado: wanted.conditional.map(|range| tornado::conditional(bars, &output_values, range)),
            spearman: wanted.spearman.then(|| spearman::from_correlations(output_values.len() as u64, rhos)),
        })
    }
}

/// True if two of the factors `feeding` (indices into the program's factors) are
/// correlated by the model's copula.
fn correlated(program: &crate::compile::Program, feeding: &[usize]) -> bool {
    let Some((members, matrix)) = program.copula() else { return false };
    let fed: Vec<usize> = (0..members.len()).filter(|&i| feeding.contains(&members[i])).collect();
    fed.iter().any(|&i| fed.iter().any(|&j| i != j && matrix[i][j].abs() > 1e-12))
}
