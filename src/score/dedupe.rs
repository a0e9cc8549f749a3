//! Scoring a chunk's mentions with one model call per distinct (sentence, mention spans):
//! sentences already scored earlier in the corpus (wire copy) and repeats inside the chunk
//! are looked up, sentences without mentions are never sent.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use crate::annotate::AnnotatedArticle;
use crate::corpus::Article;
use crate::schema::Counts;
use crate::stance::{SentenceTargets, Stance, StanceError, StanceModel};
use crate::util::Hasher;

type Key = [u8; 16];

/// One sentence of an article with the mentions in it, spans relative to the sentence.
struct SentenceMentions<'a> {
    /// Indices into the article's mentions.
    members: Vec<usize>,
    text: &'a str,
    spans: Vec<Range<usize>>,
    key: Key,
}

fn key(sentence: &str, spans: &[Range<usize>]) -> Key {
    let mut h = Hasher::default();
    h.update(&(sentence.len() as u64).to_le_bytes());
    h.update(sentence.as_bytes());
    for s in spans {
        h.update(&(s.start as u64).to_le_bytes());
        h.update(&(s.end as u64).to_le_bytes());
    }
    h.key16()
}

/// The article's sentences that hold mentions, in sentence order.
fn sentence_mentions<'a>(
    article: &'a Article,
    annotated: &AnnotatedArticle,
) -> Vec<SentenceMentions<'a>> {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, m) in annotated.mentions.iter().enumerate() {
        groups.entry(m.sentence).or_default().push(i);
    }
    groups
        .into_iter()
        .map(|(sentence, members)| {
            let range = annotated.sentences[sentence].clone();
            let text = &article.text[range.clone()];
            let spans: Vec<Range<usize>> = members
                .iter()
                .map(|&i| {
                    let span = &annotated.mentions[i].span;
                    span.start - range.start..span.end - range.start
                })
                .collect();
            SentenceMentions {
                key: key(text, &spans),
                members,
                text,
                spans,
            }
        })
        .collect()
}

/// The model behind a memory of the sentences it scored.
pub struct SentenceScorer<'m> {
    model: &'m dyn StanceModel,
    cache: HashMap<Key, Vec<Stance>>,
    /// Most distinct scored sentences remembered (bounds memory).
    cache_limit: usize,
}

impl<'m> SentenceScorer<'m> {
    pub fn new(model: &'m dyn StanceModel, cache_limit: usize) -> Self {
        Self {
            model,
            cache: HashMap::new(),
            cache_limit,
        }
    }

    /// For each article, one stance per mention (None where the model could not encode it).
    pub fn score_chunk(
        &mut self,
        chunk: &[Article],
        annotated: &[AnnotatedArticle],
        counts: &mut Counts,
    ) -> Result<Vec<Vec<Option<Stance>>>, StanceError> {
        let per_article: Vec<Vec<SentenceMentions>> = chunk
            .iter()
            .zip(annotated)
            .map(|(article, a)| sentence_mentions(article, a))
            .collect();
        // Forget the cache before it could overflow in this chunk, not after its sentences
        // were counted as reused: a reused sentence must find its scores.
        let in_chunk: usize = per_article.iter().map(Vec::len).sum();
        if self.cache.len() + in_chunk > self.cache_limit {
            self.cache.clear();
        }
        // Distinct sentences with mentions that are not known yet, in input order.
        let mut requests: Vec<&SentenceMentions> = Vec::new();
        let mut requested: HashSet<Key> = HashSet::new();
        for (a, sentences) in annotated.iter().zip(&per_article) {
            counts.sentences += a.sentences.len() as u64;
            for s in sentences {
                counts.sentences_with_mentions += 1;
                if self.cache.contains_key(&s.key) || !requested.insert(s.key) {
                    counts.sentences_reused += 1;
                } else {
                    requests.push(s);
                }
            }
        }
        counts.sentences_scored += requests.len() as u64;
        counts.mentions_scored += requests.iter().map(|s| s.spans.len() as u64).sum::<u64>();
        let inputs: Vec<SentenceTargets> = requests
            .iter()
            .map(|s| SentenceTargets {
                text: s.text,
                spans: s.spans.clone(),
            })
            .collect();
        for (s, stances) in requests
            .iter()
            .zip(score_isolating_bad_spans(self.model, &inputs)?)
        {
            if let Some(stances) = stances {
                self.cache.insert(s.key, stances);
            }
        }
        Ok(annotated
            .iter()
            .zip(&per_article)
            .map(|(a, sentences)| {
                let mut scores = vec![None; a.mentions.len()];
                for s in sentences {
                    match self.cache.get(&s.key) {
                        Some(stances) => {
                            for (&i, stance) in s.members.iter().zip(stances) {
                                scores[i] = Some(*stance);
                            }
                        }
                        // Counted per occurrence, so the count does not depend on which
                        // repeats of the sentence share a chunk.
                        None => counts.sentences_unscorable += 1,
                    }
                }
                scores
            })
            .collect())
    }
}

/// Scores all sentences; if a mention span cannot be encoded (it covers no word piece, e.g. a
/// name the tokenizer drops), scores sentence by sentence so only that sentence's mentions are
/// left out (counted in `sentences_unscorable`) instead of failing the run.
fn score_isolating_bad_spans(
    model: &dyn StanceModel,
    inputs: &[SentenceTargets],
) -> Result<Vec<Option<Vec<Stance>>>, StanceError> {
    match model.score(inputs) {
        Ok(all) => Ok(all.into_iter().map(Some).collect()),
        Err(StanceError::Span(_)) => inputs
            .iter()
            .map(|input| match model.score(std::slice::from_ref(input)) {
                Ok(mut one) => Ok(one.pop()),
                Err(StanceError::Span(_)) => Ok(None),
                Err(e) => Err(e),
            })
            .collect(),
        Err(e) => Err(e),
    }
}
