//! The Lemke–Howson algorithm.

use serde::{Deserialize, Serialize};

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

use super::certify::certify;
use super::int::{Int, Mat, Overflow};
use super::polytope::Tableau;
use super::{Bimatrix, bimatrix, check_two_player, make_equilibrium, sort_equilibria};
use crate::equilibrium::{Equilibrium, SolveError};
use crate::game::NormalFormGame;
use crate::rational::{Q, to_f64};

/// Pivot limit of one Lemke–Howson path; reaching it returns
/// [`SolveError::NoConvergence`]. Paths this long only occur on games built to
/// be hard (Savani & von Stengel 2006) of size well above 30×30.
pub const LEMKE_HOWSON_MAX_PIVOTS: usize = 1 << 26;

/// One Lemke–Howson run: the equilibrium reached and the length of the path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LemkeHowsonRun<T> {
    /// The equilibrium at the end of the path.
    pub equilibrium: Equilibrium<T>,
    /// Number of pivots (in both tableaux together) along the path.
    pub pivots: usize,
}

/// One Nash equilibrium of a two-player game by the Lemke–Howson algorithm
/// with missing label `initial_label`; the result is exact.
///
/// Labels `0..m` are the row player's strategies and `m..m+n` the column
/// player's. The path starts at the artificial equilibrium `(0, 0)` of the
/// best-response polytopes `P = {x ≥ 0 : Bᵀx ≤ 1}`, `Q = {y ≥ 0 : Ay ≤ 1}`
/// (payoffs shifted to be positive) and follows the edges along which every
/// label except `initial_label` stays present, until that label is picked up
/// again (Lemke & Howson 1964, "Equilibrium points of bimatrix games",
/// *J. SIAM* 12; Shapley 1974; von Stengel 2007, *Algorithmic Game Theory*
/// ch. 3: §3.4 complementary pivoting on two tableaux, §3.5 integer pivoting,
/// §3.6 the lexicographic minimum-ratio test for degenerate games).
///
/// # Exactness and speed
///
/// The path is first *followed* in `f64` (the same pivoting rule, with a
/// relative tie tolerance of 1e-9), which takes microseconds per pivot even on
/// 50×50 games. Its end point is then *recomputed exactly*: the two final
/// bases are solved with fraction-free integer elimination and the pair is
/// certified exactly to be feasible and completely labelled, i.e. a Nash
/// equilibrium (von Stengel 2007, §3.3). If the floating-point run breaks
/// down or its end point does not certify, the path is re-run with exact
/// integer pivoting ([`lemke_howson_exact`]). So the returned equilibrium is
/// always exact. For nondegenerate games the floating-point path makes the same
/// pivots as the exact one unless two ratios agree to about nine digits; in
/// such (near-degenerate) cases the equilibrium returned can be a different,
/// equally exact one than [`lemke_howson_exact`] would return.
///
/// # Guarantees
///
/// - The result is an exact Nash equilibrium, and an extreme one (a pair of
///   vertices of `P` and `Q`), also for degenerate games.
/// - Different labels may lead to the same equilibrium, and not every
///   equilibrium is reachable from the artificial one (use
///   [`super::support_enumeration`] / [`super::vertex_enumeration`] for all).
///
/// # Errors
///
/// [`SolveError::Unsupported`] unless the game has two players,
/// [`SolveError::InvalidArgument`] if `initial_label >= m + n`, and
/// [`SolveError::NoConvergence`] after [`LEMKE_HOWSON_MAX_PIVOTS`] exact
/// pivots.
///
/// ```
/// use brink_solve::{NormalFormGame, rational::{q, qi}, twoplayer::lemke_howson};
///
/// let p = |v: &[i64]| v.iter().map(|&x| qi(x)).collect::<Vec<_>>();
/// // Matching pennies.
/// let g = NormalFormGame::new(vec![2, 2], p(&[1, -1, -1, 1, -1, 1, 1, -1])).unwrap();
/// let eq = lemke_howson(&g, 0).unwrap();
/// assert_eq!(eq.strategies, vec![vec![q(1, 2); 2], vec![q(1, 2); 2]]);
/// ```
pub fn lemke_howson(
    game: &NormalFormGame<Q>,
    initial_label: usize,
) -> Result<Equilibrium<Q>, SolveError> {
    lemke_howson_path(game, initial_label).map(|run| run.equilibrium)
}

