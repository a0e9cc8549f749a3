//! From scored mentions to actor, article and group (outlet, outlet x period) numbers.
//!
//! Per-article numbers are final. A group's numbers are built from its articles' tallies only
//! (sums and counts, never averages of averages), in input order, by one function used by
//! `slant score` (outlets.csv), `compare` and `report`, so they agree exactly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::annotate::Voice;
use crate::stats::{bootstrap_mean_ci, bootstrap_ratio_ci};

mod relative;
pub use relative::{
    ActorMentions, Estimate, Measure, Moments, RelativeAccumulator, RelativeFit, RelativeStats,
    ToneVoices,
};

/// The partisan-framing axis: mentions of a `favoured` camp count +s, of an `opposed` camp −s.
/// Several `A,B` pairs combine into one axis (e.g. `left,right` and `opposition,government`
/// for a corpus that spans two countries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Axis {
    pub favoured: Vec<String>,
    pub opposed: Vec<String>,
}

impl Axis {
    /// Parses one or more `A,B` pairs; None if a pair is malformed or a camp is on both sides.
    pub fn parse<S: AsRef<str>>(pairs: &[S]) -> Option<Axis> {
        let mut axis = Axis {
            favoured: Vec::new(),
            opposed: Vec::new(),
        };
        for pair in pairs {
            let (a, b) = pair.as_ref().split_once(',')?;
            let (a, b) = (a.trim(), b.trim());
            if a.is_empty() || b.is_empty() || b.contains(',') {
                return None;
            }
            axis.favoured.push(a.to_string());
            axis.opposed.push(b.to_string());
        }
        let overlap = axis.favoured.iter().any(|c| axis.opposed.contains(c));
        (!pairs.is_empty() && !overlap).then_some(axis)
    }

    /// The axis of repeated `--axis A,B` flags: None when there are none, an error naming
    /// them when a pair is malformed or puts a camp on both sides.
    pub fn from_flags(pairs: &[String]) -> Result<Option<Axis>, AxisError> {
        if pairs.is_empty() {
            return Ok(None);
        }
        Axis::parse(pairs)
            .map(Some)
            .ok_or_else(|| AxisError(pairs.to_vec()))
    }

    pub fn camps(&self) -> impl Iterator<Item = &String> {
        self.favoured.iter().chain(&self.opposed)
    }

    /// The side of the axis `camp` is on: 0 for a favoured camp (A), 1 for an opposed one (B).
    pub fn side(&self, camp: &str) -> Option<usize> {
        if self.favoured.iter().any(|c| c == camp) {
            Some(0)
        } else if self.opposed.iter().any(|c| c == camp) {
            Some(1)
        } else {
            None
        }
    }

    /// The signed contribution of a mention of `camp` with stance score `s`, if on the axis.
    pub fn contribution(&self, camp: &str, s: f64) -> Option<f64> {
        self.side(camp).map(|side| if side == 0 { s } else { -s })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("--axis {0:?}: expected pairs A,B with no camp on both sides")]
pub struct AxisError(Vec<String>);

/// Count and sum of stance scores: a mergeable mean.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub n: u64,
    pub sum: f64,
}

impl Tally {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
    }

    pub fn merge(&mut self, other: &Tally) {
        self.n += other.n;
        self.sum += other.sum;
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// One scored mention as aggregation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionScore<'a> {
    pub actor: &'a str,
    pub camp: &'a str,
    pub score: f64,
    pub voice: Voice,
    /// The camp of the quoted or reported mention's speaker, when the speaker is an actor.
    pub speaker_camp: &'a str,
}

/// What one article adds to a group: per-camp tallies of its mention scores, the signed
/// contributions of its mentions of the axis camps (all of them, and those in the outlet's
/// own voice), and what the relative measures need: each axis actor's mentions (tone), the
/// mentions per side (coverage) and the quoted or reported mentions per speaker side
/// (sources).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleTally {
    /// Per camp, ordered by name.
    pub camps: BTreeMap<String, Tally>,
    pub framing: Tally,
    pub framing_own: Tally,
    /// Per axis actor, ordered by id.
    pub actors: BTreeMap<String, ActorMentions>,
    /// Mentions of side A's and side B's actors.
    pub sides: [u64; 2],
    /// Quoted and reported mentions whose speaker is an actor of side A, of side B.
    pub speakers: [u64; 2],
}

impl ArticleTally {
    pub fn add(&mut self, m: &MentionScore, axis: Option<&Axis>) {
        self.add_speaker(m, axis);
        self.camps
            .entry(m.camp.to_string())
            .or_default()
            .add(m.score);
        let Some(side) = axis.and_then(|a| a.side(m.camp)) else {
            return;
        };
        let c = if side == 0 { m.score } else { -m.score };
        self.framing.add(c);
        self.sides[side] += 1;
        let actor = self.actors.entry(m.actor.to_string()).or_default();
        actor.side = side;
        actor.all.add(m.score);
        if m.voice == Voice::Own {
            self.framing_own.add(c);
            actor.own.add(m.score);
        }
    }

