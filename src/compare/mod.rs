//! `slant compare`: are outlets really different, and about whom? Statistics over a
//! `slant score` output directory, without re-scoring.
//!
//! Everything is recomputed from `articles.csv` and `mentions.csv` (so `--axis` may differ
//! from the one the run used), with articles as the unit of resampling. Groups go through
//! the same aggregation as `slant score`'s outlets.csv, so by outlet the two agree exactly.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::aggregate::{
    group_name, group_seed, ArticleTally, Axis, Estimate, GroupAccumulator, Measure,
    RelativeAccumulator, ToneVoices,
};
use crate::annotate::Voice;
mod within;

use crate::schema::compare::{
    ActorOutletRow, AgendaRow, EvidenceRow, GroupRow, PairRow, Tested, WithinPairRow,
};
use crate::schema::{
    write_table, ArticleRow, Layout, MentionRow, RunManifest, SchemaError, TableReader,
};
use crate::stats::{benjamini_hochberg, bootstrap_ratio_draws, compare_means, percentile_interval};
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
    /// Which mentions tone is estimated from; None: as the run was scored.
    pub tone_voices: Option<ToneVoices>,
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
            let article = &mut articles[a];
            if !voice.accepts(m.voice) {
                // Whom an outlet lets speak does not depend on which voices are compared.
                article.tally.add_speaker(&m.as_score(), Some(&axis));
                return Ok(());
            }
            article.tally.add(&m.as_score(), Some(&axis));
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
    let tone_voices = options
        .tone_voices
        .unwrap_or(run.manifest.flags.tone_voices);
    let mut groups: BTreeMap<(String, String), GroupAccumulator> = BTreeMap::new();
    let mut relative = RelativeAccumulator::new(tone_voices);
    let mut within_stories = RelativeAccumulator::new(tone_voices);
    for a in &run.articles {
        let name = group_name(&a.outlet, &a.period);
        groups
            .entry((a.period.clone(), a.outlet.clone()))
            .or_default()
            .add(&a.tally);
        relative.add(&name, &a.tally, None);
        if options.within_story && !a.story.is_empty() {
            within_stories.add(&name, &a.tally, Some(&a.story));
        }
    }
    let fit = relative.fit(options.resamples, options.seed);
    let story_fit = options
        .within_story
        .then(|| within_stories.fit(options.resamples, options.seed));
    let group_rows: Vec<GroupRow> = groups
        .into_iter()
        .map(|((period, outlet), group)| {
            let name = group_name(&outlet, &period);
            let seed = group_seed(options.seed, &name);
            GroupRow {
                stats: group.finish(&run.camps, options.resamples, seed),
                relative: fit.get(&name),
                tone_story: story_fit
                    .as_ref()
                    .map(|f| f.get(&name).tone)
                    .unwrap_or_default(),
                outlet,
                period,
            }
        })
        .collect();

    let mut pairs = Vec::new();
    // Tone tests, run together once the pairs are known: (a, b, seed) per pair with a tone.
    let mut tone_tests: Vec<(usize, String, String, u64)> = Vec::new();
    for (i, a) in group_rows.iter().enumerate() {
        for b in group_rows[i + 1..].iter().filter(|b| b.period == a.period) {
            let pair = format!("{}\u{1f}{}\u{1f}{}", a.period, a.outlet, b.outlet);
            let (name_a, name_b) = (
                group_name(&a.outlet, &a.period),
                group_name(&b.outlet, &b.period),
            );
            let framing = compare_means(
                &a.stats.framings,
                &b.stats.framings,
                options.resamples,
                group_seed(options.seed, &pair),
            );
            let tone = fit.difference(Measure::Tone, &name_a, &name_b);
            if tone.value.is_some() {
                let seed = group_seed(options.seed, &format!("tone\u{1f}{pair}"));
                tone_tests.push((pairs.len(), name_a.clone(), name_b.clone(), seed));
            }
            pairs.push(PairRow {
                period: a.period.clone(),
                outlet_a: a.outlet.clone(),
                outlet_b: b.outlet.clone(),
                tone: Tested {
                    diff: tone,
                    p_value: None,
                    p_adjusted: None,
                },
                coverage: fit.difference(Measure::Coverage, &name_a, &name_b),
                sources: fit.difference(Measure::Sources, &name_a, &name_b),
                framing: Tested {
                    diff: Estimate {
                        value: framing.map(|d| d.diff),
                        ci: framing.map(|d| (d.low, d.high)),
                    },
                    p_value: framing.map(|d| d.p_value),
                    p_adjusted: None,
                },
            });
        }
    }
    let tests: Vec<(&str, &str, u64)> = tone_tests
        .iter()
        .map(|(_, a, b, seed)| (a.as_str(), b.as_str(), *seed))
        .collect();
    let p_values = relative.tone_permutation_tests(&tests, fit.variances, options.resamples);
    for ((i, ..), p) in tone_tests.iter().zip(p_values) {
        pairs[*i].tone.p_value = p;
    }
    adjust(&mut pairs, |p| &mut p.tone);
    adjust(&mut pairs, |p| &mut p.framing);

    let actor_outlet = actor_outlet(run, options);

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

