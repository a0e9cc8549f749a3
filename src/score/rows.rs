//! A scored article as table rows, and the numbers its outlet is built from.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::actors::Registry;
use crate::aggregate::{
    group_seed, score_article, ArticleScores, ArticleTally, Axis, GroupAccumulator, GroupStats,
    MentionScore, RelativeAccumulator, RelativeStats, Tally, ToneVoices,
};
use crate::annotate::{AnnotatedArticle, Voice};
use crate::corpus::Article;
use crate::schema::{
    as_written, ActorRow, ArticleRow, CampCell, MentionRow, OutletRow, StoryRow, VoiceRow,
};
use crate::stance::Stance;

/// Most bytes of a mention's context on each side of the mention. Whole news sentences fit
/// (the longest in PolNeAR's 840 articles is far shorter), and a pathological one (a 1 MB
/// "sentence" with 5,000 mentions) costs each mention row a few hundred bytes, not a copy of
/// the sentence: mentions.csv stays linear in the input.
pub const CONTEXT_BYTES: usize = 240;

/// The part of `text[sentence]` around `mention`: at most `CONTEXT_BYTES` on each side, cut
/// after a space where one is near, with "…" where something was left out.
pub fn excerpt(text: &str, sentence: Range<usize>, mention: Range<usize>) -> String {
    let mut start = mention
        .start
        .saturating_sub(CONTEXT_BYTES)
        .max(sentence.start);
    let mut end = (mention.end + CONTEXT_BYTES).min(sentence.end);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut_before = start > sentence.start;
    let cut_after = end < sentence.end;
    if cut_before {
        if let Some(space) = text[start..mention.start].find(' ') {
            start += space + 1;
        }
    }
    if cut_after {
        if let Some(space) = text[mention.end..end].rfind(' ') {
            end = mention.end + space;
        }
    }
    let mut out = String::with_capacity(end - start + 6);
    if cut_before {
        out.push('…');
    }
    out.push_str(&text[start..end]);
    if cut_after {
        out.push('…');
    }
    out
}

/// An article's rows for mentions.csv, actors.csv and articles.csv.
pub struct ArticleRows {
    pub mentions: Vec<MentionRow>,
    pub actors: Vec<ActorRow>,
    pub article: ArticleRow,
}

impl ArticleRows {
    /// What the article adds to its outlet, from its mention rows as written (the same
    /// numbers whether the rows were just scored or read back from a table).
    pub fn tally(&self, axis: Option<&Axis>) -> ArticleTally {
        let mut tally = ArticleTally::default();
        for m in &self.mentions {
            tally.add(&m.as_score(), axis);
        }
        tally
    }
}

/// An article scored: its rows, and its tallies.
pub struct ScoredArticle {
    pub rows: ArticleRows,
    pub scores: ArticleScores,
}

impl ScoredArticle {
    /// `stances` has one entry per mention of `annotated`; unscorable mentions (None) are
    /// left out. Mention scores are aggregated as written, so readers of the tables recompute
    /// the same article and outlet numbers.
    pub fn new(
        article: &Article,
        annotated: &AnnotatedArticle,
        stances: &[Option<Stance>],
        registry: &Registry,
        axis: Option<&Axis>,
        camps: &[String],
    ) -> Self {
        let mentions: Vec<MentionRow> = annotated
            .mentions
            .iter()
            .zip(stances)
            .filter_map(|(m, stance)| {
                let stance = stance.as_ref()?;
                let actor = &registry.actors[m.actor];
                let sentence = annotated.sentences[m.sentence].clone();
                let speaker = m
                    .speaker
                    .as_ref()
                    .and_then(|s| s.actor)
                    .map(|a| &registry.actors[a]);
                Some(MentionRow {
                    article_id: article.id.clone(),
                    outlet: article.outlet.clone(),
                    actor_id: actor.id.clone(),
                    camp: actor.camp.clone(),
                    sentence_start: sentence.start,
                    sentence_end: sentence.end,
                    start: m.span.start,
                    end: m.span.end,
                    mention: article.text[m.span.clone()].to_string(),
                    form: m.form,
                    antecedent: m.antecedent.clone(),
                    antecedent_text: m
                        .antecedent
                        .as_ref()
                        .map(|a| article.text[a.clone()].to_string())
                        .unwrap_or_default(),
                    context: excerpt(&article.text, sentence, m.span.clone()),
                    p_negative: stance.negative as f64,
                    p_neutral: stance.neutral as f64,
                    p_positive: stance.positive as f64,
                    score: as_written(stance.score() as f64),
                    voice: m.voice,
                    speaker_id: speaker.map(|a| a.id.clone()).unwrap_or_default(),
                    speaker_camp: speaker.map(|a| a.camp.clone()).unwrap_or_default(),
                    speaker_text: m
                        .speaker
                        .as_ref()
                        .map(|s| s.text.clone())
                        .unwrap_or_default(),
                })
            })
            .collect();
        let for_aggregate: Vec<MentionScore> = mentions.iter().map(MentionRow::as_score).collect();
        let scores = score_article(&for_aggregate, axis);
        let actors = scores
            .actors
            .iter()
            .map(|(actor_id, (camp, tally))| ActorRow {
                article_id: article.id.clone(),
                outlet: article.outlet.clone(),
                actor_id: actor_id.clone(),
                camp: camp.clone(),
                mentions: tally.n,
                score: tally.mean(),
            })
            .collect();
        let article = ArticleRow {
            article_id: article.id.clone(),
            outlet: article.outlet.clone(),
            date: article.date.clone(),
            title: article.title.clone(),
            story: article.story.clone(),
            mentions: scores.mentions,
            actors: scores.actors.len() as u64,
            framing: scores.tally.framing(),
            framing_own: scores.tally.framing_own(),
            camps: camps
                .iter()
                .map(|camp| {
                    let t = scores.tally.camps.get(camp).copied().unwrap_or_default();
                    CampCell {
                        mentions: t.n,
                        score: t.mean(),
                    }
                })
                .collect(),
            kept: article.kept.clone(),
        };
        Self {
            rows: ArticleRows {
                mentions,
                actors,
                article,
            },
            scores,
        }
    }
}

