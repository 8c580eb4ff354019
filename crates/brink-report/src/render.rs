//! Text renderings of a [`Summary`]: terminal table, JSON and CSV.
//!
//! All renderings are pure functions of the summary, so they are as reproducible
//! as the summary itself.

use crate::analysis::{AnalysisSummary, Share};
use crate::summary::Summary;

/// Number of equilibrium classes listed by [`table`] and drawn by
/// [`crate::plot::equilibria_svg`]; the rest are folded into one "… N more" line.
pub const TOP_EQUILIBRIA: usize = 15;

/// Header of [`outcomes_csv`].
pub const OUTCOMES_CSV_HEADER: [&str; 5] =
    ["outcome", "count", "frequency", "ci95_low", "ci95_high"];

/// Header of [`equilibria_csv`].
pub const EQUILIBRIA_CSV_HEADER: [&str; 5] =
    ["equilibrium", "count", "frequency", "ci95_low", "ci95_high"];

/// A proportion as a percentage with one decimal, e.g. `37.2%`.
pub fn percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

/// A number for the table: three decimals, or scientific notation for very large or
/// very small magnitudes; `—` for a missing value.
pub(crate) fn num(x: Option<f64>) -> String {
    match x {
        None => "—".to_owned(),
        Some(0.0) => "0.000".to_owned(),
        Some(x) if x.is_finite() && (x.abs() >= 1e6 || x.abs() < 1e-3) => format!("{x:.3e}"),
        Some(x) => format!("{x:.3}"),
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// Lays out rows under a header with columns padded to their widest cell, two
/// spaces between columns and two spaces of indent. Widths count `char`s.
pub(crate) fn grid(out: &mut String, header: &[&str], align: &[Align], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for ((cell, &w), &a) in row.iter().zip(&widths).zip(align) {
            line.push(' ');
            line.push(' ');
            let pad = w - cell.chars().count();
            match a {
                Align::Left => {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Formats `[low, high]` intervals with both ends right-aligned to the widest end
/// in the list, so that brackets and commas line up in a column.
fn intervals(bounds: &[(f64, f64)]) -> Vec<String> {
    let ends: Vec<(String, String)> = bounds
        .iter()
        .map(|&(l, h)| (percent(l), percent(h)))
        .collect();
    let wl = ends.iter().map(|e| e.0.len()).max().unwrap_or(0);
    let wh = ends.iter().map(|e| e.1.len()).max().unwrap_or(0);
    ends.iter()
        .map(|(l, h)| format!("[{l:>wl$}, {h:>wh$}]"))
        .collect()
}

/// Header of a frequency table whose first column is `first`.
fn freq_header(first: &str) -> [&str; 4] {
    [first, "count", "freq", "95% CI (Wilson)"]
}

/// The parameters set away from their defaults, `a = 1, b = 2`.
pub fn set_list(summary: &Summary) -> String {
    let set: Vec<String> = summary
        .set
        .iter()
        .map(|p| format!("{} = {}", p.name, p.value))
        .collect();
    set.join(", ")
}

/// A readable, column-aligned plain-text report for a terminal: a title line
/// (scenario, path, runs, seed), parameters and rounds, then the sections
/// Outcomes, Equilibria (top [`TOP_EQUILIBRIA`] classes and an "… N more classes"
/// line), Final state and Payoffs. Frequencies print as `37.2%  [36.9%, 37.5%]`.
pub fn table(summary: &Summary) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Scenario \"{}\" ({}): {} runs, seed {}, brink {}\n",
        summary.scenario, summary.scenario_path, summary.runs, summary.seed, summary.brink_version
    ));
    if !summary.parameters.is_empty() {
        let params: Vec<String> = summary
            .parameters
            .iter()
            .map(|p| format!("{} = {}", p.name, p.value))
            .collect();
        out.push_str(&format!("Parameters: {}\n", params.join(", ")));
    }
    if !summary.set.is_empty() {
        out.push_str(&format!(
            "Set away from the scenario's defaults: {}\n",
            set_list(summary)
        ));
    }
    let r = &summary.rounds;
    out.push_str(&format!(
        "Rounds per run: mean {}, sd {}, min {}, max {}\n",
        num(r.mean),
        num(r.sd),
        r.min.map_or("—".to_owned(), |x| format!("{x}")),
        r.max.map_or("—".to_owned(), |x| format!("{x}")),
    ));

    let freq_align = [Align::Left, Align::Right, Align::Right, Align::Left];

    out.push_str("\nOutcomes\n");
    let cis = intervals(
        &summary
            .outcomes
            .iter()
            .map(|o| (o.ci95_low, o.ci95_high))
            .collect::<Vec<_>>(),
    );
    let rows: Vec<Vec<String>> = summary
        .outcomes
        .iter()
        .zip(cis)
        .map(|(o, ci)| {
            vec![
                o.name.clone(),
                o.count.to_string(),
                percent(o.frequency),
                ci,
            ]
        })
        .collect();
    grid(&mut out, &freq_header("outcome"), &freq_align, &rows);

    out.push_str("\nEquilibria (class of the settled play)");
    if summary.agents.is_empty() {
        out.push('\n');
    } else {
        out.push_str(&format!(
            "; profiles list actions as ({})\n",
            summary.agents.join(", ")
        ));
    }
    if summary.equilibria.is_empty() {
        out.push_str("  (no runs)\n");
    } else {
        let shown = &summary.equilibria[..summary.equilibria.len().min(TOP_EQUILIBRIA)];
        let cis = intervals(
            &shown
                .iter()
                .map(|e| (e.ci95_low, e.ci95_high))
                .collect::<Vec<_>>(),
        );
        let rows: Vec<Vec<String>> = shown
            .iter()
            .zip(cis)
            .map(|(e, ci)| {
                vec![
                    e.label.clone(),
                    e.count.to_string(),
                    percent(e.frequency),
                    ci,
                ]
            })
            .collect();
        grid(&mut out, &freq_header("equilibrium"), &freq_align, &rows);
        let rest = &summary.equilibria[shown.len()..];
        if !rest.is_empty() {
            let runs: u64 = rest.iter().map(|e| e.count).sum();
            let share = if summary.runs == 0 {
                0.0
            } else {
                runs as f64 / summary.runs as f64
            };
            out.push_str(&format!(
                "  … {} more class{} ({} runs, {})\n",
                rest.len(),
                if rest.len() == 1 { "" } else { "es" },
                runs,
                percent(share)
            ));
        }
    }

    if let Some(a) = &summary.analysis {
        analysis_table(&mut out, a);
    }

    if !summary.final_state.is_empty() {
        out.push_str("\nFinal state\n");
        let rows: Vec<Vec<String>> = summary
            .final_state
            .iter()
            .map(|v| {
                vec![
                    v.name.clone(),
                    num(v.mean),
                    num(v.sd),
                    num(v.min),
                    num(v.p05),
                    num(v.p50),
                    num(v.p95),
                    num(v.max),
                ]
            })
            .collect();
        let mut align = [Align::Right; 8];
        align[0] = Align::Left;
        grid(
            &mut out,
            &["variable", "mean", "sd", "min", "p05", "p50", "p95", "max"],
            &align,
            &rows,
        );
    }

    if !summary.payoffs.is_empty() {
        out.push_str("\nPayoffs (accumulated per run)\n");
        let rows: Vec<Vec<String>> = summary
            .payoffs
            .iter()
            .map(|p| vec![p.agent.clone(), num(p.mean), num(p.sd)])
            .collect();
        grid(
            &mut out,
            &["agent", "mean", "sd"],
            &[Align::Left, Align::Right, Align::Right],
            &rows,
        );
    }
    out
}

/// The summary as pretty-printed JSON with a trailing newline (the content of
/// `summary.json`). Missing values are `null`.
pub fn json(summary: &Summary) -> String {
    // A Summary has only string keys and plain values, so serialisation cannot fail.
    let mut s = serde_json::to_string_pretty(summary).expect("a Summary always serialises");
    s.push('\n');
    s
}

fn csv_table<'a>(
    header: [&str; 5],
    rows: impl Iterator<Item = (&'a str, u64, f64, f64, f64)>,
) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    w.write_record(header).expect("write to memory");
    for (name, count, f, lo, hi) in rows {
        w.write_record([
            name.to_owned(),
            count.to_string(),
            f.to_string(),
            lo.to_string(),
            hi.to_string(),
        ])
        .expect("write to memory");
    }
    let bytes = w.into_inner().expect("flush to memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8")
}

/// Outcome frequencies as CSV, header [`OUTCOMES_CSV_HEADER`], one row per declared
/// outcome in scenario order; numbers at full precision, names quoted when needed.
pub fn outcomes_csv(summary: &Summary) -> String {
    csv_table(
        OUTCOMES_CSV_HEADER,
        summary.outcomes.iter().map(|o| {
            (
                o.name.as_str(),
                o.count,
                o.frequency,
                o.ci95_low,
                o.ci95_high,
            )
        }),
    )
}

/// Equilibrium-class frequencies as CSV, header [`EQUILIBRIA_CSV_HEADER`], one row
/// per class seen (all of them, not only the top ones), most frequent first.
pub fn equilibria_csv(summary: &Summary) -> String {
    csv_table(
        EQUILIBRIA_CSV_HEADER,
        summary.equilibria.iter().map(|e| {
            (
                e.label.as_str(),
                e.count,
                e.frequency,
                e.ci95_low,
                e.ci95_high,
            )
        }),
    )
}

/// Header of [`csv`]: one table for outcomes and equilibrium classes.
pub const FREQUENCIES_CSV_HEADER: [&str; 6] = [
    "table",
    "name",
    "count",
    "frequency",
    "ci95_low",
    "ci95_high",
];

/// One CSV table for standard output (loads as one data frame): header
/// [`FREQUENCIES_CSV_HEADER`], the outcomes (`table` = `outcome`) in scenario order,
/// then the equilibrium classes (`table` = `equilibrium`), most frequent first.
pub fn csv(summary: &Summary) -> String {
    let outcomes = summary.outcomes.iter().map(|o| {
        (
            "outcome",
            o.name.as_str(),
            o.count,
            o.frequency,
            o.ci95_low,
            o.ci95_high,
        )
    });
    let equilibria = summary.equilibria.iter().map(|e| {
        (
            "equilibrium",
            e.label.as_str(),
            e.count,
            e.frequency,
            e.ci95_low,
            e.ci95_high,
        )
    });
    let rows = outcomes
        .chain(equilibria)
        .map(|(t, name, count, f, lo, hi)| {
            [
                t.to_owned(),
                name.to_owned(),
                count.to_string(),
                f.to_string(),
                lo.to_string(),
                hi.to_string(),
            ]
        });
    records(&FREQUENCIES_CSV_HEADER, rows)
}

/// A CSV document of `header` and `rows` (each as many cells as the header), numbers
/// as given; empty for missing values.
fn records<R: IntoIterator<Item = String>>(
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    w.write_record(header).expect("write to memory");
    for row in rows {
        w.write_record(row).expect("write to memory");
    }
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("UTF-8 in, UTF-8 out")
}

/// A number with full precision for CSV; empty when missing.
fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| v.to_string())
}

