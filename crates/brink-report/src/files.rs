//! Writing the output files of a batch, each one atomically.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::ReportError;
use crate::summary::Summary;
use crate::{html, plot, render};
use brink_mc::Histogram;

/// Names of the files [`write_outputs`] writes, in the order it returns them.
pub const OUTPUT_FILES: [&str; 8] = [
    "summary.json",
    "outcomes.csv",
    "equilibria.csv",
    "final_state.csv",
    "payoffs.csv",
    "outcomes.svg",
    "equilibria.svg",
    crate::html::REPORT_FILE,
];

/// Files [`write_outputs`] adds, after [`OUTPUT_FILES`], when the summary has an
/// equilibrium analysis.
pub const ANALYSIS_FILES: [&str; 4] = ["concepts.csv", "cross.csv", "regret.csv", "deliberate.csv"];

/// Writes `contents` to `path` atomically (see [`crate::fsio::write_atomic`]).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), ReportError> {
    crate::fsio::write_atomic(path, contents).map_err(|e| ReportError::Io {
        action: e.action,
        path: e.path,
        source: e.source,
    })
}

/// Checks that `dir` can hold outputs before anything is computed: creates it if
/// missing and creates and removes a temporary file in it.
///
/// # Errors
///
/// [`ReportError::NotADirectory`] if `dir` is a file; [`ReportError::Io`] if it
/// cannot be created or written.
pub fn prepare_output_dir(dir: &Path) -> Result<(), ReportError> {
    if dir.exists() && !dir.is_dir() {
        return Err(ReportError::NotADirectory {
            path: dir.to_owned(),
        });
    }
    let io = |action| {
        move |source| ReportError::Io {
            action,
            path: dir.to_owned(),
            source,
        }
    };
    fs::create_dir_all(dir).map_err(io("cannot create output directory"))?;
    tempfile::Builder::new()
        .prefix(".probe.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io("cannot write in output directory"))?;
    Ok(())
}

/// Writes `summary.json`, `outcomes.csv`, `equilibria.csv`, `outcomes.svg`,
/// `equilibria.svg` and `report.html` (see [`OUTPUT_FILES`]; the report draws the
/// final-state `histograms` of bounded variables, in scenario order), and with an
/// analysis the [`ANALYSIS_FILES`], into `dir`, creating it and its parents
/// if missing, each file atomically (see [`write_atomic`]); existing files are
/// replaced. Returns the paths written, in that order.
///
/// Errors name the path and the operating-system error in one line, e.g.
/// `cannot write out/summary.json: No space left on device (os error 28)`. All
/// contents are rendered before the first file is written, so a rendering error
/// leaves the directory untouched; an I/O error part way leaves earlier files
/// written and later ones as they were.
pub fn write_outputs(
    dir: &Path,
    summary: &Summary,
    histograms: &[Option<&Histogram>],
) -> Result<Vec<PathBuf>, ReportError> {
    let mut contents: Vec<String> = vec![
        render::json(summary),
        render::outcomes_csv(summary),
        render::equilibria_csv(summary),
        render::final_state_csv(summary),
        render::payoffs_csv(summary),
        plot::outcomes_svg(summary)?,
        plot::equilibria_svg(summary)?,
        html::run_report(summary, histograms),
    ];
    let mut names: Vec<&str> = OUTPUT_FILES.to_vec();
    if summary.analysis.is_some() {
        contents.extend([
            render::concepts_csv(summary),
            render::cross_csv(summary),
            render::regret_csv(summary),
            render::deliberate_csv(summary),
        ]);
        names.extend(ANALYSIS_FILES);
    }
    prepare_output_dir(dir)?;
    let mut written = Vec::with_capacity(OUTPUT_FILES.len());
    for (name, text) in names.iter().zip(&contents) {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    sync_dir(dir).map_err(|source| ReportError::Io {
        action: "cannot sync output directory",
        path: dir.to_owned(),
        source,
    })?;
    Ok(written)
}

/// Makes the renames durable (Unix); a no-op elsewhere.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{aggregate, label, meta};

    fn summary() -> Summary {
        Summary::new(&meta(1000), &aggregate(), label).unwrap()
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_all_files_into_a_new_nested_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/out");
        let s = summary();
        let paths = write_outputs(&dir, &s, &[]).unwrap();
        let expected: Vec<PathBuf> = OUTPUT_FILES.iter().map(|n| dir.join(n)).collect();
        assert_eq!(paths, expected);
        assert_eq!(fs::read_to_string(&paths[0]).unwrap(), render::json(&s));
        assert_eq!(
            fs::read_to_string(&paths[1]).unwrap(),
            render::outcomes_csv(&s)
        );
        assert_eq!(
            fs::read_to_string(&paths[2]).unwrap(),
            render::equilibria_csv(&s)
        );
        assert_eq!(
            fs::read_to_string(&paths[3]).unwrap(),
            render::final_state_csv(&s)
        );
        assert_eq!(
            fs::read_to_string(&paths[4]).unwrap(),
            render::payoffs_csv(&s)
        );
        assert!(fs::read_to_string(&paths[5]).unwrap().starts_with("<svg"));
        assert!(
            fs::read_to_string(&paths[6])
                .unwrap()
                .contains("(hold, hold)")
        );
        // Nothing else, in particular no temporary files.
        let mut want: Vec<String> = OUTPUT_FILES.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(names_in(&dir), want);
    }

    #[test]
    fn existing_files_are_replaced_and_no_temp_files_remain() {
        let tmp = tempfile::tempdir().unwrap();
        let json = tmp.path().join("summary.json");
        fs::write(
            &json,
            "old contents that are much longer than nothing at all ".repeat(100),
        )
        .unwrap();
        fs::write(tmp.path().join("notes.txt"), "keep me").unwrap();
        let s = summary();
        write_outputs(tmp.path(), &s, &[]).unwrap();
        write_outputs(tmp.path(), &s, &[]).unwrap();
        assert_eq!(fs::read_to_string(&json).unwrap(), render::json(&s));
        assert_eq!(
            fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
            "keep me"
        );
        let names = names_in(tmp.path());
        assert_eq!(names.len(), OUTPUT_FILES.len() + 1, "{names:?}");
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn a_regular_file_as_directory_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("results");
        fs::write(&file, "not a directory").unwrap();
        let err = write_outputs(&file, &summary(), &[]).unwrap_err();
        assert!(matches!(err, ReportError::NotADirectory { .. }), "{err:?}");
        let msg = err.to_string();
        assert_eq!(
            msg,
            format!(
                "cannot use {} as output directory: it exists and is not a directory",
                file.display()
            )
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "not a directory");
        // A regular file further up the path: creating the directory fails, and
        // the message names the directory and the OS error.
        let err = write_outputs(&file.join("sub"), &summary(), &[]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!(
                "cannot create output directory {}: ",
                file.join("sub").display()
            )),
            "{msg}"
        );
        assert!(msg.contains("os error"), "{msg}");
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn an_unreplaceable_target_fails_cleanly_without_leftovers() {
        // A directory where outcomes.csv should go: the rename over it fails.
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("outcomes.csv")).unwrap();
        fs::write(tmp.path().join("outcomes.csv/inside"), "x").unwrap();
        let err = write_outputs(tmp.path(), &summary(), &[]).unwrap_err();
        let msg = err.to_string();
        let target = tmp.path().join("outcomes.csv");
        assert!(
            msg.starts_with(&format!("cannot replace {}: ", target.display())),
            "{msg}"
        );
        assert!(msg.contains("os error"), "{msg}");
        // summary.json was written before the failure; no temporary file is left.
        assert_eq!(names_in(tmp.path()), ["outcomes.csv", "summary.json"]);
        assert!(target.is_dir());
    }

    #[test]
    fn write_atomic_replaces_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("x.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(names_in(tmp.path()), ["x.txt"]);
    }
}
