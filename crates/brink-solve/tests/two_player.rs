//! Two-player solvers: games with known equilibrium sets typed from the
//! literature, degenerate games, zero-sum values, and property tests against
//! an independent brute-force vertex enumeration (all exact over Q).

use brink_solve::rational::{Q, q, qi};
use brink_solve::twoplayer::{
    TwoPlayerSolution, game_to_exact, lemke_howson, lemke_howson_all, lemke_howson_exact,
    lemke_howson_path, solve_zero_sum, support_enumeration, vertex_enumeration,
};
use brink_solve::{Equilibrium, NormalFormGame, SolveError, expected_payoff, max_regret};
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;

/// A bimatrix game from row-major `A` (row player) and `B` (column player).
fn bimatrix(a: &[Vec<i64>], b: &[Vec<i64>]) -> NormalFormGame<Q> {
    let (m, n) = (a.len(), a[0].len());
    NormalFormGame::from_fn(vec![m, n], |s, p| {
        qi(if p == 0 { a[s[0]][s[1]] } else { b[s[0]][s[1]] })
    })
    .unwrap()
}

fn zero_sum(a: &[Vec<i64>]) -> NormalFormGame<Q> {
    let b: Vec<Vec<i64>> = a.iter().map(|r| r.iter().map(|x| -x).collect()).collect();
    bimatrix(a, &b)
}

fn rows(v: &[&[i64]]) -> Vec<Vec<i64>> {
    v.iter().map(|r| r.to_vec()).collect()
}

fn qv(v: &[(i64, i64)]) -> Vec<Q> {
    v.iter().map(|&(n, d)| q(n, d)).collect()
}

/// The strategy profiles of a list of equilibria, sorted.
fn profiles(eqs: &[Equilibrium<Q>]) -> Vec<Vec<Vec<Q>>> {
    let mut v: Vec<_> = eqs.iter().map(|e| e.strategies.clone()).collect();
    v.sort();
    v
}

/// Every equilibrium is a pair of probability vectors with zero regret, its
/// payoffs are the expected payoffs, and the list is sorted without repeats.
fn assert_valid(game: &NormalFormGame<Q>, eqs: &[Equilibrium<Q>]) {
    for e in eqs {
        for s in &e.strategies {
            assert!(s.iter().all(|p| !p.is_negative()), "{s:?}");
            assert_eq!(s.iter().sum::<Q>(), Q::one(), "{s:?}");
        }
        assert_eq!(max_regret(game, &e.strategies).unwrap(), Q::zero(), "{e:?}");
        for p in 0..2 {
            assert_eq!(
                e.payoffs[p],
                expected_payoff(game, p, &e.strategies).unwrap()
            );
        }
    }
    for w in eqs.windows(2) {
        assert!(w[0].strategies < w[1].strategies, "not sorted / repeated");
    }
}

/// Support and vertex enumeration both return exactly `expected` (a
/// nondegenerate game), and Lemke–Howson from every label lands in it.
fn assert_all_equilibria(game: &NormalFormGame<Q>, expected: Vec<Vec<Vec<Q>>>) {
    let mut expected = expected;
    expected.sort();
    let s = support_enumeration(game).unwrap();
    let v = vertex_enumeration(game).unwrap();
    assert!(!s.degenerate && !v.degenerate);
    assert_valid(game, &s.equilibria);
    assert_valid(game, &v.equilibria);
    assert_eq!(profiles(&s.equilibria), expected);
    assert_eq!(s, v);
    let lh = lemke_howson_all(game).unwrap();
    assert_valid(game, &lh);
    for e in &lh {
        assert!(expected.contains(&e.strategies), "LH gave {e:?}");
    }
}

#[test]
fn matching_pennies() {
    // Unique equilibrium (1/2, 1/2) for both (von Neumann & Morgenstern 1944).
    let g = zero_sum(&rows(&[&[1, -1], &[-1, 1]]));
    let half = qv(&[(1, 2), (1, 2)]);
    assert_all_equilibria(&g, vec![vec![half.clone(), half.clone()]]);
    let s = solve_zero_sum(&g).unwrap();
    assert_eq!((s.value, s.row, s.column), (qi(0), half.clone(), half));
}

