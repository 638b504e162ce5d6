//! Repeats and overlaps inside one file.
//!
//! A row equal to an earlier one is a duplicate (reports repeat days). A row that
//! overlaps an earlier period of the same employee cannot also be true: it is rejected
//! rather than guessed at, because Personio would refuse the overlap or pay it twice.
//!
//! This runs for every row of every file, so it avoids work per row: employees are
//! numbered once, periods are kept per employee and day (a handful each), and what a
//! duplicate must repeat (end, break, comment) is compared as a hash.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use foldhash::fast::FixedState;

use super::Record;
use super::rejection::Rejection;
use crate::parse::value::day_number;

type Fast = FixedState;

/// What the file already held at a point in time.
#[derive(Debug, Default)]
pub struct FileDedup {
    employees: HashMap<String, u32, Fast>,
    /// Per (employee, day the period starts): its periods.
    days: HashMap<(u32, i64), Vec<Period>, Fast>,
    /// The longest period so far, in minutes: how far back a neighbour can start.
    longest: i64,
}

#[derive(Debug, Clone)]
struct Period {
    start: i64,
    end: i64,
    row: String,
    /// Hash of break and comment: an exact repeat has the same.
    rest: u64,
}

/// Whether a record is new in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    New,
    /// An exact repeat of the row named.
    Duplicate(String),
    Rejected(Rejection),
}

fn rest_hash(record: &Record) -> u64 {
    let mut h = Fast::default().build_hasher();
    record.break_minutes.hash(&mut h);
    record.comment.hash(&mut h);
    h.finish()
}

impl FileDedup {
    pub fn check(&mut self, record: &Record, row: &str) -> Seen {
        let (start, end) = record.span();
        let next = self.employees.len() as u32;
        let who = match self.employees.get(&record.employee) {
            Some(id) => *id,
            None => {
                self.employees.insert(record.employee.clone(), next);
                next
            }
        };
        let day = start.div_euclid(1440);
        let rest = rest_hash(record);
        // A neighbour that overlaps starts before this period ends and no earlier than the
        // longest period so far before it.
        self.longest = self.longest.max(end - start);
        let first = (start - self.longest).div_euclid(1440);
        let last = (end - 1).div_euclid(1440);
        for d in first..=last {
            let Some(periods) = self.days.get(&(who, d)) else {
                continue;
            };
            for p in periods {
                if p.start == start {
                    return if p.end == end && p.rest == rest {
                        Seen::Duplicate(p.row.clone())
                    } else {
                        Seen::Rejected(Rejection::Conflicts { row: p.row.clone() })
                    };
                }
                if p.start < end && start < p.end {
                    return Seen::Rejected(Rejection::Overlaps {
                        row: p.row.clone(),
                        start: p.start.rem_euclid(1440) as u16,
                        end: p.end.rem_euclid(1440) as u16,
                    });
                }
            }
        }
        self.days.entry((who, day)).or_default().push(Period {
            start,
            end,
            row: row.to_string(),
            rest,
        });
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
