//! Inside the lookahead (docs/SCENARIO.md §6.9) every agent-type is predicted by its
//! own rule, as the engine forecasts it at the root of a round: a level-k or
//! cognitive-hierarchy agent plays its level in the hierarchy recomputed on the
//! predicted state, and a fictitious player responds to the empirical frequencies of
//! the observer's counts carried along the predicted path. Each test derives an
//! observer's `Q` values by hand and checks that predicting the other agent like a
//! best responder (its response to the previous play), or by its hierarchy at the
//! root, or by the counts of the root, would give other values.

mod common;
use common::engine;

/// The observer's expected utility of each action (`Q`) and its action in `round`.
fn observer_q(text: &str, round: usize) -> (f64, f64, String) {
    let mut e = engine(text);
    let (_, trace) = e.run_traced(5, 0);
    let a = &trace.rounds[round - 1].agents[0];
    assert_eq!(a.agent, "o");
    let q = |name: &str| {
        a.expected_utility
            .iter()
            .find(|n| n.name == name)
            .unwrap()
            .value
    };
    (q("x"), q("y"), a.action.clone())
}

/// The plans an observer looking ahead one round may use: at `H = 1` both value the
/// next round by everyone's myopic rule, so both must give the closed form.
const PLANS: [&str; 2] = ["tree", "rollout"];

/// Observer `o` (best response, looking ahead one round, δ = 0.9) and a reasoner `l`
/// with `rule`, two rounds.
///
/// `o` gets 1 for (x, l) and 2 for (y, r); its level 0 plays x with 0.2. `l` gets 1
/// for matching `o` ((l, x) or (r, y)) and `c · z` for r, where the state `z` is set
/// to 1 when `o` plays x. `l`'s level 0 plays l.
fn reasoner(rule: &str, c: f64, plan: &str) -> String {
    format!(
        r#"
[scenario]
name = "reasoner"
horizon = 2

[state]
z = {{ initial = 0, min = 0, max = 1 }}

[[agents]]
name = "o"
actions = ["x", "y"]
level0 = {{ x = 0.2, y = 0.8 }}
decision = {{ rule = "best_response", lookahead = 1, discount = 0.9, plan = "{plan}" }}

  [[agents.utility]]
  when = {{ o = "x", l = "l" }}
  value = 1

  [[agents.utility]]
  when = {{ o = "y", l = "r" }}
  value = 2

[[agents]]
name = "l"
actions = ["l", "r"]
level0 = {{ l = 1.0 }}
decision = {rule}

  [[agents.utility]]
  when = {{ l = "l", o = "x" }}
  value = 1

  [[agents.utility]]
  when = {{ l = "r", o = "y" }}
  value = 1

  [[agents.utility]]
  when = {{ l = "r" }}
  value = "{c} * z"

[[effects]]
when = "o.x"
set = {{ z = "1" }}

[[outcomes]]
name = "end"
at_horizon = true
"#
    )
}

/// `o`'s values in round 1 given what `l` is predicted to play in round 2 after `o`
/// plays x (`after_x`) and y (`after_y`), each true for l: in round 1 `l` is
/// forecast to play l (so EU(x) = 1, EU(y) = 0, and the transition keeps `l`'s
/// perceived play at l); in round 2 `o` best-responds to that, x, and gets 1 if `l`
/// plays l there, 0 otherwise. So Q(x) = 1 + 0.9 · [after_x], Q(y) = 0.9 · [after_y].
fn closed_form(after_x: bool, after_y: bool) -> (f64, f64) {
    let v = |l: bool| if l { 0.9 } else { 0.0 };
    (1.0 + v(after_x), v(after_y))
}

#[test]
fn a_level_2_agent_is_predicted_by_its_hierarchy_in_the_predicted_state() {
    // Level 1 of `o` answers `l`'s level 0 (l): x (1 > 0). Level 2 of `l` answers x:
    // EU(l) = 1, EU(r) = 3z. At the root (z = 0) it plays l. After `o` plays x, z = 1
    // and it plays r (3 > 1); after y, z = 0 and it plays l.
    let level_k = r#"{ rule = "level_k", level = 2 }"#;
    let want = closed_form(false, true);
    for plan in PLANS {
        let (qx, qy, action) = observer_q(&reasoner(level_k, 3.0, plan), 1);
        assert_eq!((qx, qy), want, "plan {plan}");
        assert_eq!(action, "x");
    }
    assert_eq!(want, (1.0, 0.9));
    // Predicted like a best responder, `l` would answer `o`'s round-1 action: after x
    // EU(l) = 1 < EU(r) = 3, r; after y EU(l) = 0 < EU(r) = 1, r.
    assert_ne!(want, closed_form(false, false));
    // With the hierarchy of the root (z = 0) it would play l after both.
    assert_ne!(want, closed_form(true, true));
}

