//! The report's story section: outlets compared on the same stories, next to the unpaired
//! comparison, and each outlet's agenda.

use std::collections::HashMap;
use std::fmt::Write;

use super::charts::escape;
use super::html_num;
use crate::compare::Comparison;

fn interval(ci: Option<(f64, f64)>) -> String {
    ci.map_or("–".into(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"))
}

fn p_value(p: Option<f64>) -> String {
    p.map_or("–".into(), |v| format!("{v:.4}"))
}

/// The section's HTML; a note on how to get it when the run has no stories.
pub fn section(comparison: &Comparison) -> String {
    let mut html = String::from("<h2>Same story, different framing</h2>");
    if comparison.within.is_empty() {
        html.push_str("<p class=\"note\">No article in this run has a story. Score with <code>--stories auto</code> (or a story field) to compare outlets on the same events, apart from which events they choose to cover.</p>");
        return html;
    }
    html.push_str("<p class=\"note\">The unpaired difference mixes what outlets cover with how they cover it. The within-story difference compares two outlets only on the stories both covered (each shared story counts once: the mean over stories of the difference of their articles' mean framing), so a story's own good or bad news cancels out. Its interval resamples stories; its permutation test swaps outlet labels only within a story, so with few shared stories its p-value cannot be small (four stories with one article a side allow 16 swaps: p is at least 0.125); p-values are Benjamini-Hochberg adjusted across pairs.</p><div class=\"scroll\"><table><tr><th>pair</th><th class=\"num\">unpaired difference</th><th class=\"num\">95% CI</th><th class=\"num\">p (BH)</th><th class=\"num\">shared stories</th><th class=\"num\">within-story difference</th><th class=\"num\">95% CI</th><th class=\"num\">p (BH)</th></tr>");
    let unpaired: HashMap<(&str, &str), _> = comparison
        .pairs
        .iter()
        .filter(|p| p.period.is_empty())
        .map(|p| ((p.outlet_a.as_str(), p.outlet_b.as_str()), p))
        .collect();
    for w in &comparison.within {
        let u = unpaired.get(&(w.outlet_a.as_str(), w.outlet_b.as_str()));
        let _ = write!(
            html,
            "<tr><td>{} − {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&w.outlet_a),
            escape(&w.outlet_b),
            html_num(u.and_then(|u| u.framing.diff.value)),
            interval(u.and_then(|u| u.framing.diff.ci)),
            p_value(u.and_then(|u| u.framing.p_adjusted)),
            w.stories,
            html_num(w.diff),
            interval(w.ci),
            p_value(w.p_adjusted),
        );
    }
    html.push_str("</table></div>");
    html.push_str("<h3>Agenda: what each outlet covers</h3><p class=\"note\">Of each outlet's stories, the share in which its articles mention an actor of each camp: selection, apart from framing.</p><div class=\"scroll\"><table><tr><th>outlet</th><th class=\"num\">stories</th>");
    for camp in &comparison.camps {
        let _ = write!(html, "<th class=\"num\">{}</th>", escape(camp));
    }
    html.push_str("</tr>");
    for row in comparison.agenda.chunk_by(|a, b| a.outlet == b.outlet) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"num\">{}</td>",
            escape(&row[0].outlet),
            row[0].stories
        );
        for cell in row {
            let share = cell
                .share
                .map_or("–".into(), |s| format!("{:.0}%", 100.0 * s));
            let _ = write!(html, "<td class=\"num\">{share}</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</table></div>");
    html
}
