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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Summary;
    use crate::summary::tests::{label, meta};
    use brink_core::{RunAnalysis, RunResult};

    /// 1000 runs over 4 outcomes (i % 4 ∈ {0, 1} → war, 2 → deal, 3 → stalemate);
    /// regret (true types) 0 for even i, else (i % 10) / 10; interim half of it; every
    /// third run a BNE (profile 5), others not; QRE for i < 250; agent 0 deliberate
    /// always, agent 1 when i % 5 != 0.
    fn aggregate() -> BatchAggregate {
        let mut agg = BatchAggregate::new(4, 2, &[Some((0.0, 1.0)), None]);
        agg.epsilon = 0.25;
        for i in 0..1000u32 {
            let eps = if i % 2 == 0 {
                0.0
            } else {
                f64::from(i % 10) / 10.0
            };
            agg.record(&RunResult {
                outcome: match i % 4 {
                    0 | 1 => 0,
                    2 => 1,
                    _ => 2,
                },
                equilibrium: if eps == 0.0 {
                    EquilibriumClass::PureNash { profile: 0 }
                } else {
                    EquilibriumClass::NotAnEquilibrium
                },
                rounds: 1,
                final_state: vec![0.5, 1.0],
                payoffs: vec![0.0, 0.0],
                play: Vec::new(),
                analysis: RunAnalysis {
                    regret_true: eps,
                    regret_interim: eps / 2.0,
                    bayes_nash: Some(if i % 3 == 0 {
                        BayesNashClass::Equilibrium { profile: 5 }
                    } else {
                        BayesNashClass::NotAnEquilibrium
                    }),
                    qre: Some(if i < 250 {
                        QreClass::Qre
                    } else {
                        QreClass::NotQre
                    }),
                    qre_distance: f64::from(i) / 1000.0,
                    deliberate: if i % 5 == 0 { 1 } else { 3 },
                },
            });
        }
        agg
    }

    fn analysis() -> AnalysisSummary {
        let am = AnalysisMeta {
            concepts: vec!["nash".into(), "bayes_nash".into(), "qre".into()],
            epsilon: 0.25,
            qre_tolerance: 0.05,
            nash_label: Box::new(label),
            bayes_label: Box::new(|c| format!("{c:?}")),
            qre_label: Box::new(|c| format!("{c:?}")),
        };
        AnalysisSummary::new(&meta(1000), &aggregate(), &am)
    }

    #[test]
    fn regret_rows_match_hand_counts() {
        let a = analysis();
        let all = &a.regret[0];
        assert_eq!(all.scope, "all runs");
        // Odd i: i % 10 ∈ {1, 3, 5, 7, 9}, 100 runs each; 500 zeros.
        let mean = (0.1 + 0.3 + 0.5 + 0.7 + 0.9) * 100.0 / 1000.0;
        assert!((all.true_types.mean.unwrap() - mean).abs() < 1e-12);
        assert_eq!(all.true_types.p50, Some(0.0));
        // Rank 900 of 1000: 500 zeros, then 100 each of 0.1, 0.3, 0.5, 0.7 → 0.7.
        assert_eq!(all.true_types.p90, Some(0.7));
        assert_eq!(all.true_types.p99, Some(0.9));
        assert_eq!(all.true_types.max, Some(0.9));
        assert_eq!(all.interim.max, Some(0.45));
        // ε ≤ 0.25: the 500 zeros and the 100 runs at 0.1.
        assert_eq!(all.within_epsilon.count, 600);
        assert_eq!(all.within_epsilon.runs, 1000);
        // Outcome deal (i % 4 == 2): all even, so every run has ε = 0.
        let deal = &a.regret[2];
        assert_eq!(deal.scope, "deal");
        assert_eq!(deal.true_types.max, Some(0.0));
        assert_eq!(
            (deal.within_epsilon.count, deal.within_epsilon.runs),
            (250, 250)
        );
        // Capitulation never happens: no values, no NaN.
        assert_eq!(a.regret[4].true_types.mean, None);
        let lo = all.true_types.mean_ci95_low.unwrap();
        assert!(lo < mean && mean < all.true_types.mean_ci95_high.unwrap());
    }

    #[test]
    fn concept_tables_and_cross_tables_add_up() {
        let a = analysis();
        assert_eq!(a.tables.len(), 3);
        let bne = &a.tables[1];
        assert_eq!(bne.concept, "bayes_nash");
        let counts: Vec<u64> = bne.classes.iter().map(|c| c.share.count).collect();
        assert_eq!(counts, [666, 334]);
        // Each outcome's cross-table shares add up to 1.
        for o in ["war", "deal", "stalemate"] {
            let total: f64 = bne
                .cross
                .iter()
                .filter(|c| c.outcome == o)
                .map(|c| c.share_of_outcome.frequency)
                .sum();
            assert!((total - 1.0).abs() < 1e-12, "{o}: {total}");
        }
        let nash = &a.tables[0];
        // Deal runs are all pure Nash (hold, hold).
        let deal: Vec<&CrossRow> = nash.cross.iter().filter(|c| c.outcome == "deal").collect();
        assert_eq!(deal.len(), 1);
        assert_eq!(deal[0].class, "(hold, hold)");
        assert_eq!(deal[0].share_of_outcome.frequency, 1.0);
        let qre = &a.tables[2];
        assert_eq!(qre.classes[0].label, "NotQre");
        assert_eq!(qre.classes[1].share.count, 250);
        assert_eq!(a.qre_distance.as_ref().unwrap().max, Some(0.999));
    }

    #[test]
    fn deliberate_shares_per_outcome() {
        let a = analysis();
        let war = &a.deliberate[0];
        // War: i % 4 ∈ {0, 1}, 500 runs; i % 5 == 0 among them: 100.
        assert_eq!(war.all_agents.runs, 500);
        assert_eq!(war.all_agents.count, 400);
        assert_eq!(war.agents[0].1.count, 500);
        assert_eq!(war.agents[1].1.count, 400);
        assert_eq!(a.deliberate[3].all_agents.runs, 0);
    }

    #[test]
    fn renderings_carry_every_table() {
        let agg = aggregate();
        let am = AnalysisMeta {
            concepts: vec!["nash".into(), "bayes_nash".into()],
            epsilon: 0.25,
            qre_tolerance: 0.05,
            nash_label: Box::new(label),
            bayes_label: Box::new(|c| format!("{c:?}")),
            qre_label: Box::new(|c| format!("{c:?}")),
        };
        let s = Summary::new(&meta(1000), &agg, label)
            .unwrap()
            .with_analysis(&meta(1000), &agg, &am);
        let text = crate::render::table(&s);
        for section in [
            "Regret ε of the settled play (ε-equilibrium: ε ≤ 0.25)",
            "Classes: Nash (true types)",
            "Classes: Bayesian Nash",
            "Outcome × class: Nash",
            "Deliberate or tremble",
        ] {
            assert!(text.contains(section), "missing {section}:\n{text}");
        }
        assert!(!text.contains("logit QRE"));
        let regret = crate::render::regret_csv(&s);
        // Header, then two rows for each of 5 scopes.
        assert_eq!(regret.lines().count(), 11);
        assert!(regret.starts_with("scope,measure,runs,mean,"));
        let cross = crate::render::cross_csv(&s);
        assert!(
            cross.contains("nash,deal,\"(hold, hold)\",250,250,1,"),
            "{cross}"
        );
        let json = crate::render::json(&s);
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back.analysis.unwrap().tables.len(), 2);
        assert!(!json.contains("NaN"));
    }
}
