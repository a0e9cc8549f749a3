//! Suggesting registry entries: frequent capitalised names that no registry form covers,
//! and frequent role phrases ("the interior minister") that no role of the registry does.

use std::collections::HashMap;
use std::ops::Range;

use super::matcher::Matcher;
use super::roles::{words_of, Roles};
use crate::annotate::references::role_phrases;
use crate::corpus::{CorpusError, Reader, Record, Reject};
use crate::text::split_sentences;

/// Lower-case words allowed inside a name ("Bank of America", "Pedro Castillo de la Cruz").
const CONNECTORS: &[&str] = &[
    "of", "de", "del", "la", "los", "las", "y", "for", "the", "van", "von", "al", "bin",
];

/// Capitalised words that start sentences or headlines without naming anyone.
const FUNCTION_WORDS: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "But",
    "And",
    "Or",
    "If",
    "It",
    "Its",
    "This",
    "That",
    "These",
    "Those",
    "He",
    "She",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Their",
    "Our",
    "As",
    "After",
    "Before",
    "When",
    "While",
    "For",
    "With",
    "By",
    "From",
    "To",
    "Of",
    "Also",
    "Read",
    "More",
    "ALSO",
    "READ",
    "Source",
    "However",
    "Meanwhile",
    "Critics",
    "There",
    "What",
    "Why",
    "How",
    "Who",
    "Some",
    "Many",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub name: String,
    pub count: u64,
    pub articles: u64,
    pub example: String,
}

/// What a candidate is: a name for the registry, or a role phrase for a roles file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suggestion {
    Name,
    Role,
}

impl Suggestion {
    pub fn as_str(self) -> &'static str {
        match self {
            Suggestion::Name => "name",
            Suggestion::Role => "role",
        }
    }
}

/// Per candidate: occurrences, articles, an example sentence.
type Counts = HashMap<String, (u64, u64, String)>;

/// Counts names and role phrases across articles; feed articles one by one, then take the
/// list.
pub struct Discovery<'a> {
    matcher: &'a Matcher,
    /// The registry's role phrases ("president", "white house"), lowercase words.
    roles: Vec<Vec<String>>,
    names: Counts,
    role_phrases: Counts,
}

impl<'a> Discovery<'a> {
    pub fn new(matcher: &'a Matcher, roles: &Roles) -> Self {
        Self {
            matcher,
            roles: roles.tenures.iter().map(|t| t.phrase.clone()).collect(),
            names: HashMap::new(),
            role_phrases: HashMap::new(),
        }
    }

    /// Adds one article, given its text and sentence ranges.
    pub fn add(&mut self, text: &str, sentences: &[Range<usize>]) {
        let covered: Vec<Range<usize>> = self
            .matcher
            .find(text)
            .into_iter()
            .map(|m| m.span)
            .collect();
        let mut in_article: Vec<String> = Vec::new();
        let mut roles_in_article: Vec<String> = Vec::new();
        for sentence in sentences {
            let example = || text[sentence.clone()].to_string();
            for name in capitalised_runs(text, sentence.clone()) {
                if covered
                    .iter()
                    .any(|c| c.start < name.end && name.start < c.end)
                {
                    continue;
                }
                count(&mut self.names, &text[name], &mut in_article, example);
            }
            for role in role_phrases(text, sentence.clone()) {
                let words = words_of(&text[role]);
                if self.roles.iter().any(|r| words.ends_with(r)) {
                    continue;
                }
                count(
                    &mut self.role_phrases,
                    &words.join(" "),
                    &mut roles_in_article,
                    example,
                );
            }
        }
    }

    /// Adds every article of `reader`; rejected records go to `on_reject` (discovery is a
    /// survey: a bad record does not stop it). Returns how many records were rejected.
    pub fn scan(
        &mut self,
        reader: Reader,
        mut on_reject: impl FnMut(&Reject),
    ) -> Result<u64, CorpusError> {
        let mut rejected = 0;
        for record in reader {
            match record? {
                Record::Article(a) => self.add(&a.text, &split_sentences(&a.text)),
                Record::Reject(r) => {
                    rejected += 1;
                    on_reject(&r);
                }
            }
        }
        Ok(rejected)
    }

    /// Names, then role phrases, seen at least `min_count` times, each most frequent first
    /// (ties by name).
    pub fn candidates(self, min_count: u64) -> Vec<(Suggestion, Candidate)> {
        let ranked = |counts: Counts| {
            let mut out: Vec<Candidate> = counts
                .into_iter()
                .filter(|(_, (count, _, _))| *count >= min_count)
                .map(|(name, (count, articles, example))| Candidate {
                    name,
                    count,
                    articles,
                    example,
                })
                .collect();
            out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
            out
        };
        let names = ranked(self.names)
            .into_iter()
            .map(|c| (Suggestion::Name, c));
        let roles = ranked(self.role_phrases)
            .into_iter()
            .map(|c| (Suggestion::Role, c));
        names.chain(roles).collect()
    }
}

