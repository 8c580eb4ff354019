//! The scenario model: what a scenario file declares, validated and compiled.
//!
//! [`load`] and [`from_str`] turn TOML into a [`CompiledScenario`]: names resolved to
//! indices, formulas compiled once (parameters folded in as constants), priors and
//! bounds checked. Nothing in a run re-reads the file or re-parses a formula. The
//! format is documented in `docs/SCENARIO.md`.

mod compile;
mod error;
pub mod raw;

use std::path::Path;

use crate::expr::Expr;
use crate::rules::{DecisionRule, Lookahead};
pub use compile::{agent_type_profiles, logit_lambda, on_logit};
pub use error::{OverrideError, ScenarioError};

/// A named parameter after overrides.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Name, usable in formulas.
    pub name: String,
    /// Value in force (the default, or the `--set` override).
    pub value: f64,
    /// Default from the file.
    pub default: f64,
    /// Declared range, if any.
    pub range: Option<(f64, f64)>,
    /// Meaning and source.
    pub doc: Option<String>,
}

/// A world-state variable.
#[derive(Clone, Debug)]
pub struct StateVar {
    /// Name, usable in formulas.
    pub name: String,
    /// Value at the start of every run.
    pub initial: f64,
    /// Lower bound (values are clamped after each round).
    pub min: Option<f64>,
    /// Upper bound.
    pub max: Option<f64>,
    /// Meaning and source.
    pub doc: Option<String>,
}

impl StateVar {
    /// Both bounds, when the variable has them.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        self.min.zip(self.max)
    }

    /// `v` clamped to the variable's bounds. Explicit comparisons: a NaN stays NaN
    /// (visible in the results) instead of being clamped into a plausible-looking
    /// bound.
    pub fn clamp(&self, v: f64) -> f64 {
        match (self.min, self.max) {
            (Some(lo), _) if v < lo => lo,
            (_, Some(hi)) if v > hi => hi,
            _ => v,
        }
    }
}

/// One private type of an agent.
#[derive(Clone, Debug)]
pub struct TypeSpec {
    /// Name.
    pub name: String,
    /// Prior probability (the priors of an agent sum to 1).
    pub prior: f64,
    /// Values of the agent's type constants, in [`AgentSpec::value_names`] order.
    pub values: Vec<f64>,
    /// The type's decision rule (the agent's `decision` unless the type sets its own).
    pub rule: DecisionRule,
    /// The type's lookahead (likewise).
    pub lookahead: Lookahead,
}

/// A condition on one agent's action: it holds when the action is in `mask`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition {
    /// Agent index.
    pub agent: usize,
    /// Bit `a` set when action `a` satisfies the condition.
    pub mask: u64,
}

impl Condition {
    /// Whether action `a` satisfies the condition.
    #[inline]
    pub fn holds(&self, a: usize) -> bool {
        (self.mask >> a) & 1 == 1
    }
}

/// One additive utility term: `value` when every condition holds.
#[derive(Clone, Debug)]
pub struct Term {
    /// Conditions on actions, at most one per agent, sorted by agent.
    pub conditions: Vec<Condition>,
    /// The value formula compiled for each of the owner's types (its `self.*` values
    /// folded in). Reads state variables and `round`.
    pub value_by_type: Vec<Expr>,
    /// Conditions on other agents' types, `(agent, type)`, sorted by agent: empty for
    /// an ordinary term. A term whose formula reads another agent's type values
    /// (`OTHER.VALUE`, interdependent values) is compiled once per combination of the
    /// types of the agents it reads, each copy with those values folded in and
    /// counting only when those agents are of those types (`docs/SCENARIO.md` §6.4.1).
    pub types: Vec<(usize, usize)>,
    /// Whether every type's formula is the same computation (the formula reads no
    /// `self.*` value that differs between the owner's types): it is then evaluated
    /// once per frame for all types.
    pub shared: bool,
}

impl Term {
    /// A term; [`Term::shared`] is worked out from `value_by_type`.
    pub fn new(
        conditions: Vec<Condition>,
        value_by_type: Vec<Expr>,
        types: Vec<(usize, usize)>,
    ) -> Self {
        let shared = value_by_type
            .iter()
            .skip(1)
            .all(|e| e.same_code(&value_by_type[0]));
        Term {
            conditions,
            value_by_type,
            types,
            shared,
        }
    }

