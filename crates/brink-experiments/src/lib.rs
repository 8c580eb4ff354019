//! brink-experiments: experiments over many batches — sampling designs, parameter
//! sweeps with checkpoints, shards and resume, sensitivity indices, and tuning of
//! parameters to target outcome frequencies.
//!
//! **What it is for.** Everything that varies a scenario's parameters across
//! batches: [`design`] draws the points, [`sweep`] runs them (through
//! `brink_mc::chunk_aggregate`, so a point equals `brink run --set ...`) and keeps one
//! checkpoint file per point, [`sensitivity`] turns a sweep's responses into Sobol' or
//! Morris indices, [`tune`] searches parameters by Nelder–Mead.
//!
//! **What it is not for.** It plays no run itself (`brink-core`), schedules no
//! threads of its own (`brink-mc`), and renders no summary (`brink-report`); it
//! parses no command-line flags and prints nothing: errors are typed values, and the
//! binary names the flags.

#![warn(missing_docs)]

pub mod design;
pub mod sensitivity;
pub mod sweep;
pub mod tune;
