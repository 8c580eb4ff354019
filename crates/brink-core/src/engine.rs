//! One run as a bevy_ecs world: agents are entities with components, the world state
//! and the run's bookkeeping are one [`RunState`] held next to the world, and one
//! round is a fixed sequence of small steps over cached queries ([`RoundSystems`]),
//! read top to bottom:
//!
//! ```text
//! observe → update_beliefs → appraise → forecast → decide → resolve → check_terminal
//! ```
//!
//! - `observe`: each agent receives intelligence on what every other agent did last
//!   round (a noisy signal of accuracy `intel`); in round 1 it assumes the declared
//!   status quo (or a uniform guess).
//! - `update_beliefs`: Bayes' rule over each other agent's private type, with the
//!   likelihood of the signal under what the observer predicted each type would do.
//! - `appraise`: each agent's utility terms are evaluated in the current world state,
//!   for each of its possible types.
//! - `forecast`: each observer predicts what each type of each other agent will do
//!   this round — that type's decision rule applied to its expected utilities, given
//!   the last round as the observer perceived it.
//! - `decide`: each agent forms the others' mixed play from beliefs × forecasts,
//!   computes its expected utilities and chooses with its decision rule.
//! - `resolve`: utilities are paid and effects move the world state (with noise).
//! - `check_terminal`: the first outcome condition that holds ends the run; at the
//!   horizon the at-horizon outcomes decide.
//!
//! `observe`, `update_beliefs` and `appraise` run in one pass over the agents, and
//! `forecast` and `decide` in another: each step of a pass reads and writes only its
//! own agent's components (and the shared values every agent's `appraise` fills first),
//! so a pass gives exactly its steps in order.
//!
//! The world, queries and entities are built once per [`Engine`] (once per worker
//! thread) and reset in place for each run: building a `World` and its systems costs
//! ~80 µs, far more than a run. Components are overwritten, never inserted or removed,
//! so no archetype moves happen and the runs stay independent.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod forecast;
mod state;

pub use state::RunState;

use crate::analysis::Analyzer;
use crate::availability::{self, Availability};
use crate::classify::Classifier;
use crate::lookahead::Planner;
use crate::model::{self, Dims};
use crate::normal::standard_normal;
use crate::rules::{DecisionRule, FictitiousPrior, sample};
use crate::run_result::{EquilibriumClass, RunResult};
use crate::scenario::CompiledScenario;
use crate::seed;
use crate::trace::{self, Trace};

/// An agent: its index in the scenario (which fixes its name, actions and utilities).
#[derive(Component, Clone, Copy, Debug)]
pub struct Agent {
    /// Index in [`CompiledScenario::agents`].
    pub index: usize,
}

/// The agent's private type for this run, drawn from its prior.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct PrivateType(pub usize);

/// The agent's beliefs: a probability distribution over each other agent's type,
/// flat `[target][type]` at [`Dims::type_offset`].
#[derive(Component, Clone, Debug)]
pub struct Beliefs {
    /// Probabilities.
    pub probs: Vec<f64>,
}

/// What the agent perceived of the last round: a point mass (or a uniform guess) per
/// agent, flat `[agent][action]` at [`Dims::action_offset`], and the raw signals.
#[derive(Component, Clone, Debug)]
pub struct Perception {
    /// Marginal probabilities of each agent's last action as perceived.
    pub marginals: Vec<f64>,
    /// The signal received about each agent's last action (own action for itself).
    pub signals: Vec<usize>,
    /// The perceived last action of each agent, when it is a point mass (None for a
    /// uniform guess): a cheap key under which forecasts are shared between observers
    /// who perceived the same thing.
    pub points: Vec<Option<usize>>,
}

/// The agent's prediction of what each type of each other agent plays this round,
/// flat `[target][type][action]` at [`Dims::forecast_offset`]. Kept until the next
/// round, where it gives the likelihoods for Bayes' rule.
#[derive(Component, Clone, Debug)]
pub struct Forecasts {
    /// Probabilities.
    pub probs: Vec<f64>,
}

/// The agent's utility terms evaluated in this round's state, for each of its types:
/// `[type][term]`.
#[derive(Component, Clone, Debug)]
pub struct Utilities {
    /// Term values.
    pub values: Vec<f64>,
}

