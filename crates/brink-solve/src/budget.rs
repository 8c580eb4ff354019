//! Limits on a solver's memory and time, and an up-front estimate of its work.
//!
//! Enumeration methods (vertex, support and n-player support enumeration)
//! take time and memory that grow exponentially with the numbers of
//! strategies. [`Budget`] bounds a run: the solver counts the bytes of its
//! own growing data structures and checks the clock, and returns
//! [`SolveError::MemoryLimit`] or [`SolveError::TimeLimit`] instead of eating
//! the machine. [`vertex_bound`] and [`binomial`] give the sizes to refuse
//! hopeless inputs before starting.

use std::time::{Duration, Instant};

use crate::SolveError;

/// Memory and time limits of one solver run. The default has none.
#[derive(Clone, Copy, Debug, Default)]
pub struct Budget {
    /// Most bytes the solver's own data structures may hold (estimated from
    /// their sizes, not measured from the allocator).
    pub max_bytes: Option<u64>,
    /// The run stops with [`SolveError::TimeLimit`] after this long.
    pub timeout: Option<Duration>,
    /// When the run started (set by [`Budget::start`]).
    started: Option<Instant>,
}

impl Budget {
    /// A budget with these limits, its clock started now.
    pub fn new(max_bytes: Option<u64>, timeout: Option<Duration>) -> Budget {
        Budget {
            max_bytes,
            timeout,
            started: None,
        }
        .start()
    }

    /// The same limits with the clock started now.
    #[must_use]
    pub fn start(mut self) -> Budget {
        self.started = Some(Instant::now());
        self
    }

    /// `Ok` while `bytes` is within the memory limit and the time is not up;
    /// `what` says what has been done so far (for the error message).
    ///
    /// # Errors
    ///
    /// [`SolveError::MemoryLimit`] or [`SolveError::TimeLimit`].
    pub fn check(&self, bytes: u64, what: impl FnOnce() -> String) -> Result<(), SolveError> {
        if let Some(limit) = self.max_bytes
            && bytes > limit
        {
            return Err(SolveError::MemoryLimit {
                bytes,
                limit,
                progress: what(),
            });
        }
        if let (Some(t), Some(start)) = (self.timeout, self.started)
            && start.elapsed() > t
        {
            return Err(SolveError::TimeLimit {
                millis: u64::try_from(t.as_millis()).unwrap_or(u64::MAX),
                progress: what(),
            });
        }
        Ok(())
    }
}

/// The binomial coefficient `C(n, k)` as a float (exact up to 2^53, then
/// rounded; `inf` beyond `f64`).
pub fn binomial(n: u64, k: u64) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// McMullen's upper bound on the number of vertices of a `d`-dimensional
/// polytope with `facets` facets (attained by the duals of cyclic
/// polytopes): `C(f − ⌈d/2⌉, ⌊d/2⌋) + C(f − ⌊d/2⌋ − 1, ⌈d/2⌉ − 1)`.
pub fn vertex_bound(d: u64, facets: u64) -> f64 {
    if d == 0 || facets < d + 1 {
        return 1.0;
    }
    let (lo, hi) = (d / 2, d.div_ceil(2));
    binomial(facets - hi, lo) + binomial(facets - lo - 1, hi - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials_and_vertex_bounds_match_hand_counts() {
        assert_eq!(binomial(5, 2), 10.0);
        assert_eq!(binomial(91, 0), 1.0);
        assert_eq!(binomial(3, 4), 0.0);
        // A polygon with f edges has f vertices; a simplex in d dimensions d + 1;
        // the cube (d = 3, 6 facets) 8, and the bound for d = 3, f = 6 is 8.
        assert_eq!(vertex_bound(2, 7), 7.0);
        assert_eq!(vertex_bound(3, 4), 4.0);
        assert_eq!(vertex_bound(4, 5), 5.0);
        assert_eq!(vertex_bound(3, 6), 8.0);
        // d = 4, f = 6: C(4, 2) + C(3, 1) = 9 (the dual of the cyclic polytope C(6, 4)).
        assert_eq!(vertex_bound(4, 6), 9.0);
    }

    #[test]
    fn a_budget_stops_on_memory_and_time() {
        let b = Budget::new(Some(100), None);
        assert!(b.check(100, String::new).is_ok());
        let e = b.check(101, || "7 bases".into()).unwrap_err();
        assert!(matches!(
            e,
            SolveError::MemoryLimit {
                bytes: 101,
                limit: 100,
                ..
            }
        ));
        let b = Budget::new(None, Some(Duration::ZERO));
        std::thread::sleep(Duration::from_millis(2));
        assert!(matches!(
            b.check(0, String::new),
            Err(SolveError::TimeLimit { .. })
        ));
        assert!(Budget::default().check(u64::MAX, String::new).is_ok());
    }
}
