//! Sampling designs for sweeps: full-factorial grids, Latin hypercubes, Saltelli's
//! design on a scrambled Sobol' sequence (for Sobol' indices) and Morris trajectories
//! (for elementary effects).
//!
//! Every design is built in the unit cube `[0, 1]^d` first ([`Design::unit`]) and then
//! mapped to parameter values range by range ([`ParamRange::from_unit`]): linearly, or
//! uniformly in `ln` space for a `:log` range. The sensitivity analysis
//! ([`crate::sensitivity`]) reads the points back through [`Design::structure`].
//!
//! A [`DesignSpec`] (kind, size, seed, ranges, Morris levels) is what a design is
//! without its points; a [`Sampler`] made from it gives point `p` on demand, bit for
//! bit the point `p` of the [`Design`] drawn whole, so a sweep keeps neither the points
//! in memory nor in its manifest (only a Latin hypercube's permutations, 4 bytes per
//! point and parameter, are inherently drawn whole).
//!
//! Everything here is a pure function of its arguments: random designs draw from a
//! ChaCha8 generator seeded with [`ChaCha8Rng::seed_from_u64`] and a stream of its own
//! per design kind (so an LHS and a Morris design with the same seed are unrelated),
//! and they use their own integer and float draws on top of the raw 64-bit outputs
//! (see [`uniform01`], [`below`]), so a design depends only on the seed and on the
//! ChaCha8 algorithm, not on how a `rand` version implements shuffles or ranges.
//!
//! Not here: running the points (`sweep`), the indices (`sensitivity`).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The largest number of points a design may have (10^7): a guard against a grid or
/// a Saltelli design that would not fit in memory, with a clear error instead.
pub const MAX_POINTS: usize = 10_000_000;

/// The largest Saltelli base `N`: the Sobol' sampler (`sobol_burley`) indexes at most
/// 2^16 points of its sequence.
pub const MAX_SOBOL_BASE: usize = 1 << 16;

/// The most parameters a Saltelli design may have: it needs `2d` dimensions of the
/// Sobol' sequence and `sobol_burley` has [`sobol_burley::NUM_DIMENSIONS`] (256).
pub const MAX_SOBOL_PARAMS: usize = sobol_burley::NUM_DIMENSIONS as usize / 2;

/// Number of grid levels `p` of a Morris design made by [`build`] (`--design morris`).
/// Four levels is the usual choice (Saltelli et al. 2008, *Global Sensitivity
/// Analysis: The Primer*, §3.3) and SALib's default.
pub const DEFAULT_MORRIS_LEVELS: usize = 4;

/// ChaCha8 stream of Latin hypercube designs.
pub const LHS_STREAM: u64 = 1;
/// ChaCha8 stream of Morris designs.
pub const MORRIS_STREAM: u64 = 2;
/// ChaCha8 stream from which a Saltelli design draws its Sobol' scrambling seed.
pub const SOBOL_STREAM: u64 = 3;

/// One swept parameter: its name in the scenario and the interval it is swept over.
///
/// A linear range maps `u ∈ [0, 1]` to `lo + u (hi − lo)` (the scaling SALib applies,
/// `SALib.util.scale_samples`); a log range (`log = true`, needs `lo > 0`) maps it to
/// `exp(ln lo + u (ln hi − ln lo))`, i.e. uniform in `ln` space. `u = 0` and `u = 1`
/// map to `lo` and `hi` exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamRange {
    /// Name of the scenario parameter.
    pub name: String,
    /// Lower bound (finite, `< hi`; `> 0` for a log range).
    pub lo: f64,
    /// Upper bound (finite, `> lo`).
    pub hi: f64,
    /// Sample uniformly in `ln` space rather than linearly.
    pub log: bool,
}

impl ParamRange {
    /// A checked range: see [`ParamRange::validate`].
    pub fn new(name: impl Into<String>, lo: f64, hi: f64, log: bool) -> Result<ParamRange, String> {
        let range = ParamRange {
            name: name.into(),
            lo,
            hi,
            log,
        };
        range.validate()?;
        Ok(range)
    }

