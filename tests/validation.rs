//! The validation families of docs/validation.md: simulated frequencies checked against
//! closed-form theory. Each Monte Carlo check asks that the closed-form value lie in
//! the 99% Wilson interval of the simulated frequency (fixed seeds, so a check that
//! passes once passes always; with a wrong model the intervals miss by many widths).

use std::sync::Arc;

use brink_core::{CompiledScenario, Engine, EquilibriumClass, RunResult};
use brink_report::stats::wilson_interval;

/// Two-sided 99% normal quantile.
const Z99: f64 = 2.575_829_303_548_901;

fn path(name: &str) -> String {
    format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"))
}

fn load(name: &str, overrides: &[(&str, f64)]) -> Arc<CompiledScenario> {
    let o: Vec<(String, f64)> = overrides.iter().map(|(k, v)| ((*k).into(), *v)).collect();
    Arc::new(brink_core::scenario::load(path(name).as_ref(), &o).unwrap_or_else(|e| panic!("{e}")))
}

/// A scenario file with text replaced (e.g. another decision rule).
fn load_edited(name: &str, edits: &[(&str, &str)]) -> Arc<CompiledScenario> {
    let mut src = std::fs::read_to_string(path(name)).unwrap();
    for (from, to) in edits {
        assert!(src.contains(from), "{name}: `{from}` not found");
        src = src.replace(from, to);
    }
    Arc::new(brink_core::scenario::from_str(&src, name, &[]).unwrap_or_else(|e| panic!("{e}")))
}

/// Plays `runs` runs (seed `seed`) and hands each result to `f`.
fn each_run(scenario: &Arc<CompiledScenario>, seed: u64, runs: u64, mut f: impl FnMut(&RunResult)) {
    let mut engine = Engine::new(scenario.clone());
    for i in 0..runs {
        f(engine.run(seed, i));
    }
}

/// Outcome counts over `runs` runs.
fn outcome_counts(scenario: &Arc<CompiledScenario>, seed: u64, runs: u64) -> Vec<u64> {
    let mut counts = vec![0u64; scenario.outcomes.len()];
    each_run(scenario, seed, runs, |r| counts[r.outcome] += 1);
    counts
}

fn outcome(scenario: &CompiledScenario, name: &str) -> usize {
    scenario
        .outcomes
        .iter()
        .position(|o| o.name == name)
        .unwrap_or_else(|| panic!("no outcome {name}"))
}

/// Asserts that `expected` lies in the 99% Wilson interval of `count / runs`.
fn assert_covers(what: &str, count: u64, runs: u64, expected: f64) {
    let (lo, hi) = wilson_interval(count, runs, Z99);
    assert!(
        (lo..=hi).contains(&expected),
        "{what}: simulated {count}/{runs} = {:.4}, 99% interval [{lo:.4}, {hi:.4}], closed form {expected:.4}",
        count as f64 / runs as f64
    );
}

// ---------------------------------------------------------------------------------
// 1. Fearon's bargaining model.

#[test]
fn fearon_demand_and_war_probability_match_the_closed_form() {
    // (p, cA, cbar): 20 (cbar - cA) / (2 cbar) whole, so the grid holds x* exactly;
    // the last case has cA > cbar: A demands p and war never happens.
    let cases = [
        (0.4, 0.08, 0.4),
        (0.5, 0.12, 0.3),
        (0.3, 0.05, 0.5),
        (0.4, 0.6, 0.4),
    ];
    let runs = 4000;
    for (p, ca, cbar) in cases {
        let s = load("fearon_bargaining", &[("p", p), ("cA", ca), ("cbar", cbar)]);
        let x_star = (p + (cbar - ca) / 2.0).clamp(p, p + cbar);
        let war_prob = ((cbar - ca) / (2.0 * cbar)).max(0.0);
        let war = outcome(&s, "war");
        let mut wars = 0;
        each_run(&s, 7, runs, |r| {
            // The demand is a state variable set by A's action.
            assert!(
                (r.final_state[0] - x_star).abs() < 1e-12,
                "p={p} cA={ca} cbar={cbar}: A demanded {} instead of x* = {x_star}",
                r.final_state[0]
            );
            wars += u64::from(r.outcome == war);
        });
        let what = format!("war frequency at p={p}, cA={ca}, cbar={cbar}");
        if war_prob == 0.0 {
            assert_eq!(wars, 0, "{what}");
        } else {
            assert_covers(&what, wars, runs, war_prob);
        }
    }
}