/// This round's decision: expected utility and probability of each action, and the
/// action drawn.
#[derive(Component, Clone, Debug)]
pub struct Choice {
    /// Expected utility of each action under the agent's beliefs.
    pub expected: Vec<f64>,
    /// Probability of each action under the decision rule.
    pub policy: Vec<f64>,
    /// The action played.
    pub action: usize,
}

/// Action counts the agent has observed: for each other agent the signals received
/// (plus a fictitious player's prior pseudo-counts), for itself its own actions; flat
/// `[agent][action]` at [`Dims::action_offset`]. Fictitious players' beliefs.
#[derive(Component, Clone, Debug)]
pub struct Empirical {
    /// Counts.
    pub counts: Vec<f64>,
}

/// The agent's estimates of the state variables it has intelligence on (empty for an
/// agent without `state_intel`), and what it derives from them: its perceived frame
/// and every agent's term values on that frame (flat at [`Dims::value_offset`]),
/// which replace the true ones in its forecasts and decisions.
#[derive(Component, Clone, Debug, Default)]
pub struct StateEstimate {
    /// Mean of each estimate, in `state_intel` order.
    pub mean: Vec<f64>,
    /// Variance of each estimate.
    pub var: Vec<f64>,
    /// The last reading of each variable.
    pub reading: Vec<f64>,
    /// Perceived frame.
    pub frame: Vec<f64>,
    /// Term values of every agent on the perceived frame.
    pub values: Vec<f64>,
}

impl StateEstimate {
    /// Whether the agent has state intelligence.
    pub fn active(&self) -> bool {
        !self.mean.is_empty()
    }
}

/// The agent's own random stream (see [`crate::seed`]).
#[derive(Component, Clone, Debug)]
pub struct AgentRng(pub ChaCha8Rng);

/// Payoff accumulated so far.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Payoff(pub f64);

/// The compiled scenario and buffer offsets.
#[derive(Clone)]
pub struct Model {
    /// The scenario.
    pub scenario: Arc<CompiledScenario>,
    /// Offsets of per-agent blocks.
    pub dims: Dims,
    /// Whether some agent plays fictitious play (only then are action counts kept).
    pub counts_actions: bool,
    /// Per agent: whether all its types respond myopically to the last round
    /// (best response or logit without lookahead), so that forecasts of it can be
    /// shared between observers who perceived the same last round.
    pub shared_forecast: Vec<bool>,
    /// Per agent, [`model::forecast_inputs`]: whose perceived actions its forecast
    /// depends on (the key of the shared forecasts).
    pub forecast_inputs: Vec<Vec<bool>>,
}

/// The lookahead trees of forward-looking agents and of observers forecasting them
/// (see [`crate::lookahead`]).
#[derive(Default)]
pub struct Plans(pub Planner);

/// The world state: the frame formulas read (state variables, round, this round's
/// action indicators, the agents' true type values) and scratch for effects.
#[derive(Clone, Debug)]
pub struct WorldState {
    /// See [`crate::scenario::FrameLayout`].
    pub frame: Vec<f64>,
    delta: Vec<f64>,
    set: Vec<Option<f64>>,
}

/// Actions by agent index: this round's and last round's.
#[derive(Clone, Debug)]
pub struct Profile {
    /// This round's actions.
    pub current: Vec<usize>,
    /// Last round's actions.
    pub previous: Vec<usize>,
}

/// Every agent's utility-term values this round, `[type][term]` at
/// [`Dims::value_offset`]: what level-k reasoners need of everyone, and what
/// observers forecast each target from.
#[derive(Clone, Debug)]
pub struct AllValues(pub Vec<f64>);

/// The profiles of the last `window` rounds (a ring buffer), for classification.
#[derive(Clone, Debug)]
pub struct History {
    /// `window × agents` actions.
    pub profiles: Vec<usize>,
    /// Rounds recorded so far.
    pub recorded: u64,
}

/// Every agent's true type this run (for terms that read another agent's type
/// values: payoffs are paid under true types).
#[derive(Clone, Debug, Default)]
pub struct TrueTypes(pub Vec<usize>);

