//! brink-mc: many runs of a scenario — per-run seeding, rayon parallelism and
//! streaming aggregation.
//!
//! A batch is a pure function of (scenario, master seed, number of runs): run `i` is
//! seeded from (seed, i) alone (see `brink_core::seed`) and partial aggregates are
//! merged in a fixed order, so the same batch gives bit-identical results on 1 or N
//! threads. Memory is bounded by the scenario, not by the number of runs.
//!
//! Not here: statistics, output formats and every file (`brink-report`), designs,
//! sweeps and tuning (`brink-experiments`), the model of one run (`brink-core`).
//! This crate does no IO.

pub mod aggregate;
pub mod analysis;
pub mod runner;

pub use aggregate::{BatchAggregate, Histogram, Moments, VariableStats};
pub use analysis::{AnalysisAggregate, LogSketch, RegretStats};
pub use runner::{
    BatchSpec, CHUNK_RUNS, EachError, McError, WAVE_CHUNKS, chunk_aggregate, chunk_aggregate_with,
    empty_aggregate, run_batch, run_batch_each, thread_pool,
};
