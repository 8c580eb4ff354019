//! The support system of one support profile and its branch-and-bound
//! root search (contraction, Krawczyk test, bisection).

use super::separation::separated;
use super::*;
use crate::linalg::Lu;

/// Half-width by which the search box extends beyond the simplex, so that
/// roots on its boundary are interior to the box.
pub(super) const DELTA: f64 = 1e-6;

/// The indifference system of one support profile (see the module docs).
pub(super) struct SupportSystem {
    /// Support of every player (original strategy numbers).
    pub(super) supports: Vec<Vec<usize>>,
    /// Players with at least two support strategies ("active"), ascending.
    pub(super) active: Vec<usize>,
    /// Support size of each active player.
    pub(super) k: Vec<usize>,
    /// Offset of each active player's variables (and equations).
    pub(super) off: Vec<usize>,
    /// Number of variables = number of equations.
    pub(super) d: usize,
    /// Equations of each active player.
    pub(super) blocks: Vec<EqBlock>,
    /// Equilibrium inequalities: for each player with surviving strategies
    /// outside its support, `u_p(t, σ_-p) − u_p(S_p[0], σ_-p) ≤ 0` for those
    /// `t` (one block per player, over the active players other than `p`).
    pub(super) ineqs: Vec<EqBlock>,
    /// Largest absolute coefficient (for tolerances).
    pub(super) scale: f64,
    /// Derivative directions of each active player (see `directions`).
    pub(super) dirs: Vec<Vec<f64>>,
}

/// Several multilinear functions of the other active players' strategies
/// as one tensor: the `k_a − 1` equations of an active player `a`, or one
/// player's equilibrium inequalities.
pub(super) struct EqBlock {
    /// The other active players (indices into `active`), ascending.
    pub(super) others: Vec<usize>,
    /// Their support sizes.
    pub(super) dims: Vec<usize>,
    /// Coefficients, shape `dims[0] × … × dims[last] × (k_a − 1)`, last index
    /// fastest: entry `(t, j)` is `u_a(S_a[j+1], t) − u_a(S_a[0], t)` with
    /// the inactive players at their single strategy.
    pub(super) coef: Vec<f64>,
}

/// Contracts tensor `t` (shape `dims × m`) with one vector from each of `sets`
/// (`sets[i]` holds vectors of length `dims[i]` back to back), for every
/// combination, and calls `visit(combination, values)` with the `m` results.
pub(super) fn contract<F: FnMut(&[usize], &[f64])>(
    t: &[f64],
    dims: &[usize],
    sets: &[&[f64]],
    bufs: &mut [Vec<f64>],
    combo: &mut [usize],
    level: usize,
    visit: &mut F,
) {
    let Some((&d0, dims_rest)) = dims.split_first() else {
        visit(combo, t);
        return;
    };
    let rest = t.len() / d0;
    let (buf, bufs_rest) = bufs
        .split_first_mut()
        .expect("one buffer per contracted axis");
    for (i, v) in sets[0].chunks_exact(d0).enumerate() {
        buf.clear();
        buf.resize(rest, 0.0);
        for (a, &va) in v.iter().enumerate() {
            if va != 0.0 {
                let row = &t[a * rest..(a + 1) * rest];
                for (o, &x) in buf.iter_mut().zip(row) {
                    *o += va * x;
                }
            }
        }
        combo[level] = i;
        contract(
            buf,
            dims_rest,
            &sets[1..],
            bufs_rest,
            combo,
            level + 1,
            visit,
        );
    }
}

