//! Temperature scaling (Guo et al. 2017): one number that makes a trained model's class
//! probabilities mean what they say. Aggregated scores are means of P(positive) -
//! P(negative), so an overconfident model exaggerates every outlet's framing.
//!
//! The temperature `t` divides the logits: `softmax(z / t)`. Dividing the linear head's weight
//! and bias by `t` does exactly that, so `ModelDir::open` applies it to the head once and every
//! backend (candle, ONNX Runtime at any precision) scores calibrated. It never changes which
//! class is most likely, so accuracy and macro-F1 are untouched, and fitting it on the dev
//! splits the model was selected on takes no selection away from them. The figures of fit
//! are reported honestly all the same: each file's expected calibration error also with the
//! temperature fitted on the other files alone.

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::card::{self, ModelDir, StanceConfig};
use super::ensemble::{EnsembleCalibration, Member};
use super::{data, eval, Label, StanceError, StanceModel};
use crate::util::{sha256_hex, IoError};

/// Equal-width confidence bins for the expected calibration error.
pub const BINS: usize = 15;

/// Temperatures searched, on a log scale.
const SEARCH: (f64, f64) = (0.05, 20.0);

/// What slant.json records about a model's calibration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Calibration {
    pub temperature: f64,
    /// The weights it was fitted to: a temperature does not carry over to retrained weights.
    pub weights_sha256: String,
    pub bins: usize,
    pub files: Vec<CalibrationFile>,
}

/// One labelled file's expected calibration error (ECE, `BINS` bins) before and after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CalibrationFile {
    pub file: String,
    pub sha256: String,
    pub targets: usize,
    pub ece_before: f64,
    /// With the temperature fitted on all files, this one included.
    pub ece_after: f64,
    /// What a perfectly calibrated model would show here (`ece_floor`), at the fitted
    /// temperature's confidences: sampling noise of `targets` predictions in `BINS` bins.
    pub ece_floor: f64,
    /// With a temperature fitted on the other files only (when there are others), and that
    /// temperature: the figure this file can vouch for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_out: Option<HeldOut>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HeldOut {
    pub temperature: f64,
    pub ece: f64,
}

/// A model's class probabilities for one labelled target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub probabilities: [f64; 3],
    pub gold: Label,
}

/// `p` at temperature `t`: `softmax(ln p / t)`, the same as dividing the logits by `t`.
pub fn tempered(p: [f64; 3], t: f64) -> [f64; 3] {
    let logs = p.map(|v| v.max(f64::MIN_POSITIVE).ln() / t);
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp = logs.map(|l| (l - top).exp());
    let sum: f64 = exp.iter().sum();
    exp.map(|e| e / sum)
}

/// Mean negative log-likelihood of the gold classes at temperature `t`.
pub fn nll(predictions: &[Prediction], t: f64) -> f64 {
    let total: f64 = predictions
        .iter()
        .map(|p| {
            -tempered(p.probabilities, t)[p.gold.index()]
                .max(1e-300)
                .ln()
        })
        .sum();
    total / predictions.len().max(1) as f64
}

/// The temperature with the least negative log-likelihood: golden-section search over
/// ln t (the likelihood is unimodal in it), to a relative precision of 1e-6.
pub fn fit_temperature(predictions: &[Prediction]) -> f64 {
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (SEARCH.0.ln(), SEARCH.1.ln());
    let cost = |x: f64| nll(predictions, x.exp());
    let mut a = hi - phi * (hi - lo);
    let mut b = lo + phi * (hi - lo);
    let (mut fa, mut fb) = (cost(a), cost(b));
    while hi - lo > 1e-6 {
        if fa <= fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - phi * (hi - lo);
            fa = cost(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + phi * (hi - lo);
            fb = cost(b);
        }
    }
    ((lo + hi) / 2.0).exp()
}

/// One confidence bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    pub lower: f64,
    pub upper: f64,
    pub count: usize,
    /// Mean top-class probability of the predictions in the bin.
    pub confidence: f64,
    /// Share of them whose top class is the gold one.
    pub accuracy: f64,
}

/// The top class of `p` and its probability.
fn top(p: [f64; 3]) -> (usize, f64) {
    p.iter()
        .copied()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, v)| {
            if v > best.1 {
                (i, v)
            } else {
                best
            }
        })
}

/// (confidence, correct) pairs in `bins` equal bins over [0, 1] (a confidence on an edge goes
/// to the upper bin; 1.0 to the last).
fn binned(pairs: impl Iterator<Item = (f64, bool)>, bins: usize) -> Vec<Bin> {
    let mut sums = vec![(0usize, 0f64, 0usize); bins];
    for (confidence, correct) in pairs {
        let bin = ((confidence * bins as f64) as usize).min(bins - 1);
        sums[bin].0 += 1;
        sums[bin].1 += confidence;
        sums[bin].2 += usize::from(correct);
    }
    sums.into_iter()
        .enumerate()
        .map(|(i, (count, confidence, correct))| Bin {
            lower: i as f64 / bins as f64,
            upper: (i + 1) as f64 / bins as f64,
            count,
            confidence: if count > 0 {
                confidence / count as f64
            } else {
                0.0
            },
            accuracy: if count > 0 {
                correct as f64 / count as f64
            } else {
                0.0
            },
        })
        .collect()
}

