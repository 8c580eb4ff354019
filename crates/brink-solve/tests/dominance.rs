//! Iterated elimination of strictly dominated strategies: textbook examples
//! and properties (equilibria survive, recorded dominators really dominate,
//! the result does not depend on the elimination order).

use brink_solve::dominance::{
    DominanceResult, Dominator, Elimination, iterated_strict_dominance,
    iterated_strict_dominance_mixed, reduced_game,
};
use brink_solve::rational::{Q, q, qi};
use brink_solve::twoplayer::vertex_enumeration;
use brink_solve::{NormalFormGame, Payoff, pure_nash_equilibria};
use num_traits::{Signed, Zero};
use proptest::prelude::*;

fn bimatrix(a: &[&[i64]], b: &[&[i64]]) -> NormalFormGame<Q> {
    let (m, n) = (a.len(), a[0].len());
    NormalFormGame::from_fn(vec![m, n], |s, p| {
        qi(if p == 0 { a[s[0]][s[1]] } else { b[s[0]][s[1]] })
    })
    .unwrap()
}

fn elim(player: usize, strategy: usize, round: usize, dominator: Dominator) -> Elimination {
    Elimination {
        player,
        strategy,
        round,
        dominator,
    }
}

#[test]
fn prisoners_dilemma() {
    let pd = bimatrix(&[&[3, 0], &[5, 1]], &[&[3, 5], &[0, 1]]);
    for r in [
        iterated_strict_dominance(&pd),
        iterated_strict_dominance_mixed(&pd),
    ] {
        assert_eq!(r.surviving, vec![vec![1], vec![1]]);
        assert_eq!(
            r.eliminated,
            vec![
                elim(0, 0, 1, Dominator::Pure(1)),
                elim(1, 0, 1, Dominator::Pure(1))
            ]
        );
    }
}

/// Gibbons (1992), *A Primer in Game Theory*, §1.1.B (the Up/Down,
/// Left/Middle/Right example of iterated elimination): Right is
/// dominated by Middle; then Down by Up; then Left by Middle, leaving
/// (Up, Middle) after three rounds.
#[test]
fn gibbons_three_rounds() {
    let g = bimatrix(&[&[1, 1, 0], &[0, 0, 2]], &[&[0, 2, 1], &[3, 1, 0]]);
    let r = iterated_strict_dominance(&g);
    assert_eq!(r.surviving, vec![vec![0], vec![1]]);
    assert_eq!(
        r.eliminated,
        vec![
            elim(1, 2, 1, Dominator::Pure(1)),
            elim(0, 1, 2, Dominator::Pure(0)),
            elim(1, 0, 3, Dominator::Pure(1)),
        ]
    );
    assert_eq!(r.rounds(), 3);
    let reduced = reduced_game(&g, &r);
    assert_eq!(reduced.strategy_counts(), &[1, 1]);
    assert_eq!(reduced.payoffs(), &[qi(1), qi(2)]);
}

/// A strategy dominated only by a mixture, not by any pure strategy (the
/// standard example, e.g. Fudenberg & Tirole 1991, §2.1): row 2 earns (1, 1), rows 0 and 1
/// earn (3, 0) and (0, 3); the half-half mixture earns (3/2, 3/2). The
/// column player is indifferent.
#[test]
fn dominance_by_a_mixture_only() {
    let g = bimatrix(&[&[3, 0], &[0, 3], &[1, 1]], &[&[0, 0], &[0, 0], &[0, 0]]);
    let pure = iterated_strict_dominance(&g);
    assert_eq!(pure.surviving, vec![vec![0, 1, 2], vec![0, 1]]);
    assert!(pure.eliminated.is_empty());
    let mixed = iterated_strict_dominance_mixed(&g);
    assert_eq!(mixed.surviving, vec![vec![0, 1], vec![0, 1]]);
    assert_eq!(
        mixed.eliminated,
        vec![elim(
            0,
            2,
            1,
            Dominator::Mixed(vec![(0, q(1, 2)), (1, q(1, 2))])
        )]
    );
}

