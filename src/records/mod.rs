//! Raw rows → validated attendance records.
//!
//! [`validate()`] checks one row against the rules HR and payroll need; [`dedup`] compares
//! it with the rows before it in the same file. Both are plain functions on plain data.
//! Comparing with what earlier mails imported and what Personio already holds happens in
//! the ledger and the target, not here.

pub mod dedup;
pub mod employees;
pub mod rejection;
pub mod validate;

use chrono::NaiveDate;

pub use dedup::{FileDedup, Seen};
pub use employees::EmployeeMap;
pub use rejection::Rejection;
pub use validate::{Overnight, Rules, validate};

/// One attendance period of one employee, to the minute, in local wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Record {
    /// Lower-case e-mail address.
    pub employee: String,
    pub date: NaiveDate,
    /// Minutes since midnight.
    pub start: u16,
    /// Minutes since midnight of `end_date` (or of `date`).
    pub end: u16,
    /// Set when the period ends on the next day.
    pub end_date: Option<NaiveDate>,
    pub break_minutes: u32,
    pub comment: Option<String>,
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok(Record),
    /// An exact repeat of the row named by `first`.
    Duplicate {
        record: Record,
        first: String,
    },
    Rejected(Box<RejectedRow>),
}

/// A row that cannot become a record, with what is needed to send it back to be fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    pub rejection: Rejection,
    /// What the row says about its employee and day, as far as it could be read.
    pub employee: Option<String>,
    pub date: Option<NaiveDate>,
    pub cells: Vec<String>,
    pub header: std::sync::Arc<[String]>,
}

impl RejectedRow {
    fn outcome(
        rejection: Rejection,
        raw: crate::parse::RawRow,
        cells: &[crate::parse::Cell],
    ) -> Outcome {
        let e = &raw.employee;
        let employee = e
            .email
            .clone()
            .or_else(|| e.name.clone())
            .or_else(|| e.personnel_number.clone())
            .or_else(|| e.card_id.clone());
        Outcome::Rejected(Box::new(RejectedRow {
            rejection,
            employee,
            date: raw.date.value().copied(),
            cells: cells.iter().map(crate::parse::Cell::display).collect(),
            header: raw.header,
        }))
    }
}

/// Validates rows one by one and tracks repeats within a file.
pub struct Checker<'a> {
    rules: &'a Rules,
    employees: &'a EmployeeMap,
    seen: FileDedup,
}

impl<'a> Checker<'a> {
    pub fn new(rules: &'a Rules, employees: &'a EmployeeMap) -> Self {
        Checker {
            rules,
            employees,
            seen: FileDedup::default(),
        }
    }

    /// Judges one row; returns its location with the outcome.
    pub fn check(
        &mut self,
        mut raw: crate::parse::RawRow,
        cells: &[crate::parse::Cell],
    ) -> (String, Outcome) {
        let location = std::mem::take(&mut raw.location);
        let outcome = match validate::validate_into(&mut raw, self.rules, self.employees) {
            Err(rejection) => RejectedRow::outcome(rejection, raw, cells),
            Ok(record) => match self.seen.check(&record, &location) {
                Seen::New => Outcome::Ok(record),
                Seen::Duplicate(first) => Outcome::Duplicate { record, first },
                Seen::Rejected(rejection) => {
                    // The row gave its address and comment to the record; the report needs them.
                    raw.employee.email.get_or_insert(record.employee);
                    raw.comment = record.comment;
                    RejectedRow::outcome(rejection, raw, cells)
                }
            },
        };
        (location, outcome)
    }
}

#[cfg(test)]
mod tests;
