//! Tuning: find parameter values whose simulated outcome frequencies match targets
//! (e.g. an expert forecast: 30% interim deal, 10% strike).
//!
//! Two layers:
//!
//! * [`nelder_mead`] / [`try_nelder_mead`]: a hand-written, deterministic, bounded
//!   Nelder–Mead simplex search (derivative-free), with restarts.
//! * [`tune`]: the objective "distance between simulated and target frequencies",
//!   evaluated with common random numbers, minimised by Nelder–Mead over a box of
//!   parameter ranges, then checked by a confirmation run on fresh seeds.
//!
//! # Nelder–Mead
//!
//! The simplex method of Nelder & Mead (1965), in the formulation of Lagarias, Reeds,
//! Wright & Wright (1998, SIAM J. Optim. 9:112–147): at each iteration the vertices are
//! sorted by value (stable sort, so ties keep their order and a new vertex goes after
//! equal old ones), the worst vertex `x_w` is reflected through the centroid `c` of the
//! others along `d = c − x_w`, and the trial points are
//!
//! ```text
//! reflection          x_r  = c + α d
//! expansion           x_e  = c + α β d
//! outside contraction x_oc = c + α γ d
//! inside contraction  x_ic = c − γ d
//! shrink              x_i  ← x_0 + δ (x_i − x_0)   for every vertex but the best
//! ```
//!
//! with the acceptance rules of Lagarias et al. Coefficients ([`Coefficients`]):
//! the standard `(α, β, γ, δ) = (1, 2, ½, ½)`, or the adaptive ones of Gao & Han
//! (2012, Comput. Optim. Appl. 51:259–277), `(1, 1 + 2/n, ¾ − 1/(2n), 1 − 1/n)` in
//! dimension `n`, which keep the search from stalling in higher dimensions. They equal
//! the standard ones for `n = 2` and are degenerate for `n = 1` (δ = 0), so the default
//! [`Coefficients::Auto`] uses them only for `n > 2`.
//!
//! **Bounds.** Every trial point is clamped (projected) coordinate-wise into the box
//! before it is evaluated, so `f` is never called outside the bounds. Shrink points are
//! convex combinations of vertices and stay inside. Clamping can flatten the simplex
//! against a face of the box; restarts repair that.
//!
//! **Initial simplex.** The start point (clamped into the box) plus, for each
//! coordinate `i`, the start moved by `h_i = initial_step × (hi_i − lo_i)` (or
//! `initial_step × max(|x_i|, 1)` if that side of the box is unbounded), upward if that
//! stays in the box, downward otherwise, else to the farther bound.
//!
//! **Termination** (as in SciPy's `fmin`): a (re)start has converged when all vertex
//! values are within `f_tolerance` of the best vertex's value *and* all vertices are
//! within `x_tolerance` of the best vertex in every coordinate (max norm). Then the
//! search restarts from the best point with a fresh simplex of the initial size
//! (O'Neill 1971's remedy for false convergence), at most `restarts` times, and stops
//! early when a restart does not strictly improve the best value. The evaluation
//! budget `max_evaluations` is a hard limit: `f` is called at most that many times,
//! and the search stops (with `converged == false`) the moment it is spent.
//!
//! **Determinism.** No randomness anywhere: the same `f`, start, bounds and options
//! give the same sequence of evaluations. NaN values are treated as `+∞` (worse than
//! anything), so a NaN region repels the simplex instead of poisoning comparisons.
//!
//! # Tuning objective
//!
//! For parameter values θ (the tuned parameters, on top of `base_overrides`), let
//! `p̂_k(θ)` be the frequency of target outcome `k` over runs `0..runs` with master
//! seed `seed`. The objective is
//!
//! ```text
//! O(θ) = Σ_k w_k (p̂_k(θ) − t_k)²,   w_k = 1, or w_k = 1 / (t_k (1 − t_k) + ε), ε = 0.01
//! ```
//!
//! (the weighted form, [`TuneSpec::weighted`], divides each squared error by the
//! binomial variance at the target, so rare outcomes count as much as common ones;
//! `ε` keeps targets of exactly 0 or 1 from getting unbounded weight).
//!
//! **Common random numbers.** Every evaluation compiles the scenario with the candidate
//! values and plays the *same* runs with the *same* master seed: run `i` draws the same
//! random numbers at every θ (see `brink_core::seed`: a run's streams depend on (seed,
//! run index) only, and every decision consumes a fixed number of draws). So `O` is a
//! deterministic function of θ, and two nearby θ differ only in the runs whose
//! decisions actually flip, not by fresh Monte Carlo noise. `p̂_k` is piecewise
//! constant with steps of `1/runs` that become dense as `runs` grows, so `O` is close
//! to a smooth function at the scale Nelder–Mead looks at. Because it is piecewise
//! constant, convergence is judged on the simplex size alone (`f_tolerance = ∞`).
//!
//! The search runs in the unit cube: parameter `j` is `lo_j + u_j (hi_j − lo_j)` with
//! `u_j ∈ [0, 1]` (uniform in `ln` space for a `log` range: see
//! [`ParamRange::from_unit`]), so every parameter gets the same relative step (a
//! quarter of its range initially) and the same relative tolerance (10⁻³ of its
//! range). The start point is evaluated at exactly the given values.
//!
//! **Confirmation.** Tuning to one set of seeds can overfit that set's noise, so the
//! best point is re-run with the same number of runs on the fresh master seed
//! [`confirmation_seed`]`(seed)` and its frequencies are reported with Wilson 95%
//! intervals, together with the objective on those fresh runs.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use brink_core::scenario::{self, ScenarioError};
use serde::Serialize;

