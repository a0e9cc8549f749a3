//! `slant score`, the driver: it only chains the stages.
//!
//! read a chunk of articles (rejects go straight to the sink) -> per article, in parallel:
//! segment, find mentions, annotate (`prepare`) -> score each distinct sentence once
//! (`dedupe`) -> aggregate per article and outlet (`rows`, `aggregate`) -> sink.
//!
//! Chunks are read in input order and rows written in input order; nothing depends on thread
//! timing, so the output is byte-identical whatever the thread count.

mod dedupe;
mod prepare;
mod rows;
mod sink;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::actors::{Matcher, Registry};
use crate::aggregate::{group_seed, Axis, GroupAccumulator};
use crate::annotate::{AnnotatedArticle, Annotator};
use crate::corpus::{Article, CorpusError, FieldMap, Format, InputSummary, Reader, Record};
use crate::schema::{
    Counts, Layout, ModelInfo, OutletRow, RegistryFile, RunFlags, RunManifest, SchemaError,
};
use crate::stance::{StanceError, StanceModel};
use crate::text::{EnglishRules, Segmenter};
use dedupe::SentenceScorer;
use rows::{outlet_row, ScoredArticle};
use sink::Sink;

#[derive(Debug, Clone)]
pub struct ScoreOptions {
    pub inputs: Vec<(PathBuf, Format)>,
    pub fields: FieldMap,
    pub axis: Option<Axis>,
    pub out: PathBuf,
    pub strict: bool,
    pub resamples: usize,
    pub seed: u64,
    /// Articles per chunk: the unit of parallel work and of memory.
    pub chunk_size: usize,
    /// Most distinct scored sentences remembered for reuse (bounds memory).
    pub cache_limit: usize,
}

/// The stages that can be swapped: how text is split, what annotates mentions, what scores
/// them. Reading, finding (the registry) and writing are fixed by the options.
pub struct Stages<'a> {
    pub segmenter: Box<dyn Segmenter>,
    pub annotators: Vec<Box<dyn Annotator>>,
    pub model: &'a dyn StanceModel,
}

