//! Streaming aggregation of run results: fixed-size state whatever the number of runs.
//!
//! Every type here merges with another of its kind. The runner merges per-chunk
//! aggregates in chunk order (never in thread-completion order), so floating-point
//! sums are bit-identical on any number of threads.

use std::collections::BTreeMap;

use brink_core::{EquilibriumClass, RunResult};

use crate::analysis::AnalysisAggregate;
use serde::{Deserialize, Serialize};

/// Count, mean, variance (Welford / Chan et al. pairwise update), minimum and maximum
/// of a stream of numbers, in constant space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values seen.
    pub n: u64,
    /// Running mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
    /// Smallest value seen (+inf when empty; JSON writes it as null).
    #[serde(deserialize_with = "null_is_infinity")]
    pub min: f64,
    /// Largest value seen (-inf when empty; JSON writes it as null).
    #[serde(deserialize_with = "null_is_minus_infinity")]
    pub max: f64,
}

/// Reads a number, or null (how JSON writes +inf, the minimum of nothing) as +inf.
fn null_is_infinity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
}

/// Reads a number, or null (how JSON writes -inf, the maximum of nothing) as -inf.
fn null_is_minus_infinity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NEG_INFINITY))
}

impl Default for Moments {
    fn default() -> Self {
        Self {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Merges another stream's moments into this one (Chan, Golub & LeVeque 1979).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let (na, nb, nf) = (self.n as f64, other.n as f64, n as f64);
        self.mean += delta * nb / nf;
        self.m2 += other.m2 + delta * delta * na * nb / nf;
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Sample variance (n − 1 in the denominator); 0 with fewer than two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }

    /// Sample standard deviation.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }
}

/// A fixed-bin histogram over a known range `[lo, hi]`, used for approximate quantiles
/// of bounded variables. Values outside the range are counted in the end bins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Lower end of the range.
    pub lo: f64,
    /// Upper end of the range.
    pub hi: f64,
    /// Counts per bin, equal widths.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// Number of bins used for state variables.
    pub const BINS: usize = 200;

    /// An empty histogram over `[lo, hi]` with `bins` bins. `lo < hi` and both finite.
    pub fn new(lo: f64, hi: f64, bins: usize) -> Self {
        Self {
            lo,
            hi,
            counts: vec![0; bins.max(1)],
        }
    }

    /// Counts one value (NaN is not counted).
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let bins = self.counts.len();
        let t = (x - self.lo) / (self.hi - self.lo) * bins as f64;
        let i = if t <= 0.0 {
            0
        } else {
            (t as usize).min(bins - 1)
        };
        self.counts[i] += 1;
    }

    /// Adds another histogram over the same range and bins.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Approximate `q`-quantile (linear interpolation inside the bin); None if empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total: u64 = self.counts.iter().sum();
        if total == 0 {
            return None;
        }
        let target = q.clamp(0.0, 1.0) * total as f64;
        let width = (self.hi - self.lo) / self.counts.len() as f64;
        let mut seen = 0.0;
        for (i, &c) in self.counts.iter().enumerate() {
            let next = seen + c as f64;
            if c > 0 && next >= target {
                let frac = ((target - seen) / c as f64).clamp(0.0, 1.0);
                return Some(self.lo + (i as f64 + frac) * width);
            }
            seen = next;
        }
        Some(self.hi)
    }
}

/// Statistics of one world-state variable at the end of the runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableStats {
    /// Mean, standard deviation, extremes.
    pub moments: Moments,
    /// Histogram for quantiles, when the variable has declared bounds.
    pub histogram: Option<Histogram>,
}

impl VariableStats {
    /// Empty statistics; `bounds` gives the histogram range if the variable is bounded.
    pub fn new(bounds: Option<(f64, f64)>) -> Self {
        Self {
            moments: Moments::default(),
            histogram: bounds
                .filter(|(lo, hi)| lo.is_finite() && hi.is_finite() && lo < hi)
                .map(|(lo, hi)| Histogram::new(lo, hi, Histogram::BINS)),
        }
    }

    fn push(&mut self, x: f64) {
        self.moments.push(x);
        if let Some(h) = &mut self.histogram {
            h.push(x);
        }
    }

    fn merge(&mut self, other: &VariableStats) {
        self.moments.merge(&other.moments);
        if let (Some(a), Some(b)) = (&mut self.histogram, &other.histogram) {
            a.merge(b);
        }
    }
}

/// Everything a batch of runs is summarised by. Its size depends on the scenario
/// (outcomes, agents, state variables, distinct equilibrium classes seen — at most the
/// number of stage-game profiles plus one), never on the number of runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchAggregate {
    /// Runs recorded.
    pub runs: u64,
    /// Runs per outcome, in scenario outcome order.
    pub outcome_counts: Vec<u64>,
    /// Runs per equilibrium class (serialised as a list of `[class, count]` pairs,
    /// since JSON keys must be strings).
    #[serde(with = "class_counts")]
    pub equilibrium_counts: BTreeMap<EquilibriumClass, u64>,
    /// Number of rounds played.
    pub rounds: Moments,
    /// Final world state, per variable in scenario order.
    pub final_state: Vec<VariableStats>,
    /// Accumulated payoff, per agent in scenario order.
    pub payoffs: Vec<Moments>,
    /// Regret, concept classes crossed with outcomes, deliberate counts.
    #[serde(default)]
    pub analysis: AnalysisAggregate,
    /// The scenario's ε tolerance (`[equilibrium] epsilon`).
    #[serde(default)]
    pub epsilon: f64,
}

