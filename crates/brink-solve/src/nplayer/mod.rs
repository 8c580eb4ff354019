//! All Nash equilibria of small n-player games by support enumeration.
//!
//! # Algorithm
//!
//! A mixed profile `σ` is a Nash equilibrium iff, writing `S_p` for the
//! support of player `p`, every strategy in `S_p` earns the same payoff against
//! `σ_-p` and no strategy outside `S_p` earns more. For a fixed *support
//! profile* `S = (S_1, …, S_n)` the equalities form a square polynomial system
//! (McKelvey & McLennan 1996, "Computation of equilibria in finite games",
//! §6; the method of Gambit's `gambit-enumpoly`): with the free variables
//! `z_p = (σ_p(s))_{s ∈ S_p \ {s_p^0}}` and `σ_p(s_p^0) = 1 − Σ z_p`,
//!
//! ```text
//! f_{p,s}(z) = u_p(s, σ_-p) − u_p(s_p^0, σ_-p) = 0      for s ∈ S_p \ {s_p^0},
//! ```
//!
//! `d = Σ_p (|S_p| − 1)` equations in `d` unknowns. Each `f_{p,s}` is
//! *multilinear*: every monomial contains at most one variable of each other
//! player and none of `p`'s own.
//!
//! For every support profile (over the strategies that survive iterated
//! elimination of strictly dominated pure strategies):
//!
//! 1. **Pruning.** Pure supports (`d = 0`) are skipped (pure equilibria come
//!    from [`pure_nash_equilibria`](crate::pure_nash_equilibria)). Supports
//!    whose system is *structurally singular* — some player `p` has more
//!    equations than the other players have variables,
//!    `|S_p| − 1 > d − (|S_p| − 1)` (Hall's condition on the block sparsity of
//!    the Jacobian) — are skipped: in a generic game they have no solutions
//!    (for two players this is the familiar "supports of equal size").
//!    Supports in which some `s ∈ S_p` is strictly dominated by a pure
//!    strategy of `p` against every pure profile of `S_-p` are skipped
//!    (conditional dominance, Porter, Nudelman & Shoham 2008). A system with
//!    an identically vanishing equation (a tie in the payoffs) is skipped and
//!    counted as singular.
//! 2. **Two mixing players** (all others pure): the system is linear and is
//!    solved directly by Gaussian elimination (this is classic bimatrix support
//!    enumeration); a singular matrix is counted in
//!    [`EnumStats::singular_supports`].
//! 3. **Three or more mixing players**: branch and bound on boxes, starting
//!    from `[0, 1]^d` and always clipped to the simplex constraints
//!    (`Σ z_p ≤ 1`, up to a margin of 1e-6). The key fact is
//!    multilinearity: over a box, each equation, each partial derivative,
//!    each linear combination of equations, and each equilibrium inequality
//!    `u_p(t, σ_-p) ≤ u_p(s_p^0, σ_-p)` (`t ∉ S_p`) is a convex combination
//!    of its values at the box's vertices, with product weights. The same
//!    holds over any product of polytopes, one per player, with their
//!    vertices: where a player's part of the box reaches beyond its simplex
//!    (`Σ z_p > 1`), the exclusion tests below use the vertices of
//!    `box ∩ {Σ z_p ≤ 1 + 1e-6}` (the corners inside and the crossings of
//!    the edges with the hyperplane) instead of the corners, which bounds
//!    the system over the probability vectors only
//!    ([`EnumOptions::clip_to_simplex`]). So, per box:
//!    - it is discarded if some equation's vertex values all have one sign,
//!      if some outside strategy beats the support at every vertex, or if the
//!      origin lies outside the convex hull of the vectors `f(v)` over the
//!      vertices `v` (Wolfe's 1976 minimum-norm-point algorithm finds a
//!      separating direction, which is then checked directly; a player's
//!      equations do not depend on its own corner, so the products with a
//!      direction are summed block by block without forming every vertex's
//!      vector);
//!    - if it is at most 0.5 wide, it is contracted with the preconditioned
//!      system `g = J(c)⁻¹ f` (`c` the centre): `g_i` is affine in `z_i`, and
//!      the exact hull of `{z_i : 0 ∈ g_i(box with z_i fixed)}` is read off
//!      the vertex values along the `z_i` edges;
//!    - if that does not shrink it much, the Krawczyk operator (Krawczyk 1969; Moore 1977), built
//!      from the exact interval Jacobian over a slightly inflated box (epsilon
//!      inflation, Rump 1983), either proves that the box holds exactly one
//!      root — computed by a contracting simplified Newton iteration and
//!      Newton's method — or that it holds none; if it does neither, the box
//!      is bisected (the coordinate with the largest width times Jacobian
//!      column norm).
//! 4. **Verification.** Every root is turned into a mixed profile (rejected if
//!    a probability is below −1e-9, small negatives clamped to 0 and the
//!    strategy renormalised) and kept only if
//!    [`max_regret`] ≤ [`EnumOptions::regret_tolerance`].
//!
//! The pure equilibria from [`pure_nash_equilibria`](crate::pure_nash_equilibria)
//! are always included exactly. Points within
//! [`EnumOptions::dedup_tolerance`] (max-norm) of an earlier one are dropped,
//! pure ones taking precedence.
//!
//! # Guarantees
//!
//! - **Soundness:** every reported profile is a verified ε-equilibrium with
//!   ε = `regret_tolerance` (absolute, in payoff units), and every pure
//!   equilibrium is reported.
//! - **Completeness:** if [`EnumStats::complete`] is true (no support hit the
//!   box budget or the minimum box width, and no support system was
//!   singular), then — up to floating-point rounding in the interval tests,
//!   which do not use directed rounding — every equilibrium whose support
//!   system is structurally nonsingular was found: every box was either
//!   proved root-free or proved to hold a single root, which was computed.
//!   In a game with generic payoffs that is every equilibrium. In degenerate
//!   games (ties, continua of equilibria) `complete` is typically false and
//!   equilibria outside the reported set may exist; use the exact two-player
//!   solvers where they apply.
//! - **Determinism:** no randomness; the output is sorted (by the players'
//!   probabilities quantised to 1e-9, lexicographically, larger probability
//!   on earlier strategies first, so pure profiles appear in the order of
//!   [`pure_nash_equilibria`](crate::pure_nash_equilibria)).
//!
//! # Cost
//!
//! The number of support profiles is `Π_p (2^{k_p} − 1)` and the boxes of a
//! support system have `2^d` vertices, so the cost grows quickly with the
//! size of the game. Indicative single-thread times for games with random
//! payoffs (release build, shared machine): 2×2×2 about 0.003 ms, 3×3×3
//! 2–10 ms, 2×2×2×2 under 1 ms, 4×4×4 about 0.1 s, 3×3×3×3 about 0.2 s,
//! 4×4×4×4 minutes (see `benches/peers/RESULTS.md`).

