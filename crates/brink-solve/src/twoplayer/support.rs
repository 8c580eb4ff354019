//! Support enumeration for bimatrix games.

use std::collections::HashMap;

use num_bigint::BigInt;

use super::int::{Int, Mat, Overflow};
use super::{Bimatrix, TwoPlayerSolution, bimatrix, make_equilibrium, sort_equilibria};
use crate::equilibrium::SolveError;
use crate::game::NormalFormGame;
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
/// of equal size `k` (Dickhaut & Kaplan 1991; von Stengel 2007, *Algorithmic
/// Game Theory* ch. 3, §3.3): solve the indifference system
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
/// When the player whose support is being chosen has at most 16 strategies
/// (always, in practice), the exterior product is taken over *all* of that
/// player's strategies at once, so one depth-first search over the other
/// player's row sets serves every support and a candidate pair costs a few
/// table look-ups until it survives the sign tests. Both sides are
/// enumerated completely (not only where the other side succeeds), which is
/// what makes the degeneracy test exact.
///
/// # Guarantees
///
/// - Every returned profile is an exact Nash equilibrium (max regret exactly 0).
/// - `degenerate` is `true` **iff** the game is degenerate. It is set when a
///   candidate solution (a point of a best-response polytope) has more tight
///   best-response or zero-probability constraints than its dimension, i.e. a
///   mixed strategy with support size `k` and more than `k` pure best
///   responses. Every degenerate game has such a point at a vertex of a
///   best-response polytope (von Stengel 2007, §3.3), and
///   every vertex `z` is visited as the candidate of its support `S` and some
///   `|S|` of its tight rows that are independent on `S`; so the test is exact.
/// - If `degenerate` is `false`, the list is the set of **all** Nash equilibria
///   (finitely many, an odd number).
/// - If `degenerate` is `true`, the list contains exactly the equilibria whose
///   supports have equal size and whose indifference systems are nonsingular;
///   these are extreme equilibria, but extreme equilibria with supports of
///   unequal size are missing. Use [`super::vertex_enumeration`] for all
///   extreme equilibria of degenerate games.
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
    let mut degenerate = false;
    // Row player's side: rows of A are the candidate best responses, columns
    // the support of y.
    let ys = one_side(&a, &mut degenerate);
    // Column player's side on Bᵀ.
    let xs = one_side(&b.transpose(), &mut degenerate);

    let by_key: HashMap<(&[usize], &[usize]), &Found> = ys
        .iter()
        .map(|f| ((f.tight.as_slice(), f.support.as_slice()), f))
        .collect();
    let mut equilibria = Vec::new();
    for fx in &xs {
        // x-side: tight = J (column best responses), support = I.
        if let Some(fy) = by_key.get(&(fx.support.as_slice(), fx.tight.as_slice())) {
            equilibria.push(make_equilibrium(game, &fx.point, &fy.point));
        }
    }
    sort_equilibria(&mut equilibria);
    Ok(TwoPlayerSolution {
        equilibria,
        degenerate,
    })
}

/// A solution of one side: `point` (non-negative, positive exactly on
/// `support`, one entry per column of the side's matrix) makes exactly the
/// rows in `tight` best responses (or more, and then the game is degenerate).
struct Found {
    tight: Vec<usize>,
    support: Vec<usize>,
    point: Vec<BigInt>,
}

/// Largest number of columns for which a side is searched with the full
/// exterior product over all columns (its tables have `2^(cols+1)` entries).
const FULL_WEDGE_MAX_COLS: usize = 16;

