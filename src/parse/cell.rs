//! One cell of a table, whatever file it came from.
//!
//! CSV cells are always [`Cell::Text`]; spreadsheet cells keep the type the spreadsheet
//! program gave them, because a time-of-day, a duration and a date serial are all
//! plain numbers underneath and only the cell's format tells them apart.

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    /// A date cell without a time of day.
    Date(NaiveDate),
    /// A cell with both a date and a time of day.
    DateTime(NaiveDateTime),
    /// A time-of-day cell (a serial below 1), in seconds since midnight.
    Time(u32),
    /// A duration cell (`[h]:mm` formats), in whole seconds.
    Duration(u32),
    /// A spreadsheet error value such as `#DIV/0!`.
    Error,
}

impl Cell<'_> {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The text of a text cell, trimmed; `None` for every other kind.
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(t) => Some(t.trim()),
            _ => None,
        }
    }

    /// The cell as the user sees it, for reports and for the rows to fix.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty | Cell::Error => String::new(),
            Cell::Text(t) => t.to_string(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.format("%d.%m.%Y").to_string(),
            Cell::DateTime(dt) => dt.format("%d.%m.%Y %H:%M").to_string(),
            Cell::Time(s) => format!("{:02}:{:02}", s / 3600, s % 3600 / 60),
            Cell::Duration(s) => format!("{}:{:02}", s / 3600, s % 3600 / 60),
        }
    }
}

/// Integral numbers print without a fraction, so a personnel number `1234` stays `1234`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
