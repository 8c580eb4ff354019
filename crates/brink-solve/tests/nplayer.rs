//! All equilibria of small n-player games by support enumeration
//! (`brink_solve::nplayer`): hand-checked games, an independent two-player
//! reference, and property tests.

mod common;

use brink_solve::nplayer::{EnumOptions, enumerate_equilibria, enumerate_equilibria_report};
use brink_solve::{Equilibrium, NormalFormGame, SolveError, max_regret, pure_nash_equilibria};
use proptest::prelude::*;

/// 2×2 game from a table of (row, column) payoffs, row player = player 0.
fn bimatrix(t: &[Vec<(f64, f64)>]) -> NormalFormGame<f64> {
    let (r, c) = (t.len(), t[0].len());
    NormalFormGame::from_fn(vec![r, c], |s, p| {
        let (a, b) = t[s[0]][s[1]];
        if p == 0 { a } else { b }
    })
    .unwrap()
}

/// Asserts that `found` is exactly `expected` (same order) to 1e-9, and
/// that every equilibrium's payoffs are the expected payoffs at its profile.
fn assert_equilibria(found: &[Equilibrium<f64>], expected: &[Vec<Vec<f64>>]) {
    assert_eq!(
        found.len(),
        expected.len(),
        "found {:#?}",
        found.iter().map(|e| &e.strategies).collect::<Vec<_>>()
    );
    for (f, e) in found.iter().zip(expected) {
        for (fp, ep) in f.strategies.iter().zip(e) {
            for (a, b) in fp.iter().zip(ep) {
                assert!(
                    (a - b).abs() < 1e-9,
                    "found {:?}, expected {e:?}",
                    f.strategies
                );
            }
        }
    }
}

fn mixed(p: f64) -> Vec<f64> {
    vec![p, 1.0 - p]
}

// A 2×2×2 game with 9 equilibria, constructed and solved by hand. Write p,
// q, r for the probabilities that players 1, 2, 3 play strategy 0.
// Strategy 1 always pays 0; strategy 0 pays
//
// ```text
// player 1: (1 − 3q)(1 − 2r)    player 2: (1 − 3r)(1 − 2p)    player 3: (1 − 3p)(1 − 2q)
// ```
//
// evaluated at the pure profile (q = 1 if player 2 plays 0, else 0, …), so
// by multilinearity these are also the gains Δ1, Δ2, Δ3 of strategy 0 over
// strategy 1 against mixed opponents. Corner values are never 0 (the game
// is nondegenerate at pure profiles).
//
// Pure equilibria: a profile is one iff each player's Δ has the sign that
// makes its strategy a best reply. (1,1,1): Δ1 = (−2)(−1) > 0, Δ2 > 0,
// Δ3 > 0 ✓. (1,0,0): Δ1 = (1)(1) > 0, Δ2 = (1)(−1) < 0, Δ3 = (−2)(1) < 0 ✓.
// (0,1,0): Δ1 = (−2)(1) < 0, Δ2 = (1)(1) > 0, Δ3 = (1)(−1) < 0 ✓.
// (0,0,1): Δ1 = (1)(−1) < 0, Δ2 = (−2)(1) < 0, Δ3 = (1)(1) > 0 ✓.
// The other four fail: (0,0,0) Δ1 > 0; (1,1,0) Δ1 < 0; (1,0,1) Δ2 > 0;
// (0,1,1) Δ3 < 0.
//
// Exactly one player mixing is impossible (Δ ≠ 0 at pure opponents). Two
// mixing, third pure: r ∈ {0,1} makes 1 − 2r ≠ 0 so Δ1 = 0 forces q = 1/3,
// and 1 − 3r ≠ 0 so Δ2 = 0 forces p = 1/2; then Δ3(1/2, 1/3) = −1/6 < 0
// requires r = 0: equilibrium (1/2, 1/3, 0). Cyclically (1/3, 0, 1/2) and
// (0, 1/2, 1/3). All three mixing: Δ1 = 0 ⇔ q = 1/3 or r = 1/2, etc.;
// q = 1/3 forces p = 1/3 (Δ3) and then r = 1/3 (Δ2); r = 1/2 forces
// p = 1/2 and q = 1/2: (1/3, 1/3, 1/3) and (1/2, 1/2, 1/2). Total 9, an
// odd number as it must be for a generic game (Harsanyi 1973).
use common::cyclic_game;

