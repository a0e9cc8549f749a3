//! What resolving references costs: preparing PolNeAR's 840 real articles (2016 US election
//! news; the US registry with its dated roles) finding names only (segmentation and the
//! matcher) and with the resolver on top (pronouns, roles, descriptions), one thread.
//! `scripts/bench-references` measures the whole scoring run with `--references all` and
//! `names` beside it. Needs `../shared/datasets/polnear/text/`; says SKIPPED without.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use slant::annotate::References;
use slant::score::prepare::{references, Finder};
use slant::text::{EnglishRules, Segmenter};

/// The date the articles are read at (PolNeAR's are from the 2016 campaign: the date picks the role holders).
const DATE: Option<&str> = Some("2016-09-15");

fn resolver(c: &mut Criterion) {
    let Some(corpus) = common::polnear_articles(DATE) else {
        return;
    };
    let Some(registry) = common::us_registry() else {
        return;
    };
    let finder = Finder::new(&registry, References::All).expect("finder");
    let names_only = || {
        corpus
            .iter()
            .map(|a| {
                let sentences = EnglishRules.segment(&a.text);
                finder.matcher.find(&a.text).len() + sentences.len()
            })
            .sum::<usize>()
    };
    let resolved = || {
        corpus
            .iter()
            .map(|a| references(a, &EnglishRules, &finder).mentions.len())
            .sum::<usize>()
    };
    let names: usize = corpus
        .iter()
        .map(|a| finder.matcher.find(&a.text).len())
        .sum();
    eprintln!(
        "mentions: {names} names, {} with resolved references",
        resolved()
    );
    let mut group = c.benchmark_group(format!(
        "find references in {} PolNeAR articles",
        corpus.len()
    ));
    group.bench_function("names (segment + match)", |b| b.iter(names_only));
    group.bench_function("names + resolver", |b| b.iter(resolved));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = resolver
}
criterion_main!(benches);
