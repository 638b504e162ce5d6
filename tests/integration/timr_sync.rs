//! `zeitpost sync timr` between the timr and Personio simulators: first sync, locking,
//! skipped users, a second run that writes nothing, incremental changes and deletions.

use std::process::Output;

use zeitpost_sim::personio::{PersonioConfig, PersonioSim, Route};
use zeitpost_sim::timr::{
    BreakTime, Category, TimrConfig, TimrSim, User, WorkingTime, WorkingTimeStatus,
};

use crate::util::{
    add_maildir_and_outbox, kill_at_random, outbox_reports, printed, run_once,
    slow_personio_creates, status_json, zeitpost,
};

struct Sync {
    timr: TimrSim,
    personio: PersonioSim,
    config: std::path::PathBuf,
    _dir: tempfile::TempDir,
    attendance: String,
    anna: String,
}

fn spawn(lock: bool) -> Sync {
    let timr = TimrSim::start(TimrConfig {
        client_id: "zp".into(),
        client_secret: "timr-secret".into(),
        ..TimrConfig::default()
    });
    let personio = PersonioSim::start(PersonioConfig {
        client_id: "zp".into(),
        client_secret: "personio-secret".into(),
        ..PersonioConfig::default()
    });
    for (email, first, last) in [
        ("anna.muster@example.com", "Anna", "Muster"),
        ("carla.cortez@example.com", "Carla", "Cortez"),
    ] {
        personio.add_person(email, first, last);
    }
    let anna = timr.add_user(User::new("Anna", "Muster", "Anna.Muster@example.com"));
    let mut ben = User::new("Ben", "Beispiel", "x@y.z");
    ben.email = None;
    let ben = timr.add_user(ben);
    let carla = timr.add_user(
        User::new("Carla", "Cortez", "carla.cortez@example.com").resigned_on("2026-10-01"),
    );
    let attendance =
        timr.add_working_time_type("Arbeitszeit", Some("AZ"), None, Category::AttendanceTime);
    let za = timr.add_working_time_type("Zeitausgleich", Some("ZA"), None, Category::UnpaidTimeOff);
    let day = |d: u32, h: u32| format!("2026-11-{d:02}T{h:02}:00:00+01:00");
    timr.add_working_time(
        WorkingTime::new(&anna, &attendance, &day(2, 8), Some(&day(2, 16)))
            .breaks(vec![BreakTime::manual(30)])
            .notes("Kunde")
            .status(WorkingTimeStatus::Changeable),
    );
    timr.add_working_time(
        WorkingTime::new(&anna, &attendance, &day(3, 8), None).status(WorkingTimeStatus::Running),
    );
    timr.add_working_time(
        WorkingTime::new(&ben, &attendance, &day(2, 8), Some(&day(2, 12)))
            .status(WorkingTimeStatus::Changeable),
    );
    timr.add_working_time(
        WorkingTime::new(&carla, &attendance, &day(2, 8), Some(&day(2, 12)))
            .status(WorkingTimeStatus::Changeable),
    );
    timr.add_working_time(
        WorkingTime::new(&anna, &za, &day(5, 0), Some(&day(5, 23)))
            .status(WorkingTimeStatus::Changeable),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("zeitpost.toml");
    std::fs::write(
        &config,
        format!(
            "[state]\npath = {:?}\n\n[personio]\nbase_url = {:?}\nclient_id = \"zp\"\nclient_secret = \"personio-secret\"\nmax_rps = 1000\n\n[timr]\nbase_url = {:?}\ntoken_url = {:?}\nclient_id = \"zp\"\nclient_secret = \"timr-secret\"\nstart_date = \"2026-10-01\"\nlock = {lock}\nzeitausgleich = [\"ZA\"]\n",
            dir.path().join("zeitpost.db"),
            personio.base_url(),
            timr.base_url(),
            timr.token_url()
        ),
    )
    .unwrap();
    Sync {
        timr,
        personio,
        config,
        _dir: dir,
        attendance,
        anna,
    }
}

impl Sync {
    /// How many of timr's working times have `status`: locking is how a transfer shows in timr.
    fn entries_in(&self, status: WorkingTimeStatus) -> usize {
        self.timr
            .working_times()
            .into_iter()
            .filter(|w| w.status == status)
            .count()
    }

    fn sync(&self) -> (Output, String) {
        let out = zeitpost()
            .arg("--config")
            .arg(&self.config)
            .args(["sync", "timr"])
            .output()
            .unwrap();
        let text = printed(&out);
        (out, text)
    }

    fn creates(&self) -> u64 {
        self.personio.stats().count(Route::CreatePeriod)
    }
}

#[test]
fn entries_go_to_personio_once_are_locked_and_skips_are_named() {
    let s = spawn(true);
    let (out, text) = s.sync();
    assert_eq!(
        out.status.code(),
        Some(1),
        "skipped entries make the run report: {text}"
    );
    assert!(
        text.contains("1 written") && text.contains("1 locked") && text.contains("1 running"),
        "{text}"
    );
    assert!(
        text.contains("no e-mail address for Ben Beispiel"),
        "{text}"
    );
    assert!(text.contains("Carla Cortez left on 2026-10-01"), "{text}");
    assert!(
        text.contains("Zeitausgleich of anna.muster@example.com on 2026-11-05"),
        "{text}"
    );
    let periods = s.personio.periods();
    assert_eq!(periods.len(), 3, "WORK, BREAK, WORK: {periods:#?}");
    assert_eq!(
        periods
            .iter()
            .filter(|p| p.comment.as_deref() == Some("Kunde"))
            .count(),
        1
    );
    let locked = s.entries_in(WorkingTimeStatus::Locked);
    assert_eq!(locked, 1);

    // Nothing changed: nothing is written again.
    let before = s.creates();
    let (_, text) = s.sync();
    assert_eq!(s.creates(), before, "{text}");

    // A new entry: only it is written.
    let day = |d: u32, h: u32| format!("2026-11-{d:02}T{h:02}:00:00+01:00");
    s.timr.add_working_time(
        WorkingTime::new(&s.anna, &s.attendance, &day(4, 7), Some(&day(4, 11)))
            .status(WorkingTimeStatus::Changeable),
    );
    let (_, text) = s.sync();
    assert_eq!(s.creates(), before + 1, "{text}");
    assert_eq!(s.personio.periods().len(), 4);
}

#[test]
fn changes_and_deletions_in_timr_reach_only_the_periods_zeitpost_made() {
    let s = spawn(false);
    s.sync();
    assert_eq!(s.personio.periods().len(), 3);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    // Somebody's own period on another day stays untouched throughout.
    let manual = s.personio.add_period(
        "1001",
        zeitpost_sim::personio::PeriodType::Work,
        day.succ_opt()
            .unwrap()
            .succ_opt()
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap(),
        Some(
            day.succ_opt()
                .unwrap()
                .succ_opt()
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        ),
        Some("von Hand"),
    );
    let entry = s
        .timr
        .working_times()
        .into_iter()
        .find(|w| w.notes.as_deref() == Some("Kunde"))
        .unwrap();
    // Changed in timr: ends an hour later.
    s.timr.update_working_time(&entry.id, |w| {
        w.end = Some(zeitpost_sim::timr::ts("2026-11-02T17:00:00+01:00"));
    });
    let (_, text) = s.sync();
    let ends: Vec<String> = s
        .personio
        .periods()
        .iter()
        .filter_map(|p| p.end)
        .map(|e| e.format("%d %H:%M").to_string())
        .collect();
    assert!(ends.contains(&"02 17:00".to_string()), "{text}\n{ends:?}");
    assert_eq!(
        s.personio.periods().len(),
        4,
        "three for the entry, one by hand"
    );
    // Deleted in timr: its periods go, the manual one stays.
    s.timr.delete_working_time(&entry.id);
    let (_, text) = s.sync();
    let left = s.personio.periods();
    assert_eq!(left.len(), 1, "{text}\n{left:#?}");
    assert_eq!(left[0].id, manual);
}

/// Inside `zeitpost run`, the job runs when due (at once with `--once`), its summary reaches
/// `status`, and what it could not transfer reaches `report.to` in one notice.
#[test]
fn the_daemon_runs_the_job_and_tells_hr_what_it_skipped() {
    let s = spawn(true);
    let base = s._dir.path();
    add_maildir_and_outbox(&s.config, base, "language = \"en\"\n");
    run_once(&s.config);
    assert_eq!(s.personio.periods().len(), 3);
    let reports = outbox_reports(&base.join("reports"));
    assert_eq!(reports.len(), 1, "one notice for the run");
    assert!(
        reports[0].contains("Ben Beispiel") && reports[0].contains("personal@hr.example.com"),
        "{}",
        reports[0]
    );
    let v = status_json(&s.config);
    assert!(
        v["timr_last_run"].as_str().unwrap().contains("1 written"),
        "{v}"
    );
}

/// Killed at random moments (between Personio writes and timr locks too), restarted until
/// it finishes, with lost answers on both sides: every entry is in Personio exactly once and
/// locked; with the state file deleted, one more run writes nothing.
#[test]
fn kills_lost_answers_and_a_lost_state_file_never_double_a_period() {
    use zeitpost_sim::personio::Fault as PFault;
    use zeitpost_sim::timr::{Fault as TFault, Route as TRoute};

    let s = spawn(true);
    for d in 9..=27u32 {
        let at = |h: u32| format!("2026-10-{d:02}T{h:02}:00:00+02:00");
        s.timr.add_working_time(
            WorkingTime::new(&s.anna, &s.attendance, &at(7), Some(&at(15)))
                .breaks(vec![BreakTime::manual(30)])
                .status(WorkingTimeStatus::Changeable),
        );
    }
    slow_personio_creates(&s.personio, 200, 6);
    s.personio.inject(PFault::ApplyThenDrop {
        route: Route::CreatePeriod,
        times: 2,
    });
    s.timr.inject(TFault::ApplyThenDrop {
        route: TRoute::PatchWorkingTime,
        times: 2,
    });
    let kills = kill_at_random(
        zeitpost()
            .arg("--config")
            .arg(&s.config)
            .args(["sync", "timr"]),
        0x2545_F491_4F6C_DD1Du64 ^ u64::from(std::process::id()),
        30,
        (40, 400),
        |_| true,
    )
    .kills;
    // Until a run has nothing left to do.
    for _ in 0..5 {
        s.sync();
    }
    assert!(kills > 0, "the test must interrupt the sync");
    let anna_periods = s.personio.periods().len();
    assert_eq!(anna_periods, (1 + 19) * 3, "every entry exactly once");
    let changeable = s.entries_in(WorkingTimeStatus::Changeable);
    assert_eq!(
        changeable, 3,
        "all of Anna's finished entries are locked (Ben's and Carla's are skipped, the Zeitausgleich is not transferred)"
    );

    std::fs::remove_file(s._dir.path().join("zeitpost.db")).unwrap();
    let before = s.creates();
    s.sync();
    assert_eq!(s.creates(), before, "a lost state file writes nothing");
}

/// The week the clocks go back: offsets become the local times Personio shows; a dry run
/// lists what it would write and writes nothing.
#[test]
fn the_dst_week_arrives_in_local_time_and_a_dry_run_writes_nothing() {
    let s = spawn(true);
    for (start, end) in [
        ("2026-10-24T07:00:00+02:00", "2026-10-24T15:00:00+02:00"),
        ("2026-10-25T00:00:00Z", "2026-10-25T04:00:00Z"),
        ("2026-10-26T07:00:00+01:00", "2026-10-26T15:00:00+01:00"),
    ] {
        s.timr.add_working_time(
            WorkingTime::new(&s.anna, &s.attendance, start, Some(end))
                .status(WorkingTimeStatus::Changeable),
        );
    }
    let out = zeitpost()
        .arg("--config")
        .arg(&s.config)
        .args(["sync", "timr", "--dry-run"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("would write anna.muster@example.com 2026-10-25 02:00–05:00"),
        "{text}"
    );
    assert_eq!(s.creates(), 0, "the dry run wrote nothing");
    assert!(
        s.timr
            .working_times()
            .iter()
            .all(|w| w.status != WorkingTimeStatus::Locked)
    );

    s.sync();
    let local: Vec<String> = s
        .personio
        .periods()
        .iter()
        .filter(|p| p.start.format("%m").to_string() == "10")
        .map(|p| {
            format!(
                "{}-{}",
                p.start.format("%d %H:%M"),
                p.end.unwrap().format("%H:%M")
            )
        })
        .collect();
    assert_eq!(
        local,
        ["24 07:00-15:00", "25 02:00-05:00", "26 07:00-15:00"]
    );
}

/// `check` proves the timr credentials, and names the key to fix when they are wrong.
#[test]
fn check_covers_timr() {
    let s = spawn(true);
    let run = || {
        let out = zeitpost()
            .arg("--config")
            .arg(&s.config)
            .arg("check")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = run();
    assert!(
        text.contains("ok     timr: token issued, 3 users readable"),
        "{text}"
    );
    let config = std::fs::read_to_string(&s.config).unwrap().replace(
        "client_secret = \"timr-secret\"",
        "client_secret = \"wrong\"",
    );
    std::fs::write(&s.config, config).unwrap();
    let text = run();
    assert!(
        text.contains("FAILED timr") && text.contains("timr.client_id and client_secret"),
        "{text}"
    );
}

/// A Zeitausgleich day becomes one absence of the configured type (Personio v2 has no day of
/// zero hours); again after a run and after a lost state file, it stays one.
#[test]
fn zeitausgleich_is_booked_as_one_absence() {
    let s = spawn(true);
    let config = std::fs::read_to_string(&s.config).unwrap().replacen(
        "zeitausgleich = [\"ZA\"]\n",
        "zeitausgleich = [\"ZA\"]\nzeitausgleich_absence_type = \"za-type-7\"\n",
        1,
    );
    std::fs::write(&s.config, config).unwrap();
    let (_, text) = s.sync();
    assert!(text.contains("1 Zeitausgleich days booked"), "{text}");
    let absences = s.personio.absences();
    assert_eq!(absences.len(), 1, "{absences:?}");
    assert_eq!(
        (
            absences[0].person_id.as_str(),
            absences[0].absence_type_id.as_str()
        ),
        ("1001", "za-type-7")
    );
    assert_eq!(absences[0].starts_from.date().to_string(), "2026-11-05");
    let still_changeable = s.entries_in(WorkingTimeStatus::Changeable);
    assert_eq!(
        still_changeable, 2,
        "only Ben's and Carla's skipped entries"
    );

    s.sync();
    std::fs::remove_file(s._dir.path().join("zeitpost.db")).unwrap();
    s.sync();
    assert_eq!(s.personio.absences().len(), 1, "booked once");
}

/// A run without problems tells nobody, unless `notify_always` asks for a summary.
#[test]
fn quiet_runs_send_nothing_unless_asked() {
    let s = spawn(true);
    let base = s._dir.path();
    add_maildir_and_outbox(&s.config, base, "");
    let run = || {
        run_once(&s.config);
        outbox_reports(&base.join("reports")).len()
    };
    assert_eq!(run(), 1, "the first run names the skipped entries");
    assert_eq!(run(), 1, "a run with nothing to say sends nothing");
    let config = std::fs::read_to_string(&s.config).unwrap().replacen(
        "lock = true\n",
        "lock = true\nnotify_always = true\n",
        1,
    );
    std::fs::write(&s.config, config).unwrap();
    assert_eq!(run(), 2, "notify_always: a summary every run");
}
