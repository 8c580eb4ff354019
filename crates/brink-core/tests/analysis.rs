//! The equilibrium analysis of runs (`docs/SCENARIO.md` §11) against independent
//! answers: closed forms, hand derivations and pygambit's logit solver.

use std::path::Path;
use std::sync::Arc;

use brink_core::analysis::{bayes, qre, stage};
use brink_core::model::{self, Dims};
use brink_core::scenario::{self, CompiledScenario};
use brink_core::{BayesNashClass, Engine, EquilibriumClass, QreClass};

const SEED: u64 = 20_251_203;

fn compile(src: &str, set: &[(&str, f64)]) -> Arc<CompiledScenario> {
    let set: Vec<(String, f64)> = set.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    Arc::new(scenario::from_str(src, "test.toml", &set).expect("scenario compiles"))
}

fn shipped(name: &str, set: &[(&str, f64)]) -> Arc<CompiledScenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    let set: Vec<(String, f64)> = set.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    Arc::new(scenario::load(&path, &set).expect("scenario loads"))
}

/// A prisoner's dilemma in which defecting gains `g` whatever the other does.
const CONSTANT_GAIN_PD: &str = r#"
[scenario]
name = "constant_gain_pd"
horizon = 12

[parameters]
g = { default = 0.7 }
lambda_row = { default = 1.0 }
lambda_column = { default = 2.5 }

[[agents]]
name = "row"
actions = ["cooperate", "defect"]
decision = { rule = "logit", lambda = "lambda_row" }
  [[agents.utility]]
  when = { row = "defect" }
  value = "g"
  [[agents.utility]]
  when = { column = "cooperate" }
  value = "3"

[[agents]]
name = "column"
actions = ["cooperate", "defect"]
decision = { rule = "logit", lambda = "lambda_column" }
  [[agents.utility]]
  when = { column = "defect" }
  value = "g"
  [[agents.utility]]
  when = { row = "cooperate" }
  value = "3"

[[outcomes]]
name = "end"
at_horizon = true
"#;

#[test]
fn constant_gain_pd_qre_is_the_closed_form_and_every_run_is_on_it() {
    let s = compile(CONSTANT_GAIN_PD, &[]);
    let g: f64 = 0.7;
    let closed = |lambda: f64| 1.0 / (1.0 + libm::exp(-lambda * g));
    // The QRE itself, from the stage game with heterogeneous λ.
    let sets = stage::ActionSets::all(&s);
    let mut game = stage::empty_game(&sets.sizes());
    let frame = vec![0.0; s.layout.len];
    let values: Vec<Vec<f64>> = s
        .agents
        .iter()
        .map(|a| {
            let mut v = vec![0.0; a.terms.len()];
            model::evaluate_terms(a, &frame, &mut v);
            v
        })
        .collect();
    let mut scratch = Vec::new();
    stage::fill_stage_game(&mut game, &sets, &mut scratch, |p, i| {
        model::utility_at(&s.agents[i], &values[i], p, &[0, 0])
    })
    .unwrap();
    let q = qre::heterogeneous_qre(&game, &[1.0, 2.5], &mut None).unwrap();
    assert!((q[0][1] - closed(1.0)).abs() < 1e-10, "{q:?}");
    assert!((q[1][1] - closed(2.5)).abs() < 1e-10, "{q:?}");
    // Every run's last-round choice probabilities are the QRE's.
    let mut engine = Engine::new(s.clone());
    for run in 0..300 {
        let r = engine.run(SEED, run);
        let a = &r.analysis;
        assert!(
            a.qre_distance < 1e-9,
            "run {run}: distance {}",
            a.qre_distance
        );
        assert_eq!(a.qre, Some(QreClass::Qre));
    }
}

#[test]
fn lambda_zero_runs_are_all_the_uniform_qre() {
    let s = shipped("chicken.toml", &[("lambda", 0.0)]);
    assert!(s.classification.concepts.qre);
    let mut engine = Engine::new(s);
    for run in 0..300 {
        let a = &engine.run(SEED, run).analysis;
        assert_eq!(a.qre, Some(QreClass::Qre), "run {run}");
        assert_eq!(a.qre_distance, 0.0, "run {run}");
    }
}

