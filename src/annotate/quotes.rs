//! Attributions: the stretches of an article that are somebody else's words or thoughts,
//! each with its cue (the verb) and its source (the speaker's text), found by rules.
//!
//! Two kinds, as news writes them:
//! - **quoted**: a direct quotation between double quote marks (straight or curly; single
//!   marks inside them are part of it). A quotation open at the end of a paragraph goes on
//!   when the next paragraph opens with a mark (the multi-paragraph convention), and ends at
//!   the paragraph otherwise (an unbalanced mark never swallows the article). Its speaker is
//!   the cue next to it ("…,” Trump said. / Trump said: “…”), else the enclosing reported
//!   speech's, else the previous quotation's when it is close by (a speaker's quotes run on),
//!   else unknown.
//! - **reported**: "X said (that) …", "…, X said.", "…, said X.", "The plan, X said, is …",
//!   "according to X, …", "X told reporters (that) …", "X accused Y of …", beliefs ("X
//!   believes …"), and the other cue verbs of `CUES`. The content runs from the cue to the end
//!   of the sentence, or from the start of the sentence to the cue's clause when the cue comes
//!   last.
//!
//! Offsets are byte offsets into the article's text. The rules were tuned on folds 0-3 of
//! PolNeAR's training articles (`scripts/eval-attribution`); fold 4 is only reported.

// An attribution's content is a list of byte ranges, most often of one: not a mistaken
// `vec![a..b]` meaning the numbers a to b.
#![allow(clippy::single_range_in_vec_init)]

use std::ops::Range;

use serde::Serialize;

/// Whose voice a stretch of text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Voice {
    /// The outlet's own words.
    Own,
    /// A direct quotation.
    Quoted,
    /// Reported speech or thought.
    Reported,
}

impl Voice {
    pub fn as_str(self) -> &'static str {
        match self {
            Voice::Own => "own",
            Voice::Quoted => "quoted",
            Voice::Reported => "reported",
        }
    }

    pub fn parse(s: &str) -> Option<Voice> {
        match s {
            "own" => Some(Voice::Own),
            "quoted" => Some(Voice::Quoted),
            "reported" => Some(Voice::Reported),
            _ => None,
        }
    }
}

/// Somebody's words in an article: what (content), by which verb (cue), whose (source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// `Quoted` or `Reported`.
    pub voice: Voice,
    /// One range, or two when a parenthetical cue splits it ("The plan, X said, is bad").
    pub content: Vec<Range<usize>>,
    pub cue: Option<Range<usize>>,
    pub source: Option<Range<usize>>,
}

impl Attribution {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, span: &Range<usize>) -> bool {
        self.content
            .iter()
            .any(|c| c.start <= span.start && span.end <= c.end)
    }

    /// Bytes of content.
    pub fn len(&self) -> usize {
        self.content.iter().map(|c| c.len()).sum()
    }
}

/// Verb forms that introduce speech, thought or an evaluation of somebody: PolNeAR, like
/// PARC, counts "Ali rebuked Trump", "the poll found", "Ryan endorsed Trump" as attributions
/// (the object and what follows are the source's content). Base forms are left out where
/// they are mostly nouns in news ("claim", "report", "support").
const CUES: &[&str] = &[
    "said",
    "says",
    "say",
    "saying",
    "told",
    "tells",
    "tell",
    "telling",
    "argued",
    "argues",
    "argue",
    "arguing",
    "claimed",
    "claims",
    "claiming",
    "warned",
    "warns",
    "warning",
    "tweeted",
    "tweets",
    "tweeting",
    "wrote",
    "writes",
    "writing",
    "added",
    "adds",
    "adding",
    "noted",
    "notes",
    "noting",
    "explained",
    "explains",
    "explaining",
    "stated",
    "states",
    "insisted",
    "insists",
    "insisting",
    "believes",
    "believed",
    "believe",
    "thinks",
    "thought",
    "think",
    "accused",
    "accuses",
    "accusing",
    "announced",
    "announces",
    "announcing",
    "suggested",
    "suggests",
    "suggest",
    "suggesting",
    "asserted",
    "asserts",
    "denied",
    "denies",
    "denying",
    "acknowledged",
    "acknowledges",
    "admitted",
    "admits",
    "urged",
    "urges",
    "urging",
    "predicted",
    "predicts",
    "declared",
    "declares",
    "declaring",
    "reported",
    "reports",
    "contended",
    "contends",
    "maintained",
    "maintains",
    "charged",
    "alleged",
    "alleges",
    "complained",
    "complains",
    "vowed",
    "vows",
    "promised",
    "promises",
    "pledged",
    "responded",
    "replied",
    "asked",
    "asks",
    "asking",
    "concluded",
    "estimated",
    "recalled",
    "recalls",
    "confirmed",
    "confirms",
    "emphasized",
    "stressed",
    "joked",
    "quipped",
    "boasted",
    "lamented",
    "conceded",
    "observed",
    "knows",
    "knew",
    "know",
    "feels",
    "felt",
    "expects",
    "expected",
    "hopes",
    "hoped",
    "fears",
    "feared",
    "worries",
    "worried",
    "agreed",
    "agrees",
    "disagreed",
    "countered",
    "questioned",
    "questions",
    "blamed",
    "blames",
    "blaming",
    "called",
    "calls",
    "calling",
    "praised",
    "praises",
    "praising",
    "criticized",
    "criticizes",
    "criticizing",
    "criticised",
    "slammed",
    "slams",
    "slamming",
    "attacked",
    "attacks",
    "attacking",
    "described",
    "describes",
    "describing",
    "revealed",
    "disclosed",
    "indicated",
    "signaled",
    "mused",
    "posted",
    "wondered",
    "recounted",
    "testified",
    "shouted",
    "yelled",
    "cautioned",
    "advised",
    "demanded",
    "demands",
    "proposed",
    "proposes",
    "touted",
    "touts",
    "dismissed",
    "dismisses",
    "condemned",
    "condemns",
    "assured",
    "reiterated",
    "repeated",
    "reminded",
    "continued",
    "endorsed",
    "endorses",
    "endorsing",
    "supports",
    "supported",
    "supporting",
    "backed",
    "backs",
    "backing",
    "opposes",
    "opposed",
    "opposing",
    "rebuked",
    "rebukes",
    "blasted",
    "blasts",
    "mocked",
    "mocks",
    "ridiculed",
    "rejected",
    "rejects",
    "denounced",
    "denounces",
    "welcomed",
    "applauded",
    "hailed",
    "cited",
    "cites",
    "citing",
    "referred",
    "referring",
    "mentioned",
    "discussed",
    "talked",
    "talking",
    "spoke",
    "speaking",
    "debated",
    "answered",
    "wants",
    "wanted",
    "want",
    "seeks",
    "sought",
    "refused",
    "declined",
    "threatened",
    "threatens",
    "confessed",
    "proclaimed",
    "found",
    "finds",
    "show",
    "shows",
    "showed",
    "showing",
    "indicates",
    "underscores",
    "highlighted",
    "highlights",
    "implied",
    "hinted",
    "intimated",
    "recommended",
    "credited",
    "thanked",
    "congratulated",
    "apologized",
    "regretted",
    "doubted",
    "doubts",
    "sees",
    "saw",
    "viewed",
    "views",
    "considered",
    "considers",
    "regarded",
    "characterized",
    "labeled",
    "dubbed",
    "branded",
    "likened",
    "compared",
    "defended",
    "defends",
    "defending",
    "challenged",
    "challenges",
    "questioning",
    "pointed",
    "expressed",
    "expresses",
    "predicting",
    "vowing",
    "promising",
    "warned",
    "acknowledging",
    "conceding",
    "admitting",
    "stressing",
    "emphasizing",
    "alleging",
    "complaining",
    "recalling",
    "contending",
    "maintaining",
    "declining",
    "refusing",
    "seemed",
    "seems",
    "appeared",
    "appears",
    "plans",
    "planned",
    "hopes",
    "insist",
    "wonder",
    "wonders",
    "imagine",
    "recognized",
    "recognizes",
    "understands",
    "understood",
    "realized",
    "assumed",
    "assumes",
    "claim",
    "agree",
    "deny",
    "admit",
    "fear",
    "hope",
    "expect",
    "worry",
    "doubt",
    "support",
    "oppose",
    "believing",
    "thinking",
    "knowing",
    "voiced",
    "voices",
    "voicing",
];

