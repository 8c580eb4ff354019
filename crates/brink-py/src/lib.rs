//! `brink._brink`: the Rust half of the `brink` Python package.
//!
//! Thin wrappers over the library functions the `brink` binary calls (scenario
//! loading, `brink_mc::run_batch`, `brink_report::Summary::of_batch`, sweeps,
//! tuning, replay, `brink_solve::solve_file`); results cross into Python as the
//! same JSON documents the binary writes, and the pure-Python layer
//! (`python/brink/__init__.py`) shapes them into Python objects. Long work runs
//! without the GIL on its own thread while the calling thread watches for
//! Ctrl-C (see [`interruptible`]); errors become Python exceptions, and a panic
//! (a bug) becomes `brink.BrinkError`, never an abort.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use brink_core::scenario::{self, ScenarioError as CoreScenarioError};
use brink_core::{CompiledScenario, Engine};
use brink_experiments::design::{DesignKind, ParamRange};
use brink_experiments::sweep::setup::PointRunError;
use brink_experiments::sweep::{self, SetupError, SweepError, SweepLock, SweepRequest, setup};
use brink_experiments::tune::{self, Target, TuneError, TuneSpec};
use brink_mc::{BatchSpec, McError, run_batch};
use brink_report::{Summary, files, render};
use brink_solve::budget::Budget;
use brink_solve::formats::{FileKind, GameFile, read_game_bytes};
use brink_solve::solve_file::{SolveMethod, SolveOptions, solve_game_file};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use serde_json::json;

create_exception!(
    brink,
    BrinkError,
    PyException,
    "An error reported by brink (bad arguments, unreadable files, a failed solve)."
);
create_exception!(
    brink,
    ScenarioError,
    BrinkError,
    "A problem with a scenario file or an override, with `file`, `line`, `column`, `field` and `message` attributes (`line`, `column`, `field` may be None)."
);

/// A scenario error as `brink.ScenarioError` with its location as attributes.
fn scenario_err(py: Python<'_>, e: &CoreScenarioError) -> PyErr {
    let err = ScenarioError::new_err(e.to_string());
    let value = err.value(py);
    let set = || -> PyResult<()> {
        value.setattr("file", &e.file)?;
        value.setattr("line", e.line)?;
        value.setattr("column", e.column)?;
        value.setattr("field", &e.field)?;
        value.setattr("message", &e.message)?;
        value.setattr("overridden", e.overridden)
    };
    match set() {
        Ok(()) => err,
        Err(e) => e,
    }
}

fn brink_err(e: impl std::fmt::Display) -> PyErr {
    BrinkError::new_err(e.to_string())
}

fn mc_err(e: McError) -> PyErr {
    match e {
        McError::NoThreads => PyValueError::new_err("threads must be at least 1"),
        e => brink_err(e),
    }
}

fn setup_err(py: Python<'_>, e: SetupError) -> PyErr {
    match e {
        SetupError::Scenario(e) => scenario_err(py, &e),
        SetupError::NoRuns => PyValueError::new_err("runs must be at least 1"),
        e => brink_err(e),
    }
}

fn sweep_err(py: Python<'_>, e: SweepError) -> PyErr {
    match e {
        SweepError::Runner(e) => mc_err(e),
        SweepError::Scenario { error, .. } => scenario_err(py, &error),
        e => brink_err(e),
    }
}

fn tune_err(py: Python<'_>, e: TuneError) -> PyErr {
    match e {
        TuneError::NoThreads => PyValueError::new_err("threads must be at least 1"),
        TuneError::Runner(e) => mc_err(e),
        TuneError::Scenario(e) => scenario_err(py, &e),
        e => brink_err(e),
    }
}

/// The unwinding payload that stops work cancelled by Ctrl-C.
struct Cancelled;

/// Stops the calling work (by unwinding to [`interruptible`]) once `flag` is set.
/// Called from progress callbacks, i.e. after each chunk of runs or evaluation.
fn stop_if(flag: &AtomicBool) {
    if flag.load(Ordering::Relaxed) {
        std::panic::resume_unwind(Box::new(Cancelled));
    }
}

