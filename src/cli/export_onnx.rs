//! `slant export-onnx`: a trained model as an ONNX graph file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use slant::stance::onnx::{self, Precision};
use slant::stance::ModelDir;
use slant::util::write_atomic;

use super::args::ModelArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// The .onnx file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// int8 weights for the query/key/value and feed-forward layers.
    #[arg(long)]
    int8: bool,
}

pub fn run(args: Args, quiet: bool) -> Result<()> {
    let model = args.model.dir()?;
    let dir = ModelDir::open(&model, None)
        .with_context(|| format!("loading model {}", model.display()))?;
    let stance = dir.stance_config()?;
    let precision = if args.int8 {
        Precision::Int8
    } else {
        Precision::F32
    };
    let graph = onnx::export(
        &dir,
        precision,
        &format!("{} ({})", stance.model_id, dir.weights_sha256),
        onnx::GraphOutput::Probabilities,
    )
    .with_context(|| format!("exporting {}", model.display()))?;
    write_atomic(&args.output, &graph)?;
    if !quiet {
        eprintln!(
            "{} ({}, {:.1} MB) -> {}",
            stance.model_id,
            precision.name(),
            graph.len() as f64 / 1e6,
            args.output.display()
        );
    }
    Ok(())
}
