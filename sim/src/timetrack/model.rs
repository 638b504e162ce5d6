//! What the simulated account stores, and the two time formats of the API.
//!
//! `sources.md` §4.1: dates are `YYYY-MM-DD`, timestamps UTC with `Z`, with or without
//! milliseconds. Anything else (an offset, no zone) is refused, so a client that sends local
//! times is caught here.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// A TimeTrack user. Time entries and absences refer to it by `username`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Integer id, assigned by the simulator.
    pub id: u64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Stored, never rendered.
    pub password: String,
    pub enabled: bool,
    pub personal_number: Option<String>,
    pub language: Option<String>,
    pub admin: bool,
    pub team_lead: bool,
}

impl User {
    /// An enabled user with a placeholder password; the id is assigned by `add_user`.
    pub fn new(username: &str, first_name: &str, last_name: &str, email: &str) -> User {
        User {
            id: 0,
            username: username.to_owned(),
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            email: email.to_owned(),
            password: "secret".to_owned(),
            enabled: true,
            personal_number: None,
            language: None,
            admin: false,
            team_lead: false,
        }
    }
}

/// An attendance ("Kommen und Gehen"): a time entry without a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    /// Assigned by the simulator.
    pub id: u64,
    /// The username.
    pub user: String,
    pub from: DateTime<Utc>,
    /// `None`: still open.
    pub to: Option<DateTime<Utc>>,
    pub break_minutes: u32,
    pub notes: Option<String>,
    /// Entered by hand rather than stamped.
    pub manual: bool,
}

impl Attendance {
    /// A closed manual entry from two timestamps in the API format; panics on bad input (test
    /// helper).
    pub fn new(user: &str, from: &str, to: Option<&str>) -> Attendance {
        Attendance {
            id: 0,
            user: user.to_owned(),
            from: ts(from),
            to: to.map(ts),
            break_minutes: 0,
            notes: None,
            manual: true,
        }
    }

    /// Sets the break.
    pub fn break_minutes(mut self, minutes: u32) -> Attendance {
        self.break_minutes = minutes;
        self
    }

    /// Worked minutes: end minus start minus break, 0 while open.
    pub fn worked_minutes(&self) -> i64 {
        self.to.map_or(0, |to| {
            ((to - self.from).num_minutes() - i64::from(self.break_minutes)).max(0)
        })
    }

    /// Whether the two entries share any instant (an open entry runs for ever).
    pub(crate) fn overlaps(&self, other: &Attendance) -> bool {
        let ends_after = |a: &Attendance, t: DateTime<Utc>| a.to.is_none_or(|to| to > t);
        ends_after(self, other.from) && ends_after(other, self.from)
    }
}

/// Absence status, as the API numbers it.
pub const STATUS_NEW: u8 = 0;
/// Approved.
pub const STATUS_APPROVED: u8 = 1;
/// Rejected.
pub const STATUS_REJECTED: u8 = 2;

/// An absence over whole days, both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    /// Assigned by the simulator.
    pub id: u64,
    /// The username.
    pub user: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 0 new, 1 approved, 2 rejected.
    pub status: u8,
    pub absence_type: i64,
}

impl Absence {
    /// A new absence from two `YYYY-MM-DD` dates; panics on bad input (test helper).
    pub fn new(user: &str, from: &str, to: &str, absence_type: i64) -> Absence {
        Absence {
            id: 0,
            user: user.to_owned(),
            from: date(from).expect("YYYY-MM-DD"),
            to: date(to).expect("YYYY-MM-DD"),
            status: STATUS_NEW,
            absence_type,
        }
    }

    pub(crate) fn overlaps(&self, other: &Absence) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

/// An absence type (no endpoint is documented; see `TimeTrackConfig::absence_types_path`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceType {
    pub id: i64,
    pub name: String,
    pub short_name: String,
}

/// Parses an API timestamp: `YYYY-MM-DDTHH:MM:SS[.f]Z` only.
pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    let naive = s.strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(naive, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// [`parse_ts`] for test setup; panics on bad input.
pub fn ts(s: &str) -> DateTime<Utc> {
    parse_ts(s).unwrap_or_else(|| panic!("not a TimeTrack timestamp: {s}"))
}

/// Renders a timestamp with `.000`-style milliseconds or without.
pub fn fmt_ts(t: DateTime<Utc>, millis: bool) -> String {
    if millis {
        t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// Parses `YYYY-MM-DD`.
pub fn date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_utc_timestamps_parse() {
        assert!(parse_ts("2020-10-20T09:00:00.000Z").is_some());
        assert!(parse_ts("2020-10-20T09:00:00Z").is_some());
        assert!(parse_ts("2020-10-20T09:00:00").is_none());
        assert!(parse_ts("2020-10-20T09:00:00+01:00").is_none());
        assert_eq!(
            fmt_ts(ts("2020-10-20T09:00:00Z"), true),
            "2020-10-20T09:00:00.000Z"
        );
        assert_eq!(
            fmt_ts(ts("2020-10-20T09:00:00.000Z"), false),
            "2020-10-20T09:00:00Z"
        );
    }

    #[test]
    fn open_entries_overlap_everything_after_them() {
        let a = Attendance::new("u", "2020-10-20T09:00:00Z", None);
        let b = Attendance::new("u", "2020-10-21T09:00:00Z", Some("2020-10-21T10:00:00Z"));
        let c = Attendance::new("u", "2020-10-19T08:00:00Z", Some("2020-10-20T09:00:00Z"));
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c) && !c.overlaps(&a));
    }
}
