//! From a request (scenario file, ranges, design, runs, seed) to a [`Manifest`], and
//! from a finished sweep directory to its outputs with sensitivity indices: the steps
//! around [`super::run_sweep`] that the `brink sweep` and `brink merge` commands take.

use std::path::{Path, PathBuf};

use brink_core::CompiledScenario;
use brink_core::scenario::{self, ScenarioError};
use brink_report::ReportError;

use super::outputs::{Analysis, AnalysisError, Responses, SweepOutputs, write_sweep_outputs};
use super::{Manifest, SWEEP_FORMAT, Shard, SweepError, points_sha256, sha256_hex};
use crate::design::{DesignError, DesignKind, DesignSpec, DesignStructure, ParamRange};
use crate::sensitivity;

/// Bootstrap resamples for the confidence intervals of sensitivity indices.
pub const BOOTSTRAP: usize = 1000;

/// What to sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRequest {
    /// Scenario file.
    pub scenario: PathBuf,
    /// Swept parameters; empty: every scenario parameter with a declared range.
    pub params: Vec<ParamRange>,
    /// Sampling design.
    pub kind: DesignKind,
    /// Design size (see [`DesignSpec::new`]).
    pub points: usize,
    /// Runs per point.
    pub runs: u64,
    /// Master seed (also the design's seed).
    pub seed: u64,
    /// Fixed overrides applied at every point.
    pub set: Vec<(String, f64)>,
    /// The shard to compute, if any.
    pub shard: Option<Shard>,
}

