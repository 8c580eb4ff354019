//! Forward-looking decisions (`decision.lookahead`) validated against backward
//! induction: finite perfect-information games written as scenarios, whose
//! subgame-perfect play the engine must reproduce exactly when every agent best-responds
//! and looks ahead at least as many rounds as remain. The references are independent:
//! brink-solve's backward induction on the game tree built here by hand, and the
//! closed form of alternating-offers bargaining.
//!
//! Alternating moves in the simultaneous-round engine: the agent whose turn it is not
//! has a `wait` action and its other actions carry a penalty in that round (and `wait`
//! carries one in its own turns), so a best responder's choice is always the move the
//! game allows; nothing else depends on the idle agent's choice. (Action masks will
//! express this directly.)

mod common;
use common::engine;

use brink_core::Engine;
use brink_solve::extensive::{ExtensiveGame, Tree, subgame_perfect_equilibria};

/// `if(round == 1, v1, if(round == 2, v2, ... else))`.
fn by_round(values: &[(u32, f64)], otherwise: f64) -> String {
    let mut f = format!("{otherwise:?}");
    for &(r, v) in values.iter().rev() {
        f = format!("if(round == {r}, {v:?}, {f})");
    }
    f
}

/// `(round == a or round == b ...)`, or `false` for no rounds.
fn rounds_in(rounds: &[u32]) -> String {
    if rounds.is_empty() {
        return "false".into();
    }
    let parts: Vec<String> = rounds.iter().map(|r| format!("round == {r}")).collect();
    format!("({})", parts.join(" or "))
}

/// A take-or-pass game of `t` rounds: `a` moves in odd rounds, `b` in even ones; the
/// mover at round `r` either takes, ending the game with payoffs `take[r-1]` (mover,
/// other), or passes; after round `t` the game ends with `end` (a, b).
fn centipede(take: &[(f64, f64)], end: (f64, f64), lookahead: u32) -> String {
    let t = take.len() as u32;
    let odd: Vec<u32> = (1..=t).filter(|r| r % 2 == 1).collect();
    let even: Vec<u32> = (1..=t).filter(|r| r % 2 == 0).collect();
    let pick = |rounds: &[u32], mover: bool| -> Vec<(u32, f64)> {
        rounds
            .iter()
            .map(|&r| {
                let (m, o) = take[r as usize - 1];
                (r, if mover { m } else { o })
            })
            .collect()
    };
    let agent = |name: &str, own: &[u32], other: &[u32], end: f64| {
        let (mine, theirs) = if name == "a" {
            ("a_takes", "b_takes")
        } else {
            ("b_takes", "a_takes")
        };
        format!(
            r#"
[[agents]]
name = "{name}"
actions = ["take", "pass", "wait"]
decision = {{ rule = "best_response", lookahead = {lookahead} }}
payoffs = {{ {mine} = "{}", {theirs} = "{}", nobody_takes = {end:?} }}

  [[agents.utility]]
  when = {{ {name} = ["take", "pass"] }}
  value = "if({}, 0, -10)"
  [[agents.utility]]
  when = {{ {name} = "wait" }}
  value = "if({}, -10, 0)"
"#,
            by_round(&pick(own, true), 0.0),
            by_round(&pick(other, false), 0.0),
            rounds_in(own),
            rounds_in(own),
        )
    };
    format!(
        r#"[scenario]
name = "centipede"
horizon = {t}
{}{}
[[outcomes]]
name = "a_takes"
when = "a.take and {}"

[[outcomes]]
name = "b_takes"
when = "b.take and {}"

[[outcomes]]
name = "nobody_takes"
at_horizon = true
"#,
        agent("a", &odd, &even, end.0),
        agent("b", &even, &odd, end.1),
        rounds_in(&odd),
        rounds_in(&even),
    )
}

