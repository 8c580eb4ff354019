//! Iterated elimination of strictly dominated strategies.
//!
//! A pure strategy `s` of player `p` is *strictly dominated* by a (pure or
//! mixed) strategy `σ` of `p` if `σ` earns strictly more than `s` against every
//! pure profile of the other players' remaining strategies. Strictly dominated
//! strategies are never played in any Nash equilibrium (nor in any correlated
//! equilibrium), so removing them, and repeating on the smaller game, keeps
//! every equilibrium (Osborne & Rubinstein 1994, *A Course in Game Theory*,
//! ch. 4; Fudenberg & Tirole 1991, *Game Theory*, §2.1). For *strict*
//! dominance the surviving game does not depend on the order of elimination
//! (Gilboa, Kalai & Zemel 1990, "On the order of eliminating dominated
//! strategies", *Oper. Res. Letters* 9; for dominance by mixed strategies,
//! Apt 2004, "Uniform proofs of order independence for various strategy
//! elimination procedures", *Contributions to Theoretical Economics* 4).
//!
//! Elimination proceeds in *rounds*: each round removes, for all players at
//! once, every strategy that is strictly dominated given the strategies that
//! survived the previous round. Each elimination records a dominator chosen
//! among the strategies that survive that round (one always exists: strict
//! dominance chains end at an undominated strategy, and a mixed dominator
//! using a strategy eliminated in the same round can be rewritten to avoid
//! it).
//!
//! - [`iterated_strict_dominance`]: dominance by **pure** strategies, any
//!   number of players, any [`Payoff`] type (exact comparisons on exact types).
//! - [`iterated_strict_dominance_mixed`]: dominance by **mixed** strategies,
//!   decided exactly by one LP per candidate over [`Q`]
//!   ([`crate::lp::solve_exact`]): maximize `ε` subject to
//!   `Σ_t σ_t u(t, c) ≥ u(s, c) + ε` for every opponents' profile `c`,
//!   `σ ∈ Δ`; `s` is dominated iff the optimum `ε* > 0`. This is the textbook
//!   test for two players (Fudenberg & Tirole 1991, §2.1); the same LP over
//!   the opponents' *pure* profiles is the standard definition for any number
//!   of players, so it is offered for all `n`.

use num_traits::{Signed, Zero};

use crate::game::NormalFormGame;
use crate::lp::{LinearProgram, LpOutcome, Relation, solve_exact};
use crate::payoff::Payoff;
use crate::rational::Q;

/// What dominated an eliminated strategy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dominator {
    /// A pure strategy (index into the original game).
    Pure(usize),
    /// A mixed strategy: `(strategy, probability)` pairs with positive
    /// probabilities summing to one (indices into the original game).
    Mixed(Vec<(usize, Q)>),
}

/// One eliminated strategy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elimination {
    /// The player.
    pub player: usize,
    /// The eliminated strategy (index into the original game).
    pub strategy: usize,
    /// The round in which it was eliminated, from 1.
    pub round: usize,
    /// A strategy that strictly dominates it among the strategies that
    /// survive this round.
    pub dominator: Dominator,
}

/// The result of iterated elimination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DominanceResult {
    /// For each player, the surviving strategies in increasing order (never
    /// empty).
    pub surviving: Vec<Vec<usize>>,
    /// The eliminations in order: by round, then player, then strategy.
    pub eliminated: Vec<Elimination>,
}

impl DominanceResult {
    /// Number of rounds that eliminated something.
    pub fn rounds(&self) -> usize {
        self.eliminated.last().map_or(0, |e| e.round)
    }
}

/// Iterated elimination of strategies strictly dominated by **pure**
/// strategies, for any number of players.
///
/// Exact for exact payoff types; with `f64`, "strictly greater" is the plain
/// floating-point comparison. `O(rounds · Σ_p k_p² · profiles)` comparisons.
///
/// ```
/// use brink_solve::{NormalFormGame, dominance::iterated_strict_dominance};
///
/// // Prisoner's dilemma: cooperation (0) is strictly dominated for both.
/// let pd = NormalFormGame::new(vec![2, 2], vec![3, 3, 0, 5, 5, 0, 1, 1]).unwrap();
/// let r = iterated_strict_dominance(&pd);
/// assert_eq!(r.surviving, vec![vec![1], vec![1]]);
/// assert_eq!(r.rounds(), 1);
/// ```
pub fn iterated_strict_dominance<T: Payoff>(game: &NormalFormGame<T>) -> DominanceResult {
    iterate(game, |game, player, s, candidates, surviving| {
        pure_dominator(game, player, s, candidates, surviving).map(Dominator::Pure)
    })
}

