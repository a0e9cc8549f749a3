//! `slant merge`: the parts of a sharded run back into the tables one run would have written.
//!
//! Each part lists, in positions.csv, the input record each of its rows came from. The merge
//! takes the parts' rows in step, always from the part holding the lowest record next, so
//! every table comes out in input order; the outlets and voices are aggregated from the merged
//! rows by the function `slant score` uses (in input order, the bootstrap seeded as there), so outlets.csv
//! is the same bytes too. Nothing but the part list and the timings tells a merged run.json
//! from a whole run's.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::checkpoint::{differences, Checkpoint, RecordLog, RunIdentity, PARTIAL};
use super::rows::{ArticleRows, RunTotals};
use super::sink::Sink;
use super::Summary;
use crate::corpus::{Format, Shard};
use crate::schema::{
    manifest, ActorRow, ArticleRow, Counts, MentionRow, PartRecord, PositionRow, RejectRow,
    RunManifest, SchemaError, TableReader,
};
use crate::util::{sha256_hex, IoError};

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Output(#[from] SchemaError),
    #[error("no parts to merge")]
    NoParts,
    #[error(
        "{0}: not a part of a sharded run (its run.json names no shard); score it with --shard K/N"
    )]
    NotAPart(PathBuf),
    #[error("{part}: shard {shard}, but {first} is shard {first_shard}: the parts of one run split it the same way")]
    OtherSplit {
        part: PathBuf,
        shard: Shard,
        first: PathBuf,
        first_shard: Shard,
    },
    #[error("{part} and {other} are both shard {shard}")]
    DuplicateShard {
        part: PathBuf,
        other: PathBuf,
        shard: Shard,
    },
    #[error("shard{plural} {missing} of {count} missing: every shard's part is needed", plural = if missing.contains(',') { "s" } else { "" })]
    MissingShards { missing: String, count: u32 },
    #[error("{part} is not a part of the same run as {first} ({differences}): merge parts scored with the same model, registries, inputs and flags")]
    OtherRun {
        part: PathBuf,
        first: PathBuf,
        differences: String,
    },
    #[error("{part}: {message}")]
    Inconsistent { part: PathBuf, message: String },
    #[error("--out {0} holds a run: choose another folder, or pass --force to replace it")]
    OutExists(PathBuf),
    #[error("--out {0} is one of the parts")]
    OutIsAPart(PathBuf),
}

/// What must be the same in every part: all of the run's identity but the shard and where
/// files were (machines of one cluster may mount the inputs and the model at other paths).
#[derive(Serialize)]
struct PartIdentity<'a> {
    slant_version: &'a str,
    model: (&'a str, &'a str, &'a str),
    registry: Vec<&'a str>,
    camps: &'a [String],
    inputs: Vec<(Format, &'a str, u64, u64, u64)>,
    flags: crate::schema::RunFlags,
}

impl<'a> PartIdentity<'a> {
    fn of(run: &'a RunManifest) -> Self {
        Self {
            slant_version: &run.slant_version,
            model: (&run.model.id, &run.model.sha256, &run.model.backend),
            registry: run.registry.iter().map(|r| r.sha256.as_str()).collect(),
            camps: &run.camps,
            inputs: run
                .inputs
                .iter()
                .map(|i| (i.format, i.sha256.as_str(), i.bytes, i.records, i.articles))
                .collect(),
            flags: crate::schema::RunFlags {
                shard: None,
                ..run.flags.clone()
            },
        }
    }
}

struct Part {
    dir: PathBuf,
    run: RunManifest,
    shard: Shard,
}

/// A part's tables, read in step.
struct PartTables {
    positions: TableReader<PositionRow>,
    articles: TableReader<ArticleRow>,
    mentions: TableReader<MentionRow>,
    actors: TableReader<ActorRow>,
    rejects: TableReader<RejectRow>,
}

impl PartTables {
    fn open(part: &Part) -> Result<Self, SchemaError> {
        Ok(Self {
            positions: TableReader::open(&part.dir, &part.run)?,
            articles: TableReader::open(&part.dir, &part.run)?,
            mentions: TableReader::open(&part.dir, &part.run)?,
            actors: TableReader::open(&part.dir, &part.run)?,
            rejects: TableReader::open(&part.dir, &part.run)?,
        })
    }

    fn finish(self) -> Result<(), SchemaError> {
        self.positions.finish()?;
        self.articles.finish()?;
        self.mentions.finish()?;
        self.actors.finish()?;
        self.rejects.finish()
    }
}

/// Takes the next row from `table`; running out is an inconsistency of the part.
fn take<R: crate::schema::ReadRow>(
    table: &mut TableReader<R>,
    part: &Path,
    what: &str,
) -> Result<R, MergeError> {
    match table.next() {
        Some(row) => Ok(row?),
        None => Err(MergeError::Inconsistent {
            part: part.to_path_buf(),
            message: format!("positions.csv lists more {what} than its table holds"),
        }),
    }
}

/// How far a merge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeProgress {
    pub records: u64,
    pub records_total: u64,
}