impl SupportSystem {
    pub(super) fn new(
        game: &NormalFormGame<f64>,
        supports: &[&[usize]],
        alive: Option<&[Vec<usize>]>,
    ) -> Self {
        let n = game.num_players();
        let active: Vec<usize> = (0..n).filter(|&p| supports[p].len() >= 2).collect();
        let k: Vec<usize> = active.iter().map(|&p| supports[p].len()).collect();
        let mut off = Vec::with_capacity(active.len());
        let mut d = 0;
        for &ka in &k {
            off.push(d);
            d += ka - 1;
        }
        let base: usize = (0..n)
            .filter(|&p| supports[p].len() == 1)
            .map(|p| supports[p][0] * game.stride(p))
            .sum();
        // Tensor of u_p(t, ·) − u_p(S_p[0], ·) for t in `targets`, over the
        // supports of the active players `others` (inactive players fixed).
        let build = |p: usize, others: Vec<usize>, targets: &[usize]| -> EqBlock {
            let dims: Vec<usize> = others.iter().map(|&b| k[b]).collect();
            let cells: usize = dims.iter().product();
            let mut coef = Vec::with_capacity(cells * targets.len());
            let mut t = vec![0usize; others.len()];
            let stride = game.stride(p);
            let own = if supports[p].len() == 1 {
                supports[p][0] * stride
            } else {
                0
            };
            for _ in 0..cells {
                let idx: usize = base - own
                    + others
                        .iter()
                        .zip(&t)
                        .map(|(&b, &tb)| {
                            let q = active[b];
                            supports[q][tb] * game.stride(q)
                        })
                        .sum::<usize>();
                let u0 = *game.payoff_at(idx + supports[p][0] * stride, p);
                for &s in targets {
                    coef.push(game.payoff_at(idx + s * stride, p) - u0);
                }
                // Odometer over the other active players, last fastest.
                for pos in (0..t.len()).rev() {
                    t[pos] += 1;
                    if t[pos] < dims[pos] {
                        break;
                    }
                    t[pos] = 0;
                }
            }
            EqBlock { others, dims, coef }
        };
        let blocks: Vec<EqBlock> = active
            .iter()
            .enumerate()
            .map(|(a, &p)| {
                build(
                    p,
                    (0..active.len()).filter(|&b| b != a).collect(),
                    &supports[p][1..],
                )
            })
            .collect();
        let scale = blocks
            .iter()
            .flat_map(|b| b.coef.iter())
            .fold(0.0f64, |m, x| m.max(x.abs()));
        let mut ineqs = Vec::new();
        if let Some(alive) = alive {
            for p in 0..n {
                let outside: Vec<usize> = alive[p]
                    .iter()
                    .copied()
                    .filter(|s| !supports[p].contains(s))
                    .collect();
                if outside.is_empty() {
                    continue;
                }
                let own = active.iter().position(|&q| q == p);
                let others = (0..active.len()).filter(|&b| Some(b) != own).collect();
                ineqs.push(build(p, others, &outside));
            }
        }
        let dirs = k.iter().map(|&kb| Self::directions(kb)).collect();
        Self {
            supports: supports.iter().map(|s| s.to_vec()).collect(),
            dirs,
            active,
            k,
            off,
            d,
            blocks,
            ineqs,
            scale,
        }
    }

    /// Whether some equation is identically zero.
    pub(super) fn has_vanishing_equation(&self) -> bool {
        self.blocks.iter().enumerate().any(|(a, blk)| {
            let m = self.k[a] - 1;
            (0..m).any(|j| blk.coef.iter().skip(j).step_by(m).all(|&c| c == 0.0))
        })
    }

    /// Active player `a`'s full support vector `(1 − Σ z_a, z_a…)`.
    pub(super) fn block_point(&self, a: usize, z: &[f64], out: &mut Vec<f64>) {
        let za = &z[self.off[a]..self.off[a] + self.k[a] - 1];
        out.push(1.0 - za.iter().sum::<f64>());
        out.extend_from_slice(za);
    }

    /// Point vectors of every active player at `z`.
    pub(super) fn point_sets(&self, z: &[f64]) -> Vec<Vec<f64>> {
        (0..self.active.len())
            .map(|a| {
                let mut v = Vec::with_capacity(self.k[a]);
                self.block_point(a, z, &mut v);
                v
            })
            .collect()
    }

    /// Support vectors at every vertex of active player `a`'s box.
    pub(super) fn vertex_set(&self, a: usize, lo: &[f64], hi: &[f64], out: &mut Vec<f64>) {
        let m = self.k[a] - 1;
        let o = self.off[a];
        out.clear();
        for mask in 0..(1usize << m) {
            let start = out.len();
            out.push(1.0);
            for i in 0..m {
                let zi = if mask >> i & 1 == 1 {
                    hi[o + i]
                } else {
                    lo[o + i]
                };
                out[start] -= zi;
                out.push(zi);
            }
        }
    }

