//! Per-trial values of chosen vars as CSV (trial index first), streamed chunk by chunk in
//! trial order, so memory stays bounded and the file is identical for any thread count.

use std::fmt::Write as _;
use std::io::Write;

use crate::engine::{self, CHUNK, RunConfig};
use crate::error::{Error, Result};
use crate::simulation::Simulation;

/// Writes the header and one row per trial of `names` (which `simulation` must report as
/// outputs; a series var gives one column per period, `name[label]`) to `out`.
///
/// # Errors
/// [`Error::Usage`] for a name that is not an output, before anything is written;
/// [`Error::Io`] if writing fails; [`Error::Model`] naming any var that was NaN or
/// infinite in some trials (the rows are written first, with `NaN`/`inf` where they
/// occur).
pub fn write_csv(simulation: &Simulation<'_>, config: &RunConfig, names: &[&str], out: &mut dyn Write) -> Result<()> {
    write_csv_chunks(simulation, config, names, 0..config.trials.div_ceil(CHUNK as u64), out)
}

/// As [`write_csv`], for the trials of chunks `chunks` only (a shard of the run: see
/// [`crate::engine::shard_chunks`]); the header is written only when they start at
/// chunk 0, so the shards' outputs concatenated in order are [`write_csv`]'s.
///
/// # Errors
/// As [`write_csv`].
pub fn write_csv_chunks(
    simulation: &Simulation<'_>,
    config: &RunConfig,
    names: &[&str],
    chunks: std::ops::Range<u64>,
    out: &mut dyn Write,
) -> Result<()> {
    let mut columns = Vec::new();
    for n in names {
        let found = simulation.output_indices(n);
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "`{n}` is not an output of this simulation; keep it with `Simulation::keeping`"
            )));
        }
        columns.extend(found);
    }
    let io = |e: std::io::Error| Error::Io { action: "write", path: "samples".into(), source: e };
    let header: Vec<String> = columns.iter().map(|&c| simulation.program.output_name(c)).collect();
    if chunks.start == 0 {
        writeln!(out, "trial,{}", header.join(",")).map_err(io)?;
    }
    let mut nonfinite = engine::NonFinite::new(simulation.program.vars().len());
    let program = &simulation.program;
    engine::for_each_chunk(
        program,
        config,
        &config.seeds(program),
        chunks,
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
            out.write_all(text.as_bytes()).map_err(io)
        },
    )?;
    out.flush().map_err(io)?;
    simulation.check_finite(&nonfinite, config, &config.seeds(program))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    /// A sink that fails from its second write on (a full disk, a closed pipe).
    struct Failing {
        writes: usize,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.writes += 1;
            if self.writes > 1 { Err(std::io::Error::from(std::io::ErrorKind::StorageFull)) } else { Ok(buf.len()) }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_stops_the_run_at_once() {
        let model = Model::parse("m.toml", "[model]\nname = \"t\"\n[vars]\na = \"uniform(0, 1)\"\n".into()).unwrap();
        let simulation = Simulation::new(&model).unwrap();
        // 10^12 trials would take hours: only the block under way runs after the failure.
        let config = RunConfig { trials: 1_000_000_000_000, seed: 1, threads: 2 };
        let mut out = Failing { writes: 0 };
        let error = write_csv(&simulation, &config, &["a"], &mut out).unwrap_err();
        assert!(matches!(error, Error::Io { .. }), "{error}");
        assert_eq!(out.writes, 2, "no write after the first failure");
    }

    #[test]
    fn a_var_that_is_not_an_output_is_an_error_before_anything_is_written() {
        let model =
            Model::parse("m.toml", "[model]\nname = \"t\"\n[vars]\na = \"uniform(0, 1)\"\nb = \"a * 2\"\n".into())
                .unwrap();
        let simulation = Simulation::new(&model).unwrap();
        let config = RunConfig { trials: 10, seed: 1, threads: 1 };
        let mut out = Vec::new();
        let error = write_csv(&simulation, &config, &["a"], &mut out).unwrap_err();
        assert!(matches!(&error, Error::Usage(m) if m.contains("`a` is not an output")), "{error}");
        assert!(out.is_empty());
        write_csv(&simulation.keeping(&["a"]).unwrap(), &config, &["a"], &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 11);
    }
}
