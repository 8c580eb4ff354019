//! The crate's error type.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a summary could not be built or its files written.
///
/// The `Display` form is one line meant for a user: it names the path (or the
/// mismatched inputs) and, for I/O failures, the operating-system error.
#[derive(Debug)]
pub enum ReportError {
    /// A file-system operation on `path` failed.
    Io {
        /// What was being done, e.g. `"cannot write"`.
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating-system error.
        source: io::Error,
    },
    /// The output directory path exists but is not a directory.
    NotADirectory {
        /// The path given as output directory.
        path: PathBuf,
    },
    /// The metadata and the aggregate describe different scenarios or batches
    /// (e.g. three outcome names but four outcome counts).
    Mismatch {
        /// Which inputs disagree, and how.
        what: String,
    },
    /// Rendering a chart failed (an error reported by the plotting library).
    Plot {
        /// The library's message.
        message: String,
    },
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Io {
                action,
                path,
                source,
            } => {
                write!(f, "{action} {}: {source}", path.display())
            }
            ReportError::NotADirectory { path } => {
                write!(
                    f,
                    "cannot use {} as output directory: it exists and is not a directory",
                    path.display()
                )
            }
            ReportError::Mismatch { what } => write!(f, "inconsistent summary inputs: {what}"),
            ReportError::Plot { message } => write!(f, "cannot draw chart: {message}"),
        }
    }
}

impl std::error::Error for ReportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReportError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