/// Cue verbs whose first object is the addressee, not the content ("told reporters that …").
const ADDRESSEE_CUES: &[&str] = &[
    "told", "tells", "tell", "telling", "assured", "reminded", "informed",
];

/// Cues in the -ing form: after a comma they go with the sentence's subject ("Trump attacked
/// Clinton, saying she …").
fn is_gerund(word: &str) -> bool {
    word.ends_with("ing") && word.len() > 4
}

/// Words between a source and its cue that belong to neither ("has also said").
const BETWEEN: &[&str] = &[
    "has",
    "have",
    "had",
    "also",
    "repeatedly",
    "previously",
    "later",
    "then",
    "again",
    "once",
    "often",
    "recently",
    "publicly",
    "privately",
    "will",
    "would",
    "could",
    "can",
    "may",
    "might",
    "did",
    "does",
    "do",
    "not",
    "never",
    "reportedly",
    "allegedly",
    "frequently",
    "long",
    "falsely",
    "wrongly",
    "correctly",
    "famously",
    "first",
    "initially",
    "ultimately",
    "is",
    "was",
    "were",
    "are",
    "been",
    "being",
    "has",
    "further",
    "even",
    "still",
    "already",
    "just",
    "flatly",
    "openly",
    "explicitly",
    "clearly",
    "simply",
    "only",
    "since",
    "quickly",
];

/// Words a source's noun phrase does not reach back over.
const CLAUSE_WORDS: &[&str] = &[
    "that", "which", "who", "whom", "and", "but", "because", "when", "while", "as", "if", "after",
    "before", "though", "although", "so", "or", "where", "whether", "than", "what", "how", "why",
    "once", "until", "unless", "whereas", "nor", "yet", "since",
];

/// Determiners that make a cue form a noun ("his claims", "the report").
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "these", "those", "this",
    "such", "some", "any", "no", "of", "to", "new", "first", "many", "several",
];

/// The longest source noun phrase, in words.
const MAX_SOURCE_WORDS: usize = 10;

/// A previous quotation's speaker carries over to an unattributed one that starts at most
/// this many bytes after it ends.
const RUN_ON_BYTES: usize = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Comma,
    Colon,
    /// `.`, `!`, `?`
    Stop,
    /// Dashes, parentheses, semicolons: clause breaks.
    Break,
    Quote,
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) span: Range<usize>,
    pub(crate) kind: Kind,
    pub(crate) lower: String,
    /// Starts with a capital letter.
    pub(crate) capital: bool,
}

fn is_quote_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '«' | '»')
}

fn is_inner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '.' | '&')
}

/// Whether the `.` at `chars[end]`, right after the word `chars[start..end]`, belongs to it:
/// a title, an initial or an initialism ("Mr.", "Sen.", "Jr.", "R.", "F.A.A.") with more of the sentence after
/// it. Read as a full stop, it would cut "Mr. Ryan said" to "Ryan said" after a stop (so the
/// content before the quote was lost) and "Joseph R. Biden said" to the speaker "Joseph R".
/// The sentence splitter has already decided where sentences end, so a period with words
/// after it inside one sentence is never its end.
fn abbreviation_period(chars: &[(usize, char)], start: usize, end: usize) -> bool {
    const LONGEST: usize = 4;
    let initialism = chars[start..end].iter().any(|(_, c)| *c == '.');
    chars.get(end).is_some_and(|(_, c)| *c == '.')
        && (end - start <= LONGEST || initialism)
        && chars[start].1.is_uppercase()
        && chars[end + 1..]
            .iter()
            .find(|(_, c)| !c.is_whitespace())
            .is_some_and(|(_, c)| c.is_alphanumeric())
}