/// The current round, from 1.
#[derive(Clone, Copy, Debug)]
pub struct Round(pub u32);

/// The world's random stream (effect noise).
#[derive(Clone, Debug)]
pub struct WorldRng(pub ChaCha8Rng);

/// The outcome, once the run has ended.
#[derive(Clone, Copy, Debug, Default)]
pub struct Status {
    /// Outcome index.
    pub outcome: Option<usize>,
}

/// What the first steps of a round read and write of each agent.
type PerceiveItem = (
    &'static Agent,
    &'static mut Perception,
    &'static mut Empirical,
    &'static mut StateEstimate,
    &'static mut AgentRng,
    &'static Forecasts,
    &'static mut Beliefs,
    &'static mut Utilities,
);

/// `observe`, `update_beliefs` and `appraise`, agent by agent in one pass over the
/// agents: each reads the world and its own agent's components and writes only its
/// own agent's components (and its own block of `all`), so one pass gives exactly the
/// three passes in order.
fn perceive(
    model: &Model,
    round: &Round,
    profile: &Profile,
    world: &WorldState,
    all: &mut AllValues,
    mut agents: Query<PerceiveItem>,
) {
    for (
        agent,
        mut perception,
        mut empirical,
        mut estimate,
        mut rng,
        forecasts,
        mut beliefs,
        mut utilities,
    ) in &mut agents
    {
        let i = agent.index;
        observe(
            model,
            round,
            profile,
            world,
            i,
            &mut perception,
            &mut empirical,
            &mut estimate,
            &mut rng,
        );
        if round.0 > 1 {
            update_beliefs(model, i, &perception, forecasts, &mut beliefs);
        }
        appraise(model, world, all, i, &mut utilities, &mut estimate);
    }
}

/// Agent `i` receives intelligence on the last round and reads the state variables.
#[allow(clippy::too_many_arguments)]
fn observe(
    model: &Model,
    round: &Round,
    profile: &Profile,
    world: &WorldState,
    i: usize,
    p: &mut Perception,
    empirical: &mut Empirical,
    est: &mut StateEstimate,
    rng: &mut AgentRng,
) {
    let (s, d) = (&*model.scenario, &model.dims);
    p.marginals.fill(0.0);
    for (j, aj) in s.agents.iter().enumerate() {
        let (off, n) = (d.action_offset[j], aj.actions.len());
        let seen = if round.0 == 1 {
            aj.status_quo
        } else if j == i {
            Some(profile.previous[j])
        } else {
            let u: f64 = rng.0.random();
            Some(model::draw_signal(
                profile.previous[j],
                n,
                s.agents[i].intel[j],
                u,
            ))
        };
        match seen {
            Some(a) => {
                p.marginals[off + a] = 1.0;
                p.signals[j] = a;
                if round.0 > 1 && model.counts_actions {
                    empirical.counts[off + a] += 1.0;
                }
            }
            None => p.marginals[off..off + n].fill(1.0 / n as f64),
        }
        p.points[j] = seen;
    }
    // Readings of state variables (after the action signals, in declaration order).
    for (k, intel) in s.agents[i].state_intel.iter().enumerate() {
        let noise = standard_normal(&mut rng.0);
        let y = world.frame[intel.var] + intel.sd * noise;
        est.reading[k] = y;
        model::kalman_update(&mut est.mean[k], &mut est.var[k], y, intel.sd, intel.drift);
    }
}

/// Agent `i`'s Bayes update of its beliefs over the others' types (from round 2).
fn update_beliefs(
    model: &Model,
    i: usize,
    perception: &Perception,
    forecasts: &Forecasts,
    beliefs: &mut Beliefs,
) {
    let (s, d) = (&*model.scenario, &model.dims);
    for (j, aj) in s.agents.iter().enumerate().filter(|(j, _)| *j != i) {
        let (n, nt) = (aj.actions.len(), aj.types.len());
        let (to, fo) = (d.type_offset[j], d.forecast_offset[j]);
        model::bayes_update(
            &mut beliefs.probs[to..to + nt],
            &forecasts.probs[fo..fo + nt * n],
            n,
            perception.signals[j],
            s.agents[i].intel[j],
        );
    }
}

