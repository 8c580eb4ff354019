//! Hand-checked pure and mixed equilibria of textbook games.
//!
//! Two-player tables below are written `(row payoff, column payoff)` with the
//! row player as player 0; the flat payoff vector lists profiles
//! (0,0), (0,1), (1,0), (1,1).

use brink_solve::{
    GameError, NormalFormGame, PureNashSolver, best_responses, best_responses_to_mixed,
    expected_payoff, is_pure_nash, max_regret, pure_nash_equilibria, regret,
    strategy_payoffs_against_mixed,
};
use num_rational::Ratio;

type Q = Ratio<i64>;

fn q(n: i64, d: i64) -> Q {
    Ratio::new(n, d)
}

/// 2x2 game from a row-major table of (row, column) payoffs.
fn bimatrix(t: [[(i64, i64); 2]; 2]) -> NormalFormGame<i64> {
    NormalFormGame::from_fn(vec![2, 2], |s, p| {
        let (a, b) = t[s[0]][s[1]];
        if p == 0 { a } else { b }
    })
    .unwrap()
}

/// Checks the solver, the allocation-free solver and `is_pure_nash` agree on
/// the expected set.
fn assert_pure_ne(game: &NormalFormGame<i64>, expected: &[&[usize]]) {
    let expected: Vec<Vec<usize>> = expected.iter().map(|p| p.to_vec()).collect();
    assert_eq!(pure_nash_equilibria(game), expected);
    let mut solver = PureNashSolver::new();
    let indices: Vec<usize> = expected.iter().map(|p| game.profile_index(p)).collect();
    assert_eq!(solver.solve(game), indices.as_slice());
    for i in 0..game.num_profiles() {
        let profile = game.profile(i);
        assert_eq!(
            is_pure_nash(game, &profile).unwrap(),
            expected.contains(&profile),
            "is_pure_nash disagrees at {profile:?}"
        );
    }
}

// Prisoner's dilemma, 0 = cooperate, 1 = defect:
//          C       D
//   C    (3,3)   (0,5)
//   D    (5,0)   (1,1)
// D strictly dominates C for both, so (D,D) is the only equilibrium.
#[test]
fn prisoners_dilemma_only_defect_defect() {
    let g = bimatrix([[(3, 3), (0, 5)], [(5, 0), (1, 1)]]);
    assert_pure_ne(&g, &[&[1, 1]]);
    assert_eq!(best_responses(&g, 0, &[0, 0]).unwrap(), vec![1]);
    assert_eq!(best_responses(&g, 1, &[0, 0]).unwrap(), vec![1]);
}

// Stag hunt, 0 = stag, 1 = hare:
//          S       H
//   S    (4,4)   (0,3)
//   H    (3,0)   (3,3)
// (S,S): deviating to H gives 3 < 4. (H,H): deviating to S gives 0 < 3.
// (S,H)/(H,S): the stag hunter gets 0 and gains 3 by switching.
#[test]
fn stag_hunt_two_equilibria() {
    let g = bimatrix([[(4, 4), (0, 3)], [(3, 0), (3, 3)]]);
    assert_pure_ne(&g, &[&[0, 0], &[1, 1]]);
}

// Chicken, 0 = swerve, 1 = straight:
//            Sw         St
//   Sw     (0,0)     (-1,1)
//   St     (1,-1)   (-10,-10)
// (Sw,Sw): either gains 1 by going straight. (St,St): either gains 9 by
// swerving. Asymmetric profiles: the swerver loses 9 by going straight, the
// other loses 1 by swerving.
#[test]
fn chicken_asymmetric_equilibria() {
    let g = bimatrix([[(0, 0), (-1, 1)], [(1, -1), (-10, -10)]]);
    assert_pure_ne(&g, &[&[0, 1], &[1, 0]]);
}

