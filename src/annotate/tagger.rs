//! A learned attribution tagger: every token of an article tagged as an attribution's Source,
//! Cue or Content, or none (PolNeAR's univocal scheme), by an averaged structured perceptron
//! (Collins 2002) over hashed features, decoded with Viterbi over the whole article; the
//! tagged runs are then assembled into attributions (content, cue, source).
//!
//! Why a tagger over the rules: PolNeAR's content is broad and its span conventions are its
//! own (beliefs, polls, evaluations; where a content ends), a long tail that rules can only
//! list. The rules' findings are features here (and their speakers a fallback), so the tagger
//! learns where the annotators agree with them and where they go further. It costs a few
//! hundred additions per token, no encoder pass.
//!
//! The weights ship in `models/voice/tagger.bin` (built into the binary) and are trained by
//! `scripts/eval-attribution --write-tagger` on PolNeAR's tuning folds.

use std::ops::Range;

use half::f16;
use rand::seq::SliceRandom;
use rand::{rngs::StdRng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::quotes::{
    find_quotes, is_cue_at, subject_of, tokenize, Attribution, Kind, Token, Voice,
};
use super::voice_model::{bucket, fnv1a};

/// Hashed feature space size.
pub const DIMENSIONS: usize = 1 << 18;

/// How many words either side of a token its bag features hold.
const BAG: usize = 12;

/// A token's tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Outside,
    Source,
    Cue,
    Content,
}

const TAGS: [Tag; 4] = [Tag::Outside, Tag::Source, Tag::Cue, Tag::Content];

impl Tag {
    fn index(self) -> usize {
        self as usize
    }
}

/// Transition weights: within a sentence, across a sentence boundary, at the article's start.
const WITHIN: usize = 0;
const ACROSS: usize = TAGS.len() * TAGS.len();
const START: usize = 2 * TAGS.len() * TAGS.len();
const TRANSITIONS: usize = START + TAGS.len();

/// The shipped tagger.
const SHIPPED: &[u8] = include_bytes!("../../models/voice/tagger.bin");
const MAGIC: &[u8; 8] = b"SLTAG01\n";

#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    #[error("not a slant tagger file (expected {expected} bytes after the header, found {found})")]
    Format { expected: usize, found: usize },
}

/// An averaged perceptron: feature weights per tag, and transition weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagger {
    /// `DIMENSIONS` x tags, feature-major.
    weights: Vec<f32>,
    transitions: Vec<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TaggerOptions {
    pub epochs: usize,
    /// Training sequences are pieces of this many sentences of an article.
    pub sentences_per_example: usize,
    pub seed: u64,
}

impl Default for TaggerOptions {
    fn default() -> Self {
        Self {
            epochs: 10,
            sentences_per_example: 4,
            seed: 42,
        }
    }
}

/// An article's tokens (sentence by sentence, in text order) with their features.
pub struct Sequence {
    tokens: Vec<Token>,
    /// Index into the article's sentences, per token.
    sentence: Vec<usize>,
    features: Vec<Vec<u32>>,
}

impl Sequence {
    /// `text`'s tokens and their features, given its `sentences` and the rules' attributions.
    pub fn new(text: &str, sentences: &[Range<usize>], rules: &[Attribution]) -> Self {
        let mut tokens = Vec::new();
        let mut sentence = Vec::new();
        let mut features = Vec::new();
        let quotes = find_quotes(text);
        let mut previous_last_rule = "none";
        for (s, range) in sentences.iter().enumerate() {
            let words = tokenize(text, range.clone());
            let paragraph_start =
                s == 0 || text[..range.start].trim_end_matches(' ').ends_with('\n');
            let context = SentenceContext::new(&words, &quotes, rules, paragraph_start);
            for i in 0..words.len() {
                features.push(context.features(i, previous_last_rule));
            }
            if let Some(last) = context.rule.last() {
                previous_last_rule = last;
            }
            sentence.extend(std::iter::repeat_n(s, words.len()));
            tokens.extend(words);
        }
        Sequence {
            tokens,
            sentence,
            features,
        }
    }