// ---------------------------------------------------------------------------------
// 2. Striking on intelligence.

/// Closed form of docs/validation.md §2: whether the separating equilibrium holds, the
/// defender's posteriors after a "build" and a "refrain" report, and the probabilities
/// of the four outcomes.
fn strike_closed_form(
    pi: f64,
    alpha: f64,
    (gain, cost, bomb_value, loss): (f64, f64, f64, f64),
) -> (bool, f64, f64, [f64; 4]) {
    let theta = cost / (gain + cost);
    let mu_build = pi * alpha / (pi * alpha + (1.0 - pi) * (1.0 - alpha));
    let mu_refrain = pi * (1.0 - alpha) / (pi * (1.0 - alpha) + (1.0 - pi) * alpha);
    let separating =
        mu_build > theta && mu_refrain <= theta && bomb_value < loss * (2.0 * alpha - 1.0);
    if separating {
        // Determined builds, opportunist refrains; strike exactly on a "build" report.
        (
            true,
            mu_build,
            mu_refrain,
            [
                pi * alpha,
                (1.0 - pi) * (1.0 - alpha),
                pi * (1.0 - alpha),
                (1.0 - pi) * alpha,
            ],
        )
    } else {
        // Both types build; the report says nothing about a type that always builds
        // (posterior = prior), and the defender strikes whatever it says.
        (false, pi, pi, [1.0, 0.0, 0.0, 0.0])
    }
}

#[test]
fn strike_intel_outcomes_and_posteriors_match_the_closed_form() {
    // (pi, alpha): separating (strike on a build report; the opportunist is deterred)
    // at alpha = 0.9 and 0.8; pooling at 0.7 (deterrence 2 alpha - 1 = 0.4 < the
    // opportunist's bomb value 0.5) and at 0.6 (a build report leaves 0.391 < 0.4);
    // separating at pi = 0.8, alpha = 0.9; pooling at pi = 0.9, alpha = 0.8 (even a
    // refrain report leaves 0.692 > 0.4).
    let cases = [
        (0.3, 0.9),
        (0.3, 0.8),
        (0.3, 0.7),
        (0.3, 0.6),
        (0.8, 0.9),
        (0.9, 0.8),
    ];
    let params = (3.0, 2.0, 0.5, 1.0);
    let runs = 4000;
    let mut regimes = Vec::new();
    for (pi, alpha) in cases {
        let s = load("strike_intel", &[("pi", pi), ("alpha", alpha)]);
        let (separating, mu_build, mu_refrain, probs) = strike_closed_form(pi, alpha, params);
        regimes.push(separating);
        let counts = outcome_counts(&s, 11, runs);
        for (o, name) in [
            "strike_on_builder",
            "strike_on_non_builder",
            "bomb",
            "peace",
        ]
        .iter()
        .enumerate()
        {
            let k = counts[outcome(&s, name)];
            let what = format!("{name} at pi={pi}, alpha={alpha}");
            if probs[o] == 0.0 || probs[o] == 1.0 {
                assert_eq!(k as f64, probs[o] * runs as f64, "{what}");
            } else {
                assert_covers(&what, k, runs, probs[o]);
            }
        }
        // The defender's round-2 belief is Bayes' posterior after the report it saw.
        let mut engine = Engine::new(s.clone());
        for i in 0..40 {
            let (_, trace) = engine.run_traced(11, i);
            let defender = &trace.rounds[1].agents[0];
            let (_, report) = &defender.observed[0];
            let belief = defender.beliefs[0].types[0].value;
            let want = if report == "build" {
                mu_build
            } else {
                mu_refrain
            };
            assert!(
                (belief - want).abs() < 1e-12,
                "pi={pi} alpha={alpha}: posterior after `{report}` is {belief}, Bayes gives {want}"
            );
        }
    }
    assert_eq!(regimes, [true, true, false, false, true, false]);
}

