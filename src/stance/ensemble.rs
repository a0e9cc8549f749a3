//! An ensemble: several stance models whose probabilities are averaged per mention, then
//! scaled by the ensemble's own temperature. Costs the sum of its members' scoring time;
//! `slant eval --with DIR` measures what it buys.
//!
//! The average of calibrated members is not calibrated: where they disagree it is less
//! confident than either, where they agree no more confident than one (the shipped `accurate`
//! came out underconfident). So an ensemble gets its own temperature, fitted by `slant
//! calibrate` on the averaged probabilities and recorded in the named (first) member's
//! slant.json against every member's weights and temperature: retraining or recalibrating any
//! member leaves the recorded one unused rather than wrong.

use serde::{Deserialize, Serialize};

use super::calibrate::{tempered, Calibration};
use super::card::StanceConfig;
use super::{SentenceTargets, Stance, StanceError, StanceModel};

/// The members, and the temperature their averaged probabilities are scaled by (1: as
/// averaged). An ensemble of none scores every mention 0/0/0.
pub struct Ensemble {
    pub members: Vec<Box<dyn StanceModel>>,
    pub temperature: f64,
}

/// A member as an ensemble's calibration saw it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Member {
    pub model_id: String,
    pub weights_sha256: String,
    /// Its own temperature (slant.json's; 1 when uncalibrated), applied before averaging.
    pub temperature: f64,
}

impl Member {
    /// The same weights at the same temperature: refitting a temperature on the same files
    /// may move its last bits, which is no reason to drop the ensemble's.
    fn matches(&self, other: &Member) -> bool {
        self.weights_sha256 == other.weights_sha256
            && (self.temperature - other.temperature).abs() <= 1e-6 * self.temperature.abs()
    }

    pub fn of(stance: &StanceConfig, weights_sha256: &str) -> Self {
        Self {
            model_id: stance.model_id.clone(),
            weights_sha256: weights_sha256.to_string(),
            temperature: stance.calibration.as_ref().map_or(1.0, |c| c.temperature),
        }
    }
}

/// The temperature of one ensemble, for exactly these members in this order (the first is
/// the model whose slant.json records it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EnsembleCalibration {
    pub members: Vec<Member>,
    pub calibration: Calibration,
}

/// The calibration `first` records for the ensemble of `members`, if it has one.
pub fn calibration_for<'a>(first: &'a StanceConfig, members: &[Member]) -> Option<&'a Calibration> {
    first
        .ensembles
        .iter()
        .find(|e| {
            e.members.len() == members.len()
                && e.members.iter().zip(members).all(|(a, b)| a.matches(b))
        })
        .map(|e| &e.calibration)
}

impl StanceModel for Ensemble {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
        // Per sentence and mention, every member's probabilities.
        let mut all: Vec<Vec<Vec<Stance>>> = sentences
            .iter()
            .map(|s| vec![Vec::with_capacity(self.members.len()); s.spans.len()])
            .collect();
        for member in &self.members {
            for (mentions, scored) in all.iter_mut().zip(member.score(sentences)?) {
                for (votes, stance) in mentions.iter_mut().zip(scored) {
                    votes.push(stance);
                }
            }
        }
        Ok(all
            .into_iter()
            .map(|mentions| {
                mentions
                    .iter()
                    .map(|votes| self.scaled(Stance::mean(votes)))
                    .collect()
            })
            .collect())
    }
}