#[test]
fn hand_checked_three_player_game_has_nine_equilibria() {
    let g = cyclic_game();
    let report = enumerate_equilibria_report(&g, &EnumOptions::default()).unwrap();
    assert!(report.stats.complete, "{:?}", report.stats);
    let t = 1.0 / 3.0;
    // Sorted by (p, q, r) descending, as documented.
    let expected = [
        (1.0, 1.0, 1.0),
        (1.0, 0.0, 0.0),
        (0.5, 0.5, 0.5),
        (0.5, t, 0.0),
        (t, t, t),
        (t, 0.0, 0.5),
        (0.0, 1.0, 0.0),
        (0.0, 0.5, t),
        (0.0, 0.0, 1.0),
    ]
    .map(|(p, q, r)| vec![mixed(p), mixed(q), mixed(r)]);
    assert_equilibria(&report.equilibria, &expected);
    for e in &report.equilibria {
        assert!(max_regret(&g, &e.strategies).unwrap() <= 1e-12);
    }
    // Payoff check at (1/2, 1/3, 0): player 3 plays 1 and gets 0; players 1
    // and 2 are indifferent, so they get what strategy 1 pays: 0.
    assert_eq!(report.equilibria[3].payoffs.len(), 3);
    assert!(report.equilibria[3].payoffs.iter().all(|u| u.abs() < 1e-12));
    // At (1,1,1) everyone plays 0 and earns 2.
    assert_eq!(report.equilibria[0].payoffs, vec![2.0, 2.0, 2.0]);
}

// Battle of the sexes:
//          0       1
//   0    (2,1)   (0,0)
//   1    (0,0)   (1,2)
// Pure (0,0) and (1,1); mixed: row indifferent when q·2 = (1−q)·1, q = 1/3;
// column when p = 2(1−p), p = 2/3.
#[test]
fn battle_of_the_sexes() {
    let g = bimatrix(&[vec![(2., 1.), (0., 0.)], vec![(0., 0.), (1., 2.)]]);
    let eqs = enumerate_equilibria(&g, &EnumOptions::default()).unwrap();
    assert_equilibria(
        &eqs,
        &[
            vec![mixed(1.0), mixed(1.0)],
            vec![mixed(2.0 / 3.0), mixed(1.0 / 3.0)],
            vec![mixed(0.0), mixed(0.0)],
        ],
    );
    assert!((eqs[1].payoffs[0] - 2.0 / 3.0).abs() < 1e-12);
    assert!((eqs[1].payoffs[1] - 2.0 / 3.0).abs() < 1e-12);
}

// Matching pennies and rock–paper–scissors: unique, completely mixed.
#[test]
fn zero_sum_cycles_have_a_unique_mixed_equilibrium() {
    let g = bimatrix(&[vec![(1., -1.), (-1., 1.)], vec![(-1., 1.), (1., -1.)]]);
    let eqs = enumerate_equilibria(&g, &EnumOptions::default()).unwrap();
    assert_equilibria(&eqs, &[vec![mixed(0.5), mixed(0.5)]]);
    let w = |i: usize, j: usize| -> f64 { [[0., -1., 1.], [1., 0., -1.], [-1., 1., 0.]][i][j] };
    let rps = NormalFormGame::from_fn(vec![3, 3], |s, p| {
        if p == 0 {
            w(s[0], s[1])
        } else {
            -w(s[0], s[1])
        }
    })
    .unwrap();
    let eqs = enumerate_equilibria(&rps, &EnumOptions::default()).unwrap();
    assert_equilibria(&eqs, &[vec![vec![1.0 / 3.0; 3], vec![1.0 / 3.0; 3]]]);
}

