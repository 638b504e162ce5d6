//! The simulated account and the order in which a request is checked.
//!
//! Authentication first, then the strict query check of the operation, then the endpoint.
//! Everything runs under one lock, so each request sees and leaves a consistent account.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DurationRound, TimeDelta, Utc};

use super::config::TimrConfig;
use super::faults::FaultQueue;
use super::log::RequestRecord;
use super::model::{DeletedEntry, Timestamp, User, WorkingTime, WorkingTimeType};
use super::query::TimrParams;
use super::reply::{self, Problem, Reply};
use super::routes::{Route, operation};
use super::{auth, entries, lists};
use crate::server::Account;

/// Everything the simulator holds.
#[derive(Debug)]
pub(crate) struct State {
    pub config: TimrConfig,
    pub origin: String,
    pub users: Vec<User>,
    pub types: Vec<WorkingTimeType>,
    pub times: Vec<WorkingTime>,
    pub deleted: Vec<DeletedEntry>,
    pub tokens: HashMap<String, Instant>,
    pub faults: FaultQueue,
    pub log: Vec<RequestRecord>,
    pub clock: Option<Timestamp>,
}

impl Account for State {
    type Route = Route;
    type Record = RequestRecord;
    type Config = TimrConfig;

    fn faults(&mut self) -> &mut FaultQueue {
        &mut self.faults
    }

    fn log(&mut self) -> &mut Vec<RequestRecord> {
        &mut self.log
    }

    fn config(&mut self) -> &mut TimrConfig {
        &mut self.config
    }
}

/// One request, read in full (see [`crate::entry::Ctx`]).
pub(crate) type Ctx<'a> = crate::entry::Ctx<'a, Route, bool>;

impl Ctx<'_> {}

impl State {
    pub fn new(config: TimrConfig, origin: String) -> State {
        State {
            config,
            origin,
            users: Vec::new(),
            types: Vec::new(),
            times: Vec::new(),
            deleted: Vec::new(),
            tokens: HashMap::new(),
            faults: FaultQueue::default(),
            log: Vec::new(),
            clock: None,
        }
    }

    /// The simulated time: the set clock, else the real time in UTC to the millisecond.
    pub fn now(&self) -> Timestamp {
        self.clock.unwrap_or_else(|| {
            let now = Utc::now();
            now.duration_trunc(TimeDelta::milliseconds(1))
                .unwrap_or(now)
                .fixed_offset()
        })
    }

    /// An error in the configured shape.
    pub fn err(&self, p: &Problem) -> Reply {
        reply::error(self.config.error_shape, p)
    }

    /// Answers a request; the flag tells whether stored working times changed.
    pub fn process(&mut self, ctx: &Ctx) -> (Reply, bool) {
        let op = match ctx.route {
            Route::Token => return (auth::issue(self, ctx), false),
            Route::Unknown | Route::Any => return (self.err(&no_route(ctx)), false),
            route => operation(route).expect("every API route has an operation"),
        };
        if let Err(reply) = auth::check(self, ctx) {
            return (reply, false);
        }
        if let Err(p) = ctx.query.check(op) {
            return (self.err(&p), false);
        }
        let id = ctx.id.as_deref().unwrap_or_default();
        let result = match ctx.route {
            Route::Users => lists::users(self, ctx).map(|r| (r, false)),
            Route::WorkingTimeTypes => lists::types(self, ctx).map(|r| (r, false)),
            Route::ListWorkingTimes => lists::working_times(self, ctx).map(|r| (r, false)),
            Route::DeletedWorkingTimes => lists::deleted(self, ctx).map(|r| (r, false)),
            Route::GetWorkingTime => entries::get(self, id).map(|r| (r, false)),
            Route::PatchWorkingTime => entries::patch(self, id, ctx.body),
            _ => entries::delete(self, id),
        };
        result.unwrap_or_else(|p| (self.err(&p), false))
    }
}

/// 405 on a known path with another method (including operations of the spec that are not
/// simulated, such as `POST /working-times`), 404 elsewhere.
fn no_route(ctx: &Ctx) -> Problem {
    if ctx.known {
        Problem::new(
            405,
            "request/method-not-allowed",
            format!(
                "{} is not supported on {} by the simulator",
                ctx.method, ctx.path
            ),
        )
    } else {
        Problem::new(
            404,
            "request/not-found",
            format!("No endpoint at {}", ctx.path),
        )
    }
}