mod search;
mod separation;
mod system;

use crate::budget::Budget;
use crate::{Equilibrium, NormalFormGame, SolveError, expected_payoff, max_regret};
use search::SearchWorkspace;
use system::*;

/// Tuning and tolerances for [`enumerate_equilibria`].
#[derive(Clone, Debug, PartialEq)]
pub struct EnumOptions {
    /// A candidate is reported only if its [`max_regret`] is at most this
    /// (absolute, in payoff units). Default `1e-9`.
    pub regret_tolerance: f64,
    /// Two equilibria closer than this in max-norm over all probabilities are
    /// the same. Default `1e-7`.
    pub dedup_tolerance: f64,
    /// Remove strategies by iterated strict dominance (by pure strategies)
    /// before enumerating supports. Never loses an equilibrium. Default `true`.
    pub eliminate_dominated: bool,
    /// Budget of boxes examined per support system; when exceeded the support
    /// is abandoned and [`EnumStats::complete`] becomes false. Default
    /// `200_000`.
    pub max_boxes_per_support: usize,
    /// Boxes narrower than this in every coordinate are not split further:
    /// Newton's method is run from their centre and the support is marked
    /// unresolved. Default `1e-10`.
    pub min_box_width: f64,
    /// Refuse games with more support profiles than this (after dominance
    /// elimination) with [`SolveError::Unsupported`]. Default `2_000_000`.
    pub max_support_profiles: u64,
    /// In the exclusion tests of the box search, bound the system over the
    /// part of a box that holds probability vectors (the vertices of
    /// `box ∩ {Σ z_p ≤ 1}` per player) rather than over the whole box (its
    /// corners). Sound either way and the same equilibria; `true` examines
    /// fewer boxes. Default `true` (`false` is for comparison).
    pub clip_to_simplex: bool,
}

