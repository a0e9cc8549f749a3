//! The annotation stage: facts added to an article's mentions after they are found and before
//! they are scored. The quotation stage (whose voice a mention is in, and who speaks) and
//! story grouping plug in here as `Annotator`s; the driver runs each in turn on every
//! article, in parallel across articles.

pub mod eval;
pub mod quotes;
pub mod references;
pub mod references_eval;
pub mod tagger;
pub mod voice;
pub mod voice_model;

use std::ops::Range;

use crate::actors::Form;
use crate::corpus::Article;
pub use quotes::{Attribution, Voice};
pub use references::{References, Resolver};
pub use voice::{Speaker, VoiceAnnotator, VoiceChoice, VoiceMethod};
pub use voice_model::VoiceModel;

/// A mention found in an article and placed in its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedMention {
    /// Index into the registry's actors.
    pub actor: usize,
    /// Byte range in the article's text.
    pub span: Range<usize>,
    /// Index into the article's sentences.
    pub sentence: usize,
    /// How the text refers to the actor there.
    pub form: Form,
    /// For a pronoun, role or description: the reference it was resolved through (the
    /// antecedent, or a quotation's source), or its own span for a role whose holder the
    /// article does not name.
    pub antecedent: Option<Range<usize>>,
    /// Whose words the mention is in (`Own` until the voice stage says otherwise).
    pub voice: Voice,
    /// Who speaks, for a quoted or reported mention.
    pub speaker: Option<Speaker>,
}

/// An article after segmentation, mention finding and annotation: what scoring needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotatedArticle {
    pub sentences: Vec<Range<usize>>,
    pub mentions: Vec<LocatedMention>,
}

/// Adds to, removes from or refines an article's mentions. Must be deterministic: the same
/// article always gets the same annotation, whatever thread or chunk it is processed in.
pub trait Annotator: Send + Sync {
    fn annotate(&self, article: &Article, annotated: &mut AnnotatedArticle);
}