/// Benjamini-Hochberg across the pairs that have a p-value of the test `of` picks.
fn adjust(pairs: &mut [PairRow], of: impl Fn(&mut PairRow) -> &mut Tested) {
    let tested: Vec<usize> = (0..pairs.len())
        .filter(|&i| of(&mut pairs[i]).p_value.is_some())
        .collect();
    let p: Vec<f64> = tested
        .iter()
        .filter_map(|&i| of(&mut pairs[i]).p_value)
        .collect();
    for (&i, adjusted) in tested.iter().zip(benjamini_hochberg(&p)) {
        of(&mut pairs[i]).p_adjusted = Some(adjusted);
    }
}

/// Each actor in each outlet: its mean score, and `relative`, the outlet's mean minus the
/// corpus mean for the same actor. One bootstrap per actor resamples each outlet's articles
/// on the outlet's own stream (seeded by actor and outlet, so the mean's interval is the one
/// the cell alone would get) and recomputes the corpus mean from the resampled outlets.
fn actor_outlet(run: &Run, options: &CompareOptions) -> Vec<ActorOutletRow> {
    let sum = |units: &[(f64, f64)]| units.iter().fold((0.0, 0.0), |t, u| (t.0 + u.0, t.1 + u.1));
    let mut rows = Vec::new();
    let mut actors = run.actors.iter().peekable();
    while let Some(((actor, _), _)) = actors.peek() {
        let actor = actor.clone();
        // The actor's cells, one per outlet: (outlet, camp, units, draws).
        let mut cells = Vec::new();
        while let Some(((_, outlet), stats)) = actors.next_if(|((a, _), _)| *a == actor) {
            let units: Vec<(f64, f64)> = stats.per_article.values().copied().collect();
            let seed = group_seed(options.seed, &format!("{actor}\u{1f}{outlet}"));
            let draws = bootstrap_ratio_draws(&units, options.resamples, seed);
            cells.push((outlet, &stats.camp, units, draws));
        }
        let corpus_mean = ratio(cells.iter().map(|c| sum(&c.2)));
        let corpus_draws: Vec<f64> = (0..options.resamples)
            .map(|r| ratio(cells.iter().map(|c| c.3[r])))
            .collect();
        for (outlet, camp, units, draws) in &cells {
            let (total, n) = sum(units);
            let mean = total / n;
            // A cell of one article has no spread of its own to resample.
            let resampled = units.len() >= 2;
            let interval = |values: Vec<f64>| percentile_interval(&values).filter(|_| resampled);
            rows.push(ActorOutletRow {
                actor_id: actor.clone(),
                camp: camp.to_string(),
                outlet: outlet.to_string(),
                mentions: n as u64,
                articles: units.len() as u64,
                mean: Some(mean),
                ci: interval(draws.iter().map(|(s, n)| s / n).collect()),
                relative: Estimate {
                    value: Some(mean - corpus_mean),
                    ci: interval(
                        draws
                            .iter()
                            .zip(&corpus_draws)
                            .map(|((s, n), c)| s / n - c)
                            .collect(),
                    ),
                },
                few_mentions: (n as u64) < options.min_mentions,
            });
        }
    }
    rows
}

