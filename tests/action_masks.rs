//! Action masks (`available`, docs/SCENARIO.md §6.8), checked against answers derived
//! by hand: sequential moves inside the simultaneous-round engine, masked forecasts,
//! the `-inf` / probability-0 contract, and classification over available actions.

use std::sync::Arc;

use brink_core::scenario::from_str;
use brink_core::{CompiledScenario, Engine, EquilibriumClass, QreClass, Trace};

fn compile(src: &str, overrides: &[(&str, f64)]) -> Arc<CompiledScenario> {
    let o: Vec<(String, f64)> = overrides.iter().map(|(k, v)| ((*k).into(), *v)).collect();
    Arc::new(from_str(src, "test.toml", &o).unwrap_or_else(|e| panic!("{e}")))
}

/// An ultimatum played in two moves. The proposer can offer only in odd rounds, the
/// responder can answer only in even rounds; each can otherwise only wait. The offer
/// is remembered in the state (`offer`), so the responder answers last round's offer.
///
/// Hand derivation (best response, everything deterministic):
/// - Round 1: the proposer's `fair` pays 0.5, `greedy` 0.9, `pass` 0 — unless the
///   responder rejects this very round (`greedy` then costs 2). The responder cannot
///   reject in round 1 (masked), so the proposer forecasts `wait` with probability 1
///   and EU(greedy) = 0.9 exactly: it offers greedily (`offer` becomes 0.1). Without
///   the mask, the responder (reject 0.15 > wait 0 > accept 0 at offer 0) would be
///   forecast to reject and the proposer would offer fairly. The responder can only
///   wait: EU(accept) = EU(reject) = -inf, P = 0.
/// - Round 2: the proposer can only pass. The responder compares accept = offer =
///   0.1, reject = `spite` = 0.15 and wait = 0: it rejects. The run ends in
///   `breakdown` after 2 rounds with payoffs 0.9 + 0 and 0 + 0.15.
/// - With `spite` = 0.05 it accepts instead: `deal`, payoffs 0.9 and 0.1.
/// - Classification: in round 2's stage game over all actions, (pass, reject) is not
///   an equilibrium (the proposer would deviate to `fair`, 0.5 > 0); restricted to
///   round 2's available actions (the proposer can only pass) it is one.
const ULTIMATUM: &str = r#"
[scenario]
name = "two_move_ultimatum"
horizon = 4

[parameters]
spite = 0.15

[state]
offer = { initial = 0, min = 0, max = 1 }

[[agents]]
name = "proposer"
actions = ["fair", "greedy", "pass"]
status_quo = "pass"
decision = { rule = "best_response" }
available = { fair = "floor(round / 2) * 2 != round", greedy = "floor(round / 2) * 2 != round" }
  [[agents.utility]]
  when = { proposer = "fair" }
  value = 0.5
  [[agents.utility]]
  when = { proposer = "greedy" }
  value = 0.9
  [[agents.utility]]
  when = { proposer = "greedy", responder = "reject" }
  value = -2

[[agents]]
name = "responder"
actions = ["accept", "reject", "wait"]
status_quo = "wait"
decision = { rule = "best_response" }
available = { accept = "floor(round / 2) * 2 == round", reject = "floor(round / 2) * 2 == round" }
  [[agents.utility]]
  when = { responder = "accept" }
  value = "offer"
  [[agents.utility]]
  when = { responder = "reject" }
  value = "spite"

[[effects]]
when = "proposer.fair"
set = { offer = 0.5 }
[[effects]]
when = "proposer.greedy"
set = { offer = 0.1 }

[[outcomes]]
name = "deal"
when = "responder.accept"
[[outcomes]]
name = "breakdown"
when = "responder.reject"
[[outcomes]]
name = "nothing"
at_horizon = true
"#;

fn eu(trace: &Trace, round: usize, agent: usize) -> Vec<f64> {
    let a = &trace.rounds[round - 1].agents[agent];
    a.expected_utility.iter().map(|n| n.value).collect()
}

fn policy(trace: &Trace, round: usize, agent: usize) -> Vec<f64> {
    let a = &trace.rounds[round - 1].agents[agent];
    a.policy.iter().map(|n| n.value).collect()
}

#[test]
fn responder_moves_only_in_even_rounds() {
    let s = compile(ULTIMATUM, &[]);
    let mut engine = Engine::new(s.clone());
    let (r, trace) = engine.run_traced(7, 0);
    let ninf = f64::NEG_INFINITY;
    // Round 1: the proposer forecasts a waiting responder: EU(greedy) is 0.9 exactly.
    assert_eq!(eu(&trace, 1, 0), vec![0.5, 0.9, 0.0]);
    assert_eq!(policy(&trace, 1, 0), vec![0.0, 1.0, 0.0]);
    assert_eq!(eu(&trace, 1, 1), vec![ninf, ninf, 0.0]);
    assert_eq!(policy(&trace, 1, 1), vec![0.0, 0.0, 1.0]);
    // Round 2: the proposer can only pass; the responder answers the greedy offer.
    assert_eq!(eu(&trace, 2, 0), vec![ninf, ninf, 0.0]);
    assert_eq!(policy(&trace, 2, 0), vec![0.0, 0.0, 1.0]);
    assert_eq!(eu(&trace, 2, 1), vec![0.1, 0.15, 0.0]);
    assert_eq!(policy(&trace, 2, 1), vec![0.0, 1.0, 0.0]);
    assert_eq!(s.outcomes[r.outcome].name, "breakdown");
    assert_eq!(r.rounds, 2);
    assert_eq!(r.payoffs, vec![0.9, 0.15]);
    // (pass, reject) is an equilibrium of round 2's game over available actions only.
    assert_eq!(
        r.equilibrium,
        EquilibriumClass::PureNash {
            profile: s.profile_index(&[2, 1])
        }
    );
    // Less spite: the responder accepts the greedy offer.
    let s = compile(ULTIMATUM, &[("spite", 0.05)]);
    let r = Engine::new(s.clone()).run(7, 0).clone();
    assert_eq!(s.outcomes[r.outcome].name, "deal");
    assert_eq!(r.payoffs, vec![0.9, 0.1]);
}

