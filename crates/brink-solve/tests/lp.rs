//! Linear programming: textbook problems with known optima, infeasible and
//! unbounded problems, cycling-prone degenerate problems, equality rows, free
//! variables, and random problems checked by an independent optimality
//! certificate (primal feasibility + dual feasibility + equal objectives, i.e.
//! strong duality, verified exactly over the rationals).

use brink_solve::lp::{LinearProgram, LpOutcome, Relation, solve_exact, solve_f64};
use brink_solve::rational::{Q, q, qi, to_f64};
use num_traits::{Signed, Zero};
use proptest::prelude::*;

fn qs(v: &[i64]) -> Vec<Q> {
    v.iter().map(|&x| qi(x)).collect()
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y)
}

/// Checks that `(x, value, duals)` is a certified optimum of `lp`: `x` feasible,
/// `duals` feasible for the dual (sign conventions of `brink_solve::lp`), and
/// `c·x == value == b·y`. Independent of the solver's internals.
fn assert_certified(lp: &LinearProgram<Q>, x: &[Q], value: &Q, duals: &[Q]) {
    let n = lp.objective.len();
    assert_eq!(x.len(), n);
    assert_eq!(duals.len(), lp.constraints.len());
    let free = |j: usize| lp.free.get(j).copied().unwrap_or(false);
    for (j, xj) in x.iter().enumerate() {
        assert!(free(j) || !xj.is_negative(), "x[{j}] = {xj} < 0");
    }
    for (i, ((row, rel, b), y)) in lp.constraints.iter().zip(duals).enumerate() {
        let lhs = dot(row, x);
        match rel {
            Relation::Le => {
                assert!(lhs <= *b, "row {i}: {lhs} > {b}");
                assert!(!y.is_negative(), "dual {i} of a Le row is {y} < 0");
            }
            Relation::Ge => {
                assert!(lhs >= *b, "row {i}: {lhs} < {b}");
                assert!(!y.is_positive(), "dual {i} of a Ge row is {y} > 0");
            }
            Relation::Eq => assert_eq!(lhs, *b, "row {i}"),
        }
    }
    for j in 0..n {
        let col: Q = lp
            .constraints
            .iter()
            .zip(duals)
            .fold(Q::zero(), |acc, ((row, _, _), y)| acc + &row[j] * y);
        if free(j) {
            assert_eq!(col, lp.objective[j], "dual constraint {j} (free variable)");
        } else {
            assert!(col >= lp.objective[j], "dual constraint {j}: {col} < c_j");
        }
    }
    assert_eq!(dot(&lp.objective, x), *value, "c·x != value");
    let by: Q = lp
        .constraints
        .iter()
        .zip(duals)
        .fold(Q::zero(), |acc, ((_, _, b), y)| acc + b * y);
    assert_eq!(by, *value, "strong duality b·y != value");
}

fn optimal(lp: &LinearProgram<Q>) -> (Vec<Q>, Q, Vec<Q>) {
    match solve_exact(lp) {
        LpOutcome::Optimal { x, value, duals } => {
            assert_certified(lp, &x, &value, &duals);
            (x, value, duals)
        }
        other => panic!("expected an optimum, got {other:?}"),
    }
}

fn to_f64_lp(lp: &LinearProgram<Q>) -> LinearProgram<f64> {
    let f = |v: &[Q]| v.iter().map(to_f64).collect::<Vec<_>>();
    LinearProgram {
        objective: f(&lp.objective),
        constraints: lp
            .constraints
            .iter()
            .map(|(r, rel, b)| (f(r), *rel, to_f64(b)))
            .collect(),
        free: lp.free.clone(),
    }
}

fn assert_f64_value(lp: &LinearProgram<Q>, expected: f64) {
    match solve_f64(&to_f64_lp(lp)) {
        LpOutcome::Optimal { value, .. } => {
            assert!((value - expected).abs() < 1e-9, "{value} vs {expected}")
        }
        other => panic!("f64: {other:?}"),
    }
}