/// Iterated elimination of strategies strictly dominated by **mixed** (or
/// pure) strategies, exactly over the rationals, for any number of players.
///
/// Each candidate is first tested against pure dominators; otherwise one exact
/// LP decides it (see the [module docs](self)). The recorded mixed dominator
/// is a basic optimal solution of that LP.
///
/// ```
/// use brink_solve::{NormalFormGame, rational::qi, dominance::iterated_strict_dominance_mixed};
///
/// // Row 2 earns (1, 1) and is dominated by mixing rows 0 (3, 0) and 1 (0, 3)
/// // half-half (1.5, 1.5), though by neither pure row.
/// let a = [[3, 0], [0, 3], [1, 1]];
/// let g = NormalFormGame::from_fn(vec![3, 2], |s, p| {
///     qi(if p == 0 { a[s[0]][s[1]] } else { 0 })
/// })
/// .unwrap();
/// let r = iterated_strict_dominance_mixed(&g);
/// assert_eq!(r.surviving, vec![vec![0, 1], vec![0, 1]]);
/// ```
pub fn iterated_strict_dominance_mixed(game: &NormalFormGame<Q>) -> DominanceResult {
    iterate(game, |game, player, s, candidates, surviving| {
        if let Some(t) = pure_dominator(game, player, s, candidates, surviving) {
            return Some(Dominator::Pure(t));
        }
        mixed_dominator(game, player, s, candidates, surviving).map(Dominator::Mixed)
    })
}

/// The game restricted to the surviving strategies (strategy `k` of player `p`
/// in the result is `result.surviving[p][k]` in `game`).
///
/// # Panics
///
/// If `result` does not come from a game of the same shape.
pub fn reduced_game<T: Payoff>(
    game: &NormalFormGame<T>,
    result: &DominanceResult,
) -> NormalFormGame<T> {
    let counts = result.surviving.iter().map(Vec::len).collect();
    let mut full = vec![0; game.num_players()];
    NormalFormGame::from_fn(counts, |profile, player| {
        for (p, &k) in profile.iter().enumerate() {
            full[p] = result.surviving[p][k];
        }
        game.payoff(&full, player).clone()
    })
    .expect("a sub-game of a valid game is valid")
}

type FindDominator<'a, T> =
    dyn Fn(&NormalFormGame<T>, usize, usize, &[usize], &[Vec<usize>]) -> Option<Dominator> + 'a;

fn iterate<T: Payoff>(
    game: &NormalFormGame<T>,
    find: impl Fn(&NormalFormGame<T>, usize, usize, &[usize], &[Vec<usize>]) -> Option<Dominator>,
) -> DominanceResult {
    let find: &FindDominator<'_, T> = &find;
    let n = game.num_players();
    let mut surviving: Vec<Vec<usize>> = (0..n)
        .map(|p| (0..game.num_strategies(p)).collect())
        .collect();
    let mut eliminated = Vec::new();
    let mut round = 0;
    loop {
        round += 1;
        // Detect against the full surviving sets of the previous round.
        let dominated: Vec<Vec<usize>> = (0..n)
            .map(|p| {
                surviving[p]
                    .iter()
                    .copied()
                    .filter(|&s| find(game, p, s, &surviving[p], &surviving).is_some())
                    .collect()
            })
            .collect();
        if dominated.iter().all(Vec::is_empty) {
            break;
        }
        // Record dominators among the strategies that survive this round.
        for p in 0..n {
            let keep: Vec<usize> = surviving[p]
                .iter()
                .copied()
                .filter(|s| !dominated[p].contains(s))
                .collect();
            for &s in &dominated[p] {
                let mut with_s = keep.clone();
                with_s.push(s);
                with_s.sort_unstable();
                let dominator = find(game, p, s, &with_s, &surviving)
                    .expect("a strategy dominated this round has a dominator that survives it");
                eliminated.push(Elimination {
                    player: p,
                    strategy: s,
                    round,
                    dominator,
                });
            }
        }
        for p in 0..n {
            surviving[p].retain(|s| !dominated[p].contains(s));
        }
    }
    DominanceResult {
        surviving,
        eliminated,
    }
}

