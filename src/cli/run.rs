//! `zeitpost run [--once]`

use std::path::Path;
use std::process::ExitCode;

use tokio::sync::watch;
use zeitpost::config::ReportKind;
use zeitpost::daemon::Daemon;

use super::{EXIT_FAILED, load_config};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// One full cycle (all mail now waiting), then exit
    #[arg(long)]
    once: bool,
}

pub fn run(args: RunArgs, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path, false)?;
    let outbox = config.outbox_dir();
    let personio = config.personio.is_some();
    let report_dir = (config.report.kind == ReportKind::Outbox).then(|| config.report_dir());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (stop, shutdown) = watch::channel(false);
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutdown requested; finishing the current mail");
            let _ = stop.send(true);
        });
        let mut daemon = Daemon::new(config)?;
        // Ready once config and ledger are open; the watchdog is fed only after a finished
        // cycle, so a hung connection gets the service restarted.
        notify(&[sd_notify::NotifyState::Ready, sd_notify::NotifyState::Status("starting: first cycle")]);
        let result = daemon
            .run(args.once, shutdown, |p| {
                let status = match (&p.last, &p.last_error) {
                    (_, Some(e)) => format!("error: {e}"),
                    (Some(c), None) => format!(
                        "idle; last cycle {}: {} mails, {} imported, {} rejected",
                        c.finished_at.as_deref().and_then(|t| t.get(11..16)).unwrap_or("?"),
                        c.mails,
                        c.imported,
                        c.rejected
                    ),
                    (None, None) => "idle".to_string(),
                };
                notify(&[sd_notify::NotifyState::Watchdog, sd_notify::NotifyState::Status(&status)]);
                if let Some(c) = &p.last {
                    tracing::info!(
                        mails = c.mails,
                        imported = c.imported,
                        rejected = c.rejected,
                        duplicates = c.duplicates,
                        conflicts = c.conflicts,
                        "cycle done"
                    );
                }
            })
            .await;
        notify(&[sd_notify::NotifyState::Stopping]);
        match result {
            Ok(progress) => {
                if args.once {
                    if let Some(c) = progress.last {
                        println!(
                            "{} mails: {} imported, {} duplicates, {} rejected, {} conflicts, {} failed",
                            c.mails, c.imported, c.duplicates, c.rejected, c.conflicts, c.failed
                        );
                    }
                    if !personio {
                        println!("Personio import files: {}", outbox.display());
                    }
                    if let Some(dir) = report_dir {
                        println!("Report e-mails: {}", dir.display());
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("zeitpost: {e}");
                Ok(ExitCode::from(EXIT_FAILED))
            }
        }
    })
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

/// Tells systemd; outside systemd (no `NOTIFY_SOCKET`) this does nothing.
fn notify(states: &[sd_notify::NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("telling systemd failed: {e}");
    }
}
