//! A learned decision of each mention's voice: logistic regression over hashed features of
//! the mention's sentence (the words before and after it, quotation marks, punctuation) and of
//! what the rules found (their voice, cue and whether the mention is a source).
//!
//! Why: PolNeAR-style attribution is broad ("Ali rebuked Trump", "the poll found", "Ryan
//! endorsed Trump" are attributions), a long tail of cue words the rules cannot list, while
//! the words right before a mention say a lot ("endorsed", "rebuked", "said that"). The
//! model learns that tail from annotated articles; the rules still give content spans,
//! cues and speakers. It costs one dot product per mention (no encoder pass).
//!
//! Trained by `scripts/train-voice` (`examples/train_voice.rs`); the weights ship in
//! `models/voice/model.json` and are built into the binary.

use std::ops::Range;

use rand::seq::SliceRandom;
use rand::{rngs::StdRng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::quotes::{Attribution, Voice};

/// Hashed feature space size: large enough that collisions cost nothing measurable.
pub const DIMENSIONS: usize = 1 << 16;

/// The shipped model.
const SHIPPED: &str = include_str!("../../models/voice/model.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceModel {
    pub bias: f32,
    pub weights: Vec<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            epochs: 8,
            learning_rate: 0.02,
            l2: 1e-5,
            seed: 42,
        }
    }
}

/// What the features of one mention are computed from.
pub struct MentionContext<'a> {
    pub text: &'a str,
    /// The words of the mention's sentence.
    pub sentence: &'a SentenceWords,
    pub mention: Range<usize>,
    /// The innermost attribution the rules put the mention in.
    pub holding: Option<&'a Attribution>,
    /// The mention is an attribution's source.
    pub is_source: bool,
}

impl VoiceModel {
    /// The model built into slant.
    pub fn shipped() -> Result<Self, serde_json::Error> {
        let model: VoiceModel = serde_json::from_str(SHIPPED)?;
        Ok(model)
    }

    /// P(the mention is in somebody else's words).
    pub fn probability(&self, features: &[u32]) -> f32 {
        let z = self.bias
            + features
                .iter()
                .map(|&f| self.weights[f as usize % self.weights.len()])
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }

    /// Logistic regression by SGD on (features, attributed) examples, shuffled by a seeded
    /// generator: the same examples and options give the same weights.
    pub fn train(examples: &[(Vec<u32>, bool)], options: &TrainOptions) -> Self {
        let mut model = VoiceModel {
            bias: 0.0,
            weights: vec![0.0; DIMENSIONS],
        };
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = StdRng::seed_from_u64(options.seed);
        for epoch in 0..options.epochs {
            order.shuffle(&mut rng);
            let rate = options.learning_rate / (1.0 + epoch as f32);
            for &i in &order {
                let (features, label) = &examples[i];
                let error = model.probability(features) - f32::from(u8::from(*label));
                model.bias -= rate * error;
                for &f in features {
                    let w = &mut model.weights[f as usize];
                    *w -= rate * (error + options.l2 * *w);
                }
            }
        }
        model
    }

    /// The model as the JSON it ships as (weights to 6 decimals: the file stays small and
    /// reads back to the same decisions).
    pub fn to_json(&self) -> String {
        let round = |x: f32| (x * 1e6).round() / 1e6;
        let rounded = VoiceModel {
            bias: round(self.bias),
            weights: self.weights.iter().map(|&w| round(w)).collect(),
        };
        serde_json::to_string(&rounded).unwrap_or_default()
    }
}

/// FNV-1a of a feature name given in parts, as of their concatenation (both learned voice
/// models hash their features with it; parts spare building the name).
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A feature name's place in the hashed space.
fn hash(name: &str) -> u32 {
    (fnv1a(&[name]) % DIMENSIONS as u64) as u32
}

/// Lowercased words and marks of `text[range]`, in order, each with its byte range.
fn words(text: &str, range: Range<usize>) -> Vec<(Range<usize>, String)> {
    let (offset, end) = (range.start, range.end);
    let mut out = Vec::new();
    let mut word = String::new();
    let mut word_start = offset;
    for (at, c) in text[range].char_indices() {
        let at = offset + at;
        if c.is_alphanumeric() || (c == '\'' || c == '’') && !word.is_empty() {
            if word.is_empty() {
                word_start = at;
            }
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            out.push((word_start..at, std::mem::take(&mut word)));
        }
        if !c.is_whitespace() {
            let mark = match c {
                '“' | '”' | '"' | '«' | '»' | '„' => "<q>".to_string(),
                c => c.to_string(),
            };
            out.push((at..at + c.len_utf8(), mark));
        }
    }
    if !word.is_empty() {
        out.push((word_start..end, word));
    }
    out
}

