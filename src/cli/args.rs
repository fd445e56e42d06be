//! The command line's clap definitions: one argument struct per command, holding only
//! the options that command honours (an option it cannot honour is a clap error), built
//! from small shared groups. The `///` comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

/// costsim: Monte Carlo cost models with honest uncertainty.
#[derive(Debug, Parser)]
#[command(name = "costsim", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Simulate a model and print the summary of each output.
    Run(RunArgs),
    /// Load and validate a model; list its vars, random factors, outputs and scenarios.
    Check(CheckArgs),
    /// Which inputs drive each output's uncertainty: tornado, rank correlation, Sobol
    /// indices, Shapley effects.
    Sensitivity(SensitivityArgs),
    /// Run the base model and its scenarios with common random numbers; one table.
    Compare(CompareArgs),
    /// Write per-trial values of chosen vars as CSV or Parquet (trial index first), streamed.
    Samples(SamplesArgs),
    /// Write a self-contained HTML report with charts (or Markdown with SVG files beside).
    ///
    /// A summary of every output; a section per output with its full statistics (mean and
    /// p1 … p99 with 95% intervals), histogram, CDF and drivers (the analyses `costsim
    /// sensitivity` runs by default); the scenarios, each output's table beside its chart;
    /// and the inputs with their p5/p50/p95, sources and notes.
    Report(ReportArgs),
    /// Merge the partial states of a sharded run (`--shard K/M -o FILE`) into what one
    /// machine would have printed.
    Merge(MergeArgs),
    /// Print a shell completion script, e.g. `costsim completions bash > ~/.local/share/bash-completion/completions/costsim`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `costsim man > ~/.local/share/man/man1/costsim.1`.
    Man,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// How to simulate: the options every simulating command honours.
#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// Number of trials, e.g. 1000000, 1M, 10k or 1e6 [default: the model's `trials`,
    /// else 1M].
    #[arg(long)]
    pub(crate) trials: Option<String>,
    /// Seed for every random stream [default: the model's `seed`, else 1].
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Override a var: VAR=EXPR (repeatable), e.g. --set 'p_h800=30k to 45k'.
    #[arg(long = "set", value_name = "VAR=EXPR")]
    pub(crate) sets: Vec<String>,
    /// Add an output without editing the model: EXPR or NAME=EXPR (repeatable), e.g.
    /// --query 'opex > 944M'.
    #[arg(long = "query", value_name = "EXPR")]
    pub(crate) queries: Vec<String>,
    /// Sampling method for inputs with quantile functions [default: the model's
    /// `sampling`, else mc].
    #[arg(long, value_enum)]
    pub(crate) sampling: Option<SamplingArg>,
    /// Replace an impossible correlation matrix by the nearest valid one, printing how
    /// far each coefficient moved.
    #[arg(long)]
    pub(crate) repair_correlations: bool,
}

/// `--scenario`.
#[derive(Debug, Args)]
pub(crate) struct ScenarioArg {
    /// Apply the scenario [scenarios.NAME] of the model.
    #[arg(long)]
    pub(crate) scenario: Option<String>,
}

