//! Times `nplayer::enumerate_equilibria_report` on a game file of
//! `benches/peers/games` (`num_strategies` and flat integer `payoffs`, last
//! player fastest) and prints the statistics and the equilibria.
//!
//! ```sh
//! cargo run --release -p brink-solve --example enum_n -- benches/peers/games/random_4x4x4x4.json
//! ```

use std::time::Instant;

use brink_solve::NormalFormGame;
use brink_solve::nplayer::{EnumOptions, enumerate_equilibria_report};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: enum_n GAME.json [REPEATS]");
    let repeats: usize = std::env::args()
        .nth(2)
        .map_or(1, |r| r.parse().expect("REPEATS is a number"));
    let game = if let Some(spec) = path.strip_prefix("random:") {
        random_game(spec)
    } else {
        load(&path)
    };
    let options = EnumOptions::default();
    for _ in 0..repeats {
        let start = Instant::now();
        let report = enumerate_equilibria_report(&game, &options).expect("solves");
        let secs = start.elapsed().as_secs_f64();
        println!("{:.6} s  {} equilibria", secs, report.equilibria.len());
        println!("{:?}", report.stats);
        if repeats == 1 {
            for e in &report.equilibria {
                println!("{:?}", e.strategies);
            }
        }
    }
}

/// `random:4x4x4:SEED`: integer payoffs in [-50, 50] from a fixed xorshift
/// stream (for experiments; the committed games come from `peers.py`).
fn random_game(spec: &str) -> NormalFormGame<f64> {
    let (shape, seed) = spec.split_once(':').expect("random:SHAPE:SEED");
    let shape: Vec<usize> = shape.split('x').map(|k| k.parse().expect("size")).collect();
    let mut state: u64 = seed.parse::<u64>().expect("seed") * 0x9E37_79B9_7F4A_7C15 + 1;
    let cells: usize = shape.iter().product::<usize>() * shape.len();
    let payoffs = (0..cells)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) % 101) as f64 - 50.0
        })
        .collect();
    NormalFormGame::new(shape, payoffs).expect("valid game")
}

fn load(path: &str) -> NormalFormGame<f64> {
    let text = std::fs::read_to_string(path).expect("readable game file");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let shape: Vec<usize> = doc["num_strategies"]
        .as_array()
        .expect("num_strategies")
        .iter()
        .map(|k| usize::try_from(k.as_u64().expect("count")).expect("fits"))
        .collect();
    let payoffs: Vec<f64> = doc["payoffs"]
        .as_array()
        .expect("payoffs")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect();
    NormalFormGame::new(shape, payoffs).expect("valid game")
}
