//! The floating-point guide path of [`super::lemke_howson`]: complementary
//! pivoting in `f64` on *condensed* tableaux, whose end bases are then
//! certified exactly.
//!
//! A full tableau `B⁻¹[M | I | 1]` holds one column per variable, but the
//! column of a basic variable is a unit vector. The condensed tableau keeps
//! only the columns of the nonbasic variables and the right-hand side; a pivot
//! exchanges the entering variable's column for the leaving one's (the
//! "exchange" form of the simplex pivot), which halves the work of a square
//! game. Every stored entry is computed by the same floating-point operations,
//! in the same order, as in the full tableau (a unit column's entries are read
//! as the exact `0.0` and `1.0` they would hold there), so the path, its
//! pivots and its tie-breaking are those of the full tableau exactly; only the
//! sign of a zero may differ, and no decision depends on it. A unit test keeps
//! the full tableau as the reference and compares the two on random games.

use num_traits::{One, ToPrimitive};

use crate::game::NormalFormGame;
use crate::rational::{Q, to_f64};

/// Relative tolerance of the floating-point guide path.
const FLOAT_TOL: f64 = 1e-9;

/// Where a variable is: basic in a row or nonbasic in a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loc {
    Row(usize),
    Col(usize),
}

/// A condensed `f64` tableau of `P` or `Q` (variables numbered by label as in
/// [`super::polytope`]).
#[derive(Clone, Debug)]
pub(super) struct FloatTableau {
    rows: usize,
    /// Entries per row: one per nonbasic variable, then the right-hand side.
    width: usize,
    t: Vec<f64>,
    pub(super) basis: Vec<usize>,
    /// The nonbasic variable of each column (the last column is the
    /// right-hand side).
    nonbasic: Vec<usize>,
    loc: Vec<Loc>,
    /// The variable initially basic in row `r` is `init_offset + r` (the
    /// slacks: `m + j` in `P`, `i` in `Q`).
    init_offset: usize,
}

impl FloatTableau {
    /// The tableau of `P` (`player = 0`, rows = column strategies) or `Q`
    /// (`player = 1`, rows = row strategies) for the positive payoffs `a`,
    /// `b` (`m × n`, entry `(i, j)` at index `i n + j`).
    fn new(
        a: impl Fn(usize) -> f64,
        b: impl Fn(usize) -> f64,
        m: usize,
        n: usize,
        player: usize,
    ) -> Self {
        let (rows, cols, init_offset, first_nonbasic) = if player == 0 {
            (n, m, m, 0)
        } else {
            (m, n, 0, m)
        };
        let width = cols + 1;
        let mut t = vec![0.0; rows * width];
        for (r, row) in t.chunks_mut(width).enumerate() {
            if player == 0 {
                // Row j: Σ_i b_ij x_i + s_j = 1.
                for (i, slot) in row[..m].iter_mut().enumerate() {
                    *slot = b(i * n + r);
                }
            } else {
                // Row i: r_i + Σ_j a_ij y_j = 1.
                for (j, slot) in row[..n].iter_mut().enumerate() {
                    *slot = a(r * n + j);
                }
            }
            row[cols] = 1.0;
        }
        let basis: Vec<usize> = (init_offset..init_offset + rows).collect();
        let nonbasic: Vec<usize> = (first_nonbasic..first_nonbasic + cols).collect();
        let mut loc = vec![Loc::Row(0); m + n];
        for (r, &v) in basis.iter().enumerate() {
            loc[v] = Loc::Row(r);
        }
        for (c, &v) in nonbasic.iter().enumerate() {
            loc[v] = Loc::Col(c);
        }
        FloatTableau {
            rows,
            width,
            t,
            basis,
            nonbasic,
            loc,
            init_offset,
        }
    }

    #[inline]
    fn at(&self, r: usize, c: usize) -> f64 {
        self.t[r * self.width + c]
    }