/// The words and marks of one sentence, read once, with running counts of the marks the
/// features count: each mention's left and right context is then a slice of them. Reading
/// the context again for every mention cost time quadratic in a sentence's length (a
/// run-on "sentence" of 1 MB with 3,000 mentions took minutes).
pub struct SentenceWords {
    range: Range<usize>,
    words: Vec<(Range<usize>, String)>,
    /// `marks[i]`: the quotation marks, commas and colons among `words[..i]`.
    marks: Vec<Marks>,
}

#[derive(Clone, Copy, Default)]
struct Marks {
    quotes: usize,
    commas: usize,
    colons: usize,
}

impl Marks {
    fn of(words: &[(Range<usize>, String)]) -> Marks {
        let mut marks = Marks::default();
        for (_, w) in words {
            marks.add(w);
        }
        marks
    }

    fn add(&mut self, word: &str) {
        match word {
            "<q>" => self.quotes += 1,
            "," => self.commas += 1,
            ":" => self.colons += 1,
            _ => {}
        }
    }

    fn plus(self, other: Marks) -> Marks {
        Marks {
            quotes: self.quotes + other.quotes,
            commas: self.commas + other.commas,
            colons: self.colons + other.colons,
        }
    }

    fn minus(self, other: Marks) -> Marks {
        Marks {
            quotes: self.quotes - other.quotes,
            commas: self.commas - other.commas,
            colons: self.colons - other.colons,
        }
    }
}

/// One side of a mention's context: how many words and marks, and the nearest words
/// (the features look at no more than `NEAR` of them).
struct Side {
    len: usize,
    marks: Marks,
    /// The words next to the mention, in text order: the last ones on the left, the first
    /// ones on the right.
    near: Vec<String>,
}

/// The most context words a feature looks at, on either side.
const NEAR: usize = 30;

impl SentenceWords {
    pub fn new(text: &str, sentence: Range<usize>) -> Self {
        let words = words(text, sentence.clone());
        let mut marks = Vec::with_capacity(words.len() + 1);
        let mut running = Marks::default();
        marks.push(running);
        for (_, w) in &words {
            running.add(w);
            marks.push(running);
        }
        Self {
            range: sentence,
            words,
            marks,
        }
    }

    /// The words of `text[sentence.start..at]`: those that end by `at`, and the part before
    /// `at` of a word running across it.
    fn left(&self, text: &str, at: usize) -> Side {
        let k = self.words.partition_point(|(r, _)| r.end <= at);
        let across = match self.words.get(k) {
            Some((r, _)) if r.start < at => words(text, r.start..at),
            _ => Vec::new(),
        };
        let from = k.saturating_sub(NEAR);
        let near = self.words[from..k]
            .iter()
            .chain(&across)
            .map(|(_, w)| w.clone())
            .collect();
        Side {
            len: k + across.len(),
            marks: self.marks[k].plus(Marks::of(&across)),
            near,
        }
    }

    /// The words of `text[at..sentence.end]`: a word running across `at` is read again from
    /// `at` (as a reading that starts there sees it), then the words after it.
    fn right(&self, text: &str, at: usize) -> Side {
        let j = self.words.partition_point(|(r, _)| r.start < at);
        let (across, rest) = match j.checked_sub(1).map(|i| &self.words[i]) {
            Some((r, _)) if r.end > at => (words(text, at..r.end), j),
            _ => (Vec::new(), j),
        };
        let n = self.words.len();
        let near = across
            .iter()
            .chain(&self.words[rest..n.min(rest + NEAR)])
            .take(NEAR)
            .map(|(_, w)| w.clone())
            .collect();
        Side {
            len: across.len() + n - rest,
            marks: self.marks[n]
                .minus(self.marks[rest])
                .plus(Marks::of(&across)),
            near,
        }
    }
}

/// A count as a coarse feature value (both learned voice models use it).
pub(crate) fn bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=5 => "3-5",
        6..=10 => "6-10",
        11..=20 => "11-20",
        _ => "21+",
    }
}