fn ece_of_bins(bins: &[Bin]) -> f64 {
    let n = bins.iter().map(|b| b.count).sum::<usize>().max(1) as f64;
    bins.iter()
        .map(|b| b.count as f64 / n * (b.confidence - b.accuracy).abs())
        .sum()
}

/// Predictions at temperature `t`, binned by the top class's probability into `bins` equal
/// bins over [0, 1].
pub fn reliability(predictions: &[Prediction], t: f64, bins: usize) -> Vec<Bin> {
    let pairs = predictions.iter().map(|p| {
        let (class, confidence) = top(tempered(p.probabilities, t));
        (confidence, class == p.gold.index())
    });
    binned(pairs, bins)
}

/// Expected calibration error: the count-weighted mean gap between confidence and accuracy
/// over the bins.
pub fn ece(predictions: &[Prediction], t: f64, bins: usize) -> f64 {
    ece_of_bins(&reliability(predictions, t, bins))
}

/// The ECE a perfectly calibrated model would show with these confidences on this many
/// targets: each top class drawn correct with its own probability, the mean over
/// `FLOOR_DRAWS` draws (fixed seed). Below it, a lower ECE is luck, not calibration.
pub fn ece_floor(predictions: &[Prediction], t: f64, bins: usize) -> f64 {
    let confidences: Vec<f64> = predictions
        .iter()
        .map(|p| top(tempered(p.probabilities, t)).1)
        .collect();
    let mut rng = StdRng::seed_from_u64(FLOOR_SEED);
    let total: f64 = (0..FLOOR_DRAWS)
        .map(|_| {
            let pairs: Vec<(f64, bool)> = confidences
                .iter()
                .map(|&c| (c, rng.gen::<f64>() < c))
                .collect();
            ece_of_bins(&binned(pairs.into_iter(), bins))
        })
        .sum();
    total / FLOOR_DRAWS as f64
}

const FLOOR_DRAWS: usize = 200;
const FLOOR_SEED: u64 = 15;

/// A labelled file's targets scored by `model`, with probabilities brought back to the
/// uncalibrated model's (`model` scores at temperature `applied`).
pub fn predictions(
    model: &dyn StanceModel,
    file: &Path,
    applied: f64,
) -> Result<(Vec<Prediction>, String), StanceError> {
    let bytes = std::fs::read(file).map_err(IoError::at(file))?;
    let sentences = data::parse(file, &bytes)?;
    let scored = eval::predictions(model, &sentences, eval::Coreferents::Ignored, |_| {})?;
    let predictions = scored
        .into_iter()
        .map(|(stance, gold)| Prediction {
            probabilities: tempered(
                [stance.negative, stance.neutral, stance.positive].map(f64::from),
                1.0 / applied,
            ),
            gold,
        })
        .collect();
    Ok((predictions, sha256_hex(&bytes)))
}

/// Fits one temperature on all `files` together and reports each file's ECE before and
/// after, and with the temperature of the other files alone.
pub fn fit(
    model: &dyn StanceModel,
    files: &[&Path],
    applied: f64,
    weights_sha256: &str,
) -> Result<(Calibration, Vec<Vec<Prediction>>), StanceError> {
    let mut scored = Vec::with_capacity(files.len());
    for &file in files {
        scored.push(predictions(model, file, applied)?);
    }
    let all: Vec<Prediction> = scored.iter().flat_map(|(p, _)| p.iter().copied()).collect();
    let temperature = fit_temperature(&all);
    let records = files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let (own, sha256) = &scored[i];
            let others: Vec<Prediction> = scored
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, (p, _))| p.iter().copied())
                .collect();
            let held_out = (!others.is_empty()).then(|| {
                let t = fit_temperature(&others);
                HeldOut {
                    temperature: t,
                    ece: ece(own, t, BINS),
                }
            });
            CalibrationFile {
                file: file.display().to_string(),
                sha256: sha256.clone(),
                targets: own.len(),
                ece_before: ece(own, 1.0, BINS),
                ece_after: ece(own, temperature, BINS),
                ece_floor: ece_floor(own, temperature, BINS),
                held_out,
            }
        })
        .collect();
    Ok((
        Calibration {
            temperature,
            weights_sha256: weights_sha256.to_string(),
            bins: BINS,
            files: records,
        },
        scored.into_iter().map(|(p, _)| p).collect(),
    ))
}

/// Writes `calibration` into the model's `slant.json`, replacing any earlier one.
pub fn record(dir: &Path, calibration: &Calibration) -> Result<(), StanceError> {
    update(dir, &calibration.weights_sha256, |stance| {
        stance.calibration = Some(calibration.clone());
    })
}