    /// Checks the range: a non-empty name without whitespace, `=` or `:`; finite
    /// bounds with `lo < hi`; `lo > 0` for a log range.
    pub fn validate(&self) -> Result<(), String> {
        let name = &self.name;
        if name.is_empty() {
            return Err("the parameter name is empty".into());
        }
        if name
            .chars()
            .any(|c| c.is_whitespace() || c == '=' || c == ':')
        {
            return Err(format!(
                "parameter name `{name}` contains whitespace, `=` or `:`"
            ));
        }
        if !self.lo.is_finite() || !self.hi.is_finite() {
            return Err(format!(
                "parameter `{name}`: bounds must be finite numbers, got {}..{}",
                self.lo, self.hi
            ));
        }
        if self.lo >= self.hi {
            return Err(format!(
                "parameter `{name}`: the lower bound {} must be below the upper bound {}",
                self.lo, self.hi
            ));
        }
        if self.log && self.lo <= 0.0 {
            return Err(format!(
                "parameter `{name}`: a log range needs a lower bound above 0, got {}",
                self.lo
            ));
        }
        Ok(())
    }

    /// Parses `NAME=LO..HI` or `NAME=LO..HI:log` (the `--param` syntax), e.g.
    /// `lambda=0.5..5:log` or `cost=-1..1`. Surrounding whitespace is ignored.
    ///
    /// Errors name the spec and what is wrong with it: a missing `=` or `..`, a bound
    /// that is not a number, `LO >= HI`, a log range with `LO <= 0`, an unknown suffix.
    pub fn parse(spec: &str) -> Result<ParamRange, String> {
        let bad = |why: String| format!("bad parameter range `{spec}`: {why}");
        let form = "expected NAME=LO..HI or NAME=LO..HI:log";
        let (name, rest) = spec
            .trim()
            .split_once('=')
            .ok_or_else(|| bad(form.into()))?;
        let name = name.trim();
        let (interval, log) = match rest.rsplit_once(':') {
            Some((interval, "log")) => (interval, true),
            Some((_, suffix)) => {
                return Err(bad(format!(
                    "unknown suffix `:{suffix}` (the only one is `:log`)"
                )));
            }
            None => (rest, false),
        };
        let (lo, hi) = interval
            .split_once("..")
            .ok_or_else(|| bad(format!("expected LO..HI after `{name}=`, got `{interval}`")))?;
        let number = |text: &str, which: &str| {
            let text = text.trim();
            text.parse::<f64>()
                .map_err(|_| bad(format!("the {which} bound `{text}` is not a number")))
        };
        let lo = number(lo, "lower")?;
        let hi = number(hi, "upper")?;
        ParamRange::new(name, lo, hi, log).map_err(bad)
    }

    /// The parameter value at `u ∈ [0, 1]`: `lo + u (hi − lo)`, or for a log range
    /// `exp(ln lo + u (ln hi − ln lo))`; exactly `lo` at 0 and `hi` at 1.
    pub fn from_unit(&self, u: f64) -> f64 {
        if u == 0.0 {
            self.lo
        } else if u == 1.0 {
            self.hi
        } else if self.log {
            let (a, b) = (libm::log(self.lo), libm::log(self.hi));
            libm::exp(a + u * (b - a))
        } else {
            self.lo + u * (self.hi - self.lo)
        }
    }

    /// The inverse of [`ParamRange::from_unit`] (up to rounding): where `x` lies in
    /// the range, as a fraction in `[0, 1]` for `x` inside it.
    pub fn to_unit(&self, x: f64) -> f64 {
        if self.log {
            let (a, b) = (libm::log(self.lo), libm::log(self.hi));
            (libm::log(x) - a) / (b - a)
        } else {
            (x - self.lo) / (self.hi - self.lo)
        }
    }
}

impl FromStr for ParamRange {
    type Err = String;

    /// Same as [`ParamRange::parse`].
    fn from_str(spec: &str) -> Result<Self, String> {
        ParamRange::parse(spec)
    }
}

impl fmt::Display for ParamRange {
    /// The `--param` spec, `NAME=LO..HI[:log]`, with bounds printed so that
    /// [`ParamRange::parse`] gives back the same `f64`s.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?}..{:?}{}",
            self.name,
            self.lo,
            self.hi,
            if self.log { ":log" } else { "" }
        )
    }
}