    /// Whether the term counts when the agents are of `types` (one per agent).
    #[inline]
    pub fn types_hold(&self, types: &[usize]) -> bool {
        self.types.iter().all(|&(j, t)| types[j] == t)
    }
}

/// An agent as declared.
#[derive(Clone, Debug)]
pub struct AgentSpec {
    /// Name.
    pub name: String,
    /// Human title.
    pub title: Option<String>,
    /// Action names.
    pub actions: Vec<String>,
    /// Action assumed to have been played before round 1 (None: others expect any
    /// action with equal probability).
    pub status_quo: Option<usize>,
    /// Decision rule declared for the agent (each type's rule, possibly its own, is
    /// [`TypeSpec::rule`]).
    pub rule: DecisionRule,
    /// Lookahead declared for the agent (each type's: [`TypeSpec::lookahead`]).
    pub lookahead: Lookahead,
    /// What a level-0 version of this agent plays (probability per action; uniform
    /// unless the scenario says otherwise). Used by level-k and cognitive-hierarchy
    /// reasoners.
    pub level0: Vec<f64>,
    /// Private types.
    pub types: Vec<TypeSpec>,
    /// Names of the type constants (`self.NAME`).
    pub value_names: Vec<String>,
    /// Utility terms.
    pub terms: Vec<Term>,
    /// Whether some term has conditions on other agents' types (reads their type
    /// values): only then do expected utilities and payoffs look at types.
    pub reads_types: bool,
    /// Accuracy of this agent's signal about each agent's action (1 for itself).
    pub intel: Vec<f64>,
    /// Terminal payoff, `[type][outcome]`.
    pub payoffs: Vec<Vec<Expr>>,
    /// The other agents (with more than one type) whose type values some payoff
    /// formula reads from the frame (`OTHER.VALUE`), in agent order; usually empty.
    pub payoff_reads: Vec<usize>,
    /// Noisy readings of world-state variables, in file order.
    pub state_intel: Vec<StateIntel>,
    /// Per action, the condition under which it can be played (None: always); a
    /// true/false formula over parameters, state variables and `round`, evaluated on
    /// the true state at the start of each round. At least one action has None.
    pub available: Vec<Option<Expr>>,
}

/// An agent's intelligence on one world-state variable: each round it reads the
/// variable with Gaussian error and keeps a Gaussian estimate (a Kalman filter for a
/// random walk); its decisions use the estimate's mean in place of the true value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StateIntel {
    /// Index of the state variable.
    pub var: usize,
    /// Standard deviation of a reading's error, > 0.
    pub sd: f64,
    /// Standard deviation of the variable's move per round in the observer's model,
    /// >= 0.
    pub drift: f64,
}

/// An effect of actions on the world state.
#[derive(Clone, Debug)]
pub struct EffectSpec {
    /// Condition, None for every round.
    pub when: Option<Expr>,
    /// `(state index, increment)`.
    pub add: Vec<(usize, Expr)>,
    /// `(state index, new value)`.
    pub set: Vec<(usize, Expr)>,
    /// `(state index, standard deviation)` of Gaussian noise, in state order.
    pub noise: Vec<(usize, f64)>,
}

/// A named outcome and when a run ends in it.
#[derive(Clone, Debug)]
pub struct OutcomeSpec {
    /// Name.
    pub name: String,
    /// Condition; None only for the catch-all at the horizon.
    pub when: Option<Expr>,
    /// Checked only when the horizon is reached.
    pub at_horizon: bool,
}

/// Where each value lives in the frame that formulas read at run time.
///
/// `[state variables | round | action indicators (agent by agent) | type values (agent by agent)]`
#[derive(Clone, Debug)]
pub struct FrameLayout {
    /// Slot of the round number (1-based).
    pub round: usize,
    /// First indicator slot of each agent; indicator of action `a` is at `+ a`.
    pub indicators: Vec<usize>,
    /// First type-value slot of each agent.
    pub values: Vec<usize>,
    /// Total frame length.
    pub len: usize,
}

