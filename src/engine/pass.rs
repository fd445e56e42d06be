//! What a run computes: several programs on the same streams (common random numbers:
//! a var the programs share draws identical values in every trial), and the columns to
//! accumulate from them: outputs of any program, and trial-by-trial differences between
//! two programs' outputs.

use super::chunks::ChunkView;
use super::config::{CHUNK, RunConfig};
use super::eval::Workspace;
use crate::compile::Program;
use crate::stats::ValueKind;

/// One accumulated quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// Output `output` of program `program`.
    Output {
        /// Index into the pass's programs.
        program: usize,
        /// Index into that program's outputs.
        output: usize,
    },
    /// Output `output` of program `program` minus output `base_output` of program `base`.
    Difference {
        /// Index into the pass's programs.
        program: usize,
        /// Its output.
        output: usize,
        /// Index into the pass's programs.
        base: usize,
        /// Its output.
        base_output: usize,
    },
}

/// Programs run together, and the columns accumulated from them.
#[derive(Clone, Debug)]
pub struct Pass<'p> {
    programs: Vec<&'p Program>,
    columns: Vec<Column>,
}

/// Per-thread state of a pass: the other programs' workspaces and difference buffers.
pub(super) struct PassState {
    workspaces: Vec<Workspace>,
    buffers: Vec<Vec<f64>>,
}

impl<'p> Pass<'p> {
    /// Every output of one program.
    pub fn outputs(program: &'p Program) -> Pass<'p> {
        let columns = (0..program.outputs().len()).map(|output| Column::Output { program: 0, output }).collect();
        Pass { programs: vec![program], columns }
    }

    /// `columns` of `programs` (at least one; the first is the one the chunks run).
    pub fn new(programs: Vec<&'p Program>, columns: Vec<Column>) -> Pass<'p> {
        assert!(!programs.is_empty(), "a pass runs at least one program");
        Pass { programs, columns }
    }

    /// The programs, in order.
    pub fn programs(&self) -> &[&'p Program] {
        &self.programs
    }

    /// What each column's values are: an output's 0/1 and whether random draws reach it
    /// decide how the interval of its mean is found.
    pub fn kinds(&self) -> Vec<ValueKind> {
        let output = |program: usize, output: usize| {
            let program = self.programs[program];
            let o = &program.outputs()[output];
            (o.boolean, !program.factors_feeding(o.var as usize).is_empty())
        };
        self.columns
            .iter()
            .map(|column| {
                let ((boolean, random), difference) = match *column {
                    Column::Output { program, output: o } => (output(program, o), false),
                    Column::Difference { program, output: o, base, base_output } => {
                        let ((a, ra), (b, rb)) = (output(program, o), output(base, base_output));
                        ((a && b, ra || rb), true)
                    }
                };
                match (random, boolean, difference) {
                    (false, _, _) => ValueKind::Fixed,
                    (true, true, false) => ValueKind::Indicator,
                    (true, true, true) => ValueKind::IndicatorDifference,
                    (true, false, _) => ValueKind::Random,
                }
            })
            .collect()
    }

    /// The probability levels whose order statistics each column keeps: the first
    /// program's reported percentiles and the defaults.
    pub fn levels(&self) -> std::sync::Arc<[f64]> {
        self.programs[0].percentiles().computed()
    }

    /// Number of columns.
    pub fn n_columns(&self) -> usize {
        self.columns.len()
    }

    /// The first program (the one every chunk runs first).
    pub(super) fn first(&self) -> &'p Program {
        self.programs[0]
    }

    /// Bytes of one worker's [`PassState`] and workspace.
    pub(super) fn worker_bytes(&self) -> usize {
        let differences = self.columns.iter().filter(|c| matches!(c, Column::Difference { .. })).count();
        let columns = self.programs.iter().map(|p| Workspace::bytes(p)).sum::<usize>();
        columns + differences * CHUNK * std::mem::size_of::<f64>()
    }

    pub(super) fn state(&self) -> PassState {
        let n_differences = self.columns.iter().filter(|c| matches!(c, Column::Difference { .. })).count();
        PassState {
            workspaces: self.programs[1..].iter().map(|p| Workspace::new(p)).collect(),
            buffers: vec![vec![0.0; CHUNK]; n_differences],
        }
    }

    /// Runs the other programs on chunk `view` and returns every column's values, with
    /// the non-finite counts of each program's vars.
    pub(super) fn columns<'a>(
        &self,
        config: &RunConfig,
        state: &'a mut PassState,
        view: &'a ChunkView<'_>,
    ) -> (Vec<&'a [f64]>, Vec<&'a [u64]>) {
        for (workspace, program) in state.workspaces.iter_mut().zip(&self.programs[1..]) {
            workspace.evaluate(program, &config.seeds(program), view.index, view.n);
        }
        let workspaces = &state.workspaces;
        let value = |program: usize, output: usize| -> &'a [f64] {
            match program {
                0 => view.output(output),
                p => workspaces[p - 1].output(self.programs[p], output, view.n),
            }
        };
        let differences = self.columns.iter().filter_map(|c| match *c {
            Column::Difference { program, output, base, base_output } => Some((program, output, base, base_output)),
            Column::Output { .. } => None,
        });
        for (buffer, (program, output, base, base_output)) in state.buffers.iter_mut().zip(differences) {
            let (theirs, ours) = (value(program, output), value(base, base_output));
            buffer.iter_mut().zip(theirs).zip(ours).for_each(|((d, t), b)| *d = t - b);
        }
        let mut buffers = state.buffers.iter();
        let columns = self
            .columns
            .iter()
            .map(|c| match *c {
                Column::Output { program, output } => value(program, output),
                Column::Difference { .. } => &buffers.next().expect("one buffer per difference")[..view.n],
            })
            .collect();
        let nonfinite = std::iter::once(view.nonfinite()).chain(workspaces.iter().map(|w| &w.nonfinite[..])).collect();
        (columns, nonfinite)
    }
}
