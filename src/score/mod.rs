//! `slant score`, the driver: it only chains the stages.
//!
//! read a chunk of articles (rejects go straight to the sink) -> per article, in parallel:
//! segment, find mentions, annotate (`prepare`) -> score each distinct sentence once
//! (`dedupe`) -> aggregate per article and outlet (`rows`, `aggregate`) -> sink.
//!
//! Chunks are read in input order and rows written in input order; nothing depends on thread
//! timing, so the output is byte-identical whatever the thread count.

pub mod checkpoint;
mod dedupe;
pub mod merge;
pub mod prepare;
mod resume;
mod rows;
mod sink;

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::actors::Registry;
use crate::aggregate::{Axis, ToneVoices};
use crate::annotate::{AnnotatedArticle, Annotator, References, VoiceAnnotator, VoiceChoice};
use crate::corpus::{Article, CorpusError, FieldMap, Format, InputSummary, Reader, Record, Shard};
use crate::schema::{
    ArticleRow, Counts, Layout, ModelInfo, OutletRow, RegistryFile, Row, RunFlags, RunManifest,
    SchemaError, TableReader,
};
use crate::stance::{StanceError, StanceModel};
use crate::stories::{StoryMap, StoryRecord, StorySource};
use crate::text::{EnglishRules, Segmenter};
use crate::util::failpoint::kill_point;
use checkpoint::{Checkpoint, Existing, RecordLog, RunIdentity, Start};
use dedupe::SentenceScorer;
use rows::{RunTotals, ScoredArticle};
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
    /// Chunks between checkpoints (`checkpoint::CHECKPOINT_EVERY` by default).
    pub checkpoint_every: u64,
    /// What to do when `out` already holds a run.
    pub existing: Existing,
    /// Score only this shard's articles, as a part for `slant merge`.
    pub shard: Option<Shard>,
    /// How the voice stage decides whose words each mention is in.
    pub voice: VoiceChoice,
    /// Where articles' stories come from.
    pub stories: StorySource,
    /// Which mentions tone is estimated from.
    pub tone_voices: ToneVoices,
    /// Which references are scored: all, or names only.
    pub references: References,
}

