//! Outlets compared on the same stories (framing), and what stories they choose (agenda).
//!
//! An outlet that covers more of one camp's scandals looks hostile to that camp even when
//! every article is written straight. Comparing two outlets only within stories both
//! covered separates how they cover from what they cover: each story's own good or bad
//! news cancels out of the difference. The agenda table shows the selection on its own.

use std::collections::{BTreeMap, BTreeSet};

use super::Article;
use crate::aggregate::group_seed;
use crate::schema::compare::{AgendaRow, WithinPairRow};
use crate::stats::{benjamini_hochberg, compare_within, Stratum};

/// For each pair of outlets, the story-weighted mean difference of article framing over the
/// stories both covered with a framed article: every shared story counts once, however many
/// articles each outlet wrote on it (an outlet's follow-ups do not outvote the other's one
/// report). A bootstrap interval over stories, a permutation test that swaps outlet labels
/// only within a story, and Benjamini-Hochberg across the pairs.
pub fn within_story(articles: &[Article], resamples: usize, seed: u64) -> Vec<WithinPairRow> {
    // story -> outlet -> framings of its framed articles, in input order.
    let mut stories: BTreeMap<&str, BTreeMap<&str, Vec<f64>>> = BTreeMap::new();
    for a in articles.iter().filter(|a| !a.story.is_empty()) {
        if let Some(framing) = a.tally.framing() {
            stories
                .entry(&a.story)
                .or_default()
                .entry(&a.outlet)
                .or_default()
                .push(framing);
        }
    }
    let outlets: BTreeSet<&str> = articles.iter().map(|a| a.outlet.as_str()).collect();
    let outlets: Vec<&str> = outlets.into_iter().collect();
    let mut rows = Vec::new();
    for (i, a) in outlets.iter().enumerate() {
        for b in &outlets[i + 1..] {
            let strata: Vec<Stratum> = stories
                .values()
                .filter_map(|by| Some((by.get(a)?.clone(), by.get(b)?.clone())))
                .collect();
            let d = compare_within(
                &strata,
                resamples,
                group_seed(seed, &format!("within\u{1f}{a}\u{1f}{b}")),
            );
            rows.push(WithinPairRow {
                outlet_a: a.to_string(),
                outlet_b: b.to_string(),
                stories: strata.len() as u64,
                articles_a: strata.iter().map(|s| s.0.len() as u64).sum(),
                articles_b: strata.iter().map(|s| s.1.len() as u64).sum(),
                diff: d.map(|d| d.diff),
                ci: d.map(|d| (d.low, d.high)),
                p_value: d.map(|d| d.p_value),
                p_adjusted: None,
            });
        }
    }
    let tested: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].p_value.is_some())
        .collect();
    let p: Vec<f64> = tested.iter().filter_map(|&i| rows[i].p_value).collect();
    for (&i, adjusted) in tested.iter().zip(benjamini_hochberg(&p)) {
        rows[i].p_adjusted = Some(adjusted);
    }
    rows
}

/// Per outlet and camp: of the outlet's stories, the share in which its articles mention an
/// actor of the camp.
pub fn agenda(articles: &[Article], camps: &[String]) -> Vec<AgendaRow> {
    // outlet -> story -> camps its articles on the story mention.
    let mut covered: BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for a in articles.iter().filter(|a| !a.story.is_empty()) {
        let mentioned = covered
            .entry(&a.outlet)
            .or_default()
            .entry(&a.story)
            .or_default();
        mentioned.extend(
            a.tally
                .camps
                .iter()
                .filter(|(_, t)| t.n > 0)
                .map(|(c, _)| c.as_str()),
        );
    }
    covered
        .into_iter()
        .flat_map(|(outlet, stories)| {
            let total = stories.len() as u64;
            camps.iter().map(move |camp| {
                let mentioning = stories
                    .values()
                    .filter(|m| m.contains(camp.as_str()))
                    .count() as u64;
                AgendaRow {
                    outlet: outlet.to_string(),
                    camp: camp.clone(),
                    stories: total,
                    stories_mentioning: mentioning,
                    share: (total > 0).then(|| mentioning as f64 / total as f64),
                }
            })
        })
        .collect()
}
