//! Progress bars, drawn from the library's progress reports (hidden under --quiet).

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use slant::score::merge::MergeProgress;
use slant::score::Progress;
use slant::stance::train::TrainEvent;

fn bar(len: u64, template: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len.max(1));
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Scoring: bytes read of the inputs, articles per second.
pub struct ScoreBar {
    bar: ProgressBar,
    started: Instant,
}

impl ScoreBar {
    pub fn new(quiet: bool) -> Self {
        Self {
            bar: bar(
                0,
                "scoring [{bar:30}] {bytes}/{total_bytes} eta {eta} {msg}",
                quiet,
            ),
            started: Instant::now(),
        }
    }

    pub fn update(&self, p: &Progress) {
        self.bar.set_length(p.bytes_total.max(1));
        self.bar.set_position(p.bytes_read);
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        self.bar.set_message(format!(
            "{} articles, {:.0}/s, {} mentions",
            p.articles,
            p.articles as f64 / secs,
            p.mentions
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Merging: records taken from the parts.
pub fn merge_observer(quiet: bool) -> (ProgressBar, impl FnMut(&MergeProgress)) {
    let shown = bar(0, "merging [{bar:30}] {pos}/{len} records eta {eta}", quiet);
    let updating = shown.clone();
    (shown, move |p: &MergeProgress| {
        updating.set_length(p.records_total.max(1));
        updating.set_position(p.records);
    })
}

/// Training: one bar per epoch, notes printed above it.
pub fn train_observer(quiet: bool) -> impl FnMut(TrainEvent) {
    let mut current = ProgressBar::hidden();
    move |event| match event {
        TrainEvent::Epoch {
            epoch,
            epochs,
            batches,
            done,
        } => {
            current = bar(
                batches as u64,
                "{prefix} [{bar:30}] {pos}/{len} batches {per_sec} eta {eta} {msg}",
                quiet,
            );
            current.set_prefix(format!("epoch {}/{}", epoch + 1, epochs));
            current.set_position(done as u64);
        }
        TrainEvent::Batch { mean_loss } => {
            current.set_message(format!("loss {mean_loss:.3}"));
            current.inc(1);
        }
        TrainEvent::EpochTrained => current.finish_and_clear(),
        TrainEvent::Note(line) => current.suspend(|| eprintln!("{line}")),
    }
}
