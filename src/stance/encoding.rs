//! Turning a sentence and its target spans into model input: word pieces, optional target
//! markers, a window that fits the model, and the token positions the head pools over.

use std::ops::Range;

use candle_core::{Device, Tensor};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

use super::arch::SpecialTokens;
use super::{SentenceTargets, Stance, StanceError};

/// A "sentence" longer than this many model inputs (over 256 word pieces for the shipped
/// model; the longest sentence in PolNeAR's 840 articles and the NewsMTSC dev sets is far
/// shorter) is text the segmenter found no boundary in: a scraped list, a transcript without
/// punctuation, a pathological article. Its mentions are read in windows of 1 /
/// `RUN_ON_WINDOW_SHARE` the model's length (64 word pieces, more than a typical news
/// sentence): the neighbouring text is not one sentence with the mention anyway, and each
/// mention costs half as much to score, so such text is scored at the rate of real news.
const RUN_ON_LENGTHS: usize = 2;
const RUN_ON_WINDOW_SHARE: usize = 2;

/// How the target is shown to the model and where the head reads it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetMarking {
    /// Marker tokens wrapped around the mention (the architecture's `markers` when trained
    /// with markers); with markers,
    /// each target needs its own encoder pass, without them one pass serves a whole sentence.
    pub markers: Option<(String, String)>,
    pub pooling: Pooling,
    /// Longest input in word pieces, special tokens and markers included.
    pub max_length: usize,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// The vector of the first (classification) token.
    Cls,
    /// The start marker's vector (needs markers).
    StartMarker,
    /// Mean over the mention's word pieces (markers included when present).
    MentionMean,
}

/// One encoder input and the targets it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedInput {
    pub ids: Vec<u32>,
    /// For each carried target: its index in the caller's span list and the token positions
    /// the head pools over.
    pub targets: Vec<(usize, Range<usize>)>,
}

pub struct TargetEncoder {
    tokenizer: Tokenizer,
    marking: TargetMarking,
    cls: u32,
    sep: u32,
    pad: u32,
    markers: Option<(u32, u32)>,
}

fn token_id(tokenizer: &Tokenizer, token: &str) -> Result<u32, StanceError> {
    tokenizer
        .token_to_id(token)
        .ok_or_else(|| StanceError::Config(format!("the tokenizer has no token {token:?}")))
}

impl TargetEncoder {
    /// `special` names the architecture's framing tokens; they must be in the tokenizer.
    pub fn new(
        mut tokenizer: Tokenizer,
        special: SpecialTokens,
        marking: TargetMarking,
    ) -> Result<Self, StanceError> {
        // Padding and truncation are decided here per batch, not by the tokenizer file.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| StanceError::Config(format!("tokenizer: {e}")))?;
        let markers = match &marking.markers {
            Some((start, end)) => Some((token_id(&tokenizer, start)?, token_id(&tokenizer, end)?)),
            None => None,
        };
        if marking.pooling == Pooling::StartMarker && markers.is_none() {
            return Err(StanceError::Config(
                "start_marker pooling needs markers".into(),
            ));
        }
        let reserved = 2 + if markers.is_some() { 2 } else { 0 };
        if marking.max_length < reserved + 8 {
            return Err(StanceError::Config(format!(
                "max_length {} leaves no room for text",
                marking.max_length
            )));
        }
        Ok(Self {
            cls: token_id(&tokenizer, &special.cls)?,
            sep: token_id(&tokenizer, &special.sep)?,
            pad: token_id(&tokenizer, &special.pad)?,
            tokenizer,
            marking,
            markers,
        })
    }

    pub fn marking(&self) -> &TargetMarking {
        &self.marking
    }

    pub fn pad_id(&self) -> u32 {
        self.pad
    }

    /// Encodes `text` for the targets at byte ranges `spans`. Returns as few inputs as the
    /// marking allows: one per target with markers, otherwise one per sentence when it fits.
    pub fn encode(
        &self,
        text: &str,
        spans: &[Range<usize>],
    ) -> Result<Vec<EncodedInput>, StanceError> {
        let encoding = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| StanceError::Tokenize(e.to_string()))?;
        let ids = encoding.get_ids();
        let offsets = encoding.get_offsets();
        let token_spans = spans
            .iter()
            .map(|span| mention_tokens(text, offsets, span))
            .collect::<Result<Vec<_>, _>>()?;
        let budget = self.marking.max_length - 2;

