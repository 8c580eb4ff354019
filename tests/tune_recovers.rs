//! Tuning recovers the parameter that generated its targets.
//!
//! Targets are the outcome frequencies of `stag_hunt` at lambda = 1.3 over runs
//! `0..RUNS` with seed 5. Tuning lambda over [0.2, 5] with the same runs and seed
//! evaluates the objective with common random numbers: at lambda = 1.3 every run draws
//! the same numbers and makes the same choices as when the targets were generated, so
//! the simulated frequencies equal the targets exactly and the objective is exactly 0
//! there — the global minimum, with no Monte Carlo noise to move it. Away from 1.3 the
//! objective grows with the slope of the frequencies in lambda (checked below at
//! 1.3 ± 0.1), so any point whose objective is near 0 is near 1.3.
//!
//! Runs: 5,000 rather than 20,000, to keep the test well under a minute (about 45
//! batches; with 20,000 runs the whole test took 136 s on a loaded 2-core machine). The
//! argument above does not depend on the number of runs, and the landscape barely
//! does: measured objectives at lambda = 1.2 / 1.28 / 1.32 / 1.4 are 1.2e-3 / 3.6e-5 /
//! 2.9e-5 / 5.8e-4 with 5,000 runs and 1.2e-3 / 4.3e-5 / 2.3e-5 / 5.4e-4 with 20,000,
//! while one run flipping moves a frequency by only 2e-4. So the tolerance stays 0.1
//! on lambda, and the objective must come below 1e-5 — which in practice pins lambda
//! much closer than 0.1 (the objective is already 3e-5 at 1.3 ± 0.02).

use std::path::PathBuf;
use std::sync::Arc;

use brink_experiments::design::ParamRange;
use brink_experiments::tune::{Target, TuneSpec, tune};
use brink_mc::{BatchSpec, run_batch};

const RUNS: u64 = 5_000;
const SEED: u64 = 5;
const TRUE_LAMBDA: f64 = 1.3;

fn stag_hunt() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/stag_hunt.toml"
    ))
}

/// Outcome frequencies of stag_hunt at `lambda` over the test's runs and seed.
fn frequencies(lambda: f64) -> Vec<(String, f64)> {
    let scenario =
        brink_core::scenario::load(&stag_hunt(), &[("lambda".to_owned(), lambda)]).unwrap();
    let names: Vec<String> = scenario.outcomes.iter().map(|o| o.name.clone()).collect();
    let agg = run_batch(
        &Arc::new(scenario),
        BatchSpec {
            seed: SEED,
            runs: RUNS,
            threads: None,
        },
        &|_| {},
    )
    .unwrap();
    names
        .into_iter()
        .zip(agg.outcome_counts)
        .map(|(n, c)| (n, c as f64 / RUNS as f64))
        .collect()
}

fn sq_distance(a: &[(String, f64)], b: &[(String, f64)]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x.1 - y.1) * (x.1 - y.1))
        .sum()
}

#[test]
fn tuning_recovers_the_lambda_that_generated_the_targets() {
    let truth = frequencies(TRUE_LAMBDA);
    let targets: Vec<Target> = truth
        .iter()
        .map(|(outcome, frequency)| Target {
            outcome: outcome.clone(),
            frequency: *frequency,
        })
        .collect();

    // Identifiability: 0.1 away from the truth the objective is far above the level
    // the tuner must reach, so reaching it pins lambda to within 0.1.
    let floor = 1e-5;
    for lambda in [TRUE_LAMBDA - 0.1, TRUE_LAMBDA + 0.1] {
        let d = sq_distance(&frequencies(lambda), &truth);
        assert!(d > 10.0 * floor, "objective at {lambda} only {d}");
    }

    let spec = TuneSpec {
        ranges: vec![ParamRange {
            name: "lambda".into(),
            lo: 0.2,
            hi: 5.0,
            log: false,
        }],
        targets,
        runs: RUNS,
        seed: SEED,
        budget: 60,
        threads: None,
        base_overrides: Vec::new(),
        start: Some(vec![4.8]),
        weighted: false,
    };
    let clock = std::time::Instant::now();
    let r = tune(&stag_hunt(), &spec, &|_| {}).unwrap();
    let lambda = r.best[0].1;
    eprintln!(
        "lambda {lambda}, objective {:e}, {} evaluations, converged {}, confirmation objective {:e}, {:?}",
        r.objective,
        r.evaluations,
        r.converged,
        r.confirmation_objective,
        clock.elapsed()
    );
    assert!(
        (lambda - TRUE_LAMBDA).abs() < 0.1,
        "recovered lambda {lambda}"
    );
    assert!(r.objective < floor, "objective {}", r.objective);
    // The recovered frequencies reproduce the targets within their intervals, and
    // so do fresh seeds up to Monte Carlo noise (the standard error of the difference
    // of two independent frequencies near 0.1 over 5,000 runs each is about 0.006).
    for ((name, p, lo, hi), (_, t)) in r.frequencies.iter().zip(&truth) {
        assert!(
            lo <= t && t <= hi,
            "{name}: target {t} outside [{lo}, {hi}] (p {p})"
        );
    }
    for ((name, p, _, _), (_, t)) in r.confirmation.iter().zip(&truth) {
        assert!(
            (p - t).abs() < 0.02,
            "{name}: fresh seeds give {p}, target {t}"
        );
    }
}