#[test]
fn a_cognitive_hierarchy_agent_faces_the_poisson_mix_of_lower_levels() {
    // tau = 1.5: level 2 of `l` faces `o` at level 0 and level 1 in proportions
    // f(0) : f(1) = 1 : tau, so P(x) = (0.2 + 1.5) / 2.5 = 0.68, P(y) = 0.32 (level 1
    // of `o` plays x, as in level-k). EU(l) = 0.68, EU(r) = 0.32 + 0.5 z: after x
    // (z = 1) r (0.82 > 0.68), after y (z = 0) l.
    let ch = r#"{ rule = "cognitive_hierarchy", level = 2, tau = 1.5 }"#;
    let want = closed_form(false, true);
    for plan in PLANS {
        let (qx, qy, action) = observer_q(&reasoner(ch, 0.5, plan), 1);
        assert_eq!((qx, qy), want, "plan {plan}");
        assert_eq!(action, "x");
    }
    // Level-k at level 2 faces x only: EU(l) = 1 > EU(r) = 0.5 z, l after both.
    assert_ne!(want, closed_form(true, true));
    let level_k = r#"{ rule = "level_k", level = 2 }"#;
    let (qx, qy, _) = observer_q(&reasoner(level_k, 0.5, "tree"), 1);
    assert_eq!((qx, qy), closed_form(true, true));
    // Predicted like a best responder: after x EU(l) = 1 > 0.5, l; after y r.
    assert_ne!(want, closed_form(true, false));
}

#[test]
fn a_level_k_agent_with_logit_is_predicted_by_its_logit_hierarchy() {
    // Level 2 with lambda = 2: level 1 of `o` is logit(2) over EU(x) = 1, EU(y) = 0
    // (it answers level 0 of `l`, l): P1(x) = 1 / (1 + e^-2). Level 2 of `l` answers
    // it: EU(l) = P1(x), EU(r) = 1 − P1(x) + 3z, played with logit(2): P2(l | z).
    // In round 1 (z = 0) `o` forecasts `l` at P2(l | 0) ≈ 0.82: EU(x) = P2(l | 0),
    // EU(y) = 2 (1 − P2(l | 0)). In round 2 `o` answers that play with x
    // (0.82 > 0.36) and gets P2(l | z), z = 1 after x and 0 after y:
    //   Q(x) = P2(l | 0) + 0.9 P2(l | 1),   Q(y) = 2 (1 − P2(l | 0)) + 0.9 P2(l | 0).
    let rule = r#"{ rule = "level_k", level = 2, lambda = 2 }"#;
    let p1 = 1.0 / (1.0 + libm::exp(-2.0));
    let p2l = |z: f64| {
        let (eu_l, eu_r) = (p1, 1.0 - p1 + 3.0 * z);
        1.0 / (1.0 + libm::exp(2.0 * (eu_r - eu_l)))
    };
    let want_x = p2l(0.0) + 0.9 * p2l(1.0);
    let want_y = 2.0 * (1.0 - p2l(0.0)) + 0.9 * p2l(0.0);
    for plan in PLANS {
        let (qx, qy, _) = observer_q(&reasoner(rule, 3.0, plan), 1);
        assert!(
            (qx - want_x).abs() < 1e-12,
            "plan {plan}: Q(x) {qx} vs {want_x}"
        );
        assert!(
            (qy - want_y).abs() < 1e-12,
            "plan {plan}: Q(y) {qy} vs {want_y}"
        );
    }
    // Predicted like a logit(2) responder to y, `l` would play l with 1 / (1 + e^2).
    let old = 2.0 * (1.0 - p2l(0.0)) + 0.9 / (1.0 + libm::exp(2.0));
    assert!((want_y - old).abs() > 0.5);
}

/// Observer `o` (best response, looking ahead `h` rounds, δ = 0.9) and a fictitious
/// player `f`, three rounds. Both get 1 for matching ((x, l) or (y, r)). `o` starts
/// at x (its status quo), `f` at l; `f`'s prior is `o`'s status quo, so in round 1
/// it plays l.
fn fictitious(h: u32, plan: &str) -> String {
    format!(
        r#"
[scenario]
name = "fictitious"
horizon = 3

[[agents]]
name = "o"
actions = ["x", "y"]
status_quo = "x"
decision = {{ rule = "best_response", lookahead = {h}, discount = 0.9, plan = "{plan}" }}

  [[agents.utility]]
  when = {{ o = "x", f = "l" }}
  value = 1

  [[agents.utility]]
  when = {{ o = "y", f = "r" }}
  value = 1

[[agents]]
name = "f"
actions = ["l", "r"]
status_quo = "l"
decision = {{ rule = "fictitious_play", prior = "status_quo" }}

  [[agents.utility]]
  when = {{ f = "l", o = "x" }}
  value = 1

  [[agents.utility]]
  when = {{ f = "r", o = "y" }}
  value = 1

[[outcomes]]
name = "end"
at_horizon = true
"#
    )
}

