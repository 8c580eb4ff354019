//! What the equilibrium solvers of `brink-solve` cost, on the same games that
//! `benches/peers/peers.py` gives to Nashpy and pygambit.
//!
//! The games are read from `benches/peers/games/*.json` (written once by
//! `python3 benches/peers/peers.py --write-games` from a fixed seed; brink's
//! layout, last player fastest). Criterion ids are `<group>/<size>`:
//!
//! - `support_enumeration/{4x4,8x8,11x11}` and `vertex_enumeration/{…}`: exact
//!   (rational) enumeration of all equilibria of random nondegenerate games;
//! - `lemke_howson/{11x11,50x50}`: one exact Lemke–Howson path from label 0;
//! - `pure_nash/10x10x10`: all pure equilibria of a 3-player game (f64);
//! - `enum_n/{2x2x2,3x3x3}`: all equilibria of 3-player games (f64).
//!
//! `peers.py` reads criterion's `target/criterion/<group>/<size>/new/estimates.json`
//! and prints the peers' times next to these. `cargo bench --bench solve` takes
//! about a minute.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use brink_solve::nplayer::{EnumOptions, enumerate_equilibria};
use brink_solve::twoplayer::{lemke_howson, support_enumeration, vertex_enumeration};
use brink_solve::{NormalFormGame, Q, pure_nash_equilibria};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

/// Reads `benches/peers/games/<stem>.json`: `num_strategies` and integer
/// `payoffs`.
fn load(stem: &str) -> (Vec<usize>, Vec<i64>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/peers/games")
        .join(format!("{stem}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("game file is JSON");
    let shape = doc["num_strategies"]
        .as_array()
        .expect("num_strategies")
        .iter()
        .map(|k| usize::try_from(k.as_u64().expect("strategy count")).expect("fits"))
        .collect();
    let payoffs = doc["payoffs"]
        .as_array()
        .expect("payoffs")
        .iter()
        .map(|x| x.as_i64().expect("integer payoff"))
        .collect();
    (shape, payoffs)
}

fn exact(stem: &str) -> NormalFormGame<Q> {
    let (shape, payoffs) = load(stem);
    NormalFormGame::new(
        shape,
        payoffs
            .into_iter()
            .map(|x| Q::from_integer(x.into()))
            .collect(),
    )
    .expect("valid game")
}

fn float(stem: &str) -> NormalFormGame<f64> {
    let (shape, payoffs) = load(stem);
    // Small integers: exact in f64.
    NormalFormGame::new(shape, payoffs.into_iter().map(|x| x as f64).collect()).expect("valid game")
}

fn two_player(c: &mut Criterion) {
    let sizes = ["4x4", "8x8", "11x11"];
    let games: Vec<_> = sizes
        .iter()
        .map(|s| (s, exact(&format!("random_{s}"))))
        .collect();
    // Sanity check (once, not timed): both methods give the same set on these
    // nondegenerate games; the counts can be compared with peers.py's "#eq" column.
    for (size, game) in &games {
        let support = support_enumeration(game).expect("solves");
        let vertex = vertex_enumeration(game).expect("solves");
        assert!(
            !support.degenerate && !vertex.degenerate,
            "{size} game is degenerate"
        );
        assert_eq!(
            support.equilibria, vertex.equilibria,
            "{size}: methods disagree"
        );
        eprintln!("random_{size}: {} equilibria", support.equilibria.len());
    }
    for (name, solve) in [
        ("support_enumeration", support_enumeration as fn(&_) -> _),
        ("vertex_enumeration", vertex_enumeration),
    ] {
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        for (size, game) in &games {
            group.bench_function(**size, |b| {
                b.iter(|| solve(black_box(game)).expect("solves").equilibria.len());
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("lemke_howson");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for size in ["11x11", "50x50"] {
        let game = exact(&format!("random_{size}"));
        group.bench_function(size, |b| {
            b.iter(|| lemke_howson(black_box(&game), 0).expect("solves"));
        });
    }
    group.finish();
}

fn n_player(c: &mut Criterion) {
    let game = float("random_10x10x10");
    let mut group = c.benchmark_group("pure_nash");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("10x10x10", |b| {
        b.iter(|| pure_nash_equilibria(black_box(&game)).len());
    });
    group.finish();

    let options = EnumOptions::default();
    let mut group = c.benchmark_group("enum_n");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for size in ["2x2x2", "3x3x3"] {
        let game = float(&format!("random_{size}"));
        group.bench_function(size, |b| {
            b.iter(|| {
                enumerate_equilibria(black_box(&game), &options)
                    .expect("solves")
                    .len()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, two_player, n_player);
criterion_main!(benches);
