//! The equilibrium-analysis part of a summary (`docs/SCENARIO.md` §11): regret
//! distributions, one class table per concept, outcome × class cross-tables and
//! deliberate-or-tremble shares, each share with its Wilson 95% interval.

use std::collections::BTreeMap;

use brink_core::{BayesNashClass, CompiledScenario, EquilibriumClass, QreClass};
use brink_mc::{AnalysisAggregate, BatchAggregate, RegretStats};
use serde::{Deserialize, Serialize};

use crate::stats::{Z95, wilson_interval};
use crate::summary::SummaryMeta;

/// A share of runs with its Wilson 95% interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// Runs counted.
    pub count: u64,
    /// Runs in the base (`count / runs` is the share).
    pub runs: u64,
    /// `count / runs` (0 without runs).
    pub frequency: f64,
    /// Lower end of the Wilson score 95% interval.
    pub ci95_low: f64,
    /// Upper end of the Wilson score 95% interval.
    pub ci95_high: f64,
}

impl Share {
    /// `count` out of `runs`.
    pub fn new(count: u64, runs: u64) -> Share {
        let (ci95_low, ci95_high) = wilson_interval(count, runs, Z95);
        Share {
            count,
            runs,
            frequency: if runs == 0 {
                0.0
            } else {
                count as f64 / runs as f64
            },
            ci95_low,
            ci95_high,
        }
    }
}

/// The distribution of one regret measure over runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegretDistribution {
    /// Runs with a defined regret.
    pub runs: u64,
    /// Mean (`None` without runs).
    pub mean: Option<f64>,
    /// Lower end of the normal 95% interval of the mean.
    pub mean_ci95_low: Option<f64>,
    /// Upper end of the normal 95% interval of the mean.
    pub mean_ci95_high: Option<f64>,
    /// Median: an upper bound within one sketch bin (4.7 %) of the nearest-rank
    /// median; exactly 0 when at least half the runs have regret 0.
    pub p50: Option<f64>,
    /// 90th percentile (as `p50`).
    pub p90: Option<f64>,
    /// 99th percentile (as `p50`).
    pub p99: Option<f64>,
    /// Largest regret (exact).
    pub max: Option<f64>,
    /// Runs whose regret was not a number (NaN utilities).
    pub undefined: u64,
}

impl RegretDistribution {
    fn new(r: &RegretStats) -> Self {
        let m = &r.moments;
        let n = m.n;
        let half = Z95 * m.sd() / (n.max(1) as f64).sqrt();
        let q = |p| r.sketch.quantile(p).map(|x: f64| x.min(m.max));
        RegretDistribution {
            runs: n,
            mean: (n > 0).then_some(m.mean),
            mean_ci95_low: (n > 0).then_some(m.mean - half),
            mean_ci95_high: (n > 0).then_some(m.mean + half),
            p50: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
            max: (n > 0).then_some(m.max),
            undefined: r.undefined,
        }
    }
}

/// Regret over all runs or the runs of one outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegretRow {
    /// `all runs` or an outcome name.
    pub scope: String,
    /// ε under true types.
    pub true_types: RegretDistribution,
    /// ε under the agents' interim beliefs.
    pub interim: RegretDistribution,
    /// Runs that are ε-equilibria (true types) at the scenario's `epsilon`.
    pub within_epsilon: Share,
}

/// One class of one concept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassRow {
    /// Human-readable label.
    pub label: String,
    /// Share of all runs.
    pub share: Share,
}

/// One cell of an outcome × class cross-table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossRow {
    /// Outcome name.
    pub outcome: String,
    /// Class label.
    pub class: String,
    /// Share of the outcome's runs in this class.
    pub share_of_outcome: Share,
}

/// The table of one equilibrium concept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConceptTable {
    /// `nash`, `bayes_nash` or `qre`.
    pub concept: String,
    /// Classes, most frequent first (ties in class order).
    pub classes: Vec<ClassRow>,
    /// Outcome × class, outcomes in scenario order, classes most frequent first
    /// within each outcome.
    pub cross: Vec<CrossRow>,
}

/// Deliberate or tremble: among the runs of one outcome, the share whose last
/// action was a best reply under the actor's beliefs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliberateRow {
    /// Outcome name.
    pub outcome: String,
    /// Runs where every agent's last action was deliberate.
    pub all_agents: Share,
    /// Per agent, in scenario order.
    pub agents: Vec<(String, Share)>,
}

/// Everything the equilibrium analysis reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisSummary {
    /// The concepts classified, in the order `nash`, `bayes_nash`, `qre`.
    pub concepts: Vec<String>,
    /// The ε tolerance of the scenario.
    pub epsilon: f64,
    /// The QRE distance tolerance of the scenario.
    pub qre_tolerance: f64,
    /// Regret over all runs, then per outcome in scenario order.
    pub regret: Vec<RegretRow>,
    /// Distance between choice probabilities and the logit QRE (when `qre` is on).
    pub qre_distance: Option<RegretDistribution>,
    /// One table per concept.
    pub tables: Vec<ConceptTable>,
    /// Deliberate or tremble, per outcome in scenario order.
    pub deliberate: Vec<DeliberateRow>,
}