    /// The entry of variable `v`'s full-tableau column in row `r`.
    #[inline]
    fn entry(&self, r: usize, v: usize) -> f64 {
        match self.loc[v] {
            Loc::Col(c) => self.at(r, c),
            Loc::Row(k) => f64::from(u8::from(k == r)),
        }
    }

    /// Lexicographic minimum-ratio test with a relative tolerance for ties,
    /// for the nonbasic variable `v` entering.
    fn lex_min_ratio(&self, v: usize) -> Option<usize> {
        let Loc::Col(c) = self.loc[v] else {
            unreachable!("the entering variable is nonbasic")
        };
        let col_max = (0..self.rows)
            .map(|r| self.at(r, c).abs())
            .fold(0.0, f64::max);
        let piv_tol = FLOAT_TOL * col_max.max(f64::MIN_POSITIVE);
        let rhs = self.width - 1;
        // The best row so far, its pivot entry and its first ratio.
        let mut best: Option<(usize, f64, f64)> = None;
        for r in 0..self.rows {
            let a = self.at(r, c);
            if a <= piv_tol {
                continue;
            }
            let x = self.at(r, rhs) / a;
            let Some((b, ab, y)) = best else {
                best = Some((r, a, x));
                continue;
            };
            if !tie(x, y) {
                if x < y {
                    best = Some((r, a, x));
                }
                continue;
            }
            // Tied on the right-hand side: compare the columns of the
            // initial basis (B⁻¹) in order.
            for k in 0..self.rows {
                let u = self.init_offset + k;
                let (xu, yu) = (self.entry(r, u) / a, self.entry(b, u) / ab);
                if tie(xu, yu) {
                    continue;
                }
                if xu < yu {
                    best = Some((r, a, x));
                }
                break;
            }
        }
        best.map(|(r, _, _)| r)
    }

    /// Pivot: nonbasic variable `v` enters, the basic variable of row `r`
    /// leaves and takes over `v`'s column.
    fn pivot(&mut self, r: usize, v: usize) {
        let Loc::Col(c) = self.loc[v] else {
            unreachable!("the entering variable is nonbasic")
        };
        let w = self.width;
        let p = self.at(r, c);
        let (before, rest) = self.t.split_at_mut(r * w);
        let (prow, after) = rest.split_at_mut(w);
        // The leaving variable's column is the unit vector e_r: 1.0 / p in
        // the pivot row, 0.0 − f · (1.0 / p) in the others.
        prow[c] = 1.0;
        for x in prow.iter_mut() {
            *x /= p;
        }
        for row in before.chunks_mut(w).chain(after.chunks_mut(w)) {
            let f = row[c];
            if f != 0.0 {
                row[c] = 0.0;
                for (x, px) in row.iter_mut().zip(prow.iter()) {
                    *x -= f * px;
                }
            }
        }
        let leaving = self.basis[r];
        self.basis[r] = v;
        self.nonbasic[c] = leaving;
        self.loc[v] = Loc::Row(r);
        self.loc[leaving] = Loc::Col(c);
    }
}

/// Whether two ratios agree within the relative tolerance.
#[inline]
fn tie(x: f64, y: f64) -> bool {
    (x - y).abs() <= FLOAT_TOL * x.abs().max(y.abs()).max(1.0)
}

/// The initial tableaux of `P` and `Q` for the payoffs scaled into `[1, 2]`.
pub(super) fn initial_tableaux(a: &[f64], b: &[f64], m: usize, n: usize) -> [FloatTableau; 2] {
    initial_tableaux_with(|k| a[k], |k| b[k], m, n)
}

/// [`initial_tableaux`] for the payoffs `a(i n + j)`, `b(i n + j)`.
pub(super) fn initial_tableaux_with(
    a: impl Fn(usize) -> f64 + Copy,
    b: impl Fn(usize) -> f64 + Copy,
    m: usize,
    n: usize,
) -> [FloatTableau; 2] {
    [
        FloatTableau::new(a, b, m, n, 0),
        FloatTableau::new(a, b, m, n, 1),
    ]
}

