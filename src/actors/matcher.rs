//! Finding actor mentions in an article.
//!
//! One Aho-Corasick automaton holds every surface form: names and aliases (which identify an
//! actor outright), and for persons the surname alone and title + surname (which need the
//! article's context). Matches must sit on word boundaries; overlapping matches keep the
//! leftmost, then the longest, so "the Boluarte government" goes to the actor whose alias it
//! is rather than to Boluarte. Forms and text are matched folded (`folding`): without
//! accents, with one apostrophe and one kind of space, as news text varies.
//!
//! Resolution is per article: a surname goes to the actor with that surname who is named in
//! full (or by an alias) somewhere in the article, or to nobody if none or several are;
//! "President Petro" also counts when only one registry person has that surname.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use super::folding::{fold, Folded};
use super::registry::Registry;
use aho_corasick::{AhoCorasick, MatchKind};

/// How a reference refers to its actor: the matcher finds the first four (a name as the
/// registry writes it), the resolver (`annotate::references`) the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    Name,
    Alias,
    /// A title and the surname ("President Petro").
    Title,
    Surname,
    /// A dated role of the registry ("the president" on the article's date).
    Role,
    /// A description built from the actor's titles or name ("the senator", "the ministry").
    Description,
    Pronoun,
}

impl Form {
    pub const ALL: [Form; 7] = [
        Form::Name,
        Form::Alias,
        Form::Title,
        Form::Surname,
        Form::Role,
        Form::Description,
        Form::Pronoun,
    ];

    fn identifies(self) -> bool {
        matches!(self, Form::Name | Form::Alias)
    }

