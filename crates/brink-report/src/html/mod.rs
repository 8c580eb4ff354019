//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, no
//! network) for a batch ([`run_report`]) or a sweep ([`sweep::sweep_report`]).
//!
//! Tables are **table-driven**: each is a [`TableSpec`] naming an array of objects in
//! the `summary.json` document and the columns to show ([`RUN_TABLES`] and friends),
//! rendered from `serde_json::to_value(&summary)`, i.e. from exactly the data written
//! to `summary.json`. Every number shown in a table carries its JSON pointer and exact
//! value (`data-ptr`, `data-v`), which the browser test checks against the file. To
//! show a new array of the summary (say `/regret`), add one [`TableSpec`] to
//! [`run_table_specs`]; arrays missing from a document are skipped.

pub mod svg;
pub mod sweep;
pub mod table;

use brink_mc::Histogram;
use serde_json::Value;

use crate::summary::Summary;
pub use table::{
    Cell, ColumnSpec, Fmt, Table, TableSpec, col, col_owned, format_value, table_from_json,
};

/// Name of the report file in an output directory.
pub const REPORT_FILE: &str = "report.html";

const STYLE: &str = include_str!("style.css");

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page under construction: a title and HTML fragments appended in order.
#[derive(Clone, Debug, Default)]
pub struct Page {
    title: String,
    body: String,
}

impl Page {
    /// An empty page titled `title` (also its `<h1>`), with `meta` under the title.
    pub fn new(title: &str, meta: &str) -> Self {
        Page {
            title: title.to_owned(),
            body: format!(
                "<header><h1>{}</h1><p class=\"meta\">{}</p></header>\n",
                escape(title),
                escape(meta)
            ),
        }
    }

    /// Starts a section with an `<h2>` heading.
    pub fn section(&mut self, heading: &str) {
        self.body += &format!("<h2>{}</h2>\n", escape(heading));
    }

    /// Adds a sub-heading.
    pub fn subheading(&mut self, heading: &str) {
        self.body += &format!("<h3>{}</h3>\n", escape(heading));
    }

    /// Adds a paragraph of explanatory text.
    pub fn note(&mut self, text: &str) {
        self.body += &format!("<p class=\"note\">{}</p>\n", escape(text));
    }

    /// Adds a table.
    pub fn table(&mut self, t: &Table) {
        self.body += &t.to_html();
    }

    /// Adds the table `spec` of `doc`, if its array exists and is not empty.
    pub fn spec_table(&mut self, doc: &Value, spec: &TableSpec) {
        if let Some(t) = table_from_json(doc, spec) {
            self.table(&t);
        }
    }

    /// Adds a figure: an inline SVG and its caption.
    pub fn figure(&mut self, svg: &str, caption: &str) {
        self.body += &format!(
            "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
            escape(caption)
        );
    }

    /// Opens (`true`) or closes (`false`) a responsive grid of figures.
    pub fn grid(&mut self, open: bool) {
        self.body += if open {
            "<div class=\"grid\">\n"
        } else {
            "</div>\n"
        };
    }

    /// The whole document.
    pub fn finish(self) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
             <title>{}</title><style>{STYLE}</style></head>\n<body><main>\n{}\
             <footer>Made by brink. Intervals are 95% Wilson score intervals unless stated otherwise. \
             This page is self-contained: no scripts, no network.</footer>\n</main></body></html>\n",
            escape(&self.title),
            self.body
        )
    }
}

fn spec(id: &str, caption: &str, array: &str, columns: &[ColumnSpec]) -> TableSpec {
    TableSpec {
        id: id.to_owned(),
        caption: caption.to_owned(),
        array: array.to_owned(),
        columns: columns.to_vec(),
    }
}

/// Columns of a frequency table (outcomes, equilibria): count, share, interval.
const FREQ_COLUMNS: [ColumnSpec; 4] = [
    col("count", "Runs", Fmt::Int),
    col("frequency", "Share", Fmt::Pct),
    col("ci95_low", "95% CI low", Fmt::Pct),
    col("ci95_high", "95% CI high", Fmt::Pct),
];