/// The hashed features of one mention.
pub fn features(c: &MentionContext) -> Vec<u32> {
    let mention_start = c.mention.start.max(c.sentence.range.start);
    let mention_end = c.mention.end.min(c.sentence.range.end).max(mention_start);
    let left = c.sentence.left(c.text, mention_start);
    let right = c.sentence.right(c.text, mention_end);
    let mut names: Vec<String> = vec!["bias".into()];
    let rule = c.holding.map_or(Voice::Own, |a| a.voice);
    names.push(format!("rule={}", rule.as_str()));
    if let Some(cue) = c.holding.and_then(|a| a.cue.clone()) {
        names.push(format!("cue={}", c.text[cue].to_lowercase()));
    }
    if c.is_source {
        names.push("is_source".into());
    }
    names.push(format!("left={}", bucket(left.len)));
    names.push(format!("right={}", bucket(right.len)));
    names.push(format!("quotes_left={}", left.marks.quotes.min(3)));
    names.push(format!("quotes_right={}", right.marks.quotes.min(3)));
    names.push(format!("commas_left={}", bucket(left.marks.commas)));
    if left.marks.colons + right.marks.colons > 0 {
        names.push("colon".into());
    }
    for (k, w) in left.near.iter().rev().take(4).enumerate() {
        names.push(format!("l{k}={w}"));
    }
    if let [.., a, b] = left.near.as_slice() {
        names.push(format!("l10={a}_{b}"));
    }
    for w in left.near.iter().rev().take(30) {
        names.push(format!("L={w}"));
    }
    for (k, w) in right.near.iter().take(3).enumerate() {
        names.push(format!("r{k}={w}"));
    }
    if let [a, b, ..] = right.near.as_slice() {
        names.push(format!("r01={a}_{b}"));
    }
    for w in right.near.iter().take(15) {
        names.push(format!("R={w}"));
    }
    names.push(format!("rule={}&left={}", rule.as_str(), bucket(left.len)));
    names.iter().map(|n| hash(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reading a context from the sentence's words gives what reading it directly gives, at
    /// every position: inside words, at apostrophes, quotes and marks.
    #[test]
    fn contexts_from_the_sentence_equal_contexts_read_directly() {
        let text = "Intro. “Castillo’s men,” he said: O'Neil's aide, 'Lo\u{301}pez' and Ana\u{a0}Ruiz's \
                    (\"quoted\") x'y' — 12,3 done, with words enough to pass the thirty that features \
                    look at, on the left and on the right, of a mention in this long sentence.";
        let range = 7..text.len();
        let sentence = SentenceWords::new(text, range.clone());
        let strings = |w: Vec<(Range<usize>, String)>| -> Vec<String> {
            w.into_iter().map(|(_, w)| w).collect()
        };
        for at in (range.start..=range.end).filter(|&i| text.is_char_boundary(i)) {
            let direct = words(text, range.start..at);
            let left = sentence.left(text, at);
            assert_eq!(left.len, direct.len(), "left of {at}");
            assert_eq!(left.marks.quotes, Marks::of(&direct).quotes, "left of {at}");
            assert_eq!(left.marks.commas, Marks::of(&direct).commas, "left of {at}");
            let direct = strings(direct);
            assert!(
                direct.ends_with(&left.near),
                "left of {at}: {:?}",
                left.near
            );
            assert!(left.near.len() >= direct.len().min(NEAR), "left of {at}");
            let direct = words(text, at..range.end);
            let right = sentence.right(text, at);
            assert_eq!(right.len, direct.len(), "right of {at}");
            assert_eq!(
                right.marks.colons,
                Marks::of(&direct).colons,
                "right of {at}"
            );
            assert_eq!(
                right.marks.quotes,
                Marks::of(&direct).quotes,
                "right of {at}"
            );
            let direct = strings(direct);
            assert_eq!(
                right.near,
                direct[..direct.len().min(NEAR)],
                "right of {at}"
            );
        }
    }

    #[test]
    fn the_shipped_model_loads() {
        let model = VoiceModel::shipped().expect("shipped model");
        assert_eq!(model.weights.len(), DIMENSIONS);
        assert!(model.weights.iter().any(|w| *w != 0.0), "trained weights");
    }

    #[test]
    fn training_is_deterministic_and_learns_a_separable_set() {
        let examples: Vec<(Vec<u32>, bool)> = (0..200)
            .map(|i| {
                (
                    vec![hash("bias"), hash(if i % 2 == 0 { "a" } else { "b" })],
                    i % 2 == 0,
                )
            })
            .collect();
        let options = TrainOptions {
            epochs: 20,
            learning_rate: 0.5,
            ..TrainOptions::default()
        };
        let one = VoiceModel::train(&examples, &options);
        assert_eq!(one, VoiceModel::train(&examples, &options));
        assert!(one.probability(&[hash("bias"), hash("a")]) > 0.9);
        assert!(one.probability(&[hash("bias"), hash("b")]) < 0.1);
    }
}
