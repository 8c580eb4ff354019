//! The designs drawn whole: [`grid`], [`lhs`], [`sobol`], [`morris`] and [`build`].

use super::*;

/// Full factorial grid: `points_per_axis` evenly spaced values per parameter, from
/// `lo` to `hi` inclusive (in `ln` space for a log range), all `points_per_axis^d`
/// combinations, the first range varying slowest (point `k` has coordinate `j` at
/// level `(k / m^(d−1−j)) mod m`). With one point per axis every parameter sits at
/// the middle of its range (`u = 0.5`). Structure [`DesignStructure::Plain`].
pub fn grid(ranges: &[ParamRange], points_per_axis: usize) -> Result<Design, DesignError> {
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
pub fn lhs(ranges: &[ParamRange], n: usize, seed: u64) -> Result<Design, DesignError> {
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
pub(super) fn sobol_u32(index: u32, dimension: u32, seed: u32) -> u32 {
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
pub fn sobol(ranges: &[ParamRange], base: usize, seed: u64) -> Result<Design, DesignError> {
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
) -> Result<Design, DesignError> {
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
) -> Result<Design, DesignError> {
    DesignSpec::new(kind, ranges, points, seed)?.design()
}
