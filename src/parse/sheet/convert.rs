//! calamine's cell values → [`Cell`]s.
//!
//! A spreadsheet stores dates, times of day and durations all as one number, a count of
//! days; only the cell's number format tells them apart. calamine reads the format and
//! hands over an [`ExcelDateTime`], which is turned here into the [`Cell`] kind the rest
//! of the importer reasons about. Serials are rounded to whole seconds first: a time
//! typed as 16:31 is stored as 0.688194444… and must not come out as 16:30:59.

use calamine::{Data, ExcelDateTime};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use crate::parse::cell::Cell;

const DAY_SECONDS: f64 = 86_400.0;

/// One past the last serial a spreadsheet program accepts (10000-01-01); calamine would
/// clamp anything larger to 9999-12-31, which must not pass for a date.
const SERIAL_END: f64 = 2_958_466.0;

/// The cell as the importer sees it, borrowing the text of text cells.
pub fn cell(data: &Data) -> Cell<'_> {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) | Data::DateTimeIso(text) => Cell::Text(text),
        Data::Float(n) => Cell::Number(*n),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::Error(_) => Cell::Error,
        Data::DurationIso(text) => iso_duration(text).map_or(Cell::Text(text), Cell::Duration),
        Data::DateTime(serial) => date_time(serial),
    }
}

/// A date/time-formatted number: a duration, a time of day, a date or both.
/// Anything that is no valid point in time stays the number it is.
fn date_time(serial: &ExcelDateTime) -> Cell<'static> {
    let value = serial.as_f64();
    if !(0.0..SERIAL_END).contains(&value) {
        return Cell::Number(value);
    }
    if serial.is_duration() {
        return whole_seconds(value).map_or(Cell::Number(value), Cell::Duration);
    }
    if value < 1.0 {
        // A time of day without a date; 23:59:59.7 rounds to the next midnight.
        let seconds = (value * DAY_SECONDS).round() as u32;
        return Cell::Time(seconds % 86_400);
    }
    match calendar(serial) {
        Some(at) if at.time() == chrono::NaiveTime::MIN => Cell::Date(at.date()),
        Some(at) => Cell::DateTime(at),
        None => Cell::Number(value),
    }
}

/// The serial as a date and time rounded to the second. calamine does the calendar
/// arithmetic, which knows the workbook's epoch (1900 or 1904) and Excel's phantom
/// 1900-02-29 (which has no `NaiveDate`, so it stays a number).
fn calendar(serial: &ExcelDateTime) -> Option<NaiveDateTime> {
    let (year, month, day, hour, minute, second, milli) = serial.to_ymd_hms_milli();
    let at = NaiveDate::from_ymd_opt(year.into(), month.into(), day.into())?.and_hms_opt(
        hour.into(),
        minute.into(),
        second.into(),
    )?;
    if milli >= 500 {
        at.checked_add_signed(TimeDelta::seconds(1))
    } else {
        Some(at)
    }
}

/// Days as whole seconds, when they fit.
fn whole_seconds(days: f64) -> Option<u32> {
    let seconds = (days * DAY_SECONDS).round();
    (0.0..=f64::from(u32::MAX))
        .contains(&seconds)
        .then_some(seconds as u32)
}

/// An ISO 8601 duration as ODS writes time cells (`PT07H58M00S`, `P0DT8H30M`), in whole
/// seconds. Years, months, weeks and negative durations have no fixed length in
/// seconds; they give `None` and the cell stays text.
pub fn iso_duration(text: &str) -> Option<u32> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    if date.is_empty() && time.is_empty() {
        return None;
    }
    let seconds =
        units(date, &[('D', 86_400.0)])? + units(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    whole_seconds(seconds / DAY_SECONDS)
}