#[test]
fn battle_of_the_sexes() {
    // Osborne & Rubinstein (1994), §2.3 (Bach or Stravinsky): two pure
    // equilibria and the mixed one ((2/3, 1/3), (1/3, 2/3)).
    let g = bimatrix(&rows(&[&[2, 0], &[0, 1]]), &rows(&[&[1, 0], &[0, 2]]));
    let pure0 = vec![qv(&[(1, 1), (0, 1)]), qv(&[(1, 1), (0, 1)])];
    let pure1 = vec![qv(&[(0, 1), (1, 1)]), qv(&[(0, 1), (1, 1)])];
    let mixed = vec![qv(&[(2, 3), (1, 3)]), qv(&[(1, 3), (2, 3)])];
    assert_all_equilibria(&g, vec![pure0.clone(), pure1.clone(), mixed.clone()]);
    let sol = support_enumeration(&g).unwrap();
    let mixed_eq = sol
        .equilibria
        .iter()
        .find(|e| e.strategies == mixed)
        .unwrap();
    assert_eq!(mixed_eq.payoffs, vec![q(2, 3), q(2, 3)]);
    // Shapley (1974): Lemke–Howson paths from the artificial equilibrium end
    // at equilibria of the opposite index; the mixed equilibrium of a 2×2
    // coordination game has the artificial one's index and is never found.
    let mut lh = profiles(&lemke_howson_all(&g).unwrap());
    lh.sort();
    let mut pure = vec![pure0, pure1];
    pure.sort();
    assert_eq!(lh, pure);
}

#[test]
fn two_by_two_coordination_has_three_equilibria() {
    // Pure coordination with unequal rewards: (0,0), (1,1) and the mixed
    // x = y = (1/3, 2/3) (each makes the other indifferent: 2x0 = x1).
    let a = rows(&[&[2, 0], &[0, 1]]);
    let g = bimatrix(&a, &a);
    let e = |x: &[(i64, i64)]| vec![qv(x), qv(x)];
    assert_all_equilibria(
        &g,
        vec![
            e(&[(1, 1), (0, 1)]),
            e(&[(0, 1), (1, 1)]),
            e(&[(1, 3), (2, 3)]),
        ],
    );
}

#[test]
fn three_by_three_coordination_has_seven_equilibria() {
    // The identity coordination game: one equilibrium per nonempty support S,
    // x = y = uniform on S, so 2^3 − 1 = 7 (the classic example of an n×n
    // game with 2^n − 1 equilibria, e.g. in von Stengel 2007, *Algorithmic
    // Game Theory* ch. 3).
    let id = rows(&[&[1, 0, 0], &[0, 1, 0], &[0, 0, 1]]);
    let g = bimatrix(&id, &id);
    let mut expected = Vec::new();
    for mask in 1u32..8 {
        let k = mask.count_ones() as i64;
        let s: Vec<Q> = (0..3)
            .map(|i| if mask & (1 << i) != 0 { q(1, k) } else { qi(0) })
            .collect();
        expected.push(vec![s.clone(), s]);
    }
    assert_all_equilibria(&g, expected);
    for e in support_enumeration(&g).unwrap().equilibria {
        let k = e.strategies[0].iter().filter(|p| p.is_positive()).count() as i64;
        assert_eq!(e.payoffs, vec![q(1, k), q(1, k)]);
    }
}

#[test]
fn rock_paper_scissors() {
    // Unique equilibrium, uniform, value 0.
    let rps = rows(&[&[0, -1, 1], &[1, 0, -1], &[-1, 1, 0]]);
    let g = zero_sum(&rps);
    let third = qv(&[(1, 3), (1, 3), (1, 3)]);
    assert_all_equilibria(&g, vec![vec![third.clone(), third.clone()]]);
    let s = solve_zero_sum(&g).unwrap();
    assert_eq!((s.value, s.row, s.column), (qi(0), third.clone(), third));
}

#[test]
fn weighted_rock_paper_scissors() {
    // Rock beats scissors for 2 (instead of 1). The game is symmetric
    // zero-sum, so its value is 0 and x = y; x·A >= 0 forces
    // x_P = 2 x_S = 2 x_R, i.e. (1/4, 1/2, 1/4), uniquely.
    let a = rows(&[&[0, -1, 2], &[1, 0, -1], &[-2, 1, 0]]);
    let g = zero_sum(&a);
    let x = qv(&[(1, 4), (1, 2), (1, 4)]);
    assert_all_equilibria(&g, vec![vec![x.clone(), x.clone()]]);
    let s = solve_zero_sum(&g).unwrap();
    assert_eq!((s.value, s.row, s.column), (qi(0), x.clone(), x));
}