fn with_first(first: ColumnSpec, rest: &[ColumnSpec]) -> Vec<ColumnSpec> {
    std::iter::once(first).chain(rest.iter().cloned()).collect()
}

/// The tables of a batch's report, in page order, as `(section, spec)`: parameters,
/// outcomes, equilibria, final state, payoffs. New arrays of `summary.json` (e.g.
/// equilibrium-analysis tables) are added here.
pub fn run_table_specs() -> Vec<(&'static str, TableSpec)> {
    vec![
        (
            "Scenario",
            spec(
                "parameters",
                "Parameters",
                "/parameters",
                &[
                    col("name", "Parameter", Fmt::Text),
                    col("value", "Value", Fmt::Num),
                ],
            ),
        ),
        (
            "Outcomes",
            spec(
                "outcomes",
                "Outcome frequencies",
                "/outcomes",
                &with_first(col("name", "Outcome", Fmt::Text), &FREQ_COLUMNS),
            ),
        ),
        (
            "Equilibria",
            spec(
                "equilibria",
                "Equilibrium class of settled play",
                "/equilibria",
                &with_first(col("label", "Class", Fmt::Text), &FREQ_COLUMNS),
            ),
        ),
        (
            "Final state",
            spec(
                "final_state",
                "Final world state over runs",
                "/final_state",
                &[
                    col("name", "Variable", Fmt::Text),
                    col("mean", "Mean", Fmt::Num),
                    col("sd", "SD", Fmt::Num),
                    col("min", "Min", Fmt::Num),
                    col("p05", "5%", Fmt::Num),
                    col("p50", "Median", Fmt::Num),
                    col("p95", "95%", Fmt::Num),
                    col("max", "Max", Fmt::Num),
                ],
            ),
        ),
        (
            "Payoffs",
            spec(
                "payoffs",
                "Accumulated payoff per agent",
                "/payoffs",
                &[
                    col("agent", "Agent", Fmt::Text),
                    col("mean", "Mean", Fmt::Num),
                    col("sd", "SD", Fmt::Num),
                ],
            ),
        ),
    ]
}

/// Bars with Wilson whiskers of the frequency array at `array` in `doc`, labelled by
/// `key`; None when the array is missing or empty.
fn frequency_chart(doc: &Value, array: &str, key: &str, title: &str) -> Option<String> {
    let rows = doc.pointer(array)?.as_array()?;
    if rows.is_empty() {
        return None;
    }
    let num = |r: &Value, k: &str| r.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let groups: Vec<svg::Group> = rows
        .iter()
        .map(|r| svg::Group {
            label: r.get(key).and_then(Value::as_str).unwrap_or("?").to_owned(),
            values: vec![(
                num(r, "frequency"),
                Some((num(r, "ci95_low"), num(r, "ci95_high"))),
            )],
        })
        .collect();
    let max = groups
        .iter()
        .filter_map(|g| g.values[0].1.map(|(_, hi)| hi))
        .fold(0.0f64, f64::max);
    let top = if max > 0.5 {
        1.0
    } else {
        (max * 10.0).ceil().max(1.0) / 10.0
    };
    Some(svg::hbar_chart(
        title,
        &groups,
        &["share".into()],
        0.0,
        top,
        true,
    ))
}

/// Merges bins so a histogram of many bins (200 for state variables) shows at most
/// 50 equal-width ones; counts whose number has no suitable divisor stay as they are.
pub fn coarsen(counts: &[u64]) -> Vec<u64> {
    let n = counts.len();
    match (2..=n / 10).find(|&k| n.is_multiple_of(k) && n / k <= 50) {
        Some(k) if n > 50 => counts.chunks(k).map(|c| c.iter().sum()).collect(),
        _ => counts.to_vec(),
    }
}

