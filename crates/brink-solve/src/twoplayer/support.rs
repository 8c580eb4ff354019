//! Support enumeration for bimatrix games.

use std::collections::HashMap;

use num_bigint::BigInt;

use super::int::{Int, Mat, Overflow};
use super::{Bimatrix, TwoPlayerSolution, bimatrix, make_equilibrium, normalize, sort_equilibria};
use crate::equilibrium::SolveError;
use crate::game::NormalFormGame;
use crate::lp::{LinearProgram, LpOutcome, Relation, solve_exact};
use crate::rational::Q;

/// Largest number of strategies of the smaller player that
/// [`support_enumeration`] accepts.
pub const SUPPORT_ENUMERATION_MAX_MIN_STRATEGIES: usize = 16;

/// All Nash equilibria of a nondegenerate two-player game by support
/// enumeration, exact over the rationals.
///
/// # Algorithm
///
/// For every pair of supports `I` (row strategies) and `J` (column strategies)
/// of equal size `k` (Dickhaut & Kaplan 1991; von Stengel 2002, *Handbook of
/// Game Theory* vol. 3 ch. 45, Algorithm 2.4): solve the indifference system
/// that makes every row in `I` a best response to a column strategy `y`
/// supported on `J`, and symmetrically for `x`; keep the pair if both solutions
/// are strictly positive on their supports and no strategy outside the
/// supports earns more. With payoffs shifted to be positive the row-player
/// side is `A_IJ z = 1`, `y = z / Σz`. The systems are solved by exact,
/// division-free integer arithmetic: for each `J`, the rows `I` are chosen by
/// depth-first search and the vector of all minors of the chosen rows of
/// `[A_·J | −1]` (their exterior product) is extended by one Laplace expansion
/// per added row, so the work of a prefix is shared by all its extensions and
/// the final solution is read off from the maximal minors (Cramer's rule).
/// Both sides are enumerated completely (not only where the other side
/// succeeds), which is what makes degeneracy detection sound.
///
/// # Guarantees
///
/// - Every returned profile is an exact Nash equilibrium (max regret exactly 0).
/// - `degenerate` is `true` only if the game is degenerate, i.e. it is set
///   when the search meets a mixed strategy with support size `k` and more than
///   `k` pure best responses, or a singular indifference system that has a
///   feasible solution (which, by a perturbation argument, also yields such a
///   strategy; checked exactly with [`crate::lp::solve_exact`]).
/// - If `degenerate` is `false`, the list is the set of **all** Nash equilibria
///   of the game (every equilibrium with supports of unequal size or with a
///   singular system would have set the flag).
/// - If `degenerate` is `true`, the list contains exactly the equilibria whose
///   supports have equal size and whose indifference systems are nonsingular;
///   these are extreme equilibria, but some extreme equilibria (e.g. those with
///   supports of unequal size) may be missing. Use [`super::vertex_enumeration`]
///   for all extreme equilibria of degenerate games.
///
/// Cost grows like `C(m+n, n)`; 11×11 games take well under a second.
///
/// # Errors
///
/// [`SolveError::Unsupported`] if the game does not have two players, or if
/// both players have more than [`SUPPORT_ENUMERATION_MAX_MIN_STRATEGIES`]
/// strategies (the `C(m+n, n)` support pairs would be far too many anyway).
///
/// ```
/// use brink_solve::{NormalFormGame, rational::{q, qi}, twoplayer::support_enumeration};
///
/// // Battle of the sexes: two pure equilibria and one mixed.
/// let p = |v: &[i64]| v.iter().map(|&x| qi(x)).collect::<Vec<_>>();
/// let g = NormalFormGame::new(vec![2, 2], p(&[2, 1, 0, 0, 0, 0, 1, 2])).unwrap();
/// let sol = support_enumeration(&g).unwrap();
/// assert!(!sol.degenerate);
/// assert_eq!(sol.equilibria.len(), 3);
/// assert_eq!(sol.equilibria[1].strategies, vec![vec![q(2, 3), q(1, 3)], vec![q(1, 3), q(2, 3)]]);
/// ```
pub fn support_enumeration(game: &NormalFormGame<Q>) -> Result<TwoPlayerSolution<Q>, SolveError> {
    let Bimatrix { a, b, m, n } = bimatrix(game)?;
    if m.min(n) > SUPPORT_ENUMERATION_MAX_MIN_STRATEGIES {
        return Err(SolveError::Unsupported(format!(
            "support enumeration of a {m}x{n} game: the smaller player may have at most \
             {SUPPORT_ENUMERATION_MAX_MIN_STRATEGIES} strategies; use vertex_enumeration \
             or lemke_howson"
        )));
    }
    let mut state = SideState::default();
    // Row player's side: rows of A are the candidate best responses, columns
    // the support of y.
    let ys = one_side(&a, &mut state);
    // Column player's side on Bᵀ.
    let xs = one_side(&b.transpose(), &mut state);
    state.check_singular(&a, &b.transpose());

    let by_key: HashMap<(&[usize], &[usize]), &Found> = ys
        .iter()
        .map(|f| ((f.tight.as_slice(), f.support.as_slice()), f))
        .collect();
    let mut equilibria = Vec::new();
    for fx in &xs {
        // x-side: tight = J (column best responses), support = I.
        if let Some(fy) = by_key.get(&(fx.support.as_slice(), fx.tight.as_slice())) {
            equilibria.push(make_equilibrium(
                game,
                normalize(&fx.point),
                normalize(&fy.point),
            ));
        }
    }
    sort_equilibria(&mut equilibria);
    Ok(TwoPlayerSolution {
        equilibria,
        degenerate: state.degenerate,
    })
}

