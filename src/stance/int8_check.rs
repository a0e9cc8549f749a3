//! Measuring what int8 costs a trained model, and recording it in its `slant.json`. The
//! cost depends on the trained weights (three models trained with one recipe lost 0.0, 0.8
//! and 2.5 points of dev-rw macro-F1), so it is measured per model; `backend` reads the record
//! to decide whether `auto` runs int8.

use std::path::Path;

use super::backend::{self, Backend};
use super::card::{self, FileCheck, Int8Check, ModelDir, INT8_BUDGET};
use super::onnx::Precision;
use super::{data, eval, StanceError};
use crate::util::{sha256_hex, IoError};

/// Scores every labelled file with the model in `dir` at f32 and at int8.
pub fn measure(dir: &Path, files: &[&Path], threads: usize) -> Result<Int8Check, StanceError> {
    let full = backend::load(dir, Backend::Ort(Precision::F32), threads)?;
    let quantized = backend::load(dir, Backend::Ort(Precision::Int8), threads)?;
    let mut checks = Vec::with_capacity(files.len());
    for &file in files {
        let bytes = std::fs::read(file).map_err(IoError::at(file))?;
        let sentences = data::parse(file, &bytes)?;
        let macro_f1 = |model: &backend::LoadedModel| -> Result<(u64, f64), StanceError> {
            let report = eval::evaluate(model.model.as_ref(), &sentences, |_| {})?.report();
            Ok((report.n, report.macro_f1))
        };
        let (targets, f32_macro_f1) = macro_f1(&full)?;
        let (_, int8_macro_f1) = macro_f1(&quantized)?;
        checks.push(FileCheck {
            file: file.display().to_string(),
            sha256: sha256_hex(&bytes),
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
    card::write_stance_config(dir, &stance)
}