// ---------------------------------------------------------------------------------
// 3. Learning in 2×2 games.

fn class_count(s: &Arc<CompiledScenario>, seed: u64, runs: u64, class: EquilibriumClass) -> u64 {
    let mut n = 0;
    each_run(s, seed, runs, |r| n += u64::from(r.equilibrium == class));
    n
}

#[test]
fn stag_hunt_fictitious_play_settles_in_proportion_to_the_basins() {
    // Profile index: (stag, stag) = 0, (hare, hare) = 3.
    let stag_stag = EquilibriumClass::PureNash { profile: 0 };
    let hare_hare = EquilibriumClass::PureNash { profile: 3 };
    let runs = 6000;
    // p* = 3/4: basin of (stag, stag) = (1 - p*)^2 = 1/16; the rest goes to (hare, hare).
    let s = load("learning_stag_hunt", &[]);
    let n = class_count(&s, 5, runs, stag_stag);
    assert_covers("(stag, stag) with p* = 3/4", n, runs, 1.0 / 16.0);
    assert_eq!(n + class_count(&s, 5, runs, hare_hare), runs);
    // p* = 1/3: basin of (stag, stag) = 1 - p*^2 = 8/9.
    let s = load("learning_stag_hunt", &[("stag", 3.0), ("hare", 1.0)]);
    let n = class_count(&s, 5, runs, stag_stag);
    assert_covers("(stag, stag) with p* = 1/3", n, runs, 8.0 / 9.0);
    assert_eq!(n + class_count(&s, 5, runs, hare_hare), runs);
}

#[test]
fn matching_pennies_fictitious_play_frequencies_converge_to_one_half() {
    let s = load("learning_matching_pennies", &[]);
    let mixed = EquilibriumClass::MixedNash {
        supports: [0b11, 0b11],
    };
    // The farther from 1/2 the frequencies of a run of T rounds, the worse; they
    // shrink as T grows (Robinson 1951).
    let worst = |s: &Arc<CompiledScenario>| {
        let mut worst = 0.0f64;
        each_run(s, 3, 100, |r| {
            assert_eq!(r.play.len(), 4);
            for &f in &r.play {
                worst = worst.max((f - 0.5).abs());
            }
        });
        worst
    };
    let long = worst(&s);
    assert!(
        long < 0.05,
        "frequencies after 2000 rounds are {long} from 1/2"
    );
    assert_eq!(class_count(&s, 3, 100, mixed), 100);
    let short = load_edited(
        "learning_matching_pennies",
        &[
            ("horizon = 2000", "horizon = 50"),
            ("window = 2000", "window = 50"),
        ],
    );
    let early = worst(&short);
    assert!(early > long, "50 rounds: {early}, 2000 rounds: {long}");
    // A tolerance of 0.001 is met by almost no run of 50 rounds.
    let strict = load_edited(
        "learning_matching_pennies",
        &[
            ("horizon = 2000", "horizon = 50"),
            ("window = 2000", "window = 50"),
            ("tolerance = 0.05", "tolerance = 0.001"),
        ],
    );
    assert!(class_count(&strict, 3, 100, mixed) < 20);
    // Smooth fictitious play (logit responses, lambda = 5) converges too.
    let smooth = load_edited(
        "learning_matching_pennies",
        &[(
            r#"decision = { rule = "fictitious_play", prior = "uniform", prior_weight = 1 }"#,
            r#"decision = { rule = "fictitious_play", prior = "uniform", prior_weight = 1, lambda = 5 }"#,
        )],
    );
    assert!(worst(&smooth) < 0.05);
}

