//! Writing results: to stdout, or atomically to a file (temp file in the same directory,
//! then rename), so a failed run never leaves a half-written file behind.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path`, or to stdout when `path` is `None`. A closed pipe on stdout
/// (e.g. `costsim run ... | head`) is not an error.
///
/// # Errors
/// [`Error::Io`] if the file cannot be written or renamed into place.
pub fn write(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    let Some(path) = path else {
        let mut stdout = std::io::stdout().lock();
        return match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(io_error(path_text(Path::new("<stdout>")), e)),
            _ => Ok(()),
        };
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io_error(path_text(path), e))?;
    temp.write_all(bytes).and_then(|()| temp.flush()).map_err(|e| io_error(path_text(path), e))?;
    temp.persist(path).map_err(|e| io_error(path_text(path), e.error))?;
    Ok(())
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

fn io_error(path: String, source: std::io::Error) -> Error {
    Error::Io { action: "write", path, source }
}
