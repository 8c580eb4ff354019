//! Small dense linear algebra shared by the numerical solvers (the n-player
//! support enumeration and the logit path follower).

/// LU factorisation with partial pivoting of a square row-major matrix.
pub(crate) struct Lu {
    n: usize,
    a: Vec<f64>,
    piv: Vec<usize>,
}

impl Lu {
    /// Factorises `a` (`n × n`, row-major); `None` if a pivot is at most
    /// `rel_tol` times the largest entry (numerically singular).
    pub(crate) fn new(a: &[f64], n: usize, rel_tol: f64) -> Option<Self> {
        let mut a = a.to_vec();
        let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        if scale.is_nan() || scale <= 0.0 || scale.is_infinite() {
            return if n == 0 {
                Some(Self {
                    n,
                    a,
                    piv: Vec::new(),
                })
            } else {
                None
            };
        }
        let mut piv = Vec::with_capacity(n);
        for col in 0..n {
            let (p, best) = (col..n)
                .map(|r| (r, a[r * n + col].abs()))
                .fold((col, -1.0), |acc, x| if x.1 > acc.1 { x } else { acc });
            if best.is_nan() || best <= rel_tol * scale {
                return None;
            }
            piv.push(p);
            if p != col {
                for j in 0..n {
                    a.swap(col * n + j, p * n + j);
                }
            }
            let inv = 1.0 / a[col * n + col];
            for r in col + 1..n {
                let factor = a[r * n + col] * inv;
                a[r * n + col] = factor;
                if factor != 0.0 {
                    for j in col + 1..n {
                        a[r * n + j] -= factor * a[col * n + j];
                    }
                }
            }
        }
        Some(Self { n, a, piv })
    }

    /// Solves `A x = b` in place.
    pub(crate) fn solve(&self, b: &mut [f64]) {
        let n = self.n;
        for (col, &p) in self.piv.iter().enumerate() {
            b.swap(col, p);
        }
        for r in 0..n {
            let row = &self.a[r * n..r * n + r];
            let s: f64 = row.iter().zip(&b[..r]).map(|(a, x)| a * x).sum();
            b[r] -= s;
        }
        for r in (0..n).rev() {
            let row = &self.a[r * n + r + 1..(r + 1) * n];
            let s: f64 = row.iter().zip(&b[r + 1..]).map(|(a, x)| a * x).sum();
            b[r] = (b[r] - s) / self.a[r * n + r];
        }
    }

    /// The inverse matrix (row-major).
    pub(crate) fn inverse(&self) -> Vec<f64> {
        let n = self.n;
        let mut inv = vec![0.0; n * n];
        let mut e = vec![0.0; n];
        for j in 0..n {
            e.fill(0.0);
            e[j] = 1.0;
            self.solve(&mut e);
            for i in 0..n {
                inv[i * n + j] = e[i];
            }
        }
        inv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lu_solves_and_detects_singularity() {
        let a = [2.0, 1.0, 1.0, 3.0];
        let lu = Lu::new(&a, 2, 1e-12).unwrap();
        let mut b = [3.0, 5.0];
        lu.solve(&mut b);
        assert!((b[0] - 0.8).abs() < 1e-15 && (b[1] - 1.4).abs() < 1e-15);
        assert!(Lu::new(&[1.0, 2.0, 2.0, 4.0], 2, 1e-12).is_none());
    }
}
