//! What the voice stage costs: preparing PolNeAR's 840 real articles (segment, find the
//! mentions of the 2016 US registry) without and with the voice stage, one thread. Compare
//! the difference with the whole scoring run of the same articles (`scripts/bench-voices`
//! measures both in one go). Needs `../shared/datasets/polnear/text/`; says SKIPPED without.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use slant::annotate::References;
use slant::annotate::{Annotator, VoiceAnnotator, VoiceChoice};
use slant::score::prepare::prepare;
use slant::score::prepare::Finder;
use slant::text::EnglishRules;

/// The date the articles are read at (none, as the voice stage needs none).
const DATE: Option<&str> = None;

fn voice_stage(c: &mut Criterion) {
    let Some(corpus) = common::polnear_articles(DATE) else {
        return;
    };
    let Some(registry) = common::us_registry() else {
        return;
    };
    let finder = Finder::new(&registry, References::Names).expect("finder");
    let kinds = || registry.actors.iter().map(|a| a.kind).collect();
    let tagger = VoiceAnnotator::new(kinds(), VoiceChoice::Tagger.method().expect("tagger"));
    let learned = VoiceAnnotator::new(kinds(), VoiceChoice::Learned.method().expect("model"));
    let rules = VoiceAnnotator::new(kinds(), VoiceChoice::Rules.method().expect("rules"));
    let run = |annotators: &[&dyn Annotator]| {
        corpus
            .iter()
            .map(|a| {
                prepare(a, &EnglishRules, &finder, annotators)
                    .mentions
                    .len()
            })
            .sum::<usize>()
    };
    let mut group = c.benchmark_group(format!("prepare {} PolNeAR articles", corpus.len()));
    group.bench_function("no voice stage", |b| b.iter(|| run(&[])));
    group.bench_function("voice stage, rules", |b| b.iter(|| run(&[&rules])));
    group.bench_function("voice stage, learned", |b| b.iter(|| run(&[&learned])));
    group.bench_function("voice stage, tagger (default)", |b| {
        b.iter(|| run(&[&tagger]))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = voice_stage
}
criterion_main!(benches);
