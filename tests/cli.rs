//! The real binary, driven as a user would.

use assert_cmd::Command;
use predicates::prelude::*;

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// The words of `line` (arguments without spaces), as a list.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

#[test]
fn summary_json_is_byte_identical_on_1_2_and_4_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = dir.path().join(format!("t{threads}"));
        brink()
            .args([
                "run",
                "scenarios/iran_plan_b.toml",
                "-n",
                "3000",
                "--seed",
                "7",
                "-j",
                threads,
                "-q",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        outputs.push(std::fs::read(out.join("summary.json")).unwrap());
    }
    assert!(!outputs[0].is_empty());
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn run_writes_all_outputs_and_prints_a_table() {
    let dir = tempfile::tempdir().unwrap();
    brink()
        .args(words(
            "run scenarios/prisoners_dilemma.toml -n 200 -q --out",
        ))
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("mutual_defection"))
        .stdout(predicate::str::contains("(defect, defect)"))
        .stdout(predicate::str::contains("100.0%"));
    for f in [
        "summary.json",
        "outcomes.csv",
        "equilibria.csv",
        "outcomes.svg",
        "equilibria.svg",
        "report.html",
    ] {
        let p = dir.path().join(f);
        assert!(p.metadata().unwrap().len() > 0, "{f} missing or empty");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["runs"], 200);
    assert_eq!(summary["outcomes"][1]["name"], "mutual_defection");
    assert_eq!(summary["outcomes"][1]["count"], 200);
}

#[test]
fn json_and_csv_formats() {
    let out = brink()
        .args(words(
            "run scenarios/matching_pennies.toml -n 100 -q -f json",
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["equilibria"][0]["label"], "not an equilibrium");
    brink()
        .args(words(
            "run scenarios/matching_pennies.toml -n 100 -q -f csv",
        ))
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "table,name,count,frequency,ci95_low,ci95_high\noutcome,",
        ))
        .stdout(predicate::str::contains("\n\n").not());
}

#[test]
fn set_changes_a_parameter_and_is_reported() {
    brink()
        .args(words(
            "run scenarios/stag_hunt.toml -n 100 -q --set lambda=0",
        ))
        .assert()
        .success()
        .stdout(predicate::str::contains("lambda = 0"));
}

#[test]
fn replay_prints_rounds_and_json() {
    brink()
        .args(words("replay scenarios/iran_plan_b.toml --seed 5 --run 12"))
        .assert()
        .success()
        .stdout(predicate::str::contains("round 1"))
        .stdout(predicate::str::contains("true types:"))
        .stdout(predicate::str::contains("settled play:"));
    let out = brink()
        .args(words(
            "replay scenarios/iran_plan_b.toml -s 5 -r 12 -f json",
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["seed"], "5", "seeds are strings in JSON");
    assert_eq!(v["run"], 12);
    assert!(!v["rounds"].as_array().unwrap().is_empty());
}

#[test]
fn replay_agrees_with_the_batch_single_run() {
    // A batch of one run (index 0) and the replay of run 0 end in the same outcome.
    let out = brink()
        .args(words(
            "run scenarios/iran_plan_b.toml -n 1 -s 31 -q -f json",
        ))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let outcome = v["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["count"] == 1)
        .unwrap()["name"]
        .clone();
    let out = brink()
        .args(words(
            "replay scenarios/iran_plan_b.toml -s 31 -r 0 -f json",
        ))
        .output()
        .unwrap();
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["outcome"], outcome);
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        brink()
            .arg("validate")
            .arg(&path)
            .assert()
            .success()
            .stdout(predicate::str::starts_with("ok: "));
    }
}

