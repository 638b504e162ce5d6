//! A generated monthly export, shared by the benchmarks: 250 employees, 4 periods a day,
//! one of them with a 15-minute break, every seventh with a comment.

#![allow(dead_code)]

use std::path::Path;

use chrono::{Days, NaiveDate};

pub const EMPLOYEES: usize = 250;
pub const PERIODS: [(&str, &str, u32); 4] = [
    ("06:00", "09:58", 0),
    ("10:10", "12:00", 0),
    ("12:30", "15:45", 15),
    ("16:00", "18:17", 0),
];

pub fn day(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Days::new(i as u64)
}

pub fn write_csv(path: &Path, days: usize) -> usize {
    write_csv_for(path, days, EMPLOYEES)
}

/// The export for `employees` people.
pub fn write_csv_for(path: &Path, days: usize, employees: usize) -> usize {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "E-Mail;Datum;Startzeit;Endzeit;Pause;Kommentar").unwrap();
    let mut rows = 0;
    for d in 0..days {
        let date = day(d).format("%d.%m.%Y").to_string();
        for e in 0..employees {
            for (i, (s, t, b)) in PERIODS.iter().enumerate() {
                let comment = if (d + e + i) % 7 == 0 {
                    "Kundentermin, extern"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "mitarbeiter{e:03}@example.com;{date};{s};{t};{b};{comment}"
                )
                .unwrap();
                rows += 1;
            }
        }
    }
    rows
}