/// The same game as a tree for brink-solve (player 0 = a).
fn centipede_tree(take: &[(f64, f64)], end: (f64, f64)) -> Tree<f64> {
    let mut tree = Tree::terminal(vec![end.0, end.1]);
    for (k, &(m, o)) in take.iter().enumerate().rev() {
        let mover = k % 2;
        let payoffs = if mover == 0 { vec![m, o] } else { vec![o, m] };
        tree = Tree::decision(
            mover,
            format!("node{}", k + 1),
            vec![("take", Tree::terminal(payoffs)), ("pass", tree)],
        );
    }
    tree
}

/// The subgame-perfect path of a perfect-information game: the labels chosen and the
/// payoffs reached. Asserts that the SPE is unique.
fn spe_path(tree: Tree<f64>, players: usize) -> (Vec<String>, Vec<f64>) {
    let names = (0..players).map(|p| format!("p{p}")).collect();
    let game = ExtensiveGame::from_tree(names, tree).expect("valid tree");
    let spe = subgame_perfect_equilibria(&game, 2).expect("perfect information");
    assert_eq!(spe.equilibria.len(), 1, "the test games have a unique SPE");
    let eq = &spe.equilibria[0];
    let mut path = Vec::new();
    let mut v = 0;
    while let Some(s) = game.nodes()[v].infoset {
        let a = eq.choices[s].expect("player node");
        path.push(game.infosets()[s].actions[a].clone());
        v = game.nodes()[v].children[a];
    }
    (path, game.path_payoffs(v))
}

/// A deterministic pseudo-random number in [0, 10) (SplitMix64).
fn rnd(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64 * 10.0
}

#[test]
fn centipede_play_is_the_subgame_perfect_path() {
    // The classic centipede (take at r: mover r + 1, other r - 1; both 6 at the end):
    // take at once. Then random take-or-pass games, whose SPE paths differ.
    let mut games = vec![(
        (1..=6)
            .map(|r| (f64::from(r) + 1.0, f64::from(r) - 1.0))
            .collect::<Vec<_>>(),
        (6.0, 6.0),
    )];
    let mut state = 7u64;
    for t in 2..=7 {
        for _ in 0..4 {
            let take: Vec<(f64, f64)> =
                (0..t).map(|_| (rnd(&mut state), rnd(&mut state))).collect();
            games.push((take, (rnd(&mut state), rnd(&mut state))));
        }
    }
    let mut first_takes = std::collections::BTreeSet::new();
    for (take, end) in &games {
        let t = take.len();
        let (path, payoffs) = spe_path(centipede_tree(take, *end), 2);
        let taken_at = path.iter().position(|a| a == "take");
        first_takes.insert(taken_at);
        let want = match taken_at {
            Some(k) if k % 2 == 0 => "a_takes",
            Some(_) => "b_takes",
            None => "nobody_takes",
        };
        let want_rounds = taken_at.map_or(t, |k| k + 1) as u32;
        let mut e = engine(&centipede(take, *end, t as u32));
        for run in 0..5 {
            let r = e.run(11, run).clone();
            let s = e.scenario();
            assert_eq!(s.outcomes[r.outcome].name, want, "game {take:?} {end:?}");
            assert_eq!(r.rounds, want_rounds, "game {take:?} {end:?}");
            // Payoffs: terminal payoffs only (no penalty is ever paid).
            assert_eq!(r.payoffs, payoffs, "game {take:?} {end:?}");
        }
    }
    // The random games exercise takes at different nodes and the end.
    assert!(first_takes.len() >= 4, "{first_takes:?}");
}

#[test]
fn centipede_myopic_play_is_not_subgame_perfect() {
    // Myopic agents see no terminal payoff: take and pass tie, so they mix, and the
    // classic centipede often runs past round 1.
    let take: Vec<(f64, f64)> = (1..=6)
        .map(|r| (f64::from(r) + 1.0, f64::from(r) - 1.0))
        .collect();
    let mut e = engine(&centipede(&take, (6.0, 6.0), 0));
    let late = (0..200).filter(|&i| e.run(3, i).rounds > 1).count();
    assert!(late > 50, "{late} of 200 runs went past round 1");
    let mut e = engine(&centipede(&take, (6.0, 6.0), 6));
    assert!((0..200).all(|i| e.run(3, i).rounds == 1));
}