/// Like [`lemke_howson`], but also reports the number of pivots on the path.
///
/// # Errors
///
/// As [`lemke_howson`].
pub fn lemke_howson_path(
    game: &NormalFormGame<Q>,
    initial_label: usize,
) -> Result<LemkeHowsonRun<Q>, SolveError> {
    let prep = Prepared::new(game)?;
    check_label(prep.m, prep.n, initial_label)?;
    let (equilibrium, pivots) = run(&prep, initial_label)?;
    Ok(LemkeHowsonRun {
        equilibrium,
        pivots,
    })
}

/// The Lemke–Howson path with **exact** complementary pivoting throughout:
/// fraction-free integer tableaux (von Stengel 2007, §3.5) in `i128`, redone in
/// arbitrary precision if an entry outgrows it, with the lexicographic
/// minimum-ratio test, so the path is exactly the one defined by the
/// algorithm, never cycles, and ends at an extreme equilibrium also in
/// degenerate games. Slower than [`lemke_howson`] on long paths in large games
/// (the integers grow with the supports along the path).
///
/// # Errors
///
/// As [`lemke_howson`].
pub fn lemke_howson_exact(
    game: &NormalFormGame<Q>,
    initial_label: usize,
) -> Result<LemkeHowsonRun<Q>, SolveError> {
    let bm = bimatrix(game)?;
    check_label(bm.m, bm.n, initial_label)?;
    let (x, y, pivots) = run_exact(&bm, initial_label)?;
    Ok(LemkeHowsonRun {
        equilibrium: make_equilibrium(game, &x, &y),
        pivots,
    })
}

fn check_label(m: usize, n: usize, label: usize) -> Result<(), SolveError> {
    if label >= m + n {
        return Err(SolveError::InvalidArgument(format!(
            "Lemke-Howson label {label} out of range (the game has {} labels)",
            m + n
        )));
    }
    Ok(())
}

/// The distinct equilibria reached by Lemke–Howson from every initial label
/// `0..m+n`, sorted lexicographically by strategies.
///
/// # Errors
///
/// As [`lemke_howson`].
pub fn lemke_howson_all(game: &NormalFormGame<Q>) -> Result<Vec<Equilibrium<Q>>, SolveError> {
    let prep = Prepared::new(game)?;
    let mut out = Vec::with_capacity(prep.m + prep.n);
    for label in 0..prep.m + prep.n {
        out.push(run(&prep, label)?.0);
    }
    sort_equilibria(&mut out);
    Ok(out)
}

type Path = (Vec<BigInt>, Vec<BigInt>, usize);

/// A two-player game prepared for Lemke–Howson paths: the payoffs as `f64` for
/// the guide path and, when every payoff is an integer that fits in `i64` (the
/// common case), the game's positive integer form in `i128`, built without
/// `BigInt`.
struct Prepared<'g> {
    game: &'g NormalFormGame<Q>,
    m: usize,
    n: usize,
    /// Both players' payoffs scaled into `[1, 2]` ([`unit_payoffs`]), or
    /// `None` if one is not finite as an `f64`.
    unit: Option<[Vec<f64>; 2]>,
    small: Option<SmallGame>,
}

/// A game whose payoffs are all integers that fit in `i64`.
struct SmallGame {
    /// The payoffs of each player, row-major.
    raw: [Vec<i64>; 2],
    /// The positive integer form (as [`bimatrix`]: `raw − min + 1`).
    a: Mat<i128>,
    b: Mat<i128>,
}

