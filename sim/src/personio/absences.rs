//! `POST` and `GET /v2/absence-periods` (`personio-api.md` §5.6): enough of absences for a
//! day of time off in lieu. Overlapping absences of one person are refused with 409
//! "Absence period conflict", as documented; times are local, without an offset.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::paging;
use super::query::parse_local;
use super::reply::Reply;
use super::state::{Ctx, State};

/// A stored absence period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub id: String,
    pub person_id: String,
    pub absence_type_id: String,
    pub starts_from: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub comment: Option<String>,
}

impl Absence {
    fn to_json(&self) -> Value {
        let fmt = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
        json!({
            "id": self.id,
            "person": { "id": self.person_id },
            "absence_type": { "id": self.absence_type_id },
            "starts_from": { "date_time": fmt(self.starts_from), "type": "FULL_DAY" },
            "ends_at": { "date_time": fmt(self.ends_at), "type": "FULL_DAY" },
            "comment": self.comment,
            "approval": { "status": "APPROVED" },
        })
    }
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// `POST /v2/absence-periods`.
pub(crate) fn create(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    let Ok(body) = serde_json::from_slice::<Value>(ctx.body) else {
        return (
            Reply::problem(400, "Invalid JSON", "The body is not JSON"),
            false,
        );
    };
    let (Some(person), Some(kind), Some(from), Some(to)) = (
        text(&body, &["person", "id"]),
        text(&body, &["absence_type", "id"]),
        text(&body, &["starts_from", "date_time"]),
        text(&body, &["ends_at", "date_time"]),
    ) else {
        return (
            Reply::problem(
                400,
                "Missing required parameters",
                "person, absence_type, starts_from and ends_at are required",
            ),
            false,
        );
    };
    let (Some(from), Some(to)) = (parse_local(from), parse_local(to)) else {
        return (
            Reply::invalid_query("date_time must be local, without an offset"),
            false,
        );
    };
    if !st.persons.iter().any(|p| p.id == person) {
        return (
            Reply::problem(
                422,
                "Unprocessable",
                &format!("There is no person with id {person}"),
            ),
            false,
        );
    }
    if to < from {
        return (
            Reply::problem(422, "Unprocessable", "ends_at is before starts_from"),
            false,
        );
    }
    if st
        .absences
        .iter()
        .any(|a| a.person_id == person && a.starts_from <= to && from <= a.ends_at)
    {
        return (
            Reply::problem(
                409,
                "Absence period conflict",
                "The person is already absent then",
            ),
            false,
        );
    }
    let absence = Absence {
        id: uuid::Uuid::new_v4().to_string(),
        person_id: person.to_owned(),
        absence_type_id: kind.to_owned(),
        starts_from: from,
        ends_at: to,
        comment: text(&body, &["comment"]).map(str::to_owned),
    };
    let id = absence.id.clone();
    st.absences.push(absence);
    (Reply::json(201, &json!({ "id": id })), true)
}

/// `GET /v2/absence-periods`, filtered by `person.id` and `starts_from.date_time.gte/lte`.
pub(crate) fn list(st: &State, ctx: &Ctx) -> Reply {
    let page = match paging::read(&ctx.query, 100, 100) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let persons: Vec<String> = page
        .filters
        .list("person.id")
        .iter()
        .flat_map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let bound = |key: &str| page.filters.get(key).map(|v| parse_local(v).ok_or(()));
    let (gte, lte) = match (
        bound("starts_from.date_time.gte"),
        bound("starts_from.date_time.lte"),
    ) {
        (Some(Err(())), _) | (_, Some(Err(()))) => {
            return Reply::invalid_query("Invalid request content.");
        }
        (a, b) => (a.and_then(Result::ok), b.and_then(Result::ok)),
    };
    let items: Vec<Value> = st
        .absences
        .iter()
        .filter(|a| persons.is_empty() || persons.contains(&a.person_id))
        .filter(|a| {
            gte.is_none_or(|g| a.starts_from >= g) && lte.is_none_or(|l| a.starts_from <= l)
        })
        .map(Absence::to_json)
        .collect();
    let body = paging::body(st, "/v2/absence-periods", ctx.raw_query, &page, items);
    Reply::json(200, &body)
}