/// Enumerates, for every support `S` of the columns and every equal-size set
/// `T` of rows, the solution of `M_TS z = 1`, keeping those with `z > 0` on `S`
/// and `M z ≤ 1` elsewhere.
fn one_side(big: &Mat<BigInt>, degenerate: &mut bool) -> Vec<Found> {
    let mut local = Local::default();
    if big.cols <= FULL_WEDGE_MAX_COLS {
        let tables = Tables::new(big.cols + 1);
        let mut done = false;
        if hadamard_fits(big, i64::MAX as f64)
            && let Some(m) = Mat::<i64>::convert(big)
        {
            done = search_all(&m, &tables, &mut local).is_ok();
        }
        if !done && let Some(m) = Mat::<i128>::convert(big) {
            local = Local::default();
            done = search_all(&m, &tables, &mut local).is_ok();
        }
        if !done {
            local = Local::default();
            search_all(big, &tables, &mut local).expect("BigInt never overflows");
        }
    } else {
        let small = Mat::<i128>::convert(big);
        let (p, q) = (big.rows, big.cols);
        for k in 1..=p.min(q) {
            let tables = Tables::new(k + 1);
            let mut support: Vec<usize> = (0..k).collect();
            loop {
                let mut part = Local::default();
                let done = match &small {
                    Some(m) => search_support(m, &tables, &support, &mut part).is_ok(),
                    None => false,
                };
                if !done {
                    part = Local::default();
                    search_support(big, &tables, &support, &mut part)
                        .expect("BigInt never overflows");
                }
                local.degenerate |= part.degenerate;
                local.found.append(&mut part.found);
                if !next_combination(&mut support, q) {
                    break;
                }
            }
        }
    }
    *degenerate |= local.degenerate;
    local.found
}

/// Whether every minor of `[M | −1]`, and every partial sum of its Laplace
/// expansion, is certainly below `limit` in absolute value (Hadamard's
/// inequality with the largest row norm), so that the search cannot
/// overflow.
fn hadamard_fits(mat: &Mat<BigInt>, limit: f64) -> bool {
    use num_traits::ToPrimitive;
    let mut max_entry: f64 = 1.0;
    let mut max_norm2: f64 = 1.0;
    for r in 0..mat.rows {
        let mut norm2 = 1.0; // the −1 entry
        for c in 0..mat.cols {
            let v = mat.at(r, c).to_f64().unwrap_or(f64::INFINITY).abs();
            max_entry = max_entry.max(v);
            norm2 += v * v;
        }
        max_norm2 = max_norm2.max(norm2);
    }
    let t_max = mat.rows.min(mat.cols) + 1;
    let norm = max_norm2.sqrt();
    // Minors of size t are at most norm^t; a Laplace partial sum for size t is
    // at most t * max_entry * norm^(t-1). Keep a factor 2 of slack for
    // rounding in this estimate.
    (1..=t_max).all(|t| {
        let t = t as f64;
        2.0 * libm::pow(norm, t) < limit && 2.0 * t * max_entry * libm::pow(norm, t - 1.0) < limit
    })
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
    /// A point with more labels than its dimension was met.
    degenerate: bool,
}

/// Laplace-expansion tables for the exterior powers of `R^w`.
///
/// `subsets[t]` lists the `t`-subsets of the `w` columns (as bitmasks) in
/// increasing order and `rank[mask]` is the position of `mask` in its list;
/// `terms[t]` holds, for each `t`-subset `S = {s_0 < … < s_{t−1}}` in that
/// order, the `t` triples `(s_p, negate, rank of S∖{s_p})` of the expansion of
/// a `t × t` minor along its last row:
/// `W_t[S] = Σ_p (−1)^{t−1+p} r[s_p] W_{t−1}[S∖{s_p}]`.
struct Tables {
    subsets: Vec<Vec<u32>>,
    rank: Vec<u32>,
    terms: Vec<Vec<(u32, bool, u32)>>,
}

