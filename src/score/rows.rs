//! A scored article as table rows, and the numbers its outlet is built from.

use crate::actors::Registry;
use crate::aggregate::{score_article, ArticleScores, Axis, GroupStats, MentionScore};
use crate::annotate::AnnotatedArticle;
use crate::corpus::Article;
use crate::schema::{as_written, ActorRow, ArticleRow, CampCell, MentionRow, OutletRow};
use crate::stance::Stance;

/// An article's rows for mentions.csv, actors.csv and articles.csv, and its tallies.
pub struct ScoredArticle {
    pub mentions: Vec<MentionRow>,
    pub actors: Vec<ActorRow>,
    pub article: ArticleRow,
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
                Some(MentionRow {
                    article_id: article.id.clone(),
                    outlet: article.outlet.clone(),
                    actor_id: actor.id.clone(),
                    camp: actor.camp.clone(),
                    sentence: article.text[annotated.sentences[m.sentence].clone()].to_string(),
                    start: m.span.start,
                    end: m.span.end,
                    mention: article.text[m.span.clone()].to_string(),
                    p_negative: stance.negative as f64,
                    p_neutral: stance.neutral as f64,
                    p_positive: stance.positive as f64,
                    score: as_written(stance.score() as f64),
                })
            })
            .collect();
        let for_aggregate: Vec<MentionScore> = mentions
            .iter()
            .map(|m| MentionScore {
                actor: &m.actor_id,
                camp: &m.camp,
                score: m.score,
            })
            .collect();
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
            mentions: scores.mentions,
            actors: scores.actors.len() as u64,
            framing: scores.tally.framing(),
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
            mentions,
            actors,
            article,
            scores,
        }
    }
}

/// outlets.csv's row for an outlet's aggregated numbers.
pub fn outlet_row(outlet: &str, stats: &GroupStats) -> OutletRow {
    OutletRow {
        outlet: outlet.to_string(),
        articles: stats.articles,
        articles_framed: stats.articles_framed,
        mentions: stats.mentions,
        framing: stats.framing,
        framing_low: stats.framing_ci.map(|c| c.0),
        framing_high: stats.framing_ci.map(|c| c.1),
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