/// A validated scenario, ready to run.
#[derive(Clone, Debug)]
pub struct CompiledScenario {
    /// Machine name.
    pub name: String,
    /// Human title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The file the scenario came from, as named by the user.
    pub file: String,
    /// Maximum number of rounds.
    pub horizon: u32,
    /// What a round stands for.
    pub round_unit: Option<String>,
    /// Label of round 1.
    pub start: Option<String>,
    /// Parameters, in file order.
    pub parameters: Vec<Parameter>,
    /// World-state variables, in file order.
    pub state: Vec<StateVar>,
    /// Agents, in file order.
    pub agents: Vec<AgentSpec>,
    /// Effects, in file order.
    pub effects: Vec<EffectSpec>,
    /// Outcomes, in file order.
    pub outcomes: Vec<OutcomeSpec>,
    /// Frame layout for formulas.
    pub layout: FrameLayout,
    /// How settled play is classified.
    pub classification: Classification,
}

/// `[equilibrium]`: settled play is the empirical action frequencies of the last
/// `window` rounds, matched to the nearest equilibrium of the last round's stage game
/// within `tolerance`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Classification {
    /// Rounds, >= 1 (1: the last profile played, checked exactly against the pure
    /// equilibria).
    pub window: u32,
    /// Largest max-norm distance between frequencies and an equilibrium's
    /// probabilities, in [0, 1].
    pub tolerance: f64,
    /// The equilibrium concepts runs are classified by (`[equilibrium] concepts`).
    pub concepts: Concepts,
    /// Largest regret (true types) at which settled play is an ε-equilibrium, >= 0.
    pub epsilon: f64,
    /// Largest max-norm distance between choice probabilities and the logit QRE at
    /// which play is classified as the QRE, in [0, 1].
    pub qre_tolerance: f64,
}

impl Default for Classification {
    fn default() -> Self {
        Classification {
            window: 1,
            tolerance: 0.0,
            concepts: Concepts::NASH_ONLY,
            epsilon: 0.0,
            qre_tolerance: DEFAULT_QRE_TOLERANCE,
        }
    }
}

/// Default of `[equilibrium] qre_tolerance`.
pub const DEFAULT_QRE_TOLERANCE: f64 = 0.05;

/// Which equilibrium concepts classify the runs (`docs/SCENARIO.md` §11).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Concepts {
    /// Pure (or, over a window, mixed) Nash equilibria of the stage game, true types.
    pub nash: bool,
    /// Pure Bayesian-Nash equilibria of the stage game in agent-type form.
    pub bayes_nash: bool,
    /// The logit quantal-response equilibrium with each agent's own λ.
    pub qre: bool,
}

impl Concepts {
    /// Only the Nash classes.
    pub const NASH_ONLY: Concepts = Concepts {
        nash: true,
        bayes_nash: false,
        qre: false,
    };
}

/// Stage games larger than this are not classified (checked at load).
pub const MAX_STAGE_PROFILES: u64 = 1_000_000;

impl CompiledScenario {
    /// Whether some utility term or terminal payoff reads another agent's type
    /// values (interdependent values).
    pub fn has_interdependent_values(&self) -> bool {
        self.agents
            .iter()
            .any(|a| !a.payoff_reads.is_empty() || a.terms.iter().any(|t| !t.types.is_empty()))
    }

    /// Whether some action of some agent has an `available` condition.
    pub fn has_masks(&self) -> bool {
        self.agents
            .iter()
            .any(|a| a.available.iter().any(Option::is_some))
    }

    /// Number of action profiles of the stage game.
    pub fn num_profiles(&self) -> u64 {
        self.agents.iter().map(|a| a.actions.len() as u64).product()
    }

    /// Action index of each agent in profile `index` (mixed radix, last agent fastest).
    pub fn profile_actions(&self, mut index: u64) -> Vec<usize> {
        let mut out = vec![0; self.agents.len()];
        for (slot, agent) in out.iter_mut().zip(&self.agents).rev() {
            let n = agent.actions.len() as u64;
            *slot = (index % n) as usize;
            index /= n;
        }
        out
    }

    /// Index of a profile of action indices (mixed radix, last agent fastest).
    pub fn profile_index(&self, actions: &[usize]) -> u64 {
        actions
            .iter()
            .zip(&self.agents)
            .fold(0u64, |acc, (&a, agent)| {
                acc * agent.actions.len() as u64 + a as u64
            })
    }

