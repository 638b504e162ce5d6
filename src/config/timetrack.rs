//! `[timetrack]`: the TimeTrack account and its three sync jobs.
//!
//! Each job has its own `enabled` and `interval`, as the vendor's own connector runs each
//! workflow on its own schedule. Directions and the master are enums, so a typo is an error
//! at load time and not a sync that silently does nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::{Secret, units};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimetrackConfig {
    /// `https://<account>.timetrackenterprise.com/api/v2/ext/`.
    pub base_url: String,
    pub api_key: Secret,
    pub api_secret: Secret,
    /// The company's time zone: TimeTrack stores UTC, Personio shows local time.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Requests per second at most; TimeTrack documents no limit, so stay polite.
    #[serde(default = "default_max_rps")]
    pub max_rps: f64,
    /// Entries per page, 1 to 1000.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// How far back a scheduled run looks for time entries and absences.
    #[serde(default = "default_lookback", deserialize_with = "units::duration")]
    pub lookback: Duration,
    /// How far ahead a scheduled run looks (absences are planned ahead).
    #[serde(default = "default_lookahead", deserialize_with = "units::duration")]
    pub lookahead: Duration,
    /// Nothing before this day is synced, whatever the window says.
    pub start_date: Option<chrono::NaiveDate>,
    /// The path of an absence-types list, relative to `base_url`, if the account has one.
    /// TimeTrack documents none; without it, `absence_types` names the ids.
    pub absence_types_path: Option<String>,
    /// TimeTrack absence type name → its integer id.
    #[serde(default)]
    pub absence_types: BTreeMap<String, i64>,
    /// E-mail → TimeTrack username, for users whose TimeTrack address differs from Personio's.
    #[serde(default)]
    pub usernames: BTreeMap<String, String>,
    /// Also send `report.to` a summary when a run went through without problems.
    #[serde(default)]
    pub notify_always: bool,
    pub employees: Option<EmployeesJob>,
    pub time_entries: Option<TimeEntriesJob>,
    pub absences: Option<AbsencesJob>,
}

/// Which system wins when both changed the same item since the last run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Master {
    #[default]
    Personio,
    Timetrack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    PersonioToTimetrack,
    TimetrackToPersonio,
    Both,
}

impl Direction {
    pub fn to_timetrack(self) -> bool {
        self != Direction::TimetrackToPersonio
    }
    pub fn to_personio(self) -> bool {
        self != Direction::PersonioToTimetrack
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntriesMode {
    #[default]
    Bidirectional,
    /// TimeTrack → Personio only.
    Push,
}

/// How a new TimeTrack username is made from a Personio person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsernameRule {
    /// The e-mail's local part, folded to `a-z0-9._-` (`Jörg.Groß@x` → `joerg.gross`).
    #[default]
    EmailLocal,
    /// The whole e-mail address, lower case.
    Email,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployeesJob {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "default_daily", deserialize_with = "units::duration")]
    pub interval: Duration,
    #[serde(default)]
    pub direction: Direction,
    /// Wins when both sides changed a person (`direction = "both"`).
    #[serde(default)]
    pub master: Master,
    /// Only these addresses; `*` matches any text (`"*@example.com"`). Empty: everyone.
    #[serde(default)]
    pub emails: Vec<String>,
    /// Only persons of this Personio department.
    pub department: Option<String>,
    #[serde(default)]
    pub username: UsernameRule,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeEntriesJob {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "default_hourly", deserialize_with = "units::duration")]
    pub interval: Duration,
    #[serde(default)]
    pub mode: EntriesMode,
    /// Wins when both sides changed an entry (`mode = "bidirectional"`).
    #[serde(default)]
    pub master: Master,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbsencesJob {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "default_hourly", deserialize_with = "units::duration")]
    pub interval: Duration,
    #[serde(default)]
    pub master: Master,
    /// TimeTrack absence type name → Personio absence type name.
    #[serde(default)]
    pub type_map: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}
fn default_timezone() -> String {
    "Europe/Berlin".into()
}
fn default_max_rps() -> f64 {
    5.0
}
fn default_page_size() -> u32 {
    500
}
fn default_lookback() -> Duration {
    Duration::from_secs(35 * 86_400)
}
fn default_lookahead() -> Duration {
    Duration::from_secs(366 * 86_400)
}
fn default_hourly() -> Duration {
    Duration::from_secs(3600)
}
fn default_daily() -> Duration {
    Duration::from_secs(86_400)
}

impl TimetrackConfig {
    /// The checks serde cannot make; returns the key at fault.
    pub fn check(&self) -> Result<(), (String, String)> {
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err((
                "timetrack.timezone".into(),
                format!(
                    "{:?} is not a time zone name like \"Europe/Berlin\"",
                    self.timezone
                ),
            ));
        }
        if !(self.max_rps > 0.0 && self.max_rps <= 1000.0) {
            return Err((
                "timetrack.max_rps".into(),
                "must be above 0 and at most 1000".into(),
            ));
        }
        if !(1..=1000).contains(&self.page_size) {
            return Err((
                "timetrack.page_size".into(),
                "must be between 1 and 1000".into(),
            ));
        }
        if reqwest::Url::parse(&self.base_url).is_err() {
            return Err((
                "timetrack.base_url".into(),
                format!("{:?} is not a URL", self.base_url),
            ));
        }
        let intervals = [
            ("employees", self.employees.as_ref().map(|j| j.interval)),
            (
                "time_entries",
                self.time_entries.as_ref().map(|j| j.interval),
            ),
            ("absences", self.absences.as_ref().map(|j| j.interval)),
        ];
        for (job, interval) in intervals {
            if interval.is_some_and(|i| i < Duration::from_secs(60)) {
                return Err((
                    format!("timetrack.{job}.interval"),
                    "must be at least 1m".into(),
                ));
            }
        }
        Ok(())
    }

    pub fn zone(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Europe::Berlin)
    }
}
