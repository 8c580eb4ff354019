//! The branch-and-bound root search of one support system: exclusion by
//! exact multilinear ranges, by an outside strategy and by a separating
//! hyperplane; contraction with the preconditioned system; the Krawczyk
//! test; bisection.

use super::EnumOptions;
use super::separation::separated;
use super::system::{ContractScratch, SupportSystem};
use crate::linalg::Lu;

/// Half-width by which the search box extends beyond the simplex, so that
/// roots on its boundary are interior to the box.
const DELTA: f64 = 1e-6;

impl SupportSystem {
    /// Clips the box to the (enlarged) product of simplices; false if empty.
    fn tighten(&self, lo: &mut [f64], hi: &mut [f64]) -> bool {
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
    fn jac_intervals(
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
    fn hull_contract(
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
        ws: &mut SearchWorkspace,
        roots: &mut Vec<Vec<f64>>,
    ) -> (u64, bool) {
        let d = self.d;
        ws.reset(self);
        let mut boxes = 0u64;
        let mut resolved = true;
        let tol = 1e-12 * self.scale;
        while let Some((mut lo, mut hi)) = ws.stack.pop() {
            boxes += 1;
            if boxes > options.max_boxes_per_support as u64 {
                ws.stack.clear();
                return (boxes, false);
            }
            if !self.tighten(&mut lo, &mut hi)
                || self.excluded_by_ranges(ws, &lo, &hi, tol)
                || self.excluded_by_outside_strategy(ws, tol)
            {
                continue;
            }
            let mid = Midpoint::of(&lo, &hi);
            // The image of the box under the (multilinear) system lies in the
            // convex hull of its values at the vertices; if the origin is
            // outside it, there is no root in the box.
            self.gather_vertex_values(ws);
            if separated(&ws.fv, d, tol) {
                continue;
            }
            self.eval(&mid.c, &mut ws.fc);
            self.jacobian(&mid.c, &mut ws.jc);
            let lu = if mid.width > COARSE {
                None
            } else {
                Lu::new(&ws.jc, d, 1e-13)
            };
            let verdict = match &lu {
                None => {
                    self.jac_intervals(&ws.vsets, &mut ws.jlo, &mut ws.jhi, &mut ws.first);
                    Verdict::Split
                }
                Some(lu) => self.shrink_box(ws, lu, &mid, &mut lo, &mut hi),
            };
            match verdict {
                Verdict::Empty => {}
                Verdict::Unique => match self.polish_unique_root(ws, lu.as_ref(), &mid.c) {
                    Some(z) => roots.push(z),
                    // Should not happen for a certified box; never claim
                    // completeness if it does.
                    None => resolved = false,
                },
                Verdict::Contracted => ws.stack.push((lo, hi)),
                Verdict::Split => {
                    if mid.width < options.min_box_width {
                        resolved = false;
                        let mut z = mid.c;
                        if self.newton(&mut z, 60) {
                            roots.push(z);
                        }
                        continue;
                    }
                    let best = self.bisection_coordinate(ws, &lo, &hi);
                    let cut = 0.5 * (lo[best] + hi[best]);
                    let (mut lo2, mut hi1) = (lo.clone(), hi.clone());
                    hi1[best] = cut;
                    lo2[best] = cut;
                    ws.stack.push((lo2, hi));
                    ws.stack.push((lo, hi1));
                }
            }
        }
        (boxes, resolved)
    }

    /// Equation values at every vertex of the box (into `ws.vals`); their
    /// extremes are the exact ranges over the box (multilinearity). True if
    /// some equation's range excludes zero: no root in the box.
    fn excluded_by_ranges(
        &self,
        ws: &mut SearchWorkspace,
        lo: &[f64],
        hi: &[f64],
        tol: f64,
    ) -> bool {
        for (a, set) in ws.vsets.iter_mut().enumerate() {
            self.vertex_set(a, lo, hi, set);
        }
        for v in &mut ws.vals {
            v.clear();
        }
        self.for_each_eq_value(&ws.vsets, |a, _, v| ws.vals[a].extend_from_slice(v));
        ws.fmin.fill(f64::INFINITY);
        ws.fmax.fill(f64::NEG_INFINITY);
        for (a, va) in ws.vals.iter().enumerate() {
            let m = self.k[a] - 1;
            for chunk in va.chunks_exact(m) {
                for (j, &x) in chunk.iter().enumerate() {
                    let r = self.off[a] + j;
                    ws.fmin[r] = ws.fmin[r].min(x);
                    ws.fmax[r] = ws.fmax[r].max(x);
                }
            }
        }
        (0..self.d).any(|r| ws.fmin[r] > tol || ws.fmax[r] < -tol)
    }

    /// Whether some strategy outside a support beats the support everywhere
    /// in the box (whose vertex vectors are `ws.vsets`): no equilibrium here.
    fn excluded_by_outside_strategy(&self, ws: &mut SearchWorkspace, tol: f64) -> bool {
        self.ineqs.iter().any(|blk| {
            let m = blk.coef.len() / blk.dims.iter().product::<usize>();
            ws.hmin.clear();
            ws.hmin.resize(m, f64::INFINITY);
            let s: Vec<&[f64]> = blk.others.iter().map(|&b| ws.vsets[b].as_slice()).collect();
            blk.contract(&s, &mut ws.scratch, &mut |_, v| {
                for (h, &x) in ws.hmin.iter_mut().zip(v) {
                    *h = h.min(x);
                }
            });
            ws.hmin.iter().any(|&h| h > tol)
        })
    }

    /// All equations at every vertex of the box, one row of `d` values a
    /// vertex (blocks in mixed radix, first block slowest), into `ws.fv`.
    fn gather_vertex_values(&self, ws: &mut SearchWorkspace) {
        let (d, na) = (self.d, self.active.len());
        ws.combo.fill(0);
        for vi in 0..ws.total_vertices {
            for (a, va) in ws.vals.iter().enumerate() {
                let idx: usize = (0..na).map(|b| ws.combo[b] * ws.vstride[a][b]).sum();
                let m = self.k[a] - 1;
                ws.fv[vi * d + self.off[a]..vi * d + self.off[a] + m]
                    .copy_from_slice(&va[idx * m..(idx + 1) * m]);
            }
            for b in (0..na).rev() {
                ws.combo[b] += 1;
                if ws.combo[b] < ws.vcount[b] {
                    break;
                }
                ws.combo[b] = 0;
            }
        }
    }

    /// Contracts the box with the preconditioned system `g = Y f`
    /// (`Y = J(c)^{-1}`), then, if that did not shrink it enough, runs the
    /// Krawczyk test. Shrinks `[lo, hi]` in place when it returns
    /// `Contracted` or `Split`.
    fn shrink_box(
        &self,
        ws: &mut SearchWorkspace,
        lu: &Lu,
        mid: &Midpoint,
        lo: &mut [f64],
        hi: &mut [f64],
    ) -> Verdict {
        let y = lu.inverse();
        self.precondition(ws, &y);
        ws.nlo.copy_from_slice(lo);
        ws.nhi.copy_from_slice(hi);
        if !self.hull_contract(&ws.gv, &ws.gtol, &ws.vcount, &mut ws.nlo, &mut ws.nhi) {
            Verdict::Empty
        } else if max_width(&ws.nlo, &ws.nhi) <= 0.7 * mid.width {
            lo.copy_from_slice(&ws.nlo);
            hi.copy_from_slice(&ws.nhi);
            Verdict::Contracted
        } else {
            self.krawczyk_test(ws, lu, &y, mid, lo, hi)
        }
    }

    /// The preconditioned system `g = Y f` at every vertex (into `ws.gv`) and
    /// its tolerances (`ws.gtol`). Each `g_i` is again multilinear, so its
    /// values at the vertices determine its range over any sub-box.
    fn precondition(&self, ws: &mut SearchWorkspace, y: &[f64]) {
        let d = self.d;
        for (f, g) in ws.fv.chunks_exact(d).zip(ws.gv.chunks_exact_mut(d)) {
            for (i, gi) in g.iter_mut().enumerate() {
                *gi = y[i * d..(i + 1) * d]
                    .iter()
                    .zip(f)
                    .map(|(a, b)| a * b)
                    .sum();
            }
        }
        for i in 0..d {
            ws.gtol[i] =
                1e-12 * self.scale * y[i * d..(i + 1) * d].iter().map(|v| v.abs()).sum::<f64>();
        }
    }

    /// Krawczyk test on a slightly inflated box X ⊇ B (epsilon inflation,
    /// Rump 1983): a root on the boundary of B is interior to X. Uniqueness
    /// in X implies at most one root in B. Otherwise B shrinks to its
    /// intersection with both contractions.
    fn krawczyk_test(
        &self,
        ws: &mut SearchWorkspace,
        lu: &Lu,
        y: &[f64],
        mid: &Midpoint,
        lo: &mut [f64],
        hi: &mut [f64],
    ) -> Verdict {
        let c = &mid.c;
        let xrad: Vec<f64> = c
            .iter()
            .zip(&mid.rad)
            .map(|(ci, ri)| ri * 1.05 + 1e-12 * (1.0 + ci.abs()))
            .collect();
        let mut klo: Vec<f64> = c.iter().zip(&xrad).map(|(ci, r)| ci - r).collect();
        let mut khi: Vec<f64> = c.iter().zip(&xrad).map(|(ci, r)| ci + r).collect();
        for (a, set) in ws.vsets.iter_mut().enumerate() {
            self.vertex_set(a, &klo, &khi, set);
        }
        self.jac_intervals(&ws.vsets, &mut ws.jlo, &mut ws.jhi, &mut ws.first);
        match krawczyk(
            lu, y, c, &xrad, &ws.fc, &ws.jlo, &ws.jhi, &mut klo, &mut khi,
        ) {
            Verdict::Unique => Verdict::Unique,
            Verdict::Empty => Verdict::Empty,
            _ => {
                for i in 0..self.d {
                    lo[i] = ws.nlo[i].max(klo[i]);
                    hi[i] = ws.nhi[i].min(khi[i]);
                }
                if (0..self.d).any(|i| is_empty_interval(lo[i], hi[i])) {
                    Verdict::Empty
                } else if max_width(lo, hi) <= 0.7 * mid.width {
                    Verdict::Contracted
                } else {
                    Verdict::Split
                }
            }
        }
    }

    /// The root of a certified box: K(B) ⊂ int B makes z ↦ z − Y f(z) a
    /// contraction on B, so iterate it from the centre `c` into the root's
    /// neighbourhood, then polish with Newton's method. `None` if Newton's
    /// method does not converge.
    fn polish_unique_root(
        &self,
        ws: &mut SearchWorkspace,
        lu: Option<&Lu>,
        c: &[f64],
    ) -> Option<Vec<f64>> {
        let mut z = c.to_vec();
        if let Some(lu) = lu {
            for _ in 0..50 {
                self.eval(&z, &mut ws.fc);
                lu.solve(&mut ws.fc);
                let step = ws.fc.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                for (zi, fi) in z.iter_mut().zip(&ws.fc) {
                    *zi -= fi;
                }
                if step <= 1e-13 {
                    break;
                }
            }
        }
        self.newton(&mut z, 60).then_some(z)
    }

    /// The coordinate with the largest width scaled by its Jacobian column
    /// (from the last `jac_intervals`): the one to bisect.
    fn bisection_coordinate(&self, ws: &SearchWorkspace, lo: &[f64], hi: &[f64]) -> usize {
        let d = self.d;
        let mut best = 0;
        let mut best_w = -1.0;
        for j in 0..d {
            let colmag: f64 = (0..d)
                .map(|i| ws.jlo[i * d + j].abs().max(ws.jhi[i * d + j].abs()))
                .sum();
            let w = (hi[j] - lo[j]) * (colmag + 1e-300);
            if w > best_w {
                best_w = w;
                best = j;
            }
        }
        best
    }
}

/// Centre, radii and largest width of a box.
struct Midpoint {
    c: Vec<f64>,
    rad: Vec<f64>,
    width: f64,
}

impl Midpoint {
    fn of(lo: &[f64], hi: &[f64]) -> Self {
        let c: Vec<f64> = lo.iter().zip(hi).map(|(l, h)| 0.5 * (l + h)).collect();
        let rad: Vec<f64> = lo.iter().zip(hi).map(|(l, h)| 0.5 * (h - l)).collect();
        let width = rad.iter().fold(0.0f64, |m, &r| m.max(2.0 * r));
        Self { c, rad, width }
    }
}

/// The scratch buffers of `SupportSystem::search`, kept between supports.
#[derive(Default)]
pub(super) struct SearchWorkspace {
    /// Boxes still to examine, as `(lo, hi)`.
    stack: Vec<(Vec<f64>, Vec<f64>)>,
    /// Vertex count of each block's box.
    vcount: Vec<usize>,
    /// For each block `a`, the place value of every other block in `a`'s
    /// vertex-combination index (the order in which `contract` visits
    /// combinations: first block slowest).
    vstride: Vec<Vec<usize>>,
    /// Vertices of the whole box.
    total_vertices: usize,
    /// Each active player's equation values at the vertex combinations.
    vals: Vec<Vec<f64>>,
    /// Each active player's support vectors at its box's vertices.
    vsets: Vec<Vec<f64>>,
    /// All equations at every vertex (`total_vertices × d`).
    fv: Vec<f64>,
    /// The preconditioned system at every vertex (`total_vertices × d`).
    gv: Vec<f64>,
    /// Tolerance of each preconditioned equation.
    gtol: Vec<f64>,
    /// Smallest value of each outside strategy's advantage.
    hmin: Vec<f64>,
    /// Contraction buffers of the inequality test.
    scratch: ContractScratch,
    /// Vertex odometer of `gather_vertex_values`.
    combo: Vec<usize>,
    /// Box after the hull contraction.
    nlo: Vec<f64>,
    nhi: Vec<f64>,
    /// Equation ranges over the box.
    fmin: Vec<f64>,
    fmax: Vec<f64>,
    /// Jacobian ranges over the box (`d × d`) and their first-visit flags.
    jlo: Vec<f64>,
    jhi: Vec<f64>,
    first: Vec<bool>,
    /// Equations and Jacobian at the box centre.
    fc: Vec<f64>,
    jc: Vec<f64>,
}

impl SearchWorkspace {
    /// Sizes the buffers for `sys` and puts its initial box on the stack.
    fn reset(&mut self, sys: &SupportSystem) {
        let (d, na) = (sys.d, sys.active.len());
        self.stack.clear();
        self.stack.push((vec![-DELTA; d], vec![1.0 + DELTA; d]));
        self.vcount = sys.k.iter().map(|&k| 1usize << (k - 1)).collect();
        self.vstride = (0..na)
            .map(|a| {
                let mut st = vec![0; na];
                let mut acc = 1;
                for b in (0..na).rev().filter(|&b| b != a) {
                    st[b] = acc;
                    acc *= self.vcount[b];
                }
                st
            })
            .collect();
        self.total_vertices = self.vcount.iter().product();
        let zeroed = |v: &mut Vec<f64>, len: usize| {
            v.clear();
            v.resize(len, 0.0);
        };
        self.vals = vec![Vec::new(); na];
        self.vsets = vec![Vec::new(); na];
        self.scratch = ContractScratch::new(na);
        self.combo = vec![0; na];
        self.hmin.clear();
        zeroed(&mut self.fv, self.total_vertices * d);
        zeroed(&mut self.gv, self.total_vertices * d);
        for v in [
            &mut self.gtol,
            &mut self.nlo,
            &mut self.nhi,
            &mut self.fmin,
            &mut self.fmax,
            &mut self.fc,
        ] {
            zeroed(v, d);
        }
        for v in [&mut self.jlo, &mut self.jhi, &mut self.jc] {
            zeroed(v, d * d);
        }
        self.first = vec![true; d * d];
    }
}

/// Whether `[l, h]` is empty (or not an interval at all: NaN).
fn is_empty_interval(l: f64, h: f64) -> bool {
    !matches!(
        l.partial_cmp(&h),
        Some(core::cmp::Ordering::Less | core::cmp::Ordering::Equal)
    )
}

/// Boxes wider than this skip the preconditioned contraction and the
/// Krawczyk test (which need a box on which the system is nearly linear)
/// and are bisected after the exclusion tests.
const COARSE: f64 = 0.5;

/// Largest side of the box `[lo, hi]`.
fn max_width(lo: &[f64], hi: &[f64]) -> f64 {
    lo.iter().zip(hi).fold(0.0f64, |m, (l, h)| m.max(h - l))
}

/// Outcome of one Krawczyk test.
enum Verdict {
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
fn krawczyk(
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