/// Chvátal (1983), *Linear Programming*, ch. 2, first worked example:
/// maximize 5x1 + 4x2 + 3x3 s.t. 2x1 + 3x2 + x3 <= 5, 4x1 + x2 + 2x3 <= 11,
/// 3x1 + 4x2 + 2x3 <= 8; optimum z = 13 at x = (2, 0, 1), with dual solution
/// y = (1, 0, 1) (ch. 5).
#[test]
fn chvatal_chapter_2_example() {
    let lp = LinearProgram::new(qs(&[5, 4, 3]))
        .with_constraint(qs(&[2, 3, 1]), Relation::Le, qi(5))
        .with_constraint(qs(&[4, 1, 2]), Relation::Le, qi(11))
        .with_constraint(qs(&[3, 4, 2]), Relation::Le, qi(8));
    let (x, value, duals) = optimal(&lp);
    assert_eq!(x, qs(&[2, 0, 1]));
    assert_eq!(value, qi(13));
    assert_eq!(duals, qs(&[1, 0, 1]));
    assert_f64_value(&lp, 13.0);
}

/// Chvátal (1983), ch. 2, second example: maximize 5x1 + 5x2 + 3x3 s.t.
/// x1 + 3x2 + x3 <= 3, −x1 + 3x3 <= 2, 2x1 − x2 + 2x3 <= 4, 2x1 + 3x2 − x3 <= 2;
/// optimum z = 10 at x = (32/29, 8/29, 30/29).
#[test]
fn chvatal_second_example() {
    let lp = LinearProgram::new(qs(&[5, 5, 3]))
        .with_constraint(qs(&[1, 3, 1]), Relation::Le, qi(3))
        .with_constraint(qs(&[-1, 0, 3]), Relation::Le, qi(2))
        .with_constraint(qs(&[2, -1, 2]), Relation::Le, qi(4))
        .with_constraint(qs(&[2, 3, -1]), Relation::Le, qi(2));
    let (x, value, _) = optimal(&lp);
    assert_eq!(value, qi(10));
    assert_eq!(x, vec![q(32, 29), q(8, 29), q(30, 29)]);
    assert_f64_value(&lp, 10.0);
}

/// A diet-style minimization with `>=` rows: minimize 2x + 3y s.t. x + y >= 4,
/// x + 3y >= 6 (optimum 9 at (3, 1)); the duals of `Ge` rows are <= 0.
#[test]
fn minimization_with_ge_rows() {
    let lp = LinearProgram::new(qs(&[-2, -3]))
        .with_constraint(qs(&[1, 1]), Relation::Ge, qi(4))
        .with_constraint(qs(&[1, 3]), Relation::Ge, qi(6));
    let (x, value, duals) = optimal(&lp);
    assert_eq!(x, qs(&[3, 1]));
    assert_eq!(value, qi(-9));
    assert_eq!(duals, vec![q(-3, 2), q(-1, 2)]);
}

#[test]
fn infeasible() {
    let lp = LinearProgram::new(qs(&[1, 1]))
        .with_constraint(qs(&[1, 1]), Relation::Le, qi(1))
        .with_constraint(qs(&[1, 1]), Relation::Ge, qi(2));
    assert_eq!(solve_exact(&lp), LpOutcome::Infeasible);
    assert_eq!(solve_f64(&to_f64_lp(&lp)), LpOutcome::Infeasible);
    // Non-negativity alone makes x1 = −1 impossible.
    let lp = LinearProgram::new(qs(&[0])).with_constraint(qs(&[1]), Relation::Eq, qi(-1));
    assert_eq!(solve_exact(&lp), LpOutcome::Infeasible);
}

