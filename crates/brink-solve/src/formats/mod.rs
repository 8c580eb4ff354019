//! Game files: Gambit's `.nfg` and `.efg` formats and brink's own TOML/JSON
//! game format. This is the only module of the crate that deals with text.
//!
//! - [`nfg`]: Gambit strategic games, both the *payoff version* (payoffs
//!   listed profile by profile) and the *outcome version* (a list of outcomes
//!   and one outcome number per profile); read into a [`StrategicGame`].
//! - [`efg`]: Gambit extensive games (chance nodes `c`, personal nodes `p`,
//!   terminal nodes `t`, information sets and outcomes); read into an
//!   [`ExtensiveGame<Q>`](crate::extensive::ExtensiveGame).
//! - [`brink`]: brink's TOML/JSON format for both kinds of game, documented
//!   with examples in its module docs.
//!
//! All numbers are read **exactly** as rationals ([`Q`]): integers, fractions
//! such as `1/3`, and decimals such as `0.1` or `2.5e-3` (a decimal is the
//! rational it spells, so `0.1` is exactly `1/10`). Writers print integers
//! and fractions (`-7`, `1/3`), which every reader here accepts, so
//! read → write → read gives back an equal game.
//!
//! Readers never panic on any input. A malformed file gives a [`FormatError`]
//! with the 1-based line and column (in characters) of the offending token and
//! a message saying what was expected, displayed as
//! `line L, column C: message`. Inputs are bounded so that a short file cannot
//! make a reader allocate or compute without bound: a number token is at most
//! [`MAX_NUMBER_LEN`] characters with a decimal exponent of magnitude at most
//! [`MAX_EXPONENT`], and a game's payoff table must be spelled out in the file.
//!
//! Use [`read_game`] to read any supported file by its extension.
//!
//! ```
//! use brink_solve::formats::{FileKind, GameFile, read_game};
//! use brink_solve::pure_nash_equilibria;
//!
//! // Prisoner's dilemma; Gambit lists profiles with the first player fastest:
//! // (C,C) (D,C) (C,D) (D,D).
//! let text = "NFG 1 R \"PD\" { \"Row\" \"Column\" } { 2 2 }\n3 3 5 0 0 5 1 1\n";
//! let GameFile::Strategic(g) = read_game(FileKind::Nfg, text).unwrap() else { unreachable!() };
//! assert_eq!(pure_nash_equilibria(g.game()), vec![vec![1, 1]]);
//!
//! let err = read_game(FileKind::Nfg, "NFG 1 R \"PD\" { \"Row\" }\n{ 2 } x").unwrap_err();
//! assert_eq!(err.to_string(), "line 2, column 7: expected the payoffs, or '{' starting the list of outcomes, found \"x\"");
//! ```

use core::fmt;

use num_bigint::BigInt;
use num_traits::{One, Zero};

use crate::extensive::ExtensiveGame;
use crate::game::NormalFormGame;
use crate::rational::Q;

pub mod brink;
pub mod efg;
mod lexer;
pub mod nfg;

/// Longest number token the readers accept, in characters.
pub const MAX_NUMBER_LEN: usize = 1000;
/// Most entries (profiles × players) of a payoff table the readers build.
pub const MAX_TABLE_ENTRIES: usize = 1 << 26;
/// Largest magnitude of a decimal exponent (`1e400` is fine, `1e5000` is not).
pub const MAX_EXPONENT: i64 = 4000;

/// A malformed game file: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
    /// What is wrong, e.g. `expected '{' before the list of players, found "x"`.
    pub message: String,
}

impl FormatError {
    /// An error at `line`, `column`.
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            message: message.into(),
        }
    }

    /// An error at byte offset `offset` of `text` (clamped to the text).
    pub fn at_offset(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        Self::new(line, column, message)
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for FormatError {}

/// 1-based (line, column in characters) of byte offset `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Names that do not fit the shape of their game.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NamesError {
    /// Not one player name per player.
    #[error("{names} player names for a {players}-player game")]
    PlayerNames {
        /// Number of names.
        names: usize,
        /// Number of players.
        players: usize,
    },
    /// Not one list of strategy names per player.
    #[error("strategy names for {lists} players in a {players}-player game")]
    StrategyLists {
        /// Number of lists.
        lists: usize,
        /// Number of players.
        players: usize,
    },
    /// Not one strategy name per strategy of a player.
    #[error("{names} strategy names for player {player}, who has {strategies} strategies")]
    StrategyNames {
        /// Number of names.
        names: usize,
        /// The player, 1-based.
        player: usize,
        /// Number of strategies of the player.
        strategies: usize,
    },
}

