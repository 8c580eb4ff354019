//! The summary of a batch: what every output format is rendered from.
//!
//! A [`Summary`] is a pure function of its inputs (scenario metadata, the merged
//! [`BatchAggregate`] and the equilibrium-class labels): it holds no time stamps,
//! thread counts, host names or paths other than the scenario path as given, so
//! `summary.json` is byte-identical for the same scenario and seed on any number of
//! threads (the runner already makes the aggregate itself thread-count independent).

use brink_core::{CompiledScenario, EquilibriumClass};
use brink_mc::{BatchAggregate, Moments, VariableStats};
use serde::{Deserialize, Serialize};

use crate::analysis::{AnalysisMeta, AnalysisSummary};
use crate::error::ReportError;
use crate::stats::{Z95, wilson_interval};

/// Version of the `summary.json` layout; bumped when fields change meaning or go away.
/// Every JSON document brink writes carries it as its first field, `format_version`
/// (summary.json, the sweep's summary.json and manifest.json, tune.json, `solve -f
/// json`, `replay -f json`), and writes 64-bit seeds as strings.
pub const FORMAT_VERSION: u32 = 2;

/// `value` (a struct or a JSON object) as pretty JSON with a newline, with
/// `"format_version": FORMAT_VERSION` as its first field.
pub fn versioned_json<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Versioned<'a, T> {
        format_version: u32,
        #[serde(flatten)]
        value: &'a T,
    }
    let mut text = serde_json::to_string_pretty(&Versioned {
        format_version: FORMAT_VERSION,
        value,
    })?;
    text.push('\n');
    Ok(text)
}

/// What the caller knows about the batch besides the aggregate: names, seed, version.
/// All lists are in scenario order and must match the aggregate's lengths.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryMeta {
    /// Version of brink that produced the batch (e.g. `env!("CARGO_PKG_VERSION")`).
    pub brink_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file path exactly as the user gave it (not canonicalised, so the
    /// output does not depend on the working directory).
    pub scenario_path: String,
    /// Master seed of the batch.
    pub seed: u64,
    /// Number of runs in the batch; must equal the aggregate's `runs`.
    pub runs: u64,
    /// Scenario parameter values after overrides, in scenario order.
    pub parameters: Vec<(String, f64)>,
    /// The parameters whose value differs from the file's default, in scenario order.
    pub set: Vec<(String, f64)>,
    /// Agent names, in scenario order.
    pub agents: Vec<String>,
    /// World-state variable names, in scenario order.
    pub state_variables: Vec<String>,
    /// Outcome names, in scenario order.
    pub outcomes: Vec<String>,
}

/// One scenario parameter and its value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Parameter name.
    pub name: String,
    /// Value used for the batch.
    pub value: f64,
}

/// How often one outcome occurred, with its Wilson 95% interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutcomeFrequency {
    /// Outcome name.
    pub name: String,
    /// Runs that ended in this outcome.
    pub count: u64,
    /// `count / runs` (0 when there were no runs).
    pub frequency: f64,
    /// Lower end of the Wilson score 95% interval.
    pub ci95_low: f64,
    /// Upper end of the Wilson score 95% interval.
    pub ci95_high: f64,
}

/// How often play settled in one equilibrium class, with its Wilson 95% interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EquilibriumFrequency {
    /// Human-readable label, e.g. `(sanction, covert, stall)` or `not an equilibrium`.
    pub label: String,
    /// The class itself, for machine consumers.
    pub class: EquilibriumClass,
    /// Runs whose settled play fell in this class.
    pub count: u64,
    /// `count / runs` (0 when there were no runs).
    pub frequency: f64,
    /// Lower end of the Wilson score 95% interval.
    pub ci95_low: f64,
    /// Upper end of the Wilson score 95% interval.
    pub ci95_high: f64,
}

/// Mean, standard deviation and extremes of a quantity over the runs; all `None`
/// when there were no runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Mean over runs.
    pub mean: Option<f64>,
    /// Sample standard deviation (0 with a single run).
    pub sd: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

impl Spread {
    fn from_moments(m: &Moments) -> Self {
        if m.n == 0 {
            return Spread {
                mean: None,
                sd: None,
                min: None,
                max: None,
            };
        }
        Spread {
            mean: Some(m.mean),
            sd: Some(m.sd()),
            min: Some(m.min),
            max: Some(m.max),
        }
    }
}

