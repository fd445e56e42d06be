//! The library's front door: compile a model and simulate it, reporting any var that
//! cannot be computed in some trials instead of letting NaN into the statistics.

use crate::compile::{self, Program};
use crate::engine::{self, RunConfig, Simulated};
use crate::error::Result;
use crate::model::Model;
use crate::source::Diagnostic;
use crate::stats::Summary;

/// A compiled model ready to run.
#[derive(Debug)]
pub struct Simulation<'m> {
    /// The model, for names and error locations.
    pub model: &'m Model,
    /// Its compiled form.
    pub program: Program,
}

impl<'m> Simulation<'m> {
    /// Compiles `model`.
    ///
    /// # Errors
    /// [`crate::Error::Model`] with every problem found.
    pub fn new(model: &'m Model) -> Result<Simulation<'m>> {
        Ok(Simulation { model, program: compile::compile(model)? })
    }

    /// Compiles `model`, also reporting the `extra` vars as outputs.
    ///
    /// # Errors
    /// As [`Simulation::new`], and [`crate::Error::Usage`] for an unknown extra var.
    pub fn keeping(model: &'m Model, extra: &[&str]) -> Result<Simulation<'m>> {
        Ok(Simulation { model, program: compile::compile_keeping(model, extra)? })
    }

    /// Runs every trial and summarises each output.
    ///
    /// # Errors
    /// [`crate::Error::Model`] naming each var that was NaN or infinite in some trials,
    /// with how many.
    pub fn run(&self, config: &RunConfig) -> Result<Vec<Summary>> {
        Ok(self.simulate(config)?.summaries())
    }

    /// Runs every trial; the accumulators are summarised by [`Simulated::summaries`].
    ///
    /// # Errors
    /// As [`Simulation::run`].
    pub fn simulate(&self, config: &RunConfig) -> Result<Simulated> {
        let simulated = engine::simulate(&self.program, config);
        self.check_finite(&simulated.nonfinite, config.trials)?;
        Ok(simulated)
    }

    /// Every output's values in trial order, factor `i` drawing from the streams of
    /// `seeds[i]`. Memory grows with the trial count: callers cap it.
    ///
    /// # Errors
    /// As [`Simulation::run`].
    pub fn collect(&self, config: &RunConfig, seeds: &[u64]) -> Result<Vec<Vec<f64>>> {
        let (columns, nonfinite) = engine::collect(&self.program, config, seeds);
        self.check_finite(&nonfinite, config.trials)?;
        Ok(columns)
    }

    /// The index in [`Program::outputs`] of the var called `name`.
    pub fn output_index(&self, name: &str) -> Option<usize> {
        self.program.outputs().iter().position(|o| self.program.vars()[o.var as usize].name == name)
    }

    /// The names of the factors (vars that draw random numbers), in stream order.
    pub fn factor_names(&self) -> Vec<&str> {
        self.program.factors().iter().map(|f| self.program.vars()[f.var as usize].name.as_str()).collect()
    }

    /// An error for the vars with non-finite values, if any.
    ///
    /// # Errors
    /// When any count is non-zero.
    pub fn check_finite(&self, nonfinite: &[u64], trials: u64) -> Result<()> {
        let diagnostics: Vec<Diagnostic> = nonfinite
            .iter()
            .zip(self.program.vars())
            .filter(|(n, _)| **n > 0)
            .map(|(n, var)| {
                let def = self.model.var(&var.name).expect("program vars come from the model");
                Diagnostic::new(
                    format!("var `{}` is NaN or infinite in {n} of {trials} trials", var.name),
                    def.expr.span,
                )
                .with_help("check for ln or sqrt of a negative, division by zero, overflow, or distribution parameters that leave their valid range in some trials (e.g. sd < 0, min > max)")
            })
            .collect();
        if diagnostics.is_empty() { Ok(()) } else { Err(self.model.error(diagnostics)) }
    }
}
