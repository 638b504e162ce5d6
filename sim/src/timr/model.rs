//! The account's data: users, working time types, working times and the deleted feed.
//!
//! Field names and enum values are those of spec 0.2.14, so a test can read them side by side
//! with what a client sends and gets. Times keep the offset they were written with.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use serde_json::Value;

/// A date-time with its UTC offset, as timr's `DateTime` schema.
pub type Timestamp = DateTime<FixedOffset>;

/// Parses an RFC 3339 date-time with offset; panics otherwise (for test setup only).
pub fn ts(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {s}"))
}

/// Formats a date-time the way the simulator answers: RFC 3339, offset kept, no `Z`.
pub fn fmt_ts(t: &Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

macro_rules! spec_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $var:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $var),+ }

        impl $name {
            /// Every value, in the spec's order.
            pub const ALL: &[$name] = &[$($name::$var),+];

            /// The value as the API spells it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $text),+ }
            }

            /// The inverse of `as_str`.
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

spec_enum!(
    /// `WorkingTimeStatus`.
    WorkingTimeStatus {
        /// Being recorded, no end yet.
        Running = "running",
        /// Being recorded, on a break.
        Paused = "paused",
        /// Finished and still editable.
        Changeable = "changeable",
        /// Locked, e.g. by an export.
        Locked = "locked",
        /// Approved.
        Approved = "approved",
        /// Month closed.
        Closed = "closed",
        /// Archived.
        Archived = "archived",
    }
);

impl WorkingTimeStatus {
    /// Whether PATCH and DELETE may still change the entry (assumption, see `sim/README.md`).
    pub fn is_changeable(self) -> bool {
        matches!(
            self,
            WorkingTimeStatus::Running | WorkingTimeStatus::Paused | WorkingTimeStatus::Changeable
        )
    }

    /// Whether the entry is still being recorded (and so has no end).
    pub fn is_open(self) -> bool {
        matches!(self, WorkingTimeStatus::Running | WorkingTimeStatus::Paused)
    }
}

spec_enum!(
    /// `WorkingTimeTypeCategory`.
    Category {
        /// Anwesenheitszeit.
        AttendanceTime = "attendance_time",
        /// Urlaub.
        Vacation = "vacation",
        /// Bezahlte Abwesenheit (sick leave, doctor's visit, ...).
        PaidTimeOff = "paid_time_off",
        /// Unbezahlte Abwesenheit, where Zeitausgleich normally lives.
        UnpaidTimeOff = "unpaid_time_off",
        /// Aussetzung (parental leave, ...).
        Suspension = "suspension",
        /// Break time.
        BreakTime = "break_time",
    }
);

spec_enum!(
    /// `WorkingTimeTypeSubCategory`.
    SubCategory {
        /// On site.
        Present = "present",
        /// Home office.
        WorkFromHome = "work_from_home",
        /// Away.
        Away = "away",
        /// Driving.
        ActiveDrivingTime = "active_driving_time",
        /// Travelling as a passenger.
        PassiveTravellingTime = "passive_travelling_time",
    }
);

spec_enum!(
    /// `DurationUnit`, a type's `edit_unit`.
    EditUnit {
        /// Minute-based.
        Minutes = "minutes",
        /// Half days.
        HalfDays = "half_days",
        /// Whole days.
        Days = "days",
    }
);

spec_enum!(
    /// `RecordingModeUser`.
    RecordingMode {
        /// The user may not record it.
        NotAllowed = "not_allowed",
        /// The user may record it.
        Allowed = "allowed",
        /// Only by request.
        ByRequest = "by_request",
    }
);

spec_enum!(
    /// The `type` discriminator of a break.
    BreakKind {
        /// Entered by hand; `duration_minutes` is the source of truth.
        Manual = "manual",
        /// A break still running.
        Ongoing = "ongoing",
        /// Deducted by timr's rules (read-only).
        Automatic = "automatic",
    }
);

/// A timr user (`User`).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Assigned by `TimrSim::add_user`.
    pub id: String,
    /// First name.
    pub firstname: String,
    /// Last name.
    pub lastname: String,
    /// E-mail (nullable in the spec).
    pub email: Option<String>,
    /// Employee number.
    pub employee_number: Option<String>,
    /// External id.
    pub external_id: Option<String>,
    /// First working day.
    pub entry_date: Option<NaiveDate>,
    /// Last day; the spec has no flag, `resigned` derives from this date.
    pub resign_date: Option<NaiveDate>,
    /// Free key/value data.
    pub metadata: Option<Value>,
}

impl User {
    /// A current user with an e-mail and nothing else.
    pub fn new(firstname: &str, lastname: &str, email: &str) -> User {
        User {
            id: String::new(),
            firstname: firstname.to_owned(),
            lastname: lastname.to_owned(),
            email: Some(email.to_owned()),
            employee_number: None,
            external_id: None,
            entry_date: None,
            resign_date: None,
            metadata: None,
        }
    }

    /// Sets the employee number.
    pub fn employee_number(mut self, n: &str) -> User {
        self.employee_number = Some(n.to_owned());
        self
    }

    /// Sets the external id.
    pub fn external_id(mut self, id: &str) -> User {
        self.external_id = Some(id.to_owned());
        self
    }

    /// Sets the resign date (`YYYY-MM-DD`).
    pub fn resigned_on(mut self, date: &str) -> User {
        self.resign_date = Some(date.parse().expect("YYYY-MM-DD"));
        self
    }