        if self.markers.is_none() && ids.len() <= budget {
            let mut input = vec![self.cls];
            input.extend_from_slice(ids);
            input.push(self.sep);
            let targets = token_spans
                .iter()
                .enumerate()
                .map(|(i, r)| (i, r.start + 1..r.end + 1))
                .collect();
            return Ok(vec![EncodedInput {
                ids: input,
                targets,
            }]);
        }
        let length = if ids.len() > RUN_ON_LENGTHS * self.marking.max_length {
            self.marking.max_length / RUN_ON_WINDOW_SHARE
        } else {
            self.marking.max_length
        };
        Ok(token_spans
            .iter()
            .enumerate()
            .map(|(i, r)| self.encode_one(ids, r.clone(), i, length))
            .collect())
    }

    /// The input for one target: a window of at most `length` word pieces (special tokens
    /// and markers included) centred on it.
    fn encode_one(
        &self,
        ids: &[u32],
        mention: Range<usize>,
        index: usize,
        length: usize,
    ) -> EncodedInput {
        let marker_room = if self.markers.is_some() { 2 } else { 0 };
        let budget = length.saturating_sub(2 + marker_room).max(1);
        let window = window_around(ids.len(), mention.clone(), budget);
        let mut input = Vec::with_capacity(window.len() + 4);
        input.push(self.cls);
        input.extend_from_slice(&ids[window.start..mention.start]);
        let pooled_start = input.len();
        if let Some((start, _)) = self.markers {
            input.push(start);
        }
        input.extend_from_slice(&ids[mention.clone()]);
        if let Some((_, end)) = self.markers {
            input.push(end);
        }
        let pooled_end = input.len();
        input.extend_from_slice(&ids[mention.end..window.end]);
        input.push(self.sep);
        EncodedInput {
            ids: input,
            targets: vec![(index, pooled_start..pooled_end)],
        }
    }
}

/// The word pieces that overlap the byte span `span` of `text`.
fn mention_tokens(
    text: &str,
    offsets: &[(usize, usize)],
    span: &Range<usize>,
) -> Result<Range<usize>, StanceError> {
    if span.start >= span.end
        || span.end > text.len()
        || !text.is_char_boundary(span.start)
        || !text.is_char_boundary(span.end)
    {
        return Err(StanceError::Span(format!(
            "span {}..{} is not a non-empty range of whole characters in a text of {} bytes",
            span.start,
            span.end,
            text.len()
        )));
    }
    // Word pieces come in text order (starts and ends never decrease), so the overlapping
    // ones are found by binary search: a sentence with thousands of mentions must not cost
    // a pass over all its word pieces per mention.
    let first = offsets.partition_point(|&(_, end)| end <= span.start);
    let end = first + offsets[first..].partition_point(|&(start, _)| start < span.end);
    if first < end {
        Ok(first..end)
    } else {
        Err(StanceError::Span(format!(
            "span {}..{} ({:?}) covers no word piece",
            span.start,
            span.end,
            &text[span.clone()]
        )))
    }
}

/// A window of at most `budget` tokens out of `len` that contains `mention`, as centred on it
/// as the edges allow. A mention longer than the budget keeps its first `budget` tokens.
fn window_around(len: usize, mention: Range<usize>, budget: usize) -> Range<usize> {
    if len <= budget {
        return 0..len;
    }
    let mention_len = mention.end - mention.start;
    if mention_len >= budget {
        return mention.start..mention.start + budget;
    }
    let spare = budget - mention_len;
    let before = (spare / 2).min(mention.start);
    let after = (spare - before).min(len - mention.end);
    let before = (spare - after).min(mention.start);
    mention.start - before..mention.end + after
}

/// A padded batch as plain vectors, for any backend: ids and mask (rows, seq) and the pooling
/// weights (targets, seq) that pick each target's vector out of its input's hidden states.
pub struct PaddedBatch {
    pub rows: usize,
    pub seq: usize,
    pub ids: Vec<u32>,
    /// 1 for tokens, 0 for padding.
    pub mask: Vec<u8>,
    /// Row r holds 1/n over the n pooled positions of target r, inside input `input_of[r]`.
    pub pool_weights: Vec<f32>,
    pub input_of: Vec<u32>,
}

/// A padded batch as candle tensors.
pub struct Batch {
    pub input_ids: Tensor,
    pub attention_mask: Tensor,
    pub pool_weights: Tensor,
    pub input_of: Tensor,
}

impl TargetEncoder {
    /// Pads `inputs` to the longest one and builds the pooling weights for every target they
    /// carry, in input order.
    pub fn pad(&self, inputs: &[&EncodedInput]) -> PaddedBatch {
        let seq = inputs.iter().map(|i| i.ids.len()).max().unwrap_or(1);
        let rows = inputs.len();
        let mut ids = vec![self.pad; rows * seq];
        let mut mask = vec![0u8; rows * seq];
        let mut pool_weights = Vec::new();
        let mut input_of = Vec::new();
        for (row, input) in inputs.iter().enumerate() {
            ids[row * seq..row * seq + input.ids.len()].copy_from_slice(&input.ids);
            mask[row * seq..row * seq + input.ids.len()].fill(1);
            for (_, range) in &input.targets {
                let mut w = vec![0f32; seq];
                let pooled = match self.marking.pooling {
                    Pooling::Cls => 0..1,
                    Pooling::StartMarker => range.start..range.start + 1,
                    Pooling::MentionMean => range.clone(),
                };
                let share = 1.0 / pooled.len() as f32;
                w[pooled].fill(share);
                pool_weights.extend(w);
                input_of.push(row as u32);
            }
        }
        PaddedBatch {
            rows,
            seq,
            ids,
            mask,
            pool_weights,
            input_of,
        }
    }

