//! How the command line words the library's errors: in terms of its options where the
//! library speaks of settings (a trial count, an override, a shard).

use crate::error::{Error, missing_shards};

/// The text printed for `error`.
pub(super) fn message(error: &Error) -> String {
    match error {
        Error::ThreadCount { threads, max } => format!("error: `--threads {threads}` must be between 1 and {max}"),
        Error::PrecisionSharded => {
            "error: --precision decides the trial count as it goes, so it cannot be split into shards: give --trials"
                .into()
        }
        Error::BadOverride { text } => {
            format!("error: `--set {text}` must look like VAR=EXPR, e.g. `--set p_h800=\"30k to 45k\"`")
        }
        Error::ShardsMissing { missing, shards } => format!(
            "error: {}: merge every shard (or write a partial merge with --partial)",
            missing_shards(missing, *shards)
        ),
        Error::MergeModel { .. } => format!("{error}: pass --model PATH"),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_speaks_of_settings_and_the_command_line_of_its_options() {
        let unreadable = Error::Unreadable { what: "model file ", path: "m.toml".into(), reason: "gone".into() };
        let cases = [
            (Error::ThreadCount { threads: 0, max: 1024 }, "`--threads 0` must be between 1 and 1024"),
            (Error::PrecisionSharded, "give --trials"),
            (Error::BadOverride { text: "x".into() }, "`--set x` must look like VAR=EXPR"),
            (Error::ShardsMissing { missing: vec![1, 3], shards: 4 }, "shards 1, 3 of 4 are missing"),
            (Error::MergeModel { source: Box::new(unreadable) }, "cannot read model file `m.toml`: gone"),
        ];
        for (error, words) in cases {
            let (library, cli) = (error.to_string(), message(&error));
            assert!(!library.contains("--"), "the library names no option: {library}");
            assert!(cli.contains("--") && cli.contains(words), "{cli}");
            assert_eq!(error.exit_code(), 2);
        }
        let merge = message(&Error::ShardsMissing { missing: (0..12).collect(), shards: 20 });
        assert!(merge.contains("0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … and 2 more of 20 are missing"), "{merge}");
        assert!(merge.ends_with("(or write a partial merge with --partial)"), "{merge}");
    }
}
