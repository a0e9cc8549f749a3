//! The resolver against GUM's coreference chains (see `slant::annotate::references_eval` and
//! docs/references.md): `scripts/eval-references [--half a|b|all] [--misses N] [--json FILE]`.
//! Misses are printed for the tuning half only: half B is reported, never inspected.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use slant::annotate::references::WEIGHTS;
use slant::annotate::references_eval::{evaluate, half, load_dir, Half, Tally};

fn cell(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{v:.3}"))
}

fn row(name: &str, t: &Tally) -> String {
    format!(
        "  {name:<12} {:>9} {:>8} {:>11} {:>9} {:>7}",
        t.resolved,
        t.correct,
        t.resolvable,
        cell(t.precision()),
        cell(t.recall())
    )
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().context("usage: eval_references DIR [--half a|b|all] [--misses N] [--json FILE] [--decay X --subject X --evoked X --margin X --window N]")?);
    let (mut which, mut misses_shown, mut json) = (Half::A, 0usize, None);
    let mut weights = WEIGHTS;
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--half" => {
                which = match value.as_str() {
                    "a" | "A" => Half::A,
                    "b" | "B" => Half::B,
                    "all" => Half::All,
                    other => bail!("--half {other:?}: a, b or all"),
                }
            }
            "--misses" => misses_shown = value.parse()?,
            "--json" => json = Some(PathBuf::from(value)),
            "--decay" => weights.decay = value.parse()?,
            "--subject" => weights.subject = value.parse()?,
            "--evoked" => weights.evoked = value.parse()?,
            "--margin" => weights.margin = value.parse()?,
            "--window" => weights.window = value.parse()?,
            other => bail!("unknown flag {other}"),
        }
    }
    if which != Half::A && misses_shown > 0 {
        bail!("--misses is for the tuning half (a) only: half b is reported, never inspected");
    }
    let documents = half(load_dir(&dir)?, which);
    let mut misses = Vec::new();
    let report = evaluate(&documents, weights, &mut misses);
    println!("{} documents ({which:?})", report.documents);
    let tables = [
        (
            "person pronouns (he/him/his/himself, she/her/hers/herself)",
            &report.person_pronouns,
        ),
        (
            "organization pronouns (it/its/itself, they/them/their/themselves)",
            &report.organization_pronouns,
        ),
        ("roles and descriptions", &report.descriptions),
        (
            "baseline: he/she/him/her/his to the most recent named person",
            &report.baseline,
        ),
    ];
    for (title, table) in tables {
        println!(
            "\n{title}\n  {:<12} {:>9} {:>8} {:>11} {:>9} {:>7}",
            "genre", "resolved", "correct", "resolvable", "precision", "recall"
        );
        for (genre, tally) in table {
            println!("{}", row(genre, tally));
        }
    }
    for miss in misses.iter().take(misses_shown) {
        println!(
            "\n{} [{}] {:?} -> {} (gold: {})\n  {}",
            miss.document,
            miss.form.as_str(),
            miss.written,
            miss.resolved_to,
            miss.gold,
            miss.context
        );
    }
    if let Some(path) = json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}