#[test]
fn zero_sum_values() {
    // 2×2 without saddle point: value (ad − bc)/(a + d − b − c) (Owen 1995,
    // *Game Theory*, §II.4): [[2, −1], [−1, 1]] has value 1/5.
    let s = solve_zero_sum(&zero_sum(&rows(&[&[2, -1], &[-1, 1]]))).unwrap();
    assert_eq!(s.value, q(1, 5));
    assert_eq!(s.row, qv(&[(2, 5), (3, 5)]));
    assert_eq!(s.column, qv(&[(2, 5), (3, 5)]));

    // Ferguson, *Game Theory*, Part II §1.1, "Odd or Even": value 1/12,
    // optimal (7/12, 5/12) for both.
    let g = zero_sum(&rows(&[&[-2, 3], &[3, -4]]));
    let s = solve_zero_sum(&g).unwrap();
    assert_eq!(s.value, q(1, 12));
    assert_eq!(s.row, qv(&[(7, 12), (5, 12)]));
    assert_eq!(s.column, qv(&[(7, 12), (5, 12)]));
    let sol = support_enumeration(&g).unwrap();
    assert_eq!(sol.equilibria.len(), 1);
    assert_eq!(sol.equilibria[0].payoffs, vec![q(1, 12), q(-1, 12)]);

    // A saddle point: value is the entry 3 at (1, 0).
    let s = solve_zero_sum(&zero_sum(&rows(&[&[1, 0], &[3, 4]]))).unwrap();
    assert_eq!(s.value, qi(3));
    assert_eq!(s.row, qv(&[(0, 1), (1, 1)]));
    assert_eq!(s.column, qv(&[(1, 1), (0, 1)]));
}

/// Two-finger Morra: strategies (show, guess) ∈ {(1,1), (1,2), (2,1), (2,2)};
/// a player who alone guesses the other's fingers wins the total shown.
fn morra() -> Vec<Vec<i64>> {
    let strategies = [(1, 1), (1, 2), (2, 1), (2, 2)];
    strategies
        .iter()
        .map(|&(s1, g1)| {
            strategies
                .iter()
                .map(|&(s2, g2)| match (g1 == s2, g2 == s1) {
                    (true, false) => s1 + s2,
                    (false, true) => -(s1 + s2),
                    _ => 0,
                })
                .collect()
        })
        .collect()
}

#[test]
fn two_finger_morra() {
    // Value 0 (symmetric); the optimal strategies are exactly
    // p·(1,2) + (1−p)·(2,1) with 4/7 <= p <= 3/5 (against (1,1) the mix
    // earns 3 − 5p, against (2,2) it earns 7p − 4, against the others 0).
    let g = zero_sum(&morra());
    let s = solve_zero_sum(&g).unwrap();
    assert_eq!(s.value, qi(0));
    for x in [&s.row, &s.column] {
        assert!(x[0].is_zero() && x[3].is_zero(), "{x:?}");
        assert!(x[1] >= q(4, 7) && x[1] <= q(3, 5), "{x:?}");
    }
    // The equilibria form the product of two segments, a degenerate game
    // whose extreme equilibria are the four pairs of endpoints.
    let ends = [
        qv(&[(0, 1), (4, 7), (3, 7), (0, 1)]),
        qv(&[(0, 1), (3, 5), (2, 5), (0, 1)]),
    ];
    let mut expected = Vec::new();
    for x in &ends {
        for y in &ends {
            expected.push(vec![x.clone(), y.clone()]);
        }
    }
    expected.sort();
    let v = vertex_enumeration(&g).unwrap();
    assert!(v.degenerate);
    assert_valid(&g, &v.equilibria);
    assert_eq!(profiles(&v.equilibria), expected);
    let sup = support_enumeration(&g).unwrap();
    assert!(sup.degenerate);
    for e in &sup.equilibria {
        assert!(expected.contains(&e.strategies));
    }
    for e in lemke_howson_all(&g).unwrap() {
        assert!(expected.contains(&e.strategies), "{e:?}");
    }
}

