//! Reading dates, times of day and break lengths from cells.
//!
//! The rules, also in the README:
//! - Dates: `dd.mm.yyyy`, `d.m.yy` (years 00–99 are 2000–2099), ISO `yyyy-mm-dd`, a leading
//!   weekday (`Mo, 02.11.2026`) and a trailing time are ignored, spreadsheet date cells.
//! - Times: `HH:MM`, `H:MM`, `HH:MM:SS`, an optional ` Uhr`, spreadsheet time cells and
//!   date-time cells. Seconds are dropped (`07:58:59` is `07:58`): the terminal records to
//!   the minute, and a program that added seconds only appended `:00`. `24:00` is accepted
//!   as the end of the day.
//! - Breaks: `H:MM` is hours and minutes; a whole number is minutes unless the header says
//!   hours (`h`, `Std`, `Stunden`); a decimal number (`0,5` or `0.5`) is hours unless the
//!   header says minutes (`min`); a unit after the value (`30 min`, `0,5 h`) wins over the
//!   header. Decimal hours are rounded to the nearest minute. An empty break is 0.

use chrono::{Datelike, NaiveDate, Timelike};

use super::cell::Cell;

/// A field of a row as read from its cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    /// No column for it, or an empty cell.
    Missing,
    Value(T),
    /// The cell holds something that is not a valid value.
    Invalid(ValueProblem),
}

impl<T> Field<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// Why a cell could not be read as the value its column asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueProblem {
    NotADate(String),
    /// Well-formed but not in the calendar, like `31.02.2026`.
    ImpossibleDate(String),
    NotATime(String),
    NotABreak(String),
    NegativeBreak(String),
}

/// A time of day in minutes since midnight (0..=1440; 1440 is `24:00`), with the date when
/// the cell carried one (`02.11.2026 07:58`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeValue {
    pub minutes: u16,
    pub date: Option<NaiveDate>,
}

/// What the header says about the unit of a break column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BreakUnit {
    /// Decide from the value's shape.
    #[default]
    Auto,
    Minutes,
    Hours,
    /// `H:MM`.
    Hmm,
}

/// Custom formats from a column profile (chrono `strftime` syntax).
#[derive(Debug, Clone, Copy, Default)]
pub struct Formats<'a> {
    pub date: Option<&'a str>,
    pub time: Option<&'a str>,
}

pub fn date(cell: &Cell, formats: Formats) -> Field<NaiveDate> {
    match cell {
        Cell::Empty => Field::Missing,
        Cell::Date(d) => Field::Value(*d),
        Cell::DateTime(dt) => Field::Value(dt.date()),
        Cell::Text(t) => {
            let t = t.trim();
            if t.is_empty() {
                return Field::Missing;
            }
            let parsed = match formats.date {
                Some(f) => parse_date_with(t, f),
                None => parse_date(t),
            };
            match parsed {
                Ok(d) => Field::Value(d),
                Err(p) => Field::Invalid(p),
            }
        }
        other => Field::Invalid(ValueProblem::NotADate(other.display())),
    }
}

pub fn time(cell: &Cell, formats: Formats) -> Field<TimeValue> {
    let at = |minutes: u32, date| {
        Field::Value(TimeValue {
            minutes: minutes as u16,
            date,
        })
    };
    match cell {
        Cell::Empty => Field::Missing,
        Cell::Time(secs) => at(secs / 60, None),
        Cell::Duration(secs) if *secs <= 86_400 => at(secs / 60, None),
        Cell::DateTime(dt) => at(dt.hour() * 60 + dt.minute(), Some(dt.date())),
        // A time-of-day stored as a plain day fraction (a General-formatted time cell).
        Cell::Number(n) if (0.0..1.0).contains(n) => {
            let secs = (n * 86_400.0).round() as u32;
            at(secs.min(86_399) / 60, None)
        }
        Cell::Text(t) => {
            let t = t.trim();
            if t.is_empty() {
                return Field::Missing;
            }
            let parsed = match formats.time {
                Some(f) => chrono::NaiveTime::parse_from_str(t, f)
                    .map(|tm| TimeValue {
                        minutes: (tm.hour() * 60 + tm.minute()) as u16,
                        date: None,
                    })
                    .map_err(|_| ValueProblem::NotATime(t.to_string())),
                None => parse_time(t),
            };
            match parsed {
                Ok(v) => Field::Value(v),
                Err(p) => Field::Invalid(p),
            }
        }
        other => Field::Invalid(ValueProblem::NotATime(other.display())),
    }
}

