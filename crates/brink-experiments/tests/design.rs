//! Sampling designs: range specs, grid order, Latin hypercube stratification, the
//! Saltelli block layout (checked against SALib's own samples in
//! `tests/reference/salib/`), Morris trajectories, log ranges, determinism.

use brink_experiments::design::{
    self, DEFAULT_MORRIS_LEVELS, Design, DesignKind, DesignStructure, MAX_SOBOL_BASE,
    MAX_SOBOL_PARAMS, ParamRange, SaltelliBlock, morris_delta, saltelli_index,
};

mod common;
use common::{fixture, matrix, ranges_of};

fn range(name: &str, lo: f64, hi: f64) -> ParamRange {
    ParamRange::new(name, lo, hi, false).unwrap()
}

fn log_range(name: &str, lo: f64, hi: f64) -> ParamRange {
    ParamRange::new(name, lo, hi, true).unwrap()
}

// ---------------------------------------------------------------- range specs

#[test]
fn parses_linear_and_log_ranges() {
    assert_eq!(
        ParamRange::parse("lambda=0.5..5:log").unwrap(),
        log_range("lambda", 0.5, 5.0)
    );
    assert_eq!(
        ParamRange::parse("cost=-1..1").unwrap(),
        range("cost", -1.0, 1.0)
    );
    assert_eq!(
        ParamRange::parse(" x = 1e-3 .. 2e1 ").unwrap(),
        range("x", 1e-3, 20.0)
    );
    assert_eq!(
        ParamRange::parse("x=.5..1.5").unwrap(),
        range("x", 0.5, 1.5)
    );
    assert_eq!(
        "p=-3..-1".parse::<ParamRange>().unwrap(),
        range("p", -3.0, -1.0)
    );
}

#[test]
fn display_gives_back_the_spec() {
    for spec in [
        "lambda=0.5..5.0:log",
        "cost=-1.0..1.0",
        "x=0.1..0.30000000000000004",
    ] {
        let r = ParamRange::parse(spec).unwrap();
        assert_eq!(r.to_string(), spec);
        assert_eq!(ParamRange::parse(&r.to_string()).unwrap(), r);
    }
}

#[test]
fn bad_specs_have_clear_errors() {
    let err = |spec: &str| ParamRange::parse(spec).unwrap_err().to_string();
    let cases = [
        (
            "x=1..0",
            "the lower bound 1 must be below the upper bound 0",
        ),
        (
            "x=1..1",
            "the lower bound 1 must be below the upper bound 1",
        ),
        (
            "x=0..1:log",
            "a log range needs a lower bound above 0, got 0",
        ),
        (
            "x=-1..1:log",
            "a log range needs a lower bound above 0, got -1",
        ),
        ("x", "expected NAME=LO..HI or NAME=LO..HI:log"),
        ("x=a..b", "the lower bound `a` is not a number"),
        ("x=1..b", "the upper bound `b` is not a number"),
        ("x=1", "expected LO..HI after `x=`, got `1`"),
        ("=1..2", "the parameter name is empty"),
        (
            "x=1..2:lin",
            "unknown suffix `:lin` (the only one is `:log`)",
        ),
        ("x=inf..1", "bounds must be finite"),
        ("x=NaN..1", "bounds must be finite"),
        ("a b=1..2", "contains whitespace"),
    ];
    for (spec, want) in cases {
        let got = err(spec);
        assert!(
            got.starts_with(&format!("bad parameter range `{spec}`: ")),
            "{spec}: {got}"
        );
        assert!(got.contains(want), "{spec}: got {got:?}, want {want:?}");
    }
}

