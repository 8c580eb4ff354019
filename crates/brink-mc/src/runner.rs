//! Many runs of one scenario, in parallel, aggregated in a fixed order.

use std::sync::Arc;

use brink_core::{CompiledScenario, Engine, RunResult};
use rayon::prelude::*;

use crate::aggregate::BatchAggregate;

/// Runs per chunk: the unit of work handed to a thread and of aggregation.
pub const CHUNK_RUNS: u64 = 512;

/// Chunks per wave: chunks of a wave run in parallel; waves are merged in order, so
/// at most this many partial aggregates exist at once, whatever the number of runs.
pub const WAVE_CHUNKS: u64 = 64;

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchSpec {
    /// Master seed.
    pub seed: u64,
    /// Number of runs (run indices `0..runs`).
    pub runs: u64,
    /// Worker threads; `None` uses one per core.
    pub threads: Option<usize>,
}

/// A failure to set up the batch.
#[derive(Debug, thiserror::Error)]
pub enum McError {
    /// Zero worker threads were asked for; the caller names its own setting (the
    /// binary says `--threads must be at least 1`).
    #[error("the number of worker threads must be at least 1")]
    NoThreads,
    /// The operating system refused to start the worker threads.
    #[error("cannot start worker threads: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
}

/// An empty aggregate shaped for `scenario`.
pub fn empty_aggregate(scenario: &CompiledScenario) -> BatchAggregate {
    let bounds: Vec<_> = scenario.state.iter().map(|v| v.bounds()).collect();
    let mut agg = BatchAggregate::new(scenario.outcomes.len(), scenario.agents.len(), &bounds);
    agg.epsilon = scenario.classification.epsilon;
    agg
}

