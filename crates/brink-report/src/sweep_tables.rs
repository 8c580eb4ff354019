//! Tables of a finished sweep for people and for data frames: `points_long.csv` (one
//! row per point and outcome), `sensitivity.csv` (one row per outcome, parameter and
//! index) and the overview printed after `sweep` and `merge` (the head of the
//! per-point table and the sensitivity indices).
//!
//! The sensitivity section is read from the JSON the sweep's `summary.json` carries
//! (`{outcome: [{name, s1, s1_conf, st, st_conf}]}` for Sobol' designs,
//! `{outcome: [{name, mu, mu_star, sigma, mu_star_conf}]}` for Morris designs), so the
//! CSV and the terminal show exactly the numbers of `summary.json`.

use serde_json::Value;

use crate::render::{Align, grid, num, percent};
use crate::summary::OutcomeFrequency;

/// Name of the long-format point table.
pub const POINTS_LONG_FILE: &str = "points_long.csv";
/// Name of the sensitivity table (written when the design has indices).
pub const SENSITIVITY_FILE: &str = "sensitivity.csv";
/// Header of `sensitivity.csv`.
pub const SENSITIVITY_HEADER: [&str; 6] = [
    "outcome",
    "parameter",
    "index",
    "value",
    "ci_low",
    "ci_high",
];
/// Points shown in the overview; the rest are counted.
pub const OVERVIEW_POINTS: usize = 10;
/// Parameter columns shown in the overview's point table (the first ones swept);
/// all are in `points.csv` and `points_long.csv`.
pub const OVERVIEW_PARAMETER_COLUMNS: usize = 6;
/// Parameters shown per outcome in the overview's sensitivity table (the largest
/// total index or μ* first); all are in `sensitivity.csv`.
pub const OVERVIEW_PARAMETERS: usize = 5;

/// The header of `points_long.csv` for the swept `parameters` (CSV line).
pub fn points_long_header(parameters: &[String]) -> String {
    let mut h = vec!["point".to_owned()];
    h.extend(parameters.iter().cloned());
    h.extend(["outcome", "count", "runs", "frequency", "ci_low", "ci_high"].map(String::from));
    line(&h)
}

/// The rows of `points_long.csv` for one point: one per outcome, in scenario order.
pub fn points_long_rows(
    point: usize,
    values: &[f64],
    runs: u64,
    outcomes: &[OutcomeFrequency],
) -> String {
    let mut out = String::new();
    for o in outcomes {
        let mut r = vec![point.to_string()];
        r.extend(values.iter().map(|v| v.to_string()));
        r.extend([
            o.name.clone(),
            o.count.to_string(),
            runs.to_string(),
            o.frequency.to_string(),
            o.ci95_low.to_string(),
            o.ci95_high.to_string(),
        ]);
        out.push_str(&line(&r));
    }
    out
}

/// One index of one parameter for one outcome.
struct IndexRow<'a> {
    outcome: &'a str,
    parameter: &'a str,
    index: &'static str,
    value: Option<f64>,
    /// Half-width of the 95% interval, when the index has one.
    conf: Option<f64>,
}

/// The indices of the sensitivity section, outcome by outcome in `outcomes` order,
/// parameters in design order; empty when there is none (`null`).
fn index_rows<'a>(outcomes: &'a [String], sensitivity: &'a Value) -> Vec<IndexRow<'a>> {
    let mut rows = Vec::new();
    for outcome in outcomes {
        let Some(params) = sensitivity.get(outcome).and_then(Value::as_array) else {
            continue;
        };
        for p in params {
            let f = |k: &str| p.get(k).and_then(Value::as_f64);
            let parameter = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let indices: &[(&str, &str, Option<&str>)] = if p.get("s1").is_some() {
                &[("S1", "s1", Some("s1_conf")), ("ST", "st", Some("st_conf"))]
            } else {
                &[
                    ("mu_star", "mu_star", Some("mu_star_conf")),
                    ("mu", "mu", None),
                    ("sigma", "sigma", None),
                ]
            };
            for &(index, key, conf) in indices {
                rows.push(IndexRow {
                    outcome,
                    parameter,
                    index,
                    value: f(key),
                    conf: conf.and_then(f),
                });
            }
        }
    }
    rows
}