/// The stages that can be swapped: how text is split, what else annotates mentions (after
/// the voice stage, which the options choose), what scores them. Reading, finding (the
/// registry) and writing are fixed by the options.
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
    #[error(transparent)]
    Stories(#[from] crate::stories::StoryError),
    #[error("{0} does not load: the binary is damaged, rebuild it")]
    VoiceModel(crate::annotate::voice::VoiceModelError),
    #[error("{file}:{line}: {reason} (stopped by --strict)")]
    Strict {
        file: String,
        line: u64,
        reason: String,
    },
    #[error(
        "--keep-fields {0:?}: articles.csv already has a column of that name (keep another \
         field, or rename it in the input)"
    )]
    KeptFieldCollides(String),
    #[error("--axis camp {0:?} is not a camp of the registry (camps: {1})")]
    UnknownCamp(String, String),
    #[error("--out {0}: exists and is not a directory")]
    OutNotADirectory(PathBuf),
    #[error(
        "{dir} holds an unfinished run ({records} records done at its last checkpoint): add \
         --resume to continue it, or --force to discard it and start over"
    )]
    Unfinished { dir: PathBuf, records: u64 },
    #[error(
        "{dir} holds a run with other settings ({differences}): choose another --out, or \
         pass --force to replace it"
    )]
    OtherRun { dir: PathBuf, differences: String },
    #[error(
        "cannot resume the run in {dir}: {differences}. Resume with the same model, \
         registries, inputs and flags, or pass --force to start over"
    )]
    ResumeChanged { dir: PathBuf, differences: String },
    #[error(
        "cannot resume the run in {dir}: the first {records} records of the inputs are not \
         those it read (an input file changed); pass --force to start over"
    )]
    InputChanged { dir: PathBuf, records: u64 },
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
/// With `Existing::Resume` it continues the unfinished run there from its last checkpoint;
/// the tables come out byte-identical to an uninterrupted run's.
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
    check_kept(&layout)?;
    let finder = prepare::Finder::new(registry, options.references)?;
    let voice = VoiceAnnotator::new(
        registry.actors.iter().map(|a| a.kind).collect(),
        options.voice.method().map_err(ScoreError::VoiceModel)?,
    );
    let annotators: Vec<&dyn Annotator> = std::iter::once(&voice as &dyn Annotator)
        .chain(stages.annotators.iter().map(|a| a.as_ref()))
        .collect();
    crate::corpus::preflight(&options.inputs)?;
    // Stories first: grouping needs every article's title and lead before any is written.
    let (stories, story_record) =
        StoryMap::build(&options.stories, &options.inputs, &options.fields)?;
    let blank = manifest(
        options,
        registry,
        model,
        &story_record,
        Vec::new(),
        &Counts::default(),
    );
    let identity = RunIdentity {
        slant_version: blank.slant_version.clone(),
        model: blank.model.clone(),
        registry: blank.registry.clone(),
        inputs: options
            .inputs
            .iter()
            .map(|(path, format)| (path.display().to_string(), *format))
            .collect(),
        flags: blank.flags.clone(),
    };
    let mut reader = Reader::new(options.inputs.clone(), options.fields.clone());
    let mut log = RecordLog::default();
    let mut counts = Counts::default();
    let mut totals = RunTotals::new(options.tone_voices);
    let mut seconds_before = 0.0;
    let mut sink = match checkpoint::start(&options.out, &identity, options.existing)? {
        Start::Finished(run) => return finished_summary(&options.out, *run),
        Start::Resume(checkpoint) => {
            if let Some(run) = checkpoint.finished.clone() {
                sink::put_in_place(&options.out, &run)?;
                return finished_summary(&options.out, run);
            }
            let sink = Sink::resume(&options.out, &checkpoint)?;
            replay(&mut reader, &mut log, &checkpoint, &options.out)?;
            totals = resume::totals(&options.out, &layout, &checkpoint, options)?;
            counts = checkpoint.counts;
            seconds_before = checkpoint.seconds;
            sink
        }
        Start::Fresh => Sink::create(&options.out, &layout, options.shard.is_some())?,
    };
    let bytes_read = reader.progress();
    let bytes_total = crate::corpus::total_bytes(&options.inputs);
    let mut scorer = SentenceScorer::new(stages.model, options.cache_limit);
    let seconds = |started: &Instant| seconds_before + started.elapsed().as_secs_f64();
    let mut chunks = 0u64;
    loop {
        let Chunk {
            articles: mut chunk,
            records,
            exhausted,
        } = read_chunk(&mut reader, options, &mut sink, &mut counts, &mut log)?;
        for article in &mut chunk {
            stories.apply(article);
        }
        if chunk.is_empty() && exhausted {
            break;
        }
        let annotated: Vec<AnnotatedArticle> = chunk
            .par_iter()
            .map(|a| prepare::prepare(a, stages.segmenter.as_ref(), &finder, &annotators))
            .collect();
        let stances = scorer.score_chunk(&chunk, &annotated, &mut counts)?;
        let scored = chunk.iter().zip(&annotated).zip(&stances).zip(records);
        for (((article, annotated), stances), record) in scored {
            let scored = ScoredArticle::new(
                article,
                annotated,
                stances,
                registry,
                options.axis.as_ref(),
                &layout.camps,
            );
            sink.article(&scored.rows, record)?;
            count_article(&mut counts, &scored);
            totals.add(
                &scored.rows.article,
                &scored.scores.tally,
                &scored.rows.mentions,
            );
        }
        kill_point("chunk");
        chunks += 1;
        if chunks.is_multiple_of(options.checkpoint_every) {
            sink.checkpoint(
                Checkpoint {
                    identity: identity.clone(),
                    records: log.records,
                    records_sha256: log.hex(),
                    counts: counts.clone(),
                    tables: Vec::new(),
                    seconds: seconds(&started),
                    finished: None,
                },
                &options.out,
            )?;
        }
        on_progress(&Progress {
            bytes_read: bytes_read.load(std::sync::atomic::Ordering::Relaxed),
            bytes_total,
            articles: counts.articles,
            mentions: counts.mentions,
        });
    }
    let totals = totals.finish(&layout.camps, options.resamples, options.seed);
    let mut manifest = manifest(
        options,
        registry,
        model,
        &story_record,
        reader.finish(),
        &counts,
    );
    manifest.seconds = (seconds(&started) * 1000.0).round() / 1000.0;
    let last = Checkpoint {
        identity,
        records: log.records,
        records_sha256: log.hex(),
        counts: counts.clone(),
        tables: Vec::new(),
        seconds: manifest.seconds,
        finished: None,
    };
    sink.finish(&totals, manifest, last, &options.out)?;
    Ok(Summary {
        counts,
        out: options.out.clone(),
        outlets: totals.outlets,
    })
}