#[test]
fn mixed_dominance_enables_further_rounds() {
    // Column 2 (1, 1) is dominated by mixing columns 0 (3, 0) and 1 (0, 3).
    // Without it, row 1 (2, 2) dominates row 0 (1, 1); against row 1 alone,
    // column 1 (3) dominates column 0 (0).
    let g = bimatrix(&[&[1, 1, 5], &[2, 2, 0]], &[&[3, 0, 1], &[0, 3, 1]]);
    let r = iterated_strict_dominance_mixed(&g);
    assert_eq!(r.surviving, vec![vec![1], vec![1]]);
    assert_eq!(
        r.eliminated,
        vec![
            elim(1, 2, 1, Dominator::Mixed(vec![(0, q(1, 2)), (1, q(1, 2))])),
            elim(0, 0, 2, Dominator::Pure(1)),
            elim(1, 0, 3, Dominator::Pure(1)),
        ]
    );
    // Pure dominance alone removes nothing here.
    assert!(iterated_strict_dominance(&g).eliminated.is_empty());
}

#[test]
fn dominators_are_chosen_among_survivors_of_the_round() {
    // Against the single column, rows earn 0 < 1 < 2: rows 0 and 1 both go in
    // round 1, and both are recorded as dominated by row 2.
    let g = bimatrix(&[&[0], &[1], &[2]], &[&[0], &[0], &[0]]);
    for r in [
        iterated_strict_dominance(&g),
        iterated_strict_dominance_mixed(&g),
    ] {
        assert_eq!(r.surviving, vec![vec![2], vec![0]]);
        assert_eq!(
            r.eliminated,
            vec![
                elim(0, 0, 1, Dominator::Pure(2)),
                elim(0, 1, 1, Dominator::Pure(2))
            ]
        );
    }
}

#[test]
fn three_players_and_f64() {
    // Player 2's strategy 1 pays 1 less than strategy 0 everywhere; the
    // others are indifferent.
    let g = NormalFormGame::from_fn(vec![2, 2, 2], |s, p| {
        if p == 2 {
            (s[0] + s[1]) as f64 - s[2] as f64
        } else {
            0.0
        }
    })
    .unwrap();
    let r = iterated_strict_dominance(&g);
    assert_eq!(r.surviving, vec![vec![0, 1], vec![0, 1], vec![0]]);
    assert_eq!(r.eliminated, vec![elim(2, 1, 1, Dominator::Pure(0))]);
    // Ties never eliminate (weak dominance is not strict).
    let z = NormalFormGame::new(vec![2, 3], vec![0i64; 12]).unwrap();
    assert!(iterated_strict_dominance(&z).eliminated.is_empty());
}

/// Replays `result` and checks every recorded dominator strictly dominates
/// its strategy against the opponents' strategies surviving at the start of
/// its round; returns nothing, panics otherwise.
fn assert_dominators_valid(game: &NormalFormGame<Q>, result: &DominanceResult) {
    let n = game.num_players();
    let mut alive: Vec<Vec<usize>> = (0..n)
        .map(|p| (0..game.num_strategies(p)).collect())
        .collect();
    let mut round = 1;
    let mut pending: Vec<&Elimination> = Vec::new();
    let flush = |alive: &mut Vec<Vec<usize>>, pending: &mut Vec<&Elimination>| {
        for e in pending.drain(..) {
            alive[e.player].retain(|&s| s != e.strategy);
        }
    };
    for e in &result.eliminated {
        if e.round != round {
            assert_eq!(e.round, round + 1, "rounds are consecutive");
            flush(&mut alive, &mut pending);
            round = e.round;
        }
        let mix: Vec<(usize, Q)> = match &e.dominator {
            Dominator::Pure(t) => vec![(*t, qi(1))],
            Dominator::Mixed(v) => v.clone(),
        };
        let total: Q = mix.iter().map(|(_, p)| p.clone()).sum();
        assert_eq!(total, qi(1));
        // Every opponents' profile of the strategies alive this round.
        let mut profiles: Vec<Vec<usize>> = vec![vec![]];
        for (p, strategies) in alive.iter().enumerate() {
            let choices: Vec<usize> = if p == e.player {
                vec![0]
            } else {
                strategies.clone()
            };
            profiles = profiles
                .into_iter()
                .flat_map(|pre| {
                    choices.iter().map(move |&c| {
                        let mut v = pre.clone();
                        v.push(c);
                        v
                    })
                })
                .collect();
        }
        for mut prof in profiles {
            prof[e.player] = e.strategy;
            let own = game.payoff(&prof, e.player).clone();
            let mut dom = Q::zero();
            for (t, p) in &mix {
                assert!(p.is_positive());
                assert!(alive[e.player].contains(t) && *t != e.strategy);
                // The dominator survives the round.
                assert!(
                    !result.eliminated.iter().any(|x| {
                        x.round == e.round && x.player == e.player && x.strategy == *t
                    })
                );
                prof[e.player] = *t;
                dom += p * game.payoff(&prof, e.player);
            }
            assert!(dom > own, "{e:?} not dominated at {prof:?}");
        }
        pending.push(e);
    }
    flush(&mut alive, &mut pending);
    assert_eq!(alive, result.surviving);
}

