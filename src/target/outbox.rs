//! The outbox target: Personio attendance-import files in a directory, for companies
//! without API access (or before it is set up). HR uploads them under Importe →
//! Anwesenheit.
//!
//! One file per batch, columns `E-Mail;Datum;Startzeit;Endzeit;Pause;Kommentar`, dates
//! `dd.mm.yyyy`, times as text `hh:mm`, breaks in minutes, UTF-8 with BOM so Excel shows the
//! umlauts. Records go through the same ledger as API writes, so a record is in at most one
//! file. A night shift is split at midnight into two rows (the first ending `24:00`), its
//! break on the first part when it fits there. Cells that a spreadsheet would take for a
//! formula get a leading `'`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::{Conflict, Item, Outcome, Policy};
use crate::ledger::{self, Ledger, PlannedWrite};
use crate::parse::value::format_minutes;
use crate::records::Record;

pub const TARGET: &str = "outbox";

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Ledger(#[from] ledger::LedgerError),
}

pub struct Outbox {
    dir: PathBuf,
}

/// Makes a cell safe to open in a spreadsheet: text that starts like a formula gets a `'`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn quote(cell: &str) -> String {
    let cell = neutralise(cell);
    if cell.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// The import rows for one record (two for a night shift).
pub fn rows(r: &Record) -> Vec<String> {
    let line = |date: chrono::NaiveDate, start: &str, end: &str, brk: u32, comment: &str| {
        [
            quote(&r.employee),
            date.format("%d.%m.%Y").to_string(),
            start.to_string(),
            end.to_string(),
            brk.to_string(),
            quote(comment),
        ]
        .join(";")
    };
    let comment = r.comment.as_deref().unwrap_or("");
    match r.end_date {
        Some(next) if r.end > 0 => {
            let before = 1440 - u32::from(r.start);
            let (b1, b2) = if r.break_minutes < before {
                (r.break_minutes, 0)
            } else {
                (0, r.break_minutes)
            };
            vec![
                line(r.date, &format_minutes(r.start), "24:00", b1, comment),
                line(next, "00:00", &format_minutes(r.end), b2, comment),
            ]
        }
        Some(_) => vec![line(
            r.date,
            &format_minutes(r.start),
            "24:00",
            r.break_minutes,
            comment,
        )],
        None => vec![line(
            r.date,
            &format_minutes(r.start),
            &format_minutes(r.end),
            r.break_minutes,
            comment,
        )],
    }
}

const HEADER: &str = "E-Mail;Datum;Startzeit;Endzeit;Pause;Kommentar";

impl Outbox {
    pub fn new(dir: &Path) -> Outbox {
        Outbox {
            dir: dir.to_path_buf(),
        }
    }

    fn io(&self, source: std::io::Error) -> OutboxError {
        OutboxError::Io {
            path: self.dir.display().to_string(),
            source,
        }
    }