    /// Derivative directions `e_{i+1} − e_0` of active player `b`.
    pub(super) fn directions(kb: usize) -> Vec<f64> {
        let mut out = vec![0.0; (kb - 1) * kb];
        for i in 0..kb - 1 {
            out[i * kb] = -1.0;
            out[i * kb + i + 1] = 1.0;
        }
        out
    }

    /// For each active player `a`, calls `visit(a, combo, values)` with the
    /// values of its equations at every combination of `sets` of the others.
    pub(super) fn for_each_eq_value(
        &self,
        sets: &[Vec<f64>],
        mut visit: impl FnMut(usize, &[usize], &[f64]),
    ) {
        let mut bufs = vec![Vec::new(); self.active.len()];
        let mut combo = vec![0usize; self.active.len()];
        for (a, blk) in self.blocks.iter().enumerate() {
            let s: Vec<&[f64]> = blk.others.iter().map(|&b| sets[b].as_slice()).collect();
            contract(
                &blk.coef,
                &blk.dims,
                &s,
                &mut bufs,
                &mut combo,
                0,
                &mut |c, v| visit(a, c, v),
            );
        }
    }

    /// For each ordered pair of distinct active players `(a, b)`, calls
    /// `visit(row, col, value)` for the derivative of `a`'s equations with
    /// respect to `b`'s variables at every combination of the others' `sets`.
    pub(super) fn for_each_jac_value(
        &self,
        sets: &[Vec<f64>],
        mut visit: impl FnMut(usize, usize, f64),
    ) {
        let mut bufs = vec![Vec::new(); self.active.len()];
        let mut combo = vec![0usize; self.active.len()];
        let dirs = &self.dirs;
        for (a, blk) in self.blocks.iter().enumerate() {
            for (pos, &b) in blk.others.iter().enumerate() {
                let s: Vec<&[f64]> = blk
                    .others
                    .iter()
                    .map(|&c| {
                        if c == b {
                            dirs[b].as_slice()
                        } else {
                            sets[c].as_slice()
                        }
                    })
                    .collect();
                let (ra, cb) = (self.off[a], self.off[b]);
                contract(
                    &blk.coef,
                    &blk.dims,
                    &s,
                    &mut bufs,
                    &mut combo,
                    0,
                    &mut |c, v| {
                        for (j, &x) in v.iter().enumerate() {
                            visit(ra + j, cb + c[pos], x);
                        }
                    },
                );
            }
        }
    }

    pub(super) fn eval(&self, z: &[f64], f: &mut [f64]) {
        let sets = self.point_sets(z);
        self.for_each_eq_value(&sets, |a, _, v| {
            f[self.off[a]..self.off[a] + v.len()].copy_from_slice(v);
        });
    }

    pub(super) fn jacobian(&self, z: &[f64], jac: &mut [f64]) {
        jac.fill(0.0);
        let d = self.d;
        let sets = self.point_sets(z);
        self.for_each_jac_value(&sets, |r, c, x| jac[r * d + c] = x);
    }

    /// Solves the (linear) system of a support with two active players.
    pub(super) fn solve_linear(&self) -> Option<Vec<f64>> {
        let d = self.d;
        let mut z = vec![0.0; d];
        let mut jac = vec![0.0; d * d];
        self.jacobian(&z, &mut jac);
        let lu = Lu::new(&jac, d, 1e-11)?;
        let mut f = vec![0.0; d];
        // Two passes: the second removes rounding error of the first.
        for _ in 0..2 {
            self.eval(&z, &mut f);
            lu.solve(&mut f);
            for (zi, fi) in z.iter_mut().zip(&f) {
                *zi -= fi;
            }
        }
        z.iter().all(|x| x.is_finite()).then_some(z)
    }

