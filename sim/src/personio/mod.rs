//! A simulated Personio API v2 on a loopback port.
//!
//! zeitpost must import each time-clock record into Personio exactly once, and the paths that
//! matter most (lost answers, throttling, expired tokens, overlap rejections) cannot be produced
//! on the real SaaS on demand. This server follows what `personio-api.md` and
//! `personio-v2-breaks.md` establish about v2, and turns every point they leave open into a switch
//! of [`PersonioConfig`]. See `sim/README.md` for which behaviour rests on which source.
//!
//! The server runs on its own thread with its own tokio runtime, so synchronous tests, async
//! tests and tests of a child process can all talk to it.

mod absence_writes;
mod absences;
mod auth;
mod body;
mod config;
mod entry;
mod faults;
mod log;
mod model;
mod overlap;
mod paging;
mod periods;
mod person_writes;
mod persons;
mod query;
mod ratelimit;
mod reply;
mod state;
mod writes;

use chrono::NaiveDateTime;

pub use absences::{Absence, AbsenceType};
pub use config::{
    CreatedBody, OverlapMode, PersonioConfig, RateLimit, SCOPE_ABSENCES_READ, SCOPE_ABSENCES_WRITE,
    SCOPE_ATTENDANCES_READ, SCOPE_ATTENDANCES_WRITE, SCOPE_PERSONS_READ, SCOPE_PERSONS_WRITE,
};
pub use faults::{Fault, Route};
pub use log::{RequestRecord, Stats};
pub use model::{DATE_TIME_FORMAT, Period, PeriodType, Person};

use crate::server::{Server, account_methods};
use state::State;

/// A running simulator. Dropping it stops the server.
pub struct PersonioSim {
    server: Server<State>,
}

