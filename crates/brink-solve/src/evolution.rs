//! Evolutionary game theory for symmetric two-player games: replicator
//! dynamics and evolutionarily stable strategies.
//!
//! A symmetric two-player game is given by the payoff matrix `A` of the row
//! player: `a[i][j]` is the payoff of strategy `i` against strategy `j`. A
//! population state (or mixed strategy) is a point `x` of the simplex.
//!
//! - [`replicator`] integrates the replicator dynamics (Taylor & Jonker 1978)
//!   `ẋ_i = x_i ((A x)_i − x·A x)` with an adaptive Dormand–Prince 5(4)
//!   Runge–Kutta method (Dormand & Prince 1980) with the step-size control and
//!   the 4th-order dense output of Hairer, Nørsett & Wanner, *Solving
//!   Ordinary Differential Equations I* (2nd ed., 1993), §II.4–II.6 (the
//!   dense output is Shampine's 1986 continuous extension, as in Hairer's
//!   `DOPRI5`).
//! - [`is_ess`] decides exactly, in rational arithmetic, whether a strategy is
//!   evolutionarily stable (Maynard Smith & Price 1973).

use num_traits::{Signed, Zero};

use crate::SolveError;
use crate::rational::Q;

/// Options of the ODE integrator used by [`replicator`].
#[derive(Clone, Debug, PartialEq)]
pub struct OdeOptions {
    /// Relative tolerance of the local error. Default `1e-10`.
    pub rtol: f64,
    /// Absolute tolerance of the local error. Default `1e-12`.
    pub atol: f64,
    /// First step; `None` chooses it automatically (Hairer et al. 1993,
    /// §II.4). Default `None`.
    pub initial_step: Option<f64>,
    /// Largest step. Default `f64::INFINITY`.
    pub max_step: f64,
    /// Failure after this many steps (accepted and rejected). Default
    /// `1_000_000`.
    pub max_steps: usize,
    /// `None`: record the state after every accepted step. `Some(dt)`: record
    /// it at `0, dt, 2 dt, …` and at `t_end`, interpolated with the method's
    /// 4th-order dense output (the steps themselves are not affected).
    /// Default `None`.
    pub output_interval: Option<f64>,
}

impl Default for OdeOptions {
    fn default() -> Self {
        Self {
            rtol: 1e-10,
            atol: 1e-12,
            initial_step: None,
            max_step: f64::INFINITY,
            max_steps: 1_000_000,
            output_interval: None,
        }
    }
}

/// A computed trajectory: `states[i]` is the population state at
/// `times[i]`. The first entry is the initial state at time 0, the last the
/// state at `t_end`.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// Increasing times from 0 to `t_end`.
    pub times: Vec<f64>,
    /// The states, each on the simplex (non-negative, summing to 1 up to
    /// rounding).
    pub states: Vec<Vec<f64>>,
    /// Accepted integration steps.
    pub accepted_steps: usize,
    /// Rejected integration steps (local error too large).
    pub rejected_steps: usize,
    /// Evaluations of the right-hand side.
    pub evaluations: usize,
}

