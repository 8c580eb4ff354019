//! Logit quantal response equilibrium (QRE) and its principal branch.
//!
//! In a logit QRE (McKelvey & Palfrey 1995, "Quantal response equilibria for
//! normal form games", *Games and Economic Behavior* 10) every player
//! randomises with probabilities proportional to the exponentials of its
//! expected payoffs, scaled by the precision `λ ≥ 0`:
//!
//! ```text
//! σ_p(s) = exp(λ u_p(s, σ_-p)) / Σ_t exp(λ u_p(t, σ_-p)).
//! ```
//!
//! At `λ = 0` the unique QRE is the centroid (everyone uniform). For almost
//! every game the QREs starting there form a smooth curve, the *principal
//! branch*, which converges as `λ → ∞` to a Nash equilibrium, the *limiting
//! logit equilibrium* (McKelvey & Palfrey 1995, Theorem 3) — an equilibrium
//! selection that, in symmetric 2×2 coordination games, picks the
//! risk-dominant equilibrium.
//!
//! # Algorithm
//!
//! The branch is traced as in Turocy (2005), "A dynamic homotopy
//! interpretation of the logistic quantal response equilibrium
//! correspondence", *Games and Economic Behavior* 51, and Gambit's
//! `gambit-logit`: in the unknowns `x = (w, λ)` with `w = log σ` the QRE
//! conditions are the `N = Σ_p k_p` equations
//!
//! ```text
//! Σ_s exp(w_{p,s}) − 1 = 0,
//! w_{p,s} − w_{p,0} − λ (u_p(s, σ_-p) − u_p(0, σ_-p)) = 0   (s ≥ 1),
//! ```
//!
//! whose solution set near the branch is a curve in `R^{N+1}`. It is followed
//! by an Euler predictor and a Gauss–Newton (Moore–Penrose) corrector using a
//! Givens QR factorisation of the Jacobian, with Allgower & Georg's step-size
//! control (*Numerical Continuation Methods*, 1990, ch. 6: the step shrinks
//! when the first corrector step is long or the corrector contracts slowly,
//! and grows by at most [`PathOptions::max_accel`] otherwise). The curve is
//! parametrised by arc length, so it is followed through turning points where
//! `λ` temporarily decreases; the tangent's orientation is kept continuous
//! from step to step. Log-probabilities keep every probability positive and
//! resolve probabilities far below `f64::EPSILON`, which is what makes large
//! `λ` reachable.
//!
//! The QRE at a given `λ` is the **first** point of the branch (in arc length
//! from the centroid) with that precision, polished by Newton's method at
//! fixed `λ`.
//!
//! # Guarantees and limits
//!
//! Every returned QRE satisfies the fixed-point equations to rounding level
//! (see the tests); [`limiting_logit_equilibrium`] verifies its result as a
//! Nash equilibrium. The branch is unique and smooth for generic games; at a
//! bifurcation (symmetric, non-generic games) the tracer continues along the
//! branch that is smooth through the bifurcation point and never jumps
//! branches deliberately. If the step size falls below
//! [`PathOptions::min_step`] the solver fails with
//! [`SolveError::NoConvergence`] rather than guessing.

use serde::{Deserialize, Serialize};

use crate::linalg::Lu;
use crate::nplayer::{check_finite_game, refine_on_support, to_equilibrium};
use crate::{Equilibrium, NormalFormGame, SolveError, max_regret};

/// A corrector that stalls (step not halving) below this step length has
/// reached the rounding floor of the equations and is accepted.
const NOISE_FLOOR_TOL: f64 = 1e-7;

/// Consecutive unit tangents must make an angle of at most about 45°
/// (cosine 0.7); otherwise the step is retried shorter (Allgower & Georg
/// 1990, §6.1, on step-size control by the angle between tangents).
const MIN_TANGENT_COSINE: f64 = 0.7;

