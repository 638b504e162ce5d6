//! `/absences` (`sources.md` §4.2) and the undocumented absence type list.
//!
//! Choices where the docs are silent: the list keeps absences that intersect `[from, to]`
//! (inclusive dates); both `user` and `username` filter (the docs list both); POST also takes
//! `user` for the username; an absence type must be one of the seeded types once any are
//! seeded; an overlap with a new or approved absence of the same user (rejected ones do not
//! count) gets `overlap_status`; PUT may carry `status` only, any other property is 400.

use serde_json::{Value, json};

use super::fields;
use super::model::{Absence, STATUS_NEW, STATUS_REJECTED};
use super::paging;
use super::query::TimeTrackParams;
use super::render;
use super::reply::{Problem, Reply};
use super::state::{Ctx, State};

pub(crate) fn list(st: &State, ctx: &Ctx) -> Result<Reply, Problem> {
    let q = &ctx.query;
    let from = q.date("from")?;
    let to = q.date("to")?;
    let kind = q.int("absenceType")?;
    let wanted: Vec<&str> = ["user", "username"]
        .iter()
        .filter_map(|n| q.get(n))
        .collect();
    let items: Vec<Value> = st
        .absences
        .iter()
        .filter(|a| wanted.iter().all(|w| a.user == *w))
        .filter(|a| from.is_none_or(|f| a.to >= f) && to.is_none_or(|t| a.from <= t))
        .filter(|a| kind.is_none_or(|k| a.absence_type == k))
        .map(|a| render::absence(st, a))
        .collect();
    paging::page(st, q, items)
}

fn find(st: &State, id: &str) -> Result<usize, Problem> {
    st.absences
        .iter()
        .position(|a| id.parse::<u64>().is_ok_and(|n| n == a.id))
        .ok_or_else(|| Problem::not_found("Absence", id))
}

pub(crate) fn get(st: &State, id: &str) -> Result<Reply, Problem> {
    let i = find(st, id)?;
    Ok(Reply::json(200, &render::absence(st, &st.absences[i])))
}

pub(crate) fn create(st: &mut State, ctx: &Ctx) -> Result<(Reply, bool), Problem> {
    let b = ctx.object()?;
    let user = fields::username(&b)?.ok_or_else(|| Problem::invalid("username is required"))?;
    let from = fields::day(&b, "from")?.ok_or_else(|| Problem::invalid("from is required"))?;
    let to = fields::day(&b, "to")?.ok_or_else(|| Problem::invalid("to is required"))?;
    let kind = fields::int(&b, "absenceType")?
        .ok_or_else(|| Problem::invalid("absenceType is required"))?;
    if st.user_named(&user).is_none() {
        return Err(st.unknown_user(&user));
    }
    if to < from {
        return Err(Problem::invalid("to must not be before from"));
    }
    if !st.types.is_empty() && !st.types.iter().any(|t| t.id == kind) {
        return Err(Problem::invalid(format!("Unknown absenceType {kind}")));
    }
    let mut a = Absence {
        id: 0,
        user,
        from,
        to,
        status: STATUS_NEW,
        absence_type: kind,
    };
    if let Some(other) = st
        .absences
        .iter()
        .find(|o| o.user == a.user && o.status != STATUS_REJECTED && o.overlaps(&a))
    {
        return Err(Problem::new(
            st.config.overlap_status,
            "overlap",
            format!(
                "The absence overlaps absence {} of user '{}'",
                other.id, a.user
            ),
        ));
    }
    a.id = st.fresh_id();
    let body = render::absence(st, &a);
    st.absences.push(a);
    Ok((Reply::json(200, &body), true))
}

pub(crate) fn update(st: &mut State, id: &str, ctx: &Ctx) -> Result<(Reply, bool), Problem> {
    let i = find(st, id)?;
    let b = ctx.object()?;
    if let Some(other) = b.keys().find(|k| *k != "status") {
        return Err(Problem::invalid(format!(
            "Only status can be changed, not {other}"
        )));
    }
    let status =
        fields::int(&b, "status")?.ok_or_else(|| Problem::invalid("status is required"))?;
    let status = u8::try_from(status)
        .ok()
        .filter(|s| *s <= STATUS_REJECTED)
        .ok_or_else(|| Problem::invalid(format!("status must be 0, 1 or 2, got {status}")))?;
    st.absences[i].status = status;
    let body = render::absence(st, &st.absences[i]);
    Ok((Reply::json(200, &body), true))
}

pub(crate) fn delete(st: &mut State, id: &str) -> Result<(Reply, bool), Problem> {
    let i = find(st, id)?;
    st.absences.remove(i);
    Ok((Reply::json(200, &json!({})), true))
}

/// `GET /<absence_types_path>`: `[{"id","name","shortName"}]`, unpaged (no endpoint is
/// documented, so its shape is a guess).
pub(crate) fn types(st: &State, _ctx: &Ctx) -> Reply {
    let items: Vec<Value> = st
        .types
        .iter()
        .map(|t| json!({ "id": t.id, "name": t.name, "shortName": t.short_name }))
        .collect();
    Reply::json(200, &Value::Array(items))
}
