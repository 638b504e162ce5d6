//! The TimeTrack client against the TimeTrack simulator: credential headers, page-number
//! paging, both user filter names and id spellings, every write, overlaps, the error shapes,
//! and retries on the faults a sync job will meet.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use zeitpost::config::Secret;
use zeitpost::jobs::timetrack::client::{
    AbsenceStatus, Client, NewAbsence, NewAttendance, NewUser, Settings, TimeTrackError,
};
use zeitpost_sim::timetrack::{
    Absence, Attendance, ErrorShape, Fault, IdField, Route, STATUS_APPROVED, TimeTrackConfig,
    TimeTrackSim, User, UserFilter, ts,
};

fn settings(sim: &TimeTrackSim, page_size: u32) -> Settings {
    Settings {
        base_url: sim.base_url(),
        api_key: "sim-key".into(),
        api_secret: Secret::Literal("sim-secret".into()).resolve().unwrap(),
        max_rps: 500.0,
        timeout: Duration::from_secs(5),
        attempts: 3,
        page_size,
        absence_types_path: None,
    }
}

fn at(s: &str) -> DateTime<Utc> {
    ts(s)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A simulator with `hansm` and `annab`, each with one attendance a day on the 1st..=n-th of
/// October 2020, and a client reading `page_size` items a page.
fn setup(config: TimeTrackConfig, n: u32, page_size: u32) -> (TimeTrackSim, Client) {
    let sim = TimeTrackSim::start(config);
    sim.add_user(User::new("hansm", "Hans", "Muster", "hans@example.com"));
    sim.add_user(User::new("annab", "Anna", "Berg", "anna@example.com"));
    for d in 1..=n {
        for user in ["hansm", "annab"] {
            sim.add_attendance(
                Attendance::new(
                    user,
                    &format!("2020-10-{d:02}T07:00:00Z"),
                    Some(&format!("2020-10-{d:02}T15:30:00Z")),
                )
                .break_minutes(30),
            );
        }
    }
    let client = Client::new(settings(&sim, page_size)).unwrap();
    (sim, client)
}

fn october() -> (DateTime<Utc>, DateTime<Utc>) {
    (at("2020-10-01T00:00:00Z"), at("2020-11-01T00:00:00Z"))
}

#[tokio::test]
async fn every_request_carries_both_headers_and_pages_stop_when_short() {
    let (sim, client) = setup(TimeTrackConfig::default(), 4, 3);
    let (from, to) = october();
    let all = client.attendances(from, to, None).await.unwrap();
    assert_eq!(all.len(), 8);
    let a = &all[0];
    assert_eq!((a.user.as_str(), a.break_minutes), ("hansm", 30));
    assert_eq!(
        (a.from, a.to),
        (at("2020-10-01T07:00:00Z"), Some(at("2020-10-01T15:30:00Z")))
    );
    // 8 at 3 a page: 3, 3, 2; the short page ends it.
    let log = sim.requests();
    let queries: Vec<&str> = log.iter().map(|r| r.query.as_str()).collect();
    assert_eq!(queries.len(), 3, "{queries:?}");
    for (i, q) in queries.iter().enumerate() {
        assert!(q.contains(&format!("page_number={i}&limit=3")), "{q}");
        assert!(
            q.starts_with("from=2020-10-01T00%3A00%3A00Z&to=2020-11-01T00%3A00%3A00Z"),
            "{q}"
        );
    }
    for r in &log {
        assert_eq!(r.header("x-timetrack-api-key"), Some("sim-key"));
        assert_eq!(r.header("x-timetrack-api-secret"), Some("sim-secret"));
    }
    // An exact multiple needs one more, empty page.
    sim.clear_requests();
    let users = Client::new(settings(&sim, 2))
        .unwrap()
        .users()
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(sim.stats().count(Route::Users), 2);
    assert_eq!(users[1].username, "annab");
    assert_eq!(
        (users[1].first_name.as_deref(), users[1].email.as_deref()),
        (Some("Anna"), Some("anna@example.com"))
    );
    assert!(users[1].enabled);
}

#[tokio::test]
async fn a_server_that_ignores_page_number_is_caught() {
    let (_sim, client) = setup(
        TimeTrackConfig {
            ignore_page_number: true,
            ..TimeTrackConfig::default()
        },
        3,
        2,
    );
    let (from, to) = october();
    let err = client.attendances(from, to, None).await.unwrap_err();
    assert!(
        matches!(&err, TimeTrackError::Unexpected(m) if m.starts_with("TimeTrack attendances: page 1 repeats page 0")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_user_filter_works_whichever_name_the_server_honours() {
    for filter in [UserFilter::User, UserFilter::Username, UserFilter::Both] {
        let (sim, client) = setup(
            TimeTrackConfig {
                user_filter: filter,
                ..TimeTrackConfig::default()
            },
            3,
            50,
        );
        let (from, to) = october();
        let hans = client.attendances(from, to, Some("hansm")).await.unwrap();
        assert_eq!(hans.len(), 3, "{filter:?}");
        assert!(hans.iter().all(|a| a.user == "hansm"), "{filter:?}");
        let q = sim.requests()[0].query.clone();
        assert!(q.contains("&user=hansm&username=hansm"), "{q}");
        // The window is [from, to) on the start.
        let one = client
            .attendances(
                at("2020-10-02T07:00:00Z"),
                at("2020-10-03T07:00:00Z"),
                Some("hansm"),
            )
            .await
            .unwrap();
        assert_eq!(one.len(), 1, "{filter:?}");
    }
}

#[tokio::test]
async fn both_id_spellings_and_both_time_formats_read() {
    for (id_field, millis) in [(IdField::Upper, true), (IdField::Lower, false)] {
        let (sim, client) = setup(
            TimeTrackConfig {
                id_field,
                millis,
                ..TimeTrackConfig::default()
            },
            1,
            50,
        );
        sim.add_absence(Absence::new("hansm", "2020-10-26", "2020-10-28", 1));
        let (from, to) = october();
        let got = client.attendances(from, to, Some("annab")).await.unwrap();
        let stored = sim
            .attendances()
            .into_iter()
            .find(|a| a.user == "annab")
            .unwrap();
        assert_eq!(got[0].id, stored.id.to_string(), "{id_field:?}");
        assert_eq!(got[0].from, stored.from);
        let absences = client
            .absences(day("2020-10-01"), day("2020-10-31"))
            .await
            .unwrap();
        assert_eq!(absences.len(), 1);
        assert_eq!(absences[0].id, sim.absences()[0].id.to_string());
        assert_eq!(
            (absences[0].from, absences[0].to),
            (day("2020-10-26"), day("2020-10-28"))
        );
    }
}

#[tokio::test]
async fn attendances_are_created_updated_and_deleted() {
    let (sim, client) = setup(TimeTrackConfig::default(), 0, 50);
    let mut entry = NewAttendance {
        username: "hansm".into(),
        from: at("2020-10-20T07:00:00Z"),
        to: at("2020-10-20T15:30:00Z"),
        break_minutes: 30,
        notes: Some("Terminal 1".into()),
    };
    let id = client.create_attendance(&entry).await.unwrap();
    let body: serde_json::Value =
        serde_json::from_str(&sim.requests().last().unwrap().body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"user": "hansm", "username": "hansm", "from": "2020-10-20T07:00:00Z",
            "to": "2020-10-20T15:30:00Z", "breakMinutes": 30, "notes": "Terminal 1", "manual": true})
    );
    let stored = &sim.attendances()[0];
    assert_eq!(
        (stored.id.to_string(), stored.worked_minutes()),
        (id.clone(), 480)
    );
    entry.to = at("2020-10-20T16:00:00Z");
    entry.notes = None;
    client.update_attendance(&id, &entry).await.unwrap();
    assert_eq!(sim.attendances()[0].to, Some(at("2020-10-20T16:00:00Z")));
    client.delete_attendance(&id).await.unwrap();
    assert!(sim.attendances().is_empty());
    // Already gone counts as done.
    client.delete_attendance(&id).await.unwrap();
    assert_eq!(sim.stats().count_status(Route::DeleteAttendance, 404), 1);
}

#[tokio::test]
async fn an_overlap_is_a_typed_error_whatever_the_status() {
    for status in [409, 400] {
        let (sim, client) = setup(
            TimeTrackConfig {
                overlap_status: status,
                ..TimeTrackConfig::default()
            },
            1,
            50,
        );
        let clash = NewAttendance {
            username: "hansm".into(),
            from: at("2020-10-01T15:00:00Z"),
            to: at("2020-10-01T18:00:00Z"),
            break_minutes: 0,
            notes: None,
        };
        let err = client.create_attendance(&clash).await.unwrap_err();
        assert!(
            matches!(&err, TimeTrackError::Overlap(m) if m.starts_with(&format!("TimeTrack create attendance: HTTP {status}: "))),
            "{err:?}"
        );
        sim.add_absence(Absence::new("annab", "2020-10-26", "2020-10-28", 1));
        let err = client
            .create_absence(&NewAbsence {
                username: "annab".into(),
                from: day("2020-10-28"),
                to: day("2020-10-30"),
                absence_type: 1,
            })
            .await
            .unwrap_err();
        assert!(matches!(err, TimeTrackError::Overlap(_)), "{err:?}");
        assert!(!err.is_transient());
    }
}

#[tokio::test]
async fn absences_are_created_approved_and_deleted() {
    let (sim, client) = setup(TimeTrackConfig::default(), 0, 50);
    sim.add_absence_type(1, "Urlaub", "U");
    sim.add_absence(Absence::new("annab", "2020-09-28", "2020-10-02", 1));
    sim.add_absence(Absence::new("annab", "2020-11-02", "2020-11-03", 1));
    let id = client
        .create_absence(&NewAbsence {
            username: "hansm".into(),
            from: day("2020-10-26"),
            to: day("2020-10-28"),
            absence_type: 1,
        })
        .await
        .unwrap();
    client
        .set_absence_status(&id, AbsenceStatus::Approved)
        .await
        .unwrap();
    assert_eq!(sim.requests().last().unwrap().body, r#"{"status":"1"}"#);
    let got = client
        .absences(day("2020-10-01"), day("2020-10-31"))
        .await
        .unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    let hans = got.iter().find(|a| a.id == id).unwrap();
    assert_eq!(
        (hans.status, hans.absence_type),
        (AbsenceStatus::Approved, 1)
    );
    assert_eq!(
        (hans.user.as_str(), hans.absence_type_name.as_deref()),
        ("hansm", Some("U"))
    );
    assert_eq!(sim.absences()[2].status, STATUS_APPROVED);
    client.delete_absence(&id).await.unwrap();
    assert_eq!(sim.absences().len(), 2);
    let err = client
        .set_absence_status(&id, AbsenceStatus::Rejected)
        .await
        .unwrap_err();
    assert!(matches!(err, TimeTrackError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn absence_types_come_only_from_a_configured_path_that_exists() {
    let (sim, client) = setup(TimeTrackConfig::default(), 0, 50);
    sim.add_absence_type(1, "Urlaub", "U");
    assert_eq!(client.absence_types().await.unwrap(), None);
    assert_eq!(sim.stats().requests, 0);
    let mut s = settings(&sim, 50);
    s.absence_types_path = Some("absence_types".into());
    let client = Client::new(s).unwrap();
    // Configured in zeitpost, missing in TimeTrack: 404, so none.
    assert_eq!(client.absence_types().await.unwrap(), None);
    sim.set_config(|c| c.absence_types_path = Some("absence_types".into()));
    let types = client.absence_types().await.unwrap().unwrap();
    assert_eq!(types.len(), 1);
    assert_eq!(
        (
            types[0].id,
            types[0].name.as_str(),
            types[0].short_name.as_deref()
        ),
        (1, "Urlaub", Some("U"))
    );
}

#[tokio::test]
async fn users_are_created_updated_and_deactivated() {
    let (sim, client) = setup(TimeTrackConfig::default(), 1, 50);
    let new = NewUser {
        username: "lenak".into(),
        first_name: "Lena".into(),
        last_name: "Kurz".into(),
        email: "lena@example.com".into(),
        password: "Start-1234".into(),
        personal_number: Some("42".into()),
    };
    let lena = client.create_user(&new).await.unwrap();
    assert_eq!((lena.username.as_str(), lena.enabled), ("lenak", true));
    assert_eq!(sim.users()[2].personal_number.as_deref(), Some("42"));
    let dup = client.create_user(&new).await.unwrap_err();
    assert!(
        matches!(&dup, TimeTrackError::Rejected { status: 409, message } if message.contains("TimeTrack create user") && message.contains("already taken")),
        "{dup:?}"
    );
    client
        .update_user(&lena.id, "Lena", "Lang", "lena.lang@example.com")
        .await
        .unwrap();
    assert_eq!(sim.users()[2].last_name, "Lang");
    // Hans has attendances: deactivated, not deleted. Lena has none: gone.
    let hans = sim.users()[0].id.to_string();
    client.deactivate_user(&hans).await.unwrap();
    client.deactivate_user(&lena.id).await.unwrap();
    client.deactivate_user(&lena.id).await.unwrap();
    let users = client.users().await.unwrap();
    assert_eq!(users.len(), 2);
    assert!(!users[0].enabled && users[1].enabled);
    let err = client.update_user("999", "a", "b", "c").await.unwrap_err();
    assert!(matches!(err, TimeTrackError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn each_error_shape_gives_a_readable_message() {
    let cases = [
        (
            ErrorShape::Json,
            "User 'nobody' does not exist (unknown_user)",
        ),
        (ErrorShape::PlainText, "User 'nobody' does not exist"),
        (ErrorShape::Empty, "(empty answer)"),
    ];
    for (shape, text) in cases {
        let (_sim, client) = setup(
            TimeTrackConfig {
                error_shape: shape,
                ..TimeTrackConfig::default()
            },
            0,
            50,
        );
        let err = client
            .create_absence(&NewAbsence {
                username: "nobody".into(),
                from: day("2020-10-26"),
                to: day("2020-10-26"),
                absence_type: 1,
            })
            .await
            .unwrap_err();
        let TimeTrackError::Rejected {
            status: 400,
            message,
        } = &err
        else {
            panic!("{shape:?}: {err:?}");
        };
        assert_eq!(
            message,
            &format!("TimeTrack create absence: HTTP 400: {text}")
        );
    }
}

#[tokio::test]
async fn reads_are_retried_after_server_errors_and_drops() {
    let (sim, client) = setup(TimeTrackConfig::default(), 2, 50);
    sim.inject(Fault::Status {
        route: Route::Attendances,
        status: 503,
        times: 1,
    });
    sim.inject(Fault::Drop {
        route: Route::Attendances,
        times: 1,
    });
    let (from, to) = october();
    assert_eq!(client.attendances(from, to, None).await.unwrap().len(), 4);
    assert_eq!(sim.stats().count(Route::Attendances), 3);
    // Out of attempts, a read reports the outage, not a write that might have happened.
    let mut once = settings(&sim, 50);
    once.attempts = 2;
    sim.inject(Fault::Status {
        route: Route::Users,
        status: 502,
        times: 2,
    });
    let err = Client::new(once).unwrap().check().await.unwrap_err();
    assert!(err.is_transient() && !err.maybe_applied(), "{err:?}");
    assert!(
        err.to_string().contains("TimeTrack check: HTTP 502"),
        "{err}"
    );
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_reported_as_maybe_applied() {
    let (sim, client) = setup(TimeTrackConfig::default(), 0, 50);
    sim.inject(Fault::ApplyThenDrop {
        route: Route::CreateAttendance,
        times: 1,
    });
    let entry = NewAttendance {
        username: "hansm".into(),
        from: at("2020-10-20T07:00:00Z"),
        to: at("2020-10-20T15:00:00Z"),
        break_minutes: 0,
        notes: None,
    };
    let err = client.create_attendance(&entry).await.unwrap_err();
    assert!(err.maybe_applied(), "{err:?}");
    assert!(
        err.to_string().contains("TimeTrack create attendance"),
        "{err}"
    );
    // Not sent again: the caller decides after reading the entries.
    assert_eq!(sim.stats().count(Route::CreateAttendance), 1);
    assert_eq!(sim.attendances().len(), 1);
    // A 5xx on a write is just as uncertain.
    sim.inject(Fault::Status {
        route: Route::DeleteAttendance,
        status: 500,
        times: 1,
    });
    let id = sim.attendances()[0].id.to_string();
    assert!(
        client
            .delete_attendance(&id)
            .await
            .unwrap_err()
            .maybe_applied()
    );
    assert_eq!(sim.stats().count(Route::DeleteAttendance), 1);
    // Refused before sending (nothing listens): repeated, and surely not applied.
    let mut gone = settings(&sim, 50);
    gone.base_url = "http://127.0.0.1:9/api/v2/ext/".into();
    gone.attempts = 2;
    let err = Client::new(gone)
        .unwrap()
        .create_attendance(&entry)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TimeTrackError::Unavailable {
                maybe_applied: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_429_waits_for_retry_after() {
    let (sim, client) = setup(
        TimeTrackConfig {
            retry_after: Some(1),
            ..TimeTrackConfig::default()
        },
        1,
        50,
    );
    sim.inject(Fault::RateLimited {
        route: Route::CreateAbsence,
        times: 1,
    });
    let started = Instant::now();
    client
        .create_absence(&NewAbsence {
            username: "hansm".into(),
            from: day("2020-10-26"),
            to: day("2020-10-26"),
            absence_type: 1,
        })
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    let stats = sim.stats();
    assert_eq!(
        (stats.rate_limited, stats.count(Route::CreateAbsence)),
        (1, 2)
    );
    assert_eq!(sim.absences().len(), 1);
}

#[tokio::test]
async fn a_rotated_secret_is_unauthorized_and_never_shown() {
    let (sim, client) = setup(TimeTrackConfig::default(), 0, 50);
    client.check().await.unwrap();
    assert!(sim.requests()[0].query.contains("limit=1"));
    sim.rotate_secret("regenerated");
    let err = client.check().await.unwrap_err();
    assert!(matches!(err, TimeTrackError::Unauthorized(_)), "{err:?}");
    assert!(!err.is_transient());
    // Tried once: the credentials will not get better by themselves.
    assert_eq!(sim.stats().count_status(Route::Users, 401), 1);
    let shown = format!("{err} {err:?} {:?}", settings(&sim, 50));
    assert!(
        !shown.contains("sim-secret") && !shown.contains("sim-key"),
        "{shown}"
    );
}
