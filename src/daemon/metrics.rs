//! Prometheus metrics of the running daemon, in the text exposition format, on
//! `[metrics] listen` (e.g. `127.0.0.1:9464`, path `/metrics`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use super::Progress;
use crate::target::personio::client::{Call, Stats};

/// What the metrics say, updated after every cycle.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    pub cycles: u64,
    pub cycle_errors: u64,
    pub mails_processed: i64,
    pub mails_failed: i64,
    /// Records by outcome, summed over the cycles since start.
    pub records: BTreeMap<&'static str, i64>,
    pub last_cycle_seconds: f64,
    pub last_success_unix: Option<i64>,
    pub personio: Stats,
    /// Sync job runs by job and result, and when each job last ran.
    pub job_runs: BTreeMap<(&'static str, &'static str), u64>,
    pub job_last_run_unix: BTreeMap<&'static str, i64>,
    /// Items the sync jobs wrote, by job and system; conflicts by job.
    pub sync_writes: BTreeMap<(&'static str, &'static str), u64>,
    pub sync_conflicts: BTreeMap<&'static str, u64>,
}

impl Metrics {
    /// Takes in one finished cycle.
    pub fn record(&mut self, p: &Progress) {
        self.cycles += 1;
        if p.last_error.is_some() {
            self.cycle_errors += 1;
        } else {
            self.last_success_unix = Some(chrono::Utc::now().timestamp());
        }
        self.last_cycle_seconds = p.duration.as_secs_f64();
        if let Some(c) = &p.last {
            for (k, v) in [
                ("imported", c.imported),
                ("duplicate", c.duplicates),
                ("rejected", c.rejected),
                ("conflict", c.conflicts),
                ("failed", c.failed),
            ] {
                *self.records.entry(k).or_default() += v;
            }
        }
        if let Some(s) = &p.status {
            self.mails_processed = s.mails_processed;
            self.mails_failed = s.mails_failed;
        }
        if let Some(stats) = &p.personio {
            self.personio = stats.clone();
        }
        for run in &p.job_runs {
            *self
                .job_runs
                .entry((run.job, if run.ok { "ok" } else { "failed" }))
                .or_default() += 1;
            self.job_last_run_unix
                .insert(run.job, chrono::Utc::now().timestamp());
            for (system, n) in &run.writes {
                *self.sync_writes.entry((run.job, system)).or_default() += *n as u64;
            }
            if !run.writes.is_empty() {
                *self.sync_conflicts.entry(run.job).or_default() += run.conflicts as u64;
            }
        }
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        metric(
            "zeitpost_mails_total",
            "counter",
            "Mails finished, by result.",
            &[
                (
                    "{result=\"processed\"}".into(),
                    self.mails_processed.to_string(),
                ),
                ("{result=\"failed\"}".into(), self.mails_failed.to_string()),
            ],
        );
        let records: Vec<(String, String)> =
            ["imported", "duplicate", "rejected", "conflict", "failed"]
                .iter()
                .map(|k| {
                    (
                        format!("{{outcome=\"{k}\"}}"),
                        self.records.get(k).copied().unwrap_or(0).to_string(),
                    )
                })
                .collect();
        metric(
            "zeitpost_records_total",
            "counter",
            "Records since start, by outcome.",
            &records,
        );
        let calls: Vec<(String, String)> = self
            .personio
            .answers
            .iter()
            .map(|((call, status), n)| {
                (
                    format!(
                        "{{target=\"personio\",call=\"{}\",status=\"{status}\"}}",
                        call_name(*call)
                    ),
                    n.to_string(),
                )
            })
            .collect();
        metric(
            "zeitpost_remote_requests_total",
            "counter",
            "Requests to remote systems, by answer (status 0: no answer).",
            &calls,
        );
        metric(
            "zeitpost_cycles_total",
            "counter",
            "Daemon cycles since start.",
            &[(String::new(), self.cycles.to_string())],
        );
        metric(
            "zeitpost_cycle_errors_total",
            "counter",
            "Cycles that ended in an error.",
            &[(String::new(), self.cycle_errors.to_string())],
        );
        metric(
            "zeitpost_cycle_duration_seconds",
            "gauge",
            "Duration of the last cycle.",
            &[(String::new(), format!("{:.3}", self.last_cycle_seconds))],
        );
        if !self.job_runs.is_empty() {
            let runs: Vec<(String, String)> = self
                .job_runs
                .iter()
                .map(|((job, result), n)| {
                    (
                        format!("{{job=\"{job}\",result=\"{result}\"}}"),
                        n.to_string(),
                    )
                })
                .collect();
            metric(
                "zeitpost_job_runs_total",
                "counter",
                "Sync job runs, by result.",
                &runs,
            );
        }
        if !self.sync_writes.is_empty() {
            let writes: Vec<(String, String)> = self
                .sync_writes
                .iter()
                .map(|((job, system), n)| {
                    (
                        format!("{{job=\"{job}\",system=\"{system}\"}}"),
                        n.to_string(),
                    )
                })
                .collect();
            metric(
                "zeitpost_sync_writes_total",
                "counter",
                "Items a two-way sync job created, updated or deleted, by system written to.",
                &writes,
            );
            let conflicts: Vec<(String, String)> = self
                .sync_conflicts
                .iter()
                .map(|(job, n)| (format!("{{job=\"{job}\"}}"), n.to_string()))
                .collect();
            metric(
                "zeitpost_sync_conflicts_total",
                "counter",
                "Items changed in both systems (the master won).",
                &conflicts,
            );
        }
        if !self.job_last_run_unix.is_empty() {
            let last: Vec<(String, String)> = self
                .job_last_run_unix
                .iter()
                .map(|(job, t)| (format!("{{job=\"{job}\"}}"), t.to_string()))
                .collect();
            metric(
                "zeitpost_job_last_run_timestamp_seconds",
                "gauge",
                "When a sync job last ran (Unix time).",
                &last,
            );
        }
        if let Some(t) = self.last_success_unix {
            metric(
                "zeitpost_last_success_timestamp_seconds",
                "gauge",
                "When the last cycle without error finished (Unix time).",
                &[(String::new(), t.to_string())],
            );
        }
        out
    }
}

