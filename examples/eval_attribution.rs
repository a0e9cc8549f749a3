//! The voice stage against PolNeAR's attribution annotations, per fold (see
//! `slant::annotate::eval`). Run by `scripts/eval-attribution`.
//!
//! Usage: eval_attribution POLNEAR_DIR REGISTRY.csv [--json OUT] [--errors FILE]

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use slant::actors::Registry;
use slant::annotate::eval::{evaluate, Counts, FOLDS};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, registry) = match args.as_slice() {
        [dir, registry, ..] => (PathBuf::from(dir), PathBuf::from(registry)),
        _ => bail!("usage: eval_attribution POLNEAR_DIR REGISTRY.csv [--json OUT] [--errors FILE]"),
    };
    let json = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1));
    let registry = Registry::load(&[registry])?;
    // `--errors FILE`: the misread mentions of the tuning folds (0-3), never the held-out one.
    let errors_path = args
        .iter()
        .position(|a| a == "--errors")
        .and_then(|i| args.get(i + 1));
    let mut errors_file = match errors_path {
        Some(path) => {
            Some(std::fs::File::create(path).with_context(|| format!("cannot write {path}"))?)
        }
        None => None,
    };
    let tuning = |fold: usize| fold < 4;
    let errors = errors_file.as_mut().map(|f| {
        (
            &tuning as &dyn Fn(usize) -> bool,
            f as &mut dyn std::io::Write,
        )
    });
    let evaluation = evaluate(&dir, &registry, errors)?;
    println!(
        "{:<14} {:>8} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>7} {:>7} {:>8} {:>7}",
        "folds",
        "articles",
        "tok P",
        "tok R",
        "tok F1",
        "span P",
        "span R",
        "span F1",
        "mentions",
        "voice",
        "own",
        "in quote",
        "speaker"
    );
    let row = |label: &str, c: &Counts| {
        let f = c.figures();
        println!(
            "{label:<14} {:>8} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>8} {:>7.3} {:>7.3} {:>8} {:>7.3}",
            f.articles, f.token_precision, f.token_recall, f.token_f1, f.span_precision,
            f.span_recall, f.span_f1, f.mentions, f.voice_accuracy, f.own_share,
            f.speaker_mentions, f.speaker_accuracy
        );
    };
    for fold in 0..FOLDS {
        row(&format!("fold {fold}"), &evaluation.total(|f| f == fold));
    }
    row("tuning 0-3", &evaluation.total(|f| f < 4));
    row("held-out 4", &evaluation.total(|f| f == 4));
    row("all", &evaluation.total(|_| true));
    if let Some(path) = json {
        let figures: Vec<_> = (0..FOLDS)
            .map(|fold| (fold, evaluation.total(|f| f == fold).figures()))
            .collect();
        std::fs::write(path, serde_json::to_string_pretty(&figures)?)
            .with_context(|| format!("cannot write {path}"))?;
    }
    Ok(())
}
