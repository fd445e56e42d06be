//! Writing results to stdout or to `-o FILE`, never destroying what was at the path.
//!
//! A regular file (new or existing) is replaced atomically: the output goes to a temporary
//! file in the same directory, is synced to disk, then renamed over the target, so a failed
//! or interrupted run leaves the old file as it was and no partial file behind. Besides:
//! - a symlink is followed, and its final target is replaced in that target's directory;
//! - an existing file keeps its permissions (and owner, where the user may set it), and
//!   the temporary file has them from its creation, so a private file's contents are never
//!   readable by others meanwhile; the set-user-ID, set-group-ID and sticky bits are not
//!   carried over, since the new contents are costsim's output, not the program they were
//!   granted to; a
//!   read-only file is refused, and so is every file the command reads (the model, the
//!   partial states of `merge`), however it is named: another spelling, a symlink, a
//!   hard link;
//! - a file with several hard links is rewritten in place once the output is complete and
//!   synced, so that every link sees the new contents;
//! - anything else that exists — a device such as `/dev/null`, a FIFO, a socket, a
//!   terminal — is written through, never replaced; `/dev/stdout` and `/dev/stderr` are
//!   the process's own streams;
//! - the temporary file never outlives the process: it is removed on failure, and on
//!   any terminating signal that can be caught (SIGINT, SIGTERM, SIGHUP, SIGQUIT, …) by
//!   [`super::interrupt`].

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::interrupt;
use crate::error::{Error, Result};

/// Most symbolic links followed from `-o`'s path (as the kernel's own limit).
const MAX_LINKS: usize = 40;

/// Where a command's output goes, checked before any work is done.
pub(super) struct Target {
    kind: Kind,
    /// The path as the user gave it, for messages.
    shown: String,
}

enum Kind {
    Stdout,
    Stderr,
    /// An existing file that is not a regular one: written through.
    Through(PathBuf),
    /// A regular file (the symlinks' final target), replaced atomically.
    Replace {
        path: PathBuf,
        existing: Option<Metadata>,
    },
}