    /// `"(hold, covert, stall)"`: the action names of a profile, in agent order.
    pub fn profile_label(&self, index: u64) -> String {
        let names: Vec<&str> = self
            .profile_actions(index)
            .iter()
            .zip(&self.agents)
            .map(|(&a, agent)| agent.actions[a].as_str())
            .collect();
        format!("({})", names.join(", "))
    }

    /// Human label of an equilibrium class: `(sanction, covert, stall)`,
    /// `mixed {heads, tails} × {heads, tails}` or `not an equilibrium`.
    pub fn equilibrium_label(&self, class: crate::EquilibriumClass) -> String {
        use crate::EquilibriumClass as C;
        match class {
            C::PureNash { profile } => self.profile_label(profile),
            C::MixedNash { supports } => {
                let sets: Vec<String> = supports
                    .iter()
                    .zip(&self.agents)
                    .map(|(&mask, agent)| {
                        let names: Vec<&str> = agent
                            .actions
                            .iter()
                            .enumerate()
                            .filter(|(a, _)| (mask >> a) & 1 == 1)
                            .map(|(_, n)| n.as_str())
                            .collect();
                        format!("{{{}}}", names.join(", "))
                    })
                    .collect();
                format!("mixed {}", sets.join(" × "))
            }
            C::NotAnEquilibrium => "not an equilibrium".to_owned(),
        }
    }

    /// Label of a Bayesian-Nash class: each agent's action for each of its types
    /// (in declaration order, joined by `/`), agents in order, e.g.
    /// `(hold/sanction, covert/strike, buy_oil)`; or `not a Bayesian-Nash equilibrium`.
    pub fn bayes_nash_label(&self, class: crate::BayesNashClass) -> String {
        let crate::BayesNashClass::Equilibrium { mut profile } = class else {
            return "not a Bayesian-Nash equilibrium".to_owned();
        };
        let mut actions: Vec<Vec<&str>> = self
            .agents
            .iter()
            .map(|a| vec![""; a.types.len()])
            .collect();
        for (agent, acts) in self.agents.iter().zip(actions.iter_mut()).rev() {
            for slot in acts.iter_mut().rev() {
                let n = agent.actions.len() as u64;
                *slot = agent.actions[(profile % n) as usize].as_str();
                profile /= n;
            }
        }
        let parts: Vec<String> = actions.iter().map(|a| a.join("/")).collect();
        format!("({})", parts.join(", "))
    }

    /// Label of a QRE class: `logit QRE (within T)` or `not the logit QRE`.
    pub fn qre_label(&self, class: crate::QreClass) -> String {
        match class {
            crate::QreClass::Qre => {
                format!("logit QRE (within {})", self.classification.qre_tolerance)
            }
            crate::QreClass::NotQre => "not the logit QRE".to_owned(),
        }
    }

    /// Index of a parameter by name.
    pub fn parameter(&self, name: &str) -> Option<usize> {
        self.parameters.iter().position(|p| p.name == name)
    }
}

/// Reads and compiles a scenario file, applying `overrides` (`NAME=VALUE` parameter values).
pub fn load(path: &Path, overrides: &[(String, f64)]) -> Result<CompiledScenario, ScenarioError> {
    let file = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: file.clone(),
        line: None,
        column: None,
        field: None,
        overridden: false,
        message: format!("cannot read the scenario file: {e}"),
    })?;
    from_str(&src, &file, overrides)
}

/// Compiles scenario text; `file` names it in errors.
pub fn from_str(
    src: &str,
    file: &str,
    overrides: &[(String, f64)],
) -> Result<CompiledScenario, ScenarioError> {
    compile::compile(src, file, overrides)
}

/// Parses a `NAME=VALUE` override as given on the command line.
///
/// # Errors
///
/// An [`OverrideError`] when `s` has no `=`, an empty name, or a value that
/// is not a finite number.
pub fn parse_override(s: &str) -> Result<(String, f64), OverrideError> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| OverrideError::MissingEquals(s.to_owned()))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(OverrideError::EmptyName(s.to_owned()));
    }
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| OverrideError::NotANumber {
            input: s.to_owned(),
            value: value.trim().to_owned(),
        })?;
    if !v.is_finite() {
        return Err(OverrideError::NotFinite(s.to_owned()));
    }
    Ok((name.to_owned(), v))
}
