//! Clean-up on every signal whose default action ends the process and that a process can
//! catch (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGALRM, …): the
//! temporary files of outputs being written are removed, then the process dies of the
//! signal as it would have without the handler (so shells and schedulers see the usual
//! status). SIGKILL cannot be caught; faults such as SIGSEGV are the process's own, not
//! requests; SIGPIPE is ignored by Rust (a closed pipe is an error from the write).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use signal_hook::consts::signal::{
    SIGABRT, SIGALRM, SIGHUP, SIGINT, SIGIO, SIGPROF, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGVTALRM, SIGXCPU, SIGXFSZ,
};

/// The signals handled: every one whose default action ends the process, that can be
/// caught and that another process (or a resource limit) sends. The synchronous faults
/// (SIGBUS, SIGSEGV, SIGILL, SIGFPE, SIGSYS, SIGTRAP) are left alone: a handler that
/// returns would re-run the faulting instruction.
const TERMINATING: [i32; 13] =
    [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGABRT];

/// Temporary files that exist right now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere must not stop the clean-up.
    PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Starts the thread that handles the signals. Without it (if the signals cannot be
/// hooked), they keep their default action.
pub(super) fn install() {
    let Ok(mut signals) = signal_hook::iterator::Signals::new(TERMINATING) else { return };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let files = pending();
            for path in files.iter() {
                let _ = std::fs::remove_file(path);
            }
            // Dies of the signal while still holding the list, so nothing renames meanwhile.
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}

/// A temporary file that the signal handler removes if the process is interrupted before
/// it is renamed into place or dropped.
pub(super) struct Pending {
    temp: Option<tempfile::NamedTempFile>,
}

impl Pending {
    /// Registers `temp` for clean-up.
    pub(super) fn new(temp: tempfile::NamedTempFile) -> Pending {
        pending().push(temp.path().to_path_buf());
        Pending { temp: Some(temp) }
    }

    /// The open file.
    pub(super) fn file(&self) -> &File {
        self.temp.as_ref().expect("present until persisted or dropped").as_file()
    }

    /// Where it is.
    pub(super) fn path(&self) -> &Path {
        self.temp.as_ref().expect("present until persisted or dropped").path()
    }

    /// Renames the file to `path`, with no clean-up racing the rename.
    pub(super) fn persist(mut self, path: &Path) -> io::Result<()> {
        let mut files = pending();
        let temp = self.temp.take().expect("present until persisted or dropped");
        files.retain(|p| p != temp.path());
        temp.persist(path).map(drop).map_err(|e| e.error)
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let mut files = pending();
            files.retain(|p| p != temp.path());
            drop(temp);
        }
    }
}
