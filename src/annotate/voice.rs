//! The voice stage: for each mention, whether it is in the outlet's own words or in
//! somebody's quoted or reported words, and whose.
//!
//! A mention inside an attribution's content is in that attribution's voice, with its
//! speaker; inside two (a quotation within reported speech), the innermost counts. A mention
//! that is itself the source ("Petro said …") is the speaker's own act as the outlet
//! reports it, so it stays in the outlet's voice, unless that act is itself inside
//! somebody's words ("Nevins said Lynch agreed to …": Lynch is in Nevins's voice).
//!
//! Speakers are resolved to registry actors: an actor named inside the source span (the first
//! one: "a spokesman for Clinton" is Clinton's side speaking); a pronoun ("he", "she" →
//! the nearest preceding person; "it" → organization; "they" → group, organization or
//! person) or a definite description ("the president", "the ministry") → the nearest
//! preceding mention of a compatible kind. Otherwise the speaker is the source's own text,
//! or `unknown` when no source was found.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::quotes::{find_attributions, subject_of, Attribution, Voice};
use super::references::first_person;
use super::tagger::{Tagger, TaggerError};
use super::voice_model::{features, MentionContext, SentenceWords, VoiceModel};
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

/// Which way `slant score` decides voices (recorded in run.json).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoiceChoice {
    /// The token tagger (`tagger`) over the rules' findings: the most accurate on PolNeAR's
    /// tuning folds by cross-validation, on every figure (see docs/voices.md).
    #[default]
    Tagger,
    /// The mention-level logistic model over the rules' findings.
    Learned,
    /// The rules alone.
    Rules,
}

/// A shipped voice model that does not load (a corrupt build).
#[derive(Debug, thiserror::Error)]
pub enum VoiceModelError {
    #[error("the built-in voice model: {0}")]
    Model(#[from] serde_json::Error),
    #[error("the built-in attribution tagger: {0}")]
    Tagger(#[from] TaggerError),
}

impl VoiceChoice {
    pub fn method(self) -> Result<VoiceMethod, VoiceModelError> {
        Ok(match self {
            VoiceChoice::Learned => VoiceMethod::Learned(VoiceModel::shipped()?),
            VoiceChoice::Rules => VoiceMethod::Rules,
            VoiceChoice::Tagger => VoiceMethod::Tagger(Tagger::shipped()?),
        })
    }
}

/// How a mention's voice is decided.
#[derive(Debug, Clone)]
pub enum VoiceMethod {
    /// Inside an attribution the rules found, and not its source.
    Rules,
    /// The learned model (`voice_model`), over the rules' findings and the sentence.
    Learned(VoiceModel),
    /// Inside an attribution the tagger found, and not its source.
    Tagger(Tagger),
}

/// The quotation stage, for a registry whose actors have `kinds` (in registry order).
pub struct VoiceAnnotator {
    kinds: Vec<Kind>,
    method: VoiceMethod,
}

/// What the rules found about one mention, and its model features.
pub struct Reading<'a> {
    /// The innermost attribution holding the mention, with its speaker.
    pub holding: Option<&'a (Attribution, Speaker)>,
    pub is_source: bool,
    pub features: Vec<u32>,
}

impl VoiceAnnotator {
    pub fn new(kinds: Vec<Kind>, method: VoiceMethod) -> Self {
        Self { kinds, method }
    }

    /// The attributions of `article`, each with its resolved speaker.
    pub fn attributions(
        &self,
        article: &Article,
        annotated: &AnnotatedArticle,
    ) -> Vec<(Attribution, Speaker)> {
        let rules = find_attributions(&article.text, &annotated.sentences);
        let found = match &self.method {
            VoiceMethod::Tagger(tagger) => {
                tagger.attributions(&article.text, &annotated.sentences, &rules)
            }
            VoiceMethod::Rules | VoiceMethod::Learned(_) => rules,
        };
        found
            .into_iter()
            .map(|a| {
                let speaker = self.speaker(&article.text, &a, &annotated.mentions);
                (a, speaker)
            })
            .collect()
    }