#[test]
fn errors_are_one_clear_line_with_nonzero_exit() {
    // "arguments separated by spaces => what stderr must contain"
    let cases = [
        "validate scenarios/nope.toml => cannot read the scenario file",
        "run scenarios/stag_hunt.toml --set nope=1 => unknown parameter `nope`",
        "run scenarios/stag_hunt.toml --set lambda=99 => outside the parameter's declared range",
        "run scenarios/stag_hunt.toml -n 0 => --runs must be at least 1",
        "run scenarios/stag_hunt.toml -n 10 -j 0 => --threads must be at least 1",
        "run scenarios/stag_hunt.toml --set lambda => expected NAME=VALUE",
        "run scenarios/stag_hunt.toml --set lambda=abc => is not a number",
        "run scenarios/stag_hunt.toml -n lots => invalid value",
        "replay scenarios/stag_hunt.toml => --run",
    ];
    for case in cases {
        let (args, message) = case.split_once(" => ").unwrap();
        let args: Vec<&str> = args.split_whitespace().collect();
        let out = brink().args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(message), "{args:?}: stderr was {err:?}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    }
}

#[test]
fn scenario_errors_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/stag_hunt.toml"
    ))
    .unwrap()
    .replace("horizon = 30", "horizon = 0");
    std::fs::write(&path, src).unwrap();
    let out = brink().arg("validate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "bad.toml:9:11: scenario.horizon: expected a number of rounds from 1 to 1000000, got 0"
        ),
        "{err}"
    );
}

#[test]
fn help_describes_every_command() {
    brink().arg("--help").assert().success().stdout(
        predicate::str::contains("run")
            .and(predicate::str::contains("validate"))
            .and(predicate::str::contains("replay")),
    );
    brink()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--set <NAME=VALUE>"));
}

#[test]
fn tune_reports_best_values_targets_and_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let out = brink()
        .args(words(
            "tune scenarios/stag_hunt.toml --target both_stag=0.2 --param lambda=0.2..5",
        ))
        .args(words("--budget 12 -n 400 -q -f json --out"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["best"][0]["name"], "lambda");
    assert_eq!(v["format_version"], 2);
    assert_eq!(v["seed"], "2021");
    assert_eq!(v["targets"][0]["outcome"], "both_stag");
    assert_eq!(v["targets"][0]["frequency"], 0.2);
    assert_eq!(v["ranges"][0]["hi"], 5.0);
    assert_eq!(v["scenario_sha256"].as_str().unwrap().len(), 64);
    assert!(v["confirmation_seed"].is_string());
    assert_eq!(v["trace"][0]["parameters"][0]["name"], "lambda");
    assert_eq!(v["confirmation"][0]["outcome"], "both_stag");
    assert!(v["evaluations"].as_u64().unwrap() <= 12);
    assert_eq!(v["confirmation"].as_array().unwrap().len(), 3);
    let trace = std::fs::read_to_string(dir.path().join("trace.csv")).unwrap();
    assert!(
        trace.starts_with("evaluation,lambda,objective,best_objective\n"),
        "{trace}"
    );
    brink()
        .args(words(
            "tune scenarios/stag_hunt.toml --target nope=0.2 --param lambda=0.2..5",
        ))
        .assert()
        .failure()
        .stderr(predicate::str::contains("nope"));
}

#[test]
fn a_negative_seed_is_an_invalid_value_not_a_flag() {
    brink()
        .args(["run", "scenarios/prisoners_dilemma.toml", "-s", "-1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "invalid value '-1' for '--seed <SEED>'",
        ))
        .stderr(predicate::str::contains("tip").not());
}

/// Output files get mode 0666 less the umask, as `File::create` gives, not 0600.
#[cfg(unix)]
#[test]
fn output_files_respect_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let bin = assert_cmd::cargo::cargo_bin("brink");
    for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" run scenarios/prisoners_dilemma.toml -n 10 -q -o \"$1\""
            ))
            .arg(&bin)
            .arg(&out)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        for f in ["summary.json", "outcomes.csv", "outcomes.svg"] {
            let m = std::fs::metadata(out.join(f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(m, mode, "{f} under umask {umask}: {m:o}");
        }
    }
}