#[test]
fn unbounded() {
    let lp = LinearProgram::new(qs(&[1, 0])).with_constraint(qs(&[1, -1]), Relation::Le, qi(1));
    assert_eq!(solve_exact(&lp), LpOutcome::Unbounded);
    assert_eq!(solve_f64(&to_f64_lp(&lp)), LpOutcome::Unbounded);
    // A free variable with no constraint at all.
    let lp = LinearProgram::new(qs(&[-1])).with_free(0);
    assert_eq!(solve_exact(&lp), LpOutcome::Unbounded);
}

/// Beale (1955), "Cycling in the dual simplex algorithm", *Naval Research
/// Logistics Quarterly* 2: the classic example on which the largest-coefficient
/// rule cycles. maximize 3/4 x4 − 20 x5 + 1/2 x6 − 6 x7 s.t.
/// 1/4 x4 − 8 x5 − x6 + 9 x7 <= 0, 1/2 x4 − 12 x5 − 1/2 x6 + 3 x7 <= 0,
/// x6 <= 1. Optimum 5/4 at (x4, x5, x6, x7) = (1, 0, 1, 0). Bland's rule must
/// terminate.
#[test]
fn beale_cycling_example_terminates() {
    let lp = LinearProgram::new(vec![q(3, 4), qi(-20), q(1, 2), qi(-6)])
        .with_constraint(vec![q(1, 4), qi(-8), qi(-1), qi(9)], Relation::Le, qi(0))
        .with_constraint(vec![q(1, 2), qi(-12), q(-1, 2), qi(3)], Relation::Le, qi(0))
        .with_constraint(qs(&[0, 0, 1, 0]), Relation::Le, qi(1));
    let (x, value, _) = optimal(&lp);
    assert_eq!(value, q(5, 4));
    assert_eq!(x, qs(&[1, 0, 1, 0]));
    assert_f64_value(&lp, 1.25);
}

/// Chvátal (1983), ch. 3, the cycling example: maximize 10x1 − 57x2 − 9x3 −
/// 24x4 s.t. 1/2 x1 − 11/2 x2 − 5/2 x3 + 9x4 <= 0, 1/2 x1 − 3/2 x2 − 1/2 x3 +
/// x4 <= 0, x1 <= 1. Optimum 1 at (1, 0, 1, 0).
#[test]
fn chvatal_cycling_example_terminates() {
    let lp = LinearProgram::new(qs(&[10, -57, -9, -24]))
        .with_constraint(
            vec![q(1, 2), q(-11, 2), q(-5, 2), qi(9)],
            Relation::Le,
            qi(0),
        )
        .with_constraint(
            vec![q(1, 2), q(-3, 2), q(-1, 2), qi(1)],
            Relation::Le,
            qi(0),
        )
        .with_constraint(qs(&[1, 0, 0, 0]), Relation::Le, qi(1));
    let (x, value, _) = optimal(&lp);
    assert_eq!(value, qi(1));
    assert_eq!(x, qs(&[1, 0, 1, 0]));
    assert_f64_value(&lp, 1.0);
}

/// Klee & Minty (1972) cube in dimension 3: optimum 10000 at (0, 0, 10000).
#[test]
fn klee_minty_cube() {
    let lp = LinearProgram::new(qs(&[100, 10, 1]))
        .with_constraint(qs(&[1, 0, 0]), Relation::Le, qi(1))
        .with_constraint(qs(&[20, 1, 0]), Relation::Le, qi(100))
        .with_constraint(qs(&[200, 20, 1]), Relation::Le, qi(10000));
    let (x, value, _) = optimal(&lp);
    assert_eq!(value, qi(10000));
    assert_eq!(x, qs(&[0, 0, 10000]));
}

