//! `slant compare`: are outlets really different, and about whom? Statistics over a
//! `slant score` output directory, without re-scoring.
//!
//! Everything is recomputed from `articles.csv` and `mentions.csv` (so `--axis` may differ
//! from the one the run used), with articles as the unit of resampling. Groups go through
//! the same aggregation as `slant score`'s outlets.csv, so by outlet the two agree exactly.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::aggregate::{group_name, group_seed, ArticleTally, Axis, GroupAccumulator};
use crate::annotate::Voice;
mod within;

use crate::schema::compare::{
    ActorOutletRow, AgendaRow, EvidenceRow, GroupRow, PairRow, WithinPairRow,
};
use crate::schema::{
    write_table, ArticleRow, Layout, MentionRow, RunManifest, SchemaError, TableReader,
};
use crate::stats::{benjamini_hochberg, bootstrap_ratio_ci, compare_means};
use crate::util::IoError;

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("no framing axis: give --axis A,B (the run was scored without one)")]
    NoAxis,
    #[error(
        "{0}: no article has a story, so there is nothing to compare within stories: score \
         with --stories auto (or a story field, or --stories FILE)"
    )]
    NoStories(PathBuf),
    #[error(
        "{dir} is shard {shard} of a sharded run, not a whole run: merge the parts first \
         (slant merge PART... --out DIR)"
    )]
    Part {
        dir: std::path::PathBuf,
        shard: crate::corpus::Shard,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
pub enum GroupBy {
    #[value(name = "outlet")]
    Outlet,
    #[value(name = "outlet,month")]
    OutletMonth,
    #[value(name = "outlet,year")]
    OutletYear,
}

/// Which mentions a comparison counts, by whose words they are in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VoiceFilter {
    /// Every mention.
    #[default]
    All,
    /// Mentions in the outlet's own words.
    Own,
    /// Mentions in somebody else's words, quoted or reported.
    Quoted,
}

