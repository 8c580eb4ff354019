//! What one run leaves behind: its outcome, its equilibrium class and final figures.

use serde::{Deserialize, Serialize};

/// How the settled play of a run relates to the equilibria of the stage game it was
/// played in (the game formed from the agents' utilities in the final round).
///
/// Profiles are named by their index in the stage game's mixed-radix profile order
/// (agent 0 most significant, last agent fastest), so a class is `Copy` and cheap to
/// count; [`crate::CompiledScenario::profile_label`] turns an index into action names.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum EquilibriumClass {
    /// The settled profile is a pure-strategy Nash equilibrium of the stage game.
    PureNash {
        /// Index of the profile in the stage game.
        profile: u64,
    },
    /// The settled play (empirical frequencies over the classification window) is
    /// within tolerance of a mixed equilibrium of a two-player stage game, named by the
    /// two players' supports (bit `a` set when action `a` has positive probability).
    /// Supports name an equilibrium uniquely in nondegenerate games.
    MixedNash {
        /// Support of each player's strategy.
        supports: [u64; 2],
    },
    /// The settled profile is not an equilibrium of the stage game.
    #[default]
    NotAnEquilibrium,
}

/// The result of one run. The runner reuses one value across runs, so the vectors are
/// allocated once per worker, not once per run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Index of the outcome (in scenario order) the run ended in.
    pub outcome: usize,
    /// The equilibrium class of the settled play.
    pub equilibrium: EquilibriumClass,
    /// Number of rounds played.
    pub rounds: u32,
    /// World-state variables at the end of the run, in scenario order.
    pub final_state: Vec<f64>,
    /// Each agent's accumulated payoff (per-round utilities plus terminal payoff).
    pub payoffs: Vec<f64>,
    /// Empirical frequency of each agent's actions over the classification window
    /// (the last `window` rounds, or all rounds if fewer), flat by agent then action.
    pub play: Vec<f64>,
}