    /// One reading per mention of `annotated`, given the article's `attributions`.
    pub fn readings<'a>(
        &self,
        text: &str,
        annotated: &AnnotatedArticle,
        attributions: &'a [(Attribution, Speaker)],
    ) -> Vec<Reading<'a>> {
        // Each sentence's words are read once, for all of its mentions.
        let mut sentences: Vec<Option<SentenceWords>> = Vec::new();
        sentences.resize_with(annotated.sentences.len(), || None);
        annotated
            .mentions
            .iter()
            .map(|mention| {
                let holding = attributions
                    .iter()
                    .filter(|(a, _)| a.contains(&mention.span))
                    .min_by_key(|(a, _)| a.content.iter().map(|c| c.len()).sum::<usize>());
                // A speaker named inside somebody else's words ("Nevins said Lynch agreed
                // to …") is in those words; only a source in the outlet's voice is own.
                let is_source = holding.is_none()
                    && attributions.iter().any(|(a, _)| {
                        a.source.as_ref().is_some_and(|s| {
                            s.start <= mention.span.start && mention.span.end <= s.end
                        })
                    });
                let sentence = sentences[mention.sentence].get_or_insert_with(|| {
                    SentenceWords::new(text, annotated.sentences[mention.sentence].clone())
                });
                let features = features(&MentionContext {
                    text,
                    sentence,
                    mention: mention.span.clone(),
                    holding: holding.map(|(a, _)| a),
                    is_source,
                });
                Reading {
                    holding,
                    is_source,
                    features,
                }
            })
            .collect()
    }

    /// The speaker of a mention the model reads as attributed where the rules found no
    /// attribution: the subject its sentence opens with ("Ali rebuked Trump").
    fn subject_speaker(
        &self,
        text: &str,
        sentence: Range<usize>,
        mentions: &[LocatedMention],
    ) -> Speaker {
        let attribution = Attribution {
            voice: Voice::Reported,
            source: subject_of(text, sentence.clone()),
            content: vec![sentence],
            cue: None,
        };
        self.speaker(text, &attribution, mentions)
    }

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
        // The resolver has already turned "he" or "the ministry" into a reference.
        let actor = mentions
            .iter()
            .find(|m| source.start <= m.span.start && m.span.end <= source.end)
            .map(|m| m.actor);
        Speaker {
            actor,
            text: text[source.clone()].to_string(),
        }
    }
}

