//! Parsing throughput and memory: a monthly export of 250 employees × 31 days × 4 periods
//! (31,000 rows) as CSV and as XLSX, and a 25 MB CSV for peak memory.
//!
//! Baseline, run side by side: Python's `csv` module merely splitting the same CSV
//! (no validation at all). Run with `cargo bench --bench parse`.
//!
//! Peak memory is measured in a child process (this binary again, with
//! `ZEITPOST_BENCH_CHILD` set), read from its `VmHWM`, so each figure is one file's alone.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use common::{EMPLOYEES, PERIODS, day, write_csv};
use zeitpost::config::Config;
use zeitpost::ingest::{self, Settings};
use zeitpost::records::Outcome;

fn settings() -> Settings {
    Settings::from_config(
        &Config::default(),
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    )
    .unwrap()
}

fn write_xlsx(path: &Path, days: usize) -> usize {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_fmt = Format::new().set_num_format("dd.mm.yyyy");
    let time_fmt = Format::new().set_num_format("hh:mm");
    for (c, h) in [
        "E-Mail",
        "Datum",
        "Kommen",
        "Gehen",
        "Pause (min)",
        "Bemerkung",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let mut row = 1u32;
    for d in 0..days {
        let date = day(d);
        let xl_date =
            ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)
                .unwrap();
        for e in 0..EMPLOYEES {
            for (s, t, b) in PERIODS {
                sheet
                    .write_string(row, 0, format!("mitarbeiter{e:03}@example.com"))
                    .unwrap();
                sheet
                    .write_datetime_with_format(row, 1, &xl_date, &date_fmt)
                    .unwrap();
                let time = |hm: &str| {
                    let (h, m) = hm.split_once(':').unwrap();
                    ExcelDateTime::from_hms(h.parse().unwrap(), m.parse().unwrap(), 0).unwrap()
                };
                sheet
                    .write_datetime_with_format(row, 2, time(s), &time_fmt)
                    .unwrap();
                sheet
                    .write_datetime_with_format(row, 3, time(t), &time_fmt)
                    .unwrap();
                sheet.write_number(row, 4, b).unwrap();
                row += 1;
            }
        }
    }
    book.save(path).unwrap();
    (row - 1) as usize
}

/// Parses a file fully (decode, layout, values, validation, in-file dedup); returns rows ok.
fn parse(path: &Path, settings: &Settings) -> usize {
    let bytes = std::fs::read(path).unwrap();
    let mut ok = 0;
    ingest::read_file(
        &path.display().to_string(),
        &bytes,
        settings,
        None,
        &mut |_, o| {
            if matches!(o, Outcome::Ok(_)) {
                ok += 1;
            }
        },
    )
    .unwrap();
    ok
}

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Python's csv module splitting the file, timed inside Python (no interpreter start-up).
fn python_baseline(path: &Path, runs: usize) -> Option<Duration> {
    let script = format!(
        r#"
import csv, time, statistics
times = []
for _ in range({runs} + 1):
    t = time.perf_counter()
    with open({path:?}, newline="", encoding="utf-8") as f:
        n = sum(1 for _ in csv.reader(f, delimiter=";"))
    times.append(time.perf_counter() - t)
print(statistics.median(times[1:]))
"#,
        path = path.display().to_string()
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .ok()?;
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some(Duration::from_secs_f64(secs))
}

/// Peak resident memory of parsing one file in a fresh process, in MiB.
fn peak_rss_mib(path: &Path) -> Option<f64> {
    let out = Command::new(std::env::current_exe().ok()?)
        .env("ZEITPOST_BENCH_CHILD", path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse::<f64>()
        .ok()
        .map(|kib| kib / 1024.0)
}

fn child(path: PathBuf) {
    let rows = parse(&path, &settings());
    assert!(rows > 0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().trim_end_matches("kB").trim().to_string())
        .unwrap();
    println!("{hwm}");
}

fn main() {
    if let Some(path) = std::env::var_os("ZEITPOST_BENCH_CHILD") {
        return child(PathBuf::from(path));
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this as a smoke test.
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick { 1 } else { 15 };
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("monat.csv");
    let xlsx = dir.path().join("monat.xlsx");
    let rows = write_csv(&csv, 31);
    assert_eq!(write_xlsx(&xlsx, 31), rows);
    let settings = settings();
    assert_eq!(
        parse(&csv, &settings),
        rows,
        "every generated CSV row is accepted"
    );
    assert_eq!(
        parse(&xlsx, &settings),
        rows,
        "every generated XLSX row is accepted"
    );

    let t_csv = median(runs, || {
        parse(&csv, &settings);
    });
    let t_xlsx = median(runs, || {
        parse(&xlsx, &settings);
    });
    // The floor for any XLSX reader built on calamine: calamine alone filling its range.
    let xlsx_bytes = std::fs::read(&xlsx).unwrap();
    let t_calamine = median(runs, || {
        use calamine::Reader;
        let mut book =
            calamine::open_workbook_auto_from_rs(std::io::Cursor::new(&xlsx_bytes[..])).unwrap();
        let name = book.sheet_names()[0].clone();
        assert_eq!(
            book.worksheet_range(&name).unwrap().rows().count(),
            rows + 1
        );
    });
    let per_sec = |t: Duration| rows as f64 / t.as_secs_f64();
    println!(
        "monthly export: {rows} rows, CSV {} KiB, XLSX {} KiB",
        std::fs::metadata(&csv).unwrap().len() / 1024,
        std::fs::metadata(&xlsx).unwrap().len() / 1024
    );
    println!(
        "zeitpost CSV : {:>8.2} ms  {:>10.0} rows/s",
        t_csv.as_secs_f64() * 1e3,
        per_sec(t_csv)
    );
    println!(
        "zeitpost XLSX: {:>8.2} ms  {:>10.0} rows/s  ({:.2}x the CSV time; target <= 3x)",
        t_xlsx.as_secs_f64() * 1e3,
        per_sec(t_xlsx),
        t_xlsx.as_secs_f64() / t_csv.as_secs_f64()
    );
    println!(
        "calamine    : {:>8.2} ms  {:>10.0} rows/s  (reading the XLSX alone, no checks, no records)",
        t_calamine.as_secs_f64() * 1e3,
        per_sec(t_calamine)
    );
    match python_baseline(&csv, runs) {
        Some(t_py) => println!(
            "python csv  : {:>8.2} ms  {:>10.0} rows/s  (zeitpost is {:.2}x faster; target >= 2x)",
            t_py.as_secs_f64() * 1e3,
            per_sec(t_py),
            t_py.as_secs_f64() / t_csv.as_secs_f64()
        ),
        None => println!("python csv  : python3 not available, no baseline"),
    }
    if quick {
        return;
    }
    let big = dir.path().join("gross.csv");
    let big_rows = write_csv(&big, 465);
    let size = std::fs::metadata(&big).unwrap().len();
    let t_big = median(3, || {
        parse(&big, &settings);
    });
    println!(
        "25 MB CSV    : {big_rows} rows, {:.1} MiB, {:.0} ms",
        size as f64 / 1048576.0,
        t_big.as_secs_f64() * 1e3
    );
    for (label, path) in [
        ("monthly CSV ", &csv),
        ("monthly XLSX", &xlsx),
        ("25 MB CSV   ", &big),
    ] {
        match peak_rss_mib(path) {
            Some(mib) => println!(
                "peak RSS {label}: {mib:.1} MiB{}",
                if path == &big {
                    " (target <= 150 MiB)"
                } else {
                    ""
                }
            ),
            None => println!("peak RSS {label}: not measurable here"),
        }
    }
}