/// What the analysis summary needs of the scenario.
pub struct AnalysisMeta<'a> {
    /// Concepts in use.
    pub concepts: Vec<String>,
    /// `[equilibrium] epsilon`.
    pub epsilon: f64,
    /// `[equilibrium] qre_tolerance`.
    pub qre_tolerance: f64,
    /// Labels of Nash classes.
    pub nash_label: Box<dyn Fn(EquilibriumClass) -> String + 'a>,
    /// Labels of Bayesian-Nash classes.
    pub bayes_label: Box<dyn Fn(BayesNashClass) -> String + 'a>,
    /// Labels of QRE classes.
    pub qre_label: Box<dyn Fn(QreClass) -> String + 'a>,
}

impl<'a> AnalysisMeta<'a> {
    /// The analysis metadata of `s`.
    pub fn for_scenario(s: &'a CompiledScenario) -> Self {
        let c = &s.classification;
        let names = [
            (c.concepts.nash, "nash"),
            (c.concepts.bayes_nash, "bayes_nash"),
            (c.concepts.qre, "qre"),
        ];
        AnalysisMeta {
            concepts: names
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, n)| (*n).to_owned())
                .collect(),
            epsilon: c.epsilon,
            qre_tolerance: c.qre_tolerance,
            nash_label: Box::new(move |k| s.equilibrium_label(k)),
            bayes_label: Box::new(move |k| s.bayes_nash_label(k)),
            qre_label: Box::new(move |k| s.qre_label(k)),
        }
    }
}

fn table<K: Copy + Ord>(
    concept: &str,
    counts: &BTreeMap<(usize, K), u64>,
    runs: u64,
    outcomes: &[String],
    outcome_runs: &[u64],
    label: &dyn Fn(K) -> String,
) -> ConceptTable {
    let mut totals: BTreeMap<K, u64> = BTreeMap::new();
    for ((_, k), n) in counts {
        *totals.entry(*k).or_insert(0) += n;
    }
    let mut classes: Vec<(K, u64)> = totals.into_iter().collect();
    classes.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let mut cross = Vec::new();
    for (o, name) in outcomes.iter().enumerate() {
        let mut cells: Vec<(K, u64)> = counts
            .iter()
            .filter(|((oo, _), _)| *oo == o)
            .map(|((_, k), n)| (*k, *n))
            .collect();
        cells.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        for (k, n) in cells {
            cross.push(CrossRow {
                outcome: name.clone(),
                class: label(k),
                share_of_outcome: Share::new(n, outcome_runs[o]),
            });
        }
    }
    ConceptTable {
        concept: concept.to_owned(),
        classes: classes
            .into_iter()
            .map(|(k, n)| ClassRow {
                label: label(k),
                share: Share::new(n, runs),
            })
            .collect(),
        cross,
    }
}

impl AnalysisSummary {
    /// The analysis summary of `agg` (see [`AnalysisMeta`]).
    pub fn new(meta: &SummaryMeta, agg: &BatchAggregate, am: &AnalysisMeta) -> AnalysisSummary {
        let a: &AnalysisAggregate = &agg.analysis;
        let runs = agg.runs;
        let mut regret = vec![RegretRow {
            scope: "all runs".to_owned(),
            true_types: RegretDistribution::new(&a.regret_true[0]),
            interim: RegretDistribution::new(&a.regret_interim[0]),
            within_epsilon: Share::new(a.within_epsilon.iter().sum(), runs),
        }];
        for (o, name) in meta.outcomes.iter().enumerate() {
            regret.push(RegretRow {
                scope: name.clone(),
                true_types: RegretDistribution::new(&a.regret_true[1 + o]),
                interim: RegretDistribution::new(&a.regret_interim[1 + o]),
                within_epsilon: Share::new(a.within_epsilon[o], agg.outcome_counts[o]),
            });
        }
        let oc = &agg.outcome_counts;
        let mut tables = Vec::new();
        for c in &am.concepts {
            tables.push(match c.as_str() {
                "nash" => table("nash", &a.nash, runs, &meta.outcomes, oc, &*am.nash_label),
                "bayes_nash" => table(
                    "bayes_nash",
                    &a.bayes_nash,
                    runs,
                    &meta.outcomes,
                    oc,
                    &*am.bayes_label,
                ),
                _ => table("qre", &a.qre, runs, &meta.outcomes, oc, &*am.qre_label),
            });
        }
        let k = a.agents;
        let deliberate = meta
            .outcomes
            .iter()
            .enumerate()
            .map(|(o, name)| {
                let row = &a.deliberate[o * (k + 1)..][..k + 1];
                DeliberateRow {
                    outcome: name.clone(),
                    all_agents: Share::new(row[k], oc[o]),
                    agents: meta
                        .agents
                        .iter()
                        .zip(row)
                        .map(|(n, &c)| (n.clone(), Share::new(c, oc[o])))
                        .collect(),
                }
            })
            .collect();
        AnalysisSummary {
            concepts: am.concepts.clone(),
            epsilon: am.epsilon,
            qre_tolerance: am.qre_tolerance,
            regret,
            qre_distance: am
                .concepts
                .iter()
                .any(|c| c == "qre")
                .then(|| RegretDistribution::new(&a.qre_distance)),
            tables,
            deliberate,
        }
    }
}
