//! How well the voice stage finds attributions, measured against PolNeAR (Newell, Margolin &
//! Ruths, LREC 2018): 840 political news articles with every attribution annotated as brat
//! standoff (`T` lines: `Tn<TAB>Type START END[;START END]<TAB>text`, Type Source, Cue,
//! Content or Attribution; `E` lines link them). Offsets there count code points; they are
//! turned into byte offsets here.
//!
//! Figures (each article scored with the first annotator's file, in file-name order):
//! - content tokens: a white-space token is content when it overlaps a Content span;
//!   precision, recall and F1 over all tokens;
//! - content spans: a found attribution matches an annotated one when their content tokens
//!   overlap by at least half of the longer of the two (one-to-one, in text order);
//! - voice: for every registry mention, attributed (inside any Content span) or not; accuracy,
//!   and the share of mentions in the outlet's voice (what answering "own" always scores);
//! - speaker: for mentions inside an annotated Content span, the found speaker is right when
//!   its source overlaps the annotated Source, or both resolve to the same registry actor.
//!
//! Articles go to 5 folds by the first byte of SHA-256 of their file name; the rules were
//! tuned looking at folds 0-3 only.

use std::collections::BTreeMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::quotes::{find_attributions, Attribution};
use super::tagger::{Sequence, Tag};
use super::{AnnotatedArticle, Annotator, LocatedMention, Voice, VoiceAnnotator, VoiceMethod};
use crate::actors::Registry;
use crate::annotate::References;
use crate::corpus::Article;
use crate::score::prepare::prepare;
use crate::score::prepare::Finder;
use crate::text::EnglishRules;
use crate::util::sha256_hex;

pub const FOLDS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {problem}")]
    Format {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("{0}: no articles with annotations (expected text/NAME.txt and attributions/NAME_ANNOTATOR.ann)")]
    Empty(PathBuf),
    #[error("{0}")]
    Matcher(#[from] crate::actors::matcher::MatcherError),
}

/// One annotated attribution, byte offsets.
#[derive(Debug, Clone, Default)]
struct Gold {
    content: Vec<Range<usize>>,
    source: Vec<Range<usize>>,
    cue: Vec<Range<usize>>,
}

