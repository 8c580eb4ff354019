//! n-player normal-form (strategic-form) games with a flat payoff table.

use serde::{Deserialize, Serialize};

use crate::error::GameError;
use crate::payoff::{Payoff, is_comparable};

/// Number of players whose profile buffer lives on the stack during profile
/// iteration; larger games fall back to one heap allocation per iteration.
const INLINE_PLAYERS: usize = 16;

/// Calls `visit(profile_index, profile)` for every pure profile in index order
/// (mixed radix, last player fastest). Allocation-free for up to
/// [`INLINE_PLAYERS`] players.
pub(crate) fn for_each_profile(num_strategies: &[usize], mut visit: impl FnMut(usize, &[usize])) {
    let n = num_strategies.len();
    if num_strategies.contains(&0) {
        return;
    }
    let mut inline = [0usize; INLINE_PLAYERS];
    let mut heap = Vec::new();
    let profile: &mut [usize] = if n <= INLINE_PLAYERS {
        &mut inline[..n]
    } else {
        heap.resize(n, 0);
        &mut heap[..]
    };
    let mut index = 0;
    loop {
        visit(index, profile);
        index += 1;
        // Advance the odometer: the last player varies fastest.
        let mut p = n;
        loop {
            if p == 0 {
                return;
            }
            p -= 1;
            profile[p] += 1;
            if profile[p] < num_strategies[p] {
                break;
            }
            profile[p] = 0;
        }
    }
}

/// Shape data derived from the strategy counts: (strides, number of profiles).
fn shape(num_strategies: &[usize]) -> Result<(Vec<usize>, usize), GameError> {
    if num_strategies.is_empty() {
        return Err(GameError::NoPlayers);
    }
    if let Some(player) = num_strategies.iter().position(|&k| k == 0) {
        return Err(GameError::NoStrategies { player });
    }
    let n = num_strategies.len();
    let mut strides = vec![0; n];
    let mut acc: usize = 1;
    for p in (0..n).rev() {
        strides[p] = acc;
        acc = acc
            .checked_mul(num_strategies[p])
            .ok_or(GameError::TooManyProfiles)?;
    }
    // The flat payoff table must be indexable too.
    acc.checked_mul(n).ok_or(GameError::TooManyProfiles)?;
    Ok((strides, acc))
}

fn check_comparable<T: PartialOrd>(payoffs: &[T]) -> Result<(), GameError> {
    match payoffs.iter().position(|x| !is_comparable(x)) {
        Some(index) => Err(GameError::IncomparablePayoff { index }),
        None => Ok(()),
    }
}

/// A finite n-player game in normal (strategic) form.
///
/// Player `p` has `num_strategies(p)` pure strategies, numbered from 0. A *pure
/// profile* is a slice `profile` of length `num_players()` with
/// `profile[p] < num_strategies(p)`.
///
/// # Layout
///
/// Profiles are numbered by a mixed-radix *profile index* in which the **last
/// player varies fastest** (row-major order; ascending profile index is
/// lexicographic order of profiles):
///
/// ```text
/// index = sum_p profile[p] * stride(p),   stride(p) = prod_{q > p} num_strategies(q)
/// ```
///
/// Payoffs are stored flat, all players' payoffs of one profile together:
/// `payoffs[profile_index * num_players + player]`.
///
/// For a 2-player game with 2 strategies each, the flat order is
/// `u0(0,0), u1(0,0), u0(0,1), u1(0,1), u0(1,0), u1(1,0), u0(1,1), u1(1,1)`.
///
/// # Example
///
/// ```
/// use brink_solve::{NormalFormGame, pure_nash_equilibria};
///
/// // Prisoner's dilemma, strategy 0 = cooperate, 1 = defect.
/// let pd = NormalFormGame::new(
///     vec![2, 2],
///     vec![3.0, 3.0, 0.0, 5.0, 5.0, 0.0, 1.0, 1.0],
/// )
/// .unwrap();
/// assert_eq!(pure_nash_equilibria(&pd), vec![vec![1, 1]]);
/// ```
///
/// # Serialization
///
/// Serializes as `{ "num_strategies": [...], "payoffs": [...] }`;
/// deserialization validates exactly like [`NormalFormGame::new`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "RawGame<T>",
    bound(
        serialize = "T: Serialize",
        deserialize = "T: Payoff + Deserialize<'de>"
    )
)]
pub struct NormalFormGame<T> {
    num_strategies: Vec<usize>,
    #[serde(skip_serializing)]
    strides: Vec<usize>,
    #[serde(skip_serializing)]
    num_profiles: usize,
    payoffs: Vec<T>,
}

