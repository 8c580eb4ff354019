//! Vertex enumeration of the best-response polytopes.

use std::collections::{HashMap, HashSet};

use num_bigint::BigInt;

use super::int::{Int, Mat, Overflow};
use super::polytope::{BasisKey, Tableau};
use super::{Bimatrix, TwoPlayerSolution, bimatrix, make_equilibrium, sort_equilibria};
use crate::budget::Budget;
use crate::equilibrium::SolveError;
use crate::game::NormalFormGame;
use crate::rational::Q;

/// All extreme Nash equilibria of a two-player game by enumerating the
/// vertices of both best-response polytopes, exact over the rationals.
///
/// # Algorithm
///
/// Payoffs are shifted to be positive and the polytopes
/// `P = {x ≥ 0 : Bᵀx ≤ 1}` and `Q = {y ≥ 0 : Ay ≤ 1}` are built (Mangasarian
/// 1964; von Stengel 2002, *Handbook of Game Theory* vol. 3 ch. 45; von
/// Stengel 2007, *Algorithmic Game Theory* ch. 3, §3.3). The vertices of each
/// polytope are enumerated by a depth-first search over its lexicographically
/// feasible bases with fraction-free integer pivoting: these bases are exactly
/// the vertices of the lexicographically perturbed (hence simple) polytope,
/// whose graph is connected, and every vertex of the original polytope is
/// represented by at least one of them. Each vertex is labelled with the
/// constraints tight at it (computed from the point, so degenerate vertices
/// get all their labels), and the equilibria are the completely labelled
/// pairs `(x, y) ≠ (0, 0)`, normalized to probabilities — the pairing step of
/// Avis, Rosenberg, Savani & von Stengel (2010), "Enumeration of Nash
/// equilibria for two-player games", *Economic Theory* 42. In degenerate
/// games the partners of `x` are found by intersecting, over the labels `x`
/// lacks, bitsets of the vertices of `Q` that have them.
///
/// # Guarantees
///
/// - Exact; every returned profile is a Nash equilibrium.
/// - For **every** game (degenerate or not) the list is the set of all
///   extreme equilibria, i.e. pairs of vertices of `P` and `Q`; every
///   equilibrium is a convex combination of extreme equilibria within a
///   maximal Nash subset (Winkels 1979; Avis et al. 2010). For a
///   nondegenerate game this is the set of all equilibria.
/// - `degenerate` is `true` iff the game is degenerate, i.e. iff some vertex
///   of `P` or `Q` has more labels than its dimension (von Stengel 2007,
///   §3.3); the test is exact.
///
/// The cost is proportional to the number of lexicographic bases visited
/// (about the number of vertices of `P` and `Q`); random 11×11 games take
/// well under a second.
///
/// # Errors
///
/// [`SolveError::Unsupported`] if the game does not have two players.
///
/// ```
/// use brink_solve::{NormalFormGame, rational::{q, qi}, twoplayer::vertex_enumeration};
///
/// // Matching pennies: the unique equilibrium is (1/2, 1/2) for both.
/// let p = |v: &[i64]| v.iter().map(|&x| qi(x)).collect::<Vec<_>>();
/// let g = NormalFormGame::new(vec![2, 2], p(&[1, -1, -1, 1, -1, 1, 1, -1])).unwrap();
/// let sol = vertex_enumeration(&g).unwrap();
/// assert_eq!(sol.equilibria.len(), 1);
/// assert_eq!(sol.equilibria[0].strategies, vec![vec![q(1, 2); 2], vec![q(1, 2); 2]]);
/// assert_eq!(sol.equilibria[0].payoffs, vec![qi(0), qi(0)]);
/// ```
pub fn vertex_enumeration(game: &NormalFormGame<Q>) -> Result<TwoPlayerSolution<Q>, SolveError> {
    vertex_enumeration_within(game, &Budget::default())
}

/// [`vertex_enumeration`] within a memory and time [`Budget`]: the search
/// counts the bytes of its tableaux, visited bases and vertices and checks
/// the limits at every basis.
///
/// # Errors
///
/// As [`vertex_enumeration`], and [`SolveError::MemoryLimit`] or
/// [`SolveError::TimeLimit`] when the budget runs out.
pub fn vertex_enumeration_within(
    game: &NormalFormGame<Q>,
    budget: &Budget,
) -> Result<TwoPlayerSolution<Q>, SolveError> {
    let bm = bimatrix(game)?;
    let (m, n) = (bm.m, bm.n);
    let (xs, deg_p) = vertices(&bm, 0, budget, 0)?;
    let held = xs.iter().map(Vertex::bytes).sum();
    let (ys, deg_q) = vertices(&bm, 1, budget, held)?;
    let degenerate = deg_p || deg_q;
    let all = full_set(m + n);

    let mut pairs: Vec<(&Vertex, &Vertex)> = Vec::new();
    if degenerate {
        // A partner y of x must have every label that x lacks. Index the
        // vertices of Q by label (one bitset over vertices per label) and
        // intersect the bitsets of x's missing labels.
        let words = ys.len().div_ceil(64);
        let mut having: Vec<Vec<u64>> = vec![vec![0; words]; m + n];
        for (idx, y) in ys.iter().enumerate() {
            for (label, set) in having.iter_mut().enumerate() {
                if y.labels[label / 64] & (1 << (label % 64)) != 0 {
                    set[idx / 64] |= 1 << (idx % 64);
                }
            }
        }
        let mut candidates = vec![0u64; words];
        for x in &xs {
            candidates.iter_mut().for_each(|c| *c = !0);
            for (label, set) in having.iter().enumerate() {
                if x.labels[label / 64] & (1 << (label % 64)) == 0 {
                    for (c, h) in candidates.iter_mut().zip(set) {
                        *c &= h;
                    }
                }
            }
            for (wi, &word) in candidates.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let idx = wi * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if idx < ys.len() {
                        pairs.push((x, &ys[idx]));
                    }
                }
            }
        }
    } else {
        // Nondegenerate: each vertex has exactly the dimension's number of
        // labels, so the partner's label set is the exact complement.
        let by_labels: HashMap<&BasisKey, &Vertex> = ys.iter().map(|y| (&y.labels, y)).collect();
        for x in &xs {
            let complement: BasisKey = x.labels.iter().zip(&all).map(|(a, f)| !a & f).collect();
            if let Some(y) = by_labels.get(&complement) {
                pairs.push((x, y));
            }
        }
    }
    let mut equilibria: Vec<_> = pairs
        .into_iter()
        .map(|(x, y)| make_equilibrium(game, &x.point, &y.point))
        .collect();
    sort_equilibria(&mut equilibria);
    Ok(TwoPlayerSolution {
        equilibria,
        degenerate,
    })
}

