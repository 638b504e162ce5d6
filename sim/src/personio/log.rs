//! What the simulator saw: one record per request, and counts derived from them.
//!
//! Besides what every simulator records ([`crate::record`]), Personio's record carries the
//! identification headers of §1.3, read the way Personio reads them, so tests can assert on
//! them directly; the counts are the shared ones ([`crate::stats`]).

use std::time::SystemTime;

use super::faults::Route;
use crate::stats::Counted;

/// One request as the simulator saw it.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The raw query string (may be empty).
    pub query: String,
    /// Route kind.
    pub route: Route,
    /// Status of the answer. For `Fault::ApplyThenDrop` the status that would have been sent;
    /// for `Fault::Drop` 0.
    pub status: u16,
    /// The connection was closed instead of answering.
    pub dropped: bool,
    /// The request changed stored periods.
    pub applied_write: bool,
    /// When the request arrived.
    pub at: SystemTime,
    /// `X-Personio-Partner-ID`, else `Personio-Partner-ID`.
    pub partner_id: Option<String>,
    /// `X-Personio-App-ID`, else `Personio-App-ID`.
    pub app_id: Option<String>,
    /// All request headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The request body (lossy UTF-8).
    pub body: String,
}

impl RequestRecord {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::record::header(&self.headers, name)
    }
}

impl Counted<Route> for RequestRecord {
    fn outcome(&self) -> (Route, u16, bool, bool) {
        (self.route, self.status, self.applied_write, self.dropped)
    }
}

/// Counts over the request log.
pub type Stats = crate::stats::Stats<Route>;