/// Distribution of one world-state variable at the end of the runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableSummary {
    /// Variable name.
    pub name: String,
    /// Mean over runs (`None` without runs).
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub sd: Option<f64>,
    /// Smallest final value.
    pub min: Option<f64>,
    /// Largest final value.
    pub max: Option<f64>,
    /// Approximate 5th percentile, from the histogram; `None` for unbounded
    /// variables (no histogram) or without runs. Accurate to one histogram bin
    /// (1/200 of the declared range).
    pub p05: Option<f64>,
    /// Approximate median (see `p05`).
    pub p50: Option<f64>,
    /// Approximate 95th percentile (see `p05`).
    pub p95: Option<f64>,
}

impl VariableSummary {
    fn new(name: &str, stats: &VariableStats) -> Self {
        let spread = Spread::from_moments(&stats.moments);
        // Interpolating inside a histogram bin can step past the observed extremes
        // (a constant variable sits inside one bin); no quantile lies outside them.
        let (lo, hi) = (stats.moments.min, stats.moments.max);
        let q = |p| {
            stats
                .histogram
                .as_ref()
                .and_then(|h| h.quantile(p))
                .map(|x: f64| x.clamp(lo, hi))
        };
        VariableSummary {
            name: name.to_owned(),
            mean: spread.mean,
            sd: spread.sd,
            min: spread.min,
            max: spread.max,
            p05: q(0.05),
            p50: q(0.5),
            p95: q(0.95),
        }
    }
}

/// One agent's accumulated payoff over the runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayoffSummary {
    /// Agent name.
    pub agent: String,
    /// Mean payoff (`None` without runs).
    pub mean: Option<f64>,
    /// Sample standard deviation of the payoff.
    pub sd: Option<f64>,
}

/// Everything reported about a batch; serialised as `summary.json` and rendered as
/// table, CSV and charts by [`crate::render`] and [`crate::plot`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Layout version of this structure, [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Version of brink that produced the batch.
    pub brink_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file path as given by the user.
    pub scenario_path: String,
    /// Master seed (a string in JSON: see [`crate::seed_json`]).
    #[serde(with = "crate::seed_json")]
    pub seed: u64,
    /// Number of runs.
    pub runs: u64,
    /// Parameter values, in scenario order.
    pub parameters: Vec<Parameter>,
    /// The parameters set away from their defaults (`--set`), in scenario order.
    #[serde(default)]
    pub set: Vec<Parameter>,
    /// Agent names in profile order: the order of the actions in an equilibrium
    /// label such as `(sanction, covert, stall)`.
    #[serde(default)]
    pub agents: Vec<String>,
    /// Every declared outcome, in scenario order, including those never reached.
    pub outcomes: Vec<OutcomeFrequency>,
    /// Every equilibrium class seen, most frequent first; ties in class order
    /// (pure equilibria by profile index, then "not an equilibrium").
    pub equilibria: Vec<EquilibriumFrequency>,
    /// Number of rounds played.
    pub rounds: Spread,
    /// Final world state, per variable in scenario order.
    pub final_state: Vec<VariableSummary>,
    /// Accumulated payoff, per agent in scenario order.
    pub payoffs: Vec<PayoffSummary>,
    /// Regret, one table per equilibrium concept, outcome × class cross-tables,
    /// deliberate or tremble (absent unless [`Summary::with_analysis`] was called).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<AnalysisSummary>,
}

fn frequency(count: u64, runs: u64) -> (f64, f64, f64) {
    let f = if runs == 0 {
        0.0
    } else {
        count as f64 / runs as f64
    };
    let (lo, hi) = wilson_interval(count, runs, Z95);
    (f, lo, hi)
}

fn check_len(what: &str, names: usize, values: usize) -> Result<(), ReportError> {
    if names == values {
        Ok(())
    } else {
        Err(ReportError::Mismatch {
            what: format!("{values} {what}s in the aggregate but {names} {what} names"),
        })
    }
}