/// The tokens of `text[range]`.
pub(crate) fn tokenize(text: &str, range: Range<usize>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let slice = &text[range.clone()];
    let chars: Vec<(usize, char)> = slice.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].1.is_alphanumeric()
                    || (is_inner(chars[j].1)
                        && chars.get(j + 1).is_some_and(|(_, n)| n.is_alphanumeric())))
            {
                j += 1;
            }
            if abbreviation_period(&chars, i, j) {
                j += 1;
            }
            let end = chars.get(j).map_or(slice.len(), |(b, _)| *b);
            tokens.push(Token {
                span: range.start + at..range.start + end,
                kind: Kind::Word,
                lower: slice[at..end].to_lowercase(),
                capital: c.is_uppercase(),
            });
            i = j;
            continue;
        }
        let kind = match c {
            ',' => Kind::Comma,
            ':' => Kind::Colon,
            '.' | '!' | '?' => Kind::Stop,
            '—' | '–' | '(' | ')' | ';' | '[' | ']' => Kind::Break,
            '-' if chars.get(i + 1).is_some_and(|(_, n)| *n == '-') => Kind::Break,
            c if is_quote_mark(c) => Kind::Quote,
            _ => Kind::Other,
        };
        let end = at + c.len_utf8();
        tokens.push(Token {
            span: range.start + at..range.start + end,
            kind,
            lower: c.to_string(),
            capital: false,
        });
        i += 1;
    }
    tokens
}

/// The direct quotations of `text`, marks included.
pub fn find_quotes(text: &str) -> Vec<Range<usize>> {
    let mut quotes = Vec::new();
    let mut open: Option<usize> = None;
    // Where the paragraph that a still-open quotation is in ended.
    let mut paragraph_end: Option<usize> = None;
    let mut previous = ' ';
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        // Two apostrophes stand for a straight double mark in some newspapers' text.
        let (c, width) = match (c, chars.peek()) {
            ('\'', Some((_, '\''))) => {
                chars.next();
                ('"', 2)
            }
            _ => (c, c.len_utf8()),
        };
        if c == '\n' {
            if open.is_some() && paragraph_end.is_none() {
                paragraph_end = Some(at);
            }
            previous = c;
            continue;
        }
        if let (Some(start), Some(end)) = (open, paragraph_end) {
            if c.is_whitespace() {
                continue;
            }
            paragraph_end = None;
            if matches!(c, '"' | '“' | '„' | '«') {
                // The quotation goes on in this paragraph.
                previous = c;
                continue;
            }
            quotes.push(start..trim_end(text, end));
            open = None;
        }
        let opens = match c {
            '“' | '„' | '«' => true,
            '"' => open.is_none(),
            _ => false,
        };
        let closes = match c {
            '”' | '»' => true,
            '"' => open.is_some() && !previous.is_whitespace(),
            _ => false,
        };
        if closes {
            if let Some(start) = open.take() {
                quotes.push(start..at + width);
            }
        } else if opens && open.is_none() {
            open = Some(at);
        }
        previous = c;
    }
    if let Some(start) = open {
        let end = paragraph_end.unwrap_or(text.len());
        quotes.push(start..trim_end(text, end));
    }
    quotes.retain(|q| q.len() > 2);
    quotes
}

fn trim_end(text: &str, end: usize) -> usize {
    text[..end].trim_end().len()
}

/// All attributions of an article, given its sentences (in text order), in order of content.
pub fn find_attributions(text: &str, sentences: &[Range<usize>]) -> Vec<Attribution> {
    let quotes = find_quotes(text);
    let mut found: Vec<Attribution> = Vec::new();
    for sentence in sentences {
        reported_in_sentence(
            &sentence_tokens(text, sentence, &quotes),
            &quotes,
            &mut found,
        );
    }
    let mut previous: Option<(usize, CueAndSource)> = None;
    let mut quoted: Vec<Attribution> = Vec::new();
    for quote in &quotes {
        let around = cue_after_quote(text, sentences, &quotes, quote)
            .or_else(|| cue_before_quote(text, sentences, &quotes, quote));
        let (cue, source) = match around {
            Some(found) => found,
            None => match found
                .iter()
                .filter(|a| a.contains(quote))
                .min_by_key(|a| a.len())
            {
                Some(enclosing) => (enclosing.cue.clone(), enclosing.source.clone()),
                None => match &previous {
                    Some((end, (cue, source))) if quote.start < end + RUN_ON_BYTES => {
                        (cue.clone(), source.clone())
                    }
                    _ => (None, None),
                },
            },
        };
        previous = Some((quote.end, (cue.clone(), source.clone())));
        // Quotations that run on under one cue are one attribution, as annotators read them
        // (“…,” he said. “…”).
        match quoted.last_mut() {
            Some(last) if cue.is_some() && last.cue == cue && last.source == source => {
                last.content.push(quote.clone());
            }
            _ => quoted.push(Attribution {
                voice: Voice::Quoted,
                content: vec![quote.clone()],
                cue,
                source,
            }),
        }
    }
    found.extend(quoted);
    found.sort_by_key(|a| (a.content[0].start, std::cmp::Reverse(a.len())));
    found
}

/// A sentence's tokens, each quotation in it one `Quote` token (its words are the quoted
/// speaker's, not cues of the sentence).
fn sentence_tokens(text: &str, sentence: &Range<usize>, quotes: &[Range<usize>]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut at = sentence.start;
    let inside = quotes
        .iter()
        .filter(|q| q.start < sentence.end && sentence.start < q.end);
    for quote in inside {
        if at < quote.start {
            tokens.extend(tokenize(text, at..quote.start));
        }
        tokens.push(Token {
            span: quote.start.max(sentence.start)..quote.end.min(sentence.end),
            kind: Kind::Quote,
            lower: String::new(),
            capital: false,
        });
        at = quote.end.min(sentence.end);
    }
    if at < sentence.end {
        tokens.extend(tokenize(text, at..sentence.end));
    }
    tokens
}

/// The sentence holding byte `at`.
fn sentence_at(sentences: &[Range<usize>], at: usize) -> Option<Range<usize>> {
    let i = sentences.partition_point(|s| s.end <= at);
    sentences.get(i).filter(|s| s.start <= at).cloned()
}

type CueAndSource = (Option<Range<usize>>, Option<Range<usize>>);