/// Merges the parts in `parts` into `out` (replacing a run there only with `force`). A
/// merge that fails leaves `out` as it was (a folder it made is removed).
pub fn merge(
    parts: &[PathBuf],
    out: &Path,
    force: bool,
    on_progress: impl FnMut(&MergeProgress),
) -> Result<Summary, MergeError> {
    let started = Instant::now();
    let parts = read_parts(parts)?;
    check_out(out, &parts, force)?;
    let made = !out.exists();
    let merged = merge_into(&parts, out, started, on_progress);
    if merged.is_err() {
        // Best effort: the error being reported matters more than one about cleaning up.
        let _ = std::fs::remove_dir_all(out.join(PARTIAL));
        if made {
            let _ = std::fs::remove_dir(out);
        }
    }
    merged
}

fn merge_into(
    parts: &[Part],
    out: &Path,
    started: Instant,
    mut on_progress: impl FnMut(&MergeProgress),
) -> Result<Summary, MergeError> {
    let first = &parts[0].run;
    let layout = first.layout();
    let axis = first.flags.axis.as_ref();
    let mut counts = Counts::default();
    for part in parts {
        counts.add(&part.run.counts);
    }
    std::fs::create_dir_all(out).map_err(|e| SchemaError::from(IoError::at(out)(e)))?;
    let mut sink = Sink::create(out, &layout, false)?;
    let mut tables = parts
        .iter()
        .map(PartTables::open)
        .collect::<Result<Vec<_>, _>>()?;
    // The next position of each part, lowest record first.
    let mut next: BinaryHeap<Reverse<(u64, usize)>> = BinaryHeap::new();
    let mut pending: Vec<Option<PositionRow>> = Vec::with_capacity(parts.len());
    for (i, t) in tables.iter_mut().enumerate() {
        let row = t.positions.next().transpose()?;
        if let Some(p) = &row {
            next.push(Reverse((p.record, i)));
        }
        pending.push(row);
    }
    let mut totals = RunTotals::new(first.flags.tone_voices);
    let mut expected = 0u64;
    while let Some(Reverse((record, i))) = next.pop() {
        let dir = &parts[i].dir;
        let inconsistent = |message: String| MergeError::Inconsistent {
            part: dir.clone(),
            message,
        };
        if record != expected {
            return Err(inconsistent(if record < expected {
                format!("record {record} is listed by another part too, or twice")
            } else {
                format!("records {expected} to {} are in no part", record - 1)
            }));
        }
        expected += 1;
        let position = pending[i]
            .take()
            .ok_or_else(|| inconsistent("lost its place".into()))?;
        let t = &mut tables[i];
        if position.rejected {
            let reject = take(&mut t.rejects, dir, "rejects")?;
            sink.reject(&reject, record)?;
        } else {
            let article = take(&mut t.articles, dir, "articles")?;
            if article.article_id != position.article_id {
                return Err(inconsistent(format!(
                    "positions.csv has article {:?} at record {record}, articles.csv {:?}",
                    position.article_id, article.article_id
                )));
            }
            let mentions = (0..position.mentions)
                .map(|_| take(&mut t.mentions, dir, "mentions"))
                .collect::<Result<Vec<_>, _>>()?;
            let actors = (0..position.actors)
                .map(|_| take(&mut t.actors, dir, "actors"))
                .collect::<Result<Vec<_>, _>>()?;
            let rows = ArticleRows {
                mentions,
                actors,
                article,
            };
            totals.add(&rows.article, &rows.tally(axis), &rows.mentions);
            sink.article(&rows, record)?;
        }
        let row = t.positions.next().transpose()?;
        if let Some(p) = &row {
            if p.record <= record {
                return Err(inconsistent(format!(
                    "positions.csv goes back from record {record} to {}",
                    p.record
                )));
            }
            next.push(Reverse((p.record, i)));
        }
        pending[i] = row;
        if expected.is_multiple_of(PROGRESS_EVERY) {
            on_progress(&MergeProgress {
                records: expected,
                records_total: counts.records,
            });
        }
    }
    if expected != counts.records {
        return Err(MergeError::Inconsistent {
            part: parts[0].dir.clone(),
            message: format!(
                "the parts' run.json count {} records, their positions.csv {expected}",
                counts.records
            ),
        });
    }
    for t in tables {
        t.finish()?;
    }
    let totals = totals.finish(&layout.camps, first.flags.resamples, first.flags.seed);
    let mut run = first.clone();
    run.flags.shard = None;
    run.counts = counts.clone();
    run.tables = Vec::new();
    run.parts = parts
        .iter()
        .map(|p| {
            Ok(PartRecord {
                dir: p.dir.display().to_string(),
                shard: p.shard,
                run_sha256: sha256_hex(
                    &std::fs::read(p.dir.join(manifest::FILE))
                        .map_err(|e| SchemaError::from(IoError::at(&p.dir)(e)))?,
                ),
                seconds: p.run.seconds,
            })
        })
        .collect::<Result<_, MergeError>>()?;
    run.seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    let checkpoint = Checkpoint {
        identity: RunIdentity::of(&run),
        records: counts.records,
        records_sha256: RecordLog::default().hex(),
        counts: counts.clone(),
        tables: Vec::new(),
        seconds: run.seconds,
        finished: None,
    };
    sink.finish(&totals, run, checkpoint, out)?;
    on_progress(&MergeProgress {
        records: expected,
        records_total: counts.records,
    });
    Ok(Summary {
        counts,
        out: out.to_path_buf(),
        outlets: totals.outlets,
    })
}