/// Counts that add up over articles.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub articles: u64,
    pub tokens_true_positive: u64,
    pub tokens_false_positive: u64,
    pub tokens_false_negative: u64,
    pub spans_found: u64,
    pub spans_annotated: u64,
    pub spans_matched: u64,
    pub mentions: u64,
    pub mentions_attributed: u64,
    pub voice_correct: u64,
    pub speaker_mentions: u64,
    pub speaker_correct: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.articles += o.articles;
        self.tokens_true_positive += o.tokens_true_positive;
        self.tokens_false_positive += o.tokens_false_positive;
        self.tokens_false_negative += o.tokens_false_negative;
        self.spans_found += o.spans_found;
        self.spans_annotated += o.spans_annotated;
        self.spans_matched += o.spans_matched;
        self.mentions += o.mentions;
        self.mentions_attributed += o.mentions_attributed;
        self.voice_correct += o.voice_correct;
        self.speaker_mentions += o.speaker_mentions;
        self.speaker_correct += o.speaker_correct;
    }

    pub fn figures(&self) -> Figures {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let f1 = |p: f64, r: f64| {
            if p + r == 0.0 {
                0.0
            } else {
                2.0 * p * r / (p + r)
            }
        };
        let tp = self.tokens_true_positive;
        let token_precision = ratio(tp, tp + self.tokens_false_positive);
        let token_recall = ratio(tp, tp + self.tokens_false_negative);
        let span_precision = ratio(self.spans_matched, self.spans_found);
        let span_recall = ratio(self.spans_matched, self.spans_annotated);
        Figures {
            articles: self.articles,
            token_precision,
            token_recall,
            token_f1: f1(token_precision, token_recall),
            span_precision,
            span_recall,
            span_f1: f1(span_precision, span_recall),
            mentions: self.mentions,
            voice_accuracy: ratio(self.voice_correct, self.mentions),
            own_share: 1.0 - ratio(self.mentions_attributed, self.mentions),
            speaker_mentions: self.speaker_mentions,
            speaker_accuracy: ratio(self.speaker_correct, self.speaker_mentions),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Figures {
    pub articles: u64,
    pub token_precision: f64,
    pub token_recall: f64,
    pub token_f1: f64,
    pub span_precision: f64,
    pub span_recall: f64,
    pub span_f1: f64,
    pub mentions: u64,
    pub voice_accuracy: f64,
    pub own_share: f64,
    pub speaker_mentions: u64,
    pub speaker_accuracy: f64,
}

/// The counts of each fold.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evaluation {
    pub folds: BTreeMap<usize, Counts>,
}

impl Evaluation {
    /// The folds' counts added up.
    pub fn total(&self, folds: impl Fn(usize) -> bool) -> Counts {
        let mut total = Counts::default();
        for (_, c) in self.folds.iter().filter(|(f, _)| folds(**f)) {
            total.add(c);
        }
        total
    }
}

/// The fold of an article, by its file name.
pub fn fold_of(name: &str) -> usize {
    usize::from_str_radix(&sha256_hex(name.as_bytes())[..2], 16).unwrap_or(0) % FOLDS
}

/// An annotated PolNeAR article.
#[derive(Clone)]
pub struct Annotated {
    pub name: String,
    pub fold: usize,
    article: Article,
    /// The first annotator's attributions: the gold standard.
    gold: Vec<Gold>,
    /// Other annotators' attributions, where the article has them.
    others: Vec<Vec<Gold>>,
}

impl Annotated {
    /// Whether a second annotator read the article too.
    pub fn has_second_annotator(&self) -> bool {
        !self.others.is_empty()
    }
}

/// The articles of the PolNeAR directory `dir` (`text/`, `attributions/`), in name order.
pub fn load(dir: &Path) -> Result<Vec<Annotated>, EvalError> {
    let annotations = annotation_files(&dir.join("attributions"))?;
    let mut articles = Vec::with_capacity(annotations.len());
    for (name, files) in annotations {
        let text_path = dir.join("text").join(format!("{name}.txt"));
        let text = read(&text_path)?;
        let mut annotators = Vec::with_capacity(files.len());
        for file in &files {
            annotators.push(read_gold(file, &read(file)?, &text)?);
        }
        let mut annotators = annotators.into_iter();
        articles.push(Annotated {
            fold: fold_of(&name),
            article: Article::of_text(name.clone(), text, text_path.display().to_string()),
            name,
            gold: annotators.next().unwrap_or_default(),
            others: annotators.collect(),
        });
    }
    if articles.is_empty() {
        return Err(EvalError::Empty(dir.to_path_buf()));
    }
    Ok(articles)
}

fn annotator(registry: &Registry, method: VoiceMethod) -> VoiceAnnotator {
    VoiceAnnotator::new(registry.actors.iter().map(|a| a.kind).collect(), method)
}

/// Training examples for the voice model from the `articles` of the folds `folds` accepts:
/// each registry mention's features, and whether it is inside an annotated Content span.
pub fn training_examples(
    articles: &[Annotated],
    registry: &Registry,
    folds: impl Fn(usize) -> bool,
) -> Result<Vec<(Vec<u32>, bool)>, EvalError> {
    let finder = Finder::new(registry, References::Names)?;
    let annotator = annotator(registry, VoiceMethod::Rules);
    let mut examples = Vec::new();
    for a in articles.iter().filter(|a| folds(a.fold)) {
        let annotated = prepare(&a.article, &EnglishRules, &finder, &[]);
        let found = annotator.attributions(&a.article, &annotated);
        let readings = annotator.readings(&a.article.text, &annotated, &found);
        for (m, reading) in annotated.mentions.iter().zip(readings) {
            let attributed = a.gold.iter().any(|g| inside(&m.span, &g.content));
            examples.push((reading.features, attributed));
        }
    }
    Ok(examples)
}

/// Training examples for the attribution tagger from the `articles` of the folds `folds`
/// accepts: each article's token sequence and the tags its annotations give.
pub fn tagger_examples(
    articles: &[Annotated],
    registry: &Registry,
    folds: impl Fn(usize) -> bool,
) -> Result<Vec<(Sequence, Vec<Tag>)>, EvalError> {
    let finder = Finder::new(registry, References::Names)?;
    let mut examples = Vec::new();
    for a in articles.iter().filter(|a| folds(a.fold)) {
        let annotated = prepare(&a.article, &EnglishRules, &finder, &[]);
        let rules = find_attributions(&a.article.text, &annotated.sentences);
        let sequence = Sequence::new(&a.article.text, &annotated.sentences, &rules);
        let all = |part: fn(&Gold) -> &Vec<Range<usize>>| -> Vec<Range<usize>> {
            a.gold
                .iter()
                .flat_map(|g| part(g).iter().cloned())
                .collect()
        };
        let tags = sequence.gold_tags(&all(|g| &g.content), &all(|g| &g.source), &all(|g| &g.cue));
        examples.push((sequence, tags));
    }
    Ok(examples)
}

/// How far a second annotator agrees with the first, on the articles of the folds `folds`
/// accepts that have one: the second annotator's attributions read as if slant had found them,
/// scored by the same figures (a ceiling for them: annotators disagree too).
pub fn agreement(
    articles: &[Annotated],
    registry: &Registry,
    folds: impl Fn(usize) -> bool,
) -> Result<Counts, EvalError> {
    let finder = Finder::new(registry, References::Names)?;
    let mut total = Counts::default();
    for a in articles.iter().filter(|a| folds(a.fold)) {
        let Some(second) = a.others.first() else {
            continue;
        };
        let found: Vec<(Attribution, super::Speaker)> = second
            .iter()
            .map(|g| {
                let source = g.source.first().cloned();
                let speaker = super::Speaker {
                    actor: None,
                    text: source
                        .clone()
                        .map_or_else(String::new, |s| a.article.text[s].to_string()),
                };
                let attribution = Attribution {
                    voice: Voice::Reported,
                    content: g.content.clone(),
                    cue: g.cue.first().cloned(),
                    source,
                };
                (attribution, speaker)
            })
            .collect();
        let mut annotated = prepare(&a.article, &EnglishRules, &finder, &[]);
        for m in &mut annotated.mentions {
            if let Some((attribution, speaker)) = found
                .iter()
                .filter(|(f, _)| f.contains(&m.span))
                .min_by_key(|(f, _)| f.len())
            {
                m.voice = attribution.voice;
                m.speaker = Some(speaker.clone());
            }
        }
        total.add(&compare(&a.article.text, &a.gold, &found, &annotated));
    }
    Ok(total)
}

/// Evaluates the voice stage deciding by `method` on the `articles` of the folds `folds`
/// accepts, with `registry` for the mention-level figures. `errors` receives a line per
/// misread mention of those articles (for whoever tunes the rules: only ever tuning folds).
pub fn evaluate(
    articles: &[Annotated],
    registry: &Registry,
    method: VoiceMethod,
    folds: impl Fn(usize) -> bool,
    mut errors: Option<&mut dyn std::io::Write>,
) -> Result<Evaluation, EvalError> {
    let finder = Finder::new(registry, References::Names)?;
    let annotator = annotator(registry, method);
    let mut evaluation = Evaluation::default();
    for a in articles.iter().filter(|a| folds(a.fold)) {
        let mut annotated = prepare(&a.article, &EnglishRules, &finder, &[]);
        let found = annotator.attributions(&a.article, &annotated);
        annotator.annotate(&a.article, &mut annotated);
        let counts = compare(&a.article.text, &a.gold, &found, &annotated);
        if let Some(out) = errors.as_mut() {
            explain(
                &a.name,
                &a.article.text,
                &a.gold,
                &found,
                &annotated,
                registry,
                &mut **out,
            );
        }
        evaluation.folds.entry(a.fold).or_default().add(&counts);
    }
    Ok(evaluation)
}

fn read(path: &Path) -> Result<String, EvalError> {
    fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Article name -> its annotators' files, in name order.
fn annotation_files(dir: &Path) -> Result<BTreeMap<String, Vec<PathBuf>>, EvalError> {
    let entries = fs::read_dir(dir).map_err(|source| EvalError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ann"))
        .collect();
    files.sort();
    let mut first: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for file in files {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some((name, _annotator)) = stem.rsplit_once('_') {
            first.entry(name.to_string()).or_default().push(file);
        }
    }
    Ok(first)
}

/// The annotated attributions of one file, in byte offsets of `text`.
fn read_gold(path: &Path, ann: &str, text: &str) -> Result<Vec<Gold>, EvalError> {
    // Byte offset of each code point offset.
    let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    bytes.push(text.len());
    let problem = |line: usize, problem: String| EvalError::Format {
        path: path.to_path_buf(),
        line: line + 1,
        problem,
    };
    let mut spans: BTreeMap<&str, (&str, Vec<Range<usize>>)> = BTreeMap::new();
    let mut links: Vec<Vec<(&str, &str)>> = Vec::new();
    for (i, line) in ann.lines().enumerate() {
        let mut fields = line.split('\t');
        let (Some(id), Some(body)) = (fields.next(), fields.next()) else {
            continue;
        };
        if id.starts_with('T') {
            let (kind, offsets) = body
                .split_once(' ')
                .ok_or_else(|| problem(i, format!("no offsets in {body:?}")))?;
            let mut ranges = Vec::new();
            for piece in offsets.split(';') {
                let (a, b) = piece
                    .split_once(' ')
                    .ok_or_else(|| problem(i, format!("bad offsets {piece:?}")))?;
                let index = |s: &str| -> Result<usize, EvalError> {
                    let n: usize = s
                        .parse()
                        .map_err(|_| problem(i, format!("bad offset {s:?}")))?;
                    bytes
                        .get(n)
                        .copied()
                        .ok_or_else(|| problem(i, format!("offset {n} is past the text")))
                };
                ranges.push(index(a)?..index(b)?);
            }
            spans.insert(id, (kind, ranges));
        } else if id.starts_with('E') {
            links.push(
                body.split_whitespace()
                    .filter_map(|role| role.split_once(':'))
                    .collect(),
            );
        }
    }
    let mut gold = Vec::new();
    for link in links {
        let mut g = Gold::default();
        for (role, id) in link {
            let Some((_, ranges)) = spans.get(id) else {
                continue;
            };
            if role.starts_with("Content") {
                g.content.extend(ranges.iter().cloned());
            } else if role.starts_with("Source") {
                g.source.extend(ranges.iter().cloned());
            } else if role.starts_with("Cue") {
                g.cue.extend(ranges.iter().cloned());
            }
        }
        if !g.content.is_empty() {
            gold.push(g);
        }
    }
    Ok(gold)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn inside(span: &Range<usize>, ranges: &[Range<usize>]) -> bool {
    ranges
        .iter()
        .any(|r| r.start <= span.start && span.end <= r.end)
}

/// White-space tokens of `text`.
fn tokens(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

fn compare(
    text: &str,
    gold: &[Gold],
    found: &[(Attribution, super::Speaker)],
    annotated: &AnnotatedArticle,
) -> Counts {
    let mut c = Counts {
        articles: 1,
        ..Counts::default()
    };
    let words = tokens(text);
    let gold_content: Vec<Range<usize>> = gold.iter().flat_map(|g| g.content.clone()).collect();
    let found_content: Vec<Range<usize>> =
        found.iter().flat_map(|(a, _)| a.content.clone()).collect();
    for w in &words {
        let g = gold_content.iter().any(|r| overlaps(w, r));
        let f = found_content.iter().any(|r| overlaps(w, r));
        match (g, f) {
            (true, true) => c.tokens_true_positive += 1,
            (false, true) => c.tokens_false_positive += 1,
            (true, false) => c.tokens_false_negative += 1,
            (false, false) => {}
        }
    }
    let token_set = |ranges: &[Range<usize>]| -> Vec<usize> {
        (0..words.len())
            .filter(|&i| ranges.iter().any(|r| overlaps(&words[i], r)))
            .collect()
    };
    let gold_sets: Vec<Vec<usize>> = gold.iter().map(|g| token_set(&g.content)).collect();
    // A quotation inside reported speech by the same source is part of that attribution, not
    // an attribution of its own ("he said she was “impressed”").
    let outermost = found.iter().filter(|(a, _)| {
        !found.iter().any(|(b, _)| {
            !std::ptr::eq(a, b)
                && b.source == a.source
                && a.content.iter().all(|r| b.contains(r))
                && b.len() > a.len()
        })
    });
    let found_sets: Vec<Vec<usize>> = outermost.map(|(a, _)| token_set(&a.content)).collect();
    c.spans_annotated = gold_sets.len() as u64;
    c.spans_found = found_sets.len() as u64;
    let mut used = vec![false; gold_sets.len()];
    for f in &found_sets {
        let hit = gold_sets.iter().enumerate().position(|(i, g)| {
            let shared = f.iter().filter(|t| g.binary_search(t).is_ok()).count();
            !used[i] && !g.is_empty() && 2 * shared >= f.len().max(g.len())
        });
        if let Some(i) = hit {
            used[i] = true;
            c.spans_matched += 1;
        }
    }
    for m in &annotated.mentions {
        let v = verdict(m, gold, found, annotated);
        c.mentions += 1;
        c.mentions_attributed += u64::from(v.holding.is_some());
        c.voice_correct += u64::from(v.voice_correct);
        if let Some(correct) = v.speaker_correct {
            c.speaker_mentions += 1;
            c.speaker_correct += u64::from(correct);
        }
    }
    c
}

/// How one mention was read.
struct Verdict<'a> {
    /// The innermost annotated attribution holding the mention.
    holding: Option<&'a Gold>,
    voice_correct: bool,
    /// For a mention inside an annotated attribution: whether its speaker was found.
    speaker_correct: Option<bool>,
}

fn verdict<'a>(
    m: &LocatedMention,
    gold: &'a [Gold],
    found: &[(Attribution, super::Speaker)],
    annotated: &AnnotatedArticle,
) -> Verdict<'a> {
    let holding = gold
        .iter()
        .filter(|g| inside(&m.span, &g.content))
        .min_by_key(|g| g.content.iter().map(|r| r.len()).sum::<usize>());
    let voice_correct = holding.is_some() == (m.voice != Voice::Own);
    let speaker_correct = holding.map(|g| {
        let Some(speaker) = m.speaker.as_ref() else {
            return false;
        };
        // The found attribution the mention was given (the innermost holding it).
        let given = found
            .iter()
            .filter(|(a, _)| a.contains(&m.span))
            .min_by_key(|(a, _)| a.content.iter().map(|r| r.len()).sum::<usize>());
        let given_source = given.and_then(|(a, _)| a.source.as_ref());
        let source_overlaps = given_source.is_some_and(|s| g.source.iter().any(|r| overlaps(r, s)));
        let same_actor = speaker.actor.is_some_and(|actor| {
            annotated
                .mentions
                .iter()
                .any(|o| o.actor == actor && inside(&o.span, &g.source))
        });
        let both_unknown = g.source.is_empty() && given.is_some() && given_source.is_none();
        source_overlaps || same_actor || both_unknown
    });
    Verdict {
        holding,
        voice_correct,
        speaker_correct,
    }
}

/// One line per misread mention: what was annotated, what was found.
fn explain(
    name: &str,
    text: &str,
    gold: &[Gold],
    found: &[(Attribution, super::Speaker)],
    annotated: &AnnotatedArticle,
    registry: &Registry,
    out: &mut dyn std::io::Write,
) {
    for m in &annotated.mentions {
        let v = verdict(m, gold, found, annotated);
        let what = match (v.voice_correct, v.speaker_correct) {
            (false, _) => "VOICE",
            (true, Some(false)) => "SPEAKER",
            _ => continue,
        };
        let sentence = &text[annotated.sentences[m.sentence].clone()];
        let spans = |ranges: &[Range<usize>]| {
            ranges
                .iter()
                .map(|r| &text[r.clone()])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let gold_source = v
            .holding
            .map(|g| format!("{} / {}", spans(&g.source), spans(&g.cue)));
        let speaker = m.speaker.as_ref().map(|s| {
            (
                s.text.clone(),
                s.actor.map(|a| registry.actors[a].id.clone()),
            )
        });
        let _ = writeln!(
            out,
            "{what}\t{name}\t{}\tgold={:?}\tfound={}:{:?}\t{}",
            &text[m.span.clone()],
            gold_source,
            m.voice.as_str(),
            speaker,
            sentence.replace('\n', " ")
        );
    }
}