/// Counts one occurrence of `key` in `counts`, and its article once.
fn count(
    counts: &mut Counts,
    key: &str,
    in_article: &mut Vec<String>,
    example: impl FnOnce() -> String,
) {
    let entry = counts
        .entry(key.to_string())
        .or_insert_with(|| (0, 0, example()));
    entry.0 += 1;
    if !in_article.iter().any(|k| k == key) {
        entry.1 += 1;
        in_article.push(key.to_string());
    }
}

/// Runs of capitalised words in a sentence, joined by connectors; a lone capitalised word at
/// the sentence start is skipped (capitalised by position, not by being a name), and
/// leading function words are dropped.
fn capitalised_runs(text: &str, sentence: Range<usize>) -> Vec<Range<usize>> {
    let s = &text[sentence.clone()];
    let words: Vec<(usize, &str, bool)> = s
        .split(|c: char| c.is_whitespace())
        .scan(0usize, |pos, w| {
            let start = *pos;
            *pos += w.len() + 1;
            Some((start, w))
        })
        .map(|(start, w)| {
            let trimmed_start =
                w.len() - w.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
            let core = w.trim_matches(|c: char| !c.is_alphanumeric());
            // Punctuation after a word ("Honduras, Mexico") ends a name there.
            let ends_run = !w.ends_with(|c: char| c.is_alphanumeric());
            let core = core
                .strip_suffix("’s")
                .or_else(|| core.strip_suffix("'s"))
                .unwrap_or(core);
            (start + trimmed_start, core, ends_run)
        })
        .filter(|(_, w, _)| !w.is_empty())
        .collect();
    let is_cap = |w: &str| {
        w.chars().next().is_some_and(char::is_uppercase) && w.chars().any(char::is_lowercase)
            || w.len() > 1 && w.chars().all(|c| c.is_uppercase())
    };
    let mut runs = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !is_cap(words[i].1) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut last = i;
        while j < words.len()
            && !words[j - 1].2
            && (is_cap(words[j].1) || CONNECTORS.contains(&words[j].1))
        {
            if is_cap(words[j].1) {
                last = j;
            }
            j += 1;
        }
        let mut first = i;
        while first <= last && FUNCTION_WORDS.contains(&words[first].1) {
            first += 1;
        }
        let at_start = first == 0 && i == 0;
        if first <= last && !(at_start && first == last) {
            let start = sentence.start + words[first].0;
            let end = sentence.start + words[last].0 + words[last].1.len();
            runs.push(start..end);
        }
        i = j.max(i + 1);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(text: &str) -> Vec<&str> {
        capitalised_runs(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn role_phrases_the_registry_lacks_are_suggested() {
        let registry = crate::actors::Registry::default();
        let matcher = Matcher::new(&registry).expect("matcher");
        let mut roles = Roles::default();
        roles.tenures.push(crate::actors::Role {
            phrase: vec!["president".into()],
            actor: 0,
            from: None,
            to: None,
            qualifiers: Vec::new(),
            origin: crate::actors::registry::Origin {
                file: "r.csv".into(),
                line: 2,
            },
        });
        let mut discovery = Discovery::new(&matcher, &roles);
        let text = "The interior minister resigned. The president spoke, and the interior \
                    minister's deputy left. The prime minister Alberto Otárola stayed.";
        discovery.add(text, &split_sentences(text));
        let found: Vec<(Suggestion, String, u64)> = discovery
            .candidates(1)
            .into_iter()
            .filter(|(s, _)| *s == Suggestion::Role)
            .map(|(s, c)| (s, c.name, c.count))
            .collect();
        assert_eq!(
            found,
            [(Suggestion::Role, "the interior minister".into(), 2)]
        );
    }

    #[test]
    fn finds_multiword_names_and_skips_sentence_starts() {
        assert_eq!(
            runs("Critics said the Peruvian Foreign Ministry and Bank of America’s chief met Lima officials."),
            ["Peruvian Foreign Ministry", "Bank of America", "Lima"]
        );
        assert_eq!(
            runs("The Ombudsman spoke to Reuters."),
            ["Ombudsman", "Reuters"]
        );
        assert_eq!(
            runs("Envoys left Honduras, Mexico, and Bolivia in March."),
            ["Honduras", "Mexico", "Bolivia"]
        );
    }
}