#[test]
fn equality_rows_and_free_variables() {
    // maximize x + y s.t. x − y = 1, x <= 3, y free: (3, 2), value 5.
    let lp = LinearProgram::new(qs(&[1, 1]))
        .with_constraint(qs(&[1, -1]), Relation::Eq, qi(1))
        .with_constraint(qs(&[1, 0]), Relation::Le, qi(3))
        .with_free(1);
    let (x, value, _) = optimal(&lp);
    assert_eq!((x, value), (qs(&[3, 2]), qi(5)));

    // A free variable at a negative optimum: maximize −x s.t. x >= −5.
    let lp = LinearProgram::new(qs(&[-1]))
        .with_constraint(qs(&[1]), Relation::Ge, qi(-5))
        .with_free(0);
    let (x, value, duals) = optimal(&lp);
    assert_eq!((x, value, duals), (qs(&[-5]), qi(5), qs(&[-1])));

    // Redundant equality rows (the second is twice the first).
    let lp = LinearProgram::new(qs(&[1, 0]))
        .with_constraint(qs(&[1, 1]), Relation::Eq, qi(2))
        .with_constraint(qs(&[2, 2]), Relation::Eq, qi(4));
    let (x, value, _) = optimal(&lp);
    assert_eq!((x, value), (qs(&[2, 0]), qi(2)));

    // No constraints, bounded by sign only.
    let lp = LinearProgram::new(qs(&[-1, -2]));
    let (x, value, duals) = optimal(&lp);
    assert_eq!((x, value), (qs(&[0, 0]), qi(0)));
    assert!(duals.is_empty());
}

/// The value of matching pennies (payoffs ±1) by the standard LP is 0, and of
/// the 2×2 game [[3, −1], [−2, 1]] it is 1/7 (Owen, *Game Theory*, 2×2 formula
/// (ad − bc)/(a + d − b − c) = (3 − 2)/(3 + 1 + 1 + 2)).
#[test]
fn zero_sum_game_values() {
    for (a, value) in [
        ([[1i64, -1], [-1, 1]], qi(0)),
        ([[3, -1], [-2, 1]], q(1, 7)),
    ] {
        // Variables (x1, x2, v), v free: maximize v s.t. v <= Σ_i x_i a_ij,
        // x1 + x2 = 1.
        let mut lp = LinearProgram::new(qs(&[0, 0, 1])).with_free(2);
        for (a0j, a1j) in a[0].iter().zip(&a[1]) {
            lp = lp.with_constraint(qs(&[-a0j, -a1j, 1]), Relation::Le, qi(0));
        }
        lp = lp.with_constraint(qs(&[1, 1, 0]), Relation::Eq, qi(1));
        let (_, v, duals) = optimal(&lp);
        assert_eq!(v, value);
        // The duals of the first two rows are the column player's minimax
        // strategy; the dual of the equality row is the value.
        assert_eq!(&duals[0] + &duals[1], qi(1));
        assert_eq!(duals[2], value);
    }
}

#[test]
#[should_panic(expected = "constraint 0 has 1 coefficients")]
fn row_length_mismatch_panics() {
    let lp = LinearProgram::new(qs(&[1, 1])).with_constraint(qs(&[1]), Relation::Le, qi(1));
    let _ = solve_exact(&lp);
}

fn arb_relation() -> impl Strategy<Value = Relation> {
    prop_oneof![Just(Relation::Le), Just(Relation::Eq), Just(Relation::Ge)]
}

