//! `slant compare` and `slant report`: statistics over a score output directory, as tables
//! or as an HTML report.

use std::path::{Path, PathBuf};

use anyhow::Result;
use slant::aggregate::{Axis, ToneVoices};
use slant::compare::{self, CompareOptions, Comparison, GroupBy, VoiceFilter};

#[derive(clap::Args)]
pub struct StatsArgs {
    /// Groups: outlet, or outlet by calendar month or year of the article date.
    #[arg(long, value_enum, default_value = "outlet")]
    by: GroupBy,
    /// Framing axis A,B (repeatable); default: the axis the run was scored with.
    #[arg(long)]
    axis: Vec<String>,
    /// Bootstrap resamples and permutations.
    #[arg(long, default_value_t = 2000, value_parser = super::args::resamples)]
    resamples: usize,
    #[arg(long, default_value_t = 20230329)]
    seed: u64,
    /// Actor-outlet cells with fewer mentions are flagged as unreliable.
    #[arg(long, default_value_t = 5)]
    min_mentions: u64,
    /// Evidence mentions per outlet and camp.
    #[arg(long, default_value_t = 5)]
    evidence: usize,
    /// Which mentions count: all, those in the outlets' own words, or those in quoted and
    /// reported words.
    #[arg(long, value_enum, default_value = "all")]
    voice: VoiceFilter,
    /// Which mentions tone is estimated from (all, or the outlets' own words); default: as
    /// the run was scored.
    #[arg(long, value_enum)]
    tone_voices: Option<ToneVoices>,
    /// Also compare outlets within the stories both covered (within_story.csv) and
    /// tabulate each outlet's agenda (agenda.csv); the report does so whenever the run has
    /// stories.
    #[arg(long, value_enum)]
    within: Option<Within>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Within {
    Story,
}

impl StatsArgs {
    fn options(&self, within_story: bool) -> CompareOptions {
        CompareOptions {
            resamples: self.resamples,
            seed: self.seed,
            min_mentions: self.min_mentions,
            evidence: self.evidence,
            within_story,
            tone_voices: self.tone_voices,
        }
    }

    /// The comparison, within stories too when asked for, or (`for_report`) whenever the
    /// run has stories.
    fn compare(&self, run: &Path, for_report: bool) -> Result<(Comparison, CompareOptions)> {
        let loaded = compare::Run::load(run, self.by, Axis::from_flags(&self.axis)?, self.voice)?;
        let within_story =
            self.within == Some(Within::Story) || (for_report && loaded.has_stories());
        let options = self.options(within_story);
        Ok((compare::compare(&loaded, &options)?, options))
    }
}

#[derive(clap::Args)]
pub struct CompareArgs {
    run: PathBuf,
    #[command(flatten)]
    stats: StatsArgs,
    /// Where the tables go; default RUN/compare.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run_compare(args: CompareArgs, quiet: bool) -> Result<()> {
    let (comparison, _) = args.stats.compare(&args.run, false)?;
    let out = args.out.unwrap_or_else(|| args.run.join("compare"));
    compare::write(&comparison, &out)?;
    if !quiet {
        print!("{}", compare::summary(&comparison));
        eprintln!("tables in {}", out.display());
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct ReportArgs {
    run: PathBuf,
    /// The HTML file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Also write the charts as PNG files into this folder.
    #[arg(long)]
    png: Option<PathBuf>,
    #[command(flatten)]
    stats: StatsArgs,
}

pub fn run_report(args: ReportArgs, quiet: bool) -> Result<()> {
    let (comparison, options) = args.stats.compare(&args.run, true)?;
    let written = slant::report::write_report(
        &args.run,
        &comparison,
        &options,
        &args.output,
        args.png.as_deref(),
    )?;
    if !quiet {
        eprintln!("{}", written.join(", "));
    }
    Ok(())
}
