//! A sweep directory on disk: `manifest.json` and the per-point checkpoints
//! `points/NNNNNN.json`, each written atomically; creating, reopening and checking
//! the directory.

use std::path::{Path, PathBuf};

use brink_mc::BatchAggregate;
use brink_report::fsio;
use serde::Deserialize;

use super::{Manifest, SWEEP_FORMAT, SweepError, io};

/// Path of the manifest in a sweep directory.
pub fn manifest_path(dir: &Path) -> PathBuf {
    dir.join("manifest.json")
}

/// Path of point `p`'s aggregate in a sweep directory.
pub fn point_path(dir: &Path, p: usize) -> PathBuf {
    dir.join("points").join(format!("{p:06}.json"))
}

/// Reads a sweep directory's manifest and checks it ([`Manifest::check`]). A manifest
/// of another [`SWEEP_FORMAT`] is refused with the brink version that wrote it.
pub fn read_manifest(dir: &Path) -> Result<Manifest, SweepError> {
    /// The fields every format has; the rest is skipped unread.
    #[derive(Deserialize)]
    struct Version {
        format: u32,
        brink_version: String,
    }
    let path = manifest_path(dir);
    let text = std::fs::read_to_string(&path).map_err(io("cannot read", &path))?;
    let bad = |e: String| {
        SweepError::Refused(format!(
            "{}: not a brink sweep manifest: {e}",
            path.display()
        ))
    };
    let version: Version = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if version.format != SWEEP_FORMAT {
        return Err(SweepError::Refused(format!(
            "{}: sweep format {} (written by brink {}); this brink {} reads format {SWEEP_FORMAT}: \
             finish or merge that sweep with the brink that made it, or start it anew",
            path.display(),
            version.format,
            version.brink_version,
            env!("CARGO_PKG_VERSION"),
        )));
    }
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    manifest.check().map_err(|e| bad(e.to_string()))?;
    Ok(manifest)
}

/// Reads point `p`'s aggregate, if the point is finished.
pub fn read_point(dir: &Path, p: usize) -> Result<Option<BatchAggregate>, SweepError> {
    let path = point_path(dir, p);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            SweepError::Refused(format!("{}: damaged point file: {e}", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io("cannot read", &path)(e)),
    }
}

/// Writes point `p`'s checkpoint atomically but unsynced (see
/// [`fsio::write_atomic_unsynced`]): a killed sweep keeps it; a point file damaged by a
/// power failure is recomputed on resume ([`point_finished`]). The final outputs are
/// synced.
pub(super) fn write_point(dir: &Path, p: usize, agg: &BatchAggregate) -> Result<(), SweepError> {
    let json = serde_json::to_vec(agg).expect("aggregates serialise");
    fsio::write_atomic_unsynced(&point_path(dir, p), &json)?;
    Ok(())
}

/// Whether point `p` has a readable checkpoint. A missing, empty or damaged one means
/// the point is computed (again): a point is a pure function of the manifest, so
/// recomputing it gives the same bytes.
pub(super) fn point_finished(dir: &Path, p: usize) -> bool {
    matches!(read_point(dir, p), Ok(Some(_)))
}

/// Creates (or, with `resume`, reopens) the sweep directory for `manifest`, refusing
/// to mix two different sweeps, and removes temporary files a killed run left.
pub(super) fn prepare(dir: &Path, manifest: &Manifest, resume: bool) -> Result<(), SweepError> {
    let mpath = manifest_path(dir);
    if mpath.exists() {
        if !resume {
            return Err(SweepError::Occupied {
                dir: dir.to_owned(),
            });
        }
        let old = read_manifest(dir)?;
        old.same_sweep(manifest)
            .map_err(|field| SweepError::ResumeMismatch {
                dir: dir.to_owned(),
                field,
            })?;
        if old.shard != manifest.shard {
            return Err(SweepError::Refused(format!(
                "cannot resume the sweep in {}: it was started as shard {:?}, not {:?}",
                dir.display(),
                old.shard,
                manifest.shard
            )));
        }
    } else if resume {
        return Err(SweepError::Refused(format!(
            "nothing to resume in {}: it has no manifest.json",
            dir.display()
        )));
    }
    let points = dir.join("points");
    std::fs::create_dir_all(&points).map_err(io("cannot create directory", &points))?;
    if !mpath.exists() {
        let json = serde_json::to_vec_pretty(manifest).expect("manifests serialise");
        fsio::write_atomic(&mpath, &json)?;
    }
    for d in [dir, points.as_path()] {
        for entry in std::fs::read_dir(d).map_err(io("cannot list", d))? {
            let entry = entry.map_err(io("cannot list", d))?;
            if fsio::is_leftover_temp(&entry.file_name().to_string_lossy()) {
                std::fs::remove_file(entry.path()).map_err(io("cannot remove", &entry.path()))?;
            }
        }
    }
    Ok(())
}