// Battle of the sexes, 0 = opera, 1 = football:
//          O       F
//   O    (3,2)   (0,0)
//   F    (0,0)   (2,3)
// Coordinated profiles are equilibria; miscoordination gives 0 and either
// player gains by matching.
#[test]
fn battle_of_the_sexes_two_equilibria() {
    let g = bimatrix([[(3, 2), (0, 0)], [(0, 0), (2, 3)]]);
    assert_pure_ne(&g, &[&[0, 0], &[1, 1]]);
}

// Matching pennies, 0 = heads, 1 = tails; row wins on a match:
//          H        T
//   H    (1,-1)  (-1,1)
//   T    (-1,1)  (1,-1)
// At every profile the loser gains 2 by switching: no pure equilibrium.
#[test]
fn matching_pennies_no_pure_equilibrium() {
    let g = bimatrix([[(1, -1), (-1, 1)], [(-1, 1), (1, -1)]]);
    assert_pure_ne(&g, &[]);
}

// 3-player majority game: each picks 0 or 1 and gets 1 if in the majority
// (at least two players chose the same), else 0. With 3 players and 2 choices
// each player is either in the majority or alone.
// Unanimous profiles: a deviator ends up alone (1 -> 0): equilibria.
// 2-1 splits: the lone player gains 1 by joining: not equilibria.
#[test]
fn three_player_majority_game() {
    let g = NormalFormGame::from_fn(vec![2, 2, 2], |s, p| {
        let same = s.iter().filter(|&&x| x == s[p]).count();
        i64::from(same >= 2)
    })
    .unwrap();
    assert_pure_ne(&g, &[&[0, 0, 0], &[1, 1, 1]]);
}

// 3-player minority game: 1 for being strictly alone, else 0.
// Unanimous: everyone gets 0 and gains 1 by leaving: not equilibria.
// 2-1 split, e.g. (0,0,1): player 2 has 1 (the max); players 0 and 1 get 0 and
// switching to 1 makes a (1,0,1) where they are again in the majority: 0, no
// gain. So all six 2-1 splits are equilibria.
#[test]
fn three_player_minority_game() {
    let g = NormalFormGame::from_fn(vec![2, 2, 2], |s, p| {
        let same = s.iter().filter(|&&x| x == s[p]).count();
        i64::from(same == 1)
    })
    .unwrap();
    assert_pure_ne(
        &g,
        &[
            &[0, 0, 1],
            &[0, 1, 0],
            &[0, 1, 1],
            &[1, 0, 0],
            &[1, 0, 1],
            &[1, 1, 0],
        ],
    );
}

// Asymmetric 2x3x2 game: player 0 wants to match player 2; player 1 gets its
// strategy index, except strategy 2 pays -1 if player 0 plays 1; player 2
// wants to play 1 iff player 1 plays 2.
// Player 1's best response: 2 if s0 = 0, else 1 (payoffs 0,1,-1).
// Player 2's best response: 1 iff s1 = 2, else 0.
// Player 0's best response: s2.
// s0=0 -> s1=2 -> s2=1 -> s0 should be 1: contradiction.
// s0=1 -> s1=1 -> s2=0 -> s0 should be 0: contradiction. No pure equilibrium.
#[test]
fn three_player_cycle_has_none() {
    let g = NormalFormGame::from_fn(vec![2, 3, 2], |s, p| match p {
        0 => i64::from(s[0] == s[2]),
        1 => {
            if s[1] == 2 && s[0] == 1 {
                -1
            } else {
                s[1] as i64
            }
        }
        _ => i64::from((s[2] == 1) == (s[1] == 2)),
    })
    .unwrap();
    assert_pure_ne(&g, &[]);
    // Changing player 0 to want to play 1 whatever happens breaks the cycle:
    // s0=1 -> s1=1 -> s2=0, and s0=1 is then a best response: one equilibrium.
    let h = NormalFormGame::from_fn(vec![2, 3, 2], |s, p| match p {
        0 => s[0] as i64,
        _ => *g.payoff(s, p),
    })
    .unwrap();
    assert_pure_ne(&h, &[&[1, 1, 0]]);
}