#[test]
fn a_fictitious_player_responds_to_the_counts_carried_along_the_path() {
    // Round 1: `o` perceives the status quo (x, l); it has counted nothing, so it
    // forecasts `f` against the status quo: l. Looking ahead, `f` then plays l
    // after x and r after y (the frequencies of one round), and `o` x: Q(x) = 1 + 0.9,
    // Q(y) = 0. So the profile of round 1 is (x, l) (`f`'s prior points at x).
    //
    // Round 2: `o` has counted x once (its own action) and l once. It forecasts `f`
    // at the frequencies, x: l. EU(x) = 1, EU(y) = 0. After `o` plays a, the counts
    // of `o` are x + a: after x, frequencies (1, 0) and `f` plays l; after y, (1/2,
    // 1/2), `f` is indifferent and mixes evenly. `o` then plays x (its answer to l)
    // and gets P(l): Q(x) = 1 + 0.9, Q(y) = 0.9 · 0.5.
    for plan in PLANS {
        let text = fictitious(1, plan);
        let (qx, qy, action) = observer_q(&text, 1);
        assert_eq!((qx, qy, action.as_str()), (1.9, 0.0, "x"), "plan {plan}");
        let (qx, qy, action) = observer_q(&text, 2);
        assert_eq!((qx, qy, action.as_str()), (1.9, 0.45, "x"), "plan {plan}");
    }
    // Predicted like a best responder, `f` would answer y with r: Q(y) = 0; with the
    // counts of the root only (x once), l: Q(y) = 0.9. Both differ from 0.45.
}

#[test]
fn a_fictitious_player_accumulates_counts_over_several_transitions() {
    // `o` looks ahead two rounds from round 1 (the rest of the game). By a rollout,
    // after its round-1 action a it plays its myopic rule (best response to `f`'s
    // previous play) and `f` responds to the counts.
    //
    // Transition 1: (a, l) from the status quo; counts of `o`: a.
    // Round 2: `f` answers the frequency of a: l after x, r after y. `o` answers `f`'s
    // round-1 play l: x. Stage value for `o`: 1 after x (x, l), 0 after y (x, r).
    // Transition 2: counts x + a (and, for f, l + its round-2 play).
    // Round 3: `o` answers `f`'s round-2 play: x after x, y after y. `f` answers the
    // frequencies x + a: after x (1, 0), l; after y (1/2, 1/2), even mix.
    // Stage value: after x, (x, l) = 1; after y, `o` plays y against r with 1/2: 0.5.
    //   Q(x) = 1 + 0.9 · 1 + 0.81 · 1 = 2.71
    //   Q(y) = 0 + 0.9 · 0 + 0.81 · 0.5 = 0.405
    // Predicted like a best responder, `f` answers `o`'s previous action: after y,
    // round 2 r, round 3 (o played x in round 2) l against `o`'s y: Q(y) = 0.
    //
    // By the tree, `o` weighs its round-2 actions b too (`f` at its myopic play, then
    // round 3 as above with counts x + a + b): after x, Q2(x) = 1 + 0.9 · 1 and
    // Q2(y) = 0 + 0.9 · 0.5; after y (`f` plays r in round 2 and `o` answers it with y
    // in round 3), Q2(x) = 1 + 0.9 · 0.5 and Q2(y) = 0 + 0.9 · 1. Either way it plays x,
    // as its myopic rule does, so both plans give the same values.
    for plan in PLANS {
        let (qx, qy, action) = observer_q(&fictitious(2, plan), 1);
        assert!((qx - 2.71).abs() < 1e-12, "plan {plan}: Q(x) {qx}");
        assert!((qy - 0.405).abs() < 1e-12, "plan {plan}: Q(y) {qy}");
        assert_eq!(action, "x");
    }
}