#[test]
fn unit_mapping_linear_and_log() {
    let r = range("x", -2.0, 6.0);
    assert_eq!(r.from_unit(0.0), -2.0);
    assert_eq!(r.from_unit(1.0), 6.0);
    assert_eq!(r.from_unit(0.25), 0.0);
    assert_eq!(r.to_unit(0.0), 0.25);
    let l = log_range("lambda", 0.5, 5.0);
    assert_eq!(l.from_unit(0.0), 0.5);
    assert_eq!(l.from_unit(1.0), 5.0);
    assert!((l.from_unit(0.5) - (0.5f64 * 5.0).sqrt()).abs() < 1e-14);
    // Uniform in ln space: equal steps in u are equal ratios.
    let r1 = l.from_unit(0.3) / l.from_unit(0.1);
    let r2 = l.from_unit(0.9) / l.from_unit(0.7);
    assert!((r1 - r2).abs() < 1e-12);
    for u in [0.0, 0.1, 0.5, 0.77, 1.0] {
        assert!((l.to_unit(l.from_unit(u)) - u).abs() < 1e-14);
    }
}

#[test]
fn designs_reject_bad_range_lists() {
    let e = design::lhs(&[], 10, 1).unwrap_err().to_string();
    assert!(e.contains("at least one parameter"), "{e}");
    let e = design::grid(&[range("x", 0.0, 1.0), range("x", 2.0, 3.0)], 3)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`x` is swept twice"), "{e}");
    let bad = ParamRange {
        name: "x".into(),
        lo: 1.0,
        hi: 0.0,
        log: false,
    };
    let e = design::sobol(&[bad], 8, 1).unwrap_err().to_string();
    assert!(e.contains("must be below"), "{e}");
}

// ---------------------------------------------------------------- grid

#[test]
fn grid_is_full_factorial_first_range_slowest() {
    let d = design::grid(&[range("a", 0.0, 1.0), range("b", 10.0, 20.0)], 3).unwrap();
    assert_eq!(d.kind, DesignKind::Grid);
    assert_eq!(d.structure, DesignStructure::Plain);
    let want: Vec<Vec<f64>> = [0.0, 0.5, 1.0]
        .iter()
        .flat_map(|&a| [10.0, 15.0, 20.0].map(|b| vec![a, b]))
        .collect();
    assert_eq!(d.points, want);
    assert_eq!(d.unit[5], vec![0.5, 1.0]);

    let g = design::grid(
        &[
            range("a", 0.0, 1.0),
            range("b", 0.0, 1.0),
            range("c", 0.0, 1.0),
        ],
        2,
    )
    .unwrap();
    assert_eq!(g.len(), 8);
    assert_eq!(g.unit[1], vec![0.0, 0.0, 1.0]);
    assert_eq!(g.unit[4], vec![1.0, 0.0, 0.0]);
}

#[test]
fn grid_on_a_log_range_and_single_point() {
    let d = design::grid(&[log_range("lambda", 0.1, 10.0)], 3).unwrap();
    assert_eq!(d.points[0][0], 0.1);
    assert!((d.points[1][0] - 1.0).abs() < 1e-15);
    assert_eq!(d.points[2][0], 10.0);
    let one = design::grid(&[range("a", 2.0, 4.0), log_range("b", 1.0, 100.0)], 1).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one.points[0][0], 3.0);
    assert!((one.points[0][1] - 10.0).abs() < 1e-12);
}

#[test]
fn grid_errors() {
    let e = design::grid(&[range("a", 0.0, 1.0)], 0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at least one point per axis"), "{e}");
    let many: Vec<ParamRange> = (0..8).map(|i| range(&format!("p{i}"), 0.0, 1.0)).collect();
    let e = design::grid(&many, 10).unwrap_err().to_string();
    assert!(e.contains("100000000 points, more than the limit"), "{e}");
    let e = design::grid(&many, 1 << 40).unwrap_err().to_string();
    assert!(e.contains("more than"), "{e}");
}

// ---------------------------------------------------------------- Latin hypercube

fn assert_stratified(column: impl Iterator<Item = f64>, n: usize) {
    let mut strata: Vec<usize> = column.map(|u| (u * n as f64).floor() as usize).collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..n).collect::<Vec<_>>());
}

