//! How much memory a command may take (`--max-memory`, else what the system says is
//! available), and the refusal, before a single trial runs, of a run whose estimate
//! (see `Accumulators::peak_bytes`) exceeds it.

use crate::error::{Error, Result};
use crate::study::Estimate;

/// Binary multiples: `--max-memory 4G` is 4 GiB, as for Slurm's `--mem` and Java's `-Xmx`.
const UNITS: [(&str, u32); 5] = [("", 0), ("K", 10), ("M", 20), ("G", 30), ("T", 40)];

/// The memory a run may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MemoryLimit {
    /// `--max-memory`.
    Given(u64),
    /// The system's available memory (`MemAvailable` in /proc/meminfo).
    Available(u64),
    /// Neither is known: nothing is refused.
    Unknown,
}

impl MemoryLimit {
    /// `--max-memory` if given (parsed by [`parse_size`]), else the available memory.
    ///
    /// # Errors
    /// A size that cannot be read.
    pub(super) fn new(given: Option<&str>) -> Result<MemoryLimit> {
        match given {
            Some(text) => parse_size(text).map(MemoryLimit::Given),
            None => Ok(available().map_or(MemoryLimit::Unknown, MemoryLimit::Available)),
        }
    }

    /// Refuses a study whose `estimate` the limit cannot hold.
    ///
    /// # Errors
    /// [`Error::Usage`] with the estimate, the limit, and what would take less.
    pub(super) fn check(self, estimate: Estimate) -> Result<()> {
        let Estimate { bytes: needed, columns, trials } = estimate;
        let (limit, whence) = match self {
            MemoryLimit::Given(limit) => (limit, "--max-memory"),
            MemoryLimit::Available(limit) => (limit, "available (MemAvailable)"),
            MemoryLimit::Unknown => return Ok(()),
        };
        if needed <= limit {
            return Ok(());
        }
        let each = show(needed / columns.max(1) as u64);
        Err(Error::Usage(format!(
            "this run needs about {} of memory, more than the {} {whence}: it keeps {columns} column(s) of statistics \
             over {trials} trials, about {each} each (the README's \"Output files, memory and limits\" gives the formula); \
             report fewer outputs (`outputs = [...]` in the model) or run fewer trials; \
             or give a larger --max-memory to run it anyway",
            show(needed),
            show(limit),
        )))
    }
}

/// Parses a size in bytes: a number with an optional binary multiple, `K`, `M`, `G` or
/// `T` (also written `KiB` or `KB`; all powers of 1,024), e.g. `512M`, `4G`, `1.5GiB`.
///
/// # Errors
/// [`Error::Usage`] for anything else, or a size below 1 MiB.
pub(super) fn parse_size(text: &str) -> Result<u64> {
    let bad = || {
        Error::Usage(format!(
            "`--max-memory {text}` must be a size such as 512M, 4G or 1.5GiB (K, M, G and T are powers of 1,024), of at least 1M"
        ))
    };
    let trimmed = text.trim();
    let digits = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let unit = unit.trim().to_ascii_uppercase();
    let unit = unit.strip_suffix("IB").or_else(|| unit.strip_suffix('B')).unwrap_or(&unit);
    let shift = UNITS.iter().find(|(name, _)| *name == unit).ok_or_else(bad)?.1;
    let number: f64 = number.parse().map_err(|_| bad())?;
    let bytes = number * 2f64.powi(shift as i32);
    match bytes.is_finite() && (f64::from(1u32 << 20)..=u64::MAX as f64).contains(&bytes) {
        true => Ok(bytes as u64),
        false => Err(bad()),
    }
}

/// `MemAvailable` of /proc/meminfo, in bytes (Linux); `None` elsewhere or if unreadable.
fn available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kib.checked_mul(1024)
}

/// `bytes` for people: `1.5 GiB`, `340 MiB`, `12 KiB`.
fn show(bytes: u64) -> String {
    let (name, shift) = UNITS[1..].iter().rev().find(|(_, s)| bytes >= 1 << s).copied().unwrap_or(("", 0));
    let value = bytes as f64 / 2f64.powi(shift as i32);
    let unit = if name.is_empty() { "bytes".to_string() } else { format!("{name}iB") };
    match value < 10.0 && !name.is_empty() {
        true => format!("{value:.1} {unit}"),
        false => format!("{value:.0} {unit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_multiples_and_refuse_the_rest() {
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("4G").unwrap(), 4 << 30);
        assert_eq!(parse_size("4gb").unwrap(), 4 << 30);
        assert_eq!(parse_size("1.5GiB").unwrap(), 3 << 29);
        assert_eq!(parse_size("2 T").unwrap(), 2 << 40);
        assert_eq!(parse_size("1048576").unwrap(), 1 << 20);
        for bad in ["", "G", "4X", "-1G", "1.2.3G", "100K", "1e3G", "99999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_refusal_gives_the_estimate_the_limit_and_what_takes_less() {
        let limit = MemoryLimit::Given(100 << 20);
        assert!(limit.check(Estimate { bytes: 100 << 20, columns: 10, trials: 1000 }).is_ok());
        let message =
            limit.check(Estimate { bytes: 3 << 30, columns: 2000, trials: 1_000_000 }).unwrap_err().to_string();
        for part in [
            "about 3.0 GiB",
            "100 MiB --max-memory",
            "2000 column(s)",
            "1000000 trials",
            "1.5 MiB each",
            "fewer trials",
        ] {
            assert!(message.contains(part), "{part}: {message}");
        }
        assert!(MemoryLimit::Unknown.check(Estimate { bytes: u64::MAX, columns: 1, trials: 1 }).is_ok());
    }

    #[test]
    fn available_memory_is_read_where_the_system_says_it() {
        if std::path::Path::new("/proc/meminfo").exists() {
            assert!(available().is_some_and(|bytes| bytes > 1 << 20));
        }
    }
}