impl Summary {
    /// Builds the summary of a batch. `label` names an equilibrium class, e.g.
    /// `(sanction, covert, stall)` for a pure equilibrium profile or
    /// `not an equilibrium`.
    ///
    /// Fails with [`ReportError::Mismatch`] if the metadata's name lists do not
    /// match the aggregate's lengths, if `meta.runs` differs from
    /// `aggregate.runs`, or if the outcome or equilibrium counts do not add up to
    /// the number of runs.
    pub fn new(
        meta: &SummaryMeta,
        aggregate: &BatchAggregate,
        label: impl Fn(EquilibriumClass) -> String,
    ) -> Result<Summary, ReportError> {
        check_len(
            "outcome",
            meta.outcomes.len(),
            aggregate.outcome_counts.len(),
        )?;
        check_len("agent", meta.agents.len(), aggregate.payoffs.len())?;
        check_len(
            "state variable",
            meta.state_variables.len(),
            aggregate.final_state.len(),
        )?;
        let runs = aggregate.runs;
        if meta.runs != runs {
            return Err(ReportError::Mismatch {
                what: format!(
                    "metadata says {} runs but the aggregate has {runs}",
                    meta.runs
                ),
            });
        }
        let outcome_total: u64 = aggregate.outcome_counts.iter().sum();
        let class_total: u64 = aggregate.equilibrium_counts.values().sum();
        if outcome_total != runs || class_total != runs {
            return Err(ReportError::Mismatch {
                what: format!(
                    "{runs} runs but outcome counts add up to {outcome_total} and \
                     equilibrium counts to {class_total}"
                ),
            });
        }

        let outcomes = meta
            .outcomes
            .iter()
            .zip(&aggregate.outcome_counts)
            .map(|(name, &count)| {
                let (frequency, ci95_low, ci95_high) = frequency(count, runs);
                OutcomeFrequency {
                    name: name.clone(),
                    count,
                    frequency,
                    ci95_low,
                    ci95_high,
                }
            })
            .collect();

        // BTreeMap iteration is in class order; the stable sort keeps it for ties.
        let mut equilibria: Vec<EquilibriumFrequency> = aggregate
            .equilibrium_counts
            .iter()
            .map(|(&class, &count)| {
                let (frequency, ci95_low, ci95_high) = frequency(count, runs);
                EquilibriumFrequency {
                    label: label(class),
                    class,
                    count,
                    frequency,
                    ci95_low,
                    ci95_high,
                }
            })
            .collect();
        equilibria.sort_by_key(|e| std::cmp::Reverse(e.count));

        Ok(Summary {
            format_version: FORMAT_VERSION,
            brink_version: meta.brink_version.clone(),
            scenario: meta.scenario.clone(),
            scenario_path: meta.scenario_path.clone(),
            seed: meta.seed,
            runs,
            parameters: meta
                .parameters
                .iter()
                .map(|(name, value)| Parameter {
                    name: name.clone(),
                    value: *value,
                })
                .collect(),
            set: meta
                .set
                .iter()
                .map(|(name, value)| Parameter {
                    name: name.clone(),
                    value: *value,
                })
                .collect(),
            agents: meta.agents.clone(),
            outcomes,
            equilibria,
            rounds: Spread::from_moments(&aggregate.rounds),
            final_state: meta
                .state_variables
                .iter()
                .zip(&aggregate.final_state)
                .map(|(name, stats)| VariableSummary::new(name, stats))
                .collect(),
            payoffs: meta
                .agents
                .iter()
                .zip(&aggregate.payoffs)
                .map(|(agent, m)| {
                    let s = Spread::from_moments(m);
                    PayoffSummary {
                        agent: agent.clone(),
                        mean: s.mean,
                        sd: s.sd,
                    }
                })
                .collect(),
            analysis: None,
        })
    }

    /// Adds the equilibrium analysis of `aggregate` (the one the summary was built
    /// from) described by `am`.
    pub fn with_analysis(
        mut self,
        meta: &SummaryMeta,
        aggregate: &BatchAggregate,
        am: &AnalysisMeta,
    ) -> Summary {
        self.analysis = Some(AnalysisSummary::new(meta, aggregate, am));
        self
    }

