//! A run is a pure function of (scenario, master seed, run index): not of threads,
//! order, or whether it was traced.

use std::sync::Arc;

use brink_core::{CompiledScenario, Engine};
use brink_mc::{BatchSpec, CHUNK_RUNS, empty_aggregate, run_batch};

fn load(name: &str) -> Arc<CompiledScenario> {
    let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    Arc::new(brink_core::scenario::load(path.as_ref(), &[]).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn batch_aggregate_is_bit_identical_on_1_2_and_4_threads() {
    let scenario = load("iran_plan_b");
    let runs = 5 * CHUNK_RUNS + 17; // several chunks and a ragged last one
    let batch = |threads| {
        run_batch(
            &scenario,
            BatchSpec {
                seed: 99,
                runs,
                threads: Some(threads),
            },
            &|_| {},
        )
        .unwrap()
    };
    let one = batch(1);
    assert_eq!(one.runs, runs);
    for threads in [2, 4] {
        // PartialEq on the aggregate compares every float exactly.
        assert_eq!(batch(threads), one, "{threads} threads differ from 1");
    }
}

#[test]
fn replayed_runs_are_exactly_what_the_batch_counted() {
    let scenario = load("iran_plan_b");
    let runs = CHUNK_RUNS + 100;
    let seed = 2021;
    let batch = run_batch(
        &scenario,
        BatchSpec {
            seed,
            runs,
            threads: Some(2),
        },
        &|_| {},
    )
    .unwrap();

    // Rebuild the aggregate from traced replays, each with a fresh engine, merged in
    // the batch's chunking: it must equal the batch bit for bit.
    let mut total = empty_aggregate(&scenario);
    let mut chunk = empty_aggregate(&scenario);
    for i in 0..runs {
        let mut engine = Engine::new(scenario.clone());
        let (result, trace) = engine.run_traced(seed, i);
        assert_eq!(trace.rounds.len() as u32, result.rounds);
        assert_eq!(trace.outcome, scenario.outcomes[result.outcome].name);
        chunk.record(&result);
        if (i + 1) % CHUNK_RUNS == 0 || i + 1 == runs {
            total.merge(&chunk);
            chunk = empty_aggregate(&scenario);
        }
    }
    assert_eq!(total, batch);
}

#[test]
fn different_seeds_give_different_batches() {
    // Guards against a seed that is silently ignored.
    let scenario = load("iran_plan_b");
    let a = run_batch(
        &scenario,
        BatchSpec {
            seed: 1,
            runs: 2000,
            threads: Some(1),
        },
        &|_| {},
    )
    .unwrap();
    let b = run_batch(
        &scenario,
        BatchSpec {
            seed: 2,
            runs: 2000,
            threads: Some(1),
        },
        &|_| {},
    )
    .unwrap();
    assert_ne!(a.outcome_counts, b.outcome_counts);
}