#[test]
fn the_analysis_stage_game_is_over_the_last_rounds_available_actions() {
    // The run ends in round 2 with (pass, reject). Over all actions the proposer
    // would gain 0.5 by deviating to `fair` (0.5 > 0), but `fair` is unavailable in
    // round 2 (a stage game over all actions gives regret 0.5): over the available
    // actions (the proposer can only pass; the
    // responder's reject 0.15 beats accept 0.1 and wait 0) the regret is exactly 0.
    let s = compile(ULTIMATUM, &[]);
    let r = Engine::new(s.clone()).run(7, 0).clone();
    assert_eq!(r.rounds, 2);
    assert_eq!(r.analysis.regret_true, 0.0);
    assert_eq!(r.analysis.regret_interim, 0.0);
    assert_eq!(r.analysis.deliberate, 0b11);
}

#[test]
fn the_qre_is_over_the_available_actions() {
    // Logit at lambda = 0: every run ends in an even round (only the responder's
    // accept/reject, open in even rounds, ends it; the horizon is 4), where the
    // proposer can only pass and the responder plays uniformly over its three
    // actions. The QRE of that round's game over the available actions is exactly
    // that play ({pass} for the proposer, uniform for the responder): distance 0.
    // Over all actions it would be uniform for the proposer too (distance 2/3).
    let src = ULTIMATUM.replace(
        "decision = { rule = \"best_response\" }",
        "decision = { rule = \"logit\", lambda = 0 }",
    );
    let s = compile(&src, &[]);
    assert!(s.classification.concepts.qre);
    let mut engine = Engine::new(s.clone());
    for run in 0..40 {
        let r = engine.run(5, run).clone();
        assert_eq!(r.rounds % 2, 0, "run {run}");
        assert_eq!(r.analysis.qre, Some(QreClass::Qre), "run {run}");
        assert!(r.analysis.qre_distance < 1e-9, "run {run}");
    }
}

#[test]
fn without_the_masks_the_same_game_plays_differently() {
    // Dropping the masks changes round 1 as derived above: the responder (reject 0.15
    // is best at offer 0) rejects at once, and the proposer, forecasting it, offers
    // fairly (0.5 > 0.9 − 2).
    let unmasked: String = ULTIMATUM
        .lines()
        .filter(|l| !l.starts_with("available"))
        .collect::<Vec<_>>()
        .join("\n");
    let s = compile(&unmasked, &[]);
    let (r, trace) = Engine::new(s.clone()).run_traced(7, 0);
    assert_eq!(policy(&trace, 1, 0), vec![1.0, 0.0, 0.0]);
    assert_eq!(s.outcomes[r.outcome].name, "breakdown");
    assert_eq!(r.rounds, 1);
}

#[test]
fn logit_gives_unavailable_actions_probability_zero() {
    // Logit play, even at lambda = 0 (uniform), never picks a masked action.
    for lambda in [0.0, 1.0, 50.0] {
        let src = ULTIMATUM.replace(
            "decision = { rule = \"best_response\" }",
            &format!("decision = {{ rule = \"logit\", lambda = {lambda} }}"),
        );
        let s = compile(&src, &[]);
        let mut engine = Engine::new(s.clone());
        for run in 0..50 {
            let (_, trace) = engine.run_traced(3, run);
            for (k, round) in trace.rounds.iter().enumerate() {
                let odd = (k + 1) % 2 == 1;
                for (agent, a) in round.agents.iter().enumerate() {
                    // proposer: fair, greedy need odd rounds; responder: accept,
                    // reject need even rounds.
                    let open = if agent == 0 { odd } else { !odd };
                    for m in 0..2 {
                        if !open {
                            assert_eq!(a.policy[m].value, 0.0, "lambda {lambda}, run {run}");
                            assert_eq!(a.expected_utility[m].value, f64::NEG_INFINITY);
                        }
                    }
                    if !open {
                        assert_eq!(a.action, if agent == 0 { "pass" } else { "wait" });
                    }
                }
            }
        }
    }
}

#[test]
fn level_k_and_fictitious_models_of_the_others_respect_masks() {
    // Round 1, the proposer reasoning about the responder by another model:
    // - level 2: its level-1 responder answers a uniform level-0 proposer; only `wait`
    //   is available to it, so the proposer faces `wait` and EU(greedy) = 0.9 (without
    //   the mask level 1 would reject, 0.15 > 0, and greedy would be worth 0.9 − 2);
    // - fictitious play with a uniform prior: the prior spreads over the responder's
    //   actions, restricted to the available `wait`: EU(greedy) = 0.9 again (without
    //   the mask 0.9 − 2/3).
    for rule in [
        "{ rule = \"level_k\", level = 2 }",
        "{ rule = \"fictitious_play\" }",
    ] {
        let src = ULTIMATUM.replacen(
            "decision = { rule = \"best_response\" }",
            &format!("decision = {rule}"),
            1,
        );
        let s = compile(&src, &[]);
        let (_, trace) = Engine::new(s).run_traced(7, 0);
        assert_eq!(eu(&trace, 1, 0), vec![0.5, 0.9, 0.0], "{rule}");
        assert_eq!(policy(&trace, 1, 0), vec![0.0, 1.0, 0.0], "{rule}");
    }
}
