//! The best-response polytopes of a bimatrix game as integer tableaux.
//!
//! With payoffs shifted so that `A > 0` and `B > 0` (von Stengel 2007,
//! *Algorithmic Game Theory* ch. 3, §3.3):
//!
//! ```text
//! P = { x ∈ R^m : x ≥ 0, Bᵀx ≤ 1 }     Q = { y ∈ R^n : A y ≤ 1, y ≥ 0 }
//! ```
//!
//! Labels are `0..m` (row strategies) and `m..m+n` (column strategies). In `P`,
//! label `i` means `x_i = 0` and label `m+j` means `(Bᵀx)_j = 1`; in `Q`, label
//! `i` means `(Ay)_i = 1` and label `m+j` means `y_j = 0`. Each tableau has one
//! variable per label, numbered by its label, so that a variable is nonbasic
//! exactly when its label is present (at a nondegenerate basis): in `P` the
//! variables are `x_0..x_{m−1}` then the slacks `s_0..s_{n−1}`; in `Q` the slacks
//! `r_0..r_{m−1}` then `y_0..y_{n−1}`.
//!
//! Tableaux are fraction-free ("integer pivoting", von Stengel 2007, §3.5):
//! the stored matrix is `det(B)·B⁻¹[M | I | 1]`, every entry an integer
//! subdeterminant, and a pivot divides exactly by the previous determinant.
//! Ties in the minimum-ratio test are broken lexicographically using the
//! columns of the initial slack basis (i.e. `B⁻¹`), which is the simplex
//! method on the lexicographically perturbed right-hand side `1 + (ε, ε², …)`;
//! this makes every basis nondegenerate in the perturbed problem, so pivoting
//! never cycles (Dantzig, Orden & Wolfe 1955; von Stengel 2007, §3.6).

use core::cmp::Ordering;

use super::int::{Int, Mat, Overflow};

/// A basis as a set of variables.
pub(crate) type BasisKey = Vec<u64>;

#[derive(Clone, Debug)]
pub(crate) struct Tableau<I> {
    pub rows: usize,
    pub vars: usize,
    width: usize,
    t: Vec<I>,
    pub basis: Vec<usize>,
    /// Row of each basic variable, `usize::MAX` if nonbasic.
    row_of: Vec<usize>,
    pub det: I,
    /// The variable initially basic in each row (its column is `det·B⁻¹ e_r`).
    init_basis: Vec<usize>,
}

const NONBASIC: usize = usize::MAX;

impl<I: Int> Tableau<I> {
    /// Bytes held by the tableau (estimated: entries at their inline size).
    pub fn bytes(&self) -> u64 {
        (std::mem::size_of::<Self>()
            + self.t.len() * std::mem::size_of::<I>().max(16)
            + 8 * (self.basis.len() + self.row_of.len() + self.init_basis.len())) as u64
    }

    /// The tableau of `P` (`player = 0`, rows = column strategies) or `Q`
    /// (`player = 1`, rows = row strategies) of the positive game `(a, b)`.
    pub fn best_response_polytope(a: &Mat<I>, b: &Mat<I>, player: usize) -> Self {
        let (m, n) = (a.rows, a.cols);
        let vars = m + n;
        let width = vars + 1;
        let rows = if player == 0 { n } else { m };
        let mut t = vec![I::zero(); rows * width];
        let mut basis = Vec::with_capacity(rows);
        for r in 0..rows {
            let row = &mut t[r * width..(r + 1) * width];
            if player == 0 {
                // Row j: Σ_i b_ij x_i + s_j = 1.
                for (i, slot) in row[..m].iter_mut().enumerate() {
                    *slot = b.at(i, r).clone();
                }
                row[m + r] = I::one();
                basis.push(m + r);
            } else {
                // Row i: r_i + Σ_j a_ij y_j = 1.
                row[r] = I::one();
                for (j, slot) in row[m..m + n].iter_mut().enumerate() {
                    *slot = a.at(r, j).clone();
                }
                basis.push(r);
            }
            row[vars] = I::one();
        }
        let mut row_of = vec![NONBASIC; vars];
        for (r, &v) in basis.iter().enumerate() {
            row_of[v] = r;
        }
        Tableau {
            rows,
            vars,
            width,
            t,
            init_basis: basis.clone(),
            basis,
            row_of,
            det: I::one(),
        }
    }