// 3×3 pure coordination (payoff 1 to both on the diagonal, else 0): every
// nonempty common support S with uniform play is an equilibrium, 2³ − 1 = 7.
#[test]
fn coordination_game_has_seven_equilibria() {
    let g =
        NormalFormGame::from_fn(vec![3, 3], |s, _| if s[0] == s[1] { 1.0 } else { 0.0 }).unwrap();
    let eqs = enumerate_equilibria(&g, &EnumOptions::default()).unwrap();
    let h = 0.5;
    let t = 1.0 / 3.0;
    let expected = [
        [1.0, 0.0, 0.0],
        [h, h, 0.0],
        [h, 0.0, h],
        [t, t, t],
        [0.0, 1.0, 0.0],
        [0.0, h, h],
        [0.0, 0.0, 1.0],
    ]
    .map(|x| vec![x.to_vec(), x.to_vec()]);
    assert_equilibria(&eqs, &expected);
}

// Prisoner's dilemma: defect strictly dominates; iterated elimination leaves
// one profile and nothing to enumerate.
#[test]
fn prisoners_dilemma_is_solved_by_dominance() {
    let g = bimatrix(&[vec![(3., 3.), (0., 5.)], vec![(5., 0.), (1., 1.)]]);
    let r = enumerate_equilibria_report(&g, &EnumOptions::default()).unwrap();
    assert_equilibria(&r.equilibria, &[vec![mixed(0.0), mixed(0.0)]]);
    assert_eq!(r.stats.support_profiles, 1);
    // Without elimination the answer is the same.
    let opts = EnumOptions {
        eliminate_dominated: false,
        ..EnumOptions::default()
    };
    let r2 = enumerate_equilibria_report(&g, &opts).unwrap();
    assert_eq!(r2.equilibria, r.equilibria);
    assert_eq!(r2.stats.support_profiles, 9);
}

// Degenerate game (all payoffs 0): every profile is an equilibrium; the
// solver reports the pure ones and says it is not complete.
#[test]
fn degenerate_game_reports_pure_equilibria_and_incompleteness() {
    let g = NormalFormGame::new(vec![2, 2, 2], vec![0.0; 24]).unwrap();
    let r = enumerate_equilibria_report(&g, &EnumOptions::default()).unwrap();
    assert!(!r.stats.complete);
    assert!(r.stats.singular_supports > 0);
    assert_eq!(r.equilibria.len(), 8);
    let pure: Vec<Vec<usize>> = pure_nash_equilibria(&g);
    assert_eq!(pure.len(), 8);
}

#[test]
fn options_are_validated_and_limits_enforced() {
    let g = cyclic_game();
    let bad = EnumOptions {
        regret_tolerance: -1.0,
        ..EnumOptions::default()
    };
    assert!(matches!(
        enumerate_equilibria(&g, &bad),
        Err(SolveError::InvalidArgument(_))
    ));
    let small = EnumOptions {
        max_support_profiles: 26,
        ..EnumOptions::default()
    };
    assert!(matches!(
        enumerate_equilibria(&g, &small),
        Err(SolveError::Unsupported(_))
    ));
    let inf = NormalFormGame::new(vec![2, 1], vec![f64::INFINITY, 0.0, 0.0, 0.0]).unwrap();
    assert!(matches!(
        enumerate_equilibria(&inf, &EnumOptions::default()),
        Err(SolveError::InvalidArgument(_))
    ));
}

#[test]
fn one_player_game() {
    let g = NormalFormGame::new(vec![3], vec![1.0, 3.0, 2.0]).unwrap();
    let eqs = enumerate_equilibria(&g, &EnumOptions::default()).unwrap();
    assert_equilibria(&eqs, &[vec![vec![0.0, 1.0, 0.0]]]);
}

/// Deterministic pseudo-random payoffs in [0, 1).
fn random_game(counts: Vec<usize>, seed: u64) -> NormalFormGame<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    NormalFormGame::from_fn(counts, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    })
    .unwrap()
}

