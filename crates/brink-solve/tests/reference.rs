//! Cross-check against pygambit and Nashpy on committed reference fixtures.
//!
//! The fixtures in `tests/reference/fixtures/` (at the workspace root) were
//! generated once by `tests/reference/generate.py` (see the README there); this
//! test needs no Python. Per game they hold the payoffs in brink's layout
//! (`payoffs[profile_index * n + player]`, last player fastest), whether the game
//! is degenerate (decided exactly by the generator), and the reference
//! equilibria:
//!
//! - two-player and zero-sum games: pygambit `enummixed_solve(rational=True)`,
//!   all extreme equilibria as exact fractions, with each player's payoff;
//! - zero-sum games: the exact value from pygambit `lp_solve(rational=True)`;
//! - 3- and 4-player games: pygambit `enumpoly_solve` (floats).
//!
//! What is checked (each test collects every mismatch and reports all of them):
//!
//! - the reference equilibria are exact equilibria of the game as brink reads
//!   it (max regret exactly 0): this pins down the payoff layout independently of
//!   the solvers;
//! - support enumeration: on every game the flag says nondegenerate, the
//!   equilibrium set equals pygambit's exactly (order-free, exact rationals,
//!   payoffs included); on nondegenerate games the flag must say so; a raised
//!   flag is only allowed on degenerate games, and then every equilibrium
//!   returned must be one of pygambit's extreme equilibria;
//! - vertex enumeration: on every game (degenerate or not) the set equals
//!   pygambit's set of extreme equilibria exactly, and the flag equals the
//!   fixture's degeneracy;
//! - Lemke–Howson from every label: each result is in pygambit's set;
//! - zero-sum: brink's LP value equals pygambit's LP value exactly, and brink's
//!   strategies guarantee it;
//! - n-player: every pygambit equilibrium is matched by one of brink's
//!   (max-norm distance ≤ 1e-6) and vice versa, except the games listed in
//!   [`N_PLAYER_EXCEPTIONS`] with the reason.

use std::str::FromStr;

use brink_solve::nplayer::{EnumOptions, enumerate_equilibria};
use brink_solve::twoplayer::{
    TwoPlayerSolution, lemke_howson, lemke_howson_all, solve_zero_sum, support_enumeration,
    vertex_enumeration,
};
use brink_solve::{Equilibrium, NormalFormGame, Q, max_regret};
use num_traits::Zero;
use serde::Deserialize;

const TWO_PLAYER: &str = include_str!("../../../tests/reference/fixtures/two_player.json");
const ZERO_SUM: &str = include_str!("../../../tests/reference/fixtures/zero_sum.json");
const N_PLAYER: &str = include_str!("../../../tests/reference/fixtures/n_player.json");

/// Max-norm distance within which two float equilibria are the same.
const FLOAT_TOL: f64 = 1e-6;

/// n-player games whose comparison is expected to differ, with the reason.
/// (Games on which pygambit itself failed or timed out are skipped by their
/// recorded `status`, and counted, without being listed here.)
const N_PLAYER_EXCEPTIONS: &[(&str, &str)] = &[];

#[derive(Deserialize)]
struct FixtureFile {
    versions: serde_json::Value,
    games: Vec<Fixture>,
}

#[derive(Deserialize)]
struct Fixture {
    id: String,
    kind: String,
    num_strategies: Vec<usize>,
    payoffs: Vec<i64>,
    #[serde(default)]
    degenerate: bool,
    reference: Reference,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    source: String,
    /// Exact fractions (two players) or floats (n players), as JSON values.
    equilibria: Vec<Vec<Vec<serde_json::Value>>>,
    #[serde(default)]
    payoffs: Vec<Vec<String>>,
    #[serde(default)]
    status: Option<String>,
}

fn load(text: &str) -> FixtureFile {
    serde_json::from_str(text).expect("fixture file parses")
}

fn parse_q(s: &str) -> Q {
    Q::from_str(s).unwrap_or_else(|e| panic!("bad fraction {s:?}: {e}"))
}

