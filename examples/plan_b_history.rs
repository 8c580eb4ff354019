//! The historical check of the Iran flagship: the share of runs that match what
//! happened after September 2021 — talks resumed within three months (Iran
//! negotiates in one of rounds 1-4, Sept-Dec 2021), and two years on no deal, no
//! strike, no breakout (the run ends in `stalemate_under_sanctions`).
//!
//! ```text
//! cargo run --release --example plan_b_history -- [RUNS] [NAME=VALUE ...]
//! ```
//!
//! Runs 0..RUNS (default 20000) of `scenarios/iran_plan_b.toml` with master seed 2021
//! and the given parameter overrides; prints each share with its 95% Wilson interval.

use std::path::Path;
use std::sync::Arc;

use brink_core::Engine;
use brink_core::scenario::load;
use brink_report::stats::wilson_interval;

fn main() {
    let mut runs: u64 = 20_000;
    let mut overrides = Vec::new();
    for arg in std::env::args().skip(1) {
        if let Some((k, v)) = arg.split_once('=') {
            let v: f64 = v.parse().unwrap_or_else(|_| panic!("bad value in {arg}"));
            overrides.push((k.to_owned(), v));
        } else {
            runs = arg
                .parse()
                .unwrap_or_else(|_| panic!("bad run count {arg}"));
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/iran_plan_b.toml");
    let s = Arc::new(load(&path, &overrides).unwrap_or_else(|e| panic!("{e}")));
    let stalemate = s
        .outcomes
        .iter()
        .position(|o| o.name == "stalemate_under_sanctions")
        .unwrap();
    let mut engine = Engine::new(s.clone());
    let (mut resumed, mut stalled, mut both) = (0u64, 0u64, 0u64);
    for r in 0..runs {
        let (result, trace) = engine.run_traced(2021, r);
        let early = trace.rounds.iter().take(4).any(|round| {
            round
                .agents
                .iter()
                .any(|a| a.agent == "iran" && a.action == "negotiate")
        });
        let stale = result.outcome == stalemate;
        resumed += u64::from(early);
        stalled += u64::from(stale);
        both += u64::from(early && stale);
    }
    let show = |label: &str, k: u64| {
        let (lo, hi) = wilson_interval(k, runs, 1.96);
        println!(
            "{label:<58} {k:>6} / {runs}  {:5.1}%  [{:5.1}%, {:5.1}%]",
            100.0 * k as f64 / runs as f64,
            100.0 * lo,
            100.0 * hi
        );
    };
    println!("overrides: {overrides:?}");
    show(
        "talks resumed within 3 months (Iran negotiates, rounds 1-4)",
        resumed,
    );
    show(
        "no deal, strike or breakout in two years (stalemate)",
        stalled,
    );
    show("both: the history of Sept 2021 - Sept 2023", both);
}
