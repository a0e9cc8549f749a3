//! References: the one resolver that turns what a reader resolves ("she", "her resignation",
//! "the president" on the article's date, "the ministry") into mentions of registry actors.
//! Scored mentions and quotation speakers both come from it: a speaker written "he" or "the
//! ministry" is the actor its reference resolves to.
//!
//! It reads an article left to right, sentence by sentence, keeping the references seen so
//! far (names first, then what it resolves, so chains go on: "Petro … he … his"):
//! - **Pronouns** of persons (he/him/his/himself, she/her/hers/herself) go to persons of that
//!   gender in the registry; of organizations and groups (it/its/itself, they/them/their/
//!   themselves) to those, within the sentence or the one before. Candidates are weighed by
//!   salience (Lappin and Leass): a reference counts more as its sentence's subject and less
//!   with every sentence back; a name of an organization that holds a person's surname ("the
//!   Boluarte government") keeps that person in view. A non-reflexive object ("praised him")
//!   never goes to its own clause's subject; a reflexive ("himself") only to its own
//!   sentence. The best candidate must beat the next by a margin, or nothing is resolved.
//! - **Roles** ("the president", "Peru's president", "the Colombian president", "the White
//!   House"): the registry's dated roles, by the article's date and the qualifiers written.
//! - **Descriptions** ("the senator", "the former president", "the ministry"): a person the
//!   article titles so ("Senator Warren", "former President Trump"), or an organization whose
//!   name holds the words ("the ministry" → "Peruvian Foreign Ministry").
//!
//! Precision comes first: plurals ("the two leaders"), unknown modifiers ("the next
//! government"), a head that modifies another noun ("the government official") and ties are
//! left unresolved, never guessed.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use super::quotes::{find_quotes, is_cue_at, subject_of, tokenize, Kind as TokenKind, Token};
use super::{Attribution, LocatedMention, Speaker, Voice};
use crate::actors::{Day, Form, Gender, Kind, Registry};

/// Which references become scored mentions (`score --references`).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum References {
    /// Names, aliases, surnames and titles, and the pronouns, roles and descriptions that
    /// resolve to actors.
    #[default]
    All,
    /// Names, aliases, surnames and titles only (speakers are still resolved from all).
    Names,
}

impl References {
    /// What a run recorded before references were resolved did.
    pub fn names() -> Self {
        References::Names
    }

    /// The mentions to score among an article's references (in text order): every name,
    /// and with `All` the first pronoun, role or description of an actor in a sentence
    /// that names the actor nowhere. A sentence that names Petro is already read for him;
    /// "his" beside it would score the same sentence twice and weigh it double.
    pub fn scored(self, references: Vec<LocatedMention>) -> Vec<LocatedMention> {
        let named: BTreeSet<(usize, usize)> = references
            .iter()
            .filter(|m| m.form.is_name())
            .map(|m| (m.sentence, m.actor))
            .collect();
        let mut resolved: BTreeSet<(usize, usize)> = BTreeSet::new();
        references
            .into_iter()
            .filter(|m| {
                m.form.is_name()
                    || (self == References::All
                        && !named.contains(&(m.sentence, m.actor))
                        && resolved.insert((m.sentence, m.actor)))
            })
            .collect()
    }
}

/// Tuned on half A of the GUM documents (`scripts/eval-references`; docs/references.md).
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    /// A reference's weight is multiplied by this for each sentence back.
    pub decay: f64,
    /// Extra weight of a sentence's subject.
    pub subject: f64,
    /// Weight of a person kept in view by an organization's name holding their surname.
    pub evoked: f64,
    /// The best candidate must weigh this many times the next.
    pub margin: f64,
    /// Sentences back that a person pronoun looks.
    pub window: usize,
}

pub const WEIGHTS: Weights = Weights {
    decay: 0.5,
    subject: 1.0,
    evoked: 0.5,
    margin: 2.0,
    window: 6,
};

const MASCULINE: &[&str] = &["he", "him", "his", "himself"];
const FEMININE: &[&str] = &["she", "her", "hers", "herself"];
const SINGULAR_NEUTER: &[&str] = &["its", "itself"];
const PLURAL: &[&str] = &["they", "them", "their", "themselves"];
const REFLEXIVE: &[&str] = &["himself", "herself", "itself", "themselves"];
/// Object pronouns: never their own clause's subject ("Petro praised him").
const OBJECT: &[&str] = &["him", "them"];
/// First-person pronouns inside a quotation refer to its speaker.
const FIRST_SINGULAR: &[&str] = &["i", "me", "my", "myself", "mine"];
const FIRST_PLURAL: &[&str] = &["we", "us", "our", "ourselves", "ours"];

/// Words that end a clause for the binding rule.
const CLAUSE_BREAKS: &[&str] = &[
    "and", "but", "or", "that", "who", "whom", "which", "because", "while", "when", "after",
    "before", "as", "if", "since", "although", "though", "until", "where", "whether",
];

/// Words after "her" that make it an object, not a possessive ("told her that").
const AFTER_OBJECT: &[&str] = &[
    "to", "and", "or", "but", "in", "on", "at", "for", "with", "from", "by", "of", "as", "that",
    "the", "a", "an", "this", "about", "into", "over", "after", "before", "up", "out", "off",
    "down", "back", "again", "if", "when", "while", "because", "so", "than", "since",
];

/// Pronouns that are never a clause's subject (possessives and objects).
const NOT_SUBJECTS: &[&str] = &[
    "him",
    "his",
    "himself",
    "her",
    "hers",
    "herself",
    "its",
    "itself",
    "them",
    "their",
    "themselves",
    "me",
    "my",
    "us",
    "our",
];

/// Words that may stand before a subject's name.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "its", "his", "her", "their",
];

/// Subjects that are themselves references the resolver handles (or never resolves).
const PRONOUN_SUBJECTS: &[&str] = &[
    "he", "she", "it", "they", "i", "we", "you", "this", "that", "there", "these", "those",
];

/// The rival that a pronoun's own sentence subject is, in the candidates' weights.
const NOBODY: usize = usize::MAX;

/// Heads of descriptions that refer to a person the article titles so.
const PERSON_HEADS: &[&str] = &[
    "president",
    "candidate",
    "nominee",
    "senator",
    "governor",
    "secretary",
    "minister",
    "congressman",
    "congresswoman",
    "lawmaker",
    "leader",
    "chancellor",
    "mayor",
    "frontrunner",
    "front-runner",
    "speaker",
    "chairman",
    "chairwoman",
    "president-elect",
    "premier",
    "ambassador",
    "judge",
    "justice",
    "prosecutor",
    "general",
    "prime minister",
    "vice president",
    "attorney general",
    "foreign minister",
    "representative",
    "congressmember",
    "emperor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "chief",
    "director",
    "founder",
    "ceo",
    "chairperson",
    "commissioner",
    "mogul",
    "businessman",
    "businesswoman",
    "billionaire",
];

