//! The compile pipeline: runs the stages in order and decides which vars are reported.

use super::lower::Lowering;
use super::program::{Marginal, Program, Sampling};
use super::{correlations, resolve};
use crate::correlation::{CorrelationMatrix, Entry};
use crate::diagnostic::{Diagnostic, Problem};
use crate::error::Result;
use crate::model::Model;
use crate::source::did_you_mean;
use crate::stats::Percentiles;
use crate::units;

/// How to compile a model, beyond what its file says: run options, not model data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompileOptions {
    /// The sampling method, overriding the model's `sampling` (`--sampling`).
    pub sampling: Option<Sampling>,
    /// Replace an impossible correlation matrix by the nearest valid one instead of
    /// failing (`--repair-correlations`).
    pub repair_correlations: bool,
    /// Vars to report besides the model's outputs (after them), e.g. inputs for samples.
    pub extra_outputs: Vec<String>,
    /// Report only `extra_outputs`, not the model's outputs: analyses that need a few vars
    /// of a wide model keep a few columns, not all of them.
    pub only_extra: bool,
    /// The percentiles reported, overriding the model's `percentiles` (`--percentiles`).
    pub percentiles: Option<Percentiles>,
}

#[cfg(test)]
thread_local! {
    /// Models compiled on this thread, for tests that count them.
    pub(crate) static COMPILES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Compiles `model`: every var, with the model's outputs (or, by default, the vars no
/// other var uses) and `options.extra_outputs` as the program's outputs.
///
/// # Errors
/// [`crate::Error::Model`] with every problem found; [`crate::Error::Output`] for an
/// unknown extra output.
pub(crate) fn compile(model: &Model, options: &CompileOptions) -> Result<Program> {
    #[cfg(test)]
    COMPILES.with(|n| n.set(n.get() + 1));
    // Every stage runs even when an earlier one found problems: a var with a problem is
    // left out with the vars that use it, and all problems are reported at once.
    let mut diagnostics = model.problems.clone();
    let resolved = resolve::resolve(model);
    diagnostics.extend(resolved.diagnostics);
    let correlation_problems = correlations::check(model);
    let outputs = output_vars(model, &resolved.deps).unwrap_or_else(|d| {
        diagnostics.extend(d);
        Vec::new()
    });
    let (order, cycles) = resolve::order(model, &resolved.deps);
    diagnostics.extend(cycles);
    let outputs = with_extra(model, if options.only_extra { Vec::new() } else { outputs }, &options.extra_outputs)?;
    let sampling = options.sampling.unwrap_or_else(|| {
        sampling(model).unwrap_or_else(|d| {
            diagnostics.push(d);
            Sampling::Mc
        })
    });
    let correlation = match correlation_problems.is_empty() {
        true => correlation_matrix(model, options).unwrap_or_else(|d| {
            diagnostics.push(d);
            None
        }),
        false => {
            diagnostics.extend(correlation_problems);
            None
        }
    };
    let order: Vec<usize> = order.into_iter().filter(|&v| !resolved.broken[v]).collect();
    let mut units = units::check(model, &order);
    diagnostics.append(&mut units.diagnostics);
    let mut lints = std::mem::take(&mut units.lints);
    let money: Vec<Option<String>> = units
        .units
        .iter()
        .zip(&units.shown)
        .map(|(u, shown)| u.as_ref().filter(|u| units::is_money(u)).and(shown.clone()))
        .collect();
    let mut lowering = Lowering::new(model, units, sampling, correlation);
    for v in order {
        lowering.var(v);
    }
    diagnostics.append(&mut lowering.diagnostics);
    if !diagnostics.is_empty() {
        diagnostics.sort_by_key(|d| d.span.map(|s| s.start));
        return Err(model.error(diagnostics));
    }
    let mut program = lowering.finish(&outputs, resolved.deps);
    lints.extend(negative_money(model, &program, &money));
    lints.extend(poor_fits(model));
    lints.sort_by_key(|d| d.span.map(|s| s.start));
    program.lints = lints;
    if let Some(percentiles) = &options.percentiles {
        program.percentiles = percentiles.clone();
    }
    Ok(program)
}

/// The p-value below which a distribution fitted to data is far from it.
const POOR_FIT: f64 = 0.05;

/// A lint for each var fitted to data that the data reject: a Kolmogorov–Smirnov p-value
/// below [`POOR_FIT`] (on the high side, as the parameters come from the same data, so a
/// fit flagged is surely poor).
fn poor_fits(model: &Model) -> Vec<Diagnostic> {
    model
        .vars
        .iter()
        .filter_map(|v| {
            let data = v.data.as_deref()?;
            let goodness = data.goodness.filter(|g| g.p_value < POOR_FIT)?;
            let problem = Problem::PoorFit {
                var: v.name.name.clone(),
                family: data.spec.family.name().to_string(),
                file: data.spec.file.clone(),
                distance: format!("{:.3}", goodness.distance),
                p_value: match goodness.p_value {
                    p if p < 1e-4 => "< 0.0001".to_string(),
                    p => format!("= {p:.4}"),
                },
            };
            Some(Diagnostic::new(problem, v.expr.span))
        })
        .collect()
}

/// A lint for each input in money (`money[v]`: its unit) whose distribution goes below
/// zero, with the share of draws that do: `normal(2.5, 1.5)` for a price is negative in
/// 4.8% of trials.
fn negative_money(model: &Model, program: &Program, money: &[Option<String>]) -> Vec<Diagnostic> {
    let mut lints = Vec::new();
    for (v, (info, unit)) in program.vars().iter().zip(money).enumerate() {
        let (Some(unit), Some(Marginal::Plain(sampler))) = (unit, &info.marginal) else { continue };
        let Some(share) = crate::dist::below(sampler, 0.0).filter(|p| *p > 0.0) else { continue };
        let problem = Problem::NegativeMoney {
            var: info.name.clone(),
            unit: unit.clone(),
            share: match share {
                s if s < 0.5e-4 => "fewer than 0.01%".to_string(),
                s => format!("{:.2}%", s * 100.0),
            },
        };
        lints.push(Diagnostic::new(problem, model.vars[v].expr.span));
    }
    lints
}

/// The model's correlations as one validated matrix (`None` without any), or the
/// problem, at the entry that caused it.
fn correlation_matrix(
    model: &Model,
    options: &CompileOptions,
) -> std::result::Result<Option<CorrelationMatrix>, Diagnostic> {
    if model.correlations.is_empty() {
        return Ok(None);
    }
    let entries: Vec<Entry<'_>> = model
        .correlations
        .iter()
        .map(|c| Entry { vars: c.vars.iter().map(|v| v.name.as_str()).collect(), coefficients: &c.coefficients })
        .collect();
    CorrelationMatrix::new(&entries, options.repair_correlations).map(Some).map_err(|e| {
        let span = model.correlations[e.entry()].coefficients_span;
        Diagnostic::new(Problem::Correlations(e), span)
    })
}

/// The sampling method the model asks for (default `mc`).
fn sampling(model: &Model) -> std::result::Result<Sampling, Diagnostic> {
    let Some(named) = &model.meta.sampling else { return Ok(Sampling::Mc) };
    Sampling::from_name(&named.name)
        .ok_or_else(|| Diagnostic::new(Problem::UnknownSampling(named.name.clone()), named.span))
}

/// Indices of the vars to report, in report order: the model's `outputs`, or every var
/// that no other var uses, other than a test (a comparison or logic) or a `--query`.
fn output_vars(model: &Model, deps: &[Vec<usize>]) -> std::result::Result<Vec<usize>, Vec<Diagnostic>> {
    if let Some(names) = &model.meta.outputs
        && names.is_empty()
    {
        return Err(vec![Diagnostic::new(Problem::NoOutputs, model.meta.outputs_span)]);
    }
    let Some(names) = &model.meta.outputs else {
        // A var that only tests (`total > 12M`) or queries use stays an output: adding a
        // threshold never hides the quantity it tests.
        let mut used = vec![false; deps.len()];
        let queried = deps.len() - model.queries;
        let hides = |v: usize| v < queried && !model.vars[v].expr.is_boolean();
        deps.iter().enumerate().filter(|&(v, _)| hides(v)).flat_map(|(_, d)| d).for_each(|&d| used[d] = true);
        return Ok((0..deps.len()).filter(|&v| !used[v]).collect());
    };
    let mut diagnostics = Vec::new();
    let mut outputs = Vec::new();
    for n in names {
        match model.var_index(&n.name) {
            Some(v) => outputs.push(v),
            None => {
                let suggestion = did_you_mean(&n.name, model.vars.iter().map(|v| v.name.name.as_str()));
                let problem =
                    Problem::UnknownOutput { name: n.name.clone(), suggestion: suggestion.map(str::to_string) };
                diagnostics.push(Diagnostic::new(problem, n.span));
            }
        }
    }
    if diagnostics.is_empty() { Ok(outputs) } else { Err(diagnostics) }
}

/// `outputs` followed by the `extra` vars not already in it; `name[label]` (a period of a
/// series) means var `name`.
///
/// # Errors
/// [`crate::Error::Output`] for an unknown var.
pub(crate) fn with_extra(model: &Model, mut outputs: Vec<usize>, extra: &[String]) -> Result<Vec<usize>> {
    let names = || model.vars.iter().map(|v| v.name.name.as_str());
    for name in extra {
        let name = name.split_once('[').map_or(name.as_str(), |(var, _)| var);
        let Some(v) = model.var_index(name) else {
            let hint = did_you_mean(name, names()).map_or(String::new(), |n| format!("; did you mean `{n}`?"));
            return Err(crate::Error::Output {
                name: name.to_string(),
                problem: format!("unknown var `{name}`{hint}"),
            });
        };
        if !outputs.contains(&v) {
            outputs.push(v);
        }
    }
    Ok(outputs)
}
