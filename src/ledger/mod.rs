//! The ledger: what zeitpost has seen and done, in SQLite.
//!
//! It knows every file (by SHA-256), every record written (by its natural key: target,
//! employee, date, start, and a hash of the rest), and every remote write, planned before
//! it is sent and confirmed with the remote id after. A record is `pending` from the moment
//! its writes are planned until all of them are confirmed; a pending record found at start-up
//! is reconciled against the remote before anything is sent again.
//!
//! The database runs in WAL mode with `synchronous = FULL`: a write confirmed here survives
//! a crash or power loss, which is what lets the importer trust it.

mod jobs;
mod mails;
mod schema;
mod status;
mod sync;

pub use sync::{Known, Pair, Side, SyncRun};

pub use mails::{Cycle, EarlierMail, MailEntry, MailFacts, MailState, QueuedReport};
pub use status::Status;

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::records::Record;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("state database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "state database {path} was written by a newer zeitpost (schema {found}, this one knows {known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("state database: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, LedgerError>;

/// A record as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub content_hash: String,
    pub pending: bool,
    pub file_sha256: Option<String>,
    pub row: Option<String>,
    pub created_at: String,
}

/// One remote write the ledger knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub id: i64,
    pub record_id: i64,
    pub seq: i64,
    pub delete: bool,
    pub kind: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub comment: Option<String>,
    pub remote_id: Option<String>,
    pub state: WriteState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteState {
    Planned,
    Done,
    Failed,
}

/// A period about to be written, as planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedWrite {
    pub kind: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub comment: Option<String>,
}

/// A record whose writes were planned but not all confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub record_id: i64,
    pub employee: String,
    pub date: NaiveDate,
    pub writes: Vec<Write>,
}

pub struct Ledger {
    conn: Connection,
}

fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

const DT: &str = "%Y-%m-%dT%H:%M:%S";

/// The day of a ledger time stamp as HR writes it (`02.11.2026`).
pub fn day_of(stamp: &str) -> String {
    stamp
        .get(..10)
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|| stamp.to_string())
}