fn exact_game(f: &Fixture) -> NormalFormGame<Q> {
    let payoffs = f.payoffs.iter().map(|&x| Q::from_integer(x.into())).collect();
    NormalFormGame::new(f.num_strategies.clone(), payoffs).expect("valid fixture game")
}

fn float_game(f: &Fixture) -> NormalFormGame<f64> {
    // Payoffs are small integers, exactly representable.
    let payoffs = f.payoffs.iter().map(|&x| x as f64).collect();
    NormalFormGame::new(f.num_strategies.clone(), payoffs).expect("valid fixture game")
}

/// Pygambit's exact equilibria of a two-player fixture, with payoffs, sorted.
fn exact_reference(f: &Fixture) -> Vec<Equilibrium<Q>> {
    assert_eq!(
        f.reference.equilibria.len(),
        f.reference.payoffs.len(),
        "{}: one payoff vector per equilibrium",
        f.id
    );
    let mut out: Vec<Equilibrium<Q>> = f
        .reference
        .equilibria
        .iter()
        .zip(&f.reference.payoffs)
        .map(|(eq, pay)| Equilibrium {
            strategies: eq
                .iter()
                .map(|s| {
                    s.iter()
                        .map(|v| parse_q(v.as_str().expect("exact fractions are strings")))
                        .collect()
                })
                .collect(),
            payoffs: pay.iter().map(|p| parse_q(p)).collect(),
        })
        .collect();
    out.sort_by(|a, b| a.strategies.cmp(&b.strategies));
    out
}

fn float_reference(f: &Fixture) -> Vec<Vec<Vec<f64>>> {
    f.reference
        .equilibria
        .iter()
        .map(|eq| {
            eq.iter()
                .map(|s| s.iter().map(|v| v.as_f64().expect("float probability")).collect())
                .collect()
        })
        .collect()
}

