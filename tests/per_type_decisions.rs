//! A type's own `decision` table (issue 12 §2): the decision rule and λ (and the
//! lookahead) may be set per type. The agent plays its true type's rule; observers
//! forecast each type by that type's rule.

mod common;
use common::engine;

use std::sync::Arc;

use brink_core::Engine;
use brink_core::scenario::from_str;

/// `row` gains 1 from `up`; `column` gains 1 from matching `row`. Row's types: a
/// best responder (the agent's rule) and a uniform player (`logit`, λ = 0).
fn scenario(p_random: f64) -> String {
    format!(
        r#"[scenario]
name = "per_type"
horizon = 1

[[agents]]
name = "row"
actions = ["up", "down"]
decision = {{ rule = "best_response" }}

  [[agents.types]]
  name = "rational"
  prior = {}
  [[agents.types]]
  name = "random"
  prior = {p_random}
  decision = {{ rule = "logit", lambda = 0 }}

  [[agents.utility]]
  when = {{ row = "up" }}
  value = 1

[[agents]]
name = "column"
actions = ["up", "down"]
decision = {{ rule = "best_response" }}

  [[agents.utility]]
  when = {{ row = "up", column = "up" }}
  value = 1
  [[agents.utility]]
  when = {{ row = "down", column = "down" }}
  value = 1

[[outcomes]]
name = "row_up"
at_horizon = true
when = "row.up"

[[outcomes]]
name = "row_down"
at_horizon = true
"#,
        1.0 - p_random
    )
}

#[test]
fn each_type_plays_its_own_rule() {
    // All rational: always up. All random: up half of the time (binomial, n = 4000:
    // sd 0.0079, so 0.5 ± 0.04 is over 5 sd).
    let mut e = engine(&scenario(0.0));
    assert!((0..200).all(|i| e.run(1, i).outcome == 0));
    let mut e = engine(&scenario(1.0));
    let up = (0..4000).filter(|&i| e.run(1, i).outcome == 0).count();
    let share = up as f64 / 4000.0;
    assert!((share - 0.5).abs() < 0.04, "{share}");
}

#[test]
fn observers_forecast_each_type_by_its_rule() {
    // Column believes row is random with probability 0.4: it forecasts up with
    // 0.6 · 1 + 0.4 · 0.5 = 0.8, so EU(up) = 0.8 and EU(down) = 0.2 (had the random
    // type been forecast by the agent's best-response rule: 1 and 0).
    let mut e = engine(&scenario(0.4));
    let (_, trace) = e.run_traced(1, 0);
    let column = trace.rounds[0]
        .agents
        .iter()
        .find(|a| a.agent == "column")
        .expect("column");
    let eu: Vec<f64> = column.expected_utility.iter().map(|n| n.value).collect();
    assert!(
        (eu[0] - 0.8).abs() < 1e-12 && (eu[1] - 0.2).abs() < 1e-12,
        "{eu:?}"
    );
}

#[test]
fn lambda_per_type_from_parameters() {
    // λ per type can come from parameters, so `--set` reaches each type.
    let text = scenario(1.0)
        .replace(
            "[scenario]",
            "[parameters]\nlambda_row_random = 0.0\n\n[scenario]",
        )
        .replace("lambda = 0 }", "lambda = \"lambda_row_random\" }");
    let s = from_str(
        &text,
        "per_type.toml",
        &[("lambda_row_random".into(), 60.0)],
    )
    .expect("loads");
    let mut e = Engine::new(Arc::new(s));
    // λ = 60 on a utility gap of 1: P(down) = 1 / (1 + e^60), never drawn.
    assert!((0..500).all(|i| e.run(1, i).outcome == 0));
}