/// The kind of a design, as named on the command line (`--design grid|lhs|sobol|morris`)
/// and serialised in lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// Full factorial grid ([`grid`]).
    Grid,
    /// Latin hypercube ([`lhs`]).
    Lhs,
    /// Saltelli's design on a scrambled Sobol' sequence ([`sobol`]).
    Sobol,
    /// Morris trajectories ([`morris`]).
    Morris,
}

impl DesignKind {
    /// The lower-case name (`grid`, `lhs`, `sobol`, `morris`).
    pub fn as_str(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::Lhs => "lhs",
            DesignKind::Sobol => "sobol",
            DesignKind::Morris => "morris",
        }
    }
}

impl fmt::Display for DesignKind {
    /// The lower-case name, as [`DesignKind::as_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DesignKind {
    type Err = String;

    /// Parses `grid`, `lhs`, `sobol` or `morris`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "grid" => Ok(DesignKind::Grid),
            "lhs" => Ok(DesignKind::Lhs),
            "sobol" => Ok(DesignKind::Sobol),
            "morris" => Ok(DesignKind::Morris),
            _ => Err(format!(
                "unknown design `{s}` (expected grid, lhs, sobol or morris)"
            )),
        }
    }
}

/// How the points of a design are laid out, which the sensitivity analysis needs in
/// order to read the model outputs back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignStructure {
    /// No structure: the points are just a sample (grid, Latin hypercube).
    Plain,
    /// Saltelli's design with base sample size `base` (N): `N (d + 2)` points, in
    /// groups of `d + 2` consecutive points per base sample `i = 0..N`, in SALib's
    /// order (`SALib.sample.sobol.sample` with `calc_second_order=False`):
    ///
    /// ```text
    /// point i(d+2)          = A_i
    /// point i(d+2) + 1 + j  = AB_i^(j)   (A_i with coordinate j taken from B_i), j = 0..d
    /// point i(d+2) + d + 1  = B_i
    /// ```
    ///
    /// See [`saltelli_index`].
    Saltelli {
        /// Base sample size N (rows of the matrices A and B).
        base: usize,
    },
    /// Morris trajectories: `trajectories × (d + 1)` points, trajectory `t` being
    /// points `t(d+1) ..= t(d+1) + d`; consecutive points of a trajectory differ in one
    /// coordinate by `±Δ` (unit space), each coordinate moving once.
    Morris {
        /// Number of trajectories r.
        trajectories: usize,
        /// Number of grid levels p (even); the step is `Δ = p / (2(p − 1))`.
        levels: usize,
    },
}

/// A block of a Saltelli design: the base matrix `A`, the matrix `B`, or `AB^(j)`
/// (`A` with column `j` taken from `B`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaltelliBlock {
    /// Matrix A.
    A,
    /// Matrix AB^(j): A with column j from B.
    AB(usize),
    /// Matrix B.
    B,
}

/// Index, within a Saltelli design of `d` parameters, of row `sample` of `block`
/// (layout in [`DesignStructure::Saltelli`]).
pub fn saltelli_index(d: usize, sample: usize, block: SaltelliBlock) -> usize {
    let offset = match block {
        SaltelliBlock::A => 0,
        SaltelliBlock::AB(j) => {
            assert!(j < d, "AB block {j} of a design with {d} parameters");
            1 + j
        }
        SaltelliBlock::B => d + 1,
    };
    sample * (d + 2) + offset
}

/// The Morris step `Δ = p / (2(p − 1))` for `p` grid levels (Morris 1991; Saltelli et
/// al. 2008, §3.3), as SALib's `_compute_delta`.
pub fn morris_delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// A sampling design: parameter points to run, in order, and how they are laid out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// What kind of design this is.
    pub kind: DesignKind,
    /// The swept parameters; coordinate `j` of every point belongs to `ranges[j]`.
    pub ranges: Vec<ParamRange>,
    /// Parameter values, one `Vec` per point, in range order.
    pub points: Vec<Vec<f64>>,
    /// The same points in the unit cube `[0, 1]^d` (before [`ParamRange::from_unit`]).
    pub unit: Vec<Vec<f64>>,
    /// What the sensitivity analysis needs to read the points back.
    pub structure: DesignStructure,
}

