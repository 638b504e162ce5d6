//! Time entries as both systems can hold them: a shift of one person in local wall-clock
//! time, with its break in minutes.
//!
//! TimeTrack keeps an attendance as two UTC instants and break minutes; Personio keeps a day
//! as local WORK and BREAK periods. A shift is the common ground: converting a TimeTrack
//! attendance into the company's zone and back must give the same instants, so a shift
//! whose local times are ambiguous (inside the hour the clocks go back) is refused rather
//! than written an hour off.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::reconcile::Content;
use crate::jobs::timr::convert::{ConvertError, to_record};
use crate::records::Record;
use crate::target::layout::PeriodKind;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shift {
    /// Lower-case e-mail address.
    pub email: String,
    pub date: NaiveDate,
    /// Minutes since midnight, local time.
    pub start: u16,
    /// Minutes since midnight of `end_date` (or of `date`).
    pub end: u16,
    pub end_date: Option<NaiveDate>,
    pub break_minutes: u32,
}

impl Content for Shift {
    fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}",
            self.email,
            self.date,
            self.start,
            self.end_date.unwrap_or(self.date),
            self.end,
            self.break_minutes
        )
    }
}

fn at(date: NaiveDate, minutes: u16) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes))
}

fn minutes(t: NaiveDateTime) -> u16 {
    (t.hour() * 60 + t.minute()) as u16
}

/// Local wall-clock time → UTC. In the hour the clocks go back the earlier instant is
/// taken; a time that does not exist (the hour the clocks skip) is read as the time after
/// the jump, as a clock that was not yet set forward would show it.
pub fn to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => to_utc(local + Duration::hours(1), zone),
    }
}

impl Shift {
    /// The day and time the shift is known by on both sides.
    pub fn key(&self) -> String {
        format!(
            "{}|{}",
            self.email,
            at(self.date, self.start).format("%Y-%m-%dT%H:%M")
        )
    }

    pub fn local_start(&self) -> NaiveDateTime {
        at(self.date, self.start)
    }

    pub fn local_end(&self) -> NaiveDateTime {
        at(self.end_date.unwrap_or(self.date), self.end)
    }

    pub fn utc_span(&self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            to_utc(self.local_start(), zone),
            to_utc(self.local_end(), zone),
        )
    }

    /// The shift of a finished TimeTrack attendance. Seconds are dropped.
    pub fn from_attendance(
        email: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        break_minutes: u32,
        zone: Tz,
    ) -> Result<Shift, ConvertError> {
        let r = to_record(
            email,
            from.fixed_offset(),
            to.fixed_offset(),
            break_minutes,
            None,
            zone,
        )?;
        let shift = Shift::from_record(&r);
        let floor = |t: DateTime<Utc>| t.with_second(0).and_then(|t| t.with_nanosecond(0));
        let (start, end) = shift.utc_span(zone);
        if Some(start) != floor(from) || Some(end) != floor(to) {
            return Err(ConvertError::ClockChange);
        }
        Ok(shift)
    }

    pub fn from_record(r: &Record) -> Shift {
        Shift {
            email: r.employee.clone(),
            date: r.date,
            start: r.start,
            end: r.end,
            end_date: r.end_date,
            break_minutes: r.break_minutes,
        }
    }

    pub fn to_record(&self, comment: Option<String>) -> Record {
        Record {
            employee: self.email.clone(),
            date: self.date,
            start: self.start,
            end: self.end,
            end_date: self.end_date,
            break_minutes: self.break_minutes,
            comment,
        }
    }
}

/// One Personio period, as the shift builder needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDateTime,
    pub end: Option<NaiveDateTime>,
}

/// Why Personio periods do not make a shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoShift {
    /// An open period: the person is still at work.
    Running,
    /// Only breaks (Personio may add breaks of its own): no working time to pass on.
    NoWork,
    /// Periods spanning more than one midnight.
    Unusable,
}

/// The shift a group of periods makes: from the first start to the last end, the break
/// being whatever of that span is not WORK.
pub fn from_periods(email: &str, periods: &[Period]) -> Result<Shift, NoShift> {
    // A day written with `day_end = last_second` ends at 23:59:59: that is midnight.
    let close = |t: NaiveDateTime| {
        if (t.hour(), t.minute(), t.second()) == (23, 59, 59) {
            t + Duration::seconds(1)
        } else {
            t
        }
    };
    let mut spans = Vec::with_capacity(periods.len());
    for p in periods {
        let end = p.end.ok_or(NoShift::Running)?;
        spans.push((p.kind, p.start, close(end)));
    }
    let start = spans.iter().map(|s| s.1).min().ok_or(NoShift::NoWork)?;
    let end = spans.iter().map(|s| s.2).max().ok_or(NoShift::NoWork)?;
    let worked_secs: i64 = spans
        .iter()
        .filter(|s| s.0 == PeriodKind::Work)
        .map(|s| (s.2 - s.1).num_seconds().max(0))
        .sum();
    let worked = (worked_secs + 30) / 60;
    let span = (end - start).num_minutes();
    let end_date = match (end.date() - start.date()).num_days() {
        0 => None,
        1 => Some(end.date()),
        _ => return Err(NoShift::Unusable),
    };
    if worked == 0 || span <= 0 {
        return Err(NoShift::NoWork);
    }
    Ok(Shift {
        email: email.to_string(),
        date: start.date(),
        start: minutes(start),
        end: minutes(end),
        end_date,
        break_minutes: (span - worked).max(0) as u32,
    })
}

#[cfg(test)]
mod tests;
