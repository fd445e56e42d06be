//! `run`: simulate and print each output's summary, with progress and timings.

use std::time::{Duration, Instant};

use super::RunArgs;
use super::config::RunSetup;
use crate::engine::RunConfig;
use crate::error::Result;
use crate::report::{OutputRow, RunMeta, RunReport};
use crate::simulation::Simulation;

pub(super) fn run(args: &RunArgs) -> Result<()> {
    let start = Instant::now();
    let setup = RunSetup::new(&args.model, &args.common)?;
    let simulation = setup.compile(&setup.model)?;
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
pub(super) fn simulate_with_progress(
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
    simulation.check_finite(&simulated.nonfinite, config, &config.seeds(&simulation.program))?;
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

pub(super) fn run_report<'a>(
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

/// Tells the user, on stderr, how far `--repair-correlations` moved each coefficient.
pub(super) fn print_repairs(simulation: &Simulation<'_>) {
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