    pub fn batch(&self, inputs: &[&EncodedInput], device: &Device) -> candle_core::Result<Batch> {
        let padded = self.pad(inputs);
        let (rows, seq, targets) = (padded.rows, padded.seq, padded.input_of.len());
        let mask = padded
            .mask
            .iter()
            .map(|&m| f32::from(m))
            .collect::<Vec<_>>();
        Ok(Batch {
            input_ids: Tensor::from_vec(padded.ids, (rows, seq), device)?,
            attention_mask: Tensor::from_vec(mask, (rows, seq), device)?,
            pool_weights: Tensor::from_vec(padded.pool_weights, (targets, seq), device)?,
            input_of: Tensor::from_vec(padded.input_of, targets, device)?,
        })
    }

    /// Encodes every target of `sentences`, runs `probabilities` on each sentence's inputs
    /// (in batches of at most `batch_size`, in parallel across sentences) and returns one
    /// `Stance` per span, per sentence, in the caller's order.
    ///
    /// A batch never mixes sentences: a mention's probabilities depend on its sentence and
    /// the sentence's other mentions only, never on which sentences happen to be scored
    /// beside it. Padding and int8's per-batch activation scales would otherwise make them
    /// depend on the chunk size, the thread count and the shard (measured: up to 1.15 of
    /// score on int8, sixth decimals on candle). The inputs of one sentence have the same
    /// length (the sentence, or a full window, plus markers), so these batches need no
    /// padding either.
    pub fn score_in_batches(
        &self,
        sentences: &[SentenceTargets],
        batch_size: usize,
        probabilities: impl Fn(&[&EncodedInput]) -> Result<Vec<[f32; 3]>, StanceError> + Sync,
    ) -> Result<Vec<Vec<Stance>>, StanceError> {
        let encoded: Vec<Vec<EncodedInput>> = sentences
            .par_iter()
            .map(|targets| self.encode(targets.text, &targets.spans))
            .collect::<Result<_, _>>()?;
        // The batches of all sentences are the units of parallel work, so one sentence with
        // thousands of mentions still keeps every thread busy.
        let batches: Vec<(usize, &[EncodedInput])> = encoded
            .iter()
            .enumerate()
            .flat_map(|(sentence, inputs)| {
                inputs
                    .chunks(batch_size.max(1))
                    .map(move |batch| (sentence, batch))
            })
            .collect();
        let rows: Vec<Vec<[f32; 3]>> = batches
            .par_iter()
            .map(|(_, batch)| probabilities(&batch.iter().collect::<Vec<_>>()))
            .collect::<Result<_, _>>()?;
        let mut per_sentence: Vec<Vec<[f32; 3]>> = sentences
            .iter()
            .map(|s| vec![[f32::NAN; 3]; s.spans.len()])
            .collect();
        for ((sentence, batch), rows) in batches.iter().zip(rows) {
            let mut rows = rows.into_iter();
            for (target, _) in batch.iter().flat_map(|input| &input.targets) {
                per_sentence[*sentence][*target] = rows.next().ok_or_else(|| {
                    StanceError::Config("model returned fewer rows than targets".into())
                })?;
            }
        }
        Ok(per_sentence
            .into_iter()
            .map(|probs| {
                probs
                    .into_iter()
                    .map(|p| Stance {
                        negative: p[0],
                        neutral: p[1],
                        positive: p[2],
                    })
                    .collect()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mention_tokens_are_the_overlapping_word_pieces() {
        // "Ms. Boluarte's government": word pieces with a gap (space) between some.
        let text = "Ms. Boluarte's government";
        let offsets = [
            (0, 2),
            (2, 3),
            (4, 7),
            (7, 12),
            (12, 13),
            (13, 14),
            (15, 25),
        ];
        let overlapping = |span: Range<usize>| {
            let all: Vec<usize> = (0..offsets.len())
                .filter(|&i| offsets[i].0 < span.end && offsets[i].1 > span.start)
                .collect();
            all.first().map(|&f| f..all[all.len() - 1] + 1)
        };
        for start in 0..text.len() {
            for end in start + 1..=text.len() {
                let found = mention_tokens(text, &offsets, &(start..end)).ok();
                assert_eq!(found, overlapping(start..end), "span {start}..{end}");
            }
        }
        assert!(
            mention_tokens(text, &offsets, &(3..4)).is_err(),
            "a space is no word piece"
        );
    }

    #[test]
    fn window_is_centred_and_clamped() {
        assert_eq!(window_around(10, 4..5, 20), 0..10);
        assert_eq!(window_around(100, 50..52, 10), 46..56);
        assert_eq!(window_around(100, 0..2, 10), 0..10);
        assert_eq!(window_around(100, 98..100, 10), 90..100);
        assert_eq!(window_around(100, 10..40, 10), 10..20);
    }
}
