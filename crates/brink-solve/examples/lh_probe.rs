//! Profiling driver for Lemke–Howson on a game of `benches/peers/games`:
//! prints the path length and support sizes from label 0, then times
//! `iterations` calls (default 20000).
//!
//! ```sh
//! cargo run --release -p brink-solve --example lh_probe -- random_11x11 20000
//! valgrind --tool=callgrind target/release/examples/lh_probe random_11x11 1000
//! ```

use std::hint::black_box;
use std::time::Instant;

use brink_solve::twoplayer::{lemke_howson, lemke_howson_path};
use brink_solve::{NormalFormGame, Q};
use num_traits::Zero;

fn main() {
    let mut args = std::env::args().skip(1);
    let stem = args.next().unwrap_or_else(|| "random_11x11".into());
    let iterations: u32 = args.next().map_or(20_000, |s| s.parse().expect("a count"));
    let path = format!(
        "{}/../../benches/peers/games/{stem}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let shape = doc["num_strategies"]
        .as_array()
        .expect("num_strategies")
        .iter()
        .map(|v| usize::try_from(v.as_u64().expect("a count")).expect("fits"))
        .collect();
    let payoffs = doc["payoffs"]
        .as_array()
        .expect("payoffs")
        .iter()
        .map(|v| Q::from_integer(v.as_i64().expect("an integer").into()))
        .collect();
    let game = NormalFormGame::new(shape, payoffs).expect("a game");
    let run = lemke_howson_path(&game, 0).expect("solves");
    let supports: Vec<usize> = run
        .equilibrium
        .strategies
        .iter()
        .map(|s| s.iter().filter(|p| !p.is_zero()).count())
        .collect();
    println!("{stem}: {} pivots, supports {supports:?}", run.pivots);
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(lemke_howson(black_box(&game), 0).expect("solves"));
    }
    let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations.max(1));
    println!("{micros:.2} µs per call");
}