impl<'a> Stages<'a> {
    /// English sentence rules, no annotators, and `model`.
    pub fn new(model: &'a dyn StanceModel) -> Self {
        Self {
            segmenter: Box::new(EnglishRules),
            annotators: Vec::new(),
            model,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Output(#[from] SchemaError),
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

/// How far a run is, after each chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub bytes_read: u64,
    /// The inputs' size where known (standard input is not).
    pub bytes_total: u64,
    pub articles: u64,
    pub mentions: u64,
}

pub struct Summary {
    pub counts: Counts,
    pub out: PathBuf,
    /// outlets.csv's rows.
    pub outlets: Vec<OutletRow>,
}

/// Scores the corpus of `options` with `stages`, writing the tables into `options.out`.
pub fn score(
    options: &ScoreOptions,
    registry: &Registry,
    stages: &Stages,
    model: &ModelInfo,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Summary, ScoreError> {
    let started = Instant::now();
    let layout = Layout {
        camps: registry.camps(),
        keep: options.fields.keep.clone(),
    };
    check_axis(options.axis.as_ref(), &layout.camps)?;
    let finder = Matcher::new(registry)?;
    let mut sink = Sink::create(&options.out, &layout)?;
    let mut reader = Reader::new(options.inputs.clone(), options.fields.clone());
    let bytes_read = reader.progress();
    let bytes_total = crate::corpus::total_bytes(&options.inputs);
    let mut scorer = SentenceScorer::new(stages.model, options.cache_limit);
    let mut outlets: BTreeMap<String, GroupAccumulator> = BTreeMap::new();
    let mut counts = Counts::default();
    loop {
        let chunk = read_chunk(&mut reader, options, &mut sink, &mut counts)?;
        if chunk.is_empty() {
            break;
        }
        let annotated: Vec<AnnotatedArticle> = chunk
            .par_iter()
            .map(|a| prepare::prepare(a, stages.segmenter.as_ref(), &finder, &stages.annotators))
            .collect();
        let stances = scorer.score_chunk(&chunk, &annotated, &mut counts)?;
        for ((article, annotated), stances) in chunk.iter().zip(&annotated).zip(&stances) {
            let scored = ScoredArticle::new(
                article,
                annotated,
                stances,
                registry,
                options.axis.as_ref(),
                &layout.camps,
            );
            sink.article(&scored)?;
            count_article(&mut counts, &scored);
            outlets
                .entry(article.outlet.clone())
                .or_default()
                .add(&scored.scores.tally);
        }
        on_progress(&Progress {
            bytes_read: bytes_read.load(std::sync::atomic::Ordering::Relaxed),
            bytes_total,
            articles: counts.articles,
            mentions: counts.mentions,
        });
    }
    let outlet_rows: Vec<OutletRow> = outlets
        .into_iter()
        .map(|(outlet, group)| {
            let seed = group_seed(options.seed, &outlet);
            outlet_row(
                &outlet,
                &group.finish(&layout.camps, options.resamples, seed),
            )
        })
        .collect();
    let mut manifest = manifest(options, registry, model, reader.finish(), &counts);
    manifest.seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    sink.finish(&outlet_rows, manifest, &options.out)?;
    Ok(Summary {
        counts,
        out: options.out.clone(),
        outlets: outlet_rows,
    })
}

/// run.json for the run (its `seconds` still to be set, its tables added by the sink).
fn manifest(
    options: &ScoreOptions,
    registry: &Registry,
    model: &ModelInfo,
    inputs: Vec<InputSummary>,
    counts: &Counts,
) -> RunManifest {
    RunManifest {
        slant_version: env!("CARGO_PKG_VERSION").to_string(),
        model: model.clone(),
        registry: registry
            .files
            .iter()
            .map(|(path, sha256)| RegistryFile {
                path: path.display().to_string(),
                sha256: sha256.clone(),
            })
            .collect(),
        actors: registry.actors.len(),
        camps: registry.camps(),
        inputs,
        flags: RunFlags {
            axis: options.axis.clone(),
            fields: options.fields.clone(),
            strict: options.strict,
            resamples: options.resamples,
            seed: options.seed,
            chunk_size: options.chunk_size,
        },
        counts: counts.clone(),
        tables: Vec::new(),
        seconds: 0.0,
    }
}

fn check_axis(axis: Option<&Axis>, camps: &[String]) -> Result<(), ScoreError> {
    for camp in axis.into_iter().flat_map(Axis::camps) {
        if !camps.contains(camp) {
            return Err(ScoreError::UnknownCamp(camp.clone(), camps.join(", ")));
        }
    }
    Ok(())
}

/// The next `chunk_size` articles in input order; rejected records on the way go to the sink
/// (or stop the run under `--strict`). Empty when the input is exhausted.
fn read_chunk(
    reader: &mut Reader,
    options: &ScoreOptions,
    sink: &mut Sink,
    counts: &mut Counts,
) -> Result<Vec<Article>, ScoreError> {
    let mut chunk = Vec::with_capacity(options.chunk_size);
    while chunk.len() < options.chunk_size {
        let Some(record) = reader.next() else { break };
        counts.records += 1;
        match record? {
            Record::Article(a) => chunk.push(a),
            Record::Reject(r) if options.strict => {
                return Err(ScoreError::Strict {
                    file: r.file,
                    line: r.line,
                    reason: r.reason,
                })
            }
            Record::Reject(r) => {
                sink.reject(&r)?;
                counts.rejected += 1;
            }
        }
    }
    Ok(chunk)
}

fn count_article(counts: &mut Counts, scored: &ScoredArticle) {
    counts.articles += 1;
    counts.mentions += scored.scores.mentions;
    if scored.article.framing.is_some() {
        counts.articles_framed += 1;
    }
    if scored.scores.mentions == 0 {
        counts.articles_without_mentions += 1;
    }
}
