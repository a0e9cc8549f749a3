//! What the outlet measures (tone, coverage, sources) add to a run's aggregation, at 200,000
//! articles of real news: a scored run's articles (`SLANT_BENCH_RUN`, a `slant score` output
//! folder; `scripts/bench-outlet-measures` scores PolNeAR's 840 articles for it) are repeated,
//! each copy under new article ids, until there are `SLANT_BENCH_ARTICLES` (default 200,000),
//! and fed in input order to what `slant score` builds outlets.csv from: the outlets' framing
//! accumulators alone (what a run did before the measures), and the relative measures' fit
//! (what they add), both with 2,000 bootstrap resamples, on rayon's default pool (the fit's
//! replicates run in parallel, the framing accumulators on one thread, as in a run). Prints
//! the median of 3 of each.
//! Says SKIPPED without a run to read.

use std::path::PathBuf;
use std::time::Instant;

use slant::aggregate::{group_seed, ArticleTally, GroupAccumulator, RelativeAccumulator};
use slant::schema::{ArticleRow, MentionRow, RunManifest, TableReader};

const RESAMPLES: usize = 2000;
const SEED: u64 = 20230329;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let Some(run) = std::env::var_os("SLANT_BENCH_RUN").map(PathBuf::from) else {
        println!("SKIPPED: set SLANT_BENCH_RUN to a slant score output folder");
        return;
    };
    let target: usize = std::env::var("SLANT_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let manifest = RunManifest::read(&run).expect("run.json");
    let axis = manifest
        .flags
        .axis
        .clone()
        .expect("a run scored with --axis");
    let mut articles: Vec<(String, ArticleTally)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    TableReader::<ArticleRow>::open(&run, &manifest)
        .expect("articles.csv")
        .for_each(|row| {
            index.insert(row.article_id.clone(), articles.len());
            articles.push((row.outlet, ArticleTally::default()));
            Ok(())
        })
        .expect("articles.csv");
    TableReader::<MentionRow>::open(&run, &manifest)
        .expect("mentions.csv")
        .for_each(|m| {
            articles[index[&m.article_id]]
                .1
                .add(&m.as_score(), Some(&axis));
            Ok(())
        })
        .expect("mentions.csv");
    let corpus: Vec<&(String, ArticleTally)> = articles.iter().cycle().take(target).collect();
    let camps: Vec<String> = axis.camps().cloned().collect();
    let mut framing = Vec::new();
    let mut relative = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let mut outlets: std::collections::BTreeMap<&str, GroupAccumulator> = Default::default();
        for (outlet, tally) in &corpus {
            outlets.entry(outlet).or_default().add(tally);
        }
        for (outlet, group) in outlets {
            std::hint::black_box(group.finish(&camps, RESAMPLES, group_seed(SEED, outlet)));
        }
        framing.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        let mut measures = RelativeAccumulator::new(manifest.flags.tone_voices);
        for (outlet, tally) in &corpus {
            measures.add(outlet, tally, None);
        }
        std::hint::black_box(measures.fit(RESAMPLES, SEED));
        relative.push(started.elapsed().as_secs_f64());
    }
    let mentions: u64 = corpus
        .iter()
        .map(|(_, t)| t.sides.iter().sum::<u64>())
        .sum();
    println!(
        "{} articles ({} of {} real ones repeated), {mentions} axis mentions, {RESAMPLES} resamples, {} threads",
        corpus.len(),
        articles.len(),
        run.display(),
        rayon::current_num_threads()
    );
    println!(
        "outlet framing accumulators (before): median {:.2} s",
        median(framing)
    );
    println!(
        "tone, coverage and sources fit (added): median {:.2} s",
        median(relative)
    );
}
