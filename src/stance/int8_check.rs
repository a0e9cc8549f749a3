//! Whether a trained model may run in int8. What int8 costs depends on the trained weights
//! (three models trained with one recipe lost 0.0, 0.8 and 2.5 points of dev-rw macro-F1), so
//! it is measured per model, recorded in its `slant.json`, and `auto` runs int8 only on
//! weights whose recorded check passed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::backend::{self, Backend};
use super::model_dir::{self, ModelDir, StanceConfig};
use super::onnx::Precision;
use super::{data, eval, StanceError};

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

/// Scores every labelled file with the model in `dir` at f32 and at int8.
pub fn measure(dir: &Path, files: &[&Path], threads: usize) -> Result<Int8Check, StanceError> {
    let full = backend::load(dir, Backend::Ort(Precision::F32), threads)?;
    let quantized = backend::load(dir, Backend::Ort(Precision::Int8), threads)?;
    let mut checks = Vec::with_capacity(files.len());
    for &file in files {
        let bytes = std::fs::read(file).map_err(|source| StanceError::Io {
            path: file.to_path_buf(),
            source,
        })?;
        let sentences = data::parse(file, &bytes)?;
        let macro_f1 = |model: &backend::LoadedModel| -> Result<(u64, f64), StanceError> {
            let report = eval::evaluate(model.model.as_ref(), &sentences, |_| {})?.report();
            Ok((report.n, report.macro_f1))
        };
        let (targets, f32_macro_f1) = macro_f1(&full)?;
        let (_, int8_macro_f1) = macro_f1(&quantized)?;
        checks.push(FileCheck {
            file: file.display().to_string(),
            sha256: model_dir::sha256_hex(&bytes),
            targets,
            f32_macro_f1,
            int8_macro_f1,
        });
    }
    Ok(Int8Check {
        weights_sha256: full.weights_sha256,
        budget: INT8_BUDGET,
        files: checks,
    })
}

/// Writes `check` into the model's `slant.json`, replacing any earlier one.
pub fn record(dir: &Path, check: &Int8Check) -> Result<(), StanceError> {
    let model = ModelDir::open(dir, Some(&check.weights_sha256))?;
    let mut stance = model.stance_config()?;
    stance.int8_check = Some(check.clone());
    model_dir::write_stance_config(dir, &stance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stance::encoding::{Pooling, TargetMarking};

    fn stance(check: Option<Int8Check>) -> StanceConfig {
        StanceConfig {
            model_id: "test".into(),
            architecture: "bert".into(),
            labels: vec!["negative".into(), "neutral".into(), "positive".into()],
            marking: TargetMarking {
                markers: None,
                pooling: Pooling::Cls,
                max_length: 128,
            },
            base_model: "base".into(),
            base_sha256: "0".into(),
            int8_check: check,
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
