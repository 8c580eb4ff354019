//! Parameter sweeps: many points × many runs, checkpointed point by point, shardable,
//! resumable, and byte-identical however they were split or interrupted.
//!
//! A sweep directory holds `manifest.json` (what the sweep is: scenario file and its
//! SHA-256, brink version, seed, runs, parameter names, the design's [`DesignSpec`] and
//! number of points, shard) and
//! `points/NNNNNN.json`, one file per finished point with its [`BatchAggregate`],
//! written atomically. Every point is computed by the same code path whatever the
//! shard, thread count or interruption — run `i` of every point uses the same random
//! streams (common random numbers) and chunk aggregates are merged in chunk order, so
//! a point's aggregate equals that of `brink run --seed S --set ...` for the same
//! values — and the final outputs are assembled from the point files in point order.
//! So a resumed, sharded-and-merged or uninterrupted sweep produce the same bytes.
//!
//! Memory is bounded whatever the number of points and runs per point: the manifest
//! holds the design's spec, not its points, and point `p`'s values are regenerated on
//! demand by a [`Sampler`] (a Latin hypercube keeps its permutations, 4 bytes per
//! point and parameter: inherent to drawing one); a wave is at most [`WAVE_CHUNKS`]
//! chunks of at most [`MAX_POINTS_IN_FLIGHT`] points, a point of more chunks than a
//! wave carrying only its running aggregate from wave to wave; finished points go to
//! disk; the points still to do are found lazily, in order, from the disk.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use brink_core::scenario::{self, ScenarioError};
use brink_core::{CompiledScenario, Engine};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use brink_mc::{
    BatchAggregate, CHUNK_RUNS, McError, WAVE_CHUNKS, chunk_aggregate, empty_aggregate, thread_pool,
};
use brink_report::fsio::{self, IoError};

use crate::design::{DesignError, DesignSpec, Sampler};

mod checkpoint;
mod lock;
pub mod merge;
pub mod outputs;
pub mod setup;

pub use checkpoint::{manifest_path, point_path, read_manifest, read_point};
use checkpoint::{point_finished, prepare, write_point};
pub use lock::{LOCK_FILE, SweepLock};
pub use outputs::{
    Analysis, AnalysisError, Responses, SWEEP_FILES, SweepOutputs, write_sweep_outputs,
};
pub use setup::{SetupError, SweepRequest};

/// Layout version of sweep directories. Version 2 records the design as a
/// [`DesignSpec`] and the number of points, where version 1 recorded every point.
pub const SWEEP_FORMAT: u32 = 2;

/// At most this many points are computed at once.
pub const MAX_POINTS_IN_FLIGHT: usize = 64;

/// One of `count` slices of a sweep: the points `p` with `p % count == index - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` (1 ≤ K ≤ N).
    pub fn parse(s: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError(s.to_owned());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether point `p` belongs to this shard.
    pub fn owns(&self, p: usize) -> bool {
        p % self.count as usize == (self.index - 1) as usize
    }
}

/// A shard that is not `K/N` with `1 <= K <= N` (holds the text as given).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}`: expected K/N with 1 <= K <= N, e.g. 2/3")]
pub struct ShardError(pub String);

/// Why a manifest is inconsistent ([`Manifest::check`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The recorded design is not a valid design.
    #[error(transparent)]
    Design(#[from] DesignError),
    /// The design's size is not the recorded number of points.
    #[error("the design has {design} points, the manifest says {manifest}")]
    Points {
        /// Points of the design.
        design: usize,
        /// Points the manifest records.
        manifest: usize,
    },
    /// The swept parameters are not the names of the design's ranges.
    #[error("the swept parameters are not the design's")]
    Parameters,
}

/// A field of the manifest in which two sweeps differ ([`Manifest::same_sweep`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestField {
    /// `format`.
    #[error("format")]
    Format,
    /// `brink_version`.
    #[error("brink version")]
    BrinkVersion,
    /// `scenario_sha256`.
    #[error("scenario file contents (SHA-256)")]
    ScenarioContents,
    /// `scenario_name`.
    #[error("scenario name")]
    ScenarioName,
    /// `seed`.
    #[error("seed")]
    Seed,
    /// `runs`.
    #[error("runs per point")]
    Runs,
    /// `base_overrides`.
    #[error("base parameter values")]
    BaseOverrides,
    /// `parameters`.
    #[error("swept parameters")]
    Parameters,
    /// `design`.
    #[error("design")]
    Design,
    /// `points`.
    #[error("number of points")]
    Points,
    /// `points_sha256`.
    #[error("design's points (SHA-256)")]
    PointsHash,
}

