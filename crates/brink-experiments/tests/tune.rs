//! Nelder–Mead on known functions, the Wilson helper, target/range parsing, and the
//! tuner's validation and bookkeeping on a small stag hunt.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Mutex;

use brink_experiments::design::ParamRange;
use brink_experiments::tune::{
    Coefficients, NelderMeadOptions, Target, TuneSpec, WEIGHT_EPSILON, confirmation_seed,
    nelder_mead, try_nelder_mead, tune,
};

fn sq(x: f64) -> f64 {
    x * x
}

fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * sq(w[1] - w[0] * w[0]) + sq(1.0 - w[0]))
        .sum()
}

fn tight(budget: usize) -> NelderMeadOptions {
    NelderMeadOptions {
        max_evaluations: budget,
        x_tolerance: 1e-10,
        f_tolerance: 1e-20,
        restarts: 5,
        ..NelderMeadOptions::default()
    }
}

#[test]
fn rosenbrock_2d_to_1e_minus_6() {
    let o = nelder_mead(rosenbrock, &[-1.2, 1.0], &[(-5.0, 5.0); 2], &tight(5_000));
    eprintln!(
        "2-D: {} evaluations, {} restarts",
        o.evaluations, o.restarts
    );
    assert!(o.converged, "{o:?}");
    for xi in &o.x {
        assert!((xi - 1.0).abs() < 1e-6, "x = {:?}", o.x);
    }
    assert!(o.value < 1e-12, "value {}", o.value);
    assert!(o.evaluations < 5_000);
}

#[test]
fn rosenbrock_5d_to_1e_minus_6() {
    let x0 = [-1.2, 1.0, -1.2, 1.0, -1.2];
    let o = nelder_mead(rosenbrock, &x0, &[(-5.0, 5.0); 5], &tight(100_000));
    eprintln!(
        "5-D: {} evaluations, {} restarts",
        o.evaluations, o.restarts
    );
    assert!(o.converged, "{:?} after {}", o.x, o.evaluations);
    for xi in &o.x {
        assert!((xi - 1.0).abs() < 1e-6, "x = {:?}", o.x);
    }
}

#[test]
fn gao_han_coefficients() {
    assert_eq!(Coefficients::Standard.values(7), (1.0, 2.0, 0.5, 0.5));
    assert_eq!(Coefficients::Adaptive.values(4), (1.0, 1.5, 0.625, 0.75));
    // Equal to the standard ones in 2-D; Auto switches only above 2-D.
    assert_eq!(Coefficients::Adaptive.values(2), (1.0, 2.0, 0.5, 0.5));
    assert_eq!(Coefficients::Auto.values(1), (1.0, 2.0, 0.5, 0.5));
    assert_eq!(Coefficients::Auto.values(4), (1.0, 1.5, 0.625, 0.75));
}

#[test]
fn optimum_on_a_bound_is_found_and_the_box_is_never_left() {
    // Unconstrained minimum at (3, -1); in [0, 2] x [0, 2] it is the corner (2, 0).
    let bounds = [(0.0, 2.0), (0.0, 2.0)];
    let f = |x: &[f64]| sq(x[0] - 3.0) + sq(x[1] + 1.0);
    let o = nelder_mead(f, &[0.5, 1.5], &bounds, &tight(2_000));
    assert!(o.converged);
    assert!(
        (o.x[0] - 2.0).abs() < 1e-9 && o.x[1].abs() < 1e-9,
        "{:?}",
        o.x
    );
    assert!((o.value - 2.0).abs() < 1e-8);
    for e in &o.trace {
        for (v, (lo, hi)) in e.x.iter().zip(bounds) {
            assert!(
                (lo..=hi).contains(v),
                "evaluated outside the box: {:?}",
                e.x
            );
        }
    }
}

