//! Games shared by several test files.

use brink_solve::NormalFormGame;

/// A cyclic 2×2×2 game with 9 equilibria (hand-checked in `tests/nplayer.rs`): player
/// 1's gain from strategy 0 over 1 is (1 − 3q)(1 − 2r), and cyclically for players 2
/// and 3, where p, q, r are the probabilities of strategy 0 of players 1, 2, 3.
#[allow(dead_code)] // each test crate uses only some of these
pub fn cyclic_game() -> NormalFormGame<f64> {
    let h = |x: f64, y: f64| (1.0 - 3.0 * x) * (1.0 - 2.0 * y);
    NormalFormGame::from_fn(vec![2, 2, 2], |s, p| {
        let z: Vec<f64> = s
            .iter()
            .map(|&si| if si == 0 { 1.0 } else { 0.0 })
            .collect();
        if s[p] == 1 {
            return 0.0;
        }
        match p {
            0 => h(z[1], z[2]),
            1 => h(z[2], z[0]),
            _ => h(z[0], z[1]),
        }
    })
    .unwrap()
}