    /// Writes the batch's new records into one import file.
    pub fn import(
        &self,
        ledger: &mut Ledger,
        items: &[Item],
        policy: Policy,
    ) -> Result<Vec<Outcome>, OutboxError> {
        self.recover(ledger)?;
        let mut outcomes = Vec::with_capacity(items.len());
        let mut new = Vec::new();
        for (i, item) in items.iter().enumerate() {
            outcomes.push(match ledger.entry(TARGET, &item.record)? {
                Some(e) if e.content_hash == ledger::content_hash(&item.record) => {
                    Outcome::AlreadyImported {
                        on: e.created_at.get(..10).unwrap_or("").to_string(),
                    }
                }
                // An import file can only add: a correction would double the day.
                Some(e) => Outcome::Conflict(Conflict::Changed {
                    imported_on: e.created_at.get(..10).unwrap_or("").to_string(),
                }),
                None => {
                    new.push(i);
                    Outcome::WouldWrite {
                        periods: rows(&item.record).len(),
                        update: false,
                    }
                }
            });
        }
        if policy.dry_run || new.is_empty() {
            return Ok(outcomes);
        }
        let name = format!(
            "personio-import-{}.csv",
            Utc::now().format("%Y%m%d-%H%M%S%.3f")
        );
        let mut ids = Vec::with_capacity(new.len());
        for &i in &new {
            let r = &items[i].record;
            // An outbox write is a row in a file; its comment names the file, so a run that
            // stopped before confirming can look there (see `recover`).
            let write = PlannedWrite {
                kind: "ROW".into(),
                start: r.date.and_hms_opt(0, 0, 0).expect("midnight"),
                end: r.date.and_hms_opt(0, 0, 0).expect("midnight"),
                comment: Some(name.clone()),
            };
            ids.push(ledger.plan(
                TARGET,
                r,
                (Some(&items[i].file_sha256), Some(&items[i].row)),
                &[write],
                &[],
            )?);
        }
        let lines: Vec<String> = new.iter().flat_map(|&i| rows(&items[i].record)).collect();
        self.write_file(&name, &lines)?;
        for (&i, id) in new.iter().zip(ids) {
            self.confirm(ledger, id, &name)?;
            outcomes[i] = Outcome::Written {
                periods: rows(&items[i].record).len(),
                changed_others: vec![],
            };
        }
        Ok(outcomes)
    }

    fn confirm(&self, ledger: &mut Ledger, record_id: i64, file: &str) -> Result<(), OutboxError> {
        for w in ledger.writes(record_id)? {
            ledger.write_done(w.id, Some(file))?;
        }
        ledger.record_done(record_id)?;
        Ok(())
    }

    /// Settles records planned into a file by a run that stopped: if the file holds their
    /// rows, they are done; otherwise they go into a new file.
    fn recover(&self, ledger: &mut Ledger) -> Result<(), OutboxError> {
        for p in ledger.pending(TARGET)? {
            let file = p
                .writes
                .iter()
                .find_map(|w| w.comment.clone())
                .unwrap_or_default();
            let record = ledger.record_by_id(p.record_id)?;
            let Some(record) = record else { continue };
            let wanted = rows(&record);
            let text = std::fs::read_to_string(self.dir.join(&file)).unwrap_or_default();
            if wanted.iter().all(|row| text.lines().any(|l| l == row)) {
                self.confirm(ledger, p.record_id, &file)?;
            } else {
                let name = format!(
                    "personio-import-{}-nachgeholt-{}.csv",
                    Utc::now().format("%Y%m%d-%H%M%S%.3f"),
                    p.record_id
                );
                self.write_file(&name, &wanted)?;
                self.confirm(ledger, p.record_id, &name)?;
            }
        }
        Ok(())
    }

