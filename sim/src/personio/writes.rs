//! `POST`, `PATCH` and `DELETE` on `/v2/attendance-periods`: the calls that must happen exactly
//! once.
//!
//! Validation follows the documented examples (`personio-v2-breaks.md` §2, §3): 422 "Start date
//! greater than end date", "Period time range too long", "Break periods with project"; 201 on
//! create, 204 on change and delete. Overlaps follow `OverlapMode`.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::body::{self, Field, Fields};
use super::config::{CreatedBody, OverlapMode};
use super::model::{Period, PeriodType, now_secs};
use super::overlap::{self, Cut, Span};
use super::reply::{self, Reply};
use super::state::{Ctx, State};

fn unprocessable(title: &str, detail: &str) -> Reply {
    reply::problem(422, title, detail)
}

fn missing(detail: &str) -> Reply {
    reply::problem(400, "Missing required parameters", detail)
}

/// `skip_approval`: absent or `false` → PENDING, `true` → CONFIRMED.
fn approval(ctx: &Ctx) -> Result<&'static str, Reply> {
    match ctx.query.get("skip_approval") {
        None | Some("false") => Ok("PENDING"),
        Some("true") => Ok("CONFIRMED"),
        Some(_) => Err(reply::invalid_query(
            "Provided value for skip_approval is not valid",
        )),
    }
}

/// The checks every resulting period must pass, before overlaps.
fn check_shape(
    st: &State,
    kind: PeriodType,
    start: NaiveDateTime,
    end: Option<NaiveDateTime>,
    project: Option<&String>,
) -> Result<(), Reply> {
    if kind == PeriodType::Break && project.is_some() {
        return Err(unprocessable(
            "Break periods with project",
            "Periods with type=BREAK can't have a project",
        ));
    }
    let Some(end) = end else { return Ok(()) };
    if end <= start {
        return Err(unprocessable(
            "Start date greater than end date",
            "The start of the period must be before its end",
        ));
    }
    let midnight_after = start.date().succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0));
    let same_day = end.date() == start.date();
    let allowed_midnight = st.config.allow_end_at_midnight && Some(end) == midnight_after;
    if !same_day && !allowed_midnight {
        return Err(unprocessable(
            "Period time range too long",
            "A period must start and end on the same day",
        ));
    }
    Ok(())
}

/// Rejects or makes room for `span`; returns the ids of neighbours that were changed or
/// created by a split.
fn make_room(
    st: &mut State,
    person: &str,
    span: &Span,
    ignore: Option<&str>,
) -> Result<Vec<String>, Reply> {
    let biw = st.config.break_inside_work;
    let hit: Vec<usize> = (0..st.periods.len())
        .filter(|&i| {
            let p = &st.periods[i];
            p.person_id == person
                && Some(p.id.as_str()) != ignore
                && overlap::collides(p, span, biw)
        })
        .collect();
    if hit.is_empty() {
        return Ok(Vec::new());
    }
    if st.config.overlap == OverlapMode::Reject {
        return Err(reply::problem(
            st.config.overlap_status,
            "Overlapping attendance periods",
            "The attendance period overlaps other attendance periods of the person",
        ));
    }
    let mut affected = Vec::new();
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for i in hit {
        let p = &mut st.periods[i];
        match overlap::cut(p, span) {
            Cut::Removed => removed.push(p.id.clone()),
            Cut::Kept { remainder } => {
                affected.push(p.id.clone());
                if let Some(rest) = remainder {
                    affected.push(rest.id.clone());
                    added.push(rest);
                }
            }
        }
    }
    st.periods.retain(|p| !removed.contains(&p.id));
    st.periods.extend(added);
    Ok(affected)
}

fn required<T>(f: Field<T>, what: &str) -> Result<T, Reply> {
    match f {
        Field::Set(v) => Ok(v),
        Field::Absent | Field::Null => Err(missing(&format!("{what} is required"))),
    }
}

fn optional<T>(f: Field<T>) -> Option<T> {
    match f {
        Field::Set(v) => Some(v),
        Field::Absent | Field::Null => None,
    }
}

/// `POST /v2/attendance-periods`.
pub(crate) fn create(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    match try_create(st, ctx) {
        Ok(reply) => (reply, true),
        Err(reply) => (reply, false),
    }
}

