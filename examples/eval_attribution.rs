//! The voice stage against PolNeAR's attribution annotations, per fold (see
//! `slant::annotate::eval`), for the rules, the learned voice model and the attribution
//! tagger. Run by `scripts/eval-attribution`.
//!
//! Folds 0-3 tune; fold 4 is held out. A learned method's figures on a tuning fold come from
//! it trained on the other three tuning folds (cross-validation); on fold 4, from it trained
//! on all four tuning folds, which is what `--write-model` / `--write-tagger` write (and
//! slant ships).
//!
//! Usage: eval_attribution POLNEAR_DIR REGISTRY.csv [--json OUT] [--errors FILE]
//!        [--write-model models/voice/model.json] [--write-tagger models/voice/tagger.bin]

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use slant::actors::Registry;
use slant::annotate::eval::{
    agreement, evaluate, load, tagger_examples, training_examples, Annotated, Counts, EvalError,
    Evaluation, FOLDS,
};
use slant::annotate::tagger::{Tagger, TaggerOptions};
use slant::annotate::voice_model::TrainOptions;
use slant::annotate::{VoiceMethod, VoiceModel};

const HELD_OUT: usize = 4;

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
}

/// A learned method's figures: each tuning fold read by the method trained on the other
/// tuning folds, the held-out fold by the one trained on all of them (returned: what ships).
/// `errors` receives the tuning folds' misread mentions.
fn cross_validate<T>(
    articles: &[Annotated],
    registry: &Registry,
    mut errors: Option<&mut dyn Write>,
    train: impl Fn(&dyn Fn(usize) -> bool) -> Result<(VoiceMethod, T), EvalError>,
) -> Result<(Evaluation, T)> {
    let mut evaluation = Evaluation::default();
    for fold in (0..FOLDS).filter(|&f| f != HELD_OUT) {
        let (method, _) = train(&|f| f != HELD_OUT && f != fold)?;
        let one = evaluate(
            articles,
            registry,
            method,
            |f| f == fold,
            errors.as_mut().map(|w| &mut **w as &mut dyn Write),
        )?;
        evaluation.folds.extend(one.folds);
    }
    let (method, trained) = train(&|f| f != HELD_OUT)?;
    let held_out = evaluate(articles, registry, method, |f| f == HELD_OUT, None)?;
    evaluation.folds.extend(held_out.folds);
    Ok((evaluation, trained))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, registry) = match args.as_slice() {
        [dir, registry, ..] => (PathBuf::from(dir), PathBuf::from(registry)),
        _ => bail!(
            "usage: eval_attribution POLNEAR_DIR REGISTRY.csv [--json OUT] [--errors FILE] \
             [--write-model PATH] [--write-tagger PATH]"
        ),
    };
    let registry = Registry::load(&[registry])?;
    let articles = load(&dir)?;
    let tuning = |fold: usize| fold != HELD_OUT;

    // `--errors FILE`: the tagger's misread mentions of the tuning folds (each read by the
    // tagger trained without its fold), never the held-out one.
    let mut errors_file = match flag(&args, "--errors") {
        Some(path) => {
            Some(std::fs::File::create(path).with_context(|| format!("cannot write {path}"))?)
        }
        None => None,
    };
    let rules = evaluate(&articles, &registry, VoiceMethod::Rules, |_| true, None)?;

    let options = TrainOptions::default();
    let (learned, model) = cross_validate(&articles, &registry, None, |folds| {
        let model = VoiceModel::train(&training_examples(&articles, &registry, folds)?, &options);
        Ok((VoiceMethod::Learned(model.clone()), model))
    })?;
    let tagger_options = TaggerOptions::default();
    let errors = errors_file.as_mut().map(|f| f as &mut dyn Write);
    let train_tagger = |folds: &dyn Fn(usize) -> bool| {
        let tagger = Tagger::train(
            &tagger_examples(&articles, &registry, folds)?,
            &tagger_options,
        );
        Ok((VoiceMethod::Tagger(tagger.clone()), tagger))
    };
    let (tagged, tagger) = cross_validate(&articles, &registry, errors, train_tagger)?;

    for (label, evaluation) in [
        ("rules", &rules),
        ("learned", &learned),
        ("tagger", &tagged),
    ] {
        println!("\n{label}");
        print_header();
        for fold in 0..FOLDS {
            row(&format!("fold {fold}"), &evaluation.total(|f| f == fold));
        }
        row("tuning 0-3", &evaluation.total(tuning));
        row("held-out 4", &evaluation.total(|f| f == HELD_OUT));
        row("all", &evaluation.total(|_| true));
    }
    // Annotators disagree too: the second annotator's reading scored against the first is a
    // ceiling for the figures above. Few articles have two annotators, so the tagger is scored
    // on the same ones beside it (each read by the tagger trained without its fold).
    let doubly: Vec<Annotated> = articles
        .iter()
        .filter(|a| a.has_second_annotator())
        .cloned()
        .collect();
    let (tagged_doubly, _) = cross_validate(&doubly, &registry, None, train_tagger)?;
    println!("\narticles with two annotators (all folds)");
    print_header();
    row("2nd annotator", &agreement(&doubly, &registry, |_| true)?);
    row("tagger", &tagged_doubly.total(|_| true));
    if let Some(path) = flag(&args, "--json") {
        let figures = |e: &Evaluation| -> Vec<_> {
            (0..FOLDS)
                .map(|fold| (fold, e.total(|f| f == fold).figures()))
                .collect()
        };
        let json = serde_json::json!({
            "rules": figures(&rules),
            "learned": figures(&learned),
            "tagger": figures(&tagged),
            "train_options": options,
            "tagger_options": tagger_options,
        });
        std::fs::write(path, serde_json::to_string_pretty(&json)?)
            .with_context(|| format!("cannot write {path}"))?;
    }
    if let Some(path) = flag(&args, "--write-model") {
        std::fs::write(path, model.to_json()).with_context(|| format!("cannot write {path}"))?;
        println!("\nwrote {path} (trained on folds 0-3)");
    }
    if let Some(path) = flag(&args, "--write-tagger") {
        std::fs::write(path, tagger.to_bytes()).with_context(|| format!("cannot write {path}"))?;
        println!("\nwrote {path} (trained on folds 0-3)");
    }
    Ok(())
}

/// The column names of the figures table.
fn print_header() {
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
}

/// One line of the figures table.
fn row(label: &str, c: &Counts) {
    let f = c.figures();
    println!(
        "{label:<14} {:>8} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>8} {:>7.3} {:>7.3} {:>8} {:>7.3}",
        f.articles, f.token_precision, f.token_recall, f.token_f1, f.span_precision,
        f.span_recall, f.span_f1, f.mentions, f.voice_accuracy, f.own_share,
        f.speaker_mentions, f.speaker_accuracy
    );
}