    /// Whether the form writes a name of the actor (what `--references names` keeps).
    pub fn is_name(self) -> bool {
        matches!(self, Form::Name | Form::Alias | Form::Title | Form::Surname)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Form::Name => "name",
            Form::Alias => "alias",
            Form::Title => "title",
            Form::Surname => "surname",
            Form::Role => "role",
            Form::Description => "description",
            Form::Pronoun => "pronoun",
        }
    }

    pub fn parse(s: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Titles that may stand before a surname ("President Petro", "Mr. Castillo").
pub const TITLES: &[&str] = &[
    "President",
    "Vice President",
    "Former President",
    "former President",
    "ex-President",
    "Prime Minister",
    "Minister",
    "Foreign Minister",
    "Secretary",
    "Senator",
    "Sen.",
    "Representative",
    "Rep.",
    "Congressman",
    "Congresswoman",
    "Governor",
    "Gov.",
    "Speaker",
    "Leader",
    "Justice",
    "Chief Justice",
    "Judge",
    "General",
    "Gen.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mr",
    "Mrs",
    "Ms",
    "Dr.",
    "Attorney General",
    "Ambassador",
    "Mayor",
    "Premier",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Index into the registry's actors.
    pub actor: usize,
    /// Byte range in the text.
    pub span: Range<usize>,
    pub form: Form,
}

pub struct Matcher {
    automaton: AhoCorasick,
    /// For each automaton pattern: the (actor, form) pairs it stands for.
    targets: Vec<Vec<(usize, Form)>>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot build the mention matcher: {0}")]
pub struct MatcherError(String);

impl Matcher {
    pub fn new(registry: &Registry) -> Result<Self, MatcherError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<(usize, Form)>> = Vec::new();
        let mut add = |surface: &str, actor: usize, form: Form| {
            let folded = fold(surface);
            let id = *index.entry(folded.clone()).or_insert_with(|| {
                patterns.push(folded);
                targets.push(Vec::new());
                targets.len() - 1
            });
            if !targets[id].contains(&(actor, form)) {
                targets[id].push((actor, form));
            }
        };
        for (i, actor) in registry.actors.iter().enumerate() {
            add(&actor.name, i, Form::Name);
            for alias in &actor.aliases {
                add(alias, i, Form::Alias);
            }
            if let Some(surname) = actor.surname() {
                add(surname, i, Form::Surname);
                for title in TITLES {
                    add(&format!("{title} {surname}"), i, Form::Title);
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| MatcherError(e.to_string()))?;
        Ok(Self { automaton, targets })
    }

    /// All resolved mentions in `original`, in text order, as byte ranges of it.
    pub fn find(&self, original: &str) -> Vec<Mention> {
        let folded = Folded::new(original);
        let text = folded.text.as_str();
        // Every boundary-respecting match, then leftmost-longest without overlaps.
        let mut found: Vec<(Range<usize>, usize)> = self
            .automaton
            .find_overlapping_iter(text)
            .filter(|m| on_word_boundaries(text, m.start(), m.end()))
            .map(|m| (m.start()..m.end(), m.pattern().as_usize()))
            .collect();
        found.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
        let mut chosen: Vec<(Range<usize>, usize)> = Vec::new();
        for (span, pattern) in found {
            if chosen.last().is_none_or(|(last, _)| span.start >= last.end) {
                chosen.push((span, pattern));
            }
        }

        // Actors the article names outright (and unambiguously).
        let named: BTreeSet<usize> = chosen
            .iter()
            .filter_map(|(_, p)| {
                let direct: Vec<usize> = self.targets[*p]
                    .iter()
                    .filter(|(_, f)| f.identifies())
                    .map(|(a, _)| *a)
                    .collect();
                (direct.len() == 1).then(|| direct[0])
            })
            .collect();
        let surname_owners = |p: usize| {
            self.targets[p]
                .iter()
                .filter(|(_, f)| !f.identifies())
                .count()
        };

        chosen
            .into_iter()
            .filter_map(|(span, p)| {
                let eligible: Vec<(usize, Form)> = self.targets[p]
                    .iter()
                    .copied()
                    .filter(|&(actor, form)| match form {
                        Form::Name | Form::Alias => true,
                        Form::Title => named.contains(&actor) || surname_owners(p) == 1,
                        Form::Surname => named.contains(&actor),
                        Form::Role | Form::Description | Form::Pronoun => false,
                    })
                    .collect();
                let mut actors: Vec<usize> = eligible.iter().map(|(a, _)| *a).collect();
                actors.dedup();
                match actors.as_slice() {
                    [actor] => {
                        let form = eligible
                            .iter()
                            .map(|(_, f)| *f)
                            .min()
                            .unwrap_or(Form::Surname);
                        Some(Mention {
                            actor: *actor,
                            span: folded.original(span),
                            form,
                        })
                    }
                    _ => None,
                }
            })
            .collect()
    }
}

fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    !before.is_some_and(is_word) && !after.is_some_and(is_word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::registry::{Actor, Kind, Origin};

    fn actor(id: &str, name: &str, aliases: &[&str], kind: Kind) -> Actor {
        Actor {
            id: id.into(),
            name: name.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            camp: "c".into(),
            kind,
            gender: None,
            origin: Origin {
                file: "t.csv".into(),
                line: 1,
            },
        }
    }

    fn registry() -> Registry {
        Registry {
            actors: vec![
                actor("boluarte", "Dina Boluarte", &[], Kind::Person),
                actor(
                    "gov",
                    "Boluarte government",
                    &["de-facto government"],
                    Kind::Organization,
                ),
                actor("pcastillo", "Pedro Castillo", &[], Kind::Person),
                actor("xcastillo", "Ximena Castillo", &[], Kind::Person),
                actor("petro", "Gustavo Petro", &[], Kind::Person),
                actor(
                    "amlo",
                    "Andrés Manuel López Obrador",
                    &["López Obrador", "AMLO"],
                    Kind::Person,
                ),
            ],
            roles: Default::default(),
            files: vec![],
        }
    }

    fn found(text: &str) -> Vec<(String, &str)> {
        let reg = registry();
        let m = Matcher::new(&reg).unwrap();
        m.find(text)
            .into_iter()
            .map(|x| (reg.actors[x.actor].id.clone(), &text[x.span]))
            .collect()
    }

    #[test]
    fn names_possessives_and_longest_alias() {
        let text =
            "Dina Boluarte’s allies defended the Boluarte government, and Boluarte's aides agreed.";
        assert_eq!(
            found(text),
            [
                ("boluarte".into(), "Dina Boluarte"),
                ("gov".into(), "Boluarte government"),
                ("boluarte".into(), "Boluarte")
            ]
        );
    }

    #[test]
    fn surname_needs_the_full_name_in_the_article() {
        assert!(found("Boluarte spoke.").is_empty());
        assert_eq!(
            found("President Petro spoke."),
            [("petro".into(), "President Petro")]
        );
        assert_eq!(
            found("Gustavo Petro spoke. Then Petro left."),
            [("petro".into(), "Gustavo Petro"), ("petro".into(), "Petro")]
        );
    }

    #[test]
    fn shared_surnames_go_to_the_one_named_or_to_nobody() {
        assert!(found("Mr. Castillo spoke.").is_empty());
        assert_eq!(
            found("Pedro Castillo was ousted. Mr. Castillo appealed."),
            [
                ("pcastillo".into(), "Pedro Castillo"),
                ("pcastillo".into(), "Mr. Castillo")
            ]
        );
        let both = found("Pedro Castillo and Ximena Castillo met. Castillo spoke.");
        assert_eq!(both.len(), 2, "the bare surname is ambiguous: {both:?}");
    }

    #[test]
    fn word_boundaries_and_accent_variants() {
        assert!(found("Petrol prices rose for Gustavo Petrov.").is_empty());
        assert_eq!(
            found("Lopez Obrador and AMLO."),
            [("amlo".into(), "Lopez Obrador"), ("amlo".into(), "AMLO")]
        );
    }

    #[test]
    fn names_written_apart_or_decomposed_are_found_as_written() {
        let text = "Dina\u{a0}Boluarte met Pedro\nCastillo and Lo\u{301}pez  Obrador.";
        assert_eq!(
            found(text),
            [
                ("boluarte".into(), "Dina\u{a0}Boluarte"),
                ("pcastillo".into(), "Pedro\nCastillo"),
                ("amlo".into(), "Lo\u{301}pez  Obrador")
            ]
        );
    }
}
