//! What the simulator saw: one record per request, and counts over them.
//!
//! Tests assert on a client's behaviour through this log: whether it sent both credential headers, whether
//! it backed off after a 429, which query it really sent.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::routes::Route;

/// One request as the simulator saw it.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// `GET`, `PATCH`, ...
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The raw query string, exactly as sent (may be empty).
    pub query: String,
    /// Route kind.
    pub route: Route,
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

impl RequestRecord {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Counts over the request log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// All requests.
    pub requests: u64,
    /// Requests per route kind.
    pub by_route: BTreeMap<Route, u64>,
    /// Requests per route kind and status.
    pub by_route_status: BTreeMap<(Route, u16), u64>,
    /// Answers with 429.
    pub rate_limited: u64,
    /// Requests that changed stored data (dropped ones included).
    pub writes: u64,
    /// Connections closed instead of answering.
    pub dropped: u64,
}

impl Stats {
    pub(crate) fn from_log(log: &[RequestRecord]) -> Stats {
        let mut s = Stats::default();
        for r in log {
            s.requests += 1;
            *s.by_route.entry(r.route).or_default() += 1;
            *s.by_route_status.entry((r.route, r.status)).or_default() += 1;
            s.rate_limited += u64::from(r.status == 429);
            s.writes += u64::from(r.applied_write);
            s.dropped += u64::from(r.dropped);
        }
        s
    }

    /// Requests of one route kind (`Route::Any`: all).
    pub fn count(&self, route: Route) -> u64 {
        match route {
            Route::Any => self.requests,
            r => self.by_route.get(&r).copied().unwrap_or(0),
        }
    }

    /// Requests of one route kind answered with `status` (`Route::Any`: all routes).
    pub fn count_status(&self, route: Route, status: u16) -> u64 {
        self.by_route_status
            .iter()
            .filter(|((r, s), _)| route.matches(*r) && *s == status)
            .map(|(_, n)| n)
            .sum()
    }
}