    /// Newton's method from `z`; true if it converged to a point where the
    /// residual is at rounding level.
    pub(super) fn newton(&self, z: &mut [f64], max_iter: usize) -> bool {
        let d = self.d;
        let mut f = vec![0.0; d];
        let mut jac = vec![0.0; d * d];
        let mut last_step = f64::INFINITY;
        for _ in 0..max_iter {
            self.eval(z, &mut f);
            self.jacobian(z, &mut jac);
            let Some(lu) = Lu::new(&jac, d, 1e-13) else {
                break;
            };
            lu.solve(&mut f);
            let step = f.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            if !step.is_finite() {
                return false;
            }
            for (zi, fi) in z.iter_mut().zip(&f) {
                *zi -= fi;
            }
            if step <= 1e-15 || (step < 1e-10 && step >= last_step) {
                break;
            }
            last_step = step;
        }
        self.eval(z, &mut f);
        let res = f.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        res <= 1e-10 * (1.0 + self.scale)
    }

    /// The full mixed profile at `z`, or `None` if some probability is below
    /// `-neg_tol` (small negatives are clamped and the strategy renormalised).
    pub(super) fn profile(
        &self,
        game: &NormalFormGame<f64>,
        z: &[f64],
        neg_tol: f64,
    ) -> Option<Vec<Vec<f64>>> {
        let n = game.num_players();
        let mut out: Vec<Vec<f64>> = (0..n).map(|p| vec![0.0; game.num_strategies(p)]).collect();
        for p in 0..n {
            if self.supports[p].len() == 1 {
                out[p][self.supports[p][0]] = 1.0;
            }
        }
        let mut y = Vec::new();
        for (a, &p) in self.active.iter().enumerate() {
            y.clear();
            self.block_point(a, z, &mut y);
            if y.iter().any(|&x| x.is_nan() || x < -neg_tol) {
                return None;
            }
            let total: f64 = y.iter().map(|&x| x.max(0.0)).sum();
            if total.is_nan() || total <= 0.0 {
                return None;
            }
            for (&s, &x) in self.supports[p].iter().zip(&y) {
                out[p][s] = x.max(0.0) / total;
            }
        }
        Some(out)
    }

    /// Clips the box to the (enlarged) product of simplices; false if empty.
    pub(super) fn tighten(&self, lo: &mut [f64], hi: &mut [f64]) -> bool {
        for a in 0..self.active.len() {
            let r = self.off[a]..self.off[a] + self.k[a] - 1;
            let sum_lo: f64 = lo[r.clone()].iter().sum();
            for i in r {
                lo[i] = lo[i].max(-DELTA);
                hi[i] = hi[i].min(1.0 + DELTA - (sum_lo - lo[i]));
                if lo[i] > hi[i] {
                    return false;
                }
            }
        }
        true
    }

    /// Exact entrywise ranges of the Jacobian over the box whose vertex
    /// vectors are `vsets` (zero on the diagonal blocks).
    pub(super) fn jac_intervals(
        &self,
        vsets: &[Vec<f64>],
        jlo: &mut [f64],
        jhi: &mut [f64],
        first: &mut [bool],
    ) {
        let d = self.d;
        first.fill(true);
        jlo.fill(0.0);
        jhi.fill(0.0);
        self.for_each_jac_value(vsets, |r, c, x| {
            let e = r * d + c;
            if first[e] {
                jlo[e] = x;
                jhi[e] = x;
                first[e] = false;
            } else {
                jlo[e] = jlo[e].min(x);
                jhi[e] = jhi[e].max(x);
            }
        });
    }

