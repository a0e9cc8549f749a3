//! `slant calibrate`: fit the temperature that makes a model's (or an ensemble's)
//! probabilities mean what they say, and record it in the model's slant.json (every backend
//! applies it from then on).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use slant::report::{charts, render_png};
use slant::stance::calibrate::{self, Prediction, BINS};

use super::args::{BackendArg, EnsembleArgs, ModelArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Calibrate the ensemble of the model and these (`accurate` already is one): its
    /// temperature scales the averaged probabilities and is recorded in the model's
    /// slant.json for exactly these members. To calibrate one member alone, name its
    /// directory (`models/mpnet-stance`).
    #[command(flatten)]
    with: EnsembleArgs,
    /// Also draw the reliability diagram (all files together, before and after) as PNG.
    #[arg(long)]
    diagram: Option<PathBuf>,
    /// Labelled NewsMTSC-format files to fit on (the dev splits; never a test split).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: Args, quiet: bool) -> Result<()> {
    let scorer = args.model.load(BackendArg::Candle, &args.with, quiet)?;
    let dir = scorer.members[0].0.clone();
    let members = scorer.ensemble_members();
    let ensemble = members.len() > 1;
    let applied = if ensemble {
        scorer.ensemble_temperature().unwrap_or(1.0)
    } else {
        members[0].temperature
    };
    let weights_sha256 = scorer.primary().weights_sha256.clone();
    let name = members
        .iter()
        .map(|m| m.model_id.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    let model = scorer.into_model();
    let files: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let (calibration, scored) = calibrate::fit(model.as_ref(), &files, applied, &weights_sha256)
        .with_context(|| format!("calibrating {name}"))?;
    if ensemble {
        calibrate::record_ensemble(&dir, &members, &calibration)
    } else {
        calibrate::record(&dir, &calibration)
    }
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
        "{name}: temperature {:.4} (recorded in {}; applied on every backend)",
        calibration.temperature,
        dir.join("slant.json").display()
    );
    if let Some(path) = &args.diagram {
        let all: Vec<Prediction> = scored.into_iter().flatten().collect();
        let before = calibrate::reliability(&all, 1.0, BINS);
        let after = calibrate::reliability(&all, calibration.temperature, BINS);
        let title = format!("{name}: {} targets", all.len());
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
