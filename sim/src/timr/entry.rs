//! timr's side of the shared request path ([`crate::entry`]): how paths are classified, how
//! injected failures and the log entry look.

use std::time::SystemTime;

use axum::http::Method;

use super::log::RequestRecord;
use super::reply::{Problem, Reply};
use super::routes::{Route, classify};
use super::state::{Ctx, State};
use crate::entry::{Api, Outcome};

impl Api for State {
    type Known = bool;

    fn classify(&self, method: &Method, path: &str) -> (Route, bool, Option<String>) {
        classify(method, path)
    }

    fn injected(&self, status: u16) -> Reply {
        self.err(&Problem::new(
            status,
            "simulator/injected",
            "Injected failure",
        ))
    }

    fn throttled(&self) -> Reply {
        let p = Problem::new(429, "request/too-many-requests", "Too many requests");
        let reply = self.err(&p);
        match self.config.retry_after {
            Some(secs) => reply.with_header("retry-after", secs.to_string()),
            None => reply,
        }
    }

    fn process(&mut self, ctx: &Ctx) -> (Reply, bool) {
        State::process(self, ctx)
    }

    fn record(ctx: &Ctx, at: SystemTime, outcome: Outcome) -> RequestRecord {
        RequestRecord::new(ctx, at, outcome)
    }
}