#[test]
fn lhs_hits_every_stratum_once_per_dimension() {
    let ranges = [
        range("a", 0.0, 1.0),
        range("b", -5.0, 5.0),
        log_range("c", 0.01, 100.0),
    ];
    for n in [1, 2, 7, 50, 1000] {
        let d = design::lhs(&ranges, n, 42).unwrap();
        assert_eq!(d.len(), n);
        assert_eq!(d.structure, DesignStructure::Plain);
        for j in 0..3 {
            assert_stratified(d.unit.iter().map(|u| u[j]), n);
            // The same read back from the parameter values (log range in ln space).
            assert_stratified(
                d.points
                    .iter()
                    .map(|p| ranges[j].to_unit(p[j]).clamp(0.0, 1.0 - 1e-15)),
                n,
            );
            assert!(
                d.points
                    .iter()
                    .all(|p| p[j] >= ranges[j].lo && p[j] <= ranges[j].hi)
            );
        }
    }
    assert!(
        design::lhs(&ranges, 0, 1)
            .unwrap_err()
            .0
            .contains("at least one point")
    );
}

#[test]
fn random_designs_are_deterministic_from_the_seed() {
    let ranges = [range("a", 0.0, 1.0), log_range("b", 1.0, 8.0)];
    for kind in [DesignKind::Lhs, DesignKind::Sobol, DesignKind::Morris] {
        let x = design::build(kind, &ranges, 16, 7).unwrap();
        let y = design::build(kind, &ranges, 16, 7).unwrap();
        let z = design::build(kind, &ranges, 16, 8).unwrap();
        assert_eq!(x, y, "{kind}");
        assert_ne!(x.unit, z.unit, "{kind}");
    }
    // Pinned values: a change in how designs draw is a change in every sweep's points.
    let l = design::lhs(&ranges, 4, 2021).unwrap();
    let s = design::sobol(&ranges, 4, 2021).unwrap();
    let m = design::morris(&ranges, 2, 4, 2021).unwrap();
    assert_eq!(l.unit[0], [0.37553969426632894, 0.34436147457041916]);
    assert_eq!(l.unit[3], [0.7803795349833008, 0.7537884654309148]);
    assert_eq!(s.unit[0], [0.42266487691085786, 0.8227652515051886]);
    let third = 1.0 / 3.0;
    let morris_first = [
        [1.0, 0.0],
        [third, 0.0],
        [third, 2.0 * third],
        [0.0, 1.0],
        [0.0, third],
        [2.0 * third, third],
    ];
    assert_eq!(m.unit, morris_first.map(|p| p.to_vec()).to_vec());
}

// ---------------------------------------------------------------- Saltelli / Sobol'

/// Checks the Saltelli layout: per base row i, A_i, AB_i^(j) (A_i with column j from
/// B_i), B_i.
fn assert_saltelli_layout(unit: &[Vec<f64>], d: usize, base: usize) {
    assert_eq!(unit.len(), base * (d + 2));
    for i in 0..base {
        let a = &unit[saltelli_index(d, i, SaltelliBlock::A)];
        let b = &unit[saltelli_index(d, i, SaltelliBlock::B)];
        assert!(
            a.iter().zip(b).all(|(x, y)| x != y),
            "row {i}: A and B share a coordinate"
        );
        for j in 0..d {
            let ab = &unit[saltelli_index(d, i, SaltelliBlock::AB(j))];
            for k in 0..d {
                assert_eq!(
                    ab[k],
                    if k == j { b[k] } else { a[k] },
                    "row {i}, AB^({j}), coordinate {k}"
                );
            }
        }
    }
}