/// Agent `i`'s utility terms in the current state (and on its perceived state).
fn appraise(
    model: &Model,
    world: &WorldState,
    all: &mut AllValues,
    i: usize,
    utilities: &mut Utilities,
    est: &mut StateEstimate,
) {
    let (s, d) = (&*model.scenario, &model.dims);
    model::evaluate_terms(&s.agents[i], &world.frame, &mut utilities.values);
    // Everyone's values, for level-k reasoners and for the forecasts of `i`.
    let off = d.value_offset[i];
    all.0[off..off + utilities.values.len()].copy_from_slice(&utilities.values);
    if est.active() {
        model::perceived_frame(s, &s.agents[i], &est.mean, &world.frame, &mut est.frame);
        model::evaluate_all_terms(s, d, &est.frame, &mut est.values);
    }
}

/// What `forecast` and `decide` read and write of each agent.
type ThinkItem = (
    &'static Agent,
    &'static PrivateType,
    &'static Beliefs,
    &'static mut Forecasts,
    &'static Perception,
    &'static Empirical,
    &'static StateEstimate,
    &'static Utilities,
    &'static DecisionRule,
    &'static mut Choice,
    &'static mut AgentRng,
);

/// Scratch of `decide`.
#[derive(Default)]
struct DecideScratch {
    marginals: Vec<f64>,
    others: model::OthersScratch,
    stage: Vec<f64>,
}

/// `forecast` and `decide`, agent by agent in one pass over the agents: an agent's
/// forecasts are its own (of the others) and its decision reads only its own
/// forecasts, so one pass gives exactly the two passes in order (see
/// [`forecast::forecast`] for the forecasts shared between observers).
#[allow(clippy::too_many_arguments)]
fn think(
    model: &Model,
    all: &AllValues,
    round: &Round,
    world: &WorldState,
    plans: &mut Plans,
    avail: &Availability,
    profile: &mut Profile,
    mut agents: Query<ThinkItem>,
    cache: &mut forecast::ForecastCache,
    scratch: &mut DecideScratch,
) {
    cache.begin_round(model.scenario.agents.len());
    scratch.marginals.resize(model.dims.actions, 0.0);
    for (
        agent,
        ty,
        beliefs,
        mut forecasts,
        perception,
        empirical,
        estimate,
        utilities,
        rule,
        mut choice,
        mut rng,
    ) in &mut agents
    {
        let observer = forecast::Observer {
            index: agent.index,
            own_type: ty.0,
            perception,
            beliefs,
            empirical,
            estimate,
        };
        forecast::forecast(
            model,
            all,
            avail,
            round,
            &observer,
            &mut forecasts,
            plans,
            world,
            cache,
        );
        let mind = Mind {
            observer,
            forecasts: &forecasts,
            utilities,
            rule: *rule,
        };
        profile.current[agent.index] = decide(
            model,
            all,
            round,
            world,
            plans,
            avail,
            &mind,
            &mut choice,
            &mut rng,
            scratch,
        );
    }
}

/// What `decide` reads of its agent.
struct Mind<'a> {
    observer: forecast::Observer<'a>,
    forecasts: &'a Forecasts,
    utilities: &'a Utilities,
    rule: DecisionRule,
}