/// "“…,” Trump said." / "“…,” said Trump, the nominee." / "“…” he told reporters."
fn cue_after_quote(
    text: &str,
    sentences: &[Range<usize>],
    quotes: &[Range<usize>],
    quote: &Range<usize>,
) -> Option<CueAndSource> {
    let sentence = sentence_at(sentences, quote.end.saturating_sub(1))?;
    let until = quotes
        .iter()
        .map(|q| q.start)
        .find(|&s| s >= quote.end)
        .unwrap_or(sentence.end)
        .min(sentence.end);
    if until <= quote.end {
        return None;
    }
    let tokens = tokenize(text, quote.end..until);
    let words: Vec<&Token> = tokens
        .iter()
        .skip_while(|t| t.kind != Kind::Word)
        .take_while(|t| t.kind == Kind::Word || t.kind == Kind::Comma)
        .collect();
    let first = words.iter().position(|t| t.kind == Kind::Word)?;
    let cue_at = words
        .iter()
        .take(first + 6)
        .position(|t| t.kind == Kind::Word && CUES.contains(&t.lower.as_str()))?;
    let cue = words[cue_at].span.clone();
    if cue_at == 0 {
        // "said Trump, the nominee": the words after the cue up to a comma.
        let after: Vec<&Token> = words[1..]
            .iter()
            .copied()
            .take_while(|t| t.kind == Kind::Word && !CLAUSE_WORDS.contains(&t.lower.as_str()))
            .take(MAX_SOURCE_WORDS)
            .collect();
        return Some((Some(cue), span_of(&after)));
    }
    let before: Vec<&Token> = words[..cue_at]
        .iter()
        .copied()
        .filter(|t| t.kind == Kind::Word)
        .collect();
    // "“…” of Trump, whom he called …": the cue is a relative clause's, not the quotation's.
    if before
        .iter()
        .any(|t| CLAUSE_WORDS.contains(&t.lower.as_str()))
    {
        return None;
    }
    let source = trim_between(&before);
    // "“…” from President Petro, claiming …": words that are no noun phrase are not the
    // quotation's speaker (the cue belongs to the sentence's subject).
    if !is_noun_phrase(source) {
        return None;
    }
    Some((Some(cue), span_of(source)))
}

/// "Trump said: “…”" / "Trump said, “…”" / "Trump told reporters that “…”".
fn cue_before_quote(
    text: &str,
    sentences: &[Range<usize>],
    quotes: &[Range<usize>],
    quote: &Range<usize>,
) -> Option<CueAndSource> {
    let sentence = sentence_at(sentences, quote.start)?;
    let from = quotes
        .iter()
        .map(|q| q.end)
        .filter(|&e| e <= quote.start)
        .max()
        .unwrap_or(sentence.start)
        .max(sentence.start);
    let mut tokens = tokenize(text, from..quote.start);
    if tokens.iter().all(|t| t.kind != Kind::Word) {
        // "Cruz continued:" / "HuffPollster:" ending the sentence before a quotation that
        // opens its own (a block quote): that sentence introduces it.
        let before = sentences.partition_point(|s| s.end <= sentence.start);
        let introduction = before
            .checked_sub(1)
            .map(|k| tokenize(text, sentences[k].clone()))
            .filter(|t| t.last().is_some_and(|last| last.kind == Kind::Colon));
        match introduction {
            Some(introduction) => tokens = introduction,
            None => return None,
        }
    }
    let colon = tokens.last().filter(|t| t.kind == Kind::Colon).cloned();
    let mut end = tokens.len();
    while end > 0 && matches!(tokens[end - 1].kind, Kind::Comma | Kind::Colon) {
        end -= 1;
    }
    if end > 0 && tokens[end - 1].lower == "that" {
        end -= 1;
    }
    // The cue, or a told-style cue with its object right before the quotation.
    let cue_at = (end.saturating_sub(4)..end).rev().find(|&i| {
        tokens[i].kind == Kind::Word
            && CUES.contains(&tokens[i].lower.as_str())
            && (i + 1 == end || ADDRESSEE_CUES.contains(&tokens[i].lower.as_str()))
    });
    let Some(cue_at) = cue_at else {
        // "Carl Bialik: “…”": a name alone before the colon speaks.
        let colon = colon?;
        let name: Vec<&Token> = tokens[..end].iter().collect();
        let short = name.len() <= MAX_SOURCE_WORDS / 2 && name.iter().all(|t| t.kind == Kind::Word);
        return (short && is_noun_phrase(&name))
            .then(|| span_of(&name))
            .flatten()
            .map(|source| (Some(colon.span), Some(source)));
    };
    if tokens[cue_at..end].iter().any(|t| t.kind != Kind::Word) {
        return None;
    }
    let (source, _) = source_before(&tokens, cue_at)?;
    Some((Some(tokens[cue_at].span.clone()), Some(source)))
}

/// The noun phrase a cue at `tokens[cue]` follows: words back to a clause break, skipping
/// auxiliaries and adverbs next to the cue.
fn source_before(tokens: &[Token], cue: usize) -> Option<(Range<usize>, usize)> {
    let mut start = cue;
    while start > 0 && tokens[start - 1].kind == Kind::Word {
        if CLAUSE_WORDS.contains(&tokens[start - 1].lower.as_str()) {
            break;
        }
        start -= 1;
    }
    let words: Vec<&Token> = tokens[start..cue].iter().collect();
    let kept = trim_between(&words);
    // "…, with former Gov. Martin O'Malley calling Trump a fascist": the speaker is the name
    // after "with" and its lower-case modifiers.
    let kept = match kept.first() {
        Some(w) if w.lower == "with" => {
            let name = kept.iter().position(|t| t.capital).unwrap_or(kept.len());
            &kept[name..]
        }
        _ => kept,
    };
    let skip = kept.len().saturating_sub(MAX_SOURCE_WORDS);
    if !kept.is_empty() {
        // Words that cannot open a noun phrase ("doubted the polls showing …") are not a
        // source: that cue is inside somebody else's clause.
        return is_noun_phrase(&kept[skip..])
            .then(|| span_of(&kept[skip..]))
            .flatten()
            .map(|span| (span, start + skip));
    }
    let before = start.checked_sub(1).map(|p| &tokens[p])?;
    // "Ryan, who endorsed Trump": the relative pronoun is the source (resolved later).
    if RELATIVES.contains(&before.lower.as_str()) {
        return Some((before.span.clone(), start - 1));
    }
    // "Jon Tester, chairman of the committee, said": the name and its apposition.
    if before.kind == Kind::Comma && kept.is_empty() {
        let mut from = start - 1;
        while from > 0
            && matches!(tokens[from - 1].kind, Kind::Word | Kind::Comma)
            && !CLAUSE_WORDS.contains(&tokens[from - 1].lower.as_str())
            && start - from < 2 * MAX_SOURCE_WORDS
        {
            from -= 1;
        }
        let opens = from == 0 || !matches!(tokens[from - 1].kind, Kind::Word | Kind::Comma);
        // "On March 29, Peru's government, headed by X, declared": the opening adverbial
        // ("On March 29,") is not part of the speaker.
        if opens && INTRODUCERS.contains(&tokens[from].lower.as_str()) {
            if let Some(comma) = tokens[from..start - 1]
                .iter()
                .position(|t| t.kind == Kind::Comma)
            {
                from += comma + 1;
            }
        }
        if opens && from < start - 1 && tokens[from].kind == Kind::Word {
            return Some((tokens[from].span.start..tokens[start - 2].span.end, from));
        }
    }
    None
}