    /// Writes a file atomically: a temporary file, synced, renamed, the directory synced.
    fn write_file(&self, name: &str, lines: &[String]) -> Result<(), OutboxError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| self.io(e))?;
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let mut f = std::fs::File::create(&tmp).map_err(|e| self.io(e))?;
        let mut text = String::from("\u{feff}");
        text.push_str(HEADER);
        text.push_str("\r\n");
        for l in lines {
            text.push_str(l);
            text.push_str("\r\n");
        }
        f.write_all(text.as_bytes()).map_err(|e| self.io(e))?;
        f.sync_all().map_err(|e| self.io(e))?;
        std::fs::rename(&tmp, self.dir.join(name)).map_err(|e| self.io(e))?;
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn record(start: u16, end: u16, next: bool, brk: u32, comment: Option<&str>) -> Record {
        let date = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        Record {
            employee: "anna@example.com".into(),
            date,
            start,
            end,
            end_date: next.then(|| date.succ_opt().unwrap()),
            break_minutes: brk,
            comment: comment.map(Into::into),
        }
    }

    #[test]
    fn rows_follow_the_personio_import_layout() {
        assert_eq!(
            rows(&record(478, 991, false, 30, None)),
            ["anna@example.com;02.11.2026;07:58;16:31;30;"]
        );
        assert_eq!(
            rows(&record(1320, 360, true, 30, Some("=HYPERLINK(\"x\")"))),
            [
                "anna@example.com;02.11.2026;22:00;24:00;30;\"'=HYPERLINK(\"\"x\"\")\"",
                "anna@example.com;03.11.2026;00:00;06:00;0;\"'=HYPERLINK(\"\"x\"\")\""
            ]
        );
        assert_eq!(
            rows(&record(1080, 0, true, 0, Some("-1; ok"))),
            ["anna@example.com;02.11.2026;18:00;24:00;0;\"'-1; ok\""]
        );
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("+49 170"), "'+49 170");
        assert_eq!(neutralise("Kunde"), "Kunde");
    }

    #[test]
    fn each_record_lands_in_one_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(dir.path());
        let mut ledger = Ledger::open_in_memory().unwrap();
        let item = |start| Item {
            row: "2".into(),
            record: record(start, start + 60, false, 0, None),
            file_sha256: "f".into(),
        };
        let first = outbox
            .import(&mut ledger, &[item(480), item(600)], Policy::default())
            .unwrap();
        assert!(first.iter().all(|o| matches!(o, Outcome::Written { .. })));
        let again = outbox
            .import(&mut ledger, &[item(480), item(700)], Policy::default())
            .unwrap();
        assert!(matches!(again[0], Outcome::AlreadyImported { .. }));
        assert!(matches!(again[1], Outcome::Written { .. }));
        let files: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        assert_eq!(files.len(), 2);
        let all: Vec<&str> = files.iter().flat_map(|f| f.lines().skip(1)).collect();
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(
            files
                .iter()
                .all(|f| f.starts_with("\u{feff}E-Mail;Datum;Startzeit;Endzeit;Pause;Kommentar"))
        );
    }

    #[test]
    fn a_dry_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open_in_memory().unwrap();
        let item = Item {
            row: "2".into(),
            record: record(480, 600, false, 0, None),
            file_sha256: "f".into(),
        };
        let out = Outbox::new(dir.path())
            .import(
                &mut ledger,
                std::slice::from_ref(&item),
                Policy {
                    dry_run: true,
                    ..Policy::default()
                },
            )
            .unwrap();
        assert!(matches!(out[0], Outcome::WouldWrite { .. }));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(ledger.entry(TARGET, &item.record).unwrap(), None);
    }

    #[test]
    fn records_planned_before_a_crash_are_settled() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(dir.path());
        let mut ledger = Ledger::open_in_memory().unwrap();
        let r = record(480, 600, false, 0, None);
        // Planned, file never written: the record goes into a new file.
        let w = PlannedWrite {
            kind: "ROW".into(),
            start: r.date.and_hms_opt(0, 0, 0).unwrap(),
            end: r.date.and_hms_opt(0, 0, 0).unwrap(),
            comment: Some("lost.csv".into()),
        };
        ledger
            .plan(TARGET, &r, (None, None), std::slice::from_ref(&w), &[])
            .unwrap();
        outbox.import(&mut ledger, &[], Policy::default()).unwrap();
        assert!(ledger.pending(TARGET).unwrap().is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Planned and written: only confirmed.
        let r2 = record(700, 760, false, 0, None);
        std::fs::write(
            dir.path().join("kept.csv"),
            format!("{HEADER}\n{}\n", rows(&r2)[0]),
        )
        .unwrap();
        let w2 = PlannedWrite {
            comment: Some("kept.csv".into()),
            ..w
        };
        ledger.plan(TARGET, &r2, (None, None), &[w2], &[]).unwrap();
        outbox.import(&mut ledger, &[], Policy::default()).unwrap();
        assert!(ledger.pending(TARGET).unwrap().is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
