//! The model card: a model is a directory of `config.json`, `tokenizer.json`,
//! `model.safetensors` and, for a trained stance model, `slant.json` (architecture, labels,
//! target marking, provenance, int8 check) and `MODEL.md`. This file reads and writes them; it
//! knows nothing of backends.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

use super::arch::{Architecture, EncoderConfig, SpecialTokens};
use super::calibrate::Calibration;
use super::encoding::{TargetEncoder, TargetMarking};
use super::ensemble::EnsembleCalibration;
use super::model::HEAD;
use super::{Label, StanceError};
use crate::fetch::{base_with_sha256, cache_dir, WheelPackage};
use crate::util::{sha256_hex, write_atomic, write_atomic_with, IoError};

pub const WEIGHTS: &str = "model.safetensors";
pub const CONFIG: &str = "config.json";
pub const TOKENIZER: &str = "tokenizer.json";
pub const STANCE_CONFIG: &str = "slant.json";

/// What `slant.json` records about a trained stance model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StanceConfig {
    /// A name for this model version, e.g. `minilm-stance-v1`.
    pub model_id: String,
    /// What `arch` dispatches on.
    pub architecture: Architecture,
    pub labels: Vec<String>,
    pub marking: TargetMarking,
    /// The encoder this was fine-tuned from, and its weights' sha256.
    pub base_model: String,
    pub base_sha256: String,
    /// `model.safetensors` holds only the tensors training changed; the rest are the base
    /// encoder's, read from slant's fetch cache (`slant fetch --base NAME`) and checked
    /// against `base_sha256`. A model fine-tuned above frozen layers ships at a fraction of
    /// its size this way (MPNet with 8 of 12 layers frozen: about a quarter).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub over_base: bool,
    /// What int8 costs these weights (`slant check-int8`); `auto` runs int8 only when it passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub int8_check: Option<Int8Check>,
    /// The temperature its probabilities are scaled by (`slant calibrate`); applied to the
    /// head when the model is opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
    /// The temperatures of ensembles this model is the first member of (`slant calibrate
    /// --model accurate`, or `--with`), each for its exact members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ensembles: Vec<EnsembleCalibration>,
}

/// The most macro-F1 int8 may cost, on every checked file, for `auto` to choose it.
pub const INT8_BUDGET: f64 = 0.005;

/// One measurement of int8 against f32 (both on ONNX Runtime) for one set of weights.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Int8Check {
    /// The weights measured: a check does not carry over to retrained weights.
    pub weights_sha256: String,
    pub budget: f64,
    pub files: Vec<FileCheck>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileCheck {
    /// The labelled file as it was named, and its sha256 so the figures can be reproduced.
    pub file: String,
    pub sha256: String,
    pub targets: u64,
    pub f32_macro_f1: f64,
    pub int8_macro_f1: f64,
}

impl FileCheck {
    pub fn cost(&self) -> f64 {
        self.f32_macro_f1 - self.int8_macro_f1
    }
}

impl Int8Check {
    /// The file where int8 costs most.
    pub fn worst(&self) -> Option<&FileCheck> {
        self.files
            .iter()
            .max_by(|a, b| a.cost().total_cmp(&b.cost()))
    }

    pub fn passed(&self) -> bool {
        self.worst()
            .is_some_and(|worst| worst.cost() <= self.budget)
    }
}

/// The shipped stance models, by the name `--model` takes: the default first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShippedModel {
    /// MiniLM-L6: the default.
    Fast,
    /// MPNet-base: more accurate, several times slower.
    Accurate,
}

impl ShippedModel {
    pub const ALL: [ShippedModel; 2] = [ShippedModel::Fast, ShippedModel::Accurate];