// Generic games have an odd number of equilibria (Wilson 1971; Harsanyi
// 1973): a strong completeness check on random games of several shapes.
#[test]
fn generic_games_have_an_odd_number_of_equilibria() {
    let shapes: [&[usize]; 6] = [
        &[2, 2, 2],
        &[2, 3, 2],
        &[3, 3, 3],
        &[2, 2, 2, 2],
        &[3, 2, 2, 2],
        &[2, 4, 3],
    ];
    for (i, shape) in shapes.iter().enumerate() {
        for seed in 0..4u64 {
            let g = random_game(shape.to_vec(), 100 * i as u64 + seed);
            let r = enumerate_equilibria_report(&g, &EnumOptions::default()).unwrap();
            assert!(r.stats.complete, "{shape:?} seed {seed}: {:?}", r.stats);
            assert_eq!(r.equilibria.len() % 2, 1, "{shape:?} seed {seed}");
            for e in &r.equilibria {
                assert!(max_regret(&g, &e.strategies).unwrap() <= 1e-9);
            }
            // Deterministic: a second run gives the identical answer.
            assert_eq!(
                enumerate_equilibria(&g, &EnumOptions::default()).unwrap(),
                r.equilibria
            );
        }
    }
}

/// Independent two-player reference: for every pair of equal-size supports,
/// solve both indifference systems by Gaussian elimination and keep the
/// solutions that are nonnegative best replies.
fn reference_bimatrix(g: &NormalFormGame<f64>) -> Vec<(Vec<f64>, Vec<f64>)> {
    let (m, n) = (g.num_strategies(0), g.num_strategies(1));
    let u = |i: usize, j: usize, p: usize| *g.payoff(&[i, j], p);
    // Mix of the opponent over `sup` making `player` indifferent on `own`.
    let solve = |own: &[usize], sup: &[usize], player: usize| -> Option<Vec<f64>> {
        let k = sup.len();
        let mut a = vec![vec![0.0; k + 1]; k];
        for (r, &i) in own.iter().enumerate().skip(1) {
            for (c, &j) in sup.iter().enumerate() {
                let (x, y) = if player == 0 {
                    ((i, j), (own[0], j))
                } else {
                    ((j, i), (j, own[0]))
                };
                a[r - 1][c] = u(x.0, x.1, player) - u(y.0, y.1, player);
            }
        }
        a[k - 1].fill(1.0);
        for col in 0..k {
            let piv = (col..k).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
            if a[piv][col].abs() < 1e-12 {
                return None;
            }
            a.swap(col, piv);
            let pivot_row = a[col].clone();
            for (r, row) in a.iter_mut().enumerate() {
                if r != col {
                    let f = row[col] / pivot_row[col];
                    for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                        *x -= f * p;
                    }
                }
            }
        }
        Some((0..k).map(|i| a[i][k] / a[i][i]).collect())
    };
    let subsets = |n: usize| -> Vec<Vec<usize>> {
        (1u32..1 << n)
            .map(|mask| (0..n).filter(|&i| mask >> i & 1 == 1).collect())
            .collect()
    };
    let mut out = Vec::new();
    for s1 in subsets(m) {
        for s2 in subsets(n).into_iter().filter(|s| s.len() == s1.len()) {
            let (Some(y), Some(x)) = (solve(&s1, &s2, 0), solve(&s2, &s1, 1)) else {
                continue;
            };
            if x.iter().chain(&y).any(|&v| v < -1e-12) {
                continue;
            }
            let mut xs = vec![0.0; m];
            let mut ys = vec![0.0; n];
            for (&i, &v) in s1.iter().zip(&x) {
                xs[i] = v.max(0.0);
            }
            for (&j, &v) in s2.iter().zip(&y) {
                ys[j] = v.max(0.0);
            }
            if max_regret(g, &[xs.clone(), ys.clone()]).unwrap() <= 1e-9 {
                out.push((xs, ys));
            }
        }
    }
    out
}

