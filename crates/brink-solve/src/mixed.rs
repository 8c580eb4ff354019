//! Expected payoffs, best responses and regret against mixed strategies.
//!
//! A *mixed profile* is one mixed strategy per player: `mixed[p][s]` is the
//! probability that player `p` plays pure strategy `s`, players randomizing
//! independently. Any `&[M]` with `M: AsRef<[T]>` works (`&[Vec<T>]`,
//! `&[&[T]]`, arrays, ...).
//!
//! Only the *shape* of a mixed profile is validated (one vector per player, one
//! entry per strategy). Entries are not required to be non-negative or to sum
//! to one: the functions compute the multilinear extension of the payoffs,
//! which equals the expected payoff exactly when every entry is a probability
//! distribution. Profiles whose weight includes an exact zero are skipped, so
//! zero-probability strategies never contribute (not even `0 * inf`).
//!
//! With exact number types (rationals, or integers at degenerate 0/1
//! strategies) all results are exact; with `f64` they carry rounding error, so
//! compare regrets against a tolerance.

use core::cmp::Ordering;

use crate::error::GameError;
use crate::game::{NormalFormGame, for_each_profile};
use crate::payoff::Payoff;

/// Checks that `mixed` has one mixed strategy per player, each with one entry
/// per pure strategy. Does not look at the values.
///
/// # Errors
///
/// [`GameError::MixedProfileLength`] or [`GameError::MixedStrategyLength`].
pub fn check_mixed_profile<T, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    mixed: &[M],
) -> Result<(), GameError> {
    if mixed.len() != game.num_players() {
        return Err(GameError::MixedProfileLength {
            expected: game.num_players(),
            actual: mixed.len(),
        });
    }
    for (player, (m, &k)) in mixed.iter().zip(game.strategy_counts()).enumerate() {
        let actual = m.as_ref().len();
        if actual != k {
            return Err(GameError::MixedStrategyLength {
                player,
                expected: k,
                actual,
            });
        }
    }
    Ok(())
}

/// Product of `mixed[q][profile[q]]` over all players `q != skip` (pass
/// `skip = usize::MAX` to include everyone); `None` if a factor is zero.
#[inline]
fn profile_weight<T: Payoff, M: AsRef<[T]>>(
    mixed: &[M],
    profile: &[usize],
    skip: usize,
) -> Option<T> {
    let mut weight = T::one();
    for (q, (m, &s)) in mixed.iter().zip(profile).enumerate() {
        if q == skip {
            continue;
        }
        let pr = &m.as_ref()[s];
        if pr.is_zero() {
            return None;
        }
        weight = weight * pr.clone();
    }
    Some(weight)
}

#[inline]
fn add_assign<T: Payoff>(slot: &mut T, x: T) {
    let acc = core::mem::replace(slot, T::zero());
    *slot = acc + x;
}

/// Expected payoff to `player` of each of its pure strategies when every other
/// player `q` plays `mixed[q]` independently. `mixed[player]` is ignored but
/// must have the right length. Index `s` of the result is strategy `s`.
///
/// # Errors
///
/// [`GameError::PlayerOutOfRange`] or a shape error from
/// [`check_mixed_profile`].
pub fn strategy_payoffs_against_mixed<T: Payoff, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    player: usize,
    mixed: &[M],
) -> Result<Vec<T>, GameError> {
    let mut out = Vec::new();
    strategy_payoffs_against_mixed_into(game, player, mixed, &mut out)?;
    Ok(out)
}

/// Like [`strategy_payoffs_against_mixed`], but writes into `out` (cleared and
/// resized), which does not allocate once `out` has enough capacity.
/// `O(num_profiles * num_players)`.
///
/// # Errors
///
/// As [`strategy_payoffs_against_mixed`]; `out` is left empty on error.
pub fn strategy_payoffs_against_mixed_into<T: Payoff, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    player: usize,
    mixed: &[M],
    out: &mut Vec<T>,
) -> Result<(), GameError> {
    out.clear();
    game.check_player(player)?;
    check_mixed_profile(game, mixed)?;
    out.resize(game.num_strategies(player), T::zero());
    for_each_profile(game.strategy_counts(), |index, profile| {
        if let Some(w) = profile_weight(mixed, profile, player) {
            let u = game.payoff_at(index, player).clone();
            add_assign(&mut out[profile[player]], w * u);
        }
    });
    Ok(())
}

/// Expected payoff of `player` when everyone plays the mixed profile `mixed`.
/// Allocation-free; `O(num_profiles * num_players)`.
///
/// # Errors
///
/// [`GameError::PlayerOutOfRange`] or a shape error from
/// [`check_mixed_profile`].
pub fn expected_payoff<T: Payoff, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    player: usize,
    mixed: &[M],
) -> Result<T, GameError> {
    game.check_player(player)?;
    check_mixed_profile(game, mixed)?;
    let mut total = T::zero();
    for_each_profile(game.strategy_counts(), |index, profile| {
        if let Some(w) = profile_weight(mixed, profile, usize::MAX) {
            add_assign(&mut total, w * game.payoff_at(index, player).clone());
        }
    });
    Ok(total)
}