    #[inline]
    fn at(&self, r: usize, c: usize) -> &I {
        &self.t[r * self.width + c]
    }

    /// Right-hand side of row `r` (the basic variable's value times `det`).
    #[inline]
    pub fn rhs(&self, r: usize) -> &I {
        self.at(r, self.vars)
    }

    pub fn is_basic(&self, v: usize) -> bool {
        self.row_of[v] != NONBASIC
    }

    /// Value of variable `v` times `det` (zero when nonbasic).
    pub fn scaled_value(&self, v: usize) -> I {
        match self.row_of[v] {
            NONBASIC => I::zero(),
            r => self.rhs(r).clone(),
        }
    }

    /// The leaving row when `c` enters, by the lexicographic minimum-ratio
    /// test; `None` if column `c` has no positive entry (unbounded direction).
    pub fn lex_min_ratio(&self, c: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        for r in 0..self.rows {
            if self.at(r, c).sign() <= 0 {
                continue;
            }
            best = Some(match best {
                None => r,
                Some(b) => {
                    if self.lex_less(r, b, c) {
                        r
                    } else {
                        b
                    }
                }
            });
        }
        best
    }

    /// Whether row `r`'s lexicographic ratio is smaller than row `b`'s for
    /// entering column `c` (both pivot entries positive).
    fn lex_less(&self, r: usize, b: usize, c: usize) -> bool {
        let (ar, ab) = (self.at(r, c), self.at(b, c));
        let cols = core::iter::once(self.vars).chain(self.init_basis.iter().copied());
        for col in cols {
            // x_r / a_r < x_b / a_b  ⇔  x_r a_b < x_b a_r (a's positive).
            match I::cmp_prod(self.at(r, col), ab, self.at(b, col), ar) {
                Ordering::Less => return true,
                Ordering::Greater => return false,
                Ordering::Equal => {}
            }
        }
        false
    }

    /// Integer pivot: variable `c` enters, the basic variable of row `r`
    /// leaves.
    pub fn pivot(&mut self, r: usize, c: usize) -> Result<(), Overflow> {
        let w = self.width;
        let p = self.at(r, c).clone();
        let (before, rest) = self.t.split_at_mut(r * w);
        let (prow, after) = rest.split_at_mut(w);
        for row in before.chunks_mut(w).chain(after.chunks_mut(w)) {
            let f = row[c].clone();
            if f.is_zero() {
                for v in row.iter_mut() {
                    if !v.is_zero() {
                        *v = I::mul_sub_div(v, &p, &f, &f, &self.det)?;
                    }
                }
            } else {
                for (v, pv) in row.iter_mut().zip(prow.iter()) {
                    *v = I::mul_sub_div(v, &p, &f, pv, &self.det)?;
                }
            }
        }
        self.det = p;
        let leaving = self.basis[r];
        self.row_of[leaving] = NONBASIC;
        self.basis[r] = c;
        self.row_of[c] = r;
        Ok(())
    }

    /// The set of basic variables as a bitset.
    pub fn key(&self) -> BasisKey {
        let mut k = vec![0u64; self.vars.div_ceil(64)];
        for &v in &self.basis {
            k[v / 64] |= 1 << (v % 64);
        }
        k
    }

    /// The labels of the current point: nonbasic variables and basic
    /// variables at value zero. Also whether a basic variable is zero
    /// (a degenerate vertex).
    pub fn labels(&self) -> (BasisKey, bool) {
        let mut k = vec![0u64; self.vars.div_ceil(64)];
        let mut degenerate = false;
        for v in 0..self.vars {
            let present = match self.row_of[v] {
                NONBASIC => true,
                r => {
                    let z = self.rhs(r).is_zero();
                    degenerate |= z;
                    z
                }
            };
            if present {
                k[v / 64] |= 1 << (v % 64);
            }
        }
        (k, degenerate)
    }
}
