//! `brink solve` on the game files committed under
//! `crates/brink-solve/tests/games/`, checking exact output lines.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const GAMES: &str = "crates/brink-solve/tests/games";

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Runs `brink solve GAMES/file args...` and returns stdout.
fn solve(file: &str, args: &[&str]) -> String {
    let out = brink()
        .arg("solve")
        .arg(format!("{GAMES}/{file}"))
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn battle_of_the_sexes_all_equilibria_exact() {
    // Default method for a two-player game: vertex enumeration.
    let expected = "NE,0,1,0,1\nNE,2/3,1/3,1/3,2/3\nNE,1,0,1,0\n";
    assert_eq!(solve("bos.nfg", &["--exact"]), expected);
    // The outcome version of the same file, and the other exact methods.
    assert_eq!(solve("bos_outcome.nfg", &["--exact"]), expected);
    assert_eq!(solve("bos.nfg", &["--exact", "-m", "support"]), expected);
    assert_eq!(solve("bos.nfg", &["--exact", "-m", "vertex"]), expected);
    // Decimals without --exact.
    assert_eq!(
        solve("bos.nfg", &[]),
        "NE,0,1,0,1\nNE,0.666667,0.333333,0.333333,0.666667\nNE,1,0,1,0\n"
    );
    // Pure equilibria in profile order.
    assert_eq!(
        solve("bos.nfg", &["-m", "pure"]),
        "NE,1,0,1,0\nNE,0,1,0,1\n"
    );
    // Lemke–Howson from label 0 finds the pure equilibrium (Opera, Opera).
    assert_eq!(
        solve("bos.nfg", &["-m", "lh", "--label", "0", "--exact"]),
        "NE,1,0,1,0\n"
    );
}

#[test]
fn json_has_exact_and_float_probabilities_and_payoffs() {
    let out = solve("bos.nfg", &["--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["method"], "vertex");
    assert_eq!(v["players"][1], "Bob");
    let eqs = v["equilibria"].as_array().unwrap();
    assert_eq!(eqs.len(), 3);
    let mixed = &eqs[1]["players"];
    assert_eq!(mixed[0]["probabilities"][0], "2/3");
    assert_eq!(mixed[1]["probabilities"][1], "2/3");
    assert!((mixed[0]["probabilities_float"][0].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(mixed[0]["payoff"], "2/3");
    assert_eq!(mixed[1]["payoff"], "2/3");
    assert_eq!(eqs[0]["players"][1]["payoff"], "2");
    assert_eq!(eqs[1]["exact"], true);
}

#[test]
fn kuhn_poker_by_the_sequence_form() {
    // Default for a two-player zero-sum extensive game: the sequence-form LP.
    // Behaviour strategies: per player, information sets in order of first
    // appearance (J, J cb, Q, Q cb, K, K cb for Alice), actions in order.
    let out = brink()
        .args(["solve", &format!("{GAMES}/kuhn_poker.efg"), "--exact"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "value of the game to Alice: -1/18",
        ))
        .get_output()
        .stdout
        .clone();
    let line = String::from_utf8(out).unwrap();
    let fields: Vec<&str> = line.trim_end().split(',').collect();
    assert_eq!(fields[0], "NE");
    assert_eq!(fields.len(), 1 + 24);
    // Bob's part is unique (Kuhn 1950): Q after a check: check; Q facing a
    // bet: call 1/3; K: bet and call; J after a check: bet 1/3; J facing a
    // bet: fold.
    assert_eq!(fields[13..].join(","), "1,0,2/3,1/3,0,1,0,1,2/3,1/3,1,0");
    let v: Value = serde_json::from_str(&solve("kuhn_poker.efg", &["--format", "json"])).unwrap();
    assert_eq!(v["method"], "seqform");
    assert_eq!(v["representation"], "behaviour");
    assert_eq!(v["equilibria"][0]["players"][0]["payoff"], "-1/18");
    assert_eq!(v["equilibria"][0]["players"][1]["payoff"], "1/18");
    assert_eq!(v["labels"][1][0], "Q c: check");
}

#[test]
fn entry_game_subgame_perfect_equilibrium() {
    // Default for perfect information: backward induction.
    assert_eq!(solve("entry.efg", &[]), "NE,0,1,0,1\n");
    assert_eq!(solve("entry.toml", &["-m", "spe"]), "NE,0,1,0,1\n");
    // The reduced normal form also has the non-credible (Out, Fight).
    assert_eq!(
        solve("entry.efg", &["-m", "pure"]),
        "NE,1,0,1,0\nNE,0,1,0,1\n"
    );
}

#[test]
fn zero_sum_and_n_player_methods() {
    assert_eq!(
        solve("matching_pennies.json", &["-m", "lp", "--exact"]),
        "NE,1/2,1/2,1/2,1/2\n"
    );
    assert_eq!(solve("prisoners_dilemma.toml", &[]), "NE,0,1,0,1\n");
    // Three players: enum-n by default; the mixed equilibrium is confirmed
    // exactly, so --exact prints fractions.
    assert_eq!(
        solve("coordination3.nfg", &["--exact"]),
        "NE,1,0,1,0,1,0\nNE,1/2,1/2,1/2,1/2,1/2,1/2\nNE,0,1,0,1,0,1\n"
    );
    assert_eq!(
        solve("bos.nfg", &["-m", "logit", "--exact"]),
        "NE,2/3,1/3,1/3,2/3\n"
    );
}

#[test]
fn errors_name_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.nfg");
    std::fs::write(&bad, "NFG 1 R \"\" { \"a\" } { 2 }\n1 x\n").unwrap();
    brink()
        .arg("solve")
        .arg(&bad)
        .assert()
        .failure()
        .stdout("")
        .stderr(predicate::str::diff(format!(
            "error: {}: line 2, column 3: expected a payoff, found \"x\"\n",
            bad.display()
        )));
    let unknown = dir.path().join("game.txt");
    std::fs::write(&unknown, "x").unwrap();
    brink()
        .arg("solve")
        .arg(&unknown)
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown file type"));
    // A method that does not fit the game.
    brink()
        .args(["solve", &format!("{GAMES}/bos.nfg"), "-m", "spe"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs an extensive game"));
    brink()
        .args(["solve", &format!("{GAMES}/bos.nfg"), "-m", "lp"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not zero-sum"));
}
