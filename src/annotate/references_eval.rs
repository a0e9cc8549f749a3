//! Measuring the resolver against coreference chains: GUM's documents (CoNLL, one token per
//! line with bracketed entity numbers; `../shared/datasets/gum-coref/`).
//!
//! For each document a registry is built the way a user would write one: every person and
//! organization chain that holds a proper name becomes an actor, named by its longest proper
//! mention, with its other proper mentions as aliases and, for a person, the gender its own
//! pronouns show (as a registry author knows it). slant's finder and resolver then read the
//! document's text, and every pronoun, role or description they resolve is checked against
//! the chain of the gold mention at that place.
//!
//! The documents are split in two halves, alternately in name order within each genre: tune
//! on `A`, report `B`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::actors::{Actor, Form, Gender, Kind, Matcher, Registry};
use crate::annotate::references::{References, Resolver, Weights};
use crate::corpus::Article;
use crate::score::prepare::{references, Finder};
use crate::text::EnglishRules;

#[derive(Debug, thiserror::Error)]
pub enum GumError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Format {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// One gold mention: tokens `tokens` (end exclusive) of entity `entity`.
#[derive(Debug, Clone)]
pub struct GoldMention {
    pub tokens: Range<usize>,
    pub entity: u32,
}

#[derive(Debug, Clone)]
pub struct GumDocument {
    pub name: String,
    /// `bio`, `interview`, `news` or `speech`.
    pub genre: String,
    pub tokens: Vec<String>,
    /// The token each sentence starts at.
    pub sentence_starts: Vec<usize>,
    pub mentions: Vec<GoldMention>,
    /// Each entity's type (person, organization, …).
    pub types: HashMap<u32, String>,
    /// Entities linked to Wikipedia (certainly named).
    pub linked: BTreeSet<u32>,
}

/// Which documents to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// The tuning half.
    A,
    /// The reported half: never tuned on, never inspected document by document.
    B,
    All,
}

/// Reads every `*.conll` of `dir`, in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<GumDocument>, GumError> {
    let io = |source| GumError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "conll"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_file(p)).collect()
}

/// The documents of `half`: alternate documents in name order within each genre.
pub fn half(documents: Vec<GumDocument>, half: Half) -> Vec<GumDocument> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    documents
        .into_iter()
        .filter(|d| {
            let n = seen.entry(d.genre.clone()).or_default();
            let in_a = (*n).is_multiple_of(2);
            *n += 1;
            match half {
                Half::A => in_a,
                Half::B => !in_a,
                Half::All => true,
            }
        })
        .collect()
}

