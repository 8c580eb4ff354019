//! The bounded, deterministic Nelder–Mead simplex search with restarts (see the
//! [`super`] module documentation for the algorithm).

use serde::Serialize;

/// Which reflection/expansion/contraction/shrink coefficients Nelder–Mead uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Coefficients {
    /// Nelder & Mead's `(α, β, γ, δ) = (1, 2, ½, ½)`.
    Standard,
    /// Gao & Han (2012): `(1, 1 + 2/n, ¾ − 1/(2n), 1 − 1/n)` in dimension `n`.
    /// Degenerate for `n = 1` (no shrink), equal to the standard ones for `n = 2`.
    Adaptive,
    /// Adaptive for dimension `n > 2`, standard otherwise.
    #[default]
    Auto,
}

impl Coefficients {
    /// `(α, β, γ, δ)` — reflection, expansion, contraction, shrink — in dimension `n`.
    pub fn values(self, n: usize) -> (f64, f64, f64, f64) {
        let adaptive = match self {
            Coefficients::Standard => false,
            Coefficients::Adaptive => true,
            Coefficients::Auto => n > 2,
        };
        if adaptive && n > 0 {
            let n = n as f64;
            (1.0, 1.0 + 2.0 / n, 0.75 - 0.5 / n, 1.0 - 1.0 / n)
        } else {
            (1.0, 2.0, 0.5, 0.5)
        }
    }
}

/// Settings of [`nelder_mead`].
#[derive(Clone, Debug, PartialEq)]
pub struct NelderMeadOptions {
    /// Hard limit on calls of the objective (restarts included).
    pub max_evaluations: usize,
    /// Coefficient set.
    pub coefficients: Coefficients,
    /// Size of the initial simplex (and of each restart's) as a fraction of the box
    /// width in each coordinate (see the module documentation for unbounded sides).
    pub initial_step: f64,
    /// Convergence: every vertex within this of the best vertex, in every coordinate.
    pub x_tolerance: f64,
    /// Convergence: every vertex value within this of the best value. `f64::INFINITY`
    /// judges convergence on `x_tolerance` alone.
    pub f_tolerance: f64,
    /// Maximum number of restarts from the best point after convergence.
    pub restarts: usize,
}

impl Default for NelderMeadOptions {
    /// 1,000 evaluations, [`Coefficients::Auto`], a tenth of the box as initial step,
    /// tolerances `1e-8` on x and f, 2 restarts.
    fn default() -> Self {
        Self {
            max_evaluations: 1000,
            coefficients: Coefficients::Auto,
            initial_step: 0.1,
            x_tolerance: 1e-8,
            f_tolerance: 1e-8,
            restarts: 2,
        }
    }
}

/// One call of the objective, in call order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceEntry {
    /// 1-based number of the call.
    pub evaluation: usize,
    /// Where the objective was evaluated.
    pub x: Vec<f64>,
    /// Its value (NaN reported as `+∞`).
    pub value: f64,
    /// Best value seen up to and including this call.
    pub best_value: f64,
}

/// Result of [`nelder_mead`].
#[derive(Clone, Debug, PartialEq)]
pub struct Optimum {
    /// Best point evaluated (the earliest one, among equal values).
    pub x: Vec<f64>,
    /// Its value (`+∞` if nothing was evaluated).
    pub value: f64,
    /// Number of objective calls made.
    pub evaluations: usize,
    /// Whether the search stopped by its tolerances (true) or by the budget (false).
    pub converged: bool,
    /// Number of restarts performed.
    pub restarts: usize,
    /// Every call of the objective, in order.
    pub trace: Vec<TraceEntry>,
}

/// Minimises `f` over the box `bounds` from `x0` by the Nelder–Mead simplex method
/// (see the module documentation for the exact algorithm, bounds handling, restarts
/// and termination). Deterministic.
///
/// # Panics
///
/// If `bounds.len() != x0.len()`, a bound is NaN or `lo > hi`, `x0` has a NaN, or
/// `initial_step` is not positive and finite.
pub fn nelder_mead(
    mut f: impl FnMut(&[f64]) -> f64,
    x0: &[f64],
    bounds: &[(f64, f64)],
    options: &NelderMeadOptions,
) -> Optimum {
    match try_nelder_mead(
        |x| Ok::<f64, std::convert::Infallible>(f(x)),
        x0,
        bounds,
        options,
    ) {
        Ok(o) => o,
        Err(never) => match never {},
    }
}