pub fn break_minutes(cell: &Cell, unit: BreakUnit) -> Field<u32> {
    match cell {
        Cell::Empty => Field::Missing,
        Cell::Duration(secs) | Cell::Time(secs) => Field::Value((secs + 30) / 60),
        Cell::Number(n) => from_number(*n, n.fract() != 0.0, unit, &cell.display()),
        Cell::Text(t) => {
            let t = t.trim();
            if t.is_empty() {
                return Field::Missing;
            }
            match parse_break(t, unit) {
                Ok(m) => Field::Value(m),
                Err(p) => Field::Invalid(p),
            }
        }
        other => Field::Invalid(ValueProblem::NotABreak(other.display())),
    }
}

fn from_number(n: f64, decimal: bool, unit: BreakUnit, text: &str) -> Field<u32> {
    if !n.is_finite() || n > 100_000.0 {
        return Field::Invalid(ValueProblem::NotABreak(text.to_string()));
    }
    if n < 0.0 {
        return Field::Invalid(ValueProblem::NegativeBreak(text.to_string()));
    }
    let minutes = match unit {
        BreakUnit::Minutes => n,
        BreakUnit::Hours => n * 60.0,
        BreakUnit::Auto | BreakUnit::Hmm if decimal => n * 60.0,
        BreakUnit::Auto | BreakUnit::Hmm => n,
    };
    Field::Value(minutes.round() as u32)
}

/// Parses a break given as text; see the module documentation for the rules.
pub fn parse_break(text: &str, header_unit: BreakUnit) -> Result<u32, ValueProblem> {
    // The common spelling: a whole number.
    if !text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = text.parse().unwrap_or(0);
        return Ok(if header_unit == BreakUnit::Hours {
            n * 60
        } else {
            n
        });
    }
    let invalid = || ValueProblem::NotABreak(text.to_string());
    let lower = text.to_lowercase();
    let (number, suffix_unit) = split_unit_suffix(lower.trim());
    let unit = suffix_unit.unwrap_or(header_unit);
    let number = number.trim();
    if let Some(rest) = number.strip_prefix('-') {
        return match parse_break(rest, unit) {
            Ok(0) => Ok(0),
            Ok(_) => Err(ValueProblem::NegativeBreak(text.to_string())),
            Err(_) => Err(invalid()),
        };
    }
    if number.contains(':') {
        let mut parts = number.split(':');
        let h = parse_digits(parts.next().unwrap_or(""))?;
        let m = parse_digits(parts.next().unwrap_or(""))?;
        let s = match parts.next() {
            Some(s) => parse_digits(s)?,
            None => 0,
        };
        if parts.next().is_some() || m > 59 || s > 59 || h > 1000 {
            return Err(invalid());
        }
        return Ok(h * 60 + m + u32::from(s >= 30));
    }
    let decimal = number.contains([',', '.']);
    let value: f64 = number.replace(',', ".").parse().map_err(|_| invalid())?;
    if !number
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        return Err(invalid());
    }
    match from_number(value, decimal, unit, text) {
        Field::Value(m) => Ok(m),
        _ => Err(invalid()),
    }
}

fn parse_digits(s: &str) -> Result<u32, ValueProblem> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValueProblem::NotABreak(s.to_string()));
    }
    s.parse()
        .map_err(|_| ValueProblem::NotABreak(s.to_string()))
}