/// Rounds (1-based) in which each player proposes and responds over `t` periods:
/// period `m` takes rounds `2m − 1` (proposal) and `2m` (response); player 1 proposes
/// in odd periods.
fn roles(t: u32) -> [[Vec<u32>; 2]; 2] {
    let mut r = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
    for m in 1..=t {
        let p = ((m + 1) % 2) as usize;
        r[p][0].push(2 * m - 1);
        r[1 - p][1].push(2 * m);
    }
    r
}

/// Finite-horizon alternating-offers bargaining (Ståhl 1972; Rubinstein 1982) over a
/// pie of 1 in `t` periods, demands on a grid of `1/g`, discount `delta` per period
/// (inside the payoffs), and a bonus `eps` for accepting (ties go to acceptance).
fn bargaining(t: u32, g: u32, delta: f64, eps: f64, lookahead: u32) -> String {
    bargaining_with(t, g, delta, eps, lookahead, false)
}

/// [`bargaining`], with the moves the game allows expressed by action masks
/// (`available`) instead of penalties when `masks` is set (`wait` stays always
/// available and is penalised in the agent's own turns).
fn bargaining_with(t: u32, g: u32, delta: f64, eps: f64, lookahead: u32, masks: bool) -> String {
    let roles = roles(t);
    let demands: Vec<String> = (0..=g).map(|k| format!("\"d{k}\"")).collect();
    let mut out = format!(
        "[scenario]\nname = \"bargaining\"\nhorizon = {}\n\n[state]\ndemand = 0.0\n",
        2 * t
    );
    for (p, name) in ["p1", "p2"].iter().enumerate() {
        let (proposes, responds) = (rounds_in(&roles[p][0]), rounds_in(&roles[p][1]));
        out += &format!(
            r#"
[[agents]]
name = "{name}"
actions = [{}, "accept", "reject", "wait"]
decision = {{ rule = "best_response", lookahead = {lookahead} }}
payoffs = {{ agree = "if({responds}, 1 - demand, demand) * {delta:?} ^ (round / 2 - 1)" }}
{}
  [[agents.utility]]
  when = {{ {name} = "wait" }}
  value = "if({proposes} or {responds}, -10, 0)"
  [[agents.utility]]
  when = {{ {name} = "accept" }}
  value = {eps:?}
"#,
            demands.join(", "),
            if masks {
                let mut av: Vec<String> =
                    (0..=g).map(|k| format!("d{k} = \"{proposes}\"")).collect();
                av.push(format!("accept = \"{responds}\""));
                av.push(format!("reject = \"{responds}\""));
                format!("available = {{ {} }}\n", av.join(", "))
            } else {
                format!(
                    r#"
  [[agents.utility]]
  when = {{ {name} = [{}] }}
  value = "if({proposes}, 0, -10)"
  [[agents.utility]]
  when = {{ {name} = ["accept", "reject"] }}
  value = "if({responds}, 0, -10)"
"#,
                    demands.join(", ")
                )
            },
        );
        for k in 0..=g {
            out += &format!(
                "\n[[effects]]\nwhen = \"{name}.d{k} and {proposes}\"\nset = {{ demand = {:?} }}\n",
                f64::from(k) / f64::from(g)
            );
        }
    }
    let accept: Vec<String> = ["p1", "p2"]
        .iter()
        .enumerate()
        .map(|(p, n)| format!("({n}.accept and {})", rounds_in(&roles[p][1])))
        .collect();
    out += &format!(
        "\n[[outcomes]]\nname = \"agree\"\nwhen = \"{}\"\n\n[[outcomes]]\nname = \"disagree\"\nat_horizon = true\n",
        accept.join(" or ")
    );
    out
}

