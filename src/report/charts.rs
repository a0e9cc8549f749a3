//! Charts as SVG text: the same markup is inlined in the HTML report and rasterised to PNG.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::aggregate::Estimate;
use crate::schema::compare::{ActorOutletRow, GroupRow};

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const FONT: &str = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"";

/// Diverging colour for a stance in [-1, 1]: red (negative), white, blue (positive).
pub fn diverging(s: f64) -> String {
    let t = s.clamp(-1.0, 1.0);
    let (r, g, b) = if t < 0.0 {
        let u = -t;
        (
            255.0 + (178.0 - 255.0) * u,
            255.0 + (24.0 - 255.0) * u,
            255.0 + (43.0 - 255.0) * u,
        )
    } else {
        (
            255.0 + (33.0 - 255.0) * t,
            255.0 + (102.0 - 255.0) * t,
            255.0 + (172.0 - 255.0) * t,
        )
    };
    format!(
        "#{:02x}{:02x}{:02x}",
        r.round() as u8,
        g.round() as u8,
        b.round() as u8
    )
}

/// A measure the forest plot shows: its name and how to read it off a group.
pub struct Measure {
    pub name: &'static str,
    pub of: fn(&GroupRow) -> Estimate,
}

pub const TONE: Measure = Measure {
    name: "tone",
    of: |g| g.relative.tone,
};

pub const FRAMING: Measure = Measure {
    name: "framing",
    of: |g| Estimate {
        value: g.stats.framing,
        ci: g.stats.framing_ci,
    },
};

