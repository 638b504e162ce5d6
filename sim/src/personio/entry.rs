//! Personio's side of the shared request path ([`crate::entry`]): paths classify into a route
//! and a rate-limit group, injected failures use the v2 envelope and the rate-limit headers, and
//! the log entry carries the identification headers.

use std::time::SystemTime;

use axum::http::Method;

use super::config::RateLimit;
use super::faults::{Group, Route, classify};
use super::log::RequestRecord;
use super::ratelimit;
use super::reply::{self, Reply, title_for};
use super::state::{Ctx, State};
use crate::entry::{Api, Outcome};

impl Api for State {
    type Known = Option<Group>;

    fn classify(&self, method: &Method, path: &str) -> (Route, Option<Group>, Option<String>) {
        classify(method, path)
    }

    fn injected(&self, status: u16) -> Reply {
        reply::problem(status, title_for(status), "Injected failure")
    }

    fn throttled(&self) -> Reply {
        let limit = self.config.rate_limit.unwrap_or(RateLimit {
            capacity: 1,
            per_second: 1,
        });
        let retry = self.config.retry_after_on_429.then_some(1);
        ratelimit::too_many(limit, retry)
    }

    fn process(&mut self, ctx: &Ctx) -> (Reply, bool) {
        State::process(self, ctx)
    }

    fn record(ctx: &Ctx, at: SystemTime, outcome: Outcome) -> RequestRecord {
        let first = |a: &str, b: &str| ctx.header(a).or_else(|| ctx.header(b)).map(str::to_owned);
        let crate::record::RequestRecord {
            method,
            path,
            query,
            route,
            status,
            dropped,
            applied_write,
            at,
            headers,
            body,
        } = crate::record::RequestRecord::new(ctx, at, outcome);
        RequestRecord {
            method,
            path,
            query,
            route,
            status,
            dropped,
            applied_write,
            at,
            partner_id: first("x-personio-partner-id", "personio-partner-id"),
            app_id: first("x-personio-app-id", "personio-app-id"),
            headers,
            body,
        }
    }

    fn oversized() -> Option<Reply> {
        Some(reply::problem(
            413,
            "Payload Too Large",
            "The request body is too large",
        ))
    }
}
