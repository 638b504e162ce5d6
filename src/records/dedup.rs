//! Repeats and overlaps inside one file.
//!
//! A row equal to an earlier one is a duplicate (reports repeat days). A row that
//! overlaps an earlier period of the same employee cannot also be true: it is rejected
//! rather than guessed at, because Personio would refuse the overlap or pay it twice.

use std::collections::{BTreeMap, HashMap};

use super::Record;
use super::rejection::Rejection;
use crate::parse::value::day_number;

/// What the file already held at a point in time.
#[derive(Debug, Default)]
pub struct FileDedup {
    /// Per employee: periods by absolute start minute → (end minute, row, record index).
    periods: HashMap<String, BTreeMap<i64, Period>>,
}

#[derive(Debug, Clone)]
struct Period {
    end: i64,
    row: String,
    break_minutes: u32,
    comment: Option<String>,
}

/// Whether a record is new in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    New,
    /// An exact repeat of the row named.
    Duplicate(String),
    Rejected(Rejection),
}

impl FileDedup {
    pub fn check(&mut self, record: &Record, row: &str) -> Seen {
        let (start, end) = record.span();
        let periods = self.periods.entry(record.employee.clone()).or_default();
        if let Some(p) = periods.get(&start) {
            return if p.end == end
                && p.break_minutes == record.break_minutes
                && p.comment == record.comment
            {
                Seen::Duplicate(p.row.clone())
            } else {
                Seen::Rejected(Rejection::Conflicts { row: p.row.clone() })
            };
        }
        let before = periods.range(..start).next_back();
        let after = periods.range(start..end).next();
        for (s, p) in before.into_iter().chain(after) {
            if *s < end && start < p.end {
                return Seen::Rejected(Rejection::Overlaps {
                    row: p.row.clone(),
                    start: (s.rem_euclid(1440)) as u16,
                    end: (p.end.rem_euclid(1440)) as u16,
                });
            }
        }
        periods.insert(
            start,
            Period {
                end,
                row: row.to_string(),
                break_minutes: record.break_minutes,
                comment: record.comment.clone(),
            },
        );
        Seen::New
    }
}

impl Record {
    /// Start and end as minutes on one absolute time line, so periods compare across days.
    pub fn span(&self) -> (i64, i64) {
        let day = day_number(self.date) * 1440;
        let end_day = day_number(self.end_date.unwrap_or(self.date)) * 1440;
        (day + i64::from(self.start), end_day + i64::from(self.end))
    }
}
