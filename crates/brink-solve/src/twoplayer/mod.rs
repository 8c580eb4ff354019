//! Mixed Nash equilibria of two-player (bimatrix) games, exact over [`Q`].
//!
//! A two-player game is given as a [`NormalFormGame<Q>`] with two players; the
//! row player (player 0) has `m` strategies and payoff matrix `A`, the column
//! player (player 1) has `n` strategies and payoff matrix `B`. Games with `f64`
//! payoffs are converted exactly with [`game_to_exact`] (every finite double is
//! a dyadic rational).
//!
//! - [`support_enumeration`]: all equilibria of a nondegenerate game
//!   (Dickhaut & Kaplan 1991; von Stengel 2007, §3.3).
//! - [`vertex_enumeration`]: all *extreme* equilibria of any game
//!   (Mangasarian 1964; Avis, Rosenberg, Savani & von Stengel 2010).
//! - [`lemke_howson`], [`lemke_howson_exact`], [`lemke_howson_all`]: one
//!   equilibrium per missing label (Lemke & Howson 1964; Shapley 1974; von
//!   Stengel 2007, §3.4–3.6).
//! - [`solve_zero_sum`]: value and optimal strategies of a zero-sum game
//!   (von Neumann 1928; Dantzig 1951, LP duality).
//!
//! "von Stengel 2007" is B. von Stengel, "Equilibrium computation for
//! two-player games in strategic and extensive form", ch. 3 of *Algorithmic
//! Game Theory* (Nisan, Roughgarden, Tardos & Vazirani, eds.); "von Stengel
//! 2002" is "Computing equilibria for two-person games", ch. 45 of the
//! *Handbook of Game Theory* vol. 3.
//!
//! All of them are exact: payoffs are scaled to integers (a positive affine
//! transformation of each player's payoffs, which does not change the
//! equilibria) and every linear-algebra step is fraction-free integer
//! arithmetic (Bareiss elimination, integer pivoting) in `i128`, falling back
//! to arbitrary-precision integers when an intermediate value needs it. The
//! resulting strategies and the expected payoffs (computed from the original
//! game) are exact rationals.
//!
//! # Degeneracy
//!
//! A bimatrix game is *nondegenerate* if no mixed strategy with support of
//! size `k` has more than `k` pure best responses (von Stengel 2007, §3.3).
//! Nondegenerate games have finitely many equilibria, an odd number of them,
//! and every equilibrium has supports of equal size. Degenerate games can have
//! infinite sets (components) of equilibria, which are unions of convex hulls
//! of *extreme* equilibria (Avis et al. 2010). Each solver documents what it
//! returns for degenerate games; [`TwoPlayerSolution::degenerate`] reports
//! degeneracy when the solver detects it.
//!
//! # Order
//!
//! Equilibrium lists are sorted lexicographically by their strategies (row
//! strategy first, then column strategy, each compared entry by entry as
//! rationals), so two solvers' results compare with `==`.

/// `$body` with `$a`, `$b` bound to the bimatrix `$bm`'s payoff matrices
/// narrowed to `i128` when they fit, and again with the `BigInt` ones when they
/// do not or `$body` overflows (`$body` returns `Result<_, Overflow>`).
macro_rules! i128_then_bigint {
    ($bm:expr, |$a:ident, $b:ident| $body:expr) => {{
        let bm: &Bimatrix = $bm;
        let narrow = match (Mat::<i128>::convert(&bm.a), Mat::<i128>::convert(&bm.b)) {
            (Some(a), Some(b)) => {
                let ($a, $b) = (&a, &b);
                $body.ok()
            }
            _ => None,
        };
        narrow.unwrap_or_else(|| {
            let ($a, $b) = (&bm.a, &bm.b);
            $body.expect("BigInt never overflows")
        })
    }};
}

mod certify;
mod float_path;
mod int;
mod lemke_howson;
mod polytope;
mod support;
mod vertex;
mod zerosum;

pub use lemke_howson::{
    LEMKE_HOWSON_MAX_PIVOTS, LemkeHowsonRun, lemke_howson, lemke_howson_all, lemke_howson_exact,
    lemke_howson_path,
};
pub use support::{SUPPORT_ENUMERATION_MAX_MIN_STRATEGIES, support_enumeration};
pub use vertex::{vertex_enumeration, vertex_enumeration_within};
pub use zerosum::{ZeroSumSolution, solve_zero_sum};

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde::{Deserialize, Serialize};

use crate::equilibrium::{Equilibrium, SolveError};
use crate::game::NormalFormGame;
use crate::mixed::expected_payoff;
use crate::rational::{Q, from_f64};

use int::Mat;

/// The equilibria found by an enumeration method, and whether the game was
/// found to be degenerate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoPlayerSolution<T> {
    /// The equilibria, sorted lexicographically by strategies; payoffs filled.
    pub equilibria: Vec<Equilibrium<T>>,
    /// Whether the solver detected that the game is degenerate. What a solver
    /// guarantees in that case is documented on the solver.
    pub degenerate: bool,
}