/// Modifiers a description may carry without naming whose role it is.
const NEUTRAL_MODIFIERS: &[&str] = &["current", "sitting", "incumbent", "embattled"];

/// Title words that make another office of the same head ("Vice President").
const RANKS: &[&str] = &[
    "vice",
    "deputy",
    "assistant",
    "lieutenant",
    "under",
    "co",
    "acting",
];

/// Modifiers that mean an ended tenure ("the former president").
const FORMER: &[&str] = &[
    "former", "ex", "ex-", "ousted", "deposed", "late", "previous",
];

/// Nouns after a description's head that make the head a modifier of theirs ("the government
/// official", "the president's" is still the president).
const HEAD_MODIFIES: &[&str] = &[
    "official",
    "officials",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "source",
    "sources",
    "member",
    "members",
    "building",
    "buildings",
    "forces",
    "troops",
    "office",
    "offices",
    "employee",
    "employees",
    "worker",
    "workers",
    "staff",
    "staffer",
    "staffers",
    "bill",
    "bills",
    "plan",
    "plans",
    "program",
    "programs",
    "programme",
    "budget",
    "policy",
    "policies",
    "debt",
    "bonds",
    "agency",
    "agencies",
    "candidate",
    "candidates",
    "race",
    "election",
    "elections",
    "campaign",
    "seat",
    "seats",
    "term",
    "palace",
    "residence",
    "press",
    "aide",
    "aides",
    "adviser",
    "advisers",
    "advisor",
    "advisors",
    "leader",
    "leaders",
    "headquarters",
    "ministry",
    "minister",
    "ministers",
    "house",
    "committee",
    "report",
    "decision",
    "bid",
    "nominee",
    "nomination",
    "primary",
    "debate",
    "debates",
    "convention",
    "run",
    "position",
    "account",
    "accounts",
    "website",
    "lawyer",
    "lawyers",
    "attorney",
    "attorneys",
];

/// Prepositions after which "the White House" or "the ministry" is a place.
const LOCATIVE: &[&str] = &[
    "at", "in", "inside", "outside", "near", "into", "around", "on", "across", "within",
];

/// Words after which a role is the office, not its holder.
const OFFICE: &[&str] = &[
    "win", "wins", "won", "winning", "keep", "keeps", "kept", "keeping", "lose", "loses", "lost",
    "losing", "retake", "retaking", "seek", "seeks", "sought", "seeking", "capture", "take",
    "takes", "taking", "hold", "holds", "occupy", "reclaim", "for", "without", "to", "toward",
    "towards", "as", "be", "become", "becomes", "became", "been", "is", "was", "are", "were",
    "being", "run", "running", "ran", "elect", "elected", "leave", "leaves", "left", "leaving",
    "enter", "enters", "entered", "entering",
];

/// Sentences back that a person's description looks for the actor it describes.
const DESCRIPTION_WINDOW: usize = 3;

/// Sentences back that an organization's description ("the party", "the committee") looks:
/// news holds many parties and committees, so only one just named.
const ORGANIZATION_WINDOW: usize = 1;

/// Heads longer than this many words are not descriptions.
const MAX_DESCRIPTION_WORDS: usize = 5;

/// The resolver for one registry.
pub struct Resolver<'r> {
    registry: &'r Registry,
    /// For each actor, the persons whose surname its name or an alias holds.
    evokes: Vec<Vec<usize>>,
    /// For each organization or group, the lowercase words of its name and aliases, and the
    /// last words (heads: "ministry" of "Foreign Ministry").
    name_words: Vec<BTreeSet<String>>,
    name_heads: Vec<BTreeSet<String>>,
    /// Every role phrase, longest first, and the qualifiers any role uses.
    role_phrases: Vec<Vec<String>>,
    qualifiers: BTreeSet<String>,
    weights: Weights,
}

/// A description as written: `phrase` is its modifiers and head after "the" (lowercase),
/// `leading` a possessive qualifier standing for "the" ("Peru's"), `post` a qualifier after
/// "of" ("the president of Peru").
struct Written {
    phrase: Vec<String>,
    leading: Vec<String>,
    post: Vec<String>,
    lowercase_head: bool,
    /// Written where a role means the office, not its holder ("win the White House").
    office: bool,
}

/// Whom a pronoun can refer to.
#[derive(Debug, Clone, Copy)]
enum Referent {
    Person(Gender),
    Organization,
    Group,
}

/// What the resolver knows of the article at a reference.
struct Context<'a> {
    /// The reference's sentence.
    sentence: usize,
    /// The references before it.
    seen: &'a [Seen],
    /// The titles the article gives each actor.
    titles: &'a [BTreeSet<String>],
    date: Option<Day>,
    /// The subject the sentence opens with.
    subject: Option<Range<usize>>,
    /// Words the article capitalizes inside sentences (names, lowercased).
    capitalized: &'a BTreeSet<String>,
    /// The article's direct quotations.
    quotations: &'a [Range<usize>],
    /// The role qualifiers the article writes anywhere ("Peru", "Colombian").
    countries: &'a BTreeSet<String>,
    /// The actors the article names anywhere.
    named: &'a BTreeSet<usize>,
}

/// A reference seen so far in the article.
#[derive(Debug, Clone)]
struct Seen {
    actor: usize,
    span: Range<usize>,
    sentence: usize,
    subject: bool,
    /// Kept in view by another actor's name holding its surname.
    evoked: bool,
}

fn words(text: &str) -> Vec<String> {
    crate::actors::roles::words_of(text)
}