/// Splits `30 min` into `30` and a unit; values without a unit come back whole.
fn split_unit_suffix(text: &str) -> (&str, Option<BreakUnit>) {
    let end = text
        .rfind(|c: char| c.is_ascii_digit())
        .map(|i| i + 1)
        .unwrap_or(0);
    let (number, suffix) = text.split_at(end);
    let suffix = suffix.trim().trim_end_matches('.');
    let unit = match suffix {
        "" => None,
        "m" | "min" | "mins" | "minute" | "minuten" | "minutes" => Some(BreakUnit::Minutes),
        "h" | "std" | "stunde" | "stunden" | "hour" | "hours" | "hrs" => Some(BreakUnit::Hours),
        _ => return (text, None),
    };
    (number, unit)
}

/// Parses a date in one of the accepted spellings.
pub fn parse_date(text: &str) -> Result<NaiveDate, ValueProblem> {
    // The common spelling `dd.mm.yyyy`, read without searching.
    if let [d1, d2, b'.', m1, m2, b'.', y1, y2, y3, y4] = *text.as_bytes()
        && let Some([d, m, y]) =
            digits(&[[d1, d2, b'0', b'0'], [m1, m2, b'0', b'0'], [y1, y2, y3, y4]])
    {
        let (d, m, y) = (d / 100, m / 100, y);
        if (1900..=2999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d) {
            return NaiveDate::from_ymd_opt(y as i32, m, d)
                .ok_or_else(|| ValueProblem::ImpossibleDate(text.to_string()));
        }
    }
    let not_a_date = || ValueProblem::NotADate(text.to_string());
    let mut t = text.trim();
    // A leading weekday: "Mo, 02.11.2026", "Montag 02.11.2026".
    if let Some((head, rest)) = t.split_once([' ', ','])
        && !head.is_empty()
        && head.chars().all(|c| c.is_alphabetic() || c == '.')
    {
        t = rest.trim_start_matches([',', ' ']);
    }
    // A trailing time: "02.11.2026 07:58", "2026-11-02T07:58:00".
    let t = t.split([' ', 'T']).next().unwrap_or("");
    let (y, m, d) = if let Some((a, rest)) = t.split_once('.') {
        let (b, c) = rest.split_once('.').ok_or_else(not_a_date)?;
        let year = match c.len() {
            2 => 2000 + num(c).ok_or_else(not_a_date)?,
            4 => num(c).ok_or_else(not_a_date)?,
            _ => return Err(not_a_date()),
        };
        (year, short_num(b), short_num(a))
    } else if t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
        (
            num(&t[..4]).ok_or_else(not_a_date)?,
            short_num(&t[5..7]),
            short_num(&t[8..10]),
        )
    } else {
        return Err(not_a_date());
    };
    let (Some(m), Some(d)) = (m, d) else {
        return Err(not_a_date());
    };
    if !(1900..=2999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(not_a_date());
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
        .ok_or_else(|| ValueProblem::ImpossibleDate(text.trim().to_string()))
}

fn parse_date_with(text: &str, format: &str) -> Result<NaiveDate, ValueProblem> {
    NaiveDate::parse_from_str(text, format).map_err(|e| {
        if e.kind() == chrono::format::ParseErrorKind::OutOfRange {
            ValueProblem::ImpossibleDate(text.to_string())
        } else {
            ValueProblem::NotADate(text.to_string())
        }
    })
}