#[test]
fn a_start_outside_the_box_is_clamped_into_it() {
    let o = nelder_mead(
        |x| x[0] * x[0],
        &[10.0],
        &[(1.0, 3.0)],
        &NelderMeadOptions::default(),
    );
    assert_eq!(o.trace[0].x, vec![3.0]);
    assert!((o.x[0] - 1.0).abs() < 1e-8);
}

#[test]
fn flat_region_is_reached_and_the_search_stops() {
    // Zero on the square [-1, 1]^2, growing quadratically outside it.
    let f = |x: &[f64]| x.iter().map(|v| sq((v.abs() - 1.0).max(0.0))).sum();
    let o = nelder_mead(f, &[4.0, -3.5], &[(-5.0, 5.0); 2], &tight(5_000));
    assert!(o.converged, "{o:?}");
    assert_eq!(o.value, 0.0);
    assert!(o.x.iter().all(|v| v.abs() <= 1.0), "{:?}", o.x);
    assert!(o.evaluations < 5_000);
}

#[test]
fn constant_function_returns_the_start() {
    let o = nelder_mead(
        |_| 7.0,
        &[0.3, -0.2, 0.9],
        &[(-1.0, 1.0); 3],
        &NelderMeadOptions::default(),
    );
    assert!(o.converged);
    assert_eq!(o.x, vec![0.3, -0.2, 0.9]);
    assert_eq!(o.value, 7.0);
    assert!(o.evaluations < 1_000, "{}", o.evaluations);
}

#[test]
fn budget_is_respected_exactly() {
    let never_converge = NelderMeadOptions {
        x_tolerance: 0.0,
        f_tolerance: 0.0,
        ..NelderMeadOptions::default()
    };
    for budget in [0, 1, 2, 3, 4, 37, 250] {
        let calls = Cell::new(0usize);
        let o = nelder_mead(
            |x| {
                calls.set(calls.get() + 1);
                rosenbrock(x)
            },
            &[-1.2, 1.0, 0.5],
            &[(-5.0, 5.0); 3],
            &NelderMeadOptions {
                max_evaluations: budget,
                ..never_converge.clone()
            },
        );
        assert_eq!(calls.get(), budget, "budget {budget}");
        assert_eq!(o.evaluations, budget);
        assert_eq!(o.trace.len(), budget);
        assert!(!o.converged);
        if budget == 0 {
            assert_eq!(o.value, f64::INFINITY);
        }
    }
}

#[test]
fn trace_numbers_calls_and_tracks_the_best() {
    let o = nelder_mead(
        rosenbrock,
        &[-1.2, 1.0],
        &[(-5.0, 5.0); 2],
        &NelderMeadOptions {
            max_evaluations: 300,
            ..NelderMeadOptions::default()
        },
    );
    let mut best = f64::INFINITY;
    for (i, e) in o.trace.iter().enumerate() {
        assert_eq!(e.evaluation, i + 1);
        assert_eq!(e.value, rosenbrock(&e.x));
        best = best.min(e.value);
        assert_eq!(e.best_value, best);
    }
    assert_eq!(o.value, best);
    let at = o.trace.iter().find(|e| e.value == best).unwrap();
    assert_eq!(o.x, at.x);
}

#[test]
fn deterministic() {
    let run = || {
        nelder_mead(
            rosenbrock,
            &[-1.2, 1.0, -1.2, 1.0],
            &[(-5.0, 5.0); 4],
            &tight(3_000),
        )
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b); // every float of every trace entry, compared exactly
}

#[test]
fn nan_is_worse_than_anything() {
    // NaN right of 0.5; minimum of the defined part at 0.5.
    let f = |x: &[f64]| {
        if x[0] > 0.5 { f64::NAN } else { sq(x[0] - 2.0) }
    };
    let o = nelder_mead(f, &[-3.0], &[(-5.0, 5.0)], &tight(2_000));
    assert!((o.x[0] - 0.5).abs() < 1e-6, "{:?}", o.x);
    assert!(o.value.is_finite());
}