/// Whether `words` can be a speaker's noun phrase: it opens with a capital, a number, a
/// pronoun or a determiner, and holds no cue verb.
fn is_noun_phrase(words: &[&Token]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    // "There is other promising news", "Do you support …": no speaker opens that way.
    if matches!(first.lower.as_str(), "there" | "do" | "does" | "did") {
        return false;
    }
    let opens = first.capital
        || first.lower.starts_with(|c: char| c.is_ascii_digit())
        || PRONOUNS.contains(&first.lower.as_str())
        || DETERMINERS.contains(&first.lower.as_str())
        || QUANTIFIERS.contains(&first.lower.as_str());
    opens && !words.iter().any(|w| CUES.contains(&w.lower.as_str()))
}

/// Words that open a noun phrase of people ("many Republicans", "most voters").
const QUANTIFIERS: &[&str] = &[
    "many",
    "most",
    "some",
    "few",
    "all",
    "both",
    "other",
    "others",
    "critics",
    "officials",
    "aides",
    "voters",
    "supporters",
    "analysts",
    "experts",
    "sources",
    "democrats",
    "republicans",
    "advisers",
    "allies",
    "opponents",
    "observers",
    "people",
    "one",
    "two",
    "three",
    "another",
    "each",
    "every",
    "several",
    "more",
    "fewer",
    "just",
    "only",
    "nearly",
    "about",
    "roughly",
    "almost",
    "over",
    "half",
    "we",
    "you",
    "us",
];

/// The subject `text[sentence]` opens with (see `sentence_subject`).
pub fn subject_of(text: &str, sentence: Range<usize>) -> Option<Range<usize>> {
    sentence_subject(&tokenize(text, sentence))
}

/// Words that open an adverbial phrase before a sentence's subject.
const INTRODUCERS: &[&str] = &[
    "on",
    "in",
    "at",
    "after",
    "before",
    "during",
    "last",
    "earlier",
    "later",
    "meanwhile",
    "since",
    "by",
    "for",
    "with",
    "from",
    "following",
    "amid",
    "despite",
    "yesterday",
    "today",
    "however",
    "still",
    "instead",
    "now",
    "then",
    "also",
];

/// Relative pronouns that can stand for a source.
const RELATIVES: &[&str] = &["who", "which", "that"];

/// The subject a sentence opens with: a pronoun, or its leading capitalized words ("Mr.
/// Trump", "Donald J. Trump"), or a determiner and the words up to the first cue.
fn sentence_subject(tokens: &[Token]) -> Option<Range<usize>> {
    let mut first = tokens.iter().position(|t| t.kind == Kind::Word)?;
    // "On March 29, Peru's government …": the subject comes after the opening adverbial.
    if INTRODUCERS.contains(&tokens[first].lower.as_str()) {
        let comma = tokens[first..].iter().position(|t| t.kind == Kind::Comma)?;
        first = tokens[first + comma..]
            .iter()
            .position(|t| t.kind == Kind::Word)?
            + first
            + comma;
    }
    if PRONOUNS.contains(&tokens[first].lower.as_str()) {
        return Some(tokens[first].span.clone());
    }
    let capitalized: Vec<&Token> = tokens[first..]
        .iter()
        .take_while(|t| t.kind == Kind::Word && (t.capital || t.lower == "of"))
        .take(MAX_SOURCE_WORDS)
        .collect();
    span_of(&capitalized)
}

const PRONOUNS: &[&str] = &["he", "she", "they", "it", "we", "i"];

/// `words` without the auxiliaries and adverbs at its end.
fn trim_between<'a, 'b>(words: &'a [&'b Token]) -> &'a [&'b Token] {
    let mut end = words.len();
    while end > 0 && BETWEEN.contains(&words[end - 1].lower.as_str()) {
        end -= 1;
    }
    &words[..end]
}

fn span_of(tokens: &[&Token]) -> Option<Range<usize>> {
    Some(tokens.first()?.span.start..tokens.last()?.span.end)
}

/// Reported speech in one sentence's tokens (those outside quotations).
fn reported_in_sentence(tokens: &[Token], quotes: &[Range<usize>], found: &mut Vec<Attribution>) {
    let Some(last) = tokens.iter().rposition(|t| t.kind != Kind::Stop) else {
        return;
    };
    let end = tokens[last].span.end;
    let start = tokens[0].span.start;
    let before = found.len();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.kind != Kind::Word {
            i += 1;
            continue;
        }
        if t.lower == "according" && tokens.get(i + 1).is_some_and(|n| n.lower == "to") {
            if let Some(a) = according_to(tokens, i, start, end) {
                found.push(a);
            }
            i += 2;
            continue;
        }
        let is_cue = is_cue_at(tokens, i);
        if !is_cue {
            i += 1;
            continue;
        }
        if let Some(a) = reported_at(tokens, i, start, end) {
            let quoted_only = a
                .content
                .iter()
                .all(|c| quotes.iter().any(|q| q.start <= c.start && c.end <= q.end));
            if !quoted_only {
                found.push(a);
            }
        }
        i += 1;
    }
    if found.len() == before {
        found.extend(headline_colon(tokens, end).or_else(|| poll_finding(tokens, start, end)));
    }
}