fn load_file(path: &Path) -> Result<GumDocument, GumError> {
    let text = fs::read_to_string(path).map_err(|source| GumError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let error = |line: usize, message: String| GumError::Format {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut doc = GumDocument {
        name: String::new(),
        genre: String::new(),
        tokens: Vec::new(),
        sentence_starts: Vec::new(),
        mentions: Vec::new(),
        types: HashMap::new(),
        linked: BTreeSet::new(),
    };
    let mut open: Vec<(u32, usize)> = Vec::new();
    let mut new_sentence = true;
    for (n, line) in text.lines().enumerate() {
        if let Some(name) = line.strip_prefix("# begin document ") {
            doc.name = name.trim().to_string();
            doc.genre = doc.name.split('_').nth(1).unwrap_or("").to_string();
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            new_sentence = true;
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [_, token, entities] = fields[..] else {
            return Err(error(n + 1, format!("{} fields, not 3", fields.len())));
        };
        let at = doc.tokens.len();
        if new_sentence {
            doc.sentence_starts.push(at);
            new_sentence = false;
        }
        doc.tokens.push(token.to_string());
        for item in brackets(entities) {
            let (label, opens, closes) = item;
            let mut parts = label.splitn(3, '-');
            let kind = parts.next().unwrap_or("").to_string();
            let entity: u32 = parts
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| error(n + 1, format!("entity {label:?} has no number")))?;
            if parts.next().is_some() {
                doc.linked.insert(entity);
            }
            doc.types.insert(entity, kind);
            if opens {
                open.push((entity, at));
            }
            if closes {
                let i = open
                    .iter()
                    .rposition(|(e, _)| *e == entity)
                    .ok_or_else(|| error(n + 1, format!("{label:?} closes what was not opened")))?;
                let (_, start) = open.remove(i);
                doc.mentions.push(GoldMention {
                    tokens: start..at + 1,
                    entity,
                });
            }
        }
    }
    Ok(doc)
}

/// The bracket items of an entity field: (`type-N[-wiki]`, opens, closes).
fn brackets(field: &str) -> Vec<(String, bool, bool)> {
    let mut items = Vec::new();
    let mut rest = field;
    while !rest.is_empty() {
        let opens = rest.starts_with('(');
        if opens {
            rest = &rest[1..];
        }
        let end = rest.find(['(', ')']).unwrap_or(rest.len());
        let label = &rest[..end];
        rest = &rest[end..];
        let closes = rest.starts_with(')');
        if closes {
            rest = &rest[1..];
        }
        if label != "_" && !label.is_empty() && (opens || closes) {
            items.push((label.to_string(), opens, closes));
        }
    }
    items
}

/// The document's text (tokens joined as written) and each token's byte range.
pub fn detokenize(doc: &GumDocument) -> (String, Vec<Range<usize>>) {
    let mut text = String::new();
    let mut spans = Vec::with_capacity(doc.tokens.len());
    let mut quote_open = false;
    let mut sentence = doc.sentence_starts.iter().peekable();
    let mut previous: Option<&str> = None;
    for (i, token) in doc.tokens.iter().enumerate() {
        let starts_sentence = sentence.next_if(|&&s| s == i).is_some();
        let t = token.as_str();
        let attach = matches!(t, "," | "." | ";" | ":" | "!" | "?" | ")" | "]" | "%")
            || t.starts_with('\'') && t.len() <= 3 && t != "'"
            || t == "n't"
            || (t == "\"" && quote_open)
            || t == "-"
            || matches!(previous, Some("(" | "[" | "$" | "-"))
            || (previous == Some("\"") && quote_open_before(&text));
        if t == "\"" {
            quote_open = !quote_open;
        }
        if !text.is_empty() {
            if starts_sentence {
                text.push('\n');
            } else if !attach {
                text.push(' ');
            }
        }
        let start = text.len();
        text.push_str(t);
        spans.push(start..text.len());
        previous = Some(t);
    }
    (text, spans)
}

/// Whether the text ends with an opening quotation mark (one after a space or at the start).
fn quote_open_before(text: &str) -> bool {
    let mut chars = text.chars().rev();
    chars.next() == Some('"') && chars.next().is_none_or(|c| c.is_whitespace())
}

const FUNCTION_WORDS: &[&str] = &[
    "of", "and", "for", "de", "the", "von", "van", "da", "del", "la", "le", "du", "&", "der", "y",
    "di", "in", "on", "at", "'s", "-",
];
const PRONOUNS: &[&str] = &[
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "i",
    "me",
    "my",
    "mine",
    "myself",
    "we",
    "us",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "who",
    "whom",
    "whose",
    "which",
    "that",
    "this",
    "these",
    "those",
];
const MASCULINE: &[&str] = &["he", "him", "his", "himself"];
const FEMININE: &[&str] = &["she", "her", "hers", "herself"];

/// The chain's proper names: mentions whose words are capitalized (function words aside),
/// not a lone capitalized word opening a sentence unless the entity is linked.
fn proper_mentions(doc: &GumDocument, entity: u32) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    for m in doc.mentions.iter().filter(|m| m.entity == entity) {
        let mut words: Vec<&str> = doc.tokens[m.tokens.clone()]
            .iter()
            .map(String::as_str)
            .collect();
        let mut start = m.tokens.start;
        while words
            .first()
            .is_some_and(|w| matches!(*w, "the" | "The" | "a" | "A"))
        {
            words.remove(0);
            start += 1;
        }
        if words.is_empty() || words.len() > 6 {
            continue;
        }
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        if lower.len() == 1 && PRONOUNS.contains(&lower[0].as_str()) {
            continue;
        }
        let capitalized = words.iter().zip(&lower).all(|(w, l)| {
            FUNCTION_WORDS.contains(&l.as_str())
                || w.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        });
        let capitals = words
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .count();
        let opens_sentence = doc.sentence_starts.binary_search(&start).is_ok();
        let lone_opener = capitals == 1 && words.len() == 1 && opens_sentence;
        if capitalized && capitals > 0 && (!lone_opener || doc.linked.contains(&entity)) {
            let joined = join_words(&words);
            out.push((start..m.tokens.end, joined));
        }
    }
    out
}

fn join_words(words: &[&str]) -> String {
    let mut s = String::new();
    for w in words {
        if !s.is_empty() && !w.starts_with('\'') && *w != "-" && !s.ends_with('-') {
            s.push(' ');
        }
        s.push_str(w);
    }
    s
}

/// The registry a user would write for `doc`, and each actor's entity.
pub fn registry_of(doc: &GumDocument) -> (Registry, Vec<u32>) {
    let mut actors = Vec::new();
    let mut entities = Vec::new();
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    let mut ids: Vec<u32> = doc.types.keys().copied().collect();
    ids.sort_unstable();
    for entity in ids {
        let kind = match doc.types[&entity].as_str() {
            "person" => Kind::Person,
            "organization" => Kind::Organization,
            _ => continue,
        };
        let proper = proper_mentions(doc, entity);
        let mut names: Vec<String> = proper.into_iter().map(|(_, n)| n).collect();
        names.sort_by(|a, b| {
            b.split(' ')
                .count()
                .cmp(&a.split(' ').count())
                .then(a.cmp(b))
        });
        names.dedup();
        names.retain(|n| !claimed.contains(&n.to_lowercase()));
        let Some(name) = names.first().cloned() else {
            continue;
        };
        claimed.extend(names.iter().map(|n| n.to_lowercase()));
        let pronouns = |set: &[&str]| {
            doc.mentions
                .iter()
                .filter(|m| m.entity == entity && m.tokens.len() == 1)
                .filter(|m| set.contains(&doc.tokens[m.tokens.start].to_lowercase().as_str()))
                .count()
        };
        let gender = match (kind, pronouns(MASCULINE), pronouns(FEMININE)) {
            (Kind::Person, m, f) if m > f => Some(Gender::Male),
            (Kind::Person, m, f) if f > m => Some(Gender::Female),
            _ => None,
        };
        actors.push(Actor {
            id: format!("e{entity}"),
            name,
            aliases: names[1..].to_vec(),
            camp: "gum".into(),
            kind,
            gender,
            origin: crate::actors::registry::Origin {
                file: PathBuf::from(&doc.name),
                line: entity as u64,
            },
        });
        entities.push(entity);
    }
    (
        Registry {
            actors,
            roles: Default::default(),
            files: Vec::new(),
        },
        entities,
    )
}

/// Correct and resolved references of one kind, and the gold references that could be.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub resolved: usize,
    pub correct: usize,
    /// Gold references of this kind whose chain is an actor named earlier in the document.
    pub resolvable: usize,
}

