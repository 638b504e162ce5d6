//! What one timr sync has to do with what timr returned: which working times become
//! attendance records, which wait, which are skipped and why. Pure: the job carries the
//! plan out and names every skipped entry in its report.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::convert::{ConvertError, to_record};
use super::wire::{Status, User, WorkingTime, WorkingTimeType};
use crate::records::Record;

/// What decides the plan, from `[timr]`.
#[derive(Debug, Clone)]
pub struct Settings<'a> {
    /// Working-time type categories that are attendance (default `attendance_time`).
    pub attendance_categories: &'a [String],
    /// Types that are time off in lieu, by name, short name or external id.
    pub zeitausgleich: &'a [String],
    /// Nothing that starts before this day is transferred.
    pub start_date: Option<NaiveDate>,
    pub zone: Tz,
}

/// Why an entry is not transferred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// timr knows no address for the user.
    NoEmail {
        user: String,
    },
    /// The user had left before the entry's day.
    Resigned {
        user: String,
        on: NaiveDate,
    },
    /// The entry names a user or type timr did not list.
    Unknown,
    /// A type that is not attendance (absences, travel, ...).
    NotAttendance {
        kind: String,
    },
    BeforeStartDate,
    Invalid(ConvertError),
}

/// The plan for one batch of working times.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// timr id and the record it becomes.
    pub records: Vec<(String, Record)>,
    /// Still running or paused: transferred once they end.
    pub waiting: Vec<String>,
    /// Time off in lieu: timr id, address and day.
    pub zeitausgleich: Vec<(String, String, NaiveDate)>,
    pub skipped: Vec<(String, Skip)>,
}

fn matches_any(t: &WorkingTimeType, names: &[String]) -> bool {
    names.iter().any(|n| {
        let n = n.trim();
        t.name.eq_ignore_ascii_case(n)
            || t.short_name
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(n))
            || t.external_id.as_deref().is_some_and(|s| s == n)
    })
}

fn display_name(u: &User) -> String {
    match (&u.first_name, &u.last_name) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        _ => u.id.clone(),
    }
}