impl Target {
    /// The target for `-o path` (stdout when `None`) of a command that reads `reads`.
    ///
    /// # Errors
    /// [`Error::Usage`] for a directory, a read-only file, one of the files read or a path
    /// whose directory does not exist; [`Error::Io`] if the path cannot be examined.
    pub(super) fn new(path: Option<&Path>, reads: &[&Path]) -> Result<Target> {
        let Some(path) = path else { return Ok(Target { kind: Kind::Stdout, shown: "<stdout>".into() }) };
        let shown = path.display().to_string();
        let io = |e| Error::Io { action: "write", path: shown.clone(), source: e };
        let (resolved, stream) = resolve(path).map_err(io)?;
        if let Some(kind) = stream {
            return Ok(Target { kind, shown });
        }
        let existing = match std::fs::metadata(&resolved) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(e)),
        };
        if let Some(read) = existing.as_ref().and_then(|m| reads.iter().find(|r| same_file(r, m))) {
            let what = match reads.first() == Some(read) {
                true => "the model file this command reads".to_string(),
                false => format!("`{}`, which this command reads", read.display()),
            };
            return Err(refuse(&shown, &format!("is {what}; choose another output path")));
        }
        let kind = match existing {
            Some(m) if m.is_dir() => return Err(refuse(&shown, "is a directory; give a file name")),
            Some(m) if !m.is_file() => Kind::Through(resolved),
            Some(m) if m.permissions().readonly() => {
                return Err(refuse(&shown, "is read-only; make it writable (chmod u+w) or choose another path"));
            }
            existing => {
                let dir = directory(&resolved);
                if !dir.is_dir() {
                    return Err(refuse(
                        &shown,
                        &format!("cannot be created: directory {} does not exist", dir.display()),
                    ));
                }
                Kind::Replace { path: resolved, existing }
            }
        };
        Ok(Target { kind, shown })
    }

    /// A target beside this one, named `name` (the charts of a Markdown report).
    pub(super) fn sibling(path: &Path, name: &str, reads: &[&Path]) -> Result<Target> {
        Target::new(Some(&path.with_file_name(name)), reads)
    }

    /// Writes `bytes` to the target.
    ///
    /// # Errors
    /// [`Error::Io`] if they cannot be written.
    pub(super) fn write(&self, bytes: &[u8]) -> Result<()> {
        self.stream(|out| out.write_all(bytes).map_err(|e| self.io(e)))
    }

    /// Streams output produced by `produce` to the target. A closed pipe on stdout (e.g.
    /// `costsim samples ... | head`) ends the command quietly.
    ///
    /// # Errors
    /// [`Error::Io`], or whatever `produce` returns (a file being replaced is then left
    /// as it was).
    pub(super) fn stream(&self, produce: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>) -> Result<()> {
        let result = match &self.kind {
            Kind::Stdout => self.buffered(io::stdout(), produce),
            Kind::Stderr => self.buffered(io::stderr(), produce),
            Kind::Through(path) => {
                let file = OpenOptions::new().write(true).open(path).map_err(|e| self.io(e))?;
                self.buffered(file, produce)
            }
            Kind::Replace { path, existing } => self.replace(path, existing.as_ref(), produce),
        };
        match result {
            Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(Error::Io { source, .. }) => Err(self.io(source)),
            other => other,
        }
    }

    fn buffered(
        &self,
        sink: impl Write + Send,
        produce: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>,
    ) -> Result<()> {
        let mut writer = io::BufWriter::with_capacity(1 << 20, sink);
        produce(&mut writer)?;
        writer.flush().map_err(|e| self.io(e))
    }

    /// Writes to a temporary file beside `path`, syncs it, then puts it in place.
    fn replace(
        &self,
        path: &Path,
        existing: Option<&Metadata>,
        produce: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>,
    ) -> Result<()> {
        let dir = directory(path);
        // Created with the existing file's permissions (less the umask, until they are set
        // exactly below), else as any file the user's tools create: 0666 less the umask.
        let mode = existing.map_or(0o666, |m| m.mode() & 0o777);
        let temp = tempfile::Builder::new()
            .prefix(".costsim-")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
            .tempfile_in(dir)
            .map_err(|e| self.io(e))?;
        let temp = interrupt::Pending::new(temp);
        let mut writer = io::BufWriter::with_capacity(1 << 20, temp.file());
        produce(&mut writer)?;
        writer.flush().map_err(|e| self.io(e))?;
        drop(writer);
        let file = temp.file();
        if let Some(m) = existing {
            // Only root may give a file away; anyone else keeps the file as theirs. The
            // mode is set after the owner, which a change of owner may reset.
            let _ = std::os::unix::fs::fchown(file, Some(m.uid()), Some(m.gid()));
            file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode)).map_err(|e| self.io(e))?;
        }
        file.sync_all().map_err(|e| self.io(e))?;
        if existing.is_some_and(|m| m.nlink() > 1) {
            let mut target = OpenOptions::new().write(true).truncate(true).open(path).map_err(|e| self.io(e))?;
            io::copy(&mut File::open(temp.path()).map_err(|e| self.io(e))?, &mut target).map_err(|e| self.io(e))?;
            return target.sync_all().map_err(|e| self.io(e));
        }
        temp.persist(path).map_err(|e| self.io(e))?;
        // The rename itself is durable once the directory is synced.
        File::open(dir).and_then(|d| d.sync_all()).map_err(|e| self.io(e))
    }

    /// An I/O error about the target as the user named it.
    fn io(&self, source: io::Error) -> Error {
        Error::Io { action: "write", path: self.shown.clone(), source }
    }
}

fn refuse(shown: &str, why: &str) -> Error {
    Error::Usage(format!("cannot write the output to `{shown}`: it {why}"))
}

/// True if `path` names the file `m` describes (by device and inode).
fn same_file(path: &Path, m: &Metadata) -> bool {
    std::fs::metadata(path).is_ok_and(|i| (i.dev(), i.ino()) == (m.dev(), m.ino()))
}

/// The directory `path` is in (`.` for a bare file name).
fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Follows `path`'s symbolic links to the file they name (which may not exist yet), or to
/// the process's own stdout or stderr.
fn resolve(path: &Path) -> io::Result<(PathBuf, Option<Kind>)> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if let Some(stream) = own_stream(&current) {
            return Ok((current, Some(stream)));
        }
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = directory(&current).join(link);
            }
            _ => return Ok((current, None)),
        }
    }
    Err(io::Error::other(format!("more than {MAX_LINKS} symbolic links")))
}

/// Stdout or stderr, for the paths that name them.
fn own_stream(path: &Path) -> Option<Kind> {
    let text = path.to_str()?;
    let fd = ["/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"].iter().find_map(|p| text.strip_prefix(p));
    match (text, fd) {
        ("/dev/stdout", _) | (_, Some("1")) => Some(Kind::Stdout),
        ("/dev/stderr", _) | (_, Some("2")) => Some(Kind::Stderr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_streams_are_the_processs_own_however_named() {
        for (path, stdout) in
            [("/dev/stdout", true), ("/dev/fd/1", true), ("/proc/self/fd/2", false), ("/dev/stderr", false)]
        {
            let (_, kind) = resolve(Path::new(path)).unwrap();
            assert!(matches!((kind, stdout), (Some(Kind::Stdout), true) | (Some(Kind::Stderr), false)), "{path}");
        }
        assert!(own_stream(Path::new("/dev/fd/3")).is_none());
        assert!(own_stream(Path::new("out/1")).is_none());
    }
}