/// The report of one batch: `summary` (rendered from its `summary.json` form) and the
/// final-state histograms of bounded variables, in scenario order (None: unbounded).
pub fn run_report(summary: &Summary, histograms: &[Option<&Histogram>]) -> String {
    let doc = serde_json::to_value(summary).expect("a summary is serialisable");
    let mut page = Page::new(
        &summary.scenario,
        &format!(
            "{} — {} runs, seed {}, brink {}",
            summary.scenario_path, summary.runs, summary.seed, summary.brink_version
        ),
    );
    let mut current = "";
    for (section, spec) in run_table_specs() {
        if table_from_json(&doc, &spec).is_none() {
            continue;
        }
        if section != current {
            page.section(section);
            current = section;
        }
        page.spec_table(&doc, &spec);
        match spec.array.as_str() {
            "/outcomes" => {
                if let Some(svg) = frequency_chart(&doc, "/outcomes", "name", "Outcome frequencies")
                {
                    page.figure(
                        &svg,
                        "Share of runs ending in each outcome, with 95% Wilson intervals.",
                    );
                }
            }
            "/equilibria" => {
                if let Some(svg) =
                    frequency_chart(&doc, "/equilibria", "label", "Equilibrium classes")
                {
                    page.figure(&svg, "Share of runs whose settled play fell in each class, with 95% Wilson intervals.");
                }
            }
            "/final_state" => final_state_figures(&mut page, summary, histograms),
            _ => {}
        }
    }
    page.note(&format!(
        "Rounds played: mean {}, SD {}, min {}, max {}.",
        format_value(doc.pointer("/rounds/mean"), Fmt::Num),
        format_value(doc.pointer("/rounds/sd"), Fmt::Num),
        format_value(doc.pointer("/rounds/min"), Fmt::Num),
        format_value(doc.pointer("/rounds/max"), Fmt::Num)
    ));
    analysis_tables(&mut page, &doc);
    page.finish()
}

/// Share columns (count, frequency and its Wilson interval) of the object at `at`.
fn share_columns(at: &str) -> Vec<ColumnSpec> {
    [
        ("count", "Runs", Fmt::Int),
        ("frequency", "Share", Fmt::Pct),
        ("ci95_low", "95% CI low", Fmt::Pct),
        ("ci95_high", "95% CI high", Fmt::Pct),
    ]
    .into_iter()
    .map(|(k, h, f)| col_owned(format!("{at}/{k}"), h.to_owned(), f))
    .collect()
}

/// The equilibrium analysis, when the summary has one (docs/SCENARIO.md §11): regret
/// of the settled play, each concept's classes and outcome × class table, and the
/// share of runs whose last actions were deliberate.
fn analysis_tables(page: &mut Page, doc: &Value) {
    let Some(tables) = doc.pointer("/analysis/tables").and_then(Value::as_array) else {
        return;
    };
    page.section("Equilibrium analysis");
    let eps = format_value(doc.pointer("/analysis/epsilon"), Fmt::Num);
    let mut regret = vec![
        col("scope", "Runs", Fmt::Text),
        col("true_types/mean", "ε mean (true types)", Fmt::Num),
        col("true_types/p50", "p50", Fmt::Num),
        col("true_types/p90", "p90", Fmt::Num),
        col("true_types/p99", "p99", Fmt::Num),
        col("true_types/max", "max", Fmt::Num),
        col("interim/mean", "ε mean (beliefs)", Fmt::Num),
    ];
    regret.extend(share_columns("within_epsilon").into_iter().skip(1));
    regret[7].header = format!("Share with ε ≤ {eps}").into();
    let caption = "Regret ε of the settled play: the most any agent could gain by deviating alone";
    page.spec_table(doc, &spec("regret", caption, "/analysis/regret", &regret));
    for (i, t) in tables.iter().enumerate() {
        let concept = match t.get("concept").and_then(Value::as_str) {
            Some("nash") => "Nash (true types)",
            Some("bayes_nash") => "Bayesian Nash (agent-type form, posterior beliefs)",
            _ => "logit QRE (each agent's own λ)",
        };
        let mut classes = vec![col("label", "Class", Fmt::Text)];
        classes.extend(share_columns("share"));
        let array = format!("/analysis/tables/{i}/classes");
        page.spec_table(
            doc,
            &spec(&format!("classes-{i}"), concept, &array, &classes),
        );
        let mut cross = vec![
            col("outcome", "Outcome", Fmt::Text),
            col("class", "Class", Fmt::Text),
        ];
        cross.extend(share_columns("share_of_outcome"));
        let array = format!("/analysis/tables/{i}/cross");
        let caption = format!("Outcome × class: {concept} (share of the outcome's runs)");
        page.spec_table(doc, &spec(&format!("cross-{i}"), &caption, &array, &cross));
    }
    let mut deliberate = vec![col("outcome", "Outcome", Fmt::Text)];
    deliberate.extend(share_columns("all_agents"));
    deliberate[1].header = "Runs".into();
    deliberate[1].key = "all_agents/runs".into();
    deliberate[2].header = "All agents deliberate".into();
    let agents = doc
        .pointer("/analysis/deliberate/0/agents")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (k, a) in agents.iter().enumerate() {
        let name = a.pointer("/0").and_then(Value::as_str).unwrap_or("?");
        deliberate.push(col_owned(
            format!("agents/{k}/1/frequency"),
            name.to_owned(),
            Fmt::Pct,
        ));
    }
    let caption = "Deliberate or tremble: the last actions that were best replies under beliefs";
    page.spec_table(
        doc,
        &spec("deliberate", caption, "/analysis/deliberate", &deliberate),
    );
}

