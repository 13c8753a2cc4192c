//! SVG plots: the Pareto frontier in the plane of two parties' utilities.
//!
//! The SVG is written by hand (a few elements) so that the output is byte-for-byte
//! reproducible and needs no plotting dependency.

use std::fmt::Write as _;

/// A marked point: a bargaining solution.
pub struct Marker<'a> {
    /// Legend text.
    pub label: &'a str,
    /// Its utilities for the two plotted parties.
    pub at: (f64, f64),
    /// SVG colour.
    pub colour: &'a str,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Plots points (x, y) with the frontier joined in x order, the disagreement point and
/// markers, with axes labelled by the parties' names. The legend sits right of the plot
/// area, where it covers nothing; `note` (e.g. "no rational outcome") is written across
/// the plot area.
pub fn frontier_svg(
    title: &str,
    x_name: &str,
    y_name: &str,
    points: &[(f64, f64)],
    disagreement: (f64, f64),
    markers: &[Marker<'_>],
    note: Option<&str>,
) -> String {
    const W: f64 = 780.0;
    const H: f64 = 480.0;
    const M: f64 = 60.0;
    /// Width of the legend column right of the plot area.
    const LEGEND: f64 = 160.0;
    let right = W - LEGEND - 20.0;
    let all = points.iter().copied().chain([disagreement]).chain(markers.iter().map(|m| m.at));
    let (mut x0, mut x1, mut y0, mut y1) =
        (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in all {
        if x.is_finite() && y.is_finite() {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let pad = |lo: f64, hi: f64| {
        let span = if hi > lo { hi - lo } else { 1.0 };
        (lo - span * 0.05, hi + span * 0.05)
    };
    let (x0, x1) = pad(x0, x1);
    let (y0, y1) = pad(y0, y1);
    let sx = |x: f64| M + (x - x0) / (x1 - x0) * (right - M);
    let sy = |y: f64| H - M - (y - y0) / (y1 - y0) * (H - 2.0 * M);

    let mut svg = canvas(W, H);
    heading(&mut svg, W / 2.0, title);
    // Axes with five ticks each.
    let _ = writeln!(
        svg,
        r#"<path d="M{M} {top} L{M} {bottom} L{right} {bottom}" stroke="black" fill="none"/>"#,
        top = M,
        bottom = H - M,
    );
    for t in 0..=4 {
        let fx = x0 + (x1 - x0) * t as f64 / 4.0;
        let fy = y0 + (y1 - y0) * t as f64 / 4.0;
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{fx:.3}</text>"#,
            sx(fx),
            H - M + 18.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{fy:.3}</text>"#,
            M - 6.0,
            sy(fy) + 4.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">utility of {}</text>"#,
        (M + right) / 2.0,
        H - 16.0,
        esc(x_name)
    );
    let _ = writeln!(
        svg,
        r#"<text x="16" y="{}" text-anchor="middle" transform="rotate(-90 16 {})">utility of {}</text>"#,
        H / 2.0,
        H / 2.0,
        esc(y_name)
    );
    if let Some(note) = note {
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
            (M + right) / 2.0,
            H / 2.0,
            esc(note)
        );
    }
    // The frontier, joined in x order.
    let mut sorted: Vec<(f64, f64)> = points.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    if sorted.len() > 1 {
        let path: Vec<String> =
            sorted.iter().map(|&(x, y)| format!("{:.2},{:.2}", sx(x), sy(y))).collect();
        let _ = writeln!(
            svg,
            r##"<polyline points="{}" fill="none" stroke="#888" stroke-width="1"/>"##,
            path.join(" ")
        );
    }
    for &(x, y) in &sorted {
        let _ = writeln!(
            svg,
            r##"<circle cx="{:.2}" cy="{:.2}" r="3" fill="#1f77b4"/>"##,
            sx(x),
            sy(y)
        );
    }
    let (dx, dy) = disagreement;
    if dx.is_finite() && dy.is_finite() {
        let _ = writeln!(
            svg,
            r#"<rect x="{:.2}" y="{:.2}" width="8" height="8" fill="black"><title>disagreement point</title></rect>"#,
            sx(dx) - 4.0,
            sy(dy) - 4.0
        );
    }
    // The legend, outside the plot area.
    let lx = W - LEGEND;
    let mut legend_y = M + 10.0;
    let _ = writeln!(
        svg,
        r#"<rect x="{}" y="{}" width="8" height="8" fill="black"/>"#,
        lx,
        legend_y - 8.0
    );
    let _ = writeln!(svg, r#"<text x="{}" y="{legend_y}">disagreement point</text>"#, lx + 14.0);
    if !sorted.is_empty() {
        legend_y += 18.0;
        let _ = writeln!(
            svg,
            r##"<circle cx="{}" cy="{}" r="3" fill="#1f77b4"/>"##,
            lx + 4.0,
            legend_y - 4.0
        );
        let _ = writeln!(svg, r#"<text x="{}" y="{legend_y}">frontier point</text>"#, lx + 14.0);
    }
    for (n, m) in markers.iter().enumerate() {
        let r = 9.0 - n as f64 * 1.5;
        let _ = writeln!(
            svg,
            r#"<circle cx="{:.2}" cy="{:.2}" r="{r}" fill="none" stroke="{}" stroke-width="2"><title>{}</title></circle>"#,
            sx(m.at.0),
            sy(m.at.1),
            m.colour,
            esc(m.label)
        );
        legend_y += 18.0;
        let _ = writeln!(
            svg,
            r#"<circle cx="{}" cy="{}" r="5" fill="none" stroke="{}" stroke-width="2"/>"#,
            lx + 4.0,
            legend_y - 4.0,
            m.colour
        );
        let _ = writeln!(svg, r#"<text x="{}" y="{legend_y}">{}</text>"#, lx + 14.0, esc(m.label));
    }
    svg.push_str("</svg>\n");
    svg
}

/// One line per actor per dimension: position (0-100) against round, one panel per
/// dimension, stacked, with a legend naming every actor (a position that is not a number,
/// an actor without one on that dimension, draws nothing). The picture is as tall as the
/// panels or the legend, whichever is taller, so that no actor is cut off; lines differ by
/// colour and, past ten actors, by dash pattern, and each names its actor on hover.
pub fn trajectories_svg(
    title: &str,
    actors: &[String],
    dimensions: &[String],
    rounds: &[Vec<Vec<f64>>],
) -> String {
    const W: f64 = 720.0;
    const PANEL: f64 = 260.0;
    const M: f64 = 60.0;
    const LEGEND: f64 = 150.0;
    /// Height of a legend row.
    const ROW: f64 = 14.0;
    let panels = 40.0 + PANEL * dimensions.len().max(1) as f64;
    let legend = 50.0 + ROW * actors.len() as f64;
    let h = panels.max(legend);
    let n = rounds.len().max(2) - 1;
    let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf",
    ];
    let dashes = [
        "",
        r#" stroke-dasharray="6 3""#,
        r#" stroke-dasharray="2 2""#,
        r#" stroke-dasharray="8 3 2 3""#,
    ];
    let style = |a: usize| (palette[a % palette.len()], dashes[(a / palette.len()) % dashes.len()]);
    let mut svg = canvas(W, h);
    heading(&mut svg, (W - LEGEND) / 2.0, title);
    let right = W - LEGEND - 10.0;
    for (d, dim) in dimensions.iter().enumerate() {
        let top = 40.0 + PANEL * d as f64 + 10.0;
        let bottom = top + PANEL - 50.0;
        let sx = |r: usize| M + r as f64 / n as f64 * (right - M);
        let sy = |y: f64| bottom - y.clamp(0.0, 100.0) / 100.0 * (bottom - top);
        let _ = writeln!(
            svg,
            r#"<path d="M{M} {top} L{M} {bottom} L{right} {bottom}" stroke="black" fill="none"/>"#
        );
        let _ = writeln!(svg, r#"<text x="{M}" y="{}" >{}</text>"#, top - 4.0, esc(dim));
        for t in [0.0, 25.0, 50.0, 75.0, 100.0] {
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{:.1}" text-anchor="end">{t}</text>"#,
                M - 6.0,
                sy(t) + 4.0
            );
        }
        for r in [0, n / 2, n] {
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{}" text-anchor="middle">round {r}</text>"#,
                sx(r),
                bottom + 16.0
            );
        }
        for (a, actor) in actors.iter().enumerate() {
            let pts: Vec<String> = rounds
                .iter()
                .enumerate()
                .filter_map(|(r, pos)| {
                    pos.get(a)
                        .and_then(|p| p.get(d))
                        .filter(|y| y.is_finite())
                        .map(|&y| format!("{:.2},{:.2}", sx(r), sy(y)))
                })
                .collect();
            if pts.is_empty() {
                continue;
            }
            let (colour, dash) = style(a);
            let _ = writeln!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}><title>{}</title></polyline>"#,
                pts.join(" "),
                esc(actor)
            );
        }
    }
    for (a, actor) in actors.iter().enumerate() {
        let y = 50.0 + ROW * a as f64;
        let (colour, dash) = style(a);
        let _ = writeln!(
            svg,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="3"{dash}/>"#,
            W - LEGEND,
            y - 4.0,
            W - LEGEND + 16.0,
            y - 4.0,
        );
        let _ = writeln!(svg, r#"<text x="{}" y="{y}">{}</text>"#, W - LEGEND + 22.0, esc(actor));
    }
    svg.push_str("</svg>\n");
    svg
}

/// A scatter plot on 0-100 axes: one series of points per name (a colour each, legend at the
/// right) and the diagonal `y = x`, where a perfect forecast lies.
pub fn scatter_svg(
    title: &str,
    x_name: &str,
    y_name: &str,
    series: &[(&str, Vec<(f64, f64)>)],
) -> String {
    const W: f64 = 640.0;
    const H: f64 = 520.0;
    const M: f64 = 60.0;
    const LEGEND: f64 = 140.0;
    let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];
    let (left, right, top, bottom) = (M, W - LEGEND - 20.0, 40.0, H - M);
    let sx = |x: f64| left + x.clamp(0.0, 100.0) / 100.0 * (right - left);
    let sy = |y: f64| bottom - y.clamp(0.0, 100.0) / 100.0 * (bottom - top);
    let mut svg = canvas(W, H);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="24" text-anchor="middle" font-size="14">{}</text>"#,
        (left + right) / 2.0,
        esc(title)
    );
    let _ = writeln!(
        svg,
        r#"<path d="M{left} {top} L{left} {bottom} L{right} {bottom}" stroke="black" fill="none"/>"#
    );
    let _ = writeln!(
        svg,
        r##"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{top}" stroke="#999" stroke-dasharray="4 3"/>"##
    );
    for t in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{t}</text>"#,
            left - 6.0,
            sy(t) + 4.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{t}</text>"#,
            sx(t),
            bottom + 16.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (left + right) / 2.0,
        bottom + 36.0,
        esc(x_name)
    );
    let _ = writeln!(
        svg,
        r#"<text x="16" y="{}" text-anchor="middle" transform="rotate(-90 16 {})">{}</text>"#,
        (top + bottom) / 2.0,
        (top + bottom) / 2.0,
        esc(y_name)
    );
    for (k, (name, points)) in series.iter().enumerate() {
        let colour = palette[k % palette.len()];
        let _ =
            writeln!(svg, r#"<g fill="{colour}" fill-opacity="0.6"><title>{}</title>"#, esc(name));
        for &(x, y) in points {
            if x.is_finite() && y.is_finite() {
                let _ = writeln!(svg, r#"<circle cx="{:.2}" cy="{:.2}" r="3"/>"#, sx(x), sy(y));
            }
        }
        svg.push_str("</g>\n");
        let ly = top + 10.0 + 18.0 * k as f64;
        let _ = writeln!(
            svg,
            r#"<circle cx="{}" cy="{}" r="5" fill="{colour}"/>"#,
            W - LEGEND,
            ly - 4.0
        );
        let _ = writeln!(svg, r#"<text x="{}" y="{ly}">{}</text>"#, W - LEGEND + 12.0, esc(name));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Where a verdict flips on a tornado bar.
pub struct TornadoMark {
    /// The threshold.
    pub at: f64,
    /// Its words, e.g. `below 0.52 accepts`.
    pub label: String,
}

/// One bar of a tornado chart: an estimate's range, its point estimate and its thresholds.
pub struct TornadoBar {
    /// The estimate, e.g. `russia: weight SEC-01`.
    pub label: String,
    /// Its range.
    pub low: f64,
    /// Its range.
    pub high: f64,
    /// Its point estimate.
    pub point: f64,
    /// The probability that it lies past its likeliest threshold.
    pub chance: f64,
    /// Its thresholds.
    pub marks: Vec<TornadoMark>,
}

/// A tornado chart: one bar per estimate, top to bottom in the order given, each drawn on a
/// common axis of distance from its point estimate in widths of its range (so estimates of
/// different units line up): the range as a bar, the point estimate on the centre line, each
/// threshold as a red tick (clipped to the axis, with an arrow, when far outside the range),
/// and the thresholds and the chance written to the right.
pub fn tornado_svg(title: &str, bars: &[TornadoBar], note: Option<&str>) -> String {
    const W: f64 = 960.0;
    const LEFT: f64 = 250.0;
    const PLOT: f64 = 360.0;
    const ROW: f64 = 24.0;
    const TOP: f64 = 70.0;
    const REACH: f64 = 1.5;
    let h = TOP + ROW * bars.len().max(1) as f64 + 60.0;
    let x0 = LEFT + 10.0;
    let sx = |u: f64| x0 + (u.clamp(-REACH, REACH) + REACH) / (2.0 * REACH) * PLOT;
    let mut svg = canvas(W, h);
    heading(&mut svg, W / 2.0, title);
    let bottom = TOP + ROW * bars.len().max(1) as f64;
    // The axis: distance from the point estimate in widths of the range.
    let _ = writeln!(
        svg,
        r#"<path d="M{x0} {bottom} L{} {bottom}" stroke="black" fill="none"/>"#,
        x0 + PLOT
    );
    for t in [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5] {
        let x = sx(t);
        let _ = writeln!(
            svg,
            r#"<path d="M{x:.1} {bottom} L{x:.1} {}" stroke="black"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
            bottom + 5.0,
            bottom + 18.0,
            if t > 0.0 { format!("+{t}") } else { format!("{t}") }
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">distance from the point estimate, in widths of the estimate's range</text>"#,
        x0 + PLOT / 2.0,
        bottom + 36.0
    );
    let _ = writeln!(
        svg,
        r##"<text x="{x0}" y="{}" fill="#555">bar: the estimate's range; black: its point estimate; red: where a verdict flips</text>"##,
        TOP - 22.0
    );
    let _ = writeln!(
        svg,
        r##"<path d="M{c:.1} {} L{c:.1} {bottom}" stroke="#999" stroke-dasharray="3 3"/>"##,
        TOP - 8.0,
        c = sx(0.0)
    );
    if let Some(note) = note {
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
            x0 + PLOT / 2.0,
            TOP + ROW / 2.0,
            esc(note)
        );
    }
    for (n, b) in bars.iter().enumerate() {
        let y = TOP + ROW * n as f64 + ROW / 2.0;
        let width = b.high - b.low;
        let unit = if width > 0.0 {
            width
        } else {
            b.marks.iter().map(|m| (m.at - b.point).abs()).fold(0.0, f64::max).max(1e-300)
        };
        let u = |x: f64| (x - b.point) / unit;
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="{:.1}" text-anchor="end">{}</text>"#,
            y + 4.0,
            esc(&b.label)
        );
        let (a, z) = (sx(u(b.low)), sx(u(b.high)));
        let _ = writeln!(
            svg,
            r##"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="12" fill="#9ecae1"><title>{}</title></rect>"##,
            y - 6.0,
            (z - a).max(1.0),
            detente_words::range(b.low, b.high)
        );
        let c = sx(0.0);
        let _ = writeln!(
            svg,
            r#"<path d="M{c:.1} {:.1} L{c:.1} {:.1}" stroke="black" stroke-width="2"><title>{}</title></path>"#,
            y - 8.0,
            y + 8.0,
            detente_words::num(b.point)
        );
        for m in &b.marks {
            let um = u(m.at);
            let x = sx(um);
            let _ = writeln!(
                svg,
                r##"<path d="M{x:.1} {:.1} L{x:.1} {:.1}" stroke="#d62728" stroke-width="3"><title>{}</title></path>"##,
                y - 10.0,
                y + 10.0,
                esc(&m.label)
            );
            if um.abs() > REACH {
                let d = if um > 0.0 { 6.0 } else { -6.0 };
                let _ = writeln!(
                    svg,
                    r##"<path d="M{:.1} {:.1} L{:.1} {y:.1} L{:.1} {:.1} Z" fill="#d62728"/>"##,
                    x + d * 0.3,
                    y - 5.0,
                    x + d * 1.3,
                    x + d * 0.3,
                    y + 5.0
                );
            }
        }
        let words: Vec<&str> = b.marks.iter().map(|m| m.label.as_str()).collect();
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}">{} (chance {})</text>"#,
            x0 + PLOT + 16.0,
            y + 4.0,
            esc(&words.join("; ")),
            detente_words::num(b.chance)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// One step of a timeline plot.
pub struct TimelinePoint {
    /// The day, in words (the x axis's label).
    pub label: String,
    /// The draft tabled that day, if one was.
    pub draft: Option<String>,
    /// Each party's utility of the latest draft (`None`: no draft yet).
    pub utilities: Vec<Option<f64>>,
    /// The gap (the counted parties' total shortfall, its highest).
    pub gap: Option<f64>,
}

/// The timeline: each party's utility of the latest draft and the gap (dashed, black) on a
/// 0-1 scale, one point a step (equally spaced, each labelled with its day), and a vertical
/// line where a draft is tabled, named.
pub fn timeline_svg(title: &str, parties: &[String], steps: &[TimelinePoint]) -> String {
    const W: f64 = 760.0;
    const H: f64 = 420.0;
    const M: f64 = 60.0;
    const LEGEND: f64 = 150.0;
    const TOP: f64 = 50.0;
    const BOTTOM: f64 = 330.0;
    let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];
    let right = W - LEGEND - 10.0;
    let n = steps.len().max(2) - 1;
    let sx = |k: usize| M + k as f64 / n as f64 * (right - M);
    let top_y = steps
        .iter()
        .flat_map(|st| st.gap.into_iter().chain(st.utilities.iter().flatten().copied()))
        .fold(1.0f64, f64::max);
    let sy = |y: f64| BOTTOM - y.clamp(0.0, top_y) / top_y * (BOTTOM - TOP);
    let mut svg = canvas(W, H);
    heading(&mut svg, (W - LEGEND) / 2.0, title);
    let _ = writeln!(
        svg,
        r#"<path d="M{M} {TOP} L{M} {BOTTOM} L{right} {BOTTOM}" stroke="black" fill="none"/>"#
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = t * top_y;
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            M - 6.0,
            sy(y) + 4.0,
            detente_words::num(y)
        );
    }
    for (k, st) in steps.iter().enumerate() {
        let x = sx(k);
        let _ = writeln!(
            svg,
            r#"<text transform="translate({x:.1},{}) rotate(45)" font-size="10">{}</text>"#,
            BOTTOM + 12.0,
            esc(&st.label)
        );
        if let Some(d) = &st.draft {
            let _ = writeln!(
                svg,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{BOTTOM}" stroke="#999" stroke-dasharray="3 3"/>"##
            );
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{}" font-size="10">{}</text>"#,
                x + 3.0,
                TOP - 4.0,
                esc(d)
            );
        }
    }
    let line = |svg: &mut String, ys: Vec<Option<f64>>, colour: &str, dash: &str, name: &str| {
        // Breaks where there is no value (no draft yet).
        let mut runs: Vec<Vec<String>> = vec![vec![]];
        for (k, y) in ys.iter().enumerate() {
            match y {
                Some(y) => runs.last_mut().map(|r| r.push(format!("{:.2},{:.2}", sx(k), sy(*y)))),
                None => {
                    runs.push(vec![]);
                    None
                }
            };
        }
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            let _ = writeln!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}><title>{}</title></polyline>"#,
                run.join(" "),
                esc(name)
            );
            for p in run {
                let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
                let _ = writeln!(svg, r#"<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>"#);
            }
        }
    };
    for (p, name) in parties.iter().enumerate() {
        let ys = steps.iter().map(|st| st.utilities.get(p).copied().flatten()).collect();
        line(&mut svg, ys, palette[p % palette.len()], "", name);
    }
    let gap: Vec<Option<f64>> = steps.iter().map(|st| st.gap).collect();
    line(&mut svg, gap, "black", r#" stroke-dasharray="6 3""#, "gap");
    let mut legend: Vec<(&str, String, &str)> = parties
        .iter()
        .enumerate()
        .map(|(p, name)| (palette[p % palette.len()], name.clone(), ""))
        .collect();
    legend.push(("black", "gap".to_string(), r#" stroke-dasharray="6 3""#));
    for (k, (colour, name, dash)) in legend.iter().enumerate() {
        let y = TOP + 14.0 * k as f64;
        let _ = writeln!(
            svg,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="3"{dash}/>"#,
            W - LEGEND,
            y - 4.0,
            W - LEGEND + 16.0,
            y - 4.0
        );
        let _ = writeln!(svg, r#"<text x="{}" y="{y}">{}</text>"#, W - LEGEND + 22.0, esc(name));
    }
    let _ = writeln!(
        svg,
        r#"<text x="{M}" y="{}" font-size="10">utility of the latest draft (open points at each party's worst) and the gap</text>"#,
        H - 8.0
    );
    svg.push_str("</svg>\n");
    svg
}

/// One entry of a session for [`session_svg`]: its step, who made it (`None`: the mediator)
/// and each party's utility of the outcome on the table.
pub struct SessionOffer {
    pub step: u32,
    pub by: Option<usize>,
    pub utilities: Vec<f64>,
}

/// The most offers [`session_svg`] marks one by one; past it, every k-th is marked (the
/// lines still pass through every offer).
pub const MAX_MARKED_OFFERS: usize = 1_000;

/// A negotiation session as NegMAS's session plot shows it: against the step, each party's
/// utility (a colour per party) of the offers it made (solid, each offer marked) and of the
/// offers it received (dashed), a mediator's texts counting as every party's own; each
/// party's reservation dotted in its colour; and the agreement, when there is one, as a
/// vertical line with a ring on every party's utility of it. Utilities are in the
/// scenario's own units (the y axis spans them and the reservations, and 0).
pub fn session_svg(
    title: &str,
    parties: &[String],
    reservations: &[f64],
    offers: &[SessionOffer],
    agreement: Option<(u32, &[f64])>,
    last_step: u32,
) -> String {
    const W: f64 = 760.0;
    const H: f64 = 440.0;
    const M: f64 = 60.0;
    const LEGEND: f64 = 170.0;
    const TOP: f64 = 50.0;
    const BOTTOM: f64 = 380.0;
    let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
        "#17becf",
    ];
    let colour = |p: usize| palette[p % palette.len()];
    let finite = |x: &f64| x.is_finite();
    let (lo, hi) = offers
        .iter()
        .flat_map(|o| o.utilities.iter().copied())
        .chain(reservations.iter().copied())
        .filter(finite)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (lo, hi) =
        if lo.is_finite() { (lo.min(0.0), hi.max(lo.min(0.0) + 1e-9)) } else { (0.0, 1.0) };
    let right = W - LEGEND - 10.0;
    let n = f64::from(last_step.max(1));
    let sx = |step: u32| M + f64::from(step) / n * (right - M);
    let sy = |y: f64| BOTTOM - (y.clamp(lo, hi) - lo) / (hi - lo) * (BOTTOM - TOP);
    let mut svg = canvas(W, H);
    heading(&mut svg, (W - LEGEND) / 2.0, title);
    let _ = writeln!(
        svg,
        r#"<path d="M{M} {TOP} L{M} {BOTTOM} L{right} {BOTTOM}" stroke="black" fill="none"/>"#
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = lo + t * (hi - lo);
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            M - 6.0,
            sy(y) + 4.0,
            detente_words::num(y)
        );
    }
    for step in [0, last_step / 2, last_step] {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">step {step}</text>"#,
            sx(step),
            BOTTOM + 16.0
        );
    }
    for (p, name) in parties.iter().enumerate() {
        if let Some(&r) = reservations.get(p).filter(|r| r.is_finite()) {
            let _ = writeln!(
                svg,
                r#"<line x1="{M}" y1="{y:.2}" x2="{right}" y2="{y:.2}" stroke="{}" stroke-dasharray="1 3"><title>reservation of {}</title></line>"#,
                colour(p),
                esc(name),
                y = sy(r)
            );
        }
        // Its own offers (and the mediator's texts), then the offers it received.
        for (own, dash, width, whose) in [
            (true, "", 1.5, "its own offers"),
            (false, r#" stroke-dasharray="5 3""#, 1.0, "the offers it received"),
        ] {
            let pts: Vec<String> = offers
                .iter()
                .filter(|o| o.by.is_none_or(|q| q == p) == own)
                .filter_map(|o| o.utilities.get(p).filter(|u| u.is_finite()).map(|&u| (o.step, u)))
                .map(|(step, u)| format!("{:.2},{:.2}", sx(step), sy(u)))
                .collect();
            if !pts.is_empty() {
                let _ = writeln!(
                    svg,
                    r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="{width}"{dash}><title>{}: {whose}</title></polyline>"#,
                    pts.join(" "),
                    colour(p),
                    esc(name)
                );
            }
        }
    }
    let every = offers.len().div_ceil(MAX_MARKED_OFFERS).max(1);
    for o in offers.iter().step_by(every) {
        let (on, fill) = match o.by {
            Some(p) => (vec![p], colour(p)),
            None => ((0..parties.len()).collect(), "#777"),
        };
        for p in on {
            if let Some(&u) = o.utilities.get(p).filter(|u| u.is_finite()) {
                let _ = writeln!(
                    svg,
                    r#"<circle cx="{:.2}" cy="{:.2}" r="2.5" fill="{fill}"/>"#,
                    sx(o.step),
                    sy(u)
                );
            }
        }
    }
    if let Some((step, utilities)) = agreement {
        let x = sx(step);
        let _ = writeln!(
            svg,
            r#"<line x1="{x:.2}" y1="{TOP}" x2="{x:.2}" y2="{BOTTOM}" stroke="black" stroke-dasharray="2 3"/>"#
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.2}" y="{}" text-anchor="middle">agreement</text>"#,
            x,
            TOP - 6.0
        );
        for (p, &u) in utilities.iter().enumerate().filter(|(_, u)| u.is_finite()) {
            let _ = writeln!(
                svg,
                r#"<circle cx="{x:.2}" cy="{:.2}" r="6" fill="none" stroke="{}" stroke-width="2"><title>{}: {}</title></circle>"#,
                sy(u),
                colour(p),
                esc(&parties[p.min(parties.len().saturating_sub(1))]),
                detente_words::num(u)
            );
        }
    }
    let mut legend: Vec<(String, &str, &str)> =
        parties.iter().enumerate().map(|(p, name)| (name.clone(), colour(p), "")).collect();
    legend.push(("its own offers".to_string(), "#555", ""));
    legend.push(("offers it received".to_string(), "#555", r#" stroke-dasharray="5 3""#));
    legend.push(("reservation".to_string(), "#555", r#" stroke-dasharray="1 3""#));
    if offers.iter().any(|o| o.by.is_none()) {
        legend.push(("the mediator's texts (dots)".to_string(), "#777", ""));
    }
    if agreement.is_some() {
        legend.push(("agreement".to_string(), "black", r#" stroke-dasharray="2 3""#));
    }
    for (k, (name, c, dash)) in legend.iter().enumerate() {
        let y = TOP + 14.0 * k as f64;
        let _ = writeln!(
            svg,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{c}" stroke-width="3"{dash}/>"#,
            W - LEGEND,
            y - 4.0,
            W - LEGEND + 16.0,
            y - 4.0
        );
        let _ = writeln!(svg, r#"<text x="{}" y="{y}">{}</text>"#, W - LEGEND + 22.0, esc(name));
    }
    let note = if every > 1 {
        format!(
            "each party's utility of the offers; dots: every {every}th of the {} offers, in its maker's colour",
            offers.len()
        )
    } else {
        "each party's utility of the offers; dots: each offer, in its maker's colour".to_string()
    };
    let _ = writeln!(svg, r#"<text x="{M}" y="{}" font-size="10">{}</text>"#, H - 10.0, esc(&note));
    svg.push_str("</svg>\n");
    svg
}

/// An SVG document `w` by `h` on a white background, left open for the plot's elements.
fn canvas(w: f64, h: f64) -> String {
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    svg
}

/// A plot's title, centred on `x` at the top.
fn heading(svg: &mut String, x: f64, title: &str) {
    let _ = writeln!(
        svg,
        r#"<text x="{x}" y="24" text-anchor="middle" font-size="15">{}</text>"#,
        esc(title)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plot_has_every_point_and_marker() {
        let svg = frontier_svg(
            "t <1>",
            "A",
            "B",
            &[(0.0, 1.0), (1.0, 0.0), (0.5, 0.6)],
            (0.1, 0.1),
            &[Marker { label: "nash", at: (0.5, 0.6), colour: "red" }],
            None,
        );
        // 3 points, the frontier-point legend entry, the marker and its legend entry.
        assert_eq!(svg.matches("<circle").count(), 3 + 1 + 2);
        assert!(svg.contains("t &lt;1&gt;"));
        assert!(svg.ends_with("</svg>\n"));
    }

    #[test]
    fn trajectories_have_one_line_per_actor_and_dimension() {
        let rounds = vec![
            vec![vec![10.0, 90.0], vec![80.0, 20.0]],
            vec![vec![30.0, 70.0], vec![60.0, 40.0]],
        ];
        let svg =
            trajectories_svg("t", &["a".into(), "b".into()], &["x".into(), "y".into()], &rounds);
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert!(svg.ends_with("</svg>\n"));
    }

    #[test]
    fn every_actor_is_in_the_picture() {
        // 160 actors once had 145 legend rows below a 300-pixel-high picture.
        let actors: Vec<String> = (0..160).map(|a| format!("actor <{a}>")).collect();
        let rounds = vec![vec![vec![50.0]; 160]; 3];
        let svg = trajectories_svg("t", &actors, &["x".into()], &rounds);
        let height: f64 = svg
            .split("height=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|h| h.parse().ok())
            .unwrap();
        for a in &actors {
            let label = format!(">{}</text>", esc(a));
            let at = svg.find(&label).unwrap_or_else(|| panic!("{a} has no legend row"));
            let line = &svg[svg[..at].rfind('\n').unwrap()..at];
            let y: f64 =
                line.split("y=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            assert!(y + 4.0 <= height, "{a}: legend row at {y}, picture {height} high");
            assert!(svg.contains(&format!("<title>{}</title></polyline>", esc(a))));
        }
    }

    #[test]
    fn a_session_has_each_partys_lines_its_offers_marked_and_the_agreement_ringed() {
        let offer = |step, by, u: [f64; 2]| SessionOffer { step, by, utilities: u.to_vec() };
        let offers = [
            offer(0, Some(0), [1.0, 0.2]),
            offer(1, Some(1), [0.3, 0.9]),
            offer(2, Some(0), [0.8, 0.5]),
        ];
        let parties = ["a <1>".to_string(), "b".to_string()];
        let svg = session_svg("t", &parties, &[0.4, 0.3], &offers, Some((2, &[0.8, 0.5])), 9);
        // Per party: its own offers and those it received.
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert!(svg.contains("<title>a &lt;1&gt;: its own offers</title>"));
        // Each offer marked once, on its maker's line; each party's utility of the
        // agreement ringed.
        assert_eq!(svg.matches(r#"r="2.5""#).count(), 3);
        assert_eq!(svg.matches(r#"r="6""#).count(), 2);
        assert!(svg.contains(">agreement</text>"));
        assert!(svg.contains(">step 9</text>"));
        assert!(!svg.contains("NaN") && svg.ends_with("</svg>\n"));
        // No agreement, no ring; a mediator's texts are every party's own, marked in grey
        // on every line.
        let texts = [offer(0, None, [0.5, 0.5]), offer(1, None, [0.6, 0.4])];
        let svg = session_svg("t", &parties, &[0.4, 0.3], &texts, None, 1);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches(r##"r="2.5" fill="#777""##).count(), 4);
        assert!(!svg.contains(r#"r="6""#));
    }

    #[test]
    fn a_long_session_marks_at_most_a_thousand_offers() {
        let offers: Vec<SessionOffer> = (0..10_000)
            .map(|k| SessionOffer {
                step: k,
                by: Some(k as usize % 2),
                utilities: vec![f64::from(k) / 1e4, 1.0],
            })
            .collect();
        let svg = session_svg("t", &["a".into(), "b".into()], &[0.0, 0.0], &offers, None, 9_999);
        let marks = svg.matches(r#"r="2.5""#).count();
        assert!(marks <= MAX_MARKED_OFFERS, "{marks}");
        assert!(svg.contains("every 10th of the 10000 offers"));
    }

    #[test]
    fn degenerate_input_still_plots() {
        let svg =
            frontier_svg("empty", "A", "B", &[], (f64::NAN, 0.0), &[], Some("no rational outcome"));
        assert!(svg.contains("</svg>"));
        assert!(!svg.contains("NaN"));
        assert!(svg.contains(">no rational outcome</text>"));
    }

    /// The legend lies right of the plot area (x beyond its right edge), so it covers no
    /// point, wherever the frontier lies.
    #[test]
    fn legend_is_outside_the_plot_area() {
        let svg = frontier_svg(
            "t",
            "A",
            "B",
            &[(0.0, 1.0), (1.0, 0.0), (0.9, 0.9)],
            (0.0, 0.0),
            &[Marker { label: "nash", at: (0.9, 0.9), colour: "red" }],
            None,
        );
        let right_edge: f64 = svg
            .split("L")
            .nth(2)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|x| x.parse().ok())
            .unwrap();
        let legend = svg.lines().find(|l| l.contains(">disagreement point</text>")).unwrap();
        let x: f64 = legend.split('"').nth(1).unwrap().parse().unwrap();
        assert!(x > right_edge, "legend at {x}, plot area ends at {right_edge}");
    }
}