impl Tables {
    fn new(w: usize) -> Self {
        assert!(w <= 24, "exterior-product tables limited to 24 columns");
        let mut subsets: Vec<Vec<u32>> = vec![Vec::new(); w + 1];
        let mut rank = vec![0u32; 1 << w];
        for mask in 0u32..(1u32 << w) {
            let t = mask.count_ones() as usize;
            rank[mask as usize] = subsets[t].len() as u32;
            subsets[t].push(mask);
        }
        let mut terms = vec![Vec::new(); w + 1];
        for t in 1..=w {
            for &mask in &subsets[t] {
                let mut p = 0;
                for col in 0..w {
                    if mask & (1 << col) != 0 {
                        let sub = rank[(mask & !(1 << col)) as usize];
                        terms[t].push((col as u32, (t - 1 + p) % 2 == 1, sub));
                        p += 1;
                    }
                }
            }
        }
        Tables {
            subsets,
            rank,
            terms,
        }
    }

    /// Position of the subset `mask` among the subsets of its size.
    #[inline]
    fn rank(&self, mask: u32) -> usize {
        self.rank[mask as usize] as usize
    }

    /// Fills `out` with the `t+1`-minors of the rows behind `prev` (their
    /// `t`-minors) plus `row`; returns whether any is nonzero.
    #[inline]
    fn extend<I: Int>(
        &self,
        t: usize,
        prev: &[I],
        row: &[I],
        out: &mut [I],
    ) -> Result<bool, Overflow> {
        let mut any = false;
        for (s, slot) in out.iter_mut().enumerate() {
            let v = self.expand(t, s, prev, row)?;
            any |= !v.is_zero();
            *slot = v;
        }
        Ok(any)
    }

    /// The `t+1`-minor on subset number `s` from the `t`-minors `prev`.
    #[inline]
    fn expand<I: Int>(&self, t: usize, s: usize, prev: &[I], row: &[I]) -> Result<I, Overflow> {
        let terms = &self.terms[t + 1][s * (t + 1)..(s + 1) * (t + 1)];
        let mut acc = I::zero();
        for &(col, neg, sub) in terms {
            let sub = &prev[sub as usize];
            if !sub.is_zero() {
                I::mul_acc(&mut acc, &row[col as usize], sub, neg)?;
            }
        }
        Ok(acc)
    }
}

/// `[M | −1]` row by row.
fn homogeneous_rows<I: Int>(mat: &Mat<I>, cols: &[usize]) -> Result<Vec<I>, Overflow> {
    let mut minus_one = I::zero();
    I::mul_acc(&mut minus_one, &I::one(), &I::one(), true)?;
    let mut rows: Vec<I> = Vec::with_capacity(mat.rows * (cols.len() + 1));
    for i in 0..mat.rows {
        for &j in cols {
            rows.push(mat.at(i, j).clone());
        }
        rows.push(minus_one.clone());
    }
    Ok(rows)
}

/// What a leaf test concluded.
enum Leaf {
    /// `z > 0` on the support and the chosen rows are best responses.
    Found,
    /// Not a solution, or a singular system. (A singular system with a
    /// feasible solution implies a degenerate point at a vertex, which some
    /// nonsingular candidate reaches and flags; so singular systems need no
    /// further attention.)
    Rejected,
}

/// Tests one candidate given the null vector `n` of `[M_TS | −1]` (entries
/// on `S` in order, then the homogeneous coordinate). `rows` are the
/// homogeneous rows restricted to `S ∪ {h}`, `chosen` the rows in `T`.
/// Computes `null` lazily through `coord(j)` (`j = k` is the homogeneous
/// coordinate) so that most candidates are rejected after a few minors.
fn test_leaf<I: Int>(
    k: usize,
    p: usize,
    chosen: &[usize],
    row: impl Fn(usize) -> Vec<I>,
    mut coord: impl FnMut(usize) -> Result<I, Overflow>,
    null: &mut Vec<I>,
    local: &mut Local,
) -> Result<Leaf, Overflow> {
    let h = coord(k)?;
    if h.is_zero() {
        // det(M_TS) = 0: a singular system.
        return Ok(Leaf::Rejected);
    }
    let hs = h.sign();
    let mut zeros = false;
    null.clear();
    for j in 0..k {
        let z = coord(j)?;
        let s = z.sign();
        if s == 0 {
            zeros = true;
        } else if s != hs {
            return Ok(Leaf::Rejected);
        }
        null.push(z);
    }
    null.push(h);
    // Best-response check against every other row: (M_r, −1)·n has the sign
    // of (M_r z − 1) times the sign of n_k.
    let mut extra_tight = false;
    for r in 0..p {
        if chosen.contains(&r) {
            continue;
        }
        let s = I::dot(&row(r), null)?.sign() * hs;
        if s > 0 {
            return Ok(Leaf::Rejected);
        }
        if s == 0 {
            extra_tight = true;
        }
    }
    if zeros || extra_tight {
        // A point with more labels than dimensions: degenerate game.
        local.degenerate = true;
    }
    if zeros {
        return Ok(Leaf::Rejected);
    }
    if hs < 0 {
        for v in null.iter_mut() {
            let mut neg = I::zero();
            I::mul_acc(&mut neg, v, &I::one(), true)?;
            *v = neg;
        }
    }
    Ok(Leaf::Found)
}