impl<'g> Prepared<'g> {
    fn new(game: &'g NormalFormGame<Q>) -> Result<Self, SolveError> {
        check_two_player(game)?;
        let (m, n) = (game.num_strategies(0), game.num_strategies(1));
        let ints = |player: usize| -> Option<Vec<i64>> {
            (0..m * n)
                .map(|idx| {
                    let x = game.payoff_at(idx, player);
                    if x.denom().is_one() {
                        x.numer().to_i64()
                    } else {
                        None
                    }
                })
                .collect()
        };
        let small = match (ints(0), ints(1)) {
            (Some(ra), Some(rb)) => Some(SmallGame {
                a: positive_i128(&ra, m, n),
                b: positive_i128(&rb, m, n),
                raw: [ra, rb],
            }),
            _ => None,
        };
        let unit = match &small {
            // The same values as `unit_payoffs` computes from the game.
            Some(s) => {
                let f = |p: usize| scale_unit(s.raw[p].iter().map(|&v| v as f64).collect());
                f(0).zip(f(1))
            }
            None => unit_payoffs(game, 0).zip(unit_payoffs(game, 1)),
        }
        .map(|(a, b)| [a, b]);
        Ok(Prepared {
            game,
            m,
            n,
            unit,
            small,
        })
    }
}

/// `v − min(v) + 1` as an `m × n` matrix.
fn positive_i128(v: &[i64], m: usize, n: usize) -> Mat<i128> {
    let min = v.iter().copied().min().unwrap_or(0);
    Mat {
        rows: m,
        cols: n,
        data: v
            .iter()
            .map(|&x| i128::from(x) - i128::from(min) + 1)
            .collect(),
    }
}

/// Float-guided run with exact certification, falling back to the exact path.
fn run(prep: &Prepared<'_>, label: usize) -> Result<(Equilibrium<Q>, usize), SolveError> {
    let game = prep.game;
    let Some((bases, pivots)) = float_path(prep, label) else {
        return exact_equilibrium(game, label);
    };
    if let Some(s) = &prep.small {
        match certify(&s.a, &s.b, &bases) {
            Ok(Some((x, y))) => {
                let eq = small_equilibrium(s, prep.n, &x, &y).unwrap_or_else(|| {
                    let big = |v: &[i128]| v.iter().map(|&e| BigInt::from(e)).collect::<Vec<_>>();
                    make_equilibrium(game, &big(&x), &big(&y))
                });
                return Ok((eq, pivots));
            }
            Ok(None) => return exact_equilibrium(game, label),
            // An entry outgrew i128: certify again in BigInt.
            Err(Overflow) => {}
        }
    }
    let bm = bimatrix(game)?;
    match certify(&bm.a, &bm.b, &bases) {
        Ok(Some((x, y))) => Ok((make_equilibrium(game, &x, &y), pivots)),
        Ok(None) => exact_equilibrium(game, label),
        Err(Overflow) => unreachable!("BigInt never overflows"),
    }
}

/// The end of the exact path from `label` ([`run_exact`]).
fn exact_equilibrium(
    game: &NormalFormGame<Q>,
    label: usize,
) -> Result<(Equilibrium<Q>, usize), SolveError> {
    let bm = bimatrix(game)?;
    let (x, y, pivots) = run_exact(&bm, label)?;
    Ok((make_equilibrium(game, &x, &y), pivots))
}

fn run_exact(bm: &Bimatrix, label: usize) -> Result<Path, SolveError> {
    // On overflow, redo the path with arbitrary precision.
    i128_then_bigint!(bm, |a, b| run_with(a, b, label))
}

fn run_with<I: Int>(
    a: &Mat<I>,
    b: &Mat<I>,
    label: usize,
) -> Result<Result<Path, SolveError>, Overflow> {
    let (m, n) = (a.rows, a.cols);
    let mut tabs = [
        Tableau::best_response_polytope(a, b, 0),
        Tableau::best_response_polytope(a, b, 1),
    ];
    // x_k (k < m) is nonbasic in P, y_j (label m + j) in Q.
    let mut side = if label < m { 0 } else { 1 };
    let mut entering = label;
    let mut pivots = 0;
    loop {
        if pivots >= LEMKE_HOWSON_MAX_PIVOTS {
            return Ok(Err(no_convergence(label)));
        }
        let tab = &mut tabs[side];
        let r = tab
            .lex_min_ratio(entering)
            .expect("best-response polytopes are bounded");
        let leaving = tab.basis[r];
        tab.pivot(r, entering)?;
        pivots += 1;
        if leaving == label {
            break;
        }
        // The label of the leaving variable is now duplicate: its
        // complement in the other polytope enters.
        entering = leaving;
        side = 1 - side;
    }
    let x = (0..m).map(|v| tabs[0].scaled_value(v).to_big()).collect();
    let y = (m..m + n)
        .map(|v| tabs[1].scaled_value(v).to_big())
        .collect();
    Ok(Ok((x, y, pivots)))
}

