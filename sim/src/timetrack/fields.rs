//! Reading properties of a JSON request body, with a 400 naming the property when its type is
//! wrong. `null` counts as absent.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use super::model::{date, parse_ts};
use super::reply::Problem;

pub(crate) type Body = Map<String, Value>;

fn present<'a>(b: &'a Body, key: &str) -> Option<&'a Value> {
    b.get(key).filter(|v| !v.is_null())
}

/// An optional string.
pub(crate) fn text(b: &Body, key: &str) -> Result<Option<String>, Problem> {
    match present(b, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Problem::invalid(format!("{key} must be a string"))),
    }
}

/// A required, non-empty string.
pub(crate) fn required(b: &Body, key: &str) -> Result<String, Problem> {
    text(b, key)?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Problem::invalid(format!("{key} is required")))
}

/// An optional boolean.
pub(crate) fn flag(b: &Body, key: &str) -> Result<Option<bool>, Problem> {
    match present(b, key) {
        None => Ok(None),
        Some(Value::Bool(v)) => Ok(Some(*v)),
        Some(_) => Err(Problem::invalid(format!("{key} must be true or false"))),
    }
}

/// An optional integer, given as a number or a string of digits (the docs send `"1"`).
pub(crate) fn int(b: &Body, key: &str) -> Result<Option<i64>, Problem> {
    let bad = || Problem::invalid(format!("{key} must be an integer"));
    match present(b, key) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// An optional UTC timestamp.
pub(crate) fn ts(b: &Body, key: &str) -> Result<Option<DateTime<Utc>>, Problem> {
    text(b, key)?
        .map(|s| {
            parse_ts(&s).ok_or_else(|| {
                Problem::invalid(format!(
                    "{key} must be a UTC timestamp YYYY-MM-DDTHH:MM:SS[.SSS]Z, got '{s}'"
                ))
            })
        })
        .transpose()
}

/// An optional `YYYY-MM-DD` date.
pub(crate) fn day(b: &Body, key: &str) -> Result<Option<NaiveDate>, Problem> {
    text(b, key)?
        .map(|s| {
            date(&s).ok_or_else(|| {
                Problem::invalid(format!("{key} must be a date YYYY-MM-DD, got '{s}'"))
            })
        })
        .transpose()
}

/// The username of a time entry or absence, from `user` or `username` (the docs use both);
/// two different values are refused.
pub(crate) fn username(b: &Body) -> Result<Option<String>, Problem> {
    match (text(b, "user")?, text(b, "username")?) {
        (Some(a), Some(b)) if a != b => Err(Problem::invalid(format!(
            "user '{a}' and username '{b}' differ"
        ))),
        (a, b) => Ok(a.or(b).filter(|s| !s.is_empty())),
    }
}