impl PersonioSim {
    /// Starts the server on `127.0.0.1:0`; returns once it accepts connections.
    ///
    /// # Panics
    /// When no loopback port can be bound or the runtime cannot be built.
    pub fn start(config: PersonioConfig) -> PersonioSim {
        PersonioSim {
            server: Server::start("personio", |origin| State::new(config, origin.to_owned())),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.server.origin().to_owned()
    }

    /// Adds an active person; returns the id ("1001", "1002", ...).
    pub fn add_person(&self, email: &str, first: &str, last: &str) -> String {
        self.add_person_with_status(email, first, last, "ACTIVE")
    }

    /// Adds a person with the given status (`ACTIVE` or `INACTIVE`), as HR would in the UI;
    /// no uniqueness check. Returns the id.
    pub fn add_person_with_status(
        &self,
        email: &str,
        first: &str,
        last: &str,
        status: &str,
    ) -> String {
        let mut st = self.server.lock();
        let id = st.next_person.to_string();
        st.next_person += 1;
        let now = model::now_secs();
        st.persons.push(Person {
            id: id.clone(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: email.to_owned(),
            preferred_name: None,
            status: status.to_owned(),
            employment_id: uuid::Uuid::new_v4().to_string(),
            created_at: now,
            updated_at: now,
            department: None,
        });
        id
    }

    /// Sets a person's status (`ACTIVE` or `INACTIVE`); false when the id is unknown.
    pub fn set_person_status(&self, person_id: &str, status: &str) -> bool {
        self.update_person(person_id, |p| p.status = status.to_owned())
    }

    /// Changes a person as HR would in the UI: `updated_at` becomes now before `change` runs
    /// (so `change` may set it to something else). False when the id is unknown.
    pub fn update_person(&self, person_id: &str, change: impl FnOnce(&mut Person)) -> bool {
        let mut st = self.server.lock();
        match st.persons.iter_mut().find(|p| p.id == person_id) {
            Some(p) => {
                p.updated_at = model::now_secs();
                change(p);
                true
            }
            None => false,
        }
    }

    /// All persons, in id order.
    pub fn persons(&self) -> Vec<Person> {
        self.server.lock().persons.clone()
    }

    /// Adds a CONFIRMED period as if somebody had entered it by hand: no validation, no overlap
    /// check. Returns its UUID.
    pub fn add_period(
        &self,
        person_id: &str,
        kind: PeriodType,
        start: NaiveDateTime,
        end: Option<NaiveDateTime>,
        comment: Option<&str>,
    ) -> String {
        let now = model::now_secs();
        let period = Period {
            id: uuid::Uuid::new_v4().to_string(),
            person_id: person_id.to_owned(),
            kind,
            start,
            end,
            comment: comment.map(str::to_owned),
            project_id: None,
            approval: "CONFIRMED".to_owned(),
            created_at: now,
            updated_at: now,
        };
        let id = period.id.clone();
        self.server.lock().periods.push(period);
        id
    }

    /// Removes a period as if somebody had deleted it by hand; false when unknown.
    pub fn remove_period(&self, id: &str) -> bool {
        let mut st = self.server.lock();
        let before = st.periods.len();
        st.periods.retain(|p| p.id != id);
        st.periods.len() != before
    }

    /// Sets a period's approval status (`PENDING`, `CONFIRMED`, `REJECTED`); false when unknown.
    pub fn set_approval(&self, id: &str, status: &str) -> bool {
        let mut st = self.server.lock();
        match st.periods.iter_mut().find(|p| p.id == id) {
            Some(p) => {
                p.approval = status.to_owned();
                true
            }
            None => false,
        }
    }

    /// Every absence period, in the order created.
    pub fn absences(&self) -> Vec<Absence> {
        self.server.lock().absences.clone()
    }

    /// Adds an absence as if somebody had entered it by hand: no overlap check. `approval` is
    /// `PENDING`, `APPROVED` or `REJECTED`. Returns its UUID.
    pub fn add_absence(
        &self,
        person_id: &str,
        absence_type_id: &str,
        starts_from: NaiveDateTime,
        ends_at: Option<NaiveDateTime>,
        approval: &str,
    ) -> String {
        let now = model::now_secs();
        let absence = Absence {
            id: uuid::Uuid::new_v4().to_string(),
            person_id: person_id.to_owned(),
            absence_type_id: absence_type_id.to_owned(),
            starts_from,
            ends_at,
            comment: None,
            approval: approval.to_owned(),
            timezone_id: "Europe/Berlin".to_owned(),
            created_at: now,
            updated_at: now,
        };
        let id = absence.id.clone();
        self.server.lock().absences.push(absence);
        id
    }

    /// Changes an absence by hand: `updated_at` becomes now before `change` runs. False when
    /// the id is unknown.
    pub fn update_absence(&self, id: &str, change: impl FnOnce(&mut Absence)) -> bool {
        let mut st = self.server.lock();
        match st.absences.iter_mut().find(|a| a.id == id) {
            Some(a) => {
                a.updated_at = model::now_secs();
                change(a);
                true
            }
            None => false,
        }
    }

    /// Sets an absence's approval (`PENDING`, `APPROVED`, `REJECTED`); false when unknown.
    pub fn set_absence_approval(&self, id: &str, status: &str) -> bool {
        self.update_absence(id, |a| a.approval = status.to_owned())
    }

    /// Removes an absence as if somebody had deleted it by hand; false when unknown.
    pub fn remove_absence(&self, id: &str) -> bool {
        let mut st = self.server.lock();
        let before = st.absences.len();
        st.absences.retain(|a| a.id != id);
        st.absences.len() != before
    }

    /// Adds an absence type (`unit` `day` or `hour`, category `other`); returns its id
    /// ("5001", "5002", ...).
    pub fn add_absence_type(&self, name: &str, unit: &str) -> String {
        let mut st = self.server.lock();
        let id = st.next_absence_type.to_string();
        st.next_absence_type += 1;
        st.absence_types.push(AbsenceType {
            id: id.clone(),
            name: name.to_owned(),
            category: Some("other".to_owned()),
            unit: unit.to_owned(),
        });
        id
    }

    /// All absence types, in the order added.
    pub fn absence_types(&self) -> Vec<AbsenceType> {
        self.server.lock().absence_types.clone()
    }

    /// All stored periods, ordered by person (numerically), start, end.
    pub fn periods(&self) -> Vec<Period> {
        let mut all = self.server.lock().periods.clone();
        all.sort_by(|a, b| {
            let person = |p: &Period| p.person_id.parse::<u64>().unwrap_or(u64::MAX);
            person(a)
                .cmp(&person(b))
                .then(a.person_id.cmp(&b.person_id))
                .then(a.start.cmp(&b.start))
                .then((a.end.is_none(), a.end).cmp(&(b.end.is_none(), b.end)))
        });
        all
    }

    /// Invalidates every token issued so far: their next use gets 401.
    pub fn expire_tokens(&self) {
        self.server.lock().tokens.clear();
    }

    account_methods!(PersonioConfig);
}