/// `-o`.
#[derive(Debug, Args)]
pub(crate) struct OutputArg {
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// `--shard`, for commands whose trials can be split between machines.
#[derive(Debug, Args)]
pub(crate) struct ShardArg {
    /// Run only shard K of M (0-based) of the trials and write its partial state, to be
    /// merged with `costsim merge`; `auto` takes K and M from a Slurm job array
    /// (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT).
    #[arg(long, value_name = "K/M")]
    pub(crate) shard: Option<String>,
}

/// `--max-memory`, for commands that accumulate statistics of every output.
#[derive(Debug, Args)]
pub(crate) struct MemoryArg {
    /// Refuse, before it starts, a run whose memory estimate exceeds SIZE, e.g. 512M or 4G
    /// (powers of 1,024) [default: the memory available].
    #[arg(long, value_name = "SIZE")]
    pub(crate) max_memory: Option<String>,
}

/// `--percentiles`, for commands that report percentiles.
#[derive(Debug, Args)]
pub(crate) struct PercentilesArg {
    /// The percentiles to report, comma-separated, e.g. 50,80,97.5, instead of the
    /// model's `percentiles` [default: 1,5,10,25,50,75,90,95,99].
    #[arg(long, value_name = "P,P,...")]
    pub(crate) percentiles: Option<String>,
}

/// `--quiet`, for commands that show a progress bar.
#[derive(Debug, Args)]
pub(crate) struct QuietArg {
    /// No progress bar (it shows only on a terminal: for a run longer than about a second,
    /// for each phase of an analysis).
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The model file (TOML).
    pub(crate) model: PathBuf,
    #[command(flatten)]
    pub(crate) simulate: SimulateArgs,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArg,
    #[command(flatten)]
    pub(crate) percentiles: PercentilesArg,
    /// Output format [default: as -o FILE's extension says (.json, .csv, .md, .txt), else table].
    #[arg(long, value_enum)]
    pub(crate) format: Option<RunFormat>,
    #[command(flatten)]
    pub(crate) output: OutputArg,
    /// Keep adding trials until the 95% interval of every output's mean and p95 is
    /// within this relative half-width, e.g. 0.5%.
    #[arg(long, value_name = "PERCENT")]
    pub(crate) precision: Option<String>,
    /// Most trials for --precision.
    #[arg(long, default_value = "100M", value_name = "N", requires = "precision")]
    pub(crate) max_trials: String,
    /// Print trials/s and the time spent in each phase on stderr.
    #[arg(long)]
    pub(crate) timings: bool,
    #[command(flatten)]
    pub(crate) shard: ShardArg,
    #[command(flatten)]
    pub(crate) memory: MemoryArg,
    #[command(flatten)]
    pub(crate) quiet: QuietArg,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The model file (TOML).
    pub(crate) model: PathBuf,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArg,
    /// Override a var: VAR=EXPR (repeatable).
    #[arg(long = "set", value_name = "VAR=EXPR")]
    pub(crate) sets: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub(crate) format: CheckFormat,
}

/// Arguments of `sensitivity`.
#[derive(Debug, Args)]
#[command(after_help = "--trials is the base sample N of sobol (default 65,536) and shapley (default 2,097,152; \
the model runs N·(k + 2) and N·(k + 1) times for k inputs), and the trial count of spearman and the conditional \
tornado (default: the model's, at most 200,000 kept).\n\nWith no --method, each output gets what fits it: the \
conditional tornado, spearman and shapley when inputs that feed it are correlated; the swing tornado, spearman and \
sobol when they are independent; the conditional tornado and spearman for a 0/1 output.")]
pub(crate) struct SensitivityArgs {
    /// The model file (TOML).
    pub(crate) model: PathBuf,
    /// An output to explain (repeatable; `name[label]` for one period of a series)
    /// [default: every output with one value per trial].
    #[arg(long = "var", value_name = "OUTPUT")]
    pub(crate) vars: Vec<String>,
    /// Method: tornado, spearman (rank correlation), sobol (variance shares, independent
    /// inputs), shapley (variance shares, correlations respected), or all that fit.
    #[arg(long, value_enum, default_value_t = MethodArg::All)]
    pub(crate) method: MethodArg,
    /// Tornado kind: conditional (output mean in each input's bottom and top decile, one
    /// run, correlations respected) or swing (one at a time, others at their medians)
    /// [default: conditional when inputs are correlated or the output is 0/1, else swing].
    #[arg(long, value_enum, value_name = "KIND")]
    pub(crate) tornado: Option<TornadoArg>,
    /// Tornado percentiles: LOW,HIGH.
    #[arg(long, default_value = "10,90", value_name = "LOW,HIGH")]
    pub(crate) tornado_range: String,
    #[command(flatten)]
    pub(crate) simulate: SimulateArgs,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArg,
    /// Output format [default: as -o FILE's extension says (.json, .md, .txt), else table].
    #[arg(long, value_enum)]
    pub(crate) format: Option<TextFormat>,
    #[command(flatten)]
    pub(crate) output: OutputArg,
    #[command(flatten)]
    pub(crate) shard: ShardArg,
    #[command(flatten)]
    pub(crate) quiet: QuietArg,
}

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The model file (TOML).
    pub(crate) model: PathBuf,
    /// Scenarios to compare with base, comma-separated [default: all].
    #[arg(long, value_name = "A,B,...")]
    pub(crate) scenarios: Option<String>,
    /// An output to compare (repeatable; a series' name for all its periods, `name[label]`
    /// for one) [default: every output].
    #[arg(long = "var", value_name = "OUTPUT")]
    pub(crate) vars: Vec<String>,
    #[command(flatten)]
    pub(crate) simulate: SimulateArgs,
    #[command(flatten)]
    pub(crate) percentiles: PercentilesArg,
    /// Output format [default: as -o FILE's extension says (.json, .md, .txt), else table].
    #[arg(long, value_enum)]
    pub(crate) format: Option<TextFormat>,
    #[command(flatten)]
    pub(crate) output: OutputArg,
    #[command(flatten)]
    pub(crate) shard: ShardArg,
    #[command(flatten)]
    pub(crate) memory: MemoryArg,
    #[command(flatten)]
    pub(crate) quiet: QuietArg,
}