fn record_found<I: Int>(
    local: &mut Local,
    tight: &[usize],
    support: &[usize],
    null: &[I],
    q: usize,
) {
    let mut point = vec![BigInt::from(0); q];
    for (&j, z) in support.iter().zip(null) {
        point[j] = z.to_big();
    }
    local.found.push(Found {
        tight: tight.to_vec(),
        support: support.to_vec(),
        point,
    });
}

/// The search over all row sets at once: the exterior product of the chosen
/// rows of `[M | −1]` over **all** `q + 1` columns is extended by depth-first
/// search over row sets `T`; for each `T` of size `k`, every column support
/// `S` of size `k` reads its maximal minors off that product (no further
/// arithmetic unless the candidate survives the sign tests).
fn search_all<I: Int>(mat: &Mat<I>, tables: &Tables, local: &mut Local) -> Result<(), Overflow> {
    let (p, q) = (mat.rows, mat.cols);
    let w = q + 1;
    let all_cols: Vec<usize> = (0..q).collect();
    let rows = homogeneous_rows(mat, &all_cols)?;
    let kmax = p.min(q);
    let mut levels: Vec<Vec<I>> = (0..=kmax)
        .map(|t| vec![I::zero(); tables.subsets[t].len()])
        .collect();
    levels[0][0] = I::one();
    let mut search = FullSearch {
        rows: &rows,
        w,
        p,
        q,
        kmax,
        tables,
        levels: &mut levels,
        chosen: Vec::with_capacity(kmax),
        local,
        null: Vec::with_capacity(w),
        support: Vec::with_capacity(kmax),
    };
    search.dfs(0, 0)
}

/// `v` times `(−1)^j`: coordinate `j` of a null vector from its minor.
fn alternate_sign<I: Int>(j: usize, v: I) -> Result<I, Overflow> {
    if j % 2 == 1 {
        let mut neg = I::zero();
        I::mul_acc(&mut neg, &v, &I::one(), true)?;
        Ok(neg)
    } else {
        Ok(v)
    }
}

/// Extends `levels[t]`, the minors of the `t` rows chosen so far, by `row` into
/// `levels[t + 1]`; false if the rows are then dependent.
fn extend_level<I: Int>(
    tables: &Tables,
    levels: &mut [Vec<I>],
    t: usize,
    row: &[I],
) -> Result<bool, Overflow> {
    let (lo, hi) = levels.split_at_mut(t + 1);
    tables.extend(t, &lo[t], row, &mut hi[0])
}

struct FullSearch<'a, I> {
    rows: &'a [I],
    w: usize,
    p: usize,
    q: usize,
    kmax: usize,
    tables: &'a Tables,
    levels: &'a mut Vec<Vec<I>>,
    chosen: Vec<usize>,
    local: &'a mut Local,
    null: Vec<I>,
    support: Vec<usize>,
}

