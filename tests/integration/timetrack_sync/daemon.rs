//! The TimeTrack jobs inside `zeitpost run`: due at once with `--once`, summaries in
//! `status`, problems in one notice to `report.to`.

use chrono::{Duration, Utc};
use zeitpost_sim::timetrack::Attendance;

use super::spawn;
use crate::util::{add_maildir_and_outbox, outbox_reports, run_once, status_json, zeitpost};

#[test]
fn the_daemon_runs_the_jobs_on_their_intervals_and_tells_hr() {
    let t = spawn(
        "[timetrack.employees]\ninterval = \"1d\"\n\n[timetrack.time_entries]\ninterval = \"1h\"\n\n[timetrack.absences]\nenabled = false\n",
    );
    let base = t.dir.path();
    add_maildir_and_outbox(&t.config, base, "language = \"en\"\n");
    // Yesterday, so the scheduled window (35 days back) holds it whenever the test runs.
    let day = (Utc::now() - Duration::days(1)).date_naive();
    t.work(&t.ben, &day.to_string(), "08:00", "12:00");
    let utc = |h: u32| format!("{day}T{h:02}:00:00Z");
    t.tt.add_attendance(Attendance::new("annam", &utc(6), Some(&utc(10))));
    // Overlaps Ben's day in Personio: a conflict for HR.
    t.tt.add_attendance(Attendance::new("benb", &utc(9), Some(&utc(13))));
    run_once(&t.config);
    assert_eq!(
        t.periods_of(&t.anna).len(),
        1,
        "Anna's entry reached Personio"
    );
    let reports = outbox_reports(&base.join("reports"));
    assert_eq!(reports.len(), 1, "one notice for the round: {reports:#?}");
    assert!(
        reports[0].contains("TimeTrack time_entries")
            && reports[0].contains("ben.beispiel@example.com"),
        "{}",
        reports[0]
    );
    let v = status_json(&t.config);
    let jobs: Vec<&str> = v["sync_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["job"].as_str().unwrap())
        .collect();
    assert_eq!(
        jobs,
        ["timetrack.employees", "timetrack.time_entries"],
        "{v}"
    );
    assert!(
        v["sync_runs"][1]["summary"]
            .as_str()
            .unwrap()
            .contains("Personio: 1 created"),
        "{v}"
    );
    let text = zeitpost()
        .arg("--config")
        .arg(&t.config)
        .arg("status")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("timetrack.time_entries:"), "{text}");
}
