//! One run, checked against answers computed by hand.

use std::sync::Arc;

use brink_core::scenario::from_str;
use brink_core::{CompiledScenario, Engine, EquilibriumClass};

fn compile(src: &str) -> Arc<CompiledScenario> {
    Arc::new(from_str(src, "test.toml", &[]).unwrap_or_else(|e| panic!("{e}")))
}

fn load(name: &str) -> Arc<CompiledScenario> {
    let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    Arc::new(brink_core::scenario::load(path.as_ref(), &[]).unwrap_or_else(|e| panic!("{e}")))
}

/// A counter that grows by 1 a round and ends the run when it reaches 3.
const COUNTER: &str = r#"
[scenario]
name = "counter"
horizon = 10

[state]
x = { initial = 0, min = 0, max = 100 }

[[agents]]
name = "solo"
actions = ["push", "rest"]
decision = { rule = "best_response" }
  [[agents.utility]]
  when = { solo = "push" }
  value = "2 + x"
  [[agents.utility]]
  when = { solo = "rest" }
  value = "1"

[[effects]]
when = "solo.push"
add = { x = "1" }

[[outcomes]]
name = "reached"
when = "x >= 3"
[[outcomes]]
name = "timeout"
at_horizon = true
"#;

#[test]
fn deterministic_run_matches_hand_computation() {
    let mut engine = Engine::new(compile(COUNTER));
    let r = engine.run(1, 0).clone();
    // push is strictly best every round: x = 1, 2, 3 -> ends after round 3.
    assert_eq!(r.rounds, 3);
    assert_eq!(r.outcome, 0);
    assert_eq!(r.final_state, vec![3.0]);
    // Utility of push is 2 + x at the start of each round: 2 + 3 + 4.
    assert_eq!(r.payoffs, vec![9.0]);
    // One player, "push" is the strict best response: a pure equilibrium (profile 0).
    assert_eq!(r.equilibrium, EquilibriumClass::PureNash { profile: 0 });
}

#[test]
fn horizon_ends_the_run_in_the_catch_all_outcome() {
    let src = COUNTER.replace("value = \"1\"", "value = \"100\"");
    let mut engine = Engine::new(compile(&src));
    let r = engine.run(1, 0).clone();
    assert_eq!(r.rounds, 10);
    assert_eq!(r.outcome, 1);
    assert_eq!(r.final_state, vec![0.0]);
    assert_eq!(r.payoffs, vec![1000.0]);
}

#[test]
fn round_one_forecasts_are_best_responses_to_a_uniform_guess() {
    // Prisoner's dilemma without a status quo. Row forecasts column's play as column's
    // best response to a uniform guess: EU_col(cooperate) = (3 + 0)/2 = 1.5 <
    // EU_col(defect) = (5 + 1)/2 = 3, so column defects, and row's expected utilities
    // are (sucker, punishment) = (0, 1).
    let mut engine = Engine::new(load("prisoners_dilemma"));
    let (_, trace) = engine.run_traced(5, 3);
    for agent in &trace.rounds[0].agents {
        assert_eq!(
            (
                agent.expected_utility[0].value,
                agent.expected_utility[1].value
            ),
            (0.0, 1.0)
        );
        assert_eq!((agent.policy[0].value, agent.policy[1].value), (0.0, 1.0));
        assert_eq!(agent.action, "defect");
    }
    // Per-round payoff P = 1 for 20 rounds.
    assert_eq!(trace.payoffs, vec![20.0, 20.0]);
}

#[test]
fn logit_choice_probabilities_match_the_closed_form() {
    // Stag hunt, lambda = 2, no status quo. Column's forecast of row: row's EU against
    // a uniform column is stag 4/2 = 2, hare 3, so P_row(stag) = 1/(1 + e^{2}).
    // Column's EU: stag = 4 * P_row(stag), hare = 3, and its logit probability of stag
    // is 1/(1 + e^{2 (3 - 4 p)}).
    let mut engine = Engine::new(load("stag_hunt"));
    let (_, trace) = engine.run_traced(1, 0);
    let p = 1.0 / (1.0 + libm::exp(2.0));
    let col = &trace.rounds[0].agents[1];
    assert!((col.expected_utility[0].value - 4.0 * p).abs() < 1e-12);
    assert_eq!(col.expected_utility[1].value, 3.0);
    let want = 1.0 / (1.0 + libm::exp(2.0 * (3.0 - 4.0 * p)));
    assert!(
        (col.policy[0].value - want).abs() < 1e-12,
        "{} vs {want}",
        col.policy[0].value
    );
}

/// An observer learns a target's type from a noisy signal of its action.
const SIGNAL: &str = r#"
[scenario]
name = "signal"
horizon = 3

[parameters]
accuracy = 0.8

[[agents]]
name = "watcher"
actions = ["wait"]
decision = { rule = "best_response" }
intel = { target = "accuracy" }

