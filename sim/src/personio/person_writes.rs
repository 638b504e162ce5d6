//! `POST /v2/persons` and `PATCH /v2/persons/{id}`: creating and renaming employees.
//!
//! Neither is in `personio-api.md` (only `GET /v2/persons` is, and v1 has
//! `POST/PATCH /v1/company/employees`), so `person_writes` can take both away. Chosen shapes:
//! e-mail required and unique ignoring case (a duplicate is 409), e-mail not changeable (422),
//! 201 with the created body of `created_body`, 204 on a change.

use serde_json::{Map, Value};

use super::body::{self, Field};
use super::model::{Person, now_secs};
use super::reply::{self, Reply};
use super::state::{Ctx, State};
use super::writes::created_body;

fn missing(detail: &str) -> Reply {
    reply::problem(400, "Missing required parameters", detail)
}

/// A name field: a non-blank string, or absent.
fn name(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, Reply> {
    match body::text_field(obj, field)? {
        Field::Set(s) if !s.trim().is_empty() => Ok(Some(s)),
        Field::Absent => Ok(None),
        Field::Set(_) | Field::Null => Err(missing(&format!("{field} cannot be empty"))),
    }
}

/// `POST /v2/persons`.
pub(crate) fn create(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    match try_create(st, ctx) {
        Ok(reply) => (reply, true),
        Err(reply) => (reply, false),
    }
}

fn try_create(st: &mut State, ctx: &Ctx) -> Result<Reply, Reply> {
    let obj = body::object(ctx)?;
    let Some(email) = name(&obj, "email")? else {
        return Err(missing("email is required"));
    };
    let first = name(&obj, "first_name")?;
    let last = name(&obj, "last_name")?;
    let preferred = name(&obj, "preferred_name")?;
    if !email.contains('@') {
        return Err(reply::problem(
            422,
            "Unprocessable",
            "email is not a valid address",
        ));
    }
    if st
        .persons
        .iter()
        .any(|p| p.email.eq_ignore_ascii_case(&email))
    {
        return Err(reply::problem(
            409,
            "Person already exists",
            "Another person already has this email",
        ));
    }
    let id = st.next_person.to_string();
    st.next_person += 1;
    let now = now_secs();
    st.persons.push(Person {
        id: id.clone(),
        first_name: first.unwrap_or_default(),
        last_name: last.unwrap_or_default(),
        email,
        preferred_name: preferred,
        status: "ACTIVE".to_owned(),
        employment_id: uuid::Uuid::new_v4().to_string(),
        created_at: now,
        updated_at: now,
        department: None,
    });
    Ok(Reply::json(
        201,
        &created_body(st, "/v2/persons", &id, None),
    ))
}

/// `PATCH /v2/persons/{id}`.
pub(crate) fn patch(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    match try_patch(st, ctx) {
        Ok(reply) => (reply, true),
        Err(reply) => (reply, false),
    }
}

fn try_patch(st: &mut State, ctx: &Ctx) -> Result<Reply, Reply> {
    let obj = body::object(ctx)?;
    let id = ctx.id.clone().unwrap_or_default();
    if !st.persons.iter().any(|p| p.id == id) {
        return Err(reply::not_found(&format!("Person {id} was not found")));
    }
    if obj.contains_key("email") {
        return Err(reply::problem(
            422,
            "Unprocessable",
            "The email of a person cannot be changed through the API",
        ));
    }
    let first = name(&obj, "first_name")?;
    let last = name(&obj, "last_name")?;
    let preferred = match body::text_field(&obj, "preferred_name")? {
        Field::Set(s) if !s.trim().is_empty() => Field::Set(s),
        Field::Set(_) | Field::Null => Field::Null,
        Field::Absent => Field::Absent,
    };
    if first.is_none() && last.is_none() && preferred == Field::Absent {
        return Err(missing("At least one field to change is required"));
    }
    if let Some(p) = st.persons.iter_mut().find(|p| p.id == id) {
        if let Some(f) = first {
            p.first_name = f;
        }
        if let Some(l) = last {
            p.last_name = l;
        }
        match preferred {
            Field::Set(s) => p.preferred_name = Some(s),
            Field::Null => p.preferred_name = None,
            Field::Absent => {}
        }
        p.updated_at = now_secs();
    }
    Ok(Reply::empty(204))
}