fn share_cells(s: &Share) -> [String; 5] {
    [
        s.count.to_string(),
        s.runs.to_string(),
        s.frequency.to_string(),
        s.ci95_low.to_string(),
        s.ci95_high.to_string(),
    ]
}

/// Class frequencies of every concept: `concept,class,count,runs,frequency,ci95_low,ci95_high`.
pub fn concepts_csv(summary: &Summary) -> String {
    let rows: Vec<Vec<String>> = summary
        .analysis
        .iter()
        .flat_map(|a| &a.tables)
        .flat_map(|t| {
            t.classes.iter().map(|c| {
                let mut r = vec![t.concept.clone(), c.label.clone()];
                r.extend(share_cells(&c.share));
                r
            })
        })
        .collect();
    records(
        &[
            "concept",
            "class",
            "count",
            "runs",
            "frequency",
            "ci95_low",
            "ci95_high",
        ],
        rows,
    )
}

/// Outcome × class of every concept:
/// `concept,outcome,class,count,runs,frequency,ci95_low,ci95_high` (`runs` are the
/// outcome's runs, so `frequency` is the class's share of the outcome).
pub fn cross_csv(summary: &Summary) -> String {
    let rows: Vec<Vec<String>> = summary
        .analysis
        .iter()
        .flat_map(|a| &a.tables)
        .flat_map(|t| {
            t.cross.iter().map(|c| {
                let mut r = vec![t.concept.clone(), c.outcome.clone(), c.class.clone()];
                r.extend(share_cells(&c.share_of_outcome));
                r
            })
        })
        .collect();
    records(
        &[
            "concept",
            "outcome",
            "class",
            "count",
            "runs",
            "frequency",
            "ci95_low",
            "ci95_high",
        ],
        rows,
    )
}

