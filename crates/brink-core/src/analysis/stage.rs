//! The stage game of a concept, built over each agent's set of actions.
//!
//! Every concept's payoff tensor goes through [`fill_stage_game`], which takes the
//! actions each agent may play. Today every action is available; action masks can
//! later restrict the sets without touching the concepts.

use brink_solve::{GameError, NormalFormGame};

use crate::scenario::CompiledScenario;

/// The actions each agent may play, as indices into its declared actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionSets {
    /// Per agent, its available action indices in increasing order.
    pub sets: Vec<Vec<usize>>,
}

impl ActionSets {
    /// Every declared action of every agent.
    pub fn all(s: &CompiledScenario) -> Self {
        ActionSets {
            sets: s
                .agents
                .iter()
                .map(|a| (0..a.actions.len()).collect())
                .collect(),
        }
    }

    /// Number of actions of each agent.
    pub fn sizes(&self) -> Vec<usize> {
        self.sets.iter().map(Vec::len).collect()
    }
}

/// An all-zero game shaped by `sizes` (one entry per player).
pub fn empty_game(sizes: &[usize]) -> NormalFormGame<f64> {
    let n = sizes.iter().product::<usize>() * sizes.len();
    NormalFormGame::new(sizes.to_vec(), vec![0.0; n]).expect("stage game size checked at load")
}

/// Fills `game`, whose players are the agents and whose strategies are the entries of
/// `sets`, with `payoff(actions, agent)`: `actions` are the agents' declared action
/// indices (translated through `sets`). Fails on a NaN payoff.
pub fn fill_stage_game(
    game: &mut NormalFormGame<f64>,
    sets: &ActionSets,
    actions: &mut Vec<usize>,
    mut payoff: impl FnMut(&[usize], usize) -> f64,
) -> Result<(), GameError> {
    actions.resize(sets.sets.len(), 0);
    game.reset_from_fn(|profile, player| {
        for (slot, (&k, set)) in actions.iter_mut().zip(profile.iter().zip(&sets.sets)) {
            *slot = set[k];
        }
        payoff(actions, player)
    })
}
