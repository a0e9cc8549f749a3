//! `slant score`: articles in, framing tables out.
//!
//! Articles are read in chunks in input order. Inside a chunk, segmentation and mention finding
//! run in parallel; the model then scores each distinct (sentence, mentions) pair once —
//! sentences already scored earlier in the corpus (wire copies) and sentences without mentions
//! cost nothing — and rows are written in input order. Nothing depends on thread timing, so
//! the output is byte-identical whatever the thread count.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::actors::{Matcher, Registry};
use crate::aggregate::{
    bootstrap_mean_ci, group_seed, score_article, Axis, MentionScore, OutletTotals,
};
use crate::corpus::{Article, CorpusError, FieldMap, Format, InputSummary, Reader, Record, Reject};
use crate::output::{header_with_camps, num, write_json, AtomicCsv, OutputError};
use crate::stance::{SentenceTargets, Stance, StanceError, StanceModel};
use crate::text::split_sentences;

#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub id: String,
    pub path: String,
    pub sha256: String,
    /// Which inference backend and precision scored the mentions.
    pub backend: String,
}

#[derive(Debug, Clone)]
pub struct ScoreOptions {
    pub inputs: Vec<(PathBuf, Format)>,
    pub fields: FieldMap,
    pub axis: Option<Axis>,
    pub out: PathBuf,
    pub strict: bool,
    pub resamples: usize,
    pub seed: u64,
    pub quiet: bool,
    /// Articles per chunk: the unit of parallel work and of memory.
    pub chunk_size: usize,
    /// Most distinct scored sentences remembered for reuse (bounds memory).
    pub cache_limit: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub records: u64,
    pub articles: u64,
    pub rejected: u64,
    pub articles_framed: u64,
    pub articles_without_mentions: u64,
    pub mentions: u64,
    pub sentences: u64,
    pub sentences_with_mentions: u64,
    pub sentences_scored: u64,
    pub sentences_reused: u64,
    /// Mentions the model was asked to score (those in `sentences_scored`); the rest reused a
    /// repeated sentence's scores.
    pub mentions_scored: u64,
    /// Sentences whose mentions the model could not encode (left out, not scored).
    pub sentences_unscorable: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Stance(#[from] StanceError),
    #[error("{0}")]
    Matcher(#[from] crate::actors::matcher::MatcherError),
    #[error("{file}:{line}: {reason} (stopped by --strict)")]
    Strict {
        file: String,
        line: u64,
        reason: String,
    },
    #[error("--axis camp {0:?} is not a camp of the registry (camps: {1})")]
    UnknownCamp(String, String),
}

pub struct Summary {
    pub counts: Counts,
    pub out: PathBuf,
}

/// One mention ready for scoring: which actor, where in the article, in which sentence.
struct Found {
    actor: usize,
    span: Range<usize>,
    sentence: usize,
}

struct Prepared {
    sentences: Vec<Range<usize>>,
    mentions: Vec<Found>,
}

fn prepare(article: &Article, matcher: &Matcher) -> Prepared {
    let sentences = split_sentences(&article.text);
    let mentions = matcher
        .find(&article.text)
        .into_iter()
        .filter_map(|m| {
            // The sentence holding the mention; one that straddles a boundary is dropped.
            let i = sentences.partition_point(|s| s.end <= m.span.start);
            let s = sentences.get(i)?;
            (s.start <= m.span.start && m.span.end <= s.end).then_some(Found {
                actor: m.actor,
                span: m.span,
                sentence: i,
            })
        })
        .collect();
    Prepared {
        sentences,
        mentions,
    }
}

type Key = [u8; 16];

fn key(sentence: &str, spans: &[Range<usize>]) -> Key {
    let mut h = Sha256::new();
    h.update((sentence.len() as u64).to_le_bytes());
    h.update(sentence.as_bytes());
    for s in spans {
        h.update((s.start as u64).to_le_bytes());
        h.update((s.end as u64).to_le_bytes());
    }
    let digest = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&digest[..16]);
    k
}

/// Mention indices grouped by sentence, in sentence order.
fn sentence_groups(prepared: &Prepared) -> BTreeMap<usize, Vec<usize>> {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, m) in prepared.mentions.iter().enumerate() {
        groups.entry(m.sentence).or_default().push(i);
    }
    groups
}