/// [`nelder_mead`] for a fallible objective: the first `Err` stops the search and is
/// returned as is.
///
/// # Panics
///
/// As [`nelder_mead`].
pub fn try_nelder_mead<E>(
    f: impl FnMut(&[f64]) -> Result<f64, E>,
    x0: &[f64],
    bounds: &[(f64, f64)],
    options: &NelderMeadOptions,
) -> Result<Optimum, E> {
    assert_eq!(
        bounds.len(),
        x0.len(),
        "nelder_mead: {} bounds for a {}-dimensional start",
        bounds.len(),
        x0.len()
    );
    for (i, &(lo, hi)) in bounds.iter().enumerate() {
        assert!(
            lo <= hi,
            "nelder_mead: bounds[{i}] = ({lo}, {hi}) is empty or NaN"
        );
    }
    assert!(
        x0.iter().all(|x| !x.is_nan()),
        "nelder_mead: the start has a NaN"
    );
    assert!(
        options.initial_step > 0.0 && options.initial_step.is_finite(),
        "nelder_mead: initial_step must be positive and finite"
    );

    let mut ev = Evaluator {
        f,
        budget: options.max_evaluations,
        trace: Vec::new(),
        best_x: clamp(x0, bounds),
        best_value: f64::INFINITY,
    };
    let n = x0.len();
    let (alpha, beta, gamma, delta) = options.coefficients.values(n);
    let converged_all = |s: &[(Vec<f64>, f64)]| {
        let (x0, f0) = (&s[0].0, s[0].1);
        s[1..].iter().all(|(x, fx)| {
            spread(*fx, f0) <= options.f_tolerance
                && x.iter()
                    .zip(x0)
                    .all(|(a, b)| spread(*a, *b) <= options.x_tolerance)
        })
    };

    let mut start_value: Option<f64> = None; // known value of the start (restarts)
    let mut restarts = 0;
    let converged = 'search: loop {
        let round_start_best = ev.best_value;
        let start = ev.best_x.clone();
        // Initial simplex.
        let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
        let f_start = match start_value {
            Some(v) => v,
            None => match ev.eval(&start)? {
                Some(v) => v,
                None => break 'search false,
            },
        };
        simplex.push((start.clone(), f_start));
        for i in 0..n {
            let mut v = start.clone();
            v[i] = initial_coordinate(start[i], bounds[i], options.initial_step);
            let Some(fv) = ev.eval(&v)? else {
                break 'search false;
            };
            simplex.push((v, fv));
        }

        // Iterations of this (re)start.
        loop {
            simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
            if n == 0 || converged_all(&simplex) {
                break;
            }
            let mut c = vec![0.0; n];
            for (x, _) in &simplex[..n] {
                for (cj, xj) in c.iter_mut().zip(x) {
                    *cj += xj;
                }
            }
            c.iter_mut().for_each(|cj| *cj /= n as f64);
            let worst = simplex[n].clone();
            let d: Vec<f64> = c.iter().zip(&worst.0).map(|(cj, wj)| cj - wj).collect();
            let along = |t: f64| {
                let p: Vec<f64> = c.iter().zip(&d).map(|(cj, dj)| cj + t * dj).collect();
                clamp(&p, bounds)
            };
            let (f_best, f_second, f_worst) = (simplex[0].1, simplex[n - 1].1, worst.1);

            let xr = along(alpha);
            let Some(fr) = ev.eval(&xr)? else {
                break 'search false;
            };
            let accepted = if fr < f_best {
                let xe = along(alpha * beta);
                let Some(fe) = ev.eval(&xe)? else {
                    break 'search false;
                };
                Some(if fe < fr { (xe, fe) } else { (xr, fr) })
            } else if fr < f_second {
                Some((xr, fr))
            } else if fr < f_worst {
                let xc = along(alpha * gamma);
                let Some(fc) = ev.eval(&xc)? else {
                    break 'search false;
                };
                (fc <= fr).then_some((xc, fc))
            } else {
                let xc = along(-gamma);
                let Some(fc) = ev.eval(&xc)? else {
                    break 'search false;
                };
                (fc < f_worst).then_some((xc, fc))
            };
            match accepted {
                Some(vertex) => simplex[n] = vertex,
                None => {
                    let best = simplex[0].0.clone();
                    for vertex in &mut simplex[1..] {
                        let p: Vec<f64> = best
                            .iter()
                            .zip(&vertex.0)
                            .map(|(b, x)| b + delta * (x - b))
                            .collect();
                        let Some(fp) = ev.eval(&p)? else {
                            break 'search false;
                        };
                        *vertex = (p, fp);
                    }
                }
            }
        }

        // This (re)start has converged.
        if restarts >= options.restarts || (restarts > 0 && ev.best_value >= round_start_best) {
            break true;
        }
        restarts += 1;
        start_value = Some(ev.best_value);
    };

    Ok(Optimum {
        x: ev.best_x,
        value: ev.best_value,
        evaluations: ev.trace.len(),
        converged,
        restarts,
        trace: ev.trace,
    })
}

/// Counts calls, enforces the budget, records the trace and the best point.
struct Evaluator<F> {
    f: F,
    budget: usize,
    trace: Vec<TraceEntry>,
    best_x: Vec<f64>,
    best_value: f64,
}

impl<F> Evaluator<F> {
    /// `Ok(None)` when the budget is spent (then `f` is not called).
    fn eval<E>(&mut self, x: &[f64]) -> Result<Option<f64>, E>
    where
        F: FnMut(&[f64]) -> Result<f64, E>,
    {
        if self.trace.len() >= self.budget {
            return Ok(None);
        }
        let raw = (self.f)(x)?;
        let value = if raw.is_nan() { f64::INFINITY } else { raw };
        if value < self.best_value || self.trace.is_empty() {
            self.best_value = value;
            self.best_x = x.to_vec();
        }
        self.trace.push(TraceEntry {
            evaluation: self.trace.len() + 1,
            x: x.to_vec(),
            value,
            best_value: self.best_value,
        });
        Ok(Some(value))
    }
}

/// `|a − b|`, with equal infinities at distance 0.
fn spread(a: f64, b: f64) -> f64 {
    if a == b { 0.0 } else { (a - b).abs() }
}

fn clamp(x: &[f64], bounds: &[(f64, f64)]) -> Vec<f64> {
    x.iter()
        .zip(bounds)
        .map(|(&v, &(lo, hi))| v.clamp(lo, hi))
        .collect()
}

/// Coordinate `i` of the `i`-th non-start vertex of an initial simplex.
fn initial_coordinate(x: f64, (lo, hi): (f64, f64), step: f64) -> f64 {
    let width = hi - lo;
    let h = if width.is_finite() {
        step * width
    } else {
        step * x.abs().max(1.0)
    };
    if x + h <= hi {
        x + h
    } else if x - h >= lo {
        x - h
    } else if hi - x >= x - lo {
        hi
    } else {
        lo
    }
}
