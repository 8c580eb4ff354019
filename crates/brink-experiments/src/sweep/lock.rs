//! One writer per sweep directory: an exclusive advisory lock on `DIR/.lock`.
//!
//! Two processes computing the same points would both write every checkpoint; the
//! results would agree (a point is a pure function of the manifest) but the work
//! would be done twice and a resume could race a merge. So a sweep, resume or merge
//! takes the lock first and holds it until its outputs are written. The lock file
//! holds the holder's process id, so a refused process can say who holds it. Its name
//! starts with a dot: it is no output, and the kernel releases the lock when the
//! holder exits, however it exits, so a stale file never blocks anyone.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{SweepError, io};

/// Name of the lock file in a sweep directory.
pub const LOCK_FILE: &str = ".lock";

/// The exclusive lock on a sweep directory; released when dropped.
#[derive(Debug)]
pub struct SweepLock {
    dir: PathBuf,
    // Held for its lock; closing it releases the lock.
    _file: File,
}

impl SweepLock {
    /// Creates `dir` if missing and locks it, or fails at once with
    /// [`SweepError::Locked`] if another process holds it.
    pub fn acquire(dir: &Path) -> Result<SweepLock, SweepError> {
        std::fs::create_dir_all(dir).map_err(io("cannot create directory", dir))?;
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io("cannot open", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder may not have written its id yet: then it is unknown.
                let _ = file.read_to_string(&mut holder);
                return Err(SweepError::Locked {
                    dir: dir.to_owned(),
                    pid: holder.trim().parse().ok(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io("cannot lock", &path)(e)),
        }
        let write_pid = |file: &mut File| -> std::io::Result<()> {
            file.set_len(0)?;
            file.rewind()?;
            writeln!(file, "{}", std::process::id())?;
            file.flush()
        };
        write_pid(&mut file).map_err(io("cannot write", &path))?;
        Ok(SweepLock {
            dir: dir.to_owned(),
            _file: file,
        })
    }

    /// The locked directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
