//! The voice stage against PolNeAR's attribution annotations, per fold (see
//! `slant::annotate::eval`), for the rules and for the learned voice model. Run by
//! `scripts/eval-attribution`.
//!
//! Folds 0-3 tune; fold 4 is held out. The learned model's figures on a tuning fold come from
//! a model trained on the other three tuning folds (cross-validation); on fold 4, from the
//! model trained on all four tuning folds, which is the one `--write-model` writes (and
//! slant ships).
//!
//! Usage: eval_attribution POLNEAR_DIR REGISTRY.csv [--json OUT] [--errors FILE]
//!        [--write-model models/voice/model.json]

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use slant::actors::Registry;
use slant::annotate::eval::{evaluate, load, training_examples, Counts, Evaluation, FOLDS};
use slant::annotate::voice_model::TrainOptions;
use slant::annotate::{VoiceMethod, VoiceModel};

const HELD_OUT: usize = 4;

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, registry) = match args.as_slice() {
        [dir, registry, ..] => (PathBuf::from(dir), PathBuf::from(registry)),
        _ => bail!(
            "usage: eval_attribution POLNEAR_DIR REGISTRY.csv [--json OUT] [--errors FILE] \
             [--write-model PATH]"
        ),
    };
    let registry = Registry::load(&[registry])?;
    let articles = load(&dir)?;
    let tuning = |fold: usize| fold != HELD_OUT;

    // `--errors FILE`: the rules' misread mentions of the tuning folds, never the held-out one.
    let mut errors_file = match flag(&args, "--errors") {
        Some(path) => {
            Some(std::fs::File::create(path).with_context(|| format!("cannot write {path}"))?)
        }
        None => None,
    };
    let errors = errors_file.as_mut().map(|f| f as &mut dyn Write);
    let rules = evaluate(&articles, &registry, VoiceMethod::Rules, |_| true, None)?;
    if let Some(out) = errors {
        evaluate(&articles, &registry, VoiceMethod::Rules, tuning, Some(out))?;
    }

    let options = TrainOptions::default();
    let mut learned = Evaluation::default();
    for fold in (0..FOLDS).filter(|&f| tuning(f)) {
        let examples = training_examples(&articles, &registry, |f| tuning(f) && f != fold)?;
        let model = VoiceModel::train(&examples, &options);
        let one = evaluate(
            &articles,
            &registry,
            VoiceMethod::Learned(model),
            |f| f == fold,
            None,
        )?;
        learned.folds.extend(one.folds);
    }
    let examples = training_examples(&articles, &registry, tuning)?;
    let model = VoiceModel::train(&examples, &options);
    let held_out = evaluate(
        &articles,
        &registry,
        VoiceMethod::Learned(model.clone()),
        |f| f == HELD_OUT,
        None,
    )?;
    learned.folds.extend(held_out.folds);

    for (label, evaluation) in [("rules", &rules), ("learned", &learned)] {
        println!("\n{label}");
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
            "in attr",
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
        row("tuning 0-3", &evaluation.total(tuning));
        row("held-out 4", &evaluation.total(|f| f == HELD_OUT));
        row("all", &evaluation.total(|_| true));
    }
    if let Some(path) = flag(&args, "--json") {
        let figures = |e: &Evaluation| -> Vec<_> {
            (0..FOLDS)
                .map(|fold| (fold, e.total(|f| f == fold).figures()))
                .collect()
        };
        let json = serde_json::json!({
            "rules": figures(&rules),
            "learned": figures(&learned),
            "train_options": options,
        });
        std::fs::write(path, serde_json::to_string_pretty(&json)?)
            .with_context(|| format!("cannot write {path}"))?;
    }
    if let Some(path) = flag(&args, "--write-model") {
        std::fs::write(path, model.to_json()).with_context(|| format!("cannot write {path}"))?;
        println!(
            "\nwrote {path} (trained on folds 0-3, {} mentions)",
            examples.len()
        );
    }
    Ok(())
}
