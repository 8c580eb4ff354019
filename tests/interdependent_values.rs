//! Interdependent values (issue 12 §2): a utility reads another agent's type values
//! (`iran.resolve`). Under beliefs (decisions, lookahead) a term is the expectation of
//! the utility over the reader's beliefs about the other's types, jointly with the
//! play each type is forecast to make; under true types (payoffs, classification),
//! the other's true type. Every expected value below is derived by hand; the numbers
//! are dyadic so the engine's sums are exact and compared with `==`.

mod common;
use common::engine;

use std::sync::Arc;

use brink_core::scenario::from_str;
use brink_core::{Engine, EquilibriumClass};

/// `iran` is `soft` (resolve 0.25, prior 3/4) or `hard` (resolve 0.75, prior 1/4);
/// it fights iff `resolve > 1/2`, whatever the US does: soft yields, hard fights.
/// The US (best response) reads `iran.resolve`:
///
/// - `press`: `2 (1 − r) − 1/2` (linear in r), and `−2 r` more if Iran fights
///   (a product with Iran's action);
/// - `deal`: `3 · max(r − 1/2, 0)` (not linear in r);
/// - `wait`: nothing.
fn scenario(horizon: u32, extra_usa: &str) -> String {
    format!(
        r#"[scenario]
name = "interdependent"
horizon = {horizon}

[[agents]]
name = "usa"
actions = ["press", "wait", "deal"]
decision = {{ rule = "best_response"{extra_usa} }}

  [[agents.utility]]
  when = {{ usa = "press" }}
  value = "2 * (1 - iran.resolve) - 0.5"

  [[agents.utility]]
  when = {{ usa = "press", iran = "fight" }}
  value = "-2 * iran.resolve"

  [[agents.utility]]
  when = {{ usa = "deal" }}
  value = "3 * max(iran.resolve - 0.5, 0)"

[[agents]]
name = "iran"
actions = ["fight", "yield"]
decision = {{ rule = "best_response" }}

  [[agents.types]]
  name = "soft"
  prior = 0.75
  values = {{ resolve = 0.25 }}

  [[agents.types]]
  name = "hard"
  prior = 0.25
  values = {{ resolve = 0.75 }}

  [[agents.utility]]
  when = {{ iran = "fight" }}
  value = "self.resolve - 0.5"

[[outcomes]]
name = "end"
at_horizon = true
"#
    )
}

/// The US's expected utilities (press, wait, deal) in each round of run `run`, and
/// Iran's true type and the US's actions.
fn usa_rounds(e: &mut Engine, run: u64) -> (String, Vec<[f64; 3]>, Vec<String>) {
    let (_, trace) = e.run_traced(7, run);
    let mut eus = Vec::new();
    let mut acts = Vec::new();
    for r in &trace.rounds {
        let usa = r.agents.iter().find(|a| a.agent == "usa").expect("usa");
        let eu: Vec<f64> = usa.expected_utility.iter().map(|n| n.value).collect();
        eus.push([eu[0], eu[1], eu[2]]);
        acts.push(usa.action.clone());
    }
    (trace.types[1].clone(), eus, acts)
}

/// Runs until one with Iran of type `ty`.
fn run_of_type(e: &mut Engine, ty: &str) -> (u64, Vec<[f64; 3]>, Vec<String>) {
    for run in 0..200 {
        let (t, eus, acts) = usa_rounds(e, run);
        if t == ty {
            return (run, eus, acts);
        }
    }
    panic!("no run with iran {ty} in 200");
}

#[test]
fn expected_utility_is_the_expectation_over_types() {
    // Round 1, prior beliefs (soft 3/4, hard 1/4); forecasts: soft yields, hard fights.
    //   EU(press) = 3/4 (2·3/4 − 1/2) + 1/4 (2·1/4 − 1/2)      [linear term]
    //             + 1/4 · 1 · (−2 · 3/4)                      [only hard fights]
    //             = 3/4 + 0 − 3/8 = 3/8
    //   EU(wait)  = 0
    //   EU(deal)  = 3 (3/4 · max(−1/4, 0) + 1/4 · max(1/4, 0)) = 3/16
    // Wrong alternatives give other numbers: the utility at the mean resolve 3/8
    // would give EU(deal) = 0; treating Iran's type and action as independent would
    // give the fight term 1/4 · (−2 · 3/8) = −3/16 and EU(press) = 9/16.
    let mut e = engine(&scenario(1, ""));
    for run in 0..20 {
        let (_, eus, acts) = usa_rounds(&mut e, run);
        assert_eq!(eus[0], [0.375, 0.0, 0.1875], "run {run}");
        assert_eq!(acts[0], "press");
    }
}

