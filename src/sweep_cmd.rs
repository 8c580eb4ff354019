//! `brink sweep` and `brink merge`: parameter sweeps over a design, shards,
//! checkpoints and resume.

use std::path::{Path, PathBuf};

use brink_core::scenario::parse_override;
use brink_experiments::design::{DesignKind, ParamRange};
use brink_experiments::sweep::merge::MergeError;
use brink_experiments::sweep::{
    self, Manifest, ManifestField, SetupError, Shard, SweepError, SweepLock, SweepRequest, setup,
};
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
    #[arg(short, long, default_value_t = 2021, allow_negative_numbers = true)]
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

/// Runs `brink sweep`.
pub fn sweep(a: SweepArgs) -> Result<(), String> {
    let request = SweepRequest {
        scenario: a.scenario.clone(),
        params: a.params.clone(),
        kind: match a.design {
            DesignArg::Grid => DesignKind::Grid,
            DesignArg::Lhs => DesignKind::Lhs,
            DesignArg::Sobol => DesignKind::Sobol,
            DesignArg::Morris => DesignKind::Morris,
        },
        points: a.points,
        runs: a.runs,
        seed: a.seed,
        set: a.set.clone(),
        shard: a.shard,
    };
    let manifest = setup::plan(&request).map_err(setup_message)?;
    let bar = progress_bar(
        a.quiet,
        setup::owned_runs(&manifest),
        &format!("{} sweep", manifest.scenario_name),
        "runs",
    );
    let lock = SweepLock::acquire(&a.out).map_err(sweep_message)?;
    let done = sweep::run_sweep(&lock, &manifest, a.resume, a.threads, &|n| bar.inc(n))
        .map_err(sweep_message)?;
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
    let (_, outputs) = sweep::merge::merge_atomic(&a.dirs, &a.out).map_err(|e| match e {
        MergeError::Sweep(e) => sweep_message(e),
        MergeError::Setup(e) => setup_message(e),
    })?;
    show(&outputs)
}

/// Names the files written and prints the overview (point table, indices).
fn show(outputs: &sweep::SweepOutputs) -> Result<(), String> {
    outputs
        .written
        .iter()
        .for_each(|p| eprintln!("wrote {}", p.display()));
    crate::emit(&outputs.overview)
}

/// Writes the outputs of a complete sweep directory and names them.
fn finish(dir: &Path, manifest: &Manifest) -> Result<(), String> {
    show(&setup::finish(dir, manifest).map_err(setup_message)?)
}

/// The message for a setup error, naming the flag concerned.
pub(crate) fn setup_message(e: SetupError) -> String {
    match &e {
        SetupError::NoRangedParameter { .. } => format!("{e}; give --param NAME=LO..HI"),
        SetupError::UnknownParameter { name } => format!("--param {name}: {e}"),
        SetupError::OutsideDeclaredRange { range, .. } => format!("--param {}: {e}", range.name),
        SetupError::NoRuns => "--runs must be at least 1".into(),
        SetupError::Scenario(e) => crate::scenario_message(e),
        _ => e.to_string(),
    }
}

/// The message for a sweep error, naming the flag concerned.
fn sweep_message(e: SweepError) -> String {
    match e {
        SweepError::Runner(e) => crate::mc_message(e),
        e @ SweepError::Occupied { .. } => {
            format!("{e}; pass --resume to finish it, or choose another directory")
        }
        e @ SweepError::Unfinished { .. } => {
            format!("{e}; run its shard (or --resume it) first")
        }
        e
        @ (SweepError::ResumeMismatch { field, .. } | SweepError::MergeMismatch { field, .. })
            if field == ManifestField::BaseOverrides =>
        {
            // The base values are what --set gave.
            e.to_string()
                .replacen(&field.to_string(), "--set values", 1)
        }
        SweepError::Scenario { point, error } => {
            format!("point {point}: {}", crate::scenario_message(&error))
        }
        e => e.to_string(),
    }
}