/// Writes an ensemble's `calibration` into its first member's `slant.json` (in `dir`),
/// replacing any earlier one for the same members' weights (fitted at other temperatures of
/// theirs, it would never be used again).
pub fn record_ensemble(
    dir: &Path,
    members: &[Member],
    calibration: &Calibration,
) -> Result<(), StanceError> {
    update(dir, &calibration.weights_sha256, |stance| {
        stance.ensembles.retain(|e| {
            e.members
                .iter()
                .map(|m| &m.weights_sha256)
                .ne(members.iter().map(|m| &m.weights_sha256))
        });
        stance.ensembles.push(EnsembleCalibration {
            members: members.to_vec(),
            calibration: calibration.clone(),
        });
    })
}

/// Changes the slant.json of the model in `dir`, whose weights must be `weights_sha256`.
fn update(
    dir: &Path,
    weights_sha256: &str,
    change: impl FnOnce(&mut StanceConfig),
) -> Result<(), StanceError> {
    let model = ModelDir::open(dir, Some(weights_sha256))?;
    let mut stance = model.stance_config()?;
    change(&mut stance);
    card::write_stance_config(dir, &stance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prediction(p: [f64; 3], gold: Label) -> Prediction {
        Prediction {
            probabilities: p,
            gold,
        }
    }

    #[test]
    fn temperature_one_changes_nothing_and_others_keep_the_top_class() {
        let p = [0.7, 0.2, 0.1];
        let same = tempered(p, 1.0);
        for (a, b) in same.iter().zip(p) {
            assert!((a - b).abs() < 1e-12);
        }
        let soft = tempered(p, 2.0);
        let sharp = tempered(p, 0.5);
        assert!(soft[0] < 0.7 && sharp[0] > 0.7 && soft[0] > soft[1] && sharp[0] > sharp[1]);
        assert!((soft.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Tempering twice multiplies the temperatures.
        let twice = tempered(tempered(p, 2.0), 1.5);
        let once = tempered(p, 3.0);
        assert!(twice.iter().zip(once).all(|(a, b)| (a - b).abs() < 1e-12));
    }

    /// An overconfident model: 90% sure, right 60% of the time. The fitted temperature
    /// softens it until its confidence matches its accuracy, and the ECE falls to near 0.
    #[test]
    fn an_overconfident_model_is_softened_until_confidence_matches_accuracy() {
        let mut predictions = Vec::new();
        for i in 0..100 {
            let gold = if i % 5 < 3 {
                Label::Negative
            } else {
                Label::Positive
            };
            predictions.push(prediction([0.9, 0.05, 0.05], gold));
        }
        let before = ece(&predictions, 1.0, BINS);
        assert!((before - 0.3).abs() < 1e-9, "{before}");
        let t = fit_temperature(&predictions);
        assert!(t > 1.0, "{t}");
        let after = tempered([0.9, 0.05, 0.05], t)[0];
        assert!((after - 0.6).abs() < 0.01, "top class at {after}");
        assert!(ece(&predictions, t, BINS) < 0.01);
        // Underconfident: always right at 40%: the temperature sharpens.
        let timid: Vec<Prediction> = (0..50)
            .map(|_| prediction([0.4, 0.3, 0.3], Label::Negative))
            .collect();
        assert!(fit_temperature(&timid) < 1.0);
    }

    /// A calibrated model still shows some ECE on few targets; the floor measures it, and
    /// it shrinks as the targets grow.
    #[test]
    fn the_floor_is_the_noise_of_a_calibrated_model_and_shrinks_with_more_targets() {
        let few: Vec<Prediction> = (0..100)
            .map(|i| {
                prediction(
                    [0.7, 0.2, 0.1],
                    if i % 10 < 7 {
                        Label::Negative
                    } else {
                        Label::Neutral
                    },
                )
            })
            .collect();
        assert!(ece(&few, 1.0, BINS) < 1e-9, "exactly calibrated");
        let small = ece_floor(&few, 1.0, BINS);
        let many: Vec<Prediction> = few.iter().cycle().take(10_000).copied().collect();
        let large = ece_floor(&many, 1.0, BINS);
        // One bin of n: E|mean of Bernoulli(0.7) - 0.7| = about 0.8 * sqrt(0.21 / n).
        assert!(
            (small - 0.8 * (0.21f64 / 100.0).sqrt()).abs() < 0.01,
            "{small}"
        );
        assert!(large < small / 5.0, "{large} vs {small}");
    }

    #[test]
    fn bins_split_confidence_evenly_and_count_every_prediction() {
        let predictions = [
            prediction([1.0, 0.0, 0.0], Label::Negative),
            prediction([0.34, 0.33, 0.33], Label::Neutral),
            prediction([0.2, 0.2, 0.6], Label::Positive),
        ];
        let bins = reliability(&predictions, 1.0, 10);
        assert_eq!(bins.iter().map(|b| b.count).sum::<usize>(), 3);
        assert_eq!(bins[9].count, 1, "1.0 goes to the last bin");
        assert_eq!(bins[3].count, 1);
        assert_eq!(bins[3].accuracy, 0.0);
        assert_eq!(bins[6].count, 1, "0.6 sits on an edge: the upper bin");
        assert_eq!(bins[6].accuracy, 1.0);
    }
}