#[test]
fn a_fictitious_observer_follows_its_own_counts_at_later_rounds() {
    // The observer itself is a fictitious player looking ahead two rounds by a
    // rollout; `b` always plays l (its level 0). Every round pays `o` 1 for matching
    // (x with l, y with r). `o` has no prior pseudo-observations (`prior_weight = 0`):
    // before it counts anything it expects the perceived status quo, r.
    //
    // Round 1: `o` expects r: EU(x) = 0, EU(y) = 1, and its model has `b` play r now.
    // Its counts of `b` become r: 1.
    // Round 2: `o` still expects r and plays y; `b` plays l: worth 0. Counts of `b`
    // become (l, r) = (1, 1).
    // Round 3: `o` is indifferent and mixes evenly; `b` plays l: worth 1/2.
    //   Q(x) = 0 + 0.9 · (0 + 0.9 · 0.5) = 0.405,   Q(y) = 1 + 0.405.
    // Predicted like a best responder to `b`'s previous play, `o` would play x in
    // round 3 (after l) and expect 1 there: Q(x) = 0.81, Q(y) = 1.81; with the counts
    // of the root (or of the first transition only), y: Q(x) = 0, Q(y) = 1.
    // (One round ahead from round 1 the two agree: the first transition adds the
    // frequencies `o` expects, which leaves them unchanged.)
    let text = r#"
[scenario]
name = "fictitious_observer"
horizon = 3

[[agents]]
name = "o"
actions = ["x", "y"]
decision = { rule = "fictitious_play", prior = "status_quo", prior_weight = 0, lookahead = 2, discount = 0.9, plan = "rollout" }

  [[agents.utility]]
  when = { o = "x", b = "l" }
  value = 1

  [[agents.utility]]
  when = { o = "y", b = "r" }
  value = 1

[[agents]]
name = "b"
actions = ["l", "r"]
status_quo = "r"
level0 = { l = 1.0 }
decision = { rule = "level_k", level = 0 }

[[outcomes]]
name = "end"
at_horizon = true
"#;
    let (qx, qy, action) = observer_q(text, 1);
    assert!((qx - 0.405).abs() < 1e-12, "Q(x) {qx}");
    assert!((qy - 1.405).abs() < 1e-12, "Q(y) {qy}");
    assert_eq!(action, "y");
}

#[test]
fn the_hierarchy_weighs_the_observers_own_types_by_its_prior() {
    // `o` has two types, A (prior 0.3) and B (0.7): against (x, l) A gets 1 and B 0,
    // against (y, l) A gets 0 and B 1, and both get 0.5 for (y, r). Level 1 of `o`
    // (against `l`'s level 0, l) is x for A and y for B. `l` (level 2) answers `o`'s
    // level 1 with `o`'s types weighed as in the engine's forecasts, by `o`'s beliefs
    // with its own types at its prior: P(x) = 0.3, so EU(l) = 0.3 < EU(r) = 0.7: r,
    // in round 1 and at the predicted round 2 alike. `o` answers r with y there:
    //   Q(x) = 0 + 0.9 · 0.5 = 0.45,   Q(y) = 0.5 + 0.9 · 0.5 = 0.95, whatever its type.
    // Weighing `o`'s own types by its true type would make `l` play l after a type-A
    // `o` (Q = (0, 0.5)); predicting `l` like a best responder, l after x
    // (type A: Q(x) = 0, type B: Q(x) = 0.9).
    let text = |plan: &str| {
        format!(
            r#"
[scenario]
name = "own_types"
horizon = 2

[[agents]]
name = "o"
actions = ["x", "y"]
decision = {{ rule = "best_response", lookahead = 1, discount = 0.9, plan = "{plan}" }}
types = [
  {{ name = "A", prior = 0.3, values = {{ k = 1 }} }},
  {{ name = "B", prior = 0.7, values = {{ k = 0 }} }},
]

  [[agents.utility]]
  when = {{ o = "x", l = "l" }}
  value = "self.k"

  [[agents.utility]]
  when = {{ o = "y", l = "l" }}
  value = "1 - self.k"

  [[agents.utility]]
  when = {{ o = "y", l = "r" }}
  value = 0.5

[[agents]]
name = "l"
actions = ["l", "r"]
level0 = {{ l = 1.0 }}
decision = {{ rule = "level_k", level = 2 }}

  [[agents.utility]]
  when = {{ l = "l", o = "x" }}
  value = 1

  [[agents.utility]]
  when = {{ l = "r", o = "y" }}
  value = 1

[[outcomes]]
name = "end"
at_horizon = true
"#
        )
    };
    for plan in PLANS {
        let mut e = engine(&text(plan));
        let mut seen = [false, false];
        for run in 0..16 {
            let (_, trace) = e.run_traced(5, run);
            seen[usize::from(trace.types[0] == "B")] = true;
            let a = &trace.rounds[0].agents[0];
            let q: Vec<f64> = a.expected_utility.iter().map(|n| n.value).collect();
            assert_eq!(
                q,
                [0.45, 0.95],
                "plan {plan}, run {run}, type {}",
                trace.types[0]
            );
            assert_eq!(a.action, "y");
        }
        assert_eq!(seen, [true, true], "both types drawn");
    }
}