/// Reference: eliminate one pure-dominated strategy at a time (lowest player,
/// then lowest strategy first) until none is left.
fn sequential_pure<T: Payoff>(game: &NormalFormGame<T>) -> Vec<Vec<usize>> {
    let n = game.num_players();
    let mut alive: Vec<Vec<usize>> = (0..n)
        .map(|p| (0..game.num_strategies(p)).collect())
        .collect();
    'outer: loop {
        for p in 0..n {
            for &s in &alive[p] {
                for &t in &alive[p] {
                    if t == s {
                        continue;
                    }
                    // All opponents' profiles (brute force over the full
                    // profile list, filtered to alive strategies).
                    let dominated = (0..game.num_profiles())
                        .map(|i| game.profile(i))
                        .filter(|prof| (0..n).all(|q| alive[q].contains(&prof[q])) && prof[p] == s)
                        .all(|prof| {
                            let mut other = prof.clone();
                            other[p] = t;
                            game.payoff(&other, p) > game.payoff(&prof, p)
                        });
                    if dominated {
                        alive[p].retain(|&x| x != s);
                        continue 'outer;
                    }
                }
            }
        }
        return alive;
    }
}

fn arb_game(
    players: usize,
    max_k: usize,
    lo: i64,
    hi: i64,
) -> impl Strategy<Value = NormalFormGame<Q>> {
    prop::collection::vec(1..=max_k, players).prop_flat_map(move |counts| {
        let len = counts.iter().product::<usize>() * counts.len();
        prop::collection::vec(lo..=hi, len).prop_map(move |v| {
            NormalFormGame::new(counts.clone(), v.into_iter().map(qi).collect()).unwrap()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Two players: every extreme equilibrium is supported on surviving
    /// strategies (strictly dominated strategies are never played), the
    /// recorded dominators are valid, pure elimination is order-independent,
    /// and mixed elimination removes at least as much as pure elimination.
    #[test]
    fn two_player_properties(g in arb_game(2, 4, -4, 4)) {
        let pure = iterated_strict_dominance(&g);
        let mixed = iterated_strict_dominance_mixed(&g);
        assert_dominators_valid(&g, &pure);
        assert_dominators_valid(&g, &mixed);
        prop_assert_eq!(&pure.surviving, &sequential_pure(&g));
        for p in 0..2 {
            for s in &mixed.surviving[p] {
                prop_assert!(pure.surviving[p].contains(s));
            }
        }
        for e in vertex_enumeration(&g).unwrap().equilibria {
            for p in 0..2 {
                for (s, prob) in e.strategies[p].iter().enumerate() {
                    if prob.is_positive() {
                        prop_assert!(mixed.surviving[p].contains(&s));
                    }
                }
            }
        }
        // The reduced game has nothing left to eliminate.
        let reduced = reduced_game(&g, &mixed);
        prop_assert!(iterated_strict_dominance_mixed(&reduced).eliminated.is_empty());
    }

    /// Three players: pure Nash equilibria survive, dominators are valid, and
    /// the result matches one-at-a-time elimination.
    #[test]
    fn three_player_properties(g in arb_game(3, 3, -3, 3)) {
        let pure = iterated_strict_dominance(&g);
        assert_dominators_valid(&g, &pure);
        prop_assert_eq!(&pure.surviving, &sequential_pure(&g));
        for ne in pure_nash_equilibria(&g) {
            for (p, s) in ne.iter().enumerate() {
                prop_assert!(pure.surviving[p].contains(s));
            }
        }
        let mixed = iterated_strict_dominance_mixed(&g);
        assert_dominators_valid(&g, &mixed);
        for ne in pure_nash_equilibria(&g) {
            for (p, s) in ne.iter().enumerate() {
                prop_assert!(mixed.surviving[p].contains(s));
            }
        }
    }
}
