//! `run`: simulate and print each output's summary, with progress and timings.

use std::time::{Duration, Instant};

use super::args::{RunArgs, RunFormat};
use super::config::{parse_precision, scope, setup};
use super::memory::MemoryLimit;
use crate::error::Result;
use crate::report::{Provenance, Render, RunReport};
use crate::study::{self, Outcome, Simulation, Step};

/// Runs `args`; returns false if a `--precision` target was not met (which is said on
/// stderr too, whatever the format).
pub(super) fn run(args: &RunArgs) -> Result<bool> {
    let start = Instant::now();
    let target = super::output::Target::new(args.output.output.as_deref(), &[&args.model])?;
    let setup = setup(&args.model, &args.simulate, args.scenario.scenario.as_deref(), Some(&args.percentiles))?;
    let precision = match &args.precision {
        Some(text) => Some(parse_precision(text, &args.max_trials)?),
        None => None,
    };
    let (scope, format) =
        scope(args.shard.shard.as_deref(), args.format, args.output.output.as_deref(), RunFormat::Table)?;
    let simulation = setup.simulation()?;
    print_repairs(&simulation);
    MemoryLimit::new(args.memory.max_memory.as_deref())?.check(study::run_estimate(
        &setup,
        &simulation,
        precision.as_ref(),
    ))?;
    let compiled = Instant::now();
    let mut progress = Progress::new(setup.config.trials, args.quiet.quiet);
    let result = match study::run(&setup, &simulation, scope, precision.as_ref(), &mut |n| progress.step(n))? {
        Outcome::Done(result) => result,
        Outcome::Shard(state) => return target.write(&state).map(|()| true),
    };
    progress.finish();
    let sampled = Instant::now();
    let report = RunReport::new(Provenance::new(&setup, &simulation), &result);
    let bytes = report.render(format.into())?.text;
    let summarised = Instant::now();
    target.write(&bytes)?;
    if args.timings {
        let phases = [
            ("load + compile", compiled - start),
            ("sampling + evaluation", sampled - compiled),
            ("summary + rendering", summarised - sampled),
        ];
        eprint!("{}", timings(result.trials, &phases));
    }
    match &result.precision {
        Some(p) if !p.met() => {
            // A table on the terminal says it already; JSON, CSV or a file need the word.
            if format != RunFormat::Table || args.output.output.is_some() {
                let text = crate::report::precision_text(p, result.trials);
                eprint!("warning: {}", crate::diagnostic::printable(text.trim_start()));
            }
            Ok(false)
        }
        _ => Ok(true),
    }
}

/// A progress bar with ETA on stderr, shown only when it is a terminal, `quiet` is off
/// and the run looks longer than about a second.
pub(super) struct Progress {
    start: Instant,
    total: u64,
    enabled: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub(super) fn new(total: u64, quiet: bool) -> Progress {
        use std::io::IsTerminal;
        Progress { start: Instant::now(), total, enabled: !quiet && std::io::stderr().is_terminal(), bar: None }
    }

    /// `done` trials are done.
    pub(super) fn step(&mut self, done: u64) {
        if !self.enabled || done >= self.total {
            return;
        }
        if self.bar.is_none() && self.start.elapsed().as_secs_f64() * self.total as f64 / done as f64 > 1.0 {
            let style =
                indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {human_pos}/{human_len} trials{msg}")
                    .expect("valid template");
            self.bar = Some(indicatif::ProgressBar::new(self.total).with_style(style));
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            bar.set_message(eta(self.start, done, self.total).map_or(String::new(), |eta| format!(", {eta}")));
        }
    }

    pub(super) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A progress bar per phase of an analysis (`capex: sobol`), each with its own ETA from
/// its own pace, on stderr: shown only when it is a terminal and `quiet` is off.
pub(super) struct Steps {
    enabled: bool,
    current: Option<(String, Instant, indicatif::ProgressBar)>,
}

impl Steps {
    pub(super) fn new(quiet: bool) -> Steps {
        use std::io::IsTerminal;
        Steps { enabled: !quiet && std::io::stderr().is_terminal(), current: None }
    }

    /// The analysis has got to `step`.
    pub(super) fn step(&mut self, step: Step<'_>) {
        if !self.enabled {
            return;
        }
        let phase = crate::diagnostic::printable_line(&format!("{}: {}", step.output, step.method));
        if self.current.as_ref().is_none_or(|(p, ..)| *p != phase) {
            self.clear();
            let style = indicatif::ProgressStyle::with_template("{prefix} {bar:30} {percent:>3}% {msg}")
                .expect("valid template");
            let bar = indicatif::ProgressBar::new(step.total.max(1)).with_style(style).with_prefix(phase.clone());
            self.current = Some((phase, Instant::now(), bar));
        }
        let Some((_, start, bar)) = &self.current else { return };
        bar.set_position(step.done);
        bar.set_message(eta(*start, step.done, step.total).unwrap_or_default());
    }

    fn clear(&mut self) {
        if let Some((.., bar)) = self.current.take() {
            bar.finish_and_clear();
        }
    }

    pub(super) fn finish(mut self) {
        self.clear();
    }
}

/// `ETA 3 seconds`: the time left for `total` units at the pace since `start` of the
/// `done` so far (none until there is a pace, or once done). indicatif's own estimate
/// follows the last few steps, which parallel chunks finishing in bursts make jumpy.
fn eta(start: Instant, done: u64, total: u64) -> Option<String> {
    (done > 0 && done < total).then(|| {
        let left = start.elapsed().as_secs_f64() * (total - done) as f64 / done as f64;
        format!("ETA {}", indicatif::HumanDuration(Duration::from_secs_f64(left)))
    })
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

/// Tells the user, on stderr, how far `--repair-correlations` moved each coefficient.
pub(super) fn print_repairs(simulation: &Simulation) {
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