#[test]
fn epsilon_is_zero_exactly_when_the_play_is_a_pure_nash_equilibrium() {
    for (file, set) in [
        ("chicken.toml", vec![("lambda", 1.0)]),
        ("stag_hunt.toml", vec![]),
        ("battle_of_the_sexes.toml", vec![("lambda", 0.5)]),
        ("iran_plan_b.toml", vec![]),
    ] {
        let s = shipped(file, &set);
        let mut engine = Engine::new(s);
        let (mut zero, mut positive) = (0, 0);
        for run in 0..400 {
            let r = engine.run(SEED, run);
            let pure = matches!(r.equilibrium, EquilibriumClass::PureNash { .. });
            let eps = r.analysis.regret_true;
            assert_eq!(
                eps == 0.0,
                pure,
                "{file} run {run}: ε = {eps}, class {:?}",
                r.equilibrium
            );
            assert!(eps >= 0.0);
            if pure { zero += 1 } else { positive += 1 }
        }
        // Both cases occur, so the check is not vacuous.
        assert!(
            zero > 0 && positive > 0,
            "{file}: {zero} equilibria, {positive} others"
        );
    }
}

#[test]
fn chicken_regret_of_each_settled_profile_is_the_hand_derived_one() {
    // Chicken (swerve/straight; lose −1, win +1, crash −10): regret of (sw, sw) is 1
    // (either driver gains 1 by going straight), of (st, st) is 9 (−1 instead of −10),
    // of (sw, st) and (st, sw) is 0. Each outcome of the scenario is one profile, so
    // mean ε = 9 P(crash) + 1 P(both_swerve), a sum over profiles of P(s) regret(s).
    let s = shipped("chicken.toml", &[("lambda", 1.0)]);
    let regret_of = [9.0, 0.0, 0.0, 1.0]; // crash, row_prevails, column_prevails, both_swerve
    let mut engine = Engine::new(s);
    let n = 4000;
    let (mut sum, mut sum2) = (0.0, 0.0);
    let mut counts = [0u64; 4];
    for run in 0..n {
        let r = engine.run(SEED, run);
        let e = r.analysis.regret_true;
        sum += e;
        sum2 += e * e;
        counts[r.outcome] += 1;
        assert_eq!(e, regret_of[r.outcome], "run {run}");
    }
    let nf = n as f64;
    let mean = sum / nf;
    let sd = ((sum2 - nf * mean * mean) / (nf - 1.0)).sqrt();
    let half = 1.96 * sd / nf.sqrt();
    let expected: f64 = counts
        .iter()
        .zip(regret_of)
        .map(|(&c, r)| c as f64 / nf * r)
        .sum();
    assert!(
        (mean - expected).abs() <= half,
        "{mean} vs {expected} ± {half}"
    );
    assert!(counts[0] > 0 && counts[3] > 0, "{counts:?}");
}

#[test]
fn best_responders_are_always_deliberate() {
    for (file, s) in [
        ("prisoners_dilemma", shipped("prisoners_dilemma.toml", &[])),
        ("matching_pennies", shipped("matching_pennies.toml", &[])),
        ("strike_intel", shipped("strike_intel.toml", &[])),
        ("bayesian_bos", compile(BAYESIAN_BOS, &[])),
    ] {
        assert!(
            s.agents
                .iter()
                .all(|a| matches!(a.rule, brink_core::DecisionRule::BestResponse)),
            "{file} is all best response"
        );
        let all = (1u64 << s.agents.len()) - 1;
        let mut engine = Engine::new(s);
        for run in 0..300 {
            let a = &engine.run(SEED, run).analysis;
            assert_eq!(a.deliberate, all, "{file} run {run}");
            assert_eq!(a.regret_interim, 0.0, "{file} run {run}");
        }
    }
}

#[test]
fn logit_players_sometimes_tremble() {
    let s = shipped("chicken.toml", &[("lambda", 0.3)]);
    let mut engine = Engine::new(s);
    let trembles = (0..500)
        .filter(|&run| engine.run(SEED, run).analysis.deliberate != 3)
        .count();
    assert!(trembles > 0);
}

/// Osborne (2004), Example 274.1: battle of the sexes in which player 1 (row) does
/// not know whether player 2 wishes to meet or avoid them (each with probability 1/2).
/// Row: (B, B) 2, (S, S) 1, else 0. Column "meet": (B, B) 1, (S, S) 2, else 0;
/// "avoid": (B, S) 2, (S, B) 1, else 0.
///
/// Hand derivation. "meet" copies row, "avoid" does the opposite, whatever row plays.
/// If row plays B, the column plays (B, S), so row's B pays 2·½ = 1 > S's 1·½: a BNE.
/// If row plays S, the column plays (S, B): B pays 2·½ = 1 > S's ½, so row deviates.
/// The unique pure BNE is (B; B, S).
const BAYESIAN_BOS: &str = r#"
[scenario]
name = "bayesian_bos"
horizon = 1

