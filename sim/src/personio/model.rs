//! The data the simulated Personio account holds, and how it looks on the wire.
//!
//! Field names follow `personio-api.md` §3.2 (attendance periods), §4.2 (persons) and §5.6
//! (absence periods).

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

/// Format of every local date-time on the wire: no offset, no fraction (§3.2).
pub const DATE_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// `WORK` or `BREAK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodType {
    /// A worked span.
    Work,
    /// A break with a real start and end.
    Break,
}

impl PeriodType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodType::Work => "WORK",
            PeriodType::Break => "BREAK",
        }
    }

    /// Parses the wire spelling (exact, upper case).
    pub fn parse(s: &str) -> Option<PeriodType> {
        match s {
            "WORK" => Some(PeriodType::Work),
            "BREAK" => Some(PeriodType::Break),
            _ => None,
        }
    }
}

/// One attendance period as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// UUID.
    pub id: String,
    /// Numeric person id as a string.
    pub person_id: String,
    /// WORK or BREAK.
    pub kind: PeriodType,
    /// Local start.
    pub start: NaiveDateTime,
    /// Local end; `None` for an open period.
    pub end: Option<NaiveDateTime>,
    /// Free text.
    pub comment: Option<String>,
    /// Project id, WORK periods only.
    pub project_id: Option<String>,
    /// `PENDING` or `CONFIRMED`.
    pub approval: String,
    /// When the period was created (whole seconds).
    pub created_at: DateTime<Utc>,
    /// When the period was last changed (whole seconds).
    pub updated_at: DateTime<Utc>,
}

impl Period {
    /// The day the period counts for: the day it starts.
    pub fn attribution_date(&self) -> NaiveDate {
        self.start.date()
    }

    /// The JSON item of the list and get endpoints.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "person": { "id": self.person_id },
            "type": self.kind.as_str(),
            "start": { "date_time": fmt_local(self.start) },
            "end": self.end.map(|e| json!({ "date_time": fmt_local(e) })),
            "attribution_date": self.attribution_date().format("%Y-%m-%d").to_string(),
            "comment": self.comment,
            "project": self.project_id.as_ref().map(|p| json!({ "id": p })),
            "approval": { "status": self.approval },
            "is_auto_generated": false,
            "created_at": fmt_instant(self.created_at),
            "updated_at": fmt_instant(self.updated_at),
        })
    }
}

/// One person (employee).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Numeric id as a string.
    pub id: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E-mail as entered (matching ignores case).
    pub email: String,
    /// Name used day to day, if different from the given name.
    pub preferred_name: Option<String>,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// UUID of the one employment.
    pub employment_id: String,
    /// When the person was created (whole seconds).
    pub created_at: DateTime<Utc>,
    /// When the person was last changed (whole seconds).
    pub updated_at: DateTime<Utc>,
    /// The department of the employment; v2 documents no place for it, so it is shown
    /// inside the employment, where the org unit lives in Personio's model.
    pub department: Option<String>,
}

impl Person {
    /// The JSON item of `GET /v2/persons`.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "preferred_name": self.preferred_name,
            "email": self.email,
            "status": self.status,
            "employments": [ match &self.department {
                Some(d) => json!({ "id": self.employment_id, "department": { "name": d } }),
                None => json!({ "id": self.employment_id }),
            } ],
            "custom_attributes": [],
            "created_at": fmt_instant(self.created_at),
            "updated_at": fmt_instant(self.updated_at),
            "_meta": { "links": {} },
        })
    }
}

/// A local date-time in wire format.
pub fn fmt_local(t: NaiveDateTime) -> String {
    t.format(DATE_TIME_FORMAT).to_string()
}

/// An instant in RFC 3339, UTC, whole seconds.
pub fn fmt_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The current time in whole seconds.
pub fn now_secs() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}