/// A bitset with the first `len` bits set.
fn full_set(len: usize) -> BasisKey {
    let mut k = vec![0u64; len.div_ceil(64)];
    for v in 0..len {
        k[v / 64] |= 1 << (v % 64);
    }
    k
}

/// A nonzero vertex of `P` or `Q`.
pub(crate) struct Vertex {
    /// All labels (tight constraints) of the vertex.
    pub labels: BasisKey,
    /// The structural coordinates, scaled by a positive common factor.
    pub point: Vec<BigInt>,
}

impl Vertex {
    /// Bytes held by the vertex (estimated).
    fn bytes(&self) -> u64 {
        (48 + 8 * self.labels.len() + 40 * self.point.len()) as u64
    }
}

/// Why the search over bases stopped early.
enum Stop {
    Overflow,
    Budget(SolveError),
}

impl From<Overflow> for Stop {
    fn from(_: Overflow) -> Self {
        Stop::Overflow
    }
}

/// Nonzero vertices of `P` (`player = 0`) or `Q` (`player = 1`), and whether
/// one of them is degenerate. `i128` first, `BigInt` on overflow. `held`
/// bytes are already in use when the search starts.
fn vertices(
    bm: &Bimatrix,
    player: usize,
    budget: &Budget,
    held: u64,
) -> Result<(Vec<Vertex>, bool), SolveError> {
    if let (Some(a), Some(b)) = (Mat::<i128>::convert(&bm.a), Mat::<i128>::convert(&bm.b)) {
        match vertices_with(&a, &b, player, budget, held) {
            Ok(r) => return Ok(r),
            Err(Stop::Budget(e)) => return Err(e),
            Err(Stop::Overflow) => {}
        }
    }
    match vertices_with(&bm.a, &bm.b, player, budget, held) {
        Ok(r) => Ok(r),
        Err(Stop::Budget(e)) => Err(e),
        Err(Stop::Overflow) => unreachable!("BigInt never overflows"),
    }
}

fn vertices_with<I: Int>(
    a: &Mat<I>,
    b: &Mat<I>,
    player: usize,
    budget: &Budget,
    held: u64,
) -> Result<(Vec<Vertex>, bool), Stop> {
    let (m, n) = (a.rows, a.cols);
    let structural = if player == 0 { 0..m } else { m..m + n };
    let start = Tableau::best_response_polytope(a, b, player);
    let mut visited: HashSet<BasisKey> = HashSet::new();
    let mut seen_labels: HashSet<BasisKey> = HashSet::new();
    let mut out = Vec::new();
    let mut degenerate = false;
    visited.insert(start.key());
    let tab_bytes = start.bytes();
    let key_bytes = (48 + 8 * start.key().len()) as u64;
    let mut out_bytes = 0u64;
    let mut stack = vec![start];
    while let Some(tab) = stack.pop() {
        // Each step pushes at most `vars` tableaux: check at every step.
        {
            let bytes = held
                + out_bytes
                + key_bytes * (visited.len() + seen_labels.len()) as u64
                + tab_bytes * stack.len() as u64;
            budget
                .check(bytes, || {
                    format!(
                        "visiting {} bases and finding {} vertices of {}'s best-response \
                         polytope",
                        visited.len(),
                        out.len(),
                        if player == 0 {
                            "the row player"
                        } else {
                            "the column player"
                        }
                    )
                })
                .map_err(Stop::Budget)?;
        }
        let (labels, deg) = tab.labels();
        degenerate |= deg;
        let is_origin = structural.clone().all(|v| tab.scaled_value(v).is_zero());
        if !is_origin && seen_labels.insert(labels.clone()) {
            let v = Vertex {
                labels,
                point: structural
                    .clone()
                    .map(|v| tab.scaled_value(v).to_big())
                    .collect(),
            };
            out_bytes += v.bytes();
            out.push(v);
        }
        for c in 0..tab.vars {
            if tab.is_basic(c) {
                continue;
            }
            let Some(r) = tab.lex_min_ratio(c) else {
                continue; // Cannot happen: the polytopes are bounded.
            };
            let mut key = tab.key();
            let leaving = tab.basis[r];
            key[leaving / 64] &= !(1 << (leaving % 64));
            key[c / 64] |= 1 << (c % 64);
            if visited.insert(key) {
                let mut next = tab.clone();
                next.pivot(r, c)?;
                stack.push(next);
            }
        }
    }
    Ok((out, degenerate))
}