impl<'r> Resolver<'r> {
    pub fn new(registry: &'r Registry) -> Self {
        let surnames: Vec<(usize, String)> = registry
            .actors
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((i, a.surname()?.to_lowercase())))
            .collect();
        let all_words = |i: usize| -> BTreeSet<String> {
            let actor = &registry.actors[i];
            std::iter::once(&actor.name)
                .chain(&actor.aliases)
                .flat_map(|n| words(n))
                .map(|w| w.trim_end_matches("'s").to_string())
                .collect()
        };
        let evokes = (0..registry.actors.len())
            .map(|i| {
                if registry.actors[i].kind == Kind::Person {
                    return Vec::new();
                }
                let own = all_words(i);
                surnames
                    .iter()
                    .filter(|(_, s)| own.contains(s))
                    .map(|(p, _)| *p)
                    .collect()
            })
            .collect();
        let name_words = (0..registry.actors.len())
            .map(|i| match registry.actors[i].kind {
                Kind::Organization | Kind::Group => all_words(i),
                Kind::Person | Kind::Place => BTreeSet::new(),
            })
            .collect();
        let name_heads = (0..registry.actors.len())
            .map(|i| {
                let actor = &registry.actors[i];
                match actor.kind {
                    Kind::Organization | Kind::Group => std::iter::once(&actor.name)
                        .chain(&actor.aliases)
                        .filter_map(|n| name_head(n))
                        .collect(),
                    Kind::Person | Kind::Place => BTreeSet::new(),
                }
            })
            .collect();
        let mut role_phrases: Vec<Vec<String>> = registry
            .roles
            .tenures
            .iter()
            .map(|r| r.phrase.clone())
            .collect();
        role_phrases.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        role_phrases.dedup();
        let qualifiers = registry
            .roles
            .tenures
            .iter()
            .flat_map(|r| r.qualifiers.iter().cloned())
            .collect();
        Self {
            registry,
            evokes,
            name_words,
            name_heads,
            role_phrases,
            qualifiers,
            weights: WEIGHTS,
        }
    }

    /// The resolver with other salience weights (for tuning them).
    pub fn with_weights(self, weights: Weights) -> Self {
        Self { weights, ..self }
    }

    fn kind(&self, actor: usize) -> Kind {
        self.registry.actors[actor].kind
    }

    /// `names` (the matcher's mentions, in text order, placed in `sentences`) with every
    /// pronoun, role and description of `text` that resolves to an actor, in text order.
    /// `date` is the article's (roles are resolved by it).
    pub fn resolve(
        &self,
        text: &str,
        sentences: &[Range<usize>],
        names: Vec<LocatedMention>,
        date: Option<Day>,
    ) -> Vec<LocatedMention> {
        let titles = self.article_titles(text, &names);
        let named: BTreeSet<usize> = names.iter().map(|m| m.actor).collect();
        let tokenized: Vec<Vec<Token>> = sentences
            .iter()
            .map(|s| tokenize(text, s.clone()))
            .collect();
        let capitalized = capitalized_inside(&tokenized);
        let quotations = find_quotes(text);
        let countries: BTreeSet<String> = tokenized
            .iter()
            .flatten()
            .map(|t| t.lower.replace('’', "'"))
            .filter(|w| self.qualifiers.contains(w))
            .collect();
        let mut seen: Vec<Seen> = Vec::new();
        let mut out: Vec<LocatedMention> = Vec::with_capacity(names.len());
        let mut names = names.into_iter().peekable();
        for (si, (sentence, tokens)) in sentences.iter().zip(&tokenized).enumerate() {
            let subject = subject_of(text, sentence.clone());
            // A possessor ("Petro's allies", "his allies") or an object form is not the
            // subject, even where the subject's phrase opens with it.
            let is_subject = |span: &Range<usize>| {
                let written = text[span.clone()].to_lowercase();
                let possessor = written.ends_with("'s")
                    || written.ends_with("’s")
                    || NOT_SUBJECTS.contains(&written.as_str());
                !possessor
                    && (subject
                        .as_ref()
                        .is_some_and(|s| s.start <= span.start && span.end <= s.end)
                        || opens_clause(tokens, span.start))
            };
            let mut i = 0;
            while i < tokens.len() {
                // Names that start before this token enter the history first.
                while let Some(m) = names.next_if(|m| m.span.start <= tokens[i].span.start) {
                    self.remember(&mut seen, &m, si, is_subject(&m.span));
                    out.push(m);
                }
                if out
                    .last()
                    .is_some_and(|m| tokens[i].span.start < m.span.end)
                {
                    i += 1;
                    continue;
                }
                // A description never runs into the next name ("the Boluarte government").
                let before_name = names.peek().map_or(tokens.len(), |m| {
                    tokens.partition_point(|t| t.span.end <= m.span.start)
                });
                let article = Context {
                    sentence: si,
                    seen: &seen,
                    titles: &titles,
                    date,
                    subject: subject.clone(),
                    capitalized: &capitalized,
                    quotations: &quotations,
                    countries: &countries,
                    named: &named,
                };
                let found = self
                    .pronoun(tokens, i, &article)
                    .map(|(actor, antecedent)| (actor, i..i + 1, Form::Pronoun, antecedent))
                    .or_else(|| self.description(tokens, before_name, i, &article));
                match found {
                    Some((actor, token_range, form, antecedent)) => {
                        let span = tokens[token_range.start].span.start
                            ..tokens[token_range.end - 1].span.end;
                        // "he's" is "he", "the government's" is "the government".
                        let span = without_clitic(text, span);
                        let mention = LocatedMention {
                            actor,
                            span,
                            sentence: si,
                            form,
                            antecedent: Some(antecedent),
                            voice: Voice::Own,
                            speaker: None,
                        };
                        self.remember(&mut seen, &mention, si, is_subject(&mention.span));
                        out.push(mention);
                        i = token_range.end;
                    }
                    None => i += 1,
                }
            }
        }
        out.extend(names);
        out
    }

    fn remember(&self, seen: &mut Vec<Seen>, m: &LocatedMention, sentence: usize, subject: bool) {
        seen.push(Seen {
            actor: m.actor,
            span: m.span.clone(),
            sentence,
            subject,
            evoked: false,
        });
        if !m.form.is_name() {
            return;
        }
        for &person in &self.evokes[m.actor] {
            seen.push(Seen {
                actor: person,
                span: m.span.clone(),
                sentence,
                subject: false,
                evoked: true,
            });
        }
    }

    /// The actor a pronoun at `tokens[i]` resolves to, and its antecedent's span.
    fn pronoun(
        &self,
        tokens: &[Token],
        i: usize,
        article: &Context,
    ) -> Option<(usize, Range<usize>)> {
        let Context { sentence, seen, .. } = *article;
        let token = &tokens[i];
        if token.kind != TokenKind::Word {
            return None;
        }
        let word = token.lower.as_str();
        let (referent, window) = if MASCULINE.contains(&word) {
            (Referent::Person(Gender::Male), self.weights.window)
        } else if FEMININE.contains(&word) {
            (Referent::Person(Gender::Female), self.weights.window)
        } else if SINGULAR_NEUTER.contains(&word)
            || (word == "it" && tokens.get(i + 1).is_some() && is_cue_at(tokens, i + 1))
        {
            // "it" only as a speaker ("it said"): elsewhere it is mostly a thing or
            // nothing ("it is clear that").
            (Referent::Organization, 1)
        } else if PLURAL.contains(&word) {
            // "they" is mostly people (officials, players, voters) even next to an
            // organization's name (GUM: 4 of 31 right), so only a group ("protesters")
            // takes it.
            (Referent::Group, 1)
        } else {
            return None;
        };
        let compatible = |r: &Resolver, a: usize| match referent {
            Referent::Person(gender) => {
                r.kind(a) == Kind::Person && r.registry.actors[a].gender == Some(gender)
            }
            Referent::Organization => r.kind(a) == Kind::Organization,
            Referent::Group => r.kind(a) == Kind::Group,
        };
        let is_person = MASCULINE.contains(&word) || FEMININE.contains(&word);
        let reflexive = REFLEXIVE.contains(&word);
        let object = OBJECT.contains(&word)
            || (word == "her"
                && tokens.get(i + 1).is_none_or(|next| {
                    next.kind != TokenKind::Word || AFTER_OBJECT.contains(&next.lower.as_str())
                }));
        let clause_start = tokens[..i]
            .iter()
            .rposition(ends_clause)
            .map_or(0, |p| tokens[p].span.end);
        // Somebody's quoted words hold references of their own: "'Castillo is innocent,' he
        // said" is not Castillo speaking.
        let at = tokens[i].span.clone();
        let quoted_elsewhere = |span: &Range<usize>| {
            article.quotations.iter().any(|q| {
                q.start <= span.start
                    && span.end <= q.end
                    && !(q.start <= at.start && at.end <= q.end)
            })
        };
        // "Petro praised him": an object is never its own clause's subject.
        let bound: BTreeSet<usize> = seen
            .iter()
            .filter(|s| {
                object && s.sentence == sentence && s.subject && s.span.start >= clause_start
            })
            .map(|s| s.actor)
            .collect();
        let mut weights: HashMap<usize, (f64, Option<Range<usize>>)> = HashMap::new();
        for s in seen.iter().rev() {
            if quoted_elsewhere(&s.span) || bound.contains(&s.actor) {
                continue;
            }
            let back = sentence - s.sentence;
            if back > window || (reflexive && back > 0) || !compatible(self, s.actor) {
                continue;
            }
            let mut weight = if s.evoked { self.weights.evoked } else { 1.0 };
            if s.subject {
                weight += self.weights.subject;
            }
            weight *= self.weights.decay.powi(back as i32);
            // An actor weighs as much as its most salient reference (repeats in a long
            // paragraph would otherwise outweigh a fresh subject).
            let entry = weights.entry(s.actor).or_insert((0.0, None));
            entry.0 = f64::max(entry.0, weight);
            if !s.evoked && entry.1.is_none() {
                entry.1 = Some(s.span.clone());
            }
        }
        if let Some(weight) = self.subject_competes(tokens, i, article, is_person) {
            weights.insert(NOBODY, (weight, None));
        }
        let best = confident(&weights, self.weights.margin).filter(|&b| b != NOBODY)?;
        // "Microsoft's Internet Explorer 6 … its durability": a name nobody's registry
        // entry covers, between an organization and "its", is likelier what "its" means.
        if matches!(referent, Referent::Organization) {
            let antecedent_end = seen
                .iter()
                .rev()
                .find(|s| s.actor == best)
                .map_or(0, |s| s.span.end);
            let unknown_name = tokens[..i].iter().enumerate().any(|(at, t)| {
                t.capital
                    && at > 0
                    && t.span.start >= antecedent_end
                    && !seen
                        .iter()
                        .any(|s| s.span.start <= t.span.start && t.span.end <= s.span.end)
            });
            if unknown_name {
                return None;
            }
        }
        // The antecedent: the latest direct reference, or the name that kept the person in
        // view ("the Boluarte government") when there is none in the window.
        let antecedent = weights[&best].1.clone().or_else(|| {
            seen.iter()
                .rev()
                .find(|s| s.actor == best && !s.evoked)
                .or_else(|| seen.iter().rev().find(|s| s.actor == best))
                .map(|s| s.span.clone())
        })?;
        Some((best, antecedent))
    }

    /// The weight of a rival antecedent for the pronoun at `tokens[i]` that is no actor's
    /// reference: the sentence's subject ("Peru is weakening its ties" are not the
    /// government's ties), unless an actor opens a later clause before the pronoun, or the
    /// name opening the pronoun's own clause ("It is clear that Peru needs … its
    /// neighbors"). For a person pronoun only a rival that looks like a name competes.
    fn subject_competes(
        &self,
        tokens: &[Token],
        i: usize,
        article: &Context,
        is_person: bool,
    ) -> Option<f64> {
        let at = tokens[i].span.start;
        let words_in = |span: &Range<usize>| -> Vec<&Token> {
            tokens
                .iter()
                .filter(|t| {
                    t.kind == TokenKind::Word
                        && span.start <= t.span.start
                        && t.span.end <= span.end
                })
                .collect()
        };
        let sentence_rival = article.subject.as_ref().filter(|subject| {
            subject.end <= at
                && !article.seen.iter().any(|s| {
                    s.sentence == article.sentence
                        && s.subject
                        && subject.end <= s.span.start
                        && s.span.end <= at
                })
        });
        let sentence_rival = sentence_rival
            .is_some_and(|s| self.rivals(&words_in(s), tokens, article, is_person, false));
        let clause_rival = clause_subject(&tokens[..i])
            .is_some_and(|s| self.rivals(&words_in(&s), tokens, article, is_person, true));
        (sentence_rival || clause_rival).then_some(1.0 + self.weights.subject)
    }

    /// Whether the subject `words` is a rival antecedent: no actor's reference, no pronoun,
    /// no possessor ("Peru's de-facto government"), and for a person pronoun (or a clause's
    /// subject) a name: two capitalized words, or one past the sentence's first word or that
    /// the article capitalizes elsewhere too ("Mohamed brought the clock he made").
    fn rivals(
        &self,
        words: &[&Token],
        tokens: &[Token],
        article: &Context,
        is_person: bool,
        must_be_name: bool,
    ) -> bool {
        let (Some(first), Some(last)) = (words.first(), words.last()) else {
            return false;
        };
        let referenced = article
            .seen
            .iter()
            .any(|s| s.span.start < last.span.end && first.span.start < s.span.end);
        let possessor = last.lower.ends_with("'s") || last.lower.ends_with("’s");
        if referenced || possessor || PRONOUN_SUBJECTS.contains(&first.lower.as_str()) {
            return false;
        }
        let opens_sentence = tokens
            .iter()
            .find(|t| t.kind == TokenKind::Word)
            .is_some_and(|t| t.span == first.span);
        let capitals = words.iter().filter(|t| t.capital).count();
        let name_like = capitals >= 2
            || (capitals == 1 && (!opens_sentence || article.capitalized.contains(&first.lower)));
        name_like || !(is_person || must_be_name)
    }

    /// A role or description starting at `tokens[i]`: its actor, its token range, its form
    /// and the reference it was resolved through (the role's holder's last mention, or the
    /// description itself when the holder is not named before).
    fn description(
        &self,
        tokens: &[Token],
        limit: usize,
        i: usize,
        article: &Context,
    ) -> Option<(usize, Range<usize>, Form, Range<usize>)> {
        let first = &tokens[i];
        let mut modifiers: Vec<String> = Vec::new();
        if first.kind != TokenKind::Word {
            return None;
        }
        // "at the White House", "in the ministry": a place, not the actor; "win the White
        // House", "ineligible for the White House", "as the president": the office, which
        // only an organization's description survives ("the rector of the university").
        let before = (i > 0).then(|| tokens[i - 1].lower.as_str());
        if before.is_some_and(|b| LOCATIVE.contains(&b)) {
            return None;
        }
        let office = before.is_some_and(|b| OFFICE.contains(&b));
        // "Jamie Raab, the president and publisher of …": the title of a name that no actor's
        // reference covers, in apposition.
        if i >= 2 && tokens[i - 1].kind == TokenKind::Comma && tokens[i - 2].capital {
            let name = &tokens[i - 2].span;
            let known = article
                .seen
                .iter()
                .any(|s| s.span.start <= name.start && name.end <= s.span.end);
            if !known {
                return None;
            }
        }
        // "the …", or a possessive qualifier standing for it ("Peru's president").
        if first.lower == "the" {
        } else if first.lower.ends_with("'s") || first.lower.ends_with("’s") {
            let owner = first.lower.replace('’', "'");
            if !self.qualifiers.contains(&owner) {
                return None;
            }
            modifiers.push(owner);
        } else {
            return None;
        }
        let rest: Vec<&Token> = tokens[i + 1..limit.max(i + 1)]
            .iter()
            .take_while(|t| t.kind == TokenKind::Word)
            .take(MAX_DESCRIPTION_WORDS)
            .collect();
        // The longest head that ends the phrase, modifiers before it.
        for end in (1..=rest.len()).rev() {
            let words: Vec<String> = rest[..end]
                .iter()
                .map(|t| t.lower.replace('’', "'"))
                .collect();
            let last = words[end - 1].clone();
            let (last_word, possessive) = match last.strip_suffix("'s") {
                Some(w) => (w.to_string(), true),
                None => (last, false),
            };
            let mut phrase = words[..end - 1].to_vec();
            phrase.push(last_word);
            let after = tokens.get(i + 1 + end);
            if !possessive && !ends_noun_phrase(after) {
                continue;
            }
            let mut post = Vec::new();
            // "the president of Peru": a qualifier after "of".
            if !possessive
                && after.is_some_and(|t| t.lower == "of")
                && tokens.get(i + 2 + end).is_some()
            {
                let owner = &tokens[i + 2 + end];
                if !self.qualifiers.contains(&owner.lower) {
                    continue;
                }
                post.push(owner.lower.clone());
            }
            let span_end = if post.is_empty() {
                i + 1 + end
            } else {
                i + 3 + end
            };
            let written = Written {
                phrase,
                leading: modifiers.clone(),
                post,
                lowercase_head: !rest[end - 1].capital,
                office,
            };
            if let Some((actor, form, antecedent)) = self.resolve_description(&written, article) {
                let antecedent =
                    antecedent.unwrap_or(first.span.start..tokens[span_end - 1].span.end);
                return Some((actor, i..span_end, form, antecedent));
            }
        }
        None
    }

    /// Who a description refers to, by role, title or organization name.
    fn resolve_description(
        &self,
        written: &Written,
        article: &Context,
    ) -> Option<(usize, Form, Option<Range<usize>>)> {
        let Context {
            sentence,
            seen,
            titles,
            date,
            ..
        } = *article;
        let Written {
            phrase,
            leading,
            post,
            lowercase_head,
            office,
        } = written;
        let last_seen = |actor: usize| {
            seen.iter()
                .rev()
                .find(|s| s.actor == actor && !s.evoked)
                .map(|s| (s.span.clone(), s.sentence))
        };
        // Roles: the longest role phrase the description ends with.
        let mut candidates: Vec<(usize, Form)> = Vec::new();
        for role in self.role_phrases.iter().filter(|_| !office) {
            if phrase.len() < role.len() || !phrase.ends_with(role) {
                continue;
            }
            let modifiers: Vec<&String> = phrase[..phrase.len() - role.len()]
                .iter()
                .chain(leading)
                .chain(post)
                .collect();
            let former = modifiers.iter().any(|m| FORMER.contains(&m.as_str()));
            let qualifiers: Vec<&String> = modifiers
                .iter()
                .copied()
                .filter(|m| {
                    !FORMER.contains(&m.as_str()) && !NEUTRAL_MODIFIERS.contains(&m.as_str())
                })
                .collect();
            let tenures = self.registry.roles.tenures.iter().filter(|t| {
                &t.phrase == role && qualifiers.iter().all(|q| t.qualifiers.contains(q))
            });
            // A holder the article never names is not assumed: on PolNeAR, "the President"
            // of a story about 1981 or "the president and chief operating officer" of a
            // company went to the sitting president.
            let holders: BTreeSet<usize> = match date {
                Some(day) => tenures
                    .filter(|t| {
                        if former {
                            t.ended_before(day)
                        } else {
                            t.held_on(day)
                        }
                    })
                    .map(|t| t.actor)
                    .filter(|a| article.named.contains(a))
                    .collect(),
                // Undated: any holder, and only one the article names will do.
                None => tenures
                    .map(|t| t.actor)
                    .filter(|&a| last_seen(a).is_some())
                    .collect(),
            };
            candidates.extend(holders.into_iter().map(|a| (a, Form::Role)));
            if !candidates.is_empty() {
                break;
            }
        }
        // Titles the article gives a person, and organizations by the words of their name.
        let head = phrase.last()?;
        let modifiers: Vec<&String> = phrase[..phrase.len() - 1]
            .iter()
            .chain(leading)
            .chain(post)
            .collect();
        let is_person_head = PERSON_HEADS.contains(&head.as_str())
            || (phrase.len() >= 2
                && PERSON_HEADS.contains(&phrase[phrase.len() - 2..].join(" ").as_str()));
        for (actor, title) in titles.iter().enumerate() {
            let described = match self.kind(actor) {
                // "the president" is not "Vice President Biden" nor "former President
                // Clinton": a title's rank and tense must be written in the description too.
                Kind::Person => {
                    !office
                        && is_person_head
                        && title.contains(head)
                        && modifiers
                            .iter()
                            .all(|m| title.contains(*m) || NEUTRAL_MODIFIERS.contains(&m.as_str()))
                        && title
                            .iter()
                            .filter(|t| RANKS.contains(&t.as_str()) || FORMER.contains(&t.as_str()))
                            .all(|t| modifiers.contains(&t))
                }
                Kind::Organization | Kind::Group => {
                    let name = &self.name_words[actor];
                    let heads = &self.name_heads[actor];
                    !is_person_head
                        && !is_plural(head)
                        && *lowercase_head
                        && heads.contains(head)
                        && modifiers.iter().all(|m| name.contains(*m))
                }
                Kind::Place => false,
            };
            if described && !candidates.iter().any(|(a, _)| *a == actor) {
                candidates.push((actor, Form::Description));
            }
        }
        // Titles and names only count for actors the article has named before.
        let named: Vec<(usize, Form, Range<usize>, usize)> = candidates
            .iter()
            .filter_map(|&(a, form)| last_seen(a).map(|(span, s)| (a, form, span, s)))
            .filter(|(actor, form, _, s)| {
                let window = match self.kind(*actor) {
                    Kind::Person => DESCRIPTION_WINDOW,
                    _ => ORGANIZATION_WINDOW,
                };
                *form == Form::Role || sentence - s <= window
            })
            .collect();
        if let Some(latest) = named.iter().max_by_key(|(_, _, span, _)| span.start) {
            let tied = named
                .iter()
                .filter(|(a, ..)| *a != latest.0)
                .any(|(_, _, _, s)| *s == latest.3);
            // Two candidates named in the same sentence: no telling which is meant.
            if tied || sentence < latest.3 {
                return None;
            }
            return Some((latest.0, latest.1, Some(latest.2.clone())));
        }
        // Nobody named: a role's one holder that day, or the one of the country the article
        // is about (its holder's qualifiers written somewhere in it).
        let holders: Vec<usize> = candidates
            .iter()
            .filter(|(_, form)| *form == Form::Role)
            .map(|(a, _)| *a)
            .collect();
        let of_the_article: Vec<usize> = holders
            .iter()
            .copied()
            .filter(|&a| {
                self.registry.roles.tenures.iter().any(|t| {
                    t.actor == a && t.qualifiers.iter().any(|q| article.countries.contains(q))
                })
            })
            .collect();
        match (holders.as_slice(), of_the_article.as_slice()) {
            ([actor], _) | (_, [actor]) => Some((*actor, Form::Role, None)),
            _ => None,
        }
    }

    /// For each actor, the lowercase words of the titles the article writes before its names
    /// ("Colombian President Gustavo Petro" → colombian, president; "former President
    /// Trump" → former, president).
    fn article_titles(&self, text: &str, names: &[LocatedMention]) -> Vec<BTreeSet<String>> {
        let mut titles = vec![BTreeSet::new(); self.registry.actors.len()];
        for m in names {
            let written = &text[m.span.clone()];
            let title = &mut titles[m.actor];
            if m.form == Form::Title {
                let name_words = words(written);
                title.extend(
                    name_words[..name_words.len().saturating_sub(1)]
                        .iter()
                        .cloned(),
                );
            }
            let mut from = m.span.start.saturating_sub(80);
            while !text.is_char_boundary(from) {
                from += 1;
            }
            let before = &text[from..m.span.start];
            for word in before.split_whitespace().rev().take(4) {
                let lower = word.to_lowercase().replace('’', "'");
                let bare = lower.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
                if bare != lower || matches!(bare, "the" | "a" | "an") || bare.is_empty() {
                    break;
                }
                let capital = word.chars().next().is_some_and(char::is_uppercase);
                if !capital && !FORMER.contains(&bare) && !NEUTRAL_MODIFIERS.contains(&bare) {
                    break;
                }
                title.insert(bare.to_string());
            }
        }
        titles
    }
}

