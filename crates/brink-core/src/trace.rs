//! Round-by-round traces of a run, for `brink replay`.

use std::fmt;

use bevy_ecs::prelude::*;
use serde::Serialize;

use crate::engine::{
    Agent, Beliefs, Choice, Empirical, Payoff, Perception, RunState, StateEstimate,
};
use crate::model::{self, Dims};
use crate::rules::DecisionRule;
use crate::scenario::{AgentSpec, CompiledScenario};

/// A name and a number.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Named {
    /// Name.
    pub name: String,
    /// Value.
    pub value: f64,
}

/// One agent's beliefs about another agent's type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BeliefAbout {
    /// The other agent.
    pub about: String,
    /// Probability of each of its types.
    pub types: Vec<Named>,
}

/// An agent's estimate of a state variable after this round's reading.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The variable.
    pub variable: String,
    /// This round's reading.
    pub reading: f64,
    /// Mean of the estimate (what the agent decides on).
    pub mean: f64,
    /// Its standard deviation.
    pub sd: f64,
}

/// What one agent saw, believed and did in one round.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentRound {
    /// Agent name.
    pub agent: String,
    /// Intelligence on the others' previous actions (empty in round 1).
    pub observed: Vec<(String, String)>,
    /// Beliefs after this round's update (about agents with more than one type).
    pub beliefs: Vec<BeliefAbout>,
    /// A fictitious player's beliefs about each other agent's play (the empirical
    /// frequencies it responded to this round); empty for other rules.
    pub expects: Vec<BeliefAbout>,
    /// Estimates of the state variables the agent has intelligence on.
    pub estimates: Vec<Estimate>,
    /// Expected utility of each action.
    pub expected_utility: Vec<Named>,
    /// Probability of each action under the decision rule.
    pub policy: Vec<Named>,
    /// The action played.
    pub action: String,
    /// Payoff accumulated up to and including this round.
    pub payoff: f64,
}

/// One round.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoundTrace {
    /// Round number, from 1.
    pub round: u32,
    /// Per agent, in scenario order.
    pub agents: Vec<AgentRound>,
    /// World state after the round.
    pub state: Vec<Named>,
    /// The outcome, if the run ended in this round.
    pub outcome: Option<String>,
}

/// A whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// Scenario name.
    pub scenario: String,
    /// Master seed (a string in JSON: JavaScript and R round numbers above 2^53).
    #[serde(serialize_with = "seed_string")]
    pub seed: u64,
    /// Run index.
    pub run: u64,
    /// Each agent's true type in this run.
    pub types: Vec<String>,
    /// Agent names.
    pub agent_names: Vec<String>,
    /// Rounds.
    pub rounds: Vec<RoundTrace>,
    /// Final outcome.
    pub outcome: String,
    /// Equilibrium class of the settled play.
    pub equilibrium: String,
    /// Final payoffs (including terminal payoffs).
    pub payoffs: Vec<f64>,
}

impl Trace {
    pub(crate) fn new(s: &CompiledScenario, seed: u64, run: u64) -> Self {
        Trace {
            scenario: s.name.clone(),
            seed,
            run,
            types: Vec::new(),
            agent_names: s.agents.iter().map(|a| a.name.clone()).collect(),
            rounds: Vec::new(),
            outcome: String::new(),
            equilibrium: String::new(),
            payoffs: Vec::new(),
        }
    }
}

fn named(names: &[String], values: &[f64]) -> Vec<Named> {
    names
        .iter()
        .zip(values)
        .map(|(n, &v)| Named {
            name: n.clone(),
            value: v,
        })
        .collect()
}

/// Reads the round just played from the world.
pub(crate) fn record_round(world: &mut World, run: &RunState) -> RoundTrace {
    let (s, d) = (&*run.model.scenario, &run.model.dims);
    let outcome = run.status.outcome;
    let round = run.round.0 - u32::from(outcome.is_none());
    let frame = &run.world.frame;
    let profile = &run.profile.current;
    let mut agents: Vec<Option<AgentRound>> = vec![None; s.agents.len()];
    let mut q = world.query::<(
        &Agent,
        &Beliefs,
        &Perception,
        &Empirical,
        &StateEstimate,
        &Choice,
        &Payoff,
        &DecisionRule,
    )>();
    let mut freq = vec![0.0; d.actions];
    for (agent, beliefs, perception, empirical, estimate, choice, payoff, rule) in q.iter(world) {
        let i = agent.index;
        let spec = &s.agents[i];
        agents[i] = Some(AgentRound {
            agent: spec.name.clone(),
            observed: observed_actions(s, i, perception, round),
            beliefs: type_beliefs(s, d, i, beliefs),
            expects: action_expectations(s, d, i, rule, empirical, perception, &mut freq),
            estimates: state_estimates(s, i, estimate),
            expected_utility: named(&spec.actions, &choice.expected),
            policy: named(&spec.actions, &choice.policy),
            action: spec.actions[profile[i]].clone(),
            payoff: payoff.0,
        });
    }
    let state_names: Vec<String> = s.state.iter().map(|v| v.name.clone()).collect();
    RoundTrace {
        round,
        agents: agents.into_iter().flatten().collect(),
        state: named(&state_names, &frame[..s.state.len()]),
        outcome: outcome.map(|o| s.outcomes[o].name.clone()),
    }
}

/// The agents other than `i`, with their indices.
fn others(s: &CompiledScenario, i: usize) -> impl Iterator<Item = (usize, &AgentSpec)> + Clone {
    s.agents.iter().enumerate().filter(move |(j, _)| *j != i)
}