#[test]
fn two_player_games_match_an_independent_reference() {
    for (m, n) in [(2, 2), (3, 3), (4, 4), (3, 5), (5, 5)] {
        for seed in 0..5u64 {
            let g = random_game(vec![m, n], 1000 + 10 * m as u64 + seed);
            let eqs = enumerate_equilibria(&g, &EnumOptions::default()).unwrap();
            let reference = reference_bimatrix(&g);
            assert_eq!(eqs.len(), reference.len(), "{m}x{n} seed {seed}");
            for (x, y) in &reference {
                assert!(
                    eqs.iter().any(|e| {
                        e.strategies[0]
                            .iter()
                            .zip(x)
                            .all(|(a, b)| (a - b).abs() < 1e-9)
                            && e.strategies[1]
                                .iter()
                                .zip(y)
                                .all(|(a, b)| (a - b).abs() < 1e-9)
                    }),
                    "{m}x{n} seed {seed}: reference equilibrium {x:?} {y:?} missing"
                );
            }
        }
    }
}

/// Random shape (2–3 players, 1–3 strategies) with small integer payoffs
/// (ties and degeneracy are frequent).
fn small_integer_game() -> impl Strategy<Value = NormalFormGame<f64>> {
    prop::collection::vec(1usize..=3, 2..=3).prop_flat_map(|counts| {
        let len = counts.iter().product::<usize>() * counts.len();
        prop::collection::vec(-3i32..=3, len).prop_map(move |p| {
            NormalFormGame::new(counts.clone(), p.into_iter().map(f64::from).collect()).unwrap()
        })
    })
}

/// Random shape with continuous payoffs (generic with probability 1).
fn small_generic_game() -> impl Strategy<Value = NormalFormGame<f64>> {
    prop::collection::vec(2usize..=3, 2..=3).prop_flat_map(|counts| {
        let len = counts.iter().product::<usize>() * counts.len();
        prop::collection::vec(-1.0f64..1.0, len)
            .prop_map(move |p| NormalFormGame::new(counts.clone(), p).unwrap())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    // Soundness on arbitrary (often degenerate) games: every reported point
    // is an equilibrium, and every pure equilibrium is reported.
    #[test]
    fn reported_points_are_equilibria_and_pure_ones_are_all_there(g in small_integer_game()) {
        let opts = EnumOptions { max_boxes_per_support: 5_000, ..EnumOptions::default() };
        let eqs = enumerate_equilibria(&g, &opts).unwrap();
        for e in &eqs {
            prop_assert!(max_regret(&g, &e.strategies).unwrap() <= 1e-9);
            for (p, s) in e.strategies.iter().enumerate() {
                prop_assert_eq!(s.len(), g.num_strategies(p));
                prop_assert!(s.iter().all(|&x| x >= 0.0));
                prop_assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
        }
        for pure in pure_nash_equilibria(&g) {
            prop_assert!(eqs.iter().any(|e| {
                pure.iter().enumerate().all(|(p, &s)| e.strategies[p][s] == 1.0)
            }), "pure equilibrium {:?} missing", pure);
        }
        // No duplicates.
        for (i, a) in eqs.iter().enumerate() {
            for b in &eqs[i + 1..] {
                let d = a.strategies.iter().flatten().zip(b.strategies.iter().flatten())
                    .map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
                prop_assert!(d > 1e-7);
            }
        }
    }

    // Completeness on generic games: the search resolves every support and
    // finds an odd number of equilibria.
    #[test]
    fn generic_games_are_solved_completely(g in small_generic_game()) {
        let r = enumerate_equilibria_report(&g, &EnumOptions::default()).unwrap();
        prop_assert!(r.stats.complete, "{:?}", r.stats);
        prop_assert_eq!(r.equilibria.len() % 2, 1);
        for e in &r.equilibria {
            prop_assert!(max_regret(&g, &e.strategies).unwrap() <= 1e-9);
        }
    }
}

/// Random shape (3–4 players, 2–3 strategies) with continuous payoffs.
fn generic_game_of_3_or_4_players() -> impl Strategy<Value = NormalFormGame<f64>> {
    prop::collection::vec(2usize..=3, 3..=4).prop_flat_map(|counts| {
        let len = counts.iter().product::<usize>() * counts.len();
        prop::collection::vec(-1.0f64..1.0, len)
            .prop_map(move |p| NormalFormGame::new(counts.clone(), p).unwrap())
    })
}

/// Equilibria of `g` with the simplex clipping of the box search on and off.
fn with_and_without_clipping(
    g: &NormalFormGame<f64>,
) -> (
    brink_solve::nplayer::EnumReport,
    brink_solve::nplayer::EnumReport,
) {
    let on = enumerate_equilibria_report(g, &EnumOptions::default()).unwrap();
    let off = EnumOptions {
        clip_to_simplex: false,
        ..EnumOptions::default()
    };
    (on, enumerate_equilibria_report(g, &off).unwrap())
}

/// Whether two lists of equilibria are the same points to `tol`, in order.
fn same_points(a: &[Equilibrium<f64>], b: &[Equilibrium<f64>], tol: f64) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.strategies
                .iter()
                .flatten()
                .zip(y.strategies.iter().flatten())
                .all(|(u, v)| (u - v).abs() <= tol)
        })
}