[[agents]]
name = "row"
actions = ["B", "S"]
status_quo = "B"
decision = { rule = "best_response" }
  [[agents.utility]]
  when = { row = "B", column = "B" }
  value = "2"
  [[agents.utility]]
  when = { row = "S", column = "S" }
  value = "1"

[[agents]]
name = "column"
actions = ["B", "S"]
status_quo = "B"
decision = { rule = "best_response" }
  [[agents.types]]
  name = "meet"
  prior = "0.5"
  values = { meet = 1, avoid = 0 }
  [[agents.types]]
  name = "avoid"
  prior = "0.5"
  values = { meet = 0, avoid = 1 }
  [[agents.utility]]
  when = { row = "B", column = "B" }
  value = "self.meet"
  [[agents.utility]]
  when = { row = "S", column = "S" }
  value = "2 * self.meet"
  [[agents.utility]]
  when = { row = "B", column = "S" }
  value = "2 * self.avoid"
  [[agents.utility]]
  when = { row = "S", column = "B" }
  value = "self.avoid"

[[outcomes]]
name = "end"
at_horizon = true
"#;

/// Term values of every agent and type on an all-zero frame (constant utilities).
fn constant_values(s: &CompiledScenario, d: &Dims) -> Vec<f64> {
    let frame = vec![0.0; s.layout.len];
    let mut out = vec![0.0; d.values];
    model::evaluate_all_terms(s, d, &frame, &mut out);
    out
}

/// Every agent's beliefs at the prior.
fn prior_weights(s: &CompiledScenario, d: &Dims) -> Vec<f64> {
    let mut w = vec![0.0; d.types * s.agents.len()];
    for i in 0..s.agents.len() {
        for (j, a) in s.agents.iter().enumerate() {
            for (t, ty) in a.types.iter().enumerate() {
                w[i * d.types + d.type_offset[j] + t] = ty.prior;
            }
        }
    }
    w
}

#[test]
fn bayesian_battle_of_the_sexes_has_the_hand_derived_pure_bne() {
    let s = compile(BAYESIAN_BOS, &[]);
    assert!(s.classification.concepts.bayes_nash);
    assert!(!s.classification.concepts.qre);
    let d = Dims::new(&s);
    let sets = stage::ActionSets::all(&s);
    let values = constant_values(&s, &d);
    let weights = prior_weights(&s, &d);
    let form = bayes::TypeForm {
        s: &s,
        d: &d,
        sets: &sets,
        values: &values,
        weights: &weights,
        interdependent: false,
    };
    // Players: row, column-meet, column-avoid; B = 0, S = 1.
    assert_eq!(form.equilibria(), vec![vec![0, 0, 1]]);
    let profile = form.profile_index(&form.players(), &[0, 0, 1]);
    assert_eq!(
        s.bayes_nash_label(BayesNashClass::Equilibrium { profile }),
        "(B, B/S)"
    );
    // The restricted search agrees with the enumeration for every realised play.
    let mut sc = bayes::Scratch::default();
    for (types, last, want) in [
        ([0, 0], [0, 0], Some(profile)),
        ([0, 1], [0, 1], Some(profile)),
        ([0, 0], [1, 1], None),
        ([0, 1], [0, 0], None),
    ] {
        let realised: Vec<Vec<usize>> = last.iter().map(|&a| vec![a]).collect();
        assert_eq!(form.matching_equilibrium(&types, &realised, &mut sc), want);
    }
    // Best responders play it at their realised types, and are classified as it.
    let mut engine = Engine::new(s.clone());
    let mut seen = [0; 2];
    for run in 0..200 {
        let r = engine.run(SEED, run);
        assert_eq!(
            r.analysis.bayes_nash,
            Some(BayesNashClass::Equilibrium { profile }),
            "run {run}"
        );
        seen[usize::from(r.payoffs[1] == 2.0)] += 1;
    }
    // Both column types occurred (the avoid type gets 2, the meet type 1).
    assert!(seen[0] > 0 && seen[1] > 0, "{seen:?}");
}

