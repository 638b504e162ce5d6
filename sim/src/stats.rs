//! Counts over a simulator's request log.
//!
//! Most assertions about a client are counts ("one token fetch", "no write after the 429"), so
//! they are worked out once here rather than by every test.

use std::collections::BTreeMap;

use crate::fault::RouteKind;
use crate::record::RequestRecord;

/// What a log entry contributes to the counts.
pub(crate) trait Counted<R> {
    /// Route kind, answered status, whether it changed data, whether the answer was lost.
    fn outcome(&self) -> (R, u16, bool, bool);
}

impl<R: Copy> Counted<R> for RequestRecord<R> {
    fn outcome(&self) -> (R, u16, bool, bool) {
        (self.route, self.status, self.applied_write, self.dropped)
    }
}

/// Counts over the request log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats<R> {
    /// All requests.
    pub requests: u64,
    /// Requests per route kind.
    pub by_route: BTreeMap<R, u64>,
    /// Requests per answered status (0: dropped without applying).
    pub by_status: BTreeMap<u16, u64>,
    /// Requests per route kind and status.
    pub by_route_status: BTreeMap<(R, u16), u64>,
    /// Answers with 429.
    pub rate_limited: u64,
    /// Requests that changed stored data (dropped ones included).
    pub writes: u64,
    /// Connections closed instead of answering.
    pub dropped: u64,
}

impl<R> Default for Stats<R> {
    fn default() -> Self {
        Stats {
            requests: 0,
            by_route: BTreeMap::new(),
            by_status: BTreeMap::new(),
            by_route_status: BTreeMap::new(),
            rate_limited: 0,
            writes: 0,
            dropped: 0,
        }
    }
}

impl<R: RouteKind> Stats<R> {
    pub(crate) fn from_log<E: Counted<R>>(log: &[E]) -> Stats<R> {
        let mut s = Stats::default();
        for entry in log {
            let (route, status, applied, dropped) = entry.outcome();
            s.requests += 1;
            *s.by_route.entry(route).or_default() += 1;
            *s.by_status.entry(status).or_default() += 1;
            *s.by_route_status.entry((route, status)).or_default() += 1;
            s.rate_limited += u64::from(status == 429);
            s.writes += u64::from(applied);
            s.dropped += u64::from(dropped);
        }
        s
    }

    /// Requests of one route kind (`Route::Any`: all).
    pub fn count(&self, route: R) -> u64 {
        if route == R::ANY {
            return self.requests;
        }
        self.by_route.get(&route).copied().unwrap_or(0)
    }

    /// Requests of one route kind answered with `status` (`Route::Any`: all routes).
    pub fn count_status(&self, route: R, status: u16) -> u64 {
        let counts = if route == R::ANY {
            self.by_status.get(&status)
        } else {
            self.by_route_status.get(&(route, status))
        };
        counts.copied().unwrap_or(0)
    }
}
