//! The number type bound shared by every game and solver in this crate.

use core::fmt::Debug;

use num_traits::Num;

/// A number type usable as a payoff (and as a probability in mixed strategies).
///
/// Every solver in this crate is generic over `T: Payoff`, so the same code runs
/// on `f64` (fast, approximate) and on exact rationals such as
/// `num_rational::Ratio<i64>` or `BigRational` (exact, for verification).
/// Primitive integers also satisfy the bound; they are exact for everything that
/// only compares payoffs (pure equilibria, best responses to pure profiles) and
/// for mixed-strategy helpers evaluated at degenerate (0/1) mixed strategies.
///
/// The trait is blanket-implemented for every `Clone + PartialOrd + Num + Debug`
/// type; there is nothing to implement by hand.
///
/// # Ordering contract
///
/// Solvers treat `PartialOrd` as a total order. Values that are not comparable
/// with themselves (floating-point NaN) are rejected by the validating
/// constructors of [`NormalFormGame`](crate::NormalFormGame); if such a value is
/// written through [`NormalFormGame::payoffs_mut`](crate::NormalFormGame::payoffs_mut)
/// anyway, results are unspecified (but no function panics because of it).
pub trait Payoff: Clone + PartialOrd + Num + Debug {}

impl<T: Clone + PartialOrd + Num + Debug> Payoff for T {}

/// Whether `x` is comparable with itself (false exactly for NaN-like values).
#[inline]
pub(crate) fn is_comparable<T: PartialOrd>(x: &T) -> bool {
    x.partial_cmp(x).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_payoff<T: Payoff>() {}

    #[test]
    fn common_types_are_payoffs() {
        assert_payoff::<f64>();
        assert_payoff::<f32>();
        assert_payoff::<i64>();
        assert_payoff::<num_rational::Ratio<i64>>();
    }

    #[test]
    fn nan_is_not_comparable() {
        assert!(!is_comparable(&f64::NAN));
        assert!(is_comparable(&f64::INFINITY));
        assert!(is_comparable(&0.0_f64));
        assert!(is_comparable(&3_i64));
    }
}
