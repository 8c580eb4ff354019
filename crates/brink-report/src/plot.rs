//! SVG bar charts of frequencies with Wilson 95% interval whiskers.
//!
//! Two charts, written as two files by [`crate::files::write_outputs`]:
//! `outcomes.svg` (every declared outcome, in scenario order) and `equilibria.svg`
//! (the [`TOP_EQUILIBRIA`] most frequent equilibrium classes, with a note counting
//! the rest). Two files rather than two panels in one, so that each chart's height
//! follows its own number of bars and each mirrors one CSV file.
//!
//! Bars are horizontal so that long labels such as `(sanction, covert, stall)` stay
//! readable; the frequency axis runs from 0% to 100%, and each bar is annotated
//! with its percentage.
//!
//! The charts are drawn with plotters' SVG backend and its built-in "naive" font
//! metrics: no system fonts and no font crate are needed. The SVG carries `<text>`
//! elements in the generic `sans-serif` family, which the viewer resolves; label
//! widths are estimated from character counts.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::ReportError;
use crate::render::{TOP_EQUILIBRIA, percent};
use crate::summary::Summary;

/// One bar: a label, a frequency in `[0, 1]` and its interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar<'a> {
    /// Category label, drawn left of the bar (truncated with `…` past
    /// [`MAX_LABEL_CHARS`] characters).
    pub label: &'a str,
    /// Bar length, a proportion in `[0, 1]`.
    pub frequency: f64,
    /// Left end of the whisker.
    pub low: f64,
    /// Right end of the whisker.
    pub high: f64,
}

/// Fill colour of the bars, as it appears in the SVG.
pub const BAR_COLOR: RGBColor = RGBColor(0x4c, 0x78, 0xa8);
/// Stroke colour of the interval whiskers, as it appears in the SVG.
pub const WHISKER_COLOR: RGBColor = RGBColor(0x1a, 0x1a, 0x1a);
/// Labels longer than this many characters are shortened with `…` in charts (the
/// CSV and JSON outputs keep them whole).
pub const MAX_LABEL_CHARS: usize = 60;

const GRID_COLOR: RGBColor = RGBColor(0xe0, 0xe0, 0xe0);
const TEXT_COLOR: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED_COLOR: RGBColor = RGBColor(0x66, 0x66, 0x66);

/// plotters writes `font-size = size / 1.24`; these are the sizes asked of it so that
/// the SVG says 18, 14 and 12 px (these three divide back exactly).
const TITLE_SIZE: f64 = 18.0 * 1.24;
const LABEL_SIZE: f64 = 14.0 * 1.24;
const SMALL_SIZE: f64 = 12.0 * 1.24;
/// Average glyph advance of a 14 px sans-serif font, generously estimated.
const LABEL_CHAR_PX: f64 = 8.0;

const ROW_PX: u32 = 30;
const TOP_PX: u32 = 70;
const AXIS_PX: u32 = 48;
const NOTE_PX: u32 = 24;
const PLOT_PX: u32 = 560;
const RIGHT_PX: u32 = 64;

