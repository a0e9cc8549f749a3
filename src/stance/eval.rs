//! Scoring labelled data with a stance model and tallying the confusion matrix.

use std::ops::Range;
use std::path::Path;

use super::calibrate::{self, Prediction};
use super::data::LabeledSentence;
use super::metrics::{Confusion, Report};
use super::{Label, SentenceTargets, Stance, StanceError, StanceModel};

/// Sentences handed to the model at once; the model batches their targets by length.
const SENTENCES_PER_CALL: usize = 256;

/// How a target's further mentions (NewsMTSC's `further_mentions`: the same target again in
/// the sentence, mostly as a pronoun) count when it is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Coreferents {
    /// The target's own span alone (how `slant score` reads every mention).
    #[default]
    Ignored,
    /// Each of its mentions scored as a target, the probabilities averaged.
    Averaged,
}

/// Every target of `sentences` scored by `model`, with its gold label, in order.
pub fn predictions(
    model: &dyn StanceModel,
    sentences: &[LabeledSentence],
    coreferents: Coreferents,
    mut progress: impl FnMut(usize),
) -> Result<Vec<(Stance, Label)>, StanceError> {
    let mut out = Vec::new();
    for chunk in sentences.chunks(SENTENCES_PER_CALL) {
        // Per target, the spans scored for it: its own first.
        let groups: Vec<Vec<Vec<Range<usize>>>> = chunk
            .iter()
            .map(|s| {
                s.targets
                    .iter()
                    .map(|t| match coreferents {
                        Coreferents::Ignored => vec![t.span.clone()],
                        Coreferents::Averaged => std::iter::once(t.span.clone())
                            .chain(t.further.iter().cloned())
                            .collect(),
                    })
                    .collect()
            })
            .collect();
        let inputs: Vec<SentenceTargets> = chunk
            .iter()
            .zip(&groups)
            .map(|(s, targets)| SentenceTargets {
                text: &s.text,
                spans: targets.iter().flatten().cloned().collect(),
            })
            .collect();
        let stances = model.score(&inputs)?;
        for ((sentence, targets), predicted) in chunk.iter().zip(&groups).zip(stances) {
            let mut scored = predicted.into_iter();
            for (target, spans) in sentence.targets.iter().zip(targets) {
                let group: Vec<Stance> = scored.by_ref().take(spans.len()).collect();
                out.push((Stance::mean(&group), target.label));
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
    for (stance, gold) in predictions(model, sentences, Coreferents::Ignored, progress)? {
        confusion.add(gold, stance.label());
    }
    Ok(confusion)
}

/// Scores a labelled file (NewsMTSC format) and reports accuracy, macro-F1 and confusion,
/// with the expected calibration error (`calibrate::BINS` bins) of the probabilities as
/// scored.
pub fn evaluate_file(
    model: &dyn StanceModel,
    path: &Path,
    coreferents: Coreferents,
) -> Result<(Report, f64), StanceError> {
    let sentences = super::data::read_file(path)?;
    let mut confusion = Confusion::default();
    let mut scored = Vec::new();
    for (stance, gold) in predictions(model, &sentences, coreferents, |_| {})? {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stance::data::LabeledTarget;

    /// Negative for a mention at the sentence's start, positive anywhere else.
    struct ByPosition;

    impl StanceModel for ByPosition {
        fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
            Ok(sentences
                .iter()
                .map(|s| {
                    s.spans
                        .iter()
                        .map(|span| {
                            let first = span.start == 0;
                            Stance {
                                negative: if first { 1.0 } else { 0.0 },
                                neutral: 0.0,
                                positive: if first { 0.0 } else { 1.0 },
                            }
                        })
                        .collect()
                })
                .collect())
        }
    }

    #[test]
    fn averaged_coreferents_pool_each_targets_mentions_and_keep_one_prediction_per_target() {
        let sentence = LabeledSentence {
            text: "Lee said he and his aide met Kim.".into(),
            targets: vec![
                LabeledTarget {
                    span: 0..3,
                    label: Label::Negative,
                    further: vec![9..11, 16..19, 20..24],
                },
                LabeledTarget {
                    span: 29..32,
                    label: Label::Positive,
                    further: Vec::new(),
                },
            ],
            line: 1,
        };
        let sentences = [sentence];
        let alone = predictions(&ByPosition, &sentences, Coreferents::Ignored, |_| {}).unwrap();
        assert_eq!(alone.len(), 2);
        assert_eq!(alone[0].0.negative, 1.0);
        let pooled = predictions(&ByPosition, &sentences, Coreferents::Averaged, |_| {}).unwrap();
        assert_eq!(pooled.len(), 2);
        assert_eq!((pooled[0].0.negative, pooled[0].0.positive), (0.25, 0.75));
        assert_eq!(pooled[1], (alone[1].0, Label::Positive));
    }
}
