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
//!    of its values at the box's vertices, with product weights. So, per box:
//!    - it is discarded if some equation's vertex values all have one sign,
//!      if some outside strategy beats the support at every vertex, or if the
//!      origin lies outside the convex hull of the vectors `f(v)` over the
//!      vertices `v` (Wolfe's 1976 minimum-norm-point algorithm finds a
//!      separating direction, which is then checked directly);
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
//! payoffs (release build, shared machine): 2×2×2 about 0.03 ms, 3×3×3 about
//! 2 ms, 2×2×2×2 under 1 ms, 4×4×4 about 0.2 s, 3×3×3×3 about 0.4 s,
//! 4×4×4×4 minutes.

use crate::{Equilibrium, NormalFormGame, SolveError, expected_payoff, max_regret};

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
    let total = subsets
        .iter()
        .try_fold(1u64, |acc, s| acc.checked_mul(s.len() as u64));
    match total {
        Some(t) if t <= options.max_support_profiles => {}
        _ => {
            return Err(SolveError::Unsupported(format!(
                "more than {} support profiles",
                options.max_support_profiles
            )));
        }
    }

    let mut found: Vec<Vec<Vec<f64>>> = Vec::new();
    let mut ws = Workspace::default();
    let mut odometer = vec![0usize; n];
    'profiles: loop {
        stats.support_profiles += 1;
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
    let n = lists.len();
    let mut pos = vec![0usize; n];
    loop {
        let base: usize = (0..n)
            .filter(|&q| q != skip)
            .map(|q| lists[q][pos[q]] * game.stride(q))
            .sum();
        if !f(base) {
            return false;
        }
        let mut q = n;
        loop {
            if q == 0 {
                return true;
            }
            q -= 1;
            if q == skip {
                continue;
            }
            pos[q] += 1;
            if pos[q] < lists[q].len() {
                break;
            }
            pos[q] = 0;
        }
    }
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
    stack: Vec<(Vec<f64>, Vec<f64>)>,
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
        let (boxes, resolved) = sys.search(options, &mut ws.stack, &mut roots);
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

/// Half-width by which the search box extends beyond the simplex, so that
/// roots on its boundary are interior to the box.
const DELTA: f64 = 1e-6;

/// The indifference system of one support profile (see the module docs).
struct SupportSystem {
    /// Support of every player (original strategy numbers).
    supports: Vec<Vec<usize>>,
    /// Players with at least two support strategies ("active"), ascending.
    active: Vec<usize>,
    /// Support size of each active player.
    k: Vec<usize>,
    /// Offset of each active player's variables (and equations).
    off: Vec<usize>,
    /// Number of variables = number of equations.
    d: usize,
    /// Equations of each active player.
    blocks: Vec<EqBlock>,
    /// Equilibrium inequalities: for each player with surviving strategies
    /// outside its support, `u_p(t, σ_-p) − u_p(S_p[0], σ_-p) ≤ 0` for those
    /// `t` (one block per player, over the active players other than `p`).
    ineqs: Vec<EqBlock>,
    /// Largest absolute coefficient (for tolerances).
    scale: f64,
    /// Derivative directions of each active player (see `directions`).
    dirs: Vec<Vec<f64>>,
}

/// Several multilinear functions of the other active players' strategies
/// as one tensor: the `k_a − 1` equations of an active player `a`, or one
/// player's equilibrium inequalities.
struct EqBlock {
    /// The other active players (indices into `active`), ascending.
    others: Vec<usize>,
    /// Their support sizes.
    dims: Vec<usize>,
    /// Coefficients, shape `dims[0] × … × dims[last] × (k_a − 1)`, last index
    /// fastest: entry `(t, j)` is `u_a(S_a[j+1], t) − u_a(S_a[0], t)` with
    /// the inactive players at their single strategy.
    coef: Vec<f64>,
}