/// Step-size control of the path tracer (defaults follow Gambit's
/// `gambit-logit` and Allgower & Georg).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathOptions {
    /// First arc-length step. Default `0.03`.
    pub first_step: f64,
    /// Largest factor by which the step may grow (and the factor by which it
    /// shrinks after a rejected step). Default `1.5`.
    pub max_accel: f64,
    /// Failure when the step must shrink below this. Default `1e-10`.
    pub min_step: f64,
    /// Maximal length of the first corrector step (distance of the predicted
    /// point from the curve). Default `0.4`.
    pub max_corrector_dist: f64,
    /// Maximal contraction ratio between successive corrector steps.
    /// Default `0.6`.
    pub max_contraction: f64,
    /// The corrector stops when its step is below this (raised automatically
    /// to the rounding floor `64 ε (1 + λ R)`, `R` the payoff range; a
    /// corrector that stalls with steps below 1e-7 has reached the rounding
    /// noise of the equations and is accepted too). Default `1e-10`.
    pub corrector_tol: f64,
    /// Failure after this many accepted steps. Default `100_000`.
    pub max_steps: usize,
}

impl Default for PathOptions {
    fn default() -> Self {
        Self {
            first_step: 0.03,
            max_accel: 1.5,
            min_step: 1e-10,
            max_corrector_dist: 0.4,
            max_contraction: 0.6,
            corrector_tol: 1e-10,
            max_steps: 100_000,
        }
    }
}

/// One point of the traced principal branch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathPoint {
    /// The precision `λ` of this point.
    pub lambda: f64,
    /// The QRE at `lambda`: `strategies[p][s]`.
    pub strategies: Vec<Vec<f64>>,
}

/// Options of [`limiting_logit_equilibrium`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitOptions {
    /// Path tracing parameters.
    pub path: PathOptions,
    /// Stop tracing at this `λ`; `None` means `1e8 / R` with `R` the payoff
    /// range (max minus min payoff), i.e. `λ R = 1e8`.
    pub max_lambda: Option<f64>,
    /// Regret (absolute, payoff units) accepted for the unrefined endpoint
    /// when no support could be identified. Default `1e-6`.
    pub regret_tolerance: f64,
}

impl Default for LimitOptions {
    fn default() -> Self {
        Self {
            path: PathOptions::default(),
            max_lambda: None,
            regret_tolerance: 1e-6,
        }
    }
}

/// The logit QRE at precision `lambda` on the principal branch, traced from
/// the centroid at `λ = 0` (see the [module docs](self)); `payoffs` are the
/// players' expected payoffs at the QRE. Uses [`PathOptions::default`].
///
/// ```
/// use brink_solve::NormalFormGame;
/// use brink_solve::qre::logit_qre;
///
/// // Matching pennies: the QRE is (1/2, 1/2) for every λ.
/// let g = NormalFormGame::new(vec![2, 2], vec![1., -1., -1., 1., -1., 1., 1., -1.]).unwrap();
/// let q = logit_qre(&g, 5.0).unwrap();
/// assert!((q.strategies[0][0] - 0.5).abs() < 1e-12);
/// ```
///
/// # Errors
///
/// [`SolveError::InvalidArgument`] for a negative or non-finite `lambda` or
/// non-finite payoffs; [`SolveError::NoConvergence`] if the tracer fails.
pub fn logit_qre(game: &NormalFormGame<f64>, lambda: f64) -> Result<Equilibrium<f64>, SolveError> {
    logit_qre_with_options(game, lambda, &PathOptions::default())
}

/// [`logit_qre`] with explicit tracer options.
///
/// # Errors
///
/// As [`logit_qre`].
pub fn logit_qre_with_options(
    game: &NormalFormGame<f64>,
    lambda: f64,
    options: &PathOptions,
) -> Result<Equilibrium<f64>, SolveError> {
    let point = trace(game, lambda, options, false)?
        .pop()
        .expect("the trace ends with the point at the target λ");
    to_equilibrium(game, point.strategies)
}

/// The principal branch from `λ = 0` to `lambda_max`: the centroid, every
/// accepted step of the tracer with `λ < lambda_max`, and finally the QRE at
/// `lambda_max` exactly (see the [module docs](self)). Along a turning point
/// `λ` can decrease between consecutive points.
///
/// # Errors
///
/// As [`logit_qre`] (with `lambda_max` in place of `lambda`), and
/// [`SolveError::InvalidArgument`] for invalid `options`.
pub fn logit_path(
    game: &NormalFormGame<f64>,
    lambda_max: f64,
    options: &PathOptions,
) -> Result<Vec<PathPoint>, SolveError> {
    trace(game, lambda_max, options, true)
}

