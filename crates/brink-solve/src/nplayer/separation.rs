//! Wolfe's minimum-norm-point test: is the origin outside a convex hull?

use crate::linalg::Lu;

/// Whether the origin is (robustly) outside the convex hull of the points
/// `pts` (rows of length `d`): Wolfe's (1976) minimum-norm-point algorithm
/// finds a candidate separating direction `x`, which is then checked
/// directly (`p · x > tol |x|` for every point).
pub(super) fn separated(pts: &[f64], d: usize, tol: f64) -> bool {
    let npts = pts.len() / d;
    let p = |i: usize| &pts[i * d..(i + 1) * d];
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut set: Vec<usize> = Vec::new();
    let mut lam: Vec<f64> = Vec::new();
    let start = (0..npts)
        .min_by(|&a, &b| dot(p(a), p(a)).total_cmp(&dot(p(b), p(b))))
        .unwrap();
    set.push(start);
    lam.push(1.0);
    let mut x = p(start).to_vec();
    let scale = (0..npts).map(|i| dot(p(i), p(i))).fold(0.0, f64::max);
    for _major in 0..(4 * d + 20) {
        let xx = dot(&x, &x);
        if xx <= 1e-28 * scale {
            return false;
        }
        let (j, best) = (0..npts)
            .map(|i| (i, dot(&x, p(i))))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        if best > tol * xx.sqrt() {
            return true;
        }
        if best >= xx - 1e-12 * scale || set.contains(&j) {
            return false;
        }
        set.push(j);
        lam.push(0.0);
        for _minor in 0..(2 * d + 10) {
            // Affine minimum-norm point of the current set.
            let m = set.len();
            let mut a = vec![0.0; (m + 1) * (m + 1)];
            for r in 0..m {
                for c in 0..m {
                    a[r * (m + 1) + c] = dot(p(set[r]), p(set[c]));
                }
                a[r * (m + 1) + m] = 1.0;
                a[m * (m + 1) + r] = 1.0;
            }
            let Some(lu) = Lu::new(&a, m + 1, 1e-14) else {
                return false;
            };
            let mut rhs = vec![0.0; m + 1];
            rhs[m] = 1.0;
            lu.solve(&mut rhs);
            let alpha = &rhs[..m];
            if alpha.iter().all(|&v| v > 1e-15) {
                lam.copy_from_slice(alpha);
                break;
            }
            let mut theta = 1.0f64;
            for (l, &al) in lam.iter().zip(alpha) {
                if al <= 1e-15 && l - al > 0.0 {
                    theta = theta.min(l / (l - al));
                }
            }
            for (l, &al) in lam.iter_mut().zip(alpha) {
                *l = theta * al + (1.0 - theta) * *l;
            }
            let mut i = 0;
            while i < set.len() {
                if lam[i] <= 1e-15 {
                    set.remove(i);
                    lam.remove(i);
                } else {
                    i += 1;
                }
            }
            if set.is_empty() {
                return false;
            }
        }
        x.fill(0.0);
        for (&i, &l) in set.iter().zip(&lam) {
            for (xk, pk) in x.iter_mut().zip(p(i)) {
                *xk += l * pk;
            }
        }
    }
    false
}
