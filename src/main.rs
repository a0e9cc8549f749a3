//! The `slant` command line: parse, dispatch, exit code. Each command lives in `cli/`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Exit codes: 0 done (rejected records are listed, not fatal), 1 error, 2 bad usage
/// (clap, or a flag's value), 3 stopped at a bad record under --strict.
fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slant: error: {}", cli::message(&e));
            ExitCode::from(cli::exit_code(&e))
        }
    }
}
