//! `slant check-int8`: measure int8's cost and record it in the model's slant.json.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use slant::stance::int8_check;

use super::args::ModelArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Labelled NewsMTSC-format files (the dev splits; never a test split).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let model = args.model.dir()?;
    let files: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let check = int8_check::measure(&model, &files, rayon::current_num_threads())
        .with_context(|| format!("checking int8 on {}", model.display()))?;
    int8_check::record(&model, &check)
        .with_context(|| format!("recording the int8 check in {}", model.display()))?;
    for file in &check.files {
        println!(
            "{}: macro-F1 f32 {:.4}, int8 {:.4} ({:+.1} points, {} targets)",
            file.file,
            file.f32_macro_f1,
            file.int8_macro_f1,
            -100.0 * file.cost(),
            file.targets
        );
    }
    let verdict = if check.passed() {
        "within budget: --backend auto runs int8"
    } else {
        "over budget: --backend auto runs f32"
    };
    println!(
        "int8 {verdict} (budget {:.1} points; recorded in {})",
        100.0 * check.budget,
        model.join("slant.json").display()
    );
    Ok(())
}
