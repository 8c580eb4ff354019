//! Logit quantal response equilibrium: fixed points, closed forms, the
//! principal branch and its limit (McKelvey & Palfrey 1995; Turocy 2005).
//!
//! Two-player tables are `(row, column)` payoffs, row player = player 0,
//! strategy 0 first.

mod common;

use brink_solve::nplayer::{EnumOptions, enumerate_equilibria};
use brink_solve::qre::{
    LimitOptions, PathOptions, limiting_logit_equilibrium, logit_path, logit_qre,
    logit_qre_with_options,
};
use brink_solve::{NormalFormGame, SolveError, max_regret, strategy_payoffs_against_mixed};

fn bimatrix(t: [[(f64, f64); 2]; 2]) -> NormalFormGame<f64> {
    NormalFormGame::from_fn(vec![2, 2], |s, p| {
        let (a, b) = t[s[0]][s[1]];
        if p == 0 { a } else { b }
    })
    .unwrap()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}

/// Largest violation of the logit fixed point `σ_p(s) ∝ exp(λ u_p(s, σ_-p))`.
fn fixed_point_error(game: &NormalFormGame<f64>, lambda: f64, sigma: &[Vec<f64>]) -> f64 {
    let mut worst = 0.0f64;
    for p in 0..game.num_players() {
        let u = strategy_payoffs_against_mixed(game, p, sigma).unwrap();
        let top = u.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = u.iter().map(|x| libm::exp(lambda * (x - top))).collect();
        let total: f64 = e.iter().sum();
        for (s, es) in e.iter().enumerate() {
            worst = worst.max((sigma[p][s] - es / total).abs());
        }
    }
    worst
}

use common::cyclic_game;

#[test]
fn lambda_zero_is_the_centroid() {
    let g = NormalFormGame::from_fn(vec![2, 3, 4], |s, p| {
        (s[0] + 2 * s[1] + 3 * s[2] + p) as f64
    })
    .unwrap();
    let q = logit_qre(&g, 0.0).unwrap();
    assert_eq!(
        q.strategies,
        vec![vec![0.5; 2], vec![1.0 / 3.0; 3], vec![0.25; 4]]
    );
    // Tiny λ: still essentially uniform, and a fixed point.
    let q = logit_qre(&g, 1e-6).unwrap();
    assert!(fixed_point_error(&g, 1e-6, &q.strategies) < 1e-12);
}

// Matching pennies: by symmetry (1/2, 1/2) is the QRE for every λ.
#[test]
fn matching_pennies_stays_at_one_half() {
    let g = bimatrix([[(1., -1.), (-1., 1.)], [(-1., 1.), (1., -1.)]]);
    for lambda in [0.1, 1.0, 10.0, 100.0, 1e4] {
        let q = logit_qre(&g, lambda).unwrap();
        for p in 0..2 {
            assert!(
                (q.strategies[p][0] - 0.5).abs() < 1e-12,
                "λ={lambda}: {q:?}"
            );
        }
        assert!(q.payoffs[0].abs() < 1e-12);
    }
}

// Column's payoffs are constant, so column plays (1/2, 1/2) at every λ and
// row's QRE is explicit: u_row(0) = 4·1/2 + 0 = 2, u_row(1) = 1, so
// p = 1 / (1 + exp(−λ)).
#[test]
fn closed_form_when_the_column_player_is_indifferent() {
    let g = bimatrix([[(4., 7.), (0., 7.)], [(1., 7.), (1., 7.)]]);
    for lambda in [0.3, 1.0, 2.5, 7.0, 20.0] {
        let q = logit_qre(&g, lambda).unwrap();
        assert!((q.strategies[1][0] - 0.5).abs() < 1e-12);
        assert!(
            (q.strategies[0][0] - logistic(lambda)).abs() < 1e-12,
            "λ={lambda}: {} vs {}",
            q.strategies[0][0],
            logistic(lambda)
        );
    }
}

// Asymmetric 2×2 game: the QRE (p, q) solves p = σ(λ Δ_row(q)),
// q = σ(λ Δ_col(p)) with σ the logistic function and Δ the payoff gain of
// strategy 0 over 1:
//   Δ_row(q) = (3q + 0(1−q)) − (1q + 2(1−q)) = 4q − 2
//   Δ_col(p) = (1p + 3(1−p)) − (2p + 0(1−p)) = 3 − 4p
#[test]
fn two_by_two_fixed_point_equations_hold_to_1e10() {
    let g = bimatrix([[(3., 1.), (0., 2.)], [(1., 3.), (2., 0.)]]);
    for lambda in [0.5, 1.0, 3.0, 10.0, 50.0] {
        let s = logit_qre(&g, lambda).unwrap().strategies;
        let (p, q) = (s[0][0], s[1][0]);
        assert!(
            (p - logistic(lambda * (4.0 * q - 2.0))).abs() < 1e-10,
            "λ={lambda}"
        );
        assert!(
            (q - logistic(lambda * (3.0 - 4.0 * p))).abs() < 1e-10,
            "λ={lambda}"
        );
        assert!((s[0][0] + s[0][1] - 1.0).abs() < 1e-15);
    }
}

