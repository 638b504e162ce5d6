//! `zeitpost run`: the mail loop.
//!
//! One cycle takes every mail waiting in the inbox, oldest first, and for each: records it
//! in the ledger (so a mail that crashes the process is counted), reads and screens it,
//! imports its exports, records the result and queues the report in one transaction, and
//! only then moves it out of the inbox. Queued reports are sent at the end of the cycle,
//! and again in later cycles until the mail server takes them.
//!
//! Between cycles the loop waits for news (IMAP IDLE where offered, else
//! `poll_interval`). A broken connection is rebuilt with capped back-off; a shutdown
//! request lets the current mail finish first. Cycles never overlap: there is one loop.

mod jobs;
pub mod metrics;
mod process;
pub mod screen;

use std::time::Duration;

use tokio::sync::watch;

use crate::config::AuthMethod;
use crate::config::{Config, SourceKind};
use crate::importer::{ImportError, Target};
use crate::ingest::Settings;
use crate::ledger::{Cycle, Ledger};
use crate::oauth::OAuthToken;
use crate::report::smtp::Sender;
use crate::source::imap::{Credential, ImapSource};
use crate::source::maildir::Maildir;
use crate::source::{Source, SourceError, Woken};

/// Timeout of every mailbox command.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("no [source] section in the config")]
    NoSource,
    #[error("source.password: {0}")]
    Secret(#[from] crate::config::SecretError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    #[error(transparent)]
    Report(#[from] crate::report::smtp::ReportError),
    #[error("sync job: {0}")]
    Job(String),
}

/// Everything one running daemon holds.
pub struct Daemon {
    pub config: Config,
    pub settings: Settings,
    pub ledger: Ledger,
    pub target: Target,
    pub reports: Sender,
    source: Option<Source>,
    /// The mailbox's OAuth2 token, kept across reconnects.
    mailbox_token: Option<OAuthToken>,
    timr: Option<jobs::TimrJob>,
    timetrack: Option<jobs::TimetrackJobs>,
}

/// One sync job run: whether it went through, what it wrote where, how many conflicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub job: &'static str,
    pub ok: bool,
    /// Items written (created, updated or deleted) per system.
    pub writes: Vec<(&'static str, usize)>,
    pub conflicts: usize,
}

impl JobRun {
    pub fn bare(job: &'static str, ok: bool) -> JobRun {
        JobRun {
            job,
            ok,
            writes: Vec::new(),
            conflicts: 0,
        }
    }
}

/// What the loop tells the outside world (systemd, `status`).
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub cycles: u64,
    pub last: Option<Cycle>,
    pub last_error: Option<String>,
    /// How long the last cycle took.
    pub duration: Duration,
    /// The ledger's totals after the last cycle.
    pub status: Option<crate::ledger::Status>,
    /// Requests to Personio so far.
    pub personio: Option<crate::target::personio::client::Stats>,
    /// The sync jobs that ran in this round.
    pub job_runs: Vec<JobRun>,
}

impl Daemon {
    pub fn new(config: Config) -> Result<Daemon, DaemonError> {
        let settings = Settings::from_config(&config, chrono::Local::now().date_naive())
            .map_err(ImportError::from)?;
        let ledger = Ledger::open(&config.state.path)?;
        let target = Target::from_config(&config)?;
        let mut report_config = config.report.clone();
        report_config.dir = Some(config.report_dir());
        let reports = Sender::from_config(&report_config, COMMAND_TIMEOUT)?;
        let timr = jobs::TimrJob::from_config(&config)?;
        let timetrack = jobs::TimetrackJobs::from_config(&config)?;
        let mailbox_token = config
            .source
            .as_ref()
            .filter(|s| s.auth == AuthMethod::OAuth2)
            .and_then(|s| s.oauth2.as_ref())
            .map(|o| OAuthToken::new("source.oauth2", o, COMMAND_TIMEOUT));
        Ok(Daemon {
            config,
            settings,
            ledger,
            target,
            reports,
            source: None,
            mailbox_token,
            timr,
            timetrack,
        })
    }

    async fn connect(&self) -> Result<Source, DaemonError> {
        let cfg = self.config.source.as_ref().ok_or(DaemonError::NoSource)?;
        Ok(match cfg.kind {
            SourceKind::Maildir => Source::Maildir(Maildir::open(
                cfg.path.as_deref().ok_or(DaemonError::NoSource)?,
                &cfg.processed_folder,
                &cfg.failed_folder,
            )?),
            SourceKind::Imap if cfg.auth == AuthMethod::OAuth2 => {
                let token = self.mailbox_token.as_ref().ok_or_else(|| {
                    SourceError::Login("source.oauth2 is not set (auth = \"oauth2\")".into())
                })?;
                Source::Imap(Box::new(
                    ImapSource::connect(cfg, Credential::OAuth2(token), COMMAND_TIMEOUT).await?,
                ))
            }
            SourceKind::Imap => {
                let password = cfg
                    .password
                    .as_ref()
                    .map(|p| p.resolve())
                    .transpose()?
                    .ok_or_else(|| SourceError::Login("source.password is not set".into()))?;
                Source::Imap(Box::new(
                    ImapSource::connect(cfg, Credential::Password(&password), COMMAND_TIMEOUT)
                        .await?,
                ))
            }
        })
    }