/// Agent `m`'s decision: its expected utilities, its policy, and the action drawn.
#[allow(clippy::too_many_arguments)]
fn decide(
    model: &Model,
    all: &AllValues,
    round: &Round,
    world: &WorldState,
    plans: &mut Plans,
    avail: &Availability,
    m: &Mind,
    c: &mut Choice,
    rng: &mut AgentRng,
    sc: &mut DecideScratch,
) -> usize {
    let (s, d) = (&*model.scenario, &model.dims);
    let o = &m.observer;
    let (i, rule) = (o.index, &m.rule);
    let (beliefs, forecasts, perception, empirical, estimate) = (
        o.beliefs,
        m.forecasts,
        o.perception,
        o.empirical,
        o.estimate,
    );
    let spec = &s.agents[i];
    let nterms = spec.terms.len();
    // Term values as the agent sees them: on its estimate of the state, if it has one.
    let (own_values, all_values): (&[f64], &[f64]) = if estimate.active() {
        (
            &estimate.values[d.value_offset[i]..][..spec.types.len() * nterms],
            &estimate.values,
        )
    } else {
        (&m.utilities.values, &all.0)
    };
    // What the agent expects the others to play.
    let modelled = model::modelled_play(
        *rule,
        s,
        d,
        &empirical.counts,
        &perception.marginals,
        all_values,
        &beliefs.probs,
        &mut sc.others,
        avail.mask(),
    );
    // Per-type play for terms reading the others' type values: the forecasts, when
    // they are the rule's model of the others.
    let per_type = modelled.is_none().then_some(&forecasts.probs[..]);
    let faced: &[f64] = match modelled {
        Some(play) => play,
        None => {
            // Each other agent's play: its types' forecast play weighted by beliefs.
            for (j, aj) in s.agents.iter().enumerate() {
                let (off, n) = (d.action_offset[j], aj.actions.len());
                let m = &mut sc.marginals[off..off + n];
                m.fill(0.0);
                if j == i {
                    continue;
                }
                for t in 0..aj.types.len() {
                    let b = beliefs.probs[d.type_offset[j] + t];
                    let row = &forecasts.probs[d.forecast_offset[j] + t * n..][..n];
                    m.iter_mut().zip(row).for_each(|(x, &p)| *x += b * p);
                }
            }
            &sc.marginals
        }
    };
    let values = &own_values[o.own_type * nterms..(o.own_type + 1) * nterms];
    let view = model::TypeView {
        weights: &beliefs.probs,
        play: per_type,
    };
    model::expected_utilities(s, d, i, values, faced, &view, &mut c.expected);
    if spec.types[o.own_type].lookahead.active() {
        // Forward-looking: this round's expected utility plus the discounted
        // expected utility of the rounds ahead (`crate::lookahead`).
        plans.0.begin(s, d, &o.view(round, world));
        sc.stage.clone_from(&c.expected);
        plans.0.action_values(
            s,
            d,
            i,
            i,
            o.own_type,
            &sc.stage,
            Some(faced),
            &mut c.expected,
        );
    }
    let mask = avail.of(d.action_offset[i], spec.actions.len());
    match *rule {
        DecisionRule::LevelK { level: 0, .. }
        | DecisionRule::CognitiveHierarchy { level: 0, .. } => {
            mask.inspect(|m| availability::mask_expected(&mut c.expected, m));
            availability::level0(&spec.level0, &mut c.policy, mask);
        }
        _ => availability::respond(rule, &mut c.expected, &mut c.policy, mask),
    }
    c.action = sample(&c.policy, rng.0.random());
    c.action
}

type ResolveItem = (
    &'static Agent,
    &'static PrivateType,
    &'static Utilities,
    &'static mut Payoff,
);

fn resolve(
    model: &Model,
    profile: &Profile,
    types: &TrueTypes,
    world: &mut WorldState,
    rng: &mut WorldRng,
    mut agents: Query<ResolveItem>,
) {
    let s = &*model.scenario;
    let w = &mut *world;
    for (j, aj) in s.agents.iter().enumerate() {
        let off = s.layout.indicators[j];
        for a in 0..aj.actions.len() {
            w.frame[off + a] = f64::from(u8::from(a == profile.current[j]));
        }
    }
    for (agent, ty, utilities, mut payoff) in &mut agents {
        let spec = &s.agents[agent.index];
        let n = spec.terms.len();
        payoff.0 += model::utility_at(
            spec,
            &utilities.values[ty.0 * n..(ty.0 + 1) * n],
            &profile.current,
            &types.0,
        );
    }
    let rng = &mut rng.0;
    model::apply_effects(s, &mut w.frame, &mut w.delta, &mut w.set, || {
        standard_normal(rng)
    });
}

