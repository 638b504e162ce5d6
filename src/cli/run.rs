//! `zeitpost run [--once]`

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sd_notify::NotifyState;
use tokio::sync::watch;
use zeitpost::config::{Config, ReportKind};
use zeitpost::daemon::metrics::{Metrics, serve as serve_metrics};
use zeitpost::daemon::{Daemon, Progress};

use super::{EXIT_FAILED, load_config};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// One full cycle (all mail now waiting), then exit
    #[arg(long)]
    once: bool,
}

pub fn run(args: RunArgs, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path, false)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args.once, config, config_path))
}

async fn serve(once: bool, config: Config, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let outbox = config.outbox_dir();
    let personio = config.personio.is_some();
    let report_dir = (config.report.kind == ReportKind::Outbox).then(|| config.report_dir());
    // SIGTERM/SIGINT stop after the current mail; SIGHUP does too, then reloads.
    let (stop, _) = watch::channel(false);
    let stop = Arc::new(stop);
    let reload = Arc::new(AtomicBool::new(false));
    // Handlers are installed now, before the first cycle: a signal that came before the
    // listening task first ran would otherwise kill the process the default way.
    let signals = Signals::install()?;
    tokio::spawn(listen_for_signals(signals, stop.clone(), reload.clone()));
    let metrics = Arc::new(std::sync::Mutex::new(Metrics::default()));
    if let Some(m) = &config.metrics {
        let (listen, shared) = (m.listen, metrics.clone());
        tokio::spawn(async move {
            if let Err(e) = serve_metrics(listen, shared).await {
                tracing::error!("metrics on {listen}: {e}");
            }
        });
    }
    let mut daemon = Daemon::new(config)?;
    // Ready once config and ledger are open; the watchdog is fed only after a finished
    // cycle, so a hung connection gets the service restarted.
    notify(&[
        NotifyState::Ready,
        NotifyState::Status("starting: first cycle"),
    ]);
    let result = loop {
        let result = daemon
            .run(once, stop.subscribe(), |p| {
                report_cycle(p);
                if let Ok(mut m) = metrics.lock() {
                    m.record(p);
                }
            })
            .await;
        if !reload.swap(false, Ordering::SeqCst) || result.is_err() {
            break result;
        }
        let mut states = vec![NotifyState::Reloading];
        states.extend(NotifyState::monotonic_usec_now().ok());
        notify(&states);
        match load_config(config_path, false).and_then(|c| Daemon::new(c).map_err(Into::into)) {
            Ok(new) => {
                daemon = new;
                tracing::info!("config reloaded");
            }
            Err(e) => {
                tracing::error!("the new config is not valid; going on with the old one: {e:#}")
            }
        }
        stop.send_replace(false);
        notify(&[NotifyState::Ready]);
    };
    notify(&[NotifyState::Stopping]);
    match result {
        Ok(progress) => {
            if once {
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
}

/// After each cycle: the watchdog, a status line for `systemctl status`, a log line.
fn report_cycle(p: &Progress) {
    let status = match (&p.last, &p.last_error) {
        (_, Some(e)) => format!("error: {e}"),
        (Some(c), None) => format!(
            "idle; last cycle {}: {} mails, {} imported, {} rejected",
            c.finished_at
                .as_deref()
                .and_then(|t| t.get(11..16))
                .unwrap_or("?"),
            c.mails,
            c.imported,
            c.rejected
        ),
        (None, None) => "idle".to_string(),
    };
    notify(&[NotifyState::Watchdog, NotifyState::Status(&status)]);
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
}

struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }
}

async fn listen_for_signals(
    mut s: Signals,
    stop: Arc<watch::Sender<bool>>,
    reload: Arc<AtomicBool>,
) {
    loop {
        tokio::select! {
            _ = s.term.recv() => break,
            _ = s.int.recv() => break,
            _ = s.hup.recv() => {
                tracing::info!("reload requested; finishing the current mail first");
                reload.store(true, Ordering::SeqCst);
                stop.send_replace(true);
            }
        }
    }
    tracing::info!("shutdown requested; finishing the current mail");
    reload.store(false, Ordering::SeqCst);
    stop.send_replace(true);
}

/// Tells systemd; outside systemd (no `NOTIFY_SOCKET`) this does nothing.
fn notify(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("telling systemd failed: {e}");
    }
}
