//! Exact certification of a basis pair found by floating-point pivoting.

use core::cmp::Ordering;

use super::int::{Int, Mat, Overflow};

/// A positive integer payoff matrix as [`certify`] reads it.
pub(crate) trait Payoffs<I> {
    /// `(rows, columns)`.
    fn shape(&self) -> (usize, usize);
    /// The entry in row `i`, column `j`.
    fn at(&self, i: usize, j: usize) -> I;
}

impl<I: Int> Payoffs<I> for Mat<I> {
    fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }
    #[inline]
    fn at(&self, i: usize, j: usize) -> I {
        Mat::at(self, i, j).clone()
    }
}

/// Machine-integer payoffs `raw` (`rows × cols`, row-major) shifted by
/// `shift`, read on the fly (no matrix is built).
pub(crate) struct Shifted<'a> {
    pub raw: &'a [i64],
    pub rows: usize,
    pub cols: usize,
    pub shift: i128,
}

impl Payoffs<i128> for Shifted<'_> {
    fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }
    #[inline]
    fn at(&self, i: usize, j: usize) -> i128 {
        i128::from(self.raw[i * self.cols + j]) + self.shift
    }
}

/// The unnormalized points `(x, y)` of a certified basis pair.
pub(crate) type Points<I> = (Vec<I>, Vec<I>);

/// Recomputes the basic solutions of the two final bases exactly and checks
/// that they form a completely labelled pair of points of `P` and `Q`, i.e. a
/// Nash equilibrium (von Stengel 2007, *Algorithmic Game Theory* ch. 3,
/// §3.3), for the positive integer payoff matrices `a` and `b`. Returns the
/// unnormalized points, `Ok(None)` if the bases do not certify, or
/// [`Overflow`] if a stored value leaves `I` (the caller then certifies again
/// with `BigInt`, which never overflows).
pub(crate) fn certify<I: Int, M: Payoffs<I>>(
    a: &M,
    b: &M,
    bases: &[Vec<usize>; 2],
) -> Result<Option<Points<I>>, Overflow> {
    let (m, n) = a.shape();
    let mut bp = bases[0].clone();
    let mut bq = bases[1].clone();
    bp.sort_unstable();
    bq.sort_unstable();
    // P: x_I basic, columns T with s_j nonbasic are tight: B_{I,T}ᵀ x_I = 1.
    let split = bp.partition_point(|&v| v < m);
    let support_x = &bp[..split];
    let tight_cols = complement(&bp[split..], m, n);
    // Q: y_J basic, rows with r_i nonbasic are tight: A_{S,J} y_J = 1.
    let split = bq.partition_point(|&v| v < m);
    let support_y: Vec<usize> = bq[split..].iter().map(|&v| v - m).collect();
    let tight_rows = complement(&bq[..split], 0, m);
    if support_x.len() != tight_cols.len() || support_y.len() != tight_rows.len() {
        return Ok(None);
    }
    if support_x.is_empty() || support_y.is_empty() {
        return Ok(None);
    }
    let mx: Vec<I> = tight_cols
        .iter()
        .flat_map(|&j| support_x.iter().map(move |&i| b.at(i, j)))
        .collect();
    let my: Vec<I> = tight_rows
        .iter()
        .flat_map(|&i| support_y.iter().map(move |&j| a.at(i, j)))
        .collect();
    let Some((xs, dx)) = solve_ones(mx, support_x.len())? else {
        return Ok(None);
    };
    let Some((ys, dy)) = solve_ones(my, support_y.len())? else {
        return Ok(None);
    };
    let mut x = vec![I::zero(); m];
    for (&i, v) in support_x.iter().zip(xs) {
        x[i] = v;
    }
    let mut y = vec![I::zero(); n];
    for (&j, v) in support_y.iter().zip(ys) {
        y[j] = v;
    }
    // x = X / dx and y = Y / dy with dx, dy > 0. Check x ≥ 0, y ≥ 0,
    // Bᵀx ≤ 1, Ay ≤ 1 and complementarity: every label is present in x or y.
    if x.iter().chain(&y).any(|v| v.sign() < 0) {
        return Ok(None);
    }
    // (x and y vanish outside their supports.)
    for (j, yj) in y.iter().enumerate() {
        let mut s = I::zero();
        for &i in support_x {
            I::mul_acc(&mut s, &b.at(i, j), &x[i], false)?;
        }
        match s.cmp(&dx) {
            Ordering::Greater => return Ok(None),
            Ordering::Less if !yj.is_zero() => return Ok(None),
            _ => {}
        }
    }
    for (i, xi) in x.iter().enumerate() {
        let mut s = I::zero();
        for &j in &support_y {
            I::mul_acc(&mut s, &a.at(i, j), &y[j], false)?;
        }
        match s.cmp(&dy) {
            Ordering::Greater => return Ok(None),
            Ordering::Less if !xi.is_zero() => return Ok(None),
            _ => {}
        }
    }
    if x.iter().all(Int::is_zero) || y.iter().all(Int::is_zero) {
        return Ok(None);
    }
    Ok(Some((x, y)))
}

/// The indices `0..len` whose variable `offset + index` is not among the
/// sorted variables `basic`.
fn complement(basic: &[usize], offset: usize, len: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(len);
    let mut rest = basic.iter().peekable();
    for k in 0..len {
        if rest.next_if_eq(&&(offset + k)).is_none() {
            out.push(k);
        }
    }
    out
}

/// Solves `M v = 1` exactly for a square `k × k` integer matrix (row-major in
/// `m`) by fraction-free Gaussian elimination (Bareiss 1968) with row
/// pivoting: returns `(V, d)` with `v = V / d`, `d > 0`, or `None` if `M` is
/// singular.
fn solve_ones<I: Int>(m: Vec<I>, k: usize) -> Result<Option<(Vec<I>, I)>, Overflow> {
    // The augmented matrix [M | 1], row-major with width k + 1.
    let w = k + 1;
    let mut t = Vec::with_capacity(k * w);
    for row in m.chunks(k) {
        t.extend_from_slice(row);
        t.push(I::one());
    }
    let mut prev = I::one();
    for c in 0..k {
        let Some(p) = (c..k).find(|&r| !t[r * w + c].is_zero()) else {
            return Ok(None);
        };
        if p != c {
            for j in 0..w {
                t.swap(c * w + j, p * w + j);
            }
        }
        let (top, below) = t.split_at_mut((c + 1) * w);
        let pivot_row = &top[c * w..];
        for row in below.chunks_mut(w) {
            for j in c + 1..w {
                row[j] = I::mul_sub_div(&pivot_row[c], &row[j], &row[c], &pivot_row[j], &prev)?;
            }
            row[c] = I::zero();
        }
        prev = t[c * w + c].clone();
    }
    // Back substitution on the integers X_i = det · v_i.
    let det = prev;
    let mut xs = vec![I::zero(); k];
    for i in (0..k).rev() {
        let row = &t[i * w..(i + 1) * w];
        let mut acc = I::zero();
        I::mul_acc(&mut acc, &det, &row[k], false)?;
        for j in i + 1..k {
            I::mul_acc(&mut acc, &row[j], &xs[j], true)?;
        }
        xs[i] = I::div_exact(&acc, &row[i]);
    }
    if det.sign() < 0 {
        for v in &mut xs {
            *v = I::neg(v)?;
        }
        Ok(Some((xs, I::neg(&det)?)))
    } else {
        Ok(Some((xs, det)))
    }
}
