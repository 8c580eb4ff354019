//! Exact certification of a basis pair found by floating-point pivoting.

use core::cmp::Ordering;

use super::int::{Int, Mat, Overflow};

/// Recomputes the basic solutions of the two final bases exactly and checks
/// that they form a completely labelled pair of points of `P` and `Q`, i.e. a
/// Nash equilibrium (von Stengel 2007, *Algorithmic Game Theory* ch. 3,
/// §3.3), for the positive integer payoff matrices `a` and `b`. Returns the
/// unnormalized points, `Ok(None)` if the bases do not certify, or
/// [`Overflow`] if a stored value leaves `I` (the caller then certifies again
/// with `BigInt`, which never overflows).
pub(crate) fn certify<I: Int>(
    a: &Mat<I>,
    b: &Mat<I>,
    bases: &[Vec<usize>; 2],
) -> Result<Option<(Vec<I>, Vec<I>)>, Overflow> {
    let (m, n) = (a.rows, a.cols);
    let mut bp = vec![false; m + n];
    let mut bq = vec![false; m + n];
    for &v in &bases[0] {
        bp[v] = true;
    }
    for &v in &bases[1] {
        bq[v] = true;
    }
    // P: x_I basic, columns T with s_j nonbasic are tight: B_{I,T}ᵀ x_I = 1.
    let support_x: Vec<usize> = (0..m).filter(|&i| bp[i]).collect();
    let tight_cols: Vec<usize> = (0..n).filter(|&j| !bp[m + j]).collect();
    // Q: y_J basic, rows with r_i nonbasic are tight: A_{S,J} y_J = 1.
    let support_y: Vec<usize> = (0..n).filter(|&j| bq[m + j]).collect();
    let tight_rows: Vec<usize> = (0..m).filter(|&i| !bq[i]).collect();
    if support_x.len() != tight_cols.len() || support_y.len() != tight_rows.len() {
        return Ok(None);
    }
    if support_x.is_empty() || support_y.is_empty() {
        return Ok(None);
    }
    let mx: Vec<I> = tight_cols
        .iter()
        .flat_map(|&j| support_x.iter().map(move |&i| b.at(i, j).clone()))
        .collect();
    let my: Vec<I> = tight_rows
        .iter()
        .flat_map(|&i| support_y.iter().map(move |&j| a.at(i, j).clone()))
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
    for (j, yj) in y.iter().enumerate() {
        let mut s = I::zero();
        for (i, xi) in x.iter().enumerate().filter(|(_, v)| !v.is_zero()) {
            I::mul_acc(&mut s, b.at(i, j), xi, false)?;
        }
        match s.cmp(&dx) {
            Ordering::Greater => return Ok(None),
            Ordering::Less if !yj.is_zero() => return Ok(None),
            _ => {}
        }
    }
    for (i, xi) in x.iter().enumerate() {
        let mut s = I::zero();
        for (j, yj) in y.iter().enumerate().filter(|(_, v)| !v.is_zero()) {
            I::mul_acc(&mut s, a.at(i, j), yj, false)?;
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