/// The run-wide tables built from the article rows: outlets.csv and voices.csv. Fed every
/// article in input order by `slant score`, by a resume (from the tables' prefixes) and by
/// `slant merge` (from the merged rows), so all three write the same numbers.
#[derive(Debug, Default)]
pub struct RunTotals {
    outlets: BTreeMap<String, GroupAccumulator>,
    /// Tone, coverage and sources: fitted over all outlets at once.
    relative: RelativeAccumulator,
    /// Per speaker x actor cell: its camp and tally.
    voices: BTreeMap<VoiceCell, (String, Tally)>,
    /// Stories in the input order of their first article, and where each is.
    stories: Vec<(String, StoryAccumulator)>,
    story_index: std::collections::HashMap<String, usize>,
}

/// The run-wide tables, as `RunTotals::finish` makes them.
pub struct TotalRows {
    pub outlets: Vec<OutletRow>,
    pub voices: Vec<VoiceRow>,
    pub stories: Vec<StoryRow>,
}

/// A voices.csv cell: (outlet, voice, speaker id, speaker text, actor id).
type VoiceCell = (String, Voice, String, String, String);

impl RunTotals {
    pub fn new(tone_voices: ToneVoices) -> Self {
        Self {
            relative: RelativeAccumulator::new(tone_voices),
            ..Self::default()
        }
    }

    /// Adds one article: its tally (from its mention rows) to its outlet, its row to its
    /// story, and its mentions to the speaker x actor cells.
    pub fn add(&mut self, article: &ArticleRow, tally: &ArticleTally, mentions: &[MentionRow]) {
        self.add_article(article, tally);
        for m in mentions {
            self.add_mention(m);
        }
    }

    /// Adds one article's tally to its outlet and its row to its story.
    pub fn add_article(&mut self, article: &ArticleRow, tally: &ArticleTally) {
        self.outlets
            .entry(article.outlet.clone())
            .or_default()
            .add(tally);
        self.relative.add(&article.outlet, tally, None);
        if !article.story.is_empty() {
            let next = self.stories.len();
            let at = *self
                .story_index
                .entry(article.story.clone())
                .or_insert(next);
            if at == next {
                self.stories
                    .push((article.story.clone(), StoryAccumulator::default()));
            }
            self.stories[at].1.add(article);
        }
    }

    /// Adds a mention to its speaker x actor cell.
    pub fn add_mention(&mut self, m: &MentionRow) {
        let key = (
            m.outlet.clone(),
            m.voice,
            m.speaker_id.clone(),
            m.speaker_text.clone(),
            m.actor_id.clone(),
        );
        self.voices
            .entry(key)
            .or_insert_with(|| (m.camp.clone(), Tally::default()))
            .1
            .add(m.score);
    }