/// The limiting logit equilibrium: the Nash equilibrium at the end of the
/// principal branch as `λ → ∞` (McKelvey & Palfrey 1995).
///
/// The branch is traced towards `max_lambda`. At `λ R = 10², 10³, …` the
/// likely support is read off the QRE (strategies with probability at least
/// 1e-2, 1e-4 or 1e-6 times the player's largest) and the indifference system
/// on that support is solved by Newton's method from the QRE. A solution that
/// is a Nash equilibrium (regret ≤ `1e-12 (1 + R)`) and agrees (to 1e-9) with
/// the one found at the previous checkpoint is returned: it is the refined,
/// exact-to-rounding equilibrium. If no support is identified by
/// `max_lambda`, the QRE there is returned provided its regret is at most
/// [`LimitOptions::regret_tolerance`]. If the tracer stalls beyond
/// `λ R = 1000` (this happens in degenerate games, whose branch can approach
/// a continuum of equilibria with an ill-conditioned Jacobian), the last
/// point reached is treated the same way. Either way the result is verified.
///
/// A game whose payoffs are all equal returns the centroid.
///
/// # Errors
///
/// [`SolveError::InvalidArgument`] for non-finite payoffs or options;
/// [`SolveError::NoConvergence`] if tracing fails or the endpoint's regret
/// exceeds the tolerance.
pub fn limiting_logit_equilibrium(
    game: &NormalFormGame<f64>,
    options: &LimitOptions,
) -> Result<Equilibrium<f64>, SolveError> {
    check_finite_game(game)?;
    let range = payoff_range(game);
    if range == 0.0 {
        return to_equilibrium(game, centroid(game));
    }
    let max_lambda = options.max_lambda.unwrap_or(1e8 / range);
    if !(max_lambda.is_finite() && max_lambda > 0.0) {
        return Err(SolveError::InvalidArgument(format!(
            "max_lambda must be positive and finite, got {max_lambda}"
        )));
    }
    let mut tracer = Tracer::new(game, options.path.clone())?;
    let mut next_checkpoint = 100.0;
    let mut previous: Option<Vec<Vec<f64>>> = None;
    let refine_tol = 1e-12 * (1.0 + range);
    let mut stalled: Option<SolveError> = None;
    loop {
        let lambda = tracer.x[tracer.n];
        if lambda >= max_lambda {
            break;
        }
        if lambda * range >= next_checkpoint {
            while lambda * range >= next_checkpoint {
                next_checkpoint *= 10.0;
            }
            let sigma = tracer.strategies();
            let refined = refine_candidates(game, &sigma, refine_tol);
            if let (Some(r), Some(p)) = (&refined, &previous)
                && crate::nplayer::profile_distance(r, p) <= 1e-9
                && crate::nplayer::profile_distance(r, &sigma) <= 0.05
            {
                return to_equilibrium(game, r.clone());
            }
            previous = refined;
        }
        if let Err(e) = tracer.step() {
            // Far out on the branch (λ R ≥ 1000) a stalled tracer — typical
            // of degenerate games, whose branch approaches a non-isolated
            // equilibrium — still leaves a usable point: judge it below.
            if lambda * range >= 1e3 {
                stalled = Some(e);
                break;
            }
            return Err(e);
        }
    }
    // Polish the endpoint at max_lambda and accept it if its regret is small.
    let (sigma, end_lambda) = match &stalled {
        None => (tracer.finish_at(max_lambda)?, max_lambda),
        Some(_) => (tracer.strategies(), tracer.x[tracer.n]),
    };
    if let Some(r) = refine_candidates(game, &sigma, refine_tol)
        && crate::nplayer::profile_distance(&r, &sigma) <= 0.05
    {
        return to_equilibrium(game, r);
    }
    let regret =
        max_regret(game, &sigma).map_err(|e| SolveError::InvalidArgument(e.to_string()))?;
    if regret <= options.regret_tolerance {
        to_equilibrium(game, sigma)
    } else {
        let why = match stalled {
            Some(e) => format!(" (tracing stopped: {e})"),
            None => String::new(),
        };
        Err(SolveError::NoConvergence(format!(
            "logit branch at lambda = {end_lambda} has regret {regret:e} > {:e}{why}",
            options.regret_tolerance
        )))
    }
}