#[test]
fn degenerate_three_by_two_game() {
    // The 3×2 example game of von Stengel (2007, *Algorithmic Game Theory*
    // ch. 3, §3.2–3.3; also Handbook of Game Theory 2002, ch. 45) with its
    // column-player payoff at (0, 1) raised from 2 to 3, which makes the pure
    // row strategy 0 have two best responses (a degenerate game; cf. §3.6).
    // By hand: row 0 is a best response to y iff y1 <= 1/3, and column
    // player is indifferent against row 0, so (e0, y) is an equilibrium for
    // every y with y1 in [0, 1/3]; the only other equilibrium is
    // ((0, 1/3, 2/3), (1/3, 2/3)). Extreme equilibria: three.
    let a = rows(&[&[3, 3], &[2, 5], &[0, 6]]);
    let b = rows(&[&[3, 3], &[2, 6], &[3, 1]]);
    let g = bimatrix(&a, &b);
    let e0 = qv(&[(1, 1), (0, 1), (0, 1)]);
    let mut expected = vec![
        vec![e0.clone(), qv(&[(1, 1), (0, 1)])],
        vec![e0.clone(), qv(&[(2, 3), (1, 3)])],
        vec![qv(&[(0, 1), (1, 3), (2, 3)]), qv(&[(1, 3), (2, 3)])],
    ];
    expected.sort();
    let v = vertex_enumeration(&g).unwrap();
    assert!(v.degenerate);
    assert_valid(&g, &v.equilibria);
    assert_eq!(profiles(&v.equilibria), expected);
    // Support enumeration detects the degeneracy and returns the extreme
    // equilibria with equal-size supports: all but (e0, (2/3, 1/3)).
    let s = support_enumeration(&g).unwrap();
    assert!(s.degenerate);
    let mut equal_size = expected.clone();
    equal_size.retain(|e| e[1] != qv(&[(2, 3), (1, 3)]));
    assert_eq!(profiles(&s.equilibria), equal_size);
    for label in 0..5 {
        let e = lemke_howson(&g, label).unwrap();
        assert!(expected.contains(&e.strategies), "label {label}: {e:?}");
        let x = lemke_howson_exact(&g, label).unwrap();
        assert!(expected.contains(&x.equilibrium.strategies));
    }
}

#[test]
fn degenerate_game_with_an_indifferent_player() {
    // Column player indifferent everywhere; row player matches. Equilibria:
    // (e0, y) with y0 >= 1/2, (e1, y) with y0 <= 1/2, and (x, (1/2, 1/2)) for
    // every x: three segments with four extreme points.
    let g = bimatrix(&rows(&[&[1, 0], &[0, 1]]), &rows(&[&[0, 0], &[0, 0]]));
    let (e0, e1, h) = (
        qv(&[(1, 1), (0, 1)]),
        qv(&[(0, 1), (1, 1)]),
        qv(&[(1, 2), (1, 2)]),
    );
    let mut expected = vec![
        vec![e0.clone(), e0.clone()],
        vec![e0.clone(), h.clone()],
        vec![e1.clone(), e1.clone()],
        vec![e1.clone(), h.clone()],
    ];
    expected.sort();
    let v = vertex_enumeration(&g).unwrap();
    assert!(v.degenerate);
    assert_eq!(profiles(&v.equilibria), expected);
    let s = support_enumeration(&g).unwrap();
    assert!(s.degenerate);
    for e in &s.equilibria {
        assert!(expected.contains(&e.strategies));
    }
}

#[test]
fn all_zero_game() {
    // Every profile is an equilibrium; extreme ones are the 4 pure profiles.
    let z = rows(&[&[0, 0], &[0, 0]]);
    let g = bimatrix(&z, &z);
    let v = vertex_enumeration(&g).unwrap();
    assert!(v.degenerate);
    assert_eq!(v.equilibria.len(), 4);
    assert_valid(&g, &v.equilibria);
    assert!(support_enumeration(&g).unwrap().degenerate);
    let e = lemke_howson(&g, 0).unwrap();
    assert_eq!(max_regret(&g, &e.strategies).unwrap(), Q::zero());
}

