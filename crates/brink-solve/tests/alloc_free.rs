//! The hot paths do not allocate once their buffers are warm.
//!
//! Counts allocations made by the current thread through a wrapping global
//! allocator (thread-local so the test harness's own threads do not interfere).
//!
//! The only `unsafe` in the workspace: a `GlobalAlloc` must be implemented unsafely.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use brink_solve::{
    NormalFormGame, PureNashSolver, best_responses_into, expected_payoff, max_regret_with_scratch,
    strategy_payoffs_against_mixed_into,
};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn hot_paths_do_not_allocate() {
    // A 4-player game of the size the engine builds (3*2*3*5 = 90 profiles).
    let counts = vec![3, 2, 3, 5];
    let mut game =
        NormalFormGame::from_fn(counts, |s, p| ((s[p] * 7 + s[0] * 3) % 5) as f64).unwrap();
    let mut solver = PureNashSolver::with_capacity(game.num_profiles());
    let mut br = Vec::with_capacity(8);
    let mut values = Vec::with_capacity(8);
    let mut scratch = Vec::with_capacity(8);
    let mut profile = [0usize; 4];
    let mixed = [
        [0.2, 0.3, 0.5, 0.0, 0.0],
        [0.5, 0.5, 0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0, 0.0],
        [0.1, 0.2, 0.3, 0.2, 0.2],
    ];
    let mixed: [&[f64]; 4] = [&mixed[0][..3], &mixed[1][..2], &mixed[2][..3], &mixed[3]];

    let before = allocations();
    let mut found = 0;
    for run in 0..100 {
        game.reset_from_fn(|s, p| ((s[p] * 7 + s[0] * 3 + run) % 5) as f64)
            .unwrap();
        found += solver.solve(&game).len();
        game.write_profile(run % game.num_profiles(), &mut profile);
        best_responses_into(&game, run % 4, &profile, &mut br).unwrap();
        strategy_payoffs_against_mixed_into(&game, 3, &mixed, &mut values).unwrap();
        let _ = expected_payoff(&game, 1, &mixed).unwrap();
        let _ = max_regret_with_scratch(&game, &mixed, &mut scratch).unwrap();
    }
    let after = allocations();
    assert!(found > 0);
    assert_eq!(after - before, 0, "hot paths allocated");

    // Sanity check that the counter works.
    let v: Vec<u8> = Vec::with_capacity(10);
    assert!(allocations() > after);
    drop(v);
}
