//! A simulated TimeTrack API (`/api/v2/ext/`) on a loopback port.
//!
//! zeitpost will keep users, attendances and absences in TimeTrack in step with Personio. The
//! vendor's docs (`sources.md` §4) give the resources and fields but leave the error format,
//! the list envelope, the user filter's name and any absence type endpoint open (§6.13–14).
//! This server follows what is documented and turns each open point into a switch of
//! [`TimeTrackConfig`]. See `sim/README.md` for which behaviour rests on which source.
//!
//! The server runs on its own thread with its own tokio runtime, like the timr simulator.

mod absences;
mod attendances;
mod config;
mod faults;
mod fields;
mod log;
mod model;
mod net;
mod paging;
mod query;
mod render;
mod reply;
mod routes;
mod state;
mod users;

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use tokio::sync::oneshot;

pub use config::{ErrorShape, IdField, TimeTrackConfig, UserFilter};
pub use faults::Fault;
pub use log::{RequestRecord, Stats};
pub use model::{
    Absence, AbsenceType, Attendance, STATUS_APPROVED, STATUS_NEW, STATUS_REJECTED, User, date,
    fmt_ts, parse_ts, ts,
};
pub use paging::{DEFAULT_LIMIT, MAX_LIMIT};
pub use routes::{API_PREFIX, Route};

use crate::net::{Kill, KillListener};
use net::{Shared, lock};
use state::State;

/// A running simulator. Dropping it stops the server.
pub struct TimeTrackSim {
    shared: Shared,
    origin: String,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TimeTrackSim {
    /// Starts the server on `127.0.0.1:0`; returns once it accepts connections.
    ///
    /// # Panics
    /// When no loopback port can be bound or the runtime cannot be built.
    pub fn start(config: TimeTrackConfig) -> TimeTrackSim {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let origin = format!("http://{addr}");
        let shared: Shared = Arc::new(Mutex::new(State::new(config)));
        let (shutdown, stop) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let server_state = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("timetrack-sim-{}", addr.port()))
            .spawn(move || serve(listener, server_state, stop, ready_tx))
            .expect("spawn simulator thread");
        ready_rx.recv().expect("simulator failed to start");
        TimeTrackSim {
            shared,
            origin,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/api/v2/ext/`, like `https://<account>.timetrackenterprise.com/api/v2/ext/`.
    pub fn base_url(&self) -> String {
        format!("{}{API_PREFIX}/", self.origin)
    }

    /// Adds a user as if created in the TimeTrack UI (no checks); returns its id.
    pub fn add_user(&self, mut user: User) -> u64 {
        let mut st = lock(&self.shared);
        user.id = st.fresh_id();
        let id = user.id;
        st.users.push(user);
        id
    }

    /// Adds an attendance (no checks, not even for overlaps); returns its id.
    pub fn add_attendance(&self, mut entry: Attendance) -> u64 {
        let mut st = lock(&self.shared);
        entry.id = st.fresh_id();
        let id = entry.id;
        st.attendances.push(entry);
        id
    }

    /// Adds an absence (no checks); returns its id.
    pub fn add_absence(&self, mut absence: Absence) -> u64 {
        let mut st = lock(&self.shared);
        absence.id = st.fresh_id();
        let id = absence.id;
        st.absences.push(absence);
        id
    }

    /// Adds an absence type (or replaces the one with this id).
    pub fn add_absence_type(&self, id: i64, name: &str, short_name: &str) {
        let mut st = lock(&self.shared);
        st.types.retain(|t| t.id != id);
        st.types.push(AbsenceType {
            id,
            name: name.to_owned(),
            short_name: short_name.to_owned(),
        });
    }

    /// All users, in the order added.
    pub fn users(&self) -> Vec<User> {
        lock(&self.shared).users.clone()
    }

    /// All attendances, in the order added.
    pub fn attendances(&self) -> Vec<Attendance> {
        lock(&self.shared).attendances.clone()
    }

    /// All absences, in the order added.
    pub fn absences(&self) -> Vec<Absence> {
        lock(&self.shared).absences.clone()
    }

    /// All absence types.
    pub fn absence_types(&self) -> Vec<AbsenceType> {
        lock(&self.shared).types.clone()
    }

    /// Changes a user as someone in the TimeTrack UI would (no checks); false when unknown.
    pub fn set_user(&self, id: u64, f: impl FnOnce(&mut User)) -> bool {
        let mut st = lock(&self.shared);
        st.users.iter_mut().find(|u| u.id == id).map(f).is_some()
    }

    /// Changes an attendance (no checks); false when unknown.
    pub fn set_attendance(&self, id: u64, f: impl FnOnce(&mut Attendance)) -> bool {
        let mut st = lock(&self.shared);
        st.attendances
            .iter_mut()
            .find(|a| a.id == id)
            .map(f)
            .is_some()
    }

    /// Changes an absence (no checks); false when unknown.
    pub fn set_absence(&self, id: u64, f: impl FnOnce(&mut Absence)) -> bool {
        let mut st = lock(&self.shared);
        st.absences.iter_mut().find(|a| a.id == id).map(f).is_some()
    }

    /// Removes a user outright; false when unknown.
    pub fn delete_user(&self, id: u64) -> bool {
        let mut st = lock(&self.shared);
        let before = st.users.len();
        st.users.retain(|u| u.id != id);
        st.users.len() < before
    }

    /// Removes an attendance; false when unknown.
    pub fn delete_attendance(&self, id: u64) -> bool {
        let mut st = lock(&self.shared);
        let before = st.attendances.len();
        st.attendances.retain(|a| a.id != id);
        st.attendances.len() < before
    }

    /// Removes an absence; false when unknown.
    pub fn delete_absence(&self, id: u64) -> bool {
        let mut st = lock(&self.shared);
        let before = st.absences.len();
        st.absences.retain(|a| a.id != id);
        st.absences.len() < before
    }

    /// Regenerates the API secret, as the web app does: the old one gets 401 from now on.
    pub fn rotate_secret(&self, new_secret: &str) {
        lock(&self.shared).config.api_secret = new_secret.to_owned();
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

    /// Changes the behaviour from the next request on.
    pub fn set_config(&self, f: impl FnOnce(&mut TimeTrackConfig)) {
        f(&mut lock(&self.shared).config);
    }

    /// The current behaviour.
    pub fn config(&self) -> TimeTrackConfig {
        lock(&self.shared).config.clone()
    }
}

impl Drop for TimeTrackSim {
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
        .thread_name("timetrack-sim-worker")
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