/// Whether the word `tokens[at]` is a cue here, not a noun or a preposition.
pub(crate) fn is_cue_at(tokens: &[Token], at: usize) -> bool {
    let after_determiner = at > 0 && DETERMINERS.contains(&tokens[at - 1].lower.as_str());
    CUES.contains(&tokens[at].lower.as_str())
        && !after_determiner
        && !is_preposition(tokens, at)
        && !is_noun_after_modifier(tokens, at)
}

/// "compared with …", "compared to …": a preposition, not a cue.
fn is_preposition(tokens: &[Token], at: usize) -> bool {
    tokens[at].lower == "compared"
        && tokens
            .get(at + 1)
            .is_some_and(|n| n.lower == "with" || n.lower == "to")
}

/// Cue forms that are as often nouns ("deep support", "phone calls").
const NOUN_LIKE_CUES: &[&str] = &[
    "support",
    "claim",
    "claims",
    "fear",
    "fears",
    "hope",
    "hopes",
    "doubt",
    "doubts",
    "worry",
    "worries",
    "questions",
    "calls",
    "attacks",
    "reports",
    "views",
    "notes",
    "promises",
    "demands",
    "challenges",
    "voices",
    "plans",
    "shows",
];

/// "drew deep support", "phone calls": a noun-like cue after a lower-case word that can
/// neither end its subject (a pronoun, a plural like "voters support") nor stand between
/// subject and verb ("would", "also", "strongly"): a noun.
fn is_noun_after_modifier(tokens: &[Token], at: usize) -> bool {
    let Some(previous) = at.checked_sub(1).map(|p| &tokens[p]) else {
        return false;
    };
    NOUN_LIKE_CUES.contains(&tokens[at].lower.as_str())
        && previous.kind == Kind::Word
        && !previous.capital
        && !PRONOUNS.contains(&previous.lower.as_str())
        && !matches!(
            previous.lower.as_str(),
            "you"
                | "who"
                | "would"
                | "will"
                | "could"
                | "should"
                | "may"
                | "might"
                | "must"
                | "can"
                | "do"
                | "did"
                | "also"
                | "still"
                | "not"
                | "never"
                | "now"
        )
        && !previous.lower.ends_with('s')
        && !previous.lower.ends_with("ly")
}

/// "according to X, …" / "…, according to X."
fn according_to(tokens: &[Token], at: usize, start: usize, end: usize) -> Option<Attribution> {
    let run = tokens[at + 2..]
        .iter()
        .take_while(|t| t.kind == Kind::Word)
        .count();
    // A source that a comma closes may be long ("according to early results of exit polls
    // conducted for The Associated Press by Edison Research, …"); else its first words.
    let closed = tokens
        .get(at + 2 + run)
        .is_some_and(|t| t.kind == Kind::Comma)
        && run <= 3 * MAX_SOURCE_WORDS;
    let source_tokens: Vec<&Token> = tokens[at + 2..at + 2 + run]
        .iter()
        .take(if closed { run } else { MAX_SOURCE_WORDS })
        .collect();
    let source = span_of(&source_tokens)?;
    let cue = tokens[at].span.start..tokens[at + 1].span.end;
    let after = at + 2 + source_tokens.len();
    let comma_after = tokens.get(after).is_some_and(|t| t.kind == Kind::Comma);
    // What follows "according to X,": the rest of the sentence, unless a new clause opens
    // there ("…, according to a CNN tally, but his path is narrowing").
    let rest = tokens
        .get(after + 1)
        .filter(|t| comma_after && !CLAUSE_WORDS.contains(&t.lower.as_str()))
        .map(|t| t.span.start..end)
        .filter(|r| r.start < r.end);
    let previous = at.checked_sub(1).map(|p| &tokens[p]);
    let content = match previous {
        // "According to X, …"
        None => vec![rest?],
        Some(p) if matches!(p.kind, Kind::Colon | Kind::Break | Kind::Quote) => vec![rest?],
        // "…, according to X(, …)": what comes before, and what follows a second comma.
        Some(p) => {
            let to = if p.kind == Kind::Comma {
                p.span.start
            } else {
                p.span.end
            };
            let before = (start < to).then_some(start..to);
            let parts: Vec<Range<usize>> = before.into_iter().chain(rest).collect();
            if parts.is_empty() {
                return None;
            }
            parts
        }
    };
    Some(Attribution {
        voice: Voice::Reported,
        content,
        cue: Some(cue),
        source: Some(source),
    })
}

/// Where the stretch before a cue's clause ends: before a comma, after a quotation.
fn content_end_before(token: &Token) -> Option<usize> {
    match token.kind {
        Kind::Comma | Kind::Break => Some(token.span.start),
        Kind::Quote => Some(token.span.end),
        _ => None,
    }
}

