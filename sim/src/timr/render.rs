//! Stored data as the spec's response schemas.
//!
//! Every property the spec marks as required is present (null where the simulator has no
//! value), so a client's decoder meets the same shapes as on the real API.

use serde_json::{Value, json};

use super::model::{BreakKind, DeletedEntry, User, WorkingTime, WorkingTimeType, fmt_ts};
use super::state::State;

/// `UserPartial`; an unknown id renders with nulls.
pub(crate) fn user_partial(st: &State, id: &str) -> Value {
    match st.users.iter().find(|u| u.id == id) {
        Some(u) => json!({
            "id": u.id,
            "firstname": u.firstname,
            "lastname": u.lastname,
            "fullname": u.fullname(),
            "email": u.email,
            "employee_number": u.employee_number,
            "external_id": u.external_id,
        }),
        None => json!({
            "id": id, "firstname": null, "lastname": null, "fullname": null,
            "email": null, "employee_number": null, "external_id": null,
        }),
    }
}

/// `User`.
pub(crate) fn user(st: &State, u: &User) -> Value {
    let mut v = user_partial(st, &u.id);
    v["login"] = json!(u.email.clone().unwrap_or_else(|| u.id.clone()));
    v["entry_date"] = json!(u.entry_date.map(|d| d.to_string()));
    v["resign_date"] = json!(u.resign_date.map(|d| d.to_string()));
    v["work_schedule_model"] = Value::Null;
    v["metadata"] = json!(u.metadata);
    v
}

/// `WorkingTimeType`.
pub(crate) fn working_time_type(t: &WorkingTimeType) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "short_name": t.short_name,
        "description": t.description,
        "external_id": t.external_id,
        "edit_unit": t.edit_unit.as_str(),
        "category": t.category.as_str(),
        "sub_category": t.sub_category.map(|s| s.as_str()),
        "recording_mode_user": t.recording_mode_user.map(|m| m.as_str()),
        "non_creditable_deductible": null,
        "compensation_deductible": null,
        "archived": t.archived,
        "requires_substitute": false,
        "automatic_break_deduction_policy": "deduction_allowed",
    })
}

/// `WorkingTime`.
pub(crate) fn working_time(st: &State, w: &WorkingTime) -> Value {
    let ty = st.types.iter().find(|t| t.id == w.working_time_type_id);
    let breaks: Vec<Value> = w
        .break_times
        .iter()
        .map(|b| match b.kind {
            BreakKind::Ongoing => json!({
                "type": "ongoing",
                "start": b.start.as_ref().map(fmt_ts),
            }),
            kind => json!({
                "type": kind.as_str(),
                "duration_minutes": b.duration_minutes,
                "start": b.start.as_ref().map(fmt_ts),
                "end": b.end.as_ref().map(fmt_ts),
            }),
        })
        .collect();
    let duration = w.end.map(|end| {
        let minutes = (end - w.start).num_minutes() - w.break_minutes();
        json!({ "type": "minutes", "minutes": minutes, "minutes_rounded": minutes })
    });
    json!({
        "id": w.id,
        "start": fmt_ts(&w.start),
        "end": w.end.as_ref().map(fmt_ts),
        "break_time_total_minutes": w.break_minutes(),
        "break_times": breaks,
        "duration": duration,
        "changed": w.changed,
        "notes": w.notes,
        "user": user_partial(st, &w.user_id),
        "working_time_type": {
            "id": w.working_time_type_id,
            "name": ty.map(|t| t.name.clone()),
            "external_id": ty.and_then(|t| t.external_id.clone()),
        },
        "working_time_date_span": null,
        "working_time_request": null,
        "start_location": null,
        "end_location": null,
        "start_platform": w.start_platform,
        "end_platform": w.end_platform,
        "last_modified": fmt_ts(&w.last_modified),
        "last_modified_by": w.last_modified_by.as_deref().map(|id| user_partial(st, id)),
        "status": w.status.as_str(),
        "metadata": w.metadata,
    })
}

/// `DeletedEntryWithMetadata`.
pub(crate) fn deleted(st: &State, d: &DeletedEntry) -> Value {
    json!({
        "id": d.id,
        "last_modified": fmt_ts(&d.last_modified),
        "last_modified_by": d.last_modified_by.as_deref().map(|id| user_partial(st, id)),
        "metadata": d.metadata,
    })
}