fn show(eqs: &[Equilibrium<Q>]) -> String {
    let parts: Vec<String> = eqs
        .iter()
        .map(|e| {
            let s: Vec<String> = e
                .strategies
                .iter()
                .map(|s| s.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
                .collect();
            format!("[{}]", s.join(" | "))
        })
        .collect();
    parts.join(" ")
}

/// Both two-player fixture files (the zero-sum games are bimatrix games too).
fn two_player_fixtures() -> Vec<Fixture> {
    let mut games = load(TWO_PLAYER).games;
    games.extend(load(ZERO_SUM).games);
    games
}

fn fail_if_any(what: &str, failures: &[String], checked: usize) {
    assert!(
        failures.is_empty(),
        "{what}: {} of {checked} games differ from the reference:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Compares a solver's set with pygambit's; `None` if equal (payoffs included).
fn compare_sets(solver: &[Equilibrium<Q>], reference: &[Equilibrium<Q>]) -> Option<String> {
    let mut mine = solver.to_vec();
    mine.sort_by(|a, b| a.strategies.cmp(&b.strategies));
    if mine == reference {
        None
    } else {
        Some(format!(
            "brink has {}: {}\n      pygambit has {}: {}",
            mine.len(),
            show(&mine),
            reference.len(),
            show(reference)
        ))
    }
}

#[test]
fn fixtures_cover_the_issue() {
    let two = load(TWO_PLAYER);
    let zs = load(ZERO_SUM);
    let np = load(N_PLAYER);
    let total = two.games.len() + zs.games.len() + np.games.len();
    assert!(total >= 200, "only {total} reference games");
    assert!(two.versions.get("pygambit").is_some());
    let sizes: std::collections::BTreeSet<Vec<usize>> =
        two.games.iter().map(|g| g.num_strategies.clone()).collect();
    for shape in [[2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [8, 8], [3, 5], [5, 3]] {
        assert!(sizes.contains(&shape.to_vec()), "no {shape:?} games");
    }
    assert!(two.games.iter().any(|g| g.degenerate));
    assert!(two.games.iter().filter(|g| !g.degenerate).count() >= 100);
    assert!(zs.games.iter().all(|g| g.kind == "zero_sum" && g.value.is_some()));
    for shape in [vec![2, 2, 2], vec![2, 2, 3], vec![3, 3, 3]] {
        assert!(np.games.iter().any(|g| g.num_strategies == shape), "no {shape:?} games");
    }
}

/// The reference equilibria are exact equilibria of the games as brink reads the
/// fixtures, so the payoff layout is right before any solver is involved.
#[test]
fn reference_equilibria_are_equilibria_in_brink_layout() {
    let mut failures = Vec::new();
    let games = two_player_fixtures();
    for f in &games {
        let game = exact_game(f);
        for eq in exact_reference(f) {
            let regret = max_regret(&game, &eq.strategies).expect("valid profile");
            if !regret.is_zero() {
                failures.push(format!("{}: reference {} has regret {regret}", f.id, show(&[eq])));
            }
        }
    }
    let np = load(N_PLAYER).games;
    for f in &np {
        let game = float_game(f);
        for eq in float_reference(f) {
            let regret = max_regret(&game, &eq).expect("valid profile");
            if regret > 1e-6 {
                failures.push(format!("{}: reference {eq:?} has regret {regret}", f.id));
            }
        }
    }
    fail_if_any("reference regret", &failures, games.len() + np.len());
}

#[test]
fn support_enumeration_matches_pygambit() {
    let games = two_player_fixtures();
    let mut failures = Vec::new();
    let (mut full, mut flagged) = (0, 0);
    for f in &games {
        let reference = exact_reference(f);
        let TwoPlayerSolution { equilibria, degenerate } = match support_enumeration(&exact_game(f)) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: error {e}", f.id));
                continue;
            }
        };
        if degenerate && !f.degenerate {
            failures.push(format!("{}: flagged degenerate, but the game is nondegenerate", f.id));
        } else if !degenerate && f.degenerate {
            // Allowed by the documented guarantee only if the list is still complete.
            if let Some(diff) = compare_sets(&equilibria, &reference) {
                failures.push(format!(
                    "{}: degenerate game not flagged, and the set is incomplete:\n      {diff}",
                    f.id
                ));
            }
            full += 1;
        } else if degenerate {
            flagged += 1;
            for eq in &equilibria {
                if !reference.contains(eq) {
                    failures.push(format!(
                        "{}: (degenerate) {} is not an extreme equilibrium per pygambit",
                        f.id,
                        show(std::slice::from_ref(eq))
                    ));
                }
            }
        } else {
            full += 1;
            if let Some(diff) = compare_sets(&equilibria, &reference) {
                failures.push(format!("{}:\n      {diff}", f.id));
            }
        }
    }
    eprintln!("support enumeration: {full} full set comparisons, {flagged} flagged degenerate");
    assert!(full >= 150, "only {full} full comparisons");
    fail_if_any("support enumeration", &failures, games.len());
}

#[test]
fn vertex_enumeration_matches_pygambit() {
    let games = two_player_fixtures();
    let mut failures = Vec::new();
    for f in &games {
        let reference = exact_reference(f);
        match vertex_enumeration(&exact_game(f)) {
            Err(e) => failures.push(format!("{}: error {e}", f.id)),
            Ok(sol) => {
                if sol.degenerate != f.degenerate {
                    failures.push(format!(
                        "{}: degenerate flag {} but the game is {}",
                        f.id,
                        sol.degenerate,
                        if f.degenerate { "degenerate" } else { "nondegenerate" }
                    ));
                }
                if let Some(diff) = compare_sets(&sol.equilibria, &reference) {
                    failures.push(format!("{} (degenerate: {}):\n      {diff}", f.id, f.degenerate));
                }
            }
        }
    }
    fail_if_any("vertex enumeration", &failures, games.len());
}

#[test]
fn lemke_howson_reaches_pygambit_equilibria() {
    let games = two_player_fixtures();
    let mut failures = Vec::new();
    for f in &games {
        let game = exact_game(f);
        let reference = exact_reference(f);
        let labels = f.num_strategies.iter().sum::<usize>();
        for label in 0..labels {
            match lemke_howson(&game, label) {
                Err(e) => failures.push(format!("{} label {label}: error {e}", f.id)),
                Ok(eq) if !reference.contains(&eq) => failures.push(format!(
                    "{} label {label}: {} is not in pygambit's set",
                    f.id,
                    show(std::slice::from_ref(&eq))
                )),
                Ok(_) => {}
            }
        }
        match lemke_howson_all(&game) {
            Err(e) => failures.push(format!("{} (all labels): error {e}", f.id)),
            Ok(all) => {
                if all.is_empty() || all.len() > labels {
                    failures.push(format!("{}: lemke_howson_all returned {}", f.id, all.len()));
                }
                for eq in all.iter().filter(|eq| !reference.contains(eq)) {
                    failures.push(format!(
                        "{} (all labels): {} is not in pygambit's set",
                        f.id,
                        show(std::slice::from_ref(eq))
                    ));
                }
            }
        }
    }
    fail_if_any("Lemke-Howson", &failures, games.len());
}

#[test]
fn zero_sum_values_match_pygambit_lp() {
    let games = load(ZERO_SUM).games;
    let mut failures = Vec::new();
    for f in &games {
        let game = exact_game(f);
        let value = parse_q(f.value.as_deref().expect("zero-sum fixtures have a value"));
        let sol = match solve_zero_sum(&game) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: error {e}", f.id));
                continue;
            }
        };
        if sol.value != value {
            failures.push(format!("{}: brink value {} vs pygambit {value}", f.id, sol.value));
        }
        // Every equilibrium of a zero-sum game pays the row player the value.
        for eq in exact_reference(f) {
            if eq.payoffs[0] != value {
                failures.push(format!("{}: reference equilibrium pays {}", f.id, eq.payoffs[0]));
            }
        }
        // Brink's strategies guarantee the value: (row, column) is an equilibrium
        // paying the value.
        let profile = vec![sol.row.clone(), sol.column.clone()];
        match max_regret(&game, &profile) {
            Ok(r) if r.is_zero() => {}
            other => failures.push(format!("{}: brink's optimal strategies have regret {other:?}", f.id)),
        }
    }
    fail_if_any("zero-sum value", &failures, games.len());
}