/// Text that is not a number [`parse_number`] accepts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// More than [`MAX_NUMBER_LEN`] characters.
    #[error("number has more than {} characters", MAX_NUMBER_LEN)]
    TooLong,
    /// Not of the form of a number.
    #[error("{0:?} is not a number (expected e.g. 3, -1/2, 0.25 or 1e-3)")]
    Malformed(String),
    /// A fraction with denominator zero.
    #[error("{0:?} divides by zero")]
    DivisionByZero(String),
    /// An exponent larger than [`MAX_EXPONENT`] in magnitude.
    #[error("exponent of {0:?} is larger than {max} in magnitude", max = MAX_EXPONENT)]
    ExponentTooLarge(String),
}

/// A normal-form game with names: what a `.nfg` file (or a brink normal-form
/// file) holds.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategicGame {
    /// Title of the game (may be empty).
    pub title: String,
    /// Free-form comment (may be empty).
    pub comment: String,
    players: Vec<String>,
    strategies: Vec<Vec<String>>,
    game: NormalFormGame<Q>,
}

impl StrategicGame {
    /// A named game. `players` and `strategies` must match the shape of
    /// `game` (one name per player, one name per strategy).
    ///
    /// # Errors
    ///
    /// A [`NamesError`] saying which count does not match.
    pub fn new(
        players: Vec<String>,
        strategies: Vec<Vec<String>>,
        game: NormalFormGame<Q>,
    ) -> Result<Self, NamesError> {
        if players.len() != game.num_players() {
            return Err(NamesError::PlayerNames {
                names: players.len(),
                players: game.num_players(),
            });
        }
        if strategies.len() != game.num_players() {
            return Err(NamesError::StrategyLists {
                lists: strategies.len(),
                players: game.num_players(),
            });
        }
        for (p, names) in strategies.iter().enumerate() {
            if names.len() != game.num_strategies(p) {
                return Err(NamesError::StrategyNames {
                    names: names.len(),
                    player: p + 1,
                    strategies: game.num_strategies(p),
                });
            }
        }
        Ok(Self {
            title: String::new(),
            comment: String::new(),
            players,
            strategies,
            game,
        })
    }

    /// A game with default names: players `Player 1`, `Player 2`, …, and
    /// strategies `1`, `2`, … (as Gambit names them).
    pub fn from_game(game: NormalFormGame<Q>) -> Self {
        let players = (1..=game.num_players())
            .map(|p| format!("Player {p}"))
            .collect();
        let strategies = game
            .strategy_counts()
            .iter()
            .map(|&k| (1..=k).map(|s| s.to_string()).collect())
            .collect();
        Self {
            title: String::new(),
            comment: String::new(),
            players,
            strategies,
            game,
        }
    }

    /// Player names, indexed by player.
    pub fn players(&self) -> &[String] {
        &self.players
    }

    /// Strategy names, indexed by player then strategy.
    pub fn strategies(&self) -> &[Vec<String>] {
        &self.strategies
    }

    /// The game itself (exact payoffs; profile order last player fastest).
    pub fn game(&self) -> &NormalFormGame<Q> {
        &self.game
    }

    /// The game, consuming the names.
    pub fn into_game(self) -> NormalFormGame<Q> {
        self.game
    }
}

/// A game read from a file.
#[derive(Clone, Debug, PartialEq)]
pub enum GameFile {
    /// A normal-form game (`.nfg`, or a brink file with `strategies`).
    Strategic(StrategicGame),
    /// An extensive-form game (`.efg`, or a brink file with `nodes`).
    Extensive(ExtensiveGame<Q>),
}

/// File kinds [`read_game`] understands, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Gambit `.nfg`.
    Nfg,
    /// Gambit `.efg`.
    Efg,
    /// brink `.toml`.
    BrinkToml,
    /// brink `.json`.
    BrinkJson,
}

impl FileKind {
    /// The kind for a file extension (case-insensitive, without the dot), or
    /// `None` if the extension is not one of `nfg`, `efg`, `toml`, `json`.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "nfg" => Some(Self::Nfg),
            "efg" => Some(Self::Efg),
            "toml" => Some(Self::BrinkToml),
            "json" => Some(Self::BrinkJson),
            _ => None,
        }
    }
}

/// Reads a game of the given kind from `text`.
///
/// # Errors
///
/// A [`FormatError`] with the position of the first problem.
pub fn read_game(kind: FileKind, text: &str) -> Result<GameFile, FormatError> {
    match kind {
        FileKind::Nfg => nfg::read_nfg(text).map(GameFile::Strategic),
        FileKind::Efg => efg::read_efg(text).map(GameFile::Extensive),
        FileKind::BrinkToml => brink::read_toml(text),
        FileKind::BrinkJson => brink::read_json(text),
    }
}

/// Reads a game of the given kind from the bytes of a file, which must be
/// UTF-8 text.
///
/// # Errors
///
/// A [`FormatError`] at the first byte that is not UTF-8, or the first
/// problem of the text.
pub fn read_game_bytes(kind: FileKind, bytes: &[u8]) -> Result<GameFile, FormatError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
        FormatError::at_offset(&valid, valid.len(), "the file is not valid UTF-8 text")
    })?;
    read_game(kind, text)
}

