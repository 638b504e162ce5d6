//! What the ledger can tell an operator, read while the daemon runs (WAL lets readers in).

use rusqlite::params;
use serde::Serialize;

use super::{Cycle, Ledger, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    pub last_cycle: Option<Cycle>,
    pub last_error: Option<String>,
    pub mails_processed: i64,
    pub mails_failed: i64,
    pub mails_in_progress: i64,
    pub records_personio: i64,
    pub records_outbox: i64,
    pub records_pending: i64,
    pub reports_queued: i64,
    /// When the timr job last ran and what it did.
    pub timr_last_run: Option<String>,
    /// The last finished run of each TimeTrack job.
    pub sync_runs: Vec<super::SyncRun>,
    /// TimeTrack items paired with Personio, and those with a write not yet confirmed.
    pub sync_pairs: i64,
    pub sync_pending: i64,
}

impl Ledger {
    fn count(&self, sql: &str, arg: &str) -> Result<i64> {
        Ok(self.conn.query_row(sql, params![arg], |r| r.get(0))?)
    }

    pub fn status(&self) -> Result<Status> {
        let mails = |state: &str| self.count("SELECT COUNT(*) FROM mails WHERE state = ?1", state);
        let records = |target: &str| {
            self.count(
                "SELECT COUNT(*) FROM records WHERE target = ?1 AND state = 'done'",
                target,
            )
        };
        let last_error = self
            .conn
            .query_row(
                "SELECT error FROM cycles WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get::<_, Option<String>>(0),
            )
            .unwrap_or(None);
        Ok(Status {
            last_cycle: self.last_cycle()?,
            last_error,
            mails_processed: mails("done")?,
            mails_failed: mails("failed")?,
            mails_in_progress: mails("processing")?,
            records_personio: records("personio")?,
            records_outbox: records("outbox")?,
            records_pending: self
                .count("SELECT COUNT(*) FROM records WHERE state = ?1", "pending")?,
            reports_queued: self
                .count("SELECT COUNT(*) FROM reports WHERE state = ?1", "queued")?,
            timr_last_run: self.get_value("timr.last_run")?,
            sync_runs: self.last_sync_runs()?,
            sync_pairs: self
                .conn
                .query_row("SELECT COUNT(*) FROM sync_pairs", [], |r| r.get(0))?,
            sync_pending: self.conn.query_row(
                "SELECT COUNT(*) FROM sync_pairs WHERE pending IS NOT NULL",
                [],
                |r| r.get(0),
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::MailFacts;

    #[test]
    fn status_counts_what_the_ledger_holds() {
        let mut l = Ledger::open_in_memory().unwrap();
        assert_eq!(l.status().unwrap(), Status::default());
        let m = l
            .mail_begin(&MailFacts {
                mailbox: "INBOX",
                key: "1:1",
                sha256: "a",
                ..MailFacts::default()
            })
            .unwrap();
        l.mail_finish(
            m.id,
            false,
            "ok",
            None,
            Some(("z@example.com", &["hr@example.com".into()], b"x")),
        )
        .unwrap();
        let id = l.cycle_begin().unwrap();
        l.cycle_end(
            id,
            &Cycle {
                mails: 1,
                imported: 3,
                error: Some("boom".into()),
                ..Cycle::default()
            },
        )
        .unwrap();
        let s = l.status().unwrap();
        assert_eq!((s.mails_processed, s.reports_queued), (1, 1));
        assert_eq!(s.last_cycle.unwrap().imported, 3);
        assert_eq!(s.last_error.as_deref(), Some("boom"));
    }
}
