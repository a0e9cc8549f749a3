//! Sentence splitting with byte offsets into the original text.
//!
//! Rule-based and conservative: a sentence ends at `.`, `!` or `?` (plus any closing quotes
//! or brackets) followed by white space and a plausible sentence start, unless the word
//! before the period is a known abbreviation (Mr., Gen., Jan., U.S.) or a single-letter
//! initial. Line breaks always end a sentence (headlines and paragraphs carry no period).

use std::ops::Range;

/// Words that end with a period without ending a sentence (compared without the period,
/// case-sensitively, so "US." at the end of a sentence still splits).
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Sen", "Rep", "Gov", "Gen", "Lt", "Col",
    "Capt", "Sgt", "Adm", "Maj", "Cmdr", "Pres", "Hon", "Rev", "Fr", "Sec", "Amb", "Atty", "Supt",
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No",
    "Nos", "vs", "v", "etc", "e.g", "i.e", "al", "approx", "Inc", "Corp", "Ltd", "Co", "Dept",
    "Univ", "Ave", "Blvd", "Mt", "U.S", "U.K", "U.N", "E.U", "D.C", "a.m", "p.m", "Ph.D",
];

const CLOSERS: &[char] = &['"', '\'', '”', '’', ')', ']', '»'];

/// The segmentation stage: an article's text into sentences (byte ranges, in order, not
/// overlapping). A language with other sentence rules is another implementation.
pub trait Segmenter: Send + Sync {
    fn segment(&self, text: &str) -> Vec<Range<usize>>;
}

/// The rules above, for English news text.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnglishRules;

impl Segmenter for EnglishRules {
    fn segment(&self, text: &str) -> Vec<Range<usize>> {
        split_sentences(text)
    }
}

/// Byte ranges of the sentences of `text`, trimmed of surrounding white space; empty
/// stretches produce no sentence.
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == '\n' {
            push_trimmed(text, start..at, &mut sentences);
            start = at + 1;
        } else if matches!(c, '.' | '!' | '?') {
            // Extend over repeated terminators and closing quotes/brackets.
            let mut j = i + 1;
            while j < chars.len()
                && (matches!(chars[j].1, '.' | '!' | '?') || CLOSERS.contains(&chars[j].1))
            {
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |(b, _)| *b);
            let followed_by_space = j < chars.len() && chars[j].1.is_whitespace();
            if (j == chars.len() || followed_by_space)
                && !(c == '.' && is_abbreviation(text, at))
                && next_starts_sentence(&chars[j..])
            {
                push_trimmed(text, start..end, &mut sentences);
                start = end;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push_trimmed(text, start..text.len(), &mut sentences);
    sentences
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let leading = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if !trimmed.is_empty() {
        let start = range.start + leading;
        out.push(start..start + trimmed.len());
    }
}

/// Whether the word ending at the period at byte `period` is an abbreviation or an initial.
fn is_abbreviation(text: &str, period: usize) -> bool {
    let before = &text[..period];
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '(' | '"' | '“' | '\'' | '‘'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    let mut letters = word.chars();
    let single_initial =
        matches!((letters.next(), letters.next()), (Some(c), None) if c.is_uppercase());
    single_initial || ABBREVIATIONS.contains(&word)
}

/// A sentence starts with an upper-case letter, a digit, or an opening quote or bracket;
/// the end of the text also counts.
fn next_starts_sentence(rest: &[(usize, char)]) -> bool {
    match rest.iter().find(|(_, c)| !c.is_whitespace()) {
        None => true,
        Some((_, c)) => {
            c.is_uppercase()
                || c.is_numeric()
                || matches!(
                    c,
                    '"' | '“' | '\'' | '‘' | '(' | '[' | '¿' | '¡' | '-' | '—'
                )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        split_sentences(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn abbreviations_initials_and_decimals_do_not_split() {
        let text = "Mr. Castillo met Gen. Smith on Jan. 5 in the U.S. capital. Growth was 3.5 percent. J. K. Rowling spoke.";
        assert_eq!(
            split(text),
            [
                "Mr. Castillo met Gen. Smith on Jan. 5 in the U.S. capital.",
                "Growth was 3.5 percent.",
                "J. K. Rowling spoke."
            ]
        );
    }

    #[test]
    fn quotes_questions_and_line_breaks() {
        let text = "Headline without period\n\n“We will win,” she said. “Will they?” He left! (Then it rained.) Done";
        assert_eq!(
            split(text),
            [
                "Headline without period",
                "“We will win,” she said.",
                "“Will they?”",
                "He left!",
                "(Then it rained.)",
                "Done"
            ]
        );
    }

    #[test]
    fn lower_case_continuations_and_offsets() {
        let text = "  It cost $5 vs. $7 in the U.S. and abroad.  Next one.";
        let ranges = split_sentences(text);
        assert_eq!(ranges.len(), 2);
        assert_eq!(
            &text[ranges[0].clone()],
            "It cost $5 vs. $7 in the U.S. and abroad."
        );
        assert_eq!(ranges[1].end, text.len());
        assert!(split_sentences("   \n\n ").is_empty());
    }
}