/// sum(num) / sum(den) over (num, den) pairs.
fn ratio(units: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (num, den) = units.fold((0.0, 0.0), |t, u| (t.0 + u.0, t.1 + u.1));
    num / den
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
                form: m.form,
                antecedent: m.antecedent_text,
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

/// The groups and pairs as aligned text for the terminal, tone first.
pub fn summary(c: &Comparison) -> String {
    let fmt = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:+.3}"));
    let ci =
        |x: Option<(f64, f64)>| x.map_or(String::new(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"));
    let p4 = |p: Option<f64>| p.map_or("-".into(), |v| format!("{v:.4}"));
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
    let (a, b) = (c.axis.favoured.join("+"), c.axis.opposed.join("+"));
    let mut out = format!(
        "axis: +{a} / -{b}{voices}\n\
         tone: how the outlet treats {a}'s actors against {b}'s, compared with how the whole \
         corpus treats the same actors (the difference in what it covers taken out)\n\
         coverage: its share of {a}'s actors among its mentions of either side, minus the \
         corpus share\n\
         sources: its share of {a}'s people among the speakers of either side it quotes, minus \
         the corpus share\n\
         framing: the net reading of its articles, which mixes all three\n\n\
         {:<width$}  {:>8}  {:>8}  {:>8}  {:>7}  {:>18}  {:>8}  {:>8}  {:>8}\n",
        "group",
        "period",
        "articles",
        "mentions",
        "tone",
        "95% CI",
        "coverage",
        "sources",
        "framing"
    );
    let mut groups: Vec<&GroupRow> = c.groups.iter().collect();
    let tone = |g: &GroupRow| g.relative.tone.value.unwrap_or(f64::NEG_INFINITY);
    groups.sort_by(|x, y| x.period.cmp(&y.period).then(tone(y).total_cmp(&tone(x))));
    for g in groups {
        out += &format!(
            "{:<width$}  {:>8}  {:>8}  {:>8}  {:>7}  {:>18}  {:>8}  {:>8}  {:>8}\n",
            g.outlet,
            g.period,
            g.stats.articles,
            g.stats.mentions,
            fmt(g.relative.tone.value),
            ci(g.relative.tone.ci),
            fmt(g.relative.coverage.value),
            fmt(g.relative.sources.value),
            fmt(g.stats.framing),
        );
    }
    if c.groups.iter().any(|g| g.tone_story.value.is_some()) {
        out += &format!(
            "\ntone with the story held constant (each actor compared within a story)\n\
             {:<width$}  {:>8}  {:>7}  {:>18}\n",
            "group", "period", "tone", "95% CI"
        );
        for g in &c.groups {
            out += &format!(
                "{:<width$}  {:>8}  {:>7}  {:>18}\n",
                g.outlet,
                g.period,
                fmt(g.tone_story.value),
                ci(g.tone_story.ci)
            );
        }
    }
    // One line per pair: its name, a second column (period or shared stories), the test.
    let pair_line = |a: &str, b: &str, second: &str, t: &Tested| {
        format!(
            "{:<width$}  {:>8}  {:>8}  {:>18}  {:>8}  {:>8}\n",
            format!("{a} vs {b}"),
            second,
            fmt(t.diff.value),
            ci(t.diff.ci),
            p4(t.p_value),
            p4(t.p_adjusted)
        )
    };
    let pair_header = |title: &str, second: &str| {
        format!(
            "\n{title}\n{:<width$}  {:>8}  {:>8}  {:>18}  {:>8}  {:>8}\n",
            "pair", second, "diff", "95% CI", "p", "p (BH)"
        )
    };
    out += &pair_header("tone, pair by pair", "period");
    for p in &c.pairs {
        out += &pair_line(&p.outlet_a, &p.outlet_b, &p.period, &p.tone);
    }
    out += &pair_header("framing, pair by pair", "period");
    for p in &c.pairs {
        out += &pair_line(&p.outlet_a, &p.outlet_b, &p.period, &p.framing);
    }
    if !c.within.is_empty() {
        out += &pair_header("framing within shared stories", "stories");
        for p in &c.within {
            let t = Tested {
                diff: Estimate {
                    value: p.diff,
                    ci: p.ci,
                },
                p_value: p.p_value,
                p_adjusted: p.p_adjusted,
            };
            out += &pair_line(&p.outlet_a, &p.outlet_b, &p.stories.to_string(), &t);
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
