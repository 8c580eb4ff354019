//! brink-report: turns the merged result of a Monte Carlo batch into what people
//! read — a [`Summary`] with outcome and equilibrium-class frequencies and their
//! Wilson 95% confidence intervals, final-state and payoff statistics — and renders
//! it as a terminal table, `summary.json`, CSV files and SVG bar charts, written
//! atomically into an output directory.
//!
//! **What it is for.** Presentation of a finished batch: the input is a
//! [`brink_mc::BatchAggregate`] plus names and metadata ([`SummaryMeta`]) and a
//! function naming equilibrium classes; everything else is derived. Every output is
//! a pure function of those inputs (no time stamps, thread counts or host names),
//! so the same scenario and seed give byte-identical `summary.json` on any number
//! of threads.
//!
//! **What it is not for.** It runs no simulations, parses no scenarios, does no
//! aggregation (that is `brink-mc`) and solves no games (that is `brink-solve`
//! and `brink-core`). It does not decide where output goes or print anything: the
//! command-line program chooses the directory and writes the strings it gets.
//!
//! Modules:
//! - [`stats`]: the Wilson score interval.
//! - [`summary`]: [`Summary`] and [`SummaryMeta`].
//! - [`render`]: table, JSON and CSV strings.
//! - [`plot`]: SVG bar charts with interval whiskers (`outcomes.svg`,
//!   `equilibria.svg`), drawn with plotters' SVG backend. That backend writes
//!   `<text>` elements and, with no font feature enabled, estimates text extents
//!   from character counts, so charts need no system fonts and no font crate.
//! - [`html`]: `report.html`, one self-contained page per batch or sweep.
//! - [`files`]: [`write_outputs`], the files of one batch.
//! - [`fsio`]: atomic file writes, for every file brink writes.
//! - [`sweep_tables`]: `points_long.csv`, `sensitivity.csv`, the sweep overview.
//! - [`per_run`]: `run --per-run FILE.csv`, one row per run, streamed.
//!
//! ```
//! use brink_core::{EquilibriumClass, RunResult};
//! use brink_mc::BatchAggregate;
//! use brink_report::{Summary, SummaryMeta, render};
//!
//! let mut agg = BatchAggregate::new(2, 1, &[]);
//! for i in 0..10 {
//!     agg.record(&RunResult { outcome: i % 2, payoffs: vec![1.0], ..Default::default() });
//! }
//! let meta = SummaryMeta {
//!     scenario: "demo".into(),
//!     runs: 10,
//!     agents: vec!["A".into()],
//!     outcomes: vec!["war".into(), "peace".into()],
//!     ..Default::default()
//! };
//! let summary = Summary::new(&meta, &agg, |class| match class {
//!     EquilibriumClass::PureNash { profile } => format!("profile {profile}"),
//!     EquilibriumClass::MixedNash { .. } => "mixed".into(),
//!     EquilibriumClass::NotAnEquilibrium => "not an equilibrium".into(),
//! })
//! .unwrap();
//! assert_eq!(summary.outcomes[1].frequency, 0.5);
//! assert!(render::table(&summary).contains("50.0%  [23.7%, 76.3%]"));
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod describe;
pub mod error;
pub mod files;
pub mod fsio;
pub mod html;
pub mod per_run;
pub mod plot;
pub mod render;
pub mod seed_json;
pub mod stats;
pub mod summary;
pub mod sweep_tables;

pub use analysis::{AnalysisMeta, AnalysisSummary};
pub use error::ReportError;
pub use files::write_outputs;
pub use summary::{Summary, SummaryMeta, equilibrium_label};