impl BatchAggregate {
    /// An empty aggregate for a scenario with `outcomes` outcomes, `agents` agents and
    /// state variables with the given optional bounds.
    pub fn new(outcomes: usize, agents: usize, state_bounds: &[Option<(f64, f64)>]) -> Self {
        Self {
            runs: 0,
            outcome_counts: vec![0; outcomes],
            equilibrium_counts: BTreeMap::new(),
            rounds: Moments::default(),
            final_state: state_bounds
                .iter()
                .map(|b| VariableStats::new(*b))
                .collect(),
            payoffs: vec![Moments::default(); agents],
            analysis: AnalysisAggregate::new(outcomes, agents),
            epsilon: 0.0,
        }
    }

    /// Records one run.
    pub fn record(&mut self, run: &RunResult) {
        self.runs += 1;
        self.outcome_counts[run.outcome] += 1;
        *self.equilibrium_counts.entry(run.equilibrium).or_insert(0) += 1;
        self.rounds.push(f64::from(run.rounds));
        for (stats, &x) in self.final_state.iter_mut().zip(&run.final_state) {
            stats.push(x);
        }
        for (m, &x) in self.payoffs.iter_mut().zip(&run.payoffs) {
            m.push(x);
        }
        self.analysis.record(run, self.epsilon);
    }

    /// Merges another aggregate of the same scenario into this one. The result depends
    /// on the order of merges only in the last bits of floating-point moments; callers
    /// that need bit-identical output merge in a fixed order.
    pub fn merge(&mut self, other: &BatchAggregate) {
        self.runs += other.runs;
        for (a, b) in self.outcome_counts.iter_mut().zip(&other.outcome_counts) {
            *a += b;
        }
        for (class, n) in &other.equilibrium_counts {
            *self.equilibrium_counts.entry(*class).or_insert(0) += n;
        }
        self.rounds.merge(&other.rounds);
        for (a, b) in self.final_state.iter_mut().zip(&other.final_state) {
            a.merge(b);
        }
        for (a, b) in self.payoffs.iter_mut().zip(&other.payoffs) {
            a.merge(b);
        }
        self.analysis.merge(&other.analysis);
    }
}

/// Serde for the class → count map as an ordered list of pairs.
mod class_counts {
    use std::collections::BTreeMap;

    use brink_core::EquilibriumClass;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        m: &BTreeMap<EquilibriumClass, u64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        m.iter().collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<EquilibriumClass, u64>, D::Error> {
        Ok(Vec::<(EquilibriumClass, u64)>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_two_pass_formulas() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut m = Moments::default();
        xs.iter().for_each(|&x| m.push(x));
        assert_eq!(m.n, 8);
        assert!((m.mean - 5.0).abs() < 1e-15);
        // Sum of squared deviations is 32, so the sample variance is 32/7.
        assert!((m.variance() - 32.0 / 7.0).abs() < 1e-12);
        assert_eq!((m.min, m.max), (2.0, 9.0));
    }

    #[test]
    fn merged_moments_equal_sequential_moments() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 0.25 - 3.0)
            .collect();
        let mut all = Moments::default();
        xs.iter().for_each(|&x| all.push(x));
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[..313].iter().for_each(|&x| a.push(x));
        xs[313..].iter().for_each(|&x| b.push(x));
        a.merge(&b);
        assert_eq!(a.n, all.n);
        assert!((a.mean - all.mean).abs() < 1e-12);
        assert!((a.variance() - all.variance()).abs() < 1e-9);
        assert_eq!((a.min, a.max), (all.min, all.max));
    }

    #[test]
    fn aggregates_round_trip_through_json_exactly() {
        let mut agg = BatchAggregate::new(2, 1, &[Some((0.0, 1.0)), None]);
        for i in 0..10u32 {
            agg.record(&RunResult {
                outcome: (i % 2) as usize,
                equilibrium: match i % 3 {
                    0 => EquilibriumClass::PureNash {
                        profile: u64::from(i),
                    },
                    1 => EquilibriumClass::MixedNash {
                        supports: [3, u64::from(i)],
                    },
                    _ => EquilibriumClass::NotAnEquilibrium,
                },
                rounds: i,
                final_state: vec![f64::from(i) / 7.0, 0.1 * f64::from(i)],
                payoffs: vec![f64::from(i).sqrt()],
                play: Vec::new(),
                ..RunResult::default()
            });
        }
        let json = serde_json::to_string(&agg).unwrap();
        let back: BatchAggregate = serde_json::from_str(&json).unwrap();
        assert_eq!(back, agg);
    }

    #[test]
    fn histogram_quantiles_of_uniform_grid() {
        let mut h = Histogram::new(0.0, 1.0, 100);
        for i in 0..10_000 {
            h.push((i as f64 + 0.5) / 10_000.0);
        }
        for q in [0.05, 0.5, 0.95] {
            assert!((h.quantile(q).unwrap() - q).abs() < 0.011, "q = {q}");
        }
        assert_eq!(Histogram::new(0.0, 1.0, 10).quantile(0.5), None);
    }
}
