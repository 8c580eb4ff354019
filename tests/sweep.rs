//! Sweeps: shards merge byte-identically, a killed sweep resumes to the same bytes,
//! thread count does not matter, a changed scenario is refused.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").unwrap();
    c.current_dir(ROOT);
    c
}

/// The words of `line` (arguments without spaces), as a list.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// `sweep SCENARIO FLAGS... -q --out OUT`: the arguments of a quiet sweep.
fn sweep_argv(scenario: impl AsRef<Path>, flags: &[&str], out: &Path) -> Vec<String> {
    ["sweep".to_owned(), scenario.as_ref().display().to_string()]
        .into_iter()
        .chain(flags.iter().map(|f| f.to_string()))
        .chain([
            "-q".to_owned(),
            "--out".to_owned(),
            out.display().to_string(),
        ])
        .collect()
}

/// `brink sweep SCENARIO FLAGS... -q --out OUT`.
fn sweep(scenario: impl AsRef<Path>, flags: &[&str], out: &Path) -> Command {
    let mut c = brink();
    c.args(sweep_argv(scenario, flags, out));
    c
}

/// The 7-point Latin hypercube over two parameters most tests use.
fn sweep_args(scenario: &str, out: &Path) -> Vec<String> {
    let flags = [
        "--param",
        "lambda=0.5..5",
        "--param",
        "hare=2.5..3.5",
        "--design",
        "lhs",
        "--points",
        "7",
        "-n",
        "1100",
        "--seed",
        "3",
    ];
    sweep_argv(scenario, &flags, out)
}

fn outputs(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(dir.join("points.csv")).unwrap(),
        std::fs::read(dir.join("summary.json")).unwrap(),
    )
}

#[test]
fn three_shards_merged_equal_the_unsharded_sweep_and_threads_do_not_matter() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    brink()
        .args(sweep_args("scenarios/stag_hunt.toml", &whole))
        .args(["-j", "2"])
        .assert()
        .success();
    let reference = outputs(&whole);
    assert!(
        String::from_utf8_lossy(&reference.0).lines().count() == 8,
        "header + 7 points"
    );

    let one_thread = tmp.path().join("one");
    brink()
        .args(sweep_args("scenarios/stag_hunt.toml", &one_thread))
        .args(["-j", "1"])
        .assert()
        .success();
    assert_eq!(outputs(&one_thread), reference, "1 vs 2 threads");

    let mut shards: Vec<PathBuf> = Vec::new();
    for k in 1..=3 {
        let dir = tmp.path().join(format!("shard{k}"));
        brink()
            .args(sweep_args("scenarios/stag_hunt.toml", &dir))
            .args(["--shard", &format!("{k}/3")])
            .assert()
            .success();
        assert!(
            !dir.join("points.csv").exists(),
            "a shard does not write final outputs"
        );
        shards.push(dir);
    }
    // Two shards are not enough.
    let partial = tmp.path().join("partial");
    brink()
        .arg("merge")
        .args(&shards[..2])
        .arg("--out")
        .arg(&partial)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "2 of 7 points are not finished in any of the directories",
        ));
    let merged = tmp.path().join("merged");
    brink()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    assert_eq!(outputs(&merged), reference, "3 shards merged");
}