/// Pure best responses of `player` to the others' mixed strategies in `mixed`
/// (`mixed[player]` is ignored but must have the right length), in ascending
/// order. Ties are compared exactly; with `f64` nearly-equal strategies may be
/// split by rounding.
///
/// # Errors
///
/// As [`strategy_payoffs_against_mixed`].
pub fn best_responses_to_mixed<T: Payoff, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    player: usize,
    mixed: &[M],
) -> Result<Vec<usize>, GameError> {
    let values = strategy_payoffs_against_mixed(game, player, mixed)?;
    let best = max_of(&values);
    Ok(values
        .iter()
        .enumerate()
        .filter_map(|(s, v)| (v.partial_cmp(best) != Some(Ordering::Less)).then_some(s))
        .collect())
}

/// Largest element (first of equals); `values` must be non-empty.
fn max_of<T: PartialOrd>(values: &[T]) -> &T {
    let mut best = &values[0];
    for v in &values[1..] {
        if v > best {
            best = v;
        }
    }
    best
}

/// Regret of `player` at `mixed`: the best pure-strategy payoff against the
/// others minus `player`'s expected payoff, i.e. the most `player` gains by
/// deviating unilaterally. Non-negative when `mixed[player]` is a probability
/// distribution.
///
/// # Errors
///
/// As [`strategy_payoffs_against_mixed`].
pub fn regret<T: Payoff, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    player: usize,
    mixed: &[M],
) -> Result<T, GameError> {
    let mut scratch = Vec::new();
    regret_with_scratch(game, player, mixed, &mut scratch)
}

fn regret_with_scratch<T: Payoff, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    player: usize,
    mixed: &[M],
    scratch: &mut Vec<T>,
) -> Result<T, GameError> {
    strategy_payoffs_against_mixed_into(game, player, mixed, scratch)?;
    // By multilinearity, the expected payoff is sum_s mixed[player][s] * v(s).
    let mut expected = T::zero();
    for (v, pr) in scratch.iter().zip(mixed[player].as_ref()) {
        if !pr.is_zero() {
            add_assign(&mut expected, pr.clone() * v.clone());
        }
    }
    Ok(max_of(scratch).clone() - expected)
}

/// Largest regret over all players at `mixed` (see [`regret`]): zero exactly
/// at Nash equilibria when computed with exact arithmetic.
///
/// # Errors
///
/// A shape error from [`check_mixed_profile`].
pub fn max_regret<T: Payoff, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    mixed: &[M],
) -> Result<T, GameError> {
    let mut scratch = Vec::new();
    max_regret_with_scratch(game, mixed, &mut scratch)
}

/// Like [`max_regret`], using `scratch` as the per-strategy buffer; does not
/// allocate once `scratch` has capacity for the largest strategy count.
///
/// # Errors
///
/// As [`max_regret`].
pub fn max_regret_with_scratch<T: Payoff, M: AsRef<[T]>>(
    game: &NormalFormGame<T>,
    mixed: &[M],
    scratch: &mut Vec<T>,
) -> Result<T, GameError> {
    check_mixed_profile(game, mixed)?;
    let mut worst = regret_with_scratch(game, 0, mixed, scratch)?;
    for player in 1..game.num_players() {
        let r = regret_with_scratch(game, player, mixed, scratch)?;
        if r > worst {
            worst = r;
        }
    }
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pennies() -> NormalFormGame<f64> {
        NormalFormGame::new(vec![2, 2], vec![1., -1., -1., 1., -1., 1., 1., -1.]).unwrap()
    }

    #[test]
    fn shape_errors() {
        let g = pennies();
        let half = vec![0.5, 0.5];
        assert_eq!(
            expected_payoff(&g, 0, core::slice::from_ref(&half)),
            Err(GameError::MixedProfileLength {
                expected: 2,
                actual: 1
            })
        );
        assert_eq!(
            max_regret(&g, &[half.clone(), vec![1.0]]),
            Err(GameError::MixedStrategyLength {
                player: 1,
                expected: 2,
                actual: 1
            })
        );
        assert_eq!(
            strategy_payoffs_against_mixed(&g, 5, &[half.clone(), half.clone()]),
            Err(GameError::PlayerOutOfRange {
                player: 5,
                num_players: 2
            })
        );
        let mut out = vec![1.0];
        assert!(strategy_payoffs_against_mixed_into(&g, 0, &[half], &mut out).is_err());
        assert!(out.is_empty());
    }

    #[test]
    fn accepts_slices_of_slices() {
        let g = pennies();
        let a: &[f64] = &[0.5, 0.5];
        let b: &[f64] = &[1.0, 0.0];
        assert_eq!(expected_payoff(&g, 0, &[a, b]), Ok(0.0));
        assert_eq!(
            strategy_payoffs_against_mixed(&g, 0, &[a, b]),
            Ok(vec![1.0, -1.0])
        );
        assert_eq!(best_responses_to_mixed(&g, 0, &[a, b]), Ok(vec![0]));
        // Row mixes 50/50 against column H: row regret 1 (H gets 1, mix gets 0);
        // column expects 0 from H and 0 from T, regret 0.
        assert_eq!(regret(&g, 0, &[a, b]), Ok(1.0));
        assert_eq!(regret(&g, 1, &[a, b]), Ok(0.0));
        assert_eq!(max_regret(&g, &[a, b]), Ok(1.0));
    }

    #[test]
    fn zero_probability_infinite_payoff_is_skipped() {
        let g = NormalFormGame::new(vec![2, 1], vec![f64::INFINITY, 0.0, 1.0, 0.0]).unwrap();
        let mixed = [vec![0.0, 1.0], vec![1.0]];
        assert_eq!(expected_payoff(&g, 0, &mixed), Ok(1.0));
        assert_eq!(expected_payoff(&g, 1, &mixed), Ok(0.0));
    }
}
