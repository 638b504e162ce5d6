//! Mails, queued reports and daemon cycles in the ledger.
//!
//! A mail is `processing` from the moment it is taken until its result is durable; then it
//! is `done` or `failed`, together with its report queued, in one transaction. Only after
//! that is it moved out of the inbox, and `moved` is set. A crash anywhere in between leaves
//! a state the next cycle can finish without doing anything twice.

use rusqlite::{OptionalExtension, params};

use super::{Ledger, Result, now};

/// What the ledger knows about a mail when it is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailEntry {
    pub id: i64,
    pub state: MailState,
    /// Tries so far, this one included.
    pub attempts: i64,
    pub moved: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailState {
    Processing,
    Done,
    Failed,
}

/// A mail seen before under another key (re-delivered, copied back, sent twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierMail {
    pub first_seen: String,
    pub state: MailState,
}

/// What a mail is about, for the ledger.
#[derive(Debug, Clone, Default)]
pub struct MailFacts<'a> {
    pub mailbox: &'a str,
    pub key: &'a str,
    pub message_id: Option<&'a str>,
    pub sha256: &'a str,
    pub sender: Option<&'a str>,
    pub subject: Option<&'a str>,
}

/// A report e-mail waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedReport {
    pub id: i64,
    pub sender: String,
    pub recipients: Vec<String>,
    pub message: Vec<u8>,
    pub attempts: i64,
}

/// One finished daemon cycle, for `status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Cycle {
    pub started_at: String,
    pub finished_at: Option<String>,
    pub mails: i64,
    pub imported: i64,
    pub rejected: i64,
    pub duplicates: i64,
    pub conflicts: i64,
    pub failed: i64,
    pub error: Option<String>,
}

fn state(s: &str) -> MailState {
    match s {
        "done" => MailState::Done,
        "failed" => MailState::Failed,
        _ => MailState::Processing,
    }
}

impl Ledger {
    /// Takes a mail: known → its entry with one more attempt if it is still processing;
    /// new → recorded as processing, first attempt. Durable before the mail is worked on,
    /// so a mail that crashes the process is counted too.
    pub fn mail_begin(&mut self, f: &MailFacts) -> Result<MailEntry> {
        let tx = self.conn.savepoint()?;
        let stamp = now();
        tx.execute(
            "INSERT INTO mails (mailbox, key, message_id, sha256, sender, subject, state, attempts, first_seen, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'processing', 0, ?7, ?7)
             ON CONFLICT (mailbox, key) DO NOTHING",
            params![f.mailbox, f.key, f.message_id, f.sha256, f.sender, f.subject, stamp],
        )?;
        tx.execute(
            "UPDATE mails SET attempts = attempts + 1, updated_at = ?3
             WHERE mailbox = ?1 AND key = ?2 AND state = 'processing'",
            params![f.mailbox, f.key, stamp],
        )?;
        let entry = tx.query_row(
            "SELECT id, state, attempts, moved FROM mails WHERE mailbox = ?1 AND key = ?2",
            params![f.mailbox, f.key],
            |r| {
                Ok(MailEntry {
                    id: r.get(0)?,
                    state: state(&r.get::<_, String>(1)?),
                    attempts: r.get(2)?,
                    moved: r.get::<_, i64>(3)? != 0,
                })
            },
        )?;
        tx.commit()?;
        Ok(entry)
    }

    /// The same mail (by Message-ID, else by its bytes) finished under another key.
    pub fn earlier_mail(
        &self,
        id: i64,
        message_id: Option<&str>,
        sha256: &str,
    ) -> Result<Option<EarlierMail>> {
        Ok(self
            .conn
            .query_row(
                "SELECT first_seen, state FROM mails
                 WHERE id <> ?1 AND state <> 'processing'
                   AND ((?2 IS NOT NULL AND message_id = ?2) OR sha256 = ?3)
                 ORDER BY id LIMIT 1",
                params![id, message_id, sha256],
                |r| {
                    Ok(EarlierMail {
                        first_seen: r.get(0)?,
                        state: state(&r.get::<_, String>(1)?),
                    })
                },
            )
            .optional()?)
    }