    /// Shrinks every coordinate `i` of the box `[lo, hi]` to the hull of
    /// `{t : 0 ∈ range of g_i over the box with z_i = t}`, where `gv` holds the
    /// preconditioned values `g = Y f` at every vertex (blocks in mixed radix,
    /// first block slowest; within a block, bit `j` of the vertex number is
    /// coordinate `j` at its upper end). `g_i` is affine in `z_i` and
    /// multilinear in the rest, so for fixed `t` its range is spanned by the
    /// affine interpolants along the `z_i` edges of the box. Returns false if
    /// some coordinate's set is empty (no root in the box).
    pub(super) fn hull_contract(
        &self,
        gv: &[f64],
        gtol: &[f64],
        vcount: &[usize],
        lo: &mut [f64],
        hi: &mut [f64],
    ) -> bool {
        let d = self.d;
        let na = self.active.len();
        let total: usize = vcount.iter().product();
        let mut fstride = vec![1usize; na];
        for a in (0..na.saturating_sub(1)).rev() {
            fstride[a] = fstride[a + 1] * vcount[a + 1];
        }
        let mut pairs: Vec<(f64, f64)> = Vec::with_capacity(total / 2);
        for a in 0..na {
            for j in 0..self.k[a] - 1 {
                let i = self.off[a] + j;
                let tol = gtol[i];
                let (fa, va) = (fstride[a], vcount[a]);
                let step = (1usize << j) * fa;
                // The values of g_i at both ends of every z_i edge.
                pairs.clear();
                for outer in (0..total).step_by(fa * va) {
                    for mask in (0..va).filter(|mask| mask >> j & 1 == 0) {
                        let base = outer + mask * fa;
                        for vi in base..base + fa {
                            pairs.push((gv[vi * d + i], gv[(vi + step) * d + i]));
                        }
                    }
                }
                // Smallest s in [0, 1] (fraction of the edge from the lower
                // end) where some interpolant reaches zero, from the s = 0
                // end; `flip` measures from the upper end instead.
                let end = |flip: bool| -> Option<f64> {
                    let (mut mn, mut mx) = (f64::INFINITY, f64::NEG_INFINITY);
                    for &(l0, l1) in pairs.iter() {
                        let a0 = if flip { l1 } else { l0 };
                        mn = mn.min(a0);
                        mx = mx.max(a0);
                    }
                    if mn <= tol && mx >= -tol {
                        return Some(0.0);
                    }
                    let sign = if mn > tol { 1.0 } else { -1.0 };
                    let mut best: Option<f64> = None;
                    for &(l0, l1) in pairs.iter() {
                        let (a0, a1) = if flip {
                            (l1 * sign, l0 * sign)
                        } else {
                            (l0 * sign, l1 * sign)
                        };
                        // a0 > 0 here; the interpolant reaches 0 iff a1 <= 0.
                        let s = if a1 <= 0.0 {
                            a0 / (a0 - a1)
                        } else if a1 <= tol {
                            1.0
                        } else {
                            continue;
                        };
                        best = Some(best.map_or(s, |b: f64| b.min(s)));
                    }
                    best
                };
                let (Some(s_lo), Some(s_hi)) = (end(false), end(true)) else {
                    return false;
                };
                let w = hi[i] - lo[i];
                let slack = 1e-10 * w + 1e-15;
                let new_lo = (lo[i] + s_lo * w - slack).max(lo[i]);
                let new_hi = (hi[i] - s_hi * w + slack).min(hi[i]);
                if new_lo > new_hi {
                    return false;
                }
                lo[i] = new_lo;
                hi[i] = new_hi;
            }
        }
        true
    }

