//! `slant export`: a run's tables in another format beside the CSV (Parquet: typed, read
//! natively by Polars, pandas, R's arrow, DuckDB and Spark).

use std::path::PathBuf;

use anyhow::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The run folder (`slant score --out`).
    run: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    to: Target,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Target {
    Parquet,
}

pub fn run(args: Args, quiet: bool) -> Result<()> {
    match args.to {
        Target::Parquet => parquet(&args.run, quiet),
    }
}

/// Writes the Parquet copies of the run's tables and says what was written.
pub fn parquet(run: &std::path::Path, quiet: bool) -> Result<()> {
    let written = slant::schema::parquet_tables::export(run)?;
    if !quiet {
        for table in &written {
            eprintln!("{}: {} rows", run.join(&table.file).display(), table.rows);
        }
    }
    Ok(())
}
