//! The command line: clap definitions, dispatch and exit statuses. The only module that
//! knows about arguments, stdout/stderr and exit codes.

mod config;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::RunConfig;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::{Format, OutputRow, RunMeta, RunReport};
use crate::simulation::Simulation;
use config::RunSetup;

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
    /// Randomised quasi-Monte Carlo (Sobol sequence with a random digital shift).
    Qmc,
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Aligned text with human units.
    Table,
    /// The JSON contract (design.md §3).
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
        Command::Run(args) => run(&args),
        Command::Check(args) => check(&args),
        Command::Sensitivity(args) => sensitivity(&args),
        Command::Compare(args) => compare(&args),
        Command::Samples(args) => samples(&args),
        Command::Report(args) => report(&args),
    }
}

fn run(args: &RunArgs) -> Result<()> {
    let start = Instant::now();
    let setup = RunSetup::new(&args.model, &args.common)?;
    let simulation = Simulation::new(&setup.model)?;
    print_repairs(&simulation);
    let compiled = Instant::now();
    let (simulated, precision) = match &setup.precision {
        Some(p) => {
            let (simulated, met) = simulation.simulate_to_precision(&setup.config, p)?;
            (simulated, Some(crate::report::PrecisionOutcome { target: p.target, met }))
        }
        None => (simulate_with_progress(&simulation, &setup.config, args.common.quiet)?, None),
    };
    let config = RunConfig { trials: simulated.trials(), ..setup.config };
    let correlations = simulation.achieved_correlations(&config)?;
    let sampled = Instant::now();
    let summaries = simulated.summaries();
    let file = args.model.display().to_string();
    let mut report = run_report(&setup, &simulation, &summaries, &file);
    report.meta.trials = config.trials;
    report.correlations = &correlations;
    report.precision = precision;
    let bytes = report.render(args.common.format.run_format()?);
    let summarised = Instant::now();
    crate::output::write(args.common.output.as_deref(), &bytes)?;
    if args.common.timings {
        let phases = [
            ("load + compile", compiled - start),
            ("sampling + evaluation", sampled - compiled),
            ("merge + summary", summarised - sampled),
        ];
        eprint!("{}", timings(setup.config.trials, &phases));
    }
    Ok(())
}

/// Trials per progress step: whole chunks, so stepping gives the same result as one run.
const PROGRESS_STEP: u64 = 256 * crate::engine::CHUNK as u64;

/// Runs the simulation in steps, showing a progress bar with ETA on stderr when it is a
/// terminal, `quiet` is off and the run looks longer than about a second.
fn simulate_with_progress(
    simulation: &Simulation<'_>,
    config: &RunConfig,
    quiet: bool,
) -> Result<crate::engine::Simulated> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() || config.trials <= PROGRESS_STEP {
        return simulation.simulate(config);
    }
    let start = Instant::now();
    let mut simulated = crate::engine::Simulated::new(&simulation.program);
    let mut bar: Option<indicatif::ProgressBar> = None;
    while simulated.trials() < config.trials {
        let next = (simulated.trials() + PROGRESS_STEP).min(config.trials);
        simulated.extend(&simulation.program, config, next);
        let elapsed = start.elapsed().as_secs_f64();
        if bar.is_none() && elapsed * config.trials as f64 / next as f64 > 1.0 {
            let style = indicatif::ProgressStyle::with_template(
                "{bar:40} {percent:>3}% {human_pos}/{human_len} trials, ETA {eta}",
            )
            .expect("valid template");
            bar = Some(indicatif::ProgressBar::new(config.trials).with_style(style));
        }
        if let Some(bar) = &bar {
            bar.set_position(next);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    simulation.check_finite(&simulated.nonfinite, config.trials)?;
    Ok(simulated)
}

/// The `--timings` text: throughput, then each phase.
fn timings(trials: u64, phases: &[(&str, Duration)]) -> String {
    let total: Duration = phases.iter().map(|(_, d)| *d).sum();
    let rate = trials as f64 / total.as_secs_f64();
    let mut out = format!(
        "timings: {trials} trials in {:.3} s ({} trials/s)\n",
        total.as_secs_f64(),
        crate::report::human::number(rate, None)
    );
    for (name, d) in phases {
        out.push_str(&format!("  {name:<22} {:>10.3} ms\n", d.as_secs_f64() * 1e3));
    }
    out
}

fn run_report<'a>(
    setup: &'a RunSetup,
    simulation: &'a Simulation<'_>,
    summaries: &'a [crate::stats::Summary],
    file: &'a str,
) -> RunReport<'a> {
    let program = &simulation.program;
    let outputs = program
        .outputs()
        .iter()
        .zip(summaries)
        .map(|(o, summary)| {
            let var = &program.vars()[o.var as usize];
            OutputRow { name: &var.name, unit: var.unit.as_deref(), boolean: o.boolean, summary }
        })
        .collect();
    let meta = RunMeta {
        model_name: &setup.model.meta.name,
        file,
        sha256: &setup.model.sha256,
        scenario: setup.scenario.as_deref(),
        seed: setup.config.seed,
        trials: setup.config.trials,
        sampling: simulation.program.sampling().name(),
    };
    RunReport { meta, outputs, correlations: &[], precision: None }
}