/// The Lemke–Howson path in `f64` from the tableaux `tabs` of a game with `m`
/// row strategies: the final bases of both tableaux and the number of pivots,
/// or `None` if the floating-point run broke down or took `cap` pivots.
pub(super) fn follow(
    mut tabs: [FloatTableau; 2],
    m: usize,
    label: usize,
    cap: usize,
) -> Option<([Vec<usize>; 2], usize)> {
    let mut side = if label < m { 0 } else { 1 };
    let mut entering = label;
    let mut pivots = 0;
    loop {
        if pivots >= cap {
            return None;
        }
        let tab = &mut tabs[side];
        let r = tab.lex_min_ratio(entering)?;
        let leaving = tab.basis[r];
        tab.pivot(r, entering);
        pivots += 1;
        if leaving == label {
            break;
        }
        entering = leaving;
        side = 1 - side;
    }
    let [p, q] = tabs;
    Some(([p.basis, q.basis], pivots))
}

/// One player's payoffs as `f64`, shifted and scaled into `[1, 2]` (a positive
/// affine transformation, so the equilibria are unchanged).
pub(super) fn unit_payoffs(game: &NormalFormGame<Q>, player: usize) -> Option<Vec<f64>> {
    let (m, n) = (game.num_strategies(0), game.num_strategies(1));
    let v: Vec<f64> = (0..m * n)
        .map(|idx| {
            let x = game.payoff_at(idx, player);
            if x.denom().is_one() {
                x.numer()
                    .to_i64()
                    .map_or_else(|| x.numer().to_f64().unwrap_or(f64::NAN), |i| i as f64)
            } else {
                to_f64(x)
            }
        })
        .collect();
    scale_unit(v)
}

/// Integer payoffs as `f64`, shifted and scaled into `[1, 2]`: the same
/// values as [`scale_unit`] of the converted payoffs (conversion to `f64` is
/// monotone, so the extremes convert to the converted extremes).
#[cfg(test)]
fn unit_ints(v: &[i64]) -> Vec<f64> {
    let u = UnitScale::of(v);
    v.iter().map(|&x| u.apply(x)).collect()
}

/// The affine map of integer payoffs into `[1, 2]` ([`unit_ints`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct UnitScale {
    lo: f64,
    scale: f64,
}

impl UnitScale {
    #[cfg(test)]
    fn of(v: &[i64]) -> Self {
        let lo = v.iter().copied().min().unwrap_or(0);
        let hi = v.iter().copied().max().unwrap_or(0);
        UnitScale::new(lo, hi)
    }

    /// The map for payoffs between `lo` and `hi`: `[lo, hi]` onto `[1, 2]`.
    pub(super) fn new(lo: i64, hi: i64) -> Self {
        let (lo, hi) = (lo as f64, hi as f64);
        let scale = if hi > lo { hi - lo } else { 1.0 };
        UnitScale { lo, scale }
    }

    #[inline]
    pub(super) fn apply(self, x: i64) -> f64 {
        (x as f64 - self.lo) / self.scale + 1.0
    }
}

