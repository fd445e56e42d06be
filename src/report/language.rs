//! The model language, as reference text built from the tables the compiler reads (the
//! built-in functions, the distributions and their parameters, the built-in units): the
//! man page's MODEL FILES section, so it cannot drift from what costsim accepts.

use crate::builtins::{CONSTANTS, FUNCTIONS};
use crate::dist::DistKind;

/// One topic of the model language: a heading, a paragraph, and terms with their
/// meanings.
#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    /// The heading, e.g. `Distributions`.
    pub heading: &'static str,
    /// What the topic is about.
    pub text: String,
    /// Each term (as written in a model) with what it means.
    pub terms: Vec<(String, String)>,
}

/// Pairs of (term, meaning) from string literals.
fn terms(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(t, m)| (t.to_string(), m.to_string())).collect()
}

/// The model language, topic by topic.
pub fn model_language() -> Vec<Topic> {
    let distributions = DistKind::ALL
        .iter()
        .map(|&(name, kind)| {
            let params = kind.params();
            let required = kind.required();
            let shown: Vec<String> = params
                .iter()
                .enumerate()
                .map(|(i, p)| if i < required { p.to_string() } else { format!("[{p}]") })
                .collect();
            (format!("{name}({})", shown.join(", ")), kind.meaning().to_string())
        })
        .chain(std::iter::once((
            "a to b".to_string(),
            "the lognormal whose 5th and 95th percentiles are a and b (0 < a < b): never negative, median √(ab)"
                .to_string(),
        )))
        .collect();
    let functions = FUNCTIONS.iter().map(|b| (format!("{}{}", b.name, b.arguments), b.meaning.to_string())).collect();
    let constants = CONSTANTS.iter().map(|(name, value)| (name.to_string(), format!("{value}"))).collect();
    let units = crate::units::unit_names().map(|names| (names.join(", "), String::new())).collect();
    vec![
        Topic {
            heading: "File",
            text: "A model file is TOML: a [model] table, a [vars] table of name = \"expression\" (or an inline table), optional [[correlations]] and [scenarios.NAME] tables. Run `costsim check MODEL` first: it lists every var, each random input's p5/p50/p95 and mean, and any problem with its place.".into(),
            terms: terms(&[
                ("[model] name", "required: titles every report"),
                ("[model] trials, seed", "defaults for --trials (1000000, 1_000_000, 1e6 or \"200k\") and --seed"),
                ("[model] outputs", "the vars reported (default: every var no other var uses, besides tests such as `x > 1M`)"),
                ("[model] sampling", "mc, lhs or qmc"),
                ("[model] percentiles", "the percentiles reported, e.g. [5, 50, 80, 95]"),
                ("[model] periods", "a time axis: a count, or labels such as [\"2025\", \"2026\"]"),
                ("var = { value, unit, source, note, per_period }", "a var with its metadata"),
                ("var = { data, column, fit }", "a distribution fitted to a CSV column: empirical, normal, lognormal, gamma or metalog"),
                ("[[correlations]] vars, rank or matrix", "Spearman rank correlations through a Gaussian copula"),
                ("[scenarios.NAME]", "vars replaced by name; a var a scenario or --set pins leaves its correlations"),
            ]),
        },
        Topic {
            heading: "Numbers and operators",
            text: "Numbers take `_` separators, an exponent and one suffix; operators are listed loosest first. Comparisons and logic give 1 or 0, and do not chain.".into(),
            terms: terms(&[
                ("k or K, M, B or G, T, %", "1e3, 1e6, 1e9, 1e12, 1e-2 (`60%` is 0.6, written without a space)"),
                ("a to b", "a range (see Distributions); not `2-3`, `2..3`, `[2, 3]` or `between 2 and 3`"),
                ("or, and, not", "logic"),
                ("< <= > >= == !=", "comparisons"),
                ("+ - * /", "arithmetic"),
                ("^", "power, right-associative (not `**`); -x^2 is -(x^2)"),
            ]),
        },
        Topic {
            heading: "Distributions",
            text: "Each call is an independent draw in every trial. Parameters in brackets are optional; any parameter may be named after the positional ones, e.g. gamma(shape = 2, scale = 3).".into(),
            terms: distributions,
        },
        Topic { heading: "Functions", text: "Built-in functions; over a series, each applies period by period unless it reduces the series.".into(), terms: functions },
        Topic { heading: "Constants", text: "Built-in constants.".into(), terms: constants },
        Topic {
            heading: "Periods",
            text: "With `periods` in [model], a var that uses t, a list [...] of one value per period, a per_period var or another series has one value per period in every trial.".into(),
            terms: terms(&[
                ("t", "the period index: 0, 1, 2, …"),
                ("per_period = true", "the var is drawn afresh in every period"),
                ("[a, b, c]", "one value per period"),
            ]),
        },
        Topic {
            heading: "Units",
            text: "A var's `unit` is checked before any trial runs, and conversions within a dimension are exact and automatic. Products `*`, quotients `/` (USD/GPU/hour), powers `m^2` and parentheses combine these built-in units (with prefixes: kW, MWh, GB, GiB, ms, km); any other name (GPU, FTE) is a count of its own. Money never converts between currencies.".into(),
            terms: units,
        },
    ]
}
