//! [`DesignSpec`], what a design is without its points, and [`Sampler`], which
//! regenerates point `p` on demand, bit for bit as the design drawn whole.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::*;

/// What a design is, without its points: the kind, the size asked for, the seed, the
/// ranges and (Morris only) the number of levels. This is what a sweep records in its
/// manifest: a few hundred bytes whatever the number of points.
/// [`DesignSpec::sampler`] gives any point of the design from it, in the same bits as
/// the materialised [`DesignSpec::design`] (which [`grid`], [`lhs`], [`sobol`],
/// [`morris`] and [`build`] return).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignSpec {
    /// What kind of design this is.
    pub kind: DesignKind,
    /// The size as asked for (`--points`): points per axis (grid), points (lhs), base
    /// sample N (sobol), trajectories (morris).
    pub size: usize,
    /// Number of grid levels of a Morris design; None for the other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<usize>,
    /// Seed of the random designs (lhs, sobol, morris); a grid does not use it.
    #[serde(with = "brink_report::seed_json")]
    pub seed: u64,
    /// The swept parameters; coordinate `j` of every point belongs to `ranges[j]`.
    pub ranges: Vec<ParamRange>,
}

impl DesignSpec {
    /// The design `--design KIND --points N` asks for (see [`build`]), checked: a
    /// Morris design gets [`DEFAULT_MORRIS_LEVELS`] levels.
    pub fn new(
        kind: DesignKind,
        ranges: &[ParamRange],
        size: usize,
        seed: u64,
    ) -> Result<DesignSpec, DesignError> {
        let spec = DesignSpec {
            kind,
            size,
            levels: (kind == DesignKind::Morris).then_some(DEFAULT_MORRIS_LEVELS),
            seed,
            ranges: ranges.to_vec(),
        };
        spec.num_points()?;
        Ok(spec)
    }

    /// A Morris design of `trajectories` trajectories on `levels` levels, checked.
    pub fn morris(
        ranges: &[ParamRange],
        trajectories: usize,
        levels: usize,
        seed: u64,
    ) -> Result<DesignSpec, DesignError> {
        let spec = DesignSpec {
            kind: DesignKind::Morris,
            size: trajectories,
            levels: Some(levels),
            seed,
            ranges: ranges.to_vec(),
        };
        spec.num_points()?;
        Ok(spec)
    }

    /// Number of parameters d.
    pub fn dim(&self) -> usize {
        self.ranges.len()
    }

    /// Checks the spec and returns its number of points: `size^d` (grid), `size`
    /// (lhs), `size (d + 2)` (sobol), `size (d + 1)` (morris), at most [`MAX_POINTS`].
    /// The errors are those of [`grid`], [`lhs`], [`sobol`] and [`morris`].
    pub fn num_points(&self) -> Result<usize, DesignError> {
        let ranges = &self.ranges;
        check_ranges(ranges)?;
        let d = ranges.len();
        match (self.kind, self.levels) {
            (DesignKind::Morris, None) => {
                return Err(DesignError(
                    "a Morris design needs its number of levels".into(),
                ));
            }
            (DesignKind::Morris, Some(_)) => {}
            (kind, Some(_)) => {
                return Err(DesignError(format!(
                    "only a Morris design has levels, not a {kind} design"
                )));
            }
            (_, None) => {}
        }
        let n = self.size;
        match self.kind {
            DesignKind::Grid => {
                if n == 0 {
                    return Err(DesignError(
                        "a grid needs at least one point per axis".into(),
                    ));
                }
                check_total(
                    u32::try_from(d).ok().and_then(|d| n.checked_pow(d)),
                    "the grid",
                )
            }
            DesignKind::Lhs => {
                if n == 0 {
                    return Err(DesignError(
                        "a Latin hypercube needs at least one point".into(),
                    ));
                }
                check_total(Some(n), "the Latin hypercube")
            }
            DesignKind::Sobol => {
                if n == 0 {
                    return Err(DesignError(
                        "a Sobol' (Saltelli) design needs a base sample of at least one point"
                            .into(),
                    ));
                }
                if n > MAX_SOBOL_BASE {
                    return Err(DesignError(format!(
                        "a Sobol' (Saltelli) design takes a base sample of at most {MAX_SOBOL_BASE} points, got {n}"
                    )));
                }
                if d > MAX_SOBOL_PARAMS {
                    return Err(DesignError(format!(
                        "a Sobol' (Saltelli) design takes at most {MAX_SOBOL_PARAMS} parameters, got {d}"
                    )));
                }
                check_total(n.checked_mul(d + 2), "the Sobol' (Saltelli) design")
            }
            DesignKind::Morris => {
                let levels = self.levels.unwrap_or(0);
                if n == 0 {
                    return Err(DesignError(
                        "a Morris design needs at least one trajectory".into(),
                    ));
                }
                if levels < 2 || !levels.is_multiple_of(2) {
                    return Err(DesignError(format!(
                        "a Morris design needs an even number of levels, at least 2, got {levels}"
                    )));
                }
                check_total(n.checked_mul(d + 1), "the Morris design")
            }
        }
    }

