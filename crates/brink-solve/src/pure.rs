//! Pure-strategy Nash equilibria and pure best responses.
//!
//! A pure profile `s` is a (weak) Nash equilibrium when no player has a
//! strictly profitable unilateral deviation: for every player `p` and every
//! strategy `t`, `u_p(t, s_-p) <= u_p(s)`. Ties count, so weak equilibria are
//! reported.

use core::cmp::Ordering;

use crate::error::GameError;
use crate::game::NormalFormGame;
use crate::payoff::Payoff;

/// Reusable, allocation-free enumerator of all pure Nash equilibria.
///
/// Holds scratch buffers sized by the largest game solved so far; after the
/// first call on a game of a given size, [`solve`](Self::solve) does not
/// allocate. Intended for engines that solve one small game per simulated run.
///
/// # Algorithm
///
/// `O(num_profiles * num_players)` comparisons: for each player, every *line*
/// of profiles in which only that player's strategy varies is scanned twice,
/// once for its maximum payoff and once to strike the profiles that fall
/// short of it. A profile survives iff it is a best response on each of its
/// `num_players` lines.
///
/// ```
/// use brink_solve::{NormalFormGame, PureNashSolver};
///
/// // Battle of the sexes: equilibria (0,0) and (1,1), i.e. indices 0 and 3.
/// let g = NormalFormGame::new(vec![2, 2], vec![3, 2, 0, 0, 0, 0, 2, 3]).unwrap();
/// let mut solver = PureNashSolver::new();
/// assert_eq!(solver.solve(&g), &[0, 3]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct PureNashSolver {
    candidate: Vec<bool>,
    equilibria: Vec<usize>,
}

impl PureNashSolver {
    /// An empty solver; buffers grow on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// A solver pre-sized for games with up to `num_profiles` profiles, so that
    /// even the first [`solve`](Self::solve) does not allocate.
    pub fn with_capacity(num_profiles: usize) -> Self {
        Self {
            candidate: Vec::with_capacity(num_profiles),
            equilibria: Vec::with_capacity(num_profiles),
        }
    }

    /// Finds all pure Nash equilibria of `game` and returns their profile
    /// indices in ascending order (which is lexicographic profile order).
    /// Decode them with [`NormalFormGame::write_profile`].
    ///
    /// The result is also available afterwards from
    /// [`equilibria`](Self::equilibria).
    pub fn solve<T: Payoff>(&mut self, game: &NormalFormGame<T>) -> &[usize] {
        let m = game.num_profiles();
        let n = game.num_players();
        let payoffs = game.payoffs();
        self.candidate.clear();
        self.candidate.resize(m, true);
        for player in 0..n {
            let k = game.num_strategies(player);
            if k == 1 {
                continue; // A player without alternatives never deviates.
            }
            let stride = game.stride(player);
            let step = stride * n;
            for block in (0..m).step_by(k * stride) {
                for base in block..block + stride {
                    let first = base * n + player;
                    let line = || (0..k).map(|j| &payoffs[first + j * step]);
                    let mut best = &payoffs[first];
                    for v in line() {
                        if v > best {
                            best = v;
                        }
                    }
                    for (j, v) in line().enumerate() {
                        if v < best {
                            self.candidate[base + j * stride] = false;
                        }
                    }
                }
            }
        }
        self.equilibria.clear();
        self.equilibria.extend(
            self.candidate
                .iter()
                .enumerate()
                .filter_map(|(i, &c)| c.then_some(i)),
        );
        &self.equilibria
    }

    /// Profile indices found by the last [`solve`](Self::solve) (empty before
    /// the first call).
    pub fn equilibria(&self) -> &[usize] {
        &self.equilibria
    }
}

/// All pure Nash equilibria of `game` (weak ones included), as profiles in
/// lexicographic order. Empty if there is none.
///
/// Allocates the result; use [`PureNashSolver`] in hot loops.
///
/// ```
/// use brink_solve::{NormalFormGame, pure_nash_equilibria};
///
/// // Matching pennies has no pure equilibrium.
/// let mp = NormalFormGame::new(vec![2, 2], vec![1, -1, -1, 1, -1, 1, 1, -1]).unwrap();
/// assert!(pure_nash_equilibria(&mp).is_empty());
/// ```
pub fn pure_nash_equilibria<T: Payoff>(game: &NormalFormGame<T>) -> Vec<Vec<usize>> {
    let mut solver = PureNashSolver::new();
    solver
        .solve(game)
        .iter()
        .map(|&i| game.profile(i))
        .collect()
}