#[test]
fn matching_search_equals_filtered_enumeration_on_the_flagship() {
    // The agent-type form of the flagship (4 050 profiles) at the last state of a few
    // runs, posterior weights replaced by the prior: the restricted search returns the
    // first enumerated BNE matching each realised play, or none.
    let s = shipped("iran_plan_b.toml", &[]);
    let d = Dims::new(&s);
    let sets = stage::ActionSets::all(&s);
    let mut frame = vec![0.0; s.layout.len];
    let weights = prior_weights(&s, &d);
    let mut sc = bayes::Scratch::default();
    let mut found = 0;
    for (k, v) in s.state.iter().enumerate() {
        frame[k] = v.initial;
    }
    for shift in [0.0, 0.2, 0.4] {
        for x in frame.iter_mut().take(s.state.len()) {
            *x = (*x + shift).min(1.0);
        }
        let mut values = vec![0.0; d.values];
        model::evaluate_all_terms(&s, &d, &frame, &mut values);
        let form = bayes::TypeForm {
            s: &s,
            d: &d,
            sets: &sets,
            values: &values,
            weights: &weights,
            interdependent: false,
        };
        let all = form.equilibria();
        let players = form.players();
        for types in [[0, 0, 0, 0], [1, 0, 1, 0], [1, 1, 1, 0]] {
            // Fixed plays, and the realised play of the first and last enumerated
            // BNE (each must be found).
            let mut lasts = vec![[1, 1, 1, 0], [2, 0, 1, 0], [2, 1, 1, 0], [0, 0, 0, 0]];
            for e in all.first().into_iter().chain(all.last()) {
                let mut l = [0; 4];
                for (&(i, t), &a) in players.iter().zip(e) {
                    if t == types[i] {
                        l[i] = a;
                    }
                }
                lasts.push(l);
            }
            for last in lasts {
                let realised: Vec<Vec<usize>> = last.iter().map(|&a| vec![a]).collect();
                let want = all
                    .iter()
                    .find(|e| {
                        players
                            .iter()
                            .zip(e.iter())
                            .all(|(&(i, t), &a)| t != types[i] || a == last[i])
                    })
                    .map(|e| form.profile_index(&players, e));
                found += usize::from(want.is_some());
                assert_eq!(form.matching_equilibrium(&types, &realised, &mut sc), want);
            }
        }
        assert!(!all.is_empty(), "shift {shift}: no pure BNE");
    }
    assert!(found > 0);
}

#[test]
fn heterogeneous_qre_matches_pygambit_on_2x2_and_3x3_games() {
    // tests/reference/generate_qre.py; pygambit's tracer stops at ~1e-8 accuracy.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/fixtures/logit_qre.json");
    let text = std::fs::read_to_string(path).expect("fixture present");
    let mut cases = 0;
    let mut sizes = std::collections::BTreeSet::new();
    for line in text.lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap();
        let n: Vec<usize> = v["num_strategies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        let payoffs: Vec<f64> = v["payoffs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let lambdas: Vec<f64> = v["lambdas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let want: Vec<Vec<f64>> = serde_json::from_value(v["qre"].clone()).unwrap();
        let game = brink_solve::NormalFormGame::new(n.clone(), payoffs).unwrap();
        let got = qre::heterogeneous_qre(&game, &lambdas, &mut None).expect("traced");
        for (p, (g, w)) in got.iter().zip(&want).enumerate() {
            for (a, (x, y)) in g.iter().zip(w).enumerate() {
                assert!(
                    (x - y).abs() < 1e-6,
                    "{id}: player {p} action {a}: {x} vs {y}"
                );
            }
        }
        // The logit conditions with each player's own λ, on the unscaled game.
        for p in 0..2 {
            let u = brink_solve::strategy_payoffs_against_mixed(&game, p, &got).unwrap();
            let z: f64 = u.iter().map(|&x| libm::exp(lambdas[p] * x)).sum();
            for (a, &x) in u.iter().enumerate() {
                let logit = libm::exp(lambdas[p] * x) / z;
                assert!(
                    (got[p][a] - logit).abs() < 1e-9,
                    "{id}: fixed point, player {p}"
                );
            }
        }
        sizes.insert(n);
        cases += 1;
    }
    assert!(cases >= 30, "{cases} cases");
    assert!(sizes.contains(&vec![2, 2]) && sizes.contains(&vec![3, 3]));
}