// Clipping each box to the simplex (bounding the system by the vertices of
// box ∩ {Σ z ≤ 1} rather than the box's corners) removes boxes, never
// equilibria: the same set with it on and off, and fewer boxes in total.
#[test]
fn clipping_boxes_to_the_simplex_keeps_every_equilibrium() {
    let shapes: [&[usize]; 5] = [
        &[3, 3, 3],
        &[2, 2, 2, 2],
        &[4, 3, 3],
        &[3, 3, 2, 2],
        &[4, 4, 3],
    ];
    let (mut boxes_on, mut boxes_off) = (0, 0);
    for (i, shape) in shapes.iter().enumerate() {
        for seed in 0..3u64 {
            let g = random_game(shape.to_vec(), 1000 + 10 * i as u64 + seed);
            let (on, off) = with_and_without_clipping(&g);
            assert!(
                on.stats.complete && off.stats.complete,
                "{shape:?} seed {seed}"
            );
            assert!(
                same_points(&on.equilibria, &off.equilibria, 1e-9),
                "{shape:?} seed {seed}: {} vs {} equilibria",
                on.equilibria.len(),
                off.equilibria.len()
            );
            // Same supports examined; only the box search differs.
            assert_eq!(on.stats.solved_supports, off.stats.solved_supports);
            boxes_on += on.stats.boxes;
            boxes_off += off.stats.boxes;
        }
    }
    assert!(
        boxes_on < boxes_off,
        "{boxes_on} boxes clipped, {boxes_off} not"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    // The same equilibria with and without the simplex clipping, on generic
    // games of random shapes (three and four players).
    #[test]
    fn clipping_changes_no_equilibrium(g in generic_game_of_3_or_4_players()) {
        let (on, off) = with_and_without_clipping(&g);
        prop_assert!(on.stats.complete && off.stats.complete);
        prop_assert!(same_points(&on.equilibria, &off.equilibria, 1e-9),
            "{:?} vs {:?}", on.equilibria, off.equilibria);
    }

    // On integer (often degenerate) games: every point found without the
    // clipping is found with it whenever the unclipped search is complete.
    #[test]
    fn clipping_loses_no_equilibrium_of_integer_games(g in small_integer_game()) {
        let (on, off) = with_and_without_clipping(&g);
        if off.stats.complete {
            for e in &off.equilibria {
                prop_assert!(on.equilibria.iter().any(|f| same_points(
                    std::slice::from_ref(e), std::slice::from_ref(f), 1e-7)),
                    "{:?} missing with clipping", e.strategies);
            }
        }
    }
}