// Payoff ties (weak equilibria count):
//          L       R
//   U    (2,1)   (2,1)
//   D    (2,0)   (1,1)
// (U,L): row indifferent (2 vs 2), column indifferent (1 vs 1): equilibrium.
// (U,R): row 2 vs 1 for D; column 1 vs 1: equilibrium.
// (D,L): column gets 0 but 1 from R: not.  (D,R): row gets 1 but 2 from U: not.
#[test]
fn ties_give_weak_equilibria() {
    let g = bimatrix([[(2, 1), (2, 1)], [(2, 0), (1, 1)]]);
    assert_pure_ne(&g, &[&[0, 0], &[0, 1]]);
    assert_eq!(best_responses(&g, 0, &[0, 0]).unwrap(), vec![0, 1]);
    // A constant game: every profile is an equilibrium.
    let flat = NormalFormGame::new(vec![2, 3], vec![7; 12]).unwrap();
    let all: Vec<Vec<usize>> = (0..6).map(|i| flat.profile(i)).collect();
    let all: Vec<&[usize]> = all.iter().map(Vec::as_slice).collect();
    assert_pure_ne(&flat, &all);
}

// One player choosing among payoffs [1, 3, 3]: the equilibria are exactly the
// maximizers, strategies 1 and 2. With one strategy, that strategy.
#[test]
fn one_player_games() {
    let g = NormalFormGame::new(vec![3], vec![1, 3, 3]).unwrap();
    assert_pure_ne(&g, &[&[1], &[2]]);
    let single = NormalFormGame::new(vec![1], vec![-5]).unwrap();
    assert_pure_ne(&single, &[&[0]]);
    // A 1-player mixed strategy: regret is max minus the mixture.
    assert_eq!(
        regret(
            &g.map_payoffs(|&x| Q::from(x)).unwrap(),
            0,
            &[vec![q(1, 2), q(1, 2), q(0, 1)]]
        ),
        Ok(q(1, 1))
    );
}

// Players with a single strategy never deviate.
#[test]
fn players_with_one_strategy() {
    let g = NormalFormGame::from_fn(
        vec![1, 3, 1],
        |s, p| if p == 1 { s[1] as i64 % 2 } else { 0 },
    )
    .unwrap();
    assert_pure_ne(&g, &[&[0, 1, 0]]);
}

// Matching pennies mixed equilibrium (1/2, 1/2) each: everything earns 0, so
// regret 0. Row pure H against it: column's best response is T (earns 1).
#[test]
fn matching_pennies_mixed_exact() {
    let g = bimatrix([[(1, -1), (-1, 1)], [(-1, 1), (1, -1)]])
        .map_payoffs(|&x| Q::from(x))
        .unwrap();
    let half = vec![q(1, 2), q(1, 2)];
    let ne = [half.clone(), half.clone()];
    assert_eq!(max_regret(&g, &ne), Ok(q(0, 1)));
    assert_eq!(expected_payoff(&g, 0, &ne), Ok(q(0, 1)));
    assert_eq!(best_responses_to_mixed(&g, 0, &ne), Ok(vec![0, 1]));
    let heads = vec![q(1, 1), q(0, 1)];
    let off = [heads, half];
    assert_eq!(best_responses_to_mixed(&g, 1, &off), Ok(vec![1]));
    // Column at 50/50 earns 0, T would earn 1: regret 1; row is indifferent.
    assert_eq!(regret(&g, 1, &off), Ok(q(1, 1)));
    assert_eq!(regret(&g, 0, &off), Ok(q(0, 1)));
    assert_eq!(max_regret(&g, &off), Ok(q(1, 1)));
}

