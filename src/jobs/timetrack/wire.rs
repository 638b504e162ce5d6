//! TimeTrack JSON, read tolerantly into plain types.
//!
//! The docs show fields but no schema, and disagree with themselves (`ID` in the field list,
//! `id` in a real client; `user` in the filter list, `username` in the example). So items are
//! read from loose JSON by hand: ids as number or string, either id spelling, either user
//! spelling, timestamps with or without milliseconds, a status as number or string. Only what
//! identifies an item is required; everything else is optional or defaults. Errors have no
//! documented format either; [`error_message`] makes one short line of whatever comes back.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

/// The longest error text kept from an answer.
const MAX_ERROR_CHARS: usize = 300;

/// A TimeTrack user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    /// What attendances and absences refer to.
    pub username: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// True when TimeTrack does not say.
    pub enabled: bool,
}

/// A user to create. TimeTrack requires a password even for accounts that only sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: String,
    pub personal_number: Option<String>,
}

/// An attendance: a time entry without a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub id: String,
    /// The username.
    pub user: String,
    pub from: DateTime<Utc>,
    /// `None` while the entry is open.
    pub to: Option<DateTime<Utc>>,
    pub break_minutes: u32,
    pub notes: Option<String>,
    /// Entered by hand (true) or stamped (false), when TimeTrack says.
    pub manual: Option<bool>,
}

/// An attendance to create or replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttendance {
    pub username: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub break_minutes: u32,
    pub notes: Option<String>,
}

/// An absence's approval state, as TimeTrack numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbsenceStatus {
    /// Waiting for approval.
    New = 0,
    Approved = 1,
    Rejected = 2,
}

impl AbsenceStatus {
    /// The number TimeTrack uses.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// From a number or a string (`"1"`, as the docs send it).
    pub fn from_wire(v: &Value) -> Option<AbsenceStatus> {
        match int_of(v)? {
            0 => Some(AbsenceStatus::New),
            1 => Some(AbsenceStatus::Approved),
            2 => Some(AbsenceStatus::Rejected),
            _ => None,
        }
    }
}

/// An absence over whole days, both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub id: String,
    /// The username.
    pub user: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub status: AbsenceStatus,
    pub absence_type: i64,
    /// The type's short name, when TimeTrack gives it.
    pub absence_type_name: Option<String>,
}

/// An absence to create; it starts as [`AbsenceStatus::New`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAbsence {
    pub username: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub absence_type: i64,
}

/// An absence type (from an endpoint the docs do not describe; see `Settings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceType {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
}

/// A type read from TimeTrack's loose JSON.
pub trait FromWire: Sized {
    /// Reads one item; the error says what was missing or malformed.
    fn from_wire(v: &Value) -> Result<Self, String>;
}

impl FromWire for User {
    fn from_wire(v: &Value) -> Result<User, String> {
        Ok(User {
            id: id_of(v, &["id", "ID"])?,
            username: username_of(v).ok_or("user without username")?,
            email: text(v, &["email"]),
            first_name: text(v, &["firstName", "first_name", "firstname"]),
            last_name: text(v, &["lastName", "last_name", "lastname"]),
            enabled: field(v, &["enabled"]).and_then(bool_of).unwrap_or(true),
        })
    }
}

impl FromWire for Attendance {
    fn from_wire(v: &Value) -> Result<Attendance, String> {
        let id = id_of(v, &["ID", "id"])?;
        let from = text(v, &["from"])
            .as_deref()
            .and_then(timestamp)
            .ok_or_else(|| format!("attendance {id}: no readable from"))?;
        let to = match text(v, &["to"]) {
            None => None,
            Some(s) => Some(timestamp(&s).ok_or_else(|| format!("attendance {id}: to {s:?}"))?),
        };
        let break_minutes = field(v, &["breakMinutes", "break_minutes"])
            .and_then(int_of)
            .map_or(Ok(0), |m| {
                u32::try_from(m).map_err(|_| format!("attendance {id}: breakMinutes {m}"))
            })?;
        Ok(Attendance {
            user: username_of(v).ok_or_else(|| format!("attendance {id}: no user"))?,
            from,
            to,
            break_minutes,
            notes: text(v, &["notes"]),
            manual: field(v, &["manual"]).and_then(bool_of),
            id,
        })
    }
}

impl FromWire for Absence {
    fn from_wire(v: &Value) -> Result<Absence, String> {
        let id = id_of(v, &["ID", "id"])?;
        let day = |key: &str| {
            text(v, &[key])
                .as_deref()
                .and_then(date)
                .ok_or_else(|| format!("absence {id}: no readable {key}"))
        };
        let status = match field(v, &["status"]) {
            None => AbsenceStatus::New,
            Some(s) => AbsenceStatus::from_wire(s)
                .ok_or_else(|| format!("absence {id}: unknown status {s}"))?,
        };
        Ok(Absence {
            user: username_of(v).ok_or_else(|| format!("absence {id}: no user"))?,
            from: day("from")?,
            to: day("to")?,
            status,
            absence_type: field(v, &["absenceType", "absence_type"])
                .and_then(int_of)
                .ok_or_else(|| format!("absence {id}: no absenceType"))?,
            absence_type_name: text(v, &["absenceTypeName", "absence_type_name"]),
            id,
        })
    }
}

impl FromWire for AbsenceType {
    fn from_wire(v: &Value) -> Result<AbsenceType, String> {
        let id = field(v, &["id", "ID"])
            .and_then(int_of)
            .ok_or("absence type without integer id")?;
        let short_name = text(v, &["shortName", "short_name", "shortname"]);
        let name = text(v, &["name"])
            .or_else(|| short_name.clone())
            .unwrap_or_default();
        Ok(AbsenceType {
            id,
            name,
            short_name,
        })
    }
}

