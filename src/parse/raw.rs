//! A data row as read from a file, before anyone judged it.

use chrono::NaiveDate;

use super::value::{Field, TimeValue};

/// Whatever a row says about whose times these are. Exports without e-mail addresses
/// name people by personnel number, card id or name; the employee map turns those into
/// addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeRef {
    pub email: Option<String>,
    pub personnel_number: Option<String>,
    pub card_id: Option<String>,
    pub name: Option<String>,
}

impl EmployeeRef {
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.personnel_number.is_none()
            && self.card_id.is_none()
            && self.name.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// Where the row is: a CSV line number (`"7"`) or `SHEET!ROW`.
    pub location: String,
    pub employee: EmployeeRef,
    pub date: Field<NaiveDate>,
    pub start: Field<TimeValue>,
    pub end: Field<TimeValue>,
    pub break_minutes: Field<u32>,
    pub comment: Option<String>,
    /// The header of the row's table (shared by its rows).
    pub header: std::sync::Arc<[String]>,
}