[[agents]]
name = "target"
actions = ["a", "b"]
decision = { rule = "best_response" }
  [[agents.types]]
  name = "likes_a"
  prior = 0.5
  values = { bias = 1 }
  [[agents.types]]
  name = "likes_b"
  prior = 0.5
  values = { bias = -1 }
  [[agents.utility]]
  when = { target = "a" }
  value = "self.bias"

[[outcomes]]
name = "done"
at_horizon = true
"#;

#[test]
fn beliefs_follow_bayes_rule_on_noisy_signals() {
    // Each type has a dominant action, so the watcher's forecast puts probability 1
    // on it. After a signal s with accuracy 0.8 and prior 1/2, the posterior of the
    // type whose action is s is 0.8*0.5 / (0.8*0.5 + 0.2*0.5) = 0.8; after two
    // agreeing signals 0.8^2 / (0.8^2 + 0.2^2) = 16/17; after two disagreeing, 1/2.
    let scenario = compile(SIGNAL);
    let mut engine = Engine::new(scenario);
    let mut seen_types = [false; 2];
    for run in 0..200 {
        let (_, trace) = engine.run_traced(11, run);
        let truth = if trace.types[1] == "likes_a" { 0 } else { 1 };
        seen_types[truth] = true;
        let mut log_odds = 0i32; // in units of ln 4: +1 per signal pointing to likes_a
        for (k, round) in trace.rounds.iter().enumerate() {
            let w = &round.agents[0];
            let belief_a = w.beliefs[0].types[0].value;
            let expected =
                libm::pow(4.0, f64::from(log_odds)) / (1.0 + libm::pow(4.0, f64::from(log_odds)));
            assert!(
                (belief_a - expected).abs() < 1e-12,
                "run {run} round {}: {belief_a} vs {expected}",
                k + 1
            );
            if k + 1 < trace.rounds.len() {
                // The signal about this round is seen at the start of the next one.
                let signal = &trace.rounds[k + 1].agents[0].observed[0].1;
                log_odds += if signal == "a" { 1 } else { -1 };
            }
        }
    }
    assert_eq!(
        seen_types,
        [true, true],
        "both types should occur in 200 runs"
    );
}

#[test]
fn prisoners_dilemma_best_responders_always_defect() {
    let scenario = load("prisoners_dilemma");
    let mut engine = Engine::new(scenario.clone());
    let dd = scenario.profile_index(&[1, 1]);
    for run in 0..500 {
        let r = engine.run(3, run);
        assert_eq!(scenario.outcomes[r.outcome].name, "mutual_defection");
        assert_eq!(r.equilibrium, EquilibriumClass::PureNash { profile: dd });
    }
}

#[test]
fn matching_pennies_never_settles_in_a_pure_equilibrium() {
    let scenario = load("matching_pennies");
    let mut engine = Engine::new(scenario);
    let mut outcomes = [0u32; 2];
    for run in 0..500 {
        let r = engine.run(9, run);
        assert_eq!(r.equilibrium, EquilibriumClass::NotAnEquilibrium);
        outcomes[r.outcome] += 1;
    }
    // Random first moves make both last-round outcomes occur.
    assert!(outcomes.iter().all(|&c| c > 100), "{outcomes:?}");
}

#[test]
fn coordination_games_settle_only_in_their_pure_equilibria_or_nowhere() {
    // Stag hunt: pure NE are (stag, stag) and (hare, hare); battle of the sexes:
    // (opera, opera) and (football, football). Any other settled profile must be
    // classed as not an equilibrium.
    for (name, equilibria) in [
        ("stag_hunt", [[0, 0], [1, 1]]),
        ("battle_of_the_sexes", [[0, 0], [1, 1]]),
    ] {
        let scenario = load(name);
        let allowed: Vec<u64> = equilibria
            .iter()
            .map(|p| scenario.profile_index(p))
            .collect();
        let mut engine = Engine::new(scenario.clone());
        for run in 0..300 {
            let r = engine.run(4, run);
            if let EquilibriumClass::PureNash { profile } = r.equilibrium {
                assert!(
                    allowed.contains(&profile),
                    "{name}: {}",
                    scenario.profile_label(profile)
                );
            }
        }
    }
}

#[test]
fn runs_do_not_depend_on_what_the_engine_played_before() {
    let scenario = load("iran_plan_b");
    let mut reused = Engine::new(scenario.clone());
    let sequence: Vec<_> = (0..50).map(|i| reused.run(77, i).clone()).collect();
    // Replaying in reverse order, each with a fresh engine, gives the same results.
    for i in (0..50).rev() {
        let mut fresh = Engine::new(scenario.clone());
        // Compared through Debug: unused analysis fields are NaN, which `==` never equals.
        assert_eq!(
            format!("{:?}", fresh.run(77, i)),
            format!("{:?}", sequence[i as usize]),
            "run {i}"
        );
    }
}
