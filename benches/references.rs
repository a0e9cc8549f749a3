//! What resolving references costs: preparing PolNeAR's 840 real articles (2016 US election
//! news; the US registry with its dated roles) finding names only (segmentation and the
//! matcher) and with the resolver on top (pronouns, roles, descriptions), one thread.
//! `scripts/bench-references` measures the whole scoring run with `--references all` and
//! `names` beside it. Needs `../shared/datasets/polnear/text/`; says SKIPPED without.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use slant::actors::Registry;
use slant::annotate::References;
use slant::corpus::Article;
use slant::score::prepare::{references, Finder};
use slant::text::{EnglishRules, Segmenter};

fn articles(dir: &Path) -> Vec<Article> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let mut article = Article::of_text(
                p.display().to_string(),
                std::fs::read_to_string(&p).ok()?,
                p.display().to_string(),
            );
            // PolNeAR's articles are from the 2016 campaign: the date picks the role holders.
            article.date = "2016-09-15".into();
            Some(article)
        })
        .collect()
}

fn resolver(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = articles(&root.join("../shared/datasets/polnear/text"));
    if corpus.is_empty() {
        eprintln!("SKIPPED: ../shared/datasets/polnear/text/ is not there");
        return;
    }
    let registry = match Registry::load(&[root.join("datasets/actors/us.csv")]) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("SKIPPED: {e}");
            return;
        }
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