/// Regret distributions: one row per scope (`all runs`, then each outcome) and
/// measure (`true_types`, `interim`), with the ε-equilibrium share (true types).
pub fn regret_csv(summary: &Summary) -> String {
    let mut rows = Vec::new();
    for r in summary.analysis.iter().flat_map(|a| &a.regret) {
        for (measure, d) in [("true_types", &r.true_types), ("interim", &r.interim)] {
            let mut row = vec![
                r.scope.clone(),
                measure.to_owned(),
                d.runs.to_string(),
                opt(d.mean),
                opt(d.mean_ci95_low),
                opt(d.mean_ci95_high),
                opt(d.p50),
                opt(d.p90),
                opt(d.p99),
                opt(d.max),
            ];
            if measure == "true_types" {
                let w = &r.within_epsilon;
                row.extend([
                    w.count.to_string(),
                    w.frequency.to_string(),
                    w.ci95_low.to_string(),
                    w.ci95_high.to_string(),
                ]);
            } else {
                row.extend(std::iter::repeat_n(String::new(), 4));
            }
            rows.push(row);
        }
    }
    records(
        &[
            "scope",
            "measure",
            "runs",
            "mean",
            "mean_ci95_low",
            "mean_ci95_high",
            "p50",
            "p90",
            "p99",
            "max",
            "within_epsilon",
            "within_epsilon_frequency",
            "ci95_low",
            "ci95_high",
        ],
        rows,
    )
}