struct Tables {
    mentions: AtomicCsv,
    actors: AtomicCsv,
    articles: AtomicCsv,
    rejects: AtomicCsv,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub fn score(
    options: &ScoreOptions,
    registry: &Registry,
    model: &dyn StanceModel,
    model_info: &ModelInfo,
) -> Result<Summary, PipelineError> {
    let started = Instant::now();
    let camps = registry.camps();
    if let Some(axis) = &options.axis {
        for camp in axis.camps() {
            if !camps.contains(camp) {
                return Err(PipelineError::UnknownCamp(camp.clone(), camps.join(", ")));
            }
        }
    }
    let matcher = Matcher::new(registry)?;
    std::fs::create_dir_all(&options.out).map_err(|source| OutputError::Io {
        path: options.out.clone(),
        source,
    })?;
    let out = &options.out;

    let mut article_header = header_with_camps(
        &[
            "article_id",
            "outlet",
            "date",
            "title",
            "mentions",
            "actors",
            "framing",
        ],
        &camps,
        &["mentions", "score"],
    );
    article_header.extend(options.fields.keep.iter().cloned());
    let mut tables = Tables {
        mentions: AtomicCsv::create(
            out,
            "mentions.csv",
            &strings(&[
                "article_id",
                "outlet",
                "actor_id",
                "camp",
                "sentence",
                "start",
                "end",
                "mention",
                "p_negative",
                "p_neutral",
                "p_positive",
                "score",
            ]),
        )?,
        actors: AtomicCsv::create(
            out,
            "actors.csv",
            &strings(&[
                "article_id",
                "outlet",
                "actor_id",
                "camp",
                "mentions",
                "score",
            ]),
        )?,
        articles: AtomicCsv::create(out, "articles.csv", &article_header)?,
        rejects: AtomicCsv::create(
            out,
            "rejects.csv",
            &strings(&["file", "line", "id", "reason"]),
        )?,
    };

    let total_bytes: u64 = options
        .inputs
        .iter()
        .filter_map(|(p, _)| input_size(p))
        .sum();
    let mut reader = Reader::new(options.inputs.clone(), options.fields.clone());
    let progress = reader.progress();
    let bar = progress_bar(total_bytes, options.quiet);

    let mut counts = Counts::default();
    let mut outlets: BTreeMap<String, OutletTotals> = BTreeMap::new();
    let mut cache: HashMap<Key, Vec<Stance>> = HashMap::new();
    let mut chunk: Vec<Article> = Vec::with_capacity(options.chunk_size);
    let mut exhausted = false;
    while !exhausted {
        chunk.clear();
        while chunk.len() < options.chunk_size {
            let Some(record) = reader.next() else {
                exhausted = true;
                break;
            };
            counts.records += 1;
            match record? {
                Record::Article(a) => chunk.push(a),
                Record::Reject(r) => {
                    if options.strict {
                        return Err(PipelineError::Strict {
                            file: r.file,
                            line: r.line,
                            reason: r.reason,
                        });
                    }
                    write_reject(&mut tables.rejects, &r)?;
                    counts.rejected += 1;
                }
            }
        }
        let prepared: Vec<Prepared> = chunk.par_iter().map(|a| prepare(a, &matcher)).collect();

        // Distinct sentences with mentions that are not known yet, in input order.
        let mut requests: Vec<(Key, &str, Vec<Range<usize>>)> = Vec::new();
        let mut requested: HashSet<Key> = HashSet::new();
        for (article, p) in chunk.iter().zip(&prepared) {
            counts.sentences += p.sentences.len() as u64;
            for (sentence, members) in sentence_groups(p) {
                counts.sentences_with_mentions += 1;
                let range = p.sentences[sentence].clone();
                let text = &article.text[range.clone()];
                let spans: Vec<Range<usize>> = members
                    .iter()
                    .map(|&i| {
                        p.mentions[i].span.start - range.start..p.mentions[i].span.end - range.start
                    })
                    .collect();
                let k = key(text, &spans);
                if cache.contains_key(&k) || requested.contains(&k) {
                    counts.sentences_reused += 1;
                } else {
                    requested.insert(k);
                    requests.push((k, text, spans));
                }
            }
        }
        counts.sentences_scored += requests.len() as u64;
        counts.mentions_scored += requests.iter().map(|(_, _, s)| s.len() as u64).sum::<u64>();
        if cache.len() + requests.len() > options.cache_limit {
            cache.clear();
        }
        let inputs: Vec<SentenceTargets> = requests
            .iter()
            .map(|(_, text, spans)| SentenceTargets {
                text,
                spans: spans.clone(),
            })
            .collect();
        for ((k, _, _), stances) in requests
            .iter()
            .zip(score_isolating_bad_spans(model, &inputs)?)
        {
            match stances {
                Some(stances) => {
                    cache.insert(*k, stances);
                }
                None => counts.sentences_unscorable += 1,
            }
        }

        for (article, p) in chunk.iter().zip(&prepared) {
            let mut scores: Vec<Option<Stance>> = vec![None; p.mentions.len()];
            for (sentence, members) in sentence_groups(p) {
                let range = p.sentences[sentence].clone();
                let spans: Vec<Range<usize>> = members
                    .iter()
                    .map(|&i| {
                        p.mentions[i].span.start - range.start..p.mentions[i].span.end - range.start
                    })
                    .collect();
                if let Some(stances) = cache.get(&key(&article.text[range], &spans)) {
                    for (&i, s) in members.iter().zip(stances) {
                        scores[i] = Some(*s);
                    }
                }
            }
            write_article(
                &mut tables,
                article,
                p,
                &scores,
                registry,
                options,
                &camps,
                &mut outlets,
                &mut counts,
            )?;
        }
        bar.set_position(progress.load(Ordering::Relaxed));
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!(
            "{} articles, {:.0}/s, {} mentions",
            counts.articles,
            counts.articles as f64 / secs,
            counts.mentions
        ));
    }
    bar.finish_and_clear();
    let inputs = reader.finish();

