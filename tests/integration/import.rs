//! `zeitpost import` against the Personio simulator: exactly once through faults, lost
//! state, restarts and kills.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use zeitpost_sim::personio::{
    CreatedBody, Fault, OverlapMode, Period, PeriodType, PersonioConfig, PersonioSim, RateLimit,
    Route,
};

use crate::util::{
    assert_printed, kill_at_random, printed, sample, slow_personio_creates, zeitpost,
};

pub struct App {
    pub sim: PersonioSim,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

/// A simulator with the sample staff, and a config pointing zeitpost at it.
pub fn spawn_app(config: PersonioConfig, extra_toml: &str) -> App {
    let sim = PersonioSim::start(PersonioConfig {
        client_id: "zeitpost-test".into(),
        client_secret: "s3cr3t-value-for-tests".into(),
        ..config
    });
    for (email, first, last) in [
        ("anna.muster@example.com", "Anna", "Muster"),
        ("ben.beispiel@example.com", "Ben", "Beispiel"),
        ("carla.cortez@example.com", "Carla", "Cortez"),
    ] {
        sim.add_person(email, first, last);
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("zeitpost.toml");
    std::fs::write(
        &config,
        format!(
            "[state]\npath = {state:?}\n\n[report]\nlanguage = \"en\"\n\n[personio]\nbase_url = {url:?}\nclient_id = \"zeitpost-test\"\nclient_secret = {{ env = \"ZP_TEST_PERSONIO_SECRET\" }}\nmax_rps = 1000\ntimeout = \"5s\"\napp_id = \"ZEITPOST\"\n{extra_toml}\n",
            state = dir.path().join("state/zeitpost.db"),
            url = sim.base_url(),
        ),
    )
    .unwrap();
    App { sim, dir, config }
}

impl App {
    pub fn import(&self, args: &[&str], files: &[&Path]) -> Output {
        zeitpost()
            .env("ZP_TEST_PERSONIO_SECRET", "s3cr3t-value-for-tests")
            .arg("--config")
            .arg(&self.config)
            .arg("import")
            .args(args)
            .args(files)
            .output()
            .unwrap()
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state/zeitpost.db")
    }

    fn creates(&self) -> u64 {
        self.sim.stats().count(Route::CreatePeriod)
    }
}

/// Periods per person as `TYPE dd HH:MM-HH:MM`, to compare whole states.
fn layout(periods: &[Period]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in periods {
        m.entry(p.person_id.clone()).or_default().push(format!(
            "{} {}-{}",
            p.kind.as_str(),
            p.start.format("%d %H:%M"),
            p.end
                .map(|e| e.format("%H:%M").to_string())
                .unwrap_or_default()
        ));
    }
    for v in m.values_mut() {
        v.sort();
    }
    m
}

fn no_overlaps(periods: &[Period]) {
    for a in periods {
        for b in periods {
            if a.id != b.id && a.person_id == b.person_id {
                let (ae, be) = (a.end.unwrap(), b.end.unwrap());
                assert!(!(a.start < be && b.start < ae), "overlap: {a:?} {b:?}");
            }
        }
    }
}

const EXPORT: &str = "csv/personio-export-id500.csv";
/// Rows 2–6 and 8 of the export: 1 + 1 + 3 + 3 + 3 + 3 periods.
const EXPORT_PERIODS: usize = 14;

#[test]
fn an_export_lands_once_and_a_second_import_writes_nothing() {
    let app = spawn_app(PersonioConfig::default(), "");
    let out = app.import(&[], &[&sample(EXPORT)]);
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    let periods = app.sim.periods();
    assert_eq!(periods.len(), EXPORT_PERIODS, "{:#?}", layout(&periods));
    no_overlaps(&periods);
    // Ben, 08:15–17:02 with 45 min: 482 min of work, break after 240 min.
    let ben = &layout(&periods)["1002"];
    assert_eq!(
        ben,
        &[
            "BREAK 02 12:15-13:00",
            "WORK 02 08:15-12:15",
            "WORK 02 13:00-17:02"
        ]
    );
    assert_printed(&out, "6 imported, 1 rejected");
    assert!(
        app.sim
            .requests()
            .iter()
            .any(|r| r.header("X-Personio-App-ID") == Some("ZEITPOST"))
    );
    assert!(
        periods.iter().all(|p| p.approval == "CONFIRMED"),
        "skip_approval defaults to true"
    );

    let before = app.creates();
    let again = app.import(&[], &[&sample(EXPORT)]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(app.creates(), before, "no write on the second import");
    assert_printed(&again, "6 duplicates");
    assert!(printed(&again).contains("already received on"));
    assert_eq!(app.sim.periods().len(), EXPORT_PERIODS);
}

#[test]
fn with_the_state_file_deleted_reading_personio_prevents_every_duplicate() {
    let app = spawn_app(PersonioConfig::default(), "");
    assert_eq!(app.import(&[], &[&sample(EXPORT)]).status.code(), Some(0));
    let before = app.creates();
    std::fs::remove_dir_all(app.state().parent().unwrap()).unwrap();
    let again = app.import(&[], &[&sample(EXPORT)]);
    assert_eq!(again.status.code(), Some(0), "{}", printed(&again));
    assert_eq!(app.creates(), before, "zero writes");
    assert_printed(&again, "Already in Personio exactly like this.");
    assert_eq!(app.sim.periods().len(), EXPORT_PERIODS);
}

#[test]
fn lost_answers_server_errors_and_rate_limits_change_nothing_in_the_result() {
    let app = spawn_app(PersonioConfig::default(), "");
    app.sim.inject(Fault::ApplyThenDrop {
        route: Route::CreatePeriod,
        times: 2,
    });
    app.sim.inject(Fault::Status {
        route: Route::CreatePeriod,
        status: 502,
        times: 1,
    });
    app.sim.inject(Fault::RateLimited {
        route: Route::CreatePeriod,
        times: 2,
    });
    app.sim.inject(Fault::Drop {
        route: Route::ListPeriods,
        times: 1,
    });
    app.sim.inject(Fault::Status {
        route: Route::Persons,
        status: 503,
        times: 1,
    });
    let out = app.import(&[], &[&sample(EXPORT)]);
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    let periods = app.sim.periods();
    assert_eq!(periods.len(), EXPORT_PERIODS, "{:#?}", layout(&periods));
    no_overlaps(&periods);
}

#[test]
fn an_expired_token_is_renewed_once() {
    let app = spawn_app(PersonioConfig::default(), "");
    app.sim.inject(Fault::Delay {
        route: Route::CreatePeriod,
        delay: Duration::from_millis(1),
        times: 1,
    });
    app.sim.expire_tokens();
    let out = app.import(&[], &[&sample(EXPORT)]);
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    app.sim.expire_tokens();
    let out = app.import(&[], &[&sample("csv/night-shift.csv")]);
    assert!(!printed(&out).contains("credentials"), "{}", printed(&out));
}

#[test]
fn a_period_entered_by_hand_is_a_conflict_and_never_overwritten() {
    let app = spawn_app(PersonioConfig::default(), "");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let manual = app.sim.add_period(
        "1002",
        PeriodType::Work,
        day.and_hms_opt(12, 0, 0).unwrap(),
        Some(day.and_hms_opt(14, 0, 0).unwrap()),
        Some("Kundentermin"),
    );
    let out = app.import(&[], &[&sample(EXPORT)]);
    assert_printed(
        &out,
        "Overlaps a period in Personio (02.11.2026 12:00–14:00)",
    );
    let periods = app.sim.periods();
    assert_eq!(periods.len(), EXPORT_PERIODS - 3 + 1);
    assert!(
        periods
            .iter()
            .any(|p| p.id == manual && p.comment.as_deref() == Some("Kundentermin"))
    );
    no_overlaps(&periods);
}

#[test]
fn a_dry_run_reads_but_writes_nothing() {
    let app = spawn_app(PersonioConfig::default(), "");
    let out = app.import(&["--dry-run"], &[&sample(EXPORT)]);
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    assert_printed(&out, "6 would be imported");
    assert!(app.sim.periods().is_empty());
    assert_eq!(app.creates(), 0);
    assert!(!app.state().exists(), "no state file either");
    assert!(
        app.sim.stats().count(Route::ListPeriods) > 0,
        "the plan reads Personio"
    );
}

#[test]
fn unknown_people_are_reported_and_the_rest_goes_through() {
    let app = spawn_app(PersonioConfig::default(), "");
    let out = app.import(&[], &[&sample("mail/01-terminal-export.eml")]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "unknown people fail: {}",
        printed(&out)
    );
    assert_printed(&out, "Personio has no person with this e-mail address.");
    assert!(!app.sim.periods().is_empty());
}

#[test]
fn gap_mode_sends_only_work_periods_that_add_up() {
    let app = spawn_app(PersonioConfig::default(), "break_mode = \"gap\"");
    assert_eq!(app.import(&[], &[&sample(EXPORT)]).status.code(), Some(0));
    let ben = &layout(&app.sim.periods())["1002"];
    assert_eq!(ben, &["WORK 02 08:15-12:15", "WORK 02 13:00-17:02"]);
}

#[test]
fn corrections_from_hr_replace_only_what_zeitpost_wrote() {
    let app = spawn_app(PersonioConfig::default(), "");
    std::fs::write(
        &app.config,
        std::fs::read_to_string(&app.config).unwrap()
            + "\n[import]\ncorrections = \"update\"\n\n[senders]\nhr = [\"*@hr.example.com\"]\n",
    )
    .unwrap();
    let first = app.dir.path().join("v1.csv");
    std::fs::write(
        &first,
        "E-Mail;Datum;Start;Ende;Pause\nanna.muster@example.com;09.11.2026;08:00;16:00;30\n",
    )
    .unwrap();
    assert_eq!(app.import(&[], &[&first]).status.code(), Some(0));
    let fixed = app.dir.path().join("v2.csv");
    std::fs::write(
        &fixed,
        "E-Mail;Datum;Start;Ende;Pause\nanna.muster@example.com;09.11.2026;08:00;17:00;30\n",
    )
    .unwrap();
    let from_terminal = app.import(&[], &[&fixed]);
    assert_printed(&from_terminal, "Imported on");
    assert_eq!(layout(&app.sim.periods())["1001"].len(), 3);
    let from_hr = app.import(&["--sender", "lohn@hr.example.com"], &[&fixed]);
    assert_eq!(from_hr.status.code(), Some(0), "{}", printed(&from_hr));
    assert_printed(&from_hr, "Corrected");
    let anna = &layout(&app.sim.periods())["1001"];
    assert_eq!(
        anna,
        &[
            "BREAK 09 12:15-12:45",
            "WORK 09 08:00-12:15",
            "WORK 09 12:45-17:00"
        ]
    );
}

#[test]
fn periods_ending_at_midnight_in_either_shape() {
    let exact = spawn_app(
        PersonioConfig {
            allow_end_at_midnight: true,
            ..PersonioConfig::default()
        },
        "",
    );
    let file = exact.dir.path().join("late.csv");
    std::fs::write(
        &file,
        "E-Mail;Datum;Beginn;Ende;Pause\nanna.muster@example.com;14.11.2026;18:00;24:00;30\n",
    )
    .unwrap();
    let out = exact.import(&[], &[&file]);
    assert_printed(&out, "1 imported");
    let p = exact.sim.periods();
    assert_eq!(
        p.last()
            .unwrap()
            .end
            .unwrap()
            .format("%d %H:%M:%S")
            .to_string(),
        "15 00:00:00"
    );

    let strict = spawn_app(PersonioConfig::default(), "day_end = \"last_second\"");
    let out = strict.import(&[], &[&file]);
    assert_printed(&out, "1 imported");
    let p = strict.sim.periods();
    assert_eq!(
        p.last()
            .unwrap()
            .end
            .unwrap()
            .format("%d %H:%M:%S")
            .to_string(),
        "14 23:59:59"
    );
    let again = strict.import(&[], &[&file]);
    assert_printed(&again, "1 duplicates");

    let refused = spawn_app(PersonioConfig::default(), "");
    let out = refused.import(&[], &[&file]);
    assert_eq!(out.status.code(), Some(1));
    assert_printed(&out, "Refused by Personio");
    assert!(refused.sim.periods().is_empty(), "nothing half-written");
}

#[test]
fn when_personio_trims_neighbours_the_report_says_so() {
    let app = spawn_app(
        PersonioConfig {
            overlap: OverlapMode::Trim,
            ..PersonioConfig::default()
        },
        "",
    );
    let file = app.dir.path().join("two.csv");
    std::fs::write(
        &file,
        "E-Mail;Datum;Start;Ende\nanna.muster@example.com;10.11.2026;08:00;10:00\nanna.muster@example.com;10.11.2026;10:00;12:00\n",
    )
    .unwrap();
    // A period appears between zeitpost's read and its second write: the first write is
    // held back, and the period is added once the read was answered.
    app.sim.inject(Fault::Delay {
        route: Route::CreatePeriod,
        delay: Duration::from_millis(1500),
        times: 1,
    });
    let sim_url = app.sim.base_url();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
    let handle = {
        let out = std::thread::spawn({
            let config = app.config.clone();
            let file = file.clone();
            move || {
                zeitpost()
                    .env("ZP_TEST_PERSONIO_SECRET", "s3cr3t-value-for-tests")
                    .arg("--config")
                    .arg(&config)
                    .arg("import")
                    .arg(&file)
                    .output()
                    .unwrap()
            }
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while app.sim.stats().count(Route::ListPeriods) == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "zeitpost never read the day"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        app.sim.add_period(
            "1001",
            PeriodType::Work,
            day.and_hms_opt(11, 0, 0).unwrap(),
            Some(day.and_hms_opt(13, 0, 0).unwrap()),
            None,
        );
        out
    };
    let out = handle.join().unwrap();
    assert!(!sim_url.is_empty());
    assert_printed(&out, "Personio changed 1 other periods");
}

/// Kills the import at random moments and restarts it until it finishes; the end state
/// must be exactly what one clean run gives.
#[test]
fn killed_at_random_moments_it_still_writes_everything_exactly_once() {
    let app = spawn_app(PersonioConfig::default(), "");
    let file = app.dir.path().join("month.csv");
    let mut csv = String::from("E-Mail;Datum;Startzeit;Endzeit;Pause\n");
    let mut expected_records = 0;
    for day in 2..=27 {
        for who in ["anna.muster", "ben.beispiel", "carla.cortez"] {
            csv.push_str(&format!(
                "{who}@example.com;{day:02}.10.2026;08:00;16:30;30\n"
            ));
            expected_records += 1;
        }
    }
    std::fs::write(&file, csv).unwrap();
    // Slow writes, so a kill lands between planning, sending and confirming.
    slow_personio_creates(&app.sim, 400, 8);
    app.sim.inject(Fault::ApplyThenDrop {
        route: Route::CreatePeriod,
        times: 3,
    });
    let run = kill_at_random(
        zeitpost()
            .env("ZP_TEST_PERSONIO_SECRET", "s3cr3t-value-for-tests")
            .arg("--config")
            .arg(&app.config)
            .arg("import")
            .arg(&file),
        0x9E37_79B9_7F4A_7C15u64 ^ std::process::id() as u64,
        40,
        (50, 700),
        |_| true,
    );
    if let Some(status) = run.ended {
        assert_eq!(status.code(), Some(0));
    }
    let (kills, finished) = (run.kills, run.ended.is_some());
    if !finished {
        let last = app.import(&[], &[&file]);
        assert_eq!(last.status.code(), Some(0), "{}", printed(&last));
    }
    eprintln!("killed {kills} times");
    assert!(kills > 0, "the test must actually interrupt the import");
    let periods = app.sim.periods();
    assert_eq!(
        periods.len(),
        expected_records * 3,
        "{:#?}",
        layout(&periods)
    );
    no_overlaps(&periods);
    let again = app.import(&[], &[&file]);
    assert_printed(&again, &format!("{expected_records} duplicates"));
}

#[test]
fn a_record_refused_halfway_is_rolled_back_completely() {
    let app = spawn_app(PersonioConfig::default(), "");
    let file = app.dir.path().join("one.csv");
    std::fs::write(&file, "E-Mail;Datum;Start;Ende;Pause\nben.beispiel@example.com;11.11.2026;08:00;16:00;30\nanna.muster@example.com;11.11.2026;08:00;12:00;0\n").unwrap();
    // Ben's first period goes through, his break is refused for good.
    app.sim.inject(Fault::Delay {
        route: Route::CreatePeriod,
        delay: Duration::from_millis(1),
        times: 1,
    });
    app.sim.inject(Fault::Status {
        route: Route::CreatePeriod,
        status: 422,
        times: 1,
    });
    let out = app.import(&[], &[&file]);
    assert_eq!(out.status.code(), Some(1));
    assert_printed(&out, "Refused by Personio");
    let left = layout(&app.sim.periods());
    assert!(
        !left.contains_key("1002"),
        "nothing of Ben's record remains: {left:?}"
    );
    assert_eq!(left["1001"], ["WORK 11 08:00-12:00"]);
    assert!(app.sim.stats().count(Route::DeletePeriod) >= 1);
    // Sent again once Personio takes it, it is written in full.
    let again = app.import(&[], &[&file]);
    assert_eq!(again.status.code(), Some(0), "{}", printed(&again));
    assert_eq!(layout(&app.sim.periods())["1002"].len(), 3);
}

#[test]
fn every_known_shape_of_the_create_answer_is_understood() {
    for shape in [
        CreatedBody::IdAndAffected,
        CreatedBody::CreatedObject,
        CreatedBody::DataWrapped,
        CreatedBody::UnderscoreData,
    ] {
        let app = spawn_app(
            PersonioConfig {
                created_body: shape,
                ..PersonioConfig::default()
            },
            "",
        );
        let out = app.import(&[], &[&sample(EXPORT)]);
        assert_eq!(out.status.code(), Some(0), "{shape:?}: {}", printed(&out));
        assert_eq!(app.sim.periods().len(), EXPORT_PERIODS);
    }
}

#[test]
fn rate_limits_relative_links_and_many_pages() {
    let app = spawn_app(
        PersonioConfig {
            rate_limit: Some(RateLimit {
                capacity: 5,
                per_second: 40,
            }),
            retry_after_on_429: false,
            absolute_links: false,
            ..PersonioConfig::default()
        },
        "",
    );
    let file = app.dir.path().join("weeks.csv");
    let mut csv = String::from("E-Mail;Datum;Startzeit;Endzeit;Pause\n");
    for day in 1..=20 {
        for who in ["anna.muster", "ben.beispiel", "carla.cortez"] {
            csv.push_str(&format!(
                "{who}@example.com;{day:02}.09.2026;07:00;15:30;30\n"
            ));
        }
    }
    std::fs::write(&file, csv).unwrap();
    let out = app.import(&[], &[&file]);
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    // The client reads x-ratelimit-remaining and waits, instead of running into 429s.
    let limited = app.sim.stats().rate_limited;
    assert!(limited < 10, "{limited} answers were 429");
    assert_eq!(app.sim.periods().len(), 180);
    std::fs::remove_dir_all(app.state().parent().unwrap()).unwrap();
    let before = app.creates();
    let again = app.import(&[], &[&file]);
    assert_eq!(app.creates(), before, "{}", printed(&again));
    assert_printed(&again, "60 duplicates");
    assert!(
        app.sim.stats().count(Route::ListPeriods) >= 2,
        "180 periods take two pages"
    );
}