/// `sensitivity.csv` ([`SENSITIVITY_HEADER`]): every index of every parameter for
/// every outcome (`outcomes` in scenario order), with its 95% bootstrap interval
/// (value ± half-width; empty where the index has none or it is undefined), read
/// from the `sensitivity` section of the sweep's `summary.json`. None when the
/// section is `null` (a design without indices).
pub fn sensitivity_csv(outcomes: &[String], sensitivity: &Value) -> Option<String> {
    if sensitivity.is_null() {
        return None;
    }
    let mut out = line(&SENSITIVITY_HEADER.map(String::from));
    for r in index_rows(outcomes, sensitivity) {
        let cell = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
        let (lo, hi) = match (r.value, r.conf) {
            (Some(v), Some(c)) => (Some(v - c), Some(v + c)),
            _ => (None, None),
        };
        out.push_str(&line(&[
            r.outcome.to_owned(),
            r.parameter.to_owned(),
            r.index.to_owned(),
            cell(r.value),
            cell(lo),
            cell(hi),
        ]));
    }
    Some(out)
}

/// The overview printed after a sweep: the first [`OVERVIEW_POINTS`] points (values
/// and outcome frequencies), fed point by point, then the sensitivity table.
pub struct Overview {
    parameters: Vec<String>,
    outcomes: Vec<String>,
    rows: Vec<Vec<String>>,
    points: usize,
}

impl Overview {
    /// An overview of a sweep over `parameters` with these `outcomes`.
    pub fn new(parameters: &[String], outcomes: &[String]) -> Self {
        Overview {
            parameters: parameters.to_vec(),
            outcomes: outcomes.to_vec(),
            rows: Vec::new(),
            points: 0,
        }
    }

    /// Adds the next point (kept only if among the first [`OVERVIEW_POINTS`]).
    pub fn add(&mut self, point: usize, values: &[f64], runs: u64, outcomes: &[OutcomeFrequency]) {
        self.points += 1;
        if self.rows.len() < OVERVIEW_POINTS {
            let mut r = vec![point.to_string()];
            let shown = values.iter().take(OVERVIEW_PARAMETER_COLUMNS);
            r.extend(shown.map(|&v| num(Some(v))));
            r.push(runs.to_string());
            r.extend(outcomes.iter().map(|o| percent(o.frequency)));
            self.rows.push(r);
        }
    }

    /// The text: the point table, then (if `sensitivity` is not `null`) the indices.
    pub fn render(&self, sensitivity: &Value) -> String {
        let mut out = format!(
            "Outcome frequencies per point ({} of {} points; all in points.csv and {POINTS_LONG_FILE})\n",
            self.rows.len(),
            self.points
        );
        if self.parameters.len() > OVERVIEW_PARAMETER_COLUMNS {
            out.push_str(&format!(
                "  (values of the first {OVERVIEW_PARAMETER_COLUMNS} of {} swept parameters)\n",
                self.parameters.len()
            ));
        }
        let mut header: Vec<&str> = vec!["point"];
        let shown = self.parameters.iter().take(OVERVIEW_PARAMETER_COLUMNS);
        header.extend(shown.map(String::as_str));
        header.push("runs");
        header.extend(self.outcomes.iter().map(String::as_str));
        let mut align = vec![Align::Right; header.len()];
        align[0] = Align::Right;
        grid(&mut out, &header, &align, &self.rows);
        if self.points > self.rows.len() {
            out.push_str(&format!(
                "  … {} more points\n",
                self.points - self.rows.len()
            ));
        }
        let rows = index_rows(&self.outcomes, sensitivity);
        if rows.is_empty() {
            return out;
        }
        let sobol = rows[0].index == "S1";
        out.push_str(&match sobol {
            true => format!(
                "\nSobol' indices of each outcome's frequency: S1 first-order, ST total, 95% bootstrap intervals (top {OVERVIEW_PARAMETERS} parameters by ST; all in {SENSITIVITY_FILE})\n"
            ),
            false => format!(
                "\nMorris elementary effects on each outcome's frequency: μ* (mean |effect|) with 95% bootstrap interval, σ (spread) (top {OVERVIEW_PARAMETERS} parameters by μ*; all in {SENSITIVITY_FILE})\n"
            ),
        });
        let per = if sobol { 2 } else { 3 };
        let ci = |r: &IndexRow| match (r.value, r.conf) {
            (Some(v), Some(c)) => format!("[{}, {}]", num(Some(v - c)), num(Some(v + c))),
            _ => "—".to_owned(),
        };
        let mut table = Vec::new();
        for outcome in &self.outcomes {
            let mut params: Vec<&[IndexRow]> = rows
                .chunks(per)
                .filter(|c| c[0].outcome == outcome)
                .collect();
            // Largest ST (Sobol') or μ* (Morris) first; undefined last.
            let key = |c: &[IndexRow]| c[if sobol { 1 } else { 0 }].value.unwrap_or(f64::MIN);
            params.sort_by(|a, b| key(b).total_cmp(&key(a)));
            let n = params.len();
            for (i, c) in params.iter().take(OVERVIEW_PARAMETERS).enumerate() {
                let mut r = vec![
                    if i == 0 {
                        outcome.clone()
                    } else {
                        String::new()
                    },
                    c[0].parameter.to_owned(),
                    num(c[0].value),
                    ci(&c[0]),
                ];
                match sobol {
                    true => r.extend([num(c[1].value), ci(&c[1])]),
                    false => r.push(num(c[2].value)),
                }
                table.push(r);
            }
            if n > OVERVIEW_PARAMETERS {
                let mut r = vec![String::new(); if sobol { 6 } else { 5 }];
                r[1] = format!("… {} more", n - OVERVIEW_PARAMETERS);
                table.push(r);
            }
        }
        let (header, align): (&[&str], &[Align]) = match sobol {
            true => (
                &["outcome", "parameter", "S1", "95% CI", "ST", "95% CI"],
                &[
                    Align::Left,
                    Align::Left,
                    Align::Right,
                    Align::Left,
                    Align::Right,
                    Align::Left,
                ],
            ),
            false => (
                &["outcome", "parameter", "μ*", "95% CI", "σ"],
                &[
                    Align::Left,
                    Align::Left,
                    Align::Right,
                    Align::Left,
                    Align::Right,
                ],
            ),
        };
        grid(&mut out, header, align, &table);
        out
    }
}