    /// Counts a quoted or reported mention's speaker toward sources (alone: for a mention
    /// that a comparison leaves out of the other measures by its voice).
    pub fn add_speaker(&mut self, m: &MentionScore, axis: Option<&Axis>) {
        if m.voice != Voice::Own {
            if let Some(side) = axis.and_then(|a| a.side(m.speaker_camp)) {
                self.speakers[side] += 1;
            }
        }
    }

    /// Mean signed contribution over the axis camps' mentions; None when neither is mentioned.
    pub fn framing(&self) -> Option<f64> {
        self.framing.mean()
    }

    /// The same over the mentions in the outlet's own voice.
    pub fn framing_own(&self) -> Option<f64> {
        self.framing_own.mean()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArticleScores {
    pub mentions: u64,
    /// Per actor id: camp, mentions and score sum, ordered by id.
    pub actors: BTreeMap<String, (String, Tally)>,
    pub tally: ArticleTally,
}

pub fn score_article(mentions: &[MentionScore], axis: Option<&Axis>) -> ArticleScores {
    let mut actors: BTreeMap<String, (String, Tally)> = BTreeMap::new();
    let mut tally = ArticleTally::default();
    for m in mentions {
        actors
            .entry(m.actor.to_string())
            .or_insert_with(|| (m.camp.to_string(), Tally::default()))
            .1
            .add(m.score);
        tally.add(m, axis);
    }
    ArticleScores {
        mentions: mentions.len() as u64,
        actors,
        tally,
    }
}

/// A group's running state, fed its articles in input order (the order the bootstrap
/// resamples from, so the intervals do not depend on how the work was split).
#[derive(Debug, Clone, Default)]
pub struct GroupAccumulator {
    articles: u64,
    mentions: u64,
    /// Framing of each article that has one.
    framings: Vec<f64>,
    /// Own-voice framing of each article that has one.
    framings_own: Vec<f64>,
    /// Per camp, each mentioning article's (score sum, mentions).
    camps: BTreeMap<String, Vec<(f64, f64)>>,
}

/// A group's numbers: framing with its interval over articles, and per camp.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStats {
    pub articles: u64,
    pub articles_framed: u64,
    pub mentions: u64,
    pub framing: Option<f64>,
    pub framing_ci: Option<(f64, f64)>,
    /// Framing over the mentions in the outlet's own voice, and its interval.
    pub framing_own: Option<f64>,
    pub framing_own_ci: Option<(f64, f64)>,
    pub camps: Vec<CampStats>,
    /// The framings the interval resampled, in input order (pairwise tests reuse them).
    #[serde(skip)]
    pub framings: Vec<f64>,
}

/// One camp within a group: mentions, share of the group's mentions, mention-weighted mean
/// score and its interval (resampling articles).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampStats {
    pub camp: String,
    pub mentions: u64,
    pub share: Option<f64>,
    pub mean: Option<f64>,
    pub ci: Option<(f64, f64)>,
}

impl GroupAccumulator {
    pub fn add(&mut self, article: &ArticleTally) {
        self.articles += 1;
        if let Some(f) = article.framing() {
            self.framings.push(f);
        }
        if let Some(f) = article.framing_own() {
            self.framings_own.push(f);
        }
        for (camp, tally) in &article.camps {
            self.mentions += tally.n;
            self.camps
                .entry(camp.clone())
                .or_default()
                .push((tally.sum, tally.n as f64));
        }
    }