// Stag hunt (stag = 0, hare = 1):
//          S       H
//   S    (4,4)   (0,3)
//   H    (3,0)   (3,3)
// Both (S,S) and (H,H) are equilibria; (H,H) risk-dominates (Harsanyi &
// Selten 1988): the product of deviation losses is (3−0)² = 9 at (H,H)
// against (4−3)² = 1 at (S,S). On the symmetric principal branch
// p = σ(λ(4p − 3)) starts at 1/2 where stag is worse, so p decreases to 0:
// the limiting logit equilibrium is (H,H).
#[test]
fn stag_hunt_limit_selects_the_risk_dominant_hare() {
    let g = bimatrix([[(4., 4.), (0., 3.)], [(3., 0.), (3., 3.)]]);
    for lambda in [0.5, 2.0, 8.0] {
        let s = logit_qre(&g, lambda).unwrap().strategies;
        let p = s[0][0];
        assert!((p - s[1][0]).abs() < 1e-12, "branch is symmetric");
        assert!((p - logistic(lambda * (4.0 * p - 3.0))).abs() < 1e-10);
        assert!(p < 0.5);
    }
    let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
    assert_eq!(lim.strategies, vec![vec![0.0, 1.0], vec![0.0, 1.0]]);
    assert_eq!(lim.payoffs, vec![3.0, 3.0]);
}

// The mirror case: with (S,S) = (5,5), (S,H) = (0,1), (H,S) = (1,0),
// (H,H) = (2,2), stag risk-dominates ((5−1)² = 16 > (2−0)² = 4) and the
// limit is (S,S). Guards against a solver that always picks the last
// strategy.
#[test]
fn stag_hunt_limit_selects_stag_when_stag_is_risk_dominant() {
    let g = bimatrix([[(5., 5.), (0., 1.)], [(1., 0.), (2., 2.)]]);
    let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
    assert_eq!(lim.strategies, vec![vec![1.0, 0.0], vec![1.0, 0.0]]);
}

// Matching pennies' limit is its unique, mixed equilibrium.
#[test]
fn matching_pennies_limit_is_the_mixed_equilibrium() {
    let g = bimatrix([[(1., -1.), (-1., 1.)], [(-1., 1.), (1., -1.)]]);
    let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
    for p in 0..2 {
        assert!((lim.strategies[p][0] - 0.5).abs() < 1e-12);
    }
}

// A game with a mixed limit: the battle-of-the-sexes-like game
//          0       1
//   0    (3,1)   (0,2)
//   1    (1,3)   (2,0)
// has a unique equilibrium (no pure one: check each cell), mixed with
// row indifferent when 3q = q + 2(1−q), q = 1/2, and column indifferent
// when p + 3(1−p) = 2p, p = 3/4.
#[test]
fn mixed_limit_is_refined_to_the_exact_equilibrium() {
    let g = bimatrix([[(3., 1.), (0., 2.)], [(1., 3.), (2., 0.)]]);
    let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
    assert!((lim.strategies[0][0] - 0.75).abs() < 1e-14, "{lim:?}");
    assert!((lim.strategies[1][0] - 0.5).abs() < 1e-14, "{lim:?}");
    assert!(max_regret(&g, &lim.strategies).unwrap() < 1e-14);
}

#[test]
fn three_player_qre_and_limit() {
    let g = cyclic_game();
    for lambda in [0.5, 2.0, 10.0, 60.0] {
        let q = logit_qre(&g, lambda).unwrap();
        assert!(
            fixed_point_error(&g, lambda, &q.strategies) < 1e-10,
            "λ={lambda}: {q:?}"
        );
    }
    let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
    assert!(max_regret(&g, &lim.strategies).unwrap() <= 1e-12);
    // It is one of the nine equilibria found by support enumeration.
    let all = enumerate_equilibria(&g, &EnumOptions::default()).unwrap();
    assert_eq!(all.len(), 9);
    assert!(all.iter().any(|e| {
        e.strategies
            .iter()
            .flatten()
            .zip(lim.strategies.iter().flatten())
            .all(|(a, b)| (a - b).abs() < 1e-9)
    }));
}

#[test]
fn path_starts_at_the_centroid_and_ends_at_lambda_max() {
    let g = cyclic_game();
    let path = logit_path(&g, 25.0, &PathOptions::default()).unwrap();
    assert!(path.len() > 5);
    assert_eq!(path[0].lambda, 0.0);
    assert_eq!(path[0].strategies, vec![vec![0.5; 2]; 3]);
    let last = path.last().unwrap();
    assert_eq!(last.lambda, 25.0);
    let direct = logit_qre(&g, 25.0).unwrap();
    for (a, b) in last
        .strategies
        .iter()
        .flatten()
        .zip(direct.strategies.iter().flatten())
    {
        assert!((a - b).abs() < 1e-12);
    }
    for point in &path {
        assert!(
            fixed_point_error(&g, point.lambda, &point.strategies) < 1e-8,
            "λ={}",
            point.lambda
        );
    }
}