fn check_terminal(
    model: &Model,
    world: &mut WorldState,
    round: &mut Round,
    status: &mut Status,
    profile: &mut Profile,
    history: &mut History,
) {
    status.outcome = model::check_outcome(&model.scenario, &world.frame, round.0);
    let p = &mut *profile;
    let window = model.scenario.classification.window as u64;
    let k = p.current.len();
    let slot = (history.recorded % window) as usize * k;
    history.profiles[slot..slot + k].copy_from_slice(&p.current);
    history.recorded += 1;
    p.previous.copy_from_slice(&p.current);
    if status.outcome.is_none() {
        round.0 += 1;
        world.frame[model.scenario.layout.round] = f64::from(round.0);
    }
}

/// The steps of one round, in order, called one after the other on the world.
///
/// Each step is a plain function over a cached `QueryState` of the agents and the
/// [`RunState`], without bevy's system machinery: fetching a system's parameters
/// (resources, `SystemParam` bookkeeping) and an executor's bookkeeping cost more
/// than a whole round of a small game (`benches/RESULTS.md`,
/// `../shared/docs/ECS-NOTES.md`).
pub struct RoundSystems {
    perceive: QueryState<PerceiveItem>,
    think: QueryState<ThinkItem>,
    resolve: QueryState<ResolveItem>,
    forecast_cache: forecast::ForecastCache,
    decide_scratch: DecideScratch,
}

impl RoundSystems {
    /// The round's queries, on `world` (whose agents are already spawned).
    pub fn new(world: &mut World) -> Self {
        RoundSystems {
            perceive: world.query(),
            think: world.query(),
            resolve: world.query(),
            forecast_cache: forecast::ForecastCache::default(),
            decide_scratch: DecideScratch::default(),
        }
    }

    /// Plays one round.
    pub fn run(&mut self, world: &mut World, r: &mut RunState) {
        let m = &r.model;
        perceive(
            m,
            &r.round,
            &r.profile,
            &r.world,
            &mut r.all,
            self.perceive.query_mut(&mut *world),
        );
        availability::update_availability(m, &r.world, &mut r.avail);
        think(
            m,
            &r.all,
            &r.round,
            &r.world,
            &mut r.plans,
            &r.avail,
            &mut r.profile,
            self.think.query_mut(&mut *world),
            &mut self.forecast_cache,
            &mut self.decide_scratch,
        );
        resolve(
            m,
            &r.profile,
            &r.types,
            &mut r.world,
            &mut r.rng,
            self.resolve.query_mut(&mut *world),
        );
        check_terminal(
            m,
            &mut r.world,
            &mut r.round,
            &mut r.status,
            &mut r.profile,
            &mut r.history,
        );
    }
}

/// The components [`Engine`] resets at the start of each run.
type ResetItem = (
    &'static Agent,
    &'static mut PrivateType,
    &'static mut Beliefs,
    &'static mut Perception,
    &'static mut Forecasts,
    &'static mut Payoff,
    &'static mut AgentRng,
    &'static mut Empirical,
    &'static mut StateEstimate,
    &'static mut DecisionRule,
);

/// Plays runs of one scenario, reusing one `World` and its systems across runs.
pub struct Engine {
    world: World,
    systems: RoundSystems,
    run: RunState,
    scenario: Arc<CompiledScenario>,
    agents: QueryState<ResetItem>,
    finals: QueryState<(
        &'static Agent,
        &'static PrivateType,
        &'static Utilities,
        &'static Payoff,
        &'static Beliefs,
        &'static Choice,
    )>,
    result: RunResult,
    classifier: Classifier,
    analyzer: Analyzer,
    values: Vec<Vec<f64>>,
}

impl Engine {
    /// Builds the world (one entity per agent) and the round systems.
    pub fn new(scenario: Arc<CompiledScenario>) -> Self {
        let dims = Dims::new(&scenario);
        let dims_actions = dims.actions;
        let s = &*scenario;
        let mut world = World::new();
        spawn_agents(&mut world, s, &dims);
        let run = RunState::new(&scenario, dims);
        let n_state = s.state.len();

        let systems = RoundSystems::new(&mut world);
        let agents = world.query();
        let finals = world.query();
        let result = RunResult {
            final_state: vec![0.0; n_state],
            payoffs: vec![0.0; s.agents.len()],
            play: vec![0.0; dims_actions],
            ..RunResult::default()
        };
        Engine {
            world,
            systems,
            run,
            agents,
            finals,
            result,
            classifier: Classifier::new(s),
            analyzer: Analyzer::new(s, &Dims::new(s)),
            values: s.agents.iter().map(|a| vec![0.0; a.terms.len()]).collect(),
            scenario,
        }
    }

