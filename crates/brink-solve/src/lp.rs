//! Linear programming: an exact simplex method over [`Q`] and the same
//! algorithm over `f64`.
//!
//! # Why hand-written
//!
//! The equilibrium solvers need LPs solved *exactly* (zero-sum game values,
//! dominance by mixed strategies, degeneracy checks), and no maintained Rust LP
//! crate solves over arbitrary-precision rationals: the well-kept ones
//! (`good_lp` back ends, `minilp`, `microlp`, `clarabel`, HiGHS bindings) all
//! work in floating point. This module is therefore a small, dense, textbook
//! simplex method, written once generically and instantiated for exact
//! rationals ([`solve_exact`]) and for `f64` ([`solve_f64`]). It is meant for
//! the small and medium LPs that arise from games (up to a few hundred rows and
//! columns), not for large sparse models.
//!
//! # Algorithm
//!
//! Two-phase primal simplex on a dense tableau (Dantzig 1963; Chvátal 1983,
//! *Linear Programming*, ch. 2–3 and 8) with **Bland's rule** (Bland 1977,
//! "New finite pivoting rules for the simplex method", *Math. Oper. Res.* 2):
//! the entering variable is the lowest-indexed one with a positive reduced
//! cost, the leaving variable the lowest-indexed one among the tied minimum
//! ratios. Bland's rule never cycles, so the method terminates on every input,
//! including degenerate LPs such as Beale's (1955) cycling example.
//!
//! - Free variables are split as `x = x⁺ − x⁻`.
//! - Rows with a negative right-hand side are negated (flipping `Le`/`Ge`).
//! - `Le` rows start with their slack basic; `Ge` and `Eq` rows get an
//!   artificial variable. Phase 1 maximizes `−Σ artificials`; a negative
//!   optimum proves infeasibility. Artificials left basic at level zero are
//!   pivoted out where possible; rows where that is impossible are redundant
//!   and are kept inert (artificial columns never re-enter in phase 2).
//!
//! # Duals
//!
//! The dual of `maximize c·x subject to row_i·x (rel_i) b_i` is
//! `minimize b·y` subject to
//!
//! - `y_i ≥ 0` for a `Le` row, `y_i ≤ 0` for a `Ge` row, `y_i` free for an
//!   `Eq` row;
//! - `Σ_i y_i row_i[j] ≥ c_j` for every sign-restricted `x_j ≥ 0`, and `= c_j`
//!   for every free `x_j`.
//!
//! [`LpOutcome::Optimal`] returns an optimal dual solution `duals` (one entry
//! per constraint, in order) read off the final tableau (`y = c_B B⁻¹`). By
//! strong duality `b·y = value`; over [`Q`] this holds exactly. `y_i` is the
//! shadow price of row `i`: the rate at which the optimum grows as `b_i`
//! grows.
//!
//! # Exactness and tolerance
//!
//! [`solve_exact`] is exact: every number is a [`Q`] and every decision is an
//! exact sign test. [`solve_f64`] runs the same pivots in `f64`, treating any
//! value with absolute value at most [`F64_TOLERANCE`] as zero (both in sign
//! tests and by flushing tiny pivot results to exactly zero); scale the
//! problem so that its data are of order one for the tolerance to be
//! meaningful.

use core::cmp::Ordering;
use core::fmt::Debug;

use num_traits::{One, Signed, Zero};
use serde::{Deserialize, Serialize};

use crate::rational::Q;

/// Absolute tolerance of [`solve_f64`]: values with `|v| <= F64_TOLERANCE` are
/// treated as zero.
pub const F64_TOLERANCE: f64 = 1e-9;

/// The relation of a constraint row to its right-hand side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Relation {
    /// `row · x <= rhs`.
    Le,
    /// `row · x == rhs`.
    Eq,
    /// `row · x >= rhs`.
    Ge,
}

