//! Personio's errors, on the shared [`Reply`].
//!
//! Every v2 error uses the problem+json envelope of `personio-api.md` §7.2; the token endpoint
//! alone answers in the OAuth2 shape (§1.2).

use serde_json::json;

use super::model::fmt_instant;
pub(crate) use crate::reply::Reply;

/// The v2 error envelope with one error.
pub(crate) fn problem(status: u16, title: &str, detail: &str) -> Reply {
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
pub(crate) fn invalid_query(detail: &str) -> Reply {
    problem(400, "Invalid request content.", detail)
}

/// 404 for an unknown resource.
pub(crate) fn not_found(detail: &str) -> Reply {
    problem(404, "Resource not found", detail)
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