/// Runs `work` on its own thread without the GIL while this thread checks for
/// signals (Ctrl-C) at least every 50 ms. A pending signal's exception
/// (KeyboardInterrupt) sets the flag passed to `work`, whose progress callbacks
/// then unwind; the exception is raised once the work has stopped. A panic in
/// `work` becomes `BrinkError` (it is a bug in brink), so none crosses into Python.
fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> T + Send,
) -> PyResult<T> {
    let flag = AtomicBool::new(false);
    let (outcome, interrupt) = std::thread::scope(|s| {
        let handle =
            s.spawn(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&flag))));
        let mut interrupt = None;
        // Short waits first, so that quick calls return quickly.
        let mut wait = Duration::from_millis(1);
        while !handle.is_finished() {
            py.detach(|| std::thread::sleep(wait));
            wait = (wait * 2).min(Duration::from_millis(50));
            if interrupt.is_none()
                && let Err(e) = py.check_signals()
            {
                flag.store(true, Ordering::Relaxed);
                interrupt = Some(e);
            }
        }
        (handle.join(), interrupt)
    });
    if let Some(e) = interrupt {
        return Err(e);
    }
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(payload)) | Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(BrinkError::new_err(format!(
                "internal error in brink (please report it): {what}"
            )))
        }
    }
}

/// A compiled scenario (`brink.Scenario` wraps it).
#[pyclass(frozen, module = "brink._brink")]
struct CompiledHandle {
    scenario: Arc<CompiledScenario>,
    /// The file as the caller named it (summary.json's `scenario_path`).
    path: String,
}