/// The hash of what a record says beyond its natural key.
pub fn content_hash(r: &Record) -> String {
    use sha2::{Digest, Sha256};
    let text = format!(
        "{}|{}|{}|{}",
        r.end,
        r.end_date.map(|d| d.to_string()).unwrap_or_default(),
        r.break_minutes,
        r.comment.as_deref().unwrap_or("")
    );
    hex(&Sha256::digest(text.as_bytes()))[..16].to_string()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Ledger {
    /// Opens (creating if needed) and migrates the state database.
    pub fn open(path: &Path) -> Result<Ledger> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path).map_err(|source| LedgerError::Open {
            path: shown.clone(),
            source,
        })?;
        Ledger::setup(conn, &shown)
    }

    /// Opens the state database without changing it, for dry runs: read-only when it
    /// exists, an empty in-memory one when it does not.
    pub fn open_read_only(path: &Path) -> Result<Ledger> {
        if !path.exists() {
            return Ledger::open_in_memory();
        }
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|source| LedgerError::Open {
                path: path.display().to_string(),
                source,
            })?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Ledger { conn })
    }

    pub fn open_in_memory() -> Result<Ledger> {
        Ledger::setup(Connection::open_in_memory()?, ":memory:")
    }

    fn setup(conn: Connection, path: &str) -> Result<Ledger> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut ledger = Ledger { conn };
        ledger.migrate(path)?;
        Ok(ledger)
    }

    fn migrate(&mut self, path: &str) -> Result<()> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = schema::MIGRATIONS.len() as i64;
        if version > known {
            return Err(LedgerError::TooNew {
                path: path.to_string(),
                found: version,
                known,
            });
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Opens a batch: everything until [`Ledger::commit_batch`] becomes durable together,
    /// with one sync instead of one per change. Changes made inside keep their own
    /// atomicity (they use savepoints).
    pub fn begin_batch(&self) -> Result<()> {
        if self.conn.is_autocommit() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        Ok(())
    }

    /// Makes the open batch durable (a no-op without one).
    pub fn commit_batch(&self) -> Result<()> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("COMMIT")?;
        }
        Ok(())
    }

    /// When and under which name a file was first seen.
    pub fn file_seen(&self, sha256: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, first_seen FROM files WHERE sha256 = ?1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn note_file(&self, sha256: &str, name: &str, source: &str) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO files (sha256, name, source, first_seen) VALUES (?1, ?2, ?3, ?4)",
            params![sha256, name, source, now()],
        )?;
        Ok(())
    }

    /// The record with this natural key, if any.
    pub fn entry(&self, target: &str, r: &Record) -> Result<Option<Entry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, content_hash, state, file_sha256, row, created_at FROM records
                 WHERE target = ?1 AND employee = ?2 AND date = ?3 AND start = ?4",
                params![target, r.employee, r.date.to_string(), r.start],
                |row| {
                    Ok(Entry {
                        id: row.get(0)?,
                        content_hash: row.get(1)?,
                        pending: row.get::<_, String>(2)? == "pending",
                        file_sha256: row.get(3)?,
                        row: row.get(4)?,
                        created_at: row.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records a record and the writes planned for it, in one transaction, before anything
    /// is sent. A record already known under the key (a correction) is replaced.
    pub fn plan(
        &mut self,
        target: &str,
        r: &Record,
        origin: (Option<&str>, Option<&str>),
        writes: &[PlannedWrite],
        deletes: &[(String, Write)],
    ) -> Result<i64> {
        let tx = self.conn.savepoint()?;
        let stamp = now();
        tx.execute(
            "INSERT INTO records (target, employee, date, start, end_minutes, end_date, break_minutes,
                                  comment, content_hash, state, file_sha256, row, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11, ?12, ?12)
             ON CONFLICT (target, employee, date, start) DO UPDATE SET
                end_minutes = excluded.end_minutes, end_date = excluded.end_date,
                break_minutes = excluded.break_minutes, comment = excluded.comment,
                content_hash = excluded.content_hash, state = 'pending',
                file_sha256 = excluded.file_sha256, row = excluded.row, updated_at = excluded.updated_at",
            params![
                target,
                r.employee,
                r.date.to_string(),
                r.start,
                r.end,
                r.end_date.map(|d| d.to_string()),
                r.break_minutes,
                r.comment,
                content_hash(r),
                origin.0,
                origin.1,
                stamp
            ],
        )?;
        let id: i64 = tx.query_row(
            "SELECT id FROM records WHERE target = ?1 AND employee = ?2 AND date = ?3 AND start = ?4",
            params![target, r.employee, r.date.to_string(), r.start],
            |row| row.get(0),
        )?;
        // Earlier creates of a corrected record stay as history; new ones follow them.
        let base: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), -1) + 1 FROM writes WHERE record_id = ?1",
            [id],
            |row| row.get(0),
        )?;
        let mut seq = base;
        for (remote_id, old) in deletes {
            tx.execute(
                "INSERT INTO writes (record_id, seq, op, kind, start, end, comment, remote_id, state, updated_at)
                 VALUES (?1, ?2, 'delete', ?3, ?4, ?5, NULL, ?6, 'planned', ?7)",
                params![id, seq, old.kind, old.start.format(DT).to_string(), old.end.format(DT).to_string(), remote_id, stamp],
            )?;
            seq += 1;
        }
        for w in writes {
            tx.execute(
                "INSERT INTO writes (record_id, seq, op, kind, start, end, comment, state, updated_at)
                 VALUES (?1, ?2, 'create', ?3, ?4, ?5, ?6, 'planned', ?7)",
                params![id, seq, w.kind, w.start.format(DT).to_string(), w.end.format(DT).to_string(), w.comment, stamp],
            )?;
            seq += 1;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Records that a write was applied remotely.
    pub fn write_done(&self, write_id: i64, remote_id: Option<&str>) -> Result<()> {
        self.conn.execute(
            "UPDATE writes SET state = 'done', remote_id = COALESCE(?2, remote_id), error = NULL, updated_at = ?3 WHERE id = ?1",
            params![write_id, remote_id, now()],
        )?;
        Ok(())
    }

    /// Records that a write will not be applied; `error` says why.
    pub fn write_failed(&self, write_id: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE writes SET state = 'failed', error = ?2, updated_at = ?3 WHERE id = ?1",
            params![write_id, error, now()],
        )?;
        Ok(())
    }

    /// Marks a record fully written.
    pub fn record_done(&self, record_id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE records SET state = 'done', updated_at = ?2 WHERE id = ?1",
            params![record_id, now()],
        )?;
        Ok(())
    }

    /// Forgets a record none of whose writes remain (rolled back after a permanent error),
    /// so a corrected file can bring it again.
    pub fn forget_record(&self, record_id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM records WHERE id = ?1", [record_id])?;
        Ok(())
    }

    /// Records a record found already written remotely (by an earlier run whose state was
    /// lost, or by hand with exactly these times), with the remote ids.
    pub fn adopt(
        &mut self,
        target: &str,
        r: &Record,
        origin: (Option<&str>, Option<&str>),
        found: &[(PlannedWrite, String)],
    ) -> Result<i64> {
        let writes: Vec<PlannedWrite> = found.iter().map(|(w, _)| w.clone()).collect();
        let id = self.plan(target, r, origin, &writes, &[])?;
        let planned = self
            .writes(id)?
            .into_iter()
            .filter(|w| w.state == WriteState::Planned);
        for (w, (_, remote)) in planned.zip(found) {
            self.write_done(w.id, Some(remote))?;
        }
        self.record_done(id)?;
        Ok(id)
    }

    pub fn writes(&self, record_id: i64) -> Result<Vec<Write>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, record_id, seq, op, kind, start, end, comment, remote_id, state FROM writes
             WHERE record_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([record_id], |r| {
            let parse = |s: String| NaiveDateTime::parse_from_str(&s, DT).unwrap_or_default();
            Ok(Write {
                id: r.get(0)?,
                record_id: r.get(1)?,
                seq: r.get(2)?,
                delete: r.get::<_, String>(3)? == "delete",
                kind: r.get(4)?,
                start: parse(r.get(5)?),
                end: parse(r.get(6)?),
                comment: r.get(7)?,
                remote_id: r.get(8)?,
                state: match r.get::<_, String>(9)?.as_str() {
                    "done" => WriteState::Done,
                    "failed" => WriteState::Failed,
                    _ => WriteState::Planned,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The remote ids of the periods a done record consists of now.
    pub fn live_remote_ids(&self, record_id: i64) -> Result<Vec<(String, Write)>> {
        let writes = self.writes(record_id)?;
        let deleted: std::collections::HashSet<String> = writes
            .iter()
            .filter(|w| w.delete && w.state == WriteState::Done)
            .filter_map(|w| w.remote_id.clone())
            .collect();
        Ok(writes
            .into_iter()
            .filter(|w| !w.delete && w.state == WriteState::Done)
            .filter_map(|w| w.remote_id.clone().map(|id| (id, w)))
            .filter(|(id, _)| !deleted.contains(id))
            .collect())
    }

    /// Every record of `target` whose writes are not all confirmed.
    pub fn pending(&self, target: &str) -> Result<Vec<Pending>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, employee, date FROM records WHERE target = ?1 AND state = 'pending' ORDER BY id",
        )?;
        let heads: Vec<(i64, String, String)> = stmt
            .query_map([target], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        heads
            .into_iter()
            .map(|(id, employee, date)| {
                Ok(Pending {
                    record_id: id,
                    employee,
                    date: date.parse().unwrap_or_default(),
                    writes: self.writes(id)?,
                })
            })
            .collect()
    }

    /// The record stored under this id.
    pub fn record_by_id(&self, id: i64) -> Result<Option<Record>> {
        Ok(self
            .conn
            .query_row(
                "SELECT employee, date, start, end_minutes, end_date, break_minutes, comment FROM records WHERE id = ?1",
                [id],
                |r| {
                    let date: String = r.get(1)?;
                    let end_date: Option<String> = r.get(4)?;
                    Ok(Record {
                        employee: r.get(0)?,
                        date: date.parse().unwrap_or_default(),
                        start: r.get(2)?,
                        end: r.get(3)?,
                        end_date: end_date.and_then(|d| d.parse().ok()),
                        break_minutes: r.get(5)?,
                        comment: r.get(6)?,
                    })
                },
            )
            .optional()?)
    }

    /// How many records of `target` are written; for status and tests.
    pub fn count_done(&self, target: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM records WHERE target = ?1 AND state = 'done'",
            [target],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests;
