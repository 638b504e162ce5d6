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
mod entry;
mod faults;
mod fields;
mod log;
mod model;
mod paging;
mod query;
mod render;
mod reply;
mod routes;
mod state;
mod users;

pub use config::{ErrorShape, IdField, TimeTrackConfig, UserFilter};
pub use faults::Fault;
pub use log::{RequestRecord, Stats};
pub use model::{
    Absence, AbsenceType, Attendance, STATUS_APPROVED, STATUS_NEW, STATUS_REJECTED, User, date,
    fmt_ts, parse_ts, ts,
};
pub use paging::{DEFAULT_LIMIT, MAX_LIMIT};
pub use routes::{API_PREFIX, Route};

use crate::server::{Server, account_methods};
use state::State;

/// A running simulator. Dropping it stops the server.
pub struct TimeTrackSim {
    server: Server<State>,
}

impl TimeTrackSim {
    /// Starts the server on `127.0.0.1:0`; returns once it accepts connections.
    ///
    /// # Panics
    /// When no loopback port can be bound or the runtime cannot be built.
    pub fn start(config: TimeTrackConfig) -> TimeTrackSim {
        TimeTrackSim {
            server: Server::start("timetrack", |_| State::new(config)),
        }
    }

    /// `http://127.0.0.1:PORT/api/v2/ext/`, like `https://<account>.timetrackenterprise.com/api/v2/ext/`.
    pub fn base_url(&self) -> String {
        format!("{}{API_PREFIX}/", self.server.origin())
    }

    /// Adds a user as if created in the TimeTrack UI (no checks); returns its id.
    pub fn add_user(&self, mut user: User) -> u64 {
        let mut st = self.server.lock();
        user.id = st.fresh_id();
        let id = user.id;
        st.users.push(user);
        id
    }

    /// Adds an attendance (no checks, not even for overlaps); returns its id.
    pub fn add_attendance(&self, mut entry: Attendance) -> u64 {
        let mut st = self.server.lock();
        entry.id = st.fresh_id();
        let id = entry.id;
        st.attendances.push(entry);
        id
    }

    /// Adds an absence (no checks); returns its id.
    pub fn add_absence(&self, mut absence: Absence) -> u64 {
        let mut st = self.server.lock();
        absence.id = st.fresh_id();
        let id = absence.id;
        st.absences.push(absence);
        id
    }

    /// Adds an absence type (or replaces the one with this id).
    pub fn add_absence_type(&self, id: i64, name: &str, short_name: &str) {
        let mut st = self.server.lock();
        st.types.retain(|t| t.id != id);
        st.types.push(AbsenceType {
            id,
            name: name.to_owned(),
            short_name: short_name.to_owned(),
        });
    }

    /// All users, in the order added.
    pub fn users(&self) -> Vec<User> {
        self.server.lock().users.clone()
    }

    /// All attendances, in the order added.
    pub fn attendances(&self) -> Vec<Attendance> {
        self.server.lock().attendances.clone()
    }

    /// All absences, in the order added.
    pub fn absences(&self) -> Vec<Absence> {
        self.server.lock().absences.clone()
    }

    /// All absence types.
    pub fn absence_types(&self) -> Vec<AbsenceType> {
        self.server.lock().types.clone()
    }

    /// Changes a user as someone in the TimeTrack UI would (no checks); false when unknown.
    pub fn set_user(&self, id: u64, f: impl FnOnce(&mut User)) -> bool {
        let mut st = self.server.lock();
        st.users.iter_mut().find(|u| u.id == id).map(f).is_some()
    }

    /// Changes an attendance (no checks); false when unknown.
    pub fn set_attendance(&self, id: u64, f: impl FnOnce(&mut Attendance)) -> bool {
        let mut st = self.server.lock();
        st.attendances
            .iter_mut()
            .find(|a| a.id == id)
            .map(f)
            .is_some()
    }

    /// Changes an absence (no checks); false when unknown.
    pub fn set_absence(&self, id: u64, f: impl FnOnce(&mut Absence)) -> bool {
        let mut st = self.server.lock();
        st.absences.iter_mut().find(|a| a.id == id).map(f).is_some()
    }

    /// Removes a user outright; false when unknown.
    pub fn delete_user(&self, id: u64) -> bool {
        let mut st = self.server.lock();
        let before = st.users.len();
        st.users.retain(|u| u.id != id);
        st.users.len() < before
    }

    /// Removes an attendance; false when unknown.
    pub fn delete_attendance(&self, id: u64) -> bool {
        let mut st = self.server.lock();
        let before = st.attendances.len();
        st.attendances.retain(|a| a.id != id);
        st.attendances.len() < before
    }

    /// Removes an absence; false when unknown.
    pub fn delete_absence(&self, id: u64) -> bool {
        let mut st = self.server.lock();
        let before = st.absences.len();
        st.absences.retain(|a| a.id != id);
        st.absences.len() < before
    }

    /// Regenerates the API secret, as the web app does: the old one gets 401 from now on.
    pub fn rotate_secret(&self, new_secret: &str) {
        self.server.lock().config.api_secret = new_secret.to_owned();
    }

    account_methods!(TimeTrackConfig);
}
