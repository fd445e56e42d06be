//! The built-in units, one table: time, length, energy and power, data, money and `%`,
//! with the prefixes each takes; every other name is a count unit of its own (`GPU`), and
//! a near miss of a built-in unit (`huor`, `kwh`) is refused with the unit meant.

use super::unit::{Dimension, Symbol};
use crate::source::did_you_mean;

/// Seconds in a year: 365.25 days (the Julian year). A month is a twelfth of it.
pub(crate) const YEAR_SECONDS: f64 = 365.25 * 86_400.0;

/// Which prefixes a unit takes.
#[derive(Clone, Copy, PartialEq)]
enum Prefixes {
    /// None.
    No,
    /// k, M, G, T, P (`kW`, `MWh`).
    Large,
    /// m, µ/u, n besides [`Prefixes::Large`] (`ms`, `mm`, `km`).
    Metric,
    /// k … E and Ki … Ei (`GB`, `GiB`, `Gbit`).
    Data,
}

/// A built-in unit: its names, its size in base units, its base dimension with its power
/// (or none), and its prefixes.
struct Builtin {
    names: &'static [&'static str],
    size: f64,
    dimension: &'static [(&'static str, i32)],
    prefixes: Prefixes,
}

const TIME: &[(&str, i32)] = &[("s", 1)];

/// The currencies: each a dimension of its own, never converted into another.
pub(crate) const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "CNY", "JPY"];

/// The names of every built-in unit, a unit's names together (`["h", "hr", "hour", …]`).
pub(crate) fn unit_names() -> impl Iterator<Item = &'static [&'static str]> {
    BUILTINS.iter().map(|b| b.names)
}

/// Every built-in unit (the README's "Units" section names each; a test below checks it).
const BUILTINS: &[Builtin] = &[
    Builtin { names: &["s", "sec", "second", "seconds"], size: 1.0, dimension: TIME, prefixes: Prefixes::Metric },
    Builtin { names: &["min", "mins", "minute", "minutes"], size: 60.0, dimension: TIME, prefixes: Prefixes::No },
    Builtin { names: &["h", "hr", "hrs", "hour", "hours"], size: 3600.0, dimension: TIME, prefixes: Prefixes::No },
    Builtin { names: &["day", "days"], size: 86_400.0, dimension: TIME, prefixes: Prefixes::No },
    Builtin { names: &["week", "weeks"], size: 7.0 * 86_400.0, dimension: TIME, prefixes: Prefixes::No },
    Builtin { names: &["month", "months"], size: YEAR_SECONDS / 12.0, dimension: TIME, prefixes: Prefixes::No },
    Builtin { names: &["year", "years", "yr"], size: YEAR_SECONDS, dimension: TIME, prefixes: Prefixes::No },
    Builtin { names: &["m"], size: 1.0, dimension: &[("m", 1)], prefixes: Prefixes::Metric },
    Builtin { names: &["J"], size: 1.0, dimension: &[("J", 1)], prefixes: Prefixes::Large },
    Builtin { names: &["Wh"], size: 3600.0, dimension: &[("J", 1)], prefixes: Prefixes::Large },
    Builtin { names: &["W"], size: 1.0, dimension: &[("J", 1), ("s", -1)], prefixes: Prefixes::Large },
    Builtin { names: &["bit", "bits"], size: 1.0, dimension: &[("bit", 1)], prefixes: Prefixes::Data },
    Builtin { names: &["B", "byte", "bytes"], size: 8.0, dimension: &[("bit", 1)], prefixes: Prefixes::Data },
    Builtin { names: &["USD", "$"], size: 1.0, dimension: &[("USD", 1)], prefixes: Prefixes::No },
    Builtin { names: &["EUR", "€"], size: 1.0, dimension: &[("EUR", 1)], prefixes: Prefixes::No },
    Builtin { names: &["GBP", "£"], size: 1.0, dimension: &[("GBP", 1)], prefixes: Prefixes::No },
    Builtin { names: &["CNY"], size: 1.0, dimension: &[("CNY", 1)], prefixes: Prefixes::No },
    Builtin { names: &["JPY"], size: 1.0, dimension: &[("JPY", 1)], prefixes: Prefixes::No },
    Builtin { names: &["%"], size: 1.0, dimension: &[], prefixes: Prefixes::No },
];

