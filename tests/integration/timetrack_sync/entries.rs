//! The time entries job.

use zeitpost_sim::personio::{PeriodType, Route as PRoute};
use zeitpost_sim::timetrack::{Attendance, Fault, Route, ts};

use super::{ANNA, Tt, local, second_run_is_quiet, spawn};
use crate::util::zeitpost;

const BIDI: &str = "[timetrack.time_entries]\nmode = \"bidirectional\"\n";
const PUSH: &str = "[timetrack.time_entries]\nmode = \"push\"\n";

/// Anna's Monday in TimeTrack: 08:00–16:30 local (07:00–15:30 UTC) with a 30-minute break,
/// which Personio holds as work, break, work.
fn anna_works_monday(t: &Tt) {
    t.tt.add_attendance(
        Attendance::new(
            "annam",
            "2026-11-02T07:00:00Z",
            Some("2026-11-02T15:30:00Z"),
        )
        .break_minutes(30),
    );
}

#[test]
fn timetrack_entries_reach_personio_once() {
    let t = spawn(PUSH);
    anna_works_monday(&t);
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Personio: 1 created"), "{text}");
    // 08:00–16:30 local with 30 min break, as WORK/BREAK/WORK.
    assert_eq!(
        t.periods_of(&t.anna),
        [
            "Break 02 12:00-12:30",
            "Work 02 08:00-12:00",
            "Work 02 12:30-16:30"
        ]
    );
    second_run_is_quiet(&t, &[]);
    assert_eq!(t.personio.stats().count(PRoute::CreatePeriod), 3);
}

#[test]
fn a_changed_or_deleted_timetrack_entry_changes_what_zeitpost_wrote() {
    let t = spawn(PUSH);
    let id = t.tt.add_attendance(Attendance::new(
        "annam",
        "2026-11-02T07:00:00Z",
        Some("2026-11-02T11:00:00Z"),
    ));
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    assert_eq!(t.periods_of(&t.anna), ["Work 02 08:00-12:00"]);
    t.tt.set_attendance(id, |a| a.to = Some(ts("2026-11-02T12:00:00Z")));
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(t.periods_of(&t.anna), ["Work 02 08:00-13:00"], "{text}");
    // Moved to another start: the old record goes, the new one comes.
    t.tt.set_attendance(id, |a| a.from = ts("2026-11-02T06:00:00Z"));
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    assert_eq!(t.periods_of(&t.anna), ["Work 02 07:00-13:00"]);
    t.tt.delete_attendance(id);
    let (_, text) = t.sync(&[]);
    assert!(t.periods_of(&t.anna).is_empty(), "{text}");
    second_run_is_quiet(&t, &[]);
}

#[test]
fn push_mode_never_writes_to_timetrack() {
    let t = spawn(PUSH);
    t.work(&t.ben, "2026-11-03", "08:00", "12:00");
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(t.tt.attendances().is_empty());
    assert_eq!(
        t.tt.requests().iter().filter(|r| r.method != "GET").count(),
        0
    );
}