/// Wire form of [`NormalFormGame`], validated on conversion.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGame<T> {
    num_strategies: Vec<usize>,
    payoffs: Vec<T>,
}

impl<T: Payoff> TryFrom<RawGame<T>> for NormalFormGame<T> {
    type Error = GameError;

    fn try_from(raw: RawGame<T>) -> Result<Self, GameError> {
        Self::new(raw.num_strategies, raw.payoffs)
    }
}

impl<T: Payoff> NormalFormGame<T> {
    /// Builds a game from strategy counts and a flat payoff vector laid out as
    /// described in the [type docs](NormalFormGame#layout).
    ///
    /// # Errors
    ///
    /// [`GameError::NoPlayers`], [`GameError::NoStrategies`],
    /// [`GameError::TooManyProfiles`] (profile count or payoff count overflows
    /// `usize`), [`GameError::PayoffLength`], or
    /// [`GameError::IncomparablePayoff`] (a NaN payoff). Never panics.
    pub fn new(num_strategies: Vec<usize>, payoffs: Vec<T>) -> Result<Self, GameError> {
        let (strides, num_profiles) = shape(&num_strategies)?;
        let expected = num_profiles * num_strategies.len();
        if payoffs.len() != expected {
            return Err(GameError::PayoffLength {
                expected,
                actual: payoffs.len(),
            });
        }
        check_comparable(&payoffs)?;
        Ok(Self {
            num_strategies,
            strides,
            num_profiles,
            payoffs,
        })
    }

    /// Builds a game by calling `payoff(profile, player)` for every profile (in
    /// profile-index order) and every player.
    ///
    /// # Errors
    ///
    /// The same shape errors as [`new`](Self::new) (checked before `payoff` is
    /// ever called), and [`GameError::IncomparablePayoff`] if `payoff` returns
    /// NaN. A game whose payoff table fits in `usize` but not in memory aborts
    /// on allocation, like any `Vec`.
    pub fn from_fn<F>(num_strategies: Vec<usize>, payoff: F) -> Result<Self, GameError>
    where
        F: FnMut(&[usize], usize) -> T,
    {
        let (strides, num_profiles) = shape(&num_strategies)?;
        let mut game = Self {
            payoffs: vec![T::zero(); num_profiles * num_strategies.len()],
            num_strategies,
            strides,
            num_profiles,
        };
        game.reset_from_fn(payoff)?;
        Ok(game)
    }

    /// Overwrites every payoff with `payoff(profile, player)`, keeping the
    /// shape. Does not allocate (for games of up to 16 players), so one game can
    /// be reused across many simulated runs.
    ///
    /// # Errors
    ///
    /// [`GameError::IncomparablePayoff`] if `payoff` returned NaN; the table is
    /// then fully written but contains that value, and the caller should rewrite
    /// it before solving.
    pub fn reset_from_fn<F>(&mut self, mut payoff: F) -> Result<(), GameError>
    where
        F: FnMut(&[usize], usize) -> T,
    {
        let n = self.num_strategies.len();
        let payoffs = &mut self.payoffs;
        for_each_profile(&self.num_strategies, |index, profile| {
            let row = &mut payoffs[index * n..(index + 1) * n];
            for (player, slot) in row.iter_mut().enumerate() {
                *slot = payoff(profile, player);
            }
        });
        check_comparable(&self.payoffs)
    }

    /// Converts the payoffs to another number type (e.g. exact rationals to
    /// `f64`, or integers to rationals), keeping the shape.
    ///
    /// # Errors
    ///
    /// [`GameError::IncomparablePayoff`] if `f` produces NaN.
    pub fn map_payoffs<U: Payoff>(
        &self,
        f: impl FnMut(&T) -> U,
    ) -> Result<NormalFormGame<U>, GameError> {
        let payoffs: Vec<U> = self.payoffs.iter().map(f).collect();
        check_comparable(&payoffs)?;
        Ok(NormalFormGame {
            num_strategies: self.num_strategies.clone(),
            strides: self.strides.clone(),
            num_profiles: self.num_profiles,
            payoffs,
        })
    }

