//! Surviving a crash: what a run has done so far, saved every `CHECKPOINT_EVERY` chunks in
//! `OUT/.partial/checkpoint.json` beside the tables it is appending to, and how an output
//! directory found at start is treated (a fresh start, a resume, or a refusal).
//!
//! A checkpoint holds no aggregate: the outlet accumulators are rebuilt from the tables'
//! prefixes (exactly: the tables hold the scores as aggregated), and the reader re-reads the
//! records already done, so the inputs' checksums and the duplicate-id memory come out as in
//! an uninterrupted run. The records re-read must be those the checkpoint digested.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ScoreError;
use crate::corpus::{Format, Record};
use crate::schema::{manifest, Counts, ModelInfo, RegistryFile, RunFlags, RunManifest};
use crate::schema::{SchemaError, TablePrefix};
use crate::util::{write_atomic, Hasher, IoError};

/// The hidden folder of an unfinished run inside the output directory.
pub const PARTIAL: &str = ".partial";
const FILE: &str = "checkpoint.json";
/// Chunks between checkpoints: with the default 256 articles per chunk, at most 2,048
/// articles (about a minute of work on two cores) are scored again after a crash.
pub const CHECKPOINT_EVERY: u64 = 8;

/// What makes two runs the same run: a resume must match it exactly, and a finished run in
/// the output directory with another identity is not replaced without `--force`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunIdentity {
    pub slant_version: String,
    pub model: ModelInfo,
    pub registry: Vec<RegistryFile>,
    /// Input paths and formats (their contents are checked record by record on resume).
    pub inputs: Vec<(String, Format)>,
    pub flags: RunFlags,
}

impl RunIdentity {
    /// The identity of a finished run, from its run.json.
    pub fn of(run: &RunManifest) -> Self {
        Self {
            slant_version: run.slant_version.clone(),
            model: run.model.clone(),
            registry: run.registry.clone(),
            inputs: run
                .inputs
                .iter()
                .map(|i| (i.path.clone(), i.format))
                .collect(),
            flags: run.flags.clone(),
        }
    }

    /// Each field where `self` (the earlier run) and `now` differ, as `path: before -> now`.
    pub fn differences(&self, now: &RunIdentity) -> Vec<String> {
        differences(self, now)
    }
}

/// Each field where `before` and `now` differ, as `path: before -> now`.
pub(crate) fn differences<T: Serialize>(before: &T, now: &T) -> Vec<String> {
    let json = |value: &T| serde_json::to_value(value).unwrap_or(Value::Null);
    let mut out = Vec::new();
    diff("", &json(before), &json(now), &mut out);
    out
}

fn diff(path: &str, before: &Value, now: &Value, out: &mut Vec<String>) {
    match (before, now) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let null = Value::Null;
                diff(
                    &inner,
                    a.get(key).unwrap_or(&null),
                    b.get(key).unwrap_or(&null),
                    out,
                );
            }
        }
        (a, b) if a != b => out.push(format!("{path}: {a} -> {b}")),
        _ => {}
    }
}

/// A running digest of the records read, in order: what a resume checks it re-reads.
#[derive(Default)]
pub struct RecordLog {
    pub records: u64,
    hasher: Hasher,
}

impl RecordLog {
    pub fn add(&mut self, record: &Record) {
        self.records += 1;
        let bytes = match record {
            Record::Article(a) => serde_json::to_vec(a),
            Record::Reject(r) => serde_json::to_vec(r),
        };
        self.hasher.update(&bytes.unwrap_or_default());
        self.hasher.update(b"\n");
    }

    pub fn hex(&self) -> String {
        self.hasher.clone().hex()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    pub identity: RunIdentity,
    /// Records read (articles and rejects) and the digest of their contents.
    pub records: u64,
    pub records_sha256: String,
    pub counts: Counts,
    /// The tables' prefixes this checkpoint vouches for.
    pub tables: Vec<TablePrefix>,
    /// Seconds of work so far.
    pub seconds: f64,
    /// Set once every table is complete in `.partial`: the run.json to write. A resume then
    /// only moves the tables into place.
    pub finished: Option<RunManifest>,
}

impl Checkpoint {
    pub fn path(out: &Path) -> PathBuf {
        out.join(PARTIAL).join(FILE)
    }

    pub fn write(&self, out: &Path) -> Result<(), SchemaError> {
        let path = Self::path(out);
        let text = serde_json::to_string_pretty(self).map_err(|source| SchemaError::Json {
            path: path.clone(),
            source,
        })?;
        write_atomic(&path, text.as_bytes()).map_err(SchemaError::from)
    }

    fn read(out: &Path) -> Result<Option<Self>, SchemaError> {
        let path = Self::path(out);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|source| SchemaError::Json { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(IoError::at(&path)(e).into()),
        }
    }
}

/// What to do with an output directory that holds a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Start unless it holds an unfinished run, or a finished one with another identity.
    Refuse,
    /// Continue the unfinished run there (it must have the same identity).
    Resume,
    /// Discard what is there and start over.
    Replace,
}

/// How a run begins.
pub enum Start {
    Fresh,
    Resume(Box<Checkpoint>),
    /// `--resume` found the run already finished: nothing to do.
    Finished(Box<RunManifest>),
}

/// Decides how to start in `out`, given what it holds.
pub fn start(out: &Path, identity: &RunIdentity, existing: Existing) -> Result<Start, ScoreError> {
    if out.exists() && !out.is_dir() {
        return Err(ScoreError::OutNotADirectory(out.to_path_buf()));
    }
    let checkpoint = Checkpoint::read(out)?;
    let finished = match std::fs::metadata(out.join(manifest::FILE)) {
        Ok(_) => Some(RunManifest::read(out)?),
        Err(_) => None,
    };
    let changed = |before: &RunIdentity| before.differences(identity).join("; ");
    match (existing, checkpoint) {
        (Existing::Replace, _) => Ok(Start::Fresh),
        (Existing::Resume, Some(checkpoint)) => {
            let differences = changed(&checkpoint.identity);
            if differences.is_empty() {
                Ok(Start::Resume(Box::new(checkpoint)))
            } else {
                Err(ScoreError::ResumeChanged {
                    dir: out.to_path_buf(),
                    differences,
                })
            }
        }
        (Existing::Refuse, Some(checkpoint)) => Err(ScoreError::Unfinished {
            dir: out.to_path_buf(),
            records: checkpoint.records,
        }),
        // Killed before its first checkpoint: nothing is kept, start again.
        (_, None) => match finished {
            Some(run) if changed(&RunIdentity::of(&run)).is_empty() => {
                Ok(if existing == Existing::Resume {
                    Start::Finished(Box::new(run))
                } else {
                    Start::Fresh
                })
            }
            Some(run) => Err(ScoreError::OtherRun {
                dir: out.to_path_buf(),
                differences: changed(&RunIdentity::of(&run)),
            }),
            None => Ok(Start::Fresh),
        },
    }
}
