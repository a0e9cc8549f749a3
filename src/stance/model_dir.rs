//! A model is a directory: `config.json`, `tokenizer.json`, `model.safetensors` and, for a
//! trained stance model, `slant.json` (labels, target marking, provenance) and `MODEL.md`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokenizers::Tokenizer;

use super::bert::BertConfig;
use super::encoding::TargetMarking;
use super::int8_check::Int8Check;
use super::{Label, StanceError};

pub const WEIGHTS: &str = "model.safetensors";
pub const CONFIG: &str = "config.json";
pub const TOKENIZER: &str = "tokenizer.json";
pub const STANCE_CONFIG: &str = "slant.json";

/// What `slant.json` records about a trained stance model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StanceConfig {
    /// A name for this model version, e.g. `minilm-stance-v1`.
    pub model_id: String,
    pub architecture: String,
    pub labels: Vec<String>,
    pub marking: TargetMarking,
    /// The encoder this was fine-tuned from, and its weights' sha256.
    pub base_model: String,
    pub base_sha256: String,
    /// What int8 costs these weights (`slant check-int8`); `auto` runs int8 only when it passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub int8_check: Option<Int8Check>,
}

/// A model directory whose files have been found and read.
pub struct ModelDir {
    pub path: PathBuf,
    pub bert: BertConfig,
    pub tokenizer: Tokenizer,
    /// Present for trained stance models, absent for a bare encoder.
    pub stance: Option<StanceConfig>,
    /// All weights, upcast to f32.
    pub tensors: HashMap<String, Tensor>,
    pub weights_sha256: String,
}

fn require(dir: &Path, name: &str, needs: &'static str) -> Result<PathBuf, StanceError> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(StanceError::MissingFile { path, needs })
    }
}

fn read(path: &Path) -> Result<Vec<u8>, StanceError> {
    fs::read(path).map_err(|source| StanceError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, StanceError> {
    serde_json::from_slice(&read(path)?).map_err(|e| StanceError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

const NEEDS: &str = "config.json, tokenizer.json and model.safetensors";

impl ModelDir {
    /// Reads a model directory. `expected_sha256`, when given, must match the weights file.
    pub fn open(dir: &Path, expected_sha256: Option<&str>) -> Result<Self, StanceError> {
        if !dir.is_dir() {
            return Err(StanceError::MissingFile {
                path: dir.to_path_buf(),
                needs: NEEDS,
            });
        }
        let bert: BertConfig = parse_json(&require(dir, CONFIG, NEEDS)?)?;
        let tokenizer_path = require(dir, TOKENIZER, NEEDS)?;
        let tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| StanceError::Invalid {
                path: tokenizer_path.clone(),
                message: e.to_string(),
            })?;
        let stance_path = dir.join(STANCE_CONFIG);
        let stance = if stance_path.is_file() {
            Some(parse_json::<StanceConfig>(&stance_path)?)
        } else {
            None
        };
        let weights_path = require(dir, WEIGHTS, NEEDS)?;
        let bytes = read(&weights_path)?;
        let weights_sha256 = sha256_hex(&bytes);
        if let Some(expected) = expected_sha256 {
            if expected != weights_sha256 {
                return Err(StanceError::Checksum {
                    path: weights_path,
                    expected: expected.to_string(),
                    actual: weights_sha256,
                });
            }
        }
        let invalid = |message: String| StanceError::Invalid {
            path: weights_path.clone(),
            message,
        };
        let tensors = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
            .map_err(|e| invalid(format!("not a safetensors file: {e}")))?
            .into_iter()
            .filter(|(_, t)| t.dtype().is_float())
            .map(|(name, t)| Ok((name, t.to_dtype(DType::F32)?)))
            .collect::<candle_core::Result<HashMap<_, _>>>()?;
        Ok(Self {
            path: dir.to_path_buf(),
            bert,
            tokenizer,
            stance,
            tensors,
            weights_sha256,
        })
    }

    pub fn weights_path(&self) -> PathBuf {
        self.path.join(WEIGHTS)
    }

    /// The stance configuration of a trained model; an error for a bare encoder or for labels
    /// other than slant's.
    pub fn stance_config(&self) -> Result<StanceConfig, StanceError> {
        let stance = self.stance.clone().ok_or_else(|| StanceError::MissingFile {
            path: self.path.join(STANCE_CONFIG),
            needs: "slant.json for a trained stance model (a bare encoder cannot score stance; train one with `slant train`)",
        })?;
        let expected: Vec<String> = Label::ALL.iter().map(|l| l.name().to_string()).collect();
        if stance.labels != expected {
            return Err(StanceError::Config(format!(
                "labels {:?} in {}: slant expects {:?}",
                stance.labels,
                self.path.display(),
                expected
            )));
        }
        Ok(stance)
    }
}

/// Writes a model directory: weights stored as f16 (halving the repository cost; they are
/// upcast at load), the encoder config and tokenizer copied from `source`, and `slant.json`.
/// Files are written to temporaries and renamed, so a crash leaves no half-written model.
pub fn save(
    dir: &Path,
    source: &Path,
    tensors: &HashMap<String, Tensor>,
    stance: &StanceConfig,
) -> Result<String, StanceError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StanceError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let half = tensors
        .iter()
        .map(|(k, t)| Ok((k.clone(), t.to_dtype(DType::F16)?)))
        .collect::<candle_core::Result<HashMap<_, _>>>()?;
    let tmp = dir.join(format!("{WEIGHTS}.tmp"));
    candle_core::safetensors::save(&half, &tmp)?;
    let weights = dir.join(WEIGHTS);
    fs::rename(&tmp, &weights).map_err(io(&weights))?;
    for name in [CONFIG, TOKENIZER] {
        let from = source.join(name);
        if from != dir.join(name) {
            fs::copy(&from, dir.join(name)).map_err(io(&from))?;
        }
    }
    write_stance_config(dir, stance)?;
    Ok(sha256_hex(&read(&weights)?))
}

/// Writes `slant.json` (through a temporary, like the weights).
pub fn write_stance_config(dir: &Path, stance: &StanceConfig) -> Result<(), StanceError> {
    let json =
        serde_json::to_string_pretty(stance).map_err(|e| StanceError::Config(e.to_string()))?;
    let path = dir.join(STANCE_CONFIG);
    let tmp = dir.join(format!("{STANCE_CONFIG}.tmp"));
    let io = |source| StanceError::Io {
        path: path.clone(),
        source,
    };
    fs::write(&tmp, json + "\n").map_err(io)?;
    fs::rename(&tmp, &path).map_err(io)
}
