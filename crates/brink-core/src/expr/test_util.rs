//! Shared fixtures for the formula tests.

use super::*;
use ValueType::{Bool, Num};

pub(super) const NUM_VARS: [&str; 5] = ["x", "y", "z", "self.bomb_value", "usa.strike_cost"];
pub(super) const BOOL_VARS: [&str; 2] = ["flag", "iran.type_x"];
/// x=2, y=3, z=4, self.bomb_value=0.5, usa.strike_cost=-1, flag=true,
/// iran.type_x=false, sanctions=10, economy=100.
pub(super) const VARS: [f64; 9] = [2.0, 3.0, 4.0, 0.5, -1.0, 1.0, 0.0, 10.0, 100.0];

pub(super) fn symbols() -> Symbols {
    let mut s = Symbols::new("parameters and state variables");
    for (i, n) in NUM_VARS.iter().enumerate() {
        s.insert_var(n, i, Num);
    }
    for (i, n) in BOOL_VARS.iter().enumerate() {
        s.insert_var(n, NUM_VARS.len() + i, Bool);
    }
    s.insert_var("sanctions", 7, Num);
    s.insert_var("economy", 8, Num);
    s.insert_const("k", 2.5, Num);
    s.insert_const("big", 1e300, Num);
    s.insert_const("on", 1.0, Bool);
    s.insert_const("off", 0.0, Bool);
    s
}

pub(super) fn compiled(src: &str, ty: ValueType) -> Expr {
    compile(src, &symbols(), ty).unwrap_or_else(|e| panic!("{src:?}:\n{}", e.render(src)))
}

pub(super) fn num(src: &str) -> f64 {
    compiled(src, Num).eval(&VARS)
}

pub(super) fn truth(src: &str) -> f64 {
    compiled(src, Bool).eval(&VARS)
}

pub(super) fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Asserts that compiling fails with a message containing `needle`,
/// pointing at the source text `at`; returns the error.
#[track_caller]
pub(super) fn fails(src: &str, ty: ValueType, needle: &str, at: &str) -> ExprError {
    let e = match compile(src, &symbols(), ty) {
        Ok(e) => panic!("{src:?} compiled to {e:?}"),
        Err(e) => e,
    };
    assert!(
        e.message.contains(needle),
        "{src:?}: message {:?} lacks {needle:?}",
        e.message
    );
    let got = &src[e.offset..e.offset + e.len];
    assert_eq!(got, at, "{src:?}: error points at {got:?}: {}", e.message);
    e
}
