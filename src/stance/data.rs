//! Labelled stance data in NewsMTSC form (Hamborg & Donnay, EACL 2021).
//!
//! Two line formats are read, one JSON object per line, told apart by their keys:
//! - nested (the published files): `sentence_normalized` and `targets: [{from, to, mention,
//!   polarity}]`, polarity 2.0 / 4.0 / 6.0 for negative / neutral / positive;
//! - flat: `sentence`, `mention`, `from`, `to`, `polarity` in {-1, 0, 1}.
//!
//! `from`/`to` count characters (Unicode scalar values), `to` exclusive; they are converted to
//! byte offsets here, and each span must spell the stated mention.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Label, SentenceTargets, StanceError};
use crate::util::IoError;

#[derive(Debug, Clone, PartialEq)]
pub struct LabeledTarget {
    /// Byte range into the sentence.
    pub span: Range<usize>,
    pub label: Label,
    /// NewsMTSC's `further_mentions`: other mentions of the same target in the sentence
    /// (mostly pronouns), disjoint from `span` and from each other, in sentence order.
    pub further: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LabeledSentence {
    pub text: String,
    pub targets: Vec<LabeledTarget>,
    /// 1-based line in the source file.
    pub line: usize,
}

impl LabeledSentence {
    /// The sentence and its target spans, as a model scores them.
    pub fn targets(&self) -> SentenceTargets<'_> {
        SentenceTargets {
            text: &self.text,
            spans: self.targets.iter().map(|t| t.span.clone()).collect(),
        }
    }

    /// How many different character spans the targets cover (NewsMTSC lists some spans twice).
    pub fn distinct_target_spans(&self) -> usize {
        let mut spans: Vec<_> = self
            .targets
            .iter()
            .map(|t| (t.span.start, t.span.end))
            .collect();
        spans.sort_unstable();
        spans.dedup();
        spans.len()
    }
}

#[derive(Deserialize)]
struct NestedTarget {
    from: i64,
    to: i64,
    mention: String,
    polarity: f64,
    #[serde(default)]
    further_mentions: Vec<FurtherMention>,
}

#[derive(Deserialize)]
struct FurtherMention {
    from: i64,
    to: i64,
    mention: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Record {
    Nested {
        sentence_normalized: String,
        targets: Vec<NestedTarget>,
    },
    Flat {
        sentence: String,
        mention: String,
        from: i64,
        to: i64,
        polarity: f64,
    },
}

fn nested_label(polarity: f64) -> Option<Label> {
    match polarity {
        2.0 => Some(Label::Negative),
        4.0 => Some(Label::Neutral),
        6.0 => Some(Label::Positive),
        _ => None,
    }
}

fn flat_label(polarity: f64) -> Option<Label> {
    match polarity {
        -1.0 => Some(Label::Negative),
        0.0 => Some(Label::Neutral),
        1.0 => Some(Label::Positive),
        _ => None,
    }
}

/// Byte range of the characters `from..to` of `text`, checked against `mention`.
pub fn char_span_to_bytes(
    text: &str,
    from: i64,
    to: i64,
    mention: &str,
) -> Result<Range<usize>, String> {
    let chars = text.chars().count() as i64;
    if from < 0 || to <= from || to > chars {
        return Err(format!(
            "span {from}..{to} is outside the sentence's {chars} characters"
        ));
    }
    let mut starts = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()));
    let start = starts.nth(from as usize).unwrap_or(text.len());
    let end = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .nth(to as usize)
        .unwrap_or(text.len());
    if &text[start..end] != mention {
        return Err(format!(
            "span {from}..{to} reads {:?}, but the mention is {mention:?}",
            &text[start..end]
        ));
    }
    Ok(start..end)
}