/// Tries the supports read off `sigma` at several thresholds; returns the
/// first Newton solution that is a Nash equilibrium within `tol`.
fn refine_candidates(
    game: &NormalFormGame<f64>,
    sigma: &[Vec<f64>],
    tol: f64,
) -> Option<Vec<Vec<f64>>> {
    let mut tried: Vec<Vec<Vec<usize>>> = Vec::new();
    for theta in [1e-2, 1e-4, 1e-6] {
        let supports: Vec<Vec<usize>> = sigma
            .iter()
            .map(|sp| {
                let top = sp.iter().fold(0.0f64, |m, &x| m.max(x));
                (0..sp.len()).filter(|&s| sp[s] >= theta * top).collect()
            })
            .collect();
        if tried.contains(&supports) {
            continue;
        }
        if let Some(profile) = refine_on_support(game, &supports, sigma)
            && max_regret(game, &profile).is_ok_and(|r| r <= tol)
        {
            return Some(profile);
        }
        tried.push(supports);
    }
    None
}

/// Largest minus smallest payoff.
fn payoff_range(game: &NormalFormGame<f64>) -> f64 {
    let (lo, hi) = game
        .payoffs()
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    hi - lo
}

fn centroid(game: &NormalFormGame<f64>) -> Vec<Vec<f64>> {
    game.strategy_counts()
        .iter()
        .map(|&k| vec![1.0 / k as f64; k])
        .collect()
}

fn check_path_options(o: &PathOptions) -> Result<(), SolveError> {
    let pos = |x: f64| x.is_finite() && x > 0.0;
    let valid = pos(o.first_step)
        && o.max_accel.is_finite()
        && o.max_accel > 1.0
        && pos(o.min_step)
        && pos(o.max_corrector_dist)
        && o.max_contraction > 0.0
        && o.max_contraction < 1.0
        && pos(o.corrector_tol);
    if !valid {
        return Err(SolveError::InvalidArgument(
            "path options out of range (steps and tolerances positive, max_accel > 1, \
             0 < max_contraction < 1)"
                .into(),
        ));
    }
    Ok(())
}

/// Traces the branch to `lambda`; returns the visited points (if `record`)
/// followed by the polished point at `lambda`, or just the latter.
fn trace(
    game: &NormalFormGame<f64>,
    lambda: f64,
    options: &PathOptions,
    record: bool,
) -> Result<Vec<PathPoint>, SolveError> {
    check_finite_game(game)?;
    if !(lambda.is_finite() && lambda >= 0.0) {
        return Err(SolveError::InvalidArgument(format!(
            "lambda must be finite and non-negative, got {lambda}"
        )));
    }
    let mut tracer = Tracer::new(game, options.clone())?;
    let mut points = Vec::new();
    if lambda == 0.0 {
        points.push(PathPoint {
            lambda: 0.0,
            strategies: centroid(game),
        });
        return Ok(points);
    }
    loop {
        let here = tracer.x[tracer.n];
        if here >= lambda {
            break;
        }
        if record {
            points.push(PathPoint {
                lambda: here,
                strategies: tracer.strategies(),
            });
        }
        tracer.step()?;
    }
    let strategies = tracer.finish_at(lambda)?;
    points.push(PathPoint { lambda, strategies });
    Ok(points)
}

/// Expected payoffs and their derivatives at a mixed profile, for the QRE
/// equations.
struct Evaluator<'g> {
    game: &'g NormalFormGame<f64>,
    /// Offset of each player's strategies in the flat vectors.
    off: Vec<usize>,
    /// Total number of strategies `N`.
    n: usize,
}

impl<'g> Evaluator<'g> {
    fn new(game: &'g NormalFormGame<f64>) -> Self {
        let mut off = Vec::with_capacity(game.num_players());
        let mut n = 0;
        for &k in game.strategy_counts() {
            off.push(n);
            n += k;
        }
        Self { game, off, n }
    }