/// What a sweep is; recorded in `manifest.json` so results can be audited and a
/// resumed or merged sweep can be checked to be the same sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The JSON convention of every brink output, `brink_report::summary::FORMAT_VERSION`
    /// (0 when read from a manifest written before the field existed). Not compared on
    /// resume or merge: `format` is the layout of the sweep directory.
    #[serde(default)]
    pub format_version: u32,
    /// [`SWEEP_FORMAT`].
    pub format: u32,
    /// brink version that made the sweep.
    pub brink_version: String,
    /// Scenario file as given by the user.
    pub scenario_path: String,
    /// Scenario name.
    pub scenario_name: String,
    /// SHA-256 of the scenario file's bytes (hex).
    pub scenario_sha256: String,
    /// Master seed (a string in JSON; a number is read too).
    #[serde(with = "brink_report::seed_json")]
    pub seed: u64,
    /// Runs per point.
    pub runs: u64,
    /// `--set` values applied at every point (before the point's own values).
    pub base_overrides: Vec<(String, f64)>,
    /// Names of the swept parameters (the names of `design.ranges`).
    pub parameters: Vec<String>,
    /// The design (kind, size, seed, ranges, Morris levels): the points are
    /// regenerated from it ([`Manifest::sampler`]), never stored.
    pub design: DesignSpec,
    /// Number of points of the design.
    pub points: usize,
    /// [`points_sha256`] of the design: the points are not stored, so this is what
    /// tells a brink that draws the design differently from the one that made the
    /// sweep (checked on resume, merge and when the outputs are written).
    pub points_sha256: String,
    /// The shard this directory computes, if any.
    pub shard: Option<Shard>,
}

impl Manifest {
    /// Checks that the manifest is consistent: a valid design of `points` points over
    /// the parameters `parameters`.
    pub fn check(&self) -> Result<(), ManifestError> {
        let n = self.design.num_points()?;
        if n != self.points {
            return Err(ManifestError::Points {
                design: n,
                manifest: self.points,
            });
        }
        if !self
            .design
            .ranges
            .iter()
            .map(|r| &r.name)
            .eq(self.parameters.iter())
        {
            return Err(ManifestError::Parameters);
        }
        Ok(())
    }

    /// A sampler of the sweep's design, for [`Manifest::point_overrides`].
    pub fn sampler(&self) -> Result<Sampler, SweepError> {
        self.design
            .sampler()
            .map_err(|e| SweepError::Refused(format!("the sweep's design: {e}")))
    }

    /// The overrides of point `p`: the base values, then the point's own (from
    /// `sampler`, made by [`Manifest::sampler`]).
    pub fn point_overrides(&self, sampler: &mut Sampler, p: usize) -> Vec<(String, f64)> {
        let mut o = self.base_overrides.clone();
        o.extend(self.parameters.iter().cloned().zip(sampler.values(p)));
        o
    }

    /// The overrides of point `p`, for a one-off look-up: builds a sampler each call
    /// (a Latin hypercube's permutations), so use [`Manifest::point_overrides`] for
    /// many points.
    pub fn overrides(&self, p: usize) -> Result<Vec<(String, f64)>, SweepError> {
        if p >= self.points {
            return Err(SweepError::Refused(format!(
                "point {p}: the sweep has points 0..{}",
                self.points
            )));
        }
        Ok(self.point_overrides(&mut self.sampler()?, p))
    }

    /// Ok if `other` describes the same sweep (the shard may differ); otherwise which
    /// field differs.
    pub fn same_sweep(&self, other: &Manifest) -> Result<(), ManifestField> {
        use ManifestField as F;
        let fields: [(F, bool); 11] = [
            (F::Format, self.format == other.format),
            (F::BrinkVersion, self.brink_version == other.brink_version),
            (
                F::ScenarioContents,
                self.scenario_sha256 == other.scenario_sha256,
            ),
            (F::ScenarioName, self.scenario_name == other.scenario_name),
            (F::Seed, self.seed == other.seed),
            (F::Runs, self.runs == other.runs),
            (
                F::BaseOverrides,
                self.base_overrides == other.base_overrides,
            ),
            (F::Parameters, self.parameters == other.parameters),
            (F::Design, self.design == other.design),
            (F::Points, self.points == other.points),
            (F::PointsHash, self.points_sha256 == other.points_sha256),
        ];
        match fields.iter().find(|(_, same)| !same) {
            None => Ok(()),
            Some(&(field, _)) => Err(field),
        }
    }
}

