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
    // The merged run has the parts' formats: Parquet copies where they had them, and no CSV
    // where they kept only the copies.
    if let Some(part) = args.parts.first() {
        let mentions = slant::schema::parquet_tables::file_name(MentionRow::FILE);
        if part.join(mentions).exists() {
            super::export::parquet(&summary.out, quiet)?;
            if !part.join(MentionRow::FILE).exists() {
                slant::schema::parquet_tables::drop_csv(&summary.out)?;
            }
        }
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