#[test]
fn personio_days_reach_timetrack_and_changes_flow_both_ways() {
    let t = spawn(BIDI);
    let morning = t.personio.add_period(
        &t.ben,
        PeriodType::Work,
        local("2026-11-03T08:00"),
        Some(local("2026-11-03T12:00")),
        Some("Baustelle"),
    );
    let afternoon = t.work(&t.ben, "2026-11-03", "12:30", "16:30");
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(t.attendances(), ["benb 2026-11-03T07:00Z-15:30Z 30"]);
    let id = t.tt.attendances()[0].id;
    assert_eq!(t.tt.attendances()[0].notes.as_deref(), Some("Baustelle"));
    second_run_is_quiet(&t, &[]);
    // HR stretches the afternoon in Personio: the TimeTrack entry follows, in place.
    t.personio.remove_period(&afternoon);
    t.work(&t.ben, "2026-11-03", "12:30", "17:00");
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    assert_eq!(t.attendances(), ["benb 2026-11-03T07:00Z-16:00Z 30"]);
    assert_eq!(t.tt.attendances()[0].id, id);
    // Ben corrects his start in TimeTrack: Personio's day is replaced by the entry.
    t.tt.set_attendance(id, |a| a.from = ts("2026-11-03T07:30:00Z"));
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        t.periods_of(&t.ben),
        [
            "Break 03 12:30-13:00",
            "Work 03 08:30-12:30",
            "Work 03 13:00-17:00"
        ],
        "{text}"
    );
    assert!(!t.personio.periods().iter().any(|p| p.id == morning));
    second_run_is_quiet(&t, &[]);
    // Deleted in TimeTrack: gone from Personio.
    t.tt.delete_attendance(id);
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    assert!(t.periods_of(&t.ben).is_empty());
    // And a day deleted in Personio leaves TimeTrack too.
    t.work(&t.ben, "2026-11-05", "08:00", "12:00");
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    assert_eq!(t.attendances(), ["benb 2026-11-05T07:00Z-11:00Z 0"]);
    let p = t.personio.periods()[0].id.clone();
    t.personio.remove_period(&p);
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    assert!(t.attendances().is_empty());
    second_run_is_quiet(&t, &[]);
}

#[test]
fn when_both_sides_changed_an_entry_the_master_wins() {
    for (master, expect_tt, expect_personio) in [
        (
            "personio",
            "benb 2026-11-03T07:00Z-12:00Z 0",
            "Work 03 08:00-13:00",
        ),
        (
            "timetrack",
            "benb 2026-11-03T06:00Z-11:00Z 0",
            "Work 03 07:00-12:00",
        ),
    ] {
        let t = spawn(&format!("{BIDI}master = \"{master}\"\n"));
        let p = t.work(&t.ben, "2026-11-03", "08:00", "12:00");
        assert_eq!(t.sync(&[]).0.status.code(), Some(0));
        let id = t.tt.attendances()[0].id;
        t.personio.remove_period(&p);
        t.work(&t.ben, "2026-11-03", "08:00", "13:00");
        t.tt.set_attendance(id, |a| a.from = ts("2026-11-03T06:00:00Z"));
        let (out, text) = t.sync(&[]);
        assert!(text.contains("changed in both systems"), "{text}");
        assert!(out.status.code() == Some(0), "{text}");
        assert_eq!(t.attendances(), [expect_tt], "master {master}: {text}");
        assert_eq!(
            t.periods_of(&t.ben),
            [expect_personio],
            "master {master}: {text}"
        );
        second_run_is_quiet(&t, &[]);
    }
}