impl Default for EnumOptions {
    fn default() -> Self {
        Self {
            regret_tolerance: 1e-9,
            dedup_tolerance: 1e-7,
            eliminate_dominated: true,
            max_boxes_per_support: 200_000,
            min_box_width: 1e-10,
            max_support_profiles: 2_000_000,
            clip_to_simplex: true,
        }
    }
}

/// Counters describing one run of [`enumerate_equilibria_report`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnumStats {
    /// Support profiles enumerated (after dominance elimination).
    pub support_profiles: u64,
    /// Skipped because they are pure (handled by the pure solver).
    pub pure_supports: u64,
    /// Skipped as structurally singular (no solutions in generic games).
    pub structurally_singular: u64,
    /// Skipped because a support strategy is conditionally strictly dominated.
    pub conditionally_dominated: u64,
    /// Support systems actually solved.
    pub solved_supports: u64,
    /// Linear support systems (two mixing players) whose matrix was singular.
    pub singular_supports: u64,
    /// Nonlinear support systems abandoned (box budget or minimum width).
    pub unresolved_supports: u64,
    /// Boxes examined in total by the nonlinear search.
    pub boxes: u64,
    /// Candidate roots that failed verification (negative probability or
    /// regret above tolerance).
    pub rejected_candidates: u64,
    /// True when no support was singular or unresolved; see the
    /// [module docs](self#guarantees) for what this guarantees.
    pub complete: bool,
}

/// Equilibria together with the search statistics.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumReport {
    /// The verified equilibria, sorted as described in the
    /// [module docs](self#guarantees).
    pub equilibria: Vec<Equilibrium<f64>>,
    /// What the search did, including whether it is known to be complete.
    pub stats: EnumStats,
}

/// All Nash equilibria of a small n-player game, by support enumeration over
/// the multilinear indifference systems (see the [module docs](self) for the
/// algorithm, its sources and its guarantees).
///
/// Every returned equilibrium has [`max_regret`] ≤
/// `options.regret_tolerance`; every pure equilibrium is returned; for games
/// with generic payoffs all equilibria are returned (check
/// [`enumerate_equilibria_report`]'s [`EnumStats::complete`] when it matters).
///
/// ```
/// use brink_solve::NormalFormGame;
/// use brink_solve::nplayer::{EnumOptions, enumerate_equilibria};
///
/// // Battle of the sexes: two pure equilibria and one mixed (2/3, 1/3).
/// let g = NormalFormGame::new(vec![2, 2], vec![2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0]).unwrap();
/// let eqs = enumerate_equilibria(&g, &EnumOptions::default()).unwrap();
/// assert_eq!(eqs.len(), 3);
/// assert!((eqs[1].strategies[0][0] - 2.0 / 3.0).abs() < 1e-12);
/// ```
///
/// # Errors
///
/// [`SolveError::InvalidArgument`] for non-finite payoffs or options;
/// [`SolveError::Unsupported`] when the number of support profiles exceeds
/// [`EnumOptions::max_support_profiles`].
pub fn enumerate_equilibria(
    game: &NormalFormGame<f64>,
    options: &EnumOptions,
) -> Result<Vec<Equilibrium<f64>>, SolveError> {
    enumerate_equilibria_report(game, options).map(|r| r.equilibria)
}

/// Like [`enumerate_equilibria`], but also returns [`EnumStats`], including
/// the [`complete`](EnumStats::complete) flag.
///
/// # Errors
///
/// As [`enumerate_equilibria`].
pub fn enumerate_equilibria_report(
    game: &NormalFormGame<f64>,
    options: &EnumOptions,
) -> Result<EnumReport, SolveError> {
    enumerate_equilibria_report_within(game, options, &Budget::default())
}