impl VoiceFilter {
    pub fn accepts(self, voice: Voice) -> bool {
        match self {
            VoiceFilter::All => true,
            VoiceFilter::Own => voice == Voice::Own,
            VoiceFilter::Quoted => voice != Voice::Own,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            VoiceFilter::All => "all",
            VoiceFilter::Own => "own",
            VoiceFilter::Quoted => "quoted",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub resamples: usize,
    pub seed: u64,
    pub min_mentions: u64,
    /// Evidence rows per outlet and camp.
    pub evidence: usize,
    /// Also compare outlets within the stories they share, and tabulate their agendas.
    pub within_story: bool,
}

struct Article {
    id: String,
    outlet: String,
    period: String,
    story: String,
    tally: ArticleTally,
}

struct ActorStats {
    camp: String,
    /// Per article index: (sum of s, mentions).
    per_article: BTreeMap<usize, (f64, f64)>,
}

/// A run read back: its articles with per-camp and framing tallies, and its camps.
pub struct Run {
    articles: Vec<Article>,
    camps: Vec<String>,
    actors: BTreeMap<(String, String), ActorStats>,
    axis: Axis,
    voice: VoiceFilter,
    dir: PathBuf,
    manifest: RunManifest,
}

pub struct Comparison {
    pub groups: Vec<GroupRow>,
    pub pairs: Vec<PairRow>,
    pub actor_outlet: Vec<ActorOutletRow>,
    pub evidence: Vec<EvidenceRow>,
    pub camps: Vec<String>,
    pub axis: Axis,
    /// The mentions it counted.
    pub voice: VoiceFilter,
    /// Outlet pairs within shared stories, and agendas (empty unless asked for).
    pub within: Vec<WithinPairRow>,
    pub agenda: Vec<AgendaRow>,
}

/// The period of an article's date: `YYYY-MM` or `YYYY` from an ISO date, `unknown` for
/// anything else (scraped dates come in every format and language; they are not guessed).
fn period(date: &str, by: GroupBy) -> String {
    // The first n bytes, if they are digits with a '-' at byte 4 (so ASCII: slicing is safe).
    let prefix = |n: usize| {
        let bytes = date.as_bytes().get(..n)?;
        let iso = bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
        iso.then(|| date[..n].to_string())
    };
    let found = match by {
        GroupBy::Outlet => return String::new(),
        GroupBy::OutletMonth => prefix(7),
        GroupBy::OutletYear => prefix(4),
    };
    found.unwrap_or_else(|| "unknown".into())
}

impl Run {
    /// Reads `articles.csv` and `mentions.csv` of a score output directory, keeping the
    /// mentions `voice` accepts.
    pub fn load(
        dir: &Path,
        by: GroupBy,
        axis: Option<Axis>,
        voice: VoiceFilter,
    ) -> Result<Run, CompareError> {
        let manifest = RunManifest::read(dir)?;
        if let Some(shard) = manifest.flags.shard {
            return Err(CompareError::Part {
                dir: dir.to_path_buf(),
                shard,
            });
        }
        let axis = axis
            .or_else(|| manifest.flags.axis.clone())
            .ok_or(CompareError::NoAxis)?;
        let mut articles = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        // Camp numbers are recomputed from the mentions, on this comparison's axis.
        TableReader::<ArticleRow>::open(dir, &manifest)?.for_each(|row| {
            index.insert(row.article_id.clone(), articles.len());
            articles.push(Article {
                id: row.article_id,
                outlet: row.outlet,
                period: period(&row.date, by),
                story: row.story,
                tally: ArticleTally::default(),
            });
            Ok(())
        })?;
        let mut actors: BTreeMap<(String, String), ActorStats> = BTreeMap::new();
        let mut camps: Vec<String> = Vec::new();
        TableReader::<MentionRow>::open(dir, &manifest)?.for_each(|m| {
            let &a = index
                .get(&m.article_id)
                .ok_or_else(|| format!("article {:?} is not in articles.csv", m.article_id))?;
            if !camps.contains(&m.camp) {
                camps.push(m.camp.clone());
            }
            if !voice.accepts(m.voice) {
                return Ok(());
            }
            let article = &mut articles[a];
            article.tally.add(&m.camp, m.score, m.voice, Some(&axis));
            let stats = actors
                .entry((m.actor_id, article.outlet.clone()))
                .or_insert_with(|| ActorStats {
                    camp: m.camp,
                    per_article: BTreeMap::new(),
                });
            let entry = stats.per_article.entry(a).or_insert((0.0, 0.0));
            entry.0 += m.score;
            entry.1 += 1.0;
            Ok(())
        })?;
        camps.sort();
        Ok(Run {
            articles,
            camps,
            actors,
            axis,
            voice,
            dir: dir.to_path_buf(),
            manifest,
        })
    }
}

impl Run {
    /// Whether any article has a story.
    pub fn has_stories(&self) -> bool {
        self.articles.iter().any(|a| !a.story.is_empty())
    }
}

pub fn compare(run: &Run, options: &CompareOptions) -> Result<Comparison, CompareError> {
    if options.within_story && !run.has_stories() {
        return Err(CompareError::NoStories(run.dir.clone()));
    }
    let mut groups: BTreeMap<(String, String), GroupAccumulator> = BTreeMap::new();
    for a in &run.articles {
        groups
            .entry((a.period.clone(), a.outlet.clone()))
            .or_default()
            .add(&a.tally);
    }
    let group_rows: Vec<GroupRow> = groups
        .into_iter()
        .map(|((period, outlet), group)| {
            let seed = group_seed(options.seed, &group_name(&outlet, &period));
            GroupRow {
                stats: group.finish(&run.camps, options.resamples, seed),
                outlet,
                period,
            }
        })
        .collect();

    let mut pairs = Vec::new();
    for (i, a) in group_rows.iter().enumerate() {
        for b in group_rows[i + 1..].iter().filter(|b| b.period == a.period) {
            let seed = group_seed(
                options.seed,
                &format!("{}\u{1f}{}\u{1f}{}", a.period, a.outlet, b.outlet),
            );
            let d = compare_means(
                &a.stats.framings,
                &b.stats.framings,
                options.resamples,
                seed,
            );
            pairs.push(PairRow {
                period: a.period.clone(),
                outlet_a: a.outlet.clone(),
                outlet_b: b.outlet.clone(),
                diff: d.map(|d| d.diff),
                ci: d.map(|d| (d.low, d.high)),
                p_value: d.map(|d| d.p_value),
                p_adjusted: None,
            });
        }
    }
    let tested: Vec<usize> = (0..pairs.len())
        .filter(|&i| pairs[i].p_value.is_some())
        .collect();
    let adjusted = benjamini_hochberg(
        &tested
            .iter()
            .filter_map(|&i| pairs[i].p_value)
            .collect::<Vec<_>>(),
    );
    for (&i, p) in tested.iter().zip(adjusted) {
        pairs[i].p_adjusted = Some(p);
    }

    let actor_outlet = run
        .actors
        .iter()
        .map(|((actor, outlet), stats)| {
            let units: Vec<(f64, f64)> = stats.per_article.values().copied().collect();
            let mentions = units.iter().map(|u| u.1).sum::<f64>() as u64;
            let sum: f64 = units.iter().map(|u| u.0).sum();
            ActorOutletRow {
                actor_id: actor.clone(),
                camp: stats.camp.clone(),
                outlet: outlet.clone(),
                mentions,
                articles: units.len() as u64,
                mean: (mentions > 0).then(|| sum / mentions as f64),
                ci: bootstrap_ratio_ci(
                    &units,
                    options.resamples,
                    0.05,
                    group_seed(options.seed, &format!("{actor}\u{1f}{outlet}")),
                ),
                few_mentions: mentions < options.min_mentions,
            }
        })
        .collect();

    Ok(Comparison {
        groups: group_rows,
        pairs,
        actor_outlet,
        evidence: evidence(run, options.evidence)?,
        camps: run.camps.clone(),
        voice: run.voice,
        axis: run.axis.clone(),
        within: if options.within_story {
            within::within_story(&run.articles, options.resamples, options.seed)
        } else {
            Vec::new()
        },
        agenda: if options.within_story {
            within::agenda(&run.articles, &run.camps)
        } else {
            Vec::new()
        },
    })
}

/// The mentions that move each outlet's camp scores most, by the size of their share of their
/// article's framing (or camp score).
fn evidence(run: &Run, per_group: usize) -> Result<Vec<EvidenceRow>, CompareError> {
    let index: HashMap<&str, usize> = run
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut best: BTreeMap<(String, String), Vec<EvidenceRow>> = BTreeMap::new();
    TableReader::<MentionRow>::open(&run.dir, &run.manifest)?.for_each(|m| {
        let Some(&a) = index.get(m.article_id.as_str()) else {
            return Ok(());
        };
        if !run.voice.accepts(m.voice) {
            return Ok(());
        }
        let art = &run.articles[a];
        let (s, c) = (m.score, m.camp);
        let weight = match run.axis.contribution(&c, s) {
            Some(contribution) => contribution / art.tally.framing.n.max(1) as f64,
            None => s / art.tally.camps.get(&c).map_or(1, |t| t.n.max(1)) as f64,
        };
        let list = best.entry((art.outlet.clone(), c.clone())).or_default();
        if list.len() < per_group || list.last().is_some_and(|w| weight.abs() > w.weight.abs()) {
            list.push(EvidenceRow {
                outlet: art.outlet.clone(),
                camp: c,
                rank: 0,
                article_id: art.id.clone(),
                actor_id: m.actor_id,
                mention: m.mention,
                start: m.start,
                end: m.end,
                score: s,
                weight,
                context: m.context,
            });
            // Stable: equal weights keep file order.
            list.sort_by(|x, y| y.weight.abs().total_cmp(&x.weight.abs()));
            list.truncate(per_group);
        }
        Ok(())
    })?;
    Ok(best
        .into_values()
        .flat_map(|list| {
            list.into_iter().enumerate().map(|(i, mut row)| {
                row.rank = i + 1;
                row
            })
        })
        .collect())
}

/// Writes groups.csv, pairs.csv, actor_outlet.csv, evidence.csv, within_story.csv and
/// agenda.csv into `dir` (the last two with their headers only unless asked for).
pub fn write(c: &Comparison, dir: &Path) -> Result<(), CompareError> {
    std::fs::create_dir_all(dir).map_err(IoError::at(dir))?;
    let layout = Layout {
        camps: c.camps.clone(),
        keep: Vec::new(),
    };
    write_table(dir, &layout, &c.groups)?;
    write_table(dir, &layout, &c.pairs)?;
    write_table(dir, &layout, &c.actor_outlet)?;
    write_table(dir, &layout, &c.evidence)?;
    write_table(dir, &layout, &c.within)?;
    write_table(dir, &layout, &c.agenda)?;
    Ok(())
}

/// The groups and pairs as aligned text for the terminal.
pub fn summary(c: &Comparison) -> String {
    let fmt = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:+.3}"));
    let ci =
        |x: Option<(f64, f64)>| x.map_or(String::new(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"));
    let width = c
        .groups
        .iter()
        .map(|g| g.outlet.chars().count())
        .chain(
            c.pairs
                .iter()
                .map(|p| p.outlet_a.chars().count() + p.outlet_b.chars().count() + 4),
        )
        .max()
        .unwrap_or(6)
        .max(6);
    let voices = match c.voice {
        VoiceFilter::All => String::new(),
        VoiceFilter::Own => " (mentions in the outlets' own words only)".to_string(),
        VoiceFilter::Quoted => " (quoted and reported mentions only)".to_string(),
    };
    let mut out = format!(
        "framing axis: +{} / -{}{voices}\n\n{:<width$}  {:>8}  {:>8}  {:>8}  {:>8}  {:>18}\n",
        c.axis.favoured.join("+"),
        c.axis.opposed.join("+"),
        "group",
        "period",
        "articles",
        "mentions",
        "framing",
        "95% CI"
    );
    let mut groups: Vec<&GroupRow> = c.groups.iter().collect();
    groups.sort_by(|a, b| {
        a.period.cmp(&b.period).then(
            b.stats
                .framing
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.stats.framing.unwrap_or(f64::NEG_INFINITY)),
        )
    });
    for g in groups {
        out += &format!(
            "{:<width$}  {:>8}  {:>8}  {:>8}  {:>8}  {:>18}\n",
            g.outlet,
            g.period,
            g.stats.articles,
            g.stats.mentions,
            fmt(g.stats.framing),
            ci(g.stats.framing_ci)
        );
    }
    // One line per pair: its name, a second column (period or shared stories), the test.
    let pair_line = |a: &str, b: &str, second: &str, diff, interval, p: Option<f64>, adjusted| {
        let p4 = |p: Option<f64>| p.map_or("-".into(), |v| format!("{v:.4}"));
        format!(
            "{:<width$}  {:>8}  {:>8}  {:>18}  {:>8}  {:>8}\n",
            format!("{a} vs {b}"),
            second,
            fmt(diff),
            ci(interval),
            p4(p),
            p4(adjusted)
        )
    };
    out += &format!(
        "\n{:<width$}  {:>8}  {:>8}  {:>18}  {:>8}  {:>8}\n",
        "pair", "period", "diff", "95% CI", "p", "p (BH)"
    );
    for p in &c.pairs {
        out += &pair_line(
            &p.outlet_a,
            &p.outlet_b,
            &p.period,
            p.diff,
            p.ci,
            p.p_value,
            p.p_adjusted,
        );
    }
    if !c.within.is_empty() {
        out += &format!(
            "\nwithin shared stories\n{:<width$}  {:>8}  {:>8}  {:>18}  {:>8}  {:>8}\n",
            "pair", "stories", "diff", "95% CI", "p", "p (BH)"
        );
        for p in &c.within {
            out += &pair_line(
                &p.outlet_a,
                &p.outlet_b,
                &p.stories.to_string(),
                p.diff,
                p.ci,
                p.p_value,
                p.p_adjusted,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_of_dates_that_are_not_iso_dates_are_unknown_not_a_panic() {
        assert_eq!(period("2023-03-29", GroupBy::OutletMonth), "2023-03");
        assert_eq!(period("2023-03-29", GroupBy::OutletYear), "2023");
        assert_eq!(period("2023", GroupBy::OutletMonth), "unknown");
        // Multi-byte characters where the year or month would end.
        assert_eq!(period("20€", GroupBy::OutletYear), "unknown");
        assert_eq!(period("1 января 2023", GroupBy::OutletMonth), "unknown");
        assert_eq!(period("2023-0é", GroupBy::OutletMonth), "unknown");
        assert_eq!(period("", GroupBy::OutletYear), "unknown");
        assert_eq!(period("20€", GroupBy::Outlet), "");
    }
}
