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

/// Writes a symmetric two-player game with row payoff matrix `a` (player 2's
/// payoffs the transpose) as a brink TOML file in `dir`; strategy names
/// `names`.
fn symmetric_toml(dir: &std::path::Path, file: &str, names: &[&str], a: &[&[i64]]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let list = quoted.join(", ");
    let mut payoffs = String::new();
    for (i, row) in a.iter().enumerate() {
        for (j, &aij) in row.iter().enumerate() {
            payoffs.push_str(&format!("  [{aij}, {}],\n", a[j][i]));
        }
    }
    let text = format!(
        "players = [\"A\", \"B\"]\nstrategies = [[{list}], [{list}]]\npayoffs = [\n{payoffs}]\n"
    );
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Runs `brink solve path args...`, expecting success; returns (stdout,
/// stderr).
fn solve_path(path: &str, args: &[&str]) -> (String, String) {
    let out = brink()
        .arg("solve")
        .arg(path)
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const ESS_YES: &str = "note: evolutionarily stable strategy (ESS): yes\n";
const ESS_NO: &str = "note: evolutionarily stable strategy (ESS): no\n";

// Hawk–dove (Maynard Smith & Price 1973): H vs H (V−C)/2, H vs D V, D vs H
// 0, D vs D V/2. For V < C the unique ESS plays hawk with probability V/C,
// and it attracts every interior state.
#[test]
fn replicator_hawk_dove_ends_at_the_ess() {
    let dir = tempfile::tempdir().unwrap();
    // V = 2, C = 4: the uniform state is already the ESS (1/2, 1/2).
    let hd = symmetric_toml(
        dir.path(),
        "hd.toml",
        &["Hawk", "Dove"],
        &[&[-1, 2], &[0, 1]],
    );
    let (out, err) = solve_path(&hd, &["-m", "replicator", "--exact"]);
    assert_eq!(out, "NE,1/2,1/2,1/2,1/2\n");
    assert!(err.contains(ESS_YES), "{err}");
    assert!(err.contains("from the uniform state to t = 1000"), "{err}");
    // V = 2, C = 3 (payoffs doubled): the dynamics must move from the
    // uniform state to hawk with probability 2/3, from either side.
    let hd3 = symmetric_toml(
        dir.path(),
        "hd3.toml",
        &["Hawk", "Dove"],
        &[&[-1, 4], &[0, 2]],
    );
    for start in [None, Some("9/10,1/10"), Some("0.01,0.99")] {
        let mut args = vec!["-m", "replicator", "--exact"];
        if let Some(s) = start {
            args.extend(["--start", s]);
        }
        let (out, err) = solve_path(&hd3, &args);
        assert_eq!(out, "NE,2/3,1/3,2/3,1/3\n", "start {start:?}");
        assert!(err.contains(ESS_YES), "start {start:?}: {err}");
    }
    assert_eq!(
        solve_path(&hd3, &["-m", "replicator"]).0,
        "NE,0.666667,0.333333,0.666667,0.333333\n"
    );
    // JSON: both players use the end point; its payoff x·Ax = 2/3; ESS true.
    let v: Value =
        serde_json::from_str(&solve_path(&hd3, &["-m", "replicator", "-f", "json"]).0).unwrap();
    assert_eq!(v["method"], "replicator");
    assert_eq!(v["kind"], "NE");
    let players = &v["equilibria"][0]["players"];
    for p in 0..2 {
        assert_eq!(
            players[p]["probabilities"],
            serde_json::json!(["2/3", "1/3"])
        );
        assert_eq!(players[p]["payoff"], "2/3");
    }
    assert_eq!(v["equilibria"][0]["exact"], true);
    assert_eq!(v["replicator"]["ess"], true);
    assert_eq!(v["replicator"]["equilibrium"], true);
    assert_eq!(v["replicator"]["t_end"], 1000.0);
    assert!(v["notes"].to_string().contains("(ESS): yes"));
}

// Standard rock–paper–scissors (win 1, lose −1): the centroid is the unique
// equilibrium and a rest point, but A is antisymmetric, so z·Az = 0 for every
// z and it is not an ESS; interior orbits are closed curves around it on
// which x₁x₂x₃ is constant (Hofbauer & Sigmund 1998, §7.5). With win 2,
// lose −1 the centroid is an ESS and attracts the interior.
#[test]
fn replicator_rock_paper_scissors() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["Rock", "Paper", "Scissors"];
    let rps = symmetric_toml(
        dir.path(),
        "rps.toml",
        &names,
        &[&[0, -1, 1], &[1, 0, -1], &[-1, 1, 0]],
    );
    let (out, err) = solve_path(&rps, &["-m", "replicator", "--exact"]);
    assert_eq!(out, "NE,1/3,1/3,1/3,1/3,1/3,1/3\n");
    assert!(err.contains(ESS_NO), "{err}");
    assert!(!err.contains(ESS_YES), "{err}");
    let v: Value =
        serde_json::from_str(&solve_path(&rps, &["-m", "replicator", "-f", "json"]).0).unwrap();
    assert_eq!(v["replicator"]["ess"], false);
    assert_eq!(v["kind"], "NE");

    // From (1/2, 1/4, 1/4) the state cycles: the end point is not an
    // equilibrium, it is reported as a state, and x₁x₂x₃ stays 1/32.
    let (out, err) = solve_path(&rps, &["-m", "replicator", "--start", "1/2,1/4,1/4"]);
    assert!(out.starts_with("STATE,"), "{out}");
    assert!(err.contains("not an equilibrium"), "{err}");
    assert!(err.contains("(ESS): not checked"), "{err}");
    let v: Value = serde_json::from_str(
        &solve_path(
            &rps,
            &["-m", "replicator", "--start", "1/2,1/4,1/4", "-f", "json"],
        )
        .0,
    )
    .unwrap();
    assert_eq!(v["kind"], "STATE");
    assert_eq!(v["replicator"]["equilibrium"], false);
    assert_eq!(v["replicator"]["ess"], Value::Null);
    let x: Vec<f64> = v["equilibria"][0]["players"][0]["probabilities_float"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_f64().unwrap())
        .collect();
    assert!((x[0] * x[1] * x[2] - 1.0 / 32.0).abs() < 1e-7, "{x:?}");
    assert!(x.iter().all(|&p| (p - 1.0 / 3.0).abs() > 0.01), "{x:?}");

    // Win 2, lose −1: an ESS, reached from a corner-heavy start.
    let rps2 = symmetric_toml(
        dir.path(),
        "rps2.toml",
        &names,
        &[&[0, -1, 2], &[2, 0, -1], &[-1, 2, 0]],
    );
    let (out, err) = solve_path(
        &rps2,
        &["-m", "replicator", "--exact", "--start", "0.8,0.1,0.1"],
    );
    assert_eq!(out, "NE,1/3,1/3,1/3,1/3,1/3,1/3\n");
    assert!(err.contains(ESS_YES), "{err}");
}

// The prisoner's dilemma file is symmetric: defection is strictly dominant,
// the population ends all-defect, a strict equilibrium and so an ESS.
#[test]
fn replicator_prisoners_dilemma_ends_at_defection() {
    let (out, err) = solve_path(
        &format!("{GAMES}/prisoners_dilemma.toml"),
        &["-m", "replicator"],
    );
    assert_eq!(out, "NE,0,1,0,1\n");
    assert!(err.contains(ESS_YES), "{err}");
}

#[test]
fn replicator_rejects_asymmetric_games_and_bad_starts() {
    // Battle of the sexes: two players, but Alice's payoff at (1, 1) is 2
    // and Bob's is 1.
    let bos = format!("{GAMES}/bos.nfg");
    brink()
        .args(["solve", &bos, "-m", "replicator"])
        .assert()
        .failure()
        .code(predicate::ne(0))
        .stdout("")
        .stderr(predicate::str::diff(format!(
            "error: {bos}: method replicator needs a symmetric two-player game (both players \
             with the same number of strategies, player 2's payoff matrix the transpose of \
             player 1's), but Alice's payoff at (1, 1) is 2 while Bob's payoff at (1, 1) is 1\n"
        )));
    // Three players.
    brink()
        .args([
            "solve",
            &format!("{GAMES}/coordination3.nfg"),
            "-m",
            "replicator",
        ])
        .assert()
        .failure()
        .stdout("")
        .stderr(
            predicate::str::contains(
                "coordination3.nfg: method replicator needs a symmetric two-player game",
            )
            .and(predicate::str::contains("but the game has 3 players")),
        );
    // Different strategy counts.
    let dir = tempfile::tempdir().unwrap();
    let shape = dir.path().join("shape.toml");
    std::fs::write(
        &shape,
        "players = [\"A\", \"B\"]\nstrategies = [2, 3]\npayoffs = [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]\n",
    )
    .unwrap();
    brink()
        .arg("solve")
        .arg(&shape)
        .args(["-m", "replicator"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "but A has 2 strategies and B has 3",
        ));
    // --start: wrong length, not summing to 1, or with another method.
    let pd = format!("{GAMES}/prisoners_dilemma.toml");
    for (start, message) in [
        ("1/3,1/3,1/3", "--start: expected 2 probabilities"),
        ("0.5,0.6", "--start: the probabilities sum to 11/10, not 1"),
        ("x,1", "--start: \"x\""),
    ] {
        brink()
            .args(["solve", &pd, "-m", "replicator", "--start", start])
            .assert()
            .failure()
            .stdout("")
            .stderr(predicate::str::contains(message));
    }
    brink()
        .args(["solve", &pd, "-m", "pure", "--start", "1/2,1/2"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--start applies to --method replicator only",
        ));
}

/// Runs `brink solve GAMES/file args...`, which must fail, and returns stderr.
fn solve_fails(file: &str, args: &[&str]) -> String {
    let out = brink()
        .arg("solve")
        .arg(format!("{GAMES}/{file}"))
        .args(args)
        .assert()
        .failure()
        .stdout("")
        .get_output()
        .stderr
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn hopeless_enumerations_are_refused_with_numbers_and_the_method_that_fits() {
    // Kuhn poker's reduced normal form is 27 x 64: McMullen's bound for the
    // 64-dimensional polytope with 91 facets is C(59, 32) + C(58, 31) ≈ 7.5e16.
    let err = solve_fails("kuhn_poker.efg", &["-m", "vertex"]);
    assert!(
        err.contains("27 x 64 strategies (the reduced normal form)"),
        "{err}"
    );
    assert!(err.contains("up to 7.5e16 vertices"), "{err}");
    assert!(err.contains("method seqform solves"), "{err}");
    assert!(err.contains("--force"), "{err}");
    // Support pairs of equal size: C(91, 27) ≈ 9.8e22.
    let err = solve_fails("kuhn_poker.efg", &["-m", "support"]);
    assert!(err.contains("up to 9.8e22 pairs of supports"), "{err}");
    // enum-n counts its support profiles before listing them: (2^27 - 1)(2^64 - 1).
    let err = solve_fails("kuhn_poker.efg", &["-m", "enum-n"]);
    assert!(err.contains("more than 2^64 support profiles"), "{err}");
    assert!(err.contains("27 x 64 strategies per player"), "{err}");
    assert!(err.contains("method seqform"), "{err}");
}

#[test]
fn a_forced_blow_up_stops_at_the_memory_and_time_limits() {
    // Forced, vertex enumeration of Kuhn poker would grow past 8 GB; the
    // budget stops it at 40 MiB of its own data.
    let err = solve_fails(
        "kuhn_poker.efg",
        &["-m", "vertex", "--force", "--max-memory", "40"],
    );
    assert!(err.contains("stopped at the memory limit"), "{err}");
    assert!(err.contains("(limit 40 MiB)"), "{err}");
    assert!(err.contains("bases"), "{err}");
    assert!(err.contains("method seqform"), "{err}");
    let err = solve_fails(
        "kuhn_poker.efg",
        &[
            "-m",
            "vertex",
            "--force",
            "--timeout",
            "0.2",
            "--max-memory",
            "200",
        ],
    );
    assert!(err.contains("stopped at the time limit of 0.2 s"), "{err}");
    let err = solve_fails("bos.nfg", &["--timeout", "-1"]);
    assert!(err.contains("--timeout"), "{err}");
}

#[test]
fn no_pure_equilibrium_ignored_flags_and_column_labels() {
    let out = brink()
        .args([
            "solve",
            &format!("{GAMES}/matching_pennies.json"),
            "-m",
            "pure",
        ])
        .args(["--lambda", "2"])
        .assert()
        .success()
        .stdout("")
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("note: no pure equilibrium"), "{err}");
    assert!(
        err.contains("warning: --lambda is used by --method logit only; ignored by --method pure"),
        "{err}"
    );
    // The text lines' columns are named as in the JSON labels.
    let out = brink()
        .args(["solve", &format!("{GAMES}/bos.nfg"), "--label", "1"])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains("warning: --label is used by --method lh only"),
        "{err}"
    );
    let v: Value = serde_json::from_str(&solve("bos.nfg", &["-f", "json"])).unwrap();
    let header = format!(
        "note: columns after NE: {} ({}, {}), {} ({}, {})",
        v["players"][0].as_str().unwrap(),
        v["labels"][0][0].as_str().unwrap(),
        v["labels"][0][1].as_str().unwrap(),
        v["players"][1].as_str().unwrap(),
        v["labels"][1][0].as_str().unwrap(),
        v["labels"][1][1].as_str().unwrap(),
    );
    assert!(err.contains(&header), "{err}\n{header}");
    let out = brink()
        .args([
            "solve",
            &format!("{GAMES}/bos.nfg"),
            "-m",
            "lh",
            "--timeout",
            "5",
        ])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains(
            "warning: --timeout is used by --method vertex, enum-n only; ignored by --method lh"
        ),
        "{err}"
    );
    // A label out of range: the labels listed with the strategies they stand for,
    // named as in the JSON labels.
    let out = brink()
        .args([
            "solve",
            &format!("{GAMES}/bos.nfg"),
            "-m",
            "lh",
            "--label",
            "4",
        ])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    let p1 = v["players"][1].as_str().unwrap();
    let last = v["labels"][1][1].as_str().unwrap();
    assert!(
        err.contains("--label: Lemke-Howson label 4 does not exist: the labels are 0 to 3"),
        "{err}"
    );
    assert!(err.contains(&format!("3 = {p1}: {last}")), "{err}");
}