    /// `v[off[p] + s] = u_p(s, σ_-p)` and, if `dv` is given,
    /// `dv[(off[p] + s) * N + off[q] + t] = u_p(s, t, σ_-{p,q})` for `q ≠ p`
    /// (zero for `q = p`), with `sigma` flat.
    fn eval(&self, sigma: &[f64], v: &mut [f64], mut dv: Option<&mut [f64]>) {
        let game = self.game;
        let np = game.num_players();
        let n = self.n;
        v.fill(0.0);
        if let Some(dv) = dv.as_deref_mut() {
            dv.fill(0.0);
        }
        let mut pi = vec![0.0; np];
        let mut pre = vec![1.0; np + 1];
        let mut suf = vec![1.0; np + 1];
        let mut rows = vec![0usize; np];
        crate::game::for_each_profile(game.strategy_counts(), |index, profile| {
            for q in 0..np {
                rows[q] = self.off[q] + profile[q];
                pi[q] = sigma[rows[q]];
            }
            for q in 0..np {
                pre[q + 1] = pre[q] * pi[q];
            }
            for q in (0..np).rev() {
                suf[q] = suf[q + 1] * pi[q];
            }
            let payoffs = game.profile_payoffs(index);
            for p in 0..np {
                let u = payoffs[p];
                if u == 0.0 {
                    continue;
                }
                v[rows[p]] += u * pre[p] * suf[p + 1];
                let Some(dv) = dv.as_deref_mut() else {
                    continue;
                };
                // Products over players strictly between p and q.
                let mut mid = 1.0;
                for q in p + 1..np {
                    let w = pre[p] * mid * suf[q + 1];
                    dv[rows[p] * n + rows[q]] += u * w;
                    mid *= pi[q];
                }
                let mut mid = 1.0;
                for q in (0..p).rev() {
                    let w = pre[q] * mid * suf[p + 1];
                    dv[rows[p] * n + rows[q]] += u * w;
                    mid *= pi[q];
                }
            }
        });
    }
}

/// Predictor–corrector tracer of the logit branch in `x = (w, λ)`.
struct Tracer<'g> {
    ev: Evaluator<'g>,
    opts: PathOptions,
    /// Number of equations `N` (= index of λ in `x`).
    n: usize,
    /// Payoff range `R` (for the rounding floor of the corrector).
    range: f64,
    /// Probabilities below this count as 0 in payoff sums: `10^(−300/n)`
    /// for `n` players (capped at 1e-20), so that products of up to `n` of
    /// them stay normal floating-point numbers.
    tiny: f64,
    /// Current point on the curve.
    x: Vec<f64>,
    /// Unit tangent at `x`, oriented in the direction of travel.
    t: Vec<f64>,
    /// Current step length.
    h: f64,
    steps: usize,
    // Scratch.
    v: Vec<f64>,
    dv: Vec<f64>,
    sigma: Vec<f64>,
    /// `H'(x)ᵀ`, `(N+1) × N`, row-major; becomes `[R; 0]` after `qr`.
    b: Vec<f64>,
    /// Orthogonal factor, `(N+1) × (N+1)`: `q b_original = [R; 0]`.
    q: Vec<f64>,
}

impl<'g> Tracer<'g> {
    fn new(game: &'g NormalFormGame<f64>, opts: PathOptions) -> Result<Self, SolveError> {
        check_path_options(&opts)?;
        let ev = Evaluator::new(game);
        let n = ev.n;
        let mut x = vec![0.0; n + 1];
        for (p, &k) in game.strategy_counts().iter().enumerate() {
            for s in 0..k {
                x[ev.off[p] + s] = -libm::log(k as f64);
            }
        }
        let players = game.num_players() as f64;
        let mut tr = Self {
            range: payoff_range(game),
            tiny: libm::pow(10.0, -300.0 / players).min(1e-20),
            h: opts.first_step,
            opts,
            n,
            x,
            t: vec![0.0; n + 1],
            steps: 0,
            v: vec![0.0; n],
            dv: vec![0.0; n * n],
            sigma: vec![0.0; n],
            b: vec![0.0; (n + 1) * n],
            q: vec![0.0; (n + 1) * (n + 1)],
            ev,
        };
        let x0 = tr.x.clone();
        tr.jacobian_t(&x0);
        tr.qr();
        let mut t: Vec<f64> = tr.q[n * (n + 1)..].to_vec();
        if t[n] < 0.0 {
            t.iter_mut().for_each(|x| *x = -*x);
        }
        tr.t = t;
        Ok(tr)
    }