/// Converts a game with `f64` payoffs to exact rationals (each finite double is
/// converted to the rational it denotes, without rounding).
///
/// # Errors
///
/// [`SolveError::InvalidArgument`] if a payoff is infinite or NaN.
pub fn game_to_exact(game: &NormalFormGame<f64>) -> Result<NormalFormGame<Q>, SolveError> {
    if let Some(bad) = game.payoffs().iter().find(|x| !x.is_finite()) {
        return Err(SolveError::InvalidArgument(format!(
            "payoff {bad} cannot be converted to a rational"
        )));
    }
    game.map_payoffs(|&x| from_f64(x).unwrap_or_else(Q::zero))
        .map_err(|e| SolveError::InvalidArgument(e.to_string()))
}

/// Sorts equilibria lexicographically by strategies and removes duplicates.
pub(crate) fn sort_equilibria(eqs: &mut Vec<Equilibrium<Q>>) {
    eqs.sort_by(|a, b| a.strategies.cmp(&b.strategies));
    eqs.dedup_by(|a, b| a.strategies == b.strategies);
}

/// A two-player game as positive integer matrices with the same equilibria.
pub(crate) struct Bimatrix {
    pub m: usize,
    pub n: usize,
    /// Row player's payoffs, `m × n`, every entry ≥ 1.
    pub a: Mat<BigInt>,
    /// Column player's payoffs, `m × n`, every entry ≥ 1.
    pub b: Mat<BigInt>,
}

/// Checks that `game` has two players.
pub(crate) fn check_two_player<T>(game: &NormalFormGame<T>) -> Result<(), SolveError> {
    if game.num_players() == 2 {
        Ok(())
    } else {
        Err(SolveError::Unsupported(format!(
            "this method needs a two-player game, got {} players",
            game.num_players()
        )))
    }
}

/// Scales one player's payoffs to integers (multiplying by the lcm of the
/// denominators) and shifts them so that the smallest is 1.
fn positive_integer_matrix(game: &NormalFormGame<Q>, player: usize) -> Mat<BigInt> {
    let (m, n) = (game.num_strategies(0), game.num_strategies(1));
    let values: Vec<&Q> = (0..m * n).map(|idx| game.payoff_at(idx, player)).collect();
    // Payoffs that are machine integers (the common case): shift in i128.
    let small: Option<Vec<i64>> = values
        .iter()
        .map(|v| {
            if v.denom().is_one() {
                v.numer().to_i64()
            } else {
                None
            }
        })
        .collect();
    if let Some(small) = small {
        let min = small.iter().copied().min().unwrap_or(0);
        return Mat {
            rows: m,
            cols: n,
            data: small
                .iter()
                .map(|&v| BigInt::from(i128::from(v) - i128::from(min) + 1))
                .collect(),
        };
    }
    // Integer payoffs need no common denominator.
    let ints: Vec<BigInt> = if values.iter().all(|v| v.denom().is_one()) {
        values.iter().map(|v| v.numer().clone()).collect()
    } else {
        let lcm = values.iter().fold(BigInt::one(), |l, v| l.lcm(v.denom()));
        values
            .iter()
            .map(|v| v.numer() * (&lcm / v.denom()))
            .collect()
    };
    let min = ints.iter().min().cloned().unwrap_or_else(BigInt::zero);
    let data = ints.into_iter().map(|v| v - &min + 1).collect();
    Mat {
        rows: m,
        cols: n,
        data,
    }
}

/// The positive integer form of a two-player game.
pub(crate) fn bimatrix(game: &NormalFormGame<Q>) -> Result<Bimatrix, SolveError> {
    check_two_player(game)?;
    Ok(Bimatrix {
        m: game.num_strategies(0),
        n: game.num_strategies(1),
        a: positive_integer_matrix(game, 0),
        b: positive_integer_matrix(game, 1),
    })
}

/// `v / Σ v` as exact probabilities (`v` non-negative, not all zero).
fn normalize(v: &[BigInt], total: &BigInt) -> Vec<Q> {
    v.iter()
        .map(|x| {
            if x.is_zero() {
                Q::zero()
            } else {
                Q::new(x.clone(), total.clone())
            }
        })
        .collect()
}

/// The equilibrium `(x / Σx, y / Σy)` for non-negative integer vectors `x`,
/// `y` (not all zero), with the expected payoffs of the original game.
/// Integer payoff tables are evaluated in integers over the supports only.
pub(crate) fn make_equilibrium(
    game: &NormalFormGame<Q>,
    x: &[BigInt],
    y: &[BigInt],
) -> Equilibrium<Q> {
    let (sx, sy): (BigInt, BigInt) = (x.iter().sum(), y.iter().sum());
    debug_assert!(sx.is_positive() && sy.is_positive());
    let strategies = vec![normalize(x, &sx), normalize(y, &sy)];
    let n = game.num_strategies(1);
    let integral = (0..x.len() * n).all(|idx| {
        game.payoff_at(idx, 0).denom().is_one() && game.payoff_at(idx, 1).denom().is_one()
    });
    let payoffs = if integral {
        let denom = &sx * &sy;
        (0..2)
            .map(|p| {
                let mut acc = BigInt::zero();
                for (i, xi) in x.iter().enumerate().filter(|(_, v)| !v.is_zero()) {
                    for (j, yj) in y.iter().enumerate().filter(|(_, v)| !v.is_zero()) {
                        acc += xi * yj * game.payoff_at(i * n + j, p).numer();
                    }
                }
                Q::new(acc, denom.clone())
            })
            .collect()
    } else {
        (0..2)
            .map(|p| expected_payoff(game, p, &strategies).expect("shapes match the game"))
            .collect()
    };
    Equilibrium {
        strategies,
        payoffs,
    }
}