#[test]
fn a_sweep_point_is_the_batch_with_the_same_values() {
    // Common random numbers: run i of every point uses the streams of (seed, i), so a
    // point's frequencies equal those of `brink run` with the point's values.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    brink()
        .args(sweep_args("scenarios/stag_hunt.toml", &dir))
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let point = &summary["points"][4];
    let lambda = point["parameters"][0]["value"].as_f64().unwrap();
    let hare = point["parameters"][1]["value"].as_f64().unwrap();
    let out = brink()
        .args(words(
            "run scenarios/stag_hunt.toml -n 1100 -s 3 -q -f json",
        ))
        .args([
            "--set",
            &format!("lambda={lambda:?}"),
            "--set",
            &format!("hare={hare:?}"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(point["outcomes"], run["outcomes"]);
    assert_eq!(point["equilibria"], run["equilibria"]);

    // And any run of any point replays from the sweep directory.
    let out = brink()
        .args(["replay", "--from"])
        .arg(&dir)
        .args(words("--point 4 --run 17 -f json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_sweep: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = brink()
        .args(words("replay scenarios/stag_hunt.toml -s 3 -r 17 -f json"))
        .args([
            "--set",
            &format!("lambda={lambda:?}"),
            "--set",
            &format!("hare={hare:?}"),
        ])
        .output()
        .unwrap();
    let direct: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_sweep, direct);
}

/// A grid sweep of `points` points of iran_plan_b on one thread, 6 chunks a point: it
/// takes several waves of 64 chunks, so points reach disk before it ends (a one-wave
/// sweep writes them all at once).
fn killable_sweep_argv(points: &str, out: &Path) -> Vec<String> {
    let flags = [
        "--param",
        "oil_squeeze=0..1",
        "--design",
        "grid",
        "--points",
        points,
        "-n",
        "3000",
        "--seed",
        "8",
        "-j",
        "1",
    ];
    sweep_argv("scenarios/iran_plan_b.toml", &flags, out)
}

/// Starts `brink ARGS` in the background, output discarded.
fn spawn_brink(args: &[String]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("brink"))
        .current_dir(ROOT)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits (at most a minute) until `dir/points` holds at least `n` files.
fn wait_for_points(dir: &Path, n: usize) {
    let start = Instant::now();
    loop {
        let done = std::fs::read_dir(dir.join("points"))
            .map(|d| d.count())
            .unwrap_or(0);
        if done >= n || start.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_killed_sweep_resumes_to_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let args = |out: &Path| killable_sweep_argv("24", out);
    let reference = tmp.path().join("reference");
    brink().args(args(&reference)).assert().success();

    let killed = tmp.path().join("killed");
    let mut child = spawn_brink(&args(&killed));
    // Wait until some, but not all, points are on disk, then kill -9.
    wait_for_points(&killed, 3);
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let finished = std::fs::read_dir(killed.join("points")).unwrap().count();
    assert!(
        finished < 24,
        "the sweep finished before it could be killed ({finished} points)"
    );
    assert!(!killed.join("points.csv").exists());

    // Without --resume the directory is refused; with it the sweep finishes.
    brink()
        .args(args(&killed))
        .assert()
        .failure()
        .stderr(predicate::str::contains("pass --resume"));
    brink()
        .args(args(&killed))
        .arg("--resume")
        .assert()
        .success();
    assert_eq!(outputs(&killed), outputs(&reference));
}

#[test]
fn resuming_with_a_changed_scenario_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("stag.toml");
    std::fs::copy(Path::new(ROOT).join("scenarios/stag_hunt.toml"), &scenario).unwrap();
    let dir = tmp.path().join("s");
    let run = |extra: &[&str]| {
        let flags = ["--param", "lambda=0.5..5", "--points", "3", "-n", "100"];
        sweep(&scenario, &flags, &dir).args(extra).assert()
    };
    run(&[]).success();
    let text = std::fs::read_to_string(&scenario)
        .unwrap()
        .replace("stag = { default = 4.0", "stag = { default = 4.5");
    std::fs::write(&scenario, text).unwrap();
    run(&["--resume"])
        .failure()
        .stderr(predicate::str::contains(
            "scenario file contents (SHA-256) differ",
        ));
    // A different seed is a different sweep too.
    std::fs::copy(Path::new(ROOT).join("scenarios/stag_hunt.toml"), &scenario).unwrap();
    run(&["--resume", "--seed", "9"])
        .failure()
        .stderr(predicate::str::contains("the seed differ"));
}

#[test]
fn sweep_flags_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--param", "nope=0..1"],
            "the scenario has no parameter `nope`",
        ),
        (
            &["--param", "lambda=0..99"],
            "leaves the parameter's declared range",
        ),
        (&["--param", "lambda=1..0"], "lambda"),
        (&["--shard", "4/3"], "expected K/N"),
        (&["--resume"], "nothing to resume"),
    ];
    for (extra, message) in cases {
        let o = sweep(
            "scenarios/stag_hunt.toml",
            &["-n", "10", "--points", "2"],
            &out,
        )
        .args(*extra)
        .output()
        .unwrap();
        assert!(!o.status.success(), "{extra:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{extra:?}: {err}");
    }
}

/// A one-run-a-point log-scale Latin hypercube of `points` points over `lambda`.
fn lhs_flags(points: &str) -> [&str; 8] {
    [
        "--param",
        "lambda=0.5..5:log",
        "--design",
        "lhs",
        "--points",
        points,
        "-n",
        "1",
    ]
}

#[test]
fn the_manifest_records_the_design_not_its_points() {
    // The points are regenerated from the design's spec: the manifest's size does not
    // grow with the number of points, and an old-format manifest is refused clearly.
    let tmp = tempfile::tempdir().unwrap();
    let sizes: Vec<u64> = [2, 200]
        .iter()
        .map(|points| {
            let dir = tmp.path().join(format!("p{points}"));
            sweep(
                "scenarios/stag_hunt.toml",
                &lhs_flags(&points.to_string()),
                &dir,
            )
            .assert()
            .success();
            std::fs::metadata(dir.join("manifest.json")).unwrap().len()
        })
        .collect();
    // Only the digits of `size` and `points` differ (2 vs 200).
    assert!(
        sizes[1] == sizes[0] + 4,
        "manifest grows with the points: {sizes:?}"
    );
    let dir = tmp.path().join("p200");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], 2);
    assert_eq!(manifest["points"], 200);
    assert_eq!(manifest["design"]["kind"], "lhs");
    assert_eq!(manifest["design"]["ranges"][0]["log"], true);
    // Any point replays from the design alone; a point past the end is refused.
    brink()
        .args(["replay", "--from"])
        .arg(&dir)
        .args(words("--point 150 --run 0 -f json"))
        .assert()
        .success();
    brink()
        .args(["replay", "--from"])
        .arg(&dir)
        .args(words("--point 200 --run 0"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("has points 0..200"));

    let resume = || {
        sweep("scenarios/stag_hunt.toml", &lhs_flags("200"), &dir)
            .arg("--resume")
            .assert()
    };
    let write = |m: &serde_json::Value| {
        std::fs::write(dir.join("manifest.json"), serde_json::to_vec(m).unwrap()).unwrap()
    };
    resume().success();
    let mut old = manifest.clone();
    old["format"] = 1.into();
    old["points"] = serde_json::json!([[1.0], [2.0]]);
    write(&old);
    resume()
        .failure()
        .stderr(predicate::str::contains("sweep format 1 (written by brink"));
    // A brink that drew the design differently is caught by the points' digest: on
    // resume, and when the outputs are written (merge).
    let mut other = manifest.clone();
    other["points_sha256"] = "00".repeat(32).into();
    write(&other);
    resume().failure().stderr(predicate::str::contains(
        "the design's points (SHA-256) differ",
    ));
    brink()
        .arg("merge")
        .arg(&dir)
        .arg("--out")
        .arg(tmp.path().join("merged"))
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "draws the design's points differently",
        ));
}