    /// What `--model` calls it.
    pub fn name(self) -> &'static str {
        match self {
            ShippedModel::Fast => "fast",
            ShippedModel::Accurate => "accurate",
        }
    }

    /// Its folder under `models/`.
    pub fn folder(self) -> &'static str {
        match self {
            ShippedModel::Fast => "minilm-stance",
            ShippedModel::Accurate => "mpnet-stance",
        }
    }

    /// The shipped models whose probabilities this one's are averaged with: `accurate` is
    /// MPNet and MiniLM together (the ensemble beat MPNet alone on both dev splits; it costs
    /// MiniLM's time on top of MPNet's).
    pub fn averaged_with(self) -> &'static [ShippedModel] {
        match self {
            ShippedModel::Fast => &[],
            ShippedModel::Accurate => &[ShippedModel::Fast],
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Where it is looked for, in order: a `models` folder next to the executable (an
    /// installed copy), `../share/slant/models` from it (where the Python wheel installs the
    /// models beside its `bin/slant`, as Unix packages lay out data), the user data folder
    /// (`slant fetch`'s cache), and the source tree the binary was built from.
    pub fn places(self) -> Vec<PathBuf> {
        let mut roots = Vec::new();
        if let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf))
        {
            roots.push(dir.join("models"));
            roots.push(dir.join("../share/slant/models"));
        }
        roots.push(cache_dir().join("models"));
        roots.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("models"));
        roots.into_iter().map(|r| r.join(self.folder())).collect()
    }

    /// The first of `places` that holds a trained model.
    pub fn find(self) -> Result<PathBuf, StanceError> {
        let places = self.places();
        places
            .iter()
            .find(|dir| dir.join(STANCE_CONFIG).is_file())
            .cloned()
            .ok_or_else(|| StanceError::NoShippedModel {
                name: self.name(),
                looked: places
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// A model directory whose files have been found and read.
pub struct ModelDir {
    pub path: PathBuf,
    /// The encoder's architecture and configuration (`config.json`).
    pub encoder: EncoderConfig,
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
    Ok(fs::read(path).map_err(IoError::at(path))?)
}

fn parse_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, StanceError> {
    serde_json::from_slice(&read(path)?).map_err(|e| StanceError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
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
        let config_path = require(dir, CONFIG, NEEDS)?;
        let config: serde_json::Value = parse_json(&config_path)?;
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
        let architecture = Architecture::detect(stance.as_ref().map(|s| s.architecture), &config)?;
        let encoder = architecture
            .config(config)
            .map_err(|e| StanceError::Invalid {
                path: config_path,
                message: e.to_string(),
            })?;
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
        let mut tensors = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
            .map_err(|e| invalid(format!("not a safetensors file: {e}")))?
            .into_iter()
            .filter(|(_, t)| t.dtype().is_float())
            .map(|(name, t)| Ok((name, t.to_dtype(DType::F32)?)))
            .collect::<candle_core::Result<HashMap<_, _>>>()?;
        if let Some(stance) = stance.as_ref().filter(|s| s.over_base) {
            let mut all =
                ModelDir::open(&base_dir(dir, stance)?, Some(&stance.base_sha256))?.tensors;
            all.extend(tensors);
            tensors = all;
        }
        if let Some(calibration) = stance.as_ref().and_then(|s| s.calibration.as_ref()) {
            if calibration.weights_sha256 != weights_sha256 {
                return Err(StanceError::Invalid {
                    path: stance_path,
                    message: format!(
                        "its calibration was fitted to weights {}, not these ({weights_sha256}); \
                         run `slant calibrate --model {}` with the dev files again",
                        calibration.weights_sha256,
                        dir.display()
                    ),
                });
            }
            // softmax(z / t): the head's weight and bias divided by t.
            for part in ["weight", "bias"] {
                let name = format!("{HEAD}.{part}");
                if let Some(t) = tensors.get(&name) {
                    let scaled = (t / calibration.temperature)?;
                    tensors.insert(name, scaled);
                }
            }
        }
        Ok(Self {
            path: dir.to_path_buf(),
            encoder,
            tokenizer,
            stance,
            tensors,
            weights_sha256,
        })
    }

    /// The architecture of the model in `dir`, from its slant.json or config.json alone
    /// (without loading the weights).
    pub fn architecture_of(dir: &Path) -> Result<Architecture, StanceError> {
        let recorded = Self::stance_of(dir)?.map(|s| s.architecture);
        let config: serde_json::Value = parse_json(&require(dir, CONFIG, NEEDS)?)?;
        Architecture::detect(recorded, &config)
    }

    /// The `slant.json` of the model in `dir` alone (None for a bare encoder).
    pub fn stance_of(dir: &Path) -> Result<Option<StanceConfig>, StanceError> {
        let stance_path = dir.join(STANCE_CONFIG);
        stance_path
            .is_file()
            .then(|| parse_json(&stance_path))
            .transpose()
    }

    /// The input encoder for this model's tokenizer and architecture.
    pub fn target_encoder(&self, marking: TargetMarking) -> Result<TargetEncoder, StanceError> {
        let special = SpecialTokens::read(
            &self.tokenizer,
            self.encoder.architecture().default_special_tokens(),
        );
        TargetEncoder::new(self.tokenizer.clone(), special, marking)
    }

    /// The temperature the head was scaled by on opening (1 when uncalibrated).
    pub fn temperature(&self) -> f64 {
        self.stance
            .as_ref()
            .and_then(|s| s.calibration.as_ref())
            .map_or(1.0, |c| c.temperature)
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

/// The fetchable base encoder whose weights `stance.base_sha256` names, with its
/// `slant fetch --base` name; None when the model holds all its weights.
pub fn stored_over(
    stance: &StanceConfig,
) -> Result<Option<(&'static str, &'static WheelPackage)>, StanceError> {
    if !stance.over_base {
        return Ok(None);
    }
    base_with_sha256(&stance.base_sha256)
        .map(Some)
        .ok_or_else(|| {
            StanceError::Config(format!(
                "weights stored over base {}, which is no base slant can fetch",
                stance.base_sha256
            ))
        })
}

/// Where the base encoder of the model in `model` (stored over it) is, once fetched.
fn base_dir(model: &Path, stance: &StanceConfig) -> Result<PathBuf, StanceError> {
    let (fetch_name, package) = stored_over(stance)?
        .ok_or_else(|| StanceError::Config("the model holds all its weights".into()))?;
    let dir = package.dir(&cache_dir());
    if dir.join(WEIGHTS).is_file() {
        Ok(dir)
    } else {
        Err(StanceError::MissingBase {
            model: model.to_path_buf(),
            base: package.description(),
            fetch_name,
        })
    }
}

/// Writes a model directory: weights stored as f16 (halving the repository cost; they are
/// upcast at load), the encoder config and tokenizer copied from `source`, and `slant.json`.
/// With `base` (the base encoder's weights, fetchable by `stance.base_sha256`), only the
/// tensors that differ from it in f16 are written and the model is marked `over_base`.
/// Each file is written atomically, so a crash leaves no half-written model.
pub fn save(
    dir: &Path,
    source: &Path,
    tensors: &HashMap<String, Tensor>,
    stance: &StanceConfig,
    base: Option<&HashMap<String, Tensor>>,
) -> Result<String, StanceError> {
    fs::create_dir_all(dir).map_err(IoError::at(dir))?;
    let mut half = HashMap::new();
    for (name, tensor) in tensors {
        let tensor = tensor.to_dtype(DType::F16)?;
        let unchanged = match base.and_then(|b| b.get(name)) {
            Some(original) if original.shape() == tensor.shape() => {
                let original = original.to_dtype(DType::F16)?;
                tensor
                    .eq(&original)?
                    .flatten_all()?
                    .min(0)?
                    .to_scalar::<u8>()?
                    == 1
            }
            _ => false,
        };
        if !unchanged {
            half.insert(name.clone(), tensor);
        }
    }
    let stance = &StanceConfig {
        over_base: base.is_some(),
        ..stance.clone()
    };
    let weights = dir.join(WEIGHTS);
    write_atomic_with(&weights, |tmp| {
        candle_core::safetensors::save(&half, tmp).map_err(StanceError::from)
    })?;
    for name in [CONFIG, TOKENIZER] {
        let from = source.join(name);
        if from != dir.join(name) {
            fs::copy(&from, dir.join(name)).map_err(IoError::at(&from))?;
        }
    }
    write_stance_config(dir, stance)?;
    Ok(sha256_hex(&read(&weights)?))
}

/// Writes `slant.json` atomically.
pub fn write_stance_config(dir: &Path, stance: &StanceConfig) -> Result<(), StanceError> {
    let json =
        serde_json::to_string_pretty(stance).map_err(|e| StanceError::Config(e.to_string()))?;
    Ok(write_atomic(
        &dir.join(STANCE_CONFIG),
        (json + "\n").as_bytes(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recorded figures are compared with fresh measurements to the last bit, so they
    /// must read back exactly (serde_json's `float_roundtrip`; without it this value came
    /// back one unit in the last place off, and CI failed).
    #[test]
    fn recorded_figures_read_back_to_the_bit() {
        let check = FileCheck {
            file: "f".into(),
            sha256: "s".into(),
            targets: 30,
            f32_macro_f1: 0.2098765432098765,
            int8_macro_f1: 0.23589743589743586,
        };
        let text = serde_json::to_string(&check).expect("json");
        let back: FileCheck = serde_json::from_str(&text).expect("json");
        assert_eq!(back.int8_macro_f1.to_bits(), check.int8_macro_f1.to_bits());
        assert_eq!(back, check);
    }

    #[test]
    fn shipped_models_are_looked_for_beside_the_binary_then_the_data_folder_then_the_source() {
        let exe_dir = std::env::current_exe().unwrap();
        for model in ShippedModel::ALL {
            assert_eq!(ShippedModel::from_name(model.name()), Some(model));
            assert_eq!(
                model.places(),
                [
                    exe_dir.parent().unwrap().join("models"),
                    exe_dir.parent().unwrap().join("../share/slant/models"),
                    crate::fetch::cache_dir().join("models"),
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("models"),
                ]
                .map(|root| root.join(model.folder()))
            );
        }
        assert_eq!(ShippedModel::from_name("models/minilm-stance"), None);
        // The source tree holds the shipped fast model, so it is found.
        let fast = ShippedModel::Fast;
        assert_eq!(
            fast.find().ok().as_ref(),
            fast.places().iter().find(|p| p.is_dir())
        );
        let missing = StanceError::NoShippedModel {
            name: "fast",
            looked: "a, b".into(),
        }
        .to_string();
        assert!(
            missing.contains("a, b") && missing.contains("--model"),
            "{missing}"
        );
    }
}
