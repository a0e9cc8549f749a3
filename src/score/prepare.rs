//! Per-article work, run in parallel: segment, find mentions, place each in its sentence,
//! annotate.

use crate::actors::Matcher;
use crate::annotate::{AnnotatedArticle, Annotator, LocatedMention};
use crate::corpus::Article;
use crate::text::Segmenter;

pub fn prepare(
    article: &Article,
    segmenter: &dyn Segmenter,
    finder: &Matcher,
    annotators: &[Box<dyn Annotator>],
) -> AnnotatedArticle {
    let sentences = segmenter.segment(&article.text);
    let mentions = finder
        .find(&article.text)
        .into_iter()
        .filter_map(|m| {
            // The sentence holding the mention; one that straddles a boundary is dropped.
            let i = sentences.partition_point(|s| s.end <= m.span.start);
            let s = sentences.get(i)?;
            (s.start <= m.span.start && m.span.end <= s.end).then_some(LocatedMention {
                actor: m.actor,
                span: m.span,
                sentence: i,
            })
        })
        .collect();
    let mut annotated = AnnotatedArticle {
        sentences,
        mentions,
    };
    for annotator in annotators {
        annotator.annotate(article, &mut annotated);
    }
    annotated
}