fn report(args: &ReportArgs) -> Result<()> {
    use crate::report::html::{Assumption, HtmlReport};
    let format = args.common.format;
    if !matches!(format, FormatArg::Table | FormatArg::Html | FormatArg::Markdown) {
        return Err(Error::Usage("report writes html (the default) or markdown".into()));
    }
    let setup = RunSetup::new(&args.model, &args.common)?;
    let simulation = Simulation::new(&setup.model)?;
    let summaries = simulation.run(&setup.config)?;
    let correlations = simulation.achieved_correlations(&setup.config)?;
    let file = args.model.display().to_string();
    let mut run = run_report(&setup, &simulation, &summaries, &file);
    run.correlations = &correlations;
    let mut tornadoes = Vec::new();
    for o in run.outputs.iter().filter(|o| !o.boolean) {
        let config = crate::sensitivity::SensitivityConfig {
            output: o.name.to_string(),
            methods: vec![crate::sensitivity::Method::Tornado],
            trials: None,
            default_trials: setup.config.trials,
            seed: setup.config.seed,
            threads: setup.config.threads,
            tornado_range: (0.1, 0.9),
        };
        if let Some(crate::sensitivity::Analysis::Tornado(t)) =
            crate::sensitivity::analyse(&setup.model, &config)?.pop()
        {
            tornadoes.push((o.name, t));
        }
    }
    let mut scenarios = Vec::new();
    if setup.scenario.is_none() {
        for s in &setup.loaded.scenarios {
            let model = setup.variant(Some(&s.name.name))?;
            scenarios.push((s.name.name.as_str(), Simulation::new(&model)?.run(&setup.config)?));
        }
    }
    let assumptions = setup
        .model
        .vars
        .iter()
        .map(|v| Assumption {
            name: &v.name.name,
            expression: &v.text,
            unit: v.unit.as_deref(),
            source: v.source.as_deref(),
            note: v.note.as_deref(),
        })
        .collect();
    let command = std::iter::once("costsim".to_string()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" ");
    let report =
        HtmlReport { run, description: &setup.model.meta.description, assumptions, tornadoes, scenarios, command };
    if format != FormatArg::Markdown {
        return crate::output::write(args.common.output.as_deref(), report.html().as_bytes());
    }
    let Some(path) = args.common.output.as_deref() else {
        return Err(Error::Usage(
            "report --format markdown needs -o FILE.md: the charts are written as SVG files beside it".into(),
        ));
    };
    let stem = path.file_stem().map_or("report".into(), |s| s.to_string_lossy().to_string());
    let (markdown, charts) = report.markdown(&stem);
    for (name, svg) in &charts {
        crate::output::write(Some(&path.with_file_name(name)), svg.as_bytes())?;
    }
    crate::output::write(Some(path), markdown.as_bytes())
}

