//! Regret (ε) of settled play: the largest gain from a unilateral deviation.

use brink_solve::NormalFormGame;

use super::stage::ActionSets;

/// Regret of the pure profile `last` (declared actions) in `game` (strategies are
/// the entries of `sets`): the largest gain any player gets by deviating alone.
/// Exactly 0 when no deviation is strictly better, i.e. iff `last` is a (weak) pure
/// Nash equilibrium. `pos` is scratch.
pub fn pure_regret(
    game: &NormalFormGame<f64>,
    sets: &ActionSets,
    last: &[usize],
    pos: &mut Vec<usize>,
) -> f64 {
    pos.clear();
    pos.extend(
        last.iter()
            .zip(&sets.sets)
            .map(|(a, set)| set.iter().position(|b| b == a).unwrap_or(0)),
    );
    let index = game.profile_index(pos);
    let mut worst = 0.0f64;
    for player in 0..game.num_players() {
        let here = *game.payoff_at(index, player);
        for b in 0..game.num_strategies(player) {
            let there = *game.payoff_at(game.deviation_index(index, player, b), player);
            if there > here {
                worst = worst.max(there - here);
            }
        }
    }
    worst
}

/// Regret of a mixed profile (one strategy per player, over `game`'s strategies),
/// clamped at 0 against rounding.
pub fn mixed_regret(game: &NormalFormGame<f64>, mixed: &[Vec<f64>], scratch: &mut Vec<f64>) -> f64 {
    brink_solve::max_regret_with_scratch(game, mixed, scratch).map_or(f64::NAN, |r| r.max(0.0))
}

/// Largest finite entry of `values` (−∞ marks an unavailable action).
fn best(values: &[f64]) -> f64 {
    values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Regret of playing `action` under the agent's own beliefs: the best value of
/// `expected` minus that of `action`; NaN if a value is NaN.
pub fn interim_regret(expected: &[f64], action: usize) -> f64 {
    if expected.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    (best(expected) - expected[action]).max(0.0)
}

/// Regret of playing the frequencies `freq` under the agent's last beliefs.
pub fn interim_regret_mixed(expected: &[f64], freq: &[f64]) -> f64 {
    if expected.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let mean: f64 = expected
        .iter()
        .zip(freq)
        .filter(|(_, f)| **f > 0.0)
        .map(|(v, f)| v * f)
        .sum();
    (best(expected) - mean).max(0.0)
}

/// Whether `action` attains the maximum of `expected`: exact ties count, and so
/// do the near-ties a best responder treats as tied (within
/// [`crate::rules::TIE_TOLERANCE`] relative to the best value).
pub fn is_deliberate(expected: &[f64], action: usize) -> bool {
    let v = expected[action];
    if v.is_nan() || expected.iter().any(|x| x.is_nan()) {
        return false;
    }
    let top = best(expected);
    v >= top - crate::rules::TIE_TOLERANCE * top.abs().max(1.0)
}
