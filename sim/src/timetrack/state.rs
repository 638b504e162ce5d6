//! The simulated account and the order in which a request is checked.
//!
//! Rate limit (if switched on), then the two credential headers, then the endpoint. Everything
//! runs under one lock, so each request sees and leaves a consistent account.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::config::TimeTrackConfig;
use super::faults::FaultQueue;
use super::log::RequestRecord;
use super::model::{Absence, AbsenceType, Attendance, User};
use super::reply::{self, Problem, Reply};
use super::routes::Route;
use super::{absences, attendances, users};
use crate::server::Account;

/// Everything the simulator holds.
#[derive(Debug)]
pub(crate) struct State {
    pub config: TimeTrackConfig,
    pub users: Vec<User>,
    pub attendances: Vec<Attendance>,
    pub absences: Vec<Absence>,
    pub types: Vec<AbsenceType>,
    pub next_id: u64,
    pub faults: FaultQueue,
    pub log: Vec<RequestRecord>,
    /// Arrival times within the last second, for the optional rate limit.
    pub recent: VecDeque<Instant>,
}

impl Account for State {
    type Route = Route;
    type Record = RequestRecord;
    type Config = TimeTrackConfig;

    fn faults(&mut self) -> &mut FaultQueue {
        &mut self.faults
    }

    fn log(&mut self) -> &mut Vec<RequestRecord> {
        &mut self.log
    }

    fn config(&mut self) -> &mut TimeTrackConfig {
        &mut self.config
    }
}

/// One request, read in full (see [`crate::entry::Ctx`]).
pub(crate) type Ctx<'a> = crate::entry::Ctx<'a, Route, bool>;

impl Ctx<'_> {
    /// The body as a JSON object; an empty body counts as `{}`.
    pub fn object(&self) -> Result<Map<String, Value>, Problem> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(Problem::invalid("The body must be a JSON object")),
            Err(e) => Err(Problem::invalid(format!("The body is not JSON: {e}"))),
        }
    }
}

impl State {
    pub fn new(config: TimeTrackConfig) -> State {
        State {
            config,
            users: Vec::new(),
            attendances: Vec::new(),
            absences: Vec::new(),
            types: Vec::new(),
            next_id: 1,
            faults: FaultQueue::default(),
            log: Vec::new(),
            recent: VecDeque::new(),
        }
    }

    /// A fresh id; ids are shared by all resources, like database sequences often are not,
    /// so a client that mixes them up is caught.
    pub fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// An error in the configured shape.
    pub fn err(&self, p: &Problem) -> Reply {
        reply::error(self.config.error_shape, p)
    }

    /// A 429 in the configured shape, with `Retry-After` when configured.
    pub fn too_many(&self) -> Reply {
        let p = Problem::new(429, "too_many_requests", "Too many requests");
        let reply = self.err(&p);
        match self.config.retry_after {
            Some(secs) => reply.with_header("retry-after", secs.to_string()),
            None => reply,
        }
    }

    /// Counts the request against the optional per-second limit.
    fn over_limit(&mut self) -> bool {
        let Some(limit) = self.config.rate_limit else {
            return false;
        };
        let now = Instant::now();
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= limit as usize {
            return true;
        }
        self.recent.push_back(now);
        false
    }

    /// Answers a request; the flag tells whether stored data changed.
    pub fn process(&mut self, ctx: &Ctx) -> (Reply, bool) {
        if self.over_limit() {
            return (self.too_many(), false);
        }
        let key_ok = ctx.header("x-timetrack-api-key") == Some(self.config.api_key.as_str());
        let secret_ok =
            ctx.header("x-timetrack-api-secret") == Some(self.config.api_secret.as_str());
        if !key_ok || !secret_ok {
            let p = Problem::new(
                401,
                "unauthorized",
                "X-TimeTrack-Api-Key or X-TimeTrack-Api-Secret is missing or invalid",
            );
            return (self.err(&p), false);
        }
        let id = ctx.id.as_deref().unwrap_or_default();
        let result = match ctx.route {
            Route::Users => users::list(self, ctx).map(|r| (r, false)),
            Route::GetUser => users::get(self, id).map(|r| (r, false)),
            Route::CreateUser => users::create(self, ctx),
            Route::UpdateUser => users::update(self, id, ctx),
            Route::DeleteUser => users::delete(self, id),
            Route::Attendances => attendances::list(self, ctx).map(|r| (r, false)),
            Route::GetAttendance => attendances::get(self, id).map(|r| (r, false)),
            Route::CreateAttendance => attendances::create(self, ctx),
            Route::UpdateAttendance => attendances::update(self, id, ctx),
            Route::DeleteAttendance => attendances::delete(self, id),
            Route::Absences => absences::list(self, ctx).map(|r| (r, false)),
            Route::GetAbsence => absences::get(self, id).map(|r| (r, false)),
            Route::CreateAbsence => absences::create(self, ctx),
            Route::UpdateAbsence => absences::update(self, id, ctx),
            Route::DeleteAbsence => absences::delete(self, id),
            Route::AbsenceTypes => Ok((absences::types(self, ctx), false)),
            Route::Unknown | Route::Any => Err(no_route(ctx)),
        };
        result.unwrap_or_else(|p| (self.err(&p), false))
    }

    /// The user with this username.
    pub fn user_named(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// A 400/404 (configurable) for a write naming a username that does not exist.
    pub fn unknown_user(&self, username: &str) -> Problem {
        Problem::new(
            self.config.unknown_user_status,
            "unknown_user",
            format!("User '{username}' does not exist"),
        )
    }
}

/// 405 on a known path with another method, 404 elsewhere.
fn no_route(ctx: &Ctx) -> Problem {
    if ctx.known {
        Problem::new(
            405,
            "method_not_allowed",
            format!("{} is not supported on {}", ctx.method, ctx.path),
        )
    } else {
        Problem::new(404, "not_found", format!("No endpoint at {}", ctx.path))
    }
}
