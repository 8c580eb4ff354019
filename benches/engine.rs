//! What the ECS costs, and how batches scale with threads.
//!
//! - `runs/<scenario>`: one run with [`Engine::run`] (`ecs`) and with the plain-struct
//!   model of `benches/plain` (`plain`), which gives identical results
//!   (`tests/plain_model_agrees.rs`). Each iteration plays the same block of run indices,
//!   so both variants do exactly the same work; throughput is in runs.
//! - `batch/iran_plan_b`: [`run_batch`] of 20,000 runs on 1 and 2 threads.
//! - Before criterion, an interleaved pass alternates the variants block by block in
//!   this process and prints µs per run and the ratios, by the wall clock and by time on
//!   a CPU (read from `/proc`): on a noisy shared machine that is the fairer comparison
//!   (criterion measures one variant after the other, by the wall clock only). It runs
//!   with `cargo bench` unless a filter is given that does not match `interleaved`.
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

/// What one measurement cost: wall-clock seconds and seconds on a CPU.
#[derive(Clone, Copy)]
struct Cost {
    wall: f64,
    cpu: f64,
}

/// Where on-CPU time is read from: this thread (exact, for single-threaded work) or
/// the whole process including exited worker threads (10 ms ticks, for batches).
#[derive(Clone, Copy)]
enum CpuScope {
    Thread,
    Process,
}

/// On-CPU seconds so far (Linux `/proc`; 0 elsewhere). Unlike wall-clock time it
/// barely depends on what else the machine runs, which matters on a shared 2-core box.
fn cpu_seconds(scope: CpuScope) -> f64 {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    match scope {
        // First field: nanoseconds this thread spent running.
        CpuScope::Thread => read("/proc/thread-self/schedstat")
            .split_whitespace()
            .next()
            .and_then(|ns| ns.parse::<f64>().ok())
            .map_or(0.0, |ns| ns * 1e-9),
        // utime and stime, fields 14 and 15, in clock ticks (100 per second on Linux).
        CpuScope::Process => {
            let stat = read("/proc/self/stat");
            let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            let ticks: f64 = after_name
                .split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|x| x.parse::<f64>().ok())
                .sum();
            ticks / 100.0
        }
    }
}

/// The cost of `f`.
fn measure(scope: CpuScope, f: impl FnOnce() -> u64) -> Cost {
    let cpu = cpu_seconds(scope);
    let t = Instant::now();
    black_box(f());
    Cost {
        wall: t.elapsed().as_secs_f64(),
        cpu: cpu_seconds(scope) - cpu,
    }
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

/// Medians over the alternations of [`interleave`]: per run of `a` and of `b`, and of
/// the per-pair ratios `a / b`.
struct Comparison {
    a: Cost,
    b: Cost,
    ratio: Cost,
}

/// Alternates `a` and `b` (each playing `runs` runs) `reps` times, swapping which goes
/// first.
fn interleave(
    reps: usize,
    runs: u64,
    scope: CpuScope,
    mut a: impl FnMut() -> u64,
    mut b: impl FnMut() -> u64,
) -> Comparison {
    let mut pairs = vec![];
    for rep in 0..reps {
        pairs.push(if rep % 2 == 0 {
            let x = measure(scope, &mut a);
            (x, measure(scope, &mut b))
        } else {
            let y = measure(scope, &mut b);
            (measure(scope, &mut a), y)
        });
    }
    let med = |f: &dyn Fn(&(Cost, Cost)) -> f64| median(pairs.iter().map(f).collect());
    let n = runs as f64;
    Comparison {
        a: Cost {
            wall: med(&|(x, _)| x.wall / n),
            cpu: med(&|(x, _)| x.cpu / n),
        },
        b: Cost {
            wall: med(&|(_, y)| y.wall / n),
            cpu: med(&|(_, y)| y.cpu / n),
        },
        ratio: Cost {
            wall: med(&|(x, y)| x.wall / y.wall),
            cpu: med(&|(x, y)| x.cpu / y.cpu),
        },
    }
}

/// The interleaved pass (see the module documentation).
fn interleaved() {
    const REPS: usize = 16;
    println!(
        "interleaved: {REPS} alternations per comparison, medians, wall-clock [on-CPU]; {}",
        load_average()
    );
    for name in SCENARIOS {
        let s = load(name);
        let mut engine = Engine::new(s.clone());
        let mut plain = PlainEngine::new(s);
        // Size the block for ~60 ms of ECS runs; warm both up on it.
        let probe = 200;
        let per_run =
            measure(CpuScope::Thread, || play_ecs(&mut engine, 0, probe)).wall / probe as f64;
        let block = ((0.06 / per_run) as u64).clamp(probe, 20_000);
        play_plain(&mut plain, 0, block);
        let c = interleave(
            REPS,
            block,
            CpuScope::Thread,
            || play_ecs(&mut engine, 0, block),
            || play_plain(&mut plain, 0, block),
        );
        println!(
            "  runs/{name:<18} ecs {:>7.2} [{:>7.2}] µs/run   plain {:>7.2} [{:>7.2}] µs/run   ecs/plain {:.3} [{:.3}]   ({block} runs per block)",
            c.a.wall * 1e6,
            c.a.cpu * 1e6,
            c.b.wall * 1e6,
            c.b.cpu * 1e6,
            c.ratio.wall,
            c.ratio.cpu,
        );
    }
    let s = load("iran_plan_b");
    batch(&s, 2);
    let c = interleave(
        4,
        BATCH_RUNS,
        CpuScope::Process,
        || batch(&s, 1),
        || batch(&s, 2),
    );
    println!(
        "  batch/iran_plan_b ({BATCH_RUNS} runs)   1 thread {:>7.0} runs/min [{:.1} CPU-µs/run]   2 threads {:>7.0} runs/min [{:.1} CPU-µs/run]   speed-up {:.3}",
        60.0 / c.a.wall,
        c.a.cpu * 1e6,
        60.0 / c.b.wall,
        c.b.cpu * 1e6,
        c.ratio.wall,
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
