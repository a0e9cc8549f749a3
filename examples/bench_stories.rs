//! How story grouping scales, and what its first pass costs on real news. Run by
//! `scripts/bench-stories`, beside whole scoring runs for the ratio.
//!
//! - Scale: the AllSides excerpts (178 days) copied to N articles, copy k moved k weeks later.
//!   A copy never meets itself (a week is outside the +-3-day window), but up to 25 copies
//!   overlap in time, so at 100,000 articles a window holds about 25 times AllSides' density
//!   (about 200 articles a day, a year of many outlets). Grouping by words, and by words and
//!   embeddings (each copy reusing its original's vector), at each size; and the encoder's
//!   embedding rate on the real titles and leads, from which `auto`'s embedding time at each
//!   size follows (one forward pass per text: linear by construction).
//! - `--prepass DIR`: the whole first pass of `slant score --stories lexical|auto` (read every
//!   record, signatures, embeddings, grouping) over the articles in DIR, median of 3.
//!
//! Usage: bench_stories ARTICLES.jsonl [SIZES...] [--base DIR] [--backend candle|ort-f32|ort-int8]
//!        [--prepass DIR]

use std::time::Instant;

use anyhow::{Context, Result};

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
}
use slant::stories::{self, GroupOptions, Grouping, Signature, StoryText};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .context("usage: bench_stories ARTICLES.jsonl [SIZES...]")?;
    let sizes: Vec<usize> = args[1..]
        .iter()
        .take_while(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse().ok())
        .collect();
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let originals: Vec<(Option<i32>, String, String)> = text
        .lines()
        .filter_map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).ok()?;
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Some((
                stories::day_number(&field("date")),
                field("title"),
                field("text"),
            ))
        })
        .collect();
    let corpus = |n: usize| -> Vec<StoryText> {
        (0..n)
            .map(|i| {
                let (day, title, text) = &originals[i % originals.len()];
                let copy = (i / originals.len()) as i32;
                let mut t = StoryText::new("", title, text);
                t.day = day.map(|d| d + 7 * copy);
                t
            })
            .collect()
    };
    let base = match flag(&args, "--base") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => slant::fetch::MINILM
            .cached(&slant::fetch::cache_dir())
            .context("the base encoder is not fetched: run `slant fetch --base`")?,
    };
    let backend = flag(&args, "--backend").map_or("candle", String::as_str);
    let backend = stories::embed::EmbedBackend::parse(backend)
        .context("--backend is candle, ort-f32 or ort-int8")?;
    if let Some(dir) = flag(&args, "--prepass") {
        return prepass(std::path::Path::new(dir), &base, backend);
    }
    let embedder = stories::embed::Embedder::load(&base, backend, 2)?;
    let started = Instant::now();
    let embedded = embedder.embed_all(&corpus(originals.len()))?;
    let seconds = started.elapsed().as_secs_f64();
    let rate = originals.len() as f64 / seconds;
    println!(
        "embedding: {} titles and leads in {seconds:.1} s = {rate:.0} per second",
        originals.len()
    );
    println!("articles  signatures_s  lexical_group_s  auto_group_s  auto_embed_s(at that rate)  groups(lexical)");
    for &n in &sizes {
        let texts = corpus(n);
        let started = Instant::now();
        let lexical = stories::lexical_signatures(&texts);
        let signatures = started.elapsed().as_secs_f64();
        let time_grouping = |options: &GroupOptions, embedded: Option<&[Vec<f32>]>| {
            let started = Instant::now();
            let signature = Signature {
                lexical: &lexical,
                embedded,
            };
            let labels = Grouping::new(&texts, signature, options).labels();
            let groups = labels.iter().enumerate().filter(|(i, l)| i == *l).count();
            (started.elapsed().as_secs_f64(), groups)
        };
        let (lexical_s, groups) = time_grouping(&GroupOptions::lexical(), None);
        let copies: Vec<Vec<f32>> = (0..n)
            .map(|i| embedded[i % embedded.len()].clone())
            .collect();
        let (auto_s, _) = time_grouping(&GroupOptions::default(), Some(&copies));
        println!(
            "{n:>8}  {signatures:>12.2}  {lexical_s:>15.2}  {auto_s:>12.2}  {:>26.0}  {groups:>15}",
            n as f64 / rate
        );
    }
    Ok(())
}

/// The median of 3 first passes over `dir`, by words and with the encoder on `backend`.
fn prepass(
    dir: &std::path::Path,
    base: &std::path::Path,
    backend: stories::embed::EmbedBackend,
) -> Result<()> {
    use slant::corpus::{FieldMap, Format};
    use slant::stories::{StoryEncoder, StoryMap, StorySource};
    let inputs = vec![(dir.to_path_buf(), Format::Txt)];
    let sources = [
        (
            "lexical",
            StorySource::Group {
                encoder: None,
                options: GroupOptions::lexical(),
            },
        ),
        (
            "auto",
            StorySource::Group {
                encoder: Some(StoryEncoder {
                    dir: base.to_path_buf(),
                    backend,
                    threads: 2,
                }),
                options: GroupOptions::default(),
            },
        ),
    ];
    for (name, source) in sources {
        let mut seconds: Vec<f64> = (0..3)
            .map(|_| {
                let started = Instant::now();
                StoryMap::build(&source, &inputs, &FieldMap::default())?;
                Ok(started.elapsed().as_secs_f64())
            })
            .collect::<Result<_>>()?;
        seconds.sort_by(f64::total_cmp);
        println!(
            "first pass --stories {name} ({}): {:.2} s median of {:.2?}",
            backend.name(),
            seconds[1],
            seconds
        );
    }
    Ok(())
}