impl Design {
    /// A design from points in the unit cube: maps them through the ranges and checks
    /// that their number fits `structure` (used for designs made elsewhere, e.g. by
    /// SALib in the cross-checks).
    pub fn from_unit(
        kind: DesignKind,
        ranges: &[ParamRange],
        unit: Vec<Vec<f64>>,
        structure: DesignStructure,
    ) -> Result<Design, String> {
        check_ranges(ranges)?;
        let points = unit
            .iter()
            .map(|u| u.iter().zip(ranges).map(|(&u, r)| r.from_unit(u)).collect())
            .collect();
        let design = Design {
            kind,
            ranges: ranges.to_vec(),
            points,
            unit,
            structure,
        };
        design.check()?;
        Ok(design)
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the design has no point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Number of parameters d.
    pub fn dim(&self) -> usize {
        self.ranges.len()
    }

    /// Checks the shapes: `points` and `unit` have the same number of points, each of
    /// `d` coordinates, unit coordinates lie in `[0, 1]`, and the number of points is
    /// what `structure` says (`N(d+2)` for Saltelli, `r(d+1)` for Morris).
    pub fn check(&self) -> Result<(), String> {
        let d = self.dim();
        if self.points.len() != self.unit.len() {
            return Err(format!(
                "design has {} points but {} unit points",
                self.points.len(),
                self.unit.len()
            ));
        }
        for (k, (p, u)) in self.points.iter().zip(&self.unit).enumerate() {
            if p.len() != d || u.len() != d {
                return Err(format!(
                    "point {k} has {} coordinates, expected {d}",
                    p.len().max(u.len())
                ));
            }
            if u.iter().any(|u| !(0.0..=1.0).contains(u)) {
                return Err(format!("unit point {k} lies outside [0, 1]^{d}: {u:?}"));
            }
        }
        let expected = match self.structure {
            DesignStructure::Plain => return Ok(()),
            DesignStructure::Saltelli { base } => base.checked_mul(d + 2),
            DesignStructure::Morris { trajectories, .. } => trajectories.checked_mul(d + 1),
        };
        if expected != Some(self.points.len()) {
            return Err(format!(
                "a {:?} design of {d} parameters cannot have {} points",
                self.structure,
                self.points.len()
            ));
        }
        Ok(())
    }
}

/// Checks a list of ranges: at least one, each valid, names distinct.
fn check_ranges(ranges: &[ParamRange]) -> Result<(), String> {
    if ranges.is_empty() {
        return Err("a design needs at least one parameter range".into());
    }
    let mut names = BTreeSet::new();
    for r in ranges {
        r.validate()?;
        if !names.insert(r.name.as_str()) {
            return Err(format!("parameter `{}` is swept twice", r.name));
        }
    }
    Ok(())
}

fn check_total(total: Option<usize>, what: &str) -> Result<usize, String> {
    match total {
        Some(n) if n <= MAX_POINTS => Ok(n),
        Some(n) => Err(format!(
            "{what} would have {n} points, more than the limit of {MAX_POINTS}"
        )),
        None => Err(format!("{what} would have more than {MAX_POINTS} points")),
    }
}

fn finish(
    kind: DesignKind,
    ranges: &[ParamRange],
    unit: Vec<Vec<f64>>,
    structure: DesignStructure,
) -> Design {
    let points = unit
        .iter()
        .map(|u| u.iter().zip(ranges).map(|(&u, r)| r.from_unit(u)).collect())
        .collect();
    Design {
        kind,
        ranges: ranges.to_vec(),
        points,
        unit,
        structure,
    }
}

/// A uniform draw in `[0, 1)`: the top 53 bits of one 64-bit output, times 2^-53.
pub fn uniform01(rng: &mut impl Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (`n ≥ 1`) by rejection: 64-bit outputs at or above the
/// largest multiple of `n` that fits are redrawn, so there is no modulo bias.
pub fn below(rng: &mut impl Rng, n: usize) -> usize {
    assert!(n > 0, "below(0)");
    let n = n as u64;
    let zone = (u64::MAX / n) * n;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return (x % n) as usize;
        }
    }
}

