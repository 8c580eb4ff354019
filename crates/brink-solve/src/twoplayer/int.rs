//! Exact integer arithmetic for fraction-free (integer-pivoting) algorithms.
//!
//! The two-player solvers scale each payoff matrix to integers and then work
//! with integer tableaux whose entries are subdeterminants (Bareiss 1968,
//! "Sylvester's identity and multistep integer-preserving Gaussian
//! elimination"; the same integer pivoting as in von Stengel 2007,
//! *Algorithmic Game Theory* ch. 3, §3.5, and in `lrs`). Entries stay exact
//! and bounded by Hadamard's bound, so fast `i64`/`i128` representations
//! suffice for most games; products that leave `i128` are
//! evaluated in `BigInt`, and a *stored* value that does not fit makes the
//! algorithm report [`Overflow`] so that the caller reruns it with `BigInt`.

use core::cmp::Ordering;
use core::fmt::Debug;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

/// A stored value left the range of the integer type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Overflow;

/// Integer operations used by the fraction-free algorithms.
pub(crate) trait Int: Clone + Debug + Ord + core::hash::Hash {
    fn from_big(b: &BigInt) -> Option<Self>;
    fn to_big(&self) -> BigInt;
    fn zero() -> Self;
    fn one() -> Self;
    fn is_zero(&self) -> bool;
    /// Sign as −1, 0 or 1.
    fn sign(&self) -> i8;
    /// `(a * b − c * d) / e`, where the division is known to be exact.
    fn mul_sub_div(a: &Self, b: &Self, c: &Self, d: &Self, e: &Self) -> Result<Self, Overflow>;
    /// `Σ a_i b_i`.
    fn dot(a: &[Self], b: &[Self]) -> Result<Self, Overflow>;
    /// Compares `a * b` with `c * d`.
    fn cmp_prod(a: &Self, b: &Self, c: &Self, d: &Self) -> Ordering;
    /// `acc += a * b` (or `acc −= a * b` when `negate`).
    fn mul_acc(acc: &mut Self, a: &Self, b: &Self, negate: bool) -> Result<(), Overflow>;
    /// `a / e`, where the division is known to be exact (`e ≠ 0`).
    fn div_exact(a: &Self, e: &Self) -> Self;
    /// `−a`.
    fn neg(a: &Self) -> Result<Self, Overflow>;
}

/// The methods of `Int` that are the same text for every machine integer
/// (`$to` converts from a `BigInt`, `$mul` is the checked product).
macro_rules! machine_int_basics {
    ($to:ident, $mul:path) => {
        fn from_big(b: &BigInt) -> Option<Self> {
            b.$to()
        }
        fn to_big(&self) -> BigInt {
            BigInt::from(*self)
        }
        fn zero() -> Self {
            0
        }
        fn one() -> Self {
            1
        }
        fn is_zero(&self) -> bool {
            *self == 0
        }
        fn sign(&self) -> i8 {
            self.signum() as i8
        }
        #[inline]
        fn mul_acc(acc: &mut Self, a: &Self, b: &Self, negate: bool) -> Result<(), Overflow> {
            let p = $mul(*a, *b).ok_or(Overflow)?;
            *acc = if negate {
                acc.checked_sub(p)
            } else {
                acc.checked_add(p)
            }
            .ok_or(Overflow)?;
            Ok(())
        }
        #[inline]
        fn div_exact(a: &Self, e: &Self) -> Self {
            debug_assert_eq!(a % e, 0, "inexact division");
            a / e
        }
        #[inline]
        fn neg(a: &Self) -> Result<Self, Overflow> {
            a.checked_neg().ok_or(Overflow)
        }
    };
}

/// `a · b`, or `None` if it leaves `i128`. Factors that fit in `i64` (the
/// common case) take one widening multiplication instead of the general
/// overflow-checked 128-bit product.
#[inline]
fn mul128(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) => Some(i128::from(x) * i128::from(y)),
        _ => a.checked_mul(b),
    }
}

/// `r / e` (`e ≠ 0`), in 64-bit division when both fit in `i64`.
#[inline]
fn div128(r: i128, e: i128) -> i128 {
    match (i64::try_from(r), i64::try_from(e)) {
        (Ok(x), Ok(y)) if y != -1 => i128::from(x / y),
        _ => r / e,
    }
}

fn narrow(b: BigInt) -> Result<i128, Overflow> {
    b.to_i128().ok_or(Overflow)
}