fn call_name(call: Call) -> &'static str {
    match call {
        Call::Token => "token",
        Call::Persons => "persons",
        Call::ListPeriods => "list_periods",
        Call::CreatePeriod => "create_period",
        Call::DeletePeriod => "delete_period",
        Call::ListAbsences => "list_absences",
        Call::CreateAbsence => "create_absence",
        Call::CreatePerson => "create_person",
        Call::UpdatePerson => "update_person",
        Call::UpdatePeriod => "update_period",
        Call::UpdateAbsence => "update_absence",
        Call::DeleteAbsence => "delete_absence",
        Call::AbsenceTypes => "absence_types",
    }
}

/// Serves `/metrics` until the process ends.
pub async fn serve(listen: SocketAddr, metrics: Arc<Mutex<Metrics>>) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let text = metrics.lock().map(|m| m.render()).unwrap_or_default();
            async move { ([("content-type", "text/plain; version=0.0.4")], text) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Cycle, Status};

    #[test]
    fn the_text_format_carries_every_metric() {
        let mut m = Metrics::default();
        let mut personio = Stats::default();
        personio.answers.insert((Call::CreatePeriod, 201), 12);
        personio.answers.insert((Call::CreatePeriod, 429), 1);
        m.record(&Progress {
            cycles: 1,
            last: Some(Cycle {
                mails: 2,
                imported: 4,
                rejected: 1,
                ..Cycle::default()
            }),
            last_error: None,
            duration: std::time::Duration::from_millis(1500),
            status: Some(Status {
                mails_processed: 2,
                ..Status::default()
            }),
            personio: Some(personio),
            job_runs: vec![
                crate::daemon::JobRun::bare("timr", true),
                crate::daemon::JobRun::bare("timetrack.absences", false),
                crate::daemon::JobRun {
                    job: "timetrack.time_entries",
                    ok: true,
                    writes: vec![("personio", 3), ("timetrack", 0)],
                    conflicts: 1,
                },
            ],
        });
        let text = m.render();
        for line in [
            "zeitpost_mails_total{result=\"processed\"} 2",
            "zeitpost_records_total{outcome=\"imported\"} 4",
            "zeitpost_records_total{outcome=\"rejected\"} 1",
            "zeitpost_remote_requests_total{target=\"personio\",call=\"create_period\",status=\"429\"} 1",
            "zeitpost_cycle_duration_seconds 1.500",
            "# TYPE zeitpost_last_success_timestamp_seconds gauge",
            "zeitpost_job_runs_total{job=\"timr\",result=\"ok\"} 1",
            "zeitpost_job_runs_total{job=\"timetrack.absences\",result=\"failed\"} 1",
            "zeitpost_sync_writes_total{job=\"timetrack.time_entries\",system=\"personio\"} 3",
            "zeitpost_sync_conflicts_total{job=\"timetrack.time_entries\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing:\n{text}");
        }
    }
}