/// Fisher–Yates shuffle (Knuth, TAOCP vol. 2, Algorithm 3.4.2P) with [`below`].
fn shuffle<T>(items: &mut [T], rng: &mut impl Rng) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

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
    ) -> Result<DesignSpec, String> {
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
    ) -> Result<DesignSpec, String> {
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
    pub fn num_points(&self) -> Result<usize, String> {
        let ranges = &self.ranges;
        check_ranges(ranges)?;
        let d = ranges.len();
        match (self.kind, self.levels) {
            (DesignKind::Morris, None) => {
                return Err("a Morris design needs its number of levels".into());
            }
            (DesignKind::Morris, Some(_)) => {}
            (kind, Some(_)) => {
                return Err(format!(
                    "only a Morris design has levels, not a {kind} design"
                ));
            }
            (_, None) => {}
        }
        let n = self.size;
        match self.kind {
            DesignKind::Grid => {
                if n == 0 {
                    return Err("a grid needs at least one point per axis".into());
                }
                check_total(
                    u32::try_from(d).ok().and_then(|d| n.checked_pow(d)),
                    "the grid",
                )
            }
            DesignKind::Lhs => {
                if n == 0 {
                    return Err("a Latin hypercube needs at least one point".into());
                }
                check_total(Some(n), "the Latin hypercube")
            }
            DesignKind::Sobol => {
                if n == 0 {
                    return Err(
                        "a Sobol' (Saltelli) design needs a base sample of at least one point"
                            .into(),
                    );
                }
                if n > MAX_SOBOL_BASE {
                    return Err(format!(
                        "a Sobol' (Saltelli) design takes a base sample of at most {MAX_SOBOL_BASE} points, got {n}"
                    ));
                }
                if d > MAX_SOBOL_PARAMS {
                    return Err(format!(
                        "a Sobol' (Saltelli) design takes at most {MAX_SOBOL_PARAMS} parameters, got {d}"
                    ));
                }
                check_total(n.checked_mul(d + 2), "the Sobol' (Saltelli) design")
            }
            DesignKind::Morris => {
                let levels = self.levels.unwrap_or(0);
                if n == 0 {
                    return Err("a Morris design needs at least one trajectory".into());
                }
                if levels < 2 || !levels.is_multiple_of(2) {
                    return Err(format!(
                        "a Morris design needs an even number of levels, at least 2, got {levels}"
                    ));
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
    pub fn sampler(&self) -> Result<Sampler, String> {
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
    pub fn design(&self) -> Result<Design, String> {
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

enum State {
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
struct LhsState {
    n: usize,
    /// `strata[j * n + i]` = `π_j(i)`.
    strata: Vec<u32>,
    /// Per parameter: the generator's word position of the first offset, and a
    /// generator positioned at the offset of point `next`.
    columns: Vec<LhsColumn>,
}

struct LhsColumn {
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
struct MorrisState {
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
fn morris_trajectory(rng: &mut ChaCha8Rng, d: usize, levels: usize, rows: &mut [f64]) {
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

/// Full factorial grid: `points_per_axis` evenly spaced values per parameter, from
/// `lo` to `hi` inclusive (in `ln` space for a log range), all `points_per_axis^d`
/// combinations, the first range varying slowest (point `k` has coordinate `j` at
/// level `(k / m^(d−1−j)) mod m`). With one point per axis every parameter sits at
/// the middle of its range (`u = 0.5`). Structure [`DesignStructure::Plain`].
pub fn grid(ranges: &[ParamRange], points_per_axis: usize) -> Result<Design, String> {
    DesignSpec::new(DesignKind::Grid, ranges, points_per_axis, 0)?.design()
}

/// Latin hypercube of `n` points (McKay, Beckman & Conover 1979, *Technometrics*
/// 21(2):239–245): each parameter's unit interval is cut into `n` equal strata and
/// every stratum holds exactly one point, at a uniform position inside it.
///
/// Coordinate `j` of point `i` is `(π_j(i) + U_ij) / n` with `π_j` a uniform random
/// permutation of `0..n` and `U_ij` uniform in `[0, 1)`. Draws (ChaCha8, stream
/// [`LHS_STREAM`]): for each parameter in order, the permutation (Fisher–Yates), then
/// the `n` offsets. Deterministic from `seed`. Structure [`DesignStructure::Plain`].
pub fn lhs(ranges: &[ParamRange], n: usize, seed: u64) -> Result<Design, String> {
    DesignSpec::new(DesignKind::Lhs, ranges, n, seed)?.design()
}

/// The `sobol_burley` seed (its Owen scrambling and index shuffle) that a Saltelli
/// design with design seed `seed` uses: the first 32-bit output of ChaCha8 stream
/// [`SOBOL_STREAM`] under `seed`.
pub fn sobol_seed(seed: u64) -> u32 {
    rng_for(seed, SOBOL_STREAM).next_u32()
}

/// Point `index`, dimension `dimension` of the Owen-scrambled, index-shuffled Sobol'
/// sequence of `sobol_burley` (Burley 2020, "Practical Hash-based Owen Scrambling",
/// *JCGT* 9(4); Joe & Kuo 2008 direction numbers) under `seed`, as a 32-bit integer.
///
/// This is `sobol_burley::sample` step by step (same shuffle, same scramble), except
/// that it keeps all 32 scrambled bits instead of rounding to an `f32` (23 bits); the
/// tests check that the top 23 bits agree with `sobol_burley::sample`.
fn sobol_u32(index: u32, dimension: u32, seed: u32) -> u32 {
    use sobol_burley::parts::{hash, owen_scramble_rev, sobol_rev};
    let shuffled_rev_index = owen_scramble_rev(index.reverse_bits(), hash(seed ^ 0x79c6_8e4a));
    let sobol = sobol_rev(shuffled_rev_index, dimension);
    let scramble = {
        let seed = seed.wrapping_mul(0x9c8f_2d3b);
        let ds = dimension >> 2;
        ds ^ seed ^ [0x912f_69ba, 0x174f_18ab, 0x691e_72ca, 0xb40c_c1b8][dimension as usize & 0b11]
    };
    owen_scramble_rev(sobol, hash(scramble)).reverse_bits()
}

/// Saltelli's design for first-order and total Sobol' indices (Saltelli 2002,
/// *Comput. Phys. Commun.* 145:280–297; Saltelli et al. 2010, *CPC* 181:259–270) on a
/// scrambled Sobol' sequence: `base (d + 2)` points.
///
/// Base sample `i` takes point `i` of a `2d`-dimensional Sobol' sequence: its first
/// `d` coordinates are row `i` of matrix A, the last `d` row `i` of matrix B. The
/// points come in SALib's order (`SALib.sample.sobol.sample(..., calc_second_order=
/// False)`), `d + 2` consecutive points per base sample: `A_i, AB_i^(1), …,
/// AB_i^(d), B_i`, where `AB^(j)` is A with column `j` taken from B (see
/// [`DesignStructure::Saltelli`], [`saltelli_index`]).
///
/// The sequence is `sobol_burley`'s Owen-scrambled Sobol' sequence (Burley 2020),
/// seeded with [`sobol_seed`]`(seed)`, at 32-bit resolution; unit coordinates are the
/// centres `(n + ½) / 2^32` of the 32-bit cells, so they never touch 0 or 1. SALib
/// scrambles differently (scipy's LMS + digital shift), so the points differ from
/// SALib's but have the same structure and the same properties. `base` should be a
/// power of two (then each of A's and B's columns hits every one of `base` equal
/// strata exactly once); at most [`MAX_SOBOL_BASE`]; at most [`MAX_SOBOL_PARAMS`]
/// parameters.
pub fn sobol(ranges: &[ParamRange], base: usize, seed: u64) -> Result<Design, String> {
    DesignSpec::new(DesignKind::Sobol, ranges, base, seed)?.design()
}

/// Morris's one-at-a-time design (Morris 1991, *Technometrics* 33(2):161–174):
/// `trajectories` random trajectories of `d + 1` points on the grid of `levels`
/// levels `{0, 1/(p−1), …, 1}` of the unit cube, `r (d + 1)` points in all.
///
/// A trajectory starts from a base point `x*` whose coordinates are uniform on the
/// lower `p/2` levels, draws a direction `±1` per parameter and a random order of the
/// parameters; it starts at `x*` (or `x* + Δ` where the direction is `−1`) and then
/// moves one parameter at a time, in that order, by `±Δ` with `Δ = p / (2(p − 1))`
/// (Morris's `B*` matrix, as `SALib.sample.morris.sample` without trajectory
/// optimisation). `levels` must be even (so every point stays on the grid) and at
/// least 2. Draws (ChaCha8, stream [`MORRIS_STREAM`]), per trajectory: the `d` base
/// levels, the `d` directions, the order (Fisher–Yates). Deterministic from `seed`.
pub fn morris(
    ranges: &[ParamRange],
    trajectories: usize,
    levels: usize,
    seed: u64,
) -> Result<Design, String> {
    DesignSpec::morris(ranges, trajectories, levels, seed)?.design()
}

/// The design `--design KIND --points N` asks for: `grid`: `N` points per axis
/// (`N^d` points); `lhs`: `N` points; `sobol`: base sample `N` (`N(d+2)` points);
/// `morris`: `N` trajectories on [`DEFAULT_MORRIS_LEVELS`] levels (`N(d+1)` points).
pub fn build(
    kind: DesignKind,
    ranges: &[ParamRange],
    points: usize,
    seed: u64,
) -> Result<Design, String> {
    DesignSpec::new(kind, ranges, points, seed)?.design()
}

#[cfg(test)]
mod tests {
    //! The on-demand [`Sampler`] against the designs drawn whole, as they were drawn
    //! before sweeps stopped materialising them: same bits, in any access order.
    use super::*;

    fn ranges(d: usize) -> Vec<ParamRange> {
        (0..d)
            .map(|j| ParamRange::new(format!("p{j}"), 0.5, 4.0 + j as f64, j % 2 == 1).unwrap())
            .collect()
    }

    /// The Latin hypercube drawn whole: for each parameter the permutation, then the
    /// offsets (the pre-`Sampler` code).
    fn lhs_whole(d: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = rng_for(seed, LHS_STREAM);
        let mut unit = vec![vec![0.0; d]; n];
        let mut perm: Vec<usize> = Vec::with_capacity(n);
        for j in 0..d {
            perm.clear();
            perm.extend(0..n);
            shuffle(&mut perm, &mut rng);
            for (point, &stratum) in unit.iter_mut().zip(&perm) {
                let mut u = (stratum as f64 + uniform01(&mut rng)) / n as f64;
                if (u * n as f64).floor() as usize != stratum {
                    u = (stratum as f64 + 0.5) / n as f64;
                }
                point[j] = u;
            }
        }
        unit
    }

    /// Morris trajectories drawn whole (the pre-`Sampler` code).
    fn morris_whole(d: usize, r: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
        let half = levels / 2;
        let top = (levels - 1) as f64;
        let mut rng = rng_for(seed, MORRIS_STREAM);
        let mut unit = Vec::new();
        let mut order: Vec<usize> = Vec::with_capacity(d);
        for _ in 0..r {
            let base: Vec<usize> = (0..d).map(|_| below(&mut rng, half)).collect();
            let up: Vec<bool> = (0..d).map(|_| rng.next_u64() >> 63 == 1).collect();
            order.clear();
            order.extend(0..d);
            shuffle(&mut order, &mut rng);
            let mut level: Vec<usize> = (0..d)
                .map(|j| if up[j] { base[j] } else { base[j] + half })
                .collect();
            let to_unit = |l: &[usize]| l.iter().map(|&k| k as f64 / top).collect::<Vec<_>>();
            unit.push(to_unit(&level));
            for &j in &order {
                level[j] = if up[j] {
                    level[j] + half
                } else {
                    level[j] - half
                };
                unit.push(to_unit(&level));
            }
        }
        unit
    }

    /// Saltelli's design drawn whole (the pre-`Sampler` code).
    fn sobol_whole(d: usize, base: usize, seed: u64) -> Vec<Vec<f64>> {
        let scramble = sobol_seed(seed);
        let to_unit = |n: u32| (n as f64 + 0.5) / 4_294_967_296.0;
        let mut unit = Vec::new();
        for i in 0..base as u32 {
            let a: Vec<f64> = (0..d)
                .map(|j| to_unit(sobol_u32(i, j as u32, scramble)))
                .collect();
            let b: Vec<f64> = (0..d)
                .map(|j| to_unit(sobol_u32(i, (d + j) as u32, scramble)))
                .collect();
            unit.push(a.clone());
            for j in 0..d {
                let mut ab = a.clone();
                ab[j] = b[j];
                unit.push(ab);
            }
            unit.push(b);
        }
        unit
    }

    /// Point by point in increasing order, then backwards, then strided: the sampler
    /// gives `want` bit for bit, and `design()` too.
    fn check(spec: &DesignSpec, want: &[Vec<f64>]) {
        let mut s = spec.sampler().unwrap();
        assert_eq!(s.len(), want.len());
        let d = spec.dim();
        let mut u = vec![0.0; d];
        let orders: [Vec<usize>; 3] = [
            (0..want.len()).collect(),
            (0..want.len()).rev().collect(),
            (0..want.len())
                .step_by(7)
                .chain((3..want.len()).step_by(5))
                .collect(),
        ];
        for order in orders {
            for p in order {
                s.unit_point(p, &mut u);
                assert_eq!(u, want[p], "{:?} point {p}", spec.kind);
                let values = s.values(p);
                let mapped: Vec<f64> = want[p]
                    .iter()
                    .zip(&spec.ranges)
                    .map(|(&u, r)| r.from_unit(u))
                    .collect();
                assert_eq!(values, mapped);
            }
        }
        let design = spec.design().unwrap();
        assert_eq!(design.unit, want);
        assert_eq!(design.structure, spec.structure());
        design.check().unwrap();
    }

    #[test]
    fn lhs_sampler_equals_the_whole_draw() {
        for (d, n, seed) in [
            (1, 1, 0),
            (1, 2, 5),
            (3, 7, 1),
            (2, 129, 9),
            (3, 1000, 2021),
        ] {
            let spec = DesignSpec::new(DesignKind::Lhs, &ranges(d), n, seed).unwrap();
            check(&spec, &lhs_whole(d, n, seed));
        }
    }

    #[test]
    fn morris_sampler_equals_the_whole_draw() {
        for (d, r, levels, seed) in [(1, 1, 2, 0), (2, 5, 4, 3), (4, 40, 6, 2021)] {
            let spec = DesignSpec::morris(&ranges(d), r, levels, seed).unwrap();
            check(&spec, &morris_whole(d, r, levels, seed));
        }
    }

    #[test]
    fn sobol_sampler_equals_the_whole_draw() {
        for (d, base, seed) in [(1, 1, 0), (2, 16, 7), (5, 64, 2021)] {
            let spec = DesignSpec::new(DesignKind::Sobol, &ranges(d), base, seed).unwrap();
            check(&spec, &sobol_whole(d, base, seed));
        }
    }

    #[test]
    fn grid_sampler_is_the_full_factorial() {
        let spec = DesignSpec::new(DesignKind::Grid, &ranges(3), 4, 0).unwrap();
        let mut want = Vec::new();
        for a in 0..4 {
            for b in 0..4 {
                for c in 0..4 {
                    want.push(vec![a as f64 / 3.0, b as f64 / 3.0, c as f64 / 3.0]);
                }
            }
        }
        check(&spec, &want);
        let one = DesignSpec::new(DesignKind::Grid, &ranges(2), 1, 0).unwrap();
        check(&one, &[vec![0.5, 0.5]]);
    }

    #[test]
    fn specs_are_checked_and_round_trip_through_json() {
        let spec = DesignSpec::new(DesignKind::Morris, &ranges(2), 3, 1).unwrap();
        assert_eq!(spec.levels, Some(DEFAULT_MORRIS_LEVELS));
        assert_eq!(spec.num_points(), Ok(9));
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<DesignSpec>(&json).unwrap(), spec);
        let lhs = DesignSpec::new(DesignKind::Lhs, &ranges(2), 3, 1).unwrap();
        assert!(!serde_json::to_string(&lhs).unwrap().contains("levels"));
        let mut bad = lhs.clone();
        bad.levels = Some(4);
        assert!(bad.sampler().is_err());
        let mut bad = spec.clone();
        bad.levels = None;
        assert!(bad.num_points().unwrap_err().contains("levels"));
        assert!(
            DesignSpec::new(DesignKind::Lhs, &ranges(1), MAX_POINTS + 1, 0)
                .unwrap_err()
                .contains("more than the limit")
        );
    }
}