fn plot_err(e: impl std::fmt::Display) -> ReportError {
    ReportError::Plot {
        message: e.to_string(),
    }
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL_CHARS {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(MAX_LABEL_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// Draws a horizontal bar chart of proportions, first bar at the top, with a
/// whisker from `low` to `high` on every bar, a title, a subtitle under it and an
/// optional note under the axis. Returns the SVG document.
pub fn bar_chart_svg(
    title: &str,
    subtitle: &str,
    bars: &[Bar<'_>],
    note: Option<&str>,
) -> Result<String, ReportError> {
    let labels: Vec<String> = bars.iter().map(|b| shorten(b.label)).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let label_px = ((longest as f64 * LABEL_CHAR_PX).ceil() as u32 + 20).max(90);
    let rows = bars.len().max(1) as u32;
    let width = label_px + PLOT_PX + RIGHT_PX;
    let note_px = if note.is_some() { NOTE_PX } else { 0 };
    let height = TOP_PX + rows * ROW_PX + AXIS_PX + note_px + 8;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let title_style = ("sans-serif", TITLE_SIZE)
            .into_font()
            .style(FontStyle::Bold)
            .color(&TEXT_COLOR)
            .pos(Pos::new(HPos::Left, VPos::Top));
        let small_style = ("sans-serif", SMALL_SIZE)
            .into_font()
            .color(&MUTED_COLOR)
            .pos(Pos::new(HPos::Left, VPos::Top));
        root.draw(&Text::new(title.to_owned(), (16, 14), title_style))
            .map_err(plot_err)?;
        root.draw(&Text::new(
            subtitle.to_owned(),
            (16, 40),
            small_style.clone(),
        ))
        .map_err(plot_err)?;

        let n = bars.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(TOP_PX)
            .margin_right(RIGHT_PX)
            .margin_bottom(note_px + 8)
            .x_label_area_size(AXIS_PX)
            .y_label_area_size(label_px)
            .build_cartesian_2d(0f64..1f64, 0f64..n.max(1.0))
            .map_err(plot_err)?;
        let pct = |x: &f64| format!("{:.0}%", x * 100.0);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&pct)
            .x_desc("frequency (bar) with Wilson 95% interval (whisker)")
            .max_light_lines(0)
            .bold_line_style(GRID_COLOR)
            .axis_style(MUTED_COLOR)
            .label_style(("sans-serif", SMALL_SIZE).into_font().color(&TEXT_COLOR))
            .axis_desc_style(("sans-serif", SMALL_SIZE).into_font().color(&MUTED_COLOR))
            .draw()
            .map_err(plot_err)?;

        // Row i (0 = first bar) is drawn at the top: centre at n - i - 0.5.
        let centre = |i: usize| n - i as f64 - 0.5;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let y = centre(i);
                Rectangle::new(
                    [(0.0, y - 0.32), (b.frequency.clamp(0.0, 1.0), y + 0.32)],
                    BAR_COLOR.filled(),
                )
            }))
            .map_err(plot_err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let (y, cap) = (centre(i), 0.18);
                let (lo, hi) = (b.low.clamp(0.0, 1.0), b.high.clamp(0.0, 1.0));
                PathElement::new(
                    vec![
                        (lo, y - cap),
                        (lo, y + cap),
                        (lo, y),
                        (hi, y),
                        (hi, y + cap),
                        (hi, y - cap),
                    ],
                    WHISKER_COLOR.stroke_width(2),
                )
            }))
            .map_err(plot_err)?;

        let label_style = ("sans-serif", LABEL_SIZE)
            .into_font()
            .color(&TEXT_COLOR)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let value_style = ("sans-serif", SMALL_SIZE)
            .into_font()
            .color(&TEXT_COLOR)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, (b, label)) in bars.iter().zip(&labels).enumerate() {
            let (x0, y) = chart.backend_coord(&(0.0, centre(i)));
            root.draw(&Text::new(label.clone(), (x0 - 8, y), label_style.clone()))
                .map_err(plot_err)?;
            let (xr, _) =
                chart.backend_coord(&(b.high.max(b.frequency).clamp(0.0, 1.0), centre(i)));
            root.draw(&Text::new(
                percent(b.frequency),
                (xr + 6, y),
                value_style.clone(),
            ))
            .map_err(plot_err)?;
        }
        if bars.is_empty() {
            let (x, y) = chart.backend_coord(&(0.5, 0.5));
            let style = ("sans-serif", LABEL_SIZE)
                .into_font()
                .color(&MUTED_COLOR)
                .pos(Pos::new(HPos::Center, VPos::Center));
            root.draw(&Text::new("no runs", (x, y), style))
                .map_err(plot_err)?;
        }
        if let Some(note) = note {
            let y = (height - NOTE_PX) as i32;
            root.draw(&Text::new(note.to_owned(), (16, y), small_style))
                .map_err(plot_err)?;
        }
        root.present().map_err(plot_err)?;
    }
    svg.push('\n');
    Ok(svg)
}

fn subtitle(summary: &Summary) -> String {
    let set = if summary.set.is_empty() {
        String::new()
    } else {
        format!("; set {}", crate::render::set_list(summary))
    };
    format!(
        "{} — {} runs, seed {}{set}",
        if summary.scenario_path.is_empty() {
            &summary.scenario
        } else {
            &summary.scenario_path
        },
        summary.runs,
        summary.seed
    )
}

