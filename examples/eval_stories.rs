//! Story grouping against given story ids (AllSides roundups: ../shared/datasets/allsides-stories),
//! run by `scripts/eval-stories`.
//!
//! The whole set (the development set for grouping), grouped at once, chooses the settings
//! (threshold, date decay, embedding weight) over a grid, and gives the figures for the
//! target. Two halves of it (stories split by the SHA-256 of their id), each grouped alone,
//! show how stable the chosen settings are: a threshold tuned on a half alone comes out
//! lower (half as many same-day stories compete), so the halves are not used to choose.
//!
//! Usage: eval_stories ARTICLES.jsonl [--base DIR] [--backend candle|ort-f32|ort-int8] [--json OUT]

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use slant::stories::{self, eval::agreement, GroupOptions, Grouping, Signature, StoryText};

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
}

#[derive(serde::Serialize)]
struct Row {
    signature: &'static str,
    threshold: f64,
    decay: f64,
    embedding_weight: f64,
    tuning: stories::eval::Agreement,
    check: stories::eval::Agreement,
    all: stories::eval::Agreement,
}

/// The articles of one half (or all), as their own corpus.
struct Subset {
    texts: Vec<StoryText>,
    truth: Vec<String>,
    lexical: Vec<stories::lexical::Sparse>,
    embedded: Vec<Vec<f32>>,
}

impl Subset {
    fn new(
        keep: impl Fn(usize) -> bool,
        texts: &[StoryText],
        truth: &[String],
        embedded: &[Vec<f32>],
    ) -> Self {
        let members: Vec<usize> = (0..texts.len()).filter(|&i| keep(i)).collect();
        let texts: Vec<StoryText> = members.iter().map(|&i| texts[i].clone()).collect();
        Self {
            lexical: stories::lexical_signatures(&texts),
            texts,
            truth: members.iter().map(|&i| truth[i].clone()).collect(),
            embedded: members.iter().map(|&i| embedded[i].clone()).collect(),
        }
    }

    fn agreement(&self, options: &GroupOptions) -> stories::eval::Agreement {
        let signature = Signature {
            lexical: &self.lexical,
            embedded: (options.embedding_weight > 0.0).then_some(&self.embedded[..]),
        };
        agreement(
            &Grouping::new(&self.texts, signature, options).labels(),
            &self.truth,
        )
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        bail!("usage: eval_stories ARTICLES.jsonl [--base DIR] [--json OUT]");
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let mut truth = Vec::new();
    let mut texts = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{path}:{}", n + 1))?;
        let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        truth.push(field("story"));
        texts.push(StoryText::new(
            &field("date"),
            &field("title"),
            &field("text"),
        ));
    }
    let tuning: Vec<bool> = truth
        .iter()
        .map(|s| slant::util::sha256_hex(s.as_bytes()).as_bytes()[0].is_multiple_of(2))
        .collect();
    let base = match flag(&args, "--base") {
        Some(dir) => PathBuf::from(dir),
        None => slant::fetch::MINILM
            .cached(&slant::fetch::cache_dir())
            .context(
                "the base encoder is not fetched: run `slant fetch --base`, or pass --base DIR",
            )?,
    };
    let started = std::time::Instant::now();
    let backend = flag(&args, "--backend").map_or("candle", String::as_str);
    let backend = stories::embed::EmbedBackend::parse(backend)
        .context("--backend is candle, ort-f32 or ort-int8")?;
    let embedder = stories::embed::Embedder::load(&base, backend, 2)?;
    let embedded = embedder.embed_all(&texts)?;
    eprintln!(
        "embedded {} titles and leads in {:.1} s",
        texts.len(),
        started.elapsed().as_secs_f64()
    );
    let tuning_half = Subset::new(|i| tuning[i], &texts, &truth, &embedded);
    let check_half = Subset::new(|i| !tuning[i], &texts, &truth, &embedded);
    let whole = Subset::new(|_| true, &texts, &truth, &embedded);
    let mut rows = Vec::new();
    // Weight 0 is the lexical signature alone; 1 the embedding alone.
    for embedding_weight in [0.0, 0.3, 0.5, 0.7, 1.0] {
        for decay in [1.0, 0.7, 0.5] {
            for step in 0..14 {
                let options = GroupOptions {
                    threshold: 0.05 + 0.025 * step as f64,
                    decay,
                    embedding_weight,
                    ..GroupOptions::default()
                };
                rows.push(Row {
                    signature: if embedding_weight > 0.0 {
                        "blend"
                    } else {
                        "lexical"
                    },
                    threshold: options.threshold,
                    decay,
                    embedding_weight,
                    tuning: tuning_half.agreement(&options),
                    check: check_half.agreement(&options),
                    all: whole.agreement(&options),
                });
            }
        }
    }
    let best = |name: &str| {
        rows.iter()
            .filter(|r| r.signature == name)
            .max_by(|a, b| a.all.ari.total_cmp(&b.all.ari))
    };
    println!(
        "signature  threshold decay w_embed | tuning ARI  P     R     | check ARI  P     R     | all ARI  P     R"
    );
    let line = |r: &Row| {
        println!(
            "{:<10} {:>9.3} {:>5.2} {:>7.2} | {:>10.3} {:.3} {:.3} | {:>9.3} {:.3} {:.3} | {:>7.3} {:.3} {:.3}",
            r.signature,
            r.threshold,
            r.decay,
            r.embedding_weight,
            r.tuning.ari,
            r.tuning.pair_precision,
            r.tuning.pair_recall,
            r.check.ari,
            r.check.pair_precision,
            r.check.pair_recall,
            r.all.ari,
            r.all.pair_precision,
            r.all.pair_recall,
        )
    };
    for name in ["lexical", "blend"] {
        if let Some(r) = best(name) {
            line(r);
        }
    }
    for (name, options) in [
        ("shipped auto", GroupOptions::default()),
        ("shipped lexical", GroupOptions::lexical()),
    ] {
        println!(
            "{name}: threshold {}, decay {}, w_embed {}: all ARI {:.3}",
            options.threshold,
            options.decay,
            options.embedding_weight,
            whole.agreement(&options).ari
        );
    }
    if let Some(out) = flag(&args, "--json") {
        std::fs::write(out, serde_json::to_string_pretty(&rows)?)?;
    }
    Ok(())
}
