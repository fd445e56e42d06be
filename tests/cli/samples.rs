//! `samples`: per-trial CSV, streamed, thread-count independent.

use crate::util::{Costsim, model_with};

const VARS: &str = "n = \"poisson(4)\"\nprice = \"10 to 20\"\ncost = \"n * price\"\n";

#[test]
fn csv_has_one_row_per_trial_and_matches_run() {
    let dir = Costsim::new().model(&model_with(VARS)).args(&[
        "samples",
        "model.toml",
        "--vars",
        "n,cost",
        "--trials",
        "10007",
        "-o",
        "s.csv",
    ]);
    dir.run().success();
    let text = std::fs::read_to_string(dir.path("s.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("trial,n,cost"));
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 10007);
    assert!(rows.iter().enumerate().all(|(i, r)| r[0] == i as f64 && r.len() == 3));
    let json = Costsim::new()
        .model(&model_with(VARS))
        .args(&["run", "model.toml", "--trials", "10007", "--format", "json"])
        .run()
        .success()
        .json();
    let mean = rows.iter().map(|r| r[2]).sum::<f64>() / rows.len() as f64;
    let want = json["outputs"]["cost"]["mean"].as_f64().unwrap();
    assert!((mean / want - 1.0).abs() < 1e-12, "{mean} vs {want}");
}

#[test]
fn identical_for_any_thread_count_and_no_file_on_error() {
    let csv = |threads: &str| {
        Costsim::new()
            .model(&model_with(VARS))
            .args(&["samples", "model.toml", "--trials", "9000", "--threads", threads])
            .run()
            .success()
            .stdout
    };
    assert_eq!(csv("1"), csv("3"));
    let dir = Costsim::new().model(&model_with("x = \"normal(0, 1)\"\ny = \"ln(x)\"\n")).args(&[
        "samples",
        "model.toml",
        "--trials",
        "1000",
        "-o",
        "bad.csv",
    ]);
    let stderr = dir.run().failure(2).stderr;
    assert!(stderr.contains("var `y` is NaN or infinite"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path(".")).unwrap().count(), 1, "only the model: no partial or temp file");
}

/// The columns of the Parquet file at `path`: (name, values as f64) in schema order, the
/// file read by arrow-rs' reader.
fn read_parquet(path: &std::path::Path) -> Vec<(String, Vec<f64>)> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(std::fs::File::open(path).expect("the file")).expect("valid Parquet");
    let schema = reader.metadata().file_metadata().schema_descr();
    let mut columns: Vec<(String, Vec<f64>)> =
        schema.columns().iter().map(|c| (c.name().to_string(), Vec::new())).collect();
    for row in reader.get_row_iter(None).expect("rows") {
        for (k, (_, field)) in row.expect("a row").get_column_iter().enumerate() {
            columns[k].1.push(match field {
                Field::Long(x) => *x as f64,
                Field::Double(x) => *x,
                other => panic!("unexpected {other:?}"),
            });
        }
    }
    columns
}

/// The columns of CSV text: (name, values).
fn read_csv(text: &str) -> Vec<(String, Vec<f64>)> {
    let mut lines = text.lines();
    let mut columns: Vec<(String, Vec<f64>)> =
        lines.next().unwrap().split(',').map(|name| (name.to_string(), Vec::new())).collect();
    for line in lines {
        for (k, x) in line.split(',').enumerate() {
            columns[k].1.push(x.parse().unwrap());
        }
    }
    columns
}

#[test]
fn parquet_holds_the_csv_values_bit_for_bit_for_any_thread_count_and_in_shards() {
    // A series gives a column per period, named as in CSV.
    let model = format!(
        "[model]\nname = \"t\"\nperiods = [\"2025\", \"2026\", \"2027\"]\n[vars]\n{VARS}flow = \"cost * 1.03^t\"\n"
    );
    let run = |args: &[&str]| {
        let dir = Costsim::new().model(&model).args(&[&["samples", "model.toml", "--trials", "10007"], args].concat());
        dir.run().success();
        dir
    };
    let csv = run(&["--vars", "n,cost,flow", "-o", "s.csv"]);
    let csv = read_csv(&std::fs::read_to_string(csv.path("s.csv")).unwrap());
    // `-o *.parquet` picks the format.
    let one = run(&["--vars", "n,cost,flow", "-o", "s.parquet", "--threads", "1"]);
    let bytes = std::fs::read(one.path("s.parquet")).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    let parquet = read_parquet(&one.path("s.parquet"));
    assert_eq!(
        parquet.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["trial", "n", "cost", "flow[2025]", "flow[2026]", "flow[2027]"]
    );
    for ((name, mine), (csv_name, theirs)) in parquet.iter().zip(&csv) {
        assert_eq!(name, csv_name);
        assert!(mine.iter().zip(theirs).all(|(a, b)| a.to_bits() == b.to_bits()), "{name}");
        assert_eq!(mine.len(), 10007);
    }
    let three = run(&["--vars", "n,cost,flow", "--format", "parquet", "-o", "t.bin", "--threads", "3"]);
    assert_eq!(std::fs::read(three.path("t.bin")).unwrap(), bytes, "byte-identical with 1 or 3 threads");
    // Shards: each a file of its own trials; read together, the whole run.
    let mut joined: Vec<Vec<f64>> = vec![Vec::new(); parquet.len()];
    for k in 0..3 {
        let shard = run(&["--vars", "n,cost,flow", "--shard", &format!("{k}/3"), "-o", "part.parquet"]);
        for (column, (_, values)) in joined.iter_mut().zip(read_parquet(&shard.path("part.parquet"))) {
            column.extend(values);
        }
    }
    assert!(joined.iter().zip(&parquet).all(|(a, (_, b))| a == b));
}

#[test]
fn an_empty_or_repeated_var_list_is_refused() {
    let dir = Costsim::new().model(&model_with("x = \"normal(0, 1)\"\ny = \"x * 2\"\n"));
    for (vars, message) in
        [("", "`--vars` names nothing"), (" , ", "`--vars` names nothing"), ("x,y,x", "`x` is named twice in `--vars`")]
    {
        let out = Costsim::run_in(&dir, &["samples", "model.toml", "--trials", "10", "--vars", vars]).failure(2);
        assert!(out.stderr.contains(message) && out.stdout.is_empty(), "{vars:?}: {}", out.stderr);
    }
}

#[test]
fn parquet_columns_carry_their_units_as_metadata() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let vars = "n = { value = \"poisson(4)\", unit = \"GPU\" }\nprice = { value = \"10 to 20\", unit = \"USD/GPU\" }\n\
                cost = \"n * price\"\nshare = \"n / 10\"\n";
    let dir = Costsim::new().model(&model_with(vars)).args(&[
        "samples",
        "model.toml",
        "--vars",
        "n,cost,share",
        "--trials",
        "100",
        "-o",
        "s.parquet",
    ]);
    dir.run().success();
    let reader = SerializedFileReader::new(std::fs::File::open(dir.path("s.parquet")).unwrap()).unwrap();
    let metadata = reader.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
    let units: Vec<(String, Option<String>)> = metadata.into_iter().map(|kv| (kv.key, kv.value)).collect();
    // `cost`'s unit is inferred (USD/GPU × GPU); `share` is a GPU count over a plain number.
    assert_eq!(
        units,
        [
            ("costsim.unit.n".to_string(), Some("GPU".to_string())),
            ("costsim.unit.cost".to_string(), Some("USD".to_string())),
            ("costsim.unit.share".to_string(), Some("GPU".to_string())),
        ]
    );
}
