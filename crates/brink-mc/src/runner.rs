//! Many runs of one scenario, in parallel, aggregated in a fixed order.

use std::sync::Arc;

use brink_core::{CompiledScenario, Engine};
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
    let pool = thread_pool(spec.threads)?;
    let chunks = spec.runs.div_ceil(CHUNK_RUNS);
    let mut total = empty_aggregate(scenario);
    pool.install(|| {
        let mut wave_start = 0;
        while wave_start < chunks {
            let wave_end = (wave_start + WAVE_CHUNKS).min(chunks);
            let parts: Vec<BatchAggregate> = (wave_start..wave_end)
                .into_par_iter()
                .map_init(
                    || Engine::new(scenario.clone()),
                    |engine, chunk| {
                        let agg = chunk_aggregate(engine, spec.seed, chunk, spec.runs);
                        progress(agg.runs);
                        agg
                    },
                )
                .collect();
            for part in &parts {
                total.merge(part);
            }
            wave_start = wave_end;
        }
    });
    Ok(total)
}

/// The aggregate of chunk `chunk` (runs `chunk * CHUNK_RUNS ..`, at most `runs`) of
/// the batch with master seed `seed`. Every batch and sweep aggregates runs through
/// this function and merges chunks in chunk order, so equal inputs give equal bits.
pub fn chunk_aggregate(engine: &mut Engine, seed: u64, chunk: u64, runs: u64) -> BatchAggregate {
    let first = chunk * CHUNK_RUNS;
    let last = (first + CHUNK_RUNS).min(runs);
    let mut agg = empty_aggregate(engine.scenario());
    for index in first..last {
        agg.record(engine.run(seed, index));
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