#[test]
fn first_error_stops_the_search() {
    let calls = Cell::new(0);
    let r = try_nelder_mead(
        |x| {
            calls.set(calls.get() + 1);
            if calls.get() == 5 {
                Err("boom")
            } else {
                Ok(rosenbrock(x))
            }
        },
        &[0.0, 0.0],
        &[(-2.0, 2.0); 2],
        &NelderMeadOptions::default(),
    );
    assert_eq!(r, Err("boom"));
    assert_eq!(calls.get(), 5);
}

#[test]
fn targets_parse() {
    let t = Target::parse(" interim_deal = 0.3 ").unwrap();
    assert_eq!((t.outcome.as_str(), t.frequency), ("interim_deal", 0.3));
    assert!((Target::parse("strike=10%").unwrap().frequency - 0.1).abs() < 1e-15);
    assert_eq!(Target::parse("x=0").unwrap().frequency, 0.0);
    assert_eq!(Target::parse("x=1").unwrap().frequency, 1.0);
    for bad in [
        "x", "=0.3", "x=abc", "x=1.5", "x=-0.1", "x=NaN", "x=120%", "x=",
    ] {
        assert!(Target::parse(bad).is_err(), "{bad} accepted");
    }
}

fn stag_hunt() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/stag_hunt.toml"
    ))
}

fn small_spec() -> TuneSpec {
    TuneSpec {
        ranges: vec![ParamRange::parse("lambda=0.2..5").unwrap()],
        targets: vec![
            Target::parse("both_stag=0.4").unwrap(),
            Target::parse("both_hare=0.35").unwrap(),
        ],
        runs: 300,
        seed: 11,
        budget: 25,
        threads: Some(2),
        ..TuneSpec::default()
    }
}

#[test]
fn invalid_specs_are_refused_before_simulating() {
    let calls = Cell::new(0);
    let progress = |_: usize| {};
    let check = |edit: &dyn Fn(&mut TuneSpec), needle: &str| {
        let mut spec = small_spec();
        edit(&mut spec);
        let err = tune(&stag_hunt(), &spec, &progress)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "expected `{needle}` in: {err}");
        calls.set(calls.get() + 1);
    };
    check(
        &|s| s.ranges[0].name = "lamda".into(),
        "unknown parameter `lamda`",
    );
    check(
        &|s| s.targets[0].outcome = "stag".into(),
        "unknown outcome `stag`",
    );
    check(
        &|s| s.ranges[0].lo = -1.0,
        "leaves its declared range [0, 50]",
    );
    check(&|s| s.ranges.push(s.ranges[0].clone()), "two ranges");
    check(&|s| s.targets.push(s.targets[1].clone()), "two targets");
    check(&|s| s.targets[0].frequency = 0.7, "sum to");
    check(&|s| s.targets[0].frequency = 1.2, "[0, 1]");
    check(&|s| s.targets.clear(), "at least one target");
    check(&|s| s.ranges.clear(), "at least one parameter");
    check(
        &|s| s.base_overrides.push(("lambda".into(), 1.0)),
        "both tuned and fixed",
    );
    check(
        &|s| s.base_overrides.push(("nope".into(), 1.0)),
        "unknown parameter `nope`",
    );
    check(&|s| s.start = Some(vec![7.0]), "outside its range");
    check(&|s| s.start = Some(vec![1.0, 2.0]), "2 values for 1");
    check(&|s| s.runs = 0, "runs");
    check(&|s| s.budget = 0, "budget");
    check(&|s| s.threads = Some(0), "threads");
    check(&|s| s.ranges[0].hi = f64::NAN, "finite");
    let missing = tune("no/such/file.toml".as_ref(), &small_spec(), &|_: usize| {
        panic!("simulated")
    });
    assert!(missing.unwrap_err().to_string().contains("cannot read"));
    assert_eq!(calls.get(), 17);
}