/// Deliberate or tremble per outcome: `outcome,agent,count,runs,frequency,ci95_low,ci95_high`
/// (agent `all` counts runs where every agent's last action was deliberate).
pub fn deliberate_csv(summary: &Summary) -> String {
    let mut rows = Vec::new();
    for d in summary.analysis.iter().flat_map(|a| &a.deliberate) {
        let mut r = vec![d.outcome.clone(), "all".to_owned()];
        r.extend(share_cells(&d.all_agents));
        rows.push(r);
        for (agent, s) in &d.agents {
            let mut r = vec![d.outcome.clone(), agent.clone()];
            r.extend(share_cells(s));
            rows.push(r);
        }
    }
    records(
        &[
            "outcome",
            "agent",
            "count",
            "runs",
            "frequency",
            "ci95_low",
            "ci95_high",
        ],
        rows,
    )
}

/// The text sections of the equilibrium analysis.
fn analysis_table(out: &mut String, a: &AnalysisSummary) {
    let pct = |s: &Share| {
        format!(
            "{}  [{}, {}]",
            percent(s.frequency),
            percent(s.ci95_low),
            percent(s.ci95_high)
        )
    };
    out.push_str(&format!(
        "\nRegret ε of the settled play (ε-equilibrium: ε ≤ {})\n",
        a.epsilon
    ));
    let mut rows = Vec::new();
    for r in &a.regret {
        for (measure, d) in [("true types", &r.true_types), ("beliefs", &r.interim)] {
            let first = measure == "true types";
            rows.push(vec![
                if first {
                    r.scope.clone()
                } else {
                    String::new()
                },
                measure.to_owned(),
                num(d.mean),
                match (d.mean_ci95_low, d.mean_ci95_high) {
                    (Some(l), Some(h)) => format!("[{}, {}]", num(Some(l)), num(Some(h))),
                    _ => "—".to_owned(),
                },
                num(d.p50),
                num(d.p90),
                num(d.p99),
                num(d.max),
                if first {
                    pct(&r.within_epsilon)
                } else {
                    String::new()
                },
            ]);
        }
    }
    let mut align = [Align::Right; 9];
    align[0] = Align::Left;
    align[1] = Align::Left;
    align[3] = Align::Left;
    align[8] = Align::Left;
    grid(
        out,
        &[
            "runs",
            "under",
            "mean",
            "95% CI",
            "p50",
            "p90",
            "p99",
            "max",
            "ε-equilibria",
        ],
        &align,
        &rows,
    );
    if let Some(d) = &a.qre_distance {
        out.push_str(&format!(
            "Distance to the logit QRE: mean {}, p50 {}, p90 {}, max {}\n",
            num(d.mean),
            num(d.p50),
            num(d.p90),
            num(d.max)
        ));
    }
    let freq_align = [Align::Left, Align::Right, Align::Right, Align::Left];
    for t in &a.tables {
        let title = match t.concept.as_str() {
            "nash" => "Nash (true types)",
            "bayes_nash" => "Bayesian Nash (agent-type form, posterior beliefs)",
            _ => "logit QRE (each agent's own λ)",
        };
        out.push_str(&format!("\nClasses: {title}\n"));
        let shown = &t.classes[..t.classes.len().min(TOP_EQUILIBRIA)];
        let cis = intervals(
            &shown
                .iter()
                .map(|c| (c.share.ci95_low, c.share.ci95_high))
                .collect::<Vec<_>>(),
        );
        let rows: Vec<Vec<String>> = shown
            .iter()
            .zip(cis)
            .map(|(c, ci)| {
                vec![
                    c.label.clone(),
                    c.share.count.to_string(),
                    percent(c.share.frequency),
                    ci,
                ]
            })
            .collect();
        grid(out, &freq_header("class"), &freq_align, &rows);
        if t.classes.len() > shown.len() {
            out.push_str(&format!(
                "  … {} more classes\n",
                t.classes.len() - shown.len()
            ));
        }
        out.push_str(&format!(
            "Outcome × class: {title} (share of the outcome's runs)\n"
        ));
        let mut rows = Vec::new();
        let mut last = "";
        let mut shown_in = 0;
        for c in &t.cross {
            if c.outcome != last {
                last = &c.outcome;
                shown_in = 0;
            }
            shown_in += 1;
            if shown_in > 5 {
                continue;
            }
            rows.push(vec![
                if shown_in == 1 {
                    c.outcome.clone()
                } else {
                    String::new()
                },
                c.class.clone(),
                c.share_of_outcome.count.to_string(),
                pct(&c.share_of_outcome),
            ]);
        }
        grid(
            out,
            &[
                "outcome",
                "class (top 5 per outcome)",
                "count",
                "share  95% CI (Wilson)",
            ],
            &[Align::Left, Align::Left, Align::Right, Align::Left],
            &rows,
        );
    }
    out.push_str("\nDeliberate or tremble: last actions that were best replies under beliefs\n");
    let mut header = vec!["outcome", "runs", "all agents  95% CI"];
    for (n, _) in a
        .deliberate
        .first()
        .map(|d| d.agents.as_slice())
        .unwrap_or(&[])
    {
        header.push(n.as_str());
    }
    let rows: Vec<Vec<String>> = a
        .deliberate
        .iter()
        .map(|d| {
            let mut r = vec![
                d.outcome.clone(),
                d.all_agents.runs.to_string(),
                pct(&d.all_agents),
            ];
            r.extend(d.agents.iter().map(|(_, s)| percent(s.frequency)));
            r
        })
        .collect();
    let mut align = vec![Align::Right; header.len()];
    align[0] = Align::Left;
    align[2] = Align::Left;
    grid(out, &header, &align, &rows);
}