fn samples(args: &SamplesArgs) -> Result<()> {
    let setup = RunSetup::new(&args.model, &args.common)?;
    let default = Simulation::new(&setup.model)?;
    let names: Vec<String> = match &args.vars {
        Some(list) => list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        None => default.program.outputs().iter().map(|o| default.program.vars()[o.var as usize].name.clone()).collect(),
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let simulation = Simulation::keeping(&setup.model, &names)?;
    crate::output::stream(args.common.output.as_deref(), |out| {
        crate::samples::write_csv(&simulation, &setup.config, &names, out)
    })
}

fn compare(args: &CompareArgs) -> Result<()> {
    if args.common.scenario.is_some() {
        return Err(Error::Usage("compare takes --scenarios A,B (plural); --scenario is for run".into()));
    }
    let setup = RunSetup::new(&args.model, &args.common)?;
    let names: Vec<String> = match &args.scenarios {
        Some(list) => list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        None => setup.loaded.scenarios.iter().map(|s| s.name.name.clone()).collect(),
    };
    if names.is_empty() {
        return Err(Error::Usage("the model defines no scenarios to compare; add [scenarios.NAME] tables".into()));
    }
    let models: Vec<Model> = names.iter().map(|n| setup.variant(Some(n))).collect::<Result<_>>()?;
    let base = Simulation::new(&setup.model)?;
    let simulations: Vec<Simulation<'_>> = models.iter().map(Simulation::new).collect::<Result<_>>()?;
    let mut summaries = vec![base.run(&setup.config)?];
    let mut differences = Vec::new();
    for simulation in &simulations {
        summaries.push(simulation.run(&setup.config)?);
        differences.push(crate::engine::simulate_difference(&base.program, &simulation.program, &setup.config));
    }
    let file = args.model.display().to_string();
    let mut runs = Vec::new();
    for (i, simulation) in std::iter::once(&base).chain(&simulations).enumerate() {
        let mut report = run_report(&setup, simulation, &summaries[i], &file);
        report.meta.scenario = if i == 0 { None } else { Some(names[i - 1].as_str()) };
        runs.push(report);
    }
    let difference_summaries: Vec<Vec<crate::stats::Summary>> = differences.iter().map(|d| d.summaries()).collect();
    let mut rows = Vec::new();
    for (k, name) in names.iter().enumerate() {
        for (i, output) in runs[0].outputs.iter().enumerate() {
            let p_greater = differences[k].positive[i] as f64 / setup.config.trials as f64;
            rows.push(crate::report::compare::Difference {
                scenario: name,
                output: output.name,
                summary: &difference_summaries[k][i],
                p_greater,
            });
        }
    }
    let report = crate::report::compare::CompareReport { runs, differences: rows };
    let bytes = match args.common.format {
        FormatArg::Table => report.table().into_bytes(),
        FormatArg::Json => report.json(),
        FormatArg::Markdown => report.markdown().into_bytes(),
        FormatArg::Csv | FormatArg::Html => {
            return Err(Error::Usage("compare has no CSV or HTML format; use table, json or markdown".into()));
        }
    };
    crate::output::write(args.common.output.as_deref(), &bytes)
}

/// Tells the user, on stderr, how far `--repair-correlations` moved each coefficient.
fn print_repairs(simulation: &Simulation<'_>) {
    let Some(matrix) = simulation.program.correlation() else { return };
    if matrix.repairs.is_empty() {
        return;
    }
    eprintln!("warning: the correlation matrix was not positive semi-definite; repaired to the nearest valid one:");
    for r in &matrix.repairs {
        eprintln!(
            "  {} – {}: requested {:+.3}, used {:+.3} (moved {:+.3})",
            r.pair[0],
            r.pair[1],
            r.requested,
            r.used,
            r.used - r.requested
        );
    }
}

fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    use crate::sensitivity::{self, Method, SensitivityConfig};
    let setup = RunSetup::new(&args.model, &args.common)?;
    let methods = match args.method {
        MethodArg::Tornado => vec![Method::Tornado],
        MethodArg::Spearman => vec![Method::Spearman],
        MethodArg::Sobol => vec![Method::Sobol],
        MethodArg::All => vec![Method::Tornado, Method::Spearman, Method::Sobol],
    };
    let config = SensitivityConfig {
        output: args.var.clone(),
        methods,
        trials: args.common.trials.as_ref().map(|_| setup.config.trials),
        default_trials: setup.config.trials,
        seed: setup.config.seed,
        threads: setup.config.threads,
        tornado_range: parse_range(&args.tornado_range)?,
    };
    let analyses = sensitivity::analyse(&setup.model, &config)?;
    let simulation = Simulation::keeping(&setup.model, &[args.var.as_str()])?;
    let file = args.model.display().to_string();
    let report = crate::report::sensitivity::SensitivityReport {
        model_name: &setup.model.meta.name,
        file: &file,
        sha256: &setup.model.sha256,
        seed: setup.config.seed,
        output: &args.var,
        unit: setup.model.var(&args.var).and_then(|v| v.unit.as_deref()),
        analyses: &analyses,
        warnings: sensitivity::common_warnings(&setup.model, simulation.factor_names().len()),
    };
    let bytes = match args.common.format {
        FormatArg::Table => report.table().into_bytes(),
        FormatArg::Json => report.json(),
        FormatArg::Markdown => crate::report::sensitivity::markdown(&report).into_bytes(),
        FormatArg::Csv | FormatArg::Html => {
            return Err(Error::Usage("sensitivity has no CSV or HTML format; use table, json or markdown".into()));
        }
    };
    crate::output::write(args.common.output.as_deref(), &bytes)
}

/// Parses `--tornado-range LOW,HIGH` (percent) into fractions.
fn parse_range(text: &str) -> Result<(f64, f64)> {
    let bad = || {
        Error::Usage(format!(
            "`--tornado-range {text}` must be two percentiles LOW,HIGH with 0 < LOW < HIGH < 100, e.g. 10,90"
        ))
    };
    let (lo, hi) = text.split_once(',').ok_or_else(bad)?;
    let (lo, hi): (f64, f64) = (lo.trim().parse().map_err(|_| bad())?, hi.trim().parse().map_err(|_| bad())?);
    if 0.0 < lo && lo < hi && hi < 100.0 { Ok((lo / 100.0, hi / 100.0)) } else { Err(bad()) }
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
    crate::output::write(None, config::describe(&model, &simulation.program).as_bytes())
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