use brink_mc::{BatchSpec, McError, run_batch};
use brink_report::fsio::{self, IoError};
pub use brink_report::stats::{Z95, wilson_interval};

use crate::design::ParamRange;

mod json;
mod nelder_mead;
pub use json::result_json;

pub use nelder_mead::{
    Coefficients, NelderMeadOptions, Optimum, TraceEntry, nelder_mead, try_nelder_mead,
};

// ------------------------------------------------------------------------------------
// Tuning
// ------------------------------------------------------------------------------------

/// A target: outcome `outcome` should occur with this frequency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Target {
    /// Outcome name, as in the scenario.
    pub outcome: String,
    /// Target frequency in `[0, 1]`.
    pub frequency: f64,
}

impl Target {
    /// Parses `OUTCOME=FREQ`, e.g. `interim_deal=0.3` or `interim_deal=30%`.
    pub fn parse(s: &str) -> Result<Target, TargetError> {
        let input = || s.to_owned();
        let (name, value) = s
            .split_once('=')
            .ok_or_else(|| TargetError::MissingEquals(input()))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(TargetError::EmptyName(input()));
        }
        let value = value.trim();
        let (number, scale) = match value.strip_suffix('%') {
            Some(v) => (v.trim(), 0.01),
            None => (value, 1.0),
        };
        let bad = |kind: fn(String, String) -> TargetError| kind(input(), value.to_owned());
        let frequency = number
            .parse::<f64>()
            .map_err(|_| bad(|input, value| TargetError::NotANumber { input, value }))?
            * scale;
        if !(0.0..=1.0).contains(&frequency) {
            return Err(bad(|input, value| TargetError::OutOfRange { input, value }));
        }
        Ok(Target {
            outcome: name.to_owned(),
            frequency,
        })
    }
}