    /// The scenario this engine plays.
    pub fn scenario(&self) -> &Arc<CompiledScenario> {
        &self.scenario
    }

    /// Plays run `index` of the batch with `master` seed and returns its result.
    pub fn run(&mut self, master: u64, index: u64) -> &RunResult {
        self.reset(master, index);
        while self.run.status.outcome.is_none() {
            self.systems.run(&mut self.world, &mut self.run);
        }
        self.finish();
        &self.result
    }

    /// Plays run `index` like [`Engine::run`], recording a round-by-round trace.
    /// The trace is read from the world after each round, so tracing cannot change
    /// the run.
    pub fn run_traced(&mut self, master: u64, index: u64) -> (RunResult, Trace) {
        self.reset(master, index);
        let mut trace = Trace::new(&self.scenario, master, index);
        trace.types = {
            let mut q = self.world.query::<(&Agent, &PrivateType)>();
            let mut t = vec![String::new(); self.scenario.agents.len()];
            for (a, ty) in q.iter(&self.world) {
                t[a.index] = self.scenario.agents[a.index].types[ty.0].name.clone();
            }
            t
        };
        while self.run.status.outcome.is_none() {
            self.systems.run(&mut self.world, &mut self.run);
            trace
                .rounds
                .push(trace::record_round(&mut self.world, &self.run));
        }
        self.finish();
        trace.outcome = self.scenario.outcomes[self.result.outcome].name.clone();
        let label = self.scenario.equilibrium_label(self.result.equilibrium);
        trace.equilibrium = match self.result.equilibrium {
            EquilibriumClass::PureNash { .. } => format!("pure Nash equilibrium {label}"),
            EquilibriumClass::MixedNash { .. } => format!("{label} Nash equilibrium"),
            EquilibriumClass::NotAnEquilibrium => label,
        };
        trace.payoffs = self.result.payoffs.clone();
        (self.result.clone(), trace)
    }

    fn reset(&mut self, master: u64, index: u64) {
        let key = seed::run_key(master, index);
        let s = &*self.scenario;
        let dims = &self.run.model.dims;
        for (
            agent,
            mut ty,
            mut beliefs,
            mut perception,
            mut forecasts,
            mut payoff,
            mut rng,
            mut emp,
            mut est,
            mut rule,
        ) in self.agents.iter_mut(&mut self.world)
        {
            let i = agent.index;
            let mut r = ChaCha8Rng::from_seed(key);
            r.set_stream(seed::agent_stream(i));
            ty.0 = model::draw_type(&s.agents[i], r.random());
            self.run.types.0[i] = ty.0;
            // The rule of the agent's true type.
            *rule = s.agents[i].types[ty.0].rule;
            emp.counts.fill(0.0);
            // The state starts public: estimates start at the initial values, exactly.
            for (k, intel) in s.agents[i].state_intel.iter().enumerate() {
                est.mean[k] = s.state[intel.var].initial;
                est.var[k] = 0.0;
                est.reading[k] = s.state[intel.var].initial;
            }
            if let DecisionRule::FictitiousPlay {
                prior_weight,
                prior,
                ..
            } = *rule
            {
                // Prior pseudo-counts about each other agent, in agent order (a random
                // prior draws one number per action from the agent's stream).
                for (j, aj) in s.agents.iter().enumerate().filter(|(j, _)| *j != i) {
                    let (off, n) = (dims.action_offset[j], aj.actions.len());
                    let c = &mut emp.counts[off..off + n];
                    match (prior, aj.status_quo) {
                        (FictitiousPrior::Random, _) => model::random_simplex(c, || r.random()),
                        (FictitiousPrior::StatusQuo, Some(a)) => c[a] = 1.0,
                        _ => c.fill(1.0 / n as f64),
                    }
                    c.iter_mut().for_each(|x| *x *= prior_weight);
                }
            }
            rng.0 = r;
            for (j, aj) in s.agents.iter().enumerate() {
                for (t, spec) in aj.types.iter().enumerate() {
                    beliefs.probs[dims.type_offset[j] + t] = spec.prior;
                }
            }
            perception.marginals.fill(0.0);
            perception.signals.fill(0);
            perception.points.fill(None);
            forecasts.probs.fill(0.0);
            payoff.0 = 0.0;
        }
        let mut world_rng = ChaCha8Rng::from_seed(key);
        world_rng.set_stream(seed::WORLD_STREAM);
        let run = &mut self.run;
        run.rng.0 = world_rng;
        let frame = &mut run.world.frame;
        frame.fill(0.0);
        for (k, v) in s.state.iter().enumerate() {
            frame[k] = v.initial;
        }
        frame[s.layout.round] = 1.0;
        for (i, a) in s.agents.iter().enumerate() {
            let off = s.layout.values[i];
            frame[off..off + a.value_names.len()].copy_from_slice(&a.types[run.types.0[i]].values);
        }
        run.round.0 = 1;
        run.status.outcome = None;
        run.history.recorded = 0;
    }