impl Ensemble {
    /// `mean` at the ensemble's temperature.
    fn scaled(&self, mean: Stance) -> Stance {
        if self.temperature == 1.0 {
            return mean;
        }
        let [negative, neutral, positive] = tempered(
            [mean.negative, mean.neutral, mean.positive].map(f64::from),
            self.temperature,
        )
        .map(|p| p as f32);
        Stance {
            negative,
            neutral,
            positive,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores every mention with the same probabilities.
    struct Fixed(Stance);

    impl StanceModel for Fixed {
        fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
            Ok(sentences
                .iter()
                .map(|s| vec![self.0; s.spans.len()])
                .collect())
        }
    }

    #[test]
    fn probabilities_are_averaged_per_mention() {
        let stance = |negative, neutral, positive| Stance {
            negative,
            neutral,
            positive,
        };
        let ensemble = Ensemble {
            members: vec![
                Box::new(Fixed(stance(0.6, 0.3, 0.1))),
                Box::new(Fixed(stance(0.0, 0.1, 0.9))),
            ],
            temperature: 1.0,
        };
        let sentences = [
            SentenceTargets {
                text: "A met B.",
                spans: vec![0..1, 6..7],
            },
            SentenceTargets {
                text: "C met D and E.",
                spans: vec![0..1, 6..7, 12..13],
            },
        ];
        let scored = ensemble.score(&sentences).unwrap();
        assert_eq!(scored.iter().map(Vec::len).collect::<Vec<_>>(), [2, 3]);
        for s in scored.iter().flatten() {
            assert!((s.negative - 0.3).abs() < 1e-6, "{s:?}");
            assert!((s.neutral - 0.2).abs() < 1e-6, "{s:?}");
            assert!((s.positive - 0.5).abs() < 1e-6, "{s:?}");
        }
    }

    /// The ensemble's temperature scales the average, not the members: the top class stays,
    /// and it sharpens below 1 exactly as `tempered` does.
    #[test]
    fn the_ensemble_temperature_scales_the_averaged_probabilities() {
        let members = || -> Vec<Box<dyn StanceModel>> {
            vec![
                Box::new(Fixed(Stance {
                    negative: 0.6,
                    neutral: 0.3,
                    positive: 0.1,
                })),
                Box::new(Fixed(Stance {
                    negative: 0.2,
                    neutral: 0.5,
                    positive: 0.3,
                })),
            ]
        };
        let sentences = [SentenceTargets {
            text: "A met B.",
            spans: vec![0..1, 6..7],
        }];
        let score = |temperature| {
            let ensemble = Ensemble {
                members: members(),
                temperature,
            };
            ensemble.score(&sentences).unwrap()[0][0]
        };
        let plain = score(1.0);
        assert!((plain.negative - 0.4).abs() < 1e-6, "{plain:?}");
        let sharp = score(0.5);
        let expected = tempered([0.4, 0.4, 0.2], 0.5);
        assert!(
            (f64::from(sharp.negative) - expected[0]).abs() < 1e-6,
            "{sharp:?}"
        );
        assert!(
            (f64::from(sharp.positive) - expected[2]).abs() < 1e-6,
            "{sharp:?}"
        );
        assert!((sharp.negative + sharp.neutral + sharp.positive - 1.0).abs() < 1e-6);
        assert!(sharp.positive < plain.positive, "{sharp:?} vs {plain:?}");
    }

    /// A recorded ensemble temperature is found for exactly its members: another member, a
    /// recalibrated member or another order finds none (the ensemble then runs unscaled).
    #[test]
    fn an_ensemble_calibration_serves_only_its_exact_members() {
        let member = |id: &str, temperature| Member {
            model_id: id.into(),
            weights_sha256: format!("{id}-weights"),
            temperature,
        };
        let members = vec![member("a", 0.9), member("b", 2.2)];
        let mut first: StanceConfig = serde_json::from_value(serde_json::json!({
            "model_id": "a",
            "architecture": "mpnet",
            "labels": ["negative", "neutral", "positive"],
            "marking": {"markers": null, "pooling": "cls", "max_length": 128},
            "base_model": "base",
            "base_sha256": "0"
        }))
        .unwrap();
        assert!(calibration_for(&first, &members).is_none());
        first.ensembles.push(EnsembleCalibration {
            members: members.clone(),
            calibration: Calibration {
                temperature: 0.7,
                weights_sha256: "a-weights".into(),
                bins: 15,
                files: Vec::new(),
            },
        });
        assert_eq!(
            calibration_for(&first, &members).map(|c| c.temperature),
            Some(0.7)
        );
        let refitted = vec![member("a", 0.9 * (1.0 + 1e-9)), member("b", 2.2)];
        assert!(calibration_for(&first, &refitted).is_some());
        let recalibrated = vec![member("a", 0.9), member("b", 2.0)];
        let reordered = vec![member("b", 2.2), member("a", 0.9)];
        let another = vec![member("a", 0.9), member("c", 2.2)];
        for other in [recalibrated, reordered, another, members[..1].to_vec()] {
            assert!(calibration_for(&first, &other).is_none(), "{other:?}");
        }
    }
}