impl<I: Int> FullSearch<'_, I> {
    /// `levels[t]` holds the minors of the `t` chosen rows.
    fn dfs(&mut self, t: usize, start: usize) -> Result<(), Overflow> {
        if t > 0 {
            self.leaves(t)?;
        }
        if t == self.kmax {
            return Ok(());
        }
        for i in start..self.p {
            if extend_level(
                self.tables,
                self.levels,
                t,
                &self.rows[i * self.w..][..self.w],
            )? {
                self.chosen.push(i);
                self.dfs(t + 1, i + 1)?;
                self.chosen.pop();
            }
            // Otherwise the rows are dependent: every system containing them
            // is singular, so the subtree is skipped.
        }
        Ok(())
    }

    /// Every column support of size `k` for the chosen row set.
    fn leaves(&mut self, k: usize) -> Result<(), Overflow> {
        let h = self.q; // homogeneous column
        self.support.clear();
        self.support.extend(0..k);
        loop {
            let mask: u32 = self.support.iter().map(|&j| 1u32 << j).sum();
            let full = mask | (1 << h);
            let level = &self.levels[k];
            let tables = self.tables;
            let support = &self.support;
            let rows = self.rows;
            let w = self.w;
            // n_{c_p} = (−1)^p W[(S ∪ {h}) ∖ {c_p}], c_k = h.
            let coord = |j: usize| -> Result<I, Overflow> {
                let col = if j == k { h } else { support[j] };
                alternate_sign(j, level[tables.rank(full & !(1 << col))].clone())
            };
            let row = |r: usize| -> Vec<I> {
                let full_row = &rows[r * w..(r + 1) * w];
                support
                    .iter()
                    .map(|&j| full_row[j].clone())
                    .chain(core::iter::once(full_row[h].clone()))
                    .collect()
            };
            match test_leaf(
                k,
                self.p,
                &self.chosen,
                row,
                coord,
                &mut self.null,
                self.local,
            )? {
                Leaf::Found => {
                    let (chosen, support) = (&self.chosen, &self.support);
                    record_found(self.local, chosen, support, &self.null, self.q);
                }
                Leaf::Rejected => {}
            }
            if !next_combination(&mut self.support, self.q) {
                return Ok(());
            }
        }
    }
}

/// The search for one column support `support` (size `k`), used when the
/// matrix has too many columns for [`search_all`].
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
    let rows = homogeneous_rows(mat, support)?;
    let mut levels: Vec<Vec<I>> = (0..=k)
        .map(|t| vec![I::zero(); tables.subsets[t].len()])
        .collect();
    levels[0][0] = I::one();
    let mut search = Search {
        rows: &rows,
        w,
        k,
        p: mat.rows,
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
            if extend_level(
                self.tables,
                self.levels,
                t,
                &self.rows[i * self.w..][..self.w],
            )? {
                self.chosen.push(i);
                self.dfs(t + 1, i + 1)?;
                self.chosen.pop();
            }
            // Otherwise dependent rows: a singular subtree, skipped.
        }
        Ok(())
    }

    /// The last row `i` completes the system; test the candidate.
    fn leaf(&mut self, t: usize, i: usize) -> Result<(), Overflow> {
        let k = self.k;
        let w = self.w;
        let all = (1u32 << w) - 1;
        let tables = self.tables;
        let prev = &self.levels[t];
        let rows = self.rows;
        let last = &rows[i * w..(i + 1) * w];
        let coord = |j: usize| -> Result<I, Overflow> {
            alternate_sign(
                j,
                tables.expand(t, tables.rank(all & !(1 << j)), prev, last)?,
            )
        };
        let row = |r: usize| rows[r * w..(r + 1) * w].to_vec();
        self.chosen.push(i);
        let result = test_leaf(
            k,
            self.p,
            &self.chosen,
            row,
            coord,
            &mut self.null,
            self.local,
        );
        self.chosen.pop();
        match result? {
            Leaf::Found => {
                self.chosen.push(i);
                record_found(self.local, &self.chosen, self.support, &self.null, self.q);
                self.chosen.pop();
            }
            Leaf::Rejected => {}
        }
        Ok(())
    }
}