    /// The gold tag of each token, from annotated spans: content wins over source and cue (a
    /// nested attribution's speaker is inside the outer one's words).
    pub fn gold_tags(
        &self,
        content: &[Range<usize>],
        source: &[Range<usize>],
        cue: &[Range<usize>],
    ) -> Vec<Tag> {
        let overlaps = |t: &Range<usize>, ranges: &[Range<usize>]| {
            ranges.iter().any(|r| r.start < t.end && t.start < r.end)
        };
        self.tokens
            .iter()
            .map(|t| {
                if overlaps(&t.span, content) {
                    Tag::Content
                } else if overlaps(&t.span, source) {
                    Tag::Source
                } else if overlaps(&t.span, cue) {
                    Tag::Cue
                } else {
                    Tag::Outside
                }
            })
            .collect()
    }
}

/// What a sentence's tokens' features are computed from.
struct SentenceContext<'a> {
    words: &'a [Token],
    /// The rules' reading of each token.
    rule: Vec<&'static str>,
    in_quote: Vec<bool>,
    /// The cue tokens, in order.
    cues: Vec<usize>,
    /// `thats[k]`, `commas[k]`: how many of `words[..k]` are "that", and commas. With them
    /// and the sorted cues, a token's features cost the same in a sentence of any length (a
    /// run-on "sentence" of 10 MB took ten minutes when each token searched the sentence).
    thats: Vec<usize>,
    commas: Vec<usize>,
    paragraph_start: bool,
    quote_marks: usize,
    /// Each token as its features show it.
    shown: Vec<String>,
    ends_in_quote: bool,
}

impl<'a> SentenceContext<'a> {
    fn new(
        words: &'a [Token],
        quotes: &[Range<usize>],
        rules: &[Attribution],
        paragraph_start: bool,
    ) -> Self {
        // Only the rules that reach into this sentence can hold its tokens.
        let extent =
            words.first().map_or(0, |t| t.span.start)..words.last().map_or(0, |t| t.span.end);
        let rules: Vec<&Attribution> = rules
            .iter()
            .filter(|a| {
                a.content
                    .iter()
                    .chain(&a.source)
                    .chain(&a.cue)
                    .any(|r| r.start < extent.end && extent.start < r.end)
            })
            .collect();
        let rule = words
            .iter()
            .map(|t| {
                let holding = rules
                    .iter()
                    .filter(|a| a.contains(&t.span))
                    .min_by_key(|a| a.len());
                match holding {
                    Some(a) if a.voice == Voice::Quoted => "quoted",
                    Some(_) => "reported",
                    None if rules
                        .iter()
                        .any(|a| a.source.as_ref().is_some_and(|s| contains(s, &t.span))) =>
                    {
                        "source"
                    }
                    None if rules
                        .iter()
                        .any(|a| a.cue.as_ref().is_some_and(|c| contains(c, &t.span))) =>
                    {
                        "cue"
                    }
                    None => "none",
                }
            })
            .collect();
        // The quotations are in text order and do not overlap: the one that may hold a
        // token is the last to start at or before it.
        let in_quote = words
            .iter()
            .map(|t| {
                let after = quotes.partition_point(|q| q.start <= t.span.start);
                after > 0 && contains(&quotes[after - 1], &t.span)
            })
            .collect();
        let cues = (0..words.len()).filter(|&i| is_cue_at(words, i)).collect();
        let running = |is: fn(&Token) -> bool| -> Vec<usize> {
            std::iter::once(0)
                .chain(words.iter().scan(0, |n, t| {
                    *n += usize::from(is(t));
                    Some(*n)
                }))
                .collect()
        };
        SentenceContext {
            words,
            rule,
            in_quote,
            cues,
            thats: running(|t| t.lower == "that"),
            commas: running(|t| t.kind == Kind::Comma),
            paragraph_start,
            quote_marks: words.iter().filter(|t| t.kind == Kind::Quote).count(),
            shown: words.iter().map(shown).collect(),
            ends_in_quote: words
                .iter()
                .rev()
                .find(|t| t.kind != Kind::Stop)
                .is_some_and(|t| t.kind == Kind::Quote),
        }
    }