#[test]
fn saltelli_index_follows_salib_order() {
    assert_eq!(saltelli_index(3, 0, SaltelliBlock::A), 0);
    assert_eq!(saltelli_index(3, 0, SaltelliBlock::AB(0)), 1);
    assert_eq!(saltelli_index(3, 0, SaltelliBlock::AB(2)), 3);
    assert_eq!(saltelli_index(3, 0, SaltelliBlock::B), 4);
    assert_eq!(saltelli_index(3, 2, SaltelliBlock::A), 10);
}

#[test]
fn sobol_design_has_the_saltelli_block_layout() {
    let ranges = [
        range("a", 0.0, 1.0),
        range("b", 10.0, 20.0),
        log_range("c", 0.1, 10.0),
    ];
    let d = design::sobol(&ranges, 64, 3).unwrap();
    assert_eq!(d.kind, DesignKind::Sobol);
    assert_eq!(d.structure, DesignStructure::Saltelli { base: 64 });
    assert_eq!(d.len(), 64 * 5);
    assert_saltelli_layout(&d.unit, 3, 64);
    assert!(d.unit.iter().flatten().all(|&u| u > 0.0 && u < 1.0));
    for (p, u) in d.points.iter().zip(&d.unit) {
        for j in 0..3 {
            assert_eq!(p[j], ranges[j].from_unit(u[j]));
        }
    }
}

#[test]
fn salib_samples_have_the_same_layout() {
    // SALib's own Saltelli sample (sobol.sample, calc_second_order=False): brink reads
    // outputs back with the same block order that SALib writes points in.
    let f = fixture("ishigami_sobol.json");
    let base = f["base"].as_u64().unwrap() as usize;
    assert_saltelli_layout(&matrix(&f["points"]), 3, base);
    let f = fixture("stag_hunt_sobol.json");
    let base = f["base"].as_u64().unwrap() as usize;
    assert_saltelli_layout(&matrix(&f["unit"]), 2, base);
}

#[test]
fn sobol_columns_are_stratified_for_a_power_of_two_base() {
    let ranges: Vec<ParamRange> = (0..5).map(|i| range(&format!("p{i}"), 0.0, 1.0)).collect();
    let n = 256;
    let d = design::sobol(&ranges, n, 11).unwrap();
    for block in [SaltelliBlock::A, SaltelliBlock::B] {
        for j in 0..5 {
            assert_stratified((0..n).map(|i| d.unit[saltelli_index(5, i, block)][j]), n);
        }
    }
}

#[test]
fn sobol_points_are_sobol_burleys_at_32_bits() {
    let ranges = [
        range("a", 0.0, 1.0),
        range("b", 0.0, 1.0),
        range("c", 0.0, 1.0),
    ];
    let seed = 99;
    let d = design::sobol(&ranges, 128, seed).unwrap();
    let s = design::sobol_seed(seed);
    for i in 0..128 {
        let a = &d.unit[saltelli_index(3, i, SaltelliBlock::A)];
        let b = &d.unit[saltelli_index(3, i, SaltelliBlock::B)];
        for j in 0..3 {
            let top23 = |u: f64| ((u * (1u64 << 23) as f64).floor() / (1u64 << 23) as f64) as f32;
            assert_eq!(
                top23(a[j]),
                sobol_burley::sample(i as u32, j as u32, s),
                "A[{i}][{j}]"
            );
            assert_eq!(
                top23(b[j]),
                sobol_burley::sample(i as u32, (3 + j) as u32, s),
                "B[{i}][{j}]"
            );
        }
    }
}