/// A forest plot: one row per outlet, point = the measure, bar = 95% interval, ordered high
/// to low.
pub fn forest(groups: &[GroupRow], measure: &Measure, favoured: &str, opposed: &str) -> String {
    let value = |e: &Estimate| e.value.unwrap_or(0.0);
    let mut rows: Vec<(&GroupRow, Estimate)> = groups
        .iter()
        .map(|g| (g, (measure.of)(g)))
        .filter(|(_, e)| e.value.is_some())
        .collect();
    rows.sort_by(|a, b| {
        value(&b.1)
            .total_cmp(&value(&a.1))
            .then(a.0.outlet.cmp(&b.0.outlet))
    });
    let name = measure.name;
    let label_w = 190.0;
    let plot_w = 420.0;
    let row_h = 30.0;
    let top = 40.0;
    let height = top + row_h * rows.len().max(1) as f64 + 50.0;
    let width = label_w + plot_w + 30.0;
    let extent = rows
        .iter()
        .flat_map(|(_, e)| {
            [
                value(e),
                e.ci.map_or(0.0, |c| c.0),
                e.ci.map_or(0.0, |c| c.1),
            ]
        })
        .fold(0.1f64, |m, v| m.max(v.abs()));
    let extent = ((extent * 10.0).ceil() / 10.0).min(1.0);
    let x = |v: f64| label_w + (v + extent) / (2.0 * extent) * plot_w;
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Outlet {name} with 95% intervals\" class=\"chart forest\" {FONT}>\n");
    let _ = writeln!(
        svg,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"
    );
    let _ = writeln!(svg, "<text x=\"{}\" y=\"20\" font-size=\"13\" text-anchor=\"middle\" fill=\"#333\">{name}: ← favours {} · favours {} →</text>", label_w + plot_w / 2.0, escape(opposed), escape(favoured));
    let axis_y = top + row_h * rows.len().max(1) as f64 + 5.0;
    let _ = writeln!(svg, "<line x1=\"{0}\" y1=\"{top}\" x2=\"{0}\" y2=\"{axis_y}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>", x(0.0));
    let _ = writeln!(
        svg,
        "<line x1=\"{label_w}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#333\"/>",
        label_w + plot_w
    );
    for k in -2..=2 {
        let v = extent * k as f64 / 2.0;
        let _ = writeln!(svg, "<line x1=\"{0}\" y1=\"{axis_y}\" x2=\"{0}\" y2=\"{1}\" stroke=\"#333\"/><text x=\"{0}\" y=\"{2}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">{v:+.2}</text>", x(v), axis_y + 5.0, axis_y + 18.0);
    }
    for (i, &(g, e)) in rows.iter().enumerate() {
        let (f, ci) = (value(&e), e.ci);
        let y = top + row_h * i as f64 + row_h / 2.0;
        let colour = diverging(f * 2.0);
        let _ = writeln!(svg, "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\" fill=\"#111\">{} <tspan fill=\"#777\" font-size=\"11\">n={}</tspan></text>", label_w - 10.0, y + 4.0, escape(&g.outlet), g.stats.articles_framed);
        if let Some((lo, hi)) = ci {
            let _ = writeln!(svg, "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#333\" stroke-width=\"2\"><title>95% CI [{lo:+.3}, {hi:+.3}]</title></line>", x(lo), x(hi));
        }
        let _ = writeln!(svg, "<circle cx=\"{}\" cy=\"{y}\" r=\"6\" fill=\"{colour}\" stroke=\"#111\"><title>{}: {f:+.3}</title></circle>", x(f), escape(&g.outlet));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Actors (rows, most mentioned first) by outlets (columns): mean stance as colour, mentions
/// as text; cells under the mention threshold are drawn faint and marked.
/// What a heatmap cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellValue {
    /// The mean stance of the actor's mentions in the outlet.
    Mean,
    /// That mean minus the run's mean for the same actor (`relative`).
    Relative,
}

pub fn heatmap(
    cells: &[ActorOutletRow],
    max_actors: usize,
    shows: CellValue,
    names: &super::Names,
) -> String {
    // Relative values are differences of means, mostly within ±0.5: their colours saturate
    // at half the distance.
    let (value, scale, label, legend) = match shows {
        CellValue::Mean => (
            (|c: &ActorOutletRow| c.mean) as fn(&ActorOutletRow) -> Option<f64>,
            1.0,
            "Mean stance by actor and outlet",
            "−1 (negative) … +1 (positive)",
        ),
        CellValue::Relative => (
            (|c: &ActorOutletRow| c.relative.value) as fn(&ActorOutletRow) -> Option<f64>,
            2.0,
            "Stance relative to the run by actor and outlet",
            "−0.5 (harsher than the run) … +0.5 (kinder)",
        ),
    };
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    let mut outlets: Vec<&str> = Vec::new();
    for c in cells {
        *totals.entry(&c.actor_id).or_default() += c.mentions;
        if !outlets.contains(&c.outlet.as_str()) {
            outlets.push(&c.outlet);
        }
    }
    outlets.sort();
    let mut actors: Vec<(&str, u64)> = totals.into_iter().collect();
    actors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    actors.truncate(max_actors);
    let lookup: BTreeMap<(&str, &str), &ActorOutletRow> = cells
        .iter()
        .map(|c| ((c.actor_id.as_str(), c.outlet.as_str()), c))
        .collect();
    let (label_w, cell_w, cell_h, top) = (200.0, 96.0, 24.0, 60.0);
    let width = label_w + cell_w * outlets.len().max(1) as f64 + 20.0;
    let height = top + cell_h * actors.len().max(1) as f64 + 64.0;
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{label}\" class=\"chart heatmap\" {FONT}>\n");
    let _ = writeln!(
        svg,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"
    );
    for (j, outlet) in outlets.iter().enumerate() {
        let cx = label_w + cell_w * j as f64 + cell_w / 2.0;
        let _ = writeln!(svg, "<text x=\"{cx}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#111\">{}</text>", top - 10.0, escape(outlet));
    }
    for (i, (actor, _)) in actors.iter().enumerate() {
        let y = top + cell_h * i as f64;
        let name = names.get(actor);
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#111\"><title>{}</title>{}</text>",
            label_w - 8.0,
            y + cell_h / 2.0 + 4.0,
            escape(name),
            escape(&shortened(name, LABEL_CHARS))
        );
        for (j, outlet) in outlets.iter().enumerate() {
            let x = label_w + cell_w * j as f64;
            match lookup.get(&(*actor, *outlet)) {
                Some(c) => {
                    let mean = value(c).unwrap_or(0.0);
                    let opacity = if c.few_mentions { 0.35 } else { 1.0 };
                    let mark = if c.few_mentions { "*" } else { "" };
                    let ink = if (mean * scale).abs() > 0.55 && !c.few_mentions {
                        "white"
                    } else {
                        "#111"
                    };
                    let _ = writeln!(svg, "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{opacity}\" stroke=\"white\"><title>{} in {}: {mean:+.3}, {} mentions</title></rect>", cell_w - 1.0, cell_h - 1.0, diverging(mean * scale), escape(name), escape(outlet), c.mentions);
                    let _ = writeln!(svg, "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{ink}\">{mean:+.2} ({}){mark}</text>", x + cell_w / 2.0, y + cell_h / 2.0 + 4.0, c.mentions);
                }
                None => {
                    let _ = writeln!(svg, "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"#f3f3f3\" stroke=\"white\"/>", cell_w - 1.0, cell_h - 1.0);
                }
            }
        }
    }
    let legend_y = top + cell_h * actors.len().max(1) as f64 + 20.0;
    for k in 0..=10 {
        let v = -1.0 + k as f64 * 0.2;
        let _ = writeln!(
            svg,
            "<rect x=\"{}\" y=\"{legend_y}\" width=\"16\" height=\"10\" fill=\"{}\"/>",
            10.0 + k as f64 * 16.0,
            diverging(v)
        );
    }
    let _ = writeln!(svg, "<text x=\"10\" y=\"{}\" font-size=\"11\" fill=\"#333\">{legend}; (mentions); * fewer mentions than the threshold</text>", legend_y + 26.0);
    svg.push_str("</svg>\n");
    svg
}

