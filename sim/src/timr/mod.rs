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
mod faults;
mod lists;
mod log;
mod model;
mod net;
mod paging;
mod query;
mod render;
mod reply;
mod routes;
mod state;

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use tokio::sync::oneshot;

pub use config::{ErrorShape, TimrConfig};
pub use faults::Fault;
pub use log::{RequestRecord, Stats};
pub use model::{
    BreakKind, BreakTime, Category, DeletedEntry, EditUnit, RecordingMode, SubCategory, Timestamp,
    User, WorkingTime, WorkingTimeStatus, WorkingTimeType, fmt_ts, ts,
};
pub use routes::{API_PREFIX, OPERATIONS, Operation, Route, TOKEN_PATH};

use crate::net::{Kill, KillListener};
use net::{Shared, lock};
use state::State;

/// A running simulator. Dropping it stops the server.
pub struct TimrSim {
    shared: Shared,
    origin: String,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TimrSim {
    /// Starts the server on `127.0.0.1:0`; returns once it accepts connections.
    ///
    /// # Panics
    /// When no loopback port can be bound or the runtime cannot be built.
    pub fn start(config: TimrConfig) -> TimrSim {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let origin = format!("http://{addr}");
        let shared: Shared = Arc::new(Mutex::new(State::new(config, origin.clone())));
        let (shutdown, stop) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let server_state = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("timr-sim-{}", addr.port()))
            .spawn(move || serve(listener, server_state, stop, ready_tx))
            .expect("spawn simulator thread");
        ready_rx.recv().expect("simulator failed to start");
        TimrSim {
            shared,
            origin,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/v0.2/`, like the real `https://api.timr.com/v0.2/`.
    pub fn base_url(&self) -> String {
        format!("{}{API_PREFIX}/", self.origin)
    }

    /// `http://127.0.0.1:PORT/id/oauth2/token`, like `https://system.timr.com/id/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.origin)
    }

    /// Adds a user (see [`User::new`]); returns its id.
    pub fn add_user(&self, mut user: User) -> String {
        user.id = uuid::Uuid::new_v4().to_string();
        let id = user.id.clone();
        lock(&self.shared).users.push(user);
        id
    }

    /// All users, in the order added.
    pub fn users(&self) -> Vec<User> {
        lock(&self.shared).users.clone()
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
        lock(&self.shared).types.push(WorkingTimeType {
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
        let mut st = lock(&self.shared);
        st.types.iter_mut().find(|t| t.id == id).map(f).is_some()
    }

    /// Adds a working time as if recorded in timr (see [`WorkingTime::new`]); returns its id.
    /// `last_modified` is the simulated now, `last_modified_by` the entry's user.
    pub fn add_working_time(&self, mut entry: WorkingTime) -> String {
        let mut st = lock(&self.shared);
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
        let mut st = lock(&self.shared);
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
        let mut st = lock(&self.shared);
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
        lock(&self.shared).times.clone()
    }

    /// One working time.
    pub fn working_time(&self, id: &str) -> Option<WorkingTime> {
        lock(&self.shared)
            .times
            .iter()
            .find(|w| w.id == id)
            .cloned()
    }

    /// The deleted feed, in order of deletion.
    pub fn deleted_working_times(&self) -> Vec<DeletedEntry> {
        lock(&self.shared).deleted.clone()
    }

    /// Freezes the simulated time (used for every `last_modified`) at an RFC 3339 instant.
    pub fn set_clock(&self, now: &str) {
        lock(&self.shared).clock = Some(ts(now));
    }

    /// Moves a frozen clock on (freezing it at the real time first if it was running).
    pub fn advance_clock(&self, by: Duration) {
        let mut st = lock(&self.shared);
        let now = st.now();
        st.clock = Some(now + chrono::TimeDelta::from_std(by).expect("duration in range"));
    }

    /// Lets the simulated time follow the real clock again.
    pub fn use_real_clock(&self) {
        lock(&self.shared).clock = None;
    }

    /// The simulated time now.
    pub fn now(&self) -> Timestamp {
        lock(&self.shared).now()
    }

    /// Queues a fault; faults apply in the order injected, one per request.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared).faults.push(fault);
    }

    /// Every request so far, in the order answered.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared).log.clone()
    }

    /// Forgets the request log (and so resets `stats`).
    pub fn clear_requests(&self) {
        lock(&self.shared).log.clear();
    }

    /// Counts over the request log.
    pub fn stats(&self) -> Stats {
        Stats::from_log(&lock(&self.shared).log)
    }

    /// Invalidates every token issued so far: their next use gets 401.
    pub fn expire_tokens(&self) {
        lock(&self.shared).tokens.clear();
    }

    /// Changes the behaviour from the next request on.
    pub fn set_config(&self, f: impl FnOnce(&mut TimrConfig)) {
        f(&mut lock(&self.shared).config);
    }

    /// The current behaviour.
    pub fn config(&self) -> TimrConfig {
        lock(&self.shared).config.clone()
    }
}

impl Drop for TimrSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server thread: its own runtime, serving until the shutdown signal.
fn serve(
    listener: std::net::TcpListener,
    shared: Shared,
    stop: oneshot::Receiver<()>,
    ready: std::sync::mpsc::Sender<()>,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("timr-sim-worker")
        .enable_all()
        .build()
        .expect("simulator runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        let app = Router::new().fallback(net::entry).with_state(shared);
        let service = app.into_make_service_with_connect_info::<Kill>();
        let server = axum::serve(KillListener(listener), service);
        let _ = ready.send(());
        tokio::select! {
            _ = server.into_future() => {}
            _ = stop => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(200));
}