    /// The current profile, normalised per player.
    fn strategies(&self) -> Vec<Vec<f64>> {
        let game = self.ev.game;
        (0..game.num_players())
            .map(|p| {
                let o = self.ev.off[p];
                let k = game.num_strategies(p);
                let probs: Vec<f64> = self.x[o..o + k].iter().map(|w| libm::exp(*w)).collect();
                let total: f64 = probs.iter().sum();
                probs.iter().map(|x| x / total).collect()
            })
            .collect()
    }

    /// Evaluates payoffs (and, if `derivatives`, their derivatives) at `x`
    /// into the scratch vectors.
    fn payoffs_at(&mut self, x: &[f64], derivatives: bool) {
        // Probabilities below `tiny` are treated as 0 in the payoff sums: their
        // weight is negligible, and products of several of them would be
        // subnormal numbers, which are very slow on most CPUs.
        let tiny = self.tiny;
        for (s, w) in self.sigma.iter_mut().zip(&x[..self.n]) {
            let e = libm::exp(*w);
            *s = if e < tiny { 0.0 } else { e };
        }
        let dv = derivatives.then_some(self.dv.as_mut_slice());
        self.ev.eval(&self.sigma, &mut self.v, dv);
    }

    /// `H(x)` into `y` (length `N`).
    fn residual(&mut self, x: &[f64], y: &mut [f64]) {
        self.payoffs_at(x, false);
        let lambda = x[self.n];
        let game = self.ev.game;
        for p in 0..game.num_players() {
            let o = self.ev.off[p];
            let k = game.num_strategies(p);
            y[o] = self.sigma[o..o + k].iter().sum::<f64>() - 1.0;
            for s in 1..k {
                y[o + s] = x[o + s] - x[o] - lambda * (self.v[o + s] - self.v[o]);
            }
        }
    }

    /// `H'(x)ᵀ` into `self.b` (row `j` = derivative with respect to `x_j`).
    fn jacobian_t(&mut self, x: &[f64]) {
        self.payoffs_at(x, true);
        let n = self.n;
        let lambda = x[n];
        let game = self.ev.game;
        let b = &mut self.b;
        b.fill(0.0);
        for p in 0..game.num_players() {
            let o = self.ev.off[p];
            let k = game.num_strategies(p);
            for s in 0..k {
                b[(o + s) * n + o] = self.sigma[o + s];
            }
            for s in 1..k {
                let row = o + s;
                b[(o + s) * n + row] += 1.0;
                b[o * n + row] -= 1.0;
                for (q, &oq) in self.ev.off.iter().enumerate() {
                    if q == p {
                        continue;
                    }
                    for t in 0..game.num_strategies(q) {
                        let col = oq + t;
                        let d = self.dv[row * n + col] - self.dv[o * n + col];
                        b[col * n + row] = -lambda * self.sigma[col] * d;
                    }
                }
                b[n * n + row] = -(self.v[row] - self.v[o]);
            }
        }
    }

    /// Givens QR of `self.b` (`(N+1) × N`): afterwards `b` holds `[R; 0]` with
    /// `R` upper triangular and `q · b_original = [R; 0]`. The last row of `q`
    /// spans the kernel of `H'` (the tangent).
    fn qr(&mut self) {
        let n = self.n;
        let m = n + 1;
        let (b, q) = (&mut self.b, &mut self.q);
        q.fill(0.0);
        for i in 0..m {
            q[i * m + i] = 1.0;
        }
        for col in 0..n {
            for row in col + 1..m {
                let c1 = b[col * n + col];
                let c2 = b[row * n + col];
                if c2 == 0.0 {
                    continue;
                }
                let r = libm::hypot(c1, c2);
                let (s1, s2) = (c1 / r, c2 / r);
                for k in 0..m {
                    let (a1, a2) = (q[col * m + k], q[row * m + k]);
                    q[col * m + k] = s1 * a1 + s2 * a2;
                    q[row * m + k] = -s2 * a1 + s1 * a2;
                }
                for k in col..n {
                    let (a1, a2) = (b[col * n + k], b[row * n + k]);
                    b[col * n + k] = s1 * a1 + s2 * a2;
                    b[row * n + k] = -s2 * a1 + s1 * a2;
                }
            }
        }
    }

