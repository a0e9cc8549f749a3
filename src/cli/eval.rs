//! `slant eval`: accuracy, macro-F1 and confusion of a model or baseline on labelled files.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use slant::stance::baseline::{Lexicon, Majority};
use slant::stance::ensemble::Ensemble;
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
    /// Average the probabilities with this model's too (a name or directory, on the same
    /// backend; repeatable): an ensemble, costing the sum of its members' time.
    #[arg(long, value_name = "MODEL", conflicts_with = "baseline")]
    with: Vec<PathBuf>,
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
            let (_, first) = args.model.load(args.backend, quiet)?;
            let mut members = vec![first];
            for model in &args.with {
                members.push(args.model.load_other(model, args.backend, quiet)?.1);
            }
            if !quiet {
                for member in &members {
                    eprintln!("{}: {}", member.stance.model_id, member.backend);
                }
            }
            let mut models: Vec<Box<dyn StanceModel>> =
                members.into_iter().map(|m| m.model).collect();
            match models.len() {
                1 => models.remove(0),
                _ => Box::new(Ensemble::new(models).context("an ensemble has members")?),
            }
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