fn parse_line(line: &str) -> Result<(String, Vec<LabeledTarget>), String> {
    let record: Record = serde_json::from_str(line).map_err(|e| {
        format!("not a NewsMTSC record (nested: sentence_normalized + targets; flat: sentence, mention, from, to, polarity): {e}")
    })?;
    match record {
        Record::Nested {
            sentence_normalized,
            targets,
        } => {
            if targets.is_empty() {
                return Err("no targets".into());
            }
            let targets = targets
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    let label = nested_label(t.polarity).ok_or_else(|| {
                        format!("target {i}: polarity {} is not 2.0, 4.0 or 6.0", t.polarity)
                    })?;
                    let span = char_span_to_bytes(&sentence_normalized, t.from, t.to, &t.mention)
                        .map_err(|e| format!("target {i}: {e}"))?;
                    let mut further: Vec<Range<usize>> = Vec::new();
                    for (j, m) in t.further_mentions.iter().enumerate() {
                        let other =
                            char_span_to_bytes(&sentence_normalized, m.from, m.to, &m.mention)
                                .map_err(|e| format!("target {i}, further mention {j}: {e}"))?;
                        let overlaps =
                            |r: &Range<usize>| r.start < other.end && other.start < r.end;
                        // A further mention inside the target's own span ("Trump" in "Trump's")
                        // adds nothing.
                        if !overlaps(&span) && !further.iter().any(overlaps) {
                            further.push(other);
                        }
                    }
                    further.sort_by_key(|r| r.start);
                    Ok(LabeledTarget {
                        span,
                        label,
                        further,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok((sentence_normalized, targets))
        }
        Record::Flat {
            sentence,
            mention,
            from,
            to,
            polarity,
        } => {
            let label = flat_label(polarity)
                .ok_or_else(|| format!("polarity {polarity} is not -1, 0 or 1"))?;
            let span = char_span_to_bytes(&sentence, from, to, &mention)?;
            Ok((
                sentence,
                vec![LabeledTarget {
                    span,
                    label,
                    further: Vec::new(),
                }],
            ))
        }
    }
}

/// Reads a whole file; the first bad line is an error naming the file and line.
pub fn read_file(path: &Path) -> Result<Vec<LabeledSentence>, StanceError> {
    let bytes = std::fs::read(path).map_err(IoError::at(path))?;
    parse(path, &bytes)
}

pub fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<LabeledSentence>, StanceError> {
    let error = |line: usize, message: String| StanceError::Data {
        file: PathBuf::from(path),
        line,
        message,
    };
    let mut sentences = Vec::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = i + 1;
        let text =
            std::str::from_utf8(raw).map_err(|e| error(line, format!("invalid UTF-8: {e}")))?;
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        let (text, targets) = parse_line(text).map_err(|m| error(line, m))?;
        sentences.push(LabeledSentence {
            text,
            targets,
            line,
        });
    }
    if sentences.is_empty() {
        return Err(error(1, "no records".into()));
    }
    Ok(sentences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_offsets_become_byte_offsets() {
        let text = "“Señor Pérez’s plan” failed, said Ana.";
        let span = char_span_to_bytes(text, 7, 12, "Pérez").unwrap();
        assert_eq!(&text[span], "Pérez");
        let span = char_span_to_bytes(text, 34, 37, "Ana").unwrap();
        assert_eq!(&text[span.clone()], "Ana");
        assert_eq!(span.end, text.len() - 1);
        assert!(char_span_to_bytes(text, 0, 5, "Señor").is_err());
        assert!(char_span_to_bytes(text, 30, 99, "x").is_err());
    }

    /// A target's further mentions are kept in sentence order, minus any inside its own span
    /// or repeating another; a further mention that does not spell its text is an error.
    #[test]
    fn further_mentions_are_read_disjoint_and_checked() {
        let line = r#"{"sentence_normalized": "Trump's aide said he and his team left.", "targets": [{"from": 0, "to": 7, "mention": "Trump's", "polarity": 2.0, "further_mentions": [{"from": 25, "to": 28, "mention": "his"}, {"from": 18, "to": 20, "mention": "he"}, {"from": 0, "to": 5, "mention": "Trump"}, {"from": 18, "to": 20, "mention": "he"}]}]}"#;
        let got = parse(Path::new("x.jsonl"), line.as_bytes()).unwrap();
        let target = &got[0].targets[0];
        let text = &got[0].text;
        let further: Vec<&str> = target.further.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(further, ["he", "his"]);
        let bad = line.replace(
            r#""to": 28, "mention": "his""#,
            r#""to": 28, "mention": "him""#,
        );
        let err = parse(Path::new("x.jsonl"), bad.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("target 0, further mention 0"), "{err}");
    }

    #[test]
    fn reads_both_formats_and_names_bad_lines() {
        let data = concat!(
            r#"{"sentence_normalized": "Smith praised Jones.", "targets": [{"from": 0, "to": 5, "mention": "Smith", "polarity": 4.0}, {"from": 14, "to": 19, "mention": "Jones", "polarity": 6.0}]}"#,
            "\n\n",
            r#"{"sentence": "Critics attacked Lee.", "mention": "Lee", "from": 17, "to": 20, "polarity": -1}"#,
            "\n"
        );
        let got = parse(Path::new("x.jsonl"), data.as_bytes()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].targets[1].label, Label::Positive);
        assert_eq!(got[1].line, 3);
        assert_eq!(&got[1].text[got[1].targets[0].span.clone()], "Lee");

        let bad = r#"{"sentence": "Critics attacked Lee.", "mention": "Lee", "from": 17, "to": 20, "polarity": 5}"#;
        let err = parse(
            Path::new("bad.jsonl"),
            format!("{}\n{bad}\n", data.lines().next().unwrap()).as_bytes(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("bad.jsonl:2:"), "{err}");
        assert!(err.contains("polarity 5"), "{err}");
    }
}
