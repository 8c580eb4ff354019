//! What solvers return.

use serde::{Deserialize, Serialize};

/// One mixed strategy per player: `strategies[p][s]` is the probability that
/// player `p` plays strategy `s`.
pub type MixedProfile<T> = Vec<Vec<T>>;

/// An equilibrium (or other solution point) of a normal-form game.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Equilibrium<T> {
    /// Each player's mixed strategy.
    pub strategies: MixedProfile<T>,
    /// Each player's expected payoff at this profile.
    pub payoffs: Vec<T>,
}

/// Why a solver could not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SolveError {
    /// The method needs a different kind of game (e.g. two players, zero-sum).
    Unsupported(String),
    /// An argument is out of range (e.g. a Lemke–Howson label).
    InvalidArgument(String),
    /// The numerical method did not converge within its limits.
    NoConvergence(String),
    /// The solver's data structures grew past the memory limit of its
    /// [`Budget`](crate::budget::Budget).
    MemoryLimit {
        /// Bytes held when the run stopped (estimated).
        bytes: u64,
        /// The limit.
        limit: u64,
        /// What had been done by then.
        progress: String,
    },
    /// The run took longer than the time limit of its
    /// [`Budget`](crate::budget::Budget).
    TimeLimit {
        /// The limit in milliseconds.
        millis: u64,
        /// What had been done by then.
        progress: String,
    },
}

impl std::fmt::Display for SolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolveError::Unsupported(m) => write!(f, "unsupported game: {m}"),
            SolveError::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
            SolveError::NoConvergence(m) => write!(f, "no convergence: {m}"),
            SolveError::MemoryLimit {
                bytes,
                limit,
                progress,
            } => write!(
                f,
                "stopped at the memory limit: the solver held about {} MiB (limit {} MiB) \
                 after {progress}",
                bytes.div_ceil(1 << 20),
                limit / (1 << 20)
            ),
            SolveError::TimeLimit { millis, progress } => write!(
                f,
                "stopped at the time limit of {:.1} s after {progress}",
                *millis as f64 / 1000.0
            ),
        }
    }
}

impl std::error::Error for SolveError {}