/// The bargaining game as a tree for brink-solve.
fn bargaining_tree(t: u32, m: u32, g: u32, delta: f64, eps: f64, at: &str) -> Tree<f64> {
    if m > t {
        return Tree::terminal(vec![0.0, 0.0]);
    }
    let proposer = ((m + 1) % 2) as usize;
    let w = libm::pow(delta, f64::from(m) - 1.0);
    let moves = (0..=g)
        .map(|k| {
            let x = f64::from(k) / f64::from(g);
            let mut pay = vec![0.0; 2];
            pay[proposer] = x * w;
            pay[1 - proposer] = (1.0 - x) * w + eps;
            let respond = Tree::decision(
                1 - proposer,
                format!("{at}/d{k}"),
                vec![
                    ("accept", Tree::terminal(pay)),
                    (
                        "reject",
                        bargaining_tree(t, m + 1, g, delta, eps, &format!("{at}/d{k}/r")),
                    ),
                ],
            );
            (format!("d{k}"), respond)
        })
        .collect();
    Tree::decision(proposer, at.to_owned(), moves)
}

/// Runs the scenario and returns (outcome, rounds, the demand agreed, payoffs) of run 0,
/// checking that every run of a few agrees (best responders with unique best
/// replies play deterministically).
fn play(e: &mut Engine) -> (String, u32, f64, Vec<f64>) {
    let first = e.run(5, 0).clone();
    for run in 1..4 {
        let r = e.run(5, run);
        assert_eq!(
            (r.outcome, r.rounds, &r.payoffs),
            (first.outcome, first.rounds, &first.payoffs)
        );
    }
    let s = e.scenario();
    (
        s.outcomes[first.outcome].name.clone(),
        first.rounds,
        first.final_state[0],
        first.payoffs,
    )
}

#[test]
fn bargaining_first_offer_matches_the_closed_form_and_backward_induction() {
    let (delta, eps, g) = (0.5, 1e-6, 16);
    for t in 1..=5 {
        let mut e = engine(&bargaining(t, g, delta, eps, 2 * t));
        let (outcome, rounds, demand, payoffs) = play(&mut e);
        // Immediate agreement on the first-mover share (1 − (−δ)^T) / (1 + δ).
        let share = (1.0 - libm::pow(-delta, f64::from(t))) / (1.0 + delta);
        assert_eq!((outcome.as_str(), rounds), ("agree", 2), "T = {t}");
        assert_eq!(demand, share, "T = {t}");
        assert!((payoffs[0] - share).abs() < 1e-12, "T = {t}: {payoffs:?}");
        assert!(
            (payoffs[1] - (1.0 - share + eps)).abs() < 1e-12,
            "T = {t}: {payoffs:?}"
        );
        // brink-solve's backward induction on the same grid game (small trees only).
        if t <= 3 {
            let (path, spe) = spe_path(bargaining_tree(t, 1, g, delta, eps, "root"), 2);
            assert_eq!(
                path,
                vec![
                    format!("d{}", (share * f64::from(g)) as u32),
                    "accept".into()
                ]
            );
            assert!(
                payoffs.iter().zip(&spe).all(|(a, b)| (a - b).abs() < 1e-12),
                "{spe:?}"
            );
        }
    }
}

#[test]
fn bargaining_myopic_play_is_not_subgame_perfect() {
    // A myopic responder accepts any demand (for the bonus) and a myopic proposer is
    // indifferent among demands, so the first demand is a uniform draw: the SPE
    // share (0.75 for T = 3) is rarely what is agreed. Looking ahead fixes it.
    let (t, g) = (3, 16);
    let share = 0.75;
    let e = engine(&bargaining(t, g, 0.5, 1e-6, 0));
    let mut e = e;
    let hits = (0..100)
        .filter(|&i| {
            let r = e.run(9, i);
            r.final_state[0] == share && r.rounds == 2
        })
        .count();
    assert!(
        hits < 20,
        "myopic play hit the SPE share in {hits} of 100 runs"
    );
    let mut e = engine(&bargaining(t, g, 0.5, 1e-6, 2 * t));
    assert!((0..100).all(|i| {
        let r = e.run(9, i);
        r.final_state[0] == share && r.rounds == 2
    }));
}

