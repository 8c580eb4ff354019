//! The report of a parameter sweep: outcome frequency against each swept parameter
//! with Wilson bands ([`AxisBins`], streamed point by point in bounded memory),
//! Sobol'/Morris indices as bar charts with their bootstrap intervals, and the first
//! points as a table.

use serde_json::Value;

use super::table::pointer_escape;
use super::{Fmt, Page, TableSpec, col, col_owned, svg, table_from_json};
use crate::stats::{Z95, wilson_interval};

/// Most points listed in the report's point table (all are in `points.csv`).
pub const MAX_POINT_ROWS: usize = 40;

/// Most bins along a parameter axis.
pub const MAX_BINS: usize = 20;

/// Outcome counts of the points of a sweep pooled in equal-width bins of one swept
/// parameter (in log space for a log range): a marginal view of each outcome's
/// frequency against the parameter, averaged over the other parameters. Deterministic
/// (points are added in point order) and of size bins × outcomes.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisBins {
    /// Parameter name.
    pub name: String,
    /// Lower end of the range.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Whether the range is logarithmic.
    pub log: bool,
    /// Per bin: number of points, sum of their parameter values, runs, and runs per
    /// outcome.
    pub bins: Vec<Bin>,
}

/// One bin of [`AxisBins`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bin {
    /// Points in the bin.
    pub points: u64,
    /// Sum of their parameter values.
    pub sum_x: f64,
    /// Runs of those points.
    pub runs: u64,
    /// Runs per outcome.
    pub counts: Vec<u64>,
}

impl AxisBins {
    /// Empty bins over `[lo, hi]` for a sweep of `points` points and `outcomes`
    /// outcomes: `min(points, MAX_BINS)` bins.
    pub fn new(name: &str, lo: f64, hi: f64, log: bool, points: usize, outcomes: usize) -> Self {
        AxisBins {
            name: name.to_owned(),
            lo,
            hi,
            log,
            bins: vec![
                Bin {
                    counts: vec![0; outcomes],
                    ..Bin::default()
                };
                points.clamp(1, MAX_BINS)
            ],
        }
    }

    /// Adds a point at parameter value `x` with `runs` runs and `counts` per outcome.
    pub fn add(&mut self, x: f64, runs: u64, counts: &[u64]) {
        let t = |v: f64| if self.log { libm::log(v) } else { v };
        let u = (t(x) - t(self.lo)) / (t(self.hi) - t(self.lo));
        let n = self.bins.len();
        let i = if u.is_finite() && u > 0.0 {
            ((u * n as f64) as usize).min(n - 1)
        } else {
            0
        };
        let b = &mut self.bins[i];
        b.points += 1;
        b.sum_x += x;
        b.runs += runs;
        for (a, c) in b.counts.iter_mut().zip(counts) {
            *a += c;
        }
    }

    /// Per outcome, the line `(mean x, pooled frequency, Wilson low, high)` over the
    /// non-empty bins.
    pub fn series(&self, outcomes: &[String]) -> Vec<svg::Series> {
        outcomes
            .iter()
            .enumerate()
            .map(|(o, name)| svg::Series {
                name: name.clone(),
                points: self
                    .bins
                    .iter()
                    .filter(|b| b.points > 0 && b.runs > 0)
                    .map(|b| {
                        let (lo, hi) = wilson_interval(b.counts[o], b.runs, Z95);
                        (
                            b.sum_x / b.points as f64,
                            b.counts[o] as f64 / b.runs as f64,
                            lo,
                            hi,
                        )
                    })
                    .collect(),
            })
            .collect()
    }
}

/// What the report of a sweep is made from. `doc` has the layout of the sweep's
/// `summary.json` (header fields, `points` — the first [`MAX_POINT_ROWS`] only —
/// and `sensitivity`), so the pointers of its table cells are valid in that file.
#[derive(Clone, Debug)]
pub struct SweepReport {
    /// The `summary.json` document, with at most [`MAX_POINT_ROWS`] points.
    pub doc: Value,
    /// Total number of points of the sweep.
    pub points: usize,
    /// Outcome names, in scenario order.
    pub outcomes: Vec<String>,
    /// One per swept parameter.
    pub axes: Vec<AxisBins>,
}

/// The sensitivity measures drawn, per kind: `(field, label, half-width field)`.
const SOBOL: [(&str, &str, &str); 2] = [
    ("s1", "S1 (first order)", "s1_conf"),
    ("st", "ST (total)", "st_conf"),
];
const MORRIS: [(&str, &str, &str); 1] = [("mu_star", "μ* (mean |effect|)", "mu_star_conf")];

