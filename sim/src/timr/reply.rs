//! timr's errors, on the shared [`Reply`].
//!
//! Spec 0.2.14 defines errors as `{"code","message"}`; a newer API answers RFC 9457 problem
//! documents. Every API error goes through [`error`], which renders whichever shape the config
//! asks for, so a client can be tested against both.

use axum::http::StatusCode;
use serde_json::json;

use super::config::ErrorShape;
pub(crate) use crate::reply::Reply;

/// What went wrong, with the field it concerns (a query parameter or body property).
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub status: u16,
    pub slug: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl Problem {
    pub fn new(status: u16, slug: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            status,
            slug,
            message: message.into(),
            field: None,
        }
    }

    /// A 400 about one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Problem {
        Problem {
            field: Some(field.to_owned()),
            ..Problem::new(400, "validation/invalid-field", message)
        }
    }
}

/// An API error in the configured shape. Codes are `E0` + status: the real codes are not
/// documented, so clients must not depend on them.
pub(crate) fn error(shape: ErrorShape, p: &Problem) -> Reply {
    let (content_type, body) = match shape {
        ErrorShape::Spec => (
            "application/json",
            json!({ "code": format!("E0{}", p.status), "message": p.message }),
        ),
        ErrorShape::Problem => {
            let mut body = json!({
                "type": format!("https://errors.timr.com/{}", p.slug),
                "title": title(p.status),
                "status": p.status,
                "detail": p.message,
            });
            if let Some(field) = &p.field {
                body["errors"] = json!([{ "field": field, "detail": p.message }]);
            }
            ("application/problem+json", body)
        }
    };
    let mut reply = Reply::json(p.status, &body);
    reply.content_type = Some(content_type);
    reply
}

/// The reason phrase of a status, as a problem title.
pub(crate) fn title(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}