    /// Records a mail's result and queues its report, in one transaction.
    pub fn mail_finish(
        &mut self,
        mail_id: i64,
        failed: bool,
        summary: &str,
        error: Option<&str>,
        report: Option<(&str, &[String], &[u8])>,
    ) -> Result<()> {
        let tx = self.conn.savepoint()?;
        let stamp = now();
        tx.execute(
            "UPDATE mails SET state = ?2, summary = ?3, error = ?4, updated_at = ?5 WHERE id = ?1",
            params![
                mail_id,
                if failed { "failed" } else { "done" },
                summary,
                error,
                stamp
            ],
        )?;
        if let Some((sender, recipients, message)) = report {
            tx.execute(
                "INSERT INTO reports (mail_id, sender, recipients, message, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5)",
                params![mail_id, sender, recipients.join("\n"), message, stamp],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records that the mail left the inbox.
    pub fn mail_moved(&self, mail_id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE mails SET moved = 1, updated_at = ?2 WHERE id = ?1",
            params![mail_id, now()],
        )?;
        Ok(())
    }

    /// Queues a report that belongs to no mail (a notice to `report.to`, a job summary).
    pub fn queue_report(&self, sender: &str, recipients: &[String], message: &[u8]) -> Result<()> {
        self.conn.execute(
            "INSERT INTO reports (mail_id, sender, recipients, message, state, created_at)
             VALUES (NULL, ?1, ?2, ?3, 'queued', ?4)",
            params![sender, recipients.join("\n"), message, now()],
        )?;
        Ok(())
    }

    pub fn queued_reports(&self) -> Result<Vec<QueuedReport>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, sender, recipients, message, attempts FROM reports WHERE state = 'queued' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(QueuedReport {
                id: r.get(0)?,
                sender: r.get(1)?,
                recipients: r.get::<_, String>(2)?.lines().map(str::to_string).collect(),
                message: r.get(3)?,
                attempts: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn report_sent(&self, id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE reports SET state = 'sent', sent_at = ?2, error = NULL WHERE id = ?1",
            params![id, now()],
        )?;
        Ok(())
    }

    pub fn report_failed(&self, id: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE reports SET attempts = attempts + 1, error = ?2 WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    pub fn cycle_begin(&self) -> Result<i64> {
        self.conn
            .execute("INSERT INTO cycles (started_at) VALUES (?1)", [now()])?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn cycle_end(&self, id: i64, c: &Cycle) -> Result<()> {
        self.conn.execute(
            "UPDATE cycles SET finished_at = ?2, mails = ?3, imported = ?4, rejected = ?5, duplicates = ?6,
                              conflicts = ?7, failed = ?8, error = ?9 WHERE id = ?1",
            params![id, now(), c.mails, c.imported, c.rejected, c.duplicates, c.conflicts, c.failed, c.error],
        )?;
        Ok(())
    }

    /// The last finished cycle.
    pub fn last_cycle(&self) -> Result<Option<Cycle>> {
        Ok(self
            .conn
            .query_row(
                "SELECT started_at, finished_at, mails, imported, rejected, duplicates, conflicts, failed, error
                 FROM cycles WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(Cycle {
                        started_at: r.get(0)?,
                        finished_at: r.get(1)?,
                        mails: r.get(2)?,
                        imported: r.get(3)?,
                        rejected: r.get(4)?,
                        duplicates: r.get(5)?,
                        conflicts: r.get(6)?,
                        failed: r.get(7)?,
                        error: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(key: &'a str, sha: &'a str) -> MailFacts<'a> {
        MailFacts {
            mailbox: "INBOX",
            key,
            message_id: Some("m1@example.com"),
            sha256: sha,
            sender: Some("terminal@example.com"),
            subject: Some("Export"),
        }
    }

    #[test]
    fn attempts_count_until_the_mail_is_finished() {
        let mut l = Ledger::open_in_memory().unwrap();
        let first = l.mail_begin(&facts("7:1", "aa")).unwrap();
        assert_eq!((first.state, first.attempts), (MailState::Processing, 1));
        let second = l.mail_begin(&facts("7:1", "aa")).unwrap();
        assert_eq!(second.attempts, 2);
        l.mail_finish(
            first.id,
            false,
            "3 imported",
            None,
            Some((
                "zeiten@example.com",
                &["hr@example.com".to_string()],
                b"report",
            )),
        )
        .unwrap();
        let after = l.mail_begin(&facts("7:1", "aa")).unwrap();
        assert_eq!(
            (after.state, after.attempts, after.moved),
            (MailState::Done, 2, false)
        );
        l.mail_moved(first.id).unwrap();
        assert!(l.mail_begin(&facts("7:1", "aa")).unwrap().moved);
        let queued = l.queued_reports().unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].recipients, ["hr@example.com"]);
        l.report_failed(queued[0].id, "connection refused").unwrap();
        assert_eq!(l.queued_reports().unwrap()[0].attempts, 1);
        l.report_sent(queued[0].id).unwrap();
        assert!(l.queued_reports().unwrap().is_empty());
    }

    #[test]
    fn the_same_mail_under_another_key_is_recognised() {
        let mut l = Ledger::open_in_memory().unwrap();
        let a = l.mail_begin(&facts("7:1", "aa")).unwrap();
        assert_eq!(
            l.earlier_mail(a.id, Some("m1@example.com"), "aa").unwrap(),
            None
        );
        l.mail_finish(a.id, false, "", None, None).unwrap();
        let b = l.mail_begin(&facts("7:2", "bb")).unwrap();
        assert!(
            l.earlier_mail(b.id, Some("m1@example.com"), "bb")
                .unwrap()
                .is_some()
        );
        let c = l
            .mail_begin(&MailFacts {
                message_id: None,
                ..facts("7:3", "aa")
            })
            .unwrap();
        assert!(l.earlier_mail(c.id, None, "aa").unwrap().is_some());
        let d = l
            .mail_begin(&MailFacts {
                message_id: None,
                ..facts("7:4", "cc")
            })
            .unwrap();
        assert_eq!(l.earlier_mail(d.id, None, "cc").unwrap(), None);
    }

    #[test]
    fn cycles_are_kept_for_status() {
        let l = Ledger::open_in_memory().unwrap();
        assert_eq!(l.last_cycle().unwrap(), None);
        let id = l.cycle_begin().unwrap();
        l.cycle_end(
            id,
            &Cycle {
                mails: 2,
                imported: 10,
                ..Cycle::default()
            },
        )
        .unwrap();
        let c = l.last_cycle().unwrap().unwrap();
        assert_eq!((c.mails, c.imported), (2, 10));
    }
}