    fn word(&self, i: isize) -> &str {
        if i < 0 {
            "<s>"
        } else {
            self.shown.get(i as usize).map_or("</s>", String::as_str)
        }
    }

    fn features(&self, i: usize, previous_last_rule: &str) -> Vec<u32> {
        let n = self.words.len();
        let at = i as isize;
        let w = self.word(at);
        let (p1, p2, n1, n2) = (
            self.word(at - 1),
            self.word(at - 2),
            self.word(at + 1),
            self.word(at + 2),
        );
        let rule = self.rule[i];
        let quote = if self.in_quote[i] { "in" } else { "out" };
        let before = self.cues.partition_point(|&c| c < i);
        let left_cue = before.checked_sub(1).map(|k| self.cues[k]);
        let right_cue = self
            .cues
            .get(self.cues.partition_point(|&c| c <= i))
            .copied();
        let flag = |b: bool| if b { "true" } else { "false" };
        let mut out = Vec::with_capacity(64);
        let mut add = |parts: &[&str]| out.push(hash(parts));
        add(&["bias"]);
        add(&["w=", w]);
        add(&["p1=", p1]);
        add(&["p2=", p2]);
        add(&["n1=", n1]);
        add(&["n2=", n2]);
        add(&["p1w=", p1, "_", w]);
        add(&["wn1=", w, "_", n1]);
        add(&["p2p1=", p2, "_", p1]);
        add(&["n1n2=", n1, "_", n2]);
        add(&["rule=", rule]);
        add(&["rule&w=", rule, "_", w]);
        add(&["rule&p1=", rule, "_", p1]);
        add(&["rule&quote=", rule, "_", quote]);
        add(&["quote=", quote]);
        add(&["pos=", bucket(i)]);
        add(&["rpos=", bucket(n - 1 - i)]);
        add(&["first=", self.word(0)]);
        add(&["marks=", ["0", "1", "2", "3", "4"][self.quote_marks.min(4)]]);
        add(&["prev_rule=", previous_last_rule]);
        add(&["cap=", flag(self.words[i].capital)]);
        // The words before and after in the sentence, as bags: "believes", "the poll found"
        // several words back make what follows content, a cue lexicon cannot list them all.
        for t in &self.shown[i.saturating_sub(BAG)..i] {
            add(&["L=", t]);
        }
        for t in &self.shown[(i + 1).min(n)..(i + 1 + BAG).min(n)] {
            add(&["R=", t]);
        }
        if self.paragraph_start {
            add(&["paragraph_start"]);
            add(&["paragraph_start&pos=", bucket(i)]);
        }
        if self.ends_in_quote {
            add(&["ends_in_quote"]);
        }
        if self.cues.binary_search(&i).is_ok() {
            add(&["cue_here"]);
        }
        match left_cue {
            Some(c) => {
                let that = self.thats[i] > self.thats[c + 1];
                add(&["lcue=", &self.words[c].lower]);
                add(&["lcue_d=", bucket(i - c)]);
                add(&["lcue_that=", flag(that)]);
                add(&["lcue_d&rule=", bucket(i - c), "_", rule]);
            }
            None => add(&["lcue=none"]),
        }
        match right_cue {
            Some(c) => {
                let comma = self.commas[c] > self.commas[i + 1];
                add(&["rcue=", &self.words[c].lower]);
                add(&["rcue_d=", bucket(c - i)]);
                add(&["rcue_comma=", flag(comma)]);
                add(&["rcue_d&rule=", bucket(c - i), "_", rule]);
            }
            None => add(&["rcue=none"]),
        }
        out
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// A token as a feature shows it: words lowercased, the three kinds of quote mark apart.
fn shown(t: &Token) -> String {
    match t.lower.as_str() {
        "“" | "„" | "«" => "<q(>".into(),
        "”" | "»" => "<q)>".into(),
        "\"" => "<q>".into(),
        _ => t.lower.clone(),
    }
}

fn hash(parts: &[&str]) -> u32 {
    (fnv1a(parts) % DIMENSIONS as u64) as u32
}

/// The transition weight index of the tags at `i - 1` and `i` (the start weight at 0).
fn transition(sentence: &[usize], tags: &[Tag], i: usize) -> usize {
    if i == 0 {
        return START + tags[0].index();
    }
    let base = if sentence[i] == sentence[i - 1] {
        WITHIN
    } else {
        ACROSS
    };
    base + tags[i - 1].index() * TAGS.len() + tags[i].index()
}

/// A stretch of a training article: its tokens' features, sentences and gold tags.
struct Piece<'a> {
    features: &'a [Vec<u32>],
    sentence: &'a [usize],
    gold: &'a [Tag],
}

impl Tagger {
    /// The tagger built into slant.
    pub fn shipped() -> Result<Self, TaggerError> {
        Self::from_bytes(SHIPPED)
    }

