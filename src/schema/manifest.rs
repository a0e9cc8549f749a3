//! `run.json`: what a run read, with which model and flags, and what it counted.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Layout, SchemaError};
use crate::aggregate::Axis;
use crate::corpus::{FieldMap, InputSummary, Shard};
use crate::util::write_atomic;

pub const FILE: &str = "run.json";

/// The stance model that scored the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub id: String,
    pub path: String,
    pub sha256: String,
    /// For weights stored over a base encoder (`over_base`): the base's weights' sha256,
    /// which the scores depend on as much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_sha256: Option<String>,
    /// Which inference backend and precision scored the mentions.
    pub backend: String,
    /// The calibration temperature the probabilities were scaled by (slant.json's), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// The models whose probabilities were averaged with this one's (an ensemble), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<ModelInfo>,
    /// The ensemble's own temperature, by which the averaged probabilities were scaled (an
    /// ensemble calibrated with `slant calibrate`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble_temperature: Option<f64>,
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
    /// How voices were decided.
    #[serde(default)]
    pub voice: crate::annotate::VoiceChoice,
    /// Where the stories came from.
    #[serde(default)]
    pub stories: crate::stories::StoryRecord,
    /// Which mentions tone is estimated from.
    #[serde(default)]
    pub tone_voices: crate::aggregate::ToneVoices,
    /// Which references were scored (runs from before pronouns were resolved: names).
    #[serde(default = "crate::annotate::References::names")]
    pub references: crate::annotate::References,
    /// The shard a part of a sharded run scored (absent in a whole run, a merged one too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
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

impl Counts {
    /// Adds the counts of another part of the corpus.
    pub fn add(&mut self, other: &Counts) {
        self.records += other.records;
        self.articles += other.articles;
        self.rejected += other.rejected;
        self.articles_framed += other.articles_framed;
        self.articles_without_mentions += other.articles_without_mentions;
        self.mentions += other.mentions;
        self.sentences += other.sentences;
        self.sentences_with_mentions += other.sentences_with_mentions;
        self.sentences_scored += other.sentences_scored;
        self.sentences_reused += other.sentences_reused;
        self.mentions_scored += other.mentions_scored;
        self.sentences_unscorable += other.sentences_unscorable;
    }
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
    /// Each actor's name by id, as the registry writes it: what the report shows people (the
    /// tables keep ids). Absent in runs from before it was recorded (the report shows ids).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
    pub inputs: Vec<InputSummary>,
    pub flags: RunFlags,
    pub counts: Counts,
    /// The tables of the run, as written.
    #[serde(default)]
    pub tables: Vec<TableRecord>,
    /// Each table's columns (name and kind) by file name: how a reader types the CSV.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, Vec<super::Column>>,
    pub seconds: f64,
    /// The parts a merged run was made of (absent in a run scored whole).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartRecord>,
}

/// One part of a merged run, as `slant merge` found it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartRecord {
    pub dir: String,
    pub shard: Shard,
    /// SHA-256 of the part's run.json, which lists the checksum of each of its tables.
    pub run_sha256: String,
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
