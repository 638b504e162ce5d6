//! Turning a raw row into a record, or into the reason it cannot be one.

use chrono::{Days, NaiveDate};

use super::Record;
use super::employees::EmployeeMap;
use super::rejection::Rejection;
use crate::parse::RawRow;
use crate::parse::value::{Field, TimeValue, ValueProblem};

/// What an end before the start means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Overnight {
    /// A mistake: rejected.
    #[default]
    Reject,
    /// A night shift: the period ends on the next day.
    Allow,
}

/// The validation rules, from `[import]`.
#[derive(Debug, Clone)]
pub struct Rules {
    pub overnight: Overnight,
    pub max_period_minutes: u32,
    /// Rows dated after this day are rejected.
    pub latest_date: NaiveDate,
}

impl Rules {
    /// Defaults: no night shifts, 16 hours at most, nothing after tomorrow.
    pub fn new(today: NaiveDate) -> Self {
        Rules {
            overnight: Overnight::Reject,
            max_period_minutes: 16 * 60,
            latest_date: today + Days::new(1),
        }
    }
}

pub fn validate(raw: &RawRow, rules: &Rules, employees: &EmployeeMap) -> Result<Record, Rejection> {
    validate_into(&mut raw.clone(), rules, employees)
}

/// Where a record's address comes from.
enum Address {
    /// The row's own address, already in normal form: moved into the record.
    Row,
    Normalised(String),
}

/// Like [`validate`], but moves the address and comment out of the row instead of copying
/// them; the row keeps them when it is rejected. This is the hot path for every row.
pub fn validate_into(
    raw: &mut RawRow,
    rules: &Rules,
    employees: &EmployeeMap,
) -> Result<Record, Rejection> {
    let address = match employees.resolve(&raw.employee) {
        Ok(Some(e)) => {
            let own = raw
                .employee
                .email
                .as_deref()
                .is_some_and(|m| std::ptr::eq(m, e));
            if own && is_plain(e) {
                if !email_shape_ok(e) {
                    return Err(Rejection::InvalidEmail(e.to_string()));
                }
                Address::Row
            } else {
                Address::Normalised(normalise_email(e)?)
            }
        }
        Ok(None) => return Err(Rejection::MissingEmployee),
        Err(key) => return Err(Rejection::UnknownEmployee(key)),
    };
    let start = time(&raw.start, Rejection::MissingStart, Rejection::InvalidStart)?;
    if start.minutes == 1440 {
        return Err(Rejection::InvalidStart("24:00".into()));
    }
    let end = time(&raw.end, Rejection::MissingEnd, Rejection::InvalidEnd)?;
    let date = match &raw.date {
        Field::Value(d) => *d,
        Field::Missing => start.date.ok_or(Rejection::MissingDate)?,
        Field::Invalid(ValueProblem::ImpossibleDate(s)) => {
            return Err(Rejection::ImpossibleDate(s.clone()));
        }
        Field::Invalid(p) => return Err(Rejection::InvalidDate(problem_text(p))),
    };
    if let Some(other) = start.date.filter(|d| *d != date) {
        return Err(Rejection::DateMismatch { date, other });
    }
    let next_day = date + Days::new(1);
    let end_on_next_day = match end.date {
        Some(d) if d == next_day => true,
        Some(d) if d != date => return Err(Rejection::DateMismatch { date, other: d }),
        _ => false,
    };
    let overnight = end_on_next_day || end.minutes < start.minutes;
    if overnight && rules.overnight == Overnight::Reject {
        return Err(Rejection::EndBeforeStart {
            start: start.minutes,
            end: end.minutes,
        });
    }
    if !overnight && end.minutes == start.minutes {
        return Err(Rejection::SameStartAndEnd { at: start.minutes });
    }
    let period =
        u32::from(end.minutes) + if overnight { 1440 } else { 0 } - u32::from(start.minutes);
    let break_minutes = match &raw.break_minutes {
        Field::Missing => 0,
        Field::Value(m) => *m,
        Field::Invalid(ValueProblem::NegativeBreak(s)) => {
            return Err(Rejection::NegativeBreak(s.clone()));
        }
        Field::Invalid(p) => return Err(Rejection::InvalidBreak(problem_text(p))),
    };
    if period > rules.max_period_minutes {
        return Err(Rejection::TooLong {
            minutes: period,
            max: rules.max_period_minutes,
        });
    }
    if break_minutes >= period {
        return Err(Rejection::BreakTooLong {
            break_minutes,
            period,
        });
    }
    if date > rules.latest_date {
        return Err(Rejection::InFuture(date));
    }
    // 24:00 is the end of the day; written as 00:00 of the next.
    let (end_minutes, end_date) = match (overnight, end.minutes) {
        (false, 1440) => (0, Some(next_day)),
        (true, m) => (m % 1440, Some(next_day)),
        (false, m) => (m, None),
    };
    let employee = match address {
        Address::Row => raw.employee.email.take().expect("the row's own address"),
        Address::Normalised(e) => e,
    };
    Ok(Record {
        employee,
        date,
        start: start.minutes,
        end: end_minutes,
        end_date,
        break_minutes,
        comment: raw.comment.take(),
    })
}

fn time(
    field: &Field<TimeValue>,
    missing: Rejection,
    invalid: fn(String) -> Rejection,
) -> Result<TimeValue, Rejection> {
    match field {
        Field::Value(v) => Ok(*v),
        Field::Missing => Err(missing),
        Field::Invalid(p) => Err(invalid(problem_text(p))),
    }
}

fn problem_text(p: &ValueProblem) -> String {
    match p {
        ValueProblem::NotADate(s)
        | ValueProblem::ImpossibleDate(s)
        | ValueProblem::NotATime(s)
        | ValueProblem::NotABreak(s)
        | ValueProblem::NegativeBreak(s) => s.clone(),
    }
}

/// Whether `c` may stand in the local part of an address besides letters and digits.
fn local_special(c: char) -> bool {
    matches!(
        c,
        '!' | '#'
            | '$'
            | '%'
            | '&'
            | '\''
            | '*'
            | '+'
            | '/'
            | '='
            | '?'
            | '^'
            | '_'
            | '`'
            | '{'
            | '|'
            | '}'
            | '~'
            | '.'
            | '-'
    )
}

/// Already in normal form: lower-case ASCII, no spaces around, no `mailto:`.
fn is_plain(e: &str) -> bool {
    !e.starts_with("mailto:")
        && e.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        && e.trim().len() == e.len()
}

/// One `@`, a dotted domain, only the characters addresses may hold.
fn email_shape_ok(e: &str) -> bool {
    e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !has_double_dot(local)
                && domain.contains('.')
                && !domain.starts_with(['.', '-'])
                && !domain.ends_with(['.', '-'])
                && !has_double_dot(domain)
                && domain
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
                && local
                    .chars()
                    .all(|c| c.is_alphanumeric() || local_special(c))
        })
}

fn has_double_dot(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == b"..")
}

/// Lower-cases an address and checks its shape: one `@`, a dotted domain, no spaces.
pub fn normalise_email(text: &str) -> Result<String, Rejection> {
    let trimmed = text.trim();
    let trimmed = trimmed.strip_prefix("mailto:").unwrap_or(trimmed);
    let e = if trimmed
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        trimmed.to_lowercase()
    } else {
        trimmed.to_string()
    };
    let ok = email_shape_ok(&e);
    if ok {
        Ok(e)
    } else {
        Err(Rejection::InvalidEmail(text.trim().to_string()))
    }
}