#[test]
fn prisoners_dilemma_ends_in_mutual_defection_under_every_rule() {
    let rules = [
        r#"decision = { rule = "best_response" }"#,
        r#"decision = { rule = "logit", lambda = 50 }"#,
        r#"decision = { rule = "fictitious_play", prior = "random" }"#,
        r#"decision = { rule = "fictitious_play", prior = "uniform", lambda = 20 }"#,
        r#"decision = { rule = "level_k", level = 1 }"#,
        r#"decision = { rule = "level_k", level = 3 }"#,
        r#"decision = { rule = "cognitive_hierarchy", level = 2, tau = 1.5 }"#,
    ];
    for rule in rules {
        let s = load_edited(
            "prisoners_dilemma",
            &[(r#"decision = { rule = "best_response" }"#, rule)],
        );
        let defect = s.agents[0]
            .actions
            .iter()
            .position(|a| a == "defect")
            .unwrap();
        let dd = EquilibriumClass::PureNash {
            profile: s.profile_index(&[defect, defect]),
        };
        let runs = 300;
        // Logit and smooth play still err now and then; the last round must be
        // mutual defection in nearly all runs, and exactly all for best responders.
        let n = class_count(&s, 1, runs, dd);
        if rule.contains("lambda") {
            assert!(n >= runs * 95 / 100, "{rule}: {n}/{runs}");
        } else {
            assert_eq!(n, runs, "{rule}");
        }
    }
}

// ---------------------------------------------------------------------------------
// 4. Level-k in the 11–20 money request game.

/// The row player's request in a one-shot game, with the given decision lines for
/// row and column (level 0 of both asks for 20).
fn request(row_rule: &str, column_rule: &str, level0: &str) -> usize {
    let src = std::fs::read_to_string(path("money_request")).unwrap();
    let mut parts = src.splitn(2, r#"decision = { rule = "level_k", level = 2 }"#);
    let head = parts.next().unwrap().replace(
        r#"decision = { rule = "level_k", level = 1 }"#,
        &format!(r#"decision = {row_rule}"#),
    );
    let tail = parts.next().unwrap();
    let src =
        format!("{head}decision = {column_rule}{tail}").replace("level0 = { r20 = 1.0 }", level0);
    let s = Arc::new(brink_core::scenario::from_str(&src, "money_request", &[]).unwrap());
    let mut engine = Engine::new(s.clone());
    let r = engine.run(0, 0).clone();
    let asked = s.outcomes[r.outcome].name.trim_start_matches("row_asks_");
    asked.parse().unwrap()
}

#[test]
fn level_k_requests_in_the_11_20_game() {
    let column = r#"{ rule = "level_k", level = 0 }"#;
    // Level k asks for 20 - k (Arad & Rubinstein 2012), k = 0..9; level 10 faces a
    // level 9 asking 11 and, with no way to undercut, asks for 20 again.
    for k in 0..=9 {
        let rule = format!(r#"{{ rule = "level_k", level = {k} }}"#);
        assert_eq!(
            request(&rule, column, "level0 = { r20 = 1.0 }"),
            20 - k,
            "level {k}"
        );
    }
    let rule = r#"{ rule = "level_k", level = 10 }"#;
    assert_eq!(request(rule, column, "level0 = { r20 = 1.0 }"), 20);
    // A uniform level 0: level 1 compares 19 + 20/10 = 21 with 20 and asks 19.
    let rule = r#"{ rule = "level_k", level = 1 }"#;
    assert_eq!(request(rule, column, r#"level0 = "uniform""#), 19);
}

#[test]
fn cognitive_hierarchy_requests_in_the_11_20_game() {
    let column = r#"{ rule = "level_k", level = 0 }"#;
    let ch = |level: u32, tau: f64| {
        let rule = format!(r#"{{ rule = "cognitive_hierarchy", level = {level}, tau = {tau} }}"#);
        request(&rule, column, "level0 = { r20 = 1.0 }")
    };
    // Level 2 faces level 0 (asks 20) and level 1 (asks 19) in proportions 1 : tau.
    // EU(19) = 19 + 20/(1+tau), EU(18) = 18 + 20 tau/(1+tau), EU(20) = 20.
    // tau = 1.5: 27 vs 30 -> 18; tau = 1: 29 vs 28 -> 19.
    assert_eq!(ch(2, 1.5), 18);
    assert_eq!(ch(2, 1.0), 19);
    // Level 3, tau = 1.5: levels 0, 1, 2 (asking 20, 19, 18) in proportions
    // 1 : 1.5 : 1.125; EU(18) = 18 + 20 * 1.5/3.625 = 26.28 beats EU(17) = 23.21 and
    // EU(19) = 24.52, so CH level 3 asks 18 where level-k level 3 asks 17.
    assert_eq!(ch(3, 1.5), 18);
    assert_eq!(ch(1, 1.5), 19);
}

// ---------------------------------------------------------------------------------
// Intelligence on the world state.

/// One agent deciding whether to act on a reading of `x`: acting pays `x − 0.5`.
const READING: &str = r#"
[scenario]
name = "reading"
horizon = 400

[state]
x = { initial = 0.52, min = 0.0, max = 1.0 }

[[agents]]
name = "analyst"
actions = ["wait", "act"]
decision = { rule = "best_response" }
state_intel = { x = { sd = 0.2, drift = 0.1 } }

  [[agents.utility]]
  when = { analyst = "act" }
  value = "x - 0.5"

[[outcomes]]
name = "end"
at_horizon = true
"#;

#[test]
fn state_intelligence_is_a_kalman_filter_and_decisions_use_it() {
    let s = Arc::new(brink_core::scenario::from_str(READING, "reading", &[]).unwrap());
    let mut engine = Engine::new(s);
    let (sd, drift, truth) = (0.2f64, 0.1f64, 0.52f64);
    let (mut errors, mut squares, mut acts_on_truth_differ) = (0.0, 0.0, 0u32);
    let mut n = 0.0;
    for run in 0..5 {
        let (_, trace) = engine.run_traced(17, run);
        // Hand-rolled filter from the readings in the trace.
        let (mut mean, mut var) = (truth, 0.0f64);
        for r in &trace.rounds {
            let a = &r.agents[0];
            let e = &a.estimates[0];
            let prior = var + drift * drift;
            let k = prior / (prior + sd * sd);
            mean += k * (e.reading - mean);
            var = (1.0 - k) * prior;
            assert!(
                (e.mean - mean).abs() < 1e-12,
                "round {}: {} vs {mean}",
                r.round,
                e.mean
            );
            assert!((e.sd - var.sqrt()).abs() < 1e-12);
            // The analyst acts exactly when its estimate says acting pays.
            let expected = if mean > 0.5 { "act" } else { "wait" };
            assert_eq!(a.action, expected, "round {}", r.round);
            acts_on_truth_differ += u32::from(a.action == "wait");
            errors += e.reading - truth;
            squares += (e.reading - truth) * (e.reading - truth);
            n += 1.0;
        }
    }
    // Readings are the truth plus N(0, sd²): mean error within 4 standard errors of 0
    // and variance within 10% of sd² over 2000 readings.
    let mean_err = errors / n;
    assert!(
        mean_err.abs() < 4.0 * sd / n.sqrt(),
        "mean error {mean_err}"
    );
    let var_err = squares / n - mean_err * mean_err;
    assert!(
        (var_err / (sd * sd) - 1.0).abs() < 0.1,
        "error variance {var_err}"
    );
    // With perfect knowledge it would always act (x = 0.52 > 0.5); noisy estimates
    // make it wait in some rounds.
    assert!(acts_on_truth_differ > 0);
}