    /// Connects, retrying with capped back-off (1 s doubling to 5 min) until it works or
    /// shutdown is requested.
    async fn ensure_connected(
        &mut self,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<bool, DaemonError> {
        let mut delay = Duration::from_secs(1);
        while self.source.is_none() {
            match self.connect().await {
                Ok(s) => self.source = Some(s),
                Err(e) => {
                    tracing::warn!(
                        "mailbox not reachable, retrying in {} s: {e}",
                        delay.as_secs()
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = shutdown.changed() => return Ok(false),
                    }
                    delay = (delay * 2).min(Duration::from_secs(300));
                }
            }
        }
        Ok(true)
    }

    /// Runs cycles until shutdown (or once). `on_cycle` hears about every finished cycle.
    pub async fn run(
        &mut self,
        once: bool,
        mut shutdown: watch::Receiver<bool>,
        mut on_cycle: impl FnMut(&Progress),
    ) -> Result<Progress, DaemonError> {
        let mut progress = Progress::default();
        let poll = self
            .config
            .source
            .as_ref()
            .map(|s| s.poll_interval)
            .unwrap_or(Duration::from_secs(60));
        loop {
            if *shutdown.borrow() || !self.ensure_connected(&mut shutdown).await? {
                break;
            }
            let started = std::time::Instant::now();
            let outcome = self.cycle(&mut shutdown).await;
            progress.duration = started.elapsed();
            progress.status = self.ledger.status().ok();
            progress.personio = match &self.target {
                Target::Personio(p) => Some(p.client().stats()),
                Target::Outbox(_) => None,
            };
            match outcome {
                Ok(c) => {
                    progress.cycles += 1;
                    progress.last = Some(c);
                    progress.last_error = None;
                }
                Err(e) => {
                    tracing::error!("cycle failed: {e}");
                    progress.last_error = Some(e.to_string());
                    if matches!(&e, DaemonError::Source(s) if s.breaks_connection()) {
                        self.source = None;
                    }
                    if once {
                        on_cycle(&progress);
                        return Err(e);
                    }
                }
            }
            progress.job_runs = self.run_due_jobs().await;
            if !progress.job_runs.is_empty() {
                // A job's notices go out with the reports, not a cycle later.
                self.send_reports().await;
            }
            on_cycle(&progress);
            if once || *shutdown.borrow() {
                break;
            }
            let wait = self
                .next_job_in()
                .map_or(poll, |due| poll.min(due.max(Duration::from_secs(1))));
            if let Some(source) = self.source.as_mut() {
                match source.wait(wait, &mut shutdown).await {
                    Ok(Woken::Shutdown) => break,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!("waiting for mail: {e}");
                        self.source = None;
                    }
                }
            }
        }
        Ok(progress)
    }

    /// One cycle over every waiting mail, then the queued reports.
    pub async fn cycle(
        &mut self,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<Cycle, DaemonError> {
        let cycle_id = self.ledger.cycle_begin()?;
        let mut totals = Cycle::default();
        let result = self.cycle_inner(shutdown, &mut totals).await;
        self.send_reports().await;
        if let Err(e) = &result {
            totals.error = Some(e.to_string());
        }
        self.ledger.cycle_end(cycle_id, &totals)?;
        totals.finished_at = Some(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
        result.map(|_| totals)
    }

    async fn cycle_inner(
        &mut self,
        shutdown: &mut watch::Receiver<bool>,
        totals: &mut Cycle,
    ) -> Result<(), DaemonError> {
        let source = self.source.as_mut().ok_or(DaemonError::NoSource)?;
        let keys = source.list().await?;
        for key in keys {
            if *shutdown.borrow() {
                break;
            }
            self.process(&key, totals).await?;
        }
        Ok(())
    }

    /// Sends every queued report; a failure leaves it queued for the next cycle.
    pub async fn send_reports(&mut self) {
        let queued = match self.ledger.queued_reports() {
            Ok(q) => q,
            Err(e) => {
                tracing::error!("reading queued reports: {e}");
                return;
            }
        };
        for r in queued {
            match self
                .reports
                .send(&r.sender, &r.recipients, &r.message)
                .await
            {
                Ok(()) => {
                    if let Err(e) = self.ledger.report_sent(r.id) {
                        tracing::error!("report {} sent but not recorded: {e}", r.id);
                    }
                }
                Err(e) => {
                    tracing::warn!(
                        report = r.id,
                        attempts = r.attempts + 1,
                        "report not sent, kept for the next cycle: {e}"
                    );
                    let _ = self.ledger.report_failed(r.id, &e.to_string());
                }
            }
        }
    }
}
