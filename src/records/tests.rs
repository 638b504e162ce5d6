use chrono::NaiveDate;

use super::*;
use crate::lang::Lang;
use crate::parse::value::{BreakUnit, Field, TimeValue, parse_break, parse_date, parse_time};
use crate::parse::{EmployeeRef, RawRow};

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

fn rules() -> Rules {
    Rules::new(d("20.11.2026"))
}

/// A raw row from the texts a CSV line would hold.
fn row(email: &str, date: &str, start: &str, end: &str, brk: &str) -> RawRow {
    let date = if date.is_empty() {
        Field::Missing
    } else {
        match parse_date(date) {
            Ok(v) => Field::Value(v),
            Err(p) => Field::Invalid(p),
        }
    };
    let time = |s: &str| -> Field<TimeValue> {
        if s.is_empty() {
            Field::Missing
        } else {
            match parse_time(s) {
                Ok(v) => Field::Value(v),
                Err(p) => Field::Invalid(p),
            }
        }
    };
    RawRow {
        location: "2".into(),
        employee: EmployeeRef {
            email: (!email.is_empty()).then(|| email.to_string()),
            ..Default::default()
        },
        date,
        start: time(start),
        end: time(end),
        break_minutes: if brk.is_empty() {
            Field::Missing
        } else {
            match parse_break(brk, BreakUnit::Auto) {
                Ok(m) => Field::Value(m),
                Err(p) => Field::Invalid(p),
            }
        },
        comment: None,
        header: std::sync::Arc::from(Vec::new()),
    }
}

fn check(r: RawRow) -> Result<Record, Rejection> {
    validate(&r, &rules(), &EmployeeMap::default())
}

#[test]
fn a_good_row_becomes_a_record() {
    let r = check(row(
        "Anna.Muster@Example.com",
        "03.11.2026",
        "07:58",
        "16:31:40",
        "30",
    ))
    .unwrap();
    assert_eq!(r.employee, "anna.muster@example.com");
    assert_eq!(r.date, d("03.11.2026"));
    assert_eq!((r.start, r.end, r.break_minutes), (478, 991, 30));
    assert_eq!(r.end_date, None);
}

#[test]
fn a_forgotten_clock_out_is_rejected_never_invented() {
    let e = check(row("a@example.com", "03.11.2026", "07:58", "", "")).unwrap_err();
    assert_eq!(e, Rejection::MissingEnd);
    assert!(e.reason(Lang::De).contains("Ausstempeln vergessen"));
}

#[test]
fn end_before_start_is_rejected_unless_overnight_is_allowed() {
    let r = row("a@example.com", "03.11.2026", "22:00", "06:00", "30");
    let e = check(r.clone()).unwrap_err();
    assert_eq!(e.reason(Lang::En), "end 06:00 is before start 22:00");
    let mut night = rules();
    night.overnight = Overnight::Allow;
    let rec = validate(&r, &night, &EmployeeMap::default()).unwrap();
    assert_eq!(rec.end_date, Some(d("04.11.2026")));
    assert_eq!(rec.end, 360);
}

#[test]
fn end_at_midnight_ends_on_the_next_day() {
    let rec = check(row("a@example.com", "03.11.2026", "18:00", "24:00", "")).unwrap();
    assert_eq!((rec.end, rec.end_date), (0, Some(d("04.11.2026"))));
    assert_eq!(rec.span().1 - rec.span().0, 360);
}

#[test]
fn breaks_must_be_shorter_than_the_period() {
    assert_eq!(
        check(row("a@example.com", "03.11.2026", "08:00", "08:30", "30")).unwrap_err(),
        Rejection::BreakTooLong {
            break_minutes: 30,
            period: 30
        }
    );
    assert_eq!(
        check(row("a@example.com", "03.11.2026", "08:00", "12:00", "-15")).unwrap_err(),
        Rejection::NegativeBreak("-15".into())
    );
    assert!(matches!(
        check(row("a@example.com", "03.11.2026", "08:00", "12:00", "viel")).unwrap_err(),
        Rejection::InvalidBreak(_)
    ));
}

#[test]
fn periods_longer_than_the_maximum_are_rejected() {
    assert_eq!(
        check(row("a@example.com", "03.11.2026", "05:00", "21:30", "")).unwrap_err(),
        Rejection::TooLong {
            minutes: 990,
            max: 960
        }
    );
    assert!(check(row("a@example.com", "03.11.2026", "05:00", "21:00", "")).is_ok());
}

#[test]
fn impossible_future_and_missing_dates() {
    assert_eq!(
        check(row("a@example.com", "31.02.2026", "08:00", "12:00", "")).unwrap_err(),
        Rejection::ImpossibleDate("31.02.2026".into())
    );
    assert_eq!(
        check(row("a@example.com", "23.11.2026", "08:00", "12:00", "")).unwrap_err(),
        Rejection::InFuture(d("23.11.2026"))
    );
    assert!(check(row("a@example.com", "21.11.2026", "08:00", "12:00", "")).is_ok());
    assert_eq!(
        check(row("a@example.com", "", "08:00", "12:00", "")).unwrap_err(),
        Rejection::MissingDate
    );
    let with_date = check(row(
        "a@example.com",
        "",
        "03.11.2026 08:00",
        "03.11.2026 12:00",
        "",
    ))
    .unwrap();
    assert_eq!(with_date.date, d("03.11.2026"));
}

