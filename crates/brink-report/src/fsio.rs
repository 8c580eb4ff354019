//! Atomic file writes: a crash never leaves a half-written result.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file-system operation that failed, with the path it concerned.
#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {source}", path.display())]
pub struct IoError {
    /// What was being done, e.g. `"cannot write"`.
    pub action: &'static str,
    /// The file or directory concerned.
    pub path: PathBuf,
    /// The operating-system error.
    pub source: io::Error,
}

/// Writes `contents` to `path` atomically: into a temporary file in the same
/// directory (named `.NAME.XXXX.tmp`), flushed and synced, then renamed over `path`.
/// Readers see either the old file or the complete new one; on failure the temporary
/// file is removed and `path` is left as it was.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), IoError> {
    write_atomic_with(path, contents, true)
}

/// [`write_atomic`] without the sync: the rename is still atomic for every reader and
/// survives the writing process being killed (the kernel keeps what was written), but
/// after a power failure the file may be missing, empty or damaged. For checkpoints
/// that are recomputed when damaged; a sync per file costs milliseconds on a shared
/// disk, far more than a cheap point.
pub fn write_atomic_unsynced(path: &Path, contents: &[u8]) -> Result<(), IoError> {
    write_atomic_with(path, contents, false)
}

fn write_atomic_with(path: &Path, contents: &[u8], sync: bool) -> Result<(), IoError> {
    let io_err = |action, source| IoError {
        action,
        path: path.to_owned(),
        source,
    };
    let mut tmp = temp_beside(path)?;
    tmp.write_all(contents)
        .map_err(|e| io_err("cannot write", e))?;
    tmp.flush().map_err(|e| io_err("cannot write", e))?;
    if sync {
        tmp.as_file()
            .sync_all()
            .map_err(|e| io_err("cannot sync", e))?;
    }
    // On failure `persist` hands the temporary file back; dropping it deletes it.
    tmp.persist(path)
        .map_err(|e| io_err("cannot replace", e.error))?;
    Ok(())
}

/// A temporary file `.NAME.XXXX.tmp` in `path`'s directory, so the rename into place
/// stays on one file system and is atomic.
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, IoError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // Created with mode 0666 less the umask, as `File::create` would (0644 under the
    // usual umask 022), not tempfile's private 0600: results are for sharing.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir).map_err(|source| IoError {
        action: "cannot create a temporary file for",
        path: path.to_owned(),
        source,
    })
}

/// Whether `name` is a temporary file left by an interrupted [`write_atomic`].
pub fn is_leftover_temp(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// A file written in pieces and published atomically: everything goes to a temporary
/// file in the target's directory, and [`AtomicFile::commit`] syncs and renames it over
/// the target. Dropped without commit, the temporary file is deleted.
pub struct AtomicFile {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
    writer: io::BufWriter<std::fs::File>,
}

impl AtomicFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> Result<Self, IoError> {
        let tmp = temp_beside(path)?;
        let file = tmp.reopen().map_err(|source| IoError {
            action: "cannot open a temporary file for",
            path: path.to_owned(),
            source,
        })?;
        Ok(Self {
            path: path.to_owned(),
            tmp,
            writer: io::BufWriter::new(file),
        })
    }

    /// Appends bytes.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), IoError> {
        self.writer.write_all(bytes).map_err(|source| IoError {
            action: "cannot write",
            path: self.path.clone(),
            source,
        })
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<(), IoError> {
        let path = self.path.clone();
        let err = |action, source| IoError {
            action,
            path: path.clone(),
            source,
        };
        self.writer.flush().map_err(|e| err("cannot write", e))?;
        self.writer
            .get_ref()
            .sync_all()
            .map_err(|e| err("cannot sync", e))?;
        self.tmp
            .persist(&path)
            .map_err(|e| err("cannot replace", e.error))?;
        Ok(())
    }
}