/// Integrates the replicator dynamics `ẋ_i = x_i ((A x)_i − x·A x)` of the
/// symmetric game with row payoff matrix `a` from `x0` over `[0, t_end]`.
///
/// The integrator is the adaptive Dormand–Prince 5(4) pair with the PI step
/// control of Hairer, Nørsett & Wanner (1993, §II.4, `DOPRI5`): the local
/// error of the embedded 4th-order solution, measured in the weighted RMS
/// norm with weights `atol + rtol |x_i|`, is kept below 1. The dynamics keep
/// the simplex invariant and every Runge–Kutta stage preserves the linear
/// invariant `Σ x_i = 1`; after each step the state is additionally projected
/// back onto the simplex (tiny negative components from overshooting a face
/// are set to 0 and the state renormalised), which changes it by rounding
/// level when the tolerances are tight. The global error is not bounded by
/// the tolerances but is typically a modest multiple of them; see the tests
/// (conserved quantity of rock–paper–scissors, closed-form logistic
/// solution).
///
/// ```
/// use brink_solve::evolution::{OdeOptions, replicator};
///
/// // Strategy 0 earns 1 more than strategy 1 whatever the opponent does:
/// // x(t) = x0 e^t / (1 − x0 + x0 e^t).
/// let a = vec![vec![1.0, 1.0], vec![0.0, 0.0]];
/// let tr = replicator(&a, &[0.25, 0.75], 2.0, &OdeOptions::default()).unwrap();
/// let exact = 0.25 * libm::exp(2.0) / (0.75 + 0.25 * libm::exp(2.0));
/// assert!((tr.states.last().unwrap()[0] - exact).abs() < 1e-9);
/// ```
///
/// # Errors
///
/// [`SolveError::InvalidArgument`] if `a` is not a non-empty square matrix of
/// finite numbers, `x0` is not a point of the simplex (length, non-negative,
/// summing to 1 within 1e-9; it is renormalised), `t_end` is negative or not
/// finite, or the options are out of range; [`SolveError::NoConvergence`] if
/// the step size underflows or `max_steps` is exceeded.
pub fn replicator(
    a: &[Vec<f64>],
    x0: &[f64],
    t_end: f64,
    options: &OdeOptions,
) -> Result<Trajectory, SolveError> {
    let n = check_square(a, |x: &f64| x.is_finite())?;
    if x0.len() != n {
        return Err(SolveError::InvalidArgument(format!(
            "initial state has {} entries, the game has {n} strategies",
            x0.len()
        )));
    }
    if x0.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
        return Err(SolveError::InvalidArgument(
            "initial state must be finite and non-negative".into(),
        ));
    }
    let total: f64 = x0.iter().sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(SolveError::InvalidArgument(format!(
            "initial state sums to {total}, not 1"
        )));
    }
    if !(t_end.is_finite() && t_end >= 0.0) {
        return Err(SolveError::InvalidArgument(format!(
            "t_end must be finite and non-negative, got {t_end}"
        )));
    }
    check_ode_options(options)?;
    let x0: Vec<f64> = x0.iter().map(|x| x / total).collect();
    let mut ax = vec![0.0; n];
    let rhs = |x: &[f64], out: &mut [f64]| {
        for (axi, row) in ax.iter_mut().zip(a) {
            *axi = row.iter().zip(x).map(|(aij, xj)| aij * xj).sum();
        }
        let mean: f64 = x.iter().zip(&ax).map(|(xi, axi)| xi * axi).sum();
        for ((o, xi), axi) in out.iter_mut().zip(x).zip(&ax) {
            *o = xi * (axi - mean);
        }
    };
    dopri5(rhs, x0, t_end, options, project_to_simplex)
}

/// Clamps negative components to 0 and rescales to sum 1.
/// `x²` by one multiplication (no `powi`, whose lowering is the platform's business).
fn sq(x: f64) -> f64 {
    x * x
}

fn project_to_simplex(x: &mut [f64]) {
    for v in x.iter_mut() {
        if *v < 0.0 {
            *v = 0.0;
        }
    }
    let total: f64 = x.iter().sum();
    if total > 0.0 {
        for v in x.iter_mut() {
            *v /= total;
        }
    }
}

fn check_ode_options(o: &OdeOptions) -> Result<(), SolveError> {
    let pos = |x: f64| x.is_finite() && x > 0.0;
    let ok = pos(o.rtol)
        && pos(o.atol)
        && o.initial_step.is_none_or(pos)
        && o.max_step > 0.0
        && o.output_interval.is_none_or(pos);
    if ok {
        Ok(())
    } else {
        Err(SolveError::InvalidArgument(
            "ODE tolerances, steps and output interval must be positive".into(),
        ))
    }
}

/// Checks that `a` is a non-empty square matrix whose entries satisfy `ok`;
/// returns its order.
fn check_square<T>(a: &[Vec<T>], ok: impl Fn(&T) -> bool) -> Result<usize, SolveError> {
    let n = a.len();
    if n == 0 {
        return Err(SolveError::InvalidArgument(
            "the payoff matrix is empty".into(),
        ));
    }
    if let Some(i) = a.iter().position(|row| row.len() != n) {
        return Err(SolveError::InvalidArgument(format!(
            "the payoff matrix is not square: row {i} has {} entries, expected {n}",
            a[i].len()
        )));
    }
    if a.iter().flatten().any(|x| !ok(x)) {
        return Err(SolveError::InvalidArgument(
            "the payoff matrix has a non-finite entry".into(),
        ));
    }
    Ok(n)
}

