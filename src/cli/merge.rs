//! `costsim merge`: the partial states of a sharded run, rendered as what one machine
//! would have printed.

use std::path::PathBuf;

use super::args::{MergeArgs, RunFormat};
use super::output::Target;
use super::render::write;
use crate::error::{Error, Result};
use crate::report::{CompareReport, Provenance, Render, RunReport, SensitivityReport};
use crate::study::{Command, Merged, Merging};

/// `costsim merge`.
pub(super) fn merge(args: &MergeArgs) -> Result<()> {
    // The first state names the model; the others are read and merged one at a time.
    let Some((first, rest)) = args.files.split_first() else {
        return Err(Error::Usage("no partial state to merge: give the files the shards wrote".into()));
    };
    let merging = Merging::open(first)?;
    let format = match args.partial {
        true => RunFormat::Table,
        false => super::config::format(args.format, args.output.output.as_deref(), RunFormat::Table)?,
    };
    // A format the finished report lacks is refused before any state is merged.
    if !args.partial {
        let format = format.into();
        match merging.command() {
            Command::Run => RunReport::offers(format),
            Command::Compare => CompareReport::offers(format),
            Command::Sensitivity => SensitivityReport::offers(format),
        }?;
    }
    let model = args.model.clone().unwrap_or_else(|| PathBuf::from(merging.model_file()));
    // Every file merge reads is refused as its output: the model first, then the states.
    let reads: Vec<&std::path::Path> =
        std::iter::once(model.as_path()).chain(args.files.iter().map(PathBuf::as_path)).collect();
    let target = Target::new(args.output.output.as_deref(), &reads)?;
    if args.partial {
        return target.write(&merging.partial(rest)?);
    }
    match merging.finish(rest, &model, args.threads)? {
        Merged::Run(setup, simulation, result) => {
            write(&target, &RunReport::new(Provenance::new(&setup, &simulation), &result), format)
        }
        Merged::Compare(setup, plan, comparison) => {
            write(&target, &CompareReport::new(&setup, &plan, &comparison), format)
        }
        Merged::Sensitivity(setup, analysed) => write(&target, &SensitivityReport::new(&setup, &analysed), format),
    }
}
