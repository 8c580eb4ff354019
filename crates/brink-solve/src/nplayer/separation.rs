//! Wolfe's minimum-norm-point test: is the origin outside a convex hull?

use crate::linalg::Lu;

/// A finite set of points in `R^d`, read through the operations Wolfe's
/// algorithm needs (so that a structured set, such as the vertex values of a
/// multilinear system, need not be written out point by point).
pub(super) trait PointSet {
    /// Dimension of the points.
    fn dim(&self) -> usize;
    /// Number of points.
    fn len(&self) -> usize;
    /// Writes point `i` into `out` (length `dim`).
    fn point(&self, i: usize, out: &mut [f64]);
    /// Writes `x · p_i` for every point into `out` (length `len`).
    fn dots(&self, x: &[f64], out: &mut Vec<f64>);
    /// Writes `|p_i|²` for every point into `out` (length `len`).
    fn norms(&self, out: &mut Vec<f64>);
}

/// Points stored densely, one row of `d` values each.
#[cfg(test)]
pub(super) struct DensePoints<'a> {
    pub(super) pts: &'a [f64],
    pub(super) d: usize,
}

#[cfg(test)]
impl PointSet for DensePoints<'_> {
    fn dim(&self) -> usize {
        self.d
    }
    fn len(&self) -> usize {
        self.pts.len() / self.d
    }
    fn point(&self, i: usize, out: &mut [f64]) {
        out.copy_from_slice(&self.pts[i * self.d..(i + 1) * self.d]);
    }
    fn dots(&self, x: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.extend(
            self.pts
                .chunks_exact(self.d)
                .map(|p| p.iter().zip(x).map(|(a, b)| a * b).sum::<f64>()),
        );
    }
    fn norms(&self, out: &mut Vec<f64>) {
        out.clear();
        out.extend(
            self.pts
                .chunks_exact(self.d)
                .map(|p| p.iter().map(|a| a * a).sum::<f64>()),
        );
    }
}

/// Scratch buffers of [`separated`], kept between calls.
#[derive(Default)]
pub(super) struct SeparationScratch {
    /// Per-point values (norms, then dot products).
    vals: Vec<f64>,
    /// The points of the current corral, `d` values each.
    cache: Vec<f64>,
}

/// Whether the origin is (robustly) outside the convex hull of the points
/// `pts`: Wolfe's (1976) minimum-norm-point algorithm finds a candidate
/// separating direction `x`, which is then checked directly (`p · x > tol |x|`
/// for every point).
pub(super) fn separated(pts: &dyn PointSet, tol: f64, scratch: &mut SeparationScratch) -> bool {
    let d = pts.dim();
    let npts = pts.len();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let SeparationScratch { vals, cache } = scratch;

    let mut set: Vec<usize> = Vec::new();
    let mut lam: Vec<f64> = Vec::new();
    pts.norms(vals);
    let mut start = 0;
    let mut scale = 0.0f64;
    for (i, &v) in vals.iter().enumerate() {
        if v.total_cmp(&vals[start]).is_lt() {
            start = i;
        }
        scale = scale.max(v);
    }
    set.push(start);
    lam.push(1.0);
    cache.clear();
    cache.resize(d, 0.0);
    pts.point(start, &mut cache[..d]);
    let mut x = cache[..d].to_vec();
    for _major in 0..(4 * d + 20) {
        let xx = dot(&x, &x);
        if xx <= 1e-28 * scale {
            return false;
        }
        pts.dots(&x, vals);
        let mut j = 0;
        for (i, &v) in vals.iter().enumerate().take(npts) {
            if v.total_cmp(&vals[j]).is_lt() {
                j = i;
            }
        }
        let best = vals[j];
        if best > tol * xx.sqrt() {
            return true;
        }
        if best >= xx - 1e-12 * scale || set.contains(&j) {
            return false;
        }
        set.push(j);
        lam.push(0.0);
        let at = cache.len();
        cache.resize(at + d, 0.0);
        pts.point(j, &mut cache[at..]);
        for _minor in 0..(2 * d + 10) {
            // Affine minimum-norm point of the current set.
            let m = set.len();
            let mut a = vec![0.0; (m + 1) * (m + 1)];
            for r in 0..m {
                for c in 0..m {
                    a[r * (m + 1) + c] =
                        dot(&cache[r * d..(r + 1) * d], &cache[c * d..(c + 1) * d]);
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
                    cache.drain(i * d..(i + 1) * d);
                } else {
                    i += 1;
                }
            }
            if set.is_empty() {
                return false;
            }
        }
        x.fill(0.0);
        for (pr, &l) in cache.chunks_exact(d).zip(&lam) {
            for (xk, pk) in x.iter_mut().zip(pr) {
                *xk += l * pk;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(pts: &[f64], d: usize) -> bool {
        separated(
            &DensePoints { pts, d },
            1e-12,
            &mut SeparationScratch::default(),
        )
    }

    #[test]
    fn origin_outside_or_inside_a_hull() {
        // A triangle away from the origin, and one around it.
        assert!(dense(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0], 2));
        assert!(!dense(&[1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0], 2));
        assert!(!dense(&[2.0, -1.0, -1.0, 2.0, -1.0, -1.0], 2));
        // The origin itself is a point: not separated.
        assert!(!dense(&[0.0, 0.0, 3.0, 1.0], 2));
        // A segment in 3-D missing the origin.
        assert!(dense(&[1.0, -1.0, 0.5, -1.0, 1.0, 0.5], 3));
    }
}