    /// The index of `profile`, or an error saying why `profile` is not a valid
    /// pure profile of this game.
    ///
    /// # Errors
    ///
    /// [`GameError::ProfileLength`] or [`GameError::StrategyOutOfRange`].
    pub fn checked_profile_index(&self, profile: &[usize]) -> Result<usize, GameError> {
        if profile.len() != self.num_players() {
            return Err(GameError::ProfileLength {
                expected: self.num_players(),
                actual: profile.len(),
            });
        }
        let mut index = 0;
        for (player, (&s, &k)) in profile.iter().zip(&self.num_strategies).enumerate() {
            if s >= k {
                return Err(GameError::StrategyOutOfRange {
                    player,
                    strategy: s,
                    num_strategies: k,
                });
            }
            index += s * self.strides[player];
        }
        Ok(index)
    }

    /// Checks that `player` is a player of this game.
    ///
    /// # Errors
    ///
    /// [`GameError::PlayerOutOfRange`].
    pub fn check_player(&self, player: usize) -> Result<(), GameError> {
        if player < self.num_players() {
            Ok(())
        } else {
            Err(GameError::PlayerOutOfRange {
                player,
                num_players: self.num_players(),
            })
        }
    }
}

impl<T> NormalFormGame<T> {
    /// Number of players (at least 1).
    #[inline]
    pub fn num_players(&self) -> usize {
        self.num_strategies.len()
    }

    /// Number of pure strategies of `player` (at least 1).
    ///
    /// # Panics
    ///
    /// If `player >= num_players()`.
    #[inline]
    pub fn num_strategies(&self, player: usize) -> usize {
        self.num_strategies[player]
    }

    /// Number of pure strategies of every player, indexed by player.
    #[inline]
    pub fn strategy_counts(&self) -> &[usize] {
        &self.num_strategies
    }

    /// Number of pure profiles (product of the strategy counts).
    #[inline]
    pub fn num_profiles(&self) -> usize {
        self.num_profiles
    }

    /// Place value of `player` in the profile index: the product of the strategy
    /// counts of the players after it (1 for the last player).
    ///
    /// # Panics
    ///
    /// If `player >= num_players()`.
    #[inline]
    pub fn stride(&self, player: usize) -> usize {
        self.strides[player]
    }

    /// The mixed-radix index of a pure profile (last player fastest).
    ///
    /// # Panics
    ///
    /// If `profile` is not a valid profile; see
    /// [`checked_profile_index`](Self::checked_profile_index) for the
    /// non-panicking version.
    #[inline]
    pub fn profile_index(&self, profile: &[usize]) -> usize {
        assert_eq!(
            profile.len(),
            self.num_players(),
            "profile length must equal the number of players"
        );
        let mut index = 0;
        for ((&s, &k), &stride) in profile.iter().zip(&self.num_strategies).zip(&self.strides) {
            assert!(s < k, "strategy {s} out of range (player has {k})");
            index += s * stride;
        }
        index
    }

    /// Writes the profile with index `index` into `out` (allocation-free inverse
    /// of [`profile_index`](Self::profile_index)).
    ///
    /// # Panics
    ///
    /// If `index >= num_profiles()` or `out.len() != num_players()`.
    #[inline]
    pub fn write_profile(&self, index: usize, out: &mut [usize]) {
        assert!(index < self.num_profiles, "profile index out of range");
        assert_eq!(
            out.len(),
            self.num_players(),
            "output length must equal the number of players"
        );
        let mut rest = index;
        for (slot, &k) in out.iter_mut().zip(&self.num_strategies).rev() {
            *slot = rest % k;
            rest /= k;
        }
    }

    /// The profile with index `index`, as a new vector.
    ///
    /// # Panics
    ///
    /// If `index >= num_profiles()`.
    pub fn profile(&self, index: usize) -> Vec<usize> {
        let mut out = vec![0; self.num_players()];
        self.write_profile(index, &mut out);
        out
    }

