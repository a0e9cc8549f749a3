//! `slant calibrate`: fit the temperature that makes a model's probabilities mean what they
//! say, and record it in the model's slant.json (every backend applies it from then on).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use slant::report::{charts, render_png};
use slant::stance::backend::{self, Backend};
use slant::stance::calibrate::{self, Prediction, BINS};
use slant::stance::ModelDir;

use super::args::ModelArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Also draw the reliability diagram (all files together, before and after) as PNG.
    #[arg(long)]
    diagram: Option<PathBuf>,
    /// Labelled NewsMTSC-format files to fit on (the dev splits; never a test split).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let dir = args.model.dir()?;
    let applied = ModelDir::open(&dir, None)?.temperature();
    let loaded = backend::load(&dir, Backend::Candle, rayon::current_num_threads())?;
    let files: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let (calibration, scored) = calibrate::fit(
        loaded.model.as_ref(),
        &files,
        applied,
        &loaded.weights_sha256,
    )
    .with_context(|| format!("calibrating {}", dir.display()))?;
    calibrate::record(&dir, &calibration)
        .with_context(|| format!("recording the calibration in {}", dir.display()))?;
    for file in &calibration.files {
        let held_out = file.held_out.as_ref().map_or(String::new(), |h| {
            format!(
                "; fitted on the other files alone (t {:.3}): {:.4}",
                h.temperature, h.ece
            )
        });
        println!(
            "{}: ECE ({BINS} bins) {:.4} -> {:.4} (a calibrated model's noise here: {:.4}){held_out} ({} targets)",
            file.file, file.ece_before, file.ece_after, file.ece_floor, file.targets
        );
    }
    println!(
        "temperature {:.4} (recorded in {}; applied on every backend)",
        calibration.temperature,
        dir.join("slant.json").display()
    );
    if let Some(path) = &args.diagram {
        let all: Vec<Prediction> = scored.into_iter().flatten().collect();
        let before = calibrate::reliability(&all, 1.0, BINS);
        let after = calibrate::reliability(&all, calibration.temperature, BINS);
        let title = format!("{}: {} targets", loaded.stance.model_id, all.len());
        let svg = charts::reliability(
            &title,
            &[
                ("uncalibrated", &before, calibrate::ece(&all, 1.0, BINS)),
                (
                    &format!("t = {:.2}", calibration.temperature),
                    &after,
                    calibrate::ece(&all, calibration.temperature, BINS),
                ),
            ],
            5,
        );
        render_png(&svg, path).with_context(|| format!("drawing {}", path.display()))?;
        println!("reliability diagram: {}", path.display());
    }
    Ok(())
}
