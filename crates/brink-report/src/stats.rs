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
/// use brink_report::stats::{wilson_interval, Z95};
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_interval(x: u64, n: u64, want: (f64, f64), tol: f64) {
        let got = wilson_interval(x, n, Z95);
        assert!(
            (got.0 - want.0).abs() <= tol && (got.1 - want.1).abs() <= tol,
            "{x}/{n}: got {got:?}, want {want:?} ± {tol}"
        );
    }

    #[test]
    fn z95_is_the_975_normal_quantile() {
        // Φ(1.959963984540054) = 0.975 to double precision; check against the
        // commonly tabulated rounding.
        assert!((Z95 - 1.96).abs() < 5e-5);
        assert_eq!(format!("{Z95:.6}"), "1.959964");
    }

    #[test]
    fn small_samples_match_published_values() {
        // Standard textbook values for n = 10.
        assert_interval(0, 10, (0.0, 0.2775), 1e-4);
        assert_interval(5, 10, (0.2366, 0.7634), 1e-4);
        assert_interval(10, 10, (0.7225, 1.0), 1e-4);
    }

    #[test]
    fn newcombe_1998_examples_match_table() {
        // Newcombe (1998), Stat. Med. 17:857–872, Table II, method 3 (score
        // interval without continuity correction), examples (a)–(d).
        assert_interval(81, 263, (0.2553, 0.3662), 1e-4);
        assert_interval(15, 148, (0.0624, 0.1605), 1e-4);
        assert_interval(0, 20, (0.0, 0.1611), 1e-4);
        assert_interval(1, 29, (0.0061, 0.1718), 1e-4);
    }

    #[test]
    fn large_n_matches_high_precision_reference() {
        // Reference values computed with 50-digit decimal arithmetic.
        assert_interval(
            372_000,
            1_000_000,
            (0.371_053_167_558, 0.372_947_815_851),
            1e-10,
        );
        assert_interval(1, 1_000_000, (1.765_245_767e-7, 5.664_911e-6), 1e-12);
        assert_interval(
            999_999,
            1_000_000,
            (0.999_994_335_088, 0.999_999_823_475),
            1e-10,
        );
    }

    #[test]
    fn wilson_matches_reference_values() {
        // 81 of 263: (0.2553, 0.3662), e.g. Newcombe (1998) style 95% score interval.
        let (lo, hi) = wilson_interval(81, 263, Z95);
        assert!(
            (lo - 0.2553).abs() < 5e-5 && (hi - 0.3662).abs() < 5e-5,
            "{lo} {hi}"
        );
        assert_eq!(wilson_interval(0, 0, Z95), (0.0, 1.0));
        let (lo, hi) = wilson_interval(0, 10, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 5e-5, "{hi}");
        let (lo, hi) = wilson_interval(10, 10, Z95);
        assert_eq!(hi, 1.0);
        assert!((lo - 0.7225).abs() < 5e-5, "{lo}");
    }

    #[test]
    fn edges_are_exact() {
        assert_eq!(wilson_interval(0, 0, Z95), (0.0, 1.0));
        assert_eq!(wilson_interval(0, 7, Z95).0, 0.0);
        assert_eq!(wilson_interval(7, 7, Z95).1, 1.0);
        assert!(wilson_interval(0, 7, Z95).1 > 0.0);
        assert!(wilson_interval(7, 7, Z95).0 < 1.0);
        // One trial: (0.2065, 1) for a success, (0, 0.7935) for a failure.
        assert_interval(1, 1, (0.2065, 1.0), 1e-4);
        assert_interval(0, 1, (0.0, 0.7935), 1e-4);
        // More successes than trials are clamped to n.
        assert_eq!(wilson_interval(12, 10, Z95), wilson_interval(10, 10, Z95));
    }

    #[test]
    fn interval_is_symmetric_under_complement() {
        for (x, n) in [(3, 7), (81, 263), (1, 1_000_000)] {
            let (lo, hi) = wilson_interval(x, n, Z95);
            let (clo, chi) = wilson_interval(n - x, n, Z95);
            assert!((lo - (1.0 - chi)).abs() < 1e-12 && (hi - (1.0 - clo)).abs() < 1e-12);
        }
    }

    #[test]
    fn interval_narrows_as_n_grows() {
        let width = |x, n| {
            let (lo, hi) = wilson_interval(x, n, Z95);
            hi - lo
        };
        assert!(width(30, 100) > width(300, 1000));
        assert!(width(300, 1000) > width(3000, 10_000));
    }

    proptest! {
        #[test]
        fn interval_contains_estimate_and_lies_in_unit_range(
            n in 1u64..2_000_000,
            frac in 0.0f64..=1.0,
            z in 0.5f64..4.0,
        ) {
            let x = ((n as f64) * frac).round() as u64;
            let p = x as f64 / n as f64;
            let (lo, hi) = wilson_interval(x, n, z);
            prop_assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0, "{x}/{n}: ({lo}, {hi})");
            prop_assert!(hi > lo);
        }
    }
}