/// Contracts tensor `t` (shape `dims × m`) with one vector from each of `sets`
/// (`sets[i]` holds vectors of length `dims[i]` back to back), for every
/// combination, and calls `visit(combination, values)` with the `m` results.
fn contract<F: FnMut(&[usize], &[f64])>(
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
    fn new(
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
    fn has_vanishing_equation(&self) -> bool {
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
    fn vertex_set(&self, a: usize, lo: &[f64], hi: &[f64], out: &mut Vec<f64>) {
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
    fn for_each_eq_value(&self, sets: &[Vec<f64>], mut visit: impl FnMut(usize, &[usize], &[f64])) {
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
    fn for_each_jac_value(&self, sets: &[Vec<f64>], mut visit: impl FnMut(usize, usize, f64)) {
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

    fn eval(&self, z: &[f64], f: &mut [f64]) {
        let sets = self.point_sets(z);
        self.for_each_eq_value(&sets, |a, _, v| {
            f[self.off[a]..self.off[a] + v.len()].copy_from_slice(v);
        });
    }

    fn jacobian(&self, z: &[f64], jac: &mut [f64]) {
        jac.fill(0.0);
        let d = self.d;
        let sets = self.point_sets(z);
        self.for_each_jac_value(&sets, |r, c, x| jac[r * d + c] = x);
    }

    /// Solves the (linear) system of a support with two active players.
    fn solve_linear(&self) -> Option<Vec<f64>> {
        let d = self.d;
        let mut z = vec![0.0; d];
        let mut jac = vec![0.0; d * d];
        self.jacobian(&z, &mut jac);
        let lu = dense::Lu::new(&jac, d, 1e-11)?;
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
    fn newton(&self, z: &mut [f64], max_iter: usize) -> bool {
        let d = self.d;
        let mut f = vec![0.0; d];
        let mut jac = vec![0.0; d * d];
        let mut last_step = f64::INFINITY;
        for _ in 0..max_iter {
            self.eval(z, &mut f);
            self.jacobian(z, &mut jac);
            let Some(lu) = dense::Lu::new(&jac, d, 1e-13) else {
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
    fn profile(
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
    fn search(
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
                dense::Lu::new(&jc, d, 1e-13)
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
    lu: &dense::Lu,
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

/// Small dense linear algebra shared by the numerical solvers.
pub(crate) mod dense {
    /// LU factorisation with partial pivoting of a square row-major matrix.
    pub(crate) struct Lu {
        n: usize,
        a: Vec<f64>,
        piv: Vec<usize>,
    }

    impl Lu {
        /// Factorises `a` (`n × n`, row-major); `None` if a pivot is at most
        /// `rel_tol` times the largest entry (numerically singular).
        pub(crate) fn new(a: &[f64], n: usize, rel_tol: f64) -> Option<Self> {
            let mut a = a.to_vec();
            let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            if scale.is_nan() || scale <= 0.0 || scale.is_infinite() {
                return if n == 0 {
                    Some(Self {
                        n,
                        a,
                        piv: Vec::new(),
                    })
                } else {
                    None
                };
            }
            let mut piv = Vec::with_capacity(n);
            for col in 0..n {
                let (p, best) = (col..n)
                    .map(|r| (r, a[r * n + col].abs()))
                    .fold((col, -1.0), |acc, x| if x.1 > acc.1 { x } else { acc });
                if best.is_nan() || best <= rel_tol * scale {
                    return None;
                }
                piv.push(p);
                if p != col {
                    for j in 0..n {
                        a.swap(col * n + j, p * n + j);
                    }
                }
                let inv = 1.0 / a[col * n + col];
                for r in col + 1..n {
                    let factor = a[r * n + col] * inv;
                    a[r * n + col] = factor;
                    if factor != 0.0 {
                        for j in col + 1..n {
                            a[r * n + j] -= factor * a[col * n + j];
                        }
                    }
                }
            }
            Some(Self { n, a, piv })
        }

        /// Solves `A x = b` in place.
        pub(crate) fn solve(&self, b: &mut [f64]) {
            let n = self.n;
            for (col, &p) in self.piv.iter().enumerate() {
                b.swap(col, p);
            }
            for r in 0..n {
                let row = &self.a[r * n..r * n + r];
                let s: f64 = row.iter().zip(&b[..r]).map(|(a, x)| a * x).sum();
                b[r] -= s;
            }
            for r in (0..n).rev() {
                let row = &self.a[r * n + r + 1..(r + 1) * n];
                let s: f64 = row.iter().zip(&b[r + 1..]).map(|(a, x)| a * x).sum();
                b[r] = (b[r] - s) / self.a[r * n + r];
            }
        }

        /// The inverse matrix (row-major).
        pub(crate) fn inverse(&self) -> Vec<f64> {
            let n = self.n;
            let mut inv = vec![0.0; n * n];
            let mut e = vec![0.0; n];
            for j in 0..n {
                e.fill(0.0);
                e[j] = 1.0;
                self.solve(&mut e);
                for i in 0..n {
                    inv[i * n + j] = e[i];
                }
            }
            inv
        }
    }
}

/// Whether the origin is (robustly) outside the convex hull of the points
/// `pts` (rows of length `d`): Wolfe's (1976) minimum-norm-point algorithm
/// finds a candidate separating direction `x`, which is then checked
/// directly (`p · x > tol |x|` for every point).
fn separated(pts: &[f64], d: usize, tol: f64) -> bool {
    let npts = pts.len() / d;
    let p = |i: usize| &pts[i * d..(i + 1) * d];
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut set: Vec<usize> = Vec::new();
    let mut lam: Vec<f64> = Vec::new();
    let start = (0..npts)
        .min_by(|&a, &b| dot(p(a), p(a)).total_cmp(&dot(p(b), p(b))))
        .unwrap();
    set.push(start);
    lam.push(1.0);
    let mut x = p(start).to_vec();
    let scale = (0..npts).map(|i| dot(p(i), p(i))).fold(0.0, f64::max);
    for _major in 0..(4 * d + 20) {
        let xx = dot(&x, &x);
        if xx <= 1e-28 * scale {
            return false;
        }
        let (j, best) = (0..npts)
            .map(|i| (i, dot(&x, p(i))))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        if best > tol * xx.sqrt() {
            return true;
        }
        if best >= xx - 1e-12 * scale || set.contains(&j) {
            return false;
        }
        set.push(j);
        lam.push(0.0);
        for _minor in 0..(2 * d + 10) {
            // Affine minimum-norm point of the current set.
            let m = set.len();
            let mut a = vec![0.0; (m + 1) * (m + 1)];
            for r in 0..m {
                for c in 0..m {
                    a[r * (m + 1) + c] = dot(p(set[r]), p(set[c]));
                }
                a[r * (m + 1) + m] = 1.0;
                a[m * (m + 1) + r] = 1.0;
            }
            let Some(lu) = dense::Lu::new(&a, m + 1, 1e-14) else {
                return false;
            };
            let mut rhs = vec![0.0; m + 1];
            rhs[m] = 1.0;
            lu.solve(&mut rhs);
            let alpha = &rhs[..m];
            if alpha.iter().all(|&v| v > 1e-15) {
                lam.copy_from_slice(alpha);
                break;
            }
            let mut theta = 1.0f64;
            for (l, &al) in lam.iter().zip(alpha) {
                if al <= 1e-15 && l - al > 0.0 {
                    theta = theta.min(l / (l - al));
                }
            }
            for (l, &al) in lam.iter_mut().zip(alpha) {
                *l = theta * al + (1.0 - theta) * *l;
            }
            let mut i = 0;
            while i < set.len() {
                if lam[i] <= 1e-15 {
                    set.remove(i);
                    lam.remove(i);
                } else {
                    i += 1;
                }
            }
            if set.is_empty() {
                return false;
            }
        }
        x.fill(0.0);
        for (&i, &l) in set.iter().zip(&lam) {
            for (xk, pk) in x.iter_mut().zip(p(i)) {
                *xk += l * pk;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lu_solves_and_detects_singularity() {
        let a = [2.0, 1.0, 1.0, 3.0];
        let lu = dense::Lu::new(&a, 2, 1e-12).unwrap();
        let mut b = [3.0, 5.0];
        lu.solve(&mut b);
        assert!((b[0] - 0.8).abs() < 1e-15 && (b[1] - 1.4).abs() < 1e-15);
        assert!(dense::Lu::new(&[1.0, 2.0, 2.0, 4.0], 2, 1e-12).is_none());
    }

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
