//! Zero-sum games by linear programming.

use num_traits::Zero;
use serde::{Deserialize, Serialize};

use super::check_two_player;
use crate::equilibrium::SolveError;
use crate::game::NormalFormGame;
use crate::lp::{LinearProgram, LpOutcome, Relation, solve_exact};
use crate::rational::Q;

/// The solution of a two-player zero-sum game.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZeroSumSolution<T> {
    /// The value of the game: the row player's (player 0's) equilibrium payoff.
    pub value: T,
    /// An optimal (maximin) strategy of the row player.
    pub row: Vec<T>,
    /// An optimal (minimax) strategy of the column player.
    pub column: Vec<T>,
}

/// Value and optimal strategies of a two-player zero-sum game, exactly, by
/// linear programming.
///
/// Solves `maximize v` subject to `Σ_i x_i a_ij ≥ v` for every column `j`,
/// `Σ_i x_i = 1`, `x ≥ 0`, `v` free (von Neumann 1928; Dantzig 1951, "A proof
/// of the equivalence of the programming problem and the game problem") with
/// the exact simplex method of [`crate::lp::solve_exact`]. The column
/// player's optimal strategy is the LP's optimal dual solution (the duals of
/// the `j` rows) and the value is the dual of the normalization row, so one LP
/// gives both strategies; strong duality makes them exact optima.
///
/// The strategies returned are basic optimal solutions (extreme points of the
/// sets of optimal strategies); when a player has several optimal strategies
/// only one is returned.
///
/// # Errors
///
/// [`SolveError::Unsupported`] if the game does not have two players or is not
/// zero-sum (`a_ij + b_ij != 0` somewhere; constant-sum games must be shifted
/// by the caller).
///
/// ```
/// use brink_solve::{NormalFormGame, rational::{q, qi}, twoplayer::solve_zero_sum};
///
/// // [[3, -1], [-2, 1]] has value 1/7.
/// let a = [3, -1, -2, 1];
/// let payoffs = a.iter().flat_map(|&x| [qi(x), qi(-x)]).collect();
/// let g = NormalFormGame::new(vec![2, 2], payoffs).unwrap();
/// let s = solve_zero_sum(&g).unwrap();
/// assert_eq!(s.value, q(1, 7));
/// assert_eq!(s.row, vec![q(3, 7), q(4, 7)]);
/// assert_eq!(s.column, vec![q(2, 7), q(5, 7)]);
/// ```
pub fn solve_zero_sum(game: &NormalFormGame<Q>) -> Result<ZeroSumSolution<Q>, SolveError> {
    check_two_player(game)?;
    let (m, n) = (game.num_strategies(0), game.num_strategies(1));
    for idx in 0..m * n {
        if !(game.payoff_at(idx, 0) + game.payoff_at(idx, 1)).is_zero() {
            let p = game.profile(idx);
            return Err(SolveError::Unsupported(format!(
                "the game is not zero-sum: payoffs at profile ({}, {}) sum to {}",
                p[0],
                p[1],
                game.payoff_at(idx, 0) + game.payoff_at(idx, 1)
            )));
        }
    }
    let a = |i: usize, j: usize| game.payoff_at(i * n + j, 0).clone();
    let zero = Q::zero();
    let one = Q::from_integer(1.into());
    // Variables x_0..x_{m-1}, v (free).
    let mut objective = vec![zero.clone(); m + 1];
    objective[m] = one.clone();
    let mut lp = LinearProgram::new(objective).with_free(m);
    for j in 0..n {
        // v − Σ_i a_ij x_i ≤ 0
        let mut row: Vec<Q> = (0..m).map(|i| -a(i, j)).collect();
        row.push(one.clone());
        lp = lp.with_constraint(row, Relation::Le, zero.clone());
    }
    let mut norm = vec![one.clone(); m];
    norm.push(zero.clone());
    lp = lp.with_constraint(norm, Relation::Eq, one);
    match solve_exact(&lp) {
        LpOutcome::Optimal { x, value, duals } => Ok(ZeroSumSolution {
            value,
            row: x[..m].to_vec(),
            column: duals[..n].to_vec(),
        }),
        // The LP is always feasible (any x, v = min payoff) and bounded (v is
        // at most the largest payoff).
        other => unreachable!("zero-sum LP cannot be {other:?}"),
    }
}
