//! What the two-way sync remembers: pairs of items (one in Personio, one in TimeTrack) with
//! the content each side showed when last seen, the TimeTrack username of each address, and
//! a row per job run for `status`.
//!
//! A pair is written before the write it plans is sent (`pending`), so a run that dies in
//! between finds the pair on restart and looks for the item by its natural key before
//! writing again.

use chrono::{NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Ledger, Result};

/// One of the two systems a sync job joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Personio,
    Timetrack,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Personio => "personio",
            Side::Timetrack => "timetrack",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Personio => Side::Timetrack,
            Side::Timetrack => Side::Personio,
        }
    }

    /// The system's name as HR knows it.
    pub fn name(self) -> &'static str {
        match self {
            Side::Personio => "Personio",
            Side::Timetrack => "TimeTrack",
        }
    }

    fn parse(s: &str) -> Option<Side> {
        match s {
            "personio" => Some(Side::Personio),
            "timetrack" => Some(Side::Timetrack),
            _ => None,
        }
    }
}

/// What a pair knows about one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// Not written there yet (a create is due or under way).
    Absent,
    /// Deliberately not there: deleted and not mirrored, or refused; written again only
    /// when the other side changes.
    Gone,
    /// The item's id there and the fingerprint of its content when last seen.
    Live { id: String, hash: String },
}

impl Known {
    pub fn id(&self) -> Option<&str> {
        match self {
            Known::Live { id, .. } => Some(id),
            _ => None,
        }
    }