/// `v` shifted and scaled into `[1, 2]`, or `None` if an entry is not finite.
pub(super) fn scale_unit(v: Vec<f64>) -> Option<Vec<f64>> {
    if v.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let scale = if hi > lo { hi - lo } else { 1.0 };
    Some(v.into_iter().map(|x| (x - lo) / scale + 1.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The full tableau `B⁻¹[M | I | 1]` that the condensed one replaced,
    /// kept as the reference: the guide path must make the same pivots.
    struct FullTableau {
        rows: usize,
        width: usize,
        t: Vec<f64>,
        basis: Vec<usize>,
        init_basis: Vec<usize>,
    }

    impl FullTableau {
        fn new(a: &[f64], b: &[f64], m: usize, n: usize, player: usize) -> Self {
            let vars = m + n;
            let width = vars + 1;
            let rows = if player == 0 { n } else { m };
            let mut t = vec![0.0; rows * width];
            let mut basis = Vec::with_capacity(rows);
            for r in 0..rows {
                let row = &mut t[r * width..(r + 1) * width];
                if player == 0 {
                    for (i, slot) in row[..m].iter_mut().enumerate() {
                        *slot = b[i * n + r];
                    }
                    row[m + r] = 1.0;
                    basis.push(m + r);
                } else {
                    row[r] = 1.0;
                    row[m..m + n].copy_from_slice(&a[r * n..(r + 1) * n]);
                    basis.push(r);
                }
                row[vars] = 1.0;
            }
            FullTableau {
                rows,
                width,
                t,
                init_basis: basis.clone(),
                basis,
            }
        }

        fn at(&self, r: usize, c: usize) -> f64 {
            self.t[r * self.width + c]
        }

        fn lex_min_ratio(&self, c: usize) -> Option<usize> {
            let col_max = (0..self.rows)
                .map(|r| self.at(r, c).abs())
                .fold(0.0, f64::max);
            let piv_tol = FLOAT_TOL * col_max.max(f64::MIN_POSITIVE);
            let rhs = self.width - 1;
            let mut best: Option<usize> = None;
            for r in 0..self.rows {
                let a = self.at(r, c);
                if a <= piv_tol {
                    continue;
                }
                let Some(b) = best else {
                    best = Some(r);
                    continue;
                };
                let ab = self.at(b, c);
                let cols = core::iter::once(rhs).chain(self.init_basis.iter().copied());
                for col in cols {
                    let (x, y) = (self.at(r, col) / a, self.at(b, col) / ab);
                    if (x - y).abs() <= FLOAT_TOL * x.abs().max(y.abs()).max(1.0) {
                        continue;
                    }
                    if x < y {
                        best = Some(r);
                    }
                    break;
                }
            }
            best
        }

        fn pivot(&mut self, r: usize, c: usize) {
            let w = self.width;
            let p = self.at(r, c);
            let (before, rest) = self.t.split_at_mut(r * w);
            let (prow, after) = rest.split_at_mut(w);
            for v in prow.iter_mut() {
                *v /= p;
            }
            prow[c] = 1.0;
            for row in before.chunks_mut(w).chain(after.chunks_mut(w)) {
                let f = row[c];
                if f != 0.0 {
                    for (v, pv) in row.iter_mut().zip(prow.iter()) {
                        *v -= f * pv;
                    }
                    row[c] = 0.0;
                }
            }
            self.basis[r] = c;
        }
    }

    fn full_path(
        a: &[f64],
        b: &[f64],
        m: usize,
        n: usize,
        label: usize,
    ) -> Option<([Vec<usize>; 2], usize)> {
        let mut tabs = [
            FullTableau::new(a, b, m, n, 0),
            FullTableau::new(a, b, m, n, 1),
        ];
        let mut side = if label < m { 0 } else { 1 };
        let mut entering = label;
        let mut pivots = 0;
        let cap = 64 * (m + n) * (m + n) + 1000;
        loop {
            if pivots >= cap {
                return None;
            }
            let tab = &mut tabs[side];
            let r = tab.lex_min_ratio(entering)?;
            let leaving = tab.basis[r];
            tab.pivot(r, entering);
            pivots += 1;
            if leaving == label {
                break;
            }
            entering = leaving;
            side = 1 - side;
        }
        let [p, q] = tabs;
        Some(([p.basis, q.basis], pivots))
    }

    /// Both paths from every label of the game with integer payoffs `pa`,
    /// `pb` (`m × n`).
    fn compare(m: usize, n: usize, pa: &[i64], pb: &[i64]) -> Result<(), TestCaseError> {
        let unit = |v: &[i64]| scale_unit(v.iter().map(|&x| x as f64).collect()).unwrap();
        let (a, b) = (unit(pa), unit(pb));
        let cap = 64 * (m + n) * (m + n) + 1000;
        for label in 0..m + n {
            let fast = follow(initial_tableaux(&a, &b, m, n), m, label, cap);
            let reference = full_path(&a, &b, m, n, label);
            prop_assert_eq!(fast, reference, "label {}", label);
        }
        Ok(())
    }

    fn game(max: i64) -> impl Strategy<Value = (usize, usize, Vec<i64>, Vec<i64>)> {
        (1usize..=7, 1usize..=7).prop_flat_map(move |(m, n)| {
            (
                Just(m),
                Just(n),
                proptest::collection::vec(-max..=max, m * n),
                proptest::collection::vec(-max..=max, m * n),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Generic games (wide payoff range).
        #[test]
        fn condensed_path_is_the_full_path(g in game(1000)) {
            compare(g.0, g.1, &g.2, &g.3)?;
        }

        /// `unit_ints` is `scale_unit` of the converted payoffs, bit for bit,
        /// also beyond 2⁵³ where the conversion rounds.
        #[test]
        fn unit_ints_is_scale_unit(
            v in proptest::collection::vec(
                prop_oneof![any::<i64>(), -100i64..100, (1i64 << 53) - 8..(1i64 << 53) + 8],
                1..20,
            )
        ) {
            let reference = scale_unit(v.iter().map(|&x| x as f64).collect()).unwrap();
            let fast = unit_ints(&v);
            prop_assert_eq!(
                fast.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                reference.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }

        /// Degenerate games (payoffs in -2..=2: many ties, exercising the
        /// lexicographic tie-break on the unit columns).
        #[test]
        fn condensed_path_is_the_full_path_on_degenerate_games(g in game(2)) {
            compare(g.0, g.1, &g.2, &g.3)?;
        }
    }

    /// The 6×6 game with a 113-pivot path of `tests/two_player.rs`, an 11×11
    /// game where every payoff ties, and an arbitrary 11×11 one.
    #[test]
    fn condensed_path_on_fixed_games() {
        let pa: [i32; 36] = [
            55, 3, 8, 94, 74, 91, 84, 6, 91, 54, 70, 53, 49, 79, 42, 47, 79, 3, 67, 35, 45, 7, 80,
            72, 78, 35, 30, 40, 13, 22, 85, 50, 4, 39, 6, 86,
        ];
        let pb: [i32; 36] = [
            48, 45, 5, 65, 46, 17, 50, 63, 88, 90, 1, 75, 2, 79, 74, 92, 59, 75, 45, 60, 73, 71,
            68, 88, 90, 59, 45, 23, 94, 28, 54, 62, 73, 48, 20, 85,
        ];
        let wide = |v: &[i32]| v.iter().map(|&x| i64::from(x)).collect::<Vec<_>>();
        compare(6, 6, &wide(&pa), &wide(&pb)).unwrap();
        let long = follow(
            initial_tableaux(
                &scale_unit(pa.iter().map(|&x| f64::from(x)).collect()).unwrap(),
                &scale_unit(pb.iter().map(|&x| f64::from(x)).collect()).unwrap(),
                6,
                6,
            ),
            6,
            4,
            usize::MAX,
        );
        assert_eq!(long.map(|(_, pivots)| pivots), Some(113));
        let all_equal = vec![3; 121];
        compare(11, 11, &all_equal, &all_equal).unwrap();
        let pa: Vec<i64> = (0..121).map(|k| (k * 37 % 101) - 50).collect();
        let pb: Vec<i64> = (0..121).map(|k| (k * 53 % 97) - 48).collect();
        compare(11, 11, &pa, &pb).unwrap();
    }
}