    /// Branch and bound with exact multilinear ranges, a preconditioned
    /// vertex test and the Krawczyk test. Pushes the roots found to `roots`;
    /// returns (boxes examined, whether every box was resolved).
    pub(super) fn search(
        &self,
        options: &EnumOptions,
        stack: &mut Vec<(Vec<f64>, Vec<f64>)>,
        roots: &mut Vec<Vec<f64>>,
    ) -> (u64, bool) {
        let d = self.d;
        let na = self.active.len();
        stack.clear();
        stack.push((vec![-DELTA; d], vec![1.0 + DELTA; d]));
        let mut boxes = 0u64;
        let mut resolved = true;
        let tol = 1e-12 * self.scale;
        // Vertex count of each block's box, and for each block `a` the place
        // value of every other block in `a`'s vertex-combination index (the
        // order in which `contract` visits combinations: first block slowest).
        let vcount: Vec<usize> = self.k.iter().map(|&k| 1usize << (k - 1)).collect();
        let vstride: Vec<Vec<usize>> = (0..na)
            .map(|a| {
                let mut st = vec![0; na];
                let mut acc = 1;
                for b in (0..na).rev().filter(|&b| b != a) {
                    st[b] = acc;
                    acc *= vcount[b];
                }
                st
            })
            .collect();
        let total_vertices: usize = vcount.iter().product();
        let mut vals: Vec<Vec<f64>> = vec![Vec::new(); na];
        let mut vsets: Vec<Vec<f64>> = vec![Vec::new(); na];
        let mut fv = vec![0.0; total_vertices * d];
        let mut gv = vec![0.0; total_vertices * d];
        let mut gtol = vec![0.0; d];
        let mut hmin: Vec<f64> = Vec::new();
        let mut bufs = vec![Vec::new(); na];
        let mut combo2 = vec![0usize; na];
        let mut nlo = vec![0.0; d];
        let mut nhi = vec![0.0; d];
        let mut combo = vec![0usize; na];
        let mut fmin = vec![0.0; d];
        let mut fmax = vec![0.0; d];
        let mut jlo = vec![0.0; d * d];
        let mut jhi = vec![0.0; d * d];
        let mut first = vec![true; d * d];
        let mut fc = vec![0.0; d];
        let mut jc = vec![0.0; d * d];
        while let Some((mut lo, mut hi)) = stack.pop() {
            boxes += 1;
            if boxes > options.max_boxes_per_support as u64 {
                stack.clear();
                return (boxes, false);
            }
            if !self.tighten(&mut lo, &mut hi) {
                continue;
            }
            // Equation values at every vertex; their extremes are the exact
            // ranges over the box (multilinearity).
            for (a, set) in vsets.iter_mut().enumerate() {
                self.vertex_set(a, &lo, &hi, set);
            }
            for v in &mut vals {
                v.clear();
            }
            self.for_each_eq_value(&vsets, |a, _, v| vals[a].extend_from_slice(v));
            fmin.fill(f64::INFINITY);
            fmax.fill(f64::NEG_INFINITY);
            for (a, va) in vals.iter().enumerate() {
                let m = self.k[a] - 1;
                for chunk in va.chunks_exact(m) {
                    for (j, &x) in chunk.iter().enumerate() {
                        let r = self.off[a] + j;
                        fmin[r] = fmin[r].min(x);
                        fmax[r] = fmax[r].max(x);
                    }
                }
            }
            if (0..d).any(|r| fmin[r] > tol || fmax[r] < -tol) {
                continue;
            }
            // Some strategy outside a support beats the support everywhere
            // in the box: no equilibrium here.
            if self.ineqs.iter().any(|blk| {
                let m = blk.coef.len() / blk.dims.iter().product::<usize>();
                hmin.clear();
                hmin.resize(m, f64::INFINITY);
                let s: Vec<&[f64]> = blk.others.iter().map(|&b| vsets[b].as_slice()).collect();
                contract(
                    &blk.coef,
                    &blk.dims,
                    &s,
                    &mut bufs,
                    &mut combo2,
                    0,
                    &mut |_, v| {
                        for (h, &x) in hmin.iter_mut().zip(v) {
                            *h = h.min(x);
                        }
                    },
                );
                hmin.iter().any(|&h| h > tol)
            }) {
                continue;
            }
            let c: Vec<f64> = lo.iter().zip(&hi).map(|(l, h)| 0.5 * (l + h)).collect();
            let rad: Vec<f64> = lo.iter().zip(&hi).map(|(l, h)| 0.5 * (h - l)).collect();
            let width = rad.iter().fold(0.0f64, |m, &r| m.max(2.0 * r));
            // All equations at every vertex. The image of the box under the
            // (multilinear) system lies in the convex hull of these points;
            // if the origin is outside it, there is no root in the box.
            combo.fill(0);
            for vi in 0..total_vertices {
                for (a, va) in vals.iter().enumerate() {
                    let idx: usize = (0..na).map(|b| combo[b] * vstride[a][b]).sum();
                    let m = self.k[a] - 1;
                    fv[vi * d + self.off[a]..vi * d + self.off[a] + m]
                        .copy_from_slice(&va[idx * m..(idx + 1) * m]);
                }
                for b in (0..na).rev() {
                    combo[b] += 1;
                    if combo[b] < vcount[b] {
                        break;
                    }
                    combo[b] = 0;
                }
            }
            if separated(&fv, d, tol) {
                continue;
            }
            self.eval(&c, &mut fc);
            self.jacobian(&c, &mut jc);
            let lu = if width > COARSE {
                None
            } else {
                Lu::new(&jc, d, 1e-13)
            };
            let verdict = match &lu {
                None => {
                    self.jac_intervals(&vsets, &mut jlo, &mut jhi, &mut first);
                    Verdict::Split
                }
                Some(lu) => {
                    let y = lu.inverse();
                    // Preconditioned system g = Y f: each g_i is again
                    // multilinear, so its values at the vertices determine
                    // its range over any sub-box.
                    for (f, g) in fv.chunks_exact(d).zip(gv.chunks_exact_mut(d)) {
                        for (i, gi) in g.iter_mut().enumerate() {
                            *gi = y[i * d..(i + 1) * d]
                                .iter()
                                .zip(f)
                                .map(|(a, b)| a * b)
                                .sum();
                        }
                    }
                    for i in 0..d {
                        gtol[i] = 1e-12
                            * self.scale
                            * y[i * d..(i + 1) * d].iter().map(|v| v.abs()).sum::<f64>();
                    }
                    nlo.copy_from_slice(&lo);
                    nhi.copy_from_slice(&hi);
                    if !self.hull_contract(&gv, &gtol, &vcount, &mut nlo, &mut nhi) {
                        Verdict::Empty
                    } else if max_width(&nlo, &nhi) <= 0.7 * width {
                        lo.copy_from_slice(&nlo);
                        hi.copy_from_slice(&nhi);
                        Verdict::Contracted
                    } else {
                        // Krawczyk test on a slightly inflated box X ⊇ B
                        // (epsilon inflation, Rump 1983): a root on the
                        // boundary of B is interior to X. Uniqueness in X
                        // implies at most one root in B.
                        let xrad: Vec<f64> = c
                            .iter()
                            .zip(&rad)
                            .map(|(ci, ri)| ri * 1.05 + 1e-12 * (1.0 + ci.abs()))
                            .collect();
                        let mut klo: Vec<f64> = c.iter().zip(&xrad).map(|(ci, r)| ci - r).collect();
                        let mut khi: Vec<f64> = c.iter().zip(&xrad).map(|(ci, r)| ci + r).collect();
                        for (a, set) in vsets.iter_mut().enumerate() {
                            self.vertex_set(a, &klo, &khi, set);
                        }
                        self.jac_intervals(&vsets, &mut jlo, &mut jhi, &mut first);
                        match krawczyk(lu, &y, &c, &xrad, &fc, &jlo, &jhi, &mut klo, &mut khi) {
                            Verdict::Unique => Verdict::Unique,
                            Verdict::Empty => Verdict::Empty,
                            _ => {
                                for i in 0..d {
                                    lo[i] = nlo[i].max(klo[i]);
                                    hi[i] = nhi[i].min(khi[i]);
                                }
                                if (0..d).any(|i| is_empty_interval(lo[i], hi[i])) {
                                    Verdict::Empty
                                } else if max_width(&lo, &hi) <= 0.7 * width {
                                    Verdict::Contracted
                                } else {
                                    Verdict::Split
                                }
                            }
                        }
                    }
                }
            };
            match verdict {
                Verdict::Empty => {}
                Verdict::Unique => {
                    // K(B) ⊂ int B makes z ↦ z − Y f(z) a contraction on B:
                    // iterate it into the root's neighbourhood, then polish
                    // with Newton's method.
                    let mut z = c.clone();
                    if let Some(lu) = &lu {
                        for _ in 0..50 {
                            self.eval(&z, &mut fc);
                            lu.solve(&mut fc);
                            let step = fc.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                            for (zi, fi) in z.iter_mut().zip(&fc) {
                                *zi -= fi;
                            }
                            if step <= 1e-13 {
                                break;
                            }
                        }
                    }
                    if self.newton(&mut z, 60) {
                        roots.push(z);
                    } else {
                        // Should not happen for a certified box; never claim
                        // completeness if it does.
                        resolved = false;
                    }
                }
                Verdict::Contracted => stack.push((lo, hi)),
                Verdict::Split => {
                    if width < options.min_box_width {
                        resolved = false;
                        let mut z = c.clone();
                        if self.newton(&mut z, 60) {
                            roots.push(z);
                        }
                        continue;
                    }
                    // Bisect the coordinate with the largest scaled width.
                    let mut best = 0;
                    let mut best_w = -1.0;
                    for j in 0..d {
                        let colmag: f64 = (0..d)
                            .map(|i| jlo[i * d + j].abs().max(jhi[i * d + j].abs()))
                            .sum();
                        let w = (hi[j] - lo[j]) * (colmag + 1e-300);
                        if w > best_w {
                            best_w = w;
                            best = j;
                        }
                    }
                    let mid = 0.5 * (lo[best] + hi[best]);
                    let (mut lo2, mut hi1) = (lo.clone(), hi.clone());
                    hi1[best] = mid;
                    lo2[best] = mid;
                    stack.push((lo2, hi));
                    stack.push((lo, hi1));
                }
            }
        }
        (boxes, resolved)
    }
}

