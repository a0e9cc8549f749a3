//! From scored mentions to actor, article and outlet numbers.
//!
//! Per-article rows are final. Outlet numbers are built from article rows only (sums and
//! counts, never averages of averages across shards), so shards of a corpus can be merged
//! exactly by recomputing from their article tables.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

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

    pub fn camps(&self) -> impl Iterator<Item = &String> {
        self.favoured.iter().chain(&self.opposed)
    }

    /// The signed contribution of a mention of `camp` with stance score `s`, if on the axis.
    pub fn contribution(&self, camp: &str, s: f64) -> Option<f64> {
        if self.favoured.iter().any(|c| c == camp) {
            Some(s)
        } else if self.opposed.iter().any(|c| c == camp) {
            Some(-s)
        } else {
            None
        }
    }
}

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
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArticleScores {
    pub mentions: u64,
    /// Per actor id: mentions and score sum, ordered by id.
    pub actors: BTreeMap<String, (String, Tally)>,
    /// Per camp, ordered by name.
    pub camps: BTreeMap<String, Tally>,
    /// Mean signed contribution over the axis camps' mentions; None when neither is mentioned.
    pub framing: Option<f64>,
}

pub fn score_article(mentions: &[MentionScore], axis: Option<&Axis>) -> ArticleScores {
    let mut actors: BTreeMap<String, (String, Tally)> = BTreeMap::new();
    let mut camps: BTreeMap<String, Tally> = BTreeMap::new();
    let mut framing = Tally::default();
    for m in mentions {
        actors
            .entry(m.actor.to_string())
            .or_insert_with(|| (m.camp.to_string(), Tally::default()))
            .1
            .add(m.score);
        camps.entry(m.camp.to_string()).or_default().add(m.score);
        if let Some(c) = axis.and_then(|a| a.contribution(m.camp, m.score)) {
            framing.add(c);
        }
    }
    ArticleScores {
        mentions: mentions.len() as u64,
        actors,
        camps,
        framing: framing.mean(),
    }
}

/// An outlet's running totals, fed article by article.
#[derive(Debug, Clone, Default)]
pub struct OutletTotals {
    pub articles: u64,
    pub mentions: u64,
    /// Framing of each article that has one, in input order (the bootstrap resamples these).
    pub framings: Vec<f64>,
    pub camps: BTreeMap<String, Tally>,
}

impl OutletTotals {
    pub fn add(&mut self, article: &ArticleScores) {
        self.articles += 1;
        self.mentions += article.mentions;
        if let Some(f) = article.framing {
            self.framings.push(f);
        }
        for (camp, tally) in &article.camps {
            self.camps.entry(camp.clone()).or_default().merge(tally);
        }
    }

    pub fn framing(&self) -> Option<f64> {
        (!self.framings.is_empty())
            .then(|| self.framings.iter().sum::<f64>() / self.framings.len() as f64)
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

/// Percentile bootstrap interval of the mean of `values` at level `1 - alpha`.
/// None for fewer than two values (no spread to resample).
pub fn bootstrap_mean_ci(
    values: &[f64],
    resamples: usize,
    alpha: f64,
    seed: u64,
) -> Option<(f64, f64)> {
    if values.len() < 2 || resamples == 0 {
        return None;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let n = values.len();
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| (0..n).map(|_| values[rng.gen_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    Some((
        quantile(&means, alpha / 2.0),
        quantile(&means, 1.0 - alpha / 2.0),
    ))
}

/// Linear-interpolated quantile of sorted data (type 7, as R and numpy default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m<'a>(actor: &'a str, camp: &'a str, score: f64) -> MentionScore<'a> {
        MentionScore { actor, camp, score }
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
        assert!((a.framing.unwrap() - (0.6 + 0.8 - 0.2) / 3.0).abs() < 1e-12);
        assert_eq!(a.mentions, 4);
        assert_eq!(a.camps["government"].n, 2);
        assert!((a.camps["government"].mean().unwrap() - (-0.3)).abs() < 1e-12);
        assert_eq!(a.actors.len(), 4);
        let none = score_article(&[m("petro", "foreign", 0.5)], Some(&axis));
        assert_eq!(none.framing, None);
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
    fn outlet_totals_average_articles_not_mentions() {
        let axis = Axis::parse(&["a,b"]).unwrap();
        let one = score_article(&[m("x", "a", 1.0)], Some(&axis));
        let three = score_article(
            &[m("y", "b", 1.0), m("y", "b", 1.0), m("y", "b", 1.0)],
            Some(&axis),
        );
        let mut o = OutletTotals::default();
        o.add(&one);
        o.add(&three);
        assert_eq!(o.framing(), Some(0.0));
        assert_eq!(o.mentions, 4);
    }

    #[test]
    fn quantiles_and_bootstrap() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert!((quantile(&v, 0.25) - 1.75).abs() < 1e-12);
        let values: Vec<f64> = (0..200).map(|i| (i % 10) as f64 / 10.0).collect();
        let (lo, hi) = bootstrap_mean_ci(&values, 2000, 0.05, 1).unwrap();
        // Mean 0.45, sd 0.287, se 0.0203: the 95% interval is about ±0.04.
        assert!(lo < 0.45 && hi > 0.45);
        assert!((hi - lo - 2.0 * 1.96 * 0.0203).abs() < 0.01, "{lo} {hi}");
        assert_eq!(
            bootstrap_mean_ci(&values, 500, 0.05, 1),
            bootstrap_mean_ci(&values, 500, 0.05, 1)
        );
        assert_eq!(bootstrap_mean_ci(&[1.0], 500, 0.05, 1), None);
    }
}
