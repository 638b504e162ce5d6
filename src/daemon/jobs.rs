//! The sync jobs inside the daemon: each on its own interval, run between mail cycles, so
//! a job never runs twice at once and never beside a cycle.

use std::time::Duration;

use tokio::time::Instant;

use super::{Daemon, DaemonError};
use crate::importer::Target;
use crate::jobs::timr::client::{Client, Settings};
use crate::jobs::timr::sync::TimrSync;
use crate::report::mail::{ReportContext, compose};

/// The timr job's client and when it is due next.
pub struct TimrJob {
    client: Client,
    next: Instant,
}

/// Ledger key of the last run's summary, for `status`.
pub const TIMR_LAST_RUN: &str = "timr.last_run";

impl TimrJob {
    pub fn from_config(config: &crate::config::Config) -> Result<Option<TimrJob>, DaemonError> {
        let Some(t) = config.timr.as_ref().filter(|t| t.enabled != Some(false)) else {
            return Ok(None);
        };
        let client = Client::new(Settings {
            base_url: t.base_url.clone(),
            token_url: t.token_url.clone(),
            client_id: t.client_id.clone(),
            client_secret: t.client_secret.resolve()?,
            max_rps: 5.0,
            timeout: Duration::from_secs(30),
            attempts: 6,
        })
        .map_err(|e| DaemonError::Job(e.to_string()))?;
        // Due at once: `run --once` runs every job that is due now.
        Ok(Some(TimrJob {
            client,
            next: Instant::now(),
        }))
    }
}

impl Daemon {
    /// How long until the next job is due.
    pub(super) fn next_job_in(&self) -> Option<Duration> {
        self.timr
            .as_ref()
            .map(|j| j.next.saturating_duration_since(Instant::now()))
    }

    /// Runs every job that is due; says whether it went through, `None` when none was due.
    pub(super) async fn run_due_jobs(&mut self) -> Option<bool> {
        let job = self.timr.as_mut()?;
        if job.next > Instant::now() {
            return None;
        }
        let config = self.config.timr.clone()?;
        job.next = Instant::now() + config.interval;
        let Target::Personio(target) = &mut self.target else {
            tracing::error!(
                "the timr job writes to Personio: the config needs a [personio] section"
            );
            return None;
        };
        let run = TimrSync {
            client: &job.client,
            target,
            ledger: &mut self.ledger,
            config: &config,
        }
        .run(false)
        .await;
        let line = match &run {
            Ok(summary) => {
                tracing::info!("timr sync: {}", summary.line());
                if !summary.problems.is_empty() {
                    self.tell_hr(&format!(
                        "timr: {} entries were not transferred to Personio:\n{}",
                        summary.problems.len(),
                        summary
                            .problems
                            .iter()
                            .map(|(id, why)| format!("- {id}: {why}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ));
                } else if config.notify_always {
                    self.tell_hr(&format!("timr: {}", summary.line()));
                }
                summary.line()
            }
            Err(e) => {
                tracing::error!("timr sync failed: {e}");
                self.tell_hr(&format!(
                    "timr: the sync failed and is tried again at the next interval: {e}"
                ));
                format!("failed: {e}")
            }
        };
        let stamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        let _ = self
            .ledger
            .set_value(TIMR_LAST_RUN, &format!("{stamp}: {line}"));
        Some(run.is_ok())
    }

    /// Queues one notice to `report.to` (sent with the other reports).
    fn tell_hr(&self, notice: &str) {
        let Some(from) = self.config.report.from.as_deref() else {
            return;
        };
        if self.config.report.to.is_empty() {
            return;
        }
        let ctx = ReportContext {
            from,
            to: self.config.report.to.clone(),
            original_message_id: None,
            original_references: None,
            original_subject: Some("timr sync"),
            lang: self.settings.lang,
            notice: Some(notice.to_string()),
        };
        match compose(&ctx, &[]) {
            Ok(c) => {
                if let Err(e) = self
                    .ledger
                    .queue_report(&c.sender, &c.recipients, &c.message)
                {
                    tracing::error!("timr notice not queued: {e}");
                }
            }
            Err(e) => tracing::error!("timr notice not composed: {e}"),
        }
    }
}
