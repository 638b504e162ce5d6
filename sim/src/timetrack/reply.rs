//! TimeTrack's errors, on the shared [`Reply`].
//!
//! TimeTrack documents no error format, so every API error goes through [`error`], which
//! renders the shape the config asks for.

use serde_json::json;

use super::config::ErrorShape;
pub(crate) use crate::reply::Reply;

/// What went wrong.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub status: u16,
    pub slug: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(status: u16, slug: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            status,
            slug,
            message: message.into(),
        }
    }

    /// A 400 about the request's content.
    pub fn invalid(message: impl Into<String>) -> Problem {
        Problem::new(400, "invalid_request", message)
    }

    /// A 404 for an id that does not exist.
    pub fn not_found(what: &str, id: &str) -> Problem {
        Problem::new(404, "not_found", format!("{what} {id} not found"))
    }
}

/// An API error in the configured shape.
pub(crate) fn error(shape: ErrorShape, p: &Problem) -> Reply {
    match shape {
        ErrorShape::Json => {
            Reply::json(p.status, &json!({ "error": p.slug, "message": p.message }))
        }
        ErrorShape::PlainText => Reply {
            status: p.status,
            headers: Vec::new(),
            content_type: Some("text/plain; charset=utf-8"),
            body: p.message.clone(),
        },
        ErrorShape::Empty => Reply::empty(p.status),
    }
}
