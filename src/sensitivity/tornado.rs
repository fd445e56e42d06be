//! Tornado (one at a time): each factor at its low and high percentile (p10 and p90 by
//! default) while every other factor sits at its median; the output's `low`, `high` and
//! `swing = |high − low|`, sorted by swing. These are @RISK's and Crystal Ball's
//! semantics: the bars show what each input can do alone, not interactions.
//!
//! Factor percentiles come from a simulation of up to [`super::RANK_CAP`] trials; each
//! bar is then one exact evaluation of the model with every factor fixed.

use crate::engine::RunConfig;
use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::model::Model;
use crate::simulation::Simulation;

/// One factor's bar.
#[derive(Clone, Debug)]
pub struct TornadoFactor {
    /// The factor var.
    pub name: String,
    /// The factor's low and high input values (its percentiles).
    pub inputs: [f64; 2],
    /// Output with the factor at its low percentile.
    pub low: f64,
    /// Output with the factor at its high percentile.
    pub high: f64,
    /// |high − low|.
    pub swing: f64,
}

/// The tornado of one output.
#[derive(Clone, Debug)]
pub struct Tornado {
    /// Trials simulated to find the factors' percentiles.
    pub trials: u64,
    /// The percentiles used, as fractions.
    pub range: (f64, f64),
    /// The output with every factor at its median.
    pub base: f64,
    /// Bars, largest swing first.
    pub factors: Vec<TornadoFactor>,
}

/// Builds the tornado of `output`; `simulation` reports the output and every factor.
///
/// # Errors
/// Non-finite values in the simulation or in an evaluation.
pub fn run(
    model: &Model,
    simulation: &Simulation<'_>,
    output: &str,
    config: &RunConfig,
    range: (f64, f64),
) -> Result<Tornado> {
    let summaries = simulation.run(config)?;
    let names = simulation.factor_names();
    let quantile = |name: &str, q: f64| {
        let i = simulation.output_index(name).expect("factors are kept as outputs");
        summaries[i].sketch.quantile(q).clamp(summaries[i].moments.min, summaries[i].moments.max)
    };
    let medians: Vec<(&str, f64)> = names.iter().map(|&n| (n, quantile(n, 0.5))).collect();
    let base = evaluate(model, output, &medians)?;
    let mut factors = Vec::with_capacity(names.len());
    for (i, &name) in names.iter().enumerate() {
        let inputs = [quantile(name, range.0), quantile(name, range.1)];
        let at = |value: f64| {
            let mut fixed = medians.clone();
            fixed[i].1 = value;
            evaluate(model, output, &fixed)
        };
        let (low, high) = (at(inputs[0])?, at(inputs[1])?);
        factors.push(TornadoFactor { name: name.to_string(), inputs, low, high, swing: (high - low).abs() });
    }
    factors.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    Ok(Tornado { trials: config.trials, range, base, factors })
}

/// The output's value with the given vars fixed (one trial: every factor is constant).
fn evaluate(model: &Model, output: &str, fixed: &[(&str, f64)]) -> Result<f64> {
    let mut model = model.clone();
    for (name, value) in fixed {
        if let Some(var) = model.vars.iter_mut().find(|v| v.name.name == *name) {
            var.expr = Expr { kind: ExprKind::Num(*value), span: var.expr.span };
        }
    }
    let simulation = Simulation::keeping(&model, &[output])?;
    let summaries = simulation.run(&RunConfig { trials: 1, seed: 0, threads: 1 })?;
    Ok(summaries[simulation.output_index(output).expect("kept")].moments.mean)
}
