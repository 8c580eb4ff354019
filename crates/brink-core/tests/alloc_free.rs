//! A run does not allocate once the engine is warm: every buffer a run needs is
//! sized when the engine is built or during its first runs, and reused.
//!
//! Counts allocations made by the current thread through a wrapping global
//! allocator (thread-local so the test harness's own threads do not interfere), as
//! `crates/brink-solve/tests/alloc_free.rs` does.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;

use brink_core::{Engine, scenario};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
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

/// Allocations made by runs `warm..warm + runs` of `file`, after runs `0..warm`.
fn allocations_after_warm_up(file: &str, warm: u64, runs: u64) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(file);
    let s = Arc::new(scenario::load(&path, &[]).expect("scenario loads"));
    let mut engine = Engine::new(s);
    let mut rounds = 0;
    for index in 0..warm {
        rounds += engine.run(7, index).rounds;
    }
    assert!(u64::from(rounds) >= warm, "{file}: the runs must play");
    let before = allocations();
    for index in warm..warm + runs {
        engine.run(7, index);
    }
    allocations() - before
}

/// Every shipped scenario (windowed classification, masks, Bayes-Nash, state
/// intelligence, fictitious play, level-k...).
#[test]
fn a_warm_engine_runs_without_allocating() {
    for file in [
        "prisoners_dilemma.toml",
        "stag_hunt.toml",
        "chicken.toml",
        "battle_of_the_sexes.toml",
        "matching_pennies.toml",
        "learning_matching_pennies.toml",
        "learning_stag_hunt.toml",
        "money_request.toml",
        "strike_intel.toml",
        "fearon_bargaining.toml",
        "iran_plan_b.toml",
    ] {
        let n = allocations_after_warm_up(file, 200, 200);
        assert_eq!(n, 0, "{file}: 200 warm runs allocated {n} times");
    }
}

#[test]
fn the_counter_counts() {
    let before = allocations();
    let v: Vec<u8> = Vec::with_capacity(10);
    assert!(v.capacity() >= 10);
    assert_eq!(allocations() - before, 1);
}
