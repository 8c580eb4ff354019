//! The branch-and-bound root search of one support system: exclusion by
//! exact multilinear ranges, by an outside strategy and by a separating
//! hyperplane; contraction with the preconditioned system; the Krawczyk
//! test; bisection.

use super::EnumOptions;
use super::separation::{PointSet, SeparationScratch, separated};
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

    /// Whether the box `[·, hi]` reaches beyond `Σ z_a ≤ 1 + DELTA` for
    /// some block (so that clipping its corners changes them).
    fn crosses_simplex(&self, hi: &[f64]) -> bool {
        (0..self.active.len()).any(|a| {
            let r = self.off[a]..self.off[a] + self.k[a] - 1;
            hi[r].iter().sum::<f64>() > 1.0 + DELTA
        })
    }

    /// Support vectors at the vertices of the polytope
    /// `{z_a ∈ box : Σ z_a ≤ cap}` of active player `a`, `cap` a hair above
    /// `1 + DELTA`: the box's corners inside the half-space and the points
    /// where the hyperplane `Σ z_a = cap` crosses the box's edges. A
    /// multilinear function is affine in `z_a`, so its values over the
    /// polytope lie in the convex hull of its values there. Corners are
    /// classified by one computed sum each and a crossing is taken only on
    /// an edge from an inside to an outside corner (clamped to the edge), so
    /// rounding cannot lose a vertex; the hair (1e-9) keeps the polytope a
    /// superset of the exact one. (After `tighten` the lowest corner is
    /// inside, so the set is not empty.)
    fn clipped_vertex_set(&self, a: usize, lo: &[f64], hi: &[f64], out: &mut Vec<f64>) {
        let m = self.k[a] - 1;
        let o = self.off[a];
        let cap = 1.0 + DELTA + 1e-9;
        out.clear();
        let corner = |mask: usize, i: usize| {
            if mask >> i & 1 == 1 {
                hi[o + i]
            } else {
                lo[o + i]
            }
        };
        let push = |out: &mut Vec<f64>, z: &mut dyn Iterator<Item = f64>| {
            let start = out.len();
            out.push(1.0);
            for zi in z {
                out[start] -= zi;
                out.push(zi);
            }
        };
        let sum = |mask: usize| -> f64 { (0..m).map(|i| corner(mask, i)).sum() };
        for mask in 0..(1usize << m) {
            let s = sum(mask);
            if s > cap {
                continue;
            }
            push(out, &mut (0..m).map(|i| corner(mask, i)));
            // Crossings on the edges from this (inside) corner upwards in
            // `i` to an outside corner.
            for i in (0..m).filter(|i| mask >> i & 1 == 0) {
                if sum(mask | 1 << i) > cap {
                    let t = (cap - (s - lo[o + i])).clamp(lo[o + i], hi[o + i]);
                    push(
                        out,
                        &mut (0..m).map(|j| if j == i { t } else { corner(mask, j) }),
                    );
                }
            }
        }
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
            if !self.tighten(&mut lo, &mut hi) {
                continue;
            }
            let clip = options.clip_to_simplex && self.crosses_simplex(&hi);
            if self.excluded_by_ranges(ws, &lo, &hi, tol, clip)
                || self.excluded_by_outside_strategy(ws, tol)
            {
                continue;
            }
            let mid = Midpoint::of(&lo, &hi);
            // The image of the box under the (multilinear) system lies in the
            // convex hull of its values at the vertices; if the origin is
            // outside it, there is no root in the box.
            let table = VertexValues {
                sys: self,
                vals: &ws.vals,
                vcount: &ws.vcount,
                fstride: &ws.fstride,
                total: ws.total_vertices,
                weights: core::cell::RefCell::new(core::mem::take(&mut ws.weights)),
            };
            let sep = separated(&table, tol, &mut ws.sep);
            ws.weights = table.weights.into_inner();
            if sep {
                continue;
            }
            self.eval(&mid.c, &mut ws.fc);
            self.jacobian(&mid.c, &mut ws.jc);
            let lu = if mid.width > COARSE {
                None
            } else {
                Lu::new(&ws.jc, d, 1e-13)
            };
            if lu.is_some() && clip {
                // The contraction reads the values at the box's corners.
                self.excluded_by_ranges(ws, &lo, &hi, tol, false);
            }
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
    ///
    /// With `clip`, each block's vertex set is that of the polytope
    /// `box ∩ {Σ z_a ≤ 1 + DELTA}` (see `clipped_vertex_set`), whose
    /// vertex values bound the system over the part of the box that holds
    /// probability vectors; otherwise it is the box's corners (the layout
    /// `hull_contract` and `precondition` need).
    fn excluded_by_ranges(
        &self,
        ws: &mut SearchWorkspace,
        lo: &[f64],
        hi: &[f64],
        tol: f64,
        clip: bool,
    ) -> bool {
        for (a, set) in ws.vsets.iter_mut().enumerate() {
            if clip {
                self.clipped_vertex_set(a, lo, hi, set);
            } else {
                self.vertex_set(a, lo, hi, set);
            }
            ws.vcount[a] = set.len() / self.k[a];
        }
        ws.layout();
        if ws.total_vertices == 0 {
            // Rounding left no point of the box in the half-space.
            return true;
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
        // g(v) = Σ_a Y_a f_a(v_-a), where Y_a are the columns of block a and
        // f_a depends on the other blocks' corners only: form each Y_a f_a
        // once per combination of the others, then add them up per vertex.
        ws.gv.fill(0.0);
        for (a, va) in ws.vals.iter().enumerate() {
            let (m, o) = (self.k[a] - 1, self.off[a]);
            ws.weights.clear();
            for fa in va.chunks_exact(m) {
                for i in 0..d {
                    let row = &y[i * d + o..i * d + o + m];
                    ws.weights
                        .push(row.iter().zip(fa).map(|(u, v)| u * v).sum());
                }
            }
            let (fs, vc) = (ws.fstride[a], ws.vcount[a]);
            for (outer, pa) in ws.weights.chunks_exact(fs * d).enumerate() {
                for digit in 0..vc {
                    let at = (outer * vc + digit) * fs * d;
                    for (g, p) in ws.gv[at..at + fs * d].iter_mut().zip(pa) {
                        *g += p;
                    }
                }
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

/// The values of all equations at every vertex of a box, as a [`PointSet`]
/// (vertices in mixed radix, first block slowest): block `a`'s equations
/// depend only on the other blocks' corners, so `x · f(v)` is a sum of one
/// term per block, each computed once per combination of the other blocks.
struct VertexValues<'a> {
    sys: &'a SupportSystem,
    /// Each block's equation values at the combinations of the others.
    vals: &'a [Vec<f64>],
    vcount: &'a [usize],
    fstride: &'a [usize],
    total: usize,
    /// Per-combination weights (scratch).
    weights: core::cell::RefCell<Vec<f64>>,
}

impl VertexValues<'_> {
    /// `out[v] = Σ_a w_a(combination of v without block a)`, where `w_a` is
    /// `weight(a, values of block a at that combination)`.
    fn sum_over_blocks(&self, out: &mut Vec<f64>, weight: impl Fn(usize, &[f64]) -> f64) {
        out.clear();
        out.resize(self.total, 0.0);
        let mut w = self.weights.borrow_mut();
        for (a, va) in self.vals.iter().enumerate() {
            let m = self.sys.k[a] - 1;
            w.clear();
            w.extend(va.chunks_exact(m).map(|fa| weight(a, fa)));
            let (fs, vc) = (self.fstride[a], self.vcount[a]);
            if fs == 1 {
                // The last block: its corners are consecutive vertices.
                for (chunk, &x) in out.chunks_exact_mut(vc).zip(w.iter()) {
                    for o in chunk {
                        *o += x;
                    }
                }
                continue;
            }
            for (chunk, wa) in out.chunks_exact_mut(fs * vc).zip(w.chunks_exact(fs)) {
                for part in chunk.chunks_exact_mut(fs) {
                    for (o, x) in part.iter_mut().zip(wa) {
                        *o += x;
                    }
                }
            }
        }
    }
}

impl PointSet for VertexValues<'_> {
    fn dim(&self) -> usize {
        self.sys.d
    }
    fn len(&self) -> usize {
        self.total
    }
    fn point(&self, i: usize, out: &mut [f64]) {
        for (a, va) in self.vals.iter().enumerate() {
            let (m, o) = (self.sys.k[a] - 1, self.sys.off[a]);
            let (fs, vc) = (self.fstride[a], self.vcount[a]);
            let idx = i / (fs * vc) * fs + i % fs;
            out[o..o + m].copy_from_slice(&va[idx * m..(idx + 1) * m]);
        }
    }
    fn dots(&self, x: &[f64], out: &mut Vec<f64>) {
        self.sum_over_blocks(out, |a, fa| {
            let o = self.sys.off[a];
            fa.iter().zip(&x[o..o + fa.len()]).map(|(u, v)| u * v).sum()
        });
    }
    fn norms(&self, out: &mut Vec<f64>) {
        self.sum_over_blocks(out, |_, fa| fa.iter().map(|u| u * u).sum());
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
    /// Vertices of the whole box.
    total_vertices: usize,
    /// Each active player's equation values at the vertex combinations.
    vals: Vec<Vec<f64>>,
    /// Each active player's support vectors at its box's vertices.
    vsets: Vec<Vec<f64>>,
    /// For each block, the place value of its corner digit in the vertex
    /// number (the product of the later blocks' vertex counts).
    fstride: Vec<usize>,
    /// Per-combination weights (of `VertexValues::dots` and `precondition`).
    weights: Vec<f64>,
    /// Buffers of the separation test.
    sep: SeparationScratch,
    /// The preconditioned system at every vertex (`total_vertices × d`).
    gv: Vec<f64>,
    /// Tolerance of each preconditioned equation.
    gtol: Vec<f64>,
    /// Smallest value of each outside strategy's advantage.
    hmin: Vec<f64>,
    /// Contraction buffers of the inequality test.
    scratch: ContractScratch,
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
    /// The vertex numbering for the current `vcount`: `fstride` and
    /// `total_vertices`.
    fn layout(&mut self) {
        let na = self.vcount.len();
        self.fstride.clear();
        self.fstride.resize(na, 1);
        for a in (0..na.saturating_sub(1)).rev() {
            self.fstride[a] = self.fstride[a + 1] * self.vcount[a + 1];
        }
        self.total_vertices = self.vcount.iter().product();
    }

    /// Sizes the buffers for `sys` and puts its initial box on the stack.
    fn reset(&mut self, sys: &SupportSystem) {
        let (d, na) = (sys.d, sys.active.len());
        self.stack.clear();
        self.stack.push((vec![-DELTA; d], vec![1.0 + DELTA; d]));
        self.vcount = sys.k.iter().map(|&k| 1usize << (k - 1)).collect();
        self.layout();
        let box_vertices = self.total_vertices;
        let zeroed = |v: &mut Vec<f64>, len: usize| {
            v.clear();
            v.resize(len, 0.0);
        };
        self.vals = vec![Vec::new(); na];
        self.vsets = vec![Vec::new(); na];
        self.scratch = ContractScratch::new(na);
        self.hmin.clear();
        zeroed(&mut self.gv, box_vertices * d);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-player system whose first block has two variables (supports of
    /// three strategies each).
    fn system() -> SupportSystem {
        let game = crate::NormalFormGame::from_fn(vec![3, 3], |s, p| (s[0] * 3 + s[1] + p) as f64)
            .unwrap();
        SupportSystem::new(&game, &[&[0, 1, 2], &[0, 1, 2]], None)
    }

    fn vertices(sys: &SupportSystem, lo: &[f64], hi: &[f64]) -> Vec<Vec<f64>> {
        let mut out = Vec::new();
        sys.clipped_vertex_set(0, lo, hi, &mut out);
        out.chunks_exact(3).map(|v| v[1..].to_vec()).collect()
    }

    // The box from a random 4×4×4×4 game where a first version lost the
    // corner (lo_0, hi_1), lying on the hyperplane Σ z = 1 + DELTA up to
    // rounding, and with it two equilibria.
    #[test]
    fn clipping_keeps_a_corner_on_the_hyperplane() {
        let sys = system();
        let lo = [0.375_000_499_999_999_96, 0.499_999_999_999_999_94, 0.0, 0.0];
        let hi = [0.500_000_999_999_999_9, 0.625_000_500_000_000_1, 1.0, 1.0];
        let v = vertices(&sys, &lo, &hi);
        for corner in [[lo[0], lo[1]], [hi[0], lo[1]], [lo[0], hi[1]]] {
            assert!(
                v.iter()
                    .any(|x| (x[0] - corner[0]).abs() < 1e-12 && (x[1] - corner[1]).abs() < 1e-12),
                "corner {corner:?} missing from {v:?}"
            );
        }
    }

    // On boxes across the hyperplane: every vertex lies in the box, none is
    // far beyond the half-space, and every corner inside it is a vertex; the
    // corner beyond it is replaced by the two edge crossings.
    #[test]
    fn clipped_vertices_are_the_polytope_vertices() {
        let sys = system();
        let cap = 1.0 + DELTA;
        for (lo, hi) in [
            ([0.0, 0.0], [1.0, 1.0]),
            ([0.25, 0.5], [0.75, 0.75]),
            ([-DELTA, -DELTA], [0.5, 0.5]),
            ([0.1, 0.2], [0.6, 0.9]),
        ] {
            let (lo4, hi4) = ([lo[0], lo[1], 0.0, 0.0], [hi[0], hi[1], 1.0, 1.0]);
            let v = vertices(&sys, &lo4, &hi4);
            for x in &v {
                assert!((0..2).all(|i| lo[i] <= x[i] && x[i] <= hi[i]), "{x:?}");
                assert!(x[0] + x[1] <= cap + 1e-8, "{x:?}");
            }
            let corners = [
                [lo[0], lo[1]],
                [hi[0], lo[1]],
                [lo[0], hi[1]],
                [hi[0], hi[1]],
            ];
            let inside = corners.iter().filter(|c| c[0] + c[1] <= cap).count();
            for c in corners.iter().filter(|c| c[0] + c[1] <= cap) {
                assert!(v.iter().any(|x| x == c), "{c:?} missing from {v:?}");
            }
            // A square cut by a line through two of its edges: one outside
            // corner becomes two crossings.
            let expected = if inside == 4 { 4 } else { inside + 2 };
            assert_eq!(v.len(), expected, "{lo:?} {hi:?}: {v:?}");
        }
    }

    // The structured vertex table (each block's values at the combinations
    // of the others) gives, for every vertex of a box, the system's values
    // there, and its dot products and norms agree with them.
    #[test]
    fn vertex_table_matches_pointwise_evaluation() {
        let game = crate::NormalFormGame::from_fn(vec![2, 3, 3, 2], |s, p| {
            ((s[0] * 7 + s[1] * 5 + s[2] * 3 + s[3] * 11 + p * 13) % 17) as f64 - 8.0
        })
        .unwrap();
        let sys = SupportSystem::new(&game, &[&[0, 1], &[0, 1, 2], &[0, 2], &[0, 1]], None);
        let d = sys.d;
        let mut ws = SearchWorkspace::default();
        ws.reset(&sys);
        let lo = vec![0.1; d];
        let hi = vec![0.4; d];
        sys.excluded_by_ranges(&mut ws, &lo, &hi, 0.0, false);
        let table = VertexValues {
            sys: &sys,
            vals: &ws.vals,
            vcount: &ws.vcount,
            fstride: &ws.fstride,
            total: ws.total_vertices,
            weights: core::cell::RefCell::new(Vec::new()),
        };
        assert_eq!(table.len(), 1 << d);
        let x: Vec<f64> = (0..d).map(|i| i as f64 - 1.5).collect();
        let (mut dots, mut norms) = (Vec::new(), Vec::new());
        table.dots(&x, &mut dots);
        table.norms(&mut norms);
        let (mut p, mut f) = (vec![0.0; d], vec![0.0; d]);
        for i in 0..table.len() {
            // Vertex i: block digits in mixed radix, first block slowest;
            // bit j of a block's digit puts its coordinate j at the top.
            let mut z = vec![0.0; d];
            let mut rest = i;
            for a in (0..sys.active.len()).rev() {
                let digit = rest % ws.vcount[a];
                rest /= ws.vcount[a];
                for j in 0..sys.k[a] - 1 {
                    let c = sys.off[a] + j;
                    z[c] = if digit >> j & 1 == 1 { hi[c] } else { lo[c] };
                }
            }
            sys.eval(&z, &mut f);
            table.point(i, &mut p);
            for (u, v) in p.iter().zip(&f) {
                assert!((u - v).abs() < 1e-12, "vertex {i}: {p:?} vs {f:?}");
            }
            let dot: f64 = f.iter().zip(&x).map(|(u, v)| u * v).sum();
            let norm: f64 = f.iter().map(|u| u * u).sum();
            assert!((dots[i] - dot).abs() < 1e-9 && (norms[i] - norm).abs() < 1e-9);
        }
    }
}