fn line(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    w.write_record(cells).expect("write to memory");
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("UTF-8 in, UTF-8 out")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes() -> Vec<String> {
        vec!["war".into(), "peace".into()]
    }

    fn sobol() -> Value {
        serde_json::json!({
            "peace": [{"name": "a", "s1": 0.5, "s1_conf": 0.25, "st": 0.75, "st_conf": null}],
            "war": [
                {"name": "a", "s1": 0.1, "s1_conf": 0.05, "st": 0.2, "st_conf": 0.1},
                {"name": "b", "s1": 0.6, "s1_conf": 0.1, "st": 0.8, "st_conf": 0.2}
            ]
        })
    }

    #[test]
    fn sensitivity_csv_has_a_row_per_outcome_parameter_and_index() {
        let text = sensitivity_csv(&outcomes(), &sobol()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "outcome,parameter,index,value,ci_low,ci_high");
        assert_eq!(lines.len(), 1 + 3 * 2);
        assert_eq!(lines[1], "war,a,S1,0.1,0.05,0.15000000000000002");
        assert_eq!(lines[4], "war,b,ST,0.8,0.6000000000000001,1");
        assert_eq!(lines[6], "peace,a,ST,0.75,,");
        assert!(sensitivity_csv(&outcomes(), &Value::Null).is_none());
        let morris = serde_json::json!({"war": [
            {"name": "a", "mu": -0.5, "mu_star": 0.5, "sigma": 0.1, "mu_star_conf": 0.2}
        ]});
        let text = sensitivity_csv(&outcomes(), &morris).unwrap();
        assert_eq!(
            text.lines().skip(1).collect::<Vec<_>>(),
            [
                "war,a,mu_star,0.5,0.3,0.7",
                "war,a,mu,-0.5,,",
                "war,a,sigma,0.1,,"
            ]
        );
    }

    #[test]
    fn overview_shows_the_head_and_the_strongest_parameters_first() {
        let params = vec!["a".to_owned(), "b".to_owned()];
        let mut o = Overview::new(&params, &outcomes());
        let freq = |name: &str, f: f64| OutcomeFrequency {
            name: name.into(),
            count: 0,
            frequency: f,
            ci95_low: 0.0,
            ci95_high: 1.0,
        };
        for p in 0..OVERVIEW_POINTS + 3 {
            o.add(
                p,
                &[0.5, 2.0],
                10,
                &[freq("war", 0.25), freq("peace", 0.75)],
            );
        }
        let text = o.render(&sobol());
        assert!(text.contains(&format!(
            "({OVERVIEW_POINTS} of {} points",
            OVERVIEW_POINTS + 3
        )));
        assert!(text.contains("… 3 more points"));
        assert!(text.contains("25.0%"));
        // war: b (ST 0.8) before a (ST 0.2).
        let war = text
            .lines()
            .find(|l| l.trim_start().starts_with("war"))
            .unwrap();
        assert_eq!(war.split_whitespace().nth(1), Some("b"), "{text}");
        assert!(text.contains("[0.600, 1.000]"));
    }

    #[test]
    fn overview_caps_the_parameter_columns() {
        let params: Vec<String> = (0..8).map(|i| format!("p{i}")).collect();
        let mut o = Overview::new(&params, &outcomes());
        o.add(0, &[1.0; 8], 5, &[]);
        let text = o.render(&Value::Null);
        assert!(text.contains("first 6 of 8 swept parameters"), "{text}");
        let header = text
            .lines()
            .find(|l| l.trim_start().starts_with("point"))
            .unwrap();
        assert!(header.contains("p5") && !header.contains("p6"), "{text}");
    }
}