/// Bar chart of every declared outcome's frequency, in scenario order (the content
/// of `outcomes.svg`).
pub fn outcomes_svg(summary: &Summary) -> Result<String, ReportError> {
    let bars: Vec<Bar<'_>> = summary
        .outcomes
        .iter()
        .map(|o| Bar {
            label: &o.name,
            frequency: o.frequency,
            low: o.ci95_low,
            high: o.ci95_high,
        })
        .collect();
    bar_chart_svg(
        &format!("Outcomes: {}", summary.scenario),
        &subtitle(summary),
        &bars,
        None,
    )
}

/// Bar chart of the [`TOP_EQUILIBRIA`] most frequent equilibrium classes, most
/// frequent at the top, with a note counting the classes left out (the content of
/// `equilibria.svg`).
pub fn equilibria_svg(summary: &Summary) -> Result<String, ReportError> {
    let shown = &summary.equilibria[..summary.equilibria.len().min(TOP_EQUILIBRIA)];
    let bars: Vec<Bar<'_>> = shown
        .iter()
        .map(|e| Bar {
            label: &e.label,
            frequency: e.frequency,
            low: e.ci95_low,
            high: e.ci95_high,
        })
        .collect();
    let rest = &summary.equilibria[shown.len()..];
    let note = (!rest.is_empty()).then(|| {
        let runs: u64 = rest.iter().map(|e| e.count).sum();
        format!(
            "… {} more class{} not shown ({} runs, {})",
            rest.len(),
            if rest.len() == 1 { "" } else { "es" },
            runs,
            percent(runs as f64 / summary.runs.max(1) as f64)
        )
    });
    bar_chart_svg(
        &format!("Equilibria of settled play: {}", summary.scenario),
        &subtitle(summary),
        &bars,
        note.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{aggregate, label, meta};

    fn colour(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    /// Value of attribute `name` in an element's text.
    fn attr<'a>(element: &'a str, name: &str) -> Option<&'a str> {
        let key = format!(" {name}=\"");
        let start = element.find(&key)? + key.len();
        let len = element[start..].find('"')?;
        Some(&element[start..start + len])
    }

    /// All elements `<tag …/>` or `<tag …>` whose `attribute` equals `value`
    /// (case-insensitive).
    fn elements<'a>(svg: &'a str, tag: &str, attribute: &str, value: &str) -> Vec<&'a str> {
        let open = format!("<{tag} ");
        svg.match_indices(&open)
            .map(|(i, _)| &svg[i..i + svg[i..].find('>').unwrap()])
            .filter(|e| attr(e, attribute).is_some_and(|v| v.eq_ignore_ascii_case(value)))
            .collect()
    }

    /// The trimmed contents of every `<text>` element.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text ")
            .skip(1)
            .map(|t| {
                let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
                body.trim().to_owned()
            })
            .collect()
    }

    fn has_text(svg: &str, text: &str) -> bool {
        texts(svg).iter().any(|t| t == text)
    }

    fn bar_widths(svg: &str) -> Vec<f64> {
        elements(svg, "rect", "fill", &colour(BAR_COLOR))
            .iter()
            .map(|e| attr(e, "width").unwrap().parse().unwrap())
            .collect()
    }

    /// (min x, max x) of each whisker polyline.
    fn whiskers(svg: &str) -> Vec<(f64, f64)> {
        elements(svg, "polyline", "stroke", &colour(WHISKER_COLOR))
            .iter()
            .map(|e| {
                let xs: Vec<f64> = attr(e, "points")
                    .unwrap()
                    .split_whitespace()
                    .map(|p| p.split(',').next().unwrap().parse().unwrap())
                    .collect();
                (
                    xs.iter().cloned().fold(f64::INFINITY, f64::min),
                    xs.iter().cloned().fold(0.0, f64::max),
                )
            })
            .collect()
    }

    #[test]
    fn outcome_chart_is_svg_with_labels_and_a_whisker_per_bar() {
        let s = Summary::new(&meta(1000), &aggregate(), label).unwrap();
        let svg = outcomes_svg(&s).unwrap();
        assert!(svg.starts_with("<svg "), "{}", &svg[..80]);
        assert!(svg.trim_end().ends_with("</svg>"));
        for name in ["war", "deal", "stalemate", "capitulation"] {
            assert!(has_text(&svg, name), "no label {name}");
        }
        assert!(has_text(&svg, "50.0%") && has_text(&svg, "25.0%") && has_text(&svg, "0.0%"));
        assert_eq!(bar_widths(&svg).len(), 4);
        assert_eq!(whiskers(&svg).len(), 4);
        // Every opened text element is closed: a cheap well-formedness check.
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    }

    #[test]
    fn bar_lengths_and_whiskers_are_proportional_to_values() {
        let freqs = [0.5, 0.25, 0.2, 0.05, 1.0, 0.0];
        let bars: Vec<Bar<'_>> = freqs
            .iter()
            .map(|&f| Bar {
                label: "x",
                frequency: f,
                low: f * 0.8,
                high: (f * 1.2).min(1.0),
            })
            .collect();
        let svg = bar_chart_svg("t", "s", &bars, None).unwrap();
        let widths = bar_widths(&svg);
        assert_eq!(widths.len(), freqs.len());
        // The 100% bar spans the plot: every other bar is its frequency times that,
        // to within a pixel of rounding.
        let full = widths[4];
        assert!(full > 400.0, "full-scale bar only {full} px");
        for (w, f) in widths.iter().zip(freqs) {
            assert!((w - f * full).abs() <= 1.0, "bar {f}: {w} px of {full}");
        }
        // Whiskers start where their bars start and end at ±20% of the bar's length.
        let left = whiskers(&svg)[5].0; // the 0% bar's whisker sits at the origin
        for ((lo, hi), f) in whiskers(&svg).iter().zip(freqs) {
            assert!(
                (lo - left - 0.8 * f * full).abs() <= 1.0,
                "whisker low for {f}"
            );
            assert!(
                (hi - left - (1.2 * f).min(1.0) * full).abs() <= 1.0,
                "whisker high for {f}"
            );
        }
    }

    #[test]
    fn equilibrium_chart_shows_top_classes_and_notes_the_rest() {
        let s = Summary::new(&meta(1000), &aggregate(), label).unwrap();
        let svg = equilibria_svg(&s).unwrap();
        for e in &s.equilibria {
            assert!(has_text(&svg, &e.label), "no label {}", e.label);
        }
        assert_eq!(whiskers(&svg).len(), 4);
        assert!(!svg.contains("more class"));

        let mut many = s.clone();
        many.equilibria = (0..20)
            .map(|k| crate::summary::EquilibriumFrequency {
                label: format!("class {k}"),
                class: brink_core::EquilibriumClass::PureNash { profile: k },
                count: 50,
                frequency: 0.05,
                ci95_low: 0.04,
                ci95_high: 0.06,
            })
            .collect();
        let svg = equilibria_svg(&many).unwrap();
        assert_eq!(bar_widths(&svg).len(), TOP_EQUILIBRIA);
        assert!(has_text(&svg, "class 14") && !has_text(&svg, "class 15"));
        assert!(has_text(
            &svg,
            "… 5 more classes not shown (250 runs, 25.0%)"
        ));
    }

    #[test]
    fn long_and_special_labels_are_escaped_and_shortened() {
        let long = "a".repeat(100);
        let bars = [
            Bar {
                label: "peace & <quiet>",
                frequency: 0.5,
                low: 0.4,
                high: 0.6,
            },
            Bar {
                label: &long,
                frequency: 0.5,
                low: 0.4,
                high: 0.6,
            },
        ];
        let svg = bar_chart_svg("t", "s", &bars, None).unwrap();
        assert!(has_text(&svg, "peace &amp; &lt;quiet&gt;"));
        assert!(has_text(
            &svg,
            &format!("{}…", "a".repeat(MAX_LABEL_CHARS - 1))
        ));
        assert!(!svg.contains(&long));
    }

    #[test]
    fn empty_chart_says_no_runs() {
        let svg = bar_chart_svg("t", "s", &[], None).unwrap();
        assert!(has_text(&svg, "no runs"));
        assert!(bar_widths(&svg).is_empty());
    }
}