/// The first-person pronouns inside a quotation whose speaker is an actor: "I", "me",
/// "my" for a person, "we", "us", "our" for an organization or group. Each is a
/// quoted mention of the speaker, resolved through the source.
pub fn first_person(
    text: &str,
    attribution: &Attribution,
    speaker: &Speaker,
    kind: impl Fn(usize) -> Kind,
    sentences: &[Range<usize>],
) -> Vec<LocatedMention> {
    let (Some(actor), Some(source), Voice::Quoted) =
        (speaker.actor, &attribution.source, attribution.voice)
    else {
        return Vec::new();
    };
    let forms: &[&str] = match kind(actor) {
        Kind::Person => FIRST_SINGULAR,
        Kind::Organization | Kind::Group => FIRST_PLURAL,
        Kind::Place => return Vec::new(),
    };
    attribution
        .content
        .iter()
        .flat_map(|content| tokenize(text, content.clone()))
        .filter(|t| t.kind == TokenKind::Word && forms.contains(&t.lower.as_str()))
        .filter_map(|t| {
            let sentence = sentences.partition_point(|s| s.end <= t.span.start);
            let inside = sentences
                .get(sentence)
                .is_some_and(|s| s.start <= t.span.start && t.span.end <= s.end);
            inside.then(|| LocatedMention {
                actor,
                span: t.span.clone(),
                sentence,
                form: Form::Pronoun,
                antecedent: Some(source.clone()),
                voice: Voice::Quoted,
                speaker: Some(speaker.clone()),
            })
        })
        .collect()
}