    /// One Gauss–Newton step `u ← u − H'^+ y` with the factorisation in
    /// `b`/`q`; returns the step's Euclidean length (infinite if `R` is
    /// singular).
    fn newton_step(&self, u: &mut [f64], y: &mut [f64]) -> f64 {
        let n = self.n;
        let m = n + 1;
        // Solve Rᵀ z = y (forward substitution), z overwrites y.
        for k in 0..n {
            let s = y[k] - (0..k).map(|l| self.b[l * n + k] * y[l]).sum::<f64>();
            let d = self.b[k * n + k];
            if d == 0.0 {
                return f64::INFINITY;
            }
            y[k] = s / d;
        }
        let mut dist = 0.0;
        for (k, uk) in u.iter_mut().enumerate() {
            let s: f64 = (0..n).map(|l| self.q[l * m + k] * y[l]).sum();
            *uk -= s;
            dist += s * s;
        }
        dist.sqrt()
    }

    /// Corrector tolerance at precision `lambda` (never below the rounding
    /// floor of the equations).
    fn tol(&self, lambda: f64) -> f64 {
        self.opts
            .corrector_tol
            .max(64.0 * f64::EPSILON * (1.0 + lambda.abs() * self.range))
    }

    /// One accepted predictor–corrector step (shrinking the step as needed).
    fn step(&mut self) -> Result<(), SolveError> {
        let n = self.n;
        if self.steps >= self.opts.max_steps {
            return Err(SolveError::NoConvergence(format!(
                "logit path: {} steps without reaching the target",
                self.steps
            )));
        }
        let max_accel = self.opts.max_accel;
        let mut y = vec![0.0; n];
        let mut u = vec![0.0; n + 1];
        loop {
            if self.h < self.opts.min_step {
                return Err(SolveError::NoConvergence(format!(
                    "logit path: step size fell below {} at lambda = {}",
                    self.opts.min_step, self.x[n]
                )));
            }
            for ((ui, xi), ti) in u.iter_mut().zip(&self.x).zip(&self.t) {
                *ui = xi + self.h * ti;
            }
            // Chord corrector: the Jacobian is factorised once, at the
            // predicted point.
            let up = u.clone();
            self.jacobian_t(&up);
            self.qr();
            let tol = self.tol(u[n]);
            let mut decel = 1.0 / max_accel;
            let mut disto = 0.0;
            let mut accept = false;
            for iter in 1..=50 {
                let uc = u.clone();
                self.residual(&uc, &mut y);
                let dist = self.newton_step(&mut u, &mut y);
                if dist.is_nan() || dist >= self.opts.max_corrector_dist {
                    break;
                }
                decel = decel.max((dist / self.opts.max_corrector_dist).sqrt() * max_accel);
                if dist <= tol {
                    accept = true;
                    break;
                }
                // Rounding noise in the equations grows with λ and with the
                // conditioning of the Jacobian; once the corrector stalls
                // at a small step it has reached that floor.
                if iter >= 2 && dist <= NOISE_FLOOR_TOL && dist >= 0.5 * disto {
                    accept = true;
                    break;
                }
                if iter >= 2 {
                    let contr = dist / (disto + 0.1 * tol);
                    if contr > self.opts.max_contraction {
                        break;
                    }
                    decel = decel.max((contr / self.opts.max_contraction).sqrt() * max_accel);
                }
                disto = dist;
            }
            if !accept || u.iter().any(|v| !v.is_finite()) {
                self.h /= max_accel;
                continue;
            }
            // Tangent at the corrected point, oriented like the previous one.
            let uc = u.clone();
            self.jacobian_t(&uc);
            self.qr();
            let mut t: Vec<f64> = self.q[n * (n + 1)..].to_vec();
            let dot: f64 = t.iter().zip(&self.t).map(|(a, b)| a * b).sum();
            if dot.abs() < MIN_TANGENT_COSINE {
                // The curve turns too much within one step for the
                // orientation to be trusted: retry with a shorter step.
                self.h /= max_accel;
                continue;
            }
            if dot < 0.0 {
                t.iter_mut().for_each(|v| *v = -*v);
            }
            self.h /= decel.min(max_accel);
            self.x = u;
            self.t = t;
            self.steps += 1;
            if self.x[n] < 0.0 {
                return Err(SolveError::NoConvergence(
                    "logit path returned to negative lambda".into(),
                ));
            }
            return Ok(());
        }
    }

