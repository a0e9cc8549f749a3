//! Choosing the inference backend for a trained model directory: ONNX Runtime when its library
//! is present (fast; int8 when the model's recorded int8 check passed), candle otherwise (needs
//! nothing beyond the build).

use std::path::Path;

use super::int8_check::auto_precision;
use super::model_dir::{ModelDir, StanceConfig};
use super::onnx::{library_path, OrtClassifier, Precision, FETCH_COMMAND};
use super::{Classifier, StanceError, StanceModel};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// ONNX Runtime (default precision) if its library is found, else candle.
    Auto,
    Candle,
    Ort(Precision),
}

/// A loaded model and what was loaded.
pub struct LoadedModel {
    pub model: Box<dyn StanceModel>,
    pub stance: StanceConfig,
    pub weights_sha256: String,
    /// e.g. `candle-f32`, `onnxruntime-int8`.
    pub backend: String,
    /// Set when `Auto` could not take the fastest backend (int8 on ONNX Runtime): why, and
    /// what to run to get it.
    pub fallback: Option<String>,
}

/// Opens the model directory `dir` on `backend`; `threads` is the ONNX Runtime thread count
/// (candle uses rayon's pool).
pub fn load(dir: &Path, backend: Backend, threads: usize) -> Result<LoadedModel, StanceError> {
    let model_dir = ModelDir::open(dir, None)?;
    let weights_sha256 = model_dir.weights_sha256.clone();
    let (backend, fallback) = match backend {
        Backend::Auto if library_path().is_none() => {
            let why = match std::env::var_os("ORT_DYLIB_PATH") {
                Some(path) => format!("ORT_DYLIB_PATH={} is not a file", path.to_string_lossy()),
                None => "ORT_DYLIB_PATH unset, nothing fetched".to_string(),
            };
            (
                Backend::Candle,
                Some(format!(
                    "ONNX Runtime not found ({why}): scoring with candle, which is several times \
                     slower; run `{FETCH_COMMAND}` once for the fast backend"
                )),
            )
        }
        Backend::Auto => {
            let (precision, why) = auto_precision(&model_dir.stance_config()?, &weights_sha256);
            (Backend::Ort(precision), why)
        }
        other => (other, None),
    };
    let (model, stance, name): (Box<dyn StanceModel>, _, _) = match backend {
        Backend::Ort(precision) => {
            let (model, stance) = OrtClassifier::load(&model_dir, precision, threads)?;
            (
                Box::new(model),
                stance,
                format!("onnxruntime-{}", precision.name()),
            )
        }
        Backend::Candle | Backend::Auto => {
            let (model, stance) = Classifier::load(model_dir)?;
            (Box::new(model), stance, "candle-f32".to_string())
        }
    };
    Ok(LoadedModel {
        model,
        stance,
        weights_sha256,
        backend: name,
        fallback,
    })
}
