//! Property tests against independent brute-force reference implementations.
//!
//! Payoffs are small integers so ties are frequent; the references decode
//! profiles by their own arithmetic rather than through the crate's helpers.

use brink_solve::{
    NormalFormGame, PureNashSolver, best_responses, best_responses_to_mixed, expected_payoff,
    is_pure_nash, max_regret, pure_nash_equilibria, regret, strategy_payoffs_against_mixed,
};
use num_rational::Ratio;
use proptest::prelude::*;

type Q = Ratio<i64>;

/// Random shape (2-4 players, 1-4 strategies each) and payoffs in -3..=3.
fn small_game() -> impl Strategy<Value = NormalFormGame<i64>> {
    prop::collection::vec(1usize..=4, 2..=4).prop_flat_map(|counts| {
        let len = counts.iter().product::<usize>() * counts.len();
        prop::collection::vec(-3i64..=3, len)
            .prop_map(move |payoffs| NormalFormGame::new(counts.clone(), payoffs).unwrap())
    })
}

/// A game together with a random (unnormalized, then normalized) rational mixed
/// profile with some exact zeros.
fn game_and_mixed() -> impl Strategy<Value = (NormalFormGame<i64>, Vec<Vec<Q>>)> {
    small_game().prop_flat_map(|g| {
        let weights: Vec<_> = g
            .strategy_counts()
            .iter()
            .map(|&k| prop::collection::vec(0i64..=3, k))
            .collect();
        (Just(g), weights).prop_map(|(g, weights)| {
            let mixed = weights
                .into_iter()
                .map(|mut w| {
                    if w.iter().all(|&x| x == 0) {
                        w[0] = 1;
                    }
                    let total: i64 = w.iter().sum();
                    w.into_iter().map(|x| Q::new(x, total)).collect()
                })
                .collect();
            (g, mixed)
        })
    })
}

/// All profiles in lexicographic order, built by recursion (no index maths).
fn all_profiles(counts: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for &k in counts {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..k).map(move |s| {
                    let mut p = prefix.clone();
                    p.push(s);
                    p
                })
            })
            .collect();
    }
    out
}

/// Payoff lookup by linear search over the reference profile list.
fn reference_payoff(g: &NormalFormGame<i64>, profile: &[usize], player: usize) -> i64 {
    let profiles = all_profiles(g.strategy_counts());
    let index = profiles.iter().position(|p| p == profile).unwrap();
    g.payoffs()[index * g.num_players() + player]
}

/// Largest gain from a unilateral pure deviation at `profile` (0 if none).
fn reference_max_gain(g: &NormalFormGame<i64>, profile: &[usize]) -> i64 {
    let mut gain = 0;
    for player in 0..g.num_players() {
        let current = reference_payoff(g, profile, player);
        for t in 0..g.num_strategies(player) {
            let mut dev = profile.to_vec();
            dev[player] = t;
            gain = gain.max(reference_payoff(g, &dev, player) - current);
        }
    }
    gain
}

fn degenerate(g: &NormalFormGame<i64>, profile: &[usize]) -> Vec<Vec<Q>> {
    profile
        .iter()
        .enumerate()
        .map(|(p, &s)| {
            (0..g.num_strategies(p))
                .map(|t| Q::from(i64::from(t == s)))
                .collect()
        })
        .collect()
}