fn try_create(st: &mut State, ctx: &Ctx) -> Result<Reply, Reply> {
    let status = approval(ctx)?;
    let Fields {
        person,
        kind,
        start,
        end,
        comment,
        project,
    } = body::read(ctx)?;
    let person = required(person, "person.id")?;
    let kind = required(kind, "type")?;
    let start = required(start, "start.date_time")?;
    let end = optional(end);
    let project = optional(project);
    if !st.persons.iter().any(|p| p.id == person) {
        return Err(unprocessable(
            "Person not found",
            &format!("There is no person with id {person}"),
        ));
    }
    check_shape(st, kind, start, end, project.as_ref())?;
    let span = Span { kind, start, end };
    let affected = make_room(st, &person, &span, None)?;
    let now = now_secs();
    let period = Period {
        id: uuid::Uuid::new_v4().to_string(),
        person_id: person,
        kind,
        start,
        end,
        comment: optional(comment),
        project_id: project,
        approval: status.to_owned(),
        created_at: now,
        updated_at: now,
    };
    let id = period.id.clone();
    let mut affected_json = vec![period.to_json()];
    affected_json.extend(
        st.periods
            .iter()
            .filter(|p| affected.contains(&p.id))
            .map(Period::to_json),
    );
    st.periods.push(period);
    let body = created_body(st, "/v2/attendance-periods", &id, Some(affected_json));
    Ok(Reply::json(201, &body))
}

/// The 201 body of a create, shaped by `created_body`. Only attendance periods carry
/// `affected_periods`; other resources pass `None` and get the plain created object there.
pub(crate) fn created_body(
    st: &State,
    collection: &str,
    id: &str,
    affected: Option<Vec<Value>>,
) -> Value {
    let links = json!({ "links": { "self": { "href": st.href(&format!("{collection}/{id}")) } } });
    match (st.config.created_body, affected) {
        (CreatedBody::IdAndAffected, Some(affected)) => {
            json!({ "id": id, "affected_periods": affected, "_meta": links })
        }
        (CreatedBody::IdAndAffected | CreatedBody::CreatedObject, _) => {
            json!({ "id": id, "_meta": links })
        }
        (CreatedBody::DataWrapped, _) => json!({ "data": { "id": id } }),
        (CreatedBody::UnderscoreData, _) => json!({ "_data": { "id": id } }),
    }
}

/// `PATCH /v2/attendance-periods/{id}`.
pub(crate) fn patch(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    match try_patch(st, ctx) {
        Ok(reply) => (reply, true),
        Err(reply) => (reply, false),
    }
}

fn try_patch(st: &mut State, ctx: &Ctx) -> Result<Reply, Reply> {
    let status = approval(ctx)?;
    let fields = body::read(ctx)?;
    let id = ctx.id.clone().unwrap_or_default();
    let Some(current) = st.periods.iter().find(|p| p.id == id).cloned() else {
        return Err(reply::not_found(&format!(
            "Attendance period {id} was not found"
        )));
    };
    if fields.is_empty() {
        return Err(missing("At least one field to change is required"));
    }
    if let Field::Set(p) = &fields.person
        && *p != current.person_id
    {
        return Err(reply::problem(
            400,
            "Invalid person field",
            "The person of an attendance period cannot be changed",
        ));
    }
    let kind = match fields.kind {
        Field::Set(k) => k,
        Field::Absent => current.kind,
        Field::Null => return Err(missing("type cannot be null")),
    };
    let start = match fields.start {
        Field::Set(s) => s,
        Field::Absent => current.start,
        Field::Null => return Err(missing("start.date_time cannot be null")),
    };
    let end = match fields.end {
        Field::Set(e) => Some(e),
        Field::Null => None,
        Field::Absent => current.end,
    };
    let comment = match fields.comment {
        Field::Set(c) => Some(c),
        Field::Null => None,
        Field::Absent => current.comment.clone(),
    };
    let project = match fields.project {
        Field::Set(p) => Some(p),
        Field::Null => None,
        Field::Absent => current.project_id.clone(),
    };
    check_shape(st, kind, start, end, project.as_ref())?;
    let span = Span { kind, start, end };
    make_room(st, &current.person_id, &span, Some(&id))?;
    if let Some(p) = st.periods.iter_mut().find(|p| p.id == id) {
        p.kind = kind;
        p.start = start;
        p.end = end;
        p.comment = comment;
        p.project_id = project;
        p.approval = status.to_owned();
        p.updated_at = now_secs();
    }
    Ok(Reply::empty(204))
}

/// `DELETE /v2/attendance-periods/{id}`.
pub(crate) fn delete(st: &mut State, ctx: &Ctx) -> (Reply, bool) {
    remove_by_id(&mut st.periods, ctx, |p| &p.id, "Attendance period")
}

/// Deletes the item the path names: 204, or 404 naming `what` when there is none.
pub(crate) fn remove_by_id<T>(
    items: &mut Vec<T>,
    ctx: &Ctx,
    id_of: impl Fn(&T) -> &String,
    what: &str,
) -> (Reply, bool) {
    let id = ctx.id.as_deref().unwrap_or_default();
    let before = items.len();
    items.retain(|item| id_of(item) != id);
    if items.len() == before {
        return (
            reply::not_found(&format!("{what} {id} was not found")),
            false,
        );
    }
    (Reply::empty(204), true)
}
