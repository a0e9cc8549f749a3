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
    pub sentence: Range<usize>,
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

/// Lowercased words and marks of `text[range]`, in order.
fn words(text: &str, range: Range<usize>) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text[range].chars() {
        if c.is_alphanumeric() || (c == '\'' || c == '’') && !word.is_empty() {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if !c.is_whitespace() {
            out.push(match c {
                '“' | '”' | '"' | '«' | '»' | '„' => "<q>".to_string(),
                c => c.to_string(),
            });
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
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
    let left = words(c.text, c.sentence.start..c.mention.start);
    let right = words(c.text, c.mention.end..c.sentence.end);
    let mut names: Vec<String> = vec!["bias".into()];
    let rule = c.holding.map_or(Voice::Own, |a| a.voice);
    names.push(format!("rule={}", rule.as_str()));
    if let Some(cue) = c.holding.and_then(|a| a.cue.clone()) {
        names.push(format!("cue={}", c.text[cue].to_lowercase()));
    }
    if c.is_source {
        names.push("is_source".into());
    }
    names.push(format!("left={}", bucket(left.len())));
    names.push(format!("right={}", bucket(right.len())));
    let marks_left = left.iter().filter(|w| *w == "<q>").count();
    names.push(format!("quotes_left={}", marks_left.min(3)));
    names.push(format!(
        "quotes_right={}",
        right.iter().filter(|w| *w == "<q>").count().min(3)
    ));
    names.push(format!(
        "commas_left={}",
        bucket(left.iter().filter(|w| *w == ",").count())
    ));
    if left.iter().chain(&right).any(|w| w == ":") {
        names.push("colon".into());
    }
    for (k, w) in left.iter().rev().take(4).enumerate() {
        names.push(format!("l{k}={w}"));
    }
    if let [.., a, b] = left.as_slice() {
        names.push(format!("l10={a}_{b}"));
    }
    for w in left.iter().rev().take(30) {
        names.push(format!("L={w}"));
    }
    for (k, w) in right.iter().take(3).enumerate() {
        names.push(format!("r{k}={w}"));
    }
    if let [a, b, ..] = right.as_slice() {
        names.push(format!("r01={a}_{b}"));
    }
    for w in right.iter().take(15) {
        names.push(format!("R={w}"));
    }
    names.push(format!(
        "rule={}&left={}",
        rule.as_str(),
        bucket(left.len())
    ));
    names.iter().map(|n| hash(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
