//! Portable standard-normal draws.
//!
//! `rand_distr::StandardNormal` computes its ziggurat tails with the platform's math
//! library (through num-traits' `std` feature), so the same seed could give different
//! draws on another machine or libc. brink needs a run to be a pure function of
//! (scenario, master seed, run index) everywhere, so it draws normals itself.
//!
//! Method: the **Marsaglia polar method**. Two uniforms `u, v` on `[-1, 1)` are drawn
//! from the 53 high bits of two `next_u64` words; pairs with `s = u² + v²` outside
//! `(0, 1)` are rejected (probability `1 − π/4`), and the draw is
//! `u · sqrt(−2 ln(s) / s)`. Only `+ − × ÷`, `sqrt` (correctly rounded by IEEE 754) and
//! [`libm::log`] (a pure-Rust implementation, the same bits on every platform) are
//! used, so the draws are identical on every machine. The second normal of each pair
//! (`v · …`) is discarded: a draw is one call, with no state between calls.

use rand::Rng;

/// A uniform number on `[-1, 1)`, a multiple of `2^-52`, from one `next_u64` word.
fn symmetric_uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // 53 high bits -> [0, 1) in steps of 2^-53; then exact affine map to [-1, 1).
    let unit = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    2.0 * unit - 1.0
}

/// One standard-normal draw (mean 0, variance 1) by the Marsaglia polar method,
/// bit-for-bit portable. See the [module documentation](self).
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    loop {
        let u = symmetric_uniform(rng);
        let v = symmetric_uniform(rng);
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * libm::log(s) / s).sqrt();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Sample moments of many draws match N(0, 1): mean, variance, skewness, excess
    /// kurtosis within several standard errors, and the fraction beyond ±1.96.
    #[test]
    fn moments_match_the_standard_normal() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let n = 400_000;
        let (mut m1, mut m2, mut m3, mut m4, mut tails) = (0.0, 0.0, 0.0, 0.0, 0usize);
        for _ in 0..n {
            let x = standard_normal(&mut rng);
            assert!(x.is_finite());
            m1 += x;
            m2 += x * x;
            m3 += x * x * x;
            m4 += x * x * x * x;
            tails += usize::from(x.abs() > 1.959_963_984_540_054);
        }
        let nf = n as f64;
        let (mean, var, skew, kurt) = (m1 / nf, m2 / nf, m3 / nf, m4 / nf);
        // Standard errors: 1/sqrt(n), sqrt(2/n), sqrt(6/n), sqrt(96/n); allow ~5 SE.
        let se = (1.0 / nf).sqrt();
        assert!(mean.abs() < 5.0 * se, "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * 2f64.sqrt() * se, "variance {var}");
        assert!(skew.abs() < 5.0 * 6f64.sqrt() * se, "skewness {skew}");
        assert!(
            (kurt - 3.0).abs() < 5.0 * 96f64.sqrt() * se,
            "fourth moment {kurt}"
        );
        let p = tails as f64 / nf;
        assert!(
            (p - 0.05).abs() < 5.0 * (0.05 * 0.95 / nf).sqrt(),
            "tail mass {p}"
        );
    }

    /// The draws are a fixed function of the generator's words: pinned values, so a
    /// change of method (or of the math under it) is noticed.
    #[test]
    fn draws_are_pinned() {
        let mut rng = ChaCha8Rng::seed_from_u64(2021);
        let got: Vec<u64> = (0..4)
            .map(|_| standard_normal(&mut rng).to_bits())
            .collect();
        let want: Vec<u64> = vec![
            4_610_167_081_817_067_873,
            4_593_806_394_275_659_930,
            13_826_602_357_465_725_520,
            4_607_842_880_317_051_719,
        ];
        assert_eq!(got, want);
    }

    /// The uniforms feeding the polar method lie in `[-1, 1)`.
    #[test]
    fn uniform_is_in_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..10_000 {
            let u = symmetric_uniform(&mut rng);
            assert!((-1.0..1.0).contains(&u));
        }
    }
}
