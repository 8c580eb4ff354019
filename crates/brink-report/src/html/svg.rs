//! Inline SVG figures for `report.html`: horizontal bars with interval whiskers,
//! histograms and lines with confidence bands. Hand-written (a few dozen elements
//! each), scaled by their `viewBox` so they fit any width, drawn with system-font
//! text and no external resources.

use std::fmt::Write as _;

use super::escape;

/// Colour-blind-safe palette (Okabe & Ito).
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#999999", "#000000",
];

/// Width of the bar and band charts' coordinate system.
const W: f64 = 520.0;

/// One group of bars (a row) of [`hbar_chart`]: its label and, per series, the value
/// and optionally an interval drawn as a whisker.
#[derive(Clone, Debug)]
pub struct Group {
    /// Row label.
    pub label: String,
    /// Per series: value and interval `(lo, hi)`.
    pub values: Vec<(f64, Option<(f64, f64)>)>,
}

/// A short number for axis ticks: up to three decimals, trailing zeros removed.
pub fn tick(v: f64, pct: bool) -> String {
    if pct {
        return format!("{}%", trim(100.0 * v, 1));
    }
    trim(v, 3)
}

fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

fn open(w: f64, h: f64, label: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-label=\"{}\" font-family=\"system-ui, sans-serif\" font-size=\"12\">",
        escape(label)
    )
}

/// Lays out legend entries in rows across the width: `(x, row)` per entry.
fn legend_layout(names: &[String]) -> (Vec<(f64, usize)>, usize) {
    let mut out = Vec::with_capacity(names.len());
    let (mut x, mut row) = (10.0, 0);
    for n in names {
        let w = 26.0 + 7.0 * shorten(n, 28).chars().count() as f64;
        if x > 10.0 && x + w > W - 10.0 {
            x = 10.0;
            row += 1;
        }
        out.push((x, row));
        x += w;
    }
    let rows = if names.is_empty() { 0 } else { row + 1 };
    (out, rows)
}

/// Height of the legend of `names`.
fn legend_height(names: &[String]) -> f64 {
    18.0 * legend_layout(names).1 as f64 + 6.0
}

/// Draws the legend with its first row's baseline at `y`.
fn legend(s: &mut String, names: &[String], y: f64) {
    let (layout, _) = legend_layout(names);
    for (i, (n, (x, row))) in names.iter().zip(layout).enumerate() {
        let y = y + 18.0 * row as f64;
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            y - 10.0,
            PALETTE[i % PALETTE.len()],
            x + 16.0,
            y,
            escape(&shorten(n, 28))
        );
    }
}

/// Horizontal bars, one row per group and one bar per series, with whiskers for
/// intervals, over the axis `[x0, x1]` (which should contain 0). `pct` formats the
/// axis as percentages.
pub fn hbar_chart(
    label: &str,
    groups: &[Group],
    series: &[String],
    x0: f64,
    x1: f64,
    pct: bool,
) -> String {
    let k = series.len().max(1) as f64;
    let bar_h = 14.0;
    let row_h = bar_h * k + 10.0;
    let top = 10.0;
    let legend_h = if series.len() > 1 {
        legend_height(series)
    } else {
        0.0
    };
    let h = top + row_h * groups.len() as f64 + 30.0 + legend_h;
    let (left, right) = (170.0, W - 20.0);
    let span = if x1 > x0 { x1 - x0 } else { 1.0 };
    let sx = |v: f64| left + (v.clamp(x0, x1) - x0) / span * (right - left);
    let mut s = open(W, h, label);
    let axis_y = top + row_h * groups.len() as f64;
    // Grid and ticks.
    for i in 0..=4 {
        let v = x0 + span * f64::from(i) / 4.0;
        let x = sx(v);
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{axis_y}\" stroke=\"#ddd\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            axis_y + 16.0,
            tick(v, pct)
        );
    }
    let zero = sx(0.0);
    for (g, group) in groups.iter().enumerate() {
        let y0 = top + row_h * g as f64 + 5.0;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"><title>{}</title>{}</text>",
            left - 6.0,
            y0 + row_h / 2.0,
            escape(&group.label),
            escape(&shorten(&group.label, 25))
        );
        for (j, (v, interval)) in group.values.iter().enumerate() {
            let y = y0 + bar_h * j as f64;
            let colour = PALETTE[j % PALETTE.len()];
            if v.is_finite() {
                let (a, b) = (zero.min(sx(*v)), zero.max(sx(*v)));
                let _ = write!(
                    s,
                    "<rect x=\"{a:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
                    (b - a).max(0.5),
                    bar_h - 3.0
                );
            }
            if let Some((lo, hi)) = interval
                && lo.is_finite()
                && hi.is_finite()
            {
                let ym = y + (bar_h - 3.0) / 2.0;
                let (a, b) = (sx(*lo), sx(*hi));
                let _ = write!(
                    s,
                    "<path d=\"M{a:.1} {ym:.1}H{b:.1}M{a:.1} {:.1}V{:.1}M{b:.1} {:.1}V{:.1}\" \
                     stroke=\"#222\" stroke-width=\"1.2\" fill=\"none\"/>",
                    ym - 4.0,
                    ym + 4.0,
                    ym - 4.0,
                    ym + 4.0
                );
            }
        }
    }
    let _ = write!(
        s,
        "<line x1=\"{zero:.1}\" y1=\"{top}\" x2=\"{zero:.1}\" y2=\"{axis_y}\" stroke=\"#444\"/>"
    );
    if series.len() > 1 {
        legend(&mut s, series, axis_y + 40.0);
    }
    s += "</svg>";
    s
}