#[test]
fn bayes_updating_changes_the_choice() {
    // Horizon 2, perfect intelligence. After round 1, Iran's action reveals its type
    // (soft yields, hard fights): the posterior is a point mass.
    //   hard: EU(press) = (2·1/4 − 1/2) − 2·3/4 = −3/2, EU(deal) = 3/4 → deal;
    //   soft: EU(press) = 2·3/4 − 1/2 = 1,   EU(deal) = 0   → press.
    let mut e = engine(&scenario(2, ""));
    let (_, eus, acts) = run_of_type(&mut e, "hard");
    assert_eq!(eus[0], [0.375, 0.0, 0.1875]);
    assert_eq!(eus[1], [-1.5, 0.0, 0.75]);
    assert_eq!(acts, ["press", "deal"]);
    let (_, eus, acts) = run_of_type(&mut e, "soft");
    assert_eq!(eus[1], [1.0, 0.0, 0.0]);
    assert_eq!(acts, ["press", "press"]);
}

#[test]
fn payoffs_and_classification_use_the_true_type() {
    // Horizon 1: the US presses (EU 3/8 under beliefs). Its realised payoff is its
    // utility under Iran's true type: soft (yields) 2·3/4 − 1/2 = 1; hard (fights)
    // 0 − 3/2 = −3/2. Stage game under true types: against soft, press (1) beats
    // wait (0) and deal (0) and soft's yield is its best reply: (press, yield) is a
    // pure Nash equilibrium. Against hard, deal (3/4) beats press (−3/2): not an
    // equilibrium. (Under the beliefs' expectation press would look like a best reply
    // to hard's fight too: 3/8 > 3/16.)
    let text = scenario(1, "");
    let s = Arc::new(from_str(&text, "interdependent.toml", &[]).expect("loads"));
    let mut e = Engine::new(Arc::clone(&s));
    let (mut soft, mut hard) = (0, 0);
    for run in 0..60 {
        let (_, trace) = e.run_traced(7, run);
        let r = e.run(7, run).clone();
        match trace.types[1].as_str() {
            "soft" => {
                soft += 1;
                assert_eq!(r.payoffs[0], 1.0);
                assert!(
                    matches!(r.equilibrium, EquilibriumClass::PureNash { .. }),
                    "{:?}",
                    r.equilibrium
                );
                assert_eq!(s.equilibrium_label(r.equilibrium), "(press, yield)");
                assert_eq!(r.analysis.regret_true, 0.0);
            }
            _ => {
                hard += 1;
                assert_eq!(r.payoffs[0], -1.5);
                assert_eq!(r.equilibrium, EquilibriumClass::NotAnEquilibrium);
                // Regret under true types: the US would gain 3/4 − (−3/2) by
                // dealing; under its beliefs it best-responded (interim regret 0).
                assert_eq!(r.analysis.regret_true, 2.25);
                assert_eq!(r.analysis.regret_interim, 0.0);
            }
        }
    }
    assert!(soft > 0 && hard > 0, "{soft} {hard}");
}

#[test]
fn terminal_payoffs_read_the_true_type_and_the_lookahead_their_expectation() {
    // A terminal payoff 4 · max(r − 1/2, 0): paid at the true type (hard: 1, soft: 0).
    // Looking ahead one round at the horizon, the US adds its expectation over its
    // beliefs, 4 · 1/4 · 1/4 = 1/4, to every action (the payoff at the mean resolve
    // would add 0).
    let text = scenario(1, ", lookahead = 1").replace(
        "lookahead = 1 }",
        "lookahead = 1 }\npayoffs = { end = \"4 * max(iran.resolve - 0.5, 0)\" }",
    );
    let mut e = engine(&text);
    for run in 0..20 {
        let (ty, eus, _) = usa_rounds(&mut e, run);
        assert_eq!(eus[0], [0.625, 0.25, 0.4375], "run {run}");
        let r = e.run(7, run);
        let want = if ty == "hard" { 1.0 - 1.5 } else { 0.0 + 1.0 };
        assert_eq!(r.payoffs[0], want, "run {run} ({ty})");
    }
}