/// The number of support profiles of surviving strategies: the product over
/// players of `2^k − 1`; `None` if it does not fit in a `u64`.
fn support_profile_count(alive: &[Vec<usize>]) -> Option<u64> {
    alive.iter().try_fold(1u64, |acc, a| {
        let subsets = 1u64
            .checked_shl(u32::try_from(a.len()).ok()?)?
            .checked_sub(1)?;
        acc.checked_mul(subsets)
    })
}

/// [`enumerate_equilibria_report`] within a time [`Budget`] (its memory is
/// bounded by [`EnumOptions::max_support_profiles`]), checked after every
/// support profile.
///
/// # Errors
///
/// As [`enumerate_equilibria_report`], and [`SolveError::TimeLimit`].
pub fn enumerate_equilibria_report_within(
    game: &NormalFormGame<f64>,
    options: &EnumOptions,
    budget: &Budget,
) -> Result<EnumReport, SolveError> {
    check_finite_game(game)?;
    check_options(options)?;
    let n = game.num_players();
    let mut stats = EnumStats::default();

    // Strategies that survive iterated strict dominance.
    let mut alive: Vec<Vec<usize>> = (0..n)
        .map(|p| (0..game.num_strategies(p)).collect())
        .collect();
    if options.eliminate_dominated {
        eliminate_dominated(game, &mut alive);
    }

    // Count before listing them: the lists themselves can exhaust memory.
    match support_profile_count(&alive) {
        Some(t) if t <= options.max_support_profiles => {}
        t => {
            let sizes: Vec<String> = alive.iter().map(|a| a.len().to_string()).collect();
            return Err(SolveError::Unsupported(format!(
                "{} support profiles ({} strategies per player after removing dominated \
                 ones; the product of 2^k - 1), more than the limit of {}",
                t.map_or_else(|| "more than 2^64".to_string(), |t| t.to_string()),
                sizes.join(" x "),
                options.max_support_profiles
            )));
        }
    }

    // Per player: every nonempty subset of its surviving strategies.
    let subsets: Vec<Vec<Vec<usize>>> = alive
        .iter()
        .map(|a| {
            (1u64..(1u64 << a.len()))
                .map(|mask| {
                    a.iter()
                        .enumerate()
                        .filter(|(i, _)| mask >> i & 1 == 1)
                        .map(|(_, &s)| s)
                        .collect()
                })
                .collect()
        })
        .collect();

    let mut found: Vec<Vec<Vec<f64>>> = Vec::new();
    let mut ws = Workspace::default();
    let mut odometer = vec![0usize; n];
    'profiles: loop {
        stats.support_profiles += 1;
        budget.check(0, || {
            format!(
                "{} support profiles of {}",
                stats.support_profiles - 1,
                support_profile_count(&alive).unwrap_or(u64::MAX)
            )
        })?;
        let supports: Vec<&[usize]> = (0..n).map(|p| subsets[p][odometer[p]].as_slice()).collect();
        examine_support(
            game, &alive, &supports, options, &mut stats, &mut ws, &mut found,
        );
        // Advance (last player fastest).
        let mut p = n;
        loop {
            if p == 0 {
                break 'profiles;
            }
            p -= 1;
            odometer[p] += 1;
            if odometer[p] < subsets[p].len() {
                break;
            }
            odometer[p] = 0;
        }
    }
    stats.complete = stats.singular_supports == 0 && stats.unresolved_supports == 0;

    // Pure equilibria first (exact), then verified mixed ones, deduplicated.
    let mut profiles: Vec<Vec<Vec<f64>>> = crate::pure_nash_equilibria(game)
        .into_iter()
        .map(|pure| {
            pure.iter()
                .enumerate()
                .map(|(p, &s)| {
                    let mut v = vec![0.0; game.num_strategies(p)];
                    v[s] = 1.0;
                    v
                })
                .collect()
        })
        .collect();
    for cand in found {
        if !profiles
            .iter()
            .any(|e| profile_distance(e, &cand) <= options.dedup_tolerance)
        {
            profiles.push(cand);
        }
    }
    sort_profiles(&mut profiles);
    let equilibria = profiles
        .into_iter()
        .map(|strategies| to_equilibrium(game, strategies))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EnumReport { equilibria, stats })
}