/// A linear program: maximize `objective · x` subject to the constraints.
///
/// Every constraint row must have `objective.len()` entries. `free[j] == true`
/// makes `x_j` unrestricted in sign; otherwise `x_j >= 0`. Entries missing
/// from `free` (when it is shorter than `objective`) count as `false`, so an
/// empty `free` means "all variables non-negative".
///
/// To minimize, negate the objective (and the reported value).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearProgram<T> {
    /// Maximize `objective · x`.
    pub objective: Vec<T>,
    /// Constraints `row · x (relation) rhs`.
    pub constraints: Vec<(Vec<T>, Relation, T)>,
    /// `free[j]`: whether `x_j` is unrestricted in sign (otherwise `x_j >= 0`).
    pub free: Vec<bool>,
}

impl<T> LinearProgram<T> {
    /// An LP with the given objective (to maximize), no constraints, and all
    /// variables non-negative.
    pub fn new(objective: Vec<T>) -> Self {
        Self {
            objective,
            constraints: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Adds the constraint `row · x (relation) rhs` (builder style).
    pub fn with_constraint(mut self, row: Vec<T>, relation: Relation, rhs: T) -> Self {
        self.constraints.push((row, relation, rhs));
        self
    }

    /// Makes `x_j` unrestricted in sign (builder style).
    pub fn with_free(mut self, j: usize) -> Self {
        if self.free.len() <= j {
            self.free.resize(j + 1, false);
        }
        self.free[j] = true;
        self
    }

    /// Number of variables.
    pub fn num_vars(&self) -> usize {
        self.objective.len()
    }
}

/// The result of solving a [`LinearProgram`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LpOutcome<T> {
    /// An optimal solution exists.
    Optimal {
        /// An optimal primal solution (a basic one).
        x: Vec<T>,
        /// The optimal objective value `objective · x`.
        value: T,
        /// An optimal dual solution, one entry per constraint; see the
        /// [module docs](self#duals) for the sign conventions.
        duals: Vec<T>,
    },
    /// No `x` satisfies the constraints.
    Infeasible,
    /// Feasible, but the objective is unbounded above.
    Unbounded,
}

impl<T> LpOutcome<T> {
    /// The optimal value, if any.
    pub fn value(&self) -> Option<&T> {
        match self {
            LpOutcome::Optimal { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The optimal primal solution, if any.
    pub fn solution(&self) -> Option<&[T]> {
        match self {
            LpOutcome::Optimal { x, .. } => Some(x),
            _ => None,
        }
    }
}

/// Solves `lp` exactly over the rationals.
///
/// Two-phase simplex with Bland's rule (see the [module docs](self)):
/// terminates on every input, and the result — optimal primal point, value and
/// dual solution, or infeasibility, or unboundedness — is exact.
///
/// # Panics
///
/// If a constraint row does not have `lp.objective.len()` entries.
///
/// ```
/// use brink_solve::lp::{LinearProgram, LpOutcome, Relation, solve_exact};
/// use brink_solve::rational::qi;
///
/// // maximize x + y  s.t.  x + 2y <= 4,  3x + y <= 6  (optimum 14/5 at (8/5, 6/5)).
/// let lp = LinearProgram::new(vec![qi(1), qi(1)])
///     .with_constraint(vec![qi(1), qi(2)], Relation::Le, qi(4))
///     .with_constraint(vec![qi(3), qi(1)], Relation::Le, qi(6));
/// match solve_exact(&lp) {
///     LpOutcome::Optimal { value, .. } => assert_eq!(value, brink_solve::rational::q(14, 5)),
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn solve_exact(lp: &LinearProgram<Q>) -> LpOutcome<Q> {
    solve_generic(lp)
}

/// Solves `lp` in `f64` with the same algorithm as [`solve_exact`].
///
/// Values with absolute value at most [`F64_TOLERANCE`] count as zero. Bland's
/// rule still guarantees termination. Results carry rounding error and can be
/// wrong on badly scaled or ill-conditioned problems; use [`solve_exact`] when
/// the answer must be certain. NaN or infinite data give unspecified results
/// (but no panic beyond the row-length check).
///
/// # Panics
///
/// If a constraint row does not have `lp.objective.len()` entries.
pub fn solve_f64(lp: &LinearProgram<f64>) -> LpOutcome<f64> {
    solve_generic(lp)
}

/// `LpNum::{add, mul, div}` by the type's operators on references (the same
/// text for every implementation).
macro_rules! field_operators {
    () => {
        fn add(&self, other: &Self) -> Self {
            self + other
        }
        fn mul(&self, other: &Self) -> Self {
            self * other
        }
        fn div(&self, other: &Self) -> Self {
            self / other
        }
    };
}

/// The field operations the simplex method needs.
pub(crate) trait LpNum: Clone + Debug {
    fn zero() -> Self;
    fn one() -> Self;
    /// Treated as zero.
    fn is_zero_t(&self) -> bool;
    /// Treated as strictly positive.
    fn is_pos(&self) -> bool;
    fn neg(&self) -> Self;
    fn add(&self, other: &Self) -> Self;
    fn mul(&self, other: &Self) -> Self;
    fn div(&self, other: &Self) -> Self;
    /// `self -= a * b`, flushing near-zero results to zero for floats.
    fn sub_mul(&mut self, a: &Self, b: &Self);
    /// Exact-or-toleranced comparison.
    fn cmp_t(&self, other: &Self) -> Ordering;
}

impl LpNum for Q {
    fn zero() -> Self {
        Zero::zero()
    }
    fn one() -> Self {
        One::one()
    }
    fn is_zero_t(&self) -> bool {
        Zero::is_zero(self)
    }
    fn is_pos(&self) -> bool {
        Signed::is_positive(self)
    }
    fn neg(&self) -> Self {
        -self
    }
    field_operators!();
    fn sub_mul(&mut self, a: &Self, b: &Self) {
        *self -= a * b;
    }
    fn cmp_t(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

impl LpNum for f64 {
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn is_zero_t(&self) -> bool {
        self.abs() <= F64_TOLERANCE
    }
    fn is_pos(&self) -> bool {
        *self > F64_TOLERANCE
    }
    fn neg(&self) -> Self {
        -*self
    }
    field_operators!();
    fn sub_mul(&mut self, a: &Self, b: &Self) {
        *self -= a * b;
        if self.abs() <= F64_TOLERANCE * 1e-3 {
            *self = 0.0;
        }
    }
    fn cmp_t(&self, other: &Self) -> Ordering {
        if (self - other).abs() <= F64_TOLERANCE {
            Ordering::Equal
        } else {
            self.partial_cmp(other).unwrap_or(Ordering::Equal)
        }
    }
}

/// Dense simplex tableau `B⁻¹ [A | b]` with a reduced-cost row.
struct Tableau<T> {
    rows: Vec<Vec<T>>,
    rhs: Vec<T>,
    basis: Vec<usize>,
    /// Reduced costs `c_j − c_B B⁻¹ a_j` of the current objective.
    cost: Vec<T>,
    /// Current objective value `c_B B⁻¹ b`.
    value: T,
    /// Columns `>= first_artificial` are artificial.
    first_artificial: usize,
}

enum Phase {
    Optimal,
    Unbounded,
}

impl<T: LpNum> Tableau<T> {
    fn num_cols(&self) -> usize {
        self.cost.len()
    }

    fn pivot(&mut self, r: usize, c: usize) {
        let p = self.rows[r][c].clone();
        for v in self.rows[r].iter_mut() {
            *v = v.div(&p);
        }
        self.rhs[r] = self.rhs[r].div(&p);
        self.rows[r][c] = T::one();
        let (before, rest) = self.rows.split_at_mut(r);
        let (prow, after) = rest.split_first_mut().expect("pivot row exists");
        let prhs = self.rhs[r].clone();
        for (i, row) in before.iter_mut().chain(after.iter_mut()).enumerate() {
            let i = if i < r { i } else { i + 1 };
            let f = row[c].clone();
            if f.is_zero_t() {
                row[c] = T::zero();
                continue;
            }
            for (v, pv) in row.iter_mut().zip(prow.iter()) {
                if !pv.is_zero_t() {
                    v.sub_mul(&f, pv);
                }
            }
            row[c] = T::zero();
            self.rhs[i].sub_mul(&f, &prhs);
        }
        let f = self.cost[c].clone();
        if !f.is_zero_t() {
            for (v, pv) in self.cost.iter_mut().zip(prow.iter()) {
                if !pv.is_zero_t() {
                    v.sub_mul(&f, pv);
                }
            }
            self.value = self.value.add(&f.mul(&prhs));
        }
        self.cost[c] = T::zero();
        self.basis[r] = c;
    }

    /// Runs simplex iterations with Bland's rule on columns `< allowed`.
    fn run(&mut self, allowed: usize) -> Phase {
        loop {
            let Some(c) = (0..allowed.min(self.num_cols())).find(|&j| self.cost[j].is_pos()) else {
                return Phase::Optimal;
            };
            // Minimum ratio; ties broken by the smallest basic variable index.
            let mut best: Option<(usize, T)> = None;
            for i in 0..self.rows.len() {
                let a = &self.rows[i][c];
                if !a.is_pos() {
                    continue;
                }
                let ratio = self.rhs[i].div(a);
                let better = match &best {
                    None => true,
                    Some((bi, br)) => match ratio.cmp_t(br) {
                        Ordering::Less => true,
                        Ordering::Equal => self.basis[i] < self.basis[*bi],
                        Ordering::Greater => false,
                    },
                };
                if better {
                    best = Some((i, ratio));
                }
            }
            match best {
                None => return Phase::Unbounded,
                Some((r, _)) => self.pivot(r, c),
            }
        }
    }

    /// Sets the objective to `c` (one entry per column) and recomputes the
    /// reduced costs and value for the current basis.
    fn set_objective(&mut self, c: &[T]) {
        let mut cost = c.to_vec();
        let mut value = T::zero();
        for (i, &b) in self.basis.iter().enumerate() {
            let cb = &c[b];
            if cb.is_zero_t() {
                continue;
            }
            for (v, a) in cost.iter_mut().zip(&self.rows[i]) {
                if !a.is_zero_t() {
                    v.sub_mul(cb, a);
                }
            }
            value = value.add(&cb.mul(&self.rhs[i]));
        }
        self.cost = cost;
        self.value = value;
    }
}

fn solve_generic<T: LpNum>(lp: &LinearProgram<T>) -> LpOutcome<T> {
    let n = lp.objective.len();
    for (i, (row, _, _)) in lp.constraints.iter().enumerate() {
        assert_eq!(
            row.len(),
            n,
            "constraint {i} has {} coefficients but the LP has {n} variables",
            row.len()
        );
    }
    let is_free = |j: usize| lp.free.get(j).copied().unwrap_or(false);
    let m = lp.constraints.len();

    // Column layout: structural columns (x⁺ for every variable, then x⁻ for the
    // free ones), one slack/surplus per inequality row, one artificial per
    // Ge/Eq row (after normalizing the right-hand sides to be non-negative).
    let mut neg_col = vec![usize::MAX; n];
    let mut num_struct = n;
    for (j, slot) in neg_col.iter_mut().enumerate() {
        if is_free(j) {
            *slot = num_struct;
            num_struct += 1;
        }
    }
    let mut sign = Vec::with_capacity(m); // true if the row was negated
    let mut rel = Vec::with_capacity(m);
    for (_, r, b) in &lp.constraints {
        let negate = b.cmp_t(&T::zero()) == Ordering::Less;
        sign.push(negate);
        rel.push(match (r, negate) {
            (Relation::Eq, _) => Relation::Eq,
            (Relation::Le, false) | (Relation::Ge, true) => Relation::Le,
            (Relation::Ge, false) | (Relation::Le, true) => Relation::Ge,
        });
    }
    let num_slack = rel.iter().filter(|r| **r != Relation::Eq).count();
    let num_art = rel.iter().filter(|r| **r != Relation::Le).count();
    let first_slack = num_struct;
    let first_art = first_slack + num_slack;
    let ncols = first_art + num_art;

    let mut rows = Vec::with_capacity(m);
    let mut rhs = Vec::with_capacity(m);
    let mut basis = Vec::with_capacity(m);
    let mut unit_col = Vec::with_capacity(m); // the column that starts as e_i
    let (mut next_slack, mut next_art) = (first_slack, first_art);
    for (i, (row, _, b)) in lp.constraints.iter().enumerate() {
        let s = |v: &T| if sign[i] { v.neg() } else { v.clone() };
        let mut t = vec![T::zero(); ncols];
        for (j, a) in row.iter().enumerate() {
            t[j] = s(a);
            if neg_col[j] != usize::MAX {
                t[neg_col[j]] = s(a).neg();
            }
        }
        match rel[i] {
            Relation::Le => {
                t[next_slack] = T::one();
                basis.push(next_slack);
                unit_col.push(next_slack);
                next_slack += 1;
            }
            Relation::Ge => {
                t[next_slack] = T::one().neg();
                next_slack += 1;
                t[next_art] = T::one();
                basis.push(next_art);
                unit_col.push(next_art);
                next_art += 1;
            }
            Relation::Eq => {
                t[next_art] = T::one();
                basis.push(next_art);
                unit_col.push(next_art);
                next_art += 1;
            }
        }
        rows.push(t);
        rhs.push(s(b));
    }
    let mut tab = Tableau {
        rows,
        rhs,
        basis,
        cost: vec![T::zero(); ncols],
        value: T::zero(),
        first_artificial: first_art,
    };

    // Phase 1: maximize −Σ artificials.
    if num_art > 0 {
        let mut c1 = vec![T::zero(); ncols];
        for v in &mut c1[first_art..] {
            *v = T::one().neg();
        }
        tab.set_objective(&c1);
        // Phase 1 is bounded by 0, so it always ends optimal.
        let _ = tab.run(ncols);
        if tab.value.cmp_t(&T::zero()) == Ordering::Less && !tab.value.is_zero_t() {
            return LpOutcome::Infeasible;
        }
        // Drive artificials out of the basis (degenerate pivots at level 0).
        // A row where no non-artificial entry is nonzero is redundant; its
        // artificial stays basic at level 0 and never moves.
        for r in 0..m {
            if tab.basis[r] >= tab.first_artificial
                && let Some(c) = (0..first_art).find(|&j| !tab.rows[r][j].is_zero_t())
            {
                tab.pivot(r, c);
            }
        }
    }

    // Phase 2.
    let mut c2 = vec![T::zero(); ncols];
    for (j, c) in lp.objective.iter().enumerate() {
        c2[j] = c.clone();
        if neg_col[j] != usize::MAX {
            c2[neg_col[j]] = c.neg();
        }
    }
    tab.set_objective(&c2);
    if let Phase::Unbounded = tab.run(first_art) {
        return LpOutcome::Unbounded;
    }

    let mut xs = vec![T::zero(); ncols];
    for (i, &b) in tab.basis.iter().enumerate() {
        xs[b] = tab.rhs[i].clone();
    }
    let x = (0..n)
        .map(|j| {
            if neg_col[j] == usize::MAX {
                xs[j].clone()
            } else {
                xs[j].add(&xs[neg_col[j]].neg())
            }
        })
        .collect();
    // y' = c_B B⁻¹; column `unit_col[i]` of B⁻¹ is the current tableau column
    // that started as e_i, whose objective coefficient is 0, so y'_i is minus
    // its reduced cost. Undo the row negations.
    let duals = (0..m)
        .map(|i| {
            let y = tab.cost[unit_col[i]].neg();
            if sign[i] { y.neg() } else { y }
        })
        .collect();
    LpOutcome::Optimal {
        x,
        value: tab.value,
        duals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rational::{q, qi};

    #[test]
    fn tiny_optimum_and_duals() {
        let lp = LinearProgram::new(vec![qi(3), qi(2)])
            .with_constraint(vec![qi(1), qi(1)], Relation::Le, qi(4))
            .with_constraint(vec![qi(1), qi(3)], Relation::Le, qi(6));
        match solve_exact(&lp) {
            LpOutcome::Optimal { x, value, duals } => {
                assert_eq!(x, vec![qi(4), qi(0)]);
                assert_eq!(value, qi(12));
                assert_eq!(duals, vec![qi(3), qi(0)]);
            }
            other => panic!("{other:?}"),
        }
        let _ = q(1, 2);
    }
}