/// A solution of one side: `point` (non-negative, positive exactly on
/// `support`, one entry per column of the side's matrix) makes exactly the
/// rows in `tight` best responses... or more (then `degenerate` is set).
struct Found {
    tight: Vec<usize>,
    support: Vec<usize>,
    point: Vec<BigInt>,
}

#[derive(Default)]
struct SideState {
    degenerate: bool,
    /// (matrix id, rows, support): dependent row sets found by the search; the
    /// game is degenerate iff one of them has a feasible solution.
    singular: Vec<(usize, Vec<usize>, Vec<usize>)>,
    side: usize,
}

impl SideState {
    /// Runs the exact LP feasibility checks for singular systems (only while
    /// degeneracy has not been established otherwise).
    fn check_singular(&mut self, first: &Mat<BigInt>, second: &Mat<BigInt>) {
        let singular = std::mem::take(&mut self.singular);
        for (side, rows, support) in singular {
            if self.degenerate {
                break;
            }
            let mat = if side == 0 { first } else { second };
            if singular_system_feasible(mat, &rows, &support) {
                self.degenerate = true;
            }
        }
    }
}

/// Whether `{z ≥ 0 on support : M_rows z = 1, M z ≤ 1}` is non-empty.
fn singular_system_feasible(mat: &Mat<BigInt>, rows: &[usize], support: &[usize]) -> bool {
    let row_of = |i: usize| -> Vec<Q> {
        support
            .iter()
            .map(|&j| Q::from_integer(mat.at(i, j).clone()))
            .collect()
    };
    let mut lp = LinearProgram::new(vec![Q::from_integer(0.into()); support.len()]);
    for i in 0..mat.rows {
        let rel = if rows.contains(&i) {
            Relation::Eq
        } else {
            Relation::Le
        };
        lp = lp.with_constraint(row_of(i), rel, Q::from_integer(1.into()));
    }
    !matches!(solve_exact(&lp), LpOutcome::Infeasible)
}

/// Enumerates, for every support `S` of the columns and every equal-size set
/// `T` of rows, the solution of `M_TS z = 1`, keeping those with `z > 0` on `S`
/// and `M z ≤ 1` elsewhere.
fn one_side(big: &Mat<BigInt>, state: &mut SideState) -> Vec<Found> {
    let small = Mat::<i64>::convert(big);
    let medium = Mat::<i128>::convert(big);
    let (p, q) = (big.rows, big.cols);
    let mut found = Vec::new();
    for k in 1..=p.min(q) {
        let tables = Tables::new(k + 1);
        let mut support: Vec<usize> = (0..k).collect();
        loop {
            let fresh = || Local {
                skip_singular: state.degenerate,
                ..Local::default()
            };
            let mut local = fresh();
            let mut done = false;
            if let Some(m) = &small {
                done = search_support(m, &tables, &support, &mut local).is_ok();
            }
            if !done && let Some(m) = &medium {
                local = fresh();
                done = search_support(m, &tables, &support, &mut local).is_ok();
            }
            if !done {
                local = fresh();
                search_support(big, &tables, &support, &mut local)
                    .expect("BigInt never overflows");
            }
            state.degenerate |= local.degenerate;
            found.append(&mut local.found);
            for rows in local.singular {
                state.singular.push((state.side, rows, support.clone()));
            }
            if !next_combination(&mut support, q) {
                break;
            }
        }
    }
    state.side += 1;
    found
}