impl Annotator for VoiceAnnotator {
    fn annotate(&self, article: &Article, annotated: &mut AnnotatedArticle) {
        let attributions = self.attributions(article, annotated);
        let readings = self.readings(&article.text, annotated, &attributions);
        let mut voices = Vec::with_capacity(readings.len());
        for (mention, reading) in annotated.mentions.iter().zip(&readings) {
            let attributed = match &self.method {
                VoiceMethod::Rules | VoiceMethod::Tagger(_) => {
                    reading.holding.is_some() && !reading.is_source
                }
                VoiceMethod::Learned(model) => {
                    !reading.is_source && model.probability(&reading.features) > 0.5
                }
            };
            voices.push(match (attributed, reading.holding) {
                (false, _) => None,
                (true, Some((a, speaker))) if !reading.is_source => {
                    Some((a.voice, speaker.clone()))
                }
                (true, _) => {
                    let sentence = annotated.sentences[mention.sentence].clone();
                    let speaker =
                        self.subject_speaker(&article.text, sentence, &annotated.mentions);
                    Some((Voice::Reported, speaker))
                }
            });
        }
        for (mention, voice) in annotated.mentions.iter_mut().zip(voices) {
            if let Some((voice, speaker)) = voice {
                mention.voice = voice;
                mention.speaker = Some(speaker);
            }
        }
        // "I" and "we" in a quotation are its speaker, where no other reference is there.
        let kinds = &self.kinds;
        let first_person: Vec<LocatedMention> = attributions
            .iter()
            .flat_map(|(a, speaker)| {
                first_person(
                    &article.text,
                    a,
                    speaker,
                    |i| kinds[i],
                    &annotated.sentences,
                )
            })
            .collect();
        if !first_person.is_empty() {
            let mentions = &mut annotated.mentions;
            for m in first_person {
                if !mentions
                    .iter()
                    .any(|o| o.span.start < m.span.end && m.span.start < o.span.end)
                {
                    mentions.push(m);
                }
            }
            mentions.sort_by_key(|m| (m.span.start, m.span.end));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::Registry;
    use crate::annotate::References;
    use crate::score::prepare::prepare;
    use crate::score::prepare::Finder;
    use std::io::Write;

    fn registry() -> Registry {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(
            b"id,name,aliases,camp,kind,gender\n\
              petro,Gustavo Petro,,foreign,person,male\n\
              ministry,Peruvian Foreign Ministry,Foreign Ministry,government,organization,\n\
              castillo,Pedro Castillo,,opposition,person,male\n",
        )
        .expect("write");
        Registry::load(&[file.path().to_path_buf()]).expect("registry")
    }

    fn voices(text: &str) -> Vec<(String, Voice, Option<String>, Option<usize>)> {
        voices_by(text, VoiceMethod::Rules)
    }

    fn voices_by(
        text: &str,
        method: VoiceMethod,
    ) -> Vec<(String, Voice, Option<String>, Option<usize>)> {
        let registry = registry();
        // Names only, as before references were resolved; speakers still use them all.
        let finder = Finder::new(&registry, References::Names).expect("finder");
        let annotator =
            VoiceAnnotator::new(registry.actors.iter().map(|a| a.kind).collect(), method);
        let article = Article::of_text("a", text, "f");
        prepare(&article, &crate::text::EnglishRules, &finder, &[&annotator])
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
        // "voiced his support for Castillo": Petro's words about Castillo.
        assert_eq!(found[1].1, Voice::Reported, "{found:?}");
        assert_eq!(found[1].3, Some(0), "{found:?}");
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
    fn a_speaker_inside_somebody_elses_words_is_in_those_words() {
        let text = "The Foreign Ministry said that Gustavo Petro claimed Pedro Castillo is \
                    innocent. The Foreign Ministry recalled its envoy after Gustavo Petro \
                    voiced his support for Pedro Castillo.";
        let found = voices(text);
        assert_eq!(found[1].0, "Gustavo Petro");
        assert_eq!(
            found[1].1,
            Voice::Reported,
            "the ministry's words: {found:?}"
        );
        assert_eq!(found[1].2.as_deref(), Some("The Foreign Ministry"));
        assert_eq!(
            found[2].3,
            Some(0),
            "Castillo: Petro's claim, inside: {found:?}"
        );
        // A time clause with its own subject is the outlet's narration, not the recall.
        assert_eq!(found[4], ("Gustavo Petro".into(), Voice::Own, None, None));
        assert_eq!(found[5].3, Some(0), "{found:?}");
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
    fn the_learned_model_reads_the_seed_article_as_the_rules_do() {
        let text = "Colombian President Gustavo Petro voiced his support for the ousted Pedro \
                    Castillo. The Peruvian Foreign Ministry said the decision was due to “the \
                    recurrent interventionist and provocative remarks” from President Petro.";
        let learned = voices_by(text, VoiceChoice::Learned.method().expect("shipped model"));
        let voices: Vec<Voice> = learned.iter().map(|m| m.1).collect();
        assert_eq!(voices[2..], [Voice::Own, Voice::Reported], "{learned:?}");
        assert_eq!(
            learned[3].2.as_deref(),
            Some("The Peruvian Foreign Ministry")
        );
    }

    #[test]
    fn the_tagger_reads_the_seed_article_actor_by_actor() {
        let text = "Colombian President Gustavo Petro voiced his support for the ousted Pedro \
                    Castillo. The Peruvian Foreign Ministry said the decision was due to “the \
                    recurrent interventionist and provocative remarks” from President Petro.";
        let tagged = voices_by(text, VoiceChoice::Tagger.method().expect("shipped tagger"));
        let voices: Vec<Voice> = tagged.iter().map(|m| m.1).collect();
        assert_eq!(voices[0], Voice::Own, "{tagged:?}");
        assert_eq!(
            voices[2],
            Voice::Own,
            "the speaker is not quoted: {tagged:?}"
        );
        assert_ne!(voices[3], Voice::Own, "the ministry's words: {tagged:?}");
        assert_eq!(tagged[3].3, Some(1), "the ministry speaks: {tagged:?}");
    }

    #[test]
    fn a_quotation_without_a_speaker_is_unknown() {
        let found = voices("Headline.\n\n“Pedro Castillo must go.”");
        assert_eq!(found[0].1, Voice::Quoted);
        assert_eq!(found[0].2.as_deref(), Some(UNKNOWN_SPEAKER));
        assert_eq!(found[0].3, None);
    }
}
