//! `slant actors discover`: frequent names a registry does not cover.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use slant::actors::discover::Discovery;
use slant::actors::{Matcher, Registry};
use slant::corpus::Reader;

use super::args::InputArgs;

#[derive(Subcommand)]
pub enum Command {
    /// List frequent capitalised names the registry does not cover, and frequent role
    /// phrases ("the interior minister") its roles do not, as CSV on stdout.
    Discover {
        #[command(flatten)]
        input: InputArgs,
        /// Registries whose names are already covered.
        #[arg(long = "actors")]
        actors: Vec<PathBuf>,
        /// Leave out names seen fewer times.
        #[arg(long, default_value_t = 3)]
        min_count: u64,
    },
}

pub fn run(command: Command) -> Result<()> {
    let Command::Discover {
        input,
        actors,
        min_count,
    } = command;
    let (inputs, fields) = input.resolve()?;
    let registry = if actors.is_empty() {
        Registry::default()
    } else {
        Registry::load(&actors)?
    };
    let matcher = Matcher::new(&registry)?;
    let mut discovery = Discovery::new(&matcher, &registry.roles);
    let rejected = discovery.scan(Reader::new(inputs, fields), |r| {
        eprintln!("{}:{}: skipped: {}", r.file, r.line, r.reason)
    })?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record(["kind", "name", "count", "articles", "example"])?;
    for (kind, c) in discovery.candidates(min_count) {
        out.write_record([
            kind.as_str().to_string(),
            c.name,
            c.count.to_string(),
            c.articles.to_string(),
            c.example,
        ])?;
    }
    out.flush()?;
    if rejected > 0 {
        eprintln!("{rejected} records skipped");
    }
    Ok(())
}
