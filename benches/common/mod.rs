//! What the benchmarks on real news share: PolNeAR's 840 articles and the US registry.

use std::path::Path;

use slant::actors::Registry;
use slant::corpus::Article;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// PolNeAR's articles in name order, each dated `date` when given; None (having said
/// SKIPPED) when `../shared/datasets/polnear/text/` is not there.
pub fn polnear_articles(date: Option<&str>) -> Option<Vec<Article>> {
    let dir = root().join("../shared/datasets/polnear/text");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    let articles: Vec<Article> = paths
        .into_iter()
        .filter_map(|p| {
            let mut article = Article::of_text(
                p.display().to_string(),
                std::fs::read_to_string(&p).ok()?,
                p.display().to_string(),
            );
            article.date = date.unwrap_or_default().to_string();
            Some(article)
        })
        .collect();
    if articles.is_empty() {
        eprintln!("SKIPPED: ../shared/datasets/polnear/text/ is not there");
        return None;
    }
    Some(articles)
}

/// `datasets/actors/us.csv` with its roles; None (having said SKIPPED) when it does not load.
pub fn us_registry() -> Option<Registry> {
    Registry::load(&[root().join("datasets/actors/us.csv")])
        .map_err(|e| eprintln!("SKIPPED: {e}"))
        .ok()
}