#[test]
fn a_dst_week_converts_exactly_both_ways() {
    let t = spawn(BIDI);
    // Anna's night across the end of summer time (25 Oct 2026): 9 hours, 22:00–06:00 local.
    t.tt.add_attendance(Attendance::new(
        "annam",
        "2026-10-24T20:00:00Z",
        Some("2026-10-25T05:00:00Z"),
    ));
    t.tt.add_attendance(Attendance::new(
        "annam",
        "2026-10-23T06:00:00Z",
        Some("2026-10-23T14:00:00Z"),
    ));
    // Ben's day in Personio after the change: UTC+1.
    t.work(&t.ben, "2026-10-27", "08:00", "16:00");
    let (out, text) = t.sync_window("2026-10-20", "2026-10-31", &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let mut anna = t.periods_of(&t.anna);
    anna.sort();
    assert_eq!(
        anna,
        [
            "Work 23 08:00-16:00",
            "Work 24 22:00-23:59",
            "Work 25 00:00-06:00"
        ],
        "{text}"
    );
    assert!(
        t.attendances()
            .contains(&"benb 2026-10-27T07:00Z-15:00Z 0".to_string()),
        "{:?}",
        t.attendances()
    );
    let before = t.writes();
    let (out, text) = t.sync_window("2026-10-20", "2026-10-31", &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(t.writes(), before, "{text}");
    assert_eq!(
        t.tt.attendances().len(),
        3,
        "nothing echoed back: {:?}",
        t.attendances()
    );
}

#[test]
fn terminal_imports_are_not_echoed_and_an_overlapping_entry_is_a_conflict() {
    let t = spawn(BIDI);
    let csv = t.dir.path().join("export.csv");
    std::fs::write(
        &csv,
        format!("E-Mail;Datum;Startzeit;Endzeit;Pause\n{ANNA};04.11.2026;08:00;16:00;0\n"),
    )
    .unwrap();
    let out = zeitpost()
        .arg("--config")
        .arg(&t.config)
        .arg("import")
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    t.tt.add_attendance(Attendance::new(
        "annam",
        "2026-11-04T08:00:00Z",
        Some("2026-11-04T16:00:00Z"),
    ));
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("not written to Personio"), "{text}");
    assert_eq!(t.periods_of(&t.anna), ["Work 04 08:00-16:00"], "{text}");
    assert_eq!(
        t.tt.attendances().len(),
        1,
        "the import is not sent to TimeTrack"
    );
    // Reported once; not tried again every run while the entry stays as it is.
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn a_lost_answer_is_adopted_not_doubled() {
    let t = spawn(BIDI);
    t.work(&t.ben, "2026-11-03", "08:00", "12:00");
    t.tt.inject(Fault::ApplyThenDrop {
        route: Route::CreateAttendance,
        times: 1,
    });
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("tried again next run"), "{text}");
    assert_eq!(t.tt.attendances().len(), 1);
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        t.tt.attendances().len(),
        1,
        "adopted, not sent again: {text}"
    );
    assert_eq!(t.tt.stats().count(Route::CreateAttendance), 1);
    second_run_is_quiet(&t, &[]);
}

#[test]
fn a_lost_state_file_rebuilds_the_pairs_without_writing() {
    let t = spawn(BIDI);
    t.work(&t.ben, "2026-11-03", "08:00", "12:00");
    anna_works_monday(&t);
    assert_eq!(t.sync(&[]).0.status.code(), Some(0));
    for f in ["zeitpost.db", "zeitpost.db-wal", "zeitpost.db-shm"] {
        let _ = std::fs::remove_file(t.dir.path().join(f));
    }
    let before = t.writes();
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(t.writes(), before, "{text}");
    assert_eq!(t.tt.attendances().len(), 2);
    assert_eq!(t.personio.periods().len(), 4);
}

#[test]
fn a_dry_run_writes_nothing() {
    let t = spawn(BIDI);
    t.work(&t.ben, "2026-11-03", "08:00", "12:00");
    t.tt.add_attendance(Attendance::new(
        "annam",
        "2026-11-02T07:00:00Z",
        Some("2026-11-02T11:00:00Z"),
    ));
    let (out, text) = t.sync(&["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("would create in TimeTrack"), "{text}");
    assert!(text.contains("would create in Personio"), "{text}");
    assert_eq!(t.writes(), 0);
    assert!(!t.dir.path().join("zeitpost.db").exists());
}

#[test]
fn an_entry_moved_across_the_edge_of_the_synced_days_waits_for_a_run_holding_both() {
    let t = spawn(PUSH);
    let id = t.tt.add_attendance(Attendance::new(
        "annam",
        "2026-10-30T07:00:00Z",
        Some("2026-10-30T11:00:00Z"),
    ));
    assert_eq!(
        t.sync_window("2026-10-01", "2026-10-31", &[])
            .0
            .status
            .code(),
        Some(0)
    );
    t.tt.set_attendance(id, |a| {
        a.from = ts("2026-11-02T07:00:00Z");
        a.to = Some(ts("2026-11-02T11:00:00Z"));
    });
    let before = t.writes();
    let (out, text) = t.sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("sync a period holding both days"), "{text}");
    assert_eq!(t.writes(), before, "{text}");
    let (out, text) = t.sync_window("2026-10-15", "2026-11-15", &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(t.periods_of(&t.anna), ["Work 02 08:00-12:00"], "{text}");
    second_run_is_quiet(&t, &[]);
}
