//! The Lemke–Howson algorithm.

use serde::{Deserialize, Serialize};

use super::int::{Int, Mat, Overflow};
use super::polytope::Tableau;
use super::{Bimatrix, bimatrix, make_equilibrium, normalize, sort_equilibria};
use crate::equilibrium::{Equilibrium, SolveError};
use crate::game::NormalFormGame;
use crate::rational::Q;

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
/// with missing label `initial_label`, exact over the rationals.
///
/// Labels `0..m` are the row player's strategies and `m..m+n` the column
/// player's. The path starts at the artificial equilibrium `(0, 0)` of the
/// best-response polytopes and follows the edges along which every label
/// except `initial_label` stays present, until that label is picked up again
/// (Lemke & Howson 1964, "Equilibrium points of bimatrix games", *J. SIAM* 12;
/// Shapley 1974; von Stengel 2002, *Handbook of Game Theory* vol. 3 ch. 45,
/// §3, Algorithm 3.4 with complementary pivoting on two tableaux).
///
/// # Guarantees
///
/// - Exact fraction-free integer pivoting; the result is an exact Nash
///   equilibrium.
/// - The minimum-ratio test is lexicographic (von Stengel 2002, §3.3), so the
///   path is well defined and terminates on degenerate games too; the
///   equilibrium reached is then an extreme equilibrium.
/// - Different labels may lead to the same equilibrium, and not every
///   equilibrium is reachable from the artificial one (use
///   [`super::support_enumeration`] / [`super::vertex_enumeration`] for all).
///
/// # Errors
///
/// [`SolveError::Unsupported`] unless the game has two players,
/// [`SolveError::InvalidArgument`] if `initial_label >= m + n`, and
/// [`SolveError::NoConvergence`] after [`LEMKE_HOWSON_MAX_PIVOTS`] pivots.
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
    let bm = bimatrix(game)?;
    if initial_label >= bm.m + bm.n {
        return Err(SolveError::InvalidArgument(format!(
            "Lemke-Howson label {initial_label} out of range (the game has {} labels)",
            bm.m + bm.n
        )));
    }
    let (x, y, pivots) = run(&bm, initial_label)?;
    Ok(LemkeHowsonRun {
        equilibrium: make_equilibrium(game, normalize(&x), normalize(&y)),
        pivots,
    })
}

/// The distinct equilibria reached by Lemke–Howson from every initial label
/// `0..m+n`, sorted lexicographically by strategies.
///
/// # Errors
///
/// As [`lemke_howson`].
pub fn lemke_howson_all(game: &NormalFormGame<Q>) -> Result<Vec<Equilibrium<Q>>, SolveError> {
    let bm = bimatrix(game)?;
    let mut out = Vec::with_capacity(bm.m + bm.n);
    for label in 0..bm.m + bm.n {
        let (x, y, _) = run(&bm, label)?;
        out.push(make_equilibrium(game, normalize(&x), normalize(&y)));
    }
    sort_equilibria(&mut out);
    Ok(out)
}

type Path = (Vec<num_bigint::BigInt>, Vec<num_bigint::BigInt>, usize);

fn run(bm: &Bimatrix, label: usize) -> Result<Path, SolveError> {
    if let (Some(a), Some(b)) = (Mat::<i128>::convert(&bm.a), Mat::<i128>::convert(&bm.b)) {
        match run_with(&a, &b, label) {
            Ok(r) => return r,
            Err(Overflow) => {}
        }
    }
    run_with(&bm.a, &bm.b, label).expect("BigInt never overflows")
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
            return Ok(Err(SolveError::NoConvergence(format!(
                "Lemke-Howson path from label {label} exceeded {LEMKE_HOWSON_MAX_PIVOTS} pivots"
            ))));
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
    let y = (m..m + n).map(|v| tabs[1].scaled_value(v).to_big()).collect();
    Ok(Ok((x, y, pivots)))
}
