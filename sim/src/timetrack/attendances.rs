//! `/attendances` (`sources.md` §4.2): time entries without a project.
//!
//! Choices where the docs are silent: the list keeps entries whose `from` lies in
//! `[from, to)`; the user filter's name is a switch (§6.14); a write naming an unknown user
//! gets `unknown_user_status`; an entry that shares any instant with another of the same user
//! (an open entry runs for ever) gets `overlap_status`; `manual` defaults to true for entries
//! made through the API; create and update answer 200 with the stored item.

use serde_json::{Value, json};

use super::config::UserFilter;
use super::fields;
use super::model::Attendance;
use super::paging;
use super::query::TimeTrackParams;
use super::render;
use super::reply::{Problem, Reply};
use super::state::{Ctx, State};

pub(crate) fn list(st: &State, ctx: &Ctx) -> Result<Reply, Problem> {
    let q = &ctx.query;
    let from = q.ts("from")?;
    let to = q.ts("to")?;
    let names: &[&str] = match st.config.user_filter {
        UserFilter::User => &["user"],
        UserFilter::Username => &["username"],
        UserFilter::Both => &["user", "username"],
    };
    let wanted: Vec<&str> = names.iter().filter_map(|n| q.get(n)).collect();
    let items: Vec<Value> = st
        .attendances
        .iter()
        .filter(|a| wanted.iter().all(|w| a.user == *w))
        .filter(|a| from.is_none_or(|f| a.from >= f) && to.is_none_or(|t| a.from < t))
        .map(|a| render::attendance(st, a))
        .collect();
    paging::page(st, q, items)
}

fn find(st: &State, id: &str) -> Result<usize, Problem> {
    st.attendances
        .iter()
        .position(|a| id.parse::<u64>().is_ok_and(|n| n == a.id))
        .ok_or_else(|| Problem::not_found("Attendance", id))
}

pub(crate) fn get(st: &State, id: &str) -> Result<Reply, Problem> {
    let i = find(st, id)?;
    Ok(Reply::json(
        200,
        &render::attendance(st, &st.attendances[i]),
    ))
}

/// Applies a body's fields over `a`.
fn apply(st: &State, a: &mut Attendance, ctx: &Ctx) -> Result<(), Problem> {
    let b = ctx.object()?;
    if let Some(user) = fields::username(&b)? {
        a.user = user;
    }
    if let Some(from) = fields::ts(&b, "from")? {
        a.from = from;
    }
    if b.contains_key("to") {
        a.to = fields::ts(&b, "to")?;
    }
    if let Some(m) = fields::int(&b, "breakMinutes")? {
        a.break_minutes = u32::try_from(m)
            .map_err(|_| Problem::invalid("breakMinutes must be a non-negative integer"))?;
    }
    if b.contains_key("notes") {
        a.notes = fields::text(&b, "notes")?;
    }
    if let Some(m) = fields::flag(&b, "manual")? {
        a.manual = m;
    }
    if st.user_named(&a.user).is_none() {
        return Err(st.unknown_user(&a.user));
    }
    if let Some(to) = a.to {
        if to <= a.from {
            return Err(Problem::invalid("to must be after from"));
        }
        if (to - a.from).num_minutes() < i64::from(a.break_minutes) {
            return Err(Problem::invalid("breakMinutes is longer than the entry"));
        }
    }
    if let Some(other) = st
        .attendances
        .iter()
        .find(|o| o.id != a.id && o.user == a.user && o.overlaps(a))
    {
        return Err(Problem::new(
            st.config.overlap_status,
            "overlap",
            format!(
                "The attendance overlaps attendance {} of user '{}'",
                other.id, a.user
            ),
        ));
    }
    Ok(())
}

pub(crate) fn create(st: &mut State, ctx: &Ctx) -> Result<(Reply, bool), Problem> {
    let b = ctx.object()?;
    let user = fields::username(&b)?.ok_or_else(|| Problem::invalid("user is required"))?;
    let from = fields::ts(&b, "from")?.ok_or_else(|| Problem::invalid("from is required"))?;
    let mut a = Attendance {
        id: 0,
        user,
        from,
        to: None,
        break_minutes: 0,
        notes: None,
        manual: true,
    };
    apply(st, &mut a, ctx)?;
    a.id = st.fresh_id();
    let body = render::attendance(st, &a);
    st.attendances.push(a);
    Ok((Reply::json(200, &body), true))
}

pub(crate) fn update(st: &mut State, id: &str, ctx: &Ctx) -> Result<(Reply, bool), Problem> {
    let i = find(st, id)?;
    let mut a = st.attendances[i].clone();
    apply(st, &mut a, ctx)?;
    let body = render::attendance(st, &a);
    st.attendances[i] = a;
    Ok((Reply::json(200, &body), true))
}

pub(crate) fn delete(st: &mut State, id: &str) -> Result<(Reply, bool), Problem> {
    let i = find(st, id)?;
    st.attendances.remove(i);
    Ok((Reply::json(200, &json!({})), true))
}
