//! Error type for game construction and for solver inputs.

use core::fmt;

/// Why a game could not be built or a profile / mixed profile was rejected.
///
/// Marked `#[non_exhaustive]`: later solver steps add variants.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GameError {
    /// The game has no players.
    NoPlayers,
    /// A player has no strategies.
    NoStrategies {
        /// The offending player.
        player: usize,
    },
    /// The number of profiles (or of payoff entries) does not fit in `usize`.
    TooManyProfiles,
    /// The flat payoff vector has the wrong length.
    PayoffLength {
        /// `num_profiles * num_players`.
        expected: usize,
        /// The length supplied.
        actual: usize,
    },
    /// A payoff is not comparable with itself (NaN).
    IncomparablePayoff {
        /// Index into the flat payoff vector.
        index: usize,
    },
    /// A player index is out of range.
    PlayerOutOfRange {
        /// The player index supplied.
        player: usize,
        /// Number of players in the game.
        num_players: usize,
    },
    /// A pure profile has the wrong number of entries.
    ProfileLength {
        /// Number of players in the game.
        expected: usize,
        /// The length supplied.
        actual: usize,
    },
    /// A strategy index is out of range for its player.
    StrategyOutOfRange {
        /// The player.
        player: usize,
        /// The strategy index supplied.
        strategy: usize,
        /// Number of strategies of that player.
        num_strategies: usize,
    },
    /// A mixed profile has the wrong number of mixed strategies.
    MixedProfileLength {
        /// Number of players in the game.
        expected: usize,
        /// The length supplied.
        actual: usize,
    },
    /// One player's mixed strategy has the wrong number of probabilities.
    MixedStrategyLength {
        /// The player.
        player: usize,
        /// Number of strategies of that player.
        expected: usize,
        /// The length supplied.
        actual: usize,
    },
}

impl fmt::Display for GameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoPlayers => write!(f, "a game needs at least one player"),
            Self::NoStrategies { player } => {
                write!(f, "player {player} has no strategies")
            }
            Self::TooManyProfiles => {
                write!(f, "the number of strategy profiles overflows usize")
            }
            Self::PayoffLength { expected, actual } => write!(
                f,
                "payoff vector has length {actual}, expected {expected} (profiles x players)"
            ),
            Self::IncomparablePayoff { index } => {
                write!(f, "payoff at flat index {index} is not comparable (NaN)")
            }
            Self::PlayerOutOfRange {
                player,
                num_players,
            } => write!(
                f,
                "player {player} is out of range for a {num_players}-player game"
            ),
            Self::ProfileLength { expected, actual } => write!(
                f,
                "profile has {actual} entries, expected one per player ({expected})"
            ),
            Self::StrategyOutOfRange {
                player,
                strategy,
                num_strategies,
            } => write!(
                f,
                "strategy {strategy} of player {player} is out of range (player has {num_strategies})"
            ),
            Self::MixedProfileLength { expected, actual } => write!(
                f,
                "mixed profile has {actual} mixed strategies, expected one per player ({expected})"
            ),
            Self::MixedStrategyLength {
                player,
                expected,
                actual,
            } => write!(
                f,
                "mixed strategy of player {player} has {actual} probabilities, expected {expected}"
            ),
        }
    }
}

impl std::error::Error for GameError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_mentions_the_numbers() {
        let e = GameError::PayoffLength {
            expected: 8,
            actual: 7,
        };
        let s = e.to_string();
        assert!(s.contains('8') && s.contains('7'), "{s}");
        let e = GameError::StrategyOutOfRange {
            player: 2,
            strategy: 5,
            num_strategies: 3,
        };
        let s = e.to_string();
        assert!(s.contains('2') && s.contains('5') && s.contains('3'), "{s}");
    }
}