    /// outlets.csv (each outlet's articles aggregated in input order, the bootstrap seeded
    /// by the outlet's name, ordered by outlet), voices.csv (ordered by outlet, voice,
    /// speaker, actor) and stories.csv (in the input order of each story's first article).
    pub fn finish(self, camps: &[String], resamples: usize, seed: u64) -> TotalRows {
        let relative = self.relative.fit(resamples, seed);
        let outlets = self
            .outlets
            .into_iter()
            .map(|(outlet, group)| {
                let stats = group.finish(camps, resamples, group_seed(seed, &outlet));
                outlet_row(&outlet, &stats, relative.get(&outlet))
            })
            .collect();
        let voices = self
            .voices
            .into_iter()
            .map(
                |((outlet, voice, speaker_id, speaker_text, actor_id), (camp, tally))| VoiceRow {
                    outlet,
                    voice,
                    speaker_id,
                    speaker_text,
                    actor_id,
                    camp,
                    mentions: tally.n,
                    score: tally.mean(),
                },
            )
            .collect();
        let stories = self
            .stories
            .into_iter()
            .map(|(story, accumulator)| accumulator.finish(story))
            .collect();
        TotalRows {
            outlets,
            voices,
            stories,
        }
    }
}

/// One story's numbers, built from its article rows in input order (by `slant score`, a
/// resume and `slant merge` alike).
#[derive(Debug, Clone, Default)]
pub struct StoryAccumulator {
    articles: u64,
    mentions: u64,
    outlets: std::collections::BTreeSet<String>,
    /// (day, title) of the earliest dated article with a title, else the first title.
    earliest: Option<(Option<i32>, String)>,
    dates: Option<(String, String)>,
    framing: crate::aggregate::Tally,
}

impl StoryAccumulator {
    pub fn add(&mut self, article: &ArticleRow) {
        self.articles += 1;
        self.mentions += article.mentions;
        self.outlets.insert(article.outlet.clone());
        let (date, title) = (article.date.trim(), article.title.trim());
        let day = crate::stories::day_number(date);
        if let (Some(_), Some(iso)) = (day, date.get(..10)) {
            let iso = iso.to_string();
            self.dates = Some(match self.dates.take() {
                Some((first, last)) => (first.min(iso.clone()), last.max(iso)),
                None => (iso.clone(), iso),
            });
        }
        if !title.is_empty() {
            // Dated beats undated; earlier beats later; the first seen wins ties.
            let earlier = match &self.earliest {
                None => true,
                Some((None, _)) => day.is_some(),
                Some((Some(best), _)) => day.is_some_and(|d| d < *best),
            };
            if earlier {
                self.earliest = Some((day, title.to_string()));
            }
        }
        // As articles.csv has it, so a merge (which reads the rows back) sums the same values.
        if let Some(f) = article.framing {
            self.framing.add(as_written(f));
        }
    }

    pub fn finish(self, story: String) -> StoryRow {
        let (first_date, last_date) = self.dates.unwrap_or_default();
        StoryRow {
            story,
            articles: self.articles,
            outlets: self.outlets.len() as u64,
            outlet_names: self.outlets.into_iter().collect::<Vec<_>>().join("; "),
            first_date,
            last_date,
            title: self.earliest.map(|e| e.1).unwrap_or_default(),
            mentions: self.mentions,
            framing: self.framing.mean(),
        }
    }
}

/// outlets.csv's row for an outlet's aggregated numbers.
pub fn outlet_row(outlet: &str, stats: &GroupStats, relative: RelativeStats) -> OutletRow {
    OutletRow {
        outlet: outlet.to_string(),
        articles: stats.articles,
        articles_framed: stats.articles_framed,
        mentions: stats.mentions,
        relative,
        framing: stats.framing,
        framing_low: stats.framing_ci.map(|c| c.0),
        framing_high: stats.framing_ci.map(|c| c.1),
        framing_own: stats.framing_own,
        framing_own_low: stats.framing_own_ci.map(|c| c.0),
        framing_own_high: stats.framing_own_ci.map(|c| c.1),
        camps: stats
            .camps
            .iter()
            .map(|c| CampCell {
                mentions: c.mentions,
                score: c.mean,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_news_sentence_is_its_own_context() {
        let text = "Lead. Petro voiced his support for Castillo. Next.";
        assert_eq!(
            excerpt(text, 6..44, 6..11),
            "Petro voiced his support for Castillo."
        );
    }

    #[test]
    fn a_long_sentence_is_cut_around_the_mention_at_spaces() {
        let words = "ñandú ".repeat(200);
        let text = format!("{words}Castillo {words}");
        let at = words.len();
        let context = excerpt(&text, 0..text.len(), at..at + 8);
        assert!(
            context.starts_with('…') && context.ends_with('…'),
            "{context}"
        );
        assert!(context.contains("ñandú Castillo ñandú"), "{context}");
        assert!(
            context.len() <= 8 + 2 * CONTEXT_BYTES + 6,
            "{}",
            context.len()
        );
        let inner = context.trim_matches('…');
        assert!(
            inner.starts_with("ñandú") && inner.ends_with("ñandú"),
            "{inner}"
        );
    }
}