#[test]
fn lookahead_zero_is_the_myopic_rule_bit_for_bit() {
    // `lookahead = 0` and `discount` change nothing: same results as no keys at all.
    let take: Vec<(f64, f64)> = (1..=4)
        .map(|r| (f64::from(r) + 1.0, f64::from(r) - 1.0))
        .collect();
    let plain = centipede(&take, (5.0, 5.0), 0).replace(", lookahead = 0", "");
    let zero =
        centipede(&take, (5.0, 5.0), 0).replace("lookahead = 0", "lookahead = 0, discount = 0.3");
    let (mut a, mut b) = (engine(&plain), engine(&zero));
    for i in 0..50 {
        let (x, y) = (a.run(1, i).clone(), b.run(1, i).clone());
        assert_eq!(x.outcome, y.outcome);
        assert_eq!(x.rounds, y.rounds);
        assert_eq!(
            x.payoffs.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            y.payoffs.iter().map(|p| p.to_bits()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn bargaining_with_action_masks_matches_the_closed_form() {
    // The same game with the moves allowed by `available` (evaluated on each predicted
    // state inside the lookahead) instead of penalties: same play, same payoffs.
    let (delta, eps, g) = (0.5, 1e-6, 16);
    for t in 1..=4 {
        let mut masked = engine(&bargaining_with(t, g, delta, eps, 2 * t, true));
        let mut penalised = engine(&bargaining(t, g, delta, eps, 2 * t));
        let (outcome, rounds, demand, payoffs) = play(&mut masked);
        let share = (1.0 - libm::pow(-delta, f64::from(t))) / (1.0 + delta);
        assert_eq!(
            (outcome.as_str(), rounds, demand),
            ("agree", 2, share),
            "T = {t}"
        );
        assert_eq!(payoffs, play(&mut penalised).3, "T = {t}");
        // Contract: Choice.expected holds the value the rule used, -inf when
        // unavailable (p1 cannot accept while proposing, in round 1).
        let (_, trace) = masked.run_traced(5, 0);
        let p1 = &trace.rounds[0].agents[0];
        let eu = |name: &str| {
            p1.expected_utility
                .iter()
                .find(|n| n.name == name)
                .map(|n| n.value)
                .expect("action")
        };
        assert_eq!(eu("accept"), f64::NEG_INFINITY);
        assert!(eu(&format!("d{}", (share * f64::from(g)) as u32)).is_finite());
    }
}

#[test]
fn lookahead_runs_do_not_depend_on_earlier_runs_of_the_engine() {
    // The lookahead memo is kept across runs of one engine (per worker thread): a run
    // must give the same bits whichever runs the engine played before. The flagship
    // with two forward-looking agents (private types, logit, noise, masks).
    let text = std::fs::read_to_string("scenarios/iran_plan_b.toml").expect("flagship");
    let text = text
        .replace(
            r#"lambda = "lambda_iran", lookahead = "lookahead", discount = "discount", plan = "rollout", prune = "prune" }"#,
            r#"lambda = "lambda_iran", lookahead = 1, discount = 0.9, plan = "tree", prune = 0 }"#,
        )
        .replace(
            r#"lambda = "lambda_us", lookahead = "lookahead", discount = "discount", plan = "rollout", prune = "prune" }"#,
            r#"lambda = "lambda_us", lookahead = 1, discount = 0.9, plan = "tree", prune = 0 }"#,
        );
    assert_eq!(text.matches("lookahead = 1").count(), 2);
    let (mut a, mut b) = (engine(&text), engine(&text));
    let forward: Vec<_> = (0..8).map(|i| a.run(21, i).clone()).collect();
    let bits = |r: &brink_core::RunResult| {
        let mut v: Vec<u64> = r.payoffs.iter().map(|x| x.to_bits()).collect();
        v.extend(r.final_state.iter().map(|x| x.to_bits()));
        (r.outcome, r.rounds, v)
    };
    for i in (0..8).rev() {
        assert_eq!(bits(b.run(21, i)), bits(&forward[i as usize]), "run {i}");
    }
    // And looking ahead changes play (otherwise this test would prove nothing).
    let mut myopic = engine(&std::fs::read_to_string("scenarios/iran_plan_b.toml").unwrap());
    assert!((0..8).any(|i| bits(myopic.run(21, i)) != bits(&forward[i as usize])));
}