/// A comma, a colon, a dash, a parenthesis or a semicolon.
fn is_clause_mark(token: &Token) -> bool {
    matches!(
        token.kind,
        TokenKind::Comma | TokenKind::Colon | TokenKind::Break
    )
}

/// A clause mark or a word that opens a clause ("that", "and", "because").
fn ends_clause(token: &Token) -> bool {
    is_clause_mark(token) || CLAUSE_BREAKS.contains(&token.lower.as_str())
}

/// Whether a reference starting at byte `start` opens its sentence or the clause after a
/// comma, with at most a conjunction and a determiner before it ("In the past months, the Boluarte
/// government has …"): the place of a subject.
fn opens_clause(tokens: &[Token], start: usize) -> bool {
    let before = tokens.partition_point(|t| t.span.start < start);
    let clause = tokens[..before]
        .iter()
        .rposition(is_clause_mark)
        .map_or(0, |p| p + 1);
    tokens[clause..before].iter().all(|t| {
        t.kind == TokenKind::Quote
            || DETERMINERS.contains(&t.lower.as_str())
            || matches!(t.lower.as_str(), "and" | "but" | "or" | "yet" | "so")
    })
}

/// The capitalized words opening the clause `tokens` ends in (after a comma, a colon, a
/// speech verb or a clause word such as "that"), after any determiner: a clause subject written as a name.
/// A clause that opens with a lowercase word after "and", "or" or "but" shares the subject
/// before it ("Peru needs to … and engage with its opponents"), so the search goes on back.
fn clause_subject(tokens: &[Token]) -> Option<Range<usize>> {
    // A speech verb opens a clause too ("Salem said Mohamed wishes to use his fame").
    let is_break = |at: usize| ends_clause(&tokens[at]) || is_cue_at(tokens, at);
    let mut end = tokens.len();
    loop {
        let start = (0..end).rev().find(|&at| is_break(at)).map_or(0, |p| p + 1);
        let rest = &tokens[start..end];
        let skip = rest
            .iter()
            .take_while(|t| DETERMINERS.contains(&t.lower.as_str()))
            .count();
        let names: Vec<&Token> = rest[skip..]
            .iter()
            .take_while(|t| t.kind == TokenKind::Word && t.capital)
            .collect();
        if let (Some(first), Some(last)) = (names.first(), names.last()) {
            // Only a clause that goes on past its subject (a verb before the pronoun).
            return (skip + names.len() < rest.len()).then_some(first.span.start..last.span.end);
        }
        let coordinated = start > 0
            && matches!(tokens[start - 1].lower.as_str(), "and" | "or" | "but")
            && skip == 0
            && rest
                .first()
                .is_some_and(|t| t.kind == TokenKind::Word && !t.capital);
        if !coordinated {
            return None;
        }
        end = start - 1;
    }
}