/// Re-reads the records an interrupted run had done; they must be the same ones.
fn replay(
    reader: &mut Reader,
    log: &mut RecordLog,
    checkpoint: &Checkpoint,
    out: &Path,
) -> Result<(), ScoreError> {
    while log.records < checkpoint.records {
        match reader.next() {
            Some(record) => log.add(&record?),
            None => break,
        }
    }
    if log.records != checkpoint.records || log.hex() != checkpoint.records_sha256 {
        return Err(ScoreError::InputChanged {
            dir: out.to_path_buf(),
            records: checkpoint.records,
        });
    }
    Ok(())
}

/// The summary of a run already finished in `out`.
fn finished_summary(out: &Path, run: RunManifest) -> Result<Summary, ScoreError> {
    let outlets = TableReader::<OutletRow>::open(out, &run)?.read_all()?;
    Ok(Summary {
        counts: run.counts,
        out: out.to_path_buf(),
        outlets,
    })
}

/// run.json for the run (its `seconds` still to be set, its tables added by the sink).
fn manifest(
    options: &ScoreOptions,
    registry: &Registry,
    model: &ModelInfo,
    stories: &StoryRecord,
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
        names: registry
            .actors
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
        inputs,
        flags: RunFlags {
            axis: options.axis.clone(),
            fields: options.fields.clone(),
            strict: options.strict,
            resamples: options.resamples,
            seed: options.seed,
            chunk_size: options.chunk_size,
            voice: options.voice,
            stories: stories.clone(),
            tone_voices: options.tone_voices,
            references: options.references,
            shard: options.shard,
        },
        counts: counts.clone(),
        columns: crate::schema::score_columns(&Layout {
            camps: registry.camps(),
            keep: options.fields.keep.clone(),
        }),
        tables: Vec::new(),
        seconds: 0.0,
        parts: Vec::new(),
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

/// A kept input field must not name a column articles.csv already has (with its camp columns),
/// nor be kept twice: a table with two columns of one name cannot be read back.
fn check_kept(layout: &Layout) -> Result<(), ScoreError> {
    let own = ArticleRow::header(&Layout {
        keep: Vec::new(),
        ..layout.clone()
    });
    for (i, field) in layout.keep.iter().enumerate() {
        if own.contains(field) || layout.keep[..i].contains(field) {
            return Err(ScoreError::KeptFieldCollides(field.clone()));
        }
    }
    Ok(())
}

/// A chunk of articles, with the input record number each was.
struct Chunk {
    articles: Vec<Article>,
    records: Vec<u64>,
    /// The inputs are read to the end.
    exhausted: bool,
}

/// The next `chunk_size` articles (of this shard) in input order; rejected records on the way
/// go to the sink (or stop the run under `--strict`, whichever shard would list them).
fn read_chunk(
    reader: &mut Reader,
    options: &ScoreOptions,
    sink: &mut Sink,
    counts: &mut Counts,
    log: &mut RecordLog,
) -> Result<Chunk, ScoreError> {
    let mut chunk = Chunk {
        articles: Vec::with_capacity(options.chunk_size),
        records: Vec::with_capacity(options.chunk_size),
        exhausted: false,
    };
    // Records of other shards are read too (they number the records and fill the
    // duplicate-id memory), but only up to a few chunks' worth per call, so progress and
    // checkpoints keep coming on a shard that owns few of them.
    let mut budget = options.chunk_size.saturating_mul(SKIPPED_PER_CHUNK);
    while chunk.articles.len() < options.chunk_size && budget > 0 {
        let Some(record) = reader.next() else {
            chunk.exhausted = true;
            break;
        };
        let record = record?;
        kill_point("record");
        let number = log.records;
        log.add(&record);
        match record {
            Record::Reject(r) if options.strict => {
                return Err(ScoreError::Strict {
                    file: r.file,
                    line: r.line,
                    reason: r.reason,
                })
            }
            Record::Article(a) if options.shard.is_none_or(|s| s.owns(&a.id)) => {
                counts.records += 1;
                chunk.articles.push(a);
                chunk.records.push(number);
            }
            Record::Reject(r) if options.shard.is_none_or(|s| s.lists_reject(&r.id)) => {
                counts.records += 1;
                sink.reject(&r, number)?;
                counts.rejected += 1;
            }
            _ => budget -= 1,
        }
    }
    Ok(chunk)
}

/// How many chunks' worth of other shards' records one chunk may skip over.
const SKIPPED_PER_CHUNK: usize = 4;

fn count_article(counts: &mut Counts, scored: &ScoredArticle) {
    counts.articles += 1;
    counts.mentions += scored.scores.mentions;
    if scored.rows.article.framing.is_some() {
        counts.articles_framed += 1;
    }
    if scored.scores.mentions == 0 {
        counts.articles_without_mentions += 1;
    }
}
