//! Average-linkage clustering over a sparse similarity graph.
//!
//! Only pairs that are candidates (within the date window, sharing a distinctive word) and
//! similar enough carry an edge; every other pair counts as similarity 0. Clusters merge,
//! most similar first, while the mean similarity over all their cross pairs (absent pairs
//! included as 0) stays at or above the threshold. Average linkage does not chain the way
//! single linkage does: a story about a court ruling does not absorb the next day's story about
//! the same court through one shared article.
//!
//! Deterministic: merges happen in order of (similarity, lower cluster, higher cluster), and
//! a merged cluster keeps its lower id, so the result depends only on the edges.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

/// An edge of the similarity graph: items `a < b` and their similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub similarity: f64,
}

/// A candidate merge in the heap: the clusters' mean link when it was pushed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    link: f64,
    a: usize,
    b: usize,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        // Highest link first; among equal links, the lowest pair of ids.
        self.link
            .total_cmp(&other.link)
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The cluster of each of `items` items: the lowest item index in it.
pub fn average_linkage(items: usize, edges: &[Edge], threshold: f64) -> Vec<usize> {
    let mut size = vec![1usize; items];
    // For each live cluster, the summed similarity to each cluster it has an edge to.
    let mut links: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); items];
    let mut heap = BinaryHeap::new();
    for edge in edges {
        let (a, b) = (edge.a.min(edge.b), edge.a.max(edge.b));
        if a == b {
            continue;
        }
        *links[a].entry(b).or_insert(0.0) += edge.similarity;
        *links[b].entry(a).or_insert(0.0) += edge.similarity;
    }
    for (a, row) in links.iter().enumerate() {
        for (&b, &sum) in row.range(a + 1..) {
            if sum >= threshold {
                heap.push(Candidate { link: sum, a, b });
            }
        }
    }
    let mut parent: Vec<usize> = (0..items).collect();
    while let Some(Candidate { link, a, b }) = heap.pop() {
        // Stale entries: a cluster merged away since, or the link changed (a newer entry
        // with the current value was pushed then).
        if parent[a] != a || parent[b] != b {
            continue;
        }
        let current = links[a].get(&b).map(|sum| sum / (size[a] * size[b]) as f64);
        if current != Some(link) {
            continue;
        }
        // Merge b into a (a < b).
        parent[b] = a;
        size[a] += size[b];
        let absorbed = std::mem::take(&mut links[b]);
        links[a].remove(&b);
        for (c, sum) in absorbed {
            if c == a {
                continue;
            }
            *links[a].entry(c).or_insert(0.0) += sum;
            links[c].remove(&b);
        }
        let merged: Vec<(usize, f64)> = links[a].iter().map(|(&c, &s)| (c, s)).collect();
        for (c, sum) in merged {
            links[c].insert(a, sum);
            let mean = sum / (size[a] * size[c]) as f64;
            if mean >= threshold {
                heap.push(Candidate {
                    link: mean,
                    a: a.min(c),
                    b: a.max(c),
                });
            }
        }
    }
    (0..items)
        .map(|mut i| {
            while parent[i] != i {
                i = parent[i];
            }
            i
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: usize, b: usize, similarity: f64) -> Edge {
        Edge { a, b, similarity }
    }

    #[test]
    fn close_items_merge_and_a_weak_bridge_does_not_chain_clusters() {
        // Two tight triples joined by one fairly strong edge between 2 and 3.
        let edges = [
            edge(0, 1, 0.9),
            edge(0, 2, 0.8),
            edge(1, 2, 0.85),
            edge(3, 4, 0.9),
            edge(3, 5, 0.8),
            edge(4, 5, 0.85),
            edge(2, 3, 0.6),
        ];
        let labels = average_linkage(7, &edges, 0.5);
        assert_eq!(labels, [0, 0, 0, 3, 3, 3, 6]);
        // Single linkage at 0.5 would have joined them; average linkage's mean over the 9
        // cross pairs is 0.6 / 9.
        let low = average_linkage(7, &edges, 0.05);
        assert_eq!(low, [0, 0, 0, 0, 0, 0, 6]);
    }

    #[test]
    fn the_result_does_not_depend_on_edge_order() {
        let edges = vec![
            edge(0, 1, 0.7),
            edge(1, 2, 0.7),
            edge(0, 2, 0.2),
            edge(2, 3, 0.7),
            edge(3, 4, 0.9),
        ];
        let forward = average_linkage(5, &edges, 0.4);
        let mut reversed = edges.clone();
        reversed.reverse();
        for e in &mut reversed {
            std::mem::swap(&mut e.a, &mut e.b);
        }
        assert_eq!(forward, average_linkage(5, &reversed, 0.4));
    }

    #[test]
    fn nothing_merges_below_the_threshold() {
        let labels = average_linkage(3, &[edge(0, 1, 0.3), edge(1, 2, 0.29)], 0.31);
        assert_eq!(labels, [0, 1, 2]);
    }
}