#[test]
fn single_type_values_are_constants_and_change_nothing() {
    // With one type, `iran.resolve` is a known constant: the scenario plays exactly
    // like the same file with the number written in.
    let one = |v: &str| {
        scenario(3, "")
            .replace(
                "  [[agents.types]]\n  name = \"hard\"\n  prior = 0.25\n  values = { resolve = 0.75 }\n",
                "",
            )
            .replace("prior = 0.75", "prior = 1")
            .replace("iran.resolve", v)
    };
    let (mut a, mut b) = (engine(&one("iran.resolve")), engine(&one("0.25")));
    for run in 0..50 {
        assert_eq!(
            format!("{:?}", a.run(3, run)),
            format!("{:?}", b.run(3, run))
        );
    }
}

#[test]
fn the_bayes_nash_form_weighs_each_type_with_its_action() {
    // With deal worth 7 · max(r − 1/2, 0): EU(deal) = 7/16 beats EU(press) = 3/8, so
    // the US deals. In the agent-type form (posterior = prior after one round) soft
    // yields, hard fights, and the US's best reply weighs each type with its action:
    // press 3/8 < deal 7/16, so (deal, yield/fight) is the Bayesian-Nash equilibrium
    // that play matches. Were Iran's type and action treated as independent, press
    // would be worth 9/16 and the US's deal would not be a best reply.
    let text = scenario(1, "").replace("3 * max", "7 * max").replace(
        "[[outcomes]]",
        "[equilibrium]\nconcepts = [\"nash\", \"bayes_nash\"]\n\n[[outcomes]]",
    );
    let s = Arc::new(from_str(&text, "interdependent.toml", &[]).expect("loads"));
    let mut e = Engine::new(Arc::clone(&s));
    for run in 0..20 {
        let r = e.run(7, run).clone();
        let class = r.analysis.bayes_nash.expect("bayes_nash on");
        assert_eq!(
            s.bayes_nash_label(class),
            "(deal, yield/fight)",
            "run {run}"
        );
    }
}

#[test]
fn a_forecast_weighs_the_observers_own_types_by_its_prior() {
    // Iran's utility reads the US's type value: attack pays 1/2 − cost. The US is
    // `cheap` (cost 1/4, prior 3/4) or `dear` (cost 1, prior 1/4). In round 1 Iran's
    // EU(attack) = 3/4 · 1/4 + 1/4 · (−1/2) = 1/16 > EU(stay) = 0: Iran attacks.
    // The US forecasts Iran with what Iran can know of the US — its prior, not its
    // true type — so both US types forecast an attack and value `defend` at 1
    // (had the dear US used its true type, it would forecast `stay`: 0).
    let text = r#"[scenario]
name = "forecast_prior"
horizon = 1

[[agents]]
name = "usa"
actions = ["defend", "relax"]
decision = { rule = "best_response" }

  [[agents.types]]
  name = "cheap"
  prior = 0.75
  values = { cost = 0.25 }

  [[agents.types]]
  name = "dear"
  prior = 0.25
  values = { cost = 1.0 }

  [[agents.utility]]
  when = { usa = "defend", iran = "attack" }
  value = 1

[[agents]]
name = "iran"
actions = ["attack", "stay"]
decision = { rule = "best_response" }

  [[agents.utility]]
  when = { iran = "attack" }
  value = "0.5 - usa.cost"

[[outcomes]]
name = "end"
at_horizon = true
"#;
    let mut e = engine(text);
    let mut seen = std::collections::BTreeSet::new();
    for run in 0..40 {
        let (_, trace) = e.run_traced(7, run);
        seen.insert(trace.types[0].clone());
        let eu = |name: &str| -> Vec<f64> {
            let a = trace.rounds[0]
                .agents
                .iter()
                .find(|a| a.agent == name)
                .expect("agent");
            a.expected_utility.iter().map(|n| n.value).collect()
        };
        assert_eq!(eu("iran"), [0.0625, 0.0], "run {run}");
        assert_eq!(eu("usa"), [1.0, 0.0], "run {run}");
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
}
