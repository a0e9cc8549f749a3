//! `run.json`: what a run read, with which model and flags, and what it counted.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Layout, SchemaError};
use crate::aggregate::Axis;
use crate::corpus::{FieldMap, InputSummary};
use crate::util::write_atomic;

pub const FILE: &str = "run.json";

/// The stance model that scored the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub id: String,
    pub path: String,
    pub sha256: String,
    /// Which inference backend and precision scored the mentions.
    pub backend: String,
}

/// An actor registry file and its checksum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryFile {
    pub path: String,
    pub sha256: String,
}

/// The flags that decide the run's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFlags {
    pub axis: Option<Axis>,
    pub fields: FieldMap,
    pub strict: bool,
    pub resamples: usize,
    pub seed: u64,
    pub chunk_size: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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

/// A table as the run wrote it. run.json is written after every table is in place, so a
/// folder whose tables do not match its run.json mixes runs (or was touched by hand).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRecord {
    pub file: String,
    /// Data rows, the header not counted.
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    pub slant_version: String,
    pub model: ModelInfo,
    pub registry: Vec<RegistryFile>,
    pub actors: usize,
    pub camps: Vec<String>,
    pub inputs: Vec<InputSummary>,
    pub flags: RunFlags,
    pub counts: Counts,
    /// The tables of the run, as written.
    #[serde(default)]
    pub tables: Vec<TableRecord>,
    pub seconds: f64,
}

impl RunManifest {
    /// The run-dependent columns of its tables.
    pub fn layout(&self) -> Layout {
        Layout {
            camps: self.camps.clone(),
            keep: self.flags.fields.keep.clone(),
        }
    }

    /// What the run recorded of the table `file`.
    pub fn table(&self, file: &str) -> Option<&TableRecord> {
        self.tables.iter().find(|t| t.file == file)
    }

    pub fn read(dir: &Path) -> Result<Self, SchemaError> {
        let path = dir.join(FILE);
        let bytes = std::fs::read(&path).map_err(|e| SchemaError::Missing {
            path: path.clone(),
            message: e.to_string(),
        })?;
        serde_json::from_slice(&bytes).map_err(|source| SchemaError::Json { path, source })
    }

    pub fn write(&self, dir: &Path) -> Result<(), SchemaError> {
        let path = dir.join(FILE);
        let text = serde_json::to_string_pretty(self).map_err(|source| SchemaError::Json {
            path: path.clone(),
            source,
        })?;
        write_atomic(&path, (text + "\n").as_bytes()).map_err(SchemaError::from)
    }
}
