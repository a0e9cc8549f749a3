//! How well a grouping matches given story ids: adjusted Rand index and pairwise precision
//! and recall (over pairs of articles put in one story).

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Agreement {
    pub ari: f64,
    /// Of the pairs grouped together, the share that are one story.
    pub pair_precision: f64,
    /// Of the pairs that are one story, the share grouped together.
    pub pair_recall: f64,
    pub groups: usize,
    pub stories: usize,
}

fn pairs(n: u64) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// Agreement of `found` with `truth` (one label each, same order).
pub fn agreement<A: Hash + Eq, B: Hash + Eq>(found: &[A], truth: &[B]) -> Agreement {
    let mut joint: HashMap<(&A, &B), u64> = HashMap::new();
    let mut by_found: HashMap<&A, u64> = HashMap::new();
    let mut by_truth: HashMap<&B, u64> = HashMap::new();
    for (a, b) in found.iter().zip(truth) {
        *joint.entry((a, b)).or_default() += 1;
        *by_found.entry(a).or_default() += 1;
        *by_truth.entry(b).or_default() += 1;
    }
    let both: f64 = joint.values().map(|&n| pairs(n)).sum();
    let grouped: f64 = by_found.values().map(|&n| pairs(n)).sum();
    let same: f64 = by_truth.values().map(|&n| pairs(n)).sum();
    let total = pairs(found.len().min(truth.len()) as u64);
    let expected = if total > 0.0 {
        grouped * same / total
    } else {
        0.0
    };
    let most = (grouped + same) / 2.0;
    let ratio = |x: f64, y: f64| if y > 0.0 { x / y } else { 1.0 };
    Agreement {
        ari: if most > expected {
            (both - expected) / (most - expected)
        } else {
            1.0
        },
        pair_precision: ratio(both, grouped),
        pair_recall: ratio(both, same),
        groups: by_found.len(),
        stories: by_truth.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_grouping_scores_one_and_pairs_count_as_expected() {
        let truth = ["a", "a", "b", "b", "c"];
        let perfect = agreement(&[1, 1, 2, 2, 3], &truth);
        assert_eq!(perfect.ari, 1.0);
        assert_eq!((perfect.pair_precision, perfect.pair_recall), (1.0, 1.0));
        // Everything in one group: both true pairs found, 8 of 10 pairs wrong.
        let lumped = agreement(&[0; 5], &truth);
        assert_eq!(lumped.pair_recall, 1.0);
        assert!((lumped.pair_precision - 0.2).abs() < 1e-12);
        assert!(lumped.ari.abs() < 1e-12, "no better than chance");
        // One of two pairs found, nothing wrong.
        let half = agreement(&[1, 1, 2, 3, 4], &truth);
        assert_eq!((half.pair_precision, half.pair_recall), (1.0, 0.5));
        assert!(half.ari > 0.0 && half.ari < 1.0);
    }
}
