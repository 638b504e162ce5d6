//! What a simulator saw: one record per request.
//!
//! Tests assert on a client's behaviour through this log: how often it authenticated, whether it
//! backed off after a 429, which query and headers it really sent.

use std::time::SystemTime;

use axum::http::HeaderMap;

use crate::entry::{Ctx, Outcome};

/// One request as the simulator saw it.
#[derive(Debug, Clone)]
pub struct RequestRecord<R> {
    /// `GET`, `PATCH`, ...
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The raw query string, exactly as sent (may be empty).
    pub query: String,
    /// Route kind.
    pub route: R,
    /// Status of the answer; for `Fault::ApplyThenDrop` the one that would have been sent, for
    /// `Fault::Drop` 0.
    pub status: u16,
    /// The connection was closed instead of answering.
    pub dropped: bool,
    /// The request changed stored data.
    pub applied_write: bool,
    /// When the request arrived.
    pub at: SystemTime,
    /// All request headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The request body (lossy UTF-8).
    pub body: String,
}

impl<R: Copy> RequestRecord<R> {
    pub(crate) fn new<K>(ctx: &Ctx<'_, R, K>, at: SystemTime, outcome: Outcome) -> Self {
        RequestRecord {
            method: ctx.method.to_string(),
            path: ctx.path.to_owned(),
            query: ctx.raw_query.to_owned(),
            route: ctx.route,
            status: outcome.status,
            dropped: outcome.dropped,
            applied_write: outcome.applied_write,
            at,
            headers: headers(ctx.headers),
            body: String::from_utf8_lossy(ctx.body).into_owned(),
        }
    }
}

impl<R> RequestRecord<R> {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// The first value of a header in a recorded list (name in any case).
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    headers
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
}

/// Every header as text, so a test can read even the ones that are not valid UTF-8.
pub(crate) fn headers(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}