/// A 6×6 game with a long Lemke–Howson path (113 pivots from label 4),
/// found by hill-climbing on random games with payoffs 0..99 to maximize the
/// longest path. Hard instances with exponentially long paths exist
/// (Savani & von Stengel 2006, "Hard-to-solve bimatrix games",
/// *Econometrica* 74); this one is a regression instance, cross-checked three
/// ways: the floating-point-guided and the exact pivoting runs agree pivot
/// for pivot count and end point, every end point is exactly an equilibrium,
/// and every end point is one of the equilibria found by both enumerations.
#[test]
fn long_lemke_howson_paths() {
    let a = rows(&[
        &[55, 3, 8, 94, 74, 91],
        &[84, 6, 91, 54, 70, 53],
        &[49, 79, 42, 47, 79, 3],
        &[67, 35, 45, 7, 80, 72],
        &[78, 35, 30, 40, 13, 22],
        &[85, 50, 4, 39, 6, 86],
    ]);
    let b = rows(&[
        &[48, 45, 5, 65, 46, 17],
        &[50, 63, 88, 90, 1, 75],
        &[2, 79, 74, 92, 59, 75],
        &[45, 60, 73, 71, 68, 88],
        &[90, 59, 45, 23, 94, 28],
        &[54, 62, 73, 48, 20, 85],
    ]);
    let g = bimatrix(&a, &b);
    let all = support_enumeration(&g).unwrap();
    assert!(!all.degenerate);
    assert_eq!(all, vertex_enumeration(&g).unwrap());
    let mut lengths = Vec::new();
    for label in 0..12 {
        let fast = lemke_howson_path(&g, label).unwrap();
        let exact = lemke_howson_exact(&g, label).unwrap();
        assert_eq!(fast, exact, "label {label}");
        assert!(all.equilibria.contains(&fast.equilibrium));
        lengths.push(fast.pivots);
    }
    assert_eq!(lengths, [2, 3, 3, 5, 113, 5, 15, 5, 5, 2, 11, 3]);
}

#[test]
fn errors() {
    let three = NormalFormGame::new(vec![1, 1, 1], vec![qi(0); 3]).unwrap();
    for r in [
        support_enumeration(&three).map(|_| ()),
        vertex_enumeration(&three).map(|_| ()),
        lemke_howson(&three, 0).map(|_| ()),
        solve_zero_sum(&three).map(|_| ()),
    ] {
        assert!(matches!(r, Err(SolveError::Unsupported(_))), "{r:?}");
    }
    let bos = bimatrix(&rows(&[&[2, 0], &[0, 1]]), &rows(&[&[1, 0], &[0, 2]]));
    assert!(matches!(
        solve_zero_sum(&bos),
        Err(SolveError::Unsupported(_))
    ));
    assert!(matches!(
        lemke_howson(&bos, 4),
        Err(SolveError::InvalidArgument(_))
    ));
    assert!(matches!(
        lemke_howson_exact(&bos, 99),
        Err(SolveError::InvalidArgument(_))
    ));
}

#[test]
fn f64_games_convert_exactly() {
    let f = NormalFormGame::new(vec![2, 2], vec![2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0]).unwrap();
    let g = game_to_exact(&f).unwrap();
    assert_eq!(support_enumeration(&g).unwrap().equilibria.len(), 3);
    let f = NormalFormGame::new(vec![1, 2], vec![0.1, 0.0, 0.25, 0.0]).unwrap();
    let g = game_to_exact(&f).unwrap();
    // 0.1 is not 1/10 in binary; the conversion keeps the exact double.
    assert_ne!(*g.payoff(&[0, 0], 0), q(1, 10));
    assert_eq!(*g.payoff(&[0, 1], 0), q(1, 4));
    let f = NormalFormGame::new(vec![1, 1], vec![f64::INFINITY, 0.0]).unwrap();
    assert!(matches!(
        game_to_exact(&f),
        Err(SolveError::InvalidArgument(_))
    ));
}

#[test]
fn unbalanced_shapes() {
    // 1×n and m×1 games: best responses only.
    let g = bimatrix(&rows(&[&[1, 2, 3]]), &rows(&[&[3, 1, 2]]));
    let s = support_enumeration(&g).unwrap();
    assert_eq!(
        profiles(&s.equilibria),
        vec![vec![qv(&[(1, 1)]), qv(&[(1, 1), (0, 1), (0, 1)])]]
    );
    assert_eq!(s, vertex_enumeration(&g).unwrap());
    // A 2×7 game has equilibria with supports of size at most 2.
    let a = rows(&[&[3, 0, 2, 1, 5, 0, 1], &[0, 4, 1, 2, 0, 6, 1]]);
    let b = rows(&[&[1, 3, 2, 0, 2, 1, 0], &[4, 0, 3, 2, 1, 2, 3]]);
    let g = bimatrix(&a, &b);
    let s = support_enumeration(&g).unwrap();
    let v = vertex_enumeration(&g).unwrap();
    assert_valid(&g, &v.equilibria);
    if !v.degenerate {
        assert_eq!(s, v);
    }
}