/// Plays runs `0..spec.runs` and aggregates them.
///
/// Runs are cut into chunks of [`CHUNK_RUNS`]; each worker keeps one [`Engine`] (one
/// bevy `World`) and plays whole chunks with it. Chunk aggregates are merged in chunk
/// order, never in completion order, so the result is bit-identical for any number of
/// threads. `progress` is called with the number of runs each finished chunk played.
pub fn run_batch(
    scenario: &Arc<CompiledScenario>,
    spec: BatchSpec,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<BatchAggregate, McError> {
    let keep = |_: u64, _: &RunResult| ();
    run_batch_each(scenario, spec, progress, &keep, |_| Ok::<(), McError>(())).map_err(
        |e| match e {
            EachError::Batch(e) | EachError::Sink(e) => e,
        },
    )
}

/// Why [`run_batch_each`] stopped: the batch could not start, or the sink failed.
#[derive(Debug)]
pub enum EachError<E> {
    /// The batch could not be set up.
    Batch(McError),
    /// The sink returned this error; the runs after the failing one were not handed
    /// out (the aggregate is lost).
    Sink(E),
}

/// [`run_batch`] that also hands every run to the caller, in run-index order.
///
/// Each worker turns run `i` into `map(i, &result)` right after playing it (the
/// runner reuses one [`RunResult`] per worker, so `map` keeps what it needs); after
/// each wave the records are given to `sink` in run-index order, on the calling
/// thread. So the records and their order do not depend on the number of threads,
/// and at most one wave of records (`CHUNK_RUNS × WAVE_CHUNKS`) is held at once,
/// whatever the number of runs. The aggregate is the one [`run_batch`] returns.
pub fn run_batch_each<T: Send, E>(
    scenario: &Arc<CompiledScenario>,
    spec: BatchSpec,
    progress: &(dyn Fn(u64) + Sync),
    map: &(dyn Fn(u64, &RunResult) -> T + Sync),
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<BatchAggregate, EachError<E>> {
    let pool = thread_pool(spec.threads).map_err(EachError::Batch)?;
    let chunks = spec.runs.div_ceil(CHUNK_RUNS);
    let mut total = empty_aggregate(scenario);
    let mut wave_start = 0;
    while wave_start < chunks {
        let wave_end = (wave_start + WAVE_CHUNKS).min(chunks);
        let parts: Vec<(BatchAggregate, Vec<T>)> = pool.install(|| {
            (wave_start..wave_end)
                .into_par_iter()
                .map_init(
                    || Engine::new(scenario.clone()),
                    |engine, chunk| {
                        let mut records = Vec::new();
                        let agg = chunk_aggregate_with(
                            engine,
                            spec.seed,
                            chunk,
                            spec.runs,
                            &mut |i, r| records.push(map(i, r)),
                        );
                        progress(agg.runs);
                        (agg, records)
                    },
                )
                .collect()
        });
        for (part, records) in parts {
            total.merge(&part);
            for r in records {
                sink(r).map_err(EachError::Sink)?;
            }
        }
        wave_start = wave_end;
    }
    Ok(total)
}

/// The aggregate of chunk `chunk` (runs `chunk * CHUNK_RUNS ..`, at most `runs`) of
/// the batch with master seed `seed`. Every batch and sweep aggregates runs through
/// this function and merges chunks in chunk order, so equal inputs give equal bits.
pub fn chunk_aggregate(engine: &mut Engine, seed: u64, chunk: u64, runs: u64) -> BatchAggregate {
    chunk_aggregate_with(engine, seed, chunk, runs, &mut |_, _| ())
}

/// [`chunk_aggregate`] that also shows each run (index, result) to `each`, in order.
pub fn chunk_aggregate_with(
    engine: &mut Engine,
    seed: u64,
    chunk: u64,
    runs: u64,
    each: &mut dyn FnMut(u64, &RunResult),
) -> BatchAggregate {
    let first = chunk * CHUNK_RUNS;
    let last = (first + CHUNK_RUNS).min(runs);
    let mut agg = empty_aggregate(engine.scenario());
    for index in first..last {
        let result = engine.run(seed, index);
        each(index, result);
        agg.record(result);
    }
    agg
}

/// A rayon pool with `threads` workers (None: one per core).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, McError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 {
            return Err(McError::NoThreads);
        }
        builder = builder.num_threads(t);
    }
    Ok(builder.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Arc<CompiledScenario> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/chicken.toml");
        Arc::new(brink_core::scenario::load(&path, &[]).unwrap())
    }

    fn spec(threads: usize) -> BatchSpec {
        BatchSpec {
            seed: 11,
            runs: 2 * CHUNK_RUNS + 77,
            threads: Some(threads),
        }
    }

    #[test]
    fn runs_are_handed_out_in_index_order_on_any_number_of_threads() {
        let s = scenario();
        let map = |i: u64, r: &RunResult| (i, r.outcome, r.rounds, r.payoffs.clone());
        let mut seen = Vec::new();
        for threads in [1, 3] {
            let mut records = Vec::new();
            let agg = run_batch_each(&s, spec(threads), &|_| {}, &map, |r| {
                records.push(r);
                Ok::<(), ()>(())
            })
            .unwrap();
            let indices: Vec<u64> = records.iter().map(|r| r.0).collect();
            assert_eq!(indices, (0..spec(1).runs).collect::<Vec<_>>());
            // The same aggregate as run_batch, and each record is the run itself.
            let plain = run_batch(&s, spec(threads), &|_| {}).unwrap();
            assert_eq!(
                serde_json::to_string(&agg).unwrap(),
                serde_json::to_string(&plain).unwrap()
            );
            let mut engine = Engine::new(s.clone());
            let r = engine.run(11, 600);
            assert_eq!(records[600].1, r.outcome);
            assert_eq!(records[600].3, r.payoffs);
            let mut counts = vec![0u64; s.outcomes.len()];
            records.iter().for_each(|r| counts[r.1] += 1);
            assert_eq!(counts, agg.outcome_counts);
            seen.push(records);
        }
        assert_eq!(seen[0], seen[1]);
    }

    #[test]
    fn a_failing_sink_stops_the_batch() {
        let s = scenario();
        let mut n = 0;
        let result = run_batch_each(&s, spec(2), &|_| {}, &|i, _| i, |i| {
            n += 1;
            if i == 5 { Err(i) } else { Ok(()) }
        });
        assert!(matches!(result, Err(EachError::Sink(5))));
        assert_eq!(n, 6);
    }
}