// Dormand–Prince 5(4) coefficients (Dormand & Prince 1980; Hairer, Nørsett &
// Wanner 1993, Table II.5.2). The nodes c_i are not needed: the replicator
// dynamics are autonomous.
/// Row `s` holds the weights of stages 1..=s+1 in stage s+2 (the last row,
/// the 5th-order solution, gives stage 2 weight zero).
const A: [&[f64]; 6] = [
    &[1.0 / 5.0],
    &[3.0 / 40.0, 9.0 / 40.0],
    &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
    &[
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
    ],
    &[
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
    ],
    &[
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
// The weights below skip stage 2 (zero in both).
/// Error estimate: 5th-order minus embedded 4th-order weights.
const E: [f64; 6] = [
    71.0 / 57600.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];
/// Shampine's (1986) dense output, as in Hairer's DOPRI5.
const D: [f64; 6] = [
    -12715105075.0 / 11282082432.0,
    87487479700.0 / 32700410799.0,
    -10690763975.0 / 1880347072.0,
    701980252875.0 / 199316789632.0,
    -1453857185.0 / 822651844.0,
    69997945.0 / 29380423.0,
];

/// `Σ w_j k_j[i]` over stages 1, 3, 4, 5, 6, 7, summed left to right.
fn skip_second(w: &[f64; 6], k: &[Vec<f64>], i: usize) -> f64 {
    let mut s = w[0] * k[0][i];
    for (wj, kj) in w[1..].iter().zip(&k[2..]) {
        s += wj * kj[i];
    }
    s
}

/// Adaptive Dormand–Prince 5(4) integration of `y' = f(y)` (autonomous) over
/// `[0, t_end]`, calling `project` on every accepted state.
fn dopri5(
    mut f: impl FnMut(&[f64], &mut [f64]),
    y0: Vec<f64>,
    t_end: f64,
    o: &OdeOptions,
    project: impl Fn(&mut [f64]),
) -> Result<Trajectory, SolveError> {
    let n = y0.len();
    let mut tr = Trajectory {
        times: vec![0.0],
        states: vec![y0.clone()],
        accepted_steps: 0,
        rejected_steps: 0,
        evaluations: 0,
    };
    if t_end == 0.0 {
        return Ok(tr);
    }
    let mut y = y0;
    let mut k: Vec<Vec<f64>> = vec![vec![0.0; n]; 7];
    let mut tmp = vec![0.0; n];
    let mut ynew = vec![0.0; n];
    f(&y, &mut k[0]);
    tr.evaluations += 1;
    let weight = |yi: f64, zi: f64| o.atol + o.rtol * yi.abs().max(zi.abs());
    let mut h = match o.initial_step {
        Some(h) => h,
        None => {
            // Hairer, Nørsett & Wanner (1993), §II.4, "starting step size".
            let sk: Vec<f64> = y.iter().map(|&v| weight(v, v)).collect();
            let dnf: f64 = k[0].iter().zip(&sk).map(|(v, s)| sq(v / s)).sum();
            let dny: f64 = y.iter().zip(&sk).map(|(v, s)| sq(v / s)).sum();
            let mut h = if dnf <= 1e-10 || dny <= 1e-10 {
                1e-6
            } else {
                (dny / dnf).sqrt() * 0.01
            };
            h = h.min(o.max_step);
            for i in 0..n {
                tmp[i] = y[i] + h * k[0][i];
            }
            f(&tmp, &mut k[1]);
            tr.evaluations += 1;
            let der2 = (0..n)
                .map(|i| sq((k[1][i] - k[0][i]) / sk[i]))
                .sum::<f64>()
                .sqrt()
                / h;
            let der12 = der2.abs().max(dnf.sqrt());
            let h1 = if der12 <= 1e-15 {
                (h * 1e-3).max(1e-6)
            } else {
                libm::pow(0.01 / der12, 1.0 / 5.0)
            };
            (100.0 * h).min(h1).min(o.max_step)
        }
    };
    let mut t = 0.0;
    let mut facold: f64 = 1e-4;
    let mut last_rejected = false;
    let mut next_output = o.output_interval;
    let mut steps = 0usize;
    let mut rcont = vec![vec![0.0; n]; 5];
    loop {
        if steps >= o.max_steps {
            return Err(SolveError::NoConvergence(format!(
                "replicator: {steps} steps reached before t = {t_end} (at t = {t})"
            )));
        }
        steps += 1;
        let last = t + h * 1.01 >= t_end;
        if last {
            h = t_end - t;
        }
        if (h.is_nan() || h <= f64::EPSILON * t.abs().max(1.0) * 4.0) && !last {
            return Err(SolveError::NoConvergence(format!(
                "replicator: step size underflow at t = {t}"
            )));
        }
        // Stages 2..7 (k[0] is f at the current point, first-same-as-last).
        let stage = |k: &[Vec<f64>], coefs: &[f64], out: &mut [f64]| {
            for i in 0..n {
                let mut s = 0.0;
                for (kj, &c) in k.iter().zip(coefs) {
                    s += c * kj[i];
                }
                out[i] = y[i] + h * s;
            }
        };
        for (s, coefs) in A[..5].iter().enumerate() {
            let (done, next) = k.split_at_mut(s + 1);
            stage(done, coefs, &mut tmp);
            f(&tmp, &mut next[0]);
        }
        stage(&k[..6], A[5], &mut ynew);
        f(&ynew, &mut k[6]);
        tr.evaluations += 6;
        // Error estimate in the weighted RMS norm.
        let mut err = 0.0;
        for i in 0..n {
            let e = h * skip_second(&E, &k, i);
            err += sq(e / weight(y[i], ynew[i]));
        }
        let err = (err / n as f64).sqrt();
        if !err.is_finite() {
            h *= 0.1;
            tr.rejected_steps += 1;
            last_rejected = true;
            continue;
        }
        // PI step-size control (Hairer et al. 1993, §IV.2; β = 0.04).
        let fac11 = libm::pow(err, 0.2 - 0.04 * 0.75);
        let fac = (fac11 / libm::pow(facold, 0.04) / 0.9).clamp(0.1, 5.0);
        let mut hnew = h / fac;
        if err <= 1.0 {
            facold = err.max(1e-4);
            // Dense output coefficients for (t, t + h).
            for i in 0..n {
                let dy = ynew[i] - y[i];
                let bspl = h * k[0][i] - dy;
                rcont[0][i] = y[i];
                rcont[1][i] = dy;
                rcont[2][i] = bspl;
                rcont[3][i] = dy - h * k[6][i] - bspl;
                rcont[4][i] = h * skip_second(&D, &k, i);
            }
            let t_new = if last { t_end } else { t + h };
            if let (Some(dt), Some(next)) = (o.output_interval, next_output.as_mut()) {
                while *next < t_new && *next < t_end {
                    let theta = (*next - t) / h;
                    let th1 = 1.0 - theta;
                    let mut state: Vec<f64> = (0..n)
                        .map(|i| {
                            rcont[0][i]
                                + theta
                                    * (rcont[1][i]
                                        + th1
                                            * (rcont[2][i]
                                                + theta * (rcont[3][i] + th1 * rcont[4][i])))
                        })
                        .collect();
                    project(&mut state);
                    tr.times.push(*next);
                    tr.states.push(state);
                    let count = (tr.times.len()) as f64;
                    *next = count * dt;
                }
            }
            tr.accepted_steps += 1;
            let before = ynew.clone();
            project(&mut ynew);
            std::mem::swap(&mut y, &mut ynew);
            let moved = y
                .iter()
                .zip(&before)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            if moved > 1e-13 {
                f(&y, &mut k[0]);
                tr.evaluations += 1;
            } else {
                k.swap(0, 6);
            }
            t = t_new;
            if o.output_interval.is_none() || last {
                tr.times.push(t);
                tr.states.push(y.clone());
            }
            if last {
                return Ok(tr);
            }
            if last_rejected {
                hnew = hnew.min(h);
            }
            last_rejected = false;
            h = hnew.min(o.max_step);
        } else {
            tr.rejected_steps += 1;
            hnew = h / (fac11 / 0.9).min(5.0);
            last_rejected = true;
            h = hnew;
        }
    }
}

/// Whether the mixed strategy `x` is an evolutionarily stable strategy (ESS)
/// of the symmetric two-player game with row payoff matrix `a`, decided
/// exactly.
///
/// **Definition** (Maynard Smith & Price 1973): `x` is an ESS if for every
/// `y ≠ x`, either `y·Ax < x·Ax`, or `y·Ax = x·Ax` and `y·Ay < x·Ay`.
///
/// **Method.** `x` must be a symmetric Nash equilibrium. Let `B` be its set of
/// pure best replies (`(Ax)_i = x·Ax`) and `S ⊆ B` its support. The `y` with
/// `y·Ax = x·Ax` are exactly the mixtures of `B`, and for them
/// `y·Ay − x·Ay = z·Az` with `z = y − x`. So `x` is an ESS iff the quadratic
/// form `z·Az` is negative on the cone
/// `C = {z ≠ 0 : Σ z = 0, z_i = 0 off B, z_i ≥ 0 on B \ S}`
/// (Haigh 1975, whose criterion — negative definiteness on the tangent space
/// of the face — covers the regular case `B = S`; Abakuks 1980 and Bomze
/// 1992 for `B ≠ S`, where the sign constraints make it a copositivity
/// question). With `i₀ ∈ S` eliminated through `Σ z = 0`, the form becomes
/// `w·M w` on `w = (z_j)_{j ∈ B \ {i₀}}`, free on `F = S \ {i₀}` and
/// non-negative on `N = B \ S`. It is negative on the cone iff
///
/// 1. `M_FF` is negative definite (checked by symmetric Gaussian elimination:
///    every pivot negative), and
/// 2. the Schur complement `T = M_NN − M_NF M_FF⁻¹ M_FN` (the maximum of the
///    form over the free part) satisfies `v·T v < 0` for all `v ≥ 0, v ≠ 0`.
///    This is decided by enumerating the faces of the simplex: the maximum of
///    `v·T v` over the simplex, taken at a maximiser of smallest support `J`,
///    is the unique solution of `T_JJ v_J = μ 1, Σ v_J = 1` (whose matrix is
///    then nonsingular); so the condition fails iff some `J` gives a
///    nonsingular system with `v_J > 0` and `μ ≥ 0`.
///
/// All arithmetic is in exact rationals. The cost is exponential in
/// `|B \ S|` (the number of unused best replies), which is 0 for a regular
/// equilibrium.
///
/// ```
/// use brink_solve::evolution::is_ess;
/// use brink_solve::rational::{q, qi};
///
/// // Hawk–dove with V = 2, C = 4: the ESS plays hawk with probability V/C.
/// let a = vec![vec![qi(-1), qi(2)], vec![qi(0), qi(1)]];
/// assert!(is_ess(&a, &[q(1, 2), q(1, 2)]).unwrap());
/// assert!(!is_ess(&a, &[qi(1), qi(0)]).unwrap());
/// ```
///
/// # Errors
///
/// [`SolveError::InvalidArgument`] if `a` is not a non-empty square matrix or
/// `x` is not a probability vector of matching length (non-negative, summing
/// exactly to 1); [`SolveError::Unsupported`] if `|B \ S| > 20`.
pub fn is_ess(a: &[Vec<Q>], x: &[Q]) -> Result<bool, SolveError> {
    let n = check_square(a, |_| true)?;
    if x.len() != n {
        return Err(SolveError::InvalidArgument(format!(
            "strategy has {} entries, the game has {n} strategies",
            x.len()
        )));
    }
    if x.iter().any(|v| v.is_negative()) {
        return Err(SolveError::InvalidArgument(
            "strategy has a negative probability".into(),
        ));
    }
    let total: Q = x.iter().sum();
    if total != Q::from_integer(1.into()) {
        return Err(SolveError::InvalidArgument(format!(
            "strategy sums to {total}, not 1"
        )));
    }
    // Symmetric Nash equilibrium?
    let ax: Vec<Q> = a
        .iter()
        .map(|row| row.iter().zip(x).map(|(aij, xj)| aij * xj).sum())
        .collect();
    let value: Q = x.iter().zip(&ax).map(|(xi, axi)| xi * axi).sum();
    if ax.iter().any(|v| *v > value) {
        return Ok(false);
    }
    let support: Vec<usize> = (0..n).filter(|&i| !x[i].is_zero()).collect();
    let best: Vec<usize> = (0..n).filter(|&i| ax[i] == value).collect();
    let i0 = support[0];
    let free: Vec<usize> = support[1..].to_vec();
    let nonneg: Vec<usize> = best
        .iter()
        .copied()
        .filter(|i| !support.contains(i))
        .collect();
    if nonneg.len() > 20 {
        return Err(SolveError::Unsupported(format!(
            "{} best replies outside the support (limit 20)",
            nonneg.len()
        )));
    }
    // The form z·Az in the coordinates w_j = z_j (j ≠ i0), symmetrised.
    let c = |i: usize, j: usize| -> Q { &a[i][j] - &a[i][i0] - &a[i0][j] + &a[i0][i0] };
    let m = |i: usize, j: usize| -> Q { (c(i, j) + c(j, i)) / Q::from_integer(2.into()) };
    let mff: Vec<Vec<Q>> = free
        .iter()
        .map(|&i| free.iter().map(|&j| m(i, j)).collect())
        .collect();
    if !negative_definite(mff.clone()) {
        return Ok(false);
    }
    if nonneg.is_empty() {
        return Ok(true);
    }
    // Schur complement T = M_NN − M_NF M_FF⁻¹ M_FN.
    let mnf: Vec<Vec<Q>> = nonneg
        .iter()
        .map(|&i| free.iter().map(|&j| m(i, j)).collect())
        .collect();
    let mut t: Vec<Vec<Q>> = nonneg
        .iter()
        .map(|&i| nonneg.iter().map(|&j| m(i, j)).collect())
        .collect();
    if !free.is_empty() {
        // Columns of M_FF⁻¹ M_FN.
        for (r, row_r) in mnf.iter().enumerate() {
            let Some(sol) = solve_exact(mff.clone(), row_r.clone()) else {
                unreachable!("a negative definite matrix is nonsingular");
            };
            for (s, row_s) in mnf.iter().enumerate() {
                let prod: Q = row_s.iter().zip(&sol).map(|(a, b)| a * b).sum();
                t[s][r] -= prod;
            }
        }
    }
    // v·T v < 0 for all v ≥ 0, v ≠ 0: look for a face J with a stationary
    // point v_J > 0 of the form on the simplex with value μ ≥ 0.
    let k = nonneg.len();
    for mask in 1u32..(1u32 << k) {
        let j: Vec<usize> = (0..k).filter(|&i| mask >> i & 1 == 1).collect();
        let size = j.len();
        let mut mat = vec![vec![Q::zero(); size + 1]; size + 1];
        for (r, &jr) in j.iter().enumerate() {
            for (s, &js) in j.iter().enumerate() {
                mat[r][s] = t[jr][js].clone();
            }
            mat[r][size] = -Q::from_integer(1.into());
            mat[size][r] = Q::from_integer(1.into());
        }
        let mut rhs = vec![Q::zero(); size + 1];
        rhs[size] = Q::from_integer(1.into());
        if let Some(sol) = solve_exact(mat, rhs)
            && sol[..size].iter().all(|v| v.is_positive())
            && !sol[size].is_negative()
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether the symmetric rational matrix is negative definite (the empty
/// matrix is): Gaussian elimination without pivoting, every pivot negative.
fn negative_definite(mut m: Vec<Vec<Q>>) -> bool {
    let n = m.len();
    for p in 0..n {
        if !m[p][p].is_negative() {
            return false;
        }
        let (top, bottom) = m.split_at_mut(p + 1);
        let pivot_row = &top[p];
        for row in bottom.iter_mut() {
            let factor = &row[p] / &pivot_row[p];
            for (x, y) in row[p..].iter_mut().zip(&pivot_row[p..]) {
                *x -= &factor * y;
            }
        }
    }
    true
}

/// Solves `mat · x = rhs` exactly; `None` if `mat` is singular.
fn solve_exact(mut mat: Vec<Vec<Q>>, mut rhs: Vec<Q>) -> Option<Vec<Q>> {
    let n = rhs.len();
    for col in 0..n {
        let pivot = (col..n).find(|&r| !mat[r][col].is_zero())?;
        mat.swap(col, pivot);
        rhs.swap(col, pivot);
        let pivot_row = mat[col].clone();
        let pivot_rhs = rhs[col].clone();
        for (r, (row, b)) in mat.iter_mut().zip(rhs.iter_mut()).enumerate() {
            if r != col && !row[col].is_zero() {
                let factor = &row[col] / &pivot_row[col];
                for (x, y) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= &factor * y;
                }
                *b -= &factor * &pivot_rhs;
            }
        }
    }
    Some((0..n).map(|i| &rhs[i] / &mat[i][i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rational::{q, qi};

    #[test]
    fn solve_exact_and_definiteness() {
        let m = vec![vec![qi(2), qi(1)], vec![qi(1), qi(3)]];
        assert_eq!(
            solve_exact(m, vec![qi(3), qi(5)]),
            Some(vec![q(4, 5), q(7, 5)])
        );
        assert_eq!(
            solve_exact(
                vec![vec![qi(1), qi(2)], vec![qi(2), qi(4)]],
                vec![qi(1), qi(1)]
            ),
            None
        );
        assert!(negative_definite(vec![
            vec![qi(-2), qi(1)],
            vec![qi(1), qi(-1)]
        ]));
        assert!(!negative_definite(vec![
            vec![qi(-1), qi(2)],
            vec![qi(2), qi(-1)]
        ]));
        assert!(!negative_definite(vec![vec![qi(0)]]));
        assert!(negative_definite(vec![]));
    }
}