/// Whether the pure profile `profile` is a (weak) Nash equilibrium of `game`.
///
/// # Errors
///
/// [`GameError::ProfileLength`] or [`GameError::StrategyOutOfRange`] if
/// `profile` is not a valid pure profile.
pub fn is_pure_nash<T: Payoff>(
    game: &NormalFormGame<T>,
    profile: &[usize],
) -> Result<bool, GameError> {
    let index = game.checked_profile_index(profile)?;
    let n = game.num_players();
    let payoffs = game.payoffs();
    for (player, &own) in profile.iter().enumerate() {
        let stride = game.stride(player);
        let base = index - own * stride;
        let current = &payoffs[index * n + player];
        let improves = (0..game.num_strategies(player))
            .any(|j| payoffs[(base + j * stride) * n + player] > *current);
        if improves {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Pure best responses of `player` to the other players' pure strategies in
/// `profile` (the entry `profile[player]` is ignored but must be in range).
/// Returned in ascending order; never empty.
///
/// # Errors
///
/// [`GameError::PlayerOutOfRange`], [`GameError::ProfileLength`] or
/// [`GameError::StrategyOutOfRange`].
pub fn best_responses<T: Payoff>(
    game: &NormalFormGame<T>,
    player: usize,
    profile: &[usize],
) -> Result<Vec<usize>, GameError> {
    let mut out = Vec::new();
    best_responses_into(game, player, profile, &mut out)?;
    Ok(out)
}

/// Like [`best_responses`], but writes into `out` (cleared first), which does
/// not allocate once `out` has enough capacity.
///
/// # Errors
///
/// As [`best_responses`]; `out` is left empty on error.
pub fn best_responses_into<T: Payoff>(
    game: &NormalFormGame<T>,
    player: usize,
    profile: &[usize],
    out: &mut Vec<usize>,
) -> Result<(), GameError> {
    out.clear();
    game.check_player(player)?;
    let index = game.checked_profile_index(profile)?;
    let n = game.num_players();
    let stride = game.stride(player);
    let base = index - profile[player] * stride;
    let payoffs = game.payoffs();
    let line =
        || (0..game.num_strategies(player)).map(|j| &payoffs[(base + j * stride) * n + player]);
    let mut best = &payoffs[base * n + player];
    for v in line() {
        if v > best {
            best = v;
        }
    }
    out.extend(
        line()
            .enumerate()
            .filter_map(|(j, v)| (v.partial_cmp(best) != Some(Ordering::Less)).then_some(j)),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solver_reuses_buffers() {
        let g = NormalFormGame::new(vec![2, 2], vec![1, 1, 0, 0, 0, 0, 1, 1]).unwrap();
        let mut solver = PureNashSolver::with_capacity(4);
        assert!(solver.equilibria().is_empty());
        assert_eq!(solver.solve(&g), &[0, 3]);
        let cap = solver.candidate.capacity();
        // A different game of the same size reuses the buffers.
        let h = NormalFormGame::new(vec![2, 2], vec![0, 0, 1, 1, 1, 1, 0, 0]).unwrap();
        assert_eq!(solver.solve(&h), &[1, 2]);
        assert_eq!(solver.equilibria(), &[1, 2]);
        assert_eq!(solver.candidate.capacity(), cap);
    }

    #[test]
    fn best_responses_basic() {
        // Row player's payoffs vs column 0: [1, 3, 3]; vs column 1: [2, 0, 1].
        let g = NormalFormGame::from_fn(vec![3, 2], |s, p| {
            if p == 1 {
                0
            } else {
                [[1, 2], [3, 0], [3, 1]][s[0]][s[1]]
            }
        })
        .unwrap();
        assert_eq!(best_responses(&g, 0, &[0, 0]).unwrap(), vec![1, 2]);
        assert_eq!(best_responses(&g, 0, &[2, 1]).unwrap(), vec![0]);
        // Column player is indifferent everywhere.
        assert_eq!(best_responses(&g, 1, &[1, 0]).unwrap(), vec![0, 1]);
        assert_eq!(
            best_responses(&g, 2, &[0, 0]),
            Err(GameError::PlayerOutOfRange {
                player: 2,
                num_players: 2
            })
        );
        assert_eq!(
            best_responses(&g, 0, &[3, 0]),
            Err(GameError::StrategyOutOfRange {
                player: 0,
                strategy: 3,
                num_strategies: 3
            })
        );
        let mut out = vec![9];
        assert!(best_responses_into(&g, 0, &[0], &mut out).is_err());
        assert!(out.is_empty());
    }

    #[test]
    fn is_pure_nash_rejects_bad_profiles() {
        let g = NormalFormGame::new(vec![2, 2], vec![0; 8]).unwrap();
        assert_eq!(is_pure_nash(&g, &[1, 1]), Ok(true));
        assert_eq!(
            is_pure_nash(&g, &[1, 1, 0]),
            Err(GameError::ProfileLength {
                expected: 2,
                actual: 3
            })
        );
    }

    #[test]
    fn nan_written_through_payoffs_mut_does_not_panic() {
        let mut g = NormalFormGame::new(vec![2, 2], vec![0.0; 8]).unwrap();
        g.payoffs_mut().fill(f64::NAN);
        // NaN compares false with everything: the answers may be anything,
        // but they must agree with each other and name real strategies.
        let all = pure_nash_equilibria(&g);
        for profile in [[0, 0], [0, 1], [1, 0], [1, 1]] {
            let is_ne = is_pure_nash(&g, &profile).expect("valid profile");
            assert_eq!(
                is_ne,
                all.iter().any(|p| p[..] == profile[..]),
                "{profile:?}"
            );
        }
        let br = best_responses(&g, 1, &[0, 1]).expect("valid profile");
        assert!(br.iter().all(|&s| s < 2), "{br:?}");
    }
}