// Battle of the sexes mixed equilibrium. Row plays O with p so the column is
// indifferent: 2p = 3(1-p) -> p = 3/5. Column plays O with r so the row is
// indifferent: 3r = 2(1-r) -> r = 2/5. Both then earn 6/5.
#[test]
fn battle_of_the_sexes_mixed_exact() {
    let g = bimatrix([[(3, 2), (0, 0)], [(0, 0), (2, 3)]])
        .map_payoffs(|&x| Q::from(x))
        .unwrap();
    let ne = [vec![q(3, 5), q(2, 5)], vec![q(2, 5), q(3, 5)]];
    assert_eq!(
        strategy_payoffs_against_mixed(&g, 0, &ne),
        Ok(vec![q(6, 5), q(6, 5)])
    );
    assert_eq!(
        strategy_payoffs_against_mixed(&g, 1, &ne),
        Ok(vec![q(6, 5), q(6, 5)])
    );
    assert_eq!(expected_payoff(&g, 0, &ne), Ok(q(6, 5)));
    assert_eq!(expected_payoff(&g, 1, &ne), Ok(q(6, 5)));
    assert_eq!(max_regret(&g, &ne), Ok(q(0, 1)));
    // Perturb the row: column strictly prefers O when p > 3/5.
    let off = [vec![q(4, 5), q(1, 5)], vec![q(2, 5), q(3, 5)]];
    assert_eq!(best_responses_to_mixed(&g, 1, &off), Ok(vec![0]));
    // Column: O earns 2*4/5 = 8/5, mix earns 2/5*8/5 + 3/5*3/5 = 16/25 + 9/25 = 1;
    // regret 3/5. Row is still indifferent (regret 0).
    assert_eq!(max_regret(&g, &off), Ok(q(3, 5)));
}

// Majority game, both others play 0 with probability 1/3:
// player 0 choosing 0 is in the majority unless both others play 1:
// 1 - (2/3)^2 = 5/9; choosing 1: 1 - (1/3)^2 = 8/9.
#[test]
fn three_player_strategy_payoffs_exact() {
    let g = NormalFormGame::from_fn(vec![2, 2, 2], |s, p| {
        let same = s.iter().filter(|&&x| x == s[p]).count();
        Q::from(i64::from(same >= 2))
    })
    .unwrap();
    let m = vec![q(1, 3), q(2, 3)];
    let mixed = [m.clone(), m.clone(), m];
    assert_eq!(
        strategy_payoffs_against_mixed(&g, 0, &mixed),
        Ok(vec![q(5, 9), q(8, 9)])
    );
    // Expected payoff: 1/3 * 5/9 + 2/3 * 8/9 = 21/27 = 7/9; regret 8/9 - 7/9.
    assert_eq!(expected_payoff(&g, 0, &mixed), Ok(q(7, 9)));
    assert_eq!(max_regret(&g, &mixed), Ok(q(1, 9)));
}

// Stag hunt mixed equilibrium in f64: each plays S with 3/4 (4p = 3).
#[test]
fn stag_hunt_mixed_f64() {
    let g = bimatrix([[(4, 4), (0, 3)], [(3, 0), (3, 3)]])
        .map_payoffs(|&x| x as f64)
        .unwrap();
    let ne = [vec![0.75, 0.25], vec![0.75, 0.25]];
    assert!(max_regret(&g, &ne).unwrap().abs() < 1e-12);
    assert!((expected_payoff(&g, 0, &ne).unwrap() - 3.0).abs() < 1e-12);
    let off = [vec![0.5, 0.5], vec![0.5, 0.5]];
    // S earns 2, H earns 3, mix earns 2.5: regret 0.5.
    assert!((max_regret(&g, &off).unwrap() - 0.5).abs() < 1e-12);
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let g = bimatrix([[(1, 1), (0, 0)], [(0, 0), (1, 1)]]);
    assert!(matches!(
        is_pure_nash(&g, &[0, 2]),
        Err(GameError::StrategyOutOfRange { .. })
    ));
    assert!(matches!(
        best_responses(&g, 0, &[0]),
        Err(GameError::ProfileLength { .. })
    ));
    let no_players: Vec<Vec<i64>> = vec![];
    assert!(matches!(
        max_regret(&g, &no_players),
        Err(GameError::MixedProfileLength { .. })
    ));
}