fn final_state_figures(page: &mut Page, summary: &Summary, histograms: &[Option<&Histogram>]) {
    let shown: Vec<_> = summary
        .final_state
        .iter()
        .zip(histograms)
        .filter_map(|(v, h)| {
            h.filter(|h| h.counts.iter().any(|&c| c > 0))
                .map(|h| (v, h))
        })
        .collect();
    if shown.is_empty() {
        return;
    }
    page.grid(true);
    for (v, h) in shown {
        let counts = coarsen(&h.counts);
        page.figure(
            &svg::histogram(&v.name, h.lo, h.hi, &counts),
            &format!(
                "{}: distribution of the final value over runs ({} bins over [{}, {}]).",
                v.name,
                counts.len(),
                svg::tick(h.lo, false),
                svg::tick(h.hi, false)
            ),
        );
    }
    page.grid(false);
    let unbounded: Vec<&str> = summary
        .final_state
        .iter()
        .zip(histograms)
        .filter(|(_, h)| h.is_none())
        .map(|(v, _)| v.name.as_str())
        .collect();
    if !unbounded.is_empty() {
        page.note(&format!(
            "No histogram for variables without declared bounds: {}.",
            unbounded.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{aggregate, label, meta};

    fn report() -> String {
        let agg = aggregate();
        let s = Summary::new(&meta(1000), &agg, label).unwrap();
        let h: Vec<_> = agg
            .final_state
            .iter()
            .map(|v| v.histogram.as_ref())
            .collect();
        run_report(&s, &h)
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn coarsen_keeps_totals() {
        let c: Vec<u64> = (0..200).collect();
        let d = coarsen(&c);
        assert_eq!(d.len(), 50);
        assert_eq!(d.iter().sum::<u64>(), c.iter().sum::<u64>());
        assert_eq!(coarsen(&[1, 2, 3]), [1, 2, 3]);
        // 53 bins (prime): kept as they are, never merged into one.
        assert_eq!(coarsen(&[1; 53]).len(), 53);
    }

    #[test]
    fn a_run_report_is_self_contained_and_shows_every_table() {
        let r = report();
        assert!(r.starts_with("<!DOCTYPE html>"));
        for id in [
            "parameters",
            "outcomes",
            "equilibria",
            "final_state",
            "payoffs",
        ] {
            assert!(r.contains(&format!("<table id=\"{id}\"")), "{id}");
        }
        // 2 frequency charts and one histogram (gdp is unbounded).
        assert_eq!(r.matches("<svg").count(), 3);
        assert!(r.contains("without declared bounds: gdp"));
        assert!(
            r.contains("data-ptr=\"/outcomes/0/frequency\" data-v=\"0.5\" data-fmt=\"pct\">50.0%<")
        );
        assert!(!r.contains("<script"));
        assert!(
            !r.contains("http://")
                || !r
                    .replace("http://www.w3.org/2000/svg", "")
                    .contains("http://")
        );
        assert!(!r.contains("https://"));
    }
}
