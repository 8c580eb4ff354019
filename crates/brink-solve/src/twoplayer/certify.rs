//! Exact certification of a basis pair found by floating-point pivoting.

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

use super::Bimatrix;

/// Recomputes the basic solutions of the two final bases exactly and checks
/// that they form a completely labelled pair of points of `P` and `Q`, i.e. a
/// Nash equilibrium (von Stengel 2007, *Algorithmic Game Theory* ch. 3,
/// §3.3). Returns the unnormalized points, or `None` if the bases do not
/// certify.
pub(crate) fn certify(
    bm: &Bimatrix,
    bases: &[Vec<usize>; 2],
) -> Option<(Vec<BigInt>, Vec<BigInt>)> {
    let (m, n) = (bm.m, bm.n);
    let basic = |side: usize| {
        let mut v = vec![false; m + n];
        for &b in &bases[side] {
            v[b] = true;
        }
        v
    };
    let (bp, bq) = (basic(0), basic(1));
    // P: x_I basic, columns T with s_j nonbasic are tight: B_{I,T}ᵀ x_I = 1.
    let support_x: Vec<usize> = (0..m).filter(|&i| bp[i]).collect();
    let tight_cols: Vec<usize> = (0..n).filter(|&j| !bp[m + j]).collect();
    // Q: y_J basic, rows with r_i nonbasic are tight: A_{S,J} y_J = 1.
    let support_y: Vec<usize> = (0..n).filter(|&j| bq[m + j]).collect();
    let tight_rows: Vec<usize> = (0..m).filter(|&i| !bq[i]).collect();
    if support_x.len() != tight_cols.len() || support_y.len() != tight_rows.len() {
        return None;
    }
    if support_x.is_empty() || support_y.is_empty() {
        return None;
    }
    let mx: Vec<Vec<BigInt>> = tight_cols
        .iter()
        .map(|&j| support_x.iter().map(|&i| bm.b.at(i, j).clone()).collect())
        .collect();
    let my: Vec<Vec<BigInt>> = tight_rows
        .iter()
        .map(|&i| support_y.iter().map(|&j| bm.a.at(i, j).clone()).collect())
        .collect();
    let (xs, dx) = solve_ones(mx)?;
    let (ys, dy) = solve_ones(my)?;
    let mut x = vec![BigInt::zero(); m];
    for (&i, v) in support_x.iter().zip(xs) {
        x[i] = v;
    }
    let mut y = vec![BigInt::zero(); n];
    for (&j, v) in support_y.iter().zip(ys) {
        y[j] = v;
    }
    // x = X / dx and y = Y / dy with dx, dy > 0. Check x ≥ 0, y ≥ 0,
    // Bᵀx ≤ 1, Ay ≤ 1 and complementarity: every label is present in x or y.
    if x.iter().chain(&y).any(|v| v.is_negative()) {
        return None;
    }
    for (j, yj) in y.iter().enumerate() {
        let s: BigInt = x.iter().enumerate().map(|(i, xi)| bm.b.at(i, j) * xi).sum();
        if s > dx || (s < dx && !yj.is_zero()) {
            return None;
        }
    }
    for (i, xi) in x.iter().enumerate() {
        let s: BigInt = y.iter().enumerate().map(|(j, yj)| bm.a.at(i, j) * yj).sum();
        if s > dy || (s < dy && !xi.is_zero()) {
            return None;
        }
    }
    if x.iter().all(|v| v.is_zero()) || y.iter().all(|v| v.is_zero()) {
        return None;
    }
    Some((x, y))
}

/// Solves `M v = 1` exactly for a square integer matrix by fraction-free
/// Gaussian elimination (Bareiss 1968) with row pivoting: returns `(V, d)`
/// with `v = V / d`, `d > 0`, or `None` if `M` is singular.
fn solve_ones(mut m: Vec<Vec<BigInt>>) -> Option<(Vec<BigInt>, BigInt)> {
    let k = m.len();
    for row in &mut m {
        row.push(BigInt::one());
    }
    let mut prev = BigInt::one();
    for c in 0..k {
        let p = (c..k).find(|&r| !m[r][c].is_zero())?;
        m.swap(c, p);
        for r in c + 1..k {
            for j in c + 1..=k {
                let v = (&m[c][c] * &m[r][j] - &m[r][c] * &m[c][j]) / &prev;
                m[r][j] = v;
            }
            m[r][c] = BigInt::zero();
        }
        prev = m[c][c].clone();
    }
    // Back substitution on the integers X_i = det · v_i.
    let det = m[k - 1][k - 1].clone();
    let mut xs = vec![BigInt::zero(); k];
    for i in (0..k).rev() {
        let mut acc = &det * &m[i][k];
        for j in i + 1..k {
            acc -= &m[i][j] * &xs[j];
        }
        xs[i] = acc / &m[i][i];
    }
    if det.is_negative() {
        for v in &mut xs {
            *v = -core::mem::take(v);
        }
        Some((xs, -det))
    } else {
        Some((xs, det))
    }
}