pub fn plan(
    users: &[User],
    types: &[WorkingTimeType],
    entries: &[WorkingTime],
    s: &Settings,
) -> Plan {
    let mut p = Plan::default();
    for e in entries {
        let id = e.id.clone();
        let (Some(user), Some(kind)) = (
            users.iter().find(|u| u.id == e.user_id),
            types.iter().find(|t| t.id == e.working_time_type_id),
        ) else {
            p.skipped.push((id, Skip::Unknown));
            continue;
        };
        let local_day = e.start.with_timezone(&s.zone).date_naive();
        if s.start_date.is_some_and(|d| local_day < d) {
            p.skipped.push((id, Skip::BeforeStartDate));
            continue;
        }
        let Some(email) = user
            .email
            .as_deref()
            .map(str::trim)
            .filter(|m| m.contains('@'))
        else {
            p.skipped.push((
                id,
                Skip::NoEmail {
                    user: display_name(user),
                },
            ));
            continue;
        };
        if let Some(on) = user.resign_date.filter(|d| *d < local_day) {
            p.skipped.push((
                id,
                Skip::Resigned {
                    user: display_name(user),
                    on,
                },
            ));
            continue;
        }
        if matches_any(kind, s.zeitausgleich) {
            p.zeitausgleich.push((id, email.to_lowercase(), local_day));
            continue;
        }
        let attendance = kind
            .category
            .as_deref()
            .is_some_and(|c| s.attendance_categories.iter().any(|a| a == c));
        if !attendance {
            p.skipped.push((
                id,
                Skip::NotAttendance {
                    kind: kind.name.clone(),
                },
            ));
            continue;
        }
        let end = match (&e.status, e.end) {
            (Status::Running | Status::Paused, _) | (_, None) => {
                p.waiting.push(id);
                continue;
            }
            (_, Some(end)) => end,
        };
        let breaks = u32::try_from(e.break_minutes.max(0)).unwrap_or(u32::MAX);
        match to_record(email, e.start, end, breaks, e.notes.as_deref(), s.zone) {
            Ok(r) => p.records.push((id, r)),
            Err(err) => p.skipped.push((id, Skip::Invalid(err))),
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use chrono_tz::Europe::Berlin;

    fn user(id: &str, email: Option<&str>, resigned: Option<&str>) -> User {
        serde_json::from_value(serde_json::json!({
            "id": id, "email": email, "firstname": "Anna", "lastname": id,
            "resign_date": resigned,
        }))
        .unwrap()
    }

    fn kind(id: &str, name: &str, short: &str, category: &str) -> WorkingTimeType {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "short_name": short, "category": category,
        }))
        .unwrap()
    }

    fn entry(
        id: &str,
        user: &str,
        kind: &str,
        start: &str,
        end: Option<&str>,
        status: Status,
    ) -> WorkingTime {
        WorkingTime {
            id: id.into(),
            user_id: user.into(),
            working_time_type_id: kind.into(),
            start: DateTime::parse_from_rfc3339(start).unwrap(),
            end: end.map(|e| DateTime::parse_from_rfc3339(e).unwrap()),
            break_times: vec![],
            break_minutes: 30,
            notes: Some("Projekt".into()),
            status,
            last_modified: None,
            changed: false,
            metadata: None,
        }
    }

    #[test]
    fn entries_become_records_wait_or_are_skipped_with_a_reason() {
        let users = [
            user("u1", Some("Anna@Example.com"), None),
            user("u2", None, None),
            user("u3", Some("alt@example.com"), Some("2026-10-31")),
        ];
        let types = [
            kind("t1", "Arbeitszeit", "AZ", "attendance_time"),
            kind("t2", "Zeitausgleich", "ZA", "unpaid_time_off"),
            kind("t3", "Urlaub", "U", "paid_time_off"),
        ];
        let day = |h: u32| format!("2026-11-02T{h:02}:00:00+01:00");
        let entries = [
            entry(
                "w1",
                "u1",
                "t1",
                &day(8),
                Some(&day(16)),
                Status::Changeable,
            ),
            entry("w2", "u1", "t1", &day(17), None, Status::Running),
            entry(
                "w3",
                "u2",
                "t1",
                &day(8),
                Some(&day(16)),
                Status::Changeable,
            ),
            entry(
                "w4",
                "u3",
                "t1",
                &day(8),
                Some(&day(16)),
                Status::Changeable,
            ),
            entry(
                "w5",
                "u1",
                "t2",
                "2026-11-03T00:00:00+01:00",
                Some("2026-11-03T23:59:00+01:00"),
                Status::Changeable,
            ),
            entry(
                "w6",
                "u1",
                "t3",
                &day(8),
                Some(&day(16)),
                Status::Changeable,
            ),
            entry(
                "w7",
                "u1",
                "t1",
                "2026-01-02T08:00:00+01:00",
                Some("2026-01-02T12:00:00+01:00"),
                Status::Changeable,
            ),
            entry(
                "w8",
                "u9",
                "t1",
                &day(8),
                Some(&day(16)),
                Status::Changeable,
            ),
            entry(
                "w9",
                "u1",
                "t1",
                &day(12),
                Some(&day(11)),
                Status::Changeable,
            ),
        ];
        let categories = ["attendance_time".to_string()];
        let za = ["za".to_string()];
        let p = plan(
            &users,
            &types,
            &entries,
            &Settings {
                attendance_categories: &categories,
                zeitausgleich: &za,
                start_date: NaiveDate::from_ymd_opt(2026, 6, 1),
                zone: Berlin,
            },
        );
        assert_eq!(p.records.len(), 1);
        let (id, r) = &p.records[0];
        assert_eq!(
            (
                id.as_str(),
                r.employee.as_str(),
                r.start,
                r.end,
                r.break_minutes
            ),
            ("w1", "anna@example.com", 480, 960, 30)
        );
        assert_eq!(r.comment.as_deref(), Some("Projekt"));
        assert_eq!(p.waiting, ["w2"]);
        assert_eq!(
            p.zeitausgleich,
            [(
                "w5".to_string(),
                "anna@example.com".to_string(),
                NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()
            )]
        );
        let skip = |id: &str| {
            p.skipped
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, s)| s.clone())
        };
        assert_eq!(
            skip("w3"),
            Some(Skip::NoEmail {
                user: "Anna u2".into()
            })
        );
        assert!(matches!(skip("w4"), Some(Skip::Resigned { .. })));
        assert_eq!(
            skip("w6"),
            Some(Skip::NotAttendance {
                kind: "Urlaub".into()
            })
        );
        assert_eq!(skip("w7"), Some(Skip::BeforeStartDate));
        assert_eq!(skip("w8"), Some(Skip::Unknown));
        assert_eq!(
            skip("w9"),
            Some(Skip::Invalid(ConvertError::EndBeforeStart))
        );
    }
}
