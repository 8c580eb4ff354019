//! Streaming aggregates of the equilibrium analysis (`docs/SCENARIO.md` §11):
//! regret distributions in a deterministic log-bin sketch, class counts per concept
//! crossed with outcomes, deliberate-or-tremble counts.
//!
//! Everything merges by adding integer counts (and Chan's update for moments, merged
//! in chunk order by the runner), so aggregates are the same bytes on any number of
//! threads.

use std::collections::BTreeMap;

use brink_core::{BayesNashClass, EquilibriumClass, QreClass, RunResult};
use serde::{Deserialize, Serialize};

use crate::aggregate::Moments;

/// Bins per factor of ten of the regret sketch: a bin spans a factor
/// `10^(1/BINS_PER_DECADE)` (about 4.7 %).
pub const BINS_PER_DECADE: f64 = 50.0;

/// A mergeable quantile sketch of non-negative numbers: exact zeros counted apart,
/// positive values in logarithmic bins `[10^(k/B), 10^((k+1)/B))`, `B` =
/// [`BINS_PER_DECADE`], each bin keeping its count and the smallest and largest value
/// it holds. Deterministic (integer counts, exact min/max, `libm`'s `log10`), bounded
/// (a bin per 4.7 % of the range actually seen) and independent of merge order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogSketch {
    /// Values exactly 0.
    pub zeros: u64,
    /// Per bin index `k`: count, smallest and largest value.
    #[serde(with = "pairs")]
    pub bins: BTreeMap<i32, (u64, f64, f64)>,
}

impl LogSketch {
    /// Counts one value; negative or non-finite values are not counted.
    pub fn push(&mut self, x: f64) {
        if x == 0.0 {
            self.zeros += 1;
        } else if x > 0.0 && x.is_finite() {
            let k = libm::floor(libm::log10(x) * BINS_PER_DECADE) as i32;
            let b = self.bins.entry(k).or_insert((0, x, x));
            *b = (b.0 + 1, b.1.min(x), b.2.max(x));
        }
    }

    /// Adds another sketch.
    pub fn merge(&mut self, other: &LogSketch) {
        self.zeros += other.zeros;
        for (k, &(n, lo, hi)) in &other.bins {
            let b = self.bins.entry(*k).or_insert((0, lo, hi));
            *b = (b.0 + n, b.1.min(lo), b.2.max(hi));
        }
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.zeros + self.bins.values().map(|b| b.0).sum::<u64>()
    }

    /// An upper bound on the nearest-rank `q`-quantile (the smallest value with at
    /// least a share `q` of the values at or below it): 0 when that value is 0,
    /// otherwise the largest value in its bin, at most 4.7 % above it (exact when the
    /// bin holds one distinct value). None if empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).max(1);
        if rank <= self.zeros {
            return Some(0.0);
        }
        let mut seen = self.zeros;
        for &(c, _, hi) in self.bins.values() {
            seen += c;
            if seen >= rank {
                return Some(hi);
            }
        }
        None
    }
}

/// Moments and sketch of one regret measure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegretStats {
    /// Mean, variance and extremes of the finite values (left out of JSON while
    /// empty: its infinite extremes have no JSON form).
    #[serde(default, skip_serializing_if = "no_values")]
    pub moments: Moments,
    /// Quantile sketch.
    pub sketch: LogSketch,
    /// Runs whose regret was not a number (a utility formula gave NaN).
    pub undefined: u64,
}

impl RegretStats {
    fn push(&mut self, x: f64) {
        if x.is_finite() {
            self.moments.push(x);
            self.sketch.push(x);
        } else {
            self.undefined += 1;
        }
    }

    fn merge(&mut self, o: &RegretStats) {
        self.moments.merge(&o.moments);
        self.sketch.merge(&o.sketch);
        self.undefined += o.undefined;
    }
}

fn no_values(m: &Moments) -> bool {
    m.n == 0
}

/// The analysis part of a batch aggregate. Per-outcome vectors are indexed by
/// outcome; regret vectors by `0` for all runs and `1 + outcome`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisAggregate {
    /// ε under true types: all runs, then per outcome.
    pub regret_true: Vec<RegretStats>,
    /// ε under interim beliefs: all runs, then per outcome.
    pub regret_interim: Vec<RegretStats>,
    /// Max-norm distance to the logit QRE (all runs; empty when off).
    pub qre_distance: RegretStats,
    /// Runs with ε (true types) at most the scenario's `epsilon`, per outcome.
    pub within_epsilon: Vec<u64>,
    /// Runs per (outcome, Nash class).
    #[serde(with = "pairs")]
    pub nash: BTreeMap<(usize, EquilibriumClass), u64>,
    /// Runs per (outcome, Bayesian-Nash class).
    #[serde(with = "pairs")]
    pub bayes_nash: BTreeMap<(usize, BayesNashClass), u64>,
    /// Runs per (outcome, QRE class).
    #[serde(with = "pairs")]
    pub qre: BTreeMap<(usize, QreClass), u64>,
    /// Per outcome, `agents + 1` counts: runs where agent `i`'s last action was
    /// deliberate, then runs where every agent's was.
    pub deliberate: Vec<u64>,
    /// Number of agents.
    pub agents: usize,
}