    /// How the points are laid out (for the sensitivity analysis).
    pub fn structure(&self) -> DesignStructure {
        match self.kind {
            DesignKind::Grid | DesignKind::Lhs => DesignStructure::Plain,
            DesignKind::Sobol => DesignStructure::Saltelli { base: self.size },
            DesignKind::Morris => DesignStructure::Morris {
                trajectories: self.size,
                levels: self.levels.unwrap_or(DEFAULT_MORRIS_LEVELS),
            },
        }
    }

    /// A [`Sampler`] of this design (checks the spec first).
    pub fn sampler(&self) -> Result<Sampler, DesignError> {
        let len = self.num_points()?;
        let d = self.dim();
        let state = match self.kind {
            DesignKind::Grid => State::Grid,
            DesignKind::Lhs => State::Lhs(LhsState::new(d, len, self.seed)),
            DesignKind::Sobol => State::Sobol {
                scramble: sobol_seed(self.seed),
            },
            DesignKind::Morris => State::Morris(Box::new(MorrisState::new(
                d,
                self.levels.unwrap_or(DEFAULT_MORRIS_LEVELS),
                self.seed,
            ))),
        };
        Ok(Sampler {
            spec: self.clone(),
            len,
            state,
        })
    }

    /// All the points at once (`points × d` values twice: unit cube and parameter
    /// values), for the sensitivity analysis and for tests.
    pub fn design(&self) -> Result<Design, DesignError> {
        let mut sampler = self.sampler()?;
        let mut unit = Vec::with_capacity(sampler.len());
        let mut u = vec![0.0; self.dim()];
        for p in 0..sampler.len() {
            sampler.unit_point(p, &mut u);
            unit.push(u.clone());
        }
        Ok(finish(self.kind, &self.ranges, unit, self.structure()))
    }
}

/// Gives point `p` of a design on demand, without materialising the others.
///
/// Memory and cost per point, for `d` parameters and `n` points:
/// - grid, Sobol': nothing kept; O(d) per point (a Sobol' coordinate is a pure
///   function of the point's index);
/// - Morris: the current trajectory (`(d + 1) d` values) and the generator's state;
///   O(d) per point when asked in increasing order (a sweep's order), the trajectories
///   before `p` replayed from the start when asked backwards;
/// - Latin hypercube: the `d` stratum permutations, inherently drawn whole
///   (Fisher–Yates), kept as `u32`: `4 n d` bytes (1.2 MB for 10^5 points of 3
///   parameters); the in-stratum offsets are re-read from the generator at the word
///   position of point `p`, O(d) per point.
///
/// The values are bit for bit those of [`DesignSpec::design`].
pub struct Sampler {
    spec: DesignSpec,
    len: usize,
    state: State,
}

pub(super) enum State {
    Grid,
    Lhs(LhsState),
    Sobol { scramble: u32 },
    Morris(Box<MorrisState>),
}

impl Sampler {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the design has no point (never, for a checked spec).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The design this samples.
    pub fn spec(&self) -> &DesignSpec {
        &self.spec
    }

    /// Writes point `p`'s coordinates in the unit cube into `out` (length d).
    ///
    /// # Panics
    /// If `p >= self.len()` or `out.len() != d`.
    pub fn unit_point(&mut self, p: usize, out: &mut [f64]) {
        let d = self.spec.dim();
        assert!(p < self.len, "point {p} of a design of {} points", self.len);
        assert_eq!(out.len(), d, "a point of this design has {d} coordinates");
        match &mut self.state {
            State::Grid => {
                let m = self.spec.size;
                let mut rest = p;
                for j in (0..d).rev() {
                    out[j] = if m == 1 {
                        0.5
                    } else {
                        (rest % m) as f64 / (m - 1) as f64
                    };
                    rest /= m;
                }
            }
            State::Lhs(lhs) => lhs.point(p, out),
            State::Sobol { scramble } => {
                let to_unit = |n: u32| (n as f64 + 0.5) / 4_294_967_296.0;
                let (i, r) = (p / (d + 2), p % (d + 2));
                for (j, u) in out.iter_mut().enumerate() {
                    // r = 0: A_i; r = 1 + j: AB_i^(j), coordinate j from B; r = d + 1: B_i.
                    let from_b = r == d + 1 || r == j + 1;
                    let dim = if from_b { d + j } else { j };
                    *u = to_unit(sobol_u32(i as u32, dim as u32, *scramble));
                }
            }
            State::Morris(morris) => morris.point(p, out),
        }
    }

    /// Writes point `p`'s parameter values into `out` (length d): the unit point
    /// mapped through [`ParamRange::from_unit`].
    ///
    /// # Panics
    /// As [`Sampler::unit_point`].
    pub fn point(&mut self, p: usize, out: &mut [f64]) {
        self.unit_point(p, out);
        for (x, r) in out.iter_mut().zip(&self.spec.ranges) {
            *x = r.from_unit(*x);
        }
    }

