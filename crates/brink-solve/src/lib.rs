//! Game-theory solvers for brink.
//!
//! `brink-solve` is the pure mathematics of the project: finite games and the
//! algorithms that solve them. It currently provides
//!
//! - [`NormalFormGame`]: an n-player normal-form game with a flat payoff table
//!   (profile index mixed-radix, last player fastest), refillable in place;
//! - pure Nash equilibria: [`pure_nash_equilibria`], the allocation-free
//!   [`PureNashSolver`], and [`is_pure_nash`];
//! - best responses and mixed-strategy evaluation: [`best_responses`],
//!   [`strategy_payoffs_against_mixed`], [`expected_payoff`],
//!   [`best_responses_to_mixed`], [`regret`] and [`max_regret`] (for verifying
//!   candidate equilibria).
//!
//! Everything is generic over the payoff number type through the [`Payoff`]
//! trait, so the same code runs on `f64` and on exact rationals such as
//! `num_rational::Ratio<i64>`. Later steps add mixed-equilibrium solvers
//! (support and vertex enumeration, Lemke-Howson, linear programming, logit
//! QRE) and extensive-form games on the same types.
//!
//! What this crate is **not**: it knows nothing about states, crises, agents,
//! ECS worlds, randomness, files or reporting. It does no IO, holds no global
//! state and depends only on `num-traits` and `serde`. Building a game from a
//! simulated crisis is the job of the engine crates.
#![warn(missing_docs)]

mod equilibrium;
mod error;
mod game;
mod linalg;
mod mixed;
mod payoff;
mod pure;
pub mod rational;

// Solver modules (each owns its file; add new `pub mod` lines below this comment).
pub mod budget;
pub mod dominance;
pub mod evolution;
pub mod extensive;
pub mod formats;
pub mod lp;
pub mod nplayer;
pub mod qre;
pub mod solve_file;
pub mod twoplayer;

pub use equilibrium::{Equilibrium, MixedProfile, SolveError};
pub use error::GameError;
pub use game::NormalFormGame;
pub use mixed::{
    best_responses_to_mixed, check_mixed_profile, expected_payoff, max_regret,
    max_regret_with_scratch, regret, strategy_payoffs_against_mixed,
    strategy_payoffs_against_mixed_into,
};
pub use payoff::Payoff;
pub use pure::{
    PureNashSolver, best_responses, best_responses_into, is_pure_nash, pure_nash_equilibria,
};
pub use rational::Q;
