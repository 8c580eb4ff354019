//! Outputs that load cleanly (issue 15): `run --per-run`, the sweep's long-format
//! and sensitivity tables and its terminal overview, `format_version` and string
//! seeds in every JSON output. Driven through the real binary.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Runs brink with `args` (then `extra`), asserts success, returns stdout.
fn ok(args: &str, extra: &[&Path]) -> String {
    let out = brink().args(words(args)).args(extra).output().unwrap();
    assert!(
        out.status.success(),
        "brink {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Header and records of a CSV file.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn f(cell: &str) -> f64 {
    cell.parse().unwrap()
}

const RUNS: usize = 1100; // three chunks of 512, the last one partial

#[test]
fn per_run_rows_are_ordered_deterministic_and_replayable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = format!("run scenarios/iran_plan_b.toml -n {RUNS} -s 5 -q -f json");
    for j in ["1", "2"] {
        let csv = d.join(format!("runs{j}.csv"));
        let out = d.join(format!("out{j}"));
        ok(
            &format!("{base} -j {j} --per-run"),
            &[&csv, Path::new("-o"), &out],
        );
    }
    // Identical bytes on 1 and 2 threads, and the batch's summary unchanged by --per-run.
    let bytes = std::fs::read(d.join("runs1.csv")).unwrap();
    assert_eq!(bytes, std::fs::read(d.join("runs2.csv")).unwrap());
    let plain = d.join("plain");
    ok(&base, &[Path::new("-o"), &plain]);
    let summary = std::fs::read(plain.join("summary.json")).unwrap();
    assert_eq!(summary, std::fs::read(d.join("out1/summary.json")).unwrap());
    let summary: Value = serde_json::from_slice(&summary).unwrap();

    let (header, rows) = read_csv(&d.join("runs1.csv"));
    assert_eq!(&header[..4], ["run", "seed", "outcome", "equilibrium"]);
    assert!(header.contains(&"tension".to_owned()));
    assert!(header.contains(&"payoff_iran".to_owned()));
    assert_eq!(rows.len(), RUNS);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), header.len());
        assert_eq!(r[0], i.to_string(), "rows in run-index order");
        assert_eq!(r[1], "5");
    }
    // Outcome and equilibrium counts agree with the summary of the same batch.
    let mut outcomes: BTreeMap<&str, u64> = BTreeMap::new();
    let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &rows {
        *outcomes.entry(r[2].as_str()).or_default() += 1;
        *classes.entry(r[3].as_str()).or_default() += 1;
    }
    for o in summary["outcomes"].as_array().unwrap() {
        let n = outcomes.get(o["name"].as_str().unwrap()).copied();
        assert_eq!(n.unwrap_or(0), o["count"].as_u64().unwrap(), "{o}");
    }
    for e in summary["equilibria"].as_array().unwrap() {
        let n = classes.get(e["label"].as_str().unwrap()).copied();
        assert_eq!(n.unwrap_or(0), e["count"].as_u64().unwrap(), "{e}");
    }
    // The first run of each outcome, and runs at the chunk edges, replay to the row.
    let mut picks: Vec<usize> = outcomes
        .keys()
        .map(|o| rows.iter().position(|r| r[2] == *o).unwrap())
        .collect();
    picks.extend([511, 512, RUNS - 1]);
    for i in picks {
        let trace: Value = serde_json::from_str(&ok(
            &format!("replay scenarios/iran_plan_b.toml -s 5 -r {i} -f json"),
            &[],
        ))
        .unwrap();
        let r = &rows[i];
        assert_eq!(trace["outcome"], r[2].as_str(), "run {i}");
        assert_eq!(
            trace["rounds"].as_array().unwrap().len(),
            f(&r[col("rounds")]) as usize
        );
        let payoff = trace["payoffs"][2].as_f64().unwrap();
        assert_eq!(payoff, f(&r[col("payoff_iran")]), "run {i}");
    }
}

