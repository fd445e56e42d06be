//! Sensitivity analysis: which inputs drive an output's uncertainty.
//!
//! A *factor* is a var whose own expression draws random numbers (contains a
//! distribution call); its randomness is its stream, i.e. every call site in it. Three
//! methods, from quick to thorough:
//!
//! - [`tornado`]: one at a time, each factor at a low and a high percentile with the
//!   others at their medians (the classic spreadsheet-tool chart);
//! - [`spearman`]: rank correlation of each factor with the output over simulated
//!   trials, and its share of the squared correlations (Crystal Ball's "contribution to
//!   variance");
//! - [`sobol`]: first-order and total Sobol indices (Saltelli 2010 and Jansen 1999
//!   estimators) with bootstrap confidence intervals.

pub mod sobol;
pub mod spearman;
pub mod tornado;

use crate::engine::RunConfig;
use crate::error::Result;
use crate::model::Model;
use crate::simulation::Simulation;
use crate::stats::rank::RANK_CAP;

/// Default Sobol base sample size N (the model is evaluated N·(k + 2) times).
pub const SOBOL_DEFAULT_N: u64 = 1 << 16;
/// Largest Sobol N: its N·(k + 2) output values are kept in memory.
pub const SOBOL_MAX_N: u64 = 1 << 22;

/// A sensitivity method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// One at a time, low/high percentiles.
    Tornado,
    /// Rank correlation.
    Spearman,
    /// Sobol indices.
    Sobol,
}

impl Method {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::Tornado => "tornado",
            Method::Spearman => "spearman",
            Method::Sobol => "sobol",
        }
    }
}

/// What to analyse and how.
#[derive(Clone, Debug)]
pub struct SensitivityConfig {
    /// The output var.
    pub output: String,
    /// Methods, in order.
    pub methods: Vec<Method>,
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
    /// See [`tornado`].
    Tornado(tornado::Tornado),
    /// See [`spearman`].
    Spearman(spearman::Spearman),
    /// See [`sobol`].
    Sobol(sobol::Sobol),
}

/// Every configured method's result for one output.
#[derive(Clone, Debug)]
pub struct Sensitivity {
    /// One analysis per method, in the configured order.
    pub analyses: Vec<Analysis>,
    /// The random inputs whose draws reach the output: the factors every method ranks.
    pub factors: Vec<String>,
    /// Random inputs that do not feed the output, left out of every method.
    pub left_out: Vec<String>,
    /// Warnings that apply to every method (correlations ignored, no random input).
    pub warnings: Vec<String>,
}

/// Runs every configured method on `base`'s model (compiled with its options), over the
/// random inputs that feed the output.
///
/// # Errors
/// Unknown output var, a model that does not compile, or non-finite values.
pub fn analyse(base: &Simulation<'_>, config: &SensitivityConfig) -> Result<Sensitivity> {
    // Tornado and Sobol indices assume independent inputs: they run without correlations.
    let model = base.model;
    let independent = Model { correlations: Vec::new(), ..model.clone() };
    let simulation = base.variant(&independent, &[config.output.as_str()])?;
    let program = &simulation.program;
    let output = simulation.scalar_output(&config.output)?;
    let feeding = program.factors_feeding(program.outputs()[output].var as usize);
    let all = simulation.factor_names();
    let names: Vec<String> = feeding.iter().map(|&f| all[f].clone()).collect();
    let left_out = (0..all.len()).filter(|f| !feeding.contains(f)).map(|f| all[f].clone()).collect();
    let keep: Vec<&str> = std::iter::once(config.output.as_str()).chain(names.iter().map(String::as_str)).collect();
    let with_factors = base.keeping(&keep)?;
    let independent_with_factors = simulation.keeping(&keep)?;
    let rank_config = RunConfig {
        trials: config.trials.unwrap_or(config.default_trials).min(RANK_CAP),
        seed: config.seed,
        threads: config.threads,
    };
    let sobol_config = RunConfig { trials: config.trials.unwrap_or(SOBOL_DEFAULT_N), ..rank_config };
    if config.methods.contains(&Method::Sobol) && sobol_config.trials > SOBOL_MAX_N {
        return Err(crate::Error::Usage(format!(
            "Sobol keeps N·(k + 2) values in memory: use --trials at most {SOBOL_MAX_N} (N = 65,536 is usually plenty)"
        )));
    }
    let analyses = config
        .methods
        .iter()
        .map(|method| {
            Ok(match method {
                Method::Tornado => Analysis::Tornado(tornado::run(
                    &independent_with_factors,
                    &config.output,
                    &names,
                    &rank_config,
                    config.tornado_range,
                )?),
                Method::Spearman => {
                    Analysis::Spearman(spearman::run(&with_factors, &config.output, &names, &rank_config)?)
                }
                Method::Sobol => Analysis::Sobol(sobol::run(&simulation, &config.output, &feeding, &sobol_config)?),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Sensitivity { analyses, warnings: common_warnings(model, names.len()), factors: names, left_out })
}

/// Warnings every method shares: correlated inputs, no factors.
fn common_warnings(model: &Model, n_factors: usize) -> Vec<String> {
    let mut warnings = Vec::new();
    if !model.correlations.is_empty() {
        warnings.push(
            "the model's [[correlations]] are applied in spearman but not in tornado and sobol, which assume independent inputs"
                .to_string(),
        );
    }
    if n_factors == 0 {
        warnings.push("the output does not depend on any random input".to_string());
    }
    warnings
}
