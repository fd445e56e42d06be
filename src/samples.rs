//! Per-trial values of chosen vars, trial index first, streamed chunk by chunk in trial
//! order so that memory stays bounded and the file is identical for any thread count: as
//! CSV, or (with the `parquet` feature, part of `cli`) as an Apache Parquet file of typed
//! columns, which pandas, polars, DuckDB and Spark read directly.

use std::fmt::Write as _;
use std::io::Write;

use crate::engine::{self, CHUNK, NonFinite, RunConfig};
use crate::error::{Error, Result};
use crate::simulation::Simulation;

/// Writes the header and one row per trial of `names` (which `simulation` must report as
/// outputs; a series var gives one column per period, `name[label]`) to `out`.
///
/// # Errors
/// [`Error::Output`] for a name that is not an output, before anything is written;
/// [`Error::Io`] if writing fails; [`Error::Model`] naming any var that was NaN or
/// infinite in some trials (the rows are written first, with `NaN`/`inf` where they
/// occur).
pub fn write_csv(simulation: &Simulation, config: &RunConfig, names: &[&str], out: &mut dyn Write) -> Result<()> {
    write_csv_chunks(simulation, config, names, 0..config.trials.div_ceil(CHUNK as u64), out)
}

/// As [`write_csv`], for the trials of chunks `chunks` only (a shard of the run: see
/// [`crate::engine::shard_chunks`]); the header is written only when they start at
/// chunk 0, so the shards' outputs concatenated in order are [`write_csv`]'s.
///
/// # Errors
/// As [`write_csv`].
pub(crate) fn write_csv_chunks(
    simulation: &Simulation,
    config: &RunConfig,
    names: &[&str],
    chunks: std::ops::Range<u64>,
    out: &mut dyn Write,
) -> Result<()> {
    let columns = columns(simulation, names)?;
    let header: Vec<String> = columns.iter().map(|&c| simulation.program.output_name(c)).collect();
    if chunks.start == 0 {
        writeln!(out, "trial,{}", header.join(",")).map_err(io)?;
    }
    let format = |first: u64, values: &[&[f64]]| {
        let n = values.first().map_or(0, |v| v.len());
        let mut text = String::with_capacity(n * 16 * (values.len() + 1));
        for row in 0..n {
            let _ = write!(text, "{}", first + row as u64);
            for column in values {
                let _ = write!(text, ",{}", column[row]);
            }
            text.push('\n');
        }
        text
    };
    let nonfinite =
        each_chunk(simulation, config, &columns, chunks, format, |text| out.write_all(text.as_bytes()).map_err(io))?;
    out.flush().map_err(io)?;
    simulation.check_finite(&nonfinite, config, &config.seeds(&simulation.program))
}

/// The output columns of `names`.
fn columns(simulation: &Simulation, names: &[&str]) -> Result<Vec<usize>> {
    let mut columns = Vec::new();
    for n in names {
        let found = simulation.output_indices(n);
        if found.is_empty() {
            return Err(Error::Output {
                name: n.to_string(),
                problem: format!("`{n}` is not an output of this simulation; keep it with `Simulation::keeping`"),
            });
        }
        columns.extend(found);
    }
    Ok(columns)
}

/// A write to the samples' destination that failed.
fn io(e: std::io::Error) -> Error {
    Error::Io { action: "write", path: "samples".into(), source: e }
}

/// Runs chunks `chunks`, turning each one's first trial and `columns` into a `T` with
/// `work` (in parallel) and handing the `T`s to `consume` in trial order; returns the
/// non-finite counts, for the caller to check once its output is complete.
fn each_chunk<T: Send>(
    simulation: &Simulation,
    config: &RunConfig,
    columns: &[usize],
    chunks: std::ops::Range<u64>,
    work: impl Fn(u64, &[&[f64]]) -> T + Sync,
    mut consume: impl FnMut(T) -> Result<()>,
) -> Result<NonFinite> {
    let program = &simulation.program;
    let mut nonfinite = NonFinite::new(program.vars().len());
    engine::for_each_chunk(
        program,
        config,
        &config.seeds(program),
        chunks,
        || (),
        |_, view| {
            let values: Vec<&[f64]> = columns.iter().map(|&c| view.output(c)).collect();
            (work(view.index * CHUNK as u64, &values), view.index, view.nonfinite().to_vec())
        },
        |(t, index, counts)| {
            nonfinite.add(index, &counts);
            consume(t)
        },
    )?;
    Ok(nonfinite)
}

