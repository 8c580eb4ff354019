//! The plain-struct model in `benches/plain` is the same model as the ECS engine: run
//! for run, its results must be identical, bit for bit. Otherwise the benchmark that
//! compares their speed would compare two different models.

#[path = "../benches/plain/mod.rs"]
mod plain;

use std::path::Path;
use std::sync::Arc;

use brink_core::{Engine, RunResult, scenario};
use plain::PlainEngine;

const MASTER: u64 = 2021;

/// Whether two results are identical, comparing floats by their bits (so NaN equals
/// NaN and 0.0 differs from -0.0).
fn identical(a: &RunResult, b: &RunResult) -> bool {
    let same_bits = |x: &[f64], y: &[f64]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
    };
    a.outcome == b.outcome
        && a.equilibrium == b.equilibrium
        && a.rounds == b.rounds
        && same_bits(&a.final_state, &b.final_state)
        && same_bits(&a.payoffs, &b.payoffs)
        && same_bits(&a.play, &b.play)
        // The end-of-run analysis: `Debug` prints every float exactly (and -0.0).
        && format!("{:?}", a.analysis) == format!("{:?}", b.analysis)
}

fn assert_agree(file: &str, runs: u64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let s = Arc::new(scenario::load(&path, &[]).expect("scenario loads"));
    let mut engine = Engine::new(s.clone());
    let mut plain = PlainEngine::new(s);
    let mut rounds = 0u64;
    for index in 0..runs {
        let ecs = engine.run(MASTER, index);
        let own = plain.run(MASTER, index);
        assert!(
            identical(ecs, own),
            "{file}, run {index}: the plain model differs from the engine\n  engine: {ecs:?}\n  plain:  {own:?}"
        );
        rounds += u64::from(ecs.rounds);
    }
    // The runs must actually play: a check over empty runs would prove nothing.
    assert!(rounds > runs, "{file}: {rounds} rounds over {runs} runs");
}

#[test]
fn plain_model_agrees_with_engine_on_iran_plan_b() {
    assert_agree("scenarios/iran_plan_b.toml", 2_000);
}

#[test]
fn plain_model_agrees_with_engine_on_classic_games() {
    for file in [
        "scenarios/prisoners_dilemma.toml",
        "scenarios/stag_hunt.toml",
        "scenarios/chicken.toml",
        "scenarios/battle_of_the_sexes.toml",
        "scenarios/matching_pennies.toml",
    ] {
        assert_agree(file, 2_000);
    }
}

#[test]
fn plain_model_agrees_on_windowed_classification_with_mixed_equilibria() {
    // Matching pennies classified on its last 20 rounds: runs land in the mixed
    // equilibrium, both models must say so for the same runs.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/matching_pennies.toml");
    let src =
        std::fs::read_to_string(path).unwrap() + "\n[equilibrium]\nwindow = 20\ntolerance = 0.25\n";
    let s = Arc::new(scenario::from_str(&src, "matching_pennies", &[]).expect("loads"));
    let mut engine = Engine::new(s.clone());
    let mut plain = PlainEngine::new(s);
    let mut mixed = 0;
    for index in 0..500 {
        let ecs = engine.run(MASTER, index);
        let own = plain.run(MASTER, index);
        assert!(identical(ecs, own), "run {index}: {ecs:?} vs {own:?}");
        mixed += u32::from(matches!(
            ecs.equilibrium,
            brink_core::EquilibriumClass::MixedNash { .. }
        ));
    }
    assert!(mixed > 0, "no run was classified as the mixed equilibrium");
}
