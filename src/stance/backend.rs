//! Choosing the inference backend for a trained model directory: ONNX Runtime when its library
//! is present (fast; int8 when the model's recorded int8 check passed), candle otherwise (needs
//! nothing beyond the build).

use std::path::Path;

use super::card::{ModelDir, StanceConfig};
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

/// The ONNX Runtime precision `auto` runs a model at, and why, when it is not int8.
pub fn auto_precision(stance: &StanceConfig, weights_sha256: &str) -> (Precision, Option<String>) {
    let not_int8 = |why: String| {
        (
            Precision::F32,
            Some(format!(
                "{why}: scoring with ONNX Runtime f32, about half as fast as int8"
            )),
        )
    };
    match &stance.int8_check {
        Some(check) if check.weights_sha256 != weights_sha256 => not_int8(format!(
            "the int8 check in slant.json was made on other weights ({}); rerun `slant \
             check-int8` on this model",
            check.weights_sha256
        )),
        Some(check) if check.passed() => (Precision::Int8, None),
        Some(check) => {
            let worst = check.worst().map_or_else(String::new, |w| {
                format!(
                    ": {:.4} -> {:.4} on {}",
                    w.f32_macro_f1, w.int8_macro_f1, w.file
                )
            });
            not_int8(format!(
                "int8 costs this model more than {:.1} points of macro-F1{worst}",
                check.budget * 100.0
            ))
        }
        None => not_int8(
            "this model has no int8 check; `slant check-int8 --model DIR DEV.jsonl...` \
             measures int8's cost and records it"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stance::card::{FileCheck, Int8Check, INT8_BUDGET};
    use crate::stance::encoding::{Pooling, TargetMarking};

    fn stance(check: Option<Int8Check>) -> StanceConfig {
        StanceConfig {
            model_id: "test".into(),
            architecture: crate::stance::arch::Architecture::Bert,
            labels: vec!["negative".into(), "neutral".into(), "positive".into()],
            marking: TargetMarking {
                markers: None,
                pooling: Pooling::Cls,
                max_length: 128,
            },
            base_model: "base".into(),
            base_sha256: "0".into(),
            over_base: false,
            int8_check: check,
            calibration: None,
            ensembles: Vec::new(),
        }
    }

    fn check(costs: &[(f64, f64)]) -> Int8Check {
        Int8Check {
            weights_sha256: "abc".into(),
            budget: INT8_BUDGET,
            files: costs
                .iter()
                .enumerate()
                .map(|(i, &(full, quantized))| FileCheck {
                    file: format!("dev-{i}.jsonl"),
                    sha256: String::new(),
                    targets: 100,
                    f32_macro_f1: full,
                    int8_macro_f1: quantized,
                })
                .collect(),
        }
    }

    #[test]
    fn int8_only_when_every_file_is_within_budget() {
        let within = check(&[(0.835, 0.831), (0.75, 0.7469)]);
        assert!(within.passed());
        assert_eq!(
            auto_precision(&stance(Some(within)), "abc"),
            (Precision::Int8, None)
        );

        let over = check(&[(0.835, 0.834), (0.75, 0.74)]);
        assert!(!over.passed());
        let (precision, note) = auto_precision(&stance(Some(over)), "abc");
        assert_eq!(precision, Precision::F32);
        let note = note.expect("the user is told why");
        assert!(note.contains("dev-1.jsonl"), "{note}");
        assert!(note.contains("0.7500 -> 0.7400"), "{note}");
    }

    #[test]
    fn a_check_of_other_weights_or_no_check_means_f32() {
        let (precision, note) = auto_precision(&stance(Some(check(&[(0.8, 0.8)]))), "def");
        assert_eq!(precision, Precision::F32);
        assert!(note.is_some_and(|n| n.contains("other weights")));
        let (precision, note) = auto_precision(&stance(None), "abc");
        assert_eq!(precision, Precision::F32);
        assert!(note.is_some_and(|n| n.contains("slant check-int8")));
        assert!(!check(&[]).passed(), "a check of nothing passes nothing");
    }
}
