//! Commands and the flags they share.

mod check;
mod import;
mod parse;
mod run;
mod status;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use zeitpost::config::{self, Config};

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Turns time-clock exports arriving by e-mail into deduplicated attendance in Personio.
#[derive(Debug, Parser)]
#[command(name = "zeitpost", version, about, long_about = None)]
pub struct Args {
    /// Config file [default: $ZEITPOST_CONFIG, then /etc/zeitpost/zeitpost.toml]
    #[arg(long, global = true, env = "ZEITPOST_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// More log output (-v debug, -vv trace); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The daemon: watch the mailbox, import every export, send the reports
    ///
    /// Takes every mail waiting in the configured source, imports its exports, moves it to
    /// the processed or failed folder once the result is safe, and answers with a report.
    /// Then waits for new mail (IMAP IDLE, else every poll_interval). SIGTERM and SIGINT
    /// finish the current mail, then exit.
    Run(run::RunArgs),
    /// Read export files or whole mails and print their rows as JSON lines
    ///
    /// Talks to no server and writes nothing. Works without a config file. Exit status 0
    /// when every file could be read (rows may still be rejected), 1 when a file could
    /// not be read at all (unknown format, corrupt, over a size limit).
    Parse(parse::ParseArgs),
    /// Run the full import pipeline on local files, as if they had arrived by mail
    ///
    /// Parses, validates, checks every record against the state database and the target,
    /// writes what is new, and prints the report. Exit status 1 when a file could not be
    /// read or a record could not be written now.
    Import(import::ImportArgs),
    /// What the state database knows: last cycle, last error, counts, pending work
    ///
    /// Reads the state database without changing it; works while the daemon runs.
    Status(status::StatusArgs),
    /// Validate the config, then connect to every configured service, one line each
    ///
    /// Checks the state database, the mailbox (login, folders), the report delivery (SMTP
    /// login, or the outbox directory), Personio (token, read scopes), timr and TimeTrack.
    /// Writes nothing anywhere. Exit status 1 if any check failed, with a hint for the
    /// common causes.
    Check,
    /// Run a sync job once now (timr or TimeTrack)
    ///
    /// timr: transfers the working times changed since the last run to Personio, exactly
    /// once, then locks them in timr.
    ///
    /// timetrack: runs the enabled TimeTrack jobs (or only `--job`) over the configured days
    /// (or `--from`/`--to`): employees, time entries and absences, both ways, each item
    /// written once, the master winning where both systems changed it.
    ///
    /// `--dry-run` reads both sides and writes nothing. Exit status 1 when an item could not
    /// be synced (each is named).
    Sync(sync::SyncArgs),
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Run(r) => run::run(r, args.config.as_deref()),
        Command::Parse(p) => parse::run(p, args.config.as_deref()),
        Command::Import(i) => import::run(i, args.config.as_deref()),
        Command::Status(s) => status::run(s, args.config.as_deref()),
        Command::Check => check::run(args.config.as_deref()),
        Command::Sync(s) => sync::run(s, args.config.as_deref()),
    }
}

/// Loads the config. Without `--config` or `$ZEITPOST_CONFIG`, a missing default file
/// gives the built-in defaults when `optional` (commands that need no servers).
pub fn load_config(path: Option<&std::path::Path>, optional: bool) -> anyhow::Result<Config> {
    match path {
        Some(p) => Ok(Config::load(p)?),
        None => {
            let default = std::path::Path::new(config::DEFAULT_PATH);
            if optional && !default.exists() {
                return Ok(Config::default());
            }
            Config::load(default).with_context(|| "no --config given".to_string())
        }
    }
}

/// Log lines go to stderr: plain for a terminal, without colours and time stamps under
/// systemd (`JOURNAL_STREAM` is set; the journal stamps every line itself). The level is
/// `RUST_LOG` when set, else `[logging] level` for the daemon (default `info`) and `warn`
/// for one-off commands, raised by `-v`.
pub fn init_logging(verbose: u8, daemon: bool, configured: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let level = match (verbose, daemon, configured) {
        (0, true, Some(level)) => level,
        (0, false, _) => "warn",
        (0, true, None) => "info",
        (1, _, _) => "debug",
        _ => "trace",
    };
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    // These crates write raw protocol lines at their most verbose levels, LOGIN and AUTH
    // with their passwords among them; they are capped whatever RUST_LOG says. A cap is a
    // directive of its own, so it is only added where it lowers the level: added at a
    // quieter level it would switch their debug lines on.
    let tracing = from_env.as_deref().unwrap_or(level).contains("trace");
    let caps: &[&str] = if tracing {
        &[
            "async_imap=debug",
            "imap_proto=debug",
            "lettre=debug",
            "hyper=debug",
            "reqwest=debug",
            "rustls=debug",
        ]
    } else {
        &[]
    };
    for quiet in caps {
        if let Ok(d) = quiet.parse() {
            filter = filter.add_directive(d);
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.with_ansi(false).without_time().try_init()
    } else {
        builder.try_init()
    };
}
