//! Replicator dynamics and evolutionarily stable strategies.
//!
//! Sources: Maynard Smith & Price (1973) for the ESS definition and the
//! hawk–dove game; Hofbauer & Sigmund, *Evolutionary Games and Population
//! Dynamics* (1998), §7.5 for rock–paper–scissors and its conserved quantity
//! x₁x₂x₃; Taylor & Jonker (1978) for the replicator equation.

use brink_solve::SolveError;
use brink_solve::evolution::{OdeOptions, is_ess, replicator};
use brink_solve::rational::{Q, q, qi};

fn qm(rows: &[&[i64]]) -> Vec<Vec<Q>> {
    rows.iter()
        .map(|r| r.iter().map(|&v| qi(v)).collect())
        .collect()
}

/// Hawk–dove with value V and cost C (Maynard Smith & Price 1973):
///          H           D
///   H  (V−C)/2         V
///   D      0          V/2
fn hawk_dove(v: i64, c: i64) -> Vec<Vec<Q>> {
    vec![vec![q(v - c, 2), qi(v)], vec![qi(0), q(v, 2)]]
}

// For V < C the unique ESS plays hawk with probability V/C: there
// (Ax)_H = p(V−C)/2 + (1−p)V equals (Ax)_D = (1−p)V/2, and on z = (t, −t)
// the form z·Az = t²((V−C)/2 − V + V/2) = −t² C/2 < 0.
#[test]
fn hawk_dove_ess_is_v_over_c() {
    for (v, c) in [(2, 4), (2, 6), (3, 7), (5, 8)] {
        let a = hawk_dove(v, c);
        let p = q(v, c);
        let one = qi(1);
        assert!(is_ess(&a, &[p.clone(), &one - &p]).unwrap(), "V={v} C={c}");
        // Nearby mixtures are not even equilibria, nor are the pure ones.
        let eps = q(1, 1000);
        let up = &p + &eps;
        assert!(!is_ess(&a, &[up.clone(), &one - &up]).unwrap());
        let down = &p - &eps;
        assert!(!is_ess(&a, &[down.clone(), &one - &down]).unwrap());
        assert!(!is_ess(&a, &[qi(1), qi(0)]).unwrap());
        assert!(!is_ess(&a, &[qi(0), qi(1)]).unwrap());
    }
}

// For V > C hawk is a strict equilibrium ((V−C)/2 > 0), hence an ESS.
#[test]
fn hawk_dove_with_cheap_fights_hawk_is_ess() {
    let a = hawk_dove(4, 2);
    assert!(is_ess(&a, &[qi(1), qi(0)]).unwrap());
    assert!(!is_ess(&a, &[qi(0), qi(1)]).unwrap());
}

// Standard rock–paper–scissors (win 1, lose −1) has the unique equilibrium
// (1/3, 1/3, 1/3); A is antisymmetric, so z·Az = 0 and it is not an ESS.
// With win a and loss −b the form on Σz = 0 is −(a−b)/2 |z|², so the
// centroid is an ESS iff a > b (Hofbauer & Sigmund 1998, §7.5).
#[test]
fn rock_paper_scissors_ess_depends_on_win_versus_loss() {
    let third = [q(1, 3), q(1, 3), q(1, 3)];
    let rps = qm(&[&[0, -1, 1], &[1, 0, -1], &[-1, 1, 0]]);
    assert!(!is_ess(&rps, &third).unwrap());
    for i in 0..3 {
        let mut e = [qi(0), qi(0), qi(0)];
        e[i] = qi(1);
        assert!(!is_ess(&rps, &e).unwrap());
    }
    let good = qm(&[&[0, -1, 2], &[2, 0, -1], &[-1, 2, 0]]);
    assert!(is_ess(&good, &third).unwrap());
    let bad = qm(&[&[0, -2, 1], &[1, 0, -2], &[-2, 1, 0]]);
    assert!(!is_ess(&bad, &third).unwrap());
}

// Pure strategy 0 with two alternative best replies (every (Ax)_i = 0 at
// x = e0). For a mutant y: x·Ay = 0 and y·Ay = −y1² − y2² + 2c·y1y2 (c the
// off-diagonal entry). With c = −2 this is negative for every y ≠ e0, so e0
// is an ESS — although the form is NOT negative definite on Σz = 0
// (w = (1, −1) gives +2): only the directions with w ≥ 0 count (the cone of
// Abakuks 1980 / Bomze 1992). With c = +2, y = (0, 1/2, 1/2) gives
// y·Ay = 1/2 > 0: not an ESS.
#[test]
fn unused_best_replies_make_it_a_copositivity_question() {
    let e0 = [qi(1), qi(0), qi(0)];
    let ess = qm(&[&[0, 0, 0], &[0, -1, -2], &[0, -2, -1]]);
    assert!(is_ess(&ess, &e0).unwrap());
    let not = qm(&[&[0, 0, 0], &[0, -1, 2], &[0, 2, -1]]);
    assert!(!is_ess(&not, &e0).unwrap());
    // Boundary case c = 1: y = (0, 1/2, 1/2) gives y·Ay = 0 = x·Ay, not strict.
    let edge = qm(&[&[0, 0, 0], &[0, -1, 1], &[0, 1, -1]]);
    assert!(!is_ess(&edge, &e0).unwrap());
}