/// Parses a number exactly: an optional sign, then either `digits/digits`
/// (a fraction with non-zero denominator) or a decimal `digits[.digits]`
/// (either part may be empty, not both) with an optional exponent
/// `e[+|-]digits`.
///
/// # Errors
///
/// A [`NumberError`] saying why `text` is not such a number.
pub fn parse_number(text: &str) -> Result<Q, NumberError> {
    if text.len() > MAX_NUMBER_LEN {
        return Err(NumberError::TooLong);
    }
    let bad = || NumberError::Malformed(text.to_string());
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let value = if let Some((num, den)) = body.split_once('/') {
        if !all_digits(num) || !all_digits(den) {
            return Err(bad());
        }
        let num: BigInt = num.parse().map_err(|_| bad())?;
        let den: BigInt = den.parse().map_err(|_| bad())?;
        if den.is_zero() {
            return Err(NumberError::DivisionByZero(text.to_string()));
        }
        Q::new(num, den)
    } else {
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((a, b)) => (a, b),
            None => (mantissa, ""),
        };
        let ok_part = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !ok_part(int_part)
            || !ok_part(frac_part)
            || (int_part.is_empty() && frac_part.is_empty())
        {
            return Err(bad());
        }
        let mut exp: i64 = 0;
        if let Some(e) = exponent {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if !all_digits(digits) {
                return Err(bad());
            }
            let magnitude: i64 = digits
                .parse()
                .ok()
                .filter(|m| *m <= MAX_EXPONENT)
                .ok_or_else(|| NumberError::ExponentTooLarge(text.to_string()))?;
            exp = if e.starts_with('-') {
                -magnitude
            } else {
                magnitude
            };
        }
        let digits = format!("{int_part}{frac_part}");
        let digits = if digits.is_empty() { "0" } else { &digits };
        let mantissa: BigInt = digits.parse().map_err(|_| bad())?;
        exp -= frac_part.len() as i64;
        let ten = BigInt::from(10);
        let scale = num_traits::pow(ten, exp.unsigned_abs() as usize);
        if exp >= 0 {
            Q::from_integer(mantissa * scale)
        } else {
            Q::new(mantissa, scale)
        }
    };
    Ok(if negative { -value } else { value })
}

/// Writes `x` exactly: `7`, `-2`, `1/3`.
pub fn format_number(x: &Q) -> String {
    if x.denom().is_one() {
        x.numer().to_string()
    } else {
        format!("{}/{}", x.numer(), x.denom())
    }
}

/// Writes `x` as a decimal with up to `digits` significant fractional digits
/// (via `f64`), trimming trailing zeros: `0.333333`, `2`, `-0.5`.
pub fn format_decimal(x: &Q, digits: usize) -> String {
    let v = crate::rational::to_f64(x);
    let mut s = format!("{v:.digits$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// Whether `x` is an integer that fits in `i64`.
pub(crate) fn as_i64(x: &Q) -> Option<i64> {
    use num_traits::ToPrimitive;
    if x.denom().is_one() {
        x.numer().to_i64()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rational::{q, qi};

    #[test]
    fn numbers_are_exact() {
        assert_eq!(parse_number("3"), Ok(qi(3)));
        assert_eq!(parse_number("-1/3"), Ok(q(-1, 3)));
        assert_eq!(parse_number("+2/4"), Ok(q(1, 2)));
        assert_eq!(parse_number("0.1"), Ok(q(1, 10)));
        assert_eq!(parse_number(".5"), Ok(q(1, 2)));
        assert_eq!(parse_number("5."), Ok(qi(5)));
        assert_eq!(parse_number("-2.5e-3"), Ok(q(-1, 400)));
        assert_eq!(parse_number("1E2"), Ok(qi(100)));
        assert_eq!(parse_number("10.000000"), Ok(qi(10)));
        for bad in [
            "", "-", ".", "1/0", "1/-2", "1.2.3", "e5", "1e", "1e+", "x", "1/2/3", "--1", "0x10",
            "1e99999",
        ] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
        assert!(parse_number(&"9".repeat(MAX_NUMBER_LEN + 1)).is_err());
    }

    #[test]
    fn formatting() {
        assert_eq!(format_number(&q(-2, 6)), "-1/3");
        assert_eq!(format_number(&qi(7)), "7");
        assert_eq!(format_decimal(&q(1, 3), 6), "0.333333");
        assert_eq!(format_decimal(&qi(2), 6), "2");
        assert_eq!(format_decimal(&q(-1, 2), 6), "-0.5");
        assert_eq!(format_decimal(&q(-1, 10_000_000), 6), "0");
    }

    #[test]
    fn positions() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 3), (2, 1));
        assert_eq!(line_column(t, t.find('f').unwrap()), (3, 1));
        assert_eq!(line_column(t, 7), (2, 4));
        assert_eq!(line_column(t, 999), (3, 2));
        let e = FormatError::new(3, 7, "expected '}'");
        assert_eq!(e.to_string(), "line 3, column 7: expected '}'");
    }
}