    fn zero() -> Self {
        Tagger {
            weights: vec![0.0; DIMENSIONS * TAGS.len()],
            transitions: vec![0.0; TRANSITIONS],
        }
    }

    /// The best tag sequence for `sequence` (Viterbi).
    pub fn tag(&self, sequence: &Sequence) -> Vec<Tag> {
        self.best(&sequence.features, &sequence.sentence)
    }

    /// The best tag sequence (Viterbi) for tokens with `features`, in `sentence`s.
    fn best(&self, features: &[Vec<u32>], sentence: &[usize]) -> Vec<Tag> {
        let n = features.len();
        let k = TAGS.len();
        if n == 0 {
            return Vec::new();
        }
        let emission = |features: &[u32]| {
            let mut e = [0.0f32; 4];
            for &f in features {
                let row = &self.weights[f as usize * k..f as usize * k + k];
                for (e, w) in e.iter_mut().zip(row) {
                    *e += w;
                }
            }
            e
        };
        let mut score = vec![[0.0f32; 4]; n];
        let mut back = vec![[0usize; 4]; n];
        let first = emission(&features[0]);
        for y in 0..k {
            score[0][y] = self.transitions[START + y] + first[y];
        }
        for i in 1..n {
            let base = if sentence[i] == sentence[i - 1] {
                WITHIN
            } else {
                ACROSS
            };
            let e = emission(&features[i]);
            for y in 0..k {
                let (best, from) = (0..k)
                    .map(|x| (score[i - 1][x] + self.transitions[base + x * k + y], x))
                    .fold((f32::NEG_INFINITY, 0), |a, b| if b.0 > a.0 { b } else { a });
                score[i][y] = best + e[y];
                back[i][y] = from;
            }
        }
        let mut y = (0..k).fold(0, |best, y| {
            if score[n - 1][y] > score[n - 1][best] {
                y
            } else {
                best
            }
        });
        let mut tags = vec![Tag::Outside; n];
        for i in (0..n).rev() {
            tags[i] = TAGS[y];
            y = back[i][y];
        }
        tags
    }