// Mixed x = (1/2, 1/2, 0) with strategy 2 an unused best reply:
//   A = [[−1, 1, 0], [1, −1, 0], [0, 0, ε]].
// (Ax) = (0, 0, 0) = x·Ax. The mutant y = e2 is an alternative best reply
// with x·Ay = 0 and y·Ay = ε, so ε < 0 is needed; and then every mutant
// fails (the free direction (1, −1, 0) has z·Az = −4t²). Exercises the
// Schur-complement step: the answer is ESS iff ε < 0.
#[test]
fn mixed_equilibrium_with_an_extra_best_reply() {
    let x = [q(1, 2), q(1, 2), qi(0)];
    for (eps, expected) in [(-1, true), (-5, true), (0, false), (1, false)] {
        let a = qm(&[&[-1, 1, 0], &[1, -1, 0], &[0, 0, eps]]);
        assert_eq!(is_ess(&a, &x).unwrap(), expected, "ε = {eps}");
    }
}

#[test]
fn is_ess_rejects_bad_input() {
    let a = hawk_dove(2, 4);
    assert!(matches!(
        is_ess(&a, &[q(1, 2), q(1, 3)]),
        Err(SolveError::InvalidArgument(_))
    ));
    assert!(matches!(
        is_ess(&a, &[qi(2), qi(-1)]),
        Err(SolveError::InvalidArgument(_))
    ));
    assert!(matches!(
        is_ess(&a, &[qi(1)]),
        Err(SolveError::InvalidArgument(_))
    ));
    let ragged = vec![vec![qi(1), qi(2)], vec![qi(3)]];
    assert!(matches!(
        is_ess(&ragged, &[qi(1), qi(0)]),
        Err(SolveError::InvalidArgument(_))
    ));
    assert!(matches!(
        is_ess(&[], &[]),
        Err(SolveError::InvalidArgument(_))
    ));
}

fn rps() -> Vec<Vec<f64>> {
    vec![
        vec![0.0, -1.0, 1.0],
        vec![1.0, 0.0, -1.0],
        vec![-1.0, 1.0, 0.0],
    ]
}

// Standard RPS is zero-sum with zero column sums, so
// d/dt ln(x1 x2 x3) = Σ_i (Ax)_i − 3 x·Ax = 0: orbits are closed curves on
// which x1x2x3 is constant (Hofbauer & Sigmund 1998, §7.5). Over 200 time
// units (≈ 30 cycles) the product must stay put to 1e-9.
#[test]
fn rps_conserves_the_product_over_a_long_horizon() {
    let x0 = [0.5, 0.3, 0.2];
    let p0 = 0.5 * 0.3 * 0.2;
    let opts = OdeOptions {
        rtol: 1e-12,
        atol: 1e-14,
        ..OdeOptions::default()
    };
    let tr = replicator(&rps(), &x0, 200.0, &opts).unwrap();
    assert_eq!(tr.times[0], 0.0);
    assert_eq!(*tr.times.last().unwrap(), 200.0);
    assert!(tr.accepted_steps > 100);
    let mut worst = 0.0f64;
    for s in &tr.states {
        worst = worst.max((s[0] * s[1] * s[2] - p0).abs());
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-14);
        assert!(s.iter().all(|&v| v >= 0.0));
    }
    assert!(worst < 1e-9, "drift of x1x2x3: {worst:e}");
    // The orbit really cycles: strategy 0's share goes well below and above 1/3.
    let lo = tr.states.iter().map(|s| s[0]).fold(1.0, f64::min);
    let hi = tr.states.iter().map(|s| s[0]).fold(0.0, f64::max);
    assert!(lo < 0.2 && hi > 0.5, "{lo} {hi}");
}