    /// The QRE at precision `lambda`, between the current point (which has
    /// `λ ≥ lambda`) and the previous one: the tangent predicts the crossing
    /// and Newton's method at fixed `λ` polishes it.
    fn finish_at(&mut self, lambda: f64) -> Result<Vec<Vec<f64>>, SolveError> {
        let n = self.n;
        // Step back along the tangent to λ = lambda (first-order), then fix λ.
        let mut w: Vec<f64> = self.x[..n].to_vec();
        let dl = self.t[n];
        if dl.abs() > 1e-12 {
            let s = (lambda - self.x[n]) / dl;
            if s.abs() <= 4.0 * self.h {
                for (wi, ti) in w.iter_mut().zip(&self.t) {
                    *wi += s * ti;
                }
            }
        }
        let mut x = w.clone();
        x.push(lambda);
        let mut y = vec![0.0; n];
        let mut jac = vec![0.0; n * n];
        let mut last = f64::INFINITY;
        for _ in 0..60 {
            self.residual(&x, &mut y);
            self.jacobian_t(&x);
            // Square Jacobian ∂H/∂w: jac[i][j] = b[j][i].
            for i in 0..n {
                for j in 0..n {
                    jac[i * n + j] = self.b[j * n + i];
                }
            }
            let Some(lu) = Lu::new(&jac, n, 1e-300) else {
                return Err(SolveError::NoConvergence(format!(
                    "singular QRE Jacobian at lambda = {lambda}"
                )));
            };
            lu.solve(&mut y);
            let step = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (xi, d) in x.iter_mut().zip(&y) {
                *xi -= d;
            }
            if !step.is_finite() {
                break;
            }
            if step <= 1e-15 || (step < 1e-9 && step >= 0.5 * last) {
                break;
            }
            last = step;
        }
        self.residual(&x, &mut y);
        let res = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if res.is_nan() || res > 1e-9 * (1.0 + lambda * self.range) {
            return Err(SolveError::NoConvergence(format!(
                "QRE polish at lambda = {lambda} left residual {res:e}"
            )));
        }
        self.x = x;
        Ok(self.strategies())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finite-difference check of the Jacobian of the QRE system.
    #[test]
    fn jacobian_matches_finite_differences() {
        let g = NormalFormGame::from_fn(vec![2, 3, 2], |s, p| {
            ((s[0] * 7 + s[1] * 3 + s[2] * 5 + p * 11) % 9) as f64 - 4.0
        })
        .unwrap();
        let mut tr = Tracer::new(&g, PathOptions::default()).unwrap();
        let n = tr.n;
        let mut x: Vec<f64> = (0..=n).map(|i| -0.3 - 0.1 * i as f64).collect();
        x[n] = 1.7;
        tr.jacobian_t(&x);
        let jt = tr.b.clone();
        let mut y0 = vec![0.0; n];
        let mut y1 = vec![0.0; n];
        for j in 0..=n {
            let h = 1e-6;
            let mut xp = x.clone();
            let mut xm = x.clone();
            xp[j] += h;
            xm[j] -= h;
            tr.residual(&xp, &mut y1);
            tr.residual(&xm, &mut y0);
            for i in 0..n {
                let fd = (y1[i] - y0[i]) / (2.0 * h);
                assert!(
                    (fd - jt[j * n + i]).abs() < 1e-6,
                    "d H_{i} / d x_{j}: {fd} vs {}",
                    jt[j * n + i]
                );
            }
        }
    }
}
