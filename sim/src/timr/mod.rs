//! A simulated timr API (spec 0.2.14) on a loopback port.
//!
//! zeitpost will read working times from timr and lock what it has passed on to Personio. The
//! paths that matter most there (a second page, an entry deleted between runs, a lost answer to a
//! lock, an expired token, a client bug in query encoding) cannot be produced on the real SaaS on
//! demand. This server follows `sources.md` §3 and the published OpenAPI document, checks queries
//! as strictly as the spec declares them, and turns what both leave open into switches of
//! [`TimrConfig`]. See `sim/README.md` for which behaviour rests on which source.
//!
//! The server runs on its own thread with its own tokio runtime, so synchronous tests, async
//! tests and tests of a child process can all talk to it.

mod auth;
mod config;
mod entries;
mod entry;
mod faults;
mod lists;
mod log;
mod model;
mod paging;
mod query;
mod render;
mod reply;
mod routes;
mod state;

use std::time::Duration;

pub use config::{ErrorShape, TimrConfig};
pub use faults::Fault;
pub use log::{RequestRecord, Stats};
pub use model::{
    BreakKind, BreakTime, Category, DeletedEntry, EditUnit, RecordingMode, SubCategory, Timestamp,
    User, WorkingTime, WorkingTimeStatus, WorkingTimeType, fmt_ts, ts,
};
pub use routes::{API_PREFIX, OPERATIONS, Operation, Route, TOKEN_PATH};

use crate::server::{Server, account_methods};
use state::State;

/// A running simulator. Dropping it stops the server.
pub struct TimrSim {
    server: Server<State>,
}

impl TimrSim {
    /// Starts the server on `127.0.0.1:0`; returns once it accepts connections.
    ///
    /// # Panics
    /// When no loopback port can be bound or the runtime cannot be built.
    pub fn start(config: TimrConfig) -> TimrSim {
        TimrSim {
            server: Server::start("timr", |origin| State::new(config, origin.to_owned())),
        }
    }

    /// `http://127.0.0.1:PORT/v0.2/`, like the real `https://api.timr.com/v0.2/`.
    pub fn base_url(&self) -> String {
        format!("{}{API_PREFIX}/", self.server.origin())
    }

    /// `http://127.0.0.1:PORT/id/oauth2/token`, like `https://system.timr.com/id/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.server.origin())
    }

    /// Adds a user (see [`User::new`]); returns its id.
    pub fn add_user(&self, mut user: User) -> String {
        user.id = uuid::Uuid::new_v4().to_string();
        let id = user.id.clone();
        self.server.lock().users.push(user);
        id
    }

    /// All users, in the order added.
    pub fn users(&self) -> Vec<User> {
        self.server.lock().users.clone()
    }

    /// Adds a minute-based working time type; returns its id.
    pub fn add_working_time_type(
        &self,
        name: &str,
        short_name: Option<&str>,
        external_id: Option<&str>,
        category: Category,
    ) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.server.lock().types.push(WorkingTimeType {
            id: id.clone(),
            name: name.to_owned(),
            short_name: short_name.map(str::to_owned),
            description: None,
            external_id: external_id.map(str::to_owned),
            category,
            sub_category: None,
            edit_unit: EditUnit::Minutes,
            recording_mode_user: None,
            archived: false,
        });
        id
    }

    /// Changes a working time type in place; false when the id is unknown.
    pub fn update_working_time_type(&self, id: &str, f: impl FnOnce(&mut WorkingTimeType)) -> bool {
        let mut st = self.server.lock();
        st.types.iter_mut().find(|t| t.id == id).map(f).is_some()
    }

    /// Adds a working time as if recorded in timr (see [`WorkingTime::new`]); returns its id.
    /// `last_modified` is the simulated now, `last_modified_by` the entry's user.
    pub fn add_working_time(&self, mut entry: WorkingTime) -> String {
        let mut st = self.server.lock();
        entry.id = uuid::Uuid::new_v4().to_string();
        entry.last_modified = st.now();
        entry.last_modified_by = Some(entry.user_id.clone());
        let id = entry.id.clone();
        st.times.push(entry);
        id
    }

    /// Changes a working time as if edited by its user in timr (no checks); stamps
    /// `last_modified`. False when the id is unknown.
    pub fn update_working_time(&self, id: &str, f: impl FnOnce(&mut WorkingTime)) -> bool {
        let mut st = self.server.lock();
        let now = st.now();
        match st.times.iter_mut().find(|w| w.id == id) {
            Some(w) => {
                f(w);
                w.last_modified = now;
                w.last_modified_by = Some(w.user_id.clone());
                true
            }
            None => false,
        }
    }

    /// Deletes a working time as if by its user in timr; it shows up in `/working-times:deleted`.
    /// False when the id is unknown.
    pub fn delete_working_time(&self, id: &str) -> bool {
        let mut st = self.server.lock();
        let Some(i) = st.times.iter().position(|w| w.id == id) else {
            return false;
        };
        let gone = st.times.remove(i);
        let last_modified = st.now();
        st.deleted.push(DeletedEntry {
            id: gone.id,
            last_modified,
            last_modified_by: Some(gone.user_id),
            metadata: gone.metadata,
        });
        true
    }

    /// All working times, in the order added.
    pub fn working_times(&self) -> Vec<WorkingTime> {
        self.server.lock().times.clone()
    }

    /// One working time.
    pub fn working_time(&self, id: &str) -> Option<WorkingTime> {
        self.server
            .lock()
            .times
            .iter()
            .find(|w| w.id == id)
            .cloned()
    }

    /// The deleted feed, in order of deletion.
    pub fn deleted_working_times(&self) -> Vec<DeletedEntry> {
        self.server.lock().deleted.clone()
    }

    /// Freezes the simulated time (used for every `last_modified`) at an RFC 3339 instant.
    pub fn set_clock(&self, now: &str) {
        self.server.lock().clock = Some(ts(now));
    }

    /// Moves a frozen clock on (freezing it at the real time first if it was running).
    pub fn advance_clock(&self, by: Duration) {
        let mut st = self.server.lock();
        let now = st.now();
        st.clock = Some(now + chrono::TimeDelta::from_std(by).expect("duration in range"));
    }

    /// Lets the simulated time follow the real clock again.
    pub fn use_real_clock(&self) {
        self.server.lock().clock = None;
    }

    /// The simulated time now.
    pub fn now(&self) -> Timestamp {
        self.server.lock().now()
    }

    /// Invalidates every token issued so far: their next use gets 401.
    pub fn expire_tokens(&self) {
        self.server.lock().tokens.clear();
    }

    account_methods!(TimrConfig);
}