    /// Point `p`'s parameter values, as [`Sampler::point`].
    pub fn values(&mut self, p: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.spec.dim()];
        self.point(p, &mut out);
        out
    }
}

/// A Latin hypercube, drawn as [`lhs`] documents: per parameter `j`, the permutation
/// (kept), then `n` offsets (one 64-bit output each, re-read on demand).
pub(super) struct LhsState {
    n: usize,
    /// `strata[j * n + i]` = `π_j(i)`.
    strata: Vec<u32>,
    /// Per parameter: the generator's word position of the first offset, and a
    /// generator positioned at the offset of point `next`.
    columns: Vec<LhsColumn>,
}

pub(super) struct LhsColumn {
    first: u128,
    rng: ChaCha8Rng,
    next: usize,
}

impl LhsState {
    fn new(d: usize, n: usize, seed: u64) -> LhsState {
        // n ≤ MAX_POINTS < 2^32.
        let mut rng = rng_for(seed, LHS_STREAM);
        let mut strata = vec![0u32; n * d];
        let mut columns = Vec::with_capacity(d);
        for perm in strata.chunks_mut(n) {
            for (i, s) in perm.iter_mut().enumerate() {
                *s = i as u32;
            }
            shuffle(perm, &mut rng);
            let first = rng.get_word_pos();
            columns.push(LhsColumn {
                first,
                rng: rng.clone(),
                next: 0,
            });
            // Skip the n offsets: each is one 64-bit output, two 32-bit words.
            rng.set_word_pos(first + 2 * n as u128);
        }
        LhsState { n, strata, columns }
    }

    fn point(&mut self, i: usize, out: &mut [f64]) {
        let n = self.n;
        for (j, (col, u)) in self.columns.iter_mut().zip(out).enumerate() {
            if col.next != i {
                col.rng.set_word_pos(col.first + 2 * i as u128);
            }
            col.next = i + 1;
            let stratum = self.strata[j * n + i] as usize;
            let mut v = (stratum as f64 + uniform01(&mut col.rng)) / n as f64;
            // Rounding could in principle push v onto the next stratum's edge.
            if (v * n as f64).floor() as usize != stratum {
                v = (stratum as f64 + 0.5) / n as f64;
            }
            *u = v;
        }
    }
}

/// Morris trajectories drawn one after another from one generator, as [`morris`]
/// documents; the current trajectory is kept.
pub(super) struct MorrisState {
    d: usize,
    levels: usize,
    seed: u64,
    rng: ChaCha8Rng,
    /// The trajectory the generator draws next.
    next: usize,
    /// The unit points of trajectory `next - 1`, `(d + 1) × d` row by row.
    rows: Vec<f64>,
}

impl MorrisState {
    fn new(d: usize, levels: usize, seed: u64) -> MorrisState {
        MorrisState {
            d,
            levels,
            seed,
            rng: rng_for(seed, MORRIS_STREAM),
            next: 0,
            rows: vec![0.0; (d + 1) * d],
        }
    }

    fn point(&mut self, p: usize, out: &mut [f64]) {
        let d = self.d;
        let t = p / (d + 1);
        if t + 1 < self.next {
            // Backwards (the rows hold trajectory `next - 1`): replay from the start.
            self.rng = rng_for(self.seed, MORRIS_STREAM);
            self.next = 0;
        }
        while self.next <= t {
            morris_trajectory(&mut self.rng, d, self.levels, &mut self.rows);
            self.next += 1;
        }
        let s = p % (d + 1);
        out.copy_from_slice(&self.rows[s * d..(s + 1) * d]);
    }
}

/// Draws one Morris trajectory (base levels, directions, order) and writes its `d + 1`
/// unit points into `rows`, row by row.
pub(super) fn morris_trajectory(rng: &mut ChaCha8Rng, d: usize, levels: usize, rows: &mut [f64]) {
    let half = levels / 2;
    let top = (levels - 1) as f64;
    let base: Vec<usize> = (0..d).map(|_| below(rng, half)).collect();
    let up: Vec<bool> = (0..d).map(|_| rng.next_u64() >> 63 == 1).collect();
    let mut order: Vec<usize> = (0..d).collect();
    shuffle(&mut order, rng);
    let mut level: Vec<usize> = (0..d)
        .map(|j| if up[j] { base[j] } else { base[j] + half })
        .collect();
    let mut write = |row: usize, level: &[usize]| {
        for (u, &k) in rows[row * d..(row + 1) * d].iter_mut().zip(level) {
            *u = k as f64 / top;
        }
    };
    write(0, &level);
    for (s, &j) in order.iter().enumerate() {
        level[j] = if up[j] {
            level[j] + half
        } else {
            level[j] - half
        };
        write(s + 1, &level);
    }
}
