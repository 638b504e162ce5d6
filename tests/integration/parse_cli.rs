//! `zeitpost parse` on the samples: output shape, exit codes, every parsing rule end to end.

use serde_json::json;

use crate::util::{config, parse, sample};

#[test]
fn the_terminal_export_comes_through_with_the_forgotten_clock_out_rejected() {
    let out = parse(
        &["--lang", "en"],
        &[&sample("csv/personio-export-id500.csv")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.statuses(),
        ["ok", "ok", "ok", "ok", "ok", "rejected", "ok"]
    );
    let file = sample("csv/personio-export-id500.csv")
        .display()
        .to_string();
    assert_eq!(
        out.lines[0],
        json!({"file": file, "row": "2", "status": "ok", "employee": "anna.muster@example.com",
               "date": "2026-11-02", "start": "07:58", "end": "12:02", "break_minutes": 0,
               "comment": null})
    );
    let forgotten = out.row("7");
    assert!(forgotten["reason"].as_str().unwrap().contains("clock-out"));
    assert!(forgotten.get("employee").is_none());
}

#[test]
fn reasons_are_german_by_default() {
    let out = parse(&[], &[&sample("csv/personio-export-id500.csv")]);
    assert!(
        out.row("7")["reason"]
            .as_str()
            .unwrap()
            .contains("Ausstempeln vergessen")
    );
}

#[test]
fn every_mistake_gets_its_own_reason_and_the_good_rows_still_pass() {
    let out = parse(&["--lang", "en"], &[&sample("csv/rejected-rows.csv")]);
    assert_eq!(out.code, 0);
    let reason = |row: &str| out.row(row)["reason"].as_str().unwrap_or("").to_string();
    assert_eq!(out.row("2")["status"], "ok");
    assert!(reason("3").contains("end time is missing"));
    assert_eq!(reason("4"), "end 08:00 is before start 17:00");
    assert!(reason("5").contains("31.02.2026 does not exist"));
    assert!(reason("6").contains("break (60 min)"));
    assert!(reason("7").contains("longer than allowed"));
    assert!(reason("8").contains("not a valid e-mail"));
    assert!(reason("9").contains("not a valid start time"));
    assert!(reason("10").contains("negative"));
    assert!(reason("11").contains("Overlaps row 2"));
    assert!(reason("12").contains("future"));
    assert!(reason("13").contains("not a valid e-mail"));
    // Formula-like comments stay the plain text they were.
    assert_eq!(out.row("14")["comment"], "-1+1");
    assert_eq!(out.row("15")["comment"], "@Lohnbuero bitte pruefen");
    assert_eq!(out.row("16")["comment"], "+49 170 1234567");
    assert_eq!(out.row("17")["comment"], "=SUMME(A1:A3)");
}

#[test]
fn dialects_encodings_and_header_synonyms() {
    let out = parse(&[], &[&sample("csv/english-comma-seconds.csv")]);
    assert_eq!(out.statuses(), ["ok", "ok", "duplicate", "ok"]);
    assert_eq!(
        out.row("2")["end"],
        "16:31",
        "seconds are dropped, not rounded"
    );
    assert_eq!(out.row("3")["comment"], "two\nlines");
    assert_eq!(out.row("5")["duplicate_of"], "3");
    assert_eq!(out.row("7")["start"], "06:00");

    let out = parse(&[], &[&sample("csv/excel-windows1252-decimal-hours.csv")]);
    assert_eq!(out.statuses(), ["ok", "ok", "ok"]);
    assert_eq!(out.row("5")["comment"], "Außentermin");
    assert_eq!(out.row("5")["break_minutes"], 30);
    assert_eq!(out.row("6")["break_minutes"], 45);
    assert_eq!(
        out.row("7")["break_minutes"],
        60,
        "Pause (Std.) 1 is one hour"
    );
    assert_eq!(out.row("7")["date"], "2026-11-05");

    let out = parse(&[], &[&sample("csv/excel-unicode-text-utf16.txt")]);
    assert_eq!(out.statuses(), ["ok", "ok"]);
    assert_eq!(out.row("2")["break_minutes"], 30);
    assert_eq!(out.row("3")["break_minutes"], 45);

    let out = parse(&[], &[&sample("csv/pipe-reordered-no-break.csv")]);
    assert_eq!(out.row("2")["start"], "07:58");
    assert_eq!(out.row("2")["end"], "16:31");
    assert_eq!(out.row("2")["break_minutes"], 0);
}

#[test]
fn reports_take_the_employee_from_the_title_and_skip_totals() {
    let out = parse(&[], &[&sample("csv/report-with-totals.csv")]);
    assert_eq!(out.code, 0);
    let rows: Vec<&str> = out
        .lines
        .iter()
        .map(|l| l["row"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["5", "6", "8"]);
    assert!(
        out.lines
            .iter()
            .all(|l| l["employee"] == "carla.cortez@example.com")
    );
    assert_eq!(out.row("8")["comment"], "=Überstunden");
}

#[test]
fn personnel_numbers_go_through_the_employee_map() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[employees]\nfile = {:?}\nmap = {{ \"Neu, Nina\" = \"nina.neu@example.com\" }}\n",
            sample("employees.csv")
        ),
    );
    let out = parse(
        &["--config", cfg.to_str().unwrap()],
        &[&sample("csv/personnel-numbers.csv")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let who: Vec<&str> = out
        .lines
        .iter()
        .map(|l| l["employee"].as_str().unwrap())
        .collect();
    assert_eq!(
        who,
        [
            "anna.muster@example.com",
            "ben.beispiel@example.com",
            "nina.neu@example.com"
        ]
    );

    let without = parse(&["--lang", "en"], &[&sample("csv/personnel-numbers.csv")]);
    assert!(
        without.row("2")["reason"]
            .as_str()
            .unwrap()
            .contains("\"1001\" is not mapped")
    );
}

#[test]
fn night_shifts_need_overnight_allow_and_get_an_end_date() {
    let out = parse(&[], &[&sample("csv/night-shift.csv")]);
    assert_eq!(out.statuses(), ["rejected", "ok"]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "[import]\novernight = \"allow\"\n");
    let out = parse(
        &["--config", cfg.to_str().unwrap()],
        &[&sample("csv/night-shift.csv")],
    );
    assert_eq!(out.statuses(), ["ok", "ok"]);
    assert_eq!(out.row("2")["end"], "06:00");
    assert_eq!(out.row("2")["end_date"], "2026-11-14");
    assert!(out.row("2").get("end_date").is_some());
    assert_eq!(out.row("3")["end_date"], "2026-11-15");
}

#[test]
fn a_column_profile_reads_what_detection_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zeitmaster.csv");
    std::fs::write(
        &file,
        "MA;T;A;B;P\nanna.muster@example.com;11/03/2026;7.58;16.31;30\n",
    )
    .unwrap();
    let detect = parse(&[], &[&file]);
    assert_eq!(detect.code, 1, "no table found without the profile");
    assert!(detect.lines.is_empty());
    let cfg = config(
        dir.path(),
        r#"
[[profiles]]
name = "zeitmaster"
header_row = 1
columns = { email = "MA", date = "T", start = "A", end = "B", break = "P" }
date_format = "%m/%d/%Y"
time_format = "%H.%M"
break_unit = "minutes"
"#,
    );
    let cfg = cfg.to_str().unwrap();
    let out = parse(&["--config", cfg, "--profile", "zeitmaster"], &[&file]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.row("2")["date"], "2026-11-03");
    assert_eq!(out.row("2")["start"], "07:58");
    let unknown = parse(&["--config", cfg, "--profile", "nope"], &[&file]);
    assert_eq!(unknown.code, 2);
}

#[test]
fn exit_codes_follow_the_interface() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("photo.png");
    std::fs::write(&bin, b"\x89PNG\r\n\x1a\nrest").unwrap();
    let out = parse(&[], &[&sample("csv/personio-export-id500.csv"), &bin]);
    assert_eq!(out.code, 1);
    assert_eq!(out.lines.len(), 7, "readable files still print their rows");
    assert!(out.stderr.contains("photo.png"));

    let missing = crate::util::zeitpost()
        .args(["--config", "/nonexistent/zeitpost.toml", "parse"])
        .arg(sample("csv/night-shift.csv"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));

    let bad = config(dir.path(), "[import]\novernight = \"sometimes\"\n");
    let out = parse(
        &["--config", bad.to_str().unwrap()],
        &[&sample("csv/night-shift.csv")],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("line 2"), "{}", out.stderr);
}

#[test]
fn size_limits_refuse_the_file_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "[limits]\nattachment = \"1KB\"\nrows = 5\n");
    let big = dir.path().join("big.csv");
    let mut text = String::from("E-Mail;Datum;Start;Ende\n");
    for day in 1..=30 {
        text.push_str(&format!("a@example.com;{day:02}.10.2026;08:00;16:00\n"));
    }
    std::fs::write(&big, &text).unwrap();
    let out = parse(
        &["--config", cfg.to_str().unwrap(), "--lang", "en"],
        &[&big],
    );
    assert_eq!(out.code, 1);
    assert!(out.lines.is_empty());
    assert!(out.stderr.contains("larger than allowed"), "{}", out.stderr);

    let cfg = config(dir.path(), "[limits]\nrows = 5\n");
    let out = parse(
        &["--config", cfg.to_str().unwrap(), "--lang", "en"],
        &[&big],
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("more than 5 rows"), "{}", out.stderr);
}
