//! `slant eval`: accuracy, macro-F1 and confusion of a model or baseline on labelled files.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::ValueEnum;
use slant::stance::baseline::{Lexicon, Majority};
use slant::stance::{eval, StanceModel};

use super::args::{BackendArg, ModelArgs};

#[derive(Clone, Copy, ValueEnum)]
enum Baseline {
    Lexicon,
    Majority,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Score with a baseline instead of the model.
    #[arg(long, value_enum)]
    baseline: Option<Baseline>,
    #[arg(long, value_enum, default_value = "auto")]
    backend: BackendArg,
    /// Training file whose most frequent class the majority baseline predicts.
    #[arg(long)]
    train: Option<PathBuf>,
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
            let (_, loaded) = args.model.load(args.backend, quiet)?;
            if !quiet {
                eprintln!("{}: {}", loaded.stance.model_id, loaded.backend);
            }
            loaded.model
        }
    };
    for file in &args.files {
        let report = eval::evaluate_file(scorer.as_ref(), file)?;
        if args.json {
            let mut value = serde_json::to_value(&report)?;
            value["file"] = serde_json::json!(file.display().to_string());
            println!("{value}");
        } else {
            print!(
                "{}",
                eval::format_report(&file.display().to_string(), &report)
            );
        }
    }
    Ok(())
}
