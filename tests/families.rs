//! Action families and loop variables (docs/SCENARIO.md §5.1): the hand-written
//! `scenarios/fearon_bargaining.toml` (families `d`, `t`; `for` loops; selectors
//! `d[j]`, `t[j..]`, `t[..j - 1]`, `A.d[j]`) and `scenarios/money_request.toml` are the
//! same games as the files the old generator script wrote out action by action (kept
//! in `tests/reference/families/`): every run plays the same rounds, for several
//! parameter values.

use std::sync::Arc;

use brink_core::Engine;
use brink_core::scenario::load;

fn traces(path: &str, overrides: &[(String, f64)]) -> Vec<String> {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let s = Arc::new(load(path.as_ref(), overrides).unwrap_or_else(|e| panic!("{e}")));
    let mut engine = Engine::new(s);
    (0..40)
        .map(|run| {
            let (_, trace) = engine.run_traced(17, run);
            trace.to_string()
        })
        .collect()
}

#[test]
fn fearon_by_families_plays_as_the_expanded_file() {
    let settings: [&[(&str, f64)]; 4] = [
        &[],
        &[("cA", 0.2), ("cbar", 0.6)],
        &[("p", 0.7), ("cA", 0.0)],
        &[("cA", 0.5), ("cbar", 0.3)],
    ];
    for set in settings {
        let o: Vec<(String, f64)> = set.iter().map(|&(n, v)| (n.to_owned(), v)).collect();
        let by_hand = traces("scenarios/fearon_bargaining.toml", &o);
        let expanded = traces(
            "tests/reference/families/fearon_bargaining_expanded.toml",
            &o,
        );
        assert_eq!(by_hand, expanded, "{set:?}");
    }
}

#[test]
fn money_request_by_families_plays_as_the_expanded_file() {
    for bonus in [20.0, 5.0, 0.5] {
        let o = [("bonus".to_owned(), bonus)];
        let by_hand = traces("scenarios/money_request.toml", &o);
        let expanded = traces("tests/reference/families/money_request_expanded.toml", &o);
        assert_eq!(by_hand, expanded, "bonus = {bonus}");
    }
}

#[test]
fn a_family_expands_to_numbered_actions() {
    let src = r#"
[scenario]
name = "fam"
horizon = 1

[[agents]]
name = "a"
actions = { low = "2..4", high = "7..8" }
decision = { rule = "best_response" }
  [[agents.utility]]
  for = { j = "2..4" }
  when = { a = "low[j]" }
  value = "j * 10"
  [[agents.utility]]
  when = { a = "high[..7]" }
  value = 100

[[outcomes]]
name = "end"
at_horizon = true
"#;
    let s = brink_core::scenario::from_str(src, "fam.toml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let a = &s.agents[0];
    assert_eq!(a.actions, ["low2", "low3", "low4", "high7", "high8"]);
    // One term per loop value, then the range term (high7 only).
    assert_eq!(a.terms.len(), 4);
    let masks: Vec<u64> = a.terms.iter().map(|t| t.conditions[0].mask).collect();
    assert_eq!(masks, [0b00001, 0b00010, 0b00100, 0b01000]);
    // The best response is the 100 of high7 (low4 pays 40).
    let mut engine = Engine::new(Arc::new(s));
    let (_, trace) = engine.run_traced(1, 0);
    assert_eq!(trace.rounds[0].agents[0].action, "high7");
    let eu: Vec<f64> = trace.rounds[0].agents[0]
        .expected_utility
        .iter()
        .map(|n| n.value)
        .collect();
    assert_eq!(eu, [20.0, 30.0, 40.0, 100.0, 0.0]);
}