/// Builds an [`Equilibrium`] (computing each player's expected payoff).
pub(crate) fn to_equilibrium(
    game: &NormalFormGame<f64>,
    strategies: Vec<Vec<f64>>,
) -> Result<Equilibrium<f64>, SolveError> {
    let payoffs = (0..game.num_players())
        .map(|p| expected_payoff(game, p, &strategies))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SolveError::InvalidArgument(e.to_string()))?;
    Ok(Equilibrium {
        strategies,
        payoffs,
    })
}

/// Rejects games with infinite payoffs (NaN is already rejected on
/// construction).
pub(crate) fn check_finite_game(game: &NormalFormGame<f64>) -> Result<(), SolveError> {
    match game.payoffs().iter().position(|x| !x.is_finite()) {
        Some(i) => Err(SolveError::InvalidArgument(format!(
            "payoff entry {i} is not finite"
        ))),
        None => Ok(()),
    }
}

fn check_options(o: &EnumOptions) -> Result<(), SolveError> {
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    if !ok(o.regret_tolerance) || !ok(o.dedup_tolerance) || !ok(o.min_box_width) {
        return Err(SolveError::InvalidArgument(
            "tolerances must be finite and non-negative".into(),
        ));
    }
    Ok(())
}

/// Max-norm distance between two profiles of the same shape.
pub(crate) fn profile_distance(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(u, v)| (u - v).abs()))
        .fold(0.0, f64::max)
}

/// Sorts profiles lexicographically by probabilities, larger first, comparing
/// probabilities quantised to 1e-9 (a total order, so nearly equal values do
/// not make the order depend on rounding noise beyond that grain).
fn sort_profiles(profiles: &mut [Vec<Vec<f64>>]) {
    let key = |p: &Vec<Vec<f64>>| -> Vec<i64> {
        p.iter()
            .flatten()
            .map(|&x| -((x * 1e9).round() as i64))
            .collect()
    };
    profiles.sort_by_cached_key(key);
}

/// Calls `f(base)` for every pure profile of the players other than `skip`
/// drawn from `lists`, where `base` is that partial profile's index
/// contribution (player `skip` contributing 0). Stops early and returns false
/// as soon as `f` returns false.
fn all_others(
    game: &NormalFormGame<f64>,
    lists: &[&[usize]],
    skip: usize,
    mut f: impl FnMut(usize) -> bool,
) -> bool {
    crate::dominance::for_each_opponent_profile(lists, skip, |profile| {
        let base: usize = (0..lists.len())
            .filter(|&q| q != skip)
            .map(|q| profile[q] * game.stride(q))
            .sum();
        f(base)
    })
}

/// Whether `t` strictly dominates `s` for player `p` against every pure
/// profile of the others drawn from `lists`.
fn dominates(game: &NormalFormGame<f64>, lists: &[&[usize]], p: usize, t: usize, s: usize) -> bool {
    let stride = game.stride(p);
    all_others(game, lists, p, |base| {
        game.payoff_at(base + t * stride, p) > game.payoff_at(base + s * stride, p)
    })
}

/// Iterated elimination of strategies strictly dominated by pure strategies.
fn eliminate_dominated(game: &NormalFormGame<f64>, alive: &mut [Vec<usize>]) {
    loop {
        let mut removed = false;
        for p in 0..alive.len() {
            let mut i = 0;
            while i < alive[p].len() {
                let s = alive[p][i];
                let lists: Vec<&[usize]> = alive.iter().map(Vec::as_slice).collect();
                let dominated = alive[p]
                    .iter()
                    .any(|&t| t != s && dominates(game, &lists, p, t, s));
                if dominated {
                    alive[p].remove(i);
                    removed = true;
                } else {
                    i += 1;
                }
            }
        }
        if !removed {
            return;
        }
    }
}

