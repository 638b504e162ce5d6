//! Responses as plain data, built under the state lock and turned into HTTP at the edge.
//!
//! Every v2 error uses the problem+json envelope of `personio-api.md` §7.2; the token endpoint
//! alone answers in the OAuth2 shape (§1.2).

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use serde_json::{Value, json};

use super::model::fmt_instant;

/// A response before it becomes HTTP.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub content_type: Option<&'static str>,
    pub body: String,
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

    /// No body (204).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            content_type: None,
            body: String::new(),
        }
    }

    /// The v2 error envelope with one error.
    pub fn problem(status: u16, title: &str, detail: &str) -> Reply {
        let body = json!({
            "personio_trace_id": uuid::Uuid::new_v4().to_string(),
            "timestamp": fmt_instant(super::model::now_secs()),
            "errors": [{
                "title": title,
                "detail": detail,
                "type": format!(
                    "https://developer.personio.de/v2.0/page/public-api-error-codes#{}",
                    anchor(status)
                ),
                "_meta": {},
            }],
        });
        Reply {
            status,
            headers: Vec::new(),
            content_type: Some("application/problem+json"),
            body: body.to_string(),
        }
    }

    /// 400 "Invalid request content." for a query the API cannot read.
    pub fn invalid_query(detail: &str) -> Reply {
        Reply::problem(400, "Invalid request content.", detail)
    }

    /// 404 for an unknown resource.
    pub fn not_found(detail: &str) -> Reply {
        Reply::problem(404, "Resource not found", detail)
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

/// The anchor of the error-code page, in the style of the documented 403 example.
fn anchor(status: u16) -> &'static str {
    match status {
        400 => "commonbadrequest",
        401 => "commonunauthorized",
        403 => "commonforbidden",
        404 => "commonrequested_resource_not_found",
        405 => "commonmethodnotallowed",
        409 => "commonconflict",
        415 => "commonunsupportedmediatype",
        422 => "commonunprocessableentity",
        429 => "commontoomanyrequests",
        502 => "commonbad_gateway",
        503 => "commonservice_unavailable",
        504 => "commongateway_timeout",
        _ => "commoninternal_server_error",
    }
}

/// A title for an injected status.
pub(crate) fn title_for(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Resource not found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}
