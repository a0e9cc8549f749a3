//! `slant merge`: the parts of a sharded run into the tables one run would have written.

use std::path::PathBuf;

use anyhow::Result;

use slant::schema::tables::MentionRow;
use slant::schema::Row;

use super::progress::merge_observer;

#[derive(clap::Args)]
pub struct Args {
    /// The part folders (`slant score --shard K/N --out PART`), one per shard, any order.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Output directory: the merged run.
    #[arg(long)]
    out: PathBuf,
    /// Replace a run --out already holds.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, quiet: bool) -> Result<()> {
    let (bar, observe) = merge_observer(quiet);
    let summary = slant::score::merge::merge(&args.parts, &args.out, args.force, observe)?;
    bar.finish_and_clear();
    // Parts scored with Parquet copies make a merged run with them.
    if args.parts.first().is_some_and(|part| {
        let mentions = slant::schema::parquet_tables::file_name(MentionRow::FILE);
        part.join(mentions).exists()
    }) {
        super::export::parquet(&summary.out, quiet)?;
    }
    let c = &summary.counts;
    eprintln!(
        "{} parts merged: {} records, {} articles, {} rejected, {} mentions -> {}",
        args.parts.len(),
        c.records,
        c.articles,
        c.rejected,
        c.mentions,
        summary.out.display()
    );
    if !quiet {
        print!("{}", slant::report::outlet_summary(&summary.outlets));
    }
    Ok(())
}
