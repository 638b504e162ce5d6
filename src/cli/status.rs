//! `zeitpost status [--json]`

use std::path::Path;
use std::process::ExitCode;

use zeitpost::ledger::Ledger;

use super::load_config;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Print one JSON object instead of text
    #[arg(long)]
    json: bool,
}

pub fn run(args: StatusArgs, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path, false)?;
    let path = &config.state.path;
    if !path.exists() {
        anyhow::bail!(
            "no state database at {} yet: zeitpost has not run",
            path.display()
        );
    }
    let status = Ledger::open_read_only(path)?.status()?;
    if args.json {
        println!("{}", serde_json::to_string(&status)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("state database: {}", path.display());
    match &status.last_cycle {
        Some(c) => println!(
            "last cycle:     {} to {}: {} mails, {} imported, {} duplicates, {} rejected, {} conflicts, {} failed",
            c.started_at,
            c.finished_at.as_deref().unwrap_or("?"),
            c.mails,
            c.imported,
            c.duplicates,
            c.rejected,
            c.conflicts,
            c.failed
        ),
        None => println!("last cycle:     none yet"),
    }
    println!(
        "last error:     {}",
        status.last_error.as_deref().unwrap_or("none")
    );
    println!(
        "mails:          {} processed, {} failed, {} in progress",
        status.mails_processed, status.mails_failed, status.mails_in_progress
    );
    println!(
        "records:        {} in Personio, {} in import files, {} with writes pending",
        status.records_personio, status.records_outbox, status.records_pending
    );
    println!("reports:        {} queued", status.reports_queued);
    if let Some(run) = &status.timr_last_run {
        println!("timr sync:      {run}");
    }
    for run in &status.sync_runs {
        let what = match &run.error {
            Some(e) => format!("failed: {e}"),
            None => run.summary.clone(),
        };
        println!("{:<16}{}: {what}", format!("{}:", run.job), run.finished_at);
    }
    if status.sync_pairs > 0 {
        println!(
            "TimeTrack:      {} items paired with Personio, {} writes pending",
            status.sync_pairs, status.sync_pending
        );
    }
    Ok(ExitCode::SUCCESS)
}
