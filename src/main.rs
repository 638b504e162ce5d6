//! The `zeitpost` command line. Commands live in [`cli`]; this file only sets up and maps
//! the outcome to the documented exit status (0 done, 1 the work failed, 2 usage or
//! config error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::init_logging(args.verbose, matches!(args.command, cli::Command::Run(_)));
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zeitpost: {e:#}");
            ExitCode::from(cli::EXIT_USAGE)
        }
    }
}