/// The reported speech a cue at `tokens[at]` introduces, if it has a source and content.
fn reported_at(tokens: &[Token], at: usize, start: usize, end: usize) -> Option<Attribution> {
    let cue = tokens[at].span.clone();
    let reported = |content: &[Range<usize>], source: Option<Range<usize>>| Attribution {
        voice: Voice::Reported,
        content: content.to_vec(),
        cue: Some(cue.clone()),
        source,
    };
    let previous = at.checked_sub(1).map(|p| &tokens[p]);
    // "Trump attacked Clinton, saying she …": the sentence's subject speaks.
    if previous.is_some_and(|p| p.kind == Kind::Comma) && is_gerund(&tokens[at].lower) {
        let from = tokens.get(at + 1)?.span.start;
        return (from < end).then(|| reported(&[from..end], sentence_subject(tokens)));
    }
    // "…, said Trump." / "“…” said Trump.": an inverted cue at the end.
    if let Some(to) = previous.and_then(content_end_before) {
        let after: Vec<&Token> = tokens[at + 1..]
            .iter()
            .take_while(|t| t.kind == Kind::Word)
            .take(MAX_SOURCE_WORDS)
            .collect();
        let rest_is_end = tokens[at + 1 + after.len()..]
            .iter()
            .all(|t| matches!(t.kind, Kind::Stop | Kind::Comma));
        if let Some(source) = span_of(&after).filter(|_| rest_is_end && start < to) {
            return Some(reported(&[start..to], Some(source)));
        }
    }
    let (source, source_start) = source_before(tokens, at)?;
    // "Trump was supported by 42 percent": a passive's subject is not its source.
    if is_passive(tokens, at) && tokens[at].lower != "asked" {
        return None;
    }
    // The clause after the cue, up to a comma or the end.
    let clause_end = tokens[at + 1..]
        .iter()
        .position(|t| t.kind != Kind::Word)
        .map_or(tokens.len(), |p| at + 1 + p);
    let closes = tokens[clause_end..]
        .iter()
        .all(|t| matches!(t.kind, Kind::Stop));
    // What may follow the cue when the content came before it: nothing, a time or place
    // ("said on Tuesday", "said in a statement"), whom it was said of or to ("said of Trump",
    // "told reporters"). Anything else is the cue's own content ("questioned Mr. Trump's
    // veracity"), however short.
    let tail = tokens.get(at + 1).filter(|_| at + 1 < clause_end);
    let short_tail = clause_end - at <= 6
        && tail.is_none_or(|t| {
            INTRODUCERS.contains(&t.lower.as_str())
                || WEEKDAYS.contains(&t.lower.as_str())
                || t.lower == "of"
                || ADDRESSEE_CUES.contains(&tokens[at].lower.as_str())
        });
    if let Some(to) = source_start
        .checked_sub(1)
        .and_then(|p| content_end_before(&tokens[p]))
    {
        // "…, Trump said (on Tuesday)." : the content is what comes before.
        if short_tail && closes && start < to {
            return Some(reported(&[start..to], Some(source)));
        }
        // "The plan, Trump said, is a disaster."
        if short_tail
            && tokens
                .get(clause_end)
                .is_some_and(|t| t.kind == Kind::Comma)
        {
            let from = tokens.get(clause_end + 1)?.span.start;
            if start < to && from < end {
                return Some(reported(&[start..to, from..end], Some(source)));
            }
        }
    }
    // "Trump said (that) …": the rest of the sentence.
    let mut from = at + 1;
    if ADDRESSEE_CUES.contains(&tokens[at].lower.as_str()) {
        // The addressee: up to "that" a few words on, else one word ("told reporters").
        let that = tokens[from..]
            .iter()
            .take(7)
            .position(|t| t.lower == "that" || t.kind != Kind::Word);
        from += match that {
            Some(k) if tokens[from + k].kind == Kind::Word => k + 1,
            Some(k) => k,
            None => 1,
        };
    }
    while tokens
        .get(from)
        .is_some_and(|t| matches!(t.kind, Kind::Comma | Kind::Colon))
    {
        from += 1;
    }
    // "Trump said on Sunday." / "he said in a statement.": a time or place, not content.
    let rest = &tokens[from.min(tokens.len())..];
    let words = rest.iter().filter(|t| t.kind == Kind::Word).count();
    let adverbial = rest.first().is_some_and(|t| {
        INTRODUCERS.contains(&t.lower.as_str()) || WEEKDAYS.contains(&t.lower.as_str())
    });
    if adverbial && words <= 5 && !rest.iter().any(|t| t.kind == Kind::Quote) {
        return None;
    }
    // "… declared the recall of the ambassador after Colombian President Petro voiced …":
    // a time clause with its own named subject is the outlet's narration, not the content.
    let time_clause = tokens[from..].windows(2).position(|w| {
        TIME_CLAUSES.contains(&w[0].lower.as_str()) && w[1].capital && w[1].kind == Kind::Word
    });
    // The content ends before the time clause and the commas in front of it.
    let until = match time_clause {
        Some(k) => tokens[from..from + k]
            .iter()
            .rev()
            .find(|t| t.kind != Kind::Comma)?
            .span
            .end
            .min(end),
        None => end,
    };
    let from = tokens.get(from)?.span.start;
    (from < until).then(|| reported(&[from..until], Some(source)))
}

/// Subordinators that open a time clause.
const TIME_CLAUSES: &[&str] = &["after", "before"];

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "this",
    "recently",
    "repeatedly",
    "earlier",
    "afterward",
    "afterwards",
    "privately",
    "publicly",
];

