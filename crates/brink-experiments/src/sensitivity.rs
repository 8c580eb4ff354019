//! Global sensitivity analysis of sweep outputs: first-order and total Sobol' indices
//! on a Saltelli design, Morris elementary-effect statistics on a Morris design, each
//! with bootstrap confidence intervals.
//!
//! The estimators are those of SALib 1.6 (`SALib.analyze.sobol.analyze` with
//! `calc_second_order=False`, `SALib.analyze.morris.analyze` unscaled), step for step,
//! so that on the same samples and outputs the point estimates agree with SALib's to
//! rounding; `tests/sensitivity.rs` checks this against fixtures that SALib produced
//! (`tests/reference/salib/`). The bootstrap intervals are computed the same way but
//! from brink's own deterministic resampling (ChaCha8), so they agree with SALib's in
//! distribution only.
//!
//! Everything is a pure function of its arguments (design, outputs, number of
//! resamples, seed).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::design::{
    Design, DesignError, DesignStructure, SaltelliBlock, below, morris_delta, saltelli_index,
};

/// Why sensitivity indices could not be computed: outputs that do not fit the design
/// (or are not finite numbers), or a design of the wrong structure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SensitivityError(pub String);

impl From<DesignError> for SensitivityError {
    fn from(e: DesignError) -> Self {
        SensitivityError(e.0)
    }
}

/// The 0.975 quantile of the standard normal distribution, `Φ⁻¹(0.975)`
/// (`scipy.stats.norm.ppf(0.975)`): a confidence half-width is this many bootstrap
/// standard deviations, as in SALib.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// ChaCha8 stream of the bootstrap resamples of [`sobol_indices`].
pub const SOBOL_BOOTSTRAP_STREAM: u64 = 4;
/// ChaCha8 stream of the bootstrap resamples of [`morris_indices`].
pub const MORRIS_BOOTSTRAP_STREAM: u64 = 5;

/// Tolerance, in unit-cube coordinates, when reading a Morris step back from the
/// points: a coordinate moved if it changed by more than this, and it must have
/// moved by `Δ` to within this.
const MORRIS_STEP_TOL: f64 = 1e-9;

/// First-order and total Sobol' indices of one parameter, with 95% bootstrap
/// half-widths (`*_conf`, NaN when fewer than 2 resamples were asked for).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SobolIndex {
    /// Parameter name.
    pub name: String,
    /// First-order index S1: the share of the output variance due to this parameter
    /// alone (Saltelli et al. 2010 estimator).
    pub s1: f64,
    /// Half-width of the 95% bootstrap interval of `s1`.
    pub s1_conf: f64,
    /// Total index ST: the share of variance due to this parameter and all its
    /// interactions (Jansen 1999 estimator).
    pub st: f64,
    /// Half-width of the 95% bootstrap interval of `st`.
    pub st_conf: f64,
}

/// Morris screening statistics of one parameter's elementary effects, with a 95%
/// bootstrap half-width for `mu_star`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndex {
    /// Parameter name.
    pub name: String,
    /// Mean elementary effect μ (Morris 1991); effects of opposite signs cancel.
    pub mu: f64,
    /// Mean absolute elementary effect μ* (Campolongo, Cariboni & Saltelli 2007): the
    /// screening measure of overall influence.
    pub mu_star: f64,
    /// Standard deviation σ of the elementary effects (`ddof = 1`, as SALib): large
    /// when the effect depends on the other parameters (interactions, non-linearity).
    /// NaN with a single trajectory.
    pub sigma: f64,
    /// Half-width of the 95% bootstrap interval of `mu_star` (NaN when fewer than 2
    /// resamples were asked for).
    pub mu_star_conf: f64,
}

fn check_outputs(design: &Design, y: &[f64]) -> Result<(), SensitivityError> {
    design.check()?;
    if y.len() != design.len() {
        return Err(SensitivityError(format!(
            "{} outputs for a design of {} points",
            y.len(),
            design.len()
        )));
    }
    if let Some(k) = y.iter().position(|v| !v.is_finite()) {
        return Err(SensitivityError(format!(
            "output {k} is {}, not a finite number",
            y[k]
        )));
    }
    Ok(())
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v;
        n += 1;
    }
    sum / n as f64
}

/// Sample standard deviation with `ddof = 1`; NaN for fewer than 2 values.
fn std_ddof1(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    let m = mean(values.iter().copied());
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    (ss / (values.len() - 1) as f64).sqrt()
}

/// The outputs of a Saltelli design split into its blocks, normalised as SALib does.
struct SaltelliOutputs {
    a: Vec<f64>,
    b: Vec<f64>,
    /// `ab[j][i]`: output at AB^(j) row i.
    ab: Vec<Vec<f64>>,
}

