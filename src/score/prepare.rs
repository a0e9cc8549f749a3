//! Per-article work, run in parallel: segment, find names, place each in its sentence,
//! resolve the other references, annotate.

use std::ops::Range;

use crate::actors::matcher::MatcherError;
use crate::actors::{Day, Matcher, Registry};
use crate::annotate::{AnnotatedArticle, Annotator, LocatedMention, References, Resolver};
use crate::corpus::Article;
use crate::text::Segmenter;

/// Finding an article's references to actors: names by the matcher, then pronouns, roles and
/// descriptions by the resolver.
pub struct Finder<'r> {
    pub matcher: Matcher,
    pub resolver: Resolver<'r>,
    /// Which references are kept as mentions once the annotators (the voice stage's speakers)
    /// have used them all.
    pub references: References,
}

impl<'r> Finder<'r> {
    pub fn new(registry: &'r Registry, references: References) -> Result<Self, MatcherError> {
        Ok(Self {
            matcher: Matcher::new(registry)?,
            resolver: Resolver::new(registry),
            references,
        })
    }
}

/// One article through segmentation, reference finding and the `annotators`, with the
/// references the finder's policy scores as its mentions.
pub fn prepare(
    article: &Article,
    segmenter: &dyn Segmenter,
    finder: &Finder,
    annotators: &[&dyn Annotator],
) -> AnnotatedArticle {
    let mut annotated = references(article, segmenter, finder);
    for annotator in annotators {
        annotator.annotate(article, &mut annotated);
    }
    annotated.mentions = finder
        .references
        .scored(std::mem::take(&mut annotated.mentions));
    annotated
}

/// One article's sentences and every reference to an actor in it: names, and the pronouns,
/// roles and descriptions the resolver resolves.
pub fn references(
    article: &Article,
    segmenter: &dyn Segmenter,
    finder: &Finder,
) -> AnnotatedArticle {
    let found = finder.matcher.find(&article.text);
    let sentences = joined_across_names(
        segmenter.segment(&article.text),
        found.iter().map(|m| &m.span),
    );
    let mentions = found
        .into_iter()
        .filter_map(|m| {
            // Every mention is inside one sentence (it is not white space, and the sentences
            // now hold whole names); `filter_map` only guards a segmenter breaking that.
            let i = sentences.partition_point(|s| s.end <= m.span.start);
            let s = sentences.get(i)?;
            (s.start <= m.span.start && m.span.end <= s.end).then_some(LocatedMention {
                actor: m.actor,
                span: m.span,
                sentence: i,
                form: m.form,
                antecedent: None,
                voice: crate::annotate::Voice::Own,
                speaker: None,
            })
        })
        .collect();
    let mentions = finder.resolver.resolve(
        &article.text,
        &sentences,
        mentions,
        Day::parse(&article.date),
    );
    AnnotatedArticle {
        sentences,
        mentions,
    }
}

/// `sentences` with those a known name runs across joined into one: a registry name never
/// holds a sentence boundary, so the segmenter was wrong there ("Peru Libre Pty. Ltd", an
/// alias with an abbreviation it does not know), and the mention is scored in the joined
/// sentence instead of being lost. `spans` are in text order.
fn joined_across_names<'a>(
    sentences: Vec<Range<usize>>,
    spans: impl Iterator<Item = &'a Range<usize>>,
) -> Vec<Range<usize>> {
    let mut joined: Vec<Range<usize>> = Vec::with_capacity(sentences.len());
    let mut spans = spans.peekable();
    for sentence in sentences {
        while spans.next_if(|span| span.end <= sentence.start).is_some() {}
        match joined.last_mut() {
            // The last sentence ends inside a name that goes on into this one.
            Some(last) if spans.peek().is_some_and(|span| span.start < last.end) => {
                last.end = sentence.end;
            }
            _ => joined.push(sentence),
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::Registry;
    use std::io::Write;

    #[test]
    fn a_name_the_segmenter_splits_is_scored_in_the_joined_sentence() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(
            b"id,name,aliases,camp,kind\nlibre,Peru Libre,Peru Libre Pty. Ltd,left,organization\n",
        )
        .expect("write");
        let registry = Registry::load(&[file.path().to_path_buf()]).expect("registry");
        let finder = Finder::new(&registry, References::All).expect("finder");
        let text = "Voters left. Peru Libre Pty. Ltd won the seat. Peru Libre thanked them.";
        let article = Article::of_text("a", text, "f");
        let annotated = prepare(&article, &crate::text::EnglishRules, &finder, &[]);
        let sentences: Vec<&str> = annotated
            .sentences
            .iter()
            .map(|s| &text[s.clone()])
            .collect();
        assert_eq!(
            sentences,
            [
                "Voters left.",
                "Peru Libre Pty. Ltd won the seat.",
                "Peru Libre thanked them."
            ]
        );
        let located: Vec<(&str, usize)> = annotated
            .mentions
            .iter()
            .map(|m| (&text[m.span.clone()], m.sentence))
            .collect();
        assert_eq!(located, [("Peru Libre Pty. Ltd", 1), ("Peru Libre", 2)]);
    }
}