/// The prefixes, with their factors.
const LARGE: &[(&str, f64)] = &[("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15)];
const SMALL: &[(&str, f64)] = &[("c", 1e-2), ("m", 1e-3), ("µ", 1e-6), ("u", 1e-6), ("n", 1e-9)];
const DATA: &[(&str, f64)] = &[
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
    ("E", 1e18),
    ("Ki", 1024.0),
    ("Mi", 1_048_576.0),
    ("Gi", 1_073_741_824.0),
    ("Ti", 1_099_511_627_776.0),
    ("Pi", 1_125_899_906_842_624.0),
    ("Ei", 1_152_921_504_606_846_976.0),
];

impl Prefixes {
    fn list(self) -> impl Iterator<Item = &'static (&'static str, f64)> {
        let (a, b): (&[_], &[_]) = match self {
            Prefixes::No => (&[], &[]),
            Prefixes::Large => (LARGE, &[]),
            Prefixes::Metric => (LARGE, SMALL),
            Prefixes::Data => (DATA, &[]),
        };
        a.iter().chain(b)
    }
}

/// Every built-in unit's name, prefixed forms included, with its size and dimension:
/// built once, as every unit of every model is looked up in it.
fn every() -> &'static [(String, f64, &'static Builtin)] {
    static EVERY: std::sync::OnceLock<Vec<(String, f64, &'static Builtin)>> = std::sync::OnceLock::new();
    EVERY.get_or_init(|| {
        BUILTINS
            .iter()
            .flat_map(|b| {
                b.names.iter().flat_map(move |&name| {
                    let prefixed = b.prefixes.list().map(move |(p, f)| (format!("{p}{name}"), f * b.size, b));
                    // Prefixes go on symbols (`kW`), not on spelled-out names (`kbytes`).
                    let symbol = name.chars().count() <= 3;
                    std::iter::once((name.to_string(), b.size, b)).chain(prefixed.filter(move |_| symbol))
                })
            })
            .collect()
    })
}

/// Every built-in unit's name, prefixed forms included (for suggestions).
fn names() -> impl Iterator<Item = &'static str> {
    every().iter().map(|(name, ..)| name.as_str())
}

/// What a name in a unit is.
pub(crate) enum Lookup {
    /// A unit.
    Unit(Symbol),
    /// A near miss of the built-in unit named.
    NearMiss(String),
}

/// The unit called `name`: a built-in one (prefixed or not), a near miss of one, or a
/// count unit of its own (`GPUs` and `GPU` are one count).
pub(crate) fn lookup(name: &str) -> Lookup {
    if let Some((_, size, b)) = every().iter().find(|(n, ..)| n == name) {
        let dimension =
            b.dimension.iter().fold(Dimension::default(), |d, (base, p)| d.times(&Dimension::base(base).pow(*p)));
        return Lookup::Unit(Symbol { name: name.to_string(), size: *size, dimension });
    }
    if let Some(same) = names().find(|n| n.eq_ignore_ascii_case(name)) {
        return Lookup::NearMiss(same.to_string());
    }
    if name.chars().count() >= 4
        && let Some(near) = did_you_mean(name, names().filter(|n| n.chars().count() >= 4))
    {
        return Lookup::NearMiss(near.to_string());
    }
    Lookup::Unit(Symbol { name: name.to_string(), size: 1.0, dimension: Dimension::base(&count_key(name)) })
}

/// The dimension key of a count unit: a plural `s` dropped (`GPUs` → `GPU`, `servers` →
/// `server`), but not from a short name or a double `s` (`bus`, `class`).
fn count_key(name: &str) -> String {
    match name.strip_suffix('s') {
        Some(one) if one.chars().count() >= 3 && !one.ends_with('s') => one.to_string(),
        _ => name.to_string(),
    }
}

/// What a quantity of one base dimension is, for hints: "a duration such as hours".
pub(crate) fn quantity(base: &str) -> String {
    match base {
        "s" => "a duration such as hours".into(),
        "m" => "a length".into(),
        "J" => "an energy such as kWh".into(),
        "bit" => "an amount of data such as GB".into(),
        currency if CURRENCIES.contains(&currency) => format!("an amount of {currency}"),
        count => format!("a number of {count}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's "Units" section names every built-in unit (its first name).
    #[test]
    fn the_readme_names_every_built_in_unit() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let section = readme.split("### Units").nth(1).and_then(|s| s.split("\n### ").next()).expect("a Units section");
        for b in BUILTINS {
            assert!(section.contains(&format!("`{}`", b.names[0])), "`{}` is not in the README", b.names[0]);
        }
    }
}