    /// Averaged structured perceptron over (sequence, gold tags) examples, cut into pieces
    /// of a few sentences (a perceptron learns from each mistaken sequence once, and short
    /// ones give it more, better placed updates: docs/voices.md), visited in an order
    /// shuffled by a seeded generator: the same examples and options give the same weights.
    /// The averaged weights are rounded to f16, as they ship.
    pub fn train(examples: &[(Sequence, Vec<Tag>)], options: &TaggerOptions) -> Self {
        let mut pieces: Vec<Piece> = Vec::new();
        for (s, gold) in examples {
            let mut start = 0;
            while start < gold.len() {
                let limit = s.sentence[start] + options.sentences_per_example;
                let end = (start..gold.len())
                    .find(|&i| s.sentence[i] >= limit)
                    .unwrap_or(gold.len());
                pieces.push(Piece {
                    features: &s.features[start..end],
                    sentence: &s.sentence[start..end],
                    gold: &gold[start..end],
                });
                start = end;
            }
        }
        let k = TAGS.len();
        let mut model = Tagger::zero();
        // Averaging by the usual trick: `sums` holds each update times the step it came at.
        let mut sums = Tagger::zero();
        let mut step = 1.0f32;
        let mut order: Vec<usize> = (0..pieces.len()).collect();
        let mut rng = StdRng::seed_from_u64(options.seed);
        for _ in 0..options.epochs {
            order.shuffle(&mut rng);
            for &p in &order {
                let Piece {
                    features,
                    sentence,
                    gold,
                } = pieces[p];
                let guess = model.best(features, sentence);
                for i in (0..gold.len()).filter(|&i| gold[i] != guess[i]) {
                    for &f in &features[i] {
                        for (tag, delta) in [(gold[i], 1.0), (guess[i], -1.0)] {
                            let at = f as usize * k + tag.index();
                            model.weights[at] += delta;
                            sums.weights[at] += step * delta;
                        }
                    }
                }
                for i in 0..gold.len() {
                    let (g, p) = (
                        transition(sentence, gold, i),
                        transition(sentence, &guess, i),
                    );
                    if g != p {
                        for (at, delta) in [(g, 1.0), (p, -1.0)] {
                            model.transitions[at] += delta;
                            sums.transitions[at] += step * delta;
                        }
                    }
                }
                step += 1.0;
            }
        }
        let average = |w: &mut [f32], s: &[f32]| {
            for (w, s) in w.iter_mut().zip(s) {
                *w = f16::from_f32(*w - s / step).to_f32();
            }
        };
        average(&mut model.weights, &sums.weights);
        average(&mut model.transitions, &sums.transitions);
        model
    }

    /// The tagger as the file it ships as: a header, then the transition and feature weights
    /// as little-endian f16.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        for w in self.transitions.iter().chain(&self.weights) {
            out.extend_from_slice(&f16::from_f32(*w).to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TaggerError> {
        let expected = 2 * (TRANSITIONS + DIMENSIONS * TAGS.len());
        let body = bytes.strip_prefix(MAGIC.as_slice()).unwrap_or_default();
        if body.len() != expected {
            return Err(TaggerError::Format {
                expected,
                found: body.len(),
            });
        }
        let floats: Vec<f32> = body
            .chunks_exact(2)
            .map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect();
        Ok(Tagger {
            transitions: floats[..TRANSITIONS].to_vec(),
            weights: floats[TRANSITIONS..].to_vec(),
        })
    }

    /// The attributions of `text`: runs of content tokens, each with the nearest cue run in its
    /// sentences and the source run nearest that cue; where the tagger found neither, the
    /// cue and source of the rules' attribution that overlaps the run most.
    pub fn attributions(
        &self,
        text: &str,
        sentences: &[Range<usize>],
        rules: &[Attribution],
    ) -> Vec<Attribution> {
        let sequence = Sequence::new(text, sentences, rules);
        let tags = self.tag(&sequence);
        assemble(text, &sequence, &tags, rules)
    }
}

/// Maximal runs of one tag, as token index ranges.
fn runs(tags: &[Tag], tag: Tag) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, t) in tags.iter().enumerate() {
        match (*t == tag, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..tags.len());
    }
    out
}

/// Tokens between two token ranges (0 when they touch).
fn gap(a: &Range<usize>, b: &Range<usize>) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

