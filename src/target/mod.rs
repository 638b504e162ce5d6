//! Where records go: Personio's v2 API, or an outbox of Personio import files.
//!
//! Both targets share the ledger's rule: every write is planned before it is sent and
//! confirmed after, and a record already known is not written again. What to write for a
//! record ([`layout`]) and whether it clashes with what the target holds ([`compare`]) are
//! plain functions; the targets only carry them out.

pub mod compare;
pub mod layout;
pub mod outbox;
pub mod personio;

use chrono::NaiveDate;

use crate::lang::Lang;
use crate::parse::value::format_minutes;
use crate::records::Record;

/// One record to write, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub row: String,
    pub record: Record,
    pub file_sha256: String,
}

/// How a batch is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    /// The sender may change records imported before (`corrections = "update"` and an HR
    /// sender).
    pub corrections: bool,
    /// Read the target, plan, write nothing.
    pub dry_run: bool,
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Written {
        periods: usize,
        changed_others: Vec<String>,
    },
    Updated {
        periods: usize,
    },
    /// Dry run: would be written (or updated).
    WouldWrite {
        periods: usize,
        update: bool,
    },
    /// The ledger knows it: imported before, on this day.
    AlreadyImported {
        on: String,
    },
    /// The target already holds exactly these periods.
    AlreadyInTarget,
    Conflict(Conflict),
    /// No person with this e-mail address in Personio.
    UnknownEmployee,
    /// Refused for good; nothing of it remains in the target.
    Failed(String),
    /// Not finished now (the target was unreachable); finished on the next run.
    Deferred(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// Imported before with another end, break or comment.
    Changed { imported_on: String },
    /// Overlaps a period the target holds that this record did not write.
    Overlaps {
        start: String,
        end: String,
        date: NaiveDate,
    },
}

impl Outcome {
    /// Whether the record is now in the target, by this run or an earlier one.
    pub fn is_in_target(&self) -> bool {
        matches!(
            self,
            Outcome::Written { .. }
                | Outcome::Updated { .. }
                | Outcome::AlreadyImported { .. }
                | Outcome::AlreadyInTarget
        )
    }

    /// A short label for counting.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Written { .. } => "imported",
            Outcome::Updated { .. } => "updated",
            Outcome::WouldWrite { update: false, .. } => "would import",
            Outcome::WouldWrite { update: true, .. } => "would update",
            Outcome::AlreadyImported { .. } | Outcome::AlreadyInTarget => "duplicate",
            Outcome::Conflict(_) => "conflict",
            Outcome::UnknownEmployee | Outcome::Failed(_) => "failed",
            Outcome::Deferred(_) => "deferred",
        }
    }

    /// The outcome in words HR understands.
    pub fn describe(&self, lang: Lang) -> String {
        use Outcome::*;
        match (self, lang) {
            (
                Written {
                    periods,
                    changed_others,
                },
                _,
            ) if !changed_others.is_empty() => match lang {
                Lang::De => format!(
                    "Importiert ({periods} Zeiträume); Personio hat dabei {} andere Zeiträume angepasst, bitte prüfen.",
                    changed_others.len()
                ),
                Lang::En => format!(
                    "Imported ({periods} periods); Personio changed {} other periods doing so, please check them.",
                    changed_others.len()
                ),
            },
            (Written { .. }, Lang::De) => "Importiert.".into(),
            (Written { .. }, Lang::En) => "Imported.".into(),
            (Updated { .. }, Lang::De) => {
                "Korrigiert: die früher importierten Zeiten wurden ersetzt.".into()
            }
            (Updated { .. }, Lang::En) => {
                "Corrected: the times imported earlier were replaced.".into()
            }
            (
                WouldWrite {
                    periods,
                    update: false,
                },
                Lang::De,
            ) => format!("Würde importiert ({periods} Zeiträume)."),
            (
                WouldWrite {
                    periods,
                    update: false,
                },
                Lang::En,
            ) => format!("Would be imported ({periods} periods)."),
            (WouldWrite { update: true, .. }, Lang::De) => "Würde korrigiert.".into(),
            (WouldWrite { update: true, .. }, Lang::En) => "Would be corrected.".into(),
            (AlreadyImported { on }, Lang::De) => format!("Bereits am {on} importiert."),
            (AlreadyImported { on }, Lang::En) => format!("Already imported on {on}."),
            (AlreadyInTarget, Lang::De) => "Steht bereits genau so in Personio.".into(),
            (AlreadyInTarget, Lang::En) => "Already in Personio exactly like this.".into(),
            (Conflict(self::Conflict::Changed { imported_on }), Lang::De) => format!(
                "Am {imported_on} mit anderen Zeiten importiert; nicht geändert. Korrekturen bitte von der Personalabteilung senden oder in Personio vornehmen."
            ),
            (Conflict(self::Conflict::Changed { imported_on }), Lang::En) => format!(
                "Imported on {imported_on} with other times; not changed. Please send corrections from HR or make them in Personio."
            ),
            (Conflict(self::Conflict::Overlaps { start, end, date }), Lang::De) => format!(
                "Überschneidet sich mit einem Zeitraum in Personio ({} {start}–{end}), der nicht aus diesem Import stammt; nicht importiert.",
                date.format("%d.%m.%Y")
            ),
            (Conflict(self::Conflict::Overlaps { start, end, date }), Lang::En) => format!(
                "Overlaps a period in Personio ({} {start}–{end}) that this import did not create; not imported.",
                date.format("%d.%m.%Y")
            ),
            (UnknownEmployee, Lang::De) => {
                "In Personio gibt es keine Person mit dieser E-Mail-Adresse.".into()
            }
            (UnknownEmployee, Lang::En) => {
                "Personio has no person with this e-mail address.".into()
            }
            (Failed(why), Lang::De) => format!("Von Personio abgelehnt: {why}"),
            (Failed(why), Lang::En) => format!("Refused by Personio: {why}"),
            (Deferred(why), Lang::De) => {
                format!("Personio war nicht erreichbar ({why}); wird automatisch nachgeholt.")
            }
            (Deferred(why), Lang::En) => {
                format!("Personio could not be reached ({why}); this is retried automatically.")
            }
        }
    }
}

/// `HH:MM` of a date-time.
pub fn clock(t: chrono::NaiveDateTime) -> String {
    use chrono::Timelike;
    format_minutes((t.hour() * 60 + t.minute()) as u16)
}
