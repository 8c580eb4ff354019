//! The rollout plan and pruned transitions of the lookahead (docs/SCENARIO.md §6.9):
//! equal to the tree at one round, values equal to hand-derived closed forms, and
//! pruning that conditions a transition on the profiles it keeps.

mod common;
use common::engine;

use brink_core::RunResult;

fn bits(r: &RunResult) -> (usize, u32, Vec<u64>) {
    let mut v: Vec<u64> = r.payoffs.iter().map(|x| x.to_bits()).collect();
    v.extend(r.final_state.iter().map(|x| x.to_bits()));
    (r.outcome, r.rounds, v)
}

/// The flagship with Iran and the US looking ahead one round, with extra keys.
fn flagship_looking_ahead(extra: &str) -> String {
    let text = std::fs::read_to_string("scenarios/iran_plan_b.toml").expect("flagship");
    let text = text
        .replace(
            r#"lambda = "lambda_iran", lookahead = "lookahead", discount = "discount", plan = "rollout", prune = "prune" }"#,
            &format!(r#"lambda = "lambda_iran", lookahead = 1, discount = 0.9{extra} }}"#),
        )
        .replace(
            r#"lambda = "lambda_us", lookahead = "lookahead", discount = "discount", plan = "rollout", prune = "prune" }"#,
            &format!(r#"lambda = "lambda_us", lookahead = 1, discount = 0.9{extra} }}"#),
        );
    assert_eq!(text.matches("lookahead = 1").count(), 2);
    text
}

#[test]
fn rollout_of_one_round_is_the_tree_bit_for_bit() {
    // At H = 1 the nodes after the first transition are valued myopically by both
    // plans, so a rollout must give the tree's results to the last bit; `prune = 0`
    // keeps every profile, as no `prune` at all. Private types, logit, noise, masks.
    let mut tree = engine(&flagship_looking_ahead(""));
    let mut rollout = engine(&flagship_looking_ahead(r#", plan = "rollout""#));
    let mut unpruned = engine(&flagship_looking_ahead(r#", plan = "rollout", prune = 0"#));
    let mut myopic = engine(&std::fs::read_to_string("scenarios/iran_plan_b.toml").unwrap());
    let mut differs = false;
    for i in 0..6 {
        let t = bits(tree.run(7, i));
        assert_eq!(bits(rollout.run(7, i)), t, "run {i}");
        assert_eq!(bits(unpruned.run(7, i)), t, "run {i}");
        differs |= bits(myopic.run(7, i)) != t;
    }
    assert!(
        differs,
        "looking ahead changed nothing: the test proves nothing"
    );
}

/// One saver: `consume` pays the capital this round, `invest` pays nothing and adds
/// one to the capital. Its myopic rule always consumes.
fn saver(horizon: u32, decision: &str) -> String {
    format!(
        r#"
[scenario]
name = "saver"
horizon = {horizon}

[state]
capital = {{ initial = 1, min = 0, max = 1000 }}

[[agents]]
name = "saver"
actions = ["invest", "consume"]
decision = {decision}

  [[agents.utility]]
  when = {{ saver = "consume" }}
  value = "capital"

[[effects]]
when = "saver.invest"
add = {{ capital = "1" }}

[[outcomes]]
name = "end"
at_horizon = true
"#
    )
}

#[test]
fn rollout_values_are_the_myopic_policy_rolled_out() {
    // Rollout (Bertsekas): at round r with capital c, m = min(H, T - r) rounds remain
    // in view, and the saver expects to consume at every later round (its myopic
    // rule), so
    //   Q(consume) = c · Σ_{h=0..m} δ^h,   Q(invest) = (c + 1) · Σ_{h=1..m} δ^h.
    // With δ = 0.9, H = 3 it invests while c < Σ_{h=1..3} δ^h = 2.439: twice, then
    // consumes 3 a round; near the end (m < 3) it consumes.
    let (horizon, h, delta) = (12u32, 3u32, 0.9f64);
    let text = saver(
        horizon,
        r#"{ rule = "best_response", lookahead = 3, discount = 0.9, plan = "rollout" }"#,
    );
    let mut e = engine(&text);
    let (result, trace) = e.run_traced(1, 0);
    let mut c = 1.0f64;
    let mut actions = Vec::new();
    for (r, round) in trace.rounds.iter().enumerate() {
        let r = r as u32 + 1;
        let m = h.min(horizon - r);
        let later: f64 = (1..=m)
            .map(|k| (0..k).fold(1.0, |acc, _| acc * delta))
            .sum();
        let want_consume = c * (1.0 + later);
        let want_invest = (c + 1.0) * later;
        let a = &round.agents[0];
        let q = |name: &str| {
            a.expected_utility
                .iter()
                .find(|n| n.name == name)
                .unwrap()
                .value
        };
        assert!(
            (q("consume") - want_consume).abs() < 1e-12 * want_consume.max(1.0),
            "round {r}: Q(consume) {} vs {want_consume}",
            q("consume")
        );
        assert!(
            (q("invest") - want_invest).abs() < 1e-12 * want_invest.max(1.0),
            "round {r}: Q(invest) {} vs {want_invest}",
            q("invest")
        );
        let best = if want_invest > want_consume {
            "invest"
        } else {
            "consume"
        };
        assert_eq!(a.action, best, "round {r}");
        if best == "invest" {
            c += 1.0;
        }
        actions.push(a.action.clone());
    }
    assert_eq!(&actions[..3], ["invest", "invest", "consume"]);
    // The rollout beats the myopic rule it rolls out: 10 rounds of 3 against 12 of 1.
    let mut myopic = engine(&saver(horizon, r#"{ rule = "best_response" }"#));
    let (rolled, base) = (result.payoffs[0], myopic.run(1, 0).payoffs[0]);
    assert_eq!((rolled, base), (30.0, 12.0));
}

#[test]
fn pruning_conditions_the_transition_on_the_profiles_kept() {
    // Nature plays boom (capital + 1) with probability 0.8 and bust (capital - 1) with
    // 0.2. A saver that looks one round ahead values consuming at
    //   c + δ · E[c'] = c + δ · (c + 0.8 - 0.2)
    // with every profile, and, when `prune = 0.3` leaves out bust (0.2 < 0.3 · 0.8),
    //   c + δ · (c + 1).
    let text = |prune: &str| {
        format!(
            r#"
[scenario]
name = "weather"
horizon = 4

[state]
capital = {{ initial = 5, min = 0, max = 1000 }}

[[agents]]
name = "saver"
actions = ["invest", "consume"]
decision = {{ rule = "best_response", lookahead = 1, discount = 0.5, plan = "rollout"{prune} }}

  [[agents.utility]]
  when = {{ saver = "consume" }}
  value = "capital"

[[agents]]
name = "nature"
actions = ["boom", "bust"]
level0 = {{ boom = 0.8, bust = 0.2 }}
decision = {{ rule = "level_k", level = 0 }}

[[effects]]
when = "nature.boom"
add = {{ capital = "1" }}

[[effects]]
when = "nature.bust"
add = {{ capital = "-1" }}

[[outcomes]]
name = "end"
at_horizon = true
"#
        )
    };
    let q_consume = |prune: &str| {
        let mut e = engine(&text(prune));
        let (_, trace) = e.run_traced(3, 0);
        let a = &trace.rounds[0].agents[0];
        a.expected_utility
            .iter()
            .find(|n| n.name == "consume")
            .unwrap()
            .value
    };
    // Sums of dyadic numbers, except the expectation 5.8 * 0.8 + 3.8 * 0.2 itself:
    // compare with its computed value.
    let full = 5.0 + 0.5 * (6.0 * 0.8 + 4.0 * 0.2);
    assert!((q_consume("") - full).abs() < 1e-12, "{}", q_consume(""));
    assert_eq!(q_consume(", prune = 0.3"), 5.0 + 0.5 * 6.0);
    // A threshold below the ratio keeps both profiles.
    assert!((q_consume(", prune = 0.2") - full).abs() < 1e-12);
}