/// Records between progress reports.
const PROGRESS_EVERY: u64 = 4096;

/// Reads every part's run.json and checks they are the shards of one run, each once, none
/// missing, ordered by shard.
fn read_parts(dirs: &[PathBuf]) -> Result<Vec<Part>, MergeError> {
    let mut parts = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let run = RunManifest::read(dir)?;
        let shard = run
            .flags
            .shard
            .ok_or_else(|| MergeError::NotAPart(dir.clone()))?;
        parts.push(Part {
            dir: dir.clone(),
            run,
            shard,
        });
    }
    let Some(first) = parts.first() else {
        return Err(MergeError::NoParts);
    };
    let expected = PartIdentity::of(&first.run);
    for part in &parts[1..] {
        if part.shard.count != first.shard.count {
            return Err(MergeError::OtherSplit {
                part: part.dir.clone(),
                shard: part.shard,
                first: first.dir.clone(),
                first_shard: first.shard,
            });
        }
        let found = differences(&expected, &PartIdentity::of(&part.run));
        if !found.is_empty() {
            return Err(MergeError::OtherRun {
                part: part.dir.clone(),
                first: first.dir.clone(),
                differences: found.join("; "),
            });
        }
    }
    parts.sort_by_key(|p| p.shard.index);
    for pair in parts.windows(2) {
        if pair[0].shard == pair[1].shard {
            return Err(MergeError::DuplicateShard {
                part: pair[1].dir.clone(),
                other: pair[0].dir.clone(),
                shard: pair[1].shard,
            });
        }
    }
    let count = parts[0].shard.count;
    if parts.len() != count as usize {
        let present: Vec<u32> = parts.iter().map(|p| p.shard.index).collect();
        let missing: Vec<String> = (0..count)
            .filter(|k| !present.contains(k))
            .map(|k| format!("{k}/{count}"))
            .collect();
        return Err(MergeError::MissingShards {
            missing: missing.join(", "),
            count,
        });
    }
    Ok(parts)
}

/// The output folder may not be a part, and holds no run unless `force`.
fn check_out(out: &Path, parts: &[Part], force: bool) -> Result<(), MergeError> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if parts.iter().any(|p| same(&p.dir, out)) {
        return Err(MergeError::OutIsAPart(out.to_path_buf()));
    }
    let holds_run = out.join(manifest::FILE).exists() || out.join(PARTIAL).exists();
    if holds_run && !force {
        return Err(MergeError::OutExists(out.to_path_buf()));
    }
    Ok(())
}