#[test]
fn sweep_writes_long_points_and_sensitivity_tables_equal_to_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sweep = "sweep scenarios/stag_hunt.toml --param lambda=0.2..5 --param stag=3..6 \
                 --design sobol --points 4 -n 60 -q";
    let stdout = ok(&format!("{sweep} -o"), &[&d.join("full")]);
    assert!(
        stdout.contains("Outcome frequencies per point (10 of 16 points"),
        "{stdout}"
    );
    assert!(stdout.contains("… 6 more points"), "{stdout}");
    assert!(stdout.contains("Sobol' indices"), "{stdout}");
    assert!(stdout.contains("S1") && stdout.contains("ST"), "{stdout}");

    let summary = json(&d.join("full/summary.json"));
    let points = summary["points"].as_array().unwrap();
    assert_eq!(points.len(), 16);
    let outcomes: Vec<&str> = points[0]["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();

    let (header, rows) = read_csv(&d.join("full/points_long.csv"));
    assert_eq!(
        header,
        [
            "point",
            "lambda",
            "stag",
            "outcome",
            "count",
            "runs",
            "frequency",
            "ci_low",
            "ci_high"
        ]
    );
    assert_eq!(rows.len(), 16 * outcomes.len());
    for r in &rows {
        let p = &points[r[0].parse::<usize>().unwrap()];
        assert_eq!(f(&r[1]), p["parameters"][0]["value"].as_f64().unwrap());
        assert_eq!(f(&r[2]), p["parameters"][1]["value"].as_f64().unwrap());
        let o = p["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == r[3].as_str())
            .unwrap();
        assert_eq!(r[4], o["count"].to_string());
        assert_eq!(r[5], "60");
        for (cell, key) in r[6..].iter().zip(["frequency", "ci95_low", "ci95_high"]) {
            assert_eq!(f(cell), o[key].as_f64().unwrap(), "{key} in {r:?}");
        }
    }

    let (header, rows) = read_csv(&d.join("full/sensitivity.csv"));
    assert_eq!(
        header,
        [
            "outcome",
            "parameter",
            "index",
            "value",
            "ci_low",
            "ci_high"
        ]
    );
    assert_eq!(rows.len(), outcomes.len() * 2 * 2);
    for r in &rows {
        let entry = summary["sensitivity"][&r[0]]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == r[1].as_str())
            .unwrap();
        let (key, conf) = match r[2].as_str() {
            "S1" => ("s1", "s1_conf"),
            "ST" => ("st", "st_conf"),
            other => panic!("index {other}"),
        };
        let value = entry[key].as_f64().unwrap();
        assert_eq!(f(&r[3]), value);
        match entry[conf].as_f64() {
            Some(c) => {
                assert!((f(&r[4]) - (value - c)).abs() < 1e-12);
                assert!((f(&r[5]) - (value + c)).abs() < 1e-12);
            }
            None => assert!(r[4].is_empty() && r[5].is_empty()),
        }
    }

    // Shards merged: the same tables, and the same overview on the terminal.
    for k in ["1", "2"] {
        let shard = format!("{sweep} --shard {k}/2 -o");
        ok(&shard, &[&d.join(format!("s{k}"))]);
    }
    let merged = ok(
        "merge -o",
        &[&d.join("merged"), &d.join("s1"), &d.join("s2")],
    );
    assert_eq!(merged, stdout);
    for file in ["points_long.csv", "sensitivity.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(d.join("full").join(file)).unwrap(),
            std::fs::read(d.join("merged").join(file)).unwrap(),
            "{file}"
        );
    }

    // A plain design (no indices): the point table only, no sensitivity.csv.
    let stdout = ok(
        "sweep scenarios/stag_hunt.toml --param lambda=0.2..5 --design grid --points 3 -n 20 \
         -q -o",
        &[&d.join("grid")],
    );
    assert!(stdout.contains("(3 of 3 points"), "{stdout}");
    assert!(!stdout.contains("indices"), "{stdout}");
    assert!(!d.join("grid/sensitivity.csv").exists());
    let (_, rows) = read_csv(&d.join("grid/points_long.csv"));
    assert_eq!(rows.len(), 3 * outcomes.len());
}

#[test]
fn morris_sweeps_print_and_write_mu_star_and_sigma() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = ok(
        "sweep scenarios/stag_hunt.toml --param lambda=0.2..5 --param stag=3..6 \
         --design morris --points 3 -n 20 -q -o",
        &[dir.path()],
    );
    assert!(stdout.contains("Morris elementary effects"), "{stdout}");
    assert!(stdout.contains("μ*") && stdout.contains("σ"), "{stdout}");
    let (_, rows) = read_csv(&dir.path().join("sensitivity.csv"));
    let indices: Vec<&str> = rows.iter().take(3).map(|r| r[2].as_str()).collect();
    assert_eq!(indices, ["mu_star", "mu", "sigma"]);
    let summary = json(&dir.path().join("summary.json"));
    let n_outcomes = summary["points"][0]["outcomes"].as_array().unwrap().len();
    assert_eq!(rows.len(), n_outcomes * 2 * 3);
}

#[test]
fn every_json_output_has_format_version_first_and_string_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first_key = |text: &str| {
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["format_version"], 2, "{text}");
        text.trim_start()
            .trim_start_matches('{')
            .trim_start()
            .starts_with("\"format_version\"")
    };
    let run = ok(
        "run scenarios/prisoners_dilemma.toml -n 50 -s 18446744073709551615 -q -f json -o",
        &[&d.join("run")],
    );
    assert!(first_key(&run));
    assert_eq!(
        json(&d.join("run/summary.json"))["seed"],
        "18446744073709551615"
    );
    ok(
        "sweep scenarios/prisoners_dilemma.toml --param temptation=3.5..6 --points 2 -n 10 \
         -s 18446744073709551615 -q -o",
        &[&d.join("sweep")],
    );
    for file in ["summary.json", "manifest.json"] {
        let text = std::fs::read_to_string(d.join("sweep").join(file)).unwrap();
        assert!(first_key(&text), "{file}");
        assert_eq!(
            json(&d.join("sweep").join(file))["seed"],
            "18446744073709551615"
        );
    }
    let trace = ok(
        "replay scenarios/prisoners_dilemma.toml -s 18446744073709551615 -r 2 -f json",
        &[],
    );
    assert!(first_key(&trace));
    assert_eq!(
        serde_json::from_str::<Value>(&trace).unwrap()["seed"],
        "18446744073709551615"
    );
    let solve = ok("solve crates/brink-solve/tests/games/bos.nfg -f json", &[]);
    assert!(first_key(&solve));
    let tune = ok(
        "tune scenarios/stag_hunt.toml --target both_stag=0.2 --param lambda=0.2..5 \
         --budget 3 -n 30 -q -f json",
        &[],
    );
    assert!(first_key(&tune));
    // A sweep directory from before format_version (only `format`) still resumes.
    let manifest = d.join("sweep/manifest.json");
    let mut old = json(&manifest);
    old.as_object_mut().unwrap().remove("format_version");
    std::fs::write(&manifest, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    std::fs::remove_file(d.join("sweep/points/000001.json")).unwrap();
    ok(
        "sweep scenarios/prisoners_dilemma.toml --param temptation=3.5..6 --points 2 -n 10 \
         -s 18446744073709551615 -q --resume -o",
        &[&d.join("sweep")],
    );
}