#[test]
fn sobol_errors() {
    let r = [range("a", 0.0, 1.0)];
    assert!(
        design::sobol(&r, 0, 1)
            .unwrap_err()
            .0
            .contains("at least one point")
    );
    let e = design::sobol(&r, MAX_SOBOL_BASE + 1, 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at most 65536"), "{e}");
    assert!(design::sobol(&r, MAX_SOBOL_BASE, 1).is_ok());
    let many: Vec<ParamRange> = (0..=MAX_SOBOL_PARAMS)
        .map(|i| range(&format!("p{i}"), 0.0, 1.0))
        .collect();
    let e = design::sobol(&many, 2, 1).unwrap_err().to_string();
    assert!(e.contains("at most 128 parameters"), "{e}");
}

// ---------------------------------------------------------------- Morris

/// Consecutive points of each trajectory differ in exactly one coordinate by ±Δ, each
/// coordinate moving once; every coordinate is on the grid of `levels` levels.
fn assert_morris_trajectories(unit: &[Vec<f64>], d: usize, trajectories: usize, levels: usize) {
    let delta = morris_delta(levels);
    assert_eq!(unit.len(), trajectories * (d + 1));
    for u in unit.iter().flatten() {
        let k = u * (levels - 1) as f64;
        assert!(
            (k - k.round()).abs() < 1e-9,
            "{u} is not on the {levels}-level grid"
        );
    }
    for t in 0..trajectories {
        let mut moved = vec![false; d];
        for s in 0..d {
            let (p, q) = (&unit[t * (d + 1) + s], &unit[t * (d + 1) + s + 1]);
            let changed: Vec<usize> = (0..d).filter(|&j| p[j] != q[j]).collect();
            assert_eq!(changed.len(), 1, "trajectory {t} step {s}: {p:?} -> {q:?}");
            let j = changed[0];
            assert!(
                ((q[j] - p[j]).abs() - delta).abs() < 1e-12,
                "step {} is not ±{delta}",
                q[j] - p[j]
            );
            assert!(!moved[j], "trajectory {t} moves coordinate {j} twice");
            moved[j] = true;
        }
    }
}

#[test]
fn morris_trajectories_move_one_coordinate_by_delta() {
    let ranges: Vec<ParamRange> = (0..4).map(|i| range(&format!("p{i}"), -1.0, 3.0)).collect();
    for levels in [2, 4, 6, 8] {
        let d = design::morris(&ranges, 30, levels, 5).unwrap();
        assert_eq!(d.kind, DesignKind::Morris);
        assert_eq!(
            d.structure,
            DesignStructure::Morris {
                trajectories: 30,
                levels
            }
        );
        assert_morris_trajectories(&d.unit, 4, 30, levels);
    }
    assert_eq!(morris_delta(4), 2.0 / 3.0);
    // Over many trajectories both directions and every parameter order show up.
    let d = design::morris(&ranges, 200, 4, 9).unwrap();
    let ups = (0..200)
        .filter(|t| d.unit[t * 5 + 1].iter().sum::<f64>() > d.unit[t * 5].iter().sum::<f64>())
        .count();
    assert!(ups > 60 && ups < 140, "{ups} of 200 first steps go up");
    let firsts: std::collections::BTreeSet<usize> = (0..200)
        .map(|t| {
            (0..4)
                .find(|&j| d.unit[t * 5][j] != d.unit[t * 5 + 1][j])
                .unwrap()
        })
        .collect();
    assert_eq!(firsts.len(), 4);
}

#[test]
fn salib_morris_samples_are_trajectories_of_the_same_kind() {
    for name in ["ishigami_morris.json", "stag_hunt_morris.json"] {
        let f = fixture(name);
        let unit = matrix(&f["unit"]);
        let d = unit[0].len();
        let r = f["trajectories"].as_u64().unwrap() as usize;
        let levels = f["levels"].as_u64().unwrap() as usize;
        assert_morris_trajectories(&unit, d, r, levels);
    }
}

#[test]
fn morris_errors() {
    let r = [range("a", 0.0, 1.0)];
    assert!(
        design::morris(&r, 0, 4, 1)
            .unwrap_err()
            .0
            .contains("at least one trajectory")
    );
    for levels in [0, 1, 3, 5] {
        let e = design::morris(&r, 3, levels, 1).unwrap_err().to_string();
        assert!(e.contains("even number of levels"), "{e}");
    }
}

// ---------------------------------------------------------------- build, mapping, serde

#[test]
fn build_reads_points_per_design_kind() {
    let ranges = [
        range("a", 0.0, 1.0),
        range("b", 0.0, 1.0),
        range("c", 0.0, 1.0),
    ];
    assert_eq!(
        design::build(DesignKind::Grid, &ranges, 4, 0)
            .unwrap()
            .len(),
        64
    );
    assert_eq!(
        design::build(DesignKind::Lhs, &ranges, 4, 0).unwrap().len(),
        4
    );
    assert_eq!(
        design::build(DesignKind::Sobol, &ranges, 4, 0)
            .unwrap()
            .len(),
        20
    );
    let m = design::build(DesignKind::Morris, &ranges, 4, 0).unwrap();
    assert_eq!(m.len(), 16);
    assert_eq!(
        m.structure,
        DesignStructure::Morris {
            trajectories: 4,
            levels: DEFAULT_MORRIS_LEVELS
        }
    );
    for k in ["grid", "lhs", "sobol", "morris"] {
        assert_eq!(k.parse::<DesignKind>().unwrap().to_string(), k);
    }
    assert!(
        "halton"
            .parse::<DesignKind>()
            .unwrap_err()
            .0
            .contains("unknown design `halton`")
    );
}

#[test]
fn brink_maps_salib_unit_samples_to_the_fixture_points() {
    // Ishigami (linear ranges): SALib's own scaling, bit for bit.
    let f = fixture("ishigami_morris.json");
    let ranges = ranges_of(&f);
    for (u, p) in matrix(&f["unit"]).iter().zip(matrix(&f["points"])) {
        for j in 0..u.len() {
            assert_eq!(ranges[j].from_unit(u[j]), p[j]);
        }
    }
    // The brink scenario (lambda on a log range): generate.py's copy of from_unit.
    for name in ["stag_hunt_sobol.json", "stag_hunt_morris.json"] {
        let f = fixture(name);
        let ranges = ranges_of(&f);
        assert!(ranges[0].log && !ranges[1].log);
        for (u, p) in matrix(&f["unit"]).iter().zip(matrix(&f["points"])) {
            for j in 0..u.len() {
                let x = ranges[j].from_unit(u[j]);
                assert!(
                    (x - p[j]).abs() <= 1e-15 * p[j].abs(),
                    "{name}: {x} vs {}",
                    p[j]
                );
            }
        }
    }
}

#[test]
fn design_from_unit_checks_the_structure() {
    let ranges = [range("a", 0.0, 2.0)];
    let d = Design::from_unit(
        DesignKind::Lhs,
        &ranges,
        vec![vec![0.25], vec![0.75]],
        DesignStructure::Plain,
    )
    .unwrap();
    assert_eq!(d.points, vec![vec![0.5], vec![1.5]]);
    let e = Design::from_unit(
        DesignKind::Sobol,
        &ranges,
        vec![vec![0.5]; 5],
        DesignStructure::Saltelli { base: 2 },
    )
    .unwrap_err();
    assert!(e.0.contains("cannot have 5 points"), "{e}");
    let e = Design::from_unit(
        DesignKind::Lhs,
        &ranges,
        vec![vec![1.5]],
        DesignStructure::Plain,
    )
    .unwrap_err();
    assert!(e.0.contains("outside [0, 1]"), "{e}");
}

#[test]
fn designs_round_trip_through_json() {
    let ranges = [range("a", 0.0, 1.0), log_range("b", 0.5, 5.0)];
    for kind in [
        DesignKind::Grid,
        DesignKind::Lhs,
        DesignKind::Sobol,
        DesignKind::Morris,
    ] {
        let d = design::build(kind, &ranges, 3, 1).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(&format!("\"kind\":\"{kind}\"")), "{json}");
        let back: Design = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}