/// Why a sweep could not be set up or its outputs written.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The scenario file could not be read.
    #[error("{}: cannot read the scenario file: {source}", path.display())]
    ReadScenario {
        /// The scenario file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The scenario file is not the one the sweep was made from.
    #[error("{}: the scenario file changed since the sweep was made", path.display())]
    ScenarioChanged {
        /// The scenario file.
        path: PathBuf,
    },
    /// The scenario does not compile.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// No range was given and the scenario declares none.
    #[error("{}: no parameter has a declared range", path.display())]
    NoRangedParameter {
        /// The scenario file.
        path: PathBuf,
    },
    /// A swept parameter is not in the scenario.
    #[error("the scenario has no parameter `{name}`")]
    UnknownParameter {
        /// The parameter's name.
        name: String,
    },
    /// A swept range leaves the parameter's declared range.
    #[error("{}..{} leaves the parameter's declared range [{lo}, {hi}]", range.lo, range.hi)]
    OutsideDeclaredRange {
        /// The swept range.
        range: ParamRange,
        /// The declared lower bound.
        lo: f64,
        /// The declared upper bound.
        hi: f64,
    },
    /// The design is invalid.
    #[error("{0}")]
    Design(DesignError),
    /// Zero runs per point.
    #[error("the number of runs per point must be at least 1")]
    NoRuns,
    /// The outputs could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// The manifest of the sweep `request` asks for, after checking the scenario, the
/// ranges (within any declared range) and the design; errors come in the order the
/// checks are made.
pub fn plan(request: &SweepRequest) -> Result<Manifest, SetupError> {
    let path = &request.scenario;
    let text = std::fs::read(path).map_err(|source| SetupError::ReadScenario {
        path: path.clone(),
        source,
    })?;
    let base = scenario::load(path, &request.set)?;
    let ranges = swept_ranges(&base, path, &request.params)?;
    let design = DesignSpec::new(request.kind, &ranges, request.points, request.seed)
        .map_err(SetupError::Design)?;
    let points = design.num_points().map_err(SetupError::Design)?;
    let manifest = Manifest {
        format_version: brink_report::summary::FORMAT_VERSION,
        format: SWEEP_FORMAT,
        brink_version: env!("CARGO_PKG_VERSION").to_owned(),
        scenario_path: path.display().to_string(),
        scenario_name: base.name.clone(),
        scenario_sha256: sha256_hex(&text),
        seed: request.seed,
        runs: request.runs,
        base_overrides: request.set.clone(),
        parameters: ranges.iter().map(|r| r.name.clone()).collect(),
        points_sha256: points_sha256(&design).map_err(SetupError::Design)?,
        design,
        points,
        shard: request.shard,
    };
    if request.runs == 0 {
        return Err(SetupError::NoRuns);
    }
    Ok(manifest)
}

/// The ranges to sweep: those given, each checked against the scenario, or (none
/// given) every parameter's declared range.
fn swept_ranges(
    base: &CompiledScenario,
    path: &Path,
    given: &[ParamRange],
) -> Result<Vec<ParamRange>, SetupError> {
    let ranges = if given.is_empty() {
        let from_file: Vec<ParamRange> = base
            .parameters
            .iter()
            .filter_map(|p| {
                p.range.map(|(lo, hi)| ParamRange {
                    name: p.name.clone(),
                    lo,
                    hi,
                    log: false,
                })
            })
            .collect();
        if from_file.is_empty() {
            return Err(SetupError::NoRangedParameter {
                path: path.to_owned(),
            });
        }
        from_file
    } else {
        given.to_vec()
    };
    for r in &ranges {
        let p = base
            .parameter(&r.name)
            .ok_or_else(|| SetupError::UnknownParameter {
                name: r.name.clone(),
            })?;
        if let Some((lo, hi)) = base.parameters[p].range
            && (r.lo < lo || r.hi > hi)
        {
            return Err(SetupError::OutsideDeclaredRange {
                range: r.clone(),
                lo,
                hi,
            });
        }
    }
    Ok(ranges)
}

/// Runs of `manifest` that its shard computes (all points without a shard).
pub fn owned_runs(manifest: &Manifest) -> u64 {
    let owned = (0..manifest.points)
        .filter(|&p| manifest.shard.is_none_or(|s| s.owns(p)))
        .count() as u64;
    owned * manifest.runs
}

/// Checks that the manifest's scenario file is still the one the sweep was made from.
pub fn check_scenario_file(manifest: &Manifest) -> Result<(), SetupError> {
    let path = Path::new(&manifest.scenario_path);
    let text = std::fs::read(path).map_err(|source| SetupError::ReadScenario {
        path: path.to_owned(),
        source,
    })?;
    if sha256_hex(&text) != manifest.scenario_sha256 {
        return Err(SetupError::ScenarioChanged {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// What replaying a run of one point of a sweep needs (see [`point_run`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PointRun {
    /// The scenario file, as the sweep named it.
    pub scenario: PathBuf,
    /// The parameter values of the point (base overrides and swept values).
    pub overrides: Vec<(String, f64)>,
    /// The sweep's master seed.
    pub seed: u64,
}

/// Why [`point_run`] failed.
#[derive(Debug, thiserror::Error)]
pub enum PointRunError {
    /// The sweep has no such point; the caller names its own setting.
    #[error("the sweep in {} has points 0..{points}", .dir.display())]
    NoSuchPoint {
        /// The sweep directory.
        dir: PathBuf,
        /// How many points it has.
        points: usize,
    },
    /// The manifest could not be read, or the point's values computed.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// The scenario file is unreadable or changed since the sweep.
    #[error(transparent)]
    Setup(#[from] SetupError),
}

/// The scenario file, overrides and seed of point `point` of the sweep in `dir`
/// (`brink replay --from DIR --point P` and the Python `brink.replay(sweep=...)`),
/// after checking that the scenario file is still the one swept.
pub fn point_run(dir: &Path, point: usize) -> Result<PointRun, PointRunError> {
    let manifest = super::read_manifest(dir)?;
    if point >= manifest.points {
        return Err(PointRunError::NoSuchPoint {
            dir: dir.to_owned(),
            points: manifest.points,
        });
    }
    check_scenario_file(&manifest)?;
    Ok(PointRun {
        scenario: PathBuf::from(&manifest.scenario_path),
        overrides: manifest.overrides(point)?,
        seed: manifest.seed,
    })
}

/// Writes points.csv and summary.json (with sensitivity indices for Sobol and Morris
/// designs) from a complete sweep directory; returns the paths written.
pub fn finish(dir: &Path, manifest: &Manifest) -> Result<SweepOutputs, SetupError> {
    check_scenario_file(manifest)?;
    let path = Path::new(&manifest.scenario_path);
    let base = scenario::load(path, &manifest.base_overrides)?;
    let seed = manifest.seed;
    let outcome_names: Vec<String> = base.outcomes.iter().map(|o| o.name.clone()).collect();
    // Sensitivity indices (Sobol', Morris designs only) need every point's outcome
    // frequencies and the design's points at once: about points × (outcomes + 2 d)
    // f64 for d parameters, built only after the per-point outputs are streamed.
    let analyse = |responses: &Responses| -> Result<Option<serde_json::Value>, AnalysisError> {
        let design = manifest.design.design()?;
        let mut out = serde_json::Map::new();
        for (name, y) in outcome_names.iter().zip(responses) {
            let value = match design.structure {
                DesignStructure::Saltelli { .. } => {
                    serde_json::to_value(sensitivity::sobol_indices(&design, y, BOOTSTRAP, seed)?)
                }
                DesignStructure::Morris { .. } => {
                    serde_json::to_value(sensitivity::morris_indices(&design, y, BOOTSTRAP, seed)?)
                }
                DesignStructure::Plain => return Ok(None),
            };
            out.insert(name.clone(), value?);
        }
        Ok(Some(serde_json::Value::Object(out)))
    };
    let analyse = match manifest.design.structure() {
        DesignStructure::Plain => None,
        _ => Some(&analyse as &Analysis),
    };
    Ok(write_sweep_outputs(dir, manifest, &base, analyse)?)
}