/// Four ASCII digits each → numbers; `None` if any byte is not a digit.
fn digits<const N: usize>(groups: &[[u8; 4]; N]) -> Option<[u32; N]> {
    let mut out = [0u32; N];
    for (o, g) in out.iter_mut().zip(groups) {
        for b in g {
            if !b.is_ascii_digit() {
                return None;
            }
            *o = *o * 10 + u32::from(b - b'0');
        }
    }
    Some(out)
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn short_num(s: &str) -> Option<u32> {
    if s.len() > 2 { None } else { num(s) }
}

/// Parses a time of day; a date in front (`02.11.2026 07:58`) is kept.
pub fn parse_time(text: &str) -> Result<TimeValue, ValueProblem> {
    // The common spelling `HH:MM`, read without searching.
    if let [h1, h2, b':', m1, m2] = *text.as_bytes()
        && let Some([h, m]) = digits(&[[h1, h2, b'0', b'0'], [m1, m2, b'0', b'0']])
    {
        let (h, m) = (h / 100, m / 100);
        if m <= 59 && (h < 24 || (h == 24 && m == 0)) {
            return Ok(TimeValue {
                minutes: (h * 60 + m) as u16,
                date: None,
            });
        }
    }
    let not_a_time = || ValueProblem::NotATime(text.to_string());
    let mut t = text.trim();
    let mut date = None;
    if let Some((head, tail)) = t.rsplit_once([' ', 'T']) {
        let tail = tail.trim();
        if tail.eq_ignore_ascii_case("uhr") {
            t = head.trim();
        } else {
            date = Some(parse_date(head).map_err(|_| not_a_time())?);
            t = tail;
        }
    }
    let mut parts = t.split(':');
    let (Some(h), Some(m)) = (parts.next(), parts.next()) else {
        return Err(not_a_time());
    };
    let s = parts.next();
    if parts.next().is_some() {
        return Err(not_a_time());
    }
    let (Some(h), Some(m)) = (short_num(h), (m.len() == 2).then(|| num(m)).flatten()) else {
        return Err(not_a_time());
    };
    if let Some(s) = s {
        let secs = s.split('.').next().unwrap_or("");
        if secs.len() != 2 || num(secs).is_none_or(|s| s > 59) {
            return Err(not_a_time());
        }
    }
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(not_a_time());
    }
    Ok(TimeValue {
        minutes: (h * 60 + m) as u16,
        date,
    })
}