/// "Graham: Trump’s rhetoric is destroying the party": a headline's speaker before a colon.
fn headline_colon(tokens: &[Token], end: usize) -> Option<Attribution> {
    let colon = tokens.iter().position(|t| t.kind == Kind::Colon)?;
    let words = &tokens[..colon];
    let label = words
        .iter()
        .map(|t| t.lower.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    // "ALSO READ: …", "UPDATE: …": a page's furniture, not a speaker.
    if NOT_SPEAKERS.contains(&label.as_str()) {
        return None;
    }
    let named = !words.is_empty()
        && words.len() <= 4
        && words
            .iter()
            .all(|t| t.kind == Kind::Word && (t.capital || t.lower == "of"));
    let from = tokens.get(colon + 1)?.span.start;
    (named && from < end).then(|| Attribution {
        voice: Voice::Reported,
        content: vec![from..end],
        cue: Some(tokens[colon].span.clone()),
        source: Some(words[0].span.start..words[words.len() - 1].span.end),
    })
}

/// Headline labels before a colon that are not speakers.
const NOT_SPEAKERS: &[&str] = &[
    "also read",
    "read",
    "read more",
    "watch",
    "update",
    "updated",
    "breaking",
    "exclusive",
    "opinion",
    "analysis",
    "editorial",
    "live",
    "video",
    "photos",
    "see also",
    "related",
    "editor's note",
    "correction",
    "source",
    "sources",
    "note",
];

const BE: &[&str] = &["is", "was", "were", "are", "been", "being", "be"];

/// Whether the cue at `tokens[at]` is a passive participle: a form of "be" right before it,
/// or before the adverbs between ("has been widely condemned", "is never discussed").
fn is_passive(tokens: &[Token], at: usize) -> bool {
    tokens[..at]
        .iter()
        .rev()
        .take(3)
        .take_while(|t| t.kind == Kind::Word)
        .find(|t| !is_adverb(&t.lower))
        .is_some_and(|t| BE.contains(&t.lower.as_str()))
}

fn is_adverb(word: &str) -> bool {
    word.ends_with("ly") || matches!(word, "not" | "never" | "also" | "often" | "still" | "long")
}

/// Words that make a sentence a poll's finding ("Trump leads in the latest poll").
const POLLS: &[&str] = &["poll", "polls", "survey", "surveys", "polling"];

/// A sentence reporting a poll: the poll is the source of the whole sentence (PolNeAR
/// annotates poll findings as the poll's), as in "Just 30 percent consider Clinton honest
/// in a new poll."
fn poll_finding(tokens: &[Token], start: usize, end: usize) -> Option<Attribution> {
    let at = tokens
        .iter()
        .position(|t| POLLS.contains(&t.lower.as_str()))?;
    // A finding has figures: "Just 30 percent consider Clinton honest".
    tokens
        .iter()
        .find(|t| matches!(t.lower.as_str(), "percent" | "points" | "%"))?;
    let from = tokens[..at]
        .iter()
        .rposition(|t| t.kind != Kind::Word || DETERMINERS.contains(&t.lower.as_str()))
        .filter(|&d| at - d <= 8 && tokens[d].kind == Kind::Word)
        .unwrap_or(at);
    Some(Attribution {
        voice: Voice::Reported,
        content: vec![start..end],
        cue: None,
        source: Some(tokens[from].span.start..tokens[at].span.end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::split_sentences;

    /// Voice, content, cue and source of each attribution, as text.
    type Found<'a> = (Voice, Vec<&'a str>, Option<&'a str>, Option<&'a str>);

    fn attributions(text: &str) -> Vec<Found<'_>> {
        find_attributions(text, &split_sentences(text))
            .into_iter()
            .map(|a| {
                (
                    a.voice,
                    a.content.iter().map(|c| &text[c.clone()]).collect(),
                    a.cue.map(|c| &text[c]),
                    a.source.map(|s| &text[s]),
                )
            })
            .collect()
    }

    #[test]
    fn quotations_open_close_and_run_over_paragraphs() {
        let text = "He said “yes” and \"no\".\n\n“First paragraph.\n\n“Second one,” she said.\n\nAn “unbalanced one.\n\nNext.";
        let quotes: Vec<&str> = find_quotes(text).into_iter().map(|q| &text[q]).collect();
        assert_eq!(
            quotes,
            [
                "“yes”",
                "\"no\"",
                "“First paragraph.\n\n“Second one,”",
                "“unbalanced one."
            ]
        );
    }

    #[test]
    fn a_quotation_takes_the_cue_next_to_it() {
        let text = "“We will win,” Trump said. Clinton said: “We will not lose.” “Never,” said Sanders, the senator.";
        let found = attributions(text);
        assert_eq!(
            found,
            [
                (
                    Voice::Quoted,
                    vec!["“We will win,”"],
                    Some("said"),
                    Some("Trump")
                ),
                (
                    Voice::Quoted,
                    vec!["“We will not lose.”"],
                    Some("said"),
                    Some("Clinton")
                ),
                (
                    Voice::Quoted,
                    vec!["“Never,”"],
                    Some("said"),
                    Some("Sanders")
                ),
            ]
        );
    }

    #[test]
    fn reported_speech_in_its_usual_shapes() {
        let cases = [
            (
                "Trump said that the deal was rigged.",
                vec!["that the deal was rigged"],
                "Trump",
            ),
            (
                "The deal was rigged, the candidate said on Tuesday.",
                vec!["The deal was rigged"],
                "the candidate",
            ),
            (
                "The deal, Clinton argued, is a disaster.",
                vec!["The deal", "is a disaster"],
                "Clinton",
            ),
            (
                "According to aides, the campaign is broke.",
                vec!["the campaign is broke"],
                "aides",
            ),
            (
                "Sanders told reporters on Monday that he would stay in.",
                vec!["he would stay in"],
                "Sanders",
            ),
            (
                "The campaign is broke, said a spokesman.",
                vec!["The campaign is broke"],
                "a spokesman",
            ),
        ];
        for (text, content, source) in cases {
            let found = attributions(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, Voice::Reported, "{text}");
            assert_eq!(found[0].1, content, "{text}");
            assert_eq!(found[0].3, Some(source), "{text}");
        }
    }

    #[test]
    fn a_colon_ending_the_sentence_before_a_block_quote_names_its_speaker() {
        let text = "The senator spoke at length. Cruz continued:\n\n“You look at the questions.”\n\nCarl Bialik:\n\n“The poll is an outlier.”";
        let found = attributions(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].3, Some("Cruz"));
        assert_eq!(found[1].2, Some(":"));
        assert_eq!(found[1].3, Some("Carl Bialik"));
    }

    #[test]
    fn titles_and_initials_stay_in_the_speaker() {
        let found =
            attributions("Vice President Joseph R. Biden Jr. said the remarks were a danger.");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].3, Some("Vice President Joseph R. Biden Jr."));
        // The content before a quotation reaches back past "Mr." to the sentence start.
        let found = attributions("Mr. Trump's remarks were \"racist,\" Mr. Ryan said.");
        assert_eq!(
            found[0].1,
            ["Mr. Trump's remarks were \"racist,\""],
            "{found:?}"
        );
        assert_eq!(found[0].3, Some("Mr. Ryan"));
    }
    #[test]
    fn plain_narration_has_no_attribution() {
        assert!(attributions("Trump won the primary in a landslide.").is_empty());
        assert!(attributions("His claims were false.").is_empty());
        assert!(
            attributions("The move has been widely condemned by leaders in the region.").is_empty(),
            "a passive, with an adverb before the participle"
        );
        assert!(attributions("There is other promising news for Trump.").is_empty());
        assert!(attributions("Clinton drew deep support among women.").is_empty());
        assert!(
            attributions("According to Trump").is_empty(),
            "no content, no panic"
        );
    }

    #[test]
    fn an_unattributed_quotation_continues_the_previous_speaker() {
        // One attribution: the speaker's quotations run on under one cue.
        let text = "“We will win,” Trump said. “Believe me.”";
        let found = attributions(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, ["“We will win,”", "“Believe me.”"]);
        assert_eq!(found[0].3, Some("Trump"));
        // Another speaker's cue starts another attribution.
        let text = "“We will win,” Trump said. “Never,” Clinton said.";
        let sources: Vec<_> = attributions(text).into_iter().map(|a| a.3).collect();
        assert_eq!(sources, [Some("Trump"), Some("Clinton")]);
    }
}
