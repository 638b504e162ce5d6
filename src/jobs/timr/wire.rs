//! timr JSON, read tolerantly into plain types.
//!
//! The spec marks most properties required, but a sync job must not stop because timr adds,
//! drops or nulls a field it does not use: only ids and the times of a working time are
//! required here, everything else is optional or defaults. Errors come in two shapes (the
//! spec's `{"code","message"}` and RFC 9457 problem documents), and the token endpoint answers
//! OAuth2 bodies; [`error_message`] makes one line of any of them.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;
use serde_json::Value;

/// A page of a cursor-paged list; the last page has no (or a null) `next_page_token`.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

impl<T> Page<T> {
    pub fn next(&self) -> Option<&str> {
        self.next_page_token.as_deref().filter(|t| !t.is_empty())
    }
}

/// A timr user (`User`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, rename = "firstname")]
    pub first_name: Option<String>,
    #[serde(default, rename = "lastname")]
    pub last_name: Option<String>,
    #[serde(default)]
    pub employee_number: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub entry_date: Option<NaiveDate>,
    /// The last working day of someone who left; the spec calls it `resign_date`.
    #[serde(default)]
    pub resign_date: Option<NaiveDate>,
}

/// A working time type (`WorkingTimeType`). Types are defined per account: match them by
/// name, short name or external id, never by a fixed id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WorkingTimeType {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    /// `attendance_time`, `vacation`, `paid_time_off`, `unpaid_time_off`, `suspension`,
    /// `break_time`, or whatever timr adds later.
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub archived: bool,
}

/// `WorkingTimeStatus`; values timr adds later are kept as [`Status::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    Running,
    Paused,
    Changeable,
    Locked,
    Approved,
    Closed,
    Archived,
    Other(String),
}

impl Status {
    pub fn as_str(&self) -> &str {
        match self {
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Changeable => "changeable",
            Status::Locked => "locked",
            Status::Approved => "approved",
            Status::Closed => "closed",
            Status::Archived => "archived",
            Status::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> Status {
        match s {
            "running" => Status::Running,
            "paused" => Status::Paused,
            "changeable" => Status::Changeable,
            "locked" => Status::Locked,
            "approved" => Status::Approved,
            "closed" => Status::Closed,
            "archived" => Status::Archived,
            other => Status::Other(other.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
        Ok(Status::parse(&String::deserialize(d)?))
    }
}

/// One break of a working time. `manual` breaks carry minutes; `ongoing` ones only a start.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BreakTime {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, rename = "duration_minutes")]
    pub minutes: Option<i64>,
    #[serde(default)]
    pub start: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub end: Option<DateTime<FixedOffset>>,
}

/// A working time (`WorkingTime`), with the user and type reduced to their ids.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawWorkingTime")]
pub struct WorkingTime {
    pub id: String,
    pub user_id: String,
    pub working_time_type_id: String,
    pub start: DateTime<FixedOffset>,
    /// `None` while the entry is running or paused.
    pub end: Option<DateTime<FixedOffset>>,
    pub break_times: Vec<BreakTime>,
    /// timr's own total of the breaks (read-only there).
    pub break_minutes: i64,
    pub notes: Option<String>,
    pub status: Status,
    pub last_modified: Option<DateTime<FixedOffset>>,
    /// "Changed by the user": edited by hand rather than clocked.
    pub changed: bool,
    pub metadata: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct IdRef {
    id: String,
}

#[derive(Debug, Deserialize)]
struct RawWorkingTime {
    id: String,
    user: IdRef,
    working_time_type: IdRef,
    start: DateTime<FixedOffset>,
    #[serde(default)]
    end: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    break_times: Vec<BreakTime>,
    #[serde(default)]
    break_time_total_minutes: Option<i64>,
    #[serde(default)]
    notes: Option<String>,
    status: Status,
    #[serde(default)]
    last_modified: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    changed: bool,
    #[serde(default)]
    metadata: Option<Value>,
}

impl From<RawWorkingTime> for WorkingTime {
    fn from(r: RawWorkingTime) -> WorkingTime {
        let summed = r.break_times.iter().filter_map(|b| b.minutes).sum();
        WorkingTime {
            id: r.id,
            user_id: r.user.id,
            working_time_type_id: r.working_time_type.id,
            start: r.start,
            end: r.end,
            break_minutes: r.break_time_total_minutes.unwrap_or(summed),
            break_times: r.break_times,
            notes: r.notes,
            status: r.status,
            last_modified: r.last_modified,
            changed: r.changed,
            metadata: r.metadata,
        }
    }
}

/// An entry of `/working-times:deleted`; the metadata is kept so zeitpost can recognise the
/// entries it had passed on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Deleted {
    pub id: String,
    pub last_modified: DateTime<FixedOffset>,
    #[serde(default)]
    pub metadata: Option<Value>,
}

/// One line from an error body of any known shape: the spec's `{"code","message"}`, a problem
/// document (`title`, `detail`, `errors[].field`/`detail`), or an OAuth2 error.
pub fn error_message(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return body.chars().take(200).collect();
    };
    let text = |key: &str| v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    if let Some(message) = text("message") {
        return match text("code") {
            Some(code) => format!("{message} ({code})"),
            None => message.to_string(),
        };
    }
    if text("title").is_some() || text("detail").is_some() {
        let mut m = match (text("title"), text("detail")) {
            (Some(t), Some(d)) => format!("{t}: {d}"),
            (t, d) => t.or(d).unwrap_or_default().to_string(),
        };
        let fields: Vec<String> = v
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let field = e.get("field").and_then(Value::as_str)?;
                let detail = e.get("detail").and_then(Value::as_str).unwrap_or("invalid");
                Some(format!("{field}: {detail}"))
            })
            .collect();
        if !fields.is_empty() {
            m.push_str(&format!(" [{}]", fields.join("; ")));
        }
        return m;
    }
    if let Some(e) = text("error") {
        return match text("error_description") {
            Some(d) => format!("{e}: {d}"),
            None => e.to_string(),
        };
    }
    body.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_error_shapes_and_oauth_become_one_line() {
        assert_eq!(
            error_message(r#"{"code":"E0307","message":"Concrete error message"}"#),
            "Concrete error message (E0307)"
        );
        let problem = r#"{"type":"https://errors.timr.com/validation/x","title":"Bad Request","status":400,"detail":"limit too big","errors":[{"field":"limit","detail":"at most 500"}]}"#;
        assert_eq!(
            error_message(problem),
            "Bad Request: limit too big [limit: at most 500]"
        );
        assert_eq!(
            error_message(r#"{"error":"invalid_client","error_description":"bad"}"#),
            "invalid_client: bad"
        );
        assert_eq!(error_message("<html>"), "<html>");
    }

    #[test]
    fn a_working_time_reads_with_nulls_and_unknown_status() {
        let w: WorkingTime = serde_json::from_value(json!({
            "id": "w", "user": {"id": "u", "email": null}, "working_time_type": {"id": "t"},
            "start": "2026-03-03T08:00:00+01:00", "end": null,
            "break_times": [{"type": "manual", "duration_minutes": 30, "start": null, "end": null}],
            "notes": null, "status": "frozen", "changed": true, "extra": 1
        }))
        .unwrap();
        assert_eq!(w.break_minutes, 30);
        assert_eq!(w.status, Status::Other("frozen".into()));
        assert_eq!(w.end, None);
        assert_eq!(w.start.offset().local_minus_utc(), 3600);
        let p: Page<Deleted> = serde_json::from_value(json!({"data": []})).unwrap();
        assert_eq!(p.next(), None);
    }
}
