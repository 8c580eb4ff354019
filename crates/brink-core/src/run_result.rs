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

/// The Bayesian-Nash class of a run's settled play (`docs/SCENARIO.md` §11).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum BayesNashClass {
    /// The settled play is, at the realised types, the play of this pure
    /// Bayesian-Nash equilibrium of the agent-type form (profile index in it).
    Equilibrium {
        /// Index of the profile in the agent-type form.
        profile: u64,
    },
    /// No pure Bayesian-Nash equilibrium matches the settled play.
    #[default]
    NotAnEquilibrium,
}

/// The logit-QRE class of a run's settled play (`docs/SCENARIO.md` §11).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum QreClass {
    /// The choice probabilities are within `qre_tolerance` of the logit QRE.
    Qre,
    /// They are farther (or the QRE could not be computed).
    #[default]
    NotQre,
}

/// The equilibrium analysis of one run beyond its Nash class.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunAnalysis {
    /// ε under true types: the largest gain of a unilateral deviation from the
    /// settled play in the last round's stage game (NaN if a utility is NaN).
    pub regret_true: f64,
    /// ε under interim beliefs: the largest, over agents, gain of the best action
    /// over the settled play by the values the agents' decision rules used.
    pub regret_interim: f64,
    /// The Bayesian-Nash class, when that concept is on.
    pub bayes_nash: Option<BayesNashClass>,
    /// The logit-QRE class, when that concept is on.
    pub qre: Option<QreClass>,
    /// Max-norm distance between the choice probabilities and the QRE (NaN when
    /// not computed).
    pub qre_distance: f64,
    /// Bit `i` set when agent `i`'s last action attained the maximum of the values
    /// its decision rule used (a best reply under its beliefs); agents from the 65th
    /// on are not recorded.
    pub deliberate: u64,
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
    /// Regret, Bayesian-Nash and QRE classes, deliberate or tremble.
    pub analysis: RunAnalysis,
}