#[test]
fn tune_reports_a_consistent_result_independent_of_threads() {
    let seen = Mutex::new(Vec::new());
    let spec = small_spec();
    let r = tune(&stag_hunt(), &spec, &|n| seen.lock().unwrap().push(n)).unwrap();

    // Budget and progress.
    assert!(r.evaluations <= spec.budget && r.evaluations == r.trace.len());
    assert_eq!(
        *seen.lock().unwrap(),
        (1..=r.evaluations).collect::<Vec<_>>()
    );
    // The best point is the best of the trace, in parameter units and in range.
    let min = r
        .trace
        .iter()
        .map(|e| e.value)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(r.objective, min);
    let lambda = r.best[0].1;
    assert_eq!(r.best[0].0, "lambda");
    assert!((0.2..=5.0).contains(&lambda));
    assert!(
        r.trace
            .iter()
            .any(|e| e.x == vec![lambda] && e.value == min)
    );
    // Start: the scenario default lambda = 2.
    assert_eq!(r.trace[0].x, vec![2.0]);
    // Frequencies: every outcome, summing to 1, with intervals around them, and the
    // objective recomputed from them.
    let names: Vec<&str> = r.frequencies.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["both_stag", "both_hare", "miscoordination"]);
    let total: f64 = r.frequencies.iter().map(|f| f.1).sum();
    assert!((total - 1.0).abs() < 1e-12);
    for (_, p, lo, hi) in r.frequencies.iter().chain(&r.confirmation) {
        assert!(lo <= p && p <= hi, "{lo} {p} {hi}");
    }
    let sq = |f: &[(String, f64, f64, f64)]| sq(f[0].1 - 0.4) + sq(f[1].1 - 0.35);
    assert!((sq(&r.frequencies) - r.objective).abs() < 1e-15);
    assert!((sq(&r.confirmation) - r.confirmation_objective).abs() < 1e-15);
    // Confirmation on fresh seeds: different counts in general, different seed.
    assert_eq!(r.confirmation_seed, confirmation_seed(spec.seed));
    assert_ne!(r.confirmation_seed, spec.seed);
    assert_ne!(r.confirmation, r.frequencies);

    // Same result, bit for bit, on one thread.
    let one = tune(
        &stag_hunt(),
        &TuneSpec {
            threads: Some(1),
            ..spec.clone()
        },
        &|_| {},
    )
    .unwrap();
    assert_eq!(one, r);
}

#[test]
fn weighted_objective_divides_by_the_target_variance() {
    let spec = TuneSpec {
        weighted: true,
        budget: 6,
        start: Some(vec![0.5]),
        ..small_spec()
    };
    let r = tune(&stag_hunt(), &spec, &|_| {}).unwrap();
    assert_eq!(r.evaluations, 6);
    assert!(!r.converged);
    assert_eq!(r.trace[0].x, vec![0.5]);
    let w = |t: f64| 1.0 / (t * (1.0 - t) + WEIGHT_EPSILON);
    let f = &r.frequencies;
    let expect = w(0.4) * sq(f[0].1 - 0.4) + w(0.35) * sq(f[1].1 - 0.35);
    assert!(
        (expect - r.objective).abs() < 1e-14,
        "{expect} {}",
        r.objective
    );
}

#[test]
fn log_ranges_are_searched_in_log_space_inside_the_range() {
    let spec = TuneSpec {
        ranges: vec![ParamRange::parse("lambda=0.5..8:log").unwrap()],
        budget: 8,
        ..small_spec()
    };
    let r = tune(&stag_hunt(), &spec, &|_| {}).unwrap();
    assert_eq!(r.trace[0].x, vec![2.0]);
    // The initial simplex steps a quarter of the range in ln space: 2 * 16^0.25 = 4.
    assert!((r.trace[1].x[0] - 4.0).abs() < 1e-12, "{:?}", r.trace[1].x);
    for e in &r.trace {
        assert!((0.5..=8.0).contains(&e.x[0]), "{:?}", e.x);
    }
}