    let outlet_header = header_with_camps(
        &[
            "outlet",
            "articles",
            "articles_framed",
            "mentions",
            "framing",
            "framing_low",
            "framing_high",
        ],
        &camps,
        &["mentions", "score"],
    );
    let mut outlet_table = AtomicCsv::create(out, "outlets.csv", &outlet_header)?;
    for (name, totals) in &outlets {
        let ci = bootstrap_mean_ci(
            &totals.framings,
            options.resamples,
            0.05,
            group_seed(options.seed, name),
        );
        let mut row = vec![
            name.clone(),
            totals.articles.to_string(),
            totals.framings.len().to_string(),
            totals.mentions.to_string(),
            num(totals.framing()),
            num(ci.map(|c| c.0)),
            num(ci.map(|c| c.1)),
        ];
        for camp in &camps {
            let t = totals.camps.get(camp).copied().unwrap_or_default();
            row.push(t.n.to_string());
            row.push(num(t.mean()));
        }
        outlet_table.row(&row)?;
    }
    for table in [
        tables.mentions,
        tables.actors,
        tables.articles,
        tables.rejects,
        outlet_table,
    ] {
        table.commit()?;
    }
    write_manifest(
        out,
        options,
        registry,
        model_info,
        &inputs,
        &counts,
        started.elapsed().as_secs_f64(),
    )?;
    Ok(Summary {
        counts,
        out: out.clone(),
    })
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

fn input_size(path: &Path) -> Option<u64> {
    if path == Path::new("-") {
        return None;
    }
    if path.is_dir() {
        let mut total = 0;
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).ok()?.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "txt") {
                    total += entry.metadata().map(|m| m.len()).unwrap_or(0);
                }
            }
        }
        return Some(total);
    }
    std::fs::metadata(path).ok().map(|m| m.len())
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total.max(1));
    bar.set_style(
        ProgressStyle::with_template("scoring [{bar:30}] {bytes}/{total_bytes} eta {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn write_reject(table: &mut AtomicCsv, r: &Reject) -> Result<(), OutputError> {
    table.row([r.file.as_str(), &r.line.to_string(), &r.id, &r.reason])
}

#[allow(clippy::too_many_arguments)]
fn write_article(
    tables: &mut Tables,
    article: &Article,
    p: &Prepared,
    scores: &[Option<Stance>],
    registry: &Registry,
    options: &ScoreOptions,
    camps: &[String],
    outlets: &mut BTreeMap<String, OutletTotals>,
    counts: &mut Counts,
) -> Result<(), OutputError> {
    let mut for_aggregate = Vec::with_capacity(p.mentions.len());
    for (m, stance) in p.mentions.iter().zip(scores) {
        let Some(stance) = stance else { continue };
        let actor = &registry.actors[m.actor];
        let sentence = &article.text[p.sentences[m.sentence].clone()];
        let s = stance.score() as f64;
        tables.mentions.row([
            article.id.as_str(),
            &article.outlet,
            &actor.id,
            &actor.camp,
            sentence,
            &m.span.start.to_string(),
            &m.span.end.to_string(),
            &article.text[m.span.clone()],
            &num(Some(stance.negative as f64)),
            &num(Some(stance.neutral as f64)),
            &num(Some(stance.positive as f64)),
            &num(Some(s)),
        ])?;
        for_aggregate.push(MentionScore {
            actor: &actor.id,
            camp: &actor.camp,
            score: s,
        });
    }
    let scores = score_article(&for_aggregate, options.axis.as_ref());
    for (actor_id, (camp, tally)) in &scores.actors {
        tables.actors.row([
            article.id.as_str(),
            &article.outlet,
            actor_id,
            camp,
            &tally.n.to_string(),
            &num(tally.mean()),
        ])?;
    }
    let mut row = vec![
        article.id.clone(),
        article.outlet.clone(),
        article.date.clone(),
        article.title.clone(),
        scores.mentions.to_string(),
        scores.actors.len().to_string(),
        num(scores.framing),
    ];
    for camp in camps {
        let t = scores.camps.get(camp).copied().unwrap_or_default();
        row.push(t.n.to_string());
        row.push(num(t.mean()));
    }
    row.extend(article.kept.iter().cloned());
    tables.articles.row(&row)?;

    counts.articles += 1;
    counts.mentions += scores.mentions;
    if scores.framing.is_some() {
        counts.articles_framed += 1;
    }
    if scores.mentions == 0 {
        counts.articles_without_mentions += 1;
    }
    outlets
        .entry(article.outlet.clone())
        .or_default()
        .add(&scores);
    Ok(())
}

fn write_manifest(
    out: &Path,
    options: &ScoreOptions,
    registry: &Registry,
    model: &ModelInfo,
    inputs: &[InputSummary],
    counts: &Counts,
    seconds: f64,
) -> Result<(), OutputError> {
    let value = serde_json::json!({
        "slant_version": env!("CARGO_PKG_VERSION"),
        "model": model,
        "registry": registry.files.iter().map(|(p, sha)| serde_json::json!({"path": p.display().to_string(), "sha256": sha})).collect::<Vec<_>>(),
        "actors": registry.actors.len(),
        "camps": registry.camps(),
        "inputs": inputs,
        "flags": {
            "axis": options.axis,
            "fields": options.fields,
            "strict": options.strict,
            "resamples": options.resamples,
            "seed": options.seed,
            "chunk_size": options.chunk_size,
        },
        "counts": counts,
        "seconds": (seconds * 1000.0).round() / 1000.0,
    });
    write_json(&out.join("run.json"), &value)
}