/// The sweep's `report.html`.
pub fn sweep_report(r: &SweepReport) -> String {
    let doc = &r.doc;
    let s = |p: &str| super::format_value(doc.pointer(p), Fmt::Text);
    let mut page = Page::new(
        &s("/scenario"),
        &format!(
            "sweep of {} — {} design, {} points × {} runs, seed {}, brink {}",
            s("/scenario_path"),
            s("/design/kind"),
            r.points,
            s("/runs_per_point"),
            s("/seed"),
            s("/brink_version")
        ),
    );
    page.section("Design");
    page.spec_table(
        doc,
        &TableSpec {
            id: "ranges".into(),
            caption: "Swept parameters".into(),
            array: "/design/ranges".into(),
            columns: vec![
                col("name", "Parameter", Fmt::Text),
                col("lo", "From", Fmt::Num),
                col("hi", "To", Fmt::Num),
            ],
        },
    );
    page.spec_table(
        doc,
        &TableSpec {
            id: "fixed".into(),
            caption: "Fixed values (--set)".into(),
            array: "/base_overrides".into(),
            columns: vec![
                col("0", "Parameter", Fmt::Text),
                col("1", "Value", Fmt::Num),
            ],
        },
    );

    page.section("Outcome frequency against each parameter");
    page.note(
        "Points are pooled in equal-width bins of each parameter (averaging over the others); \
         lines join the pooled frequencies and bands are 95% Wilson intervals of the pooled runs. \
         Runs at different points share random numbers, so bands are indicative.",
    );
    for axis in &r.axes {
        page.figure(
            &svg::band_chart(
                &axis.name,
                &axis.name,
                axis.lo,
                axis.hi,
                axis.log,
                &axis.series(&r.outcomes),
            ),
            &format!("Outcome frequencies against {}.", axis.name),
        );
    }

    if let Some(sens) = doc.get("sensitivity").and_then(Value::as_object) {
        page.section("Sensitivity indices");
        page.note("Bars are the indices; whiskers their 95% bootstrap intervals.");
        // Scenario order (the map's own order is alphabetical).
        for outcome in &r.outcomes {
            if let Some(rows) = sens.get(outcome) {
                sensitivity(&mut page, doc, outcome, rows);
            }
        }
    }

    page.section("Points");
    if r.points > MAX_POINT_ROWS {
        page.note(&format!(
            "The first {MAX_POINT_ROWS} of {} points; all are in points.csv and summary.json.",
            r.points
        ));
    }
    let mut columns = vec![col("point", "Point", Fmt::Int)];
    let names: Vec<String> = doc
        .pointer("/parameters")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for (j, name) in names.iter().enumerate() {
        columns.push(col_owned(
            format!("parameters/{j}/value"),
            name.clone(),
            Fmt::Num,
        ));
    }
    for (o, name) in r.outcomes.iter().enumerate() {
        columns.push(col_owned(
            format!("outcomes/{o}/frequency"),
            name.clone(),
            Fmt::Pct,
        ));
    }
    page.spec_table(
        doc,
        &TableSpec {
            id: "points".into(),
            caption: "Outcome frequency per point".into(),
            array: "/points".into(),
            columns,
        },
    );
    page.finish()
}

