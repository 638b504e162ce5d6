//! `/users` (`sources.md` §4.2).
//!
//! Choices where the docs are silent: PUT ignores `enabled` and `username` (the docs say they
//! cannot be changed, a client sending the whole user back must not fail); DELETE deactivates a
//! user who has attendances or absences (the vendor says accounts with time entries cannot be
//! deleted) and removes one who has none.

use serde_json::{Value, json};

use super::fields::{self, Body};
use super::model::User;
use super::paging;
use super::render;
use super::reply::{Problem, Reply};
use super::state::{Ctx, State};

pub(crate) fn list(st: &State, ctx: &Ctx) -> Result<Reply, Problem> {
    let wanted = ctx.query.get("username");
    let items: Vec<Value> = st
        .users
        .iter()
        .filter(|u| wanted.is_none_or(|w| u.username == w))
        .map(render::user)
        .collect();
    paging::page(st, &ctx.query, items)
}

fn find(st: &State, id: &str) -> Result<usize, Problem> {
    st.users
        .iter()
        .position(|u| id.parse::<u64>().is_ok_and(|n| n == u.id))
        .ok_or_else(|| Problem::not_found("User", id))
}

pub(crate) fn get(st: &State, id: &str) -> Result<Reply, Problem> {
    let i = find(st, id)?;
    Ok(Reply::json(200, &render::user(&st.users[i])))
}

pub(crate) fn create(st: &mut State, ctx: &Ctx) -> Result<(Reply, bool), Problem> {
    let b = ctx.object()?;
    let username = fields::required(&b, "username")?;
    let mut user = User::new(
        &username,
        &fields::required(&b, "firstName")?,
        &fields::required(&b, "lastName")?,
        &fields::required(&b, "email")?,
    );
    user.password = fields::required(&b, "password")?;
    apply_optional(&mut user, &b)?;
    if st.user_named(&username).is_some() {
        return Err(Problem::new(
            st.config.duplicate_user_status,
            "duplicate_username",
            format!("Username '{username}' is already taken"),
        ));
    }
    user.id = st.fresh_id();
    let body = render::user(&user);
    st.users.push(user);
    Ok((Reply::json(200, &body), true))
}

/// The fields a PUT may change, besides names and e-mail.
fn apply_optional(user: &mut User, b: &Body) -> Result<(), Problem> {
    if let Some(v) = fields::text(b, "personalNumber")? {
        user.personal_number = Some(v);
    }
    if let Some(v) = fields::text(b, "language")? {
        user.language = Some(v);
    }
    if let Some(v) = fields::flag(b, "admin")? {
        user.admin = v;
    }
    if let Some(v) = fields::flag(b, "teamLead")? {
        user.team_lead = v;
    }
    Ok(())
}

pub(crate) fn update(st: &mut State, id: &str, ctx: &Ctx) -> Result<(Reply, bool), Problem> {
    let i = find(st, id)?;
    let b = ctx.object()?;
    let mut user = st.users[i].clone();
    let non_empty = |key: &str| -> Result<Option<String>, Problem> {
        match fields::text(&b, key)? {
            Some(s) if s.trim().is_empty() => Err(Problem::invalid(format!("{key} is empty"))),
            v => Ok(v),
        }
    };
    if let Some(v) = non_empty("firstName")? {
        user.first_name = v;
    }
    if let Some(v) = non_empty("lastName")? {
        user.last_name = v;
    }
    if let Some(v) = non_empty("email")? {
        user.email = v;
    }
    if let Some(v) = non_empty("password")? {
        user.password = v;
    }
    apply_optional(&mut user, &b)?;
    let body = render::user(&user);
    st.users[i] = user;
    Ok((Reply::json(200, &body), true))
}

pub(crate) fn delete(st: &mut State, id: &str) -> Result<(Reply, bool), Problem> {
    let i = find(st, id)?;
    let name = st.users[i].username.clone();
    let has_entries =
        st.attendances.iter().any(|a| a.user == name) || st.absences.iter().any(|a| a.user == name);
    if has_entries {
        st.users[i].enabled = false;
    } else {
        st.users.remove(i);
    }
    Ok((Reply::json(200, &json!({})), true))
}
