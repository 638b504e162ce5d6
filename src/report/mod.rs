//! What happened to every file and row of a mail or an import, for HR.
//!
//! Built from plain data while the pipeline runs, then rendered: as text for the command
//! line here, and as the report e-mail's body.

pub mod fix_csv;
pub mod mail;
pub mod smtp;

use crate::lang::Lang;
use crate::records::{Outcome as RowOutcome, Rejection};
use crate::target::Outcome;

/// One row's fate, from parsing to the target.
#[derive(Debug, Clone, PartialEq)]
pub enum RowStatus {
    Rejected(Rejection),
    /// An exact repeat of an earlier row of the same file.
    RepeatedInFile {
        first: String,
    },
    Target(Outcome),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowReport {
    pub row: String,
    pub employee: Option<String>,
    pub date: Option<chrono::NaiveDate>,
    pub status: RowStatus,
    /// The row's cells as in the file, for rows HR has to fix.
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileReport {
    pub name: String,
    /// When the same file (same bytes) was first seen, if before this run.
    pub seen_before: Option<String>,
    /// Why the whole file could not be read.
    pub error: Option<String>,
    /// The header of the file's (first) table, for the rows sent back to fix.
    pub header: Option<std::sync::Arc<[String]>>,
    pub rows: Vec<RowReport>,
}

/// Counts over a whole report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub imported: usize,
    pub duplicate: usize,
    pub rejected: usize,
    pub conflict: usize,
    pub failed: usize,
    pub deferred: usize,
    pub planned: usize,
    pub unreadable_files: usize,
}

impl RowStatus {
    pub fn from_parse(outcome: &RowOutcome) -> Option<RowStatus> {
        match outcome {
            RowOutcome::Ok(_) => None,
            RowOutcome::Duplicate { first, .. } => Some(RowStatus::RepeatedInFile {
                first: first.clone(),
            }),
            RowOutcome::Rejected(r) => Some(RowStatus::Rejected(r.rejection.clone())),
        }
    }

    pub fn describe(&self, lang: Lang) -> String {
        match self {
            RowStatus::Rejected(r) => r.reason(lang),
            RowStatus::RepeatedInFile { first } => match lang {
                Lang::De => format!("Wiederholt Zeile {first} derselben Datei."),
                Lang::En => format!("Repeats row {first} of the same file."),
            },
            RowStatus::Target(o) => o.describe(lang),
        }
    }

    /// Whether HR has to do something about the row.
    pub fn needs_action(&self) -> bool {
        matches!(
            self,
            RowStatus::Rejected(_)
                | RowStatus::Target(
                    Outcome::Conflict(_) | Outcome::Failed(_) | Outcome::UnknownEmployee
                )
        )
    }
}

pub fn counts(files: &[FileReport]) -> Counts {
    let mut c = Counts::default();
    for f in files {
        if f.error.is_some() {
            c.unreadable_files += 1;
        }
        for r in &f.rows {
            match &r.status {
                RowStatus::Rejected(_) => c.rejected += 1,
                RowStatus::RepeatedInFile { .. } => c.duplicate += 1,
                RowStatus::Target(o) => match o {
                    Outcome::Written { .. } | Outcome::Updated { .. } => c.imported += 1,
                    Outcome::AlreadyImported { .. } | Outcome::AlreadyInTarget => c.duplicate += 1,
                    Outcome::Conflict(_) => c.conflict += 1,
                    Outcome::UnknownEmployee | Outcome::Failed(_) => c.failed += 1,
                    Outcome::Deferred(_) => c.deferred += 1,
                    Outcome::WouldWrite { .. } => c.planned += 1,
                },
            }
        }
    }
    c
}

impl Counts {
    /// `"12 importiert, 3 Duplikate, 1 abgelehnt"`, leaving out zeros.
    pub fn summary(&self, lang: Lang) -> String {
        let parts: [(usize, &str, &str); 8] = [
            (self.imported, "importiert", "imported"),
            (self.planned, "würden importiert", "would be imported"),
            (self.duplicate, "Duplikate", "duplicates"),
            (self.rejected, "abgelehnt", "rejected"),
            (self.conflict, "Konflikte", "conflicts"),
            (self.failed, "fehlgeschlagen", "failed"),
            (self.deferred, "zurückgestellt", "deferred"),
            (
                self.unreadable_files,
                "Dateien unlesbar",
                "files unreadable",
            ),
        ];
        let shown: Vec<String> = parts
            .iter()
            .filter(|(n, ..)| *n > 0)
            .map(|(n, de, en)| format!("{n} {}", lang.pick(de, en)))
            .collect();
        if shown.is_empty() {
            lang.pick("nichts importiert", "nothing imported")
                .to_string()
        } else {
            shown.join(", ")
        }
    }
}

/// The report as plain text: a summary line, then every file with every row.
pub fn render_text(files: &[FileReport], lang: Lang) -> String {
    let mut out = format!("{}\n", counts(files).summary(lang));
    for f in files {
        out.push_str(&format!("\n{}\n", f.name));
        if let Some(seen) = &f.seen_before {
            out.push_str(&format!(
                "  {}\n",
                match lang {
                    Lang::De => format!("Diese Datei wurde bereits am {seen} empfangen."),
                    Lang::En => format!("This file was already received on {seen}."),
                }
            ));
        }
        if let Some(e) = &f.error {
            out.push_str(&format!("  {e}\n"));
        }
        for r in &f.rows {
            let row = lang.pick("Zeile", "row");
            let who = r
                .employee
                .as_deref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default();
            let when = r
                .date
                .map(|d| format!(" {}", d.format("%d.%m.%Y")))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {row} {}{who}{when}: {}\n",
                r.row,
                r.status.describe(lang)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_text_name_every_row() {
        let files = vec![FileReport {
            name: "a.csv".into(),
            seen_before: Some("02.11.2026".into()),
            header: None,
            error: None,
            rows: vec![
                RowReport {
                    row: "2".into(),
                    employee: Some("a@example.com".into()),
                    date: None,
                    status: RowStatus::Target(Outcome::Written {
                        periods: 3,
                        changed_others: vec![],
                    }),
                    cells: vec![],
                },
                RowReport {
                    row: "3".into(),
                    employee: None,
                    date: None,
                    status: RowStatus::Rejected(Rejection::MissingEnd),
                    cells: vec![],
                },
                RowReport {
                    row: "4".into(),
                    employee: None,
                    date: None,
                    status: RowStatus::Target(Outcome::AlreadyImported {
                        on: "01.11.2026".into(),
                    }),
                    cells: vec![],
                },
            ],
        }];
        let c = counts(&files);
        assert_eq!((c.imported, c.rejected, c.duplicate), (1, 1, 1));
        assert_eq!(c.summary(Lang::En), "1 imported, 1 duplicates, 1 rejected");
        let text = render_text(&files, Lang::De);
        assert!(text.contains("bereits am 02.11.2026 empfangen"), "{text}");
        assert!(
            text.contains("Zeile 4: Bereits am 01.11.2026 importiert."),
            "{text}"
        );
        assert!(
            text.contains("Zeile 2 a@example.com: Importiert."),
            "{text}"
        );
    }
}