/// What agent `i` saw the others do last round (nothing in round 1).
fn observed_actions(
    s: &CompiledScenario,
    i: usize,
    perception: &Perception,
    round: u32,
) -> Vec<(String, String)> {
    if round == 1 {
        return Vec::new();
    }
    others(s, i)
        .map(|(j, aj)| (aj.name.clone(), aj.actions[perception.signals[j]].clone()))
        .collect()
}

/// Agent `i`'s beliefs about the types of the others that have more than one.
fn type_beliefs(s: &CompiledScenario, d: &Dims, i: usize, beliefs: &Beliefs) -> Vec<BeliefAbout> {
    others(s, i)
        .filter(|(_, aj)| aj.types.len() > 1)
        .map(|(j, aj)| BeliefAbout {
            about: aj.name.clone(),
            types: aj
                .types
                .iter()
                .enumerate()
                .map(|(t, ty)| Named {
                    name: ty.name.clone(),
                    value: beliefs.probs[d.type_offset[j] + t],
                })
                .collect(),
        })
        .collect()
}

/// A fictitious player's expected action frequencies of the others (nothing
/// for other rules); `freq` is scratch space of `d.actions` entries.
fn action_expectations(
    s: &CompiledScenario,
    d: &Dims,
    i: usize,
    rule: &DecisionRule,
    empirical: &Empirical,
    perception: &Perception,
    freq: &mut [f64],
) -> Vec<BeliefAbout> {
    if !matches!(rule, DecisionRule::FictitiousPlay { .. }) {
        return Vec::new();
    }
    model::empirical_beliefs(s, d, &empirical.counts, &perception.marginals, freq);
    others(s, i)
        .map(|(j, aj)| BeliefAbout {
            about: aj.name.clone(),
            types: named(&aj.actions, &freq[d.action_offset[j]..]),
        })
        .collect()
}

/// Agent `i`'s readings and estimates of the state variables it watches.
fn state_estimates(s: &CompiledScenario, i: usize, estimate: &StateEstimate) -> Vec<Estimate> {
    s.agents[i]
        .state_intel
        .iter()
        .enumerate()
        .map(|(k, intel)| Estimate {
            variable: s.state[intel.var].name.clone(),
            reading: estimate.reading[k],
            mean: estimate.mean[k],
            sd: estimate.var[k].sqrt(),
        })
        .collect()
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} — seed {}, run {}",
            self.scenario, self.seed, self.run
        )?;
        let types: Vec<String> = self
            .agent_names
            .iter()
            .zip(&self.types)
            .map(|(a, t)| format!("{a}={t}"))
            .collect();
        writeln!(f, "true types: {}", types.join(", "))?;
        let width = self.agent_names.iter().map(|n| n.len()).max().unwrap_or(0);
        for r in &self.rounds {
            writeln!(f, "\nround {}", r.round)?;
            for a in &r.agents {
                write_agent_round(f, a, width)?;
            }
            let st: Vec<String> = r
                .state
                .iter()
                .map(|v| format!("{} {:.4}", v.name, v.value))
                .collect();
            writeln!(f, "  state: {}", st.join(", "))?;
            if let Some(o) = &r.outcome {
                writeln!(f, "  → outcome: {o}")?;
            }
        }
        writeln!(
            f,
            "\noutcome: {} after {} rounds",
            self.outcome,
            self.rounds.len()
        )?;
        writeln!(f, "settled play: {}", self.equilibrium)?;
        let pays: Vec<String> = self
            .agent_names
            .iter()
            .zip(&self.payoffs)
            .map(|(a, p)| format!("{a} {p:.4}"))
            .collect();
        writeln!(f, "payoffs: {}", pays.join(", "))
    }
}

/// `name 0.123, name 0.456`: a distribution over types or actions.
fn probabilities(types: &[Named]) -> String {
    let ps: Vec<String> = types
        .iter()
        .map(|t| format!("{} {:.3}", t.name, t.value))
        .collect();
    ps.join(", ")
}

/// One agent's lines of a round: its play, what it saw, read, expects and
/// believes (names padded to `width`).
fn write_agent_round(f: &mut fmt::Formatter<'_>, a: &AgentRound, width: usize) -> fmt::Result {
    let choices: Vec<String> = a
        .expected_utility
        .iter()
        .zip(&a.policy)
        .map(|(eu, p)| {
            if eu.value == f64::NEG_INFINITY && p.value == 0.0 {
                format!("{} unavailable", eu.name)
            } else {
                format!("{} {:.3} (p={:.3})", eu.name, eu.value, p.value)
            }
        })
        .collect();
    writeln!(
        f,
        "  {:width$}  plays {:<14} EU: {}",
        a.agent,
        a.action,
        choices.join(", ")
    )?;
    if !a.observed.is_empty() {
        let seen: Vec<String> = a
            .observed
            .iter()
            .map(|(who, act)| format!("{who} {act}"))
            .collect();
        writeln!(f, "  {:width$}  saw: {}", "", seen.join(", "))?;
    }
    for e in &a.estimates {
        writeln!(
            f,
            "  {:width$}  reads {} {:.4} → estimate {:.4} (sd {:.4})",
            "", e.variable, e.reading, e.mean, e.sd
        )?;
    }
    for b in &a.expects {
        writeln!(
            f,
            "  {:width$}  expects {}: {}",
            "",
            b.about,
            probabilities(&b.types)
        )?;
    }
    for b in &a.beliefs {
        writeln!(
            f,
            "  {:width$}  believes {}: {}",
            "",
            b.about,
            probabilities(&b.types)
        )?;
    }
    Ok(())
}

/// Writes a 64-bit seed as a decimal string.
fn seed_string<S: serde::Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(seed)
}