/// Reusable buffers of the support solver.
#[derive(Default)]
struct Workspace {
    search: SearchWorkspace,
}

fn examine_support(
    game: &NormalFormGame<f64>,
    alive: &[Vec<usize>],
    supports: &[&[usize]],
    options: &EnumOptions,
    stats: &mut EnumStats,
    ws: &mut Workspace,
    found: &mut Vec<Vec<Vec<f64>>>,
) {
    let m: Vec<usize> = supports.iter().map(|s| s.len() - 1).collect();
    let d: usize = m.iter().sum();
    if d == 0 {
        stats.pure_supports += 1;
        return;
    }
    if m.iter().any(|&mp| 2 * mp > d) {
        stats.structurally_singular += 1;
        return;
    }
    for (p, sp) in supports.iter().enumerate() {
        for &s in *sp {
            if alive[p]
                .iter()
                .any(|&t| t != s && dominates(game, supports, p, t, s))
            {
                stats.conditionally_dominated += 1;
                return;
            }
        }
    }
    stats.solved_supports += 1;
    let sys = SupportSystem::new(game, supports, Some(alive));
    let mut roots = Vec::new();
    if sys.has_vanishing_equation() {
        // Some support strategy earns exactly what the reference strategy
        // earns against every profile of the others' supports: the system is
        // singular everywhere (a degenerate game).
        stats.singular_supports += 1;
    } else if sys.active.len() == 2 {
        match sys.solve_linear() {
            Some(z) => roots.push(z),
            None => stats.singular_supports += 1,
        }
    } else {
        let (boxes, resolved) = sys.search(options, &mut ws.search, &mut roots);
        stats.boxes += boxes;
        if !resolved {
            stats.unresolved_supports += 1;
        }
    }
    for z in roots {
        match sys.profile(game, &z, 1e-9) {
            Some(profile)
                if max_regret(game, &profile).is_ok_and(|r| r <= options.regret_tolerance) =>
            {
                if !found
                    .iter()
                    .any(|e| profile_distance(e, &profile) <= options.dedup_tolerance)
                {
                    found.push(profile);
                }
            }
            _ => stats.rejected_candidates += 1,
        }
    }
}

/// Newton refinement of a profile on a given support: solves the support's
/// indifference system starting from `start` (restricted to the supports and
/// renormalised). Returns the full profile, or `None` if Newton's method fails
/// or leaves the simplex (beyond `1e-9`). Used by the logit solver to polish a
/// limit point once its support is known. No regret check is done here.
pub(crate) fn refine_on_support(
    game: &NormalFormGame<f64>,
    supports: &[Vec<usize>],
    start: &[Vec<f64>],
) -> Option<Vec<Vec<f64>>> {
    let refs: Vec<&[usize]> = supports.iter().map(Vec::as_slice).collect();
    let sys = SupportSystem::new(game, &refs, None);
    let mut z = vec![0.0; sys.d];
    for (a, &p) in sys.active.iter().enumerate() {
        let total: f64 = supports[p].iter().map(|&s| start[p][s]).sum();
        if total.is_nan() || total <= 0.0 {
            return None;
        }
        for (i, &s) in supports[p][1..].iter().enumerate() {
            z[sys.off[a] + i] = start[p][s] / total;
        }
    }
    if sys.d > 0 && !sys.newton(&mut z, 60) {
        return None;
    }
    sys.profile(game, &z, 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_visits_every_combination() {
        // t[a][b][j] over dims [2, 2], m = 1: value = a + 10 b.
        let t = [0.0, 10.0, 1.0, 11.0];
        let s0 = [1.0, 0.0, 0.0, 1.0];
        let s1 = [0.5, 0.5];
        let mut seen = Vec::new();
        let mut bufs = vec![Vec::new(); 2];
        let mut combo = vec![0; 2];
        contract(
            &t,
            &[2, 2],
            &[&s0, &s1],
            &mut bufs,
            &mut combo,
            0,
            &mut |c, v| {
                seen.push((c.to_vec(), v[0]));
            },
        );
        assert_eq!(seen, vec![(vec![0, 0], 5.0), (vec![1, 0], 6.0)]);
    }
}