fn to_q(g: &NormalFormGame<i64>) -> NormalFormGame<Q> {
    g.map_payoffs(|&x| Q::from(x)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Reported profiles have no profitable deviation; unreported ones have one.
    #[test]
    fn pure_ne_matches_brute_force(g in small_game()) {
        let expected: Vec<Vec<usize>> = all_profiles(g.strategy_counts())
            .into_iter()
            .filter(|p| reference_max_gain(&g, p) == 0)
            .collect();
        prop_assert_eq!(pure_nash_equilibria(&g), expected.clone());
        for p in all_profiles(g.strategy_counts()) {
            prop_assert_eq!(is_pure_nash(&g, &p).unwrap(), expected.contains(&p));
        }
        // Same answer in f64 and in exact rationals.
        prop_assert_eq!(pure_nash_equilibria(&g.map_payoffs(|&x| x as f64).unwrap()), expected.clone());
        prop_assert_eq!(pure_nash_equilibria(&to_q(&g)), expected);
    }

    /// The reusable solver agrees with `pure_nash_equilibria`, also when reused
    /// across games of different shapes.
    #[test]
    fn solver_agrees_and_is_reusable(games in prop::collection::vec(small_game(), 1..4)) {
        let mut solver = PureNashSolver::new();
        for g in &games {
            let from_solver: Vec<Vec<usize>> = solver.solve(g).iter().map(|&i| g.profile(i)).collect();
            prop_assert_eq!(from_solver, pure_nash_equilibria(g));
            let indices = solver.equilibria().to_vec();
            prop_assert!(indices.windows(2).all(|w| w[0] < w[1]));
        }
    }

    /// Pure best responses are exactly the maximizers along the player's line,
    /// and a profile is an equilibrium iff everyone is best-responding.
    #[test]
    fn best_responses_match_brute_force(g in small_game(), pick in any::<prop::sample::Index>()) {
        let profiles = all_profiles(g.strategy_counts());
        let profile = &profiles[pick.index(profiles.len())];
        let mut all_best = true;
        for player in 0..g.num_players() {
            let values: Vec<i64> = (0..g.num_strategies(player))
                .map(|t| {
                    let mut dev = profile.clone();
                    dev[player] = t;
                    reference_payoff(&g, &dev, player)
                })
                .collect();
            let max = *values.iter().max().unwrap();
            let expected: Vec<usize> = (0..values.len()).filter(|&t| values[t] == max).collect();
            let got = best_responses(&g, player, profile).unwrap();
            all_best &= got.contains(&profile[player]);
            prop_assert_eq!(got, expected);
        }
        prop_assert_eq!(all_best, is_pure_nash(&g, profile).unwrap());
    }

    /// Degenerate mixed strategies reproduce pure payoffs, and max regret is
    /// the best deviation gain: zero exactly at pure equilibria.
    #[test]
    fn degenerate_mixed_profiles(g in small_game()) {
        let gq = to_q(&g);
        let gf = g.map_payoffs(|&x| x as f64).unwrap();
        for profile in all_profiles(g.strategy_counts()) {
            let mixed = degenerate(&g, &profile);
            let mixed_f: Vec<Vec<f64>> = mixed
                .iter()
                .map(|m| m.iter().map(|x| (*x.numer() as f64) / (*x.denom() as f64)).collect())
                .collect();
            for player in 0..g.num_players() {
                let u = reference_payoff(&g, &profile, player);
                prop_assert_eq!(expected_payoff(&gq, player, &mixed).unwrap(), Q::from(u));
                prop_assert_eq!(expected_payoff(&gf, player, &mixed_f).unwrap(), u as f64);
                let mixed_i: Vec<Vec<i64>> = mixed.iter().map(|m| m.iter().map(|x| x.to_integer()).collect()).collect();
                prop_assert_eq!(expected_payoff(&g, player, &mixed_i).unwrap(), u);
            }
            let gain = reference_max_gain(&g, &profile);
            let is_ne = pure_nash_equilibria(&g).contains(&profile);
            prop_assert_eq!(max_regret(&gq, &mixed).unwrap(), Q::from(gain));
            prop_assert_eq!(max_regret(&gf, &mixed_f).unwrap(), gain as f64);
            prop_assert_eq!(max_regret(&gq, &mixed).unwrap() == Q::from(0), is_ne);
        }
    }

    /// Mixed-strategy helpers agree with a direct sum over all profiles, and
    /// with each other (multilinearity), in exact arithmetic.
    #[test]
    fn mixed_helpers_match_brute_force((g, mixed) in game_and_mixed()) {
        let gq = to_q(&g);
        let profiles = all_profiles(g.strategy_counts());
        let prob = |p: &[usize], skip: Option<usize>| -> Q {
            p.iter()
                .enumerate()
                .filter(|(q, _)| Some(*q) != skip)
                .map(|(q, &s)| mixed[q][s])
                .product()
        };
        let mut worst = None::<Q>;
        for player in 0..g.num_players() {
            let expected_total: Q = profiles
                .iter()
                .map(|p| prob(p, None) * Q::from(reference_payoff(&g, p, player)))
                .sum();
            prop_assert_eq!(expected_payoff(&gq, player, &mixed).unwrap(), expected_total);

            let values: Vec<Q> = (0..g.num_strategies(player))
                .map(|t| {
                    profiles
                        .iter()
                        .filter(|p| p[player] == t)
                        .map(|p| prob(p, Some(player)) * Q::from(reference_payoff(&g, p, player)))
                        .sum()
                })
                .collect();
            prop_assert_eq!(strategy_payoffs_against_mixed(&gq, player, &mixed).unwrap(), values.clone());

            let max = values.iter().max().unwrap();
            let brs: Vec<usize> = (0..values.len()).filter(|&t| values[t] == *max).collect();
            prop_assert_eq!(best_responses_to_mixed(&gq, player, &mixed).unwrap(), brs);

            let r = *max - expected_total;
            prop_assert!(r >= Q::from(0));
            prop_assert_eq!(regret(&gq, player, &mixed).unwrap(), r);
            worst = Some(worst.map_or(r, |w| w.max(r)));
        }
        prop_assert_eq!(max_regret(&gq, &mixed).unwrap(), worst.unwrap());
    }

    /// `profile_index` / `write_profile` are inverse bijections onto
    /// lexicographic order.
    #[test]
    fn profile_indexing_is_lexicographic(g in small_game()) {
        let mut buf = vec![0; g.num_players()];
        for (i, p) in all_profiles(g.strategy_counts()).iter().enumerate() {
            prop_assert_eq!(g.profile_index(p), i);
            g.write_profile(i, &mut buf);
            prop_assert_eq!(&buf, p);
            for player in 0..g.num_players() {
                for t in 0..g.num_strategies(player) {
                    let mut dev = p.clone();
                    dev[player] = t;
                    prop_assert_eq!(g.deviation_index(i, player, t), g.profile_index(&dev));
                }
            }
        }
    }
}