    /// Index of the profile reached from profile `index` when `player` switches
    /// to `strategy` and everyone else keeps theirs.
    ///
    /// # Panics
    ///
    /// If `player` or `strategy` is out of range (`index` out of range gives a
    /// meaningless result or a panic).
    #[inline]
    pub fn deviation_index(&self, index: usize, player: usize, strategy: usize) -> usize {
        let k = self.num_strategies[player];
        assert!(
            strategy < k,
            "strategy {strategy} out of range (player has {k})"
        );
        let stride = self.strides[player];
        let current = (index / stride) % k;
        index - current * stride + strategy * stride
    }

    /// Payoff of `player` at the pure profile `profile`.
    ///
    /// # Panics
    ///
    /// If `profile` or `player` is out of range.
    #[inline]
    pub fn payoff(&self, profile: &[usize], player: usize) -> &T {
        self.payoff_at(self.profile_index(profile), player)
    }

    /// Payoff of `player` at the profile with index `index`.
    ///
    /// # Panics
    ///
    /// If `index` or `player` is out of range.
    #[inline]
    pub fn payoff_at(&self, index: usize, player: usize) -> &T {
        let n = self.num_players();
        assert!(player < n, "player {player} out of range");
        &self.payoffs[index * n + player]
    }

    /// All players' payoffs at the profile with index `index`, indexed by
    /// player.
    ///
    /// # Panics
    ///
    /// If `index >= num_profiles()`.
    #[inline]
    pub fn profile_payoffs(&self, index: usize) -> &[T] {
        let n = self.num_players();
        &self.payoffs[index * n..(index + 1) * n]
    }

    /// The flat payoff table (`payoffs[profile_index * num_players + player]`).
    #[inline]
    pub fn payoffs(&self) -> &[T] {
        &self.payoffs
    }