fn no_convergence(label: usize) -> SolveError {
    SolveError::NoConvergence(format!(
        "Lemke-Howson path from label {label} exceeded {LEMKE_HOWSON_MAX_PIVOTS} pivots"
    ))
}

/// Relative tolerance of the floating-point guide path.
const FLOAT_TOL: f64 = 1e-9;

/// A dense `f64` tableau `B⁻¹[M | I | 1]` with the same variable numbering as
/// the exact one.
struct FloatTableau {
    rows: usize,
    width: usize,
    t: Vec<f64>,
    basis: Vec<usize>,
    init_basis: Vec<usize>,
}

impl FloatTableau {
    fn new(a: &[f64], b: &[f64], m: usize, n: usize, player: usize) -> Self {
        let vars = m + n;
        let width = vars + 1;
        let rows = if player == 0 { n } else { m };
        let mut t = vec![0.0; rows * width];
        let mut basis = Vec::with_capacity(rows);
        for r in 0..rows {
            let row = &mut t[r * width..(r + 1) * width];
            if player == 0 {
                for (i, slot) in row[..m].iter_mut().enumerate() {
                    *slot = b[i * n + r];
                }
                row[m + r] = 1.0;
                basis.push(m + r);
            } else {
                row[r] = 1.0;
                row[m..m + n].copy_from_slice(&a[r * n..(r + 1) * n]);
                basis.push(r);
            }
            row[vars] = 1.0;
        }
        FloatTableau {
            rows,
            width,
            t,
            init_basis: basis.clone(),
            basis,
        }
    }

    fn at(&self, r: usize, c: usize) -> f64 {
        self.t[r * self.width + c]
    }

    /// Lexicographic minimum-ratio test with a relative tolerance for ties.
    fn lex_min_ratio(&self, c: usize) -> Option<usize> {
        let col_max = (0..self.rows)
            .map(|r| self.at(r, c).abs())
            .fold(0.0, f64::max);
        let piv_tol = FLOAT_TOL * col_max.max(f64::MIN_POSITIVE);
        let rhs = self.width - 1;
        let mut best: Option<usize> = None;
        for r in 0..self.rows {
            let a = self.at(r, c);
            if a <= piv_tol {
                continue;
            }
            let Some(b) = best else {
                best = Some(r);
                continue;
            };
            let ab = self.at(b, c);
            let cols = core::iter::once(rhs).chain(self.init_basis.iter().copied());
            for col in cols {
                let (x, y) = (self.at(r, col) / a, self.at(b, col) / ab);
                if (x - y).abs() <= FLOAT_TOL * x.abs().max(y.abs()).max(1.0) {
                    continue;
                }
                if x < y {
                    best = Some(r);
                }
                break;
            }
        }
        best
    }

    fn pivot(&mut self, r: usize, c: usize) {
        let w = self.width;
        let p = self.at(r, c);
        let (before, rest) = self.t.split_at_mut(r * w);
        let (prow, after) = rest.split_at_mut(w);
        for v in prow.iter_mut() {
            *v /= p;
        }
        prow[c] = 1.0;
        for row in before.chunks_mut(w).chain(after.chunks_mut(w)) {
            let f = row[c];
            if f != 0.0 {
                for (v, pv) in row.iter_mut().zip(prow.iter()) {
                    *v -= f * pv;
                }
                row[c] = 0.0;
            }
        }
        self.basis[r] = c;
    }
}

