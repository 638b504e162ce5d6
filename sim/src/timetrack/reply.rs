//! Responses as plain data, built under the state lock and turned into HTTP at the edge.
//!
//! TimeTrack documents no error format, so every API error goes through [`Reply::error`],
//! which renders the shape the config asks for.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use serde_json::{Value, json};

use super::config::ErrorShape;

/// A response before it becomes HTTP.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub content_type: Option<&'static str>,
    pub body: String,
}

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

impl Reply {
    /// `application/json` with the given body.
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            content_type: Some("application/json"),
            body: body.to_string(),
        }
    }

    /// No body.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            content_type: None,
            body: String::new(),
        }
    }

    /// An API error in the configured shape.
    pub fn error(shape: ErrorShape, p: &Problem) -> Reply {
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

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP response.
    pub fn into_response(self) -> Response<Body> {
        let mut resp = Response::new(Body::from(self.body));
        *resp.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = resp.headers_mut();
        if let Some(ct) = self.content_type {
            headers.insert("content-type", HeaderValue::from_static(ct));
        }
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.append(HeaderName::from_static(name), value);
            }
        }
        resp
    }
}