    /// The summary of a batch of `scenario` (file as the user named it: `path`) with
    /// master seed `seed`, with its equilibrium analysis: what `brink run` reports
    /// and writes as summary.json (the Python package calls it too).
    ///
    /// Fails with [`ReportError::Mismatch`] as [`Summary::new`] does.
    pub fn of_batch(
        scenario: &CompiledScenario,
        path: &str,
        seed: u64,
        aggregate: &BatchAggregate,
    ) -> Result<Summary, ReportError> {
        let meta = SummaryMeta::for_scenario(scenario, path, seed, aggregate.runs);
        Summary::new(&meta, aggregate, |class| equilibrium_label(scenario, class))
            .map(|s| s.with_analysis(&meta, aggregate, &AnalysisMeta::for_scenario(scenario)))
    }
}

/// `(sanction, covert, stall)`, `mixed {heads, tails} × {heads, tails}` or
/// `not an equilibrium` (see [`CompiledScenario::equilibrium_label`]).
pub fn equilibrium_label(scenario: &CompiledScenario, class: EquilibriumClass) -> String {
    scenario.equilibrium_label(class)
}

impl SummaryMeta {
    /// The metadata of a batch of `runs` runs of `scenario` (file as given: `path`).
    pub fn for_scenario(scenario: &CompiledScenario, path: &str, seed: u64, runs: u64) -> Self {
        SummaryMeta {
            brink_version: env!("CARGO_PKG_VERSION").to_owned(),
            scenario: scenario.name.clone(),
            scenario_path: path.to_owned(),
            seed,
            runs,
            parameters: scenario
                .parameters
                .iter()
                .map(|p| (p.name.clone(), p.value))
                .collect(),
            set: scenario
                .parameters
                .iter()
                .filter(|p| p.value != p.default)
                .map(|p| (p.name.clone(), p.value))
                .collect(),
            agents: scenario.agents.iter().map(|a| a.name.clone()).collect(),
            state_variables: scenario.state.iter().map(|v| v.name.clone()).collect(),
            outcomes: scenario.outcomes.iter().map(|o| o.name.clone()).collect(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use brink_core::RunResult;

    /// A labeller in the style of the CLI: pure profiles of a 2×2 game by name.
    pub(crate) fn label(class: EquilibriumClass) -> String {
        match class {
            EquilibriumClass::PureNash { profile } => {
                let acts = ["hold", "strike"];
                format!(
                    "({}, {})",
                    acts[(profile / 2) as usize % 2],
                    acts[(profile % 2) as usize]
                )
            }
            EquilibriumClass::MixedNash { .. } => "mixed".to_owned(),
            EquilibriumClass::NotAnEquilibrium => "not an equilibrium".to_owned(),
        }
    }

    pub(crate) fn meta(runs: u64) -> SummaryMeta {
        SummaryMeta {
            brink_version: "0.1.0".into(),
            scenario: "border standoff".into(),
            scenario_path: "scenarios/border.toml".into(),
            seed: 42,
            runs,
            parameters: vec![("resolve".into(), 0.75), ("cost_of_war".into(), 3.0)],
            set: vec![("resolve".into(), 0.75)],
            agents: vec!["Ruritania".into(), "Freedonia".into()],
            state_variables: vec!["tension".into(), "gdp".into()],
            outcomes: vec![
                "war".into(),
                "deal".into(),
                "stalemate".into(),
                "capitulation".into(),
            ],
        }
    }

    /// 1000 runs: outcomes 500/250/250/0; classes (hold, hold) 400, (strike, strike)
    /// 100, not-an-equilibrium 400, (hold, strike) 100. Tension in [0, 1] is
    /// histogrammed, gdp is unbounded.
    fn run(i: u32) -> RunResult {
        let t = (f64::from(i) + 0.5) / 1000.0; // uniform grid on (0, 1)
        RunResult {
            outcome: match i % 4 {
                0 | 1 => 0,
                2 => 1,
                _ => 2,
            },
            equilibrium: match i % 10 {
                0..=3 => EquilibriumClass::PureNash { profile: 0 },
                4 => EquilibriumClass::PureNash { profile: 3 },
                5 => EquilibriumClass::PureNash { profile: 1 },
                _ => EquilibriumClass::NotAnEquilibrium,
            },
            rounds: 10 + i % 5, // 10..=14, mean 12
            final_state: vec![t, 100.0 + f64::from(i % 2)],
            payoffs: vec![f64::from(i % 3), -1.0],
            play: Vec::new(),
            ..Default::default()
        }
    }

    fn aggregate_of(runs: std::ops::Range<u32>) -> BatchAggregate {
        let mut agg = BatchAggregate::new(4, 2, &[Some((0.0, 1.0)), None]);
        runs.for_each(|i| agg.record(&run(i)));
        agg
    }

    /// 1000 runs: outcomes 500/250/250/0; classes (hold, hold) 400, (strike, strike)
    /// 100, not-an-equilibrium 400, (hold, strike) 100. Tension in [0, 1] is
    /// histogrammed, gdp is unbounded.
    pub(crate) fn aggregate() -> BatchAggregate {
        aggregate_of(0..1000)
    }

    fn summary() -> Summary {
        Summary::new(&meta(1000), &aggregate(), label).unwrap()
    }

    #[test]
    fn outcomes_keep_scenario_order_and_include_zero_counts() {
        let s = summary();
        let names: Vec<_> = s.outcomes.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["war", "deal", "stalemate", "capitulation"]);
        let counts: Vec<_> = s.outcomes.iter().map(|o| o.count).collect();
        assert_eq!(counts, [500, 250, 250, 0]);
        assert_eq!(s.outcomes[0].frequency, 0.5);
        assert_eq!(s.outcomes[1].frequency, 0.25);
        assert_eq!(s.outcomes[3].frequency, 0.0);
        // Wilson 95% for 500/1000 is 0.5 ± 0.0309; for 0/1000 it is (0, 0.00383).
        assert!((s.outcomes[0].ci95_low - 0.46907).abs() < 1e-4);
        assert!((s.outcomes[0].ci95_high - 0.53093).abs() < 1e-4);
        assert_eq!(s.outcomes[3].ci95_low, 0.0);
        assert!((s.outcomes[3].ci95_high - 0.003827).abs() < 1e-5);
    }

    #[test]
    fn equilibria_sorted_by_count_then_class_order() {
        let s = summary();
        let got: Vec<_> = s
            .equilibria
            .iter()
            .map(|e| (e.label.as_str(), e.count))
            .collect();
        // 400-400 tie: PureNash sorts before NotAnEquilibrium; 100-100 tie: profile 1
        // before profile 3.
        assert_eq!(
            got,
            [
                ("(hold, hold)", 400),
                ("not an equilibrium", 400),
                ("(hold, strike)", 100),
                ("(strike, strike)", 100),
            ]
        );
        assert_eq!(
            s.equilibria[0].class,
            EquilibriumClass::PureNash { profile: 0 }
        );
        assert_eq!(s.equilibria[2].frequency, 0.1);
    }

    #[test]
    fn final_state_rounds_and_payoffs() {
        let s = summary();
        let t = &s.final_state[0];
        assert_eq!(t.name, "tension");
        assert!((t.mean.unwrap() - 0.5).abs() < 1e-12);
        assert!((t.min.unwrap() - 0.0005).abs() < 1e-12);
        assert!((t.max.unwrap() - 0.9995).abs() < 1e-12);
        // Uniform grid: quantiles within one bin (0.005) of q.
        // (See also quantiles_never_leave_the_observed_range.)
        assert!((t.p05.unwrap() - 0.05).abs() < 0.006);
        assert!((t.p50.unwrap() - 0.5).abs() < 0.006);
        assert!((t.p95.unwrap() - 0.95).abs() < 0.006);
        let g = &s.final_state[1];
        assert_eq!(g.name, "gdp");
        assert!((g.mean.unwrap() - 100.5).abs() < 1e-12);
        assert_eq!((g.p05, g.p50, g.p95), (None, None, None));
        // Sample sd of 500 zeros and 500 ones: sqrt(250 / 999).
        assert!((g.sd.unwrap() - (250.0f64 / 999.0).sqrt()).abs() < 1e-12);
        assert!((s.rounds.mean.unwrap() - 12.0).abs() < 1e-12);
        assert_eq!((s.rounds.min, s.rounds.max), (Some(10.0), Some(14.0)));
        assert_eq!(s.payoffs[1].agent, "Freedonia");
        assert_eq!(s.payoffs[1].mean, Some(-1.0));
        assert_eq!(s.payoffs[1].sd, Some(0.0));
        // 0,1,2 repeating over 1000 runs: 334 zeros, 333 ones, 333 twos.
        assert!((s.payoffs[0].mean.unwrap() - 999.0 / 1000.0).abs() < 1e-12);
    }

    #[test]
    fn parameters_keep_order() {
        let s = summary();
        assert_eq!(
            s.parameters[0],
            Parameter {
                name: "resolve".into(),
                value: 0.75
            }
        );
        assert_eq!(s.parameters[1].name, "cost_of_war");
    }

    #[test]
    fn summary_depends_only_on_inputs_and_round_trips() {
        let a = serde_json::to_string(&summary()).unwrap();
        let b = serde_json::to_string(&summary()).unwrap();
        assert_eq!(a, b);
        // serde_json (without its float_roundtrip feature) may parse a float one
        // ulp off, so compare the parsed summary up to that.
        let back: Summary = serde_json::from_str(&a).unwrap();
        let s = summary();
        assert_eq!(back.outcomes.len(), s.outcomes.len());
        for (b, o) in back.outcomes.iter().zip(&s.outcomes) {
            assert_eq!(
                (&b.name, b.count, b.frequency),
                (&o.name, o.count, o.frequency)
            );
            assert!((b.ci95_high - o.ci95_high).abs() <= 1e-15);
        }
        assert_eq!(back.equilibria[1].class, s.equilibria[1].class);
        assert_eq!(back.final_state[1].p50, None);
        for banned in ["time", "thread", "host", "date"] {
            assert!(
                !a.to_lowercase().contains(banned),
                "summary mentions {banned}"
            );
        }
    }

    #[test]
    fn merged_chunks_give_the_same_counts_and_intervals() {
        // Chunks merged in order: counts, frequencies and intervals are identical to
        // the sequential aggregate (moments may differ in the last bits only).
        let mut merged = aggregate_of(0..313);
        merged.merge(&aggregate_of(313..1000));
        let s1 = summary();
        let s2 = Summary::new(&meta(1000), &merged, label).unwrap();
        assert_eq!(s1.outcomes, s2.outcomes);
        assert_eq!(s1.equilibria, s2.equilibria);
        assert_eq!(s1.final_state[0].p50, s2.final_state[0].p50);
    }

    #[test]
    fn empty_batch_is_summarised_without_nans() {
        let agg = BatchAggregate::new(4, 2, &[Some((0.0, 1.0)), None]);
        let s = Summary::new(&meta(0), &agg, label).unwrap();
        assert!(
            s.outcomes
                .iter()
                .all(|o| o.frequency == 0.0 && o.ci95_high == 1.0)
        );
        assert!(s.equilibria.is_empty());
        assert_eq!(s.rounds.mean, None);
        assert_eq!(s.final_state[0].p50, None);
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("NaN") && !json.contains("inf"));
    }

    #[test]
    fn mismatched_inputs_are_rejected() {
        let agg = aggregate();
        let mut m = meta(1000);
        m.outcomes.pop();
        let err = Summary::new(&m, &agg, label).unwrap_err().to_string();
        assert_eq!(
            err,
            "inconsistent summary inputs: 4 outcomes in the aggregate but 3 outcome names"
        );
        let err = Summary::new(&meta(999), &agg, label)
            .unwrap_err()
            .to_string();
        assert!(err.contains("999 runs"), "{err}");
        let mut m = meta(1000);
        m.agents.push("Sylvania".into());
        assert!(Summary::new(&m, &agg, label).is_err());
        let mut bad = agg.clone();
        bad.outcome_counts[3] += 1;
        assert!(Summary::new(&meta(1000), &bad, label).is_err());
    }

    #[test]
    fn quantiles_never_leave_the_observed_range() {
        // A variable that is 0.5 in every run: the histogram bin [0.5, 0.505) would
        // interpolate the median to 0.5025; the summary must say 0.5.
        let mut agg = BatchAggregate::new(1, 1, &[Some((0.0, 1.0))]);
        for _ in 0..100 {
            agg.record(&brink_core::RunResult {
                outcome: 0,
                equilibrium: brink_core::EquilibriumClass::NotAnEquilibrium,
                rounds: 1,
                final_state: vec![0.5],
                payoffs: vec![0.0],
                play: Vec::new(),
                ..Default::default()
            });
        }
        let v = VariableSummary::new("x", &agg.final_state[0]);
        assert_eq!((v.p05, v.p50, v.p95), (Some(0.5), Some(0.5), Some(0.5)));
    }
}
