//! Reading the JSON body of a create or a change.
//!
//! The documented 400s (`personio-v2-breaks.md` §2): "Invalid JSON", "Invalid type field",
//! "Missing required parameters", "Invalid start field". A field that is absent is `Absent`;
//! one sent as `null` is `Null`, which a change uses to clear it.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::model::PeriodType;
use super::query::parse_local;
use super::reply::{self, Reply};
use super::state::Ctx;

/// A field of a partial body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field<T> {
    Absent,
    Null,
    Set(T),
}

/// The fields of a create or change body.
#[derive(Debug)]
pub(crate) struct Fields {
    pub person: Field<String>,
    pub kind: Field<PeriodType>,
    pub start: Field<NaiveDateTime>,
    pub end: Field<NaiveDateTime>,
    pub comment: Field<String>,
    pub project: Field<String>,
}

impl Fields {
    /// Whether nothing was sent.
    pub fn is_empty(&self) -> bool {
        matches!(self.person, Field::Absent)
            && matches!(self.kind, Field::Absent)
            && matches!(self.start, Field::Absent)
            && matches!(self.end, Field::Absent)
            && matches!(self.comment, Field::Absent)
            && matches!(self.project, Field::Absent)
    }
}

fn bad(title: &str, detail: &str) -> Reply {
    reply::problem(400, title, detail)
}

/// Checks the content type and parses the body.
pub(crate) fn read(ctx: &Ctx) -> Result<Fields, Reply> {
    let obj = object(ctx)?;
    Ok(Fields {
        person: id_field(&obj, "person")?,
        kind: match obj.get("type") {
            None => Field::Absent,
            Some(Value::Null) => Field::Null,
            Some(v) => match v.as_str().and_then(PeriodType::parse) {
                Some(k) => Field::Set(k),
                None => return Err(bad("Invalid type field", "type must be WORK or BREAK")),
            },
        },
        start: time_field(&obj, "start")?,
        end: time_field(&obj, "end")?,
        comment: text_field(&obj, "comment")?,
        project: id_field(&obj, "project")?,
    })
}

/// Checks the content type and parses the body as one JSON object.
pub(crate) fn object(ctx: &Ctx) -> Result<Map<String, Value>, Reply> {
    let json = ctx.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json {
        return Err(reply::problem(
            415,
            "Unsupported Media Type",
            "The request body must be application/json",
        ));
    }
    let value: Value = serde_json::from_slice(ctx.body).map_err(|e| {
        bad(
            "Invalid JSON",
            &format!("The request body is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(obj) = value else {
        return Err(bad(
            "Invalid JSON",
            "The request body must be a JSON object",
        ));
    };
    Ok(obj)
}

/// A string field; `null` clears it.
pub(crate) fn text_field(obj: &Map<String, Value>, name: &str) -> Result<Field<String>, Reply> {
    match obj.get(name) {
        None => Ok(Field::Absent),
        Some(Value::Null) => Ok(Field::Null),
        Some(Value::String(s)) => Ok(Field::Set(s.clone())),
        Some(_) => Err(bad(
            &format!("Invalid {name} field"),
            &format!("{name} must be a string"),
        )),
    }
}

/// `{"id": "..."}` (a number is taken as its decimal string).
pub(crate) fn id_field(obj: &Map<String, Value>, name: &str) -> Result<Field<String>, Reply> {
    let invalid = || {
        bad(
            &format!("Invalid {name} field"),
            &format!("{name} must be an object with an id"),
        )
    };
    match obj.get(name) {
        None => Ok(Field::Absent),
        Some(Value::Null) => Ok(Field::Null),
        Some(Value::Object(o)) => match o.get("id") {
            Some(Value::String(s)) if !s.is_empty() => Ok(Field::Set(s.clone())),
            Some(Value::Number(n)) => Ok(Field::Set(n.to_string())),
            None | Some(Value::Null) => Ok(Field::Null),
            Some(_) => Err(invalid()),
        },
        Some(_) => Err(invalid()),
    }
}

/// `{"date_time": "YYYY-MM-DDTHH:MM:SS"}`, local, no offset.
pub(crate) fn time_field(
    obj: &Map<String, Value>,
    name: &str,
) -> Result<Field<NaiveDateTime>, Reply> {
    let invalid = || {
        bad(
            &format!("Invalid {name} field"),
            &format!("{name}.date_time must be a local date-time YYYY-MM-DDTHH:MM:SS"),
        )
    };
    match obj.get(name) {
        None => Ok(Field::Absent),
        Some(Value::Null) => Ok(Field::Null),
        Some(Value::Object(o)) => match o.get("date_time") {
            None | Some(Value::Null) => Ok(Field::Null),
            Some(Value::String(s)) => parse_local(s).map(Field::Set).ok_or_else(invalid),
            Some(_) => Err(invalid()),
        },
        Some(_) => Err(invalid()),
    }
}
