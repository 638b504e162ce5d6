//! Responses as plain data, built under the state lock and turned into HTTP at the edge.
//!
//! Spec 0.2.14 defines errors as `{"code","message"}`; a newer API answers RFC 9457 problem
//! documents. Every API error goes through `Reply::error`, which renders whichever shape the
//! config asks for, so a client can be tested against both.

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

    /// An API error in the configured shape. Codes are `E0` + status: the real codes are not
    /// documented, so clients must not depend on them.
    pub fn error(shape: ErrorShape, p: &Problem) -> Reply {
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

    /// The OAuth2 error body of the token endpoint.
    pub fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
        Reply::json(
            status,
            &json!({ "error": error, "error_description": description }),
        )
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

/// The reason phrase of a status, as a problem title.
pub(crate) fn title(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}