/// Advances `c` to the next `c.len()`-subset of `0..n` in lexicographic order.
pub(crate) fn next_combination(c: &mut [usize], n: usize) -> bool {
    let k = c.len();
    let mut i = k;
    while i > 0 {
        i -= 1;
        if c[i] < n - k + i {
            c[i] += 1;
            for j in i + 1..k {
                c[j] = c[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

#[derive(Default)]
struct Local {
    found: Vec<Found>,
    singular: Vec<Vec<usize>>,
    degenerate: bool,
    skip_singular: bool,
}

impl Local {
    fn record_singular(&mut self, chosen: &[usize], i: usize) {
        if !self.skip_singular && !self.degenerate {
            let mut rows = chosen.to_vec();
            rows.push(i);
            self.singular.push(rows);
        }
    }
}

/// Laplace-expansion tables for the exterior powers of `R^w`.
///
/// `subsets[t]` lists the `t`-subsets of the `w` columns (as bitmasks);
/// `terms[t]` holds, for each `t`-subset `S = {s_0 < … < s_{t−1}}` in that
/// order, the `t` triples `(s_p, negate, index of S∖{s_p} in subsets[t−1])`
/// of the expansion of a `t × t` minor along its last row:
/// `W_t[S] = Σ_p (−1)^{t−1+p} r[s_p] W_{t−1}[S∖{s_p}]`.
struct Tables {
    subsets: Vec<Vec<u64>>,
    terms: Vec<Vec<(u32, bool, u32)>>,
    /// For the leaf level: `omit[j]` = index in `subsets[w−1]` of all∖{j}.
    omit: Vec<usize>,
}

impl Tables {
    fn new(w: usize) -> Self {
        let mut subsets: Vec<Vec<u64>> = vec![Vec::new(); w + 1];
        for mask in 0u64..(1u64 << w) {
            subsets[mask.count_ones() as usize].push(mask);
        }
        let index: Vec<HashMap<u64, u32>> = subsets
            .iter()
            .map(|v| v.iter().enumerate().map(|(i, &m)| (m, i as u32)).collect())
            .collect();
        let mut terms = vec![Vec::new(); w + 1];
        for t in 1..=w {
            for &mask in &subsets[t] {
                let mut p = 0;
                for col in 0..w {
                    if mask & (1 << col) != 0 {
                        let sub = index[t - 1][&(mask & !(1 << col))];
                        terms[t].push((col as u32, (t - 1 + p) % 2 == 1, sub));
                        p += 1;
                    }
                }
            }
        }
        let all = (1u64 << w) - 1;
        let omit = (0..w)
            .map(|j| index[w - 1][&(all & !(1 << j))] as usize)
            .collect();
        Tables {
            subsets,
            terms,
            omit,
        }
    }
}

/// The search for one column support `support` (size `k`).
///
/// Rows are added in increasing order by depth-first search; the state at
/// depth `t` is the vector of all `t × t` minors of the chosen rows of
/// `[M_·S | −1]` (their exterior product, `C(k+1, t)` Plücker coordinates),
/// extended by one Laplace expansion per added row — integer arithmetic
/// without division. At depth `k` the `k+1` maximal minors give the null
/// vector `n` (`n_j = (−1)^j det(without column j)`), and `z = n_S / n_k`.
fn search_support<I: Int>(
    mat: &Mat<I>,
    tables: &Tables,
    support: &[usize],
    local: &mut Local,
) -> Result<(), Overflow> {
    let k = support.len();
    let w = k + 1;
    let p = mat.rows;
    let mut minus_one = I::zero();
    I::mul_acc(&mut minus_one, &I::one(), &I::one(), true)?;
    let mut rows: Vec<I> = Vec::with_capacity(p * w);
    for i in 0..p {
        for &j in support {
            rows.push(mat.at(i, j).clone());
        }
        rows.push(minus_one.clone());
    }
    let mut levels: Vec<Vec<I>> = (0..k)
        .map(|t| vec![I::zero(); tables.subsets[t].len()])
        .collect();
    levels[0][0] = I::one();
    let mut search = Search {
        rows: &rows,
        w,
        k,
        p,
        q: mat.cols,
        support,
        tables,
        levels: &mut levels,
        chosen: Vec::with_capacity(k),
        local,
        null: Vec::with_capacity(w),
    };
    search.dfs(0, 0)
}

struct Search<'a, I> {
    rows: &'a [I],
    w: usize,
    k: usize,
    p: usize,
    q: usize,
    support: &'a [usize],
    tables: &'a Tables,
    levels: &'a mut Vec<Vec<I>>,
    chosen: Vec<usize>,
    local: &'a mut Local,
    null: Vec<I>,
}

impl<I: Int> Search<'_, I> {
    fn row(&self, i: usize) -> &[I] {
        &self.rows[i * self.w..(i + 1) * self.w]
    }

    /// One Laplace expansion: the minor on the `t+1`-subset number `s`, from
    /// the level-`t` minors and the new row.
    #[inline]
    fn expand(&self, t: usize, s: usize, row: &[I]) -> Result<I, Overflow> {
        let terms = &self.tables.terms[t + 1][s * (t + 1)..(s + 1) * (t + 1)];
        let prev = &self.levels[t];
        let mut acc = I::zero();
        for &(col, neg, sub) in terms {
            let sub = &prev[sub as usize];
            if !sub.is_zero() {
                I::mul_acc(&mut acc, &row[col as usize], sub, neg)?;
            }
        }
        Ok(acc)
    }

    /// `t` rows chosen so far (all `< start`), `levels[t]` their minors.
    fn dfs(&mut self, t: usize, start: usize) -> Result<(), Overflow> {
        if t + 1 == self.k {
            for i in start..self.p {
                self.leaf(t, i)?;
            }
            return Ok(());
        }
        let remaining = self.k - t; // rows still to choose, including this one
        for i in start..=self.p - remaining {
            let count = self.tables.subsets[t + 1].len();
            let mut any = false;
            for s in 0..count {
                let v = self.expand(t, s, self.row(i))?;
                any |= !v.is_zero();
                self.levels[t + 1][s] = v;
            }
            if any {
                self.chosen.push(i);
                self.dfs(t + 1, i + 1)?;
                self.chosen.pop();
            } else {
                self.local.record_singular(&self.chosen, i);
            }
        }
        Ok(())
    }

    /// Null-vector coordinate `n_j` with row `i` as the last row.
    #[inline]
    fn null_coord(&self, t: usize, i: usize, j: usize) -> Result<I, Overflow> {
        let v = self.expand(t, self.tables.omit[j], self.row(i))?;
        if j % 2 == 1 {
            let mut neg = I::zero();
            I::mul_acc(&mut neg, &v, &I::one(), true)?;
            Ok(neg)
        } else {
            Ok(v)
        }
    }

    /// The last row `i` completes the system; test the candidate.
    fn leaf(&mut self, t: usize, i: usize) -> Result<(), Overflow> {
        let k = self.k;
        let h = self.null_coord(t, i, k)?;
        if h.is_zero() {
            // det(M_TS) = 0: either the rows are dependent (singular system,
            // possibly with solutions) or the system has no solution at all.
            let mut all_zero = true;
            for j in 0..k {
                if !self.null_coord(t, i, j)?.is_zero() {
                    all_zero = false;
                    break;
                }
            }
            if all_zero {
                self.local.record_singular(&self.chosen, i);
            }
            return Ok(());
        }
        let hs = h.sign();
        let mut zeros = false;
        self.null.clear();
        for j in 0..k {
            let z = self.null_coord(t, i, j)?;
            let s = z.sign();
            if s == 0 {
                zeros = true;
            } else if s != hs {
                return Ok(());
            }
            self.null.push(z);
        }
        self.null.push(h);
        // Best-response check against every other row: (M_r, −1)·n has the
        // sign of (M_r z − 1) times the sign of n_k.
        let mut extra_tight = false;
        for r in 0..self.p {
            if r == i || self.chosen.contains(&r) {
                continue;
            }
            let s = I::dot(self.row(r), &self.null)?.sign() * hs;
            if s > 0 {
                return Ok(());
            }
            if s == 0 {
                extra_tight = true;
            }
        }
        if zeros || extra_tight {
            // A point with more labels than dimensions: degenerate game.
            self.local.degenerate = true;
        }
        if zeros {
            return Ok(());
        }
        let mut tight = self.chosen.clone();
        tight.push(i);
        let mut point = vec![BigInt::from(0); self.q];
        for (&j, z) in self.support.iter().zip(&self.null) {
            let b = z.to_big();
            point[j] = if hs < 0 { -b } else { b };
        }
        self.local.found.push(Found {
            tight,
            support: self.support.to_vec(),
            point,
        });
        Ok(())
    }
}