/// One player's payoffs as `f64`, shifted and scaled into `[1, 2]` (a positive
/// affine transformation, so the equilibria are unchanged).
fn unit_payoffs(game: &NormalFormGame<Q>, player: usize) -> Option<Vec<f64>> {
    let (m, n) = (game.num_strategies(0), game.num_strategies(1));
    let v: Vec<f64> = (0..m * n)
        .map(|idx| {
            let x = game.payoff_at(idx, player);
            if x.denom().is_one() {
                x.numer()
                    .to_i64()
                    .map_or_else(|| x.numer().to_f64().unwrap_or(f64::NAN), |i| i as f64)
            } else {
                to_f64(x)
            }
        })
        .collect();
    scale_unit(v)
}

/// `v` shifted and scaled into `[1, 2]`, or `None` if an entry is not finite.
fn scale_unit(v: Vec<f64>) -> Option<Vec<f64>> {
    if v.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let scale = if hi > lo { hi - lo } else { 1.0 };
    Some(v.into_iter().map(|x| (x - lo) / scale + 1.0).collect())
}

/// The Lemke–Howson path in `f64`: the final bases of both tableaux and the
/// number of pivots, or `None` if the floating-point run broke down.
fn float_path(prep: &Prepared<'_>, label: usize) -> Option<([Vec<usize>; 2], usize)> {
    let (m, n) = (prep.m, prep.n);
    let [a, b] = prep.unit.as_ref()?;
    let mut tabs = [
        FloatTableau::new(a, b, m, n, 0),
        FloatTableau::new(a, b, m, n, 1),
    ];
    let mut side = if label < m { 0 } else { 1 };
    let mut entering = label;
    let mut pivots = 0;
    // A generous cap: a float run that wanders is abandoned for the exact one.
    let cap = 64 * (m + n) * (m + n) + 1000;
    loop {
        if pivots >= cap.min(LEMKE_HOWSON_MAX_PIVOTS) {
            return None;
        }
        let tab = &mut tabs[side];
        let r = tab.lex_min_ratio(entering)?;
        let leaving = tab.basis[r];
        tab.pivot(r, entering);
        pivots += 1;
        if leaving == label {
            break;
        }
        entering = leaving;
        side = 1 - side;
    }
    let [p, q] = tabs;
    Some(([p.basis, q.basis], pivots))
}

/// The equilibrium `(x / Σx, y / Σy)` of a [`SmallGame`] with its expected
/// payoffs, in `i128` arithmetic: the same value as [`make_equilibrium`], or
/// `None` if an intermediate value leaves `i128`.
fn small_equilibrium(s: &SmallGame, n: usize, x: &[i128], y: &[i128]) -> Option<Equilibrium<Q>> {
    let sum = |v: &[i128]| v.iter().try_fold(0i128, |acc, &e| acc.checked_add(e));
    let (sx, sy) = (sum(x)?, sum(y)?);
    let strategies = vec![small_normalize(x, sx), small_normalize(y, sy)];
    let denom = sx.checked_mul(sy)?;
    let mut payoffs = Vec::with_capacity(2);
    for raw in &s.raw {
        let mut acc = 0i128;
        for (i, &xi) in x.iter().enumerate().filter(|(_, v)| **v != 0) {
            for (j, &yj) in y.iter().enumerate().filter(|(_, v)| **v != 0) {
                let t = xi
                    .checked_mul(yj)?
                    .checked_mul(i128::from(raw[i * n + j]))?;
                acc = acc.checked_add(t)?;
            }
        }
        payoffs.push(small_ratio(acc, denom));
    }
    Some(Equilibrium {
        strategies,
        payoffs,
    })
}

/// `v / total` as exact probabilities (`v` non-negative, `total > 0`).
fn small_normalize(v: &[i128], total: i128) -> Vec<Q> {
    v.iter().map(|&e| small_ratio(e, total)).collect()
}

/// `num / den` in lowest terms (`den > 0`), as `Q::new` would reduce it.
fn small_ratio(num: i128, den: i128) -> Q {
    debug_assert!(den > 0);
    if num == 0 {
        return Q::zero();
    }
    let g = num.gcd(&den);
    Q::new_raw(BigInt::from(num / g), BigInt::from(den / g))
}
