//! The lexical signature of an article: TF-IDF over the words of its title (counted twice)
//! and lead, L2-normalised, as a sparse vector sorted by term id.

use std::collections::HashMap;

/// Words too common to say what a story is about.
const STOPWORDS: &[&str] = &[
    "about",
    "after",
    "again",
    "against",
    "all",
    "also",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "more",
    "most",
    "new",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "said",
    "same",
    "says",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "one",
    "two",
    "first",
    "last",
    "year",
    "years",
    "week",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "told",
    "according",
    "like",
    "many",
    "may",
    "much",
    "people",
    "time",
    "get",
    "make",
    "made",
];

/// A sparse, L2-normalised vector: (term id, weight), ids ascending.
pub type Sparse = Vec<(u32, f32)>;

/// The words of `text` that can carry a story: lower-cased runs of letters and digits of at
/// least three characters, stopwords out, a plural `s` dropped.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(stem) if stem.len() >= 4 && !stem.ends_with('s') => stem.to_string(),
                _ => w,
            }
        })
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
}

/// Term counts of one article: its title's words twice, its lead's once.
pub fn counts(title: &str, lead: &str) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for w in words(title) {
        *counts.entry(w).or_insert(0) += 2;
    }
    for w in words(lead) {
        *counts.entry(w).or_insert(0) += 1;
    }
    counts
}

/// TF-IDF signatures of a corpus's term counts (`1 + ln tf` times `ln(n / df)`), and each
/// term's document frequency.
pub fn signatures(docs: &[HashMap<String, u32>]) -> (Vec<Sparse>, Vec<u32>) {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut df: Vec<u32> = Vec::new();
    // Ids in order of first appearance, so they do not depend on hash order.
    for doc in docs {
        let mut terms: Vec<&String> = doc.keys().collect();
        terms.sort();
        for term in terms {
            let id = *ids.entry(term).or_insert_with(|| {
                df.push(0);
                (df.len() - 1) as u32
            });
            df[id as usize] += 1;
        }
    }
    let n = docs.len().max(1) as f64;
    let vectors = docs
        .iter()
        .map(|doc| {
            let mut v: Vec<(u32, f64)> = doc
                .iter()
                .map(|(term, &tf)| {
                    let id = ids[term.as_str()];
                    let idf = (n / df[id as usize] as f64).ln();
                    (id, (1.0 + (tf as f64).ln()) * idf)
                })
                .filter(|&(_, w)| w > 0.0)
                .collect();
            v.sort_by_key(|&(id, _)| id);
            let norm = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            v.into_iter()
                .map(|(id, w)| (id, (w / norm) as f32))
                .collect()
        })
        .collect();
    (vectors, df)
}

/// The cosine of two signatures (both normalised).
pub fn cosine(a: &Sparse, b: &Sparse) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 as f64 * b[j].1 as f64;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_stopwords_short_words_and_plurals() {
        let w: Vec<String> = words("The Senate passes bills, as Biden's aides said: 5G").collect();
        assert_eq!(w, ["senate", "passe", "bill", "biden", "aide"]);
    }

    #[test]
    fn shared_rare_words_make_articles_similar() {
        let docs = [
            counts(
                "Senate passes infrastructure bill",
                "The Senate voted on Tuesday.",
            ),
            counts(
                "Infrastructure bill clears the Senate",
                "Senators approved it.",
            ),
            counts("Storm hits Florida coast", "A hurricane made landfall."),
        ];
        let (v, _) = signatures(&docs);
        let shared = cosine(&v[0], &v[1]);
        assert!(shared > 0.2, "{shared}");
        assert_eq!(cosine(&v[0], &v[2]), 0.0);
        assert!((cosine(&v[0], &v[0]) - 1.0).abs() < 1e-6);
    }
}