/// `HH:MM` for minutes since midnight (1440 prints as `24:00`).
pub fn format_minutes(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Days since 0001-01-01, for arithmetic on whole days.
pub fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_every_accepted_spelling() {
        assert_eq!(parse_date("03.03.2026"), Ok(d(2026, 3, 3)));
        assert_eq!(parse_date("3.3.26"), Ok(d(2026, 3, 3)));
        assert_eq!(parse_date("2026-03-03"), Ok(d(2026, 3, 3)));
        assert_eq!(parse_date("Di, 03.03.2026"), Ok(d(2026, 3, 3)));
        assert_eq!(parse_date("Dienstag 03.03.2026"), Ok(d(2026, 3, 3)));
        assert_eq!(parse_date("2026-03-03T07:58:00"), Ok(d(2026, 3, 3)));
        assert_eq!(parse_date(" 03.03.2026 07:58 "), Ok(d(2026, 3, 3)));
    }

    #[test]
    fn impossible_and_malformed_dates_are_told_apart() {
        assert_eq!(
            parse_date("31.02.2026"),
            Err(ValueProblem::ImpossibleDate("31.02.2026".into()))
        );
        assert_eq!(
            parse_date("29.02.2025"),
            Err(ValueProblem::ImpossibleDate("29.02.2025".into()))
        );
        assert_eq!(parse_date("29.02.2028"), Ok(d(2028, 2, 29)));
        for bad in [
            "",
            "03.03.",
            "32.01.2026",
            "03/03/2026",
            "Summe",
            "1.13.2026",
            "3.3.126",
        ] {
            assert!(
                matches!(parse_date(bad), Err(ValueProblem::NotADate(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn times_drop_seconds_and_accept_end_of_day() {
        let t = |s| parse_time(s).map(|v| v.minutes);
        assert_eq!(t("07:58"), Ok(478));
        assert_eq!(t("7:58"), Ok(478));
        assert_eq!(t("07:58:59"), Ok(478));
        assert_eq!(t("16:31 Uhr"), Ok(991));
        assert_eq!(t("24:00"), Ok(1440));
        assert_eq!(t("00:00"), Ok(0));
        for bad in [
            "24:01", "7:5", "07:60", "0758", "7.58", "ab:cd", "07:58:60", "1:2:3:4", "",
        ] {
            assert!(t(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn times_keep_a_leading_date() {
        let v = parse_time("03.03.2026 22:15").unwrap();
        assert_eq!(v.minutes, 22 * 60 + 15);
        assert_eq!(v.date, Some(d(2026, 3, 3)));
        assert_eq!(
            parse_time("2026-03-04T06:00:00").unwrap().date,
            Some(d(2026, 3, 4))
        );
    }

    #[test]
    fn breaks_follow_header_and_shape() {
        use BreakUnit::*;
        assert_eq!(parse_break("30", Auto), Ok(30));
        assert_eq!(parse_break("0:45", Auto), Ok(45));
        assert_eq!(parse_break("1:00:00", Auto), Ok(60));
        assert_eq!(parse_break("0,5", Auto), Ok(30));
        assert_eq!(parse_break("0.75", Auto), Ok(45));
        assert_eq!(parse_break("1", Hours), Ok(60));
        assert_eq!(parse_break("1,5", Minutes), Ok(2));
        assert_eq!(parse_break("30 min", Hours), Ok(30));
        assert_eq!(parse_break("0,5 Std.", Minutes), Ok(30));
        assert_eq!(parse_break("0,33", Hours), Ok(20));
        assert_eq!(parse_break("-0", Auto), Ok(0));
        assert_eq!(
            parse_break("-15", Auto),
            Err(ValueProblem::NegativeBreak("-15".into()))
        );
        for bad in [
            "dreißig", "0:75", "1e3", "30 sec", "1,2,3", ":30", "NaN", "inf",
        ] {
            assert!(parse_break(bad, Auto).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn spreadsheet_cells_are_read_by_type() {
        use BreakUnit::{Auto, Minutes};
        let f = Formats::default();
        assert_eq!(
            date(&Cell::Date(d(2026, 3, 3)), f),
            Field::Value(d(2026, 3, 3))
        );
        assert_eq!(
            time(&Cell::Time(16 * 3600 + 31 * 60 + 59), f),
            Field::Value(TimeValue {
                minutes: 991,
                date: None
            })
        );
        assert_eq!(break_minutes(&Cell::Duration(1800), Auto), Field::Value(30));
        assert_eq!(break_minutes(&Cell::Time(2700), Auto), Field::Value(45));
        assert_eq!(break_minutes(&Cell::Number(30.0), Auto), Field::Value(30));
        assert_eq!(break_minutes(&Cell::Number(0.5), Auto), Field::Value(30));
        assert_eq!(break_minutes(&Cell::Number(0.5), Minutes), Field::Value(1));
        assert_eq!(
            time(&Cell::Number(0.6881944444), f),
            Field::Value(TimeValue {
                minutes: 991,
                date: None
            })
        );
        assert!(matches!(date(&Cell::Number(46000.0), f), Field::Invalid(_)));
        assert_eq!(break_minutes(&Cell::Empty, Auto), Field::Missing);
        assert_eq!(break_minutes(&Cell::Text("  "), Auto), Field::Missing);
    }

    #[test]
    fn profile_formats_override_detection() {
        let f = Formats {
            date: Some("%m/%d/%Y"),
            time: Some("%H.%M"),
        };
        assert_eq!(
            date(&Cell::Text("03/31/2026"), f),
            Field::Value(d(2026, 3, 31))
        );
        assert_eq!(
            date(&Cell::Text("02/30/2026"), f),
            Field::Invalid(ValueProblem::ImpossibleDate("02/30/2026".into()))
        );
        assert_eq!(
            time(&Cell::Text("7.58"), f),
            Field::Value(TimeValue {
                minutes: 478,
                date: None
            })
        );
    }

    proptest::proptest! {
        #[test]
        fn value_readers_never_panic(s in "\\PC{0,24}") {
            let _ = parse_date(&s);
            let _ = parse_time(&s);
            let _ = parse_break(&s, BreakUnit::Auto);
            let _ = parse_break(&s, BreakUnit::Hours);
        }

        #[test]
        fn written_times_read_back(h in 0u32..24, m in 0u32..60, s in 0u32..60) {
            let v = parse_time(&format!("{h:02}:{m:02}:{s:02}")).unwrap();
            proptest::prop_assert_eq!(u32::from(v.minutes), h * 60 + m);
        }

        #[test]
        fn written_dates_read_back(days in 0i64..40_000) {
            let date = d(1950, 1, 1) + chrono::Duration::days(days);
            proptest::prop_assert_eq!(parse_date(&date.format("%d.%m.%Y").to_string()), Ok(date));
            proptest::prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Ok(date));
        }
    }
}
