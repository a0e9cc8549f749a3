//! Scoring labelled data with a stance model and tallying the confusion matrix.

use std::path::Path;

use super::calibrate::{self, Prediction};
use super::data::LabeledSentence;
use super::metrics::{Confusion, Report};
use super::{Label, SentenceTargets, Stance, StanceError, StanceModel};

/// Sentences handed to the model at once; the model batches their targets by length.
const SENTENCES_PER_CALL: usize = 256;

/// Every target of `sentences` scored by `model`, with its gold label, in order.
pub fn predictions(
    model: &dyn StanceModel,
    sentences: &[LabeledSentence],
    mut progress: impl FnMut(usize),
) -> Result<Vec<(Stance, Label)>, StanceError> {
    let mut out = Vec::new();
    for chunk in sentences.chunks(SENTENCES_PER_CALL) {
        let inputs: Vec<SentenceTargets> = chunk.iter().map(LabeledSentence::targets).collect();
        let stances = model.score(&inputs)?;
        for (sentence, predicted) in chunk.iter().zip(stances) {
            for (target, stance) in sentence.targets.iter().zip(predicted) {
                out.push((stance, target.label));
            }
        }
        progress(chunk.iter().map(|s| s.targets.len()).sum());
    }
    Ok(out)
}

pub fn evaluate(
    model: &dyn StanceModel,
    sentences: &[LabeledSentence],
    progress: impl FnMut(usize),
) -> Result<Confusion, StanceError> {
    let mut confusion = Confusion::default();
    for (stance, gold) in predictions(model, sentences, progress)? {
        confusion.add(gold, stance.label());
    }
    Ok(confusion)
}

/// Scores a labelled file (NewsMTSC format) and reports accuracy, macro-F1 and confusion,
/// with the expected calibration error (`calibrate::BINS` bins) of the probabilities as
/// scored.
pub fn evaluate_file(model: &dyn StanceModel, path: &Path) -> Result<(Report, f64), StanceError> {
    let sentences = super::data::read_file(path)?;
    let mut confusion = Confusion::default();
    let mut scored = Vec::new();
    for (stance, gold) in predictions(model, &sentences, |_| {})? {
        confusion.add(gold, stance.label());
        scored.push(Prediction {
            probabilities: [stance.negative, stance.neutral, stance.positive].map(f64::from),
            gold,
        });
    }
    Ok((
        confusion.report(),
        calibrate::ece(&scored, 1.0, calibrate::BINS),
    ))
}

/// A human-readable block for one file: counts, per-class scores, confusion matrix.
pub fn format_report(name: &str, r: &Report) -> String {
    let mut out = format!(
        "{name}\n  n {}   accuracy {:.4}   macro-F1 {:.4}\n  {:<9} {:>9} {:>9} {:>9} {:>8}\n",
        r.n, r.accuracy, r.macro_f1, "class", "precision", "recall", "F1", "support"
    );
    for c in &r.classes {
        out += &format!(
            "  {:<9} {:>9.4} {:>9.4} {:>9.4} {:>8}\n",
            c.label, c.precision, c.recall, c.f1, c.support
        );
    }
    out += "  confusion (rows gold, columns predicted: negative neutral positive)\n";
    for (label, row) in super::Label::ALL.iter().zip(r.confusion.iter()) {
        out += &format!(
            "  {:<9} {:>8} {:>8} {:>8}\n",
            label.name(),
            row[0],
            row[1],
            row[2]
        );
    }
    out
}