/// The most characters of a label that fit beside a heatmap (200 px at 12 px type).
const LABEL_CHARS: usize = 28;

/// `label` cut to `most` characters, ending in "…" where it was cut.
fn shortened(label: &str, most: usize) -> String {
    if label.chars().count() <= most {
        return label.to_string();
    }
    let kept: String = label.chars().take(most - 1).collect();
    format!("{}…", kept.trim_end())
}

/// Framing over time: one line per outlet over the periods (months) that have framed articles.
pub fn timeline(groups: &[GroupRow]) -> Option<String> {
    let mut periods: Vec<&str> = groups
        .iter()
        .filter(|g| g.stats.framing.is_some() && g.period != "unknown" && !g.period.is_empty())
        .map(|g| g.period.as_str())
        .collect();
    periods.sort();
    periods.dedup();
    if periods.len() < 2 {
        return None;
    }
    let mut outlets: Vec<&str> = groups.iter().map(|g| g.outlet.as_str()).collect();
    outlets.sort();
    outlets.dedup();
    let palette = [
        "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
    ];
    let (left, top, plot_w, plot_h) = (60.0, 30.0, 560.0, 220.0);
    let width = left + plot_w + 180.0;
    let height = top + plot_h + 60.0;
    let x = |i: usize| {
        left + if periods.len() > 1 {
            plot_w * i as f64 / (periods.len() - 1) as f64
        } else {
            0.0
        }
    };
    let y = |v: f64| top + plot_h * (1.0 - (v.clamp(-1.0, 1.0) + 1.0) / 2.0);
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Framing over time by outlet\" class=\"chart timeline\" {FONT}>\n");
    let _ = writeln!(
        svg,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"
    );
    for v in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        let dash = if v == 0.0 {
            ""
        } else {
            " stroke-dasharray=\"3 3\""
        };
        let _ = writeln!(svg, "<line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#ccc\"{dash}/><text x=\"{2}\" y=\"{3}\" font-size=\"11\" text-anchor=\"end\" fill=\"#333\">{v:+.1}</text>", y(v), left + plot_w, left - 6.0, y(v) + 4.0);
    }
    let step = periods.len().div_ceil(12).max(1);
    for (i, p) in periods.iter().enumerate().step_by(step) {
        let _ = writeln!(svg, "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">{}</text>", x(i), top + plot_h + 18.0, escape(p));
    }
    for (k, outlet) in outlets.iter().enumerate() {
        let colour = palette[k % palette.len()];
        let points: Vec<(f64, f64)> = periods
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                groups
                    .iter()
                    .find(|g| g.outlet == *outlet && g.period == *p)
                    .and_then(|g| g.stats.framing)
                    .map(|f| (x(i), y(f)))
            })
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(a, b)| format!("{a:.1},{b:.1}"))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            path.join(" ")
        );
        for (a, b) in &points {
            let _ = writeln!(
                svg,
                "<circle cx=\"{a:.1}\" cy=\"{b:.1}\" r=\"3\" fill=\"{colour}\"/>"
            );
        }
        let ly = top + 16.0 * k as f64;
        let _ = writeln!(svg, "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"4\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#111\">{}</text>", left + plot_w + 20.0, ly, left + plot_w + 38.0, ly + 5.0, escape(outlet));
    }
    svg.push_str("</svg>\n");
    Some(svg)
}

