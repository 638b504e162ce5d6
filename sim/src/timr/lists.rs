//! The four list endpoints and their filters, as spec 0.2.14 names them.
//!
//! Where the spec says only "filter by name", text filters match a case-insensitive substring;
//! date filters are inclusive and compare the calendar date of `start` in its own offset.

use serde_json::Value;

use super::model::{Category, EditUnit, RecordingMode, SubCategory, Timestamp, WorkingTimeStatus};
use super::paging::{self, SortKey};
use super::query::TimrParams;
use super::render;
use super::reply::{Problem, Reply};
use super::state::{Ctx, State};

fn contains(hay: Option<&str>, needle: Option<&str>) -> bool {
    match needle {
        None => true,
        Some(n) => hay.is_some_and(|h| h.to_lowercase().contains(&n.to_lowercase())),
    }
}

/// A sort key component that orders instants correctly across offsets.
fn instant_key(t: &Timestamp) -> String {
    format!("{:020}", t.timestamp_micros())
}

fn url(st: &State, ctx: &Ctx) -> String {
    format!("{}{}", st.origin, ctx.path)
}

/// `GET /users`.
pub(crate) fn users(st: &State, ctx: &Ctx) -> Result<Reply, Problem> {
    let q = &ctx.query;
    let paging = paging::read(q, &["name"])?;
    let (entry_from, entry_to) = (q.date("entry_date_from")?, q.date("entry_date_to")?);
    let (resign_from, resign_to) = (q.date("resign_date_from")?, q.date("resign_date_to")?);
    let resigned = q.boolean("resigned")?;
    let today = st.now().date_naive();
    let within = |d: Option<chrono::NaiveDate>, from: Option<_>, to: Option<_>| {
        (from.is_none() && to.is_none())
            || d.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t))
    };
    let items: Vec<(SortKey, Value)> = st
        .users
        .iter()
        .filter(|u| contains(Some(&u.fullname()), q.get("name")))
        .filter(|u| within(u.entry_date, entry_from, entry_to))
        .filter(|u| within(u.resign_date, resign_from, resign_to))
        .filter(|u| resigned.is_none_or(|r| u.is_resigned(today) == r))
        .filter(|u| {
            q.get("employee_number")
                .is_none_or(|n| u.employee_number.as_deref() == Some(n))
        })
        .map(|u| {
            let key = vec![
                u.lastname.to_lowercase(),
                u.firstname.to_lowercase(),
                u.id.clone(),
            ];
            (key, render::user(st, u))
        })
        .collect();
    Ok(paging.apply(items, &url(st, ctx)))
}

/// `GET /working-time-types`.
pub(crate) fn types(st: &State, ctx: &Ctx) -> Result<Reply, Problem> {
    let q = &ctx.query;
    let paging = paging::read(q, &["name"])?;
    let categories = q.enums("categories", Category::parse)?;
    let subs = q.enums("sub_categories", SubCategory::parse)?;
    let units = q.enums("edit_units", EditUnit::parse)?;
    let modes = q.enums("recording_modes", RecordingMode::parse)?;
    let archived = q.boolean("archived")?;
    let items = st
        .types
        .iter()
        .filter(|t| contains(Some(&t.name), q.get("name")))
        .filter(|t| contains(t.short_name.as_deref(), q.get("short_name")))
        .filter(|t| contains(t.description.as_deref(), q.get("description")))
        .filter(|t| categories.is_empty() || categories.contains(&t.category))
        .filter(|t| subs.is_empty() || t.sub_category.is_some_and(|s| subs.contains(&s)))
        .filter(|t| units.is_empty() || units.contains(&t.edit_unit))
        .filter(|t| modes.is_empty() || t.recording_mode_user.is_some_and(|m| modes.contains(&m)))
        .filter(|t| archived.is_none_or(|a| t.archived == a))
        .map(|t| {
            (
                vec![t.name.to_lowercase(), t.id.clone()],
                render::working_time_type(t),
            )
        })
        .collect();
    Ok(paging.apply(items, &url(st, ctx)))
}

/// `GET /working-times`.
pub(crate) fn working_times(st: &State, ctx: &Ctx) -> Result<Reply, Problem> {
    let q = &ctx.query;
    let paging = paging::read(q, &["start", "last_modified"])?;
    let (from, to) = (q.date("start_from")?, q.date("start_to")?);
    let after = q.date_time("last_modified_after")?;
    let type_ids = q.all("working_time_types");
    let categories = q.enums("working_time_type_categories", Category::parse)?;
    let statuses = q.enums("statuses", WorkingTimeStatus::parse)?;
    let users = q.all("users");
    let changed = q.boolean("changed")?;
    let category_of = |type_id: &str| {
        st.types
            .iter()
            .find(|t| t.id == type_id)
            .map(|t| t.category)
    };
    let by_last_modified = paging.sort_by == "last_modified";
    let items = st
        .times
        .iter()
        .filter(|w| contains(w.notes.as_deref(), q.get("notes")))
        .filter(|w| from.is_none_or(|d| w.start.date_naive() >= d))
        .filter(|w| to.is_none_or(|d| w.start.date_naive() <= d))
        .filter(|w| after.is_none_or(|a| w.last_modified > a))
        .filter(|w| type_ids.is_empty() || type_ids.contains(&w.working_time_type_id.as_str()))
        .filter(|w| {
            categories.is_empty()
                || category_of(&w.working_time_type_id).is_some_and(|c| categories.contains(&c))
        })
        .filter(|w| statuses.is_empty() || statuses.contains(&w.status))
        .filter(|w| users.is_empty() || users.contains(&w.user_id.as_str()))
        .filter(|w| changed.is_none_or(|c| w.changed == c))
        .map(|w| {
            let at = if by_last_modified {
                &w.last_modified
            } else {
                &w.start
            };
            (
                vec![instant_key(at), w.id.clone()],
                render::working_time(st, w),
            )
        })
        .collect();
    Ok(paging.apply(items, &url(st, ctx)))
}

/// `GET /working-times:deleted`.
pub(crate) fn deleted(st: &State, ctx: &Ctx) -> Result<Reply, Problem> {
    let q = &ctx.query;
    let paging = paging::read(q, &["last_modified"])?;
    let after = q.date_time("last_modified")?;
    let items = st
        .deleted
        .iter()
        .filter(|d| after.is_none_or(|a| d.last_modified > a))
        .map(|d| {
            (
                vec![instant_key(&d.last_modified), d.id.clone()],
                render::deleted(st, d),
            )
        })
        .collect();
    Ok(paging.apply(items, &url(st, ctx)))
}
