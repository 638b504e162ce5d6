//! Reading absences: `GET /v2/absence-periods`, `GET /v2/absence-periods/{id}` and
//! `GET /v2/absence-types` (`personio-api.md` §5.6).
//!
//! A two-way sync has to see every absence that touches a window of days, so the list offers
//! the range filters TS-v2 names on both ends of a period. Times are local, without an offset,
//! like attendance periods.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};

use super::model::{fmt_instant, fmt_local};
use super::paging;
use super::periods::{Range, range, within};
use super::query::parse_local;
use super::reply::{self, Reply};
use super::state::{Ctx, State};

/// A stored absence period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    /// UUID.
    pub id: String,
    /// Numeric person id as a string.
    pub person_id: String,
    /// Id of the absence type; any id is accepted, like projects on attendance periods.
    pub absence_type_id: String,
    /// Local start.
    pub starts_from: NaiveDateTime,
    /// Local end; `None` for an open-ended absence such as long sick leave.
    pub ends_at: Option<NaiveDateTime>,
    /// Free text.
    pub comment: Option<String>,
    /// `PENDING`, `APPROVED` or `REJECTED`.
    pub approval: String,
    /// Zone of the local times.
    pub timezone_id: String,
    /// When the absence was created (whole seconds).
    pub created_at: DateTime<Utc>,
    /// When the absence was last changed (whole seconds).
    pub updated_at: DateTime<Utc>,
}

impl Absence {
    /// The JSON item of the list and get endpoints.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "person": { "id": self.person_id },
            "absence_type": { "id": self.absence_type_id },
            "starts_from": { "date_time": fmt_local(self.starts_from), "type": "FULL_DAY" },
            "ends_at": self.ends_at.map(|e| json!({ "date_time": fmt_local(e), "type": "FULL_DAY" })),
            "timezone_id": self.timezone_id,
            "comment": self.comment,
            "approval": { "status": self.approval },
            "created_at": fmt_instant(self.created_at),
            "updated_at": fmt_instant(self.updated_at),
        })
    }

    /// Whether this absence blocks another one of the same person from `from` to `to`:
    /// rejected absences block nothing, an open end runs for ever, bounds count as inside.
    pub(crate) fn blocks(&self, from: NaiveDateTime, to: Option<NaiveDateTime>) -> bool {
        self.approval != "REJECTED"
            && to.is_none_or(|t| self.starts_from <= t)
            && self.ends_at.is_none_or(|e| from <= e)
    }
}

/// An absence type (vacation, sick leave, time off in lieu, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceType {
    /// Numeric id as a string.
    pub id: String,
    /// Name as shown in Personio.
    pub name: String,
    /// One of the v1 categories (`paid_vacation`, `other`, ...), if set.
    pub category: Option<String>,
    /// `day` or `hour`: whether absences of this type are booked in days or hours.
    pub unit: String,
}

impl AbsenceType {
    fn to_json(&self) -> Value {
        json!({ "id": self.id, "name": self.name, "category": self.category, "unit": self.unit })
    }
}

/// `GET /v2/absence-periods/{id}`.
pub(crate) fn get(st: &State, ctx: &Ctx) -> Reply {
    let id = ctx.id.as_deref().unwrap_or_default();
    match st.absences.iter().find(|a| a.id == id) {
        Some(a) => Reply::json(200, &a.to_json()),
        None => reply::not_found(&format!("Absence period {id} was not found")),
    }
}

struct Filter {
    persons: Vec<String>,
    types: Vec<String>,
    starts: Range<NaiveDateTime>,
    ends: Range<NaiveDateTime>,
    updated: Range<NaiveDateTime>,
}

impl Filter {
    fn keeps(&self, a: &Absence) -> bool {
        let any = |list: &[String], v: &String| list.is_empty() || list.contains(v);
        // An open end lies after every bound: it passes `gte` and fails `lte`.
        let end_ok = match a.ends_at {
            Some(e) => within(Some(e), &self.ends),
            None => self.ends.1.is_none(),
        };
        any(&self.persons, &a.person_id)
            && any(&self.types, &a.absence_type_id)
            && within(Some(a.starts_from), &self.starts)
            && end_ok
            && within(Some(a.updated_at.naive_utc()), &self.updated)
    }
}

/// `GET /v2/absence-periods`: ordered by person, start, id.
pub(crate) fn list(st: &State, ctx: &Ctx) -> Reply {
    let page = match paging::read(&ctx.query, 100, 100) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let f = &page.filters;
    let read = || -> Result<Filter, Reply> {
        Ok(Filter {
            persons: f.list("person.id"),
            types: f.list("absence_type.id"),
            starts: range(f, "starts_from.date_time", parse_local)?,
            ends: range(f, "ends_at.date_time", parse_local)?,
            updated: range(f, "updated_at", parse_local)?,
        })
    };
    let filter = match read() {
        Ok(filter) => filter,
        Err(reply) => return reply,
    };
    let mut matched: Vec<&Absence> = st.absences.iter().filter(|a| filter.keeps(a)).collect();
    let person = |a: &Absence| a.person_id.parse::<u64>().unwrap_or(u64::MAX);
    matched.sort_by(|a, b| {
        person(a)
            .cmp(&person(b))
            .then(a.starts_from.cmp(&b.starts_from))
            .then(a.id.cmp(&b.id))
    });
    let items = matched.iter().map(|a| a.to_json()).collect();
    let body = paging::body(st, "/v2/absence-periods", ctx.raw_query, &page, items);
    Reply::json(200, &body)
}

/// `GET /v2/absence-types`: in the order they were added.
pub(crate) fn types(st: &State, ctx: &Ctx) -> Reply {
    let page = match paging::read(&ctx.query, 100, 100) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let items = st.absence_types.iter().map(AbsenceType::to_json).collect();
    let body = paging::body(st, "/v2/absence-types", ctx.raw_query, &page, items);
    Reply::json(200, &body)
}
