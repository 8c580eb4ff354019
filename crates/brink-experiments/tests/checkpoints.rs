//! A sweep checkpoints each point as soon as its last chunk finishes, not at the end
//! of a wave of up to 64 points: a kill loses only the points in flight.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use brink_experiments::design::{DesignKind, ParamRange};
use brink_experiments::sweep::{self, SweepLock, SweepRequest, setup};

#[test]
fn each_point_is_on_disk_when_the_next_one_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/stag_hunt.toml");
    let request = SweepRequest {
        scenario,
        params: vec![ParamRange::parse("lambda=0.5..5").unwrap()],
        kind: DesignKind::Lhs,
        points: 12,
        runs: 20, // one chunk per point: all 12 points fall in one wave
        seed: 1,
        set: Vec::new(),
        shard: None,
    };
    let manifest = setup::plan(&request).unwrap();
    let lock = SweepLock::acquire(tmp.path()).unwrap();
    let calls = AtomicUsize::new(0);
    let min_on_disk = AtomicUsize::new(usize::MAX);
    let points_dir = tmp.path().join("points");
    // One thread: chunks finish one after another. When chunk k (0-based) reports
    // progress, the k points before it must already be checkpointed.
    let progress = |_runs: u64| {
        let k = calls.fetch_add(1, Ordering::SeqCst);
        let on_disk = std::fs::read_dir(&points_dir)
            .unwrap()
            .filter(|e| {
                !e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count();
        assert!(on_disk >= k, "chunk {k}: only {on_disk} points on disk");
        min_on_disk.fetch_min(on_disk.saturating_sub(k), Ordering::SeqCst);
    };
    let done = sweep::run_sweep(&lock, &manifest, false, Some(1), &progress).unwrap();
    assert_eq!(done.computed, 12);
    assert_eq!(calls.load(Ordering::SeqCst), 12);
    assert_eq!(min_on_disk.load(Ordering::SeqCst), 0);
}
