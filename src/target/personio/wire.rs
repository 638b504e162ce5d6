//! Personio v2 JSON, read tolerantly: fields not known to be always present are optional,
//! and the create answer's id is looked for where each known shape puts it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct Page<T> {
    #[serde(rename = "_data", default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(rename = "_meta", default)]
    pub meta: Option<Meta>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub links: Option<Links>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Links {
    #[serde(default)]
    pub next: Option<Link>,
}

#[derive(Debug, Deserialize)]
pub struct Link {
    pub href: Option<String>,
}

impl<T> Page<T> {
    pub fn next(&self) -> Option<&str> {
        self.meta
            .as_ref()?
            .links
            .as_ref()?
            .next
            .as_ref()?
            .href
            .as_deref()
            .filter(|h| !h.is_empty())
    }
}

#[derive(Debug, Deserialize)]
pub struct Person {
    pub id: Value,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// `ACTIVE` or `INACTIVE`; missing when the credentials may not read attributes.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub department: Option<Value>,
    #[serde(default)]
    pub employments: Vec<Value>,
}

impl Person {
    /// The department, wherever this answer carries it: v2 documents none, so look at the
    /// person itself and at its employments, as a name or an object with a name.
    pub fn department(&self) -> Option<String> {
        let name = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
            _ => None,
        };
        self.department
            .as_ref()
            .and_then(name)
            .or_else(|| {
                self.employments
                    .iter()
                    .find_map(|e| e.get("department").and_then(name))
            })
            .filter(|d| !d.trim().is_empty())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApprovalRef {
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AbsencePeriod {
    pub id: Value,
    pub person: IdRef,
    #[serde(default)]
    pub absence_type: Option<IdRef>,
    pub starts_from: DateTimeRef,
    #[serde(default)]
    pub ends_at: Option<DateTimeRef>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub approval: Option<ApprovalRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AbsenceType {
    pub id: Value,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IdRef {
    pub id: Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DateTimeRef {
    pub date_time: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AttendancePeriod {
    pub id: Value,
    pub person: IdRef,
    #[serde(rename = "type")]
    pub kind: String,
    pub start: DateTimeRef,
    #[serde(default)]
    pub end: Option<DateTimeRef>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub approval: Option<ApprovalRef>,
}

#[derive(Debug, Serialize)]
pub struct NewPeriod<'a> {
    pub person: PersonRef<'a>,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub start: At,
    pub end: At,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct PersonRef<'a> {
    pub id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct At {
    pub date_time: String,
}

/// A local date-time `YYYY-MM-DDTHH:MM:SS`; anything after the seconds (a fraction, an
/// offset) is ignored, since Personio's local times carry none.
pub fn local_date_time(s: &str) -> Option<chrono::NaiveDateTime> {
    chrono::NaiveDateTime::parse_from_str(s.get(..19)?, "%Y-%m-%dT%H:%M:%S").ok()
}

/// A JSON id as a string, whether sent as a string or a number.
pub fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The new period's id from a 201 body: top-level `id`, else `_data.id`, else `data.id`.
pub fn created_id(body: &Value) -> Option<String> {
    body.get("id")
        .and_then(id_text)
        .or_else(|| {
            body.get("_data")
                .and_then(|d| d.get("id"))
                .and_then(id_text)
        })
        .or_else(|| body.get("data").and_then(|d| d.get("id")).and_then(id_text))
}

/// Other periods Personio changed while creating one, if it says so.
pub fn affected_periods(body: &Value, own_id: &str) -> Vec<String> {
    body.get("affected_periods")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|p| p.get("id").and_then(id_text))
                .filter(|id| id != own_id)
                .collect()
        })
        .unwrap_or_default()
}

/// The first error's title and detail from a v2 problem body, or an OAuth error body.
pub fn error_message(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return body.chars().take(200).collect();
    };
    if let Some(e) = v
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        let title = e.get("title").and_then(Value::as_str).unwrap_or("");
        let detail = e.get("detail").and_then(Value::as_str).unwrap_or("");
        let trace = v.get("personio_trace_id").and_then(Value::as_str);
        let mut m = match (title, detail) {
            ("", d) => d.to_string(),
            (t, "") => t.to_string(),
            (t, d) => format!("{t}: {d}"),
        };
        if let Some(t) = trace {
            m.push_str(&format!(" (trace {t})"));
        }
        return m;
    }
    if let Some(e) = v.get("error") {
        if let Some(s) = e.as_str() {
            let d = v
                .get("error_description")
                .and_then(Value::as_str)
                .unwrap_or("");
            return format!("{s} {d}").trim().to_string();
        }
        if let Some(m) = e.get("message").and_then(Value::as_str) {
            return m.to_string();
        }
    }
    body.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_created_id_is_found_in_every_known_shape() {
        assert_eq!(
            created_id(&json!({"id": "a", "affected_periods": []})).as_deref(),
            Some("a")
        );
        assert_eq!(
            created_id(&json!({"_data": {"id": "b"}})).as_deref(),
            Some("b")
        );
        assert_eq!(
            created_id(&json!({"data": {"id": 7}})).as_deref(),
            Some("7")
        );
        assert_eq!(created_id(&json!({"nothing": 1})), None);
        let body = json!({"id": "a", "affected_periods": [{"id": "a"}, {"id": "n"}]});
        assert_eq!(affected_periods(&body, "a"), ["n"]);
    }

    #[test]
    fn error_bodies_become_one_line() {
        let v2 = r#"{"personio_trace_id":"t1","timestamp":"x","errors":[{"title":"Insufficient access scope","detail":"Client scope insufficient","type":"u","_meta":{}}]}"#;
        assert_eq!(
            error_message(v2),
            "Insufficient access scope: Client scope insufficient (trace t1)"
        );
        assert_eq!(
            error_message(r#"{"error":"invalid_client","error_description":"bad"}"#),
            "invalid_client bad"
        );
        assert_eq!(
            error_message(r#"{"success":false,"error":{"message":"Wrong credentials","code":0}}"#),
            "Wrong credentials"
        );
        assert_eq!(error_message("<html>"), "<html>");
    }

    #[test]
    fn pages_follow_next_links_when_present() {
        let p: Page<Person> = serde_json::from_value(json!({"_data": [{"id": "1", "email": "a@x.de"}], "_meta": {"links": {"next": {"href": "https://x/v2/persons?cursor=c"}}}})).unwrap();
        assert_eq!(p.next(), Some("https://x/v2/persons?cursor=c"));
        let last: Page<Person> = serde_json::from_value(
            json!({"_data": [], "_meta": {"links": {"self": {"href": "s"}}}}),
        )
        .unwrap();
        assert_eq!(last.next(), None);
    }
}