// ---------------------------------------------------------------------------
// An independent reference: extreme equilibria by brute force over label sets.
// ---------------------------------------------------------------------------

/// Solves a square rational system by Gauss–Jordan elimination; None if
/// singular.
fn solve(mut m: Vec<Vec<Q>>, mut rhs: Vec<Q>) -> Option<Vec<Q>> {
    let n = m.len();
    for c in 0..n {
        let p = (c..n).find(|&r| !m[r][c].is_zero())?;
        m.swap(c, p);
        rhs.swap(c, p);
        for r in 0..n {
            if r != c && !m[r][c].is_zero() {
                let f = &m[r][c] / &m[c][c];
                let pivot_row = m[c].clone();
                for (v, pv) in m[r].iter_mut().zip(&pivot_row).skip(c) {
                    *v -= &f * pv;
                }
                let v = &f * &rhs[c];
                rhs[r] -= v;
            }
        }
    }
    Some((0..n).map(|i| &rhs[i] / &m[i][i]).collect())
}

/// Vertices (≠ 0) of `{z ≥ 0 : M z ≤ 1}` for a positive `M` (`k` rows, `d`
/// columns), each with its label set: coordinate labels `coord_label(j)` for
/// `z_j = 0` and row labels `row_label(i)` for tight rows. Found by trying
/// every set of `d` constraints.
fn brute_vertices(
    m: &[Vec<Q>],
    d: usize,
    coord_label: impl Fn(usize) -> usize,
    row_label: impl Fn(usize) -> usize,
) -> Vec<(Vec<Q>, u64)> {
    let k = m.len();
    let total = d + k;
    let mut out: Vec<(Vec<Q>, u64)> = Vec::new();
    for mask in 0u64..(1 << total) {
        if mask.count_ones() as usize != d {
            continue;
        }
        // Constraint c < d: z_c = 0; c >= d: row c − d tight.
        let mut mat = Vec::new();
        let mut rhs = Vec::new();
        for c in 0..total {
            if mask & (1 << c) == 0 {
                continue;
            }
            if c < d {
                let mut row = vec![qi(0); d];
                row[c] = qi(1);
                mat.push(row);
                rhs.push(qi(0));
            } else {
                mat.push(m[c - d].clone());
                rhs.push(qi(1));
            }
        }
        let Some(z) = solve(mat, rhs) else { continue };
        if z.iter().any(|v| v.is_negative()) || z.iter().all(|v| v.is_zero()) {
            continue;
        }
        let mut labels = 0u64;
        let mut feasible = true;
        for (j, v) in z.iter().enumerate() {
            if v.is_zero() {
                labels |= 1 << coord_label(j);
            }
        }
        for (i, row) in m.iter().enumerate() {
            let s: Q = row.iter().zip(&z).map(|(a, b)| a * b).sum();
            if s > qi(1) {
                feasible = false;
            } else if s == qi(1) {
                labels |= 1 << row_label(i);
            }
        }
        if feasible && !out.iter().any(|(p, _)| *p == z) {
            out.push((z, labels));
        }
    }
    out
}

