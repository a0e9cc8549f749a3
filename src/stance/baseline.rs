//! Reference points that show what the model adds: the training majority class, and a
//! VADER lexicon (Hutto & Gilbert 2014) applied to the clause around the mention.

use std::path::Path;

use super::{data, Label, SentenceTargets, Stance, StanceError, StanceModel};

fn one_hot(label: Label) -> Stance {
    let mut p = [0.0f32; 3];
    p[label.index()] = 1.0;
    Stance {
        negative: p[0],
        neutral: p[1],
        positive: p[2],
    }
}

/// Always predicts one class (the training set's most frequent).
pub struct Majority(pub Label);

impl Majority {
    /// The most frequent class of a labelled file (ties go to the earlier label).
    pub fn of_training_file(path: &Path) -> Result<Self, StanceError> {
        let mut counts = [0usize; 3];
        for sentence in data::read_file(path)? {
            for target in sentence.targets {
                counts[target.label.index()] += 1;
            }
        }
        let best = (0..3)
            .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
            .unwrap_or(1);
        Ok(Majority(Label::ALL[best]))
    }
}

impl StanceModel for Majority {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
        Ok(sentences
            .iter()
            .map(|s| vec![one_hot(self.0); s.spans.len()])
            .collect())
    }
}

/// VADER's compound score of the clause holding the mention: >= 0.05 positive,
/// <= -0.05 negative (VADER's own thresholds), else neutral.
pub struct Lexicon {
    analyzer: vader_sentiment::SentimentIntensityAnalyzer<'static>,
}

impl Default for Lexicon {
    fn default() -> Self {
        Self {
            analyzer: vader_sentiment::SentimentIntensityAnalyzer::new(),
        }
    }
}

const CLAUSE_WORDS: [&str; 6] = [
    " but ",
    " while ",
    " although ",
    " though ",
    " whereas ",
    " however ",
];

/// The clause of `text` around byte `at`: bounded by clause punctuation or a contrastive
/// conjunction.
pub fn clause_around(text: &str, at: usize) -> &str {
    let is_break = |c: char| matches!(c, ',' | ';' | ':' | '—' | '–' | '(' | ')' | '"' | '“' | '”');
    let mut start = text[..at]
        .rfind(is_break)
        .map(|i| i + text[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    let mut end = text[at..]
        .find(is_break)
        .map(|i| at + i)
        .unwrap_or(text.len());
    let lower = text.to_lowercase();
    if lower.len() == text.len() {
        for word in CLAUSE_WORDS {
            if let Some(i) = lower[start..at].rfind(word) {
                start = start.max(start + i + word.len() - 1);
            }
            if let Some(i) = lower[at..end].find(word) {
                end = end.min(at + i);
            }
        }
    }
    text[start..end].trim()
}

impl StanceModel for Lexicon {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
        Ok(sentences
            .iter()
            .map(|s| {
                s.spans
                    .iter()
                    .map(|span| {
                        let clause = clause_around(s.text, span.start);
                        let compound = self
                            .analyzer
                            .polarity_scores(clause)
                            .get("compound")
                            .copied()
                            .unwrap_or(0.0);
                        one_hot(if compound >= 0.05 {
                            Label::Positive
                        } else if compound <= -0.05 {
                            Label::Negative
                        } else {
                            Label::Neutral
                        })
                    })
                    .collect()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_is_cut_at_punctuation_and_contrast() {
        let text = "Critics attacked Smith, but voters loved Jones.";
        assert_eq!(
            clause_around(text, text.find("Smith").unwrap()),
            "Critics attacked Smith"
        );
        assert_eq!(
            clause_around(text, text.find("Jones").unwrap()),
            "voters loved Jones."
        );
        let lexicon = Lexicon::default();
        let spans = vec![
            17..22,
            text.find("Jones").unwrap()..text.find("Jones").unwrap() + 5,
        ];
        let got = lexicon.score(&[SentenceTargets { text, spans }]).unwrap();
        assert_eq!(got[0][0].label(), Label::Negative);
        assert_eq!(got[0][1].label(), Label::Positive);
    }
}
