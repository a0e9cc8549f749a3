//! The voice stage: for each mention, whether it is in the outlet's own words or in
//! somebody's quoted or reported words, and whose.
//!
//! A mention inside an attribution's content is in that attribution's voice, with its
//! speaker; inside two (a quotation within reported speech), the innermost counts. A mention
//! that is itself the source ("Petro said …") is the speaker's own act as the outlet
//! reports it, so it stays in the outlet's voice.
//!
//! Speakers are resolved to registry actors: an actor named inside the source span (the first
//! one: "a spokesman for Clinton" is Clinton's side speaking); a pronoun ("he", "she" →
//! the nearest preceding person; "it" → organization; "they" → group, organization or
//! person) or a definite description ("the president", "the ministry") → the nearest
//! preceding mention of a compatible kind. Otherwise the speaker is the source's own text,
//! or `unknown` when no source was found.

use super::quotes::{find_attributions, Attribution};
use super::{AnnotatedArticle, Annotator, LocatedMention};
use crate::actors::Kind;
use crate::corpus::Article;

/// Who speaks in a quoted or reported mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speaker {
    /// Index into the registry's actors, when resolved to one.
    pub actor: Option<usize>,
    /// The source's text as written, or `unknown`.
    pub text: String,
}

/// The speaker text of an attribution whose source was not found.
pub const UNKNOWN_SPEAKER: &str = "unknown";

/// Heads of definite descriptions that refer back to a person ("the president said").
const PERSON_NOUNS: &[&str] = &[
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
    "mogul",
    "businessman",
    "billionaire",
    "chancellor",
    "mayor",
    "frontrunner",
    "front-runner",
    "speaker",
    "chairman",
    "chairwoman",
    "president-elect",
    "vice",
    "former",
    "democrat",
    "republican",
    "official",
];

/// Heads of definite descriptions that refer back to an organization or group.
const ORGANIZATION_NOUNS: &[&str] = &[
    "ministry",
    "government",
    "campaign",
    "party",
    "administration",
    "committee",
    "agency",
    "department",
    "office",
    "movement",
    "group",
    "organization",
    "organisation",
    "council",
    "court",
    "congress",
    "senate",
    "house",
    "coalition",
    "union",
    "police",
    "army",
    "military",
];

/// The quotation stage, for a registry whose actors have `kinds` (in registry order).
pub struct VoiceAnnotator {
    kinds: Vec<Kind>,
}

impl VoiceAnnotator {
    pub fn new(kinds: Vec<Kind>) -> Self {
        Self { kinds }
    }

    /// The attributions of `article`, each with its resolved speaker.
    pub fn attributions(
        &self,
        article: &Article,
        annotated: &AnnotatedArticle,
    ) -> Vec<(Attribution, Speaker)> {
        find_attributions(&article.text, &annotated.sentences)
            .into_iter()
            .map(|a| {
                let speaker = self.speaker(&article.text, &a, &annotated.mentions);
                (a, speaker)
            })
            .collect()
    }

    /// The speaker of `attribution`. A reference back skips the mentions inside the
    /// attribution's own words ("“Castillo is innocent,” he said": he is not Castillo).
    fn speaker(
        &self,
        text: &str,
        attribution: &Attribution,
        mentions: &[LocatedMention],
    ) -> Speaker {
        let Some(source) = attribution.source.as_ref() else {
            return Speaker {
                actor: None,
                text: UNKNOWN_SPEAKER.to_string(),
            };
        };
        let written = text[source.clone()].to_string();
        let named = mentions
            .iter()
            .find(|m| source.start <= m.span.start && m.span.end <= source.end);
        let actor = match named {
            Some(m) => Some(m.actor),
            None => referent(&written).and_then(|compatible| {
                mentions
                    .iter()
                    .rev()
                    .filter(|m| m.span.end <= source.start && !attribution.contains(&m.span))
                    .find(|m| compatible(self.kinds[m.actor]))
                    .map(|m| m.actor)
            }),
        };
        Speaker {
            actor,
            text: written,
        }
    }
}

/// The kinds of actor a pronoun or definite description `source` can refer back to.
fn referent(source: &str) -> Option<fn(Kind) -> bool> {
    let lower = source.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    match words.as_slice() {
        ["he"] | ["she"] => Some(|k| k == Kind::Person),
        ["it"] => Some(|k| matches!(k, Kind::Organization | Kind::Group | Kind::Place)),
        ["they"] => Some(|k| k != Kind::Place),
        ["the", rest @ ..] | ["this", rest @ ..] => {
            let head = rest.last()?;
            if PERSON_NOUNS.contains(head) {
                Some(|k| k == Kind::Person)
            } else if ORGANIZATION_NOUNS.contains(head) {
                Some(|k| matches!(k, Kind::Organization | Kind::Group))
            } else {
                None
            }
        }
        _ => None,
    }
}

