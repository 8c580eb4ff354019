//! brink-core: the scenario model and one run.
//!
//! A scenario file ([`scenario::load`]) compiles into a [`CompiledScenario`]; an
//! [`Engine`] plays runs of it in a bevy_ecs world, each run a pure function of
//! (scenario, master seed, run index) returning a [`RunResult`]: the outcome, the
//! equilibrium class of the settled play, the final state and payoffs.
//!
//! Not here: many runs, parallelism and aggregation (`brink-mc`), statistics and files
//! (`brink-report`), equilibrium algorithms (`brink-solve`), anything about the command
//! line.

pub mod analysis;
pub mod availability;
pub mod classify;
pub mod engine;
pub mod expr;
pub mod lookahead;
pub mod model;
pub mod normal;
pub mod rules;
mod run_result;
pub mod scenario;
pub mod seed;
pub mod stage_fill;
pub mod trace;

pub use engine::Engine;
pub use rules::DecisionRule;
pub use run_result::{BayesNashClass, EquilibriumClass, QreClass, RunAnalysis, RunResult};
pub use scenario::{CompiledScenario, ScenarioError};
pub use trace::Trace;