fn sensitivity(page: &mut Page, doc: &Value, outcome: &str, rows: &Value) {
    let Some(first) = rows.as_array().and_then(|a| a.first()) else {
        return;
    };
    let (kind, measures): (&str, &[(&str, &str, &str)]) = if first.get("s1").is_some() {
        ("Sobol'", &SOBOL)
    } else if first.get("mu_star").is_some() {
        ("Morris", &MORRIS)
    } else {
        return;
    };
    page.subheading(&format!("{outcome}: {kind} indices"));
    let array = format!("/sensitivity/{}", pointer_escape(outcome));
    let mut columns = vec![col("name", "Parameter", Fmt::Text)];
    for (k, label, conf) in measures {
        columns.push(col(k, label, Fmt::Num));
        columns.push(col(conf, "± 95%", Fmt::Num));
    }
    if kind == "Morris" {
        columns.push(col("mu", "μ", Fmt::Num));
        columns.push(col("sigma", "σ", Fmt::Num));
    }
    let id = format!(
        "sens-{}",
        outcome.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    let spec = TableSpec {
        id,
        caption: format!("{kind} indices of the frequency of {outcome}"),
        array,
        columns,
    };
    if table_from_json(doc, &spec).is_none() {
        return;
    }
    page.spec_table(doc, &spec);
    let num = |r: &Value, k: &str| r.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let groups: Vec<svg::Group> = rows
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| svg::Group {
            label: r
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned(),
            values: measures
                .iter()
                .map(|(k, _, conf)| {
                    let (v, h) = (num(r, k), num(r, conf));
                    (v, h.is_finite().then_some((v - h, v + h)))
                })
                .collect(),
        })
        .collect();
    let ends = groups.iter().flat_map(|g| {
        g.values
            .iter()
            .flat_map(|(v, i)| [Some(*v), i.map(|x| x.0), i.map(|x| x.1)])
            .flatten()
            .filter(|x| x.is_finite())
    });
    let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
    // Round the axis out to tenths (Sobol') or to a tenth of the largest end (Morris).
    let unit = if kind == "Sobol'" {
        0.1
    } else {
        libm::pow(10.0, libm::floor(libm::log10(hi.max(1e-9)))) / 10.0
    };
    let lo = libm::floor(lo / unit) * unit;
    let hi = libm::ceil(
        if kind == "Sobol'" {
            hi.max(1.0)
        } else {
            hi.max(1e-9)
        } / unit,
    ) * unit;
    let series: Vec<String> = measures.iter().map(|m| m.1.to_owned()).collect();
    page.figure(
        &svg::hbar_chart(
            &format!("{kind} indices for {outcome}"),
            &groups,
            &series,
            lo,
            hi,
            false,
        ),
        &format!("{kind} indices of the frequency of {outcome}, with 95% bootstrap intervals."),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bins_pool_points_and_give_wilson_bands() {
        let mut a = AxisBins::new("x", 0.0, 1.0, false, 100, 2);
        assert_eq!(a.bins.len(), MAX_BINS);
        a.add(0.01, 10, &[3, 7]);
        a.add(0.03, 10, &[5, 5]);
        a.add(1.0, 10, &[10, 0]);
        let s = a.series(&["war".into(), "deal".into()]);
        assert_eq!(s[0].points.len(), 2);
        let (x, y, lo, hi) = s[0].points[0];
        assert!((x - 0.02).abs() < 1e-12);
        assert_eq!(y, 0.4);
        assert_eq!((lo, hi), wilson_interval(8, 20, Z95));
        assert_eq!(s[1].points[1].1, 0.0);
        // Log ranges bin in log space: 10 is the middle of [1, 100].
        let mut l = AxisBins::new("k", 1.0, 100.0, true, 2, 1);
        l.add(9.9, 1, &[1]);
        l.add(10.1, 1, &[1]);
        assert_eq!((l.bins[0].points, l.bins[1].points), (1, 1));
    }

    #[test]
    fn a_sweep_report_has_bands_index_charts_and_point_table() {
        let doc = json!({
            "scenario": "demo", "scenario_path": "d.toml", "seed": 1, "runs_per_point": 10,
            "brink_version": "0.1.0", "base_overrides": [], "parameters": ["x"],
            "design": {"kind": "sobol", "size": 2, "seed": 1,
                       "ranges": [{"name": "x", "lo": 0.0, "hi": 1.0, "log": false}]},
            "points": [{"point": 0, "parameters": [{"name": "x", "value": 0.25}], "runs": 10,
                        "outcomes": [{"name": "war", "count": 4, "frequency": 0.4,
                                      "ci95_low": 0.1, "ci95_high": 0.7}], "equilibria": []}],
            "sensitivity": {"war": [{"name": "x", "s1": 0.5, "s1_conf": 0.1, "st": 0.6, "st_conf": null}]}
        });
        let mut axis = AxisBins::new("x", 0.0, 1.0, false, 1, 1);
        axis.add(0.25, 10, &[4]);
        let html = sweep_report(&SweepReport {
            doc,
            points: 1,
            outcomes: vec!["war".into()],
            axes: vec![axis],
        });
        assert_eq!(html.matches("<svg").count(), 2, "{html}");
        assert!(html.contains("data-ptr=\"/sensitivity/war/0/s1\" data-v=\"0.5\""));
        assert!(html.contains("data-ptr=\"/points/0/outcomes/0/frequency\" data-v=\"0.4\""));
        assert!(html.contains("<table id=\"ranges\""));
        assert!(!html.contains("<table id=\"fixed\""));
    }
}