/// Bytes of values a Parquet row group buffers before it is written.
#[cfg(feature = "parquet")]
const ROW_GROUP_BYTES: usize = 64 << 20;

/// Writes the trials of chunks `chunks` as a Parquet file: a required INT64 column
/// `trial`, then a required DOUBLE column per output of `names` (named as in CSV), plain
/// encoded and uncompressed, in row groups of whole chunks of at most about 64 MiB. A
/// shard's file holds its own trials; read the shards' files together as one dataset.
///
/// # Errors
/// As [`write_csv`].
#[cfg(feature = "parquet")]
pub fn write_parquet_chunks(
    simulation: &Simulation,
    config: &RunConfig,
    names: &[&str],
    chunks: std::ops::Range<u64>,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    write_parquet_groups(simulation, config, names, chunks, out, ROW_GROUP_BYTES)
}

/// As [`write_parquet_chunks`], with row groups of at most about `group_bytes` (at least
/// a chunk).
#[cfg(feature = "parquet")]
fn write_parquet_groups(
    simulation: &Simulation,
    config: &RunConfig,
    names: &[&str],
    chunks: std::ops::Range<u64>,
    out: &mut (dyn Write + Send),
    group_bytes: usize,
) -> Result<()> {
    use std::sync::Arc;

    use parquet::basic::{Repetition, Type as Physical};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;

    let columns = columns(simulation, names)?;
    let field = |name: &str, physical| {
        Type::primitive_type_builder(name, physical).with_repetition(Repetition::REQUIRED).build().map(Arc::new)
    };
    let mut fields = vec![field("trial", Physical::INT64).map_err(parquet_error)?];
    for &c in &columns {
        fields.push(field(&simulation.program.output_name(c), Physical::DOUBLE).map_err(parquet_error)?);
    }
    let schema = Type::group_type_builder("samples").with_fields(fields).build().map_err(parquet_error)?;
    // Each column's unit, as key-value metadata `costsim.unit.NAME` (none for a plain
    // number).
    let units: Vec<parquet::file::metadata::KeyValue> = columns
        .iter()
        .filter_map(|&c| {
            let unit = simulation.program.output_unit(c)?;
            let key = format!("costsim.unit.{}", simulation.program.output_name(c));
            Some(parquet::file::metadata::KeyValue::new(key, unit.to_string()))
        })
        .collect();
    let properties = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_created_by(format!("costsim {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata((!units.is_empty()).then_some(units))
        .build();
    let mut writer = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(properties)).map_err(parquet_error)?;
    let group_rows = (group_bytes / (8 * (columns.len() + 1)) / CHUNK).max(1) * CHUNK;
    let mut group = RowGroup { trials: Vec::new(), values: vec![Vec::new(); columns.len()] };
    let copy = |first: u64, values: &[&[f64]]| (first, values.iter().map(|v| v.to_vec()).collect::<Vec<_>>());
    let nonfinite = each_chunk(simulation, config, &columns, chunks, copy, |(first, values)| {
        group.push(first, values);
        match group.trials.len() >= group_rows {
            true => group.write(&mut writer),
            false => Ok(()),
        }
    })?;
    if !group.trials.is_empty() {
        group.write(&mut writer)?;
    }
    writer.close().map_err(parquet_error)?;
    simulation.check_finite(&nonfinite, config, &config.seeds(&simulation.program))
}

/// The rows of a Parquet row group not yet written: trial indices and each column's values.
#[cfg(feature = "parquet")]
struct RowGroup {
    trials: Vec<i64>,
    values: Vec<Vec<f64>>,
}

#[cfg(feature = "parquet")]
impl RowGroup {
    /// Appends a chunk whose first trial is `first`.
    fn push(&mut self, first: u64, values: Vec<Vec<f64>>) {
        let n = values.first().map_or(0, Vec::len) as u64;
        self.trials.extend((first..first + n).map(|t| t as i64));
        for (mine, theirs) in self.values.iter_mut().zip(values) {
            mine.extend(theirs);
        }
    }

    /// Writes the rows as one row group and empties them.
    fn write<W: Write + Send>(&mut self, writer: &mut parquet::file::writer::SerializedFileWriter<W>) -> Result<()> {
        use parquet::data_type::{DoubleType, Int64Type};
        let mut group = writer.next_row_group().map_err(parquet_error)?;
        for i in 0..=self.values.len() {
            let Some(mut column) = group.next_column().map_err(parquet_error)? else {
                return Err(parquet_error(parquet::errors::ParquetError::General("a column per field".into())));
            };
            match i {
                0 => column.typed::<Int64Type>().write_batch(&self.trials, None, None),
                _ => column.typed::<DoubleType>().write_batch(&self.values[i - 1], None, None),
            }
            .map_err(parquet_error)?;
            column.close().map_err(parquet_error)?;
        }
        group.close().map_err(parquet_error)?;
        self.trials.clear();
        self.values.iter_mut().for_each(Vec::clear);
        Ok(())
    }
}

/// A Parquet failure as a write error: the I/O error under it when there is one (a full
/// disk, a closed pipe), else one that says what went wrong.
#[cfg(feature = "parquet")]
fn parquet_error(e: impl Into<parquet::errors::ParquetError>) -> Error {
    match e.into() {
        parquet::errors::ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(e) => io(*e),
            Err(other) => io(std::io::Error::other(other)),
        },
        other => io(std::io::Error::other(other)),
    }
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
        let simulation = Simulation::new(model.clone()).unwrap();
        // 10^12 trials would take hours: only the block under way runs after the failure.
        let config = RunConfig { trials: 1_000_000_000_000, seed: 1, threads: 2 };
        let mut out = Failing { writes: 0 };
        let error = write_csv(&simulation, &config, &["a"], &mut out).unwrap_err();
        assert!(matches!(error, Error::Io { .. }), "{error}");
        assert_eq!(out.writes, 2, "no write after the first failure");
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_row_groups_split_at_whole_chunks_and_hold_every_trial() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let model = Model::parse("m.toml", "[model]\nname = \"t\"\n[vars]\na = \"normal(0, 1)\"\n".into()).unwrap();
        let simulation = Simulation::new(model.clone()).unwrap();
        let config = RunConfig { trials: 10_000, seed: 1, threads: 2 };
        let mut file = tempfile::tempfile().unwrap();
        write_parquet_groups(&simulation, &config, &["a"], 0..3, &mut file, 1).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let groups: Vec<i64> = reader.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, [4096, 4096, 1808]);
        let mut csv = Vec::new();
        write_csv(&simulation, &config, &["a"], &mut csv).unwrap();
        let want: Vec<f64> = String::from_utf8(csv)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        let got: Vec<f64> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| parquet::record::RowAccessor::get_double(&row.unwrap(), 1).unwrap())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_var_that_is_not_an_output_is_an_error_before_anything_is_written() {
        let model =
            Model::parse("m.toml", "[model]\nname = \"t\"\n[vars]\na = \"uniform(0, 1)\"\nb = \"a * 2\"\n".into())
                .unwrap();
        let simulation = Simulation::new(model.clone()).unwrap();
        let config = RunConfig { trials: 10, seed: 1, threads: 1 };
        let mut out = Vec::new();
        let error = write_csv(&simulation, &config, &["a"], &mut out).unwrap_err();
        assert!(matches!(&error, Error::Output { name, .. } if name == "a"), "{error}");
        assert!(error.to_string().contains("`a` is not an output"), "{error}");
        assert!(out.is_empty());
        write_csv(&simulation.keeping(&["a"]).unwrap(), &config, &["a"], &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 11);
    }
}
