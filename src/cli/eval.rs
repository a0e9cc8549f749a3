//! `slant eval`: accuracy, macro-F1 and confusion of a model or baseline on labelled files.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::ValueEnum;
use slant::stance::baseline::{Lexicon, Majority};
use slant::stance::calibrate::BINS;
use slant::stance::{eval, StanceModel};

use super::args::{BackendArg, EnsembleArgs, ModelArgs};

#[derive(Clone, Copy, ValueEnum)]
enum Baseline {
    Lexicon,
    Majority,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    with: EnsembleArgs,
    /// Score with a baseline instead of the model.
    #[arg(long, value_enum)]
    baseline: Option<Baseline>,
    #[arg(long, value_enum, default_value = "auto")]
    backend: BackendArg,
    /// Training file whose most frequent class the majority baseline predicts.
    #[arg(long)]
    train: Option<PathBuf>,
    /// Score each target at every one of its mentions (its span and NewsMTSC's
    /// `further_mentions`, mostly pronouns) and average the probabilities, instead of at its
    /// span alone.
    #[arg(long)]
    average_coreferents: bool,
    /// One JSON object per file per line instead of tables.
    #[arg(long)]
    json: bool,
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: Args, quiet: bool) -> Result<()> {
    let scorer: Box<dyn StanceModel> = match args.baseline {
        Some(Baseline::Lexicon) => Box::new(Lexicon::default()),
        Some(Baseline::Majority) => {
            let Some(train) = &args.train else {
                bail!(
                    "--baseline majority needs --train FILE (its most frequent class is predicted)"
                )
            };
            Box::new(Majority::of_training_file(train)?)
        }
        None => {
            let scorer = args.model.load(args.backend, &args.with, quiet)?;
            if !quiet {
                for (_, member) in &scorer.members {
                    eprintln!("{}: {}", member.stance.model_id, member.backend);
                }
            }
            scorer.into_model()
        }
    };
    for file in &args.files {
        let coreferents = if args.average_coreferents {
            eval::Coreferents::Averaged
        } else {
            eval::Coreferents::Ignored
        };
        let (report, ece) = eval::evaluate_file(scorer.as_ref(), file, coreferents)?;
        if args.json {
            let mut value = serde_json::to_value(&report)?;
            value["file"] = serde_json::json!(file.display().to_string());
            value["ece"] = serde_json::json!(ece);
            println!("{value}");
        } else {
            print!(
                "{}",
                eval::format_report(&file.display().to_string(), &report)
            );
            println!("  expected calibration error ({BINS} bins) {ece:.4}");
        }
    }
    Ok(())
}