/// The words the sentences capitalize past their first word, lowercased.
fn capitalized_inside(sentences: &[Vec<Token>]) -> BTreeSet<String> {
    sentences
        .iter()
        .flat_map(|tokens| {
            tokens
                .iter()
                .filter(|t| t.kind == TokenKind::Word)
                .skip(1)
                .filter(|t| t.capital)
                .map(|t| t.lower.clone())
        })
        .collect()
}

/// A plural noun ("girls", "leaders"), which no organization's description is.
fn is_plural(word: &str) -> bool {
    word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") && !word.ends_with("is")
}

/// The common noun a name ends on, which a description can take up ("Foreign Ministry" →
/// ministry, "University of Copenhagen" → university); None for a one-word name or an
/// all-capitals head ("FIRST", "NASA"), which are no common nouns.
fn name_head(name: &str) -> Option<String> {
    let written: Vec<&str> = name.split_whitespace().collect();
    let head = match written.iter().position(|w| *w == "of") {
        Some(at) if at > 0 => written[at - 1],
        _ => *written.last()?,
    };
    let all_capitals = head
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    (written.len() >= 2 && !all_capitals).then(|| {
        head.to_lowercase()
            .replace('’', "'")
            .trim_end_matches("'s")
            .to_string()
    })
}

/// The role phrases of a sentence that refer to somebody without naming them: "the" and up
/// to three modifiers before a person's title ("the interior minister", "the Republican
/// nominee"), not standing before a name ("the prime minister Alberto Otárola" is a
/// title). What `actors discover` suggests for a roles file.
pub fn role_phrases(text: &str, sentence: Range<usize>) -> Vec<Range<usize>> {
    let tokens = tokenize(text, sentence);
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.lower != "the" {
            continue;
        }
        let words: Vec<&Token> = tokens[i + 1..]
            .iter()
            .take_while(|t| t.kind == TokenKind::Word)
            .take(4)
            .collect();
        let bare = |t: &Token| {
            t.lower
                .trim_end_matches("'s")
                .trim_end_matches("’s")
                .to_string()
        };
        let Some(head) = words
            .iter()
            .rposition(|t| PERSON_HEADS.contains(&bare(t).as_str()))
        else {
            continue;
        };
        let possessive = bare(words[head]) != words[head].lower;
        if possessive || ends_noun_phrase(tokens.get(i + 2 + head)) {
            let span = token.span.start..words[head].span.end;
            found.push(without_clitic(text, span));
        }
    }
    found
}