/// A reliability diagram: accuracy against confidence per bin, for each named series (e.g.
/// before and after calibration), with the diagonal a calibrated model follows. Bins with
/// fewer than `min_count` predictions are left out (their accuracy is noise).
pub fn reliability(
    title: &str,
    series: &[(&str, &[crate::stance::calibrate::Bin], f64)],
    min_count: usize,
) -> String {
    const COLOURS: [&str; 3] = ["#b2182b", "#2166ac", "#1b7837"];
    let (left, top, side) = (60.0, 40.0, 300.0);
    let x = |v: f64| left + v * side;
    let y = |v: f64| top + (1.0 - v) * side;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" {FONT} font-size=\"12\">\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\
         <text x=\"{left}\" y=\"22\" font-size=\"14\">{title}</text>",
        w = left + side + 190.0,
        h = top + side + 50.0,
        title = escape(title),
    );
    for tick in 0..=5 {
        let v = tick as f64 / 5.0;
        let _ = write!(
            svg,
            "<line x1=\"{x0}\" y1=\"{yv}\" x2=\"{x1}\" y2=\"{yv}\" stroke=\"#eee\"/>\
             <line x1=\"{xv}\" y1=\"{y0}\" x2=\"{xv}\" y2=\"{y1}\" stroke=\"#eee\"/>\
             <text x=\"{xl}\" y=\"{yl}\" text-anchor=\"end\">{v:.1}</text>\
             <text x=\"{xv}\" y=\"{yb}\" text-anchor=\"middle\">{v:.1}</text>",
            x0 = x(0.0),
            x1 = x(1.0),
            y0 = y(0.0),
            y1 = y(1.0),
            xv = x(v),
            yv = y(v),
            xl = x(0.0) - 6.0,
            yl = y(v) + 4.0,
            yb = y(0.0) + 16.0,
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\
         <rect x=\"{}\" y=\"{}\" width=\"{side}\" height=\"{side}\" fill=\"none\" stroke=\"#444\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">confidence (top class probability)</text>\
         <text transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\">accuracy</text>",
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0),
        x(0.0),
        y(1.0),
        x(0.5),
        y(0.0) + 34.0,
        y(0.5),
    );
    for (i, (name, bins, ece)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<String> = bins
            .iter()
            .filter(|b| b.count >= min_count.max(1))
            .map(|b| format!("{:.1},{:.1}", x(b.confidence), y(b.accuracy)))
            .collect();
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            points.join(" ")
        );
        for point in &points {
            let (px, py) = point.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(
                svg,
                "<circle cx=\"{px}\" cy=\"{py}\" r=\"3.5\" fill=\"{colour}\"/>"
            );
        }
        let ly = top + 20.0 + 22.0 * i as f64;
        let _ = write!(
            svg,
            "<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx2}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/>\
             <text x=\"{tx}\" y=\"{ty}\">{name} (ECE {ece:.3})</text>",
            lx = x(1.0) + 14.0,
            lx2 = x(1.0) + 34.0,
            tx = x(1.0) + 40.0,
            ty = ly + 4.0,
            name = escape(name),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_scale_ends_and_middle() {
        assert_eq!(diverging(0.0), "#ffffff");
        assert_eq!(diverging(-1.0), "#b2182b");
        assert_eq!(diverging(1.0), "#2166ac");
        assert_eq!(diverging(7.0), "#2166ac");
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape("<b>&\"</b>"), "&lt;b&gt;&amp;&quot;&lt;/b&gt;");
    }
}