    /// Mutable access to the flat payoff table, for refilling a game in place
    /// without reallocating. The shape cannot change through this slice.
    ///
    /// Writing NaN (or any value not comparable with itself) makes solver
    /// results unspecified; no solver panics because of it. Prefer
    /// [`reset_from_fn`](NormalFormGame::reset_from_fn), which checks.
    #[inline]
    pub fn payoffs_mut(&mut self) -> &mut [T] {
        &mut self.payoffs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_errors() {
        assert_eq!(
            NormalFormGame::<f64>::new(vec![], vec![]),
            Err(GameError::NoPlayers)
        );
        assert_eq!(
            NormalFormGame::<f64>::new(vec![2, 0, 3], vec![]),
            Err(GameError::NoStrategies { player: 1 })
        );
        assert_eq!(
            NormalFormGame::new(vec![2, 3], vec![0.0; 11]),
            Err(GameError::PayoffLength {
                expected: 12,
                actual: 11
            })
        );
        assert_eq!(
            NormalFormGame::<f64>::new(vec![usize::MAX, 2], vec![]),
            Err(GameError::TooManyProfiles)
        );
        // Profile count fits but the payoff count (x players) does not.
        assert_eq!(
            NormalFormGame::<f64>::new(vec![usize::MAX / 2 + 1, 1], vec![]),
            Err(GameError::TooManyProfiles)
        );
        assert_eq!(
            NormalFormGame::<f64>::from_fn(vec![1 << 40, 1 << 40], |_, _| 0.0),
            Err(GameError::TooManyProfiles)
        );
        let mut p = vec![0.0; 8];
        p[5] = f64::NAN;
        assert_eq!(
            NormalFormGame::new(vec![2, 2], p),
            Err(GameError::IncomparablePayoff { index: 5 })
        );
    }

    #[test]
    fn layout_is_last_player_fastest() {
        // Encode (profile, player) into the payoff to check the layout.
        let g = NormalFormGame::from_fn(vec![2, 3, 2], |s, p| {
            (100 * s[0] + 10 * s[1] + s[2]) as i64 * 10 + p as i64
        })
        .unwrap();
        assert_eq!(g.num_players(), 3);
        assert_eq!(g.num_profiles(), 12);
        assert_eq!(g.strategy_counts(), &[2, 3, 2]);
        assert_eq!((g.stride(0), g.stride(1), g.stride(2)), (6, 2, 1));
        // Profile (0,0,1) is index 1, (0,1,0) index 2, (1,0,0) index 6.
        assert_eq!(g.profile_index(&[0, 0, 1]), 1);
        assert_eq!(g.profile_index(&[0, 1, 0]), 2);
        assert_eq!(g.profile_index(&[1, 0, 0]), 6);
        assert_eq!(g.profile_index(&[1, 2, 1]), 11);
        // Flat entry [index * 3 + player].
        assert_eq!(g.payoffs()[11 * 3 + 2], 1212);
        assert_eq!(*g.payoff(&[1, 2, 1], 0), 1210);
        assert_eq!(g.profile_payoffs(2), &[100, 101, 102]);
        let mut buf = [0; 3];
        for i in 0..g.num_profiles() {
            g.write_profile(i, &mut buf);
            assert_eq!(g.profile_index(&buf), i);
            assert_eq!(g.profile(i), buf.to_vec());
        }
        // Index order is lexicographic order.
        let all: Vec<Vec<usize>> = (0..12).map(|i| g.profile(i)).collect();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
        assert_eq!(g.deviation_index(11, 1, 0), g.profile_index(&[1, 0, 1]));
        assert_eq!(g.deviation_index(1, 0, 1), g.profile_index(&[1, 0, 1]));
    }

    #[test]
    fn checked_profile_index_errors() {
        let g = NormalFormGame::new(vec![2, 3], vec![0; 12]).unwrap();
        assert_eq!(g.checked_profile_index(&[1, 2]), Ok(5));
        assert_eq!(
            g.checked_profile_index(&[1]),
            Err(GameError::ProfileLength {
                expected: 2,
                actual: 1
            })
        );
        assert_eq!(
            g.checked_profile_index(&[1, 3]),
            Err(GameError::StrategyOutOfRange {
                player: 1,
                strategy: 3,
                num_strategies: 3
            })
        );
        assert_eq!(g.check_player(1), Ok(()));
        assert_eq!(
            g.check_player(2),
            Err(GameError::PlayerOutOfRange {
                player: 2,
                num_players: 2
            })
        );
    }

    #[test]
    fn reset_from_fn_refills_in_place() {
        let mut g = NormalFormGame::from_fn(vec![3, 2], |_, _| 0.0).unwrap();
        let ptr = g.payoffs().as_ptr();
        g.reset_from_fn(|s, p| (s[0] * 2 + s[1]) as f64 + p as f64 / 10.0)
            .unwrap();
        assert_eq!(g.payoffs().as_ptr(), ptr);
        assert_eq!(*g.payoff(&[2, 1], 1), 5.1);
        assert_eq!(
            g.reset_from_fn(|s, _| if s[0] == 1 { f64::NAN } else { 0.0 }),
            Err(GameError::IncomparablePayoff { index: 4 })
        );
        g.payoffs_mut()[0] = 7.0;
        assert_eq!(*g.payoff(&[0, 0], 0), 7.0);
    }

    #[test]
    fn map_payoffs_converts() {
        let g = NormalFormGame::new(vec![2], vec![1_i64, 2]).unwrap();
        let h = g.map_payoffs(|&x| x as f64 / 2.0).unwrap();
        assert_eq!(h.payoffs(), &[0.5, 1.0]);
        assert_eq!(
            g.map_payoffs(|_| f64::NAN),
            Err(GameError::IncomparablePayoff { index: 0 })
        );
    }

    #[test]
    fn for_each_profile_many_players_uses_heap_path() {
        let counts = vec![2usize; INLINE_PLAYERS + 2];
        let mut seen = 0usize;
        let mut last = Vec::new();
        for_each_profile(&counts, |i, p| {
            assert_eq!(i, seen);
            seen += 1;
            last = p.to_vec();
        });
        assert_eq!(seen, 1 << (INLINE_PLAYERS + 2));
        assert!(last.iter().all(|&s| s == 1));
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn profile_index_panics_on_bad_strategy() {
        let g = NormalFormGame::new(vec![2, 2], vec![0; 8]).unwrap();
        g.profile_index(&[0, 2]);
    }
}
