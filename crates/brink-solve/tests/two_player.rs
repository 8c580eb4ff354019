use brink_solve::NormalFormGame;
use brink_solve::rational::{Q, qi};
use brink_solve::twoplayer::*;
use std::time::Instant;

fn lcg_game(m: usize, n: usize, seed: u64, range: i64) -> NormalFormGame<Q> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 33) % (range as u64)) as i64
    };
    let payoffs = (0..m * n * 2).map(|_| qi(next())).collect();
    NormalFormGame::new(vec![m, n], payoffs).unwrap()
}

#[test]
#[ignore]
fn timing() {
    for &(m, range) in &[(4usize, 100i64), (8, 100), (10, 100), (11, 100), (11, 1000)] {
        for seed in 0..3 {
            let g = lcg_game(m, m, seed, range);
            let t = Instant::now();
            let s = support_enumeration(&g).unwrap();
            let ts = t.elapsed();
            let t = Instant::now();
            let v = vertex_enumeration(&g).unwrap();
            let tv = t.elapsed();
            if !v.degenerate { assert_eq!(s, v); }
            println!("{m}x{m} range {range} seed {seed}: {} eqs (deg {}), support {:?}, vertex {:?}", s.equilibria.len(), s.degenerate, ts, tv);
        }
    }
    for seed in 0..3 {
        let g = lcg_game(50, 50, seed, 1000);
        let t = Instant::now();
        let r = lemke_howson_path(&g, 0).unwrap();
        println!("LH 50x50 seed {seed}: {:?}, {} pivots", t.elapsed(), r.pivots);
    }
}