/// The final world state as CSV (`final_state.csv`): one row per state variable in
/// scenario order; empty cells where a statistic is undefined.
pub fn final_state_csv(summary: &Summary) -> String {
    let rows = summary.final_state.iter().map(|v| {
        [
            v.name.clone(),
            opt(v.mean),
            opt(v.sd),
            opt(v.min),
            opt(v.max),
            opt(v.p05),
            opt(v.p50),
            opt(v.p95),
        ]
    });
    records(
        &["variable", "mean", "sd", "min", "max", "p05", "p50", "p95"],
        rows,
    )
}

/// Accumulated payoffs as CSV (`payoffs.csv`): one row per agent in scenario order.
pub fn payoffs_csv(summary: &Summary) -> String {
    let rows = summary
        .payoffs
        .iter()
        .map(|p| [p.agent.clone(), opt(p.mean), opt(p.sd)]);
    records(&["agent", "mean", "sd"], rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{aggregate, label, meta};
    use brink_core::{EquilibriumClass, RunResult};
    use brink_mc::BatchAggregate;

    fn summary() -> Summary {
        Summary::new(&meta(1000), &aggregate(), label).unwrap()
    }

    #[test]
    fn table_has_title_sections_and_aligned_percentages() {
        let t = table(&summary());
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "Scenario \"border standoff\" (scenarios/border.toml): 1000 runs, seed 42, brink 0.1.0"
        );
        assert_eq!(lines[1], "Parameters: resolve = 0.75, cost_of_war = 3");
        assert_eq!(
            lines[2],
            "Set away from the scenario's defaults: resolve = 0.75"
        );
        assert_eq!(
            lines[3],
            "Rounds per run: mean 12.000, sd 1.415, min 10, max 14"
        );
        assert!(t.contains(
            "Equilibria (class of the settled play); profiles list actions as (Ruritania, Freedonia)\n"
        ));
        assert!(
            crate::plot::outcomes_svg(&summary())
                .unwrap()
                .contains("seed 42; set resolve = 0.75")
        );
        for section in [
            "\nOutcomes\n",
            "\nEquilibria",
            "\nFinal state\n",
            "\nPayoffs",
        ] {
            assert!(t.contains(section), "missing {section:?} in\n{t}");
        }
        // 500/1000 → 50.0% [46.9%, 53.1%]; 0/1000 → 0.0% [0.0%, 0.4%] (Wilson).
        let war = lines
            .iter()
            .find(|l| l.trim_start().starts_with("war "))
            .unwrap();
        assert!(war.ends_with("500  50.0%  [46.9%, 53.1%]"), "{war:?}");
        let cap = lines
            .iter()
            .find(|l| l.trim_start().starts_with("capitulation"))
            .unwrap();
        assert!(cap.ends_with("0   0.0%  [ 0.0%,  0.4%]"), "{cap:?}");
        // Columns line up: the interval's '[' is in the same column on every row.
        let outcome_rows: Vec<&&str> = lines[6..11].iter().filter(|l| l.contains("%  [")).collect();
        assert_eq!(outcome_rows.len(), 4);
        let col = outcome_rows[0].find('[').unwrap();
        assert!(outcome_rows.iter().all(|l| l.find('[') == Some(col)), "{t}");
        // Final state: tension has quantiles, gdp does not.
        let gdp = lines
            .iter()
            .find(|l| l.trim_start().starts_with("gdp"))
            .unwrap();
        assert_eq!(gdp.matches('—').count(), 3, "{gdp:?}");
        assert!(gdp.contains("100.500"));
        let fr = lines
            .iter()
            .find(|l| l.trim_start().starts_with("Freedonia"))
            .unwrap();
        assert!(fr.contains("-1.000"), "{fr:?}");
    }

    #[test]
    fn table_lists_top_equilibria_and_counts_the_rest() {
        // 20 classes: profile k seen k+1 times (k = 0..19), 210 runs in all.
        let mut agg = BatchAggregate::new(1, 0, &[]);
        let mut run = RunResult::default();
        for k in 0..20u64 {
            for _ in 0..=k {
                run.equilibrium = EquilibriumClass::PureNash { profile: k };
                agg.record(&run);
            }
        }
        let m = crate::SummaryMeta {
            runs: 210,
            outcomes: vec!["end".into()],
            ..Default::default()
        };
        let s = Summary::new(&m, &agg, |c| format!("{c:?}")).unwrap();
        let t = table(&s);
        assert!(t.contains("PureNash { profile: 19 }"));
        assert!(t.contains("PureNash { profile: 5 }"));
        assert!(!t.contains("PureNash { profile: 4 }"), "{t}");
        // Hidden: profiles 0..=4, seen 1+2+3+4+5 = 15 times, 15/210 = 7.1%.
        assert!(t.contains("\n  … 5 more classes (15 runs, 7.1%)\n"), "{t}");
        assert!(!t.contains("Final state") && !t.contains("Payoffs"));
    }

    #[test]
    fn json_is_pretty_with_trailing_newline_and_nulls_for_missing() {
        let j = json(&summary());
        assert!(j.starts_with("{\n  \"format_version\": 2,\n  \"brink_version\": \"0.1.0\""));
        assert!(j.ends_with("}\n") && !j.ends_with("\n\n"));
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["outcomes"][0]["name"], "war");
        assert_eq!(v["outcomes"][0]["frequency"], 0.5);
        assert_eq!(v["final_state"][1]["p50"], serde_json::Value::Null);
        assert_eq!(v["equilibria"][0]["class"]["PureNash"]["profile"], 0);
        assert_eq!(v["equilibria"][1]["class"], "NotAnEquilibrium");
        assert_eq!(v["parameters"][1]["name"], "cost_of_war");
    }

    #[test]
    fn csv_outputs_have_headers_and_quote_commas() {
        let s = summary();
        let o = outcomes_csv(&s);
        let lines: Vec<&str> = o.lines().collect();
        assert_eq!(lines[0], "outcome,count,frequency,ci95_low,ci95_high");
        assert_eq!(lines.len(), 5);
        assert!(lines[1].starts_with("war,500,0.5,0.469"), "{}", lines[1]);
        assert!(
            lines[4].starts_with("capitulation,0,0,0,0.0038"),
            "{}",
            lines[4]
        );
        let e = equilibria_csv(&s);
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines[0], "equilibrium,count,frequency,ci95_low,ci95_high");
        assert!(
            lines[1].starts_with("\"(hold, hold)\",400,0.4,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("not an equilibrium,400,0.4,"),
            "{}",
            lines[2]
        );
        // Round trip through a CSV reader gives the labels back.
        let mut r = csv::Reader::from_reader(e.as_bytes());
        let labels: Vec<String> = r.records().map(|rec| rec.unwrap()[0].to_owned()).collect();
        assert_eq!(
            labels,
            [
                "(hold, hold)",
                "not an equilibrium",
                "(hold, strike)",
                "(strike, strike)"
            ]
        );
        assert!(!o.contains('\r'));
        // Standard output gets one table: every row has the header's six fields.
        let one = csv(&s);
        let mut r = ::csv::Reader::from_reader(one.as_bytes());
        assert_eq!(r.headers().unwrap(), FREQUENCIES_CSV_HEADER.as_slice());
        let rows: Vec<_> = r.records().map(|rec| rec.unwrap()).collect();
        assert_eq!(rows.len(), 4 + 4);
        assert!(rows.iter().all(|row| row.len() == 6));
        assert_eq!(&rows[4][0], "equilibrium");
        assert_eq!(&rows[4][1], "(hold, hold)");
        assert!(one.contains("outcome,capitulation,0,0,0,0.003826"));
        // Final state and payoffs: their own tables, empty cells where undefined.
        let fs = final_state_csv(&s);
        assert!(
            fs.starts_with("variable,mean,sd,min,max,p05,p50,p95\n"),
            "{fs}"
        );
        assert_eq!(fs.lines().count(), 1 + s.final_state.len());
        let pay = payoffs_csv(&s);
        assert!(pay.starts_with("agent,mean,sd\n"), "{pay}");
        assert_eq!(pay.lines().count(), 1 + s.payoffs.len());
    }
}