/// Sums `<number><unit>` pairs, the units in the given order and each at most once.
fn units(mut text: &str, order: &[(char, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut next = 0;
    while !text.is_empty() {
        let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
        let number: f64 = text[..end].replace(',', ".").parse().ok()?;
        let unit = text[end..].chars().next()?;
        let offset = order[next..].iter().position(|(u, _)| *u == unit)?;
        total += number * order[next + offset].1;
        next += offset + 1;
        text = &text[end + unit.len_utf8()..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use calamine::ExcelDateTimeType::{DateTime, TimeDelta as Delta};
    use chrono::NaiveTime;

    use super::*;

    fn serial(value: f64, is_1904: bool) -> Cell<'static> {
        date_time(&ExcelDateTime::new(value, DateTime, is_1904))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn hms(h: u32, m: u32, s: u32) -> u32 {
        h * 3600 + m * 60 + s
    }

    /// 2026-11-02 in the 1900 system; the 1904 system counts 1462 days less.
    const NOV_2: f64 = 46_328.0;

    #[test]
    fn plain_values() {
        assert_eq!(cell(&Data::String("x".into())), Cell::Text("x"));
        assert_eq!(cell(&Data::Float(1.5)), Cell::Number(1.5));
        assert_eq!(cell(&Data::Int(7)), Cell::Number(7.0));
        assert_eq!(cell(&Data::Bool(true)), Cell::Bool(true));
        assert_eq!(cell(&Data::Empty), Cell::Empty);
        assert_eq!(
            cell(&Data::Error(calamine::CellErrorType::Div0)),
            Cell::Error
        );
        assert_eq!(
            cell(&Data::DateTimeIso("2026-11-02".into())),
            Cell::Text("2026-11-02")
        );
    }

    #[test]
    fn time_of_day_rounds_to_the_nearest_second() {
        // 16:31 as Excel stores it, a hair below the exact value.
        assert_eq!(serial(0.6881944444, false), Cell::Time(hms(16, 31, 0)));
        assert_eq!(serial(0.6881944444, true), Cell::Time(hms(16, 31, 0)));
        assert_eq!(
            serial(7.0 / 24.0 + 58.0 / 1440.0, false),
            Cell::Time(hms(7, 58, 0))
        );
        assert_eq!(serial(0.0, false), Cell::Time(0));
        assert_eq!(serial(0.999_999_9, false), Cell::Time(0));
    }

    #[test]
    fn dates_and_date_times() {
        assert_eq!(serial(NOV_2, false), Cell::Date(date(2026, 11, 2)));
        let at = date(2026, 11, 2).and_time(NaiveTime::from_hms_opt(16, 31, 0).unwrap());
        assert_eq!(serial(NOV_2 + 0.6881944444, false), Cell::DateTime(at));
        // Rounding can carry into the next day, which is then a plain date.
        assert_eq!(
            serial(NOV_2 + 0.999_999_9, false),
            Cell::Date(date(2026, 11, 3))
        );
        assert_eq!(serial(1.0, false), Cell::Date(date(1900, 1, 1)));
        // Excel's phantom 1900-02-29 is no date.
        assert_eq!(serial(60.0, false), Cell::Number(60.0));
        assert_eq!(serial(-1.0, false), Cell::Number(-1.0));
        assert_eq!(serial(3e6, false), Cell::Number(3e6));
    }

    #[test]
    fn the_1904_epoch_gives_the_same_dates() {
        assert_eq!(serial(NOV_2 - 1462.0, true), Cell::Date(date(2026, 11, 2)));
        assert_eq!(
            serial(NOV_2 - 1462.0 + 0.5, true),
            serial(NOV_2 + 0.5, false)
        );
        assert_eq!(serial(1.0, true), Cell::Date(date(1904, 1, 2)));
    }

    #[test]
    fn durations() {
        let duration = |v| date_time(&ExcelDateTime::new(v, Delta, false));
        assert_eq!(duration(8.5 / 24.0), Cell::Duration(hms(8, 30, 0)));
        assert_eq!(duration(1.25), Cell::Duration(hms(30, 0, 0)));
        assert_eq!(duration(0.0208333333), Cell::Duration(1800));
        assert_eq!(duration(-0.5), Cell::Number(-0.5));
    }

    #[test]
    fn iso_durations() {
        assert_eq!(iso_duration("PT8H30M0S"), Some(hms(8, 30, 0)));
        assert_eq!(iso_duration("PT07H58M00S"), Some(hms(7, 58, 0)));
        assert_eq!(iso_duration("P0DT08H00M00S"), Some(hms(8, 0, 0)));
        assert_eq!(iso_duration("P1DT2H"), Some(hms(26, 0, 0)));
        assert_eq!(iso_duration("PT0.5S"), Some(1));
        assert_eq!(iso_duration("PT16H30M59.6S"), Some(hms(16, 31, 0)));
        for bad in [
            "", "P", "PT", "-PT1H", "PT1M2H", "P1M", "PT1H1H", "8:30", "PTxH",
        ] {
            assert_eq!(iso_duration(bad), None, "{bad}");
        }
        assert_eq!(
            cell(&Data::DurationIso("PT1H".into())),
            Cell::Duration(3600)
        );
        assert_eq!(cell(&Data::DurationIso("P1Y".into())), Cell::Text("P1Y"));
    }
}