    fn columns(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Known::Absent => (None, None),
            Known::Gone => (None, Some("gone")),
            Known::Live { id, hash } => (Some(id), Some(hash)),
        }
    }

    fn from_columns(id: Option<String>, hash: Option<String>) -> Known {
        match (id, hash) {
            (Some(id), hash) => Known::Live {
                id,
                hash: hash.unwrap_or_default(),
            },
            (None, Some(_)) => Known::Gone,
            (None, None) => Known::Absent,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub id: i64,
    /// The natural key when the pair was made (address, day, start, ...).
    pub key: String,
    pub day: Option<NaiveDate>,
    pub origin: Side,
    pub personio: Known,
    pub timetrack: Known,
    /// A write to this side was planned and not confirmed.
    pub pending: Option<Side>,
}

impl Pair {
    pub fn side(&self, side: Side) -> &Known {
        match side {
            Side::Personio => &self.personio,
            Side::Timetrack => &self.timetrack,
        }
    }

    pub fn side_mut(&mut self, side: Side) -> &mut Known {
        match side {
            Side::Personio => &mut self.personio,
            Side::Timetrack => &mut self.timetrack,
        }
    }
}

const PAIR_COLUMNS: &str =
    "id, key, day, origin, personio_id, personio_hash, timetrack_id, timetrack_hash, pending";

/// A row of [`PAIR_COLUMNS`].
fn pair_row(r: &rusqlite::Row) -> rusqlite::Result<Pair> {
    let day: Option<String> = r.get(2)?;
    let origin: String = r.get(3)?;
    let pending: Option<String> = r.get(8)?;
    Ok(Pair {
        id: r.get(0)?,
        key: r.get(1)?,
        day: day.and_then(|d| d.parse().ok()),
        origin: Side::parse(&origin).unwrap_or(Side::Personio),
        personio: Known::from_columns(r.get(4)?, r.get(5)?),
        timetrack: Known::from_columns(r.get(6)?, r.get(7)?),
        pending: pending.as_deref().and_then(Side::parse),
    })
}

fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Ledger {
    /// The pairs of a job; with a window, only those whose day lies in it (and those with
    /// no day).
    pub fn sync_pairs(
        &self,
        job: &str,
        window: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<Pair>> {
        let (from, to) = window
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .unwrap_or_else(|| ("0000-01-01".into(), "9999-12-31".into()));
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PAIR_COLUMNS} FROM sync_pairs
             WHERE job = ?1 AND (day IS NULL OR (day >= ?2 AND day <= ?3)) ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![job, from, to], pair_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Inserts a pair (`id` 0) or updates it; returns its id. Committed at once: the
    /// pair must be durable before the write it plans is sent.
    pub fn save_pair(&self, job: &str, pair: &Pair) -> Result<i64> {
        let (pid, phash) = pair.personio.columns();
        let (tid, thash) = pair.timetrack.columns();
        let day = pair.day.map(|d| d.to_string());
        let pending = pair.pending.map(Side::as_str);
        if pair.id == 0 {
            self.conn.execute(
                "INSERT INTO sync_pairs (job, key, day, origin, personio_id, personio_hash, timetrack_id, timetrack_hash, pending, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![job, pair.key, day, pair.origin.as_str(), pid, phash, tid, thash, pending, now()],
            )?;
            return Ok(self.conn.last_insert_rowid());
        }
        self.conn.execute(
            "UPDATE sync_pairs SET key = ?2, day = ?3, personio_id = ?4, personio_hash = ?5,
             timetrack_id = ?6, timetrack_hash = ?7, pending = ?8, updated_at = ?9 WHERE id = ?1",
            params![
                pair.id,
                pair.key,
                day,
                pid,
                phash,
                tid,
                thash,
                pending,
                now()
            ],
        )?;
        Ok(pair.id)
    }

    pub fn forget_pair(&self, id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM sync_pairs WHERE id = ?1", [id])?;
        Ok(())
    }

    /// The pair holding this id on one side, in any window.
    pub fn pair_holding(&self, job: &str, side: Side, id: &str) -> Result<Option<Pair>> {
        let column = match side {
            Side::Personio => "personio_id",
            Side::Timetrack => "timetrack_id",
        };
        let sql = format!("SELECT {PAIR_COLUMNS} FROM sync_pairs WHERE job = ?1 AND {column} = ?2");
        Ok(self
            .conn
            .query_row(&sql, params![job, id], pair_row)
            .optional()?)
    }

    /// Keeps the TimeTrack username (and user id) of an address.
    pub fn set_timetrack_user(
        &self,
        email: &str,
        username: &str,
        user_id: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO timetrack_users (email, username, user_id) VALUES (?1, ?2, ?3)
             ON CONFLICT (email) DO UPDATE SET username = excluded.username,
             user_id = COALESCE(excluded.user_id, timetrack_users.user_id)",
            params![email.to_lowercase(), username, user_id],
        )?;
        Ok(())
    }

    /// Every known address → TimeTrack username.
    pub fn timetrack_users(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT email, username FROM timetrack_users ORDER BY email")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every Personio period id any zeitpost write created and did not delete: such
    /// periods are never read back as new.
    pub fn written_remote_ids(&self, target: &str) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT w.remote_id FROM writes w JOIN records r ON r.id = w.record_id
             WHERE r.target = ?1 AND w.op = 'create' AND w.remote_id IS NOT NULL",
        )?;
        let rows = stmt.query_map([target], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn sync_run_begin(&self, job: &str) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO sync_runs (job, started_at) VALUES (?1, ?2)",
            params![job, now()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn sync_run_end(
        &self,
        id: i64,
        summary: &str,
        problems: usize,
        error: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_runs SET finished_at = ?2, summary = ?3, problems = ?4, error = ?5 WHERE id = ?1",
            params![id, now(), summary, problems as i64, error],
        )?;
        Ok(())
    }

    /// The last finished run of each job: (job, finished at, summary, problems, error).
    pub fn last_sync_runs(&self) -> Result<Vec<SyncRun>> {
        let mut stmt = self.conn.prepare(
            "SELECT job, finished_at, COALESCE(summary, ''), problems, error FROM sync_runs
             WHERE id IN (SELECT MAX(id) FROM sync_runs WHERE finished_at IS NOT NULL GROUP BY job)
             ORDER BY job",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SyncRun {
                job: r.get(0)?,
                finished_at: r.get(1)?,
                summary: r.get(2)?,
                problems: r.get(3)?,
                error: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A finished sync run, for `status` and metrics.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncRun {
    pub job: String,
    pub finished_at: String,
    pub summary: String,
    pub problems: i64,
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> Pair {
        Pair {
            id: 0,
            key: "anna@example.com|2026-03-02T08:00".into(),
            day: NaiveDate::from_ymd_opt(2026, 3, 2),
            origin: Side::Timetrack,
            personio: Known::Absent,
            timetrack: Known::Live {
                id: "17".into(),
                hash: "h1".into(),
            },
            pending: Some(Side::Personio),
        }
    }

    #[test]
    fn pairs_round_trip_and_are_windowed() {
        let l = Ledger::open_in_memory().unwrap();
        let mut p = pair();
        p.id = l.save_pair("timetrack.time_entries", &p).unwrap();
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        assert_eq!(
            l.sync_pairs("timetrack.time_entries", Some((d(1), d(2))))
                .unwrap(),
            vec![p.clone()]
        );
        assert!(
            l.sync_pairs("timetrack.time_entries", Some((d(3), d(9))))
                .unwrap()
                .is_empty()
        );
        assert!(l.sync_pairs("timetrack.absences", None).unwrap().is_empty());
        p.personio = Known::Gone;
        p.pending = None;
        l.save_pair("timetrack.time_entries", &p).unwrap();
        assert_eq!(
            l.sync_pairs("timetrack.time_entries", None).unwrap(),
            vec![p.clone()]
        );
        assert_eq!(
            l.pair_holding("timetrack.time_entries", Side::Timetrack, "17")
                .unwrap(),
            Some(p.clone())
        );
        assert_eq!(
            l.pair_holding("timetrack.time_entries", Side::Personio, "17")
                .unwrap(),
            None
        );
        l.forget_pair(p.id).unwrap();
        assert!(
            l.sync_pairs("timetrack.time_entries", None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_pair_outside_the_window_is_found_by_its_ids() {
        let l = Ledger::open_in_memory().unwrap();
        let p = pair();
        let id = l.save_pair("j", &p).unwrap();
        let d = |day| NaiveDate::from_ymd_opt(2026, 4, day).unwrap();
        assert!(l.sync_pairs("j", Some((d(1), d(30)))).unwrap().is_empty());
        assert_eq!(l.pair_holding("j", Side::Timetrack, "99").unwrap(), None);
        let found = l.pair_holding("j", Side::Timetrack, "17").unwrap();
        assert_eq!(found.map(|p| p.id), Some(id));
    }

    #[test]
    fn one_id_belongs_to_one_pair() {
        let l = Ledger::open_in_memory().unwrap();
        l.save_pair("j", &pair()).unwrap();
        assert!(l.save_pair("j", &pair()).is_err());
        assert!(l.save_pair("other", &pair()).is_ok());
    }

    #[test]
    fn usernames_and_runs_are_kept() {
        let l = Ledger::open_in_memory().unwrap();
        l.set_timetrack_user("Anna@Example.com", "annam", Some("4"))
            .unwrap();
        l.set_timetrack_user("anna@example.com", "anna.m", None)
            .unwrap();
        assert_eq!(
            l.timetrack_users().unwrap(),
            vec![("anna@example.com".into(), "anna.m".into())]
        );
        let run = l.sync_run_begin("timetrack.absences").unwrap();
        assert!(l.last_sync_runs().unwrap().is_empty());
        l.sync_run_end(run, "2 written", 1, None).unwrap();
        let runs = l.last_sync_runs().unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(
            (runs[0].summary.as_str(), runs[0].problems),
            ("2 written", 1)
        );
    }
}