#[test]
fn points_longer_than_a_wave_and_sensitivity_designs_merge_byte_identically() {
    // 33 300 runs per point are 66 chunks, more than a wave of 64: a point's chunks
    // are merged across waves, as `brink run` merges them. And a Sobol' sweep (with
    // its sensitivity indices) merges from shards to the same bytes.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("long");
    let flags = [
        "--param",
        "lambda=0.5..5",
        "--design",
        "lhs",
        "--points",
        "2",
        "-n",
        "33300",
        "--seed",
        "5",
    ];
    sweep("scenarios/stag_hunt.toml", &flags, &dir)
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    for point in summary["points"].as_array().unwrap() {
        let lambda = point["parameters"][0]["value"].as_f64().unwrap();
        let out = brink()
            .args([
                "run",
                "scenarios/stag_hunt.toml",
                "-n",
                "33300",
                "-s",
                "5",
                "-q",
                "-f",
                "json",
                "--set",
                &format!("lambda={lambda:?}"),
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(point["outcomes"], run["outcomes"]);
        assert_eq!(point["equilibria"], run["equilibria"]);
    }

    let sobol = [
        "--param",
        "lambda=0.5..5:log",
        "--param",
        "hare=2.5..3.5",
        "--design",
        "sobol",
        "--points",
        "4",
        "-n",
        "300",
    ];
    let args = |out: &Path| sweep_argv("scenarios/stag_hunt.toml", &sobol, out);
    let whole = tmp.path().join("whole");
    brink().args(args(&whole)).assert().success();
    let reference = outputs(&whole);
    assert!(String::from_utf8_lossy(&reference.1).contains("\"s1\""));
    let mut shards = Vec::new();
    for k in 1..=2 {
        let d = tmp.path().join(format!("shard{k}"));
        brink()
            .args(args(&d))
            .args(["--shard", &format!("{k}/2")])
            .assert()
            .success();
        shards.push(d);
    }
    let merged = tmp.path().join("merged");
    brink()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    assert_eq!(outputs(&merged), reference);
}

#[test]
fn damaged_or_empty_checkpoints_are_recomputed_on_resume() {
    // Point checkpoints are written without a sync (a killed process keeps them; a
    // power failure may leave them empty or torn): resume recomputes such points and
    // the outputs are the same bytes.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    brink()
        .args(sweep_args("scenarios/stag_hunt.toml", &dir))
        .assert()
        .success();
    let reference = outputs(&dir);
    std::fs::remove_file(dir.join("points.csv")).unwrap();
    std::fs::remove_file(dir.join("summary.json")).unwrap();
    let points = dir.join("points");
    let mut files: Vec<_> = std::fs::read_dir(&points)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    std::fs::write(&files[1], b"").unwrap();
    let torn = std::fs::read(&files[4]).unwrap();
    std::fs::write(&files[4], &torn[..torn.len() / 2]).unwrap();
    brink()
        .args(sweep_args("scenarios/stag_hunt.toml", &dir))
        .arg("--resume")
        .assert()
        .success();
    assert_eq!(outputs(&dir), reference);
}

#[test]
fn a_sweep_directory_in_use_is_refused_at_once() {
    // One writer per sweep directory: a second sweep (or resume) on a directory
    // another process holds fails at once, naming the directory and the holder.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("busy");
    let args = killable_sweep_argv("200", &dir);
    let mut child = spawn_brink(&args);
    wait_for_points(&dir, 1);
    let start = Instant::now();
    let refused = brink().args(&args).arg("--resume").output().unwrap();
    let waited = start.elapsed();
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        still_running,
        "the first sweep finished before the second started"
    );
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains(&format!(
            "{} is in use by another brink process (pid {})",
            dir.display(),
            child.id()
        )),
        "{err}"
    );
    assert!(waited < Duration::from_secs(20), "waited {waited:?}");
}

