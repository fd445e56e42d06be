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
pub(super) fn write(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    let target = path.map_or_else(|| "<stdout>".to_string(), path_text);
    stream(path, |out| out.write_all(bytes).map_err(|e| io_error(target, e)))
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

/// An I/O error about `path`, without the name of any temporary file involved (tempfile
/// adds "at path …/.costsim-XXXX" to its messages).
fn io_error(path: String, source: std::io::Error) -> Error {
    let text = source.to_string();
    let message = text.split(" at path \"").next().unwrap_or(&text);
    let source = std::io::Error::new(source.kind(), message.to_string());
    Error::Io { action: "write", path, source }
}

/// Streams output produced by `produce` to `path` atomically (temp file, then rename on
/// success; nothing is left behind on failure), or to stdout when `path` is `None`.
///
/// # Errors
/// [`Error::Io`], or whatever `produce` returns (the file is then not created).
pub(super) fn stream(path: Option<&Path>, produce: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let Some(path) = path else {
        let stdout = std::io::stdout().lock();
        let mut writer = std::io::BufWriter::with_capacity(1 << 20, stdout);
        let result = produce(&mut writer).and_then(|()| writer.flush().map_err(|e| io_error("<stdout>".into(), e)));
        return match result {
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        };
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let temp = temp_file(dir).map_err(|e| io_error(path_text(path), e))?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, temp);
    produce(&mut writer)?;
    let temp = writer.into_inner().map_err(|e| io_error(path_text(path), e.into_error()))?;
    temp.persist(path).map_err(|e| io_error(path_text(path), e.error))?;
    Ok(())
}

/// A temporary file in `dir` that becomes an ordinary file when persisted: created with
/// mode 0666 less the umask, like any file the user's tools write.
fn temp_file(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".costsim-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}
