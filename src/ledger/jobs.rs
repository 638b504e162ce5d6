//! What the sync jobs remember between runs: watermarks, and which timr entry became
//! which record (so a change or deletion in timr reaches exactly the periods it made).

use rusqlite::{OptionalExtension, params};

use super::{Ledger, Result};

impl Ledger {
    pub fn get_value(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM kv WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_value(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The record a timr entry became, and whether the entry was locked in timr.
    pub fn timr_entry(&self, timr_id: &str) -> Result<Option<(i64, bool)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT record_id, locked FROM timr_entries WHERE timr_id = ?1",
                [timr_id],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)),
            )
            .optional()?)
    }

    pub fn set_timr_entry(&self, timr_id: &str, record_id: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO timr_entries (timr_id, record_id) VALUES (?1, ?2)
             ON CONFLICT (timr_id) DO UPDATE SET record_id = excluded.record_id",
            params![timr_id, record_id],
        )?;
        Ok(())
    }

    pub fn timr_entry_locked(&self, timr_id: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE timr_entries SET locked = 1 WHERE timr_id = ?1",
            [timr_id],
        )?;
        Ok(())
    }

    pub fn forget_timr_entry(&self, timr_id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM timr_entries WHERE timr_id = ?1", [timr_id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_entries_are_kept() {
        let l = Ledger::open_in_memory().unwrap();
        assert_eq!(l.get_value("timr.watermark").unwrap(), None);
        l.set_value("timr.watermark", "a").unwrap();
        l.set_value("timr.watermark", "b").unwrap();
        assert_eq!(l.get_value("timr.watermark").unwrap().as_deref(), Some("b"));
        l.set_timr_entry("w1", 7).unwrap();
        assert_eq!(l.timr_entry("w1").unwrap(), Some((7, false)));
        l.timr_entry_locked("w1").unwrap();
        assert_eq!(l.timr_entry("w1").unwrap(), Some((7, true)));
        l.forget_timr_entry("w1").unwrap();
        assert_eq!(l.timr_entry("w1").unwrap(), None);
    }
}