impl Tally {
    pub fn precision(&self) -> Option<f64> {
        (self.resolved > 0).then(|| self.correct as f64 / self.resolved as f64)
    }
    pub fn recall(&self) -> Option<f64> {
        (self.resolvable > 0).then(|| self.correct as f64 / self.resolvable as f64)
    }
    fn add(&mut self, other: &Tally) {
        self.resolved += other.resolved;
        self.correct += other.correct;
        self.resolvable += other.resolvable;
    }
}

/// What one evaluation measured, per genre and overall.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReferenceReport {
    pub documents: usize,
    /// he/him/his/himself/she/her/hers/herself of persons.
    pub person_pronouns: BTreeMap<String, Tally>,
    /// it/its/itself/they/them/their/themselves of organizations.
    pub organization_pronouns: BTreeMap<String, Tally>,
    /// Roles and descriptions.
    pub descriptions: BTreeMap<String, Tally>,
    /// The baseline: every he/she/him/her/his to the most recent named person.
    pub baseline: BTreeMap<String, Tally>,
}

/// One resolved reference that the chains say is wrong (for the tuning half only).
#[derive(Debug, Clone)]
pub struct Miss {
    pub document: String,
    pub form: Form,
    pub written: String,
    pub resolved_to: String,
    /// The gold chain's name, or empty when the place is no person or organization chain.
    pub gold: String,
    pub context: String,
}

