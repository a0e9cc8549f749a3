//! Folded text: what names are matched on. News text writes one name many ways: with or
//! without accents, accents composed (`ó`) or decomposed (`o` + U+0301), either apostrophe,
//! a non-breaking space, a double space or a line break between first and last name.
//! Folding removes those differences from the registry's names and from an article's text
//! alike, and remembers where each folded byte came from, so a match is reported as a byte
//! range of the original text. A blank line (a paragraph break) is not folded into a space: a
//! name never runs from one paragraph into the next.
//!
//! Letter case is kept: "Bush" the president is not "bush" the plant.

use std::ops::Range;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Text folded for matching, with each folded byte's origin in the original.
pub struct Folded {
    pub text: String,
    /// For each byte of `text`, the original byte range of the character (with any accents
    /// and, for a space, the whole run of white space) it came from.
    origin: Vec<Range<usize>>,
}

impl Folded {
    pub fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut origin: Vec<Range<usize>> = Vec::with_capacity(original.len());
        let mut in_space = false;
        let mut line_breaks = 0;
        for (at, c) in original.char_indices() {
            let end = at + c.len_utf8();
            if is_combining_mark(c) {
                // An accent written apart belongs to the letter before it.
                extend_last(&text, &mut origin, end);
                continue;
            }
            if c.is_whitespace() {
                if in_space {
                    extend_last(&text, &mut origin, end);
                } else {
                    push(&mut text, &mut origin, ' ', at..end);
                    in_space = true;
                    line_breaks = 0;
                }
                if c == '\n' {
                    line_breaks += 1;
                    if line_breaks == 2 {
                        // The same one byte, so `origin` stays aligned.
                        text.pop();
                        text.push('\n');
                    }
                }
                continue;
            }
            in_space = false;
            let mut base = Vec::with_capacity(2);
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    base.push(apostrophe(d));
                }
            });
            for d in base {
                push(&mut text, &mut origin, d, at..end);
            }
        }
        Self { text, origin }
    }

    /// The original byte range of the folded range `span` (a match in `text`).
    pub fn original(&self, span: Range<usize>) -> Range<usize> {
        match (self.origin.get(span.start), span.end.checked_sub(1)) {
            (Some(first), Some(last)) if last >= span.start => {
                first.start..self.origin.get(last).map_or(first.end, |r| r.end)
            }
            _ => 0..0,
        }
    }
}

/// A name as it is matched: `Folded::new(name).text`, trimmed.
pub fn fold(name: &str) -> String {
    Folded::new(name.trim()).text
}

/// Apostrophe-like characters as the ASCII apostrophe.
fn apostrophe(c: char) -> char {
    match c {
        '’' | '‘' | 'ʼ' | '`' | '´' => '\'',
        other => other,
    }
}

fn push(text: &mut String, origin: &mut Vec<Range<usize>>, c: char, from: Range<usize>) {
    text.push(c);
    origin.extend(std::iter::repeat_n(from, c.len_utf8()));
}

/// Widens the origin of the last folded character to end at `end`.
fn extend_last(text: &str, origin: &mut [Range<usize>], end: usize) {
    let Some(last) = text.chars().next_back() else {
        return;
    };
    let n = origin.len();
    for r in &mut origin[n - last.len_utf8()..] {
        r.end = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_apostrophes_and_white_space_fold_alike() {
        for written in [
            "López Obrador",
            "Lopez Obrador",
            "Lo\u{301}pez Obrador",
            "López\u{a0}Obrador",
            "López  Obrador",
            "López\nObrador",
            "López \r\n Obrador",
        ] {
            assert_eq!(fold(written), "Lopez Obrador", "{written:?}");
        }
        assert_eq!(fold("O’Neil"), fold("O'Neil"));
        assert_eq!(fold("López\n\nObrador"), "Lopez\nObrador");
        assert_eq!(fold("López \r\n \r\nObrador"), "Lopez\nObrador");
        assert_ne!(fold("Bush"), fold("bush"));
    }

    #[test]
    fn a_folded_match_maps_back_to_the_original_bytes() {
        let original = "Dijo Lo\u{301}pez\u{a0}\u{a0}Obrador, y Ñañez.";
        let folded = Folded::new(original);
        let at = folded.text.find("Lopez Obrador").unwrap();
        let span = folded.original(at..at + "Lopez Obrador".len());
        assert_eq!(&original[span], "Lo\u{301}pez\u{a0}\u{a0}Obrador");
        let at = folded.text.find("Nanez").unwrap();
        assert_eq!(&original[folded.original(at..at + 5)], "Ñañez");
    }
}
