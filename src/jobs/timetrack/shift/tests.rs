use super::*;

const BERLIN: Tz = chrono_tz::Europe::Berlin;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

fn work(a: &str, b: &str) -> Period {
    Period {
        kind: PeriodKind::Work,
        start: local(a),
        end: Some(local(b)),
    }
}

#[test]
fn an_attendance_becomes_local_time_and_goes_back_to_the_same_instants() {
    // Winter (UTC+1) and summer (UTC+2).
    for (from, to, start, end) in [
        (
            "2026-01-12T07:00:00Z",
            "2026-01-12T15:30:00Z",
            8 * 60,
            16 * 60 + 30,
        ),
        (
            "2026-07-13T06:00:00.000Z",
            "2026-07-13T14:30:00Z",
            8 * 60,
            16 * 60 + 30,
        ),
    ] {
        let s = Shift::from_attendance("anna@example.com", utc(from), utc(to), 30, BERLIN).unwrap();
        assert_eq!(
            (s.start, s.end, s.break_minutes, s.end_date),
            (start, end, 30, None)
        );
        assert_eq!(s.utc_span(BERLIN), (utc(from), utc(to)));
    }
}

#[test]
fn a_dst_week_converts_exactly_both_ways() {
    // The week of 26 October 2026: clocks go back at 03:00 CEST on Sunday the 25th.
    let week = [
        (
            "2026-10-23T06:00:00Z",
            "2026-10-23T14:00:00Z",
            "08:00",
            "16:00",
        ),
        (
            "2026-10-24T20:00:00Z",
            "2026-10-25T05:00:00Z",
            "22:00",
            "06:00",
        ), // night across the change: 9 h
        (
            "2026-10-26T07:00:00Z",
            "2026-10-26T15:00:00Z",
            "08:00",
            "16:00",
        ),
        // And spring: clocks skip 02:00–03:00 on 29 March 2026.
        (
            "2026-03-28T21:00:00Z",
            "2026-03-29T05:00:00Z",
            "22:00",
            "07:00",
        ), // 8 h
    ];
    for (from, to, start, end) in week {
        let s = Shift::from_attendance("a@x.de", utc(from), utc(to), 0, BERLIN).unwrap();
        assert_eq!(at(s.date, s.start).format("%H:%M").to_string(), start);
        assert_eq!(s.local_end().format("%H:%M").to_string(), end);
        assert_eq!(s.utc_span(BERLIN), (utc(from), utc(to)), "{from}");
    }
    let night =
        Shift::from_attendance("a@x.de", utc(week[1].0), utc(week[1].1), 0, BERLIN).unwrap();
    assert_eq!(night.end_date, NaiveDate::from_ymd_opt(2026, 10, 25));
}

#[test]
fn an_entry_in_the_repeated_hour_is_refused_rather_than_moved() {
    // 02:30 CET, the second 02:30 of 25 October: local time cannot tell it from 02:30 CEST.
    let e = Shift::from_attendance(
        "a@x.de",
        utc("2026-10-25T01:30:00Z"),
        utc("2026-10-25T04:00:00Z"),
        0,
        BERLIN,
    );
    assert_eq!(e, Err(ConvertError::ClockChange));
}

#[test]
fn seconds_are_dropped_on_the_way_in() {
    let s = Shift::from_attendance(
        "a@x.de",
        utc("2026-01-12T07:00:42Z"),
        utc("2026-01-12T15:00:59Z"),
        0,
        BERLIN,
    )
    .unwrap();
    assert_eq!((s.start, s.end), (8 * 60, 16 * 60));
}

#[test]
fn the_time_the_clocks_skip_is_read_after_the_jump() {
    assert_eq!(
        to_utc(local("2026-03-29T02:30"), BERLIN),
        utc("2026-03-29T01:30:00Z")
    );
    assert_eq!(
        to_utc(local("2026-10-25T02:30"), BERLIN),
        utc("2026-10-25T00:30:00Z")
    );
}

#[test]
fn periods_make_one_shift_with_the_gaps_and_breaks_as_break() {
    let brk = Period {
        kind: PeriodKind::Break,
        start: local("2026-03-02T12:00"),
        end: Some(local("2026-03-02T12:30")),
    };
    let s = from_periods(
        "anna@example.com",
        &[
            work("2026-03-02T12:30", "2026-03-02T16:30"),
            brk,
            work("2026-03-02T08:00", "2026-03-02T12:00"),
        ],
    )
    .unwrap();
    assert_eq!((s.start, s.end, s.break_minutes), (480, 990, 30));
    // The gap layout (no BREAK period) gives the same shift.
    let gap = from_periods(
        "anna@example.com",
        &[
            work("2026-03-02T08:00", "2026-03-02T12:00"),
            work("2026-03-02T12:30", "2026-03-02T16:30"),
        ],
    )
    .unwrap();
    assert_eq!(gap, s);
    assert_eq!(s.key(), "anna@example.com|2026-03-02T08:00");
}

#[test]
fn open_periods_and_break_only_days_make_no_shift() {
    let open = Period {
        end: None,
        ..work("2026-03-02T08:00", "2026-03-02T09:00")
    };
    assert_eq!(from_periods("a@x.de", &[open]), Err(NoShift::Running));
    let brk = Period {
        kind: PeriodKind::Break,
        ..work("2026-03-02T08:00", "2026-03-02T09:00")
    };
    assert_eq!(from_periods("a@x.de", &[brk]), Err(NoShift::NoWork));
    assert_eq!(from_periods("a@x.de", &[]), Err(NoShift::NoWork));
    let long = work("2026-03-02T22:00", "2026-03-04T06:00");
    assert_eq!(from_periods("a@x.de", &[long]), Err(NoShift::Unusable));
}

#[test]
fn a_shift_and_its_record_carry_the_same_times() {
    let s = from_periods("a@x.de", &[work("2026-03-02T22:00", "2026-03-03T06:00")]).unwrap();
    let r = s.to_record(Some("TimeTrack".into()));
    assert_eq!(r.end_date, NaiveDate::from_ymd_opt(2026, 3, 3));
    assert_eq!(Shift::from_record(&r), s);
    assert_eq!(s.fingerprint(), "a@x.de|2026-03-02|1320|2026-03-03|360|0");
}

#[test]
fn a_night_split_at_midnight_is_one_shift_whichever_way_the_day_ends() {
    for first_end in ["2026-03-02T23:59:59", "2026-03-03T00:00:00"] {
        let first = Period {
            kind: PeriodKind::Work,
            start: local("2026-03-02T22:00"),
            end: Some(NaiveDateTime::parse_from_str(first_end, "%Y-%m-%dT%H:%M:%S").unwrap()),
        };
        let s = from_periods(
            "a@x.de",
            &[first, work("2026-03-03T00:00", "2026-03-03T06:00")],
        )
        .unwrap();
        assert_eq!(
            (s.start, s.end, s.break_minutes),
            (1320, 360, 0),
            "{first_end}"
        );
        assert_eq!(s.end_date, NaiveDate::from_ymd_opt(2026, 3, 3));
    }
}