impl Annotator for VoiceAnnotator {
    fn annotate(&self, article: &Article, annotated: &mut AnnotatedArticle) {
        let attributions = self.attributions(article, annotated);
        for mention in &mut annotated.mentions {
            let is_source = attributions.iter().any(|(a, _)| {
                a.source
                    .as_ref()
                    .is_some_and(|s| s.start <= mention.span.start && mention.span.end <= s.end)
            });
            if is_source {
                continue;
            }
            // The innermost attribution holding the mention (the shortest content).
            let holding = attributions
                .iter()
                .filter(|(a, _)| a.contains(&mention.span))
                .min_by_key(|(a, _)| a.content.iter().map(|c| c.len()).sum::<usize>());
            if let Some((a, speaker)) = holding {
                mention.voice = a.voice;
                mention.speaker = Some(speaker.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::{Matcher, Registry};
    use crate::annotate::Voice;
    use crate::score::prepare::prepare;
    use std::io::Write;

    fn registry() -> Registry {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(
            b"id,name,aliases,camp,kind\n\
              petro,Gustavo Petro,,foreign,person\n\
              ministry,Peruvian Foreign Ministry,Foreign Ministry,government,organization\n\
              castillo,Pedro Castillo,,opposition,person\n",
        )
        .expect("write");
        Registry::load(&[file.path().to_path_buf()]).expect("registry")
    }

    fn voices(text: &str) -> Vec<(String, Voice, Option<String>, Option<usize>)> {
        let registry = registry();
        let matcher = Matcher::new(&registry).expect("matcher");
        let annotator = VoiceAnnotator::new(registry.actors.iter().map(|a| a.kind).collect());
        let article = Article {
            id: "a".into(),
            outlet: "o".into(),
            date: String::new(),
            title: String::new(),
            text: text.into(),
            kept: Vec::new(),
            file: "f".into(),
            line: 1,
        };
        let annotators: Vec<Box<dyn Annotator>> = vec![Box::new(annotator)];
        prepare(&article, &crate::text::EnglishRules, &matcher, &annotators)
            .mentions
            .into_iter()
            .map(|m| {
                (
                    text[m.span].to_string(),
                    m.voice,
                    m.speaker.as_ref().map(|s| s.text.clone()),
                    m.speaker.and_then(|s| s.actor),
                )
            })
            .collect()
    }

    #[test]
    fn the_ministry_speaks_about_petro_and_petro_speaks_for_himself() {
        let text = "Colombian President Gustavo Petro voiced his support for the ousted Pedro \
                    Castillo. The Peruvian Foreign Ministry said the decision was due to “the \
                    recurrent interventionist and provocative remarks” from President Petro.";
        let found = voices(text);
        assert_eq!(found[0], ("Gustavo Petro".into(), Voice::Own, None, None));
        assert_eq!(found[1].1, Voice::Own, "{found:?}");
        assert_eq!(
            found[2].1,
            Voice::Own,
            "the speaker is not quoted: {found:?}"
        );
        assert_eq!(found[3].0, "President Petro");
        assert_eq!(found[3].1, Voice::Reported);
        assert_eq!(found[3].2.as_deref(), Some("The Peruvian Foreign Ministry"));
        assert_eq!(found[3].3, Some(1));
    }

    #[test]
    fn pronoun_speakers_resolve_to_the_nearest_compatible_actor() {
        let text = "Gustavo Petro met the Foreign Ministry. “Pedro Castillo is innocent,” he said.";
        let found = voices(text);
        let castillo = &found[2];
        assert_eq!(castillo.1, Voice::Quoted);
        assert_eq!(castillo.2.as_deref(), Some("he"));
        assert_eq!(castillo.3, Some(0), "he = Petro, the nearest person");
        let text = "The Foreign Ministry met Gustavo Petro. “Pedro Castillo is guilty,” it said.";
        let found = voices(text);
        assert_eq!(found[2].3, Some(1), "it = the ministry: {found:?}");
    }

    #[test]
    fn a_quotation_without_a_speaker_is_unknown() {
        let found = voices("Headline.\n\n“Pedro Castillo must go.”");
        assert_eq!(found[0].1, Voice::Quoted);
        assert_eq!(found[0].2.as_deref(), Some(UNKNOWN_SPEAKER));
        assert_eq!(found[0].3, None);
    }
}
