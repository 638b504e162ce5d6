//! The `zeitpost` command line. Commands live in [`cli`]; this file only sets up and maps
//! the outcome to the documented exit status (0 done, 1 the work failed, 2 usage or
//! config error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let daemon = matches!(args.command, cli::Command::Run(_));
    // The daemon's log level may come from its config; a broken config is reported after.
    let configured = daemon
        .then(|| cli::load_config(args.config.as_deref(), false).ok())
        .flatten()
        .and_then(|c| c.logging.level);
    cli::init_logging(args.verbose, daemon, configured.as_deref());
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zeitpost: {e:#}");
            ExitCode::from(cli::EXIT_USAGE)
        }
    }
}
