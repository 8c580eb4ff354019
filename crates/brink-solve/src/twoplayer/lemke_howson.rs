//! The Lemke–Howson algorithm.

use serde::{Deserialize, Serialize};

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

use super::certify::{Shifted, certify};
use super::float_path::{
    FloatTableau, UnitScale, follow, initial_tableaux, initial_tableaux_with, unit_payoffs,
};
use super::int::{Int, Mat, Overflow};
use super::polytope::Tableau;
use super::{Bimatrix, bimatrix, check_two_player, make_equilibrium, sort_equilibria};
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
/// relative tie tolerance of 1e-9, on tableaux that keep only the nonbasic
/// columns), which takes well under a microsecond per pivot on 11×11 games and
/// microseconds on 50×50 ones. Its end point is then *recomputed exactly*: the
/// two final bases are solved with fraction-free integer elimination and the
/// pair is certified exactly to be feasible and completely labelled, i.e. a
/// Nash equilibrium (von Stengel 2007, §3.3). When every payoff is an integer
/// that fits in `i64`, this is done in `i128` arithmetic, and again in
/// arbitrary precision if a value outgrows `i128`. If the floating-point run breaks
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
    let mut prep = Prepared::new(game)?;
    check_label(prep.m, prep.n, initial_label)?;
    let guide = prep.guide.take();
    let (equilibrium, pivots) = run(&prep, guide, initial_label)?;
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
        out.push(run(&prep, prep.guide.clone(), label)?.0);
    }
    sort_equilibria(&mut out);
    Ok(out)
}

type Path = (Vec<BigInt>, Vec<BigInt>, usize);

/// A two-player game prepared for Lemke–Howson paths: the initial tableaux of
/// the floating-point guide path and, when every payoff is an integer that
/// fits in `i64` (the common case), the game's positive integer form in
/// `i128`, built without `BigInt`.
struct Prepared<'g> {
    game: &'g NormalFormGame<Q>,
    m: usize,
    n: usize,
    /// The guide path's initial tableaux of `P` and `Q` for the payoffs
    /// scaled into `[1, 2]`, or `None` if a payoff is not finite as an `f64`.
    guide: Option<[FloatTableau; 2]>,
    small: Option<SmallGame>,
}

/// A game whose payoffs are all integers that fit in `i64`.
struct SmallGame {
    /// The payoffs of each player, row-major.
    raw: [Vec<i64>; 2],
    /// `1 − min` of each player's payoffs: `raw + shift` is the positive
    /// integer form of [`bimatrix`].
    shift: [i128; 2],
    /// Each player's map of the payoffs into `[1, 2]` for the guide path.
    unit: [UnitScale; 2],
}

impl SmallGame {
    /// Player `p`'s positive integer payoffs (`m × n`).
    fn positive(&self, p: usize, m: usize, n: usize) -> Shifted<'_> {
        Shifted {
            raw: &self.raw[p],
            rows: m,
            cols: n,
            shift: self.shift[p],
        }
    }
}

impl<'g> Prepared<'g> {
    fn new(game: &'g NormalFormGame<Q>) -> Result<Self, SolveError> {
        check_two_player(game)?;
        let (m, n) = (game.num_strategies(0), game.num_strategies(1));
        let small = small_payoffs(game, m * n).map(|raw| {
            let range = |v: &[i64]| {
                v.iter()
                    .fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
            };
            let ranges = [range(&raw[0]), range(&raw[1])];
            SmallGame {
                shift: ranges.map(|(lo, _)| 1 - i128::from(lo)),
                unit: ranges.map(|(lo, hi)| UnitScale::new(lo, hi)),
                raw,
            }
        });
        let guide = match &small {
            Some(s) => {
                let [ua, ub] = s.unit;
                let (ra, rb) = (&s.raw[0], &s.raw[1]);
                Some(initial_tableaux_with(
                    |k| ua.apply(ra[k]),
                    |k| ub.apply(rb[k]),
                    m,
                    n,
                ))
            }
            None => unit_payoffs(game, 0)
                .zip(unit_payoffs(game, 1))
                .map(|(a, b)| initial_tableaux(&a, &b, m, n)),
        };
        Ok(Prepared {
            game,
            m,
            n,
            guide,
            small,
        })
    }
}