/// SHA-256 of the parameter values of every point of `design`, in point order, each
/// value as its 8 little-endian IEEE-754 bytes (lowercase hex). One pass over the
/// design through a [`Sampler`]; memory does not grow with the points.
pub fn points_sha256(design: &DesignSpec) -> Result<String, DesignError> {
    let mut sampler = design.sampler()?;
    let mut hash = PointsHasher::new(design.dim());
    for p in 0..sampler.len() {
        hash.add(&mut sampler, p);
    }
    Ok(hash.finish())
}

/// Computes [`points_sha256`] point by point, for code that visits the points anyway.
pub struct PointsHasher {
    hash: Sha256,
    values: Vec<f64>,
}

impl PointsHasher {
    /// A hasher of points of `dim` parameters.
    pub fn new(dim: usize) -> PointsHasher {
        PointsHasher {
            hash: Sha256::new(),
            values: vec![0.0; dim],
        }
    }

    /// Adds point `p` (the next one in order) and returns its values.
    pub fn add(&mut self, sampler: &mut Sampler, p: usize) -> &[f64] {
        sampler.point(p, &mut self.values);
        for v in &self.values {
            self.hash.update(v.to_le_bytes());
        }
        &self.values
    }

    /// The digest, as lowercase hex.
    pub fn finish(self) -> String {
        hex(&self.hash.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Why a sweep could not be run, resumed or merged.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The scenario did not compile at a point.
    #[error("point {point}: {error}")]
    Scenario {
        /// Point index.
        point: usize,
        /// The compiler's error.
        error: ScenarioError,
    },
    /// The request conflicts with what is on disk (e.g. resuming a different sweep).
    #[error("{0}")]
    Refused(String),
    /// The batch runner failed to start.
    #[error(transparent)]
    Runner(#[from] McError),
    /// The manifest is inconsistent.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Resuming a sweep that differs from the one recorded in its directory.
    #[error(
        "cannot resume the sweep in {}: the {field} differ from the recorded sweep; start a new sweep in another directory",
        dir.display()
    )]
    ResumeMismatch {
        /// The sweep directory.
        dir: PathBuf,
        /// The first field that differs.
        field: ManifestField,
    },
    /// Merging sweeps that are not the same sweep.
    #[error("cannot merge {} with {}: the {field} differ", dir.display(), first.display())]
    MergeMismatch {
        /// The directory that differs.
        dir: PathBuf,
        /// The first directory, which the others are compared with.
        first: PathBuf,
        /// The first field that differs.
        field: ManifestField,
    },
    /// A new sweep was asked for in a directory that holds one (resume it instead).
    #[error("{} already holds a sweep", dir.display())]
    Occupied {
        /// The sweep directory.
        dir: PathBuf,
    },
    /// A merge found a point finished in none of the shard directories.
    #[error("point {point} is not finished in any of the directories")]
    Unfinished {
        /// The point.
        point: usize,
    },
    /// Another process holds the sweep directory's lock ([`SweepLock`]).
    #[error(
        "{} is in use by another brink process{}; wait for it to finish or stop it",
        dir.display(),
        pid.map_or(String::new(), |p| format!(" (pid {p})"))
    )]
    Locked {
        /// The sweep directory.
        dir: PathBuf,
        /// The holder's process id, if it had written it yet.
        pid: Option<u32>,
    },
}

/// The error of `action` on `path`, for `map_err`.
fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + use<> {
    let path = path.to_owned();
    move |source| {
        SweepError::Io(IoError {
            action,
            path,
            source,
        })
    }
}

/// What [`run_sweep`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepProgress {
    /// Points computed now.
    pub computed: usize,
    /// Points found finished on disk (resume) and skipped.
    pub skipped: usize,
}