/// Arguments of `samples`.
#[derive(Debug, Args)]
pub(crate) struct SamplesArgs {
    /// The model file (TOML).
    pub(crate) model: PathBuf,
    /// Vars to export, comma-separated [default: the model's outputs].
    #[arg(long, value_name = "A,B,...")]
    pub(crate) vars: Option<String>,
    #[command(flatten)]
    pub(crate) simulate: SimulateArgs,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArg,
    #[command(flatten)]
    pub(crate) output: OutputArg,
    /// Write only shard K of M (0-based) of the trials: a contiguous block of rows. In CSV
    /// the header is in shard 0 only, so the shards' files concatenated in order are the
    /// whole CSV; each Parquet shard is a file of its own trials, and the shards' files read
    /// together are the whole run. `auto` reads a Slurm job array's variables.
    #[arg(long, value_name = "K/M")]
    pub(crate) shard: Option<String>,
    /// File format [default: as -o FILE's extension says (.csv, .parquet), else csv].
    #[arg(long, value_enum)]
    pub(crate) format: Option<SamplesFormat>,
}

/// `samples --format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SamplesFormat {
    /// Comma-separated text, a header row first.
    Csv,
    /// Apache Parquet: typed columns (INT64 trial, DOUBLE values), for pandas, polars,
    /// DuckDB or Spark; binary, so not to a terminal.
    Parquet,
}

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// Partial state files written by `run`, `compare` or `sensitivity` with `--shard K/M -o FILE`.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Output format, as the command that ran the shards takes it [default: as -o FILE's
    /// extension says, else table].
    #[arg(long, value_enum)]
    pub(crate) format: Option<RunFormat>,
    /// Write the merged partial state instead, even if shards are missing (to merge in a
    /// tree: merging partial merges gives the same bytes).
    #[arg(long)]
    pub(crate) partial: bool,
    /// The model file, if it is no longer at the path the shards were given [default:
    /// that path]; it must be the same file (its SHA-256 is checked).
    #[arg(long, value_name = "PATH")]
    pub(crate) model: Option<PathBuf>,
    /// Worker threads for the rare replay of trials [default: all cores].
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    #[command(flatten)]
    pub(crate) output: OutputArg,
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The model file (TOML).
    pub(crate) model: PathBuf,
    #[command(flatten)]
    pub(crate) simulate: SimulateArgs,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArg,
    #[command(flatten)]
    pub(crate) percentiles: PercentilesArg,
    /// html, or markdown with the charts as SVG files beside it (needs -o) [default: as -o
    /// FILE's extension says (.html, .md), else html].
    #[arg(long, value_enum)]
    pub(crate) format: Option<ReportFormat>,
    #[command(flatten)]
    pub(crate) output: OutputArg,
    #[command(flatten)]
    pub(crate) memory: MemoryArg,
    #[command(flatten)]
    pub(crate) quiet: QuietArg,
}

/// `--method` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum MethodArg {
    /// One at a time, low/high percentiles.
    Tornado,
    /// Rank correlation and contribution to variance.
    Spearman,
    /// First-order and total Sobol indices.
    Sobol,
    /// Shapley effects.
    Shapley,
    /// All that fit each output.
    All,
}

/// `--tornado` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TornadoArg {
    /// The output's mean with each input in its bottom and top decile.
    Conditional,
    /// One at a time, the others at their medians.
    Swing,
}

/// `--sampling` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SamplingArg {
    /// Plain Monte Carlo.
    Mc,
    /// Latin hypercube (stratified per chunk of 4,096 trials).
    Lhs,
    /// Randomised quasi-Monte Carlo (Sobol sequence with a random digital shift). Each
    /// input's dimension is its position among these inputs, so adding, removing or
    /// reordering one changes the draws of those declared after it.
    Qmc,
}

/// `run --format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RunFormat {
    /// Aligned text with human units.
    Table,
    /// The JSON contract (docs/json.md).
    Json,
    /// One row per output.
    Csv,
    /// A Markdown table.
    Markdown,
}

/// `check --format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// Aligned text.
    Table,
    /// The JSON contract (docs/json.md).
    Json,
}

/// `sensitivity` and `compare` `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TextFormat {
    /// Aligned text with human units.
    Table,
    /// The JSON contract (docs/json.md).
    Json,
    /// Markdown tables.
    Markdown,
}

/// `report --format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// A self-contained HTML page.
    Html,
    /// Markdown with the charts as SVG files beside it.
    Markdown,
}

/// Each command's `--format` values are some of the report formats, by the same names.
macro_rules! report_formats {
    ($($values:ident { $($format:ident),+ })+) => {$(
        impl From<$values> for Format {
            fn from(format: $values) -> Format {
                match format {
                    $($values::$format => Format::$format,)+
                }
            }
        }
    )+};
}

report_formats! {
    RunFormat { Table, Json, Csv, Markdown }
    CheckFormat { Table, Json }
    TextFormat { Table, Json, Markdown }
    ReportFormat { Html, Markdown }
}
