//! Plays a block of runs of one scenario with the ECS engine or with the plain-struct
//! model, for instruction counts: `benches/instructions.sh` runs it under
//! `valgrind --tool=callgrind` (repeatable on a loaded machine, unlike time).
//!
//! `cargo bench --bench instructions -- SCENARIO ecs|plain RUNS`

#[path = "plain/mod.rs"]
mod plain;

use std::path::Path;
use std::sync::Arc;

use brink_core::{Engine, scenario};
use plain::PlainEngine;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [name, variant, runs] = args.as_slice() else {
        eprintln!("usage: instructions SCENARIO ecs|plain RUNS");
        std::process::exit(2);
    };
    let runs: u64 = runs.parse().expect("RUNS is a number");
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let s = Arc::new(scenario::load(&path, &[]).expect("scenario loads"));
    let rounds: u64 = match variant.as_str() {
        "ecs" => {
            let mut e = Engine::new(s);
            (0..runs).map(|i| u64::from(e.run(2021, i).rounds)).sum()
        }
        "plain" => {
            let mut e = PlainEngine::new(s);
            (0..runs).map(|i| u64::from(e.run(2021, i).rounds)).sum()
        }
        other => panic!("unknown variant {other}"),
    };
    println!("{name} {variant} {runs} runs {rounds} rounds");
}