    /// Terminal payoffs, final state and the equilibrium class of the settled play.
    fn finish(&mut self) {
        let s = &*self.scenario;
        let run = &self.run;
        let outcome = run.status.outcome.expect("run ended");
        let frame = &run.world.frame;
        self.result.outcome = outcome;
        self.result.rounds = run.round.0;
        self.result
            .final_state
            .copy_from_slice(&frame[..s.state.len()]);
        for (agent, ty, utilities, payoff, beliefs, choice) in self.finals.iter(&self.world) {
            let i = agent.index;
            let end = &mut self.analyzer.agents[i];
            end.values.copy_from_slice(&utilities.values);
            end.beliefs.copy_from_slice(&beliefs.probs);
            end.expected.copy_from_slice(&choice.expected);
            end.policy.copy_from_slice(&choice.policy);
            let spec = &s.agents[i];
            let n = spec.terms.len();
            self.values[i].copy_from_slice(&utilities.values[ty.0 * n..(ty.0 + 1) * n]);
            self.result.payoffs[i] = payoff.0 + spec.payoffs[ty.0][outcome].eval(frame);
        }
        let d = &run.model.dims;
        let history = &run.history;
        let last = &run.profile.current;
        let mask = run.avail.mask();
        self.result.equilibrium = self.classifier.classify(
            s,
            d,
            &self.values,
            &run.types.0,
            last,
            &history.profiles,
            history.recorded,
            &mut self.result.play,
            mask,
        );
        self.result.analysis = self.analyzer.analyse(
            s,
            d,
            &run.types.0,
            last,
            &self.result.play,
            mask,
            self.classifier.full_stage_game(),
        );
    }
}

/// Spawns one entity per agent, in agent order, with zeroed scratch sized for `s`.
fn spawn_agents(world: &mut World, s: &CompiledScenario, dims: &Dims) {
    for (i, a) in s.agents.iter().enumerate() {
        world.spawn((
            Agent { index: i },
            PrivateType(0),
            Beliefs {
                probs: vec![0.0; dims.types],
            },
            Perception {
                marginals: vec![0.0; dims.actions],
                signals: vec![0; s.agents.len()],
                points: vec![None; s.agents.len()],
            },
            Forecasts {
                probs: vec![0.0; dims.forecasts],
            },
            Utilities {
                values: vec![0.0; a.types.len() * a.terms.len()],
            },
            a.rule,
            Choice {
                expected: vec![0.0; a.actions.len()],
                policy: vec![0.0; a.actions.len()],
                action: 0,
            },
            AgentRng(ChaCha8Rng::from_seed([0; 32])),
            Payoff(0.0),
            Empirical {
                counts: vec![0.0; dims.actions],
            },
            StateEstimate {
                mean: vec![0.0; a.state_intel.len()],
                var: vec![0.0; a.state_intel.len()],
                reading: vec![0.0; a.state_intel.len()],
                frame: Vec::with_capacity(s.layout.len),
                values: if a.state_intel.is_empty() {
                    Vec::new()
                } else {
                    vec![0.0; dims.values]
                },
            },
        ));
    }
}
