//! Stored items as the API renders them.
//!
//! Users carry `id`; attendances and absences carry `ID` (the docs' spelling) or `id`, as
//! configured. Unknown values are null, never missing: the lat/long fields of an attendance
//! are always null because the simulator has no locations.

use serde_json::{Value, json};

use super::model::{Absence, Attendance, User, fmt_ts};
use super::state::State;

pub(crate) fn user(u: &User) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "firstName": u.first_name,
        "lastName": u.last_name,
        "email": u.email,
        "enabled": u.enabled,
        "personalNumber": u.personal_number,
        "language": u.language,
        "admin": u.admin,
        "teamLead": u.team_lead,
    })
}

pub(crate) fn attendance(st: &State, a: &Attendance) -> Value {
    let millis = st.config.millis;
    let mut v = json!({
        "user": a.user,
        "from": fmt_ts(a.from, millis),
        "to": a.to.map(|t| fmt_ts(t, millis)),
        "notes": a.notes,
        "manual": a.manual,
        "workedMinutes": a.worked_minutes(),
        "breakMinutes": a.break_minutes,
        "latitudeStart": null,
        "longitudeStart": null,
        "latitudeEnd": null,
        "longitudeEnd": null,
    });
    v[st.config.id_field.as_str()] = json!(a.id);
    v
}

pub(crate) fn absence(st: &State, a: &Absence) -> Value {
    let kind = st.types.iter().find(|t| t.id == a.absence_type);
    let mut v = json!({
        "user": a.user,
        "user_id": st.user_named(&a.user).map(|u| u.id),
        "from": a.from.format("%Y-%m-%d").to_string(),
        "to": a.to.format("%Y-%m-%d").to_string(),
        "status": a.status,
        "absenceType": a.absence_type,
        "absenceTypeName": kind.map(|t| t.short_name.clone()),
    });
    v[st.config.id_field.as_str()] = json!(a.id);
    v
}