impl AnalysisAggregate {
    /// Empty, for `outcomes` outcomes and `agents` agents.
    pub fn new(outcomes: usize, agents: usize) -> Self {
        AnalysisAggregate {
            regret_true: vec![RegretStats::default(); outcomes + 1],
            regret_interim: vec![RegretStats::default(); outcomes + 1],
            within_epsilon: vec![0; outcomes],
            deliberate: vec![0; outcomes * (agents + 1)],
            agents,
            ..AnalysisAggregate::default()
        }
    }

    /// Records one run; `epsilon` is the scenario's tolerance.
    pub fn record(&mut self, run: &RunResult, epsilon: f64) {
        let (o, a) = (run.outcome, &run.analysis);
        for k in [0, 1 + o] {
            self.regret_true[k].push(a.regret_true);
            self.regret_interim[k].push(a.regret_interim);
        }
        if a.regret_true <= epsilon {
            self.within_epsilon[o] += 1;
        }
        *self.nash.entry((o, run.equilibrium)).or_insert(0) += 1;
        if let Some(c) = a.bayes_nash {
            *self.bayes_nash.entry((o, c)).or_insert(0) += 1;
        }
        if let Some(c) = a.qre {
            *self.qre.entry((o, c)).or_insert(0) += 1;
            self.qre_distance.push(a.qre_distance);
        }
        let row = &mut self.deliberate[o * (self.agents + 1)..][..self.agents + 1];
        for (i, slot) in row[..self.agents.min(64)].iter_mut().enumerate() {
            *slot += (a.deliberate >> i) & 1;
        }
        let all = if self.agents >= 64 {
            u64::MAX
        } else {
            (1u64 << self.agents) - 1
        };
        row[self.agents] += u64::from(a.deliberate & all == all);
    }

    /// Adds another aggregate of the same scenario.
    pub fn merge(&mut self, o: &AnalysisAggregate) {
        for (a, b) in self.regret_true.iter_mut().zip(&o.regret_true) {
            a.merge(b);
        }
        for (a, b) in self.regret_interim.iter_mut().zip(&o.regret_interim) {
            a.merge(b);
        }
        self.qre_distance.merge(&o.qre_distance);
        for (a, b) in self.within_epsilon.iter_mut().zip(&o.within_epsilon) {
            *a += b;
        }
        for (k, n) in &o.nash {
            *self.nash.entry(*k).or_insert(0) += n;
        }
        for (k, n) in &o.bayes_nash {
            *self.bayes_nash.entry(*k).or_insert(0) += n;
        }
        for (k, n) in &o.qre {
            *self.qre.entry(*k).or_insert(0) += n;
        }
        for (a, b) in self.deliberate.iter_mut().zip(&o.deliberate) {
            *a += b;
        }
    }
}

/// Serde for ordered maps as lists of `[key, value]` pairs (JSON keys must be
/// strings).
mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        m: &BTreeMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        m.iter().collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_quantiles_bound_the_nearest_rank_within_one_bin() {
        let xs: Vec<f64> = (1..=1000).map(|i| f64::from(i) * 1e-3).collect();
        let mut s = LogSketch::default();
        s.push(0.0);
        xs.iter().for_each(|&x| s.push(x));
        // 1001 values: rank ceil(0.5 * 1001) = 501 is 0.500.
        for (q, exact) in [(0.5, 0.5), (0.9, 0.9), (0.99, 0.990)] {
            let got = s.quantile(q).unwrap();
            assert!(
                got >= exact - 1e-12 && got <= exact * libm::pow(10.0, 1.0 / 50.0),
                "{q}: {got}"
            );
        }
        assert_eq!(s.quantile(0.0), Some(0.0));
        assert_eq!(LogSketch::default().quantile(0.5), None);
    }

    #[test]
    fn aggregates_with_unreached_outcomes_round_trip_through_json() {
        // An outcome never reached and the QRE distance never measured leave empty
        // moments (infinite extremes), which must survive a checkpoint.
        let mut a = AnalysisAggregate::new(3, 2);
        let mut run = RunResult {
            outcome: 1,
            ..RunResult::default()
        };
        run.analysis.regret_true = 0.25;
        a.record(&run, 0.0);
        let json = serde_json::to_string(&a).unwrap();
        let back: AnalysisAggregate = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn sketches_merge_to_the_same_bytes_in_any_split() {
        let xs: Vec<f64> = (0..5000)
            .map(|i| f64::from((i * 7919) % 1013) * 0.0137)
            .collect();
        let mut whole = LogSketch::default();
        xs.iter().for_each(|&x| whole.push(x));
        for cut in [1, 17, 2500, 4999] {
            let (mut a, mut b) = (LogSketch::default(), LogSketch::default());
            xs[..cut].iter().for_each(|&x| a.push(x));
            xs[cut..].iter().for_each(|&x| b.push(x));
            let mut ba = b.clone();
            a.merge(&b);
            ba.merge(&{
                let mut a2 = LogSketch::default();
                xs[..cut].iter().for_each(|&x| a2.push(x));
                a2
            });
            assert_eq!(a, whole);
            assert_eq!(ba, whole);
        }
    }
}