/// Why an `OUTCOME=FREQ` target does not parse; each variant holds the target as
/// given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// No `=` between outcome and frequency.
    #[error("`{0}`: expected OUTCOME=FREQUENCY, e.g. interim_deal=0.3")]
    MissingEquals(String),
    /// Nothing (but blanks) before the `=`.
    #[error("`{0}`: the outcome name is empty; expected OUTCOME=FREQUENCY")]
    EmptyName(String),
    /// The frequency does not parse as a number.
    #[error("`{input}`: `{value}` is not a number; expected a frequency in [0, 1] or a percentage")]
    NotANumber {
        /// The target as given.
        input: String,
        /// The frequency part, trimmed.
        value: String,
    },
    /// The frequency is outside `[0, 1]`.
    #[error("`{input}`: the frequency must be in [0, 1] (or 0%..100%), got {value}")]
    OutOfRange {
        /// The target as given.
        input: String,
        /// The frequency part, trimmed.
        value: String,
    },
}

/// What to tune, against what, and how hard.
#[derive(Clone, Debug, PartialEq)]
pub struct TuneSpec {
    /// Parameters to tune and their search intervals (within any declared range); a
    /// `log` range is searched uniformly in `ln` space.
    pub ranges: Vec<ParamRange>,
    /// Target outcome frequencies (distinct outcomes, summing to at most 1).
    pub targets: Vec<Target>,
    /// Runs per evaluation (and of the confirmation run).
    pub runs: u64,
    /// Master seed of every evaluation (common random numbers).
    pub seed: u64,
    /// Maximum number of objective evaluations (each is a batch of `runs`).
    pub budget: usize,
    /// Worker threads; `None` uses one per core. Results do not depend on it.
    pub threads: Option<usize>,
    /// Fixed overrides of other parameters (must not name a tuned one).
    pub base_overrides: Vec<(String, f64)>,
    /// Start point, one value per range in `ranges` order; `None` starts from the
    /// scenario's value of each parameter (its default or base override) clamped into
    /// its range.
    pub start: Option<Vec<f64>>,
    /// Weight each squared error by `1 / (t (1 − t) + 0.01)` (see the module docs).
    pub weighted: bool,
}

impl Default for TuneSpec {
    /// No ranges or targets; 1,000 runs, seed 0, budget 100, all cores, unweighted.
    fn default() -> Self {
        Self {
            ranges: Vec::new(),
            targets: Vec::new(),
            runs: 1000,
            seed: 0,
            budget: 100,
            threads: None,
            base_overrides: Vec::new(),
            start: None,
            weighted: false,
        }
    }
}

/// What [`tune`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TuneResult {
    /// Best parameter values, in `ranges` order.
    pub best: Vec<(String, f64)>,
    /// Objective at `best` (on the tuning seed).
    pub objective: f64,
    /// Every outcome in scenario order at `best` on the tuning seed: (name, frequency,
    /// Wilson 95% low, high).
    pub frequencies: Vec<(String, f64, f64, f64)>,
    /// Every evaluation, with `x` in parameter units (`ranges` order).
    pub trace: Vec<TraceEntry>,
    /// Objective evaluations made (at most the budget; the confirmation run excluded).
    pub evaluations: usize,
    /// Whether Nelder–Mead converged before the budget ran out.
    pub converged: bool,
    /// Every outcome at `best` on the fresh seed `confirmation_seed`: (name,
    /// frequency, Wilson 95% low, high).
    pub confirmation: Vec<(String, f64, f64, f64)>,
    /// Objective at `best` on the fresh seed.
    pub confirmation_objective: f64,
    /// Master seed of the confirmation run: [`confirmation_seed`]`(seed)`.
    pub confirmation_seed: u64,
}

/// Constant XORed into the tuning seed to get the confirmation seed.
pub const CONFIRMATION_SALT: u64 = 0xD1B5_4A32_D192_ED03;

/// Master seed of the confirmation run: `seed ^ CONFIRMATION_SALT`. It differs from
/// `seed` for every seed, and since run `i`'s key starts from `master ^ fmix64(i)`
/// (`brink_core::seed`), a confirmation run shares its streams with a tuning run only
/// if `fmix64(i) ^ fmix64(j)` equals the salt — chance about `runs² / 2⁶⁴`.
pub fn confirmation_seed(seed: u64) -> u64 {
    seed ^ CONFIRMATION_SALT
}

