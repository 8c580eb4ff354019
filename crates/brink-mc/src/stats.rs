//! Confidence intervals for proportions.
//!
//! Outcome and equilibrium frequencies are binomial proportions `x / n`. Their
//! intervals use the Wilson score method (Wilson 1927), which, unlike the textbook
//! Wald interval `p̂ ± z·√(p̂(1−p̂)/n)`, never leaves `[0, 1]`, is not degenerate at
//! `x = 0` or `x = n`, and has coverage close to nominal even for rare outcomes
//! (Newcombe 1998, Brown, Cai & DasGupta 2001).

/// The two-sided 95% standard normal quantile, `Φ⁻¹(0.975)`.
pub const Z95: f64 = 1.959963984540054;

/// Wilson score interval (no continuity correction) for `successes` out of `n`
/// trials at standard normal quantile `z` (use [`Z95`] for a 95% interval).
///
/// Returns `(low, high)` with `0 ≤ low ≤ successes/n ≤ high ≤ 1`; the end at `0` is
/// exactly `0.0` when `successes == 0` and the end at `1` exactly `1.0` when
/// `successes == n`. With `n == 0` nothing is known and the result is `(0.0, 1.0)`.
/// `successes` greater than `n` is treated as `n`.
///
/// ```
/// use brink_mc::stats::{wilson_interval, Z95};
/// let (lo, hi) = wilson_interval(5, 10, Z95);
/// assert!((lo - 0.2366).abs() < 1e-4 && (hi - 0.7634).abs() < 1e-4);
/// ```
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let x = successes.min(n);
    let nf = n as f64;
    let p = x as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let low = if x == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, p)
    };
    let high = if x == n {
        1.0
    } else {
        (centre + half).clamp(p, 1.0)
    };
    (low, high)
}