#[pymethods]
impl CompiledHandle {
    /// The scenario's name, parameters, agents, state variables and outcomes as JSON.
    fn describe_json(&self) -> String {
        let s = &self.scenario;
        json!({
            "name": s.name,
            "title": s.title,
            "description": s.description,
            "file": s.file,
            "horizon": s.horizon,
            "parameters": s.parameters.iter().map(|p| json!({
                "name": p.name,
                "value": p.value,
                "default": p.default,
                "range": p.range.map(|(lo, hi)| vec![lo, hi]),
                "doc": p.doc,
            })).collect::<Vec<_>>(),
            "agents": s.agents.iter().map(|a| json!({
                "name": a.name,
                "title": a.title,
                "actions": a.actions,
                "types": a.types.iter().map(|t| json!({"name": t.name, "prior": t.prior})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "state": s.state.iter().map(|v| json!({
                "name": v.name,
                "initial": v.initial,
                "min": v.min,
                "max": v.max,
                "doc": v.doc,
            })).collect::<Vec<_>>(),
            "outcomes": s.outcomes.iter().map(|o| json!({
                "name": o.name,
                "at_horizon": o.at_horizon,
            })).collect::<Vec<_>>(),
        })
        .to_string()
    }

    /// Plays `runs` runs with master seed `seed`; returns summary.json's text, and
    /// writes every output file of `brink run -o` into `out` if given.
    #[pyo3(signature = (runs, seed, threads=None, out=None))]
    fn run(
        &self,
        py: Python<'_>,
        runs: u64,
        seed: u64,
        threads: Option<usize>,
        out: Option<PathBuf>,
    ) -> PyResult<String> {
        if runs == 0 {
            return Err(PyValueError::new_err("runs must be at least 1"));
        }
        if let Some(dir) = &out {
            files::prepare_output_dir(dir).map_err(brink_err)?;
        }
        let spec = BatchSpec {
            seed,
            runs,
            threads,
        };
        let scenario = &self.scenario;
        let aggregate = interruptible(py, |stop| run_batch(scenario, spec, &|_| stop_if(stop)))?
            .map_err(mc_err)?;
        let summary =
            Summary::of_batch(scenario, &self.path, seed, &aggregate).map_err(brink_err)?;
        if let Some(dir) = &out {
            let histograms: Vec<_> = aggregate
                .final_state
                .iter()
                .map(|v| v.histogram.as_ref())
                .collect();
            files::write_outputs(dir, &summary, &histograms).map_err(brink_err)?;
        }
        Ok(render::json(&summary))
    }

    /// Plays run `run` of the batch with master seed `seed` and returns its trace as
    /// (JSON, text), as `brink replay -f json` and `brink replay` print them.
    fn replay(&self, run: u64, seed: u64) -> PyResult<(String, String)> {
        let mut engine = Engine::new(self.scenario.clone());
        let (_, trace) = engine.run_traced(seed, run);
        let json = brink_report::summary::versioned_json(&trace).map_err(brink_err)?;
        Ok((json, trace.to_string()))
    }
}

/// Loads and compiles a scenario file with parameter overrides.
#[pyfunction]
fn load(py: Python<'_>, path: PathBuf, set: Vec<(String, f64)>) -> PyResult<CompiledHandle> {
    let scenario = scenario::load(&path, &set).map_err(|e| scenario_err(py, &e))?;
    Ok(CompiledHandle {
        scenario: Arc::new(scenario),
        path: path.display().to_string(),
    })
}

/// The scenario (with the point's values) and master seed of point `point` of the
/// sweep in `dir`.
#[pyfunction]
fn sweep_point(py: Python<'_>, dir: PathBuf, point: usize) -> PyResult<(CompiledHandle, u64)> {
    let run = setup::point_run(&dir, point).map_err(|e| match e {
        PointRunError::NoSuchPoint { .. } => PyValueError::new_err(format!("point {point}: {e}")),
        PointRunError::Setup(e) => setup_err(py, e),
        PointRunError::Sweep(e) => sweep_err(py, e),
    })?;
    let handle = load(py, run.scenario, run.overrides)?;
    Ok((handle, run.seed))
}

/// (name, lo, hi, log) tuples as checked ranges.
fn ranges(params: Vec<(String, f64, f64, bool)>) -> Vec<ParamRange> {
    params
        .into_iter()
        .map(|(name, lo, hi, log)| ParamRange { name, lo, hi, log })
        .collect()
}

/// Runs (or resumes) a sweep into `out`, then writes points.csv, summary.json and
/// report.html there, as `brink sweep` does.
#[pyfunction]
#[pyo3(signature = (path, params, design, points, runs, seed, set, out, resume=false, threads=None))]
#[allow(clippy::too_many_arguments)]
fn run_sweep(
    py: Python<'_>,
    path: PathBuf,
    params: Vec<(String, f64, f64, bool)>,
    design: &str,
    points: usize,
    runs: u64,
    seed: u64,
    set: Vec<(String, f64)>,
    out: PathBuf,
    resume: bool,
    threads: Option<usize>,
) -> PyResult<Vec<PathBuf>> {
    let kind = match design {
        "grid" => DesignKind::Grid,
        "lhs" => DesignKind::Lhs,
        "sobol" => DesignKind::Sobol,
        "morris" => DesignKind::Morris,
        other => {
            return Err(PyValueError::new_err(format!(
                "design {other:?}: expected one of 'grid', 'lhs', 'sobol', 'morris'"
            )));
        }
    };
    let params = ranges(params);
    for r in &params {
        r.validate()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
    }
    let request = SweepRequest {
        scenario: path,
        params,
        kind,
        points,
        runs,
        seed,
        set,
        shard: None,
    };
    let manifest = setup::plan(&request).map_err(|e| setup_err(py, e))?;
    let lock = SweepLock::acquire(&out).map_err(|e| sweep_err(py, e))?;
    interruptible(py, |stop| {
        sweep::run_sweep(&lock, &manifest, resume, threads, &|_| stop_if(stop))
    })?
    .map_err(|e| sweep_err(py, e))?;
    setup::finish(&out, &manifest)
        .map(|outputs| outputs.written)
        .map_err(|e| setup_err(py, e))
}

/// Tunes parameters to target frequencies; returns tune.json's text and writes
/// tune.json and trace.csv into `out` if given, as `brink tune` does.
#[pyfunction]
#[pyo3(signature = (path, targets, params, budget, runs, seed, set, weighted=false, threads=None, out=None))]
#[allow(clippy::too_many_arguments)]
fn run_tune(
    py: Python<'_>,
    path: PathBuf,
    targets: Vec<(String, f64)>,
    params: Vec<(String, f64, f64, bool)>,
    budget: usize,
    runs: u64,
    seed: u64,
    set: Vec<(String, f64)>,
    weighted: bool,
    threads: Option<usize>,
    out: Option<PathBuf>,
) -> PyResult<String> {
    let spec = TuneSpec {
        ranges: ranges(params),
        targets: targets
            .into_iter()
            .map(|(outcome, frequency)| Target { outcome, frequency })
            .collect(),
        runs,
        seed,
        budget,
        threads,
        base_overrides: set,
        start: None,
        weighted,
    };
    let result = interruptible(py, |stop| tune::tune(&path, &spec, &|_| stop_if(stop)))?
        .map_err(|e| tune_err(py, e))?;
    let json = tune::result_json(&path, &spec, &result);
    if let Some(dir) = &out {
        tune::write_outputs(dir, &result, &json).map_err(brink_err)?;
    }
    Ok(json)
}

/// The names of the solution methods, with their descriptions.
#[pyfunction]
fn solve_methods() -> Vec<(&'static str, &'static str)> {
    SolveMethod::ALL
        .iter()
        .map(|m| (m.name(), m.description()))
        .collect()
}

/// Reads a game file (the extension decides the format).
fn read_game_file(path: &Path) -> PyResult<GameFile> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let kind = FileKind::from_extension(ext).ok_or_else(|| {
        PyValueError::new_err(format!(
            "{}: unknown file type (expected the extension .nfg, .efg, .toml or .json)",
            path.display()
        ))
    })?;
    let bytes = std::fs::read(path)
        .map_err(|e| brink_err(format!("{}: cannot read the file: {e}", path.display())))?;
    read_game_bytes(kind, &bytes).map_err(|e| brink_err(format!("{}: {e}", path.display())))
}

/// Solves a game given as a file (`path`) or as text in format `kind` (`nfg`,
/// `efg`, `toml`, `json`); returns `brink solve -f json`'s document.
#[pyfunction]
#[pyo3(signature = (path, text, kind, method=None, label=None, lambda_=None, start=None, max_memory_mib=1024, timeout=None, force=false))]
#[allow(clippy::too_many_arguments)]
fn solve(
    py: Python<'_>,
    path: Option<PathBuf>,
    text: Option<String>,
    kind: Option<String>,
    method: Option<String>,
    label: Option<usize>,
    lambda_: Option<f64>,
    start: Option<String>,
    max_memory_mib: u64,
    timeout: Option<f64>,
    force: bool,
) -> PyResult<String> {
    let (game, file) = match (&path, text) {
        (Some(p), _) => (read_game_file(p)?, p.display().to_string()),
        (None, Some(text)) => {
            let kind = kind.unwrap_or_default();
            let k = FileKind::from_extension(&kind).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "game format {kind:?}: expected 'nfg', 'efg', 'toml' or 'json'"
                ))
            })?;
            let game = read_game_bytes(k, text.as_bytes())
                .map_err(|e| brink_err(format!("<game>: {e}")))?;
            (game, "<game>".to_owned())
        }
        (None, None) => return Err(PyValueError::new_err("give a game file or game text")),
    };
    let method = match method {
        None => SolveMethod::default_for(&game),
        Some(name) => SolveMethod::from_name(&name).ok_or_else(|| {
            let names: Vec<&str> = SolveMethod::ALL.iter().map(|m| m.name()).collect();
            PyValueError::new_err(format!(
                "method {name:?}: expected one of {}",
                names.join(", ")
            ))
        })?,
    };
    let timeout = timeout
        .map(Duration::try_from_secs_f64)
        .transpose()
        .map_err(|e| PyValueError::new_err(format!("timeout: {e}")))?;
    let options = SolveOptions {
        method: Some(method),
        label,
        lambda: lambda_,
        start,
        budget: Budget::new(Some(max_memory_mib << 20), timeout),
        force,
    };
    let report = py
        .detach(|| solve_game_file(&game, &options))
        .map_err(|e| brink_err(format!("{file}: {e}")))?;
    brink_report::summary::versioned_json(&report.json(&file)).map_err(brink_err)
}

/// The module `brink._brink`.
#[pymodule]
fn _brink(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("BrinkError", py.get_type::<BrinkError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<CompiledHandle>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_point, m)?)?;
    m.add_function(wrap_pyfunction!(run_sweep, m)?)?;
    m.add_function(wrap_pyfunction!(run_tune, m)?)?;
    m.add_function(wrap_pyfunction!(solve_methods, m)?)?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    Ok(())
}
