//! `POST`, `PATCH` and `DELETE` on `/v2/absence-periods` (`personio-api.md` §5.6).
//!
//! Documented: `skip_approval` defaults to false, an overlap with another absence of the same
//! person is 409 "Absence period conflict", PATCH and DELETE by id exist. Not documented, and so
//! a choice here: rejected absences do not block, a change answers 204 like attendance periods,
//! and whether `approval.status` may be changed is `absence_approval_patch`.

use chrono::NaiveDateTime;

use super::absences::Absence;
use super::body::{self, Field};
use super::model::now_secs;
use super::reply::{self, Reply};
use super::state::{Ctx, State};
use super::writes::created_body;

fn missing(detail: &str) -> Reply {
    reply::problem(400, "Missing required parameters", detail)
}

fn conflict() -> Reply {
    reply::problem(
        409,
        "Absence period conflict",
        "The person already has an absence in this time range",
    )
}

/// `skip_approval`: absent or `false` → PENDING, `true` → APPROVED.
fn approval(ctx: &Ctx) -> Result<&'static str, Reply> {
    match ctx.query.get("skip_approval") {
        None | Some("false") => Ok("PENDING"),
        Some("true") => Ok("APPROVED"),
        Some(_) => Err(reply::invalid_query(
            "Provided value for skip_approval is not valid",
        )),
    }
}

/// Refuses a range that ends before it starts or collides with another absence of the person.
fn check_range(
    st: &State,
    person: &str,
    from: NaiveDateTime,
    to: Option<NaiveDateTime>,
    ignore: Option<&str>,
) -> Result<(), Reply> {
    if to.is_some_and(|t| t < from) {
        return Err(reply::problem(
            422,
            "Unprocessable",
            "ends_at is before starts_from",
        ));
    }
    let clash = st
        .absences
        .iter()
        .any(|a| a.person_id == person && Some(a.id.as_str()) != ignore && a.blocks(from, to));
    if clash { Err(conflict()) } else { Ok(()) }
}

/// `POST /v2/absence-periods`.
pub(crate) fn create(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    match try_create(st, ctx) {
        Ok(reply) => (reply, true),
        Err(reply) => (reply, false),
    }
}

fn try_create(st: &mut State, ctx: &Ctx) -> Result<Reply, Reply> {
    let status = approval(ctx)?;
    let obj = body::object(ctx)?;
    let person = body::id_field(&obj, "person")?;
    let kind = body::id_field(&obj, "absence_type")?;
    let from = body::time_field(&obj, "starts_from")?;
    let to = body::time_field(&obj, "ends_at")?;
    let comment = body::text_field(&obj, "comment")?;
    let (Field::Set(person), Field::Set(kind), Field::Set(from)) = (person, kind, from) else {
        return Err(missing("person, absence_type and starts_from are required"));
    };
    let to = match to {
        Field::Set(t) => Some(t),
        Field::Absent | Field::Null => None,
    };
    if !st.persons.iter().any(|p| p.id == person) {
        return Err(reply::problem(
            422,
            "Unprocessable",
            &format!("There is no person with id {person}"),
        ));
    }
    check_range(st, &person, from, to, None)?;
    let now = now_secs();
    let absence = Absence {
        id: uuid::Uuid::new_v4().to_string(),
        person_id: person,
        absence_type_id: kind,
        starts_from: from,
        ends_at: to,
        comment: match comment {
            Field::Set(c) => Some(c),
            Field::Absent | Field::Null => None,
        },
        approval: status.to_owned(),
        timezone_id: "Europe/Berlin".to_owned(),
        created_at: now,
        updated_at: now,
    };
    let id = absence.id.clone();
    st.absences.push(absence);
    Ok(Reply::json(
        201,
        &created_body(st, "/v2/absence-periods", &id, None),
    ))
}

/// `PATCH /v2/absence-periods/{id}`.
pub(crate) fn patch(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    match try_patch(st, ctx) {
        Ok(reply) => (reply, true),
        Err(reply) => (reply, false),
    }
}

/// The new `approval.status` of a change body, if it has one.
fn approval_field(
    st: &State,
    obj: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<String>, Reply> {
    let Some(value) = obj.get("approval") else {
        return Ok(None);
    };
    if !st.config.absence_approval_patch {
        return Err(reply::problem(
            422,
            "Unprocessable",
            "The approval of an absence period cannot be changed through the API",
        ));
    }
    match value.get("status").and_then(|s| s.as_str()) {
        Some(s @ ("PENDING" | "APPROVED" | "REJECTED")) => Ok(Some(s.to_owned())),
        _ => Err(reply::problem(
            400,
            "Invalid approval field",
            "approval.status must be PENDING, APPROVED or REJECTED",
        )),
    }
}

fn try_patch(st: &mut State, ctx: &Ctx) -> Result<Reply, Reply> {
    let obj = body::object(ctx)?;
    let id = ctx.id.clone().unwrap_or_default();
    let Some(current) = st.absences.iter().find(|a| a.id == id).cloned() else {
        return Err(reply::not_found(&format!(
            "Absence period {id} was not found"
        )));
    };
    if obj.is_empty() {
        return Err(missing("At least one field to change is required"));
    }
    if let Field::Set(p) = body::id_field(&obj, "person")?
        && p != current.person_id
    {
        return Err(reply::problem(
            400,
            "Invalid person field",
            "The person of an absence period cannot be changed",
        ));
    }
    let status = approval_field(st, &obj)?;
    let from = match body::time_field(&obj, "starts_from")? {
        Field::Set(s) => s,
        Field::Absent => current.starts_from,
        Field::Null => return Err(missing("starts_from.date_time cannot be null")),
    };
    let to = match body::time_field(&obj, "ends_at")? {
        Field::Set(e) => Some(e),
        Field::Null => None,
        Field::Absent => current.ends_at,
    };
    let comment = match body::text_field(&obj, "comment")? {
        Field::Set(c) => Some(c),
        Field::Null => None,
        Field::Absent => current.comment.clone(),
    };
    let status = status.unwrap_or(current.approval.clone());
    // A rejected absence blocks nothing, so it needs no room.
    if status != "REJECTED" {
        check_range(st, &current.person_id, from, to, Some(&id))?;
    }
    if let Some(a) = st.absences.iter_mut().find(|a| a.id == id) {
        a.starts_from = from;
        a.ends_at = to;
        a.comment = comment;
        a.approval = status;
        a.updated_at = now_secs();
    }
    Ok(Reply::empty(204))
}

/// `DELETE /v2/absence-periods/{id}`.
pub(crate) fn delete(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    super::writes::remove_by_id(&mut st.absences, ctx, |a| &a.id, "Absence period")
}