#[test]
fn merge_refuses_existing_outputs_and_duplicates_names_missing_shards_and_is_atomic() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = |k: u32| {
        let dir = tmp.path().join(format!("s{k}"));
        brink()
            .args(sweep_args("scenarios/stag_hunt.toml", &dir))
            .args(["--shard", &format!("{k}/3")])
            .assert()
            .success();
        dir
    };
    let (s1, s2, s3) = (shard(1), shard(2), shard(3));
    let merge = |dirs: &[&Path], out: &Path| {
        let mut c = brink();
        c.arg("merge").args(dirs).arg("--out").arg(out);
        c.assert()
    };
    let out = tmp.path().join("merged");
    // The same directory twice, and two directories holding the same shard.
    merge(&[&s1, &s1, &s2], &out)
        .failure()
        .stderr(predicate::str::contains("is given twice"));
    let copy = tmp.path().join("s1copy");
    std::fs::create_dir_all(copy.join("points")).unwrap();
    for entry in std::fs::read_dir(&s1)
        .unwrap()
        .chain(std::fs::read_dir(s1.join("points")).unwrap())
    {
        let p = entry.unwrap().path();
        if p.is_file() {
            let rel = p.strip_prefix(&s1).unwrap();
            std::fs::copy(&p, copy.join(rel)).unwrap();
        }
    }
    merge(&[&s1, &copy, &s2], &out)
        .failure()
        .stderr(predicate::str::contains("are both shard 1/3"));
    // Shard 3 missing: points 2 and 5 of 7 (p % 3 == 2); nothing is left behind.
    merge(&[&s1, &s2], &out)
        .failure()
        .stderr(predicate::str::contains(
            "2 of 7 points are not finished in any of the directories (first: point 2): \
         shard 3/3 is missing (2 point(s))",
        ));
    assert!(!out.exists(), "a failed merge leaves no output directory");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
    // A complete merge, then a second one into the same directory is refused.
    merge(&[&s1, &s2, &s3], &out).success();
    let before = outputs(&out);
    merge(&[&s1, &s2, &s3], &out)
        .failure()
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(outputs(&out), before);
}