/// Both players' payoffs (`cells` each) if every one is an integer that fits
/// in `i64`.
fn small_payoffs(game: &NormalFormGame<Q>, cells: usize) -> Option<[Vec<i64>; 2]> {
    let mut raw = [Vec::with_capacity(cells), Vec::with_capacity(cells)];
    // The flat table holds the two players' payoffs of each cell in turn.
    for pair in game.payoffs().chunks_exact(2) {
        for (v, x) in raw.iter_mut().zip(pair) {
            if !x.denom().is_one() {
                return None;
            }
            v.push(x.numer().to_i64()?);
        }
    }
    Some(raw)
}

/// Float-guided run with exact certification, falling back to the exact path.
///
/// `guide` is the guide path's initial tableaux (`prep.guide`, moved or
/// cloned by the caller).
fn run(
    prep: &Prepared<'_>,
    guide: Option<[FloatTableau; 2]>,
    label: usize,
) -> Result<(Equilibrium<Q>, usize), SolveError> {
    let game = prep.game;
    // A generous cap: a float run that wanders is abandoned for the exact one.
    let cap = (64 * (prep.m + prep.n) * (prep.m + prep.n) + 1000).min(LEMKE_HOWSON_MAX_PIVOTS);
    let Some((bases, pivots)) = guide.and_then(|tabs| follow(tabs, prep.m, label, cap)) else {
        return exact_equilibrium(game, label);
    };
    if let Some(s) = &prep.small {
        let (a, b) = (s.positive(0, prep.m, prep.n), s.positive(1, prep.m, prep.n));
        match certify(&a, &b, &bases) {
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
    let (num, den) = match (i64::try_from(num), i64::try_from(den)) {
        (Ok(p), Ok(q)) => {
            let g = p.gcd(&q);
            (i128::from(p / g), i128::from(q / g))
        }
        _ => {
            let g = num.gcd(&den);
            (num / g, den / g)
        }
    };
    Q::new_raw(BigInt::from(num), BigInt::from(den))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An `m × n` game with integer payoffs (`pa`, `pb` row-major).
    fn game(m: usize, n: usize, pa: &[i64], pb: &[i64]) -> NormalFormGame<Q> {
        let payoffs = pa
            .iter()
            .zip(pb)
            .flat_map(|(&a, &b)| [Q::from_integer(a.into()), Q::from_integer(b.into())])
            .collect();
        NormalFormGame::new(vec![m, n], payoffs).unwrap()
    }

    /// The guide path's end bases from `label`.
    fn guide_bases(prep: &Prepared<'_>, label: usize) -> [Vec<usize>; 2] {
        follow(prep.guide.clone().unwrap(), prep.m, label, usize::MAX)
            .unwrap()
            .0
    }

    /// The machine-integer certification and equilibrium against the
    /// `BigInt` ones on the same bases: both certify or neither does, with
    /// the same points, and the `i128` equilibrium (when it fits) is the
    /// `BigInt` one.
    fn small_matches_big(g: &NormalFormGame<Q>) -> Result<(), TestCaseError> {
        let prep = Prepared::new(g).unwrap();
        let s = prep.small.as_ref().unwrap();
        let (a, b) = (s.positive(0, prep.m, prep.n), s.positive(1, prep.m, prep.n));
        let bm = bimatrix(g).unwrap();
        for label in 0..prep.m + prep.n {
            let bases = guide_bases(&prep, label);
            let big = certify(&bm.a, &bm.b, &bases).unwrap();
            match certify(&a, &b, &bases) {
                Err(Overflow) => {}
                Ok(small) => {
                    let widen = |v: &[i128]| v.iter().map(|&e| BigInt::from(e)).collect::<Vec<_>>();
                    prop_assert_eq!(
                        small.as_ref().map(|(x, y)| (widen(x), widen(y))),
                        big.clone()
                    );
                    if let Some((x, y)) = small
                        && let Some(eq) = small_equilibrium(s, prep.n, &x, &y)
                    {
                        let (bx, by) = big.unwrap();
                        prop_assert_eq!(eq, make_equilibrium(g, &bx, &by));
                    }
                }
            }
        }
        Ok(())
    }

    /// Rock–paper–scissors with payoffs times 2⁶⁰ (plus distinct offsets):
    /// the fully mixed equilibrium's 3 × 3 determinants leave `i128`, so
    /// certification overflows and is redone in `BigInt`, and the answer is
    /// the exact path's and the unscaled game's.
    #[test]
    fn certification_overflow_falls_back_to_bigint() {
        let pa = [0, -1, 1, 1, 0, -1, -1, 1, 0];
        let pb = [0, 1, -1, -1, 0, 1, 1, -1, 0];
        let big = |v: &[i64], off: i64| v.iter().map(|&x| (x << 60) + off).collect::<Vec<_>>();
        let g = game(3, 3, &pa, &pb);
        let h = game(3, 3, &big(&pa, 12345), &big(&pb, -777));
        let prep = Prepared::new(&h).unwrap();
        let s = prep.small.as_ref().unwrap();
        let (a, b) = (s.positive(0, 3, 3), s.positive(1, 3, 3));
        for label in 0..6 {
            assert_eq!(
                certify(&a, &b, &guide_bases(&prep, label)),
                Err(Overflow),
                "label {label}"
            );
            let fast = lemke_howson_path(&h, label).unwrap();
            let exact = lemke_howson_exact(&h, label).unwrap();
            assert_eq!(fast, exact, "label {label}");
            let third = Q::new(1.into(), 3.into());
            assert_eq!(fast.equilibrium.strategies, vec![vec![third.clone(); 3]; 2]);
            assert_eq!(
                fast.equilibrium.strategies,
                lemke_howson(&g, label).unwrap().strategies
            );
        }
    }

    /// Matching pennies with payoffs `2⁶¹ ± 2³⁴`: certification fits in
    /// `i128` (its integers are about 2³⁵), but the expected payoffs' products
    /// `x_i y_j a_ij` (about 2¹³¹) do not, so the equilibrium is built in
    /// `BigInt` — the same one as on the exact path.
    #[test]
    fn equilibrium_overflow_falls_back_to_bigint() {
        let mp = [1i64, -1, -1, 1];
        let pa: Vec<i64> = mp.iter().map(|&x| (1 << 61) + (x << 34)).collect();
        let pb: Vec<i64> = mp.iter().map(|&x| (1 << 61) - (x << 34)).collect();
        let h = game(2, 2, &pa, &pb);
        let prep = Prepared::new(&h).unwrap();
        let s = prep.small.as_ref().unwrap();
        let (a, b) = (s.positive(0, 2, 2), s.positive(1, 2, 2));
        for label in 0..4 {
            let bases = guide_bases(&prep, label);
            let (x, y) = certify(&a, &b, &bases).unwrap().unwrap();
            assert_eq!(small_equilibrium(s, 2, &x, &y), None);
            let fast = lemke_howson_path(&h, label).unwrap();
            assert_eq!(fast, lemke_howson_exact(&h, label).unwrap());
            let half = Q::new(1.into(), 2.into());
            assert_eq!(fast.equilibrium.strategies, vec![vec![half; 2]; 2]);
            let value = Q::from_integer(BigInt::from(1i64 << 61));
            assert_eq!(fast.equilibrium.payoffs, vec![value.clone(), value]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Random games, from small payoffs (degenerate, often pure) to
        /// payoffs near ±2⁶² (the overflow fallbacks).
        #[test]
        fn machine_integer_path_matches_bigint(
            (m, n, pa, pb) in (1usize..=5, 1usize..=5).prop_flat_map(|(m, n)| {
                let pay = prop_oneof![-3i64..=3, -1000i64..=1000, any::<i64>().prop_map(|x| x >> 1)];
                (
                    Just(m),
                    Just(n),
                    proptest::collection::vec(pay.clone(), m * n),
                    proptest::collection::vec(pay, m * n),
                )
            })
        ) {
            small_matches_big(&game(m, n, &pa, &pb))?;
        }
    }
}