#[test]
fn options_change_the_steps_not_the_answer() {
    let g = cyclic_game();
    let fine = PathOptions {
        first_step: 0.01,
        max_accel: 1.1,
        ..PathOptions::default()
    };
    let a = logit_qre_with_options(&g, 12.0, &fine).unwrap();
    let b = logit_qre(&g, 12.0).unwrap();
    for (x, y) in a
        .strategies
        .iter()
        .flatten()
        .zip(b.strategies.iter().flatten())
    {
        assert!((x - y).abs() < 1e-12);
    }
    let coarse = logit_path(&g, 12.0, &PathOptions::default()).unwrap();
    let finer = logit_path(&g, 12.0, &fine).unwrap();
    assert!(finer.len() > coarse.len());
}

#[test]
fn invalid_arguments_are_rejected() {
    let g = bimatrix([[(1., 0.), (0., 1.)], [(0., 1.), (1., 0.)]]);
    assert!(matches!(
        logit_qre(&g, -1.0),
        Err(SolveError::InvalidArgument(_))
    ));
    assert!(matches!(
        logit_qre(&g, f64::NAN),
        Err(SolveError::InvalidArgument(_))
    ));
    assert!(matches!(
        logit_qre(&g, f64::INFINITY),
        Err(SolveError::InvalidArgument(_))
    ));
    let bad = PathOptions {
        max_accel: 1.0,
        ..PathOptions::default()
    };
    assert!(matches!(
        logit_path(&g, 1.0, &bad),
        Err(SolveError::InvalidArgument(_))
    ));
    let inf = NormalFormGame::new(vec![2, 1], vec![f64::INFINITY, 0.0, 0.0, 0.0]).unwrap();
    assert!(matches!(
        logit_qre(&inf, 1.0),
        Err(SolveError::InvalidArgument(_))
    ));
}

// All payoffs equal: every profile is an equilibrium and the branch never
// leaves the centroid.
#[test]
fn constant_game_limit_is_the_centroid() {
    let g = NormalFormGame::new(vec![2, 3], vec![1.0; 12]).unwrap();
    let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
    assert_eq!(lim.strategies, vec![vec![0.5; 2], vec![1.0 / 3.0; 3]]);
}

// A generic 3×3×3 game with pseudo-random payoffs: the limit is verified and
// is among the equilibria found by support enumeration.
#[test]
fn random_three_player_limit_is_an_enumerated_equilibrium() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..3 {
        let g = NormalFormGame::from_fn(vec![3, 3, 3], |_, _| next()).unwrap();
        let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
        assert!(max_regret(&g, &lim.strategies).unwrap() <= 1e-9);
        let all = enumerate_equilibria(&g, &EnumOptions::default()).unwrap();
        assert!(all.iter().any(|e| {
            e.strategies
                .iter()
                .flatten()
                .zip(lim.strategies.iter().flatten())
                .all(|(a, b)| (a - b).abs() < 1e-7)
        }));
    }
}

// Degenerate shapes: one player (a decision problem) and a player with a
// single strategy.
#[test]
fn one_player_and_single_strategy_players() {
    // One player, payoffs 1, 3, 2: QRE is the logit choice rule itself.
    let g = NormalFormGame::new(vec![3], vec![1.0, 3.0, 2.0]).unwrap();
    let lambda = 0.7;
    let q = logit_qre(&g, lambda).unwrap();
    let z: f64 = [1.0f64, 3.0, 2.0]
        .iter()
        .map(|u| libm::exp(lambda * u))
        .sum();
    for (s, u) in [1.0f64, 3.0, 2.0].iter().enumerate() {
        assert!((q.strategies[0][s] - libm::exp(lambda * u) / z).abs() < 1e-12);
    }
    let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
    assert_eq!(lim.strategies, vec![vec![0.0, 1.0, 0.0]]);
    // Player 1 has one strategy; player 0 faces payoffs 0 and 1.
    let g = NormalFormGame::new(vec![2, 1], vec![0.0, 5.0, 1.0, 5.0]).unwrap();
    let q = logit_qre(&g, 2.0).unwrap();
    assert!((q.strategies[0][1] - logistic(2.0)).abs() < 1e-12);
    assert_eq!(q.strategies[1], vec![1.0]);
    let lim = limiting_logit_equilibrium(&g, &LimitOptions::default()).unwrap();
    assert_eq!(lim.strategies, vec![vec![0.0, 1.0], vec![1.0]]);
}