#[test]
fn employees_must_have_valid_addresses() {
    for bad in [
        "anna.example.com",
        "anna@example",
        "an na@example.com",
        "a@@example.com",
        "@example.com",
    ] {
        assert!(
            matches!(
                check(row(bad, "03.11.2026", "08:00", "12:00", "")),
                Err(Rejection::InvalidEmail(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(
        check(row("", "03.11.2026", "08:00", "12:00", "")).unwrap_err(),
        Rejection::MissingEmployee
    );
}

#[test]
fn repeats_are_duplicates_and_overlaps_are_rejected() {
    let r = rules();
    let map = EmployeeMap::default();
    let mut c = Checker::new(&r, &map);
    let mut at = |line: &str, raw: RawRow| {
        c.check(
            RawRow {
                location: line.into(),
                ..raw
            },
            &[],
        )
        .1
    };
    assert!(matches!(
        at(
            "2",
            row("a@example.com", "03.11.2026", "08:00", "12:00", "")
        ),
        Outcome::Ok(_)
    ));
    assert!(matches!(
        at("3", row("a@example.com", "03.11.2026", "08:00", "12:00", "")),
        Outcome::Duplicate { first, .. } if first == "2"
    ));
    assert!(matches!(
        at(
            "4",
            row("a@example.com", "03.11.2026", "08:00", "13:00", "")
        ),
        Outcome::Rejected(r) if matches!(r.rejection, Rejection::Conflicts { .. })
    ));
    assert!(matches!(
        at(
            "5",
            row("a@example.com", "03.11.2026", "11:00", "14:00", "")
        ),
        Outcome::Rejected(r) if matches!(r.rejection, Rejection::Overlaps { start: 480, end: 720, .. })
    ));
    assert!(matches!(
        at(
            "6",
            row("a@example.com", "03.11.2026", "12:00", "16:00", "")
        ),
        Outcome::Ok(_)
    ));
    assert!(matches!(
        at(
            "7",
            row("b@example.com", "03.11.2026", "08:00", "12:00", "")
        ),
        Outcome::Ok(_)
    ));
    assert!(matches!(
        at(
            "8",
            row("a@example.com", "03.11.2026", "07:00", "08:01", "")
        ),
        Outcome::Rejected(r) if matches!(r.rejection, Rejection::Overlaps { .. })
    ));
}

#[test]
fn every_rejection_has_a_sentence_in_both_languages() {
    let all = [
        Rejection::MissingEmployee,
        Rejection::UnknownEmployee("1001".into()),
        Rejection::InvalidEmail("x".into()),
        Rejection::MissingDate,
        Rejection::InvalidDate("x".into()),
        Rejection::ImpossibleDate("31.02.2026".into()),
        Rejection::MissingStart,
        Rejection::InvalidStart("x".into()),
        Rejection::MissingEnd,
        Rejection::InvalidEnd("x".into()),
        Rejection::EndBeforeStart {
            start: 480,
            end: 420,
        },
        Rejection::SameStartAndEnd { at: 480 },
        Rejection::DateMismatch {
            date: d("03.11.2026"),
            other: d("05.11.2026"),
        },
        Rejection::InvalidBreak("x".into()),
        Rejection::NegativeBreak("-1".into()),
        Rejection::BreakTooLong {
            break_minutes: 60,
            period: 30,
        },
        Rejection::TooLong {
            minutes: 1000,
            max: 960,
        },
        Rejection::InFuture(d("01.01.2027")),
        Rejection::Overlaps {
            row: "3".into(),
            start: 480,
            end: 720,
        },
        Rejection::Conflicts { row: "3".into() },
    ];
    for r in all {
        let (de, en) = (r.reason(Lang::De), r.reason(Lang::En));
        assert!(de.len() > 10 && en.len() > 10 && de != en, "{r:?}");
    }
}

#[test]
fn rejected_repeats_keep_their_employee_for_the_report() {
    let r = rules();
    let map = EmployeeMap::default();
    let mut c = Checker::new(&r, &map);
    c.check(
        row("a@example.com", "03.11.2026", "08:00", "12:00", ""),
        &[],
    );
    let (_, outcome) = c.check(
        row("a@example.com", "03.11.2026", "09:00", "13:00", ""),
        &[],
    );
    let Outcome::Rejected(rejected) = outcome else {
        panic!("an overlap is rejected")
    };
    assert_eq!(rejected.employee.as_deref(), Some("a@example.com"));
    let (_, missing) = c.check(row("B@Example.com", "04.11.2026", "08:00", "", ""), &[]);
    let Outcome::Rejected(rejected) = missing else {
        panic!("no end")
    };
    assert_eq!(
        rejected.employee.as_deref(),
        Some("B@Example.com"),
        "the row's own spelling"
    );
}
