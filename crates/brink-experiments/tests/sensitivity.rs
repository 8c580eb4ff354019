//! Sobol' and Morris sensitivity indices, cross-checked against SALib 1.6.
//!
//! The fixtures in `tests/reference/salib/` hold SALib's samples, the model outputs
//! on them (the Ishigami function; outcome frequencies of the brink binary on
//! `scenarios/stag_hunt.toml`) and SALib's indices; `generate.py` there made them.
//! Here brink's estimators read the same samples and outputs with the same block
//! structure and must give SALib's point estimates. Bootstrap intervals use different
//! random resamples, so they are compared loosely.

use brink_experiments::design::{self, Design, DesignKind, DesignStructure, ParamRange};
use brink_experiments::sensitivity::{
    MorrisIndex, SobolIndex, elementary_effects, morris_indices, sobol_indices,
};
use serde_json::Value;

mod common;
use common::{fixture, matrix, ranges_of, vector};

/// A design holding SALib's points: `unit` from the fixture if it has one, else read
/// back from the points.
fn salib_design(f: &Value, kind: DesignKind, structure: DesignStructure) -> Design {
    let ranges = ranges_of(f);
    let points = matrix(&f["points"]);
    let unit = match f.get("unit") {
        Some(u) => matrix(u),
        None => points
            .iter()
            .map(|p| p.iter().zip(&ranges).map(|(&x, r)| r.to_unit(x)).collect())
            .collect(),
    };
    let design = Design {
        kind,
        ranges,
        points,
        unit,
        structure,
    };
    design.check().unwrap();
    design
}

fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    let (s0, s1, x2) = (libm::sin(x[0]), libm::sin(x[1]), x[2] * x[2]);
    s0 + a * s1 * s1 + b * x2 * x2 * s0
}