impl SaltelliOutputs {
    /// Population variance of A ∪ B over `rows` (`np.var(np.r_[A, B])`).
    fn variance(&self, rows: &[usize]) -> f64 {
        let n = 2 * rows.len();
        let m = (rows.iter().map(|&i| self.a[i]).sum::<f64>()
            + rows.iter().map(|&i| self.b[i]).sum::<f64>())
            / n as f64;
        let ss = rows
            .iter()
            .map(|&i| (self.a[i] - m) * (self.a[i] - m))
            .sum::<f64>()
            + rows
                .iter()
                .map(|&i| (self.b[i] - m) * (self.b[i] - m))
                .sum::<f64>();
        ss / n as f64
    }

    /// (S1, ST) of parameter `j` over `rows`, given the variance of A ∪ B over them.
    fn indices(&self, j: usize, rows: &[usize], var: f64) -> (f64, f64) {
        if var <= f64::EPSILON {
            // SALib: outputs (nearly) constant — nothing to attribute.
            return (0.0, 0.0);
        }
        let ab = &self.ab[j];
        let n = rows.len() as f64;
        let first = rows
            .iter()
            .map(|&i| self.b[i] * (ab[i] - self.a[i]))
            .sum::<f64>()
            / n;
        let total = rows
            .iter()
            .map(|&i| (self.a[i] - ab[i]) * (self.a[i] - ab[i]))
            .sum::<f64>()
            / n;
        (first / var, 0.5 * total / var)
    }
}

/// First-order and total Sobol' indices of each parameter from the outputs `y` (one
/// per point, in design order) of a Saltelli design ([`crate::design::sobol`]), with
/// 95% bootstrap half-widths from `bootstrap` resamples drawn from `seed`.
///
/// As SALib's `sobol.analyze(..., calc_second_order=False)`:
/// - the outputs are first standardised, `y ← (y − ȳ) / sd(y)` over all `N(d+2)`
///   points (the first-order estimator is not shift-invariant; SALib centres to
///   reduce its bias);
/// - `S1_j = mean(f(B) · (f(AB^(j)) − f(A))) / V` (Saltelli et al. 2010,
///   *Comput. Phys. Commun.* 181:259–270, Table 2);
/// - `ST_j = ½ mean((f(A) − f(AB^(j)))²) / V` (Jansen 1999, *Comput. Phys. Commun.*
///   117:35–43; Saltelli et al. 2010, Table 2);
/// - `V` is the population variance of `f(A) ∪ f(B)`; where `V ≤ f64::EPSILON`
///   (constant outputs) the indices are 0, as in SALib;
/// - the half-width is `Φ⁻¹(0.975) ·` the standard deviation (`ddof = 1`) of the
///   estimates over `bootstrap` resamples of the `N` base rows with replacement
///   (Efron & Tibshirani 1993), one resample shared by all parameters; NaN if
///   `bootstrap < 2`. Resamples draw from ChaCha8 stream [`SOBOL_BOOTSTRAP_STREAM`]
///   under `seed`.
///
/// Errors: a design that is not a Saltelli design, a number of outputs other than the
/// number of points, a non-finite output.
pub fn sobol_indices(
    design: &Design,
    y: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Result<Vec<SobolIndex>, SensitivityError> {
    let DesignStructure::Saltelli { base } = design.structure else {
        return Err(SensitivityError(format!(
            "Sobol' indices need a Saltelli design, not a {} design",
            design.kind
        )));
    };
    check_outputs(design, y)?;
    let d = design.dim();
    let names = design.ranges.iter().map(|r| r.name.clone());
    let m = mean(y.iter().copied());
    let sd = mean(y.iter().map(|v| (v - m) * (v - m))).sqrt();
    if !sd.is_finite() {
        return Err(SensitivityError(
            "outputs too large to standardise (their variance overflows)".into(),
        ));
    }
    if sd <= 0.0 {
        return Ok(names
            .map(|name| SobolIndex {
                name,
                s1: 0.0,
                s1_conf: 0.0,
                st: 0.0,
                st_conf: 0.0,
            })
            .collect());
    }
    let z = |k: usize| (y[k] - m) / sd;
    let out = SaltelliOutputs {
        a: (0..base)
            .map(|i| z(saltelli_index(d, i, SaltelliBlock::A)))
            .collect(),
        b: (0..base)
            .map(|i| z(saltelli_index(d, i, SaltelliBlock::B)))
            .collect(),
        ab: (0..d)
            .map(|j| {
                (0..base)
                    .map(|i| z(saltelli_index(d, i, SaltelliBlock::AB(j))))
                    .collect()
            })
            .collect(),
    };
    let all: Vec<usize> = (0..base).collect();
    let var = out.variance(&all);
    let point: Vec<(f64, f64)> = (0..d).map(|j| out.indices(j, &all, var)).collect();

    let mut boot: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(bootstrap); d];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(SOBOL_BOOTSTRAP_STREAM);
    let mut rows = vec![0; base];
    for _ in 0..bootstrap {
        for r in rows.iter_mut() {
            *r = below(&mut rng, base);
        }
        let var = out.variance(&rows);
        for (j, b) in boot.iter_mut().enumerate() {
            b.push(out.indices(j, &rows, var));
        }
    }
    Ok(names
        .zip(point)
        .zip(boot)
        .map(|((name, (s1, st)), boot)| {
            let s1s: Vec<f64> = boot.iter().map(|e| e.0).collect();
            let sts: Vec<f64> = boot.iter().map(|e| e.1).collect();
            SobolIndex {
                name,
                s1,
                s1_conf: Z_975 * std_ddof1(&s1s),
                st,
                st_conf: Z_975 * std_ddof1(&sts),
            }
        })
        .collect())
}