fn assemble(
    text: &str,
    sequence: &Sequence,
    tags: &[Tag],
    rules: &[Attribution],
) -> Vec<Attribution> {
    let tokens = &sequence.tokens;
    let bytes = |r: &Range<usize>| tokens[r.start].span.start..tokens[r.end - 1].span.end;
    let cues = runs(tags, Tag::Cue);
    let sources = runs(tags, Tag::Source);
    let quotes = find_quotes(text);
    let mut found: Vec<Attribution> = Vec::new();
    for run in runs(tags, Tag::Content) {
        let first = sequence.sentence[run.start];
        let last = sequence.sentence[run.end - 1];
        let near = |r: &Range<usize>| {
            let s = sequence.sentence[r.start];
            s + 1 >= first && s <= last + 1
        };
        // Same-sentence cues first, then the nearest.
        let cue = cues
            .iter()
            .filter(|c| near(c))
            .min_by_key(|c| {
                let s = sequence.sentence[c.start];
                (usize::from(s < first || s > last), gap(&run, c))
            })
            .cloned();
        let source = match &cue {
            Some(c) => sources
                .iter()
                .filter(|s| sequence.sentence[s.start] == sequence.sentence[c.start])
                .min_by_key(|s| gap(c, s))
                .cloned(),
            None => sources
                .iter()
                .filter(|s| {
                    let at = sequence.sentence[s.start];
                    first <= at && at <= last
                })
                .min_by_key(|s| gap(&run, s))
                .cloned(),
        };
        let content = bytes(&run);
        let overlap = |a: &Attribution| -> usize {
            a.content
                .iter()
                .map(|c| {
                    c.end
                        .min(content.end)
                        .saturating_sub(c.start.max(content.start))
                })
                .sum()
        };
        let rule = rules
            .iter()
            .filter(|a| overlap(a) > 0)
            .max_by_key(|a| (overlap(a), std::cmp::Reverse(a.content[0].start)));
        // The cue the tagger found, else the rules'; the rules' source where they found one
        // for these words (their sources are noun phrases, a tagged source run can be a stray
        // word), else the tagger's.
        let cue_run = cue;
        let cue = cue_run
            .clone()
            .map(|c| bytes(&c))
            .or_else(|| rule.and_then(|a| a.cue.clone()));
        let source = rule
            .and_then(|a| a.source.clone())
            .or_else(|| source.map(|s| bytes(&s)))
            .or_else(|| cue_subject(text, sequence, cue_run.as_ref()?, &content));
        let words: Vec<&Token> = tokens[run.clone()]
            .iter()
            .filter(|t| t.kind == Kind::Word)
            .collect();
        let quoted = words
            .iter()
            .filter(|t| quotes.iter().any(|q| contains(q, &t.span)))
            .count();
        let voice = if !words.is_empty() && 2 * quoted >= words.len() {
            Voice::Quoted
        } else {
            Voice::Reported
        };
        // Runs under one cue are one attribution ("The plan, X said, is bad"; “…,” he
        // said. “…”), as annotators read them.
        match found.last_mut() {
            Some(previous) if cue.is_some() && previous.cue == cue && previous.source == source => {
                previous.content.push(content);
            }
            _ => found.push(Attribution {
                voice,
                content: vec![content],
                cue,
                source,
            }),
        }
    }
    found
}

