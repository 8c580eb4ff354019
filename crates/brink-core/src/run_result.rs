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
}
