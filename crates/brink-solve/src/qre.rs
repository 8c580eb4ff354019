//! Logit quantal response equilibrium (work in progress).