fn distance(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f64::max)
}

#[test]
fn n_player_enumeration_matches_pygambit_enumpoly() {
    let games = load(N_PLAYER).games;
    let mut failures = Vec::new();
    let (mut compared, mut skipped, mut excepted) = (0, Vec::new(), 0);
    for f in &games {
        if f.reference.status.as_deref() != Some("ok") {
            skipped.push(format!("{} ({:?})", f.id, f.reference.status));
            continue;
        }
        let game = float_game(f);
        let reference = float_reference(f);
        let mine: Vec<Vec<Vec<f64>>> = match enumerate_equilibria(&game, &EnumOptions::default()) {
            Ok(eqs) => eqs.into_iter().map(|e| e.strategies).collect(),
            Err(e) => {
                failures.push(format!("{}: error {e}", f.id));
                continue;
            }
        };
        let missing: Vec<_> = reference
            .iter()
            .filter(|r| !mine.iter().any(|m| distance(m, r) <= FLOAT_TOL))
            .collect();
        let extra: Vec<_> = mine
            .iter()
            .filter(|m| !reference.iter().any(|r| distance(m, r) <= FLOAT_TOL))
            .collect();
        let exception = N_PLAYER_EXCEPTIONS.iter().find(|(id, _)| *id == f.id);
        match (missing.is_empty() && extra.is_empty(), exception) {
            (true, None) => compared += 1,
            (true, Some((id, _))) => failures.push(format!("{id}: listed as an exception but now agrees")),
            (false, Some(_)) => excepted += 1,
            (false, None) => failures.push(format!(
                "{}: brink misses {missing:?}; brink has extra {extra:?} ({})",
                f.id, f.reference.source
            )),
        }
    }
    eprintln!(
        "n-player: {compared} agree, {excepted} documented exceptions, {} skipped (pygambit failed): {skipped:?}",
        skipped.len()
    );
    fail_if_any("n-player enumeration", &failures, games.len());
}
