//! The simulated account and the order in which a request is checked.
//!
//! Like a gateway in front of the service: rate limit first, then authentication and scope,
//! then the endpoint. Everything runs under one lock, so each request sees and leaves a
//! consistent account.

use std::collections::HashMap;
use std::time::Instant;

use super::absences::{self, Absence, AbsenceType};
use super::auth::{self, Token};
use super::config::PersonioConfig;
use super::faults::{FaultQueue, Group, Route};
use super::log::RequestRecord;
use super::model::{Period, Person};
use super::ratelimit::{self, Buckets};
use super::reply::{self, Reply};
use super::{absence_writes, periods, person_writes, persons, writes};
use crate::server::Account;

/// Everything the simulator holds.
#[derive(Debug)]
pub(crate) struct State {
    pub config: PersonioConfig,
    pub base_url: String,
    pub persons: Vec<Person>,
    pub periods: Vec<Period>,
    pub absences: Vec<Absence>,
    pub absence_types: Vec<AbsenceType>,
    pub tokens: HashMap<String, Token>,
    pub faults: FaultQueue,
    pub log: Vec<RequestRecord>,
    pub buckets: Buckets,
    pub next_person: u64,
    pub next_absence_type: u64,
}

impl Account for State {
    type Route = Route;
    type Record = RequestRecord;
    type Config = PersonioConfig;

    fn faults(&mut self) -> &mut FaultQueue {
        &mut self.faults
    }

    fn log(&mut self) -> &mut Vec<RequestRecord> {
        &mut self.log
    }

    fn config(&mut self) -> &mut PersonioConfig {
        &mut self.config
    }
}

/// One request, read in full (see [`crate::entry::Ctx`]).
pub(crate) type Ctx<'a> = crate::entry::Ctx<'a, Route, Option<Group>>;

impl Ctx<'_> {}

impl State {
    pub fn new(config: PersonioConfig, base_url: String) -> State {
        State {
            config,
            base_url,
            persons: Vec::new(),
            periods: Vec::new(),
            absences: Vec::new(),
            absence_types: Vec::new(),
            tokens: HashMap::new(),
            faults: FaultQueue::default(),
            log: Vec::new(),
            buckets: Buckets::default(),
            next_person: 1001,
            next_absence_type: 5001,
        }
    }

    /// A link target: absolute or relative per `absolute_links`.
    pub fn href(&self, path_and_query: &str) -> String {
        if self.config.absolute_links {
            format!("{}{}", self.base_url, path_and_query)
        } else {
            path_and_query.to_owned()
        }
    }

    /// Answers a request; the flag tells whether stored periods changed.
    pub fn process(&mut self, ctx: &Ctx) -> (Reply, bool) {
        let mut limit_headers = None;
        if let (Some(group), Some(limit)) = (ctx.known, self.config.rate_limit) {
            let v = self.buckets.take(group, limit, Instant::now());
            if !v.allowed {
                let retry = self.config.retry_after_on_429.then_some(v.retry_after);
                return (ratelimit::too_many(limit, retry), false);
            }
            limit_headers = Some((limit, v.remaining));
        }
        let (reply, applied) = self.route(ctx);
        let reply = match limit_headers {
            Some((limit, remaining)) => ratelimit::with_headers(reply, limit, remaining),
            None => reply,
        };
        (reply, applied)
    }

    fn route(&mut self, ctx: &Ctx) -> (Reply, bool) {
        match ctx.route {
            Route::Token => (auth::issue(self, ctx), false),
            Route::Unknown | Route::Any => (no_route(ctx), false),
            // Without person writes these paths do not exist at all: 404 before auth.
            Route::CreatePerson | Route::PatchPerson if !self.config.person_writes => (
                reply::not_found(&format!("No endpoint at {}", ctx.path)),
                false,
            ),
            _ => match auth::check(self, ctx) {
                Err(reply) => (reply, false),
                Ok(()) => self.endpoint(ctx),
            },
        }
    }

    fn endpoint(&mut self, ctx: &Ctx) -> (Reply, bool) {
        match ctx.route {
            Route::Persons => (persons::list(self, ctx), false),
            Route::ListPeriods => (periods::list(self, ctx), false),
            Route::GetPeriod => (periods::get(self, ctx), false),
            Route::CreatePeriod => writes::create(self, ctx),
            Route::PatchPeriod => writes::patch(self, ctx),
            Route::DeletePeriod => writes::delete(self, ctx),
            Route::CreatePerson => person_writes::create(self, ctx),
            Route::PatchPerson => person_writes::patch(self, ctx),
            Route::ListAbsences => (absences::list(self, ctx), false),
            Route::GetAbsence => (absences::get(self, ctx), false),
            Route::AbsenceTypes => (absences::types(self, ctx), false),
            Route::CreateAbsence => absence_writes::create(self, ctx),
            Route::PatchAbsence => absence_writes::patch(self, ctx),
            Route::DeleteAbsence => absence_writes::delete(self, ctx),
            Route::Token | Route::Unknown | Route::Any => (no_route(ctx), false),
        }
    }
}

/// 405 on a known path with another method, 404 elsewhere.
fn no_route(ctx: &Ctx) -> Reply {
    match ctx.known {
        Some(_) => reply::problem(
            405,
            "Method Not Allowed",
            &format!("{} is not supported on {}", ctx.method, ctx.path),
        ),
        None => reply::not_found(&format!("No endpoint at {}", ctx.path)),
    }
}
