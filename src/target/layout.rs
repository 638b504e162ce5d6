//! A record → the attendance periods that represent it in Personio v2.
//!
//! v2 has no "break minutes": a break is a period of its own with a start and an end, and
//! periods may neither overlap nor cross midnight. A record with a break becomes
//! `WORK, BREAK, WORK` laid end to end (or, with `break_mode = "gap"`, the two WORK periods
//! with the break left as the gap between them). Either way the WORK periods add up to
//! end − start − break.
//!
//! Where the break goes is not in the export, so it is placed by a fixed rule, the same
//! every time so a re-import finds the same periods: the first WORK part is half of the
//! working time rounded down to 5 minutes, but at most 6 hours (German working-time law,
//! ArbZG §4, wants a break after 6 hours at the latest), and each WORK part is at least
//! one minute long.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Deserialize;

use crate::records::Record;

/// How a break is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BreakMode {
    /// WORK, BREAK, WORK.
    #[default]
    Split,
    /// WORK, gap, WORK.
    Gap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Work,
    Break,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Work => "WORK",
            PeriodKind::Break => "BREAK",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodKind> {
        match s {
            "WORK" => Some(PeriodKind::Work),
            "BREAK" => Some(PeriodKind::Break),
            _ => None,
        }
    }
}

/// How a period that ends at midnight says so. Whether Personio takes `00:00` of the next
/// day as the end of a period (it does not let periods cross midnight) is not documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayEnd {
    /// `T00:00:00` of the next day: exact.
    #[default]
    Midnight,
    /// `T23:59:59` of the same day: one second short, for tenants that refuse the above.
    LastSecond,
}

impl DayEnd {
    /// Rewrites ends at midnight of the next day the chosen way.
    pub fn apply(self, periods: &mut [Period]) {
        if self == DayEnd::LastSecond {
            for p in periods {
                if p.end.date() > p.start.date() && p.end.time() == chrono::NaiveTime::MIN {
                    p.end -= Duration::seconds(1);
                }
            }
        }
    }
}

/// One period to write, in local wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub comment: Option<String>,
}

/// Minutes of working time before the break.
pub fn first_part(working: i64) -> i64 {
    if working < 2 {
        return working;
    }
    let half = working / 2 / 5 * 5;
    half.min(360).clamp(1, working - 1)
}

fn at(date: NaiveDate, minutes: i64) -> NaiveDateTime {
    date.and_hms_opt(0, 0, 0).expect("midnight exists") + Duration::minutes(minutes)
}