// With A = [[1, 1], [0, 0]] strategy 0 always earns 1 more, so x = x_0
// solves the logistic equation x' = x(1 − x) with
// x(t) = x0 eᵗ / (1 − x0 + x0 eᵗ).
#[test]
fn logistic_closed_form() {
    let a = vec![vec![1.0, 1.0], vec![0.0, 0.0]];
    let x0 = 0.01;
    let exact = |t: f64| x0 * libm::exp(t) / (1.0 - x0 + x0 * libm::exp(t));
    let tr = replicator(&a, &[x0, 1.0 - x0], 20.0, &OdeOptions::default()).unwrap();
    for (t, s) in tr.times.iter().zip(&tr.states) {
        assert!(
            (s[0] - exact(*t)).abs() < 1e-9,
            "t={t}: {} vs {}",
            s[0],
            exact(*t)
        );
    }
    // Tighter tolerances give a smaller error: the error control is real.
    let loose = OdeOptions {
        rtol: 1e-5,
        atol: 1e-7,
        ..OdeOptions::default()
    };
    let tr_loose = replicator(&a, &[x0, 1.0 - x0], 20.0, &loose).unwrap();
    let err = |tr: &brink_solve::evolution::Trajectory| {
        tr.times
            .iter()
            .zip(&tr.states)
            .map(|(t, s)| (s[0] - exact(*t)).abs())
            .fold(0.0, f64::max)
    };
    assert!(err(&tr_loose) > 10.0 * err(&tr));
    assert!(tr_loose.accepted_steps < tr.accepted_steps);
}

// Dense output on a fixed grid is 4th-order accurate between the steps.
#[test]
fn dense_output_on_a_grid() {
    let a = vec![vec![1.0, 1.0], vec![0.0, 0.0]];
    let x0 = 0.2;
    let exact = |t: f64| x0 * libm::exp(t) / (1.0 - x0 + x0 * libm::exp(t));
    let opts = OdeOptions {
        output_interval: Some(0.01),
        ..OdeOptions::default()
    };
    let tr = replicator(&a, &[x0, 1.0 - x0], 3.0, &opts).unwrap();
    assert_eq!(tr.times.len(), 301);
    for (i, (t, s)) in tr.times.iter().zip(&tr.states).enumerate() {
        assert!((t - 0.01 * i as f64).abs() < 1e-12);
        assert!((s[0] - exact(*t)).abs() < 1e-9, "t={t}");
        assert!((s[0] + s[1] - 1.0).abs() < 1e-15);
    }
    // Far fewer steps than output points: the grid points are interpolated.
    assert!(tr.accepted_steps < 100, "{}", tr.accepted_steps);
}

// Hawk–dove (V = 2, C = 6) as floats: the interior ESS 1/3 attracts every
// interior state.
#[test]
fn replicator_converges_to_the_hawk_dove_ess() {
    let a = vec![vec![-2.0, 2.0], vec![0.0, 1.0]];
    for h0 in [0.05, 0.5, 0.95] {
        let tr = replicator(&a, &[h0, 1.0 - h0], 60.0, &OdeOptions::default()).unwrap();
        let last = tr.states.last().unwrap();
        assert!((last[0] - 1.0 / 3.0).abs() < 1e-9, "from {h0}: {last:?}");
    }
}

#[test]
fn faces_are_invariant_and_trivial_horizons_work() {
    // A state on a face stays there exactly (x_i = 0 ⇒ ẋ_i = 0).
    let tr = replicator(&rps(), &[0.0, 0.4, 0.6], 10.0, &OdeOptions::default()).unwrap();
    assert!(tr.states.iter().all(|s| s[0] == 0.0));
    // t_end = 0 returns the initial state only.
    let tr = replicator(&rps(), &[0.2, 0.3, 0.5], 0.0, &OdeOptions::default()).unwrap();
    assert_eq!(tr.times, vec![0.0]);
    assert_eq!(tr.states, vec![vec![0.2, 0.3, 0.5]]);
}

#[test]
fn replicator_rejects_bad_input() {
    let o = OdeOptions::default();
    let bad = |r: Result<_, SolveError>| matches!(r, Err(SolveError::InvalidArgument(_)));
    assert!(bad(replicator(&rps(), &[0.5, 0.5], 1.0, &o)));
    assert!(bad(replicator(&rps(), &[0.5, 0.6, 0.1], 1.0, &o)));
    assert!(bad(replicator(&rps(), &[1.2, -0.2, 0.0], 1.0, &o)));
    assert!(bad(replicator(&rps(), &[0.2, 0.3, 0.5], -1.0, &o)));
    assert!(bad(replicator(&rps(), &[0.2, 0.3, 0.5], f64::NAN, &o)));
    assert!(bad(replicator(&[], &[], 1.0, &o)));
    let nan = vec![vec![f64::NAN, 0.0], vec![0.0, 0.0]];
    assert!(bad(replicator(&nan, &[0.5, 0.5], 1.0, &o)));
    let o2 = OdeOptions {
        rtol: 0.0,
        ..OdeOptions::default()
    };
    assert!(bad(replicator(&rps(), &[0.2, 0.3, 0.5], 1.0, &o2)));
}