/// Computes every point of `manifest` that belongs to its shard and is not finished
/// in the locked directory `dir`, writing each point's aggregate atomically as soon as it is done.
/// `progress` is called with the runs each finished chunk played.
///
/// Points are taken in increasing order; each wave plays at most [`WAVE_CHUNKS`]
/// chunks (of at most [`MAX_POINTS_IN_FLIGHT`] points) in parallel, and each point's
/// chunk aggregates are merged in chunk order, whatever waves they fell in, exactly as
/// [`brink_mc::run_batch`] merges them. Memory does not grow with the number of points
/// nor with the runs per point.
pub fn run_sweep(
    lock: &SweepLock,
    manifest: &Manifest,
    resume: bool,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SweepProgress, SweepError> {
    let dir = lock.dir();
    manifest.check()?;
    prepare(dir, manifest, resume)?;
    let mut sampler = manifest.sampler()?;
    let path = Path::new(&manifest.scenario_path);
    let chunks = manifest.runs.div_ceil(CHUNK_RUNS).max(1);
    let pool = thread_pool(threads).map_err(SweepError::Runner)?;

    /// A point being computed: its scenario, the aggregate of its chunks merged so
    /// far, and how many of its chunks have been handed to a wave.
    struct InFlight {
        point: usize,
        scenario: Arc<CompiledScenario>,
        total: BatchAggregate,
        scheduled: u64,
    }
    let mut mine = (0..manifest.points).filter(|&p| manifest.shard.is_none_or(|s| s.owns(p)));
    let mut done = SweepProgress {
        computed: 0,
        skipped: 0,
    };
    // At most one point (the last) is in flight between waves: the others of a wave
    // are checkpointed as each finishes.
    let mut flight: VecDeque<InFlight> = VecDeque::new();
    loop {
        let mut units: Vec<(usize, u64)> = Vec::with_capacity(WAVE_CHUNKS as usize);
        let mut slot = 0;
        while (units.len() as u64) < WAVE_CHUNKS {
            if slot == flight.len() {
                if flight.len() >= MAX_POINTS_IN_FLIGHT {
                    break;
                }
                let Some(p) = mine.by_ref().find(|&p| {
                    let finished = point_finished(dir, p);
                    done.skipped += usize::from(finished);
                    !finished
                }) else {
                    break;
                };
                let scenario = scenario::load(path, &manifest.point_overrides(&mut sampler, p))
                    .map(Arc::new)
                    .map_err(|error| SweepError::Scenario { point: p, error })?;
                flight.push_back(InFlight {
                    point: p,
                    total: empty_aggregate(&scenario),
                    scenario,
                    scheduled: 0,
                });
            }
            let f = &mut flight[slot];
            let take = (chunks - f.scheduled).min(WAVE_CHUNKS - units.len() as u64);
            units.extend((f.scheduled..f.scheduled + take).map(|c| (slot, c)));
            f.scheduled += take;
            slot += 1;
        }
        if units.is_empty() {
            break;
        }
        // Each point is checkpointed by the worker that finishes its last chunk, as
        // soon as it is done: a kill loses only the points still in flight.
        let wave = Wave::new(&units, flight.len());
        pool.install(|| {
            units.par_iter().for_each(|&(slot, chunk)| {
                let f = &flight[slot];
                let mut engine = Engine::new(f.scenario.clone());
                let agg = chunk_aggregate(&mut engine, manifest.seed, chunk, manifest.runs);
                progress(agg.runs);
                if let Some(parts) = wave.finish_chunk(slot, chunk, agg)
                    && f.scheduled == chunks
                {
                    let mut total = f.total.clone();
                    parts.iter().for_each(|(_, part)| total.merge(part));
                    wave.record(write_point(dir, f.point, &total).map(|()| slot));
                }
            });
        });
        let (written, parts) = wave.into_results()?;
        done.computed += written.len();
        for (slot, slot_parts) in parts.into_iter().enumerate() {
            if !written.contains(&slot) {
                slot_parts
                    .iter()
                    .for_each(|(_, part)| flight[slot].total.merge(part));
            }
        }
        // Written points are the finished ones: all but possibly the last.
        flight.retain(|f| f.scheduled < chunks);
    }
    Ok(done)
}

/// The chunks of one wave as they finish: per point, the chunk aggregates in
/// chunk order once the point's last chunk of the wave is in, and which points
/// were checkpointed (or the first error).
struct Wave {
    pending: Vec<std::sync::atomic::AtomicUsize>,
    parts: Vec<std::sync::Mutex<Vec<(u64, BatchAggregate)>>>,
    results: std::sync::Mutex<Result<Vec<usize>, SweepError>>,
}

impl Wave {
    fn new(units: &[(usize, u64)], slots: usize) -> Wave {
        let mut count = vec![0usize; slots];
        units.iter().for_each(|&(slot, _)| count[slot] += 1);
        Wave {
            pending: count.into_iter().map(Into::into).collect(),
            parts: (0..slots).map(|_| Default::default()).collect(),
            results: std::sync::Mutex::new(Ok(Vec::new())),
        }
    }

    /// Records a finished chunk; if it was the slot's last of the wave, returns the
    /// slot's aggregates in chunk order.
    fn finish_chunk(
        &self,
        slot: usize,
        chunk: u64,
        agg: BatchAggregate,
    ) -> Option<Vec<(u64, BatchAggregate)>> {
        let mut parts = self.parts[slot].lock().expect("no panics while held");
        parts.push((chunk, agg));
        if self.pending[slot].fetch_sub(1, std::sync::atomic::Ordering::AcqRel) != 1 {
            return None;
        }
        parts.sort_by_key(|&(c, _)| c);
        Some(parts.clone())
    }

    fn record(&self, r: Result<usize, SweepError>) {
        let mut results = self.results.lock().expect("no panics while held");
        match (&mut *results, r) {
            (Ok(slots), Ok(slot)) => slots.push(slot),
            (Ok(_), Err(e)) => *results = Err(e),
            (Err(_), _) => {}
        }
    }

    /// The checkpointed slots and every slot's aggregates in chunk order.
    #[allow(clippy::type_complexity)]
    fn into_results(self) -> Result<(Vec<usize>, Vec<Vec<(u64, BatchAggregate)>>), SweepError> {
        let written = self.results.into_inner().expect("no panics while held")?;
        let parts = self
            .parts
            .into_iter()
            .map(|m| {
                let mut v = m.into_inner().expect("no panics while held");
                v.sort_by_key(|&(c, _)| c);
                v
            })
            .collect();
        Ok((written, parts))
    }
}

/// Combines shard directories into the locked directory `out`: checks they hold the same sweep, that every
/// point is finished in one of them (identical where several have it), copies the
/// point files and writes an unsharded manifest. Returns the merged manifest.
pub fn merge(dirs: &[PathBuf], lock: &SweepLock) -> Result<Manifest, SweepError> {
    let out = lock.dir();
    let Some(first) = dirs.first() else {
        return Err(SweepError::Refused(
            "merge needs at least one sweep directory".into(),
        ));
    };
    let manifests: Vec<Manifest> = dirs
        .iter()
        .map(|d| read_manifest(d))
        .collect::<Result<_, _>>()?;
    for (d, m) in dirs.iter().zip(&manifests).skip(1) {
        manifests[0]
            .same_sweep(m)
            .map_err(|field| SweepError::MergeMismatch {
                dir: d.clone(),
                first: first.to_path_buf(),
                field,
            })?;
    }
    let mut merged = manifests[0].clone();
    merged.shard = None;
    prepare(out, &merged, manifest_path(out).exists())?;
    let mut missing = Vec::new();
    for p in 0..merged.points {
        let mut found: Option<Vec<u8>> = None;
        for d in dirs {
            let path = point_path(d, p);
            match std::fs::read(&path) {
                Ok(bytes) => match &found {
                    Some(b) if *b != bytes => {
                        return Err(SweepError::Refused(format!(
                            "point {p} differs between the shard directories ({})",
                            path.display()
                        )));
                    }
                    Some(_) => {}
                    None => found = Some(bytes),
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("cannot read", &path)(e)),
            }
        }
        let Some(bytes) = found else {
            missing.push(p);
            continue;
        };
        let target = point_path(out, p);
        if !target.exists() {
            fsio::write_atomic(&target, &bytes)?;
        }
    }
    if !missing.is_empty() {
        return Err(SweepError::Refused(merge::missing_points(
            dirs, &manifests, &missing,
        )));
    }
    Ok(merged)
}