/// The first of `keys` that is present and not null.
fn field<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| v.get(*k).filter(|x| !x.is_null()))
}

/// A non-empty string (numbers are turned into text).
fn text(v: &Value, keys: &[&str]) -> Option<String> {
    match field(v, keys)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An id given as a number or a string.
fn id_of(v: &Value, keys: &[&str]) -> Result<String, String> {
    text(v, keys).ok_or_else(|| format!("item without {}", keys.join(" or ")))
}

/// The id of an item as TimeTrack answers a create (`ID` or `id`, number or string).
pub fn item_id(v: &Value) -> Option<String> {
    text(v, &["ID", "id"])
}

/// The items of a list answer: a bare array as documented, or the array in a `data`, `items`
/// or `results` envelope should TimeTrack ever wrap it.
pub fn list_items(v: Value) -> Option<Vec<Value>> {
    match v {
        Value::Array(items) => Some(items),
        Value::Object(mut m) => {
            ["data", "items", "results"]
                .iter()
                .find_map(|k| match m.remove(*k) {
                    Some(Value::Array(items)) => Some(items),
                    _ => None,
                })
        }
        _ => None,
    }
}

/// `user` (a username, or an object with one) or `username`.
fn username_of(v: &Value) -> Option<String> {
    match field(v, &["user"]) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(obj @ Value::Object(_)) => text(obj, &["username"]),
        _ => text(v, &["username"]),
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A timestamp: RFC 3339 with `Z` or an offset, with or without fractions; one without a
/// zone is taken as UTC, the only zone the API documents.
pub fn timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// A date `YYYY-MM-DD`, also taken from the front of a timestamp.
pub fn date(s: &str) -> Option<NaiveDate> {
    let head = s.trim().get(..10)?;
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

/// A timestamp as sent: `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A date as sent: `YYYY-MM-DD`.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// One line from an error body of any shape: a JSON `message`, `error` or `errors` (string,
/// list or object), or plain text; at most 300 characters.
pub fn error_message(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        return "(empty answer)".to_owned();
    }
    let text = match serde_json::from_str::<Value>(body) {
        Ok(v) => json_error(&v).unwrap_or_else(|| body.to_owned()),
        Err(_) => body.to_owned(),
    };
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(MAX_ERROR_CHARS).collect();
    if one_line.chars().count() > MAX_ERROR_CHARS {
        out.push('…');
    }
    out
}

fn json_error(v: &Value) -> Option<String> {
    let flat = |x: &Value| -> Option<String> {
        match x {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Array(items) => {
                let parts: Vec<String> = items.iter().filter_map(json_error_item).collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            }
            Value::Object(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .filter_map(|(k, v)| json_error_item(v).map(|t| format!("{k}: {t}")))
                    .collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            }
            _ => None,
        }
    };
    let message = v.get("message").and_then(flat);
    let error = v.get("error").and_then(flat);
    let errors = v.get("errors").and_then(flat);
    match (error, message, errors) {
        (Some(e), Some(m), _) if e != m => Some(format!("{m} ({e})")),
        (_, Some(m), _) => Some(m),
        (Some(e), None, _) => Some(e),
        (None, None, errors) => errors,
    }
}

fn json_error_item(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(_) => json_error(v).or_else(|| Some(v.to_string())),
        Value::Array(_) => json_error(&serde_json::json!({ "errors": v })),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_read_with_either_spelling() {
        let a = Attendance::from_wire(&json!({
            "ID": 7, "username": "hansm", "from": "2020-10-20T09:00:00.000Z",
            "to": null, "breakMinutes": "15", "extra": 1
        }))
        .unwrap();
        assert_eq!((a.id.as_str(), a.user.as_str(), a.to), ("7", "hansm", None));
        assert_eq!(a.break_minutes, 15);
        let b = Attendance::from_wire(&json!({
            "id": "x1", "user": "hansm", "from": "2020-10-20T09:00:00Z", "to": "2020-10-20T10:00:00Z"
        }))
        .unwrap();
        assert_eq!(b.from, timestamp("2020-10-20T09:00:00.000Z").unwrap());
        assert!(Attendance::from_wire(&json!({"ID": 1, "user": "u"})).is_err());
        let s = Absence::from_wire(&json!({
            "ID": 3, "user": "u", "from": "2020-10-26", "to": "2020-10-28",
            "status": "1", "absenceType": 2
        }))
        .unwrap();
        assert_eq!(s.status, AbsenceStatus::Approved);
        assert!(Absence::from_wire(&json!({"ID": 3, "user": "u", "from": "2020-10-26", "to": "2020-10-28", "status": 7, "absenceType": 2})).is_err());
        let u = User::from_wire(&json!({"id": 1, "username": "u"})).unwrap();
        assert!(u.enabled);
    }

    #[test]
    fn error_bodies_become_one_short_line() {
        assert_eq!(
            error_message(r#"{"error":"overlap","message":"Overlaps 3"}"#),
            "Overlaps 3 (overlap)"
        );
        assert_eq!(error_message(r#"{"errors":["a","b"]}"#), "a; b");
        assert_eq!(error_message(r#"{"errors":{"from":"bad"}}"#), "from: bad");
        assert_eq!(error_message("plain\ntext"), "plain text");
        assert_eq!(error_message(""), "(empty answer)");
        assert_eq!(error_message(&"x".repeat(500)).chars().count(), 301);
    }
}
