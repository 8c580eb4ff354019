//! Golden outputs: the SHA-256 of `summary.json` of every shipped scenario in
//! `scenarios/` (at a fixed seed and run count), and of one replay trace (JSON), are
//! pinned in `tests/golden/hashes.txt`. brink promises that these bytes are the same on
//! every thread count, shard layout, machine, OS and libc for one brink version (see
//! docs/SCENARIO.md §12), so a change here is a change of results.
//!
//! A change of results must be deliberate. After checking that it is intended, rewrite
//! the pinned hashes with
//!
//! ```sh
//! BRINK_UPDATE_GOLDEN=1 cargo test --test golden
//! ```
//!
//! and say in the commit message (and changelog) which scenarios changed and why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// Master seed of every golden batch and trace.
const SEED: &str = "16";
/// Runs per scenario: small enough that the whole test takes seconds.
const RUNS: &str = "600";
/// The replayed run (a scenario with noisy intelligence and noise in its effects).
const TRACE_SCENARIO: &str = "iran_plan_b";
const TRACE_RUN: &str = "3";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn hashes_file() -> PathBuf {
    root().join("tests/golden/hashes.txt")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs the real binary in the workspace root; its standard output on success.
fn brink(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_brink"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("brink starts");
    assert!(
        out.status.success(),
        "brink {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every shipped scenario's name (file stem), sorted.
fn scenarios() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/ is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no scenarios found");
    names
}

/// The current hashes: `summary/<scenario>` and `trace/<scenario>/run<i>`.
fn current_hashes() -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let mut hashes = BTreeMap::new();
    for name in scenarios() {
        let out = dir.path().join(&name);
        let file = format!("scenarios/{name}.toml");
        let out_arg = out.to_str().expect("temporary path is UTF-8");
        brink(&[
            "run", &file, "-n", RUNS, "-s", SEED, "-j", "2", "-q", "-o", out_arg,
        ]);
        let summary = std::fs::read(out.join("summary.json")).expect("summary.json written");
        hashes.insert(format!("summary/{name}"), sha256_hex(&summary));
    }
    let file = format!("scenarios/{TRACE_SCENARIO}.toml");
    let trace = brink(&["replay", &file, "-s", SEED, "-r", TRACE_RUN, "-f", "json"]);
    hashes.insert(
        format!("trace/{TRACE_SCENARIO}/run{TRACE_RUN}"),
        sha256_hex(&trace),
    );
    hashes
}

fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (key, hash) = l.split_once(char::is_whitespace).expect("`key hash` line");
            (key.to_string(), hash.trim().to_string())
        })
        .collect()
}

fn render(hashes: &BTreeMap<String, String>) -> String {
    let mut text = format!(
        "# SHA-256 of brink outputs, pinned by tests/golden.rs: summary.json of\n\
         # `brink run scenarios/NAME.toml -n {RUNS} -s {SEED}` and the JSON trace of\n\
         # `brink replay scenarios/{TRACE_SCENARIO}.toml -s {SEED} -r {TRACE_RUN} -f json`.\n\
         # Update deliberately: BRINK_UPDATE_GOLDEN=1 cargo test --test golden\n"
    );
    for (key, hash) in hashes {
        text += &format!("{key} {hash}\n");
    }
    text
}

#[test]
fn outputs_match_the_pinned_hashes() {
    let now = current_hashes();
    if std::env::var_os("BRINK_UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(hashes_file(), render(&now)).expect("hashes file is writable");
        eprintln!("rewrote {}", hashes_file().display());
        return;
    }
    let pinned = parse(&std::fs::read_to_string(hashes_file()).unwrap_or_default());
    let mut problems = Vec::new();
    for (key, new) in &now {
        match pinned.get(key) {
            Some(old) if old == new => {}
            Some(old) => problems.push(format!("{key} changed:\n    old {old}\n    new {new}")),
            None => problems.push(format!("{key} is not pinned (new {new})")),
        }
    }
    for (key, old) in &pinned {
        if !now.contains_key(key) {
            problems.push(format!(
                "{key} is pinned (old {old}) but no longer produced"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "golden outputs differ from tests/golden/hashes.txt:\n  {}\n\
         If the change is intended, run `BRINK_UPDATE_GOLDEN=1 cargo test --test golden` \
         and note it in the commit message.",
        problems.join("\n  ")
    );
}