/// The elementary effects of a Morris design ([`crate::design::morris`]) from its
/// outputs `y`: `effects[j][t]` is parameter `j`'s effect in trajectory `t`,
/// `(y(x + Δ e_j) − y(x)) / Δ` with `Δ` the step in unit-cube coordinates
/// ([`morris_delta`]) — whichever way the trajectory moved (SALib's unscaled
/// effects). The moves are read back from [`Design::unit`]: consecutive points of a
/// trajectory must differ in exactly one coordinate, by `±Δ`, each coordinate once.
pub fn elementary_effects(design: &Design, y: &[f64]) -> Result<Vec<Vec<f64>>, SensitivityError> {
    let DesignStructure::Morris {
        trajectories,
        levels,
    } = design.structure
    else {
        return Err(SensitivityError(format!(
            "Morris indices need a Morris design, not a {} design",
            design.kind
        )));
    };
    check_outputs(design, y)?;
    let d = design.dim();
    let delta = morris_delta(levels);
    let mut effects = vec![Vec::with_capacity(trajectories); d];
    for t in 0..trajectories {
        let mut moved = vec![false; d];
        for s in 0..d {
            let (p, q) = (t * (d + 1) + s, t * (d + 1) + s + 1);
            let step: Vec<f64> = design.unit[q]
                .iter()
                .zip(&design.unit[p])
                .map(|(b, a)| b - a)
                .collect();
            let changed: Vec<usize> = (0..d)
                .filter(|&j| step[j].abs() > MORRIS_STEP_TOL)
                .collect();
            let not_a_step = || {
                format!(
                    "points {p} and {q} of Morris trajectory {t} do not differ in exactly one \
                     coordinate by ±{delta}: {:?} -> {:?}",
                    design.unit[p], design.unit[q]
                )
            };
            let &[j] = changed.as_slice() else {
                return Err(SensitivityError(not_a_step()));
            };
            if (step[j].abs() - delta).abs() > MORRIS_STEP_TOL {
                return Err(SensitivityError(not_a_step()));
            }
            if std::mem::replace(&mut moved[j], true) {
                return Err(SensitivityError(format!(
                    "Morris trajectory {t} moves parameter `{}` twice",
                    design.ranges[j].name
                )));
            }
            let (hi, lo) = if step[j] > 0.0 {
                (y[q], y[p])
            } else {
                (y[p], y[q])
            };
            effects[j].push((hi - lo) / delta);
        }
    }
    Ok(effects)
}

/// Morris screening statistics of each parameter from the outputs `y` (one per point,
/// in design order) of a Morris design, as SALib's `morris.analyze` (unscaled):
/// μ = mean of the [`elementary_effects`] (Morris 1991, *Technometrics*
/// 33(2):161–174), μ* = mean of their absolute values (Campolongo, Cariboni &
/// Saltelli 2007, *Environ. Model. Softw.* 22(10):1509–1518), σ = their standard
/// deviation with `ddof = 1`. `mu_star_conf` is `Φ⁻¹(0.975) ·` the standard deviation
/// (`ddof = 1`) of μ* over `bootstrap` resamples of the trajectories' effects with
/// replacement, resampled independently per parameter as SALib does (ChaCha8 stream
/// [`MORRIS_BOOTSTRAP_STREAM`] under `seed`); NaN if `bootstrap < 2`.
///
/// Effects are per unit of the normalised range: multiply by `hi − lo` for a linear
/// range to get them in output per parameter unit.
pub fn morris_indices(
    design: &Design,
    y: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Result<Vec<MorrisIndex>, SensitivityError> {
    let effects = elementary_effects(design, y)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(MORRIS_BOOTSTRAP_STREAM);
    Ok(design
        .ranges
        .iter()
        .zip(effects)
        .map(|(range, ee)| {
            let r = ee.len();
            let mu_star_boot: Vec<f64> = (0..bootstrap)
                .map(|_| mean((0..r).map(|_| ee[below(&mut rng, r)].abs())))
                .collect();
            MorrisIndex {
                name: range.name.clone(),
                mu: mean(ee.iter().copied()),
                mu_star: mean(ee.iter().map(|e| e.abs())),
                sigma: std_ddof1(&ee),
                mu_star_conf: Z_975 * std_ddof1(&mu_star_boot),
            }
        })
        .collect())
}
