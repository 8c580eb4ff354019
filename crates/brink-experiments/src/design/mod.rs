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

mod build;
mod sampler;

/// Why a range, a design or its size was refused; the message says which and how.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DesignError(pub String);

pub use build::*;
pub use sampler::*;

/// The largest number of points a design may have (10^7): a guard against a grid or
/// a Saltelli design that would not fit in memory, with a clear error instead.
pub const MAX_POINTS: usize = 10_000_000;

/// The largest Saltelli base `N`: the Sobol' sampler (`sobol_burley`) indexes at most
/// 2^16 points of its sequence.
pub const MAX_SOBOL_BASE: usize = 1 << 16;

/// The most parameters a Saltelli design may have: it needs `2d` dimensions of the
/// Sobol' sequence and `sobol_burley` has [`sobol_burley::NUM_DIMENSIONS`] (256).
pub const MAX_SOBOL_PARAMS: usize = sobol_burley::NUM_DIMENSIONS as usize / 2;

/// Number of grid levels `p` of a Morris design made by [`build`] (a Morris design).
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
    pub fn new(
        name: impl Into<String>,
        lo: f64,
        hi: f64,
        log: bool,
    ) -> Result<ParamRange, DesignError> {
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
    pub fn validate(&self) -> Result<(), DesignError> {
        let name = &self.name;
        if name.is_empty() {
            return Err(DesignError("the parameter name is empty".into()));
        }
        if name
            .chars()
            .any(|c| c.is_whitespace() || c == '=' || c == ':')
        {
            return Err(DesignError(format!(
                "parameter name `{name}` contains whitespace, `=` or `:`"
            )));
        }
        if !self.lo.is_finite() || !self.hi.is_finite() {
            return Err(DesignError(format!(
                "parameter `{name}`: bounds must be finite numbers, got {}..{}",
                self.lo, self.hi
            )));
        }
        if self.lo >= self.hi {
            return Err(DesignError(format!(
                "parameter `{name}`: the lower bound {} must be below the upper bound {}",
                self.lo, self.hi
            )));
        }
        if self.log && self.lo <= 0.0 {
            return Err(DesignError(format!(
                "parameter `{name}`: a log range needs a lower bound above 0, got {}",
                self.lo
            )));
        }
        Ok(())
    }

    /// Parses `NAME=LO..HI` or `NAME=LO..HI:log` (the `--param` syntax), e.g.
    /// `lambda=0.5..5:log` or `cost=-1..1`. Surrounding whitespace is ignored.
    ///
    /// Errors name the spec and what is wrong with it: a missing `=` or `..`, a bound
    /// that is not a number, `LO >= HI`, a log range with `LO <= 0`, an unknown suffix.
    pub fn parse(spec: &str) -> Result<ParamRange, DesignError> {
        let bad = |why: String| DesignError(format!("bad parameter range `{spec}`: {why}"));
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
        ParamRange::new(name, lo, hi, log).map_err(|e| bad(e.0))
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
    type Err = DesignError;

    /// Same as [`ParamRange::parse`].
    fn from_str(spec: &str) -> Result<Self, DesignError> {
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
    type Err = DesignError;

    /// Parses `grid`, `lhs`, `sobol` or `morris`.
    fn from_str(s: &str) -> Result<Self, DesignError> {
        match s {
            "grid" => Ok(DesignKind::Grid),
            "lhs" => Ok(DesignKind::Lhs),
            "sobol" => Ok(DesignKind::Sobol),
            "morris" => Ok(DesignKind::Morris),
            _ => Err(DesignError(format!(
                "unknown design `{s}` (expected grid, lhs, sobol or morris)"
            ))),
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
    ) -> Result<Design, DesignError> {
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
    pub fn check(&self) -> Result<(), DesignError> {
        let d = self.dim();
        if self.points.len() != self.unit.len() {
            return Err(DesignError(format!(
                "design has {} points but {} unit points",
                self.points.len(),
                self.unit.len()
            )));
        }
        for (k, (p, u)) in self.points.iter().zip(&self.unit).enumerate() {
            if p.len() != d || u.len() != d {
                return Err(DesignError(format!(
                    "point {k} has {} coordinates, expected {d}",
                    p.len().max(u.len())
                )));
            }
            if u.iter().any(|u| !(0.0..=1.0).contains(u)) {
                return Err(DesignError(format!(
                    "unit point {k} lies outside [0, 1]^{d}: {u:?}"
                )));
            }
        }
        let expected = match self.structure {
            DesignStructure::Plain => return Ok(()),
            DesignStructure::Saltelli { base } => base.checked_mul(d + 2),
            DesignStructure::Morris { trajectories, .. } => trajectories.checked_mul(d + 1),
        };
        if expected != Some(self.points.len()) {
            return Err(DesignError(format!(
                "a {:?} design of {d} parameters cannot have {} points",
                self.structure,
                self.points.len()
            )));
        }
        Ok(())
    }
}

/// Checks a list of ranges: at least one, each valid, names distinct.
pub(super) fn check_ranges(ranges: &[ParamRange]) -> Result<(), DesignError> {
    if ranges.is_empty() {
        return Err(DesignError(
            "a design needs at least one parameter range".into(),
        ));
    }
    let mut names = BTreeSet::new();
    for r in ranges {
        r.validate()?;
        if !names.insert(r.name.as_str()) {
            return Err(DesignError(format!(
                "parameter `{}` is swept twice",
                r.name
            )));
        }
    }
    Ok(())
}

pub(super) fn check_total(total: Option<usize>, what: &str) -> Result<usize, DesignError> {
    match total {
        Some(n) if n <= MAX_POINTS => Ok(n),
        Some(n) => Err(DesignError(format!(
            "{what} would have {n} points, more than the limit of {MAX_POINTS}"
        ))),
        None => Err(DesignError(format!(
            "{what} would have more than {MAX_POINTS} points"
        ))),
    }
}

pub(super) fn finish(
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
pub(super) fn shuffle<T>(items: &mut [T], rng: &mut impl Rng) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}

pub(super) fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
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
        assert!(bad.num_points().unwrap_err().0.contains("levels"));
        assert!(
            DesignSpec::new(DesignKind::Lhs, &ranges(1), MAX_POINTS + 1, 0)
                .unwrap_err()
                .0
                .contains("more than the limit")
        );
    }
}