/// The subject of the clause a tagged cue ends ("Perry, while still a candidate, did not
/// have kind words for …"): the opening subject of the cue's sentence up to the cue, when it
/// lies outside the `content` the cue introduces.
fn cue_subject(
    text: &str,
    sequence: &Sequence,
    cue: &Range<usize>,
    content: &Range<usize>,
) -> Option<Range<usize>> {
    let sentence = sequence.sentence[cue.start];
    let first = (0..cue.start)
        .rev()
        .take_while(|&i| sequence.sentence[i] == sentence)
        .last()?;
    let tokens = &sequence.tokens;
    let subject = subject_of(text, tokens[first].span.start..tokens[cue.start].span.start)?;
    (subject.end <= content.start || content.end <= subject.start).then_some(subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::quotes::find_attributions;

    /// Sentence ranges of `text`, split after each ". ".
    fn sentences(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for (at, _) in text.match_indices(". ") {
            out.push(start..at + 1);
            start = at + 2;
        }
        out.push(start..text.len());
        out
    }

    fn sequence(text: &str) -> Sequence {
        let sentences = sentences(text);
        Sequence::new(text, &sentences, &find_attributions(text, &sentences))
    }

    /// Articles where "X hinted" (a cue the rules do not know) makes the rest content.
    fn example(i: usize) -> (String, Range<usize>, Range<usize>, Range<usize>) {
        let names = ["Smith", "Jones", "Brown", "Garcia", "Lee"];
        let claims = ["the plan is bad", "taxes will rise", "the vote was rigged"];
        let name = names[i % names.len()];
        let claim = claims[i % claims.len()];
        let text = format!("The rain fell on Monday. {name} hinted {claim}. Markets closed early.");
        let source = text.find(name).unwrap_or(0);
        let cue = source + name.len() + 1;
        let content = cue + "hinted ".len();
        (
            text,
            source..source + name.len(),
            cue..cue + "hinted".len(),
            content..content + claim.len(),
        )
    }

    fn trained() -> Tagger {
        let examples: Vec<(Sequence, Vec<Tag>)> = (0..30)
            .map(|i| {
                let (text, source, cue, content) = example(i);
                let s = sequence(&text);
                let gold = s.gold_tags(&[content], &[source], &[cue]);
                (s, gold)
            })
            .collect();
        Tagger::train(&examples, &TaggerOptions::default())
    }

    #[test]
    fn training_is_deterministic_and_learns_a_cue_the_rules_lack() {
        let tagger = trained();
        assert_eq!(tagger, trained());
        let text =
            "The rain fell on Monday. Smith hinted the vote was rigged. Markets closed early.";
        let s = sentences(text);
        let found = tagger.attributions(text, &s, &find_attributions(text, &s));
        assert_eq!(found.len(), 1, "{found:?}");
        let a = &found[0];
        assert_eq!(&text[a.content[0].clone()], "the vote was rigged");
        assert_eq!(a.cue.clone().map(|c| &text[c]), Some("hinted"));
        assert_eq!(a.source.clone().map(|c| &text[c]), Some("Smith"));
        assert_eq!(a.voice, Voice::Reported);
    }

    #[test]
    fn the_file_reads_back_to_the_same_tagger_and_a_wrong_file_is_refused() {
        let tagger = trained();
        assert_eq!(
            Tagger::from_bytes(&tagger.to_bytes()).expect("reads"),
            tagger
        );
        let short = &tagger.to_bytes()[..100];
        assert!(matches!(
            Tagger::from_bytes(short),
            Err(TaggerError::Format { .. })
        ));
        assert!(Tagger::from_bytes(b"not a tagger").is_err());
        let shipped = Tagger::shipped().expect("the shipped tagger loads");
        assert!(shipped.weights.iter().any(|w| *w != 0.0));
    }

    #[test]
    fn runs_under_one_cue_are_one_attribution_with_a_quoted_voice() {
        let text = "“We will win,” Smith said. “They will lose!”";
        let seq = Sequence::new(text, &sentences(text), &[]);
        let tags: Vec<Tag> = seq
            .tokens
            .iter()
            .map(|t| match t.lower.as_str() {
                "smith" => Tag::Source,
                "said" => Tag::Cue,
                "." => Tag::Outside,
                _ => Tag::Content,
            })
            .collect();
        let found = assemble(text, &seq, &tags, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].content.len(), 2);
        assert_eq!(found[0].voice, Voice::Quoted);
        assert_eq!(found[0].source.clone().map(|c| &text[c]), Some("Smith"));
    }

    #[test]
    fn a_cue_without_a_tagged_source_takes_its_clause_subject() {
        let text = "Perry, while still a candidate, attacked Trump. Rain fell.";
        let seq = Sequence::new(text, &sentences(text), &[]);
        let tag_of = |source_tag: Tag| -> Vec<Tag> {
            seq.tokens
                .iter()
                .map(|t| match t.lower.as_str() {
                    "attacked" => Tag::Cue,
                    "trump" => Tag::Content,
                    "perry" => source_tag,
                    _ => Tag::Outside,
                })
                .collect()
        };
        for tags in [tag_of(Tag::Source), tag_of(Tag::Outside)] {
            let found = assemble(text, &seq, &tags, &[]);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].source.clone().map(|c| &text[c]), Some("Perry"));
        }
        // A cue that opens its sentence has no subject before it.
        let text = "Says Trump lost. Rain fell.";
        let seq = Sequence::new(text, &sentences(text), &[]);
        let tags: Vec<Tag> = seq
            .tokens
            .iter()
            .map(|t| match t.lower.as_str() {
                "says" => Tag::Cue,
                "trump" | "lost" => Tag::Content,
                _ => Tag::Outside,
            })
            .collect();
        let found = assemble(text, &seq, &tags, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].source, None);
    }
}
