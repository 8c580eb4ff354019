//! `brink sweep` and `brink merge`: parameter sweeps over a design, shards,
//! checkpoints and resume.

use std::path::{Path, PathBuf};

use brink_core::scenario::{self, parse_override};
use brink_mc::design::{DesignKind, DesignSpec, DesignStructure, ParamRange};
use brink_mc::sensitivity;
use brink_mc::sweep::{self, Manifest, Shard};
use brink_report::sweep::{Analysis, Responses, write_sweep_outputs};
use clap::ValueEnum;

use crate::progress_bar;

/// Arguments of `brink sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// A swept parameter and its range, NAME=LO..HI or NAME=LO..HI:log (repeatable).
    /// Without any, every scenario parameter with a declared `range` is swept.
    #[arg(long = "param", value_name = "NAME=LO..HI[:log]", value_parser = ParamRange::parse)]
    pub params: Vec<ParamRange>,
    /// Sampling design.
    #[arg(long, value_enum, default_value_t = DesignArg::Lhs)]
    pub design: DesignArg,
    /// Design size: points per axis (grid), points (lhs), base sample N (sobol: N·(d+2)
    /// points), trajectories (morris: r·(d+1) points). Memory does not grow with the
    /// points, except 4 bytes per point and parameter for lhs and, for the sobol and
    /// morris indices at the end, about 8·(outcomes + 2d) bytes per point.
    #[arg(long, default_value_t = 16)]
    pub points: usize,
    /// Runs per point.
    #[arg(short = 'n', long, default_value_t = 1000)]
    pub runs: u64,
    /// Master seed; run i uses the same random streams at every point.
    #[arg(short, long, default_value_t = 2021)]
    pub seed: u64,
    /// Fixed parameter values for every point, e.g. --set oil_squeeze=0.8 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_override)]
    pub set: Vec<(String, f64)>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// Output directory (manifest, per-point checkpoints, points.csv, summary.json).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// Compute only shard K of N (points p with p mod N = K-1); combine with `brink merge`.
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Finish a sweep that was interrupted (its directory must hold the same sweep).
    #[arg(long)]
    pub resume: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Sampling designs.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DesignArg {
    /// Full factorial grid.
    Grid,
    /// Latin hypercube.
    Lhs,
    /// Saltelli sampling of a Sobol sequence (for Sobol indices).
    Sobol,
    /// Morris trajectories (for elementary effects).
    Morris,
}

/// Arguments of `brink merge`.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Shard directories of one sweep.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged sweep.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Bootstrap resamples for the confidence intervals of sensitivity indices.
const BOOTSTRAP: usize = 1000;

/// Runs `brink sweep`.
pub fn sweep(a: SweepArgs) -> Result<(), String> {
    let text = std::fs::read(&a.scenario).map_err(|e| {
        format!(
            "{}: cannot read the scenario file: {e}",
            a.scenario.display()
        )
    })?;
    let base = scenario::load(&a.scenario, &a.set).map_err(|e| e.to_string())?;
    let ranges = if a.params.is_empty() {
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
            return Err(format!(
                "{}: no parameter has a declared range; give --param NAME=LO..HI",
                a.scenario.display()
            ));
        }
        from_file
    } else {
        a.params.clone()
    };
    for r in &ranges {
        let p = base.parameter(&r.name).ok_or_else(|| {
            format!(
                "--param {}: the scenario has no parameter `{}`",
                r.name, r.name
            )
        })?;
        if let Some((lo, hi)) = base.parameters[p].range
            && (r.lo < lo || r.hi > hi)
        {
            return Err(format!(
                "--param {}: {}..{} leaves the parameter's declared range [{lo}, {hi}]",
                r.name, r.lo, r.hi
            ));
        }
    }
    let kind = match a.design {
        DesignArg::Grid => DesignKind::Grid,
        DesignArg::Lhs => DesignKind::Lhs,
        DesignArg::Sobol => DesignKind::Sobol,
        DesignArg::Morris => DesignKind::Morris,
    };
    let design = DesignSpec::new(kind, &ranges, a.points, a.seed)?;
    let points = design.num_points()?;
    let manifest = Manifest {
        format: sweep::SWEEP_FORMAT,
        brink_version: env!("CARGO_PKG_VERSION").to_owned(),
        scenario_path: a.scenario.display().to_string(),
        scenario_name: base.name.clone(),
        scenario_sha256: sweep::sha256_hex(&text),
        seed: a.seed,
        runs: a.runs,
        base_overrides: a.set.clone(),
        parameters: ranges.iter().map(|r| r.name.clone()).collect(),
        points_sha256: sweep::points_sha256(&design)?,
        design,
        points,
        shard: a.shard,
    };
    if a.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    let owned = (0..manifest.points)
        .filter(|&p| a.shard.is_none_or(|s| s.owns(p)))
        .count() as u64;
    let bar = progress_bar(a.quiet, owned * a.runs, &format!("{} sweep", base.name));
    let done = sweep::run_sweep(&a.out, &manifest, a.resume, a.threads, &|n| bar.inc(n))
        .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    eprintln!(
        "{} points computed, {} already finished{}",
        done.computed,
        done.skipped,
        a.shard.map_or(String::new(), |s| format!(
            " (shard {}/{})",
            s.index, s.count
        ))
    );
    if a.shard.is_none() {
        finish(&a.out, &manifest)?;
    } else {
        eprintln!("shard done; combine the shard directories with `brink merge DIR... --out DIR`");
    }
    Ok(())
}

/// Runs `brink merge`.
pub fn merge(a: MergeArgs) -> Result<(), String> {
    let manifest = sweep::merge(&a.dirs, &a.out).map_err(|e| e.to_string())?;
    finish(&a.out, &manifest)
}

/// Writes points.csv and summary.json (with sensitivity indices for Sobol and Morris
/// designs) from a complete sweep directory.
fn finish(dir: &Path, manifest: &Manifest) -> Result<(), String> {
    let path = Path::new(&manifest.scenario_path);
    let text = std::fs::read(path)
        .map_err(|e| format!("{}: cannot read the scenario file: {e}", path.display()))?;
    if sweep::sha256_hex(&text) != manifest.scenario_sha256 {
        return Err(format!(
            "{}: the scenario file changed since the sweep was made",
            path.display()
        ));
    }
    let base = scenario::load(path, &manifest.base_overrides).map_err(|e| e.to_string())?;
    let seed = manifest.seed;
    let outcome_names: Vec<String> = base.outcomes.iter().map(|o| o.name.clone()).collect();
    // Sensitivity indices (Sobol', Morris designs only) need every point's outcome
    // frequencies and the design's points at once: about points × (outcomes + 2 d)
    // f64 for d parameters, built only after the per-point outputs are streamed.
    let analyse = |responses: &Responses| -> Result<Option<serde_json::Value>, String> {
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
            out.insert(name.clone(), value.map_err(|e| e.to_string())?);
        }
        Ok(Some(serde_json::Value::Object(out)))
    };
    let analyse = match manifest.design.structure() {
        DesignStructure::Plain => None,
        _ => Some(&analyse as &Analysis),
    };
    let written = write_sweep_outputs(dir, manifest, &base, analyse).map_err(|e| e.to_string())?;
    for p in written {
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
