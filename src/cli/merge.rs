//! `costsim merge`: the partial states of a sharded run, rendered as what one machine
//! would have printed.

use std::path::PathBuf;

use super::args::{MergeArgs, RunFormat, TextFormat};
use super::config::meta;
use super::output::Target;
use crate::error::{Error, Result};
use crate::report::RunReport;
use crate::study::{Merged, Merging};

/// `costsim merge`.
pub(super) fn merge(args: &MergeArgs) -> Result<()> {
    // The first state names the model; the others are read and merged one at a time.
    let Some((first, rest)) = args.files.split_first() else {
        return Err(Error::Usage("no partial state to merge: give the files the shards wrote".into()));
    };
    let merging = Merging::open(first)?;
    let model = args.model.clone().unwrap_or_else(|| PathBuf::from(merging.model_file()));
    // Every file merge reads is refused as its output: the model first, then the states.
    let reads: Vec<&std::path::Path> =
        std::iter::once(model.as_path()).chain(args.files.iter().map(PathBuf::as_path)).collect();
    let target = Target::new(args.output.output.as_deref(), &reads)?;
    if args.partial {
        return target.write(&merging.partial(rest)?);
    }
    let bytes = match merging.finish(rest, &model, args.threads)? {
        Merged::Run(setup, simulation, result) => {
            RunReport::new(meta(&setup, &simulation), &result).render(super::run::format(args.format))
        }
        Merged::Compare(setup, plan, comparison) => {
            super::render::comparison(&setup, &plan, &comparison, text_format(args.format, "compare")?)
        }
        Merged::Sensitivity(setup, analysed) => {
            super::render::sensitivity(&setup, &analysed, text_format(args.format, "sensitivity")?)
        }
    };
    target.write(&bytes)
}

/// The text format of a merged `command`, which has no CSV.
fn text_format(format: RunFormat, command: &str) -> Result<TextFormat> {
    match format {
        RunFormat::Table => Ok(TextFormat::Table),
        RunFormat::Json => Ok(TextFormat::Json),
        RunFormat::Markdown => Ok(TextFormat::Markdown),
        RunFormat::Csv => Err(Error::Usage(format!("`{command}` has no CSV format: use table, json or markdown"))),
    }
}
