//! The sync jobs inside the daemon: each on its own interval, run between mail cycles, so
//! a job never runs twice at once and never beside a cycle.

use std::time::Duration;

use tokio::time::Instant;

use super::{Daemon, DaemonError, JobRun};
use crate::importer::Target;
use crate::jobs::timetrack::summary::Job;
use crate::jobs::timetrack::sync::TimetrackSync;
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

/// The TimeTrack jobs: one client, and when each enabled job is due next.
pub struct TimetrackJobs {
    client: crate::jobs::timetrack::client::Client,
    due: Vec<(Job, Duration, Instant)>,
}

impl TimetrackJobs {
    pub fn from_config(
        config: &crate::config::Config,
    ) -> Result<Option<TimetrackJobs>, DaemonError> {
        let Some(t) = &config.timetrack else {
            return Ok(None);
        };
        let mut due = Vec::new();
        let now = Instant::now();
        if let Some(j) = t.employees.as_ref().filter(|j| j.enabled) {
            due.push((Job::Employees, j.interval, now));
        }
        if let Some(j) = t.time_entries.as_ref().filter(|j| j.enabled) {
            due.push((Job::TimeEntries, j.interval, now));
        }
        if let Some(j) = t.absences.as_ref().filter(|j| j.enabled) {
            due.push((Job::Absences, j.interval, now));
        }
        if due.is_empty() {
            return Ok(None);
        }
        let client = crate::jobs::timetrack::sync::client(t, Duration::from_secs(30), 6)
            .map_err(|e| DaemonError::Job(e.to_string()))?;
        Ok(Some(TimetrackJobs { client, due }))
    }
}

impl Daemon {
    /// How long until the next job is due.
    pub(super) fn next_job_in(&self) -> Option<Duration> {
        let now = Instant::now();
        let timr = self.timr.as_ref().map(|j| j.next);
        let tt = self
            .timetrack
            .iter()
            .flat_map(|t| t.due.iter().map(|d| d.2));
        timr.into_iter()
            .chain(tt)
            .min()
            .map(|next| next.saturating_duration_since(now))
    }

    /// Runs every job that is due; returns what each run did.
    pub(super) async fn run_due_jobs(&mut self) -> Vec<JobRun> {
        let mut runs = Vec::new();
        if let Some(ok) = self.run_timr().await {
            runs.push(JobRun::bare("timr", ok));
        }
        runs.extend(self.run_timetrack().await);
        runs
    }

    async fn run_timr(&mut self) -> Option<bool> {
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
                    self.tell_hr(
                        "timr sync",
                        &format!(
                            "timr: {} entries were not transferred to Personio:\n{}",
                            summary.problems.len(),
                            summary
                                .problems
                                .iter()
                                .map(|(id, why)| format!("- {id}: {why}"))
                                .collect::<Vec<_>>()
                                .join("\n")
                        ),
                    );
                } else if config.notify_always {
                    self.tell_hr("timr sync", &format!("timr: {}", summary.line()));
                }
                summary.line()
            }
            Err(e) => {
                tracing::error!("timr sync failed: {e}");
                self.tell_hr(
                    "timr sync",
                    &format!("timr: the sync failed and is tried again at the next interval: {e}"),
                );
                format!("failed: {e}")
            }
        };
        let stamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        let _ = self
            .ledger
            .set_value(TIMR_LAST_RUN, &format!("{stamp}: {line}"));
        Some(run.is_ok())
    }

    async fn run_timetrack(&mut self) -> Vec<JobRun> {
        let mut runs = Vec::new();
        let Some(config) = self.config.timetrack.clone() else {
            return runs;
        };
        let Some(jobs) = self.timetrack.as_mut() else {
            return runs;
        };
        let now = Instant::now();
        let due: Vec<Job> = jobs
            .due
            .iter_mut()
            .filter(|d| d.2 <= now)
            .map(|d| {
                d.2 = now + d.1;
                d.0
            })
            .collect();
        if due.is_empty() {
            return runs;
        }
        let Target::Personio(target) = &mut self.target else {
            tracing::error!(
                "the TimeTrack jobs sync with Personio: the config needs a [personio] section"
            );
            return runs;
        };
        let mut notices = Vec::new();
        for job in due {
            let run = TimetrackSync {
                client: &jobs.client,
                target,
                ledger: &mut self.ledger,
                config: &config,
            }
            .run(job, None, false)
            .await;
            match &run {
                Ok(s) => {
                    tracing::info!("TimeTrack {}: {}", job.name(), s.line());
                    let lines: Vec<String> = s
                        .conflicts
                        .iter()
                        .chain(&s.problems)
                        .map(|l| format!("- {l}"))
                        .collect();
                    if !lines.is_empty() {
                        notices.push(format!(
                            "TimeTrack {}: {}\n{}",
                            job.name(),
                            s.line(),
                            lines.join("\n")
                        ));
                    } else if config.notify_always {
                        notices.push(format!("TimeTrack {}: {}", job.name(), s.line()));
                    }
                }
                Err(e) => {
                    tracing::error!("TimeTrack {} failed: {e}", job.name());
                    notices.push(format!(
                        "TimeTrack {}: the sync failed and is tried again at the next interval: {e}",
                        job.name()
                    ));
                }
            }
            runs.push(match &run {
                Ok(s) => {
                    let sum = |c: &crate::jobs::timetrack::summary::Counts| {
                        c.created + c.updated + c.deleted
                    };
                    JobRun {
                        job: job.key(),
                        ok: true,
                        writes: vec![
                            ("personio", sum(&s.to_personio)),
                            ("timetrack", sum(&s.to_timetrack)),
                        ],
                        conflicts: s.conflicts.len(),
                    }
                }
                Err(_) => JobRun::bare(job.key(), false),
            });
        }
        if !notices.is_empty() {
            self.tell_hr("TimeTrack sync", &notices.join("\n\n"));
        }
        runs
    }

    /// Queues one notice to `report.to` (sent with the other reports).
    fn tell_hr(&self, subject: &str, notice: &str) {
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
            original_subject: Some(subject),
            lang: self.settings.lang,
            notice: Some(notice.to_string()),
        };
        match compose(&ctx, &[]) {
            Ok(c) => {
                if let Err(e) = self
                    .ledger
                    .queue_report(&c.sender, &c.recipients, &c.message)
                {
                    tracing::error!("{subject} notice not queued: {e}");
                }
            }
            Err(e) => tracing::error!("{subject} notice not composed: {e}"),
        }
    }
}