/// A histogram of `counts` in equal bins over `[lo, hi]`, bar heights as shares of
/// the total.
pub fn histogram(label: &str, lo: f64, hi: f64, counts: &[u64]) -> String {
    let total: u64 = counts.iter().sum::<u64>().max(1);
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64 / total as f64;
    let (w, h) = (360.0, 200.0);
    let (left, right, top, bottom) = (50.0, w - 16.0, 10.0, h - 30.0);
    let bw = (right - left) / counts.len().max(1) as f64;
    let mut s = open(w, h, label);
    for i in 0..=2 {
        let v = max * f64::from(i) / 2.0;
        let y = bottom - (bottom - top) * f64::from(i) / 2.0;
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{right}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 4.0,
            y + 4.0,
            tick(v, true)
        );
    }
    for (i, &c) in counts.iter().enumerate() {
        let share = c as f64 / total as f64;
        let bh = (bottom - top) * share / max;
        if c > 0 {
            let _ = write!(
                s,
                "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\"/>",
                left + bw * i as f64,
                bottom - bh,
                (bw - 0.5).max(0.5),
                bh.max(0.5),
                PALETTE[0]
            );
        }
    }
    for (i, anchor) in [(0, "start"), (1, "middle"), (2, "end")] {
        let v = lo + (hi - lo) * f64::from(i) / 2.0;
        let x = left + (right - left) * f64::from(i) / 2.0;
        let _ = write!(
            s,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            bottom + 16.0,
            tick(v, false)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#444\"/></svg>"
    );
    s
}

/// One line of [`band_chart`]: its name and points `(x, y, lo, hi)` in increasing x.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Points `(x, y, lo, hi)`.
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// Lines of probabilities against `x` over `[x0, x1]` (logarithmic when `log`), each
/// with a shaded band between its `lo` and `hi`.
pub fn band_chart(
    label: &str,
    x_name: &str,
    x0: f64,
    x1: f64,
    log: bool,
    series: &[Series],
) -> String {
    let names: Vec<String> = series.iter().map(|s| s.name.clone()).collect();
    let h = 260.0 + legend_height(&names);
    let (left, right, top, bottom) = (50.0, W - 20.0, 10.0, 226.0);
    let t = |x: f64| if log { libm::log(x) } else { x };
    let (a, b) = (t(x0), t(x1));
    let span = if b > a { b - a } else { 1.0 };
    let sx = |x: f64| left + (t(x) - a) / span * (right - left);
    let sy = |p: f64| bottom - (bottom - top) * p.clamp(0.0, 1.0);
    let mut s = open(W, h, label);
    for i in 0..=4 {
        let p = f64::from(i) / 4.0;
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{right}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            sy(p),
            sy(p),
            left - 4.0,
            sy(p) + 4.0,
            tick(p, true)
        );
        let u = a + span * p;
        let xv = if log { libm::exp(u) } else { u };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            left + (right - left) * p,
            bottom + 16.0,
            tick(xv, false)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-style=\"italic\">{}{}</text>",
        (left + right) / 2.0,
        bottom + 32.0,
        escape(x_name),
        if log { " (log scale)" } else { "" }
    );
    for (i, se) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        if se.points.is_empty() {
            continue;
        }
        let mut band = String::new();
        for &(x, _, _, hi) in &se.points {
            let _ = write!(band, "{:.1},{:.1} ", sx(x), sy(hi));
        }
        for &(x, _, lo, _) in se.points.iter().rev() {
            let _ = write!(band, "{:.1},{:.1} ", sx(x), sy(lo));
        }
        let line: String = se
            .points
            .iter()
            .map(|&(x, y, _, _)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(
            s,
            "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"0.18\" stroke=\"none\"/>\
             <polyline points=\"{line}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            band.trim_end()
        );
        for &(x, y, _, _) in &se.points {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{colour}\"/>",
                sx(x),
                sy(y)
            );
        }
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#444\"/>"
    );
    legend(&mut s, &names, bottom + 52.0);
    s += "</svg>";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.25, true), "25%");
        assert_eq!(tick(0.125, false), "0.125");
        assert_eq!(tick(2.0, false), "2");
        assert_eq!(tick(-0.0001, false), "0");
    }

    #[test]
    fn bars_scale_to_the_axis_and_whiskers_span_the_interval() {
        let g = [Group {
            label: "war".into(),
            values: vec![(0.5, Some((0.25, 0.75)))],
        }];
        let s = hbar_chart("t", &g, &["f".into()], 0.0, 1.0, true);
        // Axis from x=170 to x=500: 0.5 is at 335, 0.25 at 252.5, 0.75 at 417.5.
        assert!(
            s.contains("<rect x=\"170.0\" y=\"15.0\" width=\"165.0\""),
            "{s}"
        );
        assert!(s.contains("M252.5 20.5H417.5"), "{s}");
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
    }

    #[test]
    fn histogram_bars_are_proportional_to_counts() {
        let s = histogram("h", 0.0, 1.0, &[1, 2, 0, 1]);
        // The tallest bin (2 of 4) fills the plot height 160; the others half of it.
        assert!(s.contains("height=\"160.00\""), "{s}");
        assert_eq!(s.matches("height=\"80.00\"").count(), 2, "{s}");
        assert_eq!(s.matches("<rect").count(), 3);
    }
}
