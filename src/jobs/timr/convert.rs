//! timr working times → attendance records in the company's local time.
//!
//! timr stores every start and end with its UTC offset; Personio wants local wall-clock
//! time without an offset. So each instant is converted into the company's time zone (DST
//! included) and the record carries that wall-clock time, as Personio will show it. Across
//! a DST change the wall-clock span and the time worked differ by the hour the clocks
//! moved; Personio's model of local times cannot say otherwise. Seconds are dropped, as
//! for every other source.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Timelike};
use chrono_tz::Tz;

use crate::records::Record;

/// Why a timr entry cannot become a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("the entry ends before it starts")]
    EndBeforeStart,
    #[error("the entry spans more than one midnight")]
    TooLong,
    #[error("the breaks ({breaks} min) are not shorter than the entry ({length} min)")]
    BreakTooLong { breaks: u32, length: u32 },
    /// Lies within the hour the clocks went back: as local time it would be empty.
    #[error("the entry lies in the hour the clocks were set back; local times cannot show it")]
    ClockChange,
}

fn minutes(t: NaiveDateTime) -> u16 {
    (t.hour() * 60 + t.minute()) as u16
}

/// The record for a finished entry of the person with address `employee`.
pub fn to_record(
    employee: &str,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    break_minutes: u32,
    notes: Option<&str>,
    zone: Tz,
) -> Result<Record, ConvertError> {
    if end <= start {
        return Err(ConvertError::EndBeforeStart);
    }
    let local_start = start.with_timezone(&zone).naive_local();
    let local_end = end.with_timezone(&zone).naive_local();
    let date = local_start.date();
    let end_date = match (local_end.date() - date).num_days() {
        0 => None,
        1 => Some(local_end.date()),
        _ => return Err(ConvertError::TooLong),
    };
    let (start_min, end_min) = (minutes(local_start), minutes(local_end));
    let length = (i64::from(end_min) + if end_date.is_some() { 1440 } else { 0 }
        - i64::from(start_min))
    .max(0) as u32;
    if length == 0 || (end_date.is_none() && end_min < start_min) {
        return Err(ConvertError::ClockChange);
    }
    if break_minutes >= length {
        return Err(ConvertError::BreakTooLong {
            breaks: break_minutes,
            length,
        });
    }
    Ok(Record {
        employee: employee.to_lowercase(),
        date,
        start: start_min,
        end: end_min,
        end_date,
        break_minutes,
        comment: notes
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Berlin;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn offsets_become_local_wall_clock_time() {
        let r = to_record(
            "Anna@Example.com",
            at("2026-11-02T06:58:00Z"),
            at("2026-11-02T15:31:59Z"),
            30,
            Some(" Kunde "),
            Berlin,
        )
        .unwrap();
        assert_eq!(r.employee, "anna@example.com");
        assert_eq!(r.date.to_string(), "2026-11-02");
        assert_eq!((r.start, r.end, r.end_date), (478, 991, None));
        assert_eq!(r.comment.as_deref(), Some("Kunde"));
        let summer = to_record(
            "a@x.de",
            at("2026-07-01T08:00:00+02:00"),
            at("2026-07-01T16:00:00+02:00"),
            0,
            None,
            Berlin,
        )
        .unwrap();
        assert_eq!((summer.start, summer.end), (480, 960));
    }

    #[test]
    fn the_dst_week_is_exact() {
        // Spring forward: 02:00 becomes 03:00 on 29 March 2026.
        let night = to_record(
            "a@x.de",
            at("2026-03-28T22:00:00+01:00"),
            at("2026-03-29T06:00:00+02:00"),
            30,
            None,
            Berlin,
        )
        .unwrap();
        assert_eq!(night.date.to_string(), "2026-03-28");
        assert_eq!((night.start, night.end), (1320, 360));
        assert_eq!(
            night.end_date.map(|d| d.to_string()).as_deref(),
            Some("2026-03-29")
        );
        // Fall back: 03:00 becomes 02:00 on 25 October 2026. Four hours worked show as
        // 02:00 to 05:00, as Personio's local times see them.
        let autumn = to_record(
            "a@x.de",
            at("2026-10-25T00:00:00Z"),
            at("2026-10-25T04:00:00Z"),
            0,
            None,
            Berlin,
        )
        .unwrap();
        assert_eq!((autumn.start, autumn.end), (120, 300));
        // 02:30 summer time to 02:30 winter time: an hour worked, no local span at all.
        assert_eq!(
            to_record(
                "a@x.de",
                at("2026-10-25T00:30:00Z"),
                at("2026-10-25T01:30:00Z"),
                0,
                None,
                Berlin
            ),
            Err(ConvertError::ClockChange)
        );
    }

    #[test]
    fn impossible_entries_are_refused() {
        assert_eq!(
            to_record(
                "a@x.de",
                at("2026-11-02T10:00:00Z"),
                at("2026-11-02T09:00:00Z"),
                0,
                None,
                Berlin
            ),
            Err(ConvertError::EndBeforeStart)
        );
        assert_eq!(
            to_record(
                "a@x.de",
                at("2026-11-02T10:00:00Z"),
                at("2026-11-04T09:00:00Z"),
                0,
                None,
                Berlin
            ),
            Err(ConvertError::TooLong)
        );
        assert_eq!(
            to_record(
                "a@x.de",
                at("2026-11-02T08:00:00Z"),
                at("2026-11-02T08:30:00Z"),
                30,
                None,
                Berlin
            ),
            Err(ConvertError::BreakTooLong {
                breaks: 30,
                length: 30
            })
        );
    }
}
