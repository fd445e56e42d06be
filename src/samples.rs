//! Per-trial values of chosen vars as CSV (trial index first), streamed chunk by chunk in
//! trial order, so memory stays bounded and the file is identical for any thread count.

use std::fmt::Write as _;
use std::io::Write;

use crate::engine::{self, CHUNK, RunConfig};
use crate::error::{Error, Result};
use crate::simulation::Simulation;

/// Writes the header and one row per trial of `names` (which `simulation` must report as
/// outputs) to `out`.
///
/// # Errors
/// [`Error::Io`] if writing fails; [`Error::Model`] naming any var that was NaN or
/// infinite in some trials (the rows are written first, with `NaN`/`inf` where they
/// occur).
pub fn write_csv(simulation: &Simulation<'_>, config: &RunConfig, names: &[&str], out: &mut dyn Write) -> Result<()> {
    let columns: Vec<usize> = names.iter().map(|n| simulation.output_index(n).expect("kept as outputs")).collect();
    let io = |e: std::io::Error| Error::Io { action: "write", path: "samples".into(), source: e };
    writeln!(out, "trial,{}", names.join(",")).map_err(io)?;
    let mut nonfinite = engine::NonFinite::new(simulation.program.vars().len());
    let mut failure = None;
    let program = &simulation.program;
    engine::for_each_chunk(
        program,
        config,
        &config.seeds(program),
        0..config.trials.div_ceil(CHUNK as u64),
        || (),
        |_, view| {
            let mut text = String::with_capacity(view.n * 16 * (columns.len() + 1));
            let first = view.index * CHUNK as u64;
            for row in 0..view.n {
                let _ = write!(text, "{}", first + row as u64);
                for &c in &columns {
                    let _ = write!(text, ",{}", view.output(c)[row]);
                }
                text.push('\n');
            }
            (text, view.index, view.nonfinite().to_vec())
        },
        |(text, index, counts)| {
            nonfinite.add(index, &counts);
            if failure.is_none()
                && let Err(e) = out.write_all(text.as_bytes())
            {
                failure = Some(e);
            }
        },
    )?;
    if let Some(e) = failure {
        return Err(io(e));
    }
    out.flush().map_err(io)?;
    simulation.check_finite(&nonfinite, config, &config.seeds(program))
}
