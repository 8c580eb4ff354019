//! The run's state outside the agents ([`RunState`]).

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{
    AllValues, History, Model, Plans, Profile, Round, Status, TrueTypes, WorldRng, WorldState,
};
use crate::availability::Availability;
use crate::model::{self, Dims};
use crate::rules::DecisionRule;
use crate::scenario::CompiledScenario;

/// Everything of a run that is not an agent's: the compiled scenario, the world
/// state and the run's bookkeeping. Held next to the `World` and passed to the round's
/// steps as plain references: fetching a resource from the world costs ~57
/// instructions, and a round of a small game needed 36 such fetches.
pub struct RunState {
    /// The compiled scenario and buffer offsets (read-only).
    pub model: Model,
    /// The world state.
    pub world: WorldState,
    /// This round's and last round's actions.
    pub profile: Profile,
    /// Every agent's term values this round.
    pub all: AllValues,
    /// This round's action masks.
    pub avail: Availability,
    /// The last rounds' profiles.
    pub history: History,
    /// Every agent's true type.
    pub types: TrueTypes,
    /// The current round.
    pub round: Round,
    /// The world's random stream.
    pub rng: WorldRng,
    /// The outcome, once the run has ended.
    pub status: Status,
    /// Lookahead trees.
    pub plans: Plans,
}

impl RunState {
    /// The run's state outside the agents: world state, profiles, history, round, RNG,
    /// status and model.
    pub(super) fn new(scenario: &Arc<CompiledScenario>, dims: Dims) -> Self {
        let s = &**scenario;
        let n_state = s.state.len();
        RunState {
            world: WorldState {
                frame: vec![0.0; s.layout.len],
                delta: vec![0.0; n_state],
                set: vec![None; n_state],
            },
            profile: Profile {
                current: vec![0; s.agents.len()],
                previous: vec![0; s.agents.len()],
            },
            all: AllValues(vec![0.0; dims.values]),
            avail: Availability::new(s, &dims),
            history: History {
                profiles: vec![0; s.classification.window as usize * s.agents.len()],
                recorded: 0,
            },
            round: Round(1),
            types: TrueTypes(vec![0; s.agents.len()]),
            rng: WorldRng(ChaCha8Rng::from_seed([0; 32])),
            status: Status::default(),
            model: Model {
                scenario: Arc::clone(scenario),
                dims,
                counts_actions: rules(s).any(|r| matches!(r, DecisionRule::FictitiousPlay { .. })),
                forecast_inputs: (0..s.agents.len())
                    .map(|j| model::forecast_inputs(s, j))
                    .collect(),
                shared_forecast: s
                    .agents
                    .iter()
                    .map(|a| {
                        a.types.iter().all(|t| {
                            !t.lookahead.active()
                                && matches!(
                                    t.rule,
                                    DecisionRule::BestResponse | DecisionRule::Logit { .. }
                                )
                        })
                    })
                    .collect(),
            },
            plans: Plans::default(),
        }
    }
}

/// Every type's decision rule.
fn rules(s: &CompiledScenario) -> impl Iterator<Item = DecisionRule> + '_ {
    s.agents.iter().flat_map(|a| a.types.iter().map(|t| t.rule))
}