/// Calls `visit(profile)` for every profile of the surviving strategies of
/// the players other than `player` (last player fastest), with `player`'s
/// entry at its first surviving strategy (to be overwritten by the caller).
/// Stops early and returns false as soon as `visit` returns false.
pub(crate) fn for_each_opponent_profile<S: AsRef<[usize]>>(
    surviving: &[S],
    player: usize,
    mut visit: impl FnMut(&mut [usize]) -> bool,
) -> bool {
    let surviving: Vec<&[usize]> = surviving.iter().map(AsRef::as_ref).collect();
    let n = surviving.len();
    let mut pos = vec![0usize; n];
    let mut profile: Vec<usize> = surviving.iter().map(|s| s[0]).collect();
    loop {
        if !visit(&mut profile) {
            return false;
        }
        // Odometer over the other players.
        let mut q = n;
        loop {
            if q == 0 {
                return true;
            }
            q -= 1;
            if q == player {
                continue;
            }
            pos[q] += 1;
            if pos[q] < surviving[q].len() {
                profile[q] = surviving[q][pos[q]];
                break;
            }
            pos[q] = 0;
            profile[q] = surviving[q][0];
        }
    }
}

/// A pure strategy among `candidates` that strictly dominates `s`.
fn pure_dominator<T: Payoff>(
    game: &NormalFormGame<T>,
    player: usize,
    s: usize,
    candidates: &[usize],
    surviving: &[Vec<usize>],
) -> Option<usize> {
    candidates.iter().copied().filter(|&t| t != s).find(|&t| {
        for_each_opponent_profile(surviving, player, |profile| {
            profile[player] = t;
            let ut = game.payoff(profile, player).clone();
            profile[player] = s;
            let us = game.payoff(profile, player);
            ut > *us
        })
    })
}

/// A mixed strategy over `candidates ∖ {s}` that strictly dominates `s`, by
/// an exact LP.
fn mixed_dominator(
    game: &NormalFormGame<Q>,
    player: usize,
    s: usize,
    candidates: &[usize],
    surviving: &[Vec<usize>],
) -> Option<Vec<(usize, Q)>> {
    let others: Vec<usize> = candidates.iter().copied().filter(|&t| t != s).collect();
    if others.is_empty() {
        return None;
    }
    let k = others.len();
    // Variables σ_0..σ_{k−1} ≥ 0, ε free (index k): maximize ε subject to
    // Σ_t σ_t u(t, c) − ε ≥ u(s, c) for every opponents' profile c, Σσ = 1.
    let mut objective = vec![Q::zero(); k + 1];
    objective[k] = Q::from_integer(1.into());
    let mut lp = LinearProgram::new(objective).with_free(k);
    for_each_opponent_profile(surviving, player, |profile| {
        let mut row: Vec<Q> = others
            .iter()
            .map(|&t| {
                profile[player] = t;
                game.payoff(profile, player).clone()
            })
            .collect();
        row.push(Q::from_integer((-1).into()));
        profile[player] = s;
        let rhs = game.payoff(profile, player).clone();
        lp.constraints.push((row, Relation::Ge, rhs));
        true
    });
    let mut norm = vec![Q::from_integer(1.into()); k];
    norm.push(Q::zero());
    lp.constraints
        .push((norm, Relation::Eq, Q::from_integer(1.into())));
    match solve_exact(&lp) {
        LpOutcome::Optimal { x, value, .. } if value.is_positive() => Some(
            others
                .iter()
                .zip(x)
                .filter(|(_, p)| p.is_positive())
                .map(|(&t, p)| (t, p))
                .collect(),
        ),
        _ => None,
    }
}