/// The periods for one record, in time order, none crossing midnight.
pub fn periods(record: &Record, mode: BreakMode) -> Vec<Period> {
    let start = i64::from(record.start);
    let (span_start, span_end) = record.span();
    let length = span_end - span_start;
    let brk = i64::from(record.break_minutes);
    let work = |from: i64, to: i64| (PeriodKind::Work, from, to);
    let parts = if brk == 0 {
        vec![work(start, start + length)]
    } else {
        let working = length - brk;
        let first = first_part(working);
        let break_at = start + first;
        let mut parts = Vec::with_capacity(3);
        if first > 0 {
            parts.push(work(start, break_at));
        }
        if mode == BreakMode::Split {
            parts.push((PeriodKind::Break, break_at, break_at + brk));
        }
        if working - first > 0 {
            parts.push(work(break_at + brk, start + length));
        }
        parts
    };
    let mut out = Vec::with_capacity(parts.len() + 1);
    for (kind, from, to) in parts {
        // Split at every midnight the part crosses.
        let mut from = from;
        while from < to {
            let next_midnight = (from / 1440 + 1) * 1440;
            let until = to.min(next_midnight);
            out.push(Period {
                kind,
                start: at(record.date, from),
                end: at(record.date, until),
                comment: None,
            });
            from = until;
        }
    }
    if let Some(first_work) = out.iter_mut().find(|p| p.kind == PeriodKind::Work) {
        first_work.comment = record.comment.clone();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(start: u16, end: u16, end_next_day: bool, brk: u32) -> Record {
        let date = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        Record {
            employee: "a@example.com".into(),
            date,
            start,
            end,
            end_date: end_next_day.then(|| date.succ_opt().unwrap()),
            break_minutes: brk,
            comment: Some("Kunde".into()),
        }
    }

    fn shown(ps: &[Period]) -> Vec<String> {
        ps.iter()
            .map(|p| {
                format!(
                    "{} {}-{}",
                    p.kind.as_str(),
                    p.start.format("%d %H:%M"),
                    p.end.format("%d %H:%M")
                )
            })
            .collect()
    }

    fn worked(ps: &[Period]) -> i64 {
        ps.iter()
            .filter(|p| p.kind == PeriodKind::Work)
            .map(|p| (p.end - p.start).num_minutes())
            .sum()
    }

    #[test]
    fn no_break_is_one_work_period() {
        let ps = periods(&record(478, 991, false, 0), BreakMode::Split);
        assert_eq!(shown(&ps), ["WORK 02 07:58-02 16:31"]);
        assert_eq!(ps[0].comment.as_deref(), Some("Kunde"));
    }

    #[test]
    fn a_break_sits_in_the_middle_rounded_to_five_minutes() {
        // 07:58–16:31 with 30 min: 483 min of work, first part 240 min.
        let ps = periods(&record(478, 991, false, 30), BreakMode::Split);
        assert_eq!(
            shown(&ps),
            [
                "WORK 02 07:58-02 11:58",
                "BREAK 02 11:58-02 12:28",
                "WORK 02 12:28-02 16:31"
            ]
        );
        assert_eq!(worked(&ps), 991 - 478 - 30);
        assert_eq!(ps[1].comment, None);
        let gap = periods(&record(478, 991, false, 30), BreakMode::Gap);
        assert_eq!(
            shown(&gap),
            ["WORK 02 07:58-02 11:58", "WORK 02 12:28-02 16:31"]
        );
        assert_eq!(worked(&gap), worked(&ps));
    }

    #[test]
    fn the_break_comes_after_six_hours_at_the_latest() {
        // 06:00–20:00 with 45 min: 795 min of work; half would be 395, capped at 360.
        let ps = periods(&record(360, 1200, false, 45), BreakMode::Split);
        assert_eq!(ps[1].start.format("%H:%M").to_string(), "12:00");
        assert_eq!(worked(&ps), 1200 - 360 - 45);
    }

    #[test]
    fn tiny_periods_keep_both_work_parts() {
        let ps = periods(&record(480, 483, false, 1), BreakMode::Split);
        assert_eq!(
            shown(&ps),
            [
                "WORK 02 08:00-02 08:01",
                "BREAK 02 08:01-02 08:02",
                "WORK 02 08:02-02 08:03"
            ]
        );
        assert_eq!(first_part(1), 1);
        assert_eq!(first_part(2), 1);
        assert_eq!(first_part(9), 1);
        assert_eq!(first_part(10), 5);
    }

    #[test]
    fn night_shifts_are_split_at_midnight() {
        let ps = periods(&record(1320, 360, true, 30), BreakMode::Split);
        // 22:00–06:00, 450 min of work, first part 225 → break 01:45–02:15.
        assert_eq!(
            shown(&ps),
            [
                "WORK 02 22:00-03 00:00",
                "WORK 03 00:00-03 01:45",
                "BREAK 03 01:45-03 02:15",
                "WORK 03 02:15-03 06:00"
            ]
        );
        assert_eq!(worked(&ps), 480 - 30);
        let until_midnight = periods(&record(1080, 0, true, 0), BreakMode::Split);
        assert_eq!(shown(&until_midnight), ["WORK 02 18:00-03 00:00"]);
    }

    proptest::proptest! {
        #[test]
        fn periods_never_overlap_and_add_up(start in 0u16..1440, len in 1i64..1440, brk in 0u32..600, gap: bool) {
            let brk = if i64::from(brk) >= len { 0 } else { brk };
            let end_abs = i64::from(start) + len;
            let r = record(start, (end_abs % 1440) as u16, end_abs >= 1440, brk);
            let mode = if gap { BreakMode::Gap } else { BreakMode::Split };
            let ps = periods(&r, mode);
            proptest::prop_assert_eq!(worked(&ps), len - i64::from(brk));
            for w in ps.windows(2) {
                proptest::prop_assert!(w[0].end <= w[1].start);
            }
            for p in &ps {
                proptest::prop_assert!(p.start < p.end);
                proptest::prop_assert!(p.end.date() == p.start.date() || p.end.time() == chrono::NaiveTime::MIN);
            }
        }
    }
}
