//! Classification metrics over the three stance classes.

use serde::Serialize;

use super::Label;

/// `counts[gold][predicted]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    pub counts: [[u64; 3]; 3],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassScores {
    pub label: &'static str,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub n: u64,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub classes: Vec<ClassScores>,
    pub confusion: [[u64; 3]; 3],
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

impl Confusion {
    pub fn add(&mut self, gold: Label, predicted: Label) {
        self.counts[gold.index()][predicted.index()] += 1;
    }

    pub fn n(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Per-class precision, recall and F1 (0 where undefined), their unweighted mean and accuracy.
    pub fn report(&self) -> Report {
        let classes: Vec<ClassScores> = Label::ALL
            .iter()
            .map(|&label| {
                let c = label.index();
                let tp = self.counts[c][c];
                let predicted: u64 = (0..3).map(|g| self.counts[g][c]).sum();
                let support: u64 = self.counts[c].iter().sum();
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassScores {
                    label: label.name(),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let correct: u64 = (0..3).map(|c| self.counts[c][c]).sum();
        Report {
            n: self.n(),
            accuracy: ratio(correct, self.n()),
            macro_f1: classes.iter().map(|c| c.f1).sum::<f64>() / 3.0,
            classes,
            confusion: self.counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    #[test]
    fn matches_hand_computed_values() {
        // gold \ predicted: neg neu pos
        //   neg             3   1   0
        //   neu             1   2   1
        //   pos             0   0   2
        let mut m = Confusion::default();
        for (g, p, n) in [
            (Negative, Negative, 3),
            (Negative, Neutral, 1),
            (Neutral, Negative, 1),
            (Neutral, Neutral, 2),
            (Neutral, Positive, 1),
            (Positive, Positive, 2),
        ] {
            for _ in 0..n {
                m.add(g, p);
            }
        }
        let r = m.report();
        assert_eq!(r.n, 10);
        assert!((r.accuracy - 0.7).abs() < 1e-12);
        // neg: P 3/4, R 3/4, F1 .75; neu: P 2/3, R 1/2, F1 4/7; pos: P 2/3, R 1, F1 .8
        let f1: Vec<f64> = r.classes.iter().map(|c| c.f1).collect();
        assert!((f1[0] - 0.75).abs() < 1e-12);
        assert!((f1[1] - 4.0 / 7.0).abs() < 1e-12);
        assert!((f1[2] - 0.8).abs() < 1e-12);
        assert!((r.macro_f1 - (0.75 + 4.0 / 7.0 + 0.8) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_classes_score_zero_not_nan() {
        let mut m = Confusion::default();
        m.add(Neutral, Neutral);
        let r = m.report();
        assert_eq!(r.classes[0].f1, 0.0);
        assert_eq!(r.classes[1].f1, 1.0);
        assert!((r.macro_f1 - 1.0 / 3.0).abs() < 1e-12);
    }
}
