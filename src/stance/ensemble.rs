//! An ensemble: several stance models whose probabilities are averaged per mention. Costs the
//! sum of its members' scoring time; `slant eval --with DIR` measures what it buys.

use super::{SentenceTargets, Stance, StanceError, StanceModel};

/// The members; an ensemble of none scores every mention 0/0/0.
pub struct Ensemble {
    pub members: Vec<Box<dyn StanceModel>>,
}

impl StanceModel for Ensemble {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
        let mut sum: Vec<Vec<Stance>> = sentences
            .iter()
            .map(|s| vec![Stance::default(); s.spans.len()])
            .collect();
        for member in &self.members {
            for (total, scored) in sum.iter_mut().zip(member.score(sentences)?) {
                for (t, s) in total.iter_mut().zip(scored) {
                    t.negative += s.negative;
                    t.neutral += s.neutral;
                    t.positive += s.positive;
                }
            }
        }
        let n = self.members.len().max(1) as f32;
        for stance in sum.iter_mut().flatten() {
            stance.negative /= n;
            stance.neutral /= n;
            stance.positive /= n;
        }
        Ok(sum)
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
}
