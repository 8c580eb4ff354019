//! Exact rational numbers: the number type of the exact solvers.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};

/// An exact rational with arbitrary-precision numerator and denominator.
pub type Q = BigRational;

/// `n / d` as a [`Q`]. `d` must not be zero.
pub fn q(n: i64, d: i64) -> Q {
    Q::new(BigInt::from(n), BigInt::from(d))
}

/// The integer `n` as a [`Q`].
pub fn qi(n: i64) -> Q {
    Q::from_integer(BigInt::from(n))
}

/// The nearest `f64` (NaN only if the value cannot be represented at all).
pub fn to_f64(x: &Q) -> f64 {
    x.to_f64().unwrap_or(f64::NAN)
}

/// The exact rational value of a finite `f64` (every finite double is a dyadic
/// rational); None for NaN or infinities.
pub fn from_f64(x: f64) -> Option<Q> {
    Q::from_float(x)
}

/// Zero and one, for generic code that wants them by value.
pub fn zero() -> Q {
    Q::zero()
}

/// One as a [`Q`].
pub fn one() -> Q {
    Q::one()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_exact() {
        assert_eq!(q(2, 4), q(1, 2));
        assert_eq!(from_f64(0.375).unwrap(), q(3, 8));
        assert_eq!(to_f64(&q(1, 3)), 1.0 / 3.0);
        assert!(from_f64(f64::NAN).is_none());
        assert_eq!(qi(3) * q(1, 3), one());
    }
}
