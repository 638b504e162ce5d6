//! `zeitpost sync timr [--dry-run]`

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use zeitpost::importer::Target;
use zeitpost::jobs::timr::client::{Client, Settings};
use zeitpost::jobs::timr::sync::TimrSync;
use zeitpost::ledger::Ledger;

use super::{EXIT_FAILED, load_config};

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The job to run now
    #[arg(value_enum)]
    job: Job,
    /// Read both sides and show the plan; write nothing
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Job {
    Timr,
    Timetrack,
}

pub fn run(args: SyncArgs, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path, false)?;
    let timr = match args.job {
        Job::Timr => config
            .timr
            .clone()
            .context("no [timr] section in the config")?,
        Job::Timetrack => anyhow::bail!("the TimeTrack sync is not available in this version"),
    };
    let Target::Personio(mut target) = Target::from_config(&config)? else {
        anyhow::bail!("the timr sync writes to Personio: the config needs a [personio] section");
    };
    let client = Client::new(Settings {
        base_url: timr.base_url.clone(),
        token_url: timr.token_url.clone(),
        client_id: timr.client_id.clone(),
        client_secret: timr.client_secret.resolve().context("timr.client_secret")?,
        max_rps: 5.0,
        timeout: Duration::from_secs(30),
        attempts: 6,
    })?;
    let mut ledger = if args.dry_run {
        Ledger::open_read_only(&config.state.path)?
    } else {
        Ledger::open(&config.state.path)?
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let summary = runtime.block_on(
        TimrSync {
            client: &client,
            target: &mut target,
            ledger: &mut ledger,
            config: &timr,
        }
        .run(args.dry_run),
    )?;
    println!("timr: {}", summary.line());
    for (id, plan) in &summary.planned {
        println!("  entry {id}: {plan}");
    }
    for (id, why) in &summary.problems {
        println!("  entry {id}: {why}");
    }
    Ok(if summary.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}