/// All extreme equilibria (pairs of completely labelled vertices of the
/// best-response polytopes), by brute force.
fn brute_extreme_equilibria(game: &NormalFormGame<Q>) -> Vec<Vec<Vec<Q>>> {
    let (m, n) = (game.num_strategies(0), game.num_strategies(1));
    let shifted = |p: usize| -> Vec<Vec<Q>> {
        let min = (0..m * n)
            .map(|i| game.payoff_at(i, p).clone())
            .min()
            .unwrap();
        (0..m)
            .map(|i| {
                (0..n)
                    .map(|j| game.payoff(&[i, j], p) - &min + qi(1))
                    .collect()
            })
            .collect()
    };
    let (a, b) = (shifted(0), shifted(1));
    let bt: Vec<Vec<Q>> = (0..n)
        .map(|j| (0..m).map(|i| b[i][j].clone()).collect())
        .collect();
    // P: x ∈ R^m, labels i for x_i = 0, m + j for column j tight.
    let xs = brute_vertices(&bt, m, |i| i, |j| m + j);
    // Q: y ∈ R^n, labels m + j for y_j = 0, i for row i tight.
    let ys = brute_vertices(&a, n, |j| m + j, |i| i);
    let all = (1u64 << (m + n)) - 1;
    let normalize = |v: &[Q]| {
        let s: Q = v.iter().sum();
        v.iter().map(|x| x / &s).collect::<Vec<Q>>()
    };
    let mut out = Vec::new();
    for (x, lx) in &xs {
        for (y, ly) in &ys {
            if lx | ly == all {
                out.push(vec![normalize(x), normalize(y)]);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn brute_force_reference_on_known_games() {
    let id = rows(&[&[1, 0, 0], &[0, 1, 0], &[0, 0, 1]]);
    assert_eq!(brute_extreme_equilibria(&bimatrix(&id, &id)).len(), 7);
    let g = zero_sum(&morra());
    assert_eq!(
        brute_extreme_equilibria(&g),
        profiles(&vertex_enumeration(&g).unwrap().equilibria)
    );
}

fn arb_game(max_dim: usize, lo: i64, hi: i64) -> impl Strategy<Value = NormalFormGame<Q>> {
    (1..=max_dim, 1..=max_dim).prop_flat_map(move |(m, n)| {
        prop::collection::vec(lo..=hi, 2 * m * n).prop_map(move |v| {
            NormalFormGame::new(vec![m, n], v.into_iter().map(qi).collect()).unwrap()
        })
    })
}

fn arb_zero_sum(max_dim: usize) -> impl Strategy<Value = NormalFormGame<Q>> {
    (1..=max_dim, 1..=max_dim).prop_flat_map(|(m, n)| {
        prop::collection::vec(-6i64..=6, m * n).prop_map(move |v| {
            let a: Vec<Vec<i64>> = v.chunks(n).map(<[i64]>::to_vec).collect();
            zero_sum(&a)
        })
    })
}

fn check_consistency(g: &NormalFormGame<Q>, s: &TwoPlayerSolution<Q>, v: &TwoPlayerSolution<Q>) {
    assert_valid(g, &s.equilibria);
    assert_valid(g, &v.equilibria);
    // Both degeneracy tests are exact.
    assert_eq!(s.degenerate, v.degenerate);
    for e in &s.equilibria {
        assert!(v.equilibria.contains(e), "support eq not extreme: {e:?}");
    }
    if !s.degenerate {
        // Support enumeration's promise: without the flag, its list is the
        // set of all equilibria; these are then finitely many, hence all
        // extreme, so they are exactly vertex enumeration's list.
        assert_eq!(s.equilibria, v.equilibria);
    }
    if !v.degenerate {
        assert_eq!(s, v);
        // Nondegenerate games have an odd number of equilibria.
        assert_eq!(v.equilibria.len() % 2, 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Random games with a wide payoff range (nondegenerate with high
    /// probability): both enumerations agree, every equilibrium has regret
    /// exactly 0, and Lemke–Howson (fast and exact) lands in the set.
    #[test]
    fn random_games_agree(g in arb_game(5, -30, 30)) {
        let s = support_enumeration(&g).unwrap();
        let v = vertex_enumeration(&g).unwrap();
        check_consistency(&g, &s, &v);
        let m = g.num_strategies(0) + g.num_strategies(1);
        for label in 0..m {
            let fast = lemke_howson_path(&g, label).unwrap();
            prop_assert_eq!(max_regret(&g, &fast.equilibrium.strategies).unwrap(), Q::zero());
            prop_assert!(v.equilibria.contains(&fast.equilibrium));
            if !v.degenerate {
                let exact = lemke_howson_exact(&g, label).unwrap();
                prop_assert_eq!(&fast, &exact);
            }
        }
    }

    /// Small payoff ranges make degenerate games common: vertex enumeration
    /// must match the brute-force extreme equilibria exactly, and the other
    /// methods must stay consistent with it.
    #[test]
    fn degenerate_games_match_brute_force(g in arb_game(3, 0, 2)) {
        let s = support_enumeration(&g).unwrap();
        let v = vertex_enumeration(&g).unwrap();
        check_consistency(&g, &s, &v);
        prop_assert_eq!(profiles(&v.equilibria), brute_extreme_equilibria(&g));
        for e in lemke_howson_all(&g).unwrap() {
            prop_assert!(v.equilibria.contains(&e));
        }
        let m = g.num_strategies(0) + g.num_strategies(1);
        for label in 0..m {
            let exact = lemke_howson_exact(&g, label).unwrap();
            prop_assert!(v.equilibria.contains(&exact.equilibrium));
        }
    }

    /// 4×4 games with moderate ranges against the brute-force reference.
    #[test]
    fn four_by_four_match_brute_force(g in arb_game(4, -3, 3)) {
        let v = vertex_enumeration(&g).unwrap();
        prop_assert_eq!(profiles(&v.equilibria), brute_extreme_equilibria(&g));
    }

    /// Equilibria do not change under positive affine transformations of each
    /// player's payoffs; huge numerators and denominators force the
    /// arbitrary-precision fallbacks of every method.
    #[test]
    fn huge_affine_transformations_change_nothing(g in arb_game(4, -9, 9), k in 0i64..5) {
        let scale = [
            Q::new(10i64.pow(18).into(), 7.into()) * qi(1 + k) + q(1, 3),
            Q::new(3.into(), 10i64.pow(17).into()),
        ];
        let shift = [q(-5, 11) * qi(10i64.pow(15)), qi(k - 2)];
        let (m, n) = (g.num_strategies(0), g.num_strategies(1));
        let h = NormalFormGame::from_fn(vec![m, n], |s, p| {
            g.payoff(s, p) * &scale[p] + &shift[p]
        })
        .unwrap();
        let (vg, vh) = (vertex_enumeration(&g).unwrap(), vertex_enumeration(&h).unwrap());
        prop_assert_eq!(profiles(&vg.equilibria), profiles(&vh.equilibria));
        prop_assert_eq!(vg.degenerate, vh.degenerate);
        let (sg, sh) = (support_enumeration(&g).unwrap(), support_enumeration(&h).unwrap());
        prop_assert_eq!(profiles(&sg.equilibria), profiles(&sh.equilibria));
        for e in &sh.equilibria {
            prop_assert_eq!(max_regret(&h, &e.strategies).unwrap(), Q::zero());
        }
        for label in 0..m + n {
            let exact = lemke_howson_exact(&h, label).unwrap();
            prop_assert!(vh.equilibria.contains(&exact.equilibrium));
            // Without degeneracy the path is a combinatorial object of the
            // labelled polytopes, which the transformation does not change.
            // (With degeneracy, the lexicographic tie-breaking may differ.)
            if !vg.degenerate {
                let original = lemke_howson_exact(&g, label).unwrap();
                prop_assert_eq!(&original.equilibrium.strategies, &exact.equilibrium.strategies);
                prop_assert_eq!(original.pivots, exact.pivots);
            }
            let fast = lemke_howson(&h, label).unwrap();
            prop_assert!(vh.equilibria.contains(&fast));
        }
    }

    /// The LP value of a zero-sum game is every equilibrium's row payoff, and
    /// the LP strategies guarantee it.
    #[test]
    fn zero_sum_value_matches_equilibria(g in arb_zero_sum(5)) {
        let z = solve_zero_sum(&g).unwrap();
        let (m, n) = (g.num_strategies(0), g.num_strategies(1));
        for j in 0..n {
            let col: Q = (0..m).map(|i| &z.row[i] * g.payoff(&[i, j], 0)).sum();
            prop_assert!(col >= z.value);
        }
        for i in 0..m {
            let row: Q = (0..n).map(|j| &z.column[j] * g.payoff(&[i, j], 0)).sum();
            prop_assert!(row <= z.value);
        }
        let v = vertex_enumeration(&g).unwrap();
        for e in &v.equilibria {
            prop_assert_eq!(&e.payoffs[0], &z.value);
        }
        let s = support_enumeration(&g).unwrap();
        prop_assert!(!s.equilibria.is_empty() || s.degenerate);
        for e in &s.equilibria {
            prop_assert_eq!(&e.payoffs[0], &z.value);
        }
    }
}
