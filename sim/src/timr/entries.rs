//! One working time: read, change, delete.
//!
//! Only entries that are still `running`, `paused` or `changeable` may be changed or deleted;
//! the others stand for a finished approval or month close (`sources.md` §3.5). What timr
//! answers is not documented, so the status is `TimrConfig::refuse_status` (403 by default, the
//! spec's "not allowed"). A PATCH may set any status, which is how a client locks an entry.

use serde_json::{Map, Value};

use super::model::{BreakKind, BreakTime, DeletedEntry, Timestamp, WorkingTimeStatus};
use super::query::parse_date_time;
use super::render;
use super::reply::{Problem, Reply};
use super::state::State;

fn find(st: &State, id: &str) -> Result<usize, Problem> {
    st.times.iter().position(|w| w.id == id).ok_or_else(|| {
        Problem::new(
            404,
            "request/not-found",
            format!("Working time {id} not found"),
        )
    })
}

fn refuse(st: &State, status: WorkingTimeStatus) -> Result<(), Problem> {
    if status.is_changeable() {
        return Ok(());
    }
    Err(Problem::new(
        st.config.refuse_status,
        "working-time/not-changeable",
        format!(
            "The working time is {} and cannot be changed",
            status.as_str()
        ),
    ))
}

/// `GET /working-times/{id}`.
pub(crate) fn get(st: &State, id: &str) -> Result<Reply, Problem> {
    let i = find(st, id)?;
    Ok(Reply::json(200, &render::working_time(st, &st.times[i])))
}

/// `DELETE /working-times/{id}`: the entry moves to the `:deleted` feed.
pub(crate) fn delete(st: &mut State, id: &str) -> Result<(Reply, bool), Problem> {
    let i = find(st, id)?;
    refuse(st, st.times[i].status)?;
    let gone = st.times.remove(i);
    let last_modified = st.now();
    st.deleted.push(DeletedEntry {
        id: gone.id,
        last_modified,
        last_modified_by: None,
        metadata: gone.metadata,
    });
    Ok((Reply::empty(204), true))
}

fn date_time(field: &str, v: &Value) -> Result<Timestamp, Problem> {
    v.as_str()
        .and_then(parse_date_time)
        .ok_or_else(|| Problem::invalid(field, "must be an RFC 3339 date-time with offset"))
}

fn opt_date_time(field: &str, v: &Value) -> Result<Option<Timestamp>, Problem> {
    match v {
        Value::Null => Ok(None),
        v => date_time(field, v).map(Some),
    }
}

fn break_time(v: &Value) -> Result<BreakTime, Problem> {
    let field = "break_times";
    let kind = v["type"].as_str().and_then(BreakKind::parse);
    match kind {
        Some(BreakKind::Manual) => {
            let minutes = v["duration_minutes"]
                .as_i64()
                .filter(|m| *m >= 0)
                .ok_or_else(|| Problem::invalid(field, "a manual break needs duration_minutes"))?;
            Ok(BreakTime {
                kind: BreakKind::Manual,
                duration_minutes: Some(minutes),
                start: opt_date_time(field, &v["start"])?,
                end: opt_date_time(field, &v["end"])?,
            })
        }
        Some(BreakKind::Ongoing) => Ok(BreakTime {
            kind: BreakKind::Ongoing,
            duration_minutes: None,
            start: Some(date_time(field, &v["start"])?),
            end: None,
        }),
        _ => Err(Problem::invalid(
            field,
            "a break's type must be manual or ongoing (automatic is read-only)",
        )),
    }
}

/// `PATCH /working-times/{id}` with a `WorkingTimeUpdate` body.
pub(crate) fn patch(st: &mut State, id: &str, body: &[u8]) -> Result<(Reply, bool), Problem> {
    let i = find(st, id)?;
    refuse(st, st.times[i].status)?;
    let body: Map<String, Value> = serde_json::from_slice(body).map_err(|e| {
        Problem::new(
            400,
            "request/invalid-body",
            format!("Body is not a JSON object: {e}"),
        )
    })?;
    let mut w = st.times[i].clone();
    for (key, v) in &body {
        let bad = |msg: &str| Problem::invalid(key, msg.to_owned());
        match key.as_str() {
            "start" => w.start = date_time(key, v)?,
            "end" => w.end = opt_date_time(key, v)?,
            "break_times" => {
                let list = v.as_array().ok_or_else(|| bad("must be an array"))?;
                w.break_times = list.iter().map(break_time).collect::<Result<_, _>>()?;
            }
            "changed" => w.changed = v.as_bool().ok_or_else(|| bad("must be a boolean"))?,
            "notes" => match v {
                Value::Null => w.notes = None,
                Value::String(s) => w.notes = Some(s.clone()),
                _ => return Err(bad("must be a string or null")),
            },
            "status" => {
                w.status = v
                    .as_str()
                    .and_then(WorkingTimeStatus::parse)
                    .ok_or_else(|| bad("not a WorkingTimeStatus"))?;
            }
            "working_time_type_id" => {
                let t = v.as_str().ok_or_else(|| bad("must be a string"))?;
                if !st.types.iter().any(|ty| ty.id == t) {
                    return Err(bad("unknown working time type"));
                }
                w.working_time_type_id = t.to_owned();
            }
            "metadata" => match v {
                Value::Null | Value::Object(_) => {
                    w.metadata = Some(v.clone()).filter(|v| !v.is_null())
                }
                _ => return Err(bad("must be an object or null")),
            },
            "duration_type" => {
                if !matches!(v, Value::Null)
                    && !matches!(v.as_str(), Some("minutes" | "full_day" | "half_day"))
                {
                    return Err(bad("not a DurationType"));
                }
            }
            "start_location" | "end_location" => {
                if !(v.is_null() || v.is_object()) {
                    return Err(bad("must be a Location or null"));
                }
            }
            _ => return Err(bad("unknown property of WorkingTimeUpdate")),
        }
    }
    match (w.status.is_open(), w.end) {
        (true, Some(_)) => {
            return Err(Problem::invalid(
                "end",
                "a running or paused entry has no end",
            ));
        }
        (false, None) => return Err(Problem::invalid("end", "a finished entry needs an end")),
        (false, Some(end)) if end <= w.start => {
            return Err(Problem::invalid("end", "end must be after start"));
        }
        (false, Some(end)) if w.break_minutes() > (end - w.start).num_minutes() => {
            return Err(Problem::invalid(
                "break_times",
                "breaks are longer than the entry",
            ));
        }
        _ => {}
    }
    if w.end.is_some() && w.end_platform.is_none() {
        w.end_platform = Some("timr_api".to_owned());
    }
    w.last_modified = st.now();
    w.last_modified_by = None;
    let out = render::working_time(st, &w);
    st.times[i] = w;
    Ok((Reply::json(200, &out), true))
}