/// Floor added to `t (1 − t)` in the weighted objective.
pub const WEIGHT_EPSILON: f64 = 0.01;

/// Nelder–Mead settings used by [`tune`], in unit-cube coordinates: a quarter of each
/// range as initial step, 10⁻³ of each range as tolerance, convergence on the simplex
/// size alone, 2 restarts; `budget` evaluations.
pub fn tune_options(budget: usize) -> NelderMeadOptions {
    NelderMeadOptions {
        max_evaluations: budget,
        coefficients: Coefficients::Auto,
        initial_step: 0.25,
        x_tolerance: 1e-3,
        f_tolerance: f64::INFINITY,
        restarts: 2,
    }
}

/// Why [`tune`] could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// The spec is inconsistent on its own: no ranges or targets, duplicates, a bad
    /// range, frequencies outside `[0, 1]` or summing past 1, zero runs or budget, a
    /// bad start.
    #[error("{0}")]
    Spec(String),
    /// Zero worker threads; the caller names its own setting.
    #[error("the number of worker threads must be at least 1")]
    NoThreads,
    /// The scenario file could not be read.
    #[error("{file}: cannot read the scenario file: {source}")]
    ReadScenario {
        /// The scenario file.
        file: String,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The scenario does not compile (with the base overrides or the start).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The spec does not fit the scenario: unknown parameters or outcomes, a range
    /// outside a declared one.
    #[error("{0}")]
    Mismatch(String),
    /// The batch runner failed to start.
    #[error(transparent)]
    Runner(#[from] McError),
    /// An evaluation failed at a point of the box.
    #[error("at {at}: {source}")]
    At {
        /// The parameter values, `lambda=1.3, p=0.2`.
        at: String,
        /// What failed there.
        source: Box<TuneError>,
    },
}

/// Finds values of `spec.ranges` whose simulated outcome frequencies match
/// `spec.targets` (see the module documentation for the objective, common random
/// numbers and the confirmation run). `progress` is called after each objective
/// evaluation with the number of evaluations done so far (`1..=budget`).
///
/// Errors (all before any simulation, except for a scenario that fails to compile at
/// some point of the box): an unreadable or invalid scenario, unknown parameter or
/// outcome names, duplicates, empty or non-finite ranges, ranges outside a parameter's
/// declared range, a base override of a tuned parameter, target frequencies outside
/// `[0, 1]` or summing to more than 1, a start outside the ranges, zero runs, budget
/// or threads.
pub fn tune(
    path: &Path,
    spec: &TuneSpec,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<TuneResult, TuneError> {
    check_spec(spec)?;
    let problem = Problem::new(path, spec)?;
    // The start's own compile check gives a clear error before any simulation.
    problem.compile(&problem.overrides_at(&problem.start))?;
    let search = problem.search(progress)?;
    problem.confirm(search)
}

/// The checks of `spec` on its own, before the scenario is read.
fn check_spec(spec: &TuneSpec) -> Result<(), TuneError> {
    let refuse = |m: String| Err(TuneError::Spec(m));
    if spec.ranges.is_empty() {
        return refuse("nothing to tune: give at least one parameter range".into());
    }
    if spec.targets.is_empty() {
        return refuse("nothing to match: give at least one target OUTCOME=FREQUENCY".into());
    }
    if spec.runs == 0 {
        return refuse("runs must be at least 1".into());
    }
    if spec.budget == 0 {
        return refuse("the budget must be at least 1 evaluation".into());
    }
    if spec.threads == Some(0) {
        return Err(TuneError::NoThreads);
    }
    let mut seen = BTreeSet::new();
    for r in &spec.ranges {
        if !seen.insert(r.name.as_str()) {
            return refuse(format!("parameter `{}` is given two ranges", r.name));
        }
        r.validate().map_err(|e| TuneError::Spec(e.0))?;
    }
    if let Some((name, _)) = spec
        .base_overrides
        .iter()
        .find(|(n, _)| seen.contains(n.as_str()))
    {
        return refuse(format!(
            "parameter `{name}` is both tuned and fixed by an override; drop one"
        ));
    }
    let mut seen = BTreeSet::new();
    for t in &spec.targets {
        if !seen.insert(t.outcome.as_str()) {
            return refuse(format!("outcome `{}` has two targets", t.outcome));
        }
        if !(0.0..=1.0).contains(&t.frequency) {
            return refuse(format!(
                "target {}={}: the frequency must be in [0, 1]",
                t.outcome, t.frequency
            ));
        }
    }
    let total: f64 = spec.targets.iter().map(|t| t.frequency).sum();
    if total > 1.0 + 1e-9 {
        return refuse(format!(
            "the target frequencies sum to {total}, more than 1: outcomes are exclusive"
        ));
    }
    Ok(())
}

/// A checked spec against its scenario: the source, the base scenario, the start in
/// parameter units and in the unit cube, and each target as (outcome index, target
/// frequency, weight).
struct Problem<'a> {
    spec: &'a TuneSpec,
    file: String,
    src: String,
    base: scenario::CompiledScenario,
    start: Vec<f64>,
    u0: Vec<f64>,
    targets: Vec<(usize, f64, f64)>,
}

/// What the Nelder–Mead search found: its optimum (unit cube) and the outcome counts
/// at it on the tuning seed.
struct Search {
    optimum: Optimum,
    best_x: Vec<f64>,
    counts: Vec<u64>,
}

impl<'a> Problem<'a> {
    /// Reads and compiles the scenario and resolves the spec's names against it.
    fn new(path: &Path, spec: &'a TuneSpec) -> Result<Problem<'a>, TuneError> {
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|source| TuneError::ReadScenario {
            file: file.clone(),
            source,
        })?;
        let base = scenario::from_str(&src, &file, &spec.base_overrides)?;
        let mut start = start_values(&base, &file, spec)?;
        let targets = resolve_targets(&base, &file, spec)?;
        if let Some(s) = &spec.start {
            check_start(s, spec)?;
            start.clone_from(s);
        }
        // The start and the ends of each range map back exactly (no rounding), so the
        // first evaluation is at exactly the start values.
        let u0 = start
            .iter()
            .zip(&spec.ranges)
            .map(|(&v, r)| r.to_unit(v).clamp(0.0, 1.0))
            .collect();
        Ok(Problem {
            spec,
            file,
            src,
            base,
            start,
            u0,
            targets,
        })
    }

    /// The scenario with `overrides`.
    fn compile(
        &self,
        overrides: &[(String, f64)],
    ) -> Result<scenario::CompiledScenario, TuneError> {
        Ok(scenario::from_str(&self.src, &self.file, overrides)?)
    }

    /// Parameter values of unit-cube point `u` (the start exactly at `u0`).
    fn to_params(&self, u: &[f64]) -> Vec<f64> {
        u.iter()
            .zip(&self.spec.ranges)
            .zip(self.u0.iter().zip(&self.start))
            .map(|((&u, r), (&u0, &x0))| {
                if u == u0 {
                    x0
                } else {
                    r.from_unit(u).clamp(r.lo, r.hi)
                }
            })
            .collect()
    }

    /// The base overrides, then the tuned parameters at `x`.
    fn overrides_at(&self, x: &[f64]) -> Vec<(String, f64)> {
        let mut o = self.spec.base_overrides.clone();
        o.extend(
            self.spec
                .ranges
                .iter()
                .zip(x)
                .map(|(r, &v)| (r.name.clone(), v)),
        );
        o
    }

    /// Outcome counts of the batch at `x` with master seed `seed`.
    fn batch(&self, x: &[f64], seed: u64) -> Result<Vec<u64>, TuneError> {
        let scenario = Arc::new(self.compile(&self.overrides_at(x))?);
        let spec = BatchSpec {
            seed,
            runs: self.spec.runs,
            threads: self.spec.threads,
        };
        Ok(run_batch(&scenario, spec, &|_| {})?.outcome_counts)
    }

    /// The objective of outcome counts (see the module documentation).
    fn objective(&self, counts: &[u64]) -> f64 {
        self.targets
            .iter()
            .map(|&(k, t, w)| {
                let p = counts[k] as f64 / self.spec.runs as f64;
                w * (p - t) * (p - t)
            })
            .sum()
    }

    /// Every outcome's (name, frequency, Wilson 95% low, high) for `counts`.
    fn frequencies(&self, counts: &[u64]) -> Vec<(String, f64, f64, f64)> {
        let runs = self.spec.runs;
        self.base
            .outcomes
            .iter()
            .zip(counts)
            .map(|(o, &c)| {
                let (lo, hi) = wilson_interval(c, runs, Z95);
                (o.name.clone(), c as f64 / runs as f64, lo, hi)
            })
            .collect()
    }

    /// Minimises the objective over the unit cube by Nelder–Mead, keeping the counts
    /// of the best evaluation so the best point need not be run again.
    fn search(&self, progress: &(dyn Fn(usize) + Sync)) -> Result<Search, TuneError> {
        let spec = self.spec;
        let unit = vec![(0.0, 1.0); spec.ranges.len()];
        let mut best_counts: Option<(Vec<f64>, f64, Vec<u64>)> = None;
        let mut done = 0;
        let optimum = try_nelder_mead(
            |u| {
                let x = self.to_params(u);
                let counts = self.batch(&x, spec.seed).map_err(|e| TuneError::At {
                    at: describe(&spec.ranges, &x),
                    source: Box::new(e),
                })?;
                let value = self.objective(&counts);
                if best_counts.as_ref().is_none_or(|(_, v, _)| value < *v) {
                    best_counts = Some((u.to_vec(), value, counts));
                }
                done += 1;
                progress(done);
                Ok::<f64, TuneError>(value)
            },
            &self.u0,
            &unit,
            &tune_options(spec.budget),
        )?;
        let best_x = self.to_params(&optimum.x);
        let counts = match best_counts {
            Some((u, _, counts)) if u == optimum.x => counts,
            _ => self.batch(&best_x, spec.seed)?,
        };
        Ok(Search {
            optimum,
            best_x,
            counts,
        })
    }

    /// Re-runs the best point on the fresh seed and assembles the result.
    fn confirm(&self, search: Search) -> Result<TuneResult, TuneError> {
        let Search {
            optimum,
            best_x,
            counts,
        } = search;
        let confirmation_seed = confirmation_seed(self.spec.seed);
        let fresh = self.batch(&best_x, confirmation_seed)?;
        Ok(TuneResult {
            best: self
                .spec
                .ranges
                .iter()
                .zip(&best_x)
                .map(|(r, &v)| (r.name.clone(), v))
                .collect(),
            objective: self.objective(&counts),
            frequencies: self.frequencies(&counts),
            trace: optimum
                .trace
                .into_iter()
                .map(|e| TraceEntry {
                    x: self.to_params(&e.x),
                    ..e
                })
                .collect(),
            evaluations: optimum.evaluations,
            converged: optimum.converged,
            confirmation: self.frequencies(&fresh),
            confirmation_objective: self.objective(&fresh),
            confirmation_seed,
        })
    }
}

/// Each tuned parameter's scenario value clamped into its range, after checking it
/// exists and its range lies within any declared one.
fn start_values(
    base: &scenario::CompiledScenario,
    file: &str,
    spec: &TuneSpec,
) -> Result<Vec<f64>, TuneError> {
    let mut start = Vec::with_capacity(spec.ranges.len());
    for r in &spec.ranges {
        let Some(i) = base.parameter(&r.name) else {
            let known: Vec<&str> = base.parameters.iter().map(|p| p.name.as_str()).collect();
            return Err(TuneError::Mismatch(format!(
                "{file}: unknown parameter `{}`; the scenario's parameters are: {}",
                r.name,
                if known.is_empty() {
                    "(none)".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        };
        let p = &base.parameters[i];
        if let Some((a, b)) = p.range
            && (r.lo < a || r.hi > b)
        {
            return Err(TuneError::Mismatch(format!(
                "{file}: parameter `{}`: the range {}..{} leaves its declared range [{a}, {b}]",
                r.name, r.lo, r.hi
            )));
        }
        start.push(p.value.clamp(r.lo, r.hi));
    }
    Ok(start)
}

/// Each target as (outcome index, target frequency, weight).
fn resolve_targets(
    base: &scenario::CompiledScenario,
    file: &str,
    spec: &TuneSpec,
) -> Result<Vec<(usize, f64, f64)>, TuneError> {
    let mut targets = Vec::with_capacity(spec.targets.len());
    for t in &spec.targets {
        let Some(k) = base.outcomes.iter().position(|o| o.name == t.outcome) else {
            let known: Vec<&str> = base.outcomes.iter().map(|o| o.name.as_str()).collect();
            return Err(TuneError::Mismatch(format!(
                "{file}: unknown outcome `{}`; the scenario's outcomes are: {}",
                t.outcome,
                known.join(", ")
            )));
        };
        let w = if spec.weighted {
            1.0 / (t.frequency * (1.0 - t.frequency) + WEIGHT_EPSILON)
        } else {
            1.0
        };
        targets.push((k, t.frequency, w));
    }
    Ok(targets)
}

/// Checks a given start: one value per range, each within its range.
fn check_start(s: &[f64], spec: &TuneSpec) -> Result<(), TuneError> {
    if s.len() != spec.ranges.len() {
        return Err(TuneError::Spec(format!(
            "the start has {} values for {} tuned parameters",
            s.len(),
            spec.ranges.len()
        )));
    }
    for (v, r) in s.iter().zip(&spec.ranges) {
        if !(r.lo..=r.hi).contains(v) {
            return Err(TuneError::Spec(format!(
                "the start {}={v} is outside its range {}..{}",
                r.name, r.lo, r.hi
            )));
        }
    }
    Ok(())
}

/// Names of the files [`write_outputs`] writes.
pub const TUNE_FILES: [&str; 2] = ["tune.json", "trace.csv"];

/// The objective trace as `trace.csv`: evaluation, the tuned parameters in range
/// order, objective, best objective so far.
pub fn trace_csv(r: &TuneResult) -> String {
    let mut s = String::from("evaluation");
    for (name, _) in &r.best {
        let _ = write!(s, ",{name}");
    }
    s.push_str(",objective,best_objective\n");
    for t in &r.trace {
        let _ = write!(s, "{}", t.evaluation);
        for x in &t.x {
            let _ = write!(s, ",{x}");
        }
        let _ = writeln!(s, ",{},{}", t.value, t.best_value);
    }
    s
}

/// Writes `json` (see [`result_json`]) as `tune.json` and [`trace_csv`] as
/// `trace.csv` into `dir`, creating it if missing, each atomically; returns their
/// paths.
pub fn write_outputs(dir: &Path, r: &TuneResult, json: &str) -> Result<[PathBuf; 2], IoError> {
    std::fs::create_dir_all(dir).map_err(|source| IoError {
        action: "cannot create",
        path: dir.to_owned(),
        source,
    })?;
    let paths = TUNE_FILES.map(|name| dir.join(name));
    fsio::write_atomic(&paths[0], json.as_bytes())?;
    fsio::write_atomic(&paths[1], trace_csv(r).as_bytes())?;
    Ok(paths)
}

/// `lambda=1.3, p=0.2` for error messages.
fn describe(ranges: &[ParamRange], x: &[f64]) -> String {
    ranges
        .iter()
        .zip(x)
        .map(|(r, v)| format!("{}={v}", r.name))
        .collect::<Vec<_>>()
        .join(", ")
}