    /// The group's numbers for `camps`, with 95% bootstrap intervals seeded by `seed` (the
    /// group's own, from `group_seed`).
    pub fn finish(self, camps: &[String], resamples: usize, seed: u64) -> GroupStats {
        let camps = camps
            .iter()
            .map(|camp| {
                let units = self.camps.get(camp).map_or(&[][..], Vec::as_slice);
                let n: u64 = units.iter().map(|u| u.1 as u64).sum();
                let sum: f64 = units.iter().map(|u| u.0).sum();
                CampStats {
                    camp: camp.clone(),
                    mentions: n,
                    share: (self.mentions > 0).then(|| n as f64 / self.mentions as f64),
                    mean: (n > 0).then(|| sum / n as f64),
                    ci: bootstrap_ratio_ci(units, resamples, 0.05, group_seed(seed, camp)),
                }
            })
            .collect();
        GroupStats {
            articles: self.articles,
            articles_framed: self.framings.len() as u64,
            mentions: self.mentions,
            framing: mean(&self.framings),
            framing_ci: bootstrap_mean_ci(&self.framings, resamples, 0.05, seed),
            framing_own: mean(&self.framings_own),
            framing_own_ci: bootstrap_mean_ci(
                &self.framings_own,
                resamples,
                0.05,
                group_seed(seed, "own voice"),
            ),
            camps,
            framings: self.framings,
        }
    }
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The name a group's bootstrap seed is derived from: the outlet, and the period when the
/// groups are periods of outlets.
pub fn group_name(outlet: &str, period: &str) -> String {
    if period.is_empty() {
        outlet.to_string()
    } else {
        format!("{outlet}\u{1f}{period}")
    }
}

/// A deterministic 64-bit seed for a named group (FNV-1a), so each outlet's bootstrap does
/// not depend on which other outlets are in the run.
pub fn group_seed(seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m<'a>(actor: &'a str, camp: &'a str, score: f64) -> MentionScore<'a> {
        MentionScore {
            actor,
            camp,
            score,
            voice: Voice::Own,
            speaker_camp: "",
        }
    }

    #[test]
    fn framing_is_the_mean_signed_contribution() {
        let axis = Axis::parse(&["opposition,government"]).unwrap();
        // +0.6 (opposition praised), -(-0.8) = +0.8 (government attacked), -(0.2) = -0.2; foreign ignored.
        let mentions = [
            m("castillo", "opposition", 0.6),
            m("boluarte", "government", -0.8),
            m("congress", "government", 0.2),
            m("petro", "foreign", -1.0),
        ];
        let a = score_article(&mentions, Some(&axis));
        assert!((a.tally.framing().unwrap() - (0.6 + 0.8 - 0.2) / 3.0).abs() < 1e-12);
        assert_eq!(a.mentions, 4);
        assert_eq!(a.tally.camps["government"].n, 2);
        assert!((a.tally.camps["government"].mean().unwrap() - (-0.3)).abs() < 1e-12);
        assert_eq!(a.actors.len(), 4);
        let none = score_article(&[m("petro", "foreign", 0.5)], Some(&axis));
        assert_eq!(none.tally.framing(), None);
    }

    #[test]
    fn axes_combine_and_reject_contradictions() {
        let axis = Axis::parse(&["left,right", "opposition, government"]).unwrap();
        assert_eq!(axis.contribution("opposition", 0.5), Some(0.5));
        assert_eq!(axis.contribution("right", 0.5), Some(-0.5));
        assert_eq!(axis.contribution("foreign", 0.5), None);
        assert!(Axis::parse(&["a,b", "b,c"]).is_none());
        assert!(Axis::parse(&["a"]).is_none());
        assert!(Axis::parse(&["a,a"]).is_none());
        assert!(Axis::parse::<&str>(&[]).is_none());
    }

    #[test]
    fn groups_average_articles_not_mentions() {
        let axis = Axis::parse(&["a,b"]).unwrap();
        let one = score_article(&[m("x", "a", 1.0)], Some(&axis));
        let three = score_article(
            &[m("y", "b", 1.0), m("y", "b", 1.0), m("y", "b", 1.0)],
            Some(&axis),
        );
        let mut group = GroupAccumulator::default();
        group.add(&one.tally);
        group.add(&three.tally);
        let stats = group.finish(&["a".into(), "b".into()], 100, 1);
        assert_eq!(stats.framing, Some(0.0));
        assert_eq!(stats.mentions, 4);
        assert_eq!(stats.camps[1].mentions, 3);
        assert_eq!(stats.camps[1].share, Some(0.75));
        assert_eq!(stats.camps[1].mean, Some(1.0));
    }

    #[test]
    fn own_voice_framing_leaves_quoted_mentions_out() {
        let axis = Axis::parse(&["a,b"]).unwrap();
        let quoted = |actor, camp, score| MentionScore {
            voice: Voice::Quoted,
            ..m(actor, camp, score)
        };
        // Own words: +0.4 (a) and -(+0.2) (b); a quoted attack on a (-1.0) counts only overall.
        let one = score_article(
            &[m("x", "a", 0.4), m("y", "b", 0.2), quoted("x", "a", -1.0)],
            Some(&axis),
        );
        assert!((one.tally.framing().unwrap() - (0.4 - 0.2 - 1.0) / 3.0).abs() < 1e-12);
        assert!((one.tally.framing_own().unwrap() - 0.1).abs() < 1e-12);
        let only_quoted = score_article(&[quoted("x", "a", 0.5)], Some(&axis));
        assert_eq!(only_quoted.tally.framing_own(), None);
        let mut group = GroupAccumulator::default();
        group.add(&one.tally);
        group.add(&only_quoted.tally);
        let stats = group.finish(&["a".into(), "b".into()], 200, 3);
        assert_eq!(stats.articles_framed, 2);
        assert!(
            (stats.framing_own.unwrap() - 0.1).abs() < 1e-12,
            "one article has own framing"
        );
    }
}
