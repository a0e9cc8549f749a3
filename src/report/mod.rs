//! Reading a run's output back for people: the terminal summary, and `slant report`, one
//! self-contained HTML file (inline SVG, inline CSS, nothing fetched) plus optional PNGs.

pub mod charts;
mod stories;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::annotate::Voice;
use crate::compare::{self, CompareError, CompareOptions, Comparison, GroupBy, VoiceFilter};
use crate::schema::compare::EvidenceRow;
use crate::schema::{num, OutletRow, RunManifest, SchemaError, TableReader, VoiceRow};
use crate::util::{write_atomic, IoError};
use charts::escape;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Compare(#[from] CompareError),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{path}: cannot render the chart: {message}")]
    Render { path: PathBuf, message: String },
}

/// Actors' names by id, as run.json records them: the report speaks in names, the tables in
/// ids. An id the run does not name (a run from before names were recorded, or a speaker
/// written as the text gives it) shows as itself.
pub struct Names(BTreeMap<String, String>);

impl Names {
    pub fn of(manifest: &RunManifest) -> Self {
        Self(manifest.names.clone())
    }

    pub fn get<'a>(&'a self, id: &'a str) -> &'a str {
        self.0.get(id).map_or(id, String::as_str)
    }
}

/// Outlet rows as aligned text, highest tone first (outlets without a tone last, by name):
/// tone with its interval, then coverage, sources and framing.
pub fn outlet_summary(outlets: &[OutletRow]) -> String {
    let mut rows: Vec<&OutletRow> = outlets.iter().collect();
    rows.sort_by(
        |a, b| match (a.relative.tone.value, b.relative.tone.value) {
            (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.outlet.cmp(&b.outlet)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.outlet.cmp(&b.outlet),
        },
    );
    let width = rows
        .iter()
        .map(|r| r.outlet.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let line = |cells: [&str; 8]| {
        format!(
            "{:<width$}  {:>8}  {:>8}  {:>9}  {:>23}  {:>9}  {:>9}  {:>9}\n",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]
        )
    };
    let mut out = line([
        "outlet", "articles", "mentions", "tone", "95% CI", "coverage", "sources", "framing",
    ]);
    for r in rows {
        let tone = r.relative.tone;
        let ci = tone.ci.map_or(String::new(), |(l, h)| {
            format!("[{}, {}]", num(Some(l)), num(Some(h)))
        });
        out += &line([
            &r.outlet,
            &r.articles.to_string(),
            &r.mentions.to_string(),
            &num(tone.value),
            &ci,
            &num(r.relative.coverage.value),
            &num(r.relative.sources.value),
            &num(r.framing),
        ]);
    }
    out
}

/// The page never scrolls sideways: charts shrink to the column, and what cannot (wide tables,
/// the heatmaps) scrolls inside its own box; long words and ids wrap.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0 auto;max-width:1040px;padding:16px;color:#1a1a1a;line-height:1.45;overflow-wrap:anywhere}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.chart{width:100%;height:auto;max-width:100%}.scroll{overflow-x:auto;max-width:100%}.scroll .heatmap{min-width:480px}
table{border-collapse:collapse;font-size:.9em;width:100%}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}table.matrix th,table.matrix td{overflow-wrap:normal}
mark{background:#ffe58a;padding:0 2px;border-radius:2px}
.neg{color:#b2182b}.pos{color:#2166ac}.note{color:#555;font-size:.9em}code{font-size:.95em}
@media (max-width:600px){body{padding:8px}table{font-size:.8em}}";

fn html_num(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{v:+.3}"))
}

/// The mention's context with the first occurrence of the mention highlighted (a whole
/// word, so "her" is not found inside "other"), and for a resolved pronoun, role or
/// description what it was resolved through ("her → Dina Boluarte").
fn highlighted(row: &EvidenceRow) -> String {
    let whole_word = |at: &usize| {
        let before = row.context[..*at].chars().next_back();
        let after = row.context[at + row.mention.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    };
    let found = row
        .context
        .match_indices(row.mention.as_str())
        .map(|(at, _)| at)
        .find(whole_word);
    let resolved = if row.antecedent.is_empty() {
        String::new()
    } else {
        format!(
            " <span class=\"note\">({} → {})</span>",
            row.form.as_str(),
            escape(&row.antecedent)
        )
    };
    match found {
        Some(at) if !row.mention.is_empty() => format!(
            "{}<mark>{}</mark>{resolved}{}",
            escape(&row.context[..at]),
            escape(&row.mention),
            escape(&row.context[at + row.mention.len()..])
        ),
        _ => format!("{}{resolved}", escape(&row.context)),
    }
}

fn provenance(run: &Path) -> String {
    let m = match RunManifest::read(run) {
        Ok(m) => m,
        Err(e) => {
            return format!(
                "<p class=\"note\">No provenance recorded: {}</p>",
                escape(&e.to_string())
            )
        }
    };
    let mut out = String::from("<table>");
    let _ = write!(
        out,
        "<tr><th>slant</th><td>{}</td></tr>",
        escape(&m.slant_version)
    );
    for (role, model) in std::iter::once(("model", &m.model))
        .chain(m.model.with.iter().map(|w| ("averaged with", w)))
    {
        let base = model
            .base_sha256
            .as_ref()
            .map_or(String::new(), |b| format!(", over base {}", escape(b)));
        let _ = write!(out, "<tr><th>{role}</th><td>{} <code>{}</code><br><span class=\"note\">sha256 {}{base}</span></td></tr>", escape(&model.id), escape(&model.path), escape(&model.sha256));
    }
    if let Some(t) = m.model.ensemble_temperature {
        let _ = write!(
            out,
            "<tr><th>ensemble</th><td>probabilities averaged over the {} models, then scaled by the ensemble's temperature {t:.3}</td></tr>",
            1 + m.model.with.len()
        );
    }
    for r in &m.registry {
        let _ = write!(out, "<tr><th>registry</th><td><code>{}</code><br><span class=\"note\">sha256 {}</span></td></tr>", escape(&r.path), escape(&r.sha256));
    }
    for i in &m.inputs {
        let _ = write!(out, "<tr><th>input</th><td><code>{}</code> ({}, {} records)<br><span class=\"note\">sha256 {}</span></td></tr>", escape(&i.path), i.format.name(), i.records, escape(&i.sha256));
    }
    let c = &m.counts;
    let _ = write!(out, "<tr><th>counts</th><td>{} records: {} articles scored, {} rejected (listed in <code>rejects.csv</code>); {} mentions; {} articles framed</td></tr>", c.records, c.articles, c.rejected, c.mentions, c.articles_framed);
    let flags = serde_json::to_string(&m.flags).unwrap_or_default();
    let _ = write!(
        out,
        "<tr><th>flags</th><td><code>{}</code></td></tr>",
        escape(&flags)
    );
    out.push_str("</table>");
    out
}

/// What each outlet measure means, and which to use when, in plain words.
fn measures_explained(favoured: &str, opposed: &str) -> String {
    let (a, b) = (escape(favoured), escape(opposed));
    format!("<ul class=\"note\"><li><b>Tone</b> (the headline): how the outlet treats {a}'s actors compared with {b}'s, measured against how the whole corpus treats the <i>same</i> actors. Which actors an outlet covers does not move it. Positive: kinder to {a}'s actors (or harsher on {b}'s) than the corpus is. Use it to ask whether an outlet is slanted in what it says.</li><li><b>Coverage</b>: the outlet's share of {a}'s actors among its mentions of either side, minus that share over the corpus. It measures selection: whom the outlet writes about, not how.</li><li><b>Sources</b>: of the quoted and reported mentions whose speaker is an actor of either side, the outlet's share of {a}'s speakers, minus the corpus share. It measures whom the outlet lets speak.</li><li><b>Framing</b>: the net reading of the outlet's articles. It mixes all three, so an outlet that covers a side's scandals more looks hostile to that side even when it writes straight.</li></ul>")
}

/// Pairwise differences: tone tested first, then coverage, sources and framing.
fn pairs_table(comparison: &Comparison) -> String {
    let ci = |c: Option<(f64, f64)>| c.map_or("–".into(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"));
    let p = |p: Option<f64>| p.map_or("–".into(), |v| format!("{v:.4}"));
    let mut html = String::from("<h2>Are the differences real?</h2><div class=\"scroll\"><table><tr><th>pair</th><th class=\"num\">tone difference</th><th class=\"num\">95% CI</th><th class=\"num\">p (BH)</th><th class=\"num\">coverage difference</th><th class=\"num\">sources difference</th><th class=\"num\">framing difference</th><th class=\"num\">p (BH)</th></tr>");
    for pair in &comparison.pairs {
        let _ = write!(html, "<tr><td>{} − {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&pair.outlet_a), escape(&pair.outlet_b),
            html_num(pair.tone.diff.value), ci(pair.tone.diff.ci), p(pair.tone.p_adjusted),
            html_num(pair.coverage.value), html_num(pair.sources.value),
            html_num(pair.framing.diff.value), p(pair.framing.p_adjusted));
    }
    html.push_str("</table></div><p class=\"note\">Tone: a permutation test that shuffles the two outlets' articles between them and re-estimates the difference (actor effects held at a fit pooling the two). Framing: a permutation test over articles. Both Benjamini-Hochberg adjusted across pairs. Intervals: the bootstrap over articles.</p>");
    html
}

/// Coverage and sources per outlet, with their intervals.
fn coverage_sources_panel(comparison: &Comparison, favoured: &str, opposed: &str) -> String {
    let ci = |c: Option<(f64, f64)>| c.map_or("–".into(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"));
    let mut html = format!("<h2>Coverage and sources: whom each outlet writes about, and whom it lets speak</h2><p class=\"note\">Coverage: the outlet's share of {0} among its {0} and {1} mentions, minus the corpus share (positive: writes more about {0}). Sources: its share of {0} among the {0} and {1} speakers it quotes or reports, minus the corpus share (positive: lets {0} speak more). 95% bootstrap intervals over articles.</p><div class=\"scroll\"><table><tr><th>outlet</th><th class=\"num\">coverage</th><th class=\"num\">95% CI</th><th class=\"num\">sources</th><th class=\"num\">95% CI</th></tr>", escape(favoured), escape(opposed));
    for g in &comparison.groups {
        let r = &g.relative;
        let _ = write!(html, "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>", escape(&g.outlet), html_num(r.coverage.value), ci(r.coverage.ci), html_num(r.sources.value), ci(r.sources.ci));
    }
    html.push_str("</table></div>");
    html
}

/// Speakers and targets the matrix shows at most.
const MATRIX_SIZE: usize = 12;

/// Own words against quoted words per outlet, and who speaks about whom.
fn voices_section(
    run: &Path,
    comparison: &Comparison,
    options: &CompareOptions,
    names: &Names,
) -> Result<String, ReportError> {
    let by_voice = |voice: VoiceFilter| -> Result<Comparison, ReportError> {
        let loaded =
            compare::Run::load(run, GroupBy::Outlet, Some(comparison.axis.clone()), voice)?;
        Ok(compare::compare(
            &loaded,
            &CompareOptions {
                evidence: 0,
                within_story: false,
                ..options.clone()
            },
        )?)
    };
    let (all, own, quoted) = (
        by_voice(VoiceFilter::All)?,
        by_voice(VoiceFilter::Own)?,
        by_voice(VoiceFilter::Quoted)?,
    );
    let ci = |c: Option<(f64, f64)>| c.map_or("–".into(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"));
    let mut html = String::from("<h2>In their own words, and in the words they quote</h2><p class=\"note\">An outlet frames actors by what it writes and by whom it quotes. Framing of each outlet's articles counting only mentions in the outlet's own words, and only mentions inside quotations or reported speech (a speaker's own name, as in “Petro said …”, counts as the outlet's words), each with a 95% bootstrap interval over articles.</p><div class=\"scroll\"><table><tr><th>outlet</th><th class=\"num\">all mentions</th><th class=\"num\">own words</th><th class=\"num\">95% CI</th><th class=\"num\">quoted words</th><th class=\"num\">95% CI</th></tr>");
    for g in &all.groups {
        let find = |c: &Comparison| {
            c.groups
                .iter()
                .find(|o| o.outlet == g.outlet)
                .map(|o| o.stats.clone())
        };
        let (o, q) = (find(&own), find(&quoted));
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&g.outlet),
            html_num(g.stats.framing),
            html_num(o.as_ref().and_then(|s| s.framing)),
            ci(o.as_ref().and_then(|s| s.framing_ci)),
            html_num(q.as_ref().and_then(|s| s.framing)),
            ci(q.as_ref().and_then(|s| s.framing_ci)),
        );
    }
    html.push_str("</table></div>");

    let manifest = RunManifest::read(run)?;
    // (speaker, actor) -> (score sum, mentions), over all outlets.
    let mut cells: std::collections::BTreeMap<(String, String), (f64, u64)> = Default::default();
    TableReader::<VoiceRow>::open(run, &manifest)?.for_each(|row| {
        if row.voice == Voice::Own
            || row.speaker_id.is_empty()
                && row.speaker_text == crate::annotate::voice::UNKNOWN_SPEAKER
        {
            return Ok(());
        }
        let speaker = if row.speaker_id.is_empty() {
            row.speaker_text
        } else {
            row.speaker_id
        };
        let cell = cells.entry((speaker, row.actor_id)).or_default();
        cell.0 += row.score.unwrap_or(0.0) * row.mentions as f64;
        cell.1 += row.mentions;
        Ok(())
    })?;
    let top = |key: fn(&(String, String)) -> &String| -> Vec<String> {
        let mut totals: std::collections::BTreeMap<&String, u64> = Default::default();
        for (k, (_, n)) in &cells {
            *totals.entry(key(k)).or_default() += n;
        }
        let mut ranked: Vec<(&String, u64)> = totals.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        ranked
            .into_iter()
            .take(MATRIX_SIZE)
            .map(|(k, _)| k.clone())
            .collect()
    };
    let speakers = top(|k| &k.0);
    let targets = top(|k| &k.1);
    html.push_str("<h2>Who speaks about whom</h2>");
    if speakers.is_empty() {
        html.push_str("<p class=\"note\">No quoted or reported mention has a known speaker.</p>");
        return Ok(html);
    }
    let _ = write!(html, "<p class=\"note\">Mean stance of the mentions each speaker (rows: the registry's actors where resolved, else the source as written) makes of each actor (columns), over all outlets, with the number of mentions; the {MATRIX_SIZE} most active speakers and targets. voices.csv has every cell per outlet, by id.</p><div class=\"scroll\"><table class=\"matrix\"><tr><th>speaker \\ about</th>");
    for t in &targets {
        let _ = write!(html, "<th class=\"num\">{}</th>", escape(names.get(t)));
    }
    html.push_str("</tr>");
    for sp in &speakers {
        let _ = write!(html, "<tr><th>{}</th>", escape(names.get(sp)));
        for t in &targets {
            match cells.get(&(sp.clone(), t.clone())) {
                Some(&(sum, n)) if n > 0 => {
                    let mean = sum / n as f64;
                    let class = if mean < 0.0 { "neg" } else { "pos" };
                    let _ = write!(html, "<td class=\"num {class}\">{mean:+.2} <span class=\"note\">({n})</span></td>");
                }
                _ => html.push_str("<td></td>"),
            }
        }
        html.push_str("</tr>");
    }
    html.push_str("</table></div>");
    Ok(html)
}

/// Rasterises the SVG `svg` to the PNG file `path` at twice its size.
pub fn render_png(svg: &str, path: &Path) -> Result<(), ReportError> {
    let render = |message: String| ReportError::Render {
        path: path.to_path_buf(),
        message,
    };
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| render(e.to_string()))?;
    let size = tree.size().to_int_size();
    let scale = 2.0;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(
        (size.width() as f32 * scale) as u32,
        (size.height() as f32 * scale) as u32,
    )
    .ok_or_else(|| render("empty picture".into()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.save_png(path).map_err(|e| render(e.to_string()))
}

/// Writes the report for the run in `run` (with `comparison` computed over outlets) to
/// `output`, and the charts as PNG into `png_dir` if given. Returns the paths written.
pub fn write_report(
    run: &Path,
    comparison: &Comparison,
    options: &CompareOptions,
    output: &Path,
    png_dir: Option<&Path>,
) -> Result<Vec<String>, ReportError> {
    let favoured = comparison.axis.favoured.join(" + ");
    let opposed = comparison.axis.opposed.join(" + ");
    let forest = charts::forest(&comparison.groups, &charts::TONE, &favoured, &opposed);
    let framing_forest = charts::forest(&comparison.groups, &charts::FRAMING, &favoured, &opposed);
    let names = Names::of(&RunManifest::read(run)?);
    let heatmap = charts::heatmap(
        &comparison.actor_outlet,
        25,
        charts::CellValue::Mean,
        &names,
    );
    let relative_heatmap = charts::heatmap(
        &comparison.actor_outlet,
        25,
        charts::CellValue::Relative,
        &names,
    );
    let monthly = compare::Run::load(
        run,
        GroupBy::OutletMonth,
        Some(comparison.axis.clone()),
        comparison.voice,
    )?;
    let monthly = compare::compare(
        &monthly,
        &CompareOptions {
            resamples: 0,
            seed: 0,
            min_mentions: 0,
            evidence: 0,
            within_story: false,
            tone_voices: None,
        },
    )?;
    let timeline = charts::timeline(&monthly.groups);

    let mut html = String::new();
    let _ = write!(html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>slant report: {}</title><style>{STYLE}</style></head><body>", escape(&run.display().to_string()));
    let _ = write!(html, "<h1>How the outlets treat the actors</h1><p class=\"note\">Run <code>{}</code>. Axis: positive favours <b>{}</b>, negative favours <b>{}</b>.</p>", escape(&run.display().to_string()), escape(&favoured), escape(&opposed));
    html.push_str(&measures_explained(&favoured, &opposed));
    let _ = write!(
        html,
        "<h2>Tone: how each outlet treats the two sides' actors</h2><p class=\"note\">Each point is the outlet's tone, with a 95% bootstrap interval over articles. 0 is how the corpus as a whole treats the same actors.</p><div class=\"scroll\">{forest}</div>"
    );
    html.push_str(&pairs_table(comparison));
    html.push_str(&coverage_sources_panel(comparison, &favoured, &opposed));
    let _ = write!(
        html,
        "<h2>Framing: the net reading</h2><p class=\"note\">The mean framing of each outlet's articles (+s for {0}'s actors, −s for {1}'s), with a 95% bootstrap interval over articles. It mixes tone with coverage and sources: an outlet that writes more about the actors everyone criticises looks hostile to their side, however it writes.</p><div class=\"scroll\">{framing_forest}</div>",
        escape(&favoured),
        escape(&opposed)
    );

    let _ = write!(html, "<h2>Who gets criticised where</h2><p class=\"note\">Mean stance (P(positive) − P(negative)) of each actor's mentions per outlet, most-mentioned actors first; faint cells with * have fewer mentions than the threshold.</p><div class=\"scroll\">{heatmap}</div>");
    let _ = write!(html, "<h2>Each actor, outlet by outlet, against the run</h2><p class=\"note\">The same cells as the outlet's mean minus the run's mean for the same actor (<code>relative</code> in actor_outlet.csv): how the outlet treats this actor compared with everyone else. Blue: kinder than the run; red: harsher.</p><div class=\"scroll\">{relative_heatmap}</div>");
    match &timeline {
        Some(svg) => {
            let _ = write!(html, "<h2>Framing over time</h2><div class=\"scroll\">{svg}</div>");
        }
        None => html.push_str("<h2>Framing over time</h2><p class=\"note\">Fewer than two months with dated, framed articles: no time chart.</p>"),
    }

    html.push_str(&stories::section(comparison));
    html.push_str(&voices_section(run, comparison, options, &names)?);

    html.push_str("<h2>Evidence: the sentences behind the scores</h2><p class=\"note\">For each outlet and camp, the mentions that move the score most.</p>");
    let mut current = (String::new(), String::new());
    for row in &comparison.evidence {
        if (row.outlet.clone(), row.camp.clone()) != current {
            if !current.0.is_empty() {
                html.push_str("</table></div>");
            }
            current = (row.outlet.clone(), row.camp.clone());
            let _ = write!(html, "<h3>{} · {}</h3><div class=\"scroll\"><table><tr><th>actor</th><th>sentence</th><th class=\"num\">stance</th><th>article</th></tr>", escape(&row.outlet), escape(&row.camp));
        }
        let class = if row.score < 0.0 { "neg" } else { "pos" };
        let _ = write!(html, "<tr><td>{}</td><td>{}</td><td class=\"num {class}\">{:+.3}</td><td><code>{}</code></td></tr>", escape(names.get(&row.actor_id)), highlighted(row), row.score, escape(&row.article_id));
    }
    if !current.0.is_empty() {
        html.push_str("</table></div>");
    }
    let _ = write!(
        html,
        "<h2>Provenance</h2>{}\n</body></html>",
        provenance(run)
    );

    let mut written = Vec::new();
    write_atomic(output, html.as_bytes())?;
    written.push(output.display().to_string());
    if let Some(dir) = png_dir {
        std::fs::create_dir_all(dir).map_err(IoError::at(dir))?;
        let mut pictures = vec![
            ("forest.png", forest),
            ("framing.png", framing_forest),
            ("heatmap.png", heatmap),
            ("relative.png", relative_heatmap),
        ];
        if let Some(svg) = timeline {
            pictures.push(("timeline.png", svg));
        }
        for (name, svg) in pictures {
            let path = dir.join(name);
            render_png(&svg, &path)?;
            written.push(path.display().to_string());
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlet_summary_sorts_by_tone_one_line_each() {
        let row = |outlet: &str, tone: Option<f64>, ci: Option<(f64, f64)>| OutletRow {
            outlet: outlet.into(),
            articles: 2,
            articles_framed: 2,
            mentions: 5,
            relative: crate::aggregate::RelativeStats {
                tone: crate::aggregate::Estimate { value: tone, ci },
                ..Default::default()
            },
            framing: Some(0.5),
            framing_low: None,
            framing_high: None,
            framing_own: None,
            framing_own_low: None,
            framing_own_high: None,
            camps: Vec::new(),
        };
        let text = outlet_summary(&[
            row("A", Some(-0.1), Some((-0.2, 0.0))),
            row("B", None, None),
            row("C", Some(0.3), None),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[1].starts_with("C ") && lines[2].starts_with("A ") && lines[3].starts_with("B "),
            "{text}"
        );
        assert!(lines[2].contains("[-0.200000, 0.000000]"), "{text}");
        assert!(lines[0].ends_with("framing"), "{text}");
    }
}