/// A reference's span without the clitic its last word carries ("he's" → "he", "the
/// government’s" → "the government").
fn without_clitic(text: &str, span: Range<usize>) -> Range<usize> {
    let written = &text[span.clone()];
    let last_word = written.rfind(' ').map_or(0, |at| at + 1);
    match written[last_word..].find(['\'', '’']) {
        Some(at) if at > 0 => span.start..span.start + last_word + at,
        _ => span,
    }
}

/// Whether the token after a description's last word lets that word be its head: the
/// sentence goes on with something else than another noun or a name ("the president Pedro
/// Castillo" is a title).
fn ends_noun_phrase(after: Option<&Token>) -> bool {
    let Some(after) = after else { return true };
    after.kind != TokenKind::Word
        || !(after.capital || HEAD_MODIFIES.contains(&after.lower.as_str()))
}

/// The candidate whose weight beats every other's by the margin.
fn confident<T>(weights: &HashMap<usize, (f64, T)>, margin: f64) -> Option<usize> {
    let mut ranked: Vec<(usize, f64)> = weights.iter().map(|(a, (w, _))| (*a, *w)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (best, weight) = *ranked.first()?;
    let beaten = ranked
        .get(1)
        .is_none_or(|(_, second)| weight >= margin * second);
    beaten.then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Article;
    use crate::score::prepare::{prepare, references, Finder};
    use std::io::Write;

    const ACTORS: &str = "id,name,aliases,camp,kind,gender\n\
        boluarte,Dina Boluarte,,government,person,female\n\
        castillo,Pedro Castillo,,opposition,person,male\n\
        petro,Gustavo Petro,,foreign,person,male\n\
        government,Boluarte government,,government,organization,\n\
        warren,Elizabeth Warren,,left,person,female\n\
        unknown,Pat Doe,,left,person,\n\
        ministry,Peruvian Foreign Ministry,Foreign Ministry,government,organization,\n\
        protesters,protest movement,protesters,opposition,group,\n";

    const ROLES: &str = "role,actor_id,from,to,qualifiers\n\
        president,castillo,2021-07-28,2022-12-07,Peruvian|Peru's|Peru\n\
        president,boluarte,2022-12-07,,Peruvian|Peru's|Peru\n\
        president,petro,2022-08-07,,Colombian|Colombia's|Colombia\n";

    fn registry() -> Registry {
        let dir = tempfile::tempdir().expect("dir");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            let mut file = std::fs::File::create(&path).expect("create");
            file.write_all(text.as_bytes()).expect("write");
            path
        };
        let actors = write("actors.csv", ACTORS);
        let roles = write("roles.csv", ROLES);
        Registry::load_with_roles(&[actors], &[roles]).expect("registry")
    }

    /// (reference as written, form, actor id, antecedent as written) for every resolved
    /// reference (names left out).
    fn resolved(text: &str, date: &str) -> Vec<(String, &'static str, String, String)> {
        let registry = registry();
        let finder = Finder::new(&registry, References::All).expect("finder");
        let mut article = Article::of_text("a", text, "f");
        article.date = date.into();
        references(&article, &crate::text::EnglishRules, &finder)
            .mentions
            .into_iter()
            .filter(|m| !m.form.is_name())
            .map(|m| {
                (
                    text[m.span.clone()].to_string(),
                    m.form.as_str(),
                    registry.actors[m.actor].id.clone(),
                    m.antecedent
                        .map(|a| text[a].to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    fn row(
        written: &str,
        form: &'static str,
        actor: &str,
        antecedent: &str,
    ) -> (String, &'static str, String, String) {
        (written.into(), form, actor.into(), antecedent.into())
    }

    #[test]
    fn the_president_is_whoever_held_the_role_that_day() {
        let text = "Pedro Castillo and Dina Boluarte met in Lima. The president spoke.";
        let the_president = |holder: &str| row("The president", "role", holder, "Dina Boluarte");
        assert_eq!(
            resolved(text, "2022-06-01"),
            [the_president("castillo")].map(|r| (r.0, r.1, r.2, "Pedro Castillo".to_string()))
        );
        assert_eq!(resolved(text, "2023-03-29"), [the_president("boluarte")]);
        // The handover day: both held it, and the article names both in one sentence.
        assert!(resolved(text, "2022-12-07").is_empty());
        // A holder the article never names is not assumed.
        assert!(resolved("The president spoke in Lima, Peru.", "2023-03-29").is_empty());
        // Named later in the article (a headline before its story) will do.
        assert_eq!(
            resolved(
                "The president spoke\nDina Boluarte addressed Peru.",
                "2023-03-29"
            ),
            [row("The president", "role", "boluarte", "The president")]
        );
    }

    #[test]
    fn an_undated_article_resolves_a_role_only_to_the_one_holder_it_names() {
        assert!(resolved("The president spoke in Lima.", "").is_empty());
        assert_eq!(
            resolved("Pedro Castillo was in Lima. The president spoke.", ""),
            [row("The president", "role", "castillo", "Pedro Castillo")]
        );
    }

    #[test]
    fn country_qualifiers_pick_the_country() {
        let text = "Dina Boluarte met Gustavo Petro. The Colombian president left, and Peru's \
                    president stayed. The president of Colombia called later.";
        let found = resolved(text, "2023-03-29");
        assert_eq!(
            found,
            [
                row("The Colombian president", "role", "petro", "Gustavo Petro"),
                row("Peru's president", "role", "boluarte", "Dina Boluarte"),
                row(
                    "The president of Colombia",
                    "role",
                    "petro",
                    "The Colombian president"
                ),
            ]
        );
    }

    #[test]
    fn her_resignation_is_boluartes() {
        let text = "Dina Boluarte addressed the nation on Monday. Pedro Castillo remained in \
                    prison. The Boluarte government was criticized for its use of force \
                    against protesters demanding her resignation.";
        let found = resolved(text, "2023-03-29");
        // The government's name keeps her in view; the antecedent is her last own mention.
        assert_eq!(
            found,
            [
                row("its", "pronoun", "government", "Boluarte government"),
                row("her", "pronoun", "boluarte", "Dina Boluarte")
            ]
        );
    }

    #[test]
    fn pronouns_follow_gender_chains_and_binding() {
        let text = "Gustavo Petro criticized Dina Boluarte. He said she had failed, and his \
                    allies agreed with him. Petro praised him.";
        let found = resolved(text, "2023-03-29");
        assert_eq!(
            found[..4],
            [
                row("He", "pronoun", "petro", "Gustavo Petro"),
                row("she", "pronoun", "boluarte", "Dina Boluarte"),
                row("his", "pronoun", "petro", "He"),
                row("him", "pronoun", "petro", "his"),
            ]
        );
        // "Petro praised him": not Petro, and no other man is in view.
        assert_eq!(found.len(), 4, "{found:?}");
    }

    #[test]
    fn unsure_references_are_skipped() {
        // Two men in the same place: no telling whom "he" is.
        let tied = "The letter named Pedro Castillo and Gustavo Petro. He denied it.";
        assert!(resolved(tied, "2023-03-29").is_empty());
        // A person with no gender in the registry takes no pronoun.
        assert!(resolved("Pat Doe spoke. She left.", "2023-03-29").is_empty());
        // Plurals, unknown modifiers and generic "they".
        let text = "Pedro Castillo and Gustavo Petro met. The two leaders talked. The next \
                    president will decide. They said it was over.";
        assert!(
            resolved(text, "2023-03-29").is_empty(),
            "{:?}",
            resolved(text, "2023-03-29")
        );
    }

    #[test]
    fn descriptions_take_up_titles_and_organization_names() {
        let text = "Senator Elizabeth Warren spoke. The senator left. The Peruvian Foreign \
                    Ministry answered. The ministry said its envoy would stay. Vice President \
                    Pat Doe called, and former President Pedro Castillo wrote. The former \
                    president and the vice president agreed. The president did not.";
        assert_eq!(
            resolved(text, "2023-03-29"),
            [
                row("The senator", "description", "warren", "Elizabeth Warren"),
                row(
                    "The ministry",
                    "description",
                    "ministry",
                    "Peruvian Foreign Ministry"
                ),
                row("its", "pronoun", "ministry", "The ministry"),
                row("The former president", "role", "castillo", "Pedro Castillo"),
                row("the vice president", "description", "unknown", "Pat Doe"),
                // "The president" is neither the vice president nor the former one, and the
                // holder that day is not named.
            ]
        );
    }

    #[test]
    fn a_role_as_a_place_is_no_reference() {
        let text = "Dina Boluarte met envoys at the Peruvian Foreign Ministry. Protesters \
                    gathered outside the ministry, and the ministry said its envoy left.";
        assert_eq!(
            resolved(text, "2023-03-29"),
            [
                row(
                    "the ministry",
                    "description",
                    "ministry",
                    "Peruvian Foreign Ministry"
                ),
                row("its", "pronoun", "ministry", "the ministry"),
            ]
        );
    }

    #[test]
    fn groups_take_they_and_organizations_its() {
        let text = "The protesters marched on Lima, where they set up camp.";
        assert_eq!(
            resolved(text, "2023-03-29"),
            [row("they", "pronoun", "protesters", "protesters")]
        );
    }

    #[test]
    fn names_only_keeps_todays_mentions() {
        let registry = registry();
        let text = "Dina Boluarte spoke. She left.";
        let article = Article::of_text("a", text, "f");
        let names = Finder::new(&registry, References::Names).expect("finder");
        let all = Finder::new(&registry, References::All).expect("finder");
        let count = |f: &Finder| {
            prepare(&article, &crate::text::EnglishRules, f, &[])
                .mentions
                .len()
        };
        assert_eq!((count(&names), count(&all)), (1, 2));
    }
}