    /// `firstname lastname`.
    pub fn fullname(&self) -> String {
        format!("{} {}", self.firstname, self.lastname)
    }

    /// Resigned on or before `today`.
    pub fn is_resigned(&self, today: NaiveDate) -> bool {
        self.resign_date.is_some_and(|d| d <= today)
    }
}

/// A working time type (`WorkingTimeType`).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingTimeType {
    /// Assigned by `TimrSim::add_working_time_type`.
    pub id: String,
    /// Name, e.g. "Bürozeit" or "Zeitausgleich".
    pub name: String,
    /// Short name, e.g. "ZA".
    pub short_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// External id.
    pub external_id: Option<String>,
    /// Category.
    pub category: Category,
    /// Sub-category.
    pub sub_category: Option<SubCategory>,
    /// Minutes, half days or days.
    pub edit_unit: EditUnit,
    /// How a user may record it (only for day-based types).
    pub recording_mode_user: Option<RecordingMode>,
    /// Archived types stay readable.
    pub archived: bool,
}

/// One break of a working time.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakTime {
    /// Manual, ongoing or automatic.
    pub kind: BreakKind,
    /// Minutes (absent for ongoing breaks).
    pub duration_minutes: Option<i64>,
    /// Start, optional for manual breaks.
    pub start: Option<Timestamp>,
    /// End, optional for manual breaks.
    pub end: Option<Timestamp>,
}

impl BreakTime {
    /// A manual break given only as a duration, the form the spec prefers.
    pub fn manual(minutes: i64) -> BreakTime {
        BreakTime {
            kind: BreakKind::Manual,
            duration_minutes: Some(minutes),
            start: None,
            end: None,
        }
    }

    /// A break that started at `start` and is still running.
    pub fn ongoing(start: &str) -> BreakTime {
        BreakTime {
            kind: BreakKind::Ongoing,
            duration_minutes: None,
            start: Some(ts(start)),
            end: None,
        }
    }

    /// A break deducted by timr's rules.
    pub fn automatic(start: &str, end: &str) -> BreakTime {
        let (start, end) = (ts(start), ts(end));
        BreakTime {
            kind: BreakKind::Automatic,
            duration_minutes: Some((end - start).num_minutes()),
            start: Some(start),
            end: Some(end),
        }
    }
}

/// A working time (`WorkingTime`), stored by ids; users and types are joined when rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingTime {
    /// Assigned by `TimrSim::add_working_time`.
    pub id: String,
    /// The user's id.
    pub user_id: String,
    /// The type's id.
    pub working_time_type_id: String,
    /// Start, with the offset it was recorded in.
    pub start: Timestamp,
    /// End; `None` while running or paused.
    pub end: Option<Timestamp>,
    /// Breaks.
    pub break_times: Vec<BreakTime>,
    /// "Changed by the user" (a manual edit).
    pub changed: bool,
    /// Notes.
    pub notes: Option<String>,
    /// Status.
    pub status: WorkingTimeStatus,
    /// Free key/value data.
    pub metadata: Option<Value>,
    /// Where recording started (`Platform`).
    pub start_platform: Option<String>,
    /// Where recording ended.
    pub end_platform: Option<String>,
    /// Set by the simulator on every change.
    pub last_modified: Timestamp,
    /// Who changed it last: the entry's user for setters, nobody (null) for API writes.
    pub last_modified_by: Option<String>,
}

impl WorkingTime {
    /// A changeable entry, or a running one when `end` is `None`. Times are RFC 3339 with offset.
    pub fn new(user_id: &str, type_id: &str, start: &str, end: Option<&str>) -> WorkingTime {
        let start = ts(start);
        let end = end.map(ts);
        WorkingTime {
            id: String::new(),
            user_id: user_id.to_owned(),
            working_time_type_id: type_id.to_owned(),
            start,
            end,
            break_times: Vec::new(),
            changed: false,
            notes: None,
            status: if end.is_some() {
                WorkingTimeStatus::Changeable
            } else {
                WorkingTimeStatus::Running
            },
            metadata: None,
            start_platform: Some("timr_terminal".to_owned()),
            end_platform: end.map(|_| "timr_terminal".to_owned()),
            last_modified: start,
            last_modified_by: None,
        }
    }

    /// Sets the status.
    pub fn status(mut self, status: WorkingTimeStatus) -> WorkingTime {
        self.status = status;
        self
    }

    /// Sets the breaks.
    pub fn breaks(mut self, breaks: Vec<BreakTime>) -> WorkingTime {
        self.break_times = breaks;
        self
    }

    /// Sets the notes.
    pub fn notes(mut self, notes: &str) -> WorkingTime {
        self.notes = Some(notes.to_owned());
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Value) -> WorkingTime {
        self.metadata = Some(metadata);
        self
    }

    /// Total of the breaks that have a duration.
    pub fn break_minutes(&self) -> i64 {
        self.break_times
            .iter()
            .filter_map(|b| b.duration_minutes)
            .sum()
    }
}

/// An entry of a `:deleted` feed (`DeletedEntryWithMetadata`).
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedEntry {
    /// The id the entry had.
    pub id: String,
    /// When it was deleted.
    pub last_modified: Timestamp,
    /// Who deleted it (user id), if a user did.
    pub last_modified_by: Option<String>,
    /// The entry's metadata, kept so a client can recognise its own records.
    pub metadata: Option<Value>,
}