impl Int for i128 {
    machine_int_basics!(to_i128, mul128);
    #[inline]
    fn mul_sub_div(a: &Self, b: &Self, c: &Self, d: &Self, e: &Self) -> Result<Self, Overflow> {
        if let (Some(x), Some(y)) = (mul128(*a, *b), mul128(*c, *d))
            && let Some(r) = x.checked_sub(y)
        {
            debug_assert_eq!(r % e, 0, "inexact division in integer pivoting");
            return Ok(div128(r, *e));
        }
        let num = BigInt::from(*a) * b - BigInt::from(*c) * d;
        narrow(num / e)
    }
    #[inline]
    fn dot(a: &[Self], b: &[Self]) -> Result<Self, Overflow> {
        let mut acc: i128 = 0;
        for (x, y) in a.iter().zip(b) {
            match mul128(*x, *y).and_then(|p| acc.checked_add(p)) {
                Some(s) => acc = s,
                None => {
                    let big = a.iter().zip(b).fold(<BigInt as Zero>::zero(), |s, (x, y)| {
                        s + BigInt::from(*x) * y
                    });
                    return narrow(big);
                }
            }
        }
        Ok(acc)
    }
    #[inline]
    fn cmp_prod(a: &Self, b: &Self, c: &Self, d: &Self) -> Ordering {
        if let (Some(x), Some(y)) = (mul128(*a, *b), mul128(*c, *d)) {
            return x.cmp(&y);
        }
        (BigInt::from(*a) * b).cmp(&(BigInt::from(*c) * d))
    }
}

impl Int for i64 {
    machine_int_basics!(to_i64, i64::checked_mul);
    #[inline]
    fn mul_sub_div(a: &Self, b: &Self, c: &Self, d: &Self, e: &Self) -> Result<Self, Overflow> {
        let r = *a as i128 * *b as i128 - *c as i128 * *d as i128;
        let q = match i64::try_from(r) {
            Ok(r) => r / e,
            Err(_) => i64::try_from(r / *e as i128).map_err(|_| Overflow)?,
        };
        Ok(q)
    }
    #[inline]
    fn dot(a: &[Self], b: &[Self]) -> Result<Self, Overflow> {
        let mut acc: i128 = 0;
        for (x, y) in a.iter().zip(b) {
            acc = acc.checked_add(*x as i128 * *y as i128).ok_or(Overflow)?;
        }
        i64::try_from(acc).map_err(|_| Overflow)
    }
    #[inline]
    fn cmp_prod(a: &Self, b: &Self, c: &Self, d: &Self) -> Ordering {
        (*a as i128 * *b as i128).cmp(&(*c as i128 * *d as i128))
    }
}

impl Int for BigInt {
    fn from_big(b: &BigInt) -> Option<Self> {
        Some(b.clone())
    }
    fn to_big(&self) -> BigInt {
        self.clone()
    }
    fn zero() -> Self {
        Zero::zero()
    }
    fn one() -> Self {
        num_traits::One::one()
    }
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
    fn sign(&self) -> i8 {
        if self.is_positive() {
            1
        } else if self.is_negative() {
            -1
        } else {
            0
        }
    }
    fn mul_sub_div(a: &Self, b: &Self, c: &Self, d: &Self, e: &Self) -> Result<Self, Overflow> {
        let num = a * b - c * d;
        debug_assert!(Zero::is_zero(&(&num % e)), "inexact division");
        Ok(num / e)
    }
    fn dot(a: &[Self], b: &[Self]) -> Result<Self, Overflow> {
        Ok(a.iter()
            .zip(b)
            .fold(<BigInt as Zero>::zero(), |s, (x, y)| s + x * y))
    }
    fn cmp_prod(a: &Self, b: &Self, c: &Self, d: &Self) -> Ordering {
        (a * b).cmp(&(c * d))
    }
    fn div_exact(a: &Self, e: &Self) -> Self {
        debug_assert!(Zero::is_zero(&(a % e)), "inexact division");
        a / e
    }
    fn neg(a: &Self) -> Result<Self, Overflow> {
        Ok(-a)
    }
    fn mul_acc(acc: &mut Self, a: &Self, b: &Self, negate: bool) -> Result<(), Overflow> {
        if negate {
            *acc -= a * b;
        } else {
            *acc += a * b;
        }
        Ok(())
    }
}

/// A dense row-major integer matrix.
#[derive(Clone, Debug)]
pub(crate) struct Mat<I> {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<I>,
}

impl<I: Int> Mat<I> {
    #[inline]
    pub fn at(&self, r: usize, c: usize) -> &I {
        &self.data[r * self.cols + c]
    }

    pub fn transpose(&self) -> Self {
        let mut data = Vec::with_capacity(self.data.len());
        for c in 0..self.cols {
            for r in 0..self.rows {
                data.push(self.at(r, c).clone());
            }
        }
        Mat {
            rows: self.cols,
            cols: self.rows,
            data,
        }
    }

    /// Converts a `BigInt` matrix; `None` if an entry does not fit.
    pub fn convert(big: &Mat<BigInt>) -> Option<Self> {
        let data = big
            .data
            .iter()
            .map(I::from_big)
            .collect::<Option<Vec<_>>>()?;
        Some(Mat {
            rows: big.rows,
            cols: big.cols,
            data,
        })
    }
}