/// Analytic S1 and ST of the Ishigami function, a = 7, b = 0.1 on [-π, π]^3
/// (Ishigami & Homma 1990; Saltelli et al. 2008, *The Primer*, §4.5).
fn ishigami_analytic() -> ([f64; 3], [f64; 3]) {
    let (a, b, pi) = (7.0f64, 0.1f64, std::f64::consts::PI);
    let v1 = 0.5 * libm::pow(1.0 + b * libm::pow(pi, 4.0) / 5.0, 2.0);
    let v2 = a * a / 8.0;
    let v13 = 8.0 * b * b * libm::pow(pi, 8.0) / 225.0;
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

/// `got` agrees with SALib's `want` to `rel` relative or `abs` absolute error.
fn assert_close(what: &str, got: f64, want: f64, rel: f64, abs: f64) {
    let err = (got - want).abs();
    assert!(
        err <= abs || err <= rel * want.abs(),
        "{what}: brink {got:e}, SALib {want:e}, difference {err:e}"
    );
}

/// Bootstrap half-widths from different resamples of the same data: equal in
/// distribution, so within ±25% with 1000 resamples each.
fn assert_conf_close(what: &str, got: f64, want: f64) {
    if want < 1e-9 {
        assert!(got < 1e-9, "{what}: brink {got:e}, SALib {want:e}");
    } else {
        let ratio = got / want;
        assert!(
            (0.8..1.25).contains(&ratio),
            "{what}: brink {got}, SALib {want}, ratio {ratio}"
        );
    }
}

fn check_sobol_against_salib(what: &str, got: &[SobolIndex], salib: &Value, rel: f64, abs: f64) {
    let (s1, st) = (vector(&salib["S1"]), vector(&salib["ST"]));
    let (s1c, stc) = (vector(&salib["S1_conf"]), vector(&salib["ST_conf"]));
    for (j, g) in got.iter().enumerate() {
        assert_close(&format!("{what} S1[{}]", g.name), g.s1, s1[j], rel, abs);
        assert_close(&format!("{what} ST[{}]", g.name), g.st, st[j], rel, abs);
        assert_conf_close(&format!("{what} S1_conf[{}]", g.name), g.s1_conf, s1c[j]);
        assert_conf_close(&format!("{what} ST_conf[{}]", g.name), g.st_conf, stc[j]);
        eprintln!(
            "{what} {}: S1 {:.6} (SALib {:.6}, diff {:.1e}) ± {:.4} (SALib ± {:.4}); ST {:.6} (SALib {:.6}, diff {:.1e}) ± {:.4} (SALib ± {:.4})",
            g.name,
            g.s1,
            s1[j],
            (g.s1 - s1[j]).abs(),
            g.s1_conf,
            s1c[j],
            g.st,
            st[j],
            (g.st - st[j]).abs(),
            g.st_conf,
            stc[j]
        );
    }
}

fn check_morris_against_salib(what: &str, got: &[MorrisIndex], salib: &Value, rel: f64, abs: f64) {
    let (mu, mu_star, sigma) = (
        vector(&salib["mu"]),
        vector(&salib["mu_star"]),
        vector(&salib["sigma"]),
    );
    let conf = vector(&salib["mu_star_conf"]);
    for (j, g) in got.iter().enumerate() {
        assert_close(&format!("{what} mu[{}]", g.name), g.mu, mu[j], rel, abs);
        assert_close(
            &format!("{what} mu_star[{}]", g.name),
            g.mu_star,
            mu_star[j],
            rel,
            abs,
        );
        assert_close(
            &format!("{what} sigma[{}]", g.name),
            g.sigma,
            sigma[j],
            rel,
            abs,
        );
        assert_conf_close(
            &format!("{what} mu_star_conf[{}]", g.name),
            g.mu_star_conf,
            conf[j],
        );
        eprintln!(
            "{what} {}: mu {:.6} (SALib {:.6}), mu* {:.6} (SALib {:.6}) ± {:.4} (SALib ± {:.4}), sigma {:.6} (SALib {:.6}); max diff {:.1e}",
            g.name,
            g.mu,
            mu[j],
            g.mu_star,
            mu_star[j],
            g.mu_star_conf,
            conf[j],
            g.sigma,
            sigma[j],
            [
                (g.mu - mu[j]).abs(),
                (g.mu_star - mu_star[j]).abs(),
                (g.sigma - sigma[j]).abs()
            ]
            .into_iter()
            .fold(0.0, f64::max)
        );
    }
}

// ---------------------------------------------------------------- Ishigami vs SALib

#[test]
fn sobol_indices_match_salib_on_ishigami() {
    let f = fixture("ishigami_sobol.json");
    let base = f["base"].as_u64().unwrap() as usize;
    let design = salib_design(&f, DesignKind::Sobol, DesignStructure::Saltelli { base });
    let y = vector(&f["y"]);
    // The fixture's outputs are the Ishigami function of its points.
    for (p, &y) in design.points.iter().zip(&y) {
        assert!((ishigami(p) - y).abs() < 1e-12);
    }
    let got = sobol_indices(&design, &y, 1000, 1).unwrap();
    assert_eq!(
        got.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["x1", "x2", "x3"]
    );
    check_sobol_against_salib("ishigami", &got, &f["salib"], 1e-10, 1e-12);

    // The analytic values lie within a few half-widths of the estimates.
    let (s1, st) = ishigami_analytic();
    assert_close(
        "analytic S1 in fixture",
        s1[0],
        vector(&f["analytic"]["S1"])[0],
        1e-14,
        0.0,
    );
    assert_close(
        "analytic ST in fixture",
        st[2],
        vector(&f["analytic"]["ST"])[2],
        1e-14,
        0.0,
    );
    for (j, g) in got.iter().enumerate() {
        assert!(
            (g.s1 - s1[j]).abs() <= 2.0 * g.s1_conf,
            "S1[{j}] {} vs {} ± {}",
            g.s1,
            s1[j],
            g.s1_conf
        );
        assert!(
            (g.st - st[j]).abs() <= 2.0 * g.st_conf,
            "ST[{j}] {} vs {} ± {}",
            g.st,
            st[j],
            g.st_conf
        );
    }
}

#[test]
fn morris_indices_match_salib_on_ishigami() {
    let f = fixture("ishigami_morris.json");
    let structure = DesignStructure::Morris {
        trajectories: f["trajectories"].as_u64().unwrap() as usize,
        levels: f["levels"].as_u64().unwrap() as usize,
    };
    let design = salib_design(&f, DesignKind::Morris, structure);
    let y = vector(&f["y"]);
    let got = morris_indices(&design, &y, 1000, 1).unwrap();
    check_morris_against_salib("ishigami", &got, &f["salib"], 1e-10, 1e-12);
}

// ---------------------------------------------------------------- brink scenario vs SALib

#[test]
fn sobol_indices_match_salib_on_the_stag_hunt() {
    let f = fixture("stag_hunt_sobol.json");
    let base = f["base"].as_u64().unwrap() as usize;
    let design = salib_design(&f, DesignKind::Sobol, DesignStructure::Saltelli { base });
    let outcomes = f["y"].as_object().unwrap();
    assert_eq!(outcomes.len(), 3);
    for (outcome, y) in outcomes {
        let got = sobol_indices(&design, &vector(y), 1000, 2).unwrap();
        check_sobol_against_salib(outcome, &got, &f["salib"][outcome], 0.0, 1e-9);
    }
}

#[test]
fn morris_indices_match_salib_on_the_stag_hunt() {
    let f = fixture("stag_hunt_morris.json");
    let structure = DesignStructure::Morris {
        trajectories: f["trajectories"].as_u64().unwrap() as usize,
        levels: f["levels"].as_u64().unwrap() as usize,
    };
    let design = salib_design(&f, DesignKind::Morris, structure);
    for (outcome, y) in f["y"].as_object().unwrap() {
        let got = morris_indices(&design, &vector(y), 1000, 2).unwrap();
        check_morris_against_salib(outcome, &got, &f["salib"][outcome], 0.0, 1e-9);
    }
}

// ---------------------------------------------------------------- brink's own designs

#[test]
fn sobol_indices_on_brinks_own_design_recover_ishigami() {
    let pi = std::f64::consts::PI;
    let ranges: Vec<ParamRange> = ["x1", "x2", "x3"]
        .iter()
        .map(|n| ParamRange::new(*n, -pi, pi, false).unwrap())
        .collect();
    let design = design::sobol(&ranges, 8192, 2026).unwrap();
    let y: Vec<f64> = design.points.iter().map(|p| ishigami(p)).collect();
    let got = sobol_indices(&design, &y, 200, 3).unwrap();
    let (s1, st) = ishigami_analytic();
    for (j, g) in got.iter().enumerate() {
        eprintln!(
            "brink design, N=8192: {} S1 {:.4} (analytic {:.4}) ST {:.4} (analytic {:.4})",
            g.name, g.s1, s1[j], g.st, st[j]
        );
        assert!(
            (g.s1 - s1[j]).abs() < 0.02,
            "S1[{j}] = {} vs {}",
            g.s1,
            s1[j]
        );
        assert!(
            (g.st - st[j]).abs() < 0.02,
            "ST[{j}] = {} vs {}",
            g.st,
            st[j]
        );
        assert!(
            g.s1_conf > 0.0 && g.s1_conf < 0.05 && g.st_conf > 0.0 && g.st_conf < 0.05,
            "{g:?}"
        );
    }
}

#[test]
fn sobol_indices_of_an_additive_linear_model() {
    // y = a + 2b on [0,1]^2: S1 = ST = (1/5, 4/5).
    let ranges = [
        ParamRange::new("a", 0.0, 1.0, false).unwrap(),
        ParamRange::new("b", 0.0, 1.0, false).unwrap(),
    ];
    let design = design::sobol(&ranges, 4096, 5).unwrap();
    let y: Vec<f64> = design.points.iter().map(|p| p[0] + 2.0 * p[1]).collect();
    let got = sobol_indices(&design, &y, 100, 5).unwrap();
    for (g, want) in got.iter().zip([0.2, 0.8]) {
        assert!(
            (g.s1 - want).abs() < 0.02 && (g.st - want).abs() < 0.02,
            "{g:?}"
        );
    }
}

#[test]
fn morris_effects_of_a_linear_model_are_exact() {
    // y = 2a − 3b on a ∈ [0, 1], b ∈ [10, 20] (log range c has no effect): the effect
    // per unit of normalised range is 2·1 and −3·10 in every trajectory.
    let ranges = [
        ParamRange::new("a", 0.0, 1.0, false).unwrap(),
        ParamRange::new("b", 10.0, 20.0, false).unwrap(),
        ParamRange::new("c", 0.1, 10.0, true).unwrap(),
    ];
    let design = design::morris(&ranges, 12, 4, 8).unwrap();
    let y: Vec<f64> = design
        .points
        .iter()
        .map(|p| 2.0 * p[0] - 3.0 * p[1])
        .collect();
    let ee = elementary_effects(&design, &y).unwrap();
    assert!(ee[0].iter().all(|e| (e - 2.0).abs() < 1e-12), "{:?}", ee[0]);
    assert!(ee[1].iter().all(|e| (e + 30.0).abs() < 1e-9), "{:?}", ee[1]);
    assert!(ee[2].iter().all(|e| *e == 0.0));
    let got = morris_indices(&design, &y, 100, 1).unwrap();
    assert!((got[0].mu_star - 2.0).abs() < 1e-12 && got[0].sigma < 1e-12);
    assert!(
        (got[1].mu + 30.0).abs() < 1e-9
            && (got[1].mu_star - 30.0).abs() < 1e-9
            && got[1].sigma < 1e-9
    );
    assert_eq!(
        (got[2].mu_star, got[2].sigma, got[2].mu_star_conf),
        (0.0, 0.0, 0.0)
    );
}

// ---------------------------------------------------------------- edge cases

#[test]
fn indices_are_deterministic_from_the_seed() {
    let ranges = [
        ParamRange::new("a", 0.0, 1.0, false).unwrap(),
        ParamRange::new("b", 1.0, 4.0, true).unwrap(),
    ];
    let s = design::sobol(&ranges, 128, 1).unwrap();
    let y: Vec<f64> = s
        .points
        .iter()
        .map(|p| p[0] * p[1] + libm::sin(p[1]))
        .collect();
    let x1 = sobol_indices(&s, &y, 50, 9).unwrap();
    assert_eq!(x1, sobol_indices(&s, &y, 50, 9).unwrap());
    let x2 = sobol_indices(&s, &y, 50, 10).unwrap();
    assert_eq!((x1[0].s1, x1[0].st), (x2[0].s1, x2[0].st));
    assert_ne!(x1[0].s1_conf, x2[0].s1_conf);

    let m = design::morris(&ranges, 20, 4, 1).unwrap();
    let y: Vec<f64> = m.points.iter().map(|p| p[0] * p[1]).collect();
    assert_eq!(
        morris_indices(&m, &y, 50, 9).unwrap(),
        morris_indices(&m, &y, 50, 9).unwrap()
    );
}

#[test]
fn fewer_than_two_resamples_leave_the_intervals_undefined() {
    let ranges = [ParamRange::new("a", 0.0, 1.0, false).unwrap()];
    let s = design::sobol(&ranges, 256, 1).unwrap();
    let y: Vec<f64> = s.points.iter().map(|p| p[0]).collect();
    for b in [0, 1] {
        let got = sobol_indices(&s, &y, b, 1).unwrap();
        assert!(got[0].s1_conf.is_nan() && got[0].st_conf.is_nan());
        assert!(
            (got[0].s1 - 1.0).abs() < 0.1 && (got[0].st - 1.0).abs() < 0.1,
            "{got:?}"
        );
    }
    let m = design::morris(&ranges, 1, 4, 1).unwrap();
    let y: Vec<f64> = m.points.iter().map(|p| p[0]).collect();
    let got = morris_indices(&m, &y, 0, 1).unwrap();
    assert!(got[0].sigma.is_nan() && got[0].mu_star_conf.is_nan());
    assert!((got[0].mu_star - 1.0).abs() < 1e-12);
}

#[test]
fn constant_outputs_give_zero_indices() {
    // As SALib: nothing varies, so nothing is attributed (e.g. an outcome that never
    // happens anywhere in the sweep).
    let ranges = [
        ParamRange::new("a", 0.0, 1.0, false).unwrap(),
        ParamRange::new("b", 0.0, 1.0, false).unwrap(),
    ];
    let s = design::sobol(&ranges, 32, 1).unwrap();
    for g in sobol_indices(&s, &vec![0.25; s.len()], 20, 1).unwrap() {
        assert_eq!((g.s1, g.s1_conf, g.st, g.st_conf), (0.0, 0.0, 0.0, 0.0));
    }
    let m = design::morris(&ranges, 5, 4, 1).unwrap();
    for g in morris_indices(&m, &vec![1.0; m.len()], 20, 1).unwrap() {
        assert_eq!(
            (g.mu, g.mu_star, g.sigma, g.mu_star_conf),
            (0.0, 0.0, 0.0, 0.0)
        );
    }
}

#[test]
fn errors_name_the_problem() {
    let ranges = [ParamRange::new("a", 0.0, 1.0, false).unwrap()];
    let l = design::lhs(&ranges, 10, 1).unwrap();
    let e = sobol_indices(&l, &[0.0; 10], 10, 1)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("need a Saltelli design, not a lhs design"),
        "{e}"
    );
    let e = morris_indices(&l, &[0.0; 10], 10, 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("need a Morris design, not a lhs design"), "{e}");

    let s = design::sobol(&ranges, 4, 1).unwrap();
    let e = sobol_indices(&s, &[0.0; 5], 10, 1).unwrap_err().to_string();
    assert!(e.contains("5 outputs for a design of 12 points"), "{e}");
    let mut y = vec![0.0; 12];
    y[7] = f64::NAN;
    let e = sobol_indices(&s, &y, 10, 1).unwrap_err().to_string();
    assert!(e.contains("output 7 is NaN"), "{e}");

    // A Morris design whose points were tampered with.
    let mut m = design::morris(&ranges, 2, 4, 1).unwrap();
    m.unit[1][0] = m.unit[0][0];
    let e = morris_indices(&m, &[0.0; 4], 10, 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("do not differ in exactly one coordinate"), "{e}");
}