const ALL: &str = "all";

/// Evaluates the resolver on `documents`; `misses` collects its wrong references.
pub fn evaluate(
    documents: &[GumDocument],
    weights: Weights,
    misses: &mut Vec<Miss>,
) -> ReferenceReport {
    let mut report = ReferenceReport {
        documents: documents.len(),
        ..Default::default()
    };
    for doc in documents {
        let (registry, entities) = registry_of(doc);
        let (text, spans) = detokenize(doc);
        let Ok(matcher) = Matcher::new(&registry) else {
            continue;
        };
        let finder = Finder {
            matcher,
            resolver: Resolver::new(&registry).with_weights(weights),
            references: References::All,
        };
        let article = Article::of_text(doc.name.clone(), text.clone(), doc.name.clone());
        let annotated = references(&article, &EnglishRules, &finder);
        let token_at = |byte: usize| spans.partition_point(|s| s.end <= byte);
        let actor_of: HashMap<u32, usize> =
            entities.iter().enumerate().map(|(i, e)| (*e, i)).collect();
        // Where each actor's chain is first named (by a proper mention).
        let first_named: HashMap<u32, usize> = entities
            .iter()
            .filter_map(|&e| Some((e, proper_mentions(doc, e).first()?.0.start)))
            .collect();
        let innermost = |token: usize| {
            doc.mentions
                .iter()
                .filter(|m| m.tokens.contains(&token))
                .filter(|m| matches!(doc.types[&m.entity].as_str(), "person" | "organization"))
                .min_by_key(|m| m.tokens.len())
        };
        let mut tallies: [Tally; 4] = Default::default();
        for m in &annotated.mentions {
            let slot = match m.form {
                Form::Pronoun => {
                    let word = text[m.span.clone()].to_lowercase();
                    if MASCULINE.contains(&word.as_str()) || FEMININE.contains(&word.as_str()) {
                        0
                    } else {
                        1
                    }
                }
                Form::Role | Form::Description => 2,
                _ => continue,
            };
            let token = token_at(m.span.start);
            let gold = innermost(token);
            let correct = gold.is_some_and(|g| actor_of.get(&g.entity) == Some(&m.actor));
            tallies[slot].resolved += 1;
            if correct {
                tallies[slot].correct += 1;
            } else {
                let sentence = &annotated.sentences[m.sentence];
                misses.push(Miss {
                    document: doc.name.clone(),
                    form: m.form,
                    written: text[m.span.clone()].to_string(),
                    resolved_to: registry.actors[m.actor].name.clone(),
                    gold: gold
                        .and_then(|g| actor_of.get(&g.entity))
                        .map(|&a| registry.actors[a].name.clone())
                        .unwrap_or_else(|| {
                            gold.map(|g| format!("(unnamed {})", doc.types[&g.entity]))
                                .unwrap_or_default()
                        }),
                    context: text[sentence.clone()].to_string(),
                });
            }
        }
        // Gold pronouns that could be resolved, and the most-recent-person baseline.
        let mut named_persons: Vec<(usize, u32)> = entities
            .iter()
            .filter(|e| doc.types[*e] == "person")
            .flat_map(|&e| {
                proper_mentions(doc, e)
                    .into_iter()
                    .map(move |(r, _)| (r.start, e))
            })
            .collect();
        named_persons.sort_unstable();
        for g in &doc.mentions {
            let word = doc.tokens[g.tokens.start].to_lowercase();
            let personal = g.tokens.len() == 1
                && (MASCULINE.contains(&word.as_str()) || FEMININE.contains(&word.as_str()));
            let organizational = g.tokens.len() == 1
                && matches!(
                    word.as_str(),
                    "it" | "its" | "itself" | "they" | "them" | "their" | "themselves"
                );
            let named_before = first_named
                .get(&g.entity)
                .is_some_and(|&first| first < g.tokens.start);
            if personal && doc.types[&g.entity] == "person" && named_before {
                tallies[0].resolvable += 1;
                if matches!(word.as_str(), "he" | "she" | "him" | "her" | "his") {
                    tallies[3].resolvable += 1;
                    tallies[3].resolved += 1;
                    let latest = named_persons
                        .iter()
                        .rev()
                        .find(|(at, _)| *at < g.tokens.start)
                        .map(|(_, e)| *e);
                    if latest == Some(g.entity) {
                        tallies[3].correct += 1;
                    }
                }
            }
            if organizational && doc.types[&g.entity] == "organization" && named_before {
                tallies[1].resolvable += 1;
            }
            let described = g.tokens.len() >= 2
                && doc.tokens[g.tokens.start].eq_ignore_ascii_case("the")
                && doc.tokens[g.tokens.start + 1]
                    .chars()
                    .next()
                    .is_some_and(char::is_lowercase);
            if described && actor_of.contains_key(&g.entity) && named_before {
                tallies[2].resolvable += 1;
                if std::env::var_os("DBG").is_some() {
                    eprintln!(
                        "GOLD {} | {} | {}",
                        doc.name,
                        doc.tokens[g.tokens.clone()].join(" "),
                        registry.actors[actor_of[&g.entity]].name
                    );
                }
            }
        }
        let maps = [
            &mut report.person_pronouns,
            &mut report.organization_pronouns,
            &mut report.descriptions,
            &mut report.baseline,
        ];
        for (map, tally) in maps.into_iter().zip(&tallies) {
            map.entry(doc.genre.clone()).or_default().add(tally);
            map.entry(ALL.to_string()).or_default().add(tally);
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_open_close_and_stand_alone() {
        assert_eq!(
            brackets("(event-1(abstract-2)"),
            [
                ("event-1".to_string(), true, false),
                ("abstract-2".to_string(), true, true)
            ]
        );
        assert_eq!(
            brackets("organization-3-Afghan_Girls)time-7)"),
            [
                ("organization-3-Afghan_Girls".to_string(), false, true),
                ("time-7".to_string(), false, true)
            ]
        );
        assert!(brackets("_").is_empty());
    }

    #[test]
    fn a_document_reads_into_chains_text_and_a_registry() {
        let conll = "# begin document GUM_news_x\n\
                     0\tBarack\t(person-1-Barack_Obama\n1\tObama\tperson-1-Barack_Obama)\n\
                     2\tspoke\t_\n3\t.\t_\n\n\
                     4\tHe\t(person-1-Barack_Obama)\n5\tsaid\t_\n6\t\"\t_\n7\thi\t_\n8\t\"\t_\n\
                     9\t.\t_\n# end document\n";
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("GUM_news_x.conll");
        fs::write(&path, conll).expect("write");
        let doc = load_file(&path).expect("parse");
        assert_eq!(doc.genre, "news");
        assert_eq!(doc.sentence_starts, [0, 4]);
        assert_eq!(doc.mentions.len(), 2);
        let (text, spans) = detokenize(&doc);
        assert_eq!(text, "Barack Obama spoke.\nHe said \"hi\".");
        assert_eq!(&text[spans[7].clone()], "hi");
        let (registry, entities) = registry_of(&doc);
        assert_eq!(entities, [1]);
        assert_eq!(registry.actors[0].name, "Barack Obama");
        assert_eq!(registry.actors[0].gender, Some(Gender::Male));
        let report = evaluate(
            &[doc],
            crate::annotate::references::WEIGHTS,
            &mut Vec::new(),
        );
        let all = &report.person_pronouns[ALL];
        assert_eq!((all.resolved, all.correct, all.resolvable), (1, 1, 1));
    }
}
