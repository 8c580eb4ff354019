//! `merge` as one atomic step: the merged sweep is built in a staging directory
//! beside the output and renamed into place, so a failed merge leaves nothing
//! behind and an existing directory is never overwritten.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::setup::{self, SetupError};
use super::{Manifest, Shard, SweepError, SweepLock, SweepOutputs, io, merge, read_manifest};

/// Why an atomic merge failed.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The shards could not be merged.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// The outputs of the merged sweep could not be written.
    #[error(transparent)]
    Setup(#[from] SetupError),
}

/// Merges the shard directories `dirs` into the new directory `out`: refuses an
/// `out` that exists (unless it is an empty directory) and the same shard given
/// twice, builds the merged sweep and its outputs in `.NAME.merge-XXXX` beside
/// `out`, then renames it to `out`. Returns the manifest and the output files
/// (under `out`).
///
/// # Errors
///
/// [`MergeError`]; `out` is then left as it was.
pub fn merge_atomic(dirs: &[PathBuf], out: &Path) -> Result<(Manifest, SweepOutputs), MergeError> {
    let occupied = match std::fs::read_dir(out) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(_) => true,
    };
    if occupied {
        return Err(SweepError::Refused(format!(
            "{} already exists; merge writes a new directory",
            out.display()
        ))
        .into());
    }
    refuse_duplicates(dirs)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{name}.merge-");
    builder.prefix(&prefix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o777));
    let staging = builder
        .tempdir_in(parent)
        .map_err(io("cannot create a staging directory in", parent))?;
    let manifest = {
        let lock = SweepLock::acquire(staging.path())?;
        merge(dirs, &lock)?
    };
    let outputs = setup::finish(staging.path(), &manifest)?;
    let staging = staging.keep();
    if let Err(e) = std::fs::rename(&staging, out) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(io("cannot rename the merged sweep to", out)(e).into());
    }
    let written = outputs
        .written
        .iter()
        .map(|p| {
            p.strip_prefix(&staging)
                .map_or(p.clone(), |rel| out.join(rel))
        })
        .collect();
    let overview = outputs.overview;
    Ok((manifest, SweepOutputs { written, overview }))
}

/// Refuses a directory given twice and two directories holding the same shard.
fn refuse_duplicates(dirs: &[PathBuf]) -> Result<(), SweepError> {
    let mut seen: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    let mut shards: BTreeMap<(u32, u32), &Path> = BTreeMap::new();
    for d in dirs {
        let canonical = d.canonicalize().map_err(io("cannot read", d))?;
        if let Some(first) = seen.insert(canonical, d) {
            return Err(SweepError::Refused(format!(
                "{} is given twice (as {} and {})",
                d.display(),
                first.display(),
                d.display()
            )));
        }
        if let Some(Shard { index, count }) = read_manifest(d)?.shard
            && let Some(first) = shards.insert((index, count), d)
        {
            return Err(SweepError::Refused(format!(
                "{} and {} are both shard {index}/{count}",
                first.display(),
                d.display()
            )));
        }
    }
    Ok(())
}

/// The message for points finished in none of the directories: how many, and
/// which shard each missing point belongs to (missing shards by name, present
/// shards as unfinished).
pub(super) fn missing_points(
    dirs: &[PathBuf],
    manifests: &[Manifest],
    missing: &[usize],
) -> String {
    let count = manifests
        .iter()
        .find_map(|m| m.shard)
        .map_or(1, |s| s.count);
    let mut by_shard: BTreeMap<u32, usize> = BTreeMap::new();
    for &p in missing {
        let k = (1..=count)
            .find(|&index| Shard { index, count }.owns(p))
            .unwrap_or(1);
        *by_shard.entry(k).or_default() += 1;
    }
    let parts: Vec<String> = by_shard
        .iter()
        .map(|(&k, &n)| {
            let given = manifests
                .iter()
                .position(|m| m.shard.is_some_and(|s| s.index == k));
            match given {
                Some(i) => format!(
                    "shard {k}/{count} in {} has {n} unfinished point(s) (resume it)",
                    dirs[i].display()
                ),
                None => format!("shard {k}/{count} is missing ({n} point(s))"),
            }
        })
        .collect();
    format!(
        "{} of {} points are not finished in any of the directories (first: point {}): {}",
        missing.len(),
        manifests.first().map_or(0, |m| m.points),
        missing.first().copied().unwrap_or(0),
        parts.join("; ")
    )
}
