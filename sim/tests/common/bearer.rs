//! Requests authenticated with an OAuth bearer token, as Personio and timr want them.
//!
//! Kept apart from `wire` because TimeTrack authenticates with an API key pair instead; a test
//! binary that includes this file names the shared exchange `wire` at its root.

use std::io;

use serde_json::Value;

use crate::wire::{Resp, exchange};

/// An authenticated request to an absolute `url`; the body, if any, goes as JSON.
pub fn bearer_call(
    method: &str,
    url: &str,
    token: &str,
    body: Option<&Value>,
    announce_empty: bool,
) -> io::Result<Resp> {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("Authorization", auth.as_str())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let text = body.map(Value::to_string);
    exchange(method, url, &headers, text.as_deref(), announce_empty)
}
