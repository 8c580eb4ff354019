//! brink-mc: many runs of a scenario — per-run seeding, rayon parallelism and
//! streaming aggregation.
//!
//! A batch is a pure function of (scenario, master seed, number of runs): run `i` is
//! seeded from (seed, i) alone (see `brink_core::seed`) and partial aggregates are
//! merged in a fixed order, so the same batch gives bit-identical results on 1 or N
//! threads. Memory is bounded by the scenario, not by the number of runs.
//!
//! Not here: statistics and output formats (`brink-report`), the model of one run
//! (`brink-core`).

pub mod aggregate;
pub mod design;
pub mod fsio;
pub mod runner;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
pub mod tune;

pub use aggregate::{BatchAggregate, Histogram, Moments, VariableStats};
pub use runner::{
    BatchSpec, CHUNK_RUNS, McError, WAVE_CHUNKS, chunk_aggregate, empty_aggregate, run_batch,
    thread_pool,
};