/// Random LPs with 1-4 variables and 0-5 rows, small integer data (so ties and
/// degeneracy are frequent), some free variables, and sometimes a box that
/// keeps the problem bounded.
fn arb_lp() -> impl Strategy<Value = LinearProgram<Q>> {
    (1usize..=4, 0usize..=5, any::<bool>()).prop_flat_map(|(n, m, boxed)| {
        (
            prop::collection::vec(-3i64..=3, n),
            prop::collection::vec(
                (
                    prop::collection::vec(-3i64..=3, n),
                    arb_relation(),
                    -4i64..=4,
                ),
                m,
            ),
            prop::collection::vec(prop::bool::weighted(0.25), n),
        )
            .prop_map(move |(c, rows, free)| {
                let mut lp = LinearProgram {
                    objective: qs(&c),
                    constraints: rows
                        .into_iter()
                        .map(|(r, rel, b)| (qs(&r), rel, qi(b)))
                        .collect(),
                    free,
                };
                if boxed {
                    for j in 0..n {
                        let mut e = vec![qi(0); n];
                        e[j] = qi(1);
                        lp.constraints.push((e.clone(), Relation::Le, qi(5)));
                        lp.constraints.push((e, Relation::Ge, qi(-5)));
                    }
                }
                lp
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Every optimum is certified by its duals; a boxed LP is never unbounded;
    /// the f64 solver agrees on the outcome and the value.
    #[test]
    fn random_lps_are_certified(lp in arb_lp()) {
        let boxed = lp.constraints.len() >= 2 * lp.objective.len()
            && lp.constraints.iter().rev().take(2 * lp.objective.len())
                .all(|(_, _, b)| *b == qi(5) || *b == qi(-5));
        let exact = solve_exact(&lp);
        let approx = solve_f64(&to_f64_lp(&lp));
        match &exact {
            LpOutcome::Optimal { x, value, duals } => {
                assert_certified(&lp, x, value, duals);
                match approx {
                    LpOutcome::Optimal { value: v, .. } => {
                        prop_assert!((v - to_f64(value)).abs() < 1e-7)
                    }
                    other => prop_assert!(false, "f64 gave {:?}", other),
                }
            }
            LpOutcome::Unbounded => {
                prop_assert!(!boxed);
                prop_assert_eq!(approx, LpOutcome::Unbounded);
            }
            LpOutcome::Infeasible => {
                prop_assert_eq!(approx, LpOutcome::Infeasible);
                // Infeasibility does not depend on the objective: the
                // feasibility problem (zero objective) must agree.
                let mut zero = lp.clone();
                zero.objective = vec![qi(0); lp.objective.len()];
                prop_assert_eq!(solve_exact(&zero), LpOutcome::Infeasible);
            }
        }
    }

    /// Infeasibility claims are checked against a Farkas-free brute force:
    /// with two variables and a box, a feasible point exists iff one of the
    /// vertices of the arrangement (intersections of pairs of constraint
    /// lines) is feasible.
    #[test]
    fn two_variable_feasibility_matches_brute_force(
        rows in prop::collection::vec(
            (prop::collection::vec(-3i64..=3, 2), arb_relation(), -4i64..=4), 0..=4)
    ) {
        let mut cons: Vec<(Vec<Q>, Relation, Q)> = rows
            .into_iter()
            .map(|(r, rel, b)| (qs(&r), rel, qi(b)))
            .collect();
        for j in 0..2 {
            let mut e = vec![qi(0); 2];
            e[j] = qi(1);
            cons.push((e.clone(), Relation::Le, qi(5)));
            cons.push((e, Relation::Ge, qi(-5)));
        }
        let lp = LinearProgram {
            objective: qs(&[0, 0]),
            constraints: cons.clone(),
            free: vec![true, true],
        };
        let feasible_point = |p: &[Q]| {
            cons.iter().all(|(r, rel, b)| {
                let lhs = dot(r, p);
                match rel {
                    Relation::Le => lhs <= *b,
                    Relation::Ge => lhs >= *b,
                    Relation::Eq => lhs == *b,
                }
            })
        };
        let mut brute = false;
        for i in 0..cons.len() {
            for k in i + 1..cons.len() {
                let (a, b) = (&cons[i], &cons[k]);
                let det = &a.0[0] * &b.0[1] - &a.0[1] * &b.0[0];
                if det.is_zero() { continue; }
                let x = (&a.2 * &b.0[1] - &a.0[1] * &b.2) / &det;
                let y = (&a.0[0] * &b.2 - &a.2 * &b.0[0]) / &det;
                if feasible_point(&[x, y]) { brute = true; }
            }
        }
        let solved = !matches!(solve_exact(&lp), LpOutcome::Infeasible);
        prop_assert_eq!(solved, brute);
    }
}
