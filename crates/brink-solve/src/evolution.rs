//! Evolutionary dynamics (work in progress).
