//! What the ECS costs, and how batches scale with threads.
//!
//! - `runs/<scenario>`: one run with [`Engine::run`] (`ecs`) and with the plain-struct
//!   model of `benches/plain` (`plain`), which gives identical results
//!   (`tests/plain_model_agrees.rs`). Each iteration plays the same block of run indices,
//!   so both variants do exactly the same work; throughput is in runs.
//! - `batch/iran_plan_b`: [`run_batch`] of 20,000 runs on 1 and 2 threads.
//! - Before criterion, an interleaved pass alternates the variants block by block in
//!   this process and prints µs per run and the ratios: on a noisy machine that is the
//!   fairer comparison (criterion measures one variant after the other). It runs with
//!   `cargo bench` unless a filter is given that does not match `interleaved`.
//!
//! `cargo bench --bench engine` takes about two minutes (on 2 cores).

#[path = "plain/mod.rs"]
mod plain;

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use brink_core::{CompiledScenario, Engine, scenario};
use brink_mc::{BatchSpec, run_batch};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group};
use plain::PlainEngine;

/// Master seed of every benchmark.
const MASTER: u64 = 2021;

/// Scenarios compared run by run: one rich, two short games where the ECS overhead
/// dominates.
const SCENARIOS: [&str; 3] = ["iran_plan_b", "prisoners_dilemma", "stag_hunt"];

/// Runs of each criterion iteration: run indices `0..RUN_BLOCK`.
const RUN_BLOCK: u64 = 200;

/// Runs of the batch benchmark.
const BATCH_RUNS: u64 = 20_000;

fn load(name: &str) -> Arc<CompiledScenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    Arc::new(scenario::load(&path, &[]).expect("scenario loads"))
}

/// Plays runs `first..first + count` and returns the rounds played (so nothing is
/// optimised away).
fn play_ecs(engine: &mut Engine, first: u64, count: u64) -> u64 {
    (first..first + count)
        .map(|i| u64::from(engine.run(MASTER, i).rounds))
        .sum()
}

/// Same as [`play_ecs`] with the plain model.
fn play_plain(engine: &mut PlainEngine, first: u64, count: u64) -> u64 {
    (first..first + count)
        .map(|i| u64::from(engine.run(MASTER, i).rounds))
        .sum()
}

fn batch(scenario: &Arc<CompiledScenario>, threads: usize) -> u64 {
    let spec = BatchSpec {
        seed: MASTER,
        runs: BATCH_RUNS,
        threads: Some(threads),
    };
    run_batch(scenario, spec, &|_| {}).expect("batch runs").runs
}

fn runs(c: &mut Criterion) {
    for name in SCENARIOS {
        let s = load(name);
        let mut group = c.benchmark_group(format!("runs/{name}"));
        group
            .throughput(Throughput::Elements(RUN_BLOCK))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(1500))
            .measurement_time(Duration::from_secs(4));
        let mut engine = Engine::new(s.clone());
        group.bench_function("ecs", |b| {
            b.iter(|| black_box(play_ecs(&mut engine, 0, RUN_BLOCK)))
        });
        let mut plain = PlainEngine::new(s);
        group.bench_function("plain", |b| {
            b.iter(|| black_box(play_plain(&mut plain, 0, RUN_BLOCK)))
        });
        group.finish();
    }
}

fn batches(c: &mut Criterion) {
    let s = load("iran_plan_b");
    let mut group = c.benchmark_group("batch/iran_plan_b");
    group
        .throughput(Throughput::Elements(BATCH_RUNS))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(20));
    for threads in [1, 2] {
        group.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| black_box(batch(&s, threads)))
        });
    }
    group.finish();
}

criterion_group!(benches, runs, batches);

/// Seconds taken by `f`.
fn seconds(f: impl FnOnce() -> u64) -> f64 {
    let t = Instant::now();
    black_box(f());
    t.elapsed().as_secs_f64()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Alternates `a` and `b` (each playing `runs` runs) `reps` times, swapping which goes
/// first, and returns the median seconds per run of each and the median of the
/// per-pair ratios `a / b`.
fn interleave(
    reps: usize,
    runs: u64,
    mut a: impl FnMut() -> u64,
    mut b: impl FnMut() -> u64,
) -> (f64, f64, f64) {
    let (mut ta, mut tb, mut ratio) = (vec![], vec![], vec![]);
    for rep in 0..reps {
        let (x, y) = if rep % 2 == 0 {
            let x = seconds(&mut a);
            (x, seconds(&mut b))
        } else {
            let y = seconds(&mut b);
            (seconds(&mut a), y)
        };
        ta.push(x / runs as f64);
        tb.push(y / runs as f64);
        ratio.push(x / y);
    }
    (median(ta), median(tb), median(ratio))
}

/// The interleaved pass (see the module documentation).
fn interleaved() {
    const REPS: usize = 15;
    println!(
        "interleaved: {REPS} alternations per comparison, medians; {}",
        load_average()
    );
    for name in SCENARIOS {
        let s = load(name);
        let mut engine = Engine::new(s.clone());
        let mut plain = PlainEngine::new(s);
        // Size the block for ~60 ms of ECS runs; warm both up on it.
        let probe = 200;
        let per_run = seconds(|| play_ecs(&mut engine, 0, probe)) / probe as f64;
        let block = ((0.06 / per_run) as u64).clamp(probe, 20_000);
        play_plain(&mut plain, 0, block);
        let (ecs, own, ratio) = interleave(
            REPS,
            block,
            || play_ecs(&mut engine, 0, block),
            || play_plain(&mut plain, 0, block),
        );
        println!(
            "  runs/{name:<18} ecs {:>8.2} µs/run   plain {:>8.2} µs/run   ecs/plain {ratio:.3}   ({block} runs per block)",
            ecs * 1e6,
            own * 1e6,
        );
    }
    let s = load("iran_plan_b");
    batch(&s, 2);
    let (one, two, ratio) = interleave(5, BATCH_RUNS, || batch(&s, 1), || batch(&s, 2));
    println!(
        "  batch/iran_plan_b ({BATCH_RUNS} runs)  1 thread {:>10.0} runs/min   2 threads {:>10.0} runs/min   speed-up {ratio:.3}",
        60.0 / one,
        60.0 / two,
    );
    println!("interleaved: done; {}", load_average());
}

/// The machine's load average, to judge how much other processes disturbed the figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "load average unknown".into(),
        |s| {
            format!(
                "load average {}",
                s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
            )
        },
    )
}

/// Whether the interleaved pass should run: only when benchmarking (`cargo bench`,
/// not `cargo test --benches` nor `--list`), and when any filter given matches it.
fn wants_interleaved() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let benchmarking = has("--bench") && !has("--test") && !has("--list") && !has("--profile-time");
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    benchmarking
        && (filters.is_empty() || filters.iter().any(|f| "interleaved".contains(f.as_str())))
}

fn main() {
    if wants_interleaved() {
        interleaved();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