/// Whether `[l, h]` is empty (or not an interval at all: NaN).
pub(super) fn is_empty_interval(l: f64, h: f64) -> bool {
    !matches!(
        l.partial_cmp(&h),
        Some(core::cmp::Ordering::Less | core::cmp::Ordering::Equal)
    )
}

/// Boxes wider than this skip the preconditioned contraction and the
/// Krawczyk test (which need a box on which the system is nearly linear)
/// and are bisected after the exclusion tests.
pub(super) const COARSE: f64 = 0.5;

/// Largest side of the box `[lo, hi]`.
pub(super) fn max_width(lo: &[f64], hi: &[f64]) -> f64 {
    lo.iter().zip(hi).fold(0.0f64, |m, (l, h)| m.max(h - l))
}

/// Outcome of one Krawczyk test.
pub(super) enum Verdict {
    /// No root in the box.
    Empty,
    /// Exactly one root in the box.
    Unique,
    /// The box was shrunk substantially (in place); test again.
    Contracted,
    /// Undecided: split the (possibly shrunk) box.
    Split,
}

/// The Krawczyk operator `K = c − Y f(c) + (I − Y J_B)(B − c)` with
/// `Y = J(c)^{-1}`; decides the box or shrinks it to `K ∩ B` in place.
#[allow(clippy::too_many_arguments)]
pub(super) fn krawczyk(
    lu: &Lu,
    y: &[f64],
    c: &[f64],
    rad: &[f64],
    fc: &[f64],
    jlo: &[f64],
    jhi: &[f64],
    lo: &mut [f64],
    hi: &mut [f64],
) -> Verdict {
    let d = c.len();
    let mut yf = fc.to_vec();
    lu.solve(&mut yf);
    let old_width = lo
        .iter()
        .zip(hi.iter())
        .fold(0.0f64, |m, (l, h)| m.max(h - l));
    let mut inside = true;
    let mut kc = vec![0.0; d];
    let mut kr = vec![0.0; d];
    for i in 0..d {
        // Row i of M = I − Y J_B in midpoint–radius form.
        let mut r = 0.0;
        for (j, &rj) in rad.iter().enumerate() {
            let mut mid = if i == j { 1.0 } else { 0.0 };
            let mut mrad = 0.0;
            for k in 0..d {
                let yik = y[i * d + k];
                let (l, h) = (jlo[k * d + j], jhi[k * d + j]);
                mid -= yik * 0.5 * (l + h);
                mrad += yik.abs() * 0.5 * (h - l);
            }
            r += (mid.abs() + mrad) * rj;
        }
        kc[i] = c[i] - yf[i];
        kr[i] = r * (1.0 + 1e-10) + 1e-15 * (1.0 + kc[i].abs());
        if !(kc[i] - kr[i] > lo[i] && kc[i] + kr[i] < hi[i]) {
            inside = false;
        }
    }
    if inside {
        return Verdict::Unique;
    }
    for i in 0..d {
        let l = lo[i].max(kc[i] - kr[i]);
        let h = hi[i].min(kc[i] + kr[i]);
        if is_empty_interval(l, h) {
            return Verdict::Empty;
        }
        lo[i] = l;
        hi[i] = h;
    }
    let new_width = lo
        .iter()
        .zip(hi.iter())
        .fold(0.0f64, |m, (l, h)| m.max(h - l));
    if new_width <= 0.5 * old_width {
        Verdict::Contracted
    } else {
        Verdict::Split
    }
}
