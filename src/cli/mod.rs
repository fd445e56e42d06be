//! The command line: clap definitions, dispatch and exit statuses. The only module that
//! knows about arguments, stdout/stderr and exit codes.

mod analyse;
mod config;
mod export;
mod run;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::Format;
use crate::simulation::Simulation;

/// costsim: Monte Carlo cost models with honest uncertainty.
#[derive(Debug, Parser)]
#[command(name = "costsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a model and print the summary of each output.
    Run(RunArgs),
    /// Load and validate a model; list its vars, random factors, outputs and scenarios.
    Check(CheckArgs),
    /// Which inputs drive an output's uncertainty: tornado, rank correlation, Sobol indices.
    Sensitivity(SensitivityArgs),
    /// Run the base model and its scenarios with common random numbers; one table.
    Compare(CompareArgs),
    /// Write per-trial values of chosen vars as CSV (trial index first), streamed.
    Samples(SamplesArgs),
    /// Write a self-contained HTML report with charts (or Markdown with SVG files beside).
    Report(ReportArgs),
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The model file (TOML).
    pub model: PathBuf,
    /// Options shared by the simulating commands. --format html (the default for
    /// report) or markdown; markdown needs -o, and writes the charts as SVG files beside it.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `samples`.
#[derive(Debug, Args)]
pub struct SamplesArgs {
    /// The model file (TOML).
    pub model: PathBuf,
    /// Vars to export, comma-separated [default: the model's outputs].
    #[arg(long, value_name = "A,B,...")]
    pub vars: Option<String>,
    /// Options shared by the simulating commands (--format does not apply: always CSV).
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The model file (TOML).
    pub model: PathBuf,
    /// Scenarios to compare with base, comma-separated [default: all].
    #[arg(long, value_name = "A,B,...")]
    pub scenarios: Option<String>,
    /// Options shared by the simulating commands.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The model file (TOML).
    pub model: PathBuf,
    /// The output var to explain.
    #[arg(long = "var", value_name = "OUTPUT")]
    pub var: String,
    /// Method: tornado (one at a time), spearman (rank correlation), sobol (variance
    /// shares), or all three.
    #[arg(long, value_enum, default_value_t = MethodArg::All)]
    pub method: MethodArg,
    /// Tornado percentiles: LOW,HIGH.
    #[arg(long, default_value = "10,90", value_name = "LOW,HIGH")]
    pub tornado_range: String,
    /// Options shared by the simulating commands. For sensitivity, --trials is the Sobol
    /// base sample N (default 65,536) and the trial count of tornado and spearman
    /// (default: the model's, at most 200,000 kept).
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `--method` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// One at a time, low/high percentiles.
    Tornado,
    /// Rank correlation and contribution to variance.
    Spearman,
    /// First-order and total Sobol indices.
    Sobol,
    /// All three.
    All,
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The model file (TOML).
    pub model: PathBuf,
    /// Options shared by the simulating commands.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The model file (TOML).
    pub model: PathBuf,
    /// Apply this scenario before checking.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Override a var: VAR=EXPR (repeatable).
    #[arg(long = "set", value_name = "VAR=EXPR")]
    pub sets: Vec<String>,
}

/// Options shared by the simulating commands.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Number of trials, e.g. 1000000, 1M or 1e6 [default: the model's `trials`, else 1M].
    #[arg(long)]
    pub trials: Option<String>,
    /// Seed for every random stream [default: the model's `seed`, else 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Apply the scenario [scenarios.NAME] of the model.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Override a var: VAR=EXPR (repeatable), e.g. --set 'p_h800=30k to 45k'.
    #[arg(long = "set", value_name = "VAR=EXPR")]
    pub sets: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print trials/s and the time spent in each phase on stderr.
    #[arg(long)]
    pub timings: bool,
    /// Sampling method for inputs with quantile functions [default: the model's
    /// `sampling`, else mc].
    #[arg(long, value_enum)]
    pub sampling: Option<SamplingArg>,
    /// Replace an impossible correlation matrix by the nearest valid one, printing how
    /// far each coefficient moved.
    #[arg(long)]
    pub repair_correlations: bool,
    /// Keep adding trials until the 95% interval of every output's mean and p95 is
    /// within this relative half-width, e.g. 0.5%.
    #[arg(long, value_name = "PERCENT")]
    pub precision: Option<String>,
    /// Most trials for --precision.
    #[arg(long, default_value = "100M", value_name = "N")]
    pub max_trials: String,
    /// No progress bar (it shows only on a terminal, for runs longer than about a second).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `--sampling` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SamplingArg {
    /// Plain Monte Carlo.
    Mc,
    /// Latin hypercube (stratified per chunk of 4,096 trials).
    Lhs,
    /// Randomised quasi-Monte Carlo (Sobol sequence with a random digital shift). Each
    /// input's dimension is its position among these inputs, so adding, removing or
    /// reordering one changes the draws of those declared after it.
    Qmc,
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Aligned text with human units.
    Table,
    /// The JSON contract (docs/json.md).
    Json,
    /// One row per output.
    Csv,
    /// A Markdown table.
    Markdown,
    /// A self-contained HTML page (report only).
    Html,
}

impl FormatArg {
    /// The run format, or a usage error for formats `run` does not have.
    fn run_format(self) -> Result<Format> {
        Ok(match self {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Html => {
                return Err(Error::Usage("run has no HTML format; use `costsim report MODEL -o report.html`".into()));
            }
        })
    }
}

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprint!("{e}");
            if !e.to_string().ends_with('\n') {
                eprintln!();
            }
            e.exit_code()
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check(args) => check(&args),
        Command::Sensitivity(args) => analyse::sensitivity(&args),
        Command::Compare(args) => analyse::compare(&args),
        Command::Samples(args) => export::samples(&args),
        Command::Report(args) => export::report(&args),
    }
}

fn check(args: &CheckArgs) -> Result<()> {
    let base = Model::load(&args.model)?;
    for scenario in &base.scenarios {
        Simulation::new(&base.with_scenario(&scenario.name.name)?)?;
    }
    let model = match &args.scenario {
        Some(name) => base.with_scenario(name)?,
        None => base.clone(),
    };
    let model = model.with_overrides(&args.sets)?;
    let simulation = Simulation::new(&model)?;
    let description = crate::study::describe(&model, &simulation);
    crate::output::write(None, crate::report::describe::text(&description).as_bytes())
}

/// The items of a comma-separated option (`--scenarios a,b`, `--vars x,y`), trimmed.
fn split_list(list: &str) -> Vec<String> {
    list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Parses `--trials`: a whole number ≥ 1, with the model language's suffixes (1M, 1e6).
fn parse_trials(text: &str) -> Result<u64> {
    let bad = || Error::Usage(format!("`--trials {text}` must be a whole number ≥ 1, e.g. 1000000, 1M or 1e6"));
    let expr = crate::expr::parse(text).map_err(|_| bad())?;
    match expr.kind {
        crate::expr::ExprKind::Num(v) if v >= 1.0 && v.fract() == 0.0 && v <= 1e15 => Ok(v as u64),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn trials_accept_suffixes_and_reject_fractions() {
        assert_eq!(parse_trials("1M").unwrap(), 1_000_000);
        assert_eq!(parse_trials("1e6").unwrap(), 1_000_000);
        assert_eq!(parse_trials("10_000").unwrap(), 10_000);
        assert!(parse_trials("0").is_err());
        assert!(parse_trials("1.5").is_err());
        assert!(parse_trials("lots").is_err());
    }
}