/// `run -o FILE` fails on the path before playing a hundred million runs.
#[test]
fn run_checks_the_output_location_before_computing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a_file");
    std::fs::write(&file, "x").unwrap();
    brink()
        .args([
            "run",
            "scenarios/prisoners_dilemma.toml",
            "-n",
            "100000000",
            "-q",
            "-o",
        ])
        .arg(&file)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .failure()
        .stderr(predicate::str::contains("it exists and is not a directory"));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn params_lists_parameters_agents_types_and_outcomes() {
    let out = brink()
        .args([
            "params",
            "scenarios/iran_plan_b.toml",
            "--set",
            "oil_squeeze=0.8",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let line = |start: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line {start} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Name, default, range, doc, and the value set on the command line.
    let oil = line("oil_squeeze ");
    assert!(
        oil.starts_with("oil_squeeze 0.5 0 .. 1 how hard the US enforces"),
        "{oil}"
    );
    assert!(oil.ends_with("[set to 0.8]"), "{oil}");
    assert_eq!(
        line("usa:"),
        "usa: actions offer_relief, hold, sanction, target_oil, strike"
    );
    assert!(text.contains("types: committed (prior 0.5), constrained (prior 0.5)"));
    assert!(text.contains("agents (4), in profile order:"));
    assert!(text.contains("outcomes (6): regional_war, limited_strike,"));
}

#[test]
fn the_default_scenario_works_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("brink")
        .unwrap()
        .current_dir(dir.path())
        .args(["run", "-n", "20", "-q"])
        .assert()
        .success()
        .stdout(predicate::str::contains("regional_war"));
}

#[test]
fn version_names_the_git_commit_when_built_in_a_repository() {
    let out = brink().arg("--version").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.starts_with(&format!("brink {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_owned());
    match head {
        Some(commit) => assert_eq!(
            text.trim(),
            format!("brink {} (commit {commit})", env!("CARGO_PKG_VERSION"))
        ),
        None => assert_eq!(text.trim(), format!("brink {}", env!("CARGO_PKG_VERSION"))),
    }
}

#[test]
fn completions_and_man_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = brink().args(["completions", shell]).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        for cmd in ["run", "sweep", "tune", "solve", "replay", "merge"] {
            assert!(text.contains(cmd), "{shell} completions lack {cmd}");
        }
    }
    brink()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
    let out = brink().arg("man").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with(".ie"), "{text}");
    assert!(text.contains(".TH brink 1"), "{text}");
    for cmd in ["run", "sweep", "tune", "solve", "completions"] {
        assert!(text.contains(&format!("brink\\-{cmd}(1)")), "{cmd}");
    }
}

#[test]
fn set_values_agent_order_and_string_seeds_in_summary_json() {
    let dir = tempfile::tempdir().unwrap();
    brink()
        .args(["run", "scenarios/prisoners_dilemma.toml", "-n", "50", "-q"])
        .args(["--seed", "18446744073709551615", "-o"])
        .arg(dir.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format_version"], 2);
    assert_eq!(v["seed"], "18446744073709551615");
    assert_eq!(v["set"], serde_json::json!([]));
    let agents = v["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 2);
    let svg = std::fs::read_to_string(dir.path().join("outcomes.svg")).unwrap();
    assert!(!svg.contains("; set "));

    let out = brink()
        .args([
            "run",
            "scenarios/iran_plan_b.toml",
            "-n",
            "50",
            "-q",
            "-f",
            "json",
        ])
        .args(["--set", "oil_squeeze=0.8", "--set", "p_hardliner=0.5"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    // p_hardliner=0.5 is its default: only oil_squeeze is set away from it.
    assert_eq!(
        v["set"],
        serde_json::json!([{"name": "oil_squeeze", "value": 0.8}])
    );
    assert_eq!(
        v["agents"],
        serde_json::json!(["usa", "israel", "iran", "china"])
    );
    brink()
        .args([
            "run",
            "scenarios/iran_plan_b.toml",
            "-n",
            "50",
            "-q",
            "--set",
            "oil_squeeze=0.8",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Set away from the scenario's defaults: oil_squeeze = 0.8",
        ))
        .stdout(predicate::str::contains(
            "profiles list actions as (usa, israel, iran, china)",
        ));
}
