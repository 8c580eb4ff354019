//! The support system of one support profile: its equations, their values
//! and Jacobian at a point or over the vertices of a box, Newton's method.
//! The branch-and-bound root search over boxes is in `search.rs`.

use super::*;
use crate::linalg::Lu;

/// The indifference system of one support profile (see the module docs).
pub(super) struct SupportSystem {
    /// Support of every player (original strategy numbers).
    supports: Vec<Vec<usize>>,
    /// Players with at least two support strategies ("active"), ascending.
    pub(super) active: Vec<usize>,
    /// Support size of each active player.
    pub(super) k: Vec<usize>,
    /// Offset of each active player's variables (and equations).
    pub(super) off: Vec<usize>,
    /// Number of variables = number of equations.
    pub(super) d: usize,
    /// Equations of each active player.
    blocks: Vec<EqBlock>,
    /// Equilibrium inequalities: for each player with surviving strategies
    /// outside its support, `u_p(t, σ_-p) − u_p(S_p[0], σ_-p) ≤ 0` for those
    /// `t` (one block per player, over the active players other than `p`).
    pub(super) ineqs: Vec<EqBlock>,
    /// Largest absolute coefficient (for tolerances).
    pub(super) scale: f64,
    /// Derivative directions of each active player (see `directions`).
    dirs: Vec<Vec<f64>>,
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

/// The buffers of [`contract`] for systems of up to `players` active players.
#[derive(Default)]
pub(super) struct ContractScratch {
    bufs: Vec<Vec<f64>>,
    combo: Vec<usize>,
}

impl ContractScratch {
    pub(super) fn new(players: usize) -> Self {
        Self {
            bufs: vec![Vec::new(); players],
            combo: vec![0; players],
        }
    }
}

impl EqBlock {
    /// [`contract`] of the block's coefficients with `sets[i]`, the vectors
    /// of its `i`-th other player.
    pub(super) fn contract<F: FnMut(&[usize], &[f64])>(
        &self,
        sets: &[&[f64]],
        scratch: &mut ContractScratch,
        visit: &mut F,
    ) {
        let ContractScratch { bufs, combo } = scratch;
        contract(&self.coef, &self.dims, sets, bufs, combo, 0, visit);
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
    fn block_point(&self, a: usize, z: &[f64], out: &mut Vec<f64>) {
        let za = &z[self.off[a]..self.off[a] + self.k[a] - 1];
        out.push(1.0 - za.iter().sum::<f64>());
        out.extend_from_slice(za);
    }

    /// Point vectors of every active player at `z`.
    fn point_sets(&self, z: &[f64]) -> Vec<Vec<f64>> {
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
    fn directions(kb: usize) -> Vec<f64> {
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
        let mut scratch = ContractScratch::new(self.active.len());
        for (a, blk) in self.blocks.iter().enumerate() {
            let s: Vec<&[f64]> = blk.others.iter().map(|&b| sets[b].as_slice()).collect();
            blk.contract(&s, &mut scratch, &mut |c, v| visit(a, c, v));
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
        let mut scratch = ContractScratch::new(self.active.len());
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
                blk.contract(&s, &mut scratch, &mut |c, v| {
                    for (j, &x) in v.iter().enumerate() {
                        visit(ra + j, cb + c[pos], x);
                    }
                });
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
}
