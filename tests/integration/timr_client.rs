//! The timr client against the timr simulator: token handling, paging, query encoding, the
//! deleted feed, locking, both error shapes, and retries on the faults a sync job will meet.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate};
use zeitpost::config::Secret;
use zeitpost::jobs::timr::client::{Client, Query, Settings, Status, TimrError};
use zeitpost_sim::timr::{
    BreakTime, Category, ErrorShape, Fault, Route, TimrConfig, TimrSim, User, WorkingTime,
    WorkingTimeStatus,
};

fn settings(sim: &TimrSim) -> Settings {
    Settings {
        base_url: sim.base_url(),
        token_url: sim.token_url(),
        client_id: "sim-client".into(),
        client_secret: Secret::Literal("sim-secret".into()).resolve().unwrap(),
        max_rps: 500.0,
        timeout: Duration::from_secs(5),
        attempts: 4,
    }
}

/// A simulator with one user, one type and `n` working times on consecutive days.
fn setup(n: u32) -> (TimrSim, Client, String, Vec<String>) {
    let sim = TimrSim::start(TimrConfig::default());
    let anna = sim.add_user(
        User::new("Anna", "Muster", "anna@example.com")
            .employee_number("7")
            .resigned_on("2026-06-30"),
    );
    let work =
        sim.add_working_time_type("Bürozeit", Some("BZ"), Some("X1"), Category::AttendanceTime);
    sim.set_clock("2026-03-10T12:00:00+01:00");
    let ids = (1..=n)
        .map(|d| {
            let day = format!("2026-03-{d:02}");
            sim.add_working_time(
                WorkingTime::new(
                    &anna,
                    &work,
                    &format!("{day}T08:00:00+01:00"),
                    Some(&format!("{day}T16:30:00+01:00")),
                )
                .breaks(vec![BreakTime::manual(30)])
                .notes("Frühdienst")
                .metadata(serde_json::json!({"k": d})),
            )
        })
        .collect();
    let client = Client::new(settings(&sim)).unwrap();
    (sim, client, anna, ids)
}

#[tokio::test]
async fn reads_users_types_and_working_times_over_several_pages() {
    let (sim, client, anna, ids) = setup(7);
    let client = client.with_page_size(3);
    let users = client.users().await.unwrap();
    assert_eq!(users.len(), 1);
    let u = &users[0];
    assert_eq!(
        (u.id.as_str(), u.email.as_deref()),
        (anna.as_str(), Some("anna@example.com"))
    );
    assert_eq!(
        (u.first_name.as_deref(), u.last_name.as_deref()),
        (Some("Anna"), Some("Muster"))
    );
    assert_eq!(u.employee_number.as_deref(), Some("7"));
    assert_eq!(u.resign_date, NaiveDate::from_ymd_opt(2026, 6, 30));
    let types = client.working_time_types().await.unwrap();
    assert_eq!(types[0].short_name.as_deref(), Some("BZ"));
    assert_eq!(types[0].external_id.as_deref(), Some("X1"));
    assert_eq!(types[0].category.as_deref(), Some("attendance_time"));

    let times = client.working_times(&Query::default()).await.unwrap();
    assert_eq!(times.len(), 7);
    let mut got: Vec<_> = times.iter().map(|w| w.id.clone()).collect();
    let mut want = ids.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let w = &times[0];
    assert_eq!(w.user_id, anna);
    assert_eq!(w.working_time_type_id, types[0].id);
    assert_eq!(
        w.start.to_rfc3339(),
        format!("{}T08:00:00+01:00", &w.start.to_rfc3339()[..10])
    );
    assert!(w.end.is_some());
    assert_eq!((w.break_minutes, w.break_times[0].minutes), (30, Some(30)));
    assert_eq!(
        (w.status.clone(), w.notes.as_deref()),
        (Status::Changeable, Some("Frühdienst"))
    );
    assert!(w.last_modified.is_some() && w.metadata.is_some());
    // 7 entries at 3 a page: 3 pages, and one token for everything.
    let stats = sim.stats();
    assert_eq!(stats.count(Route::ListWorkingTimes), 3);
    assert_eq!(stats.count(Route::Token), 1);
}

#[tokio::test]
async fn filters_encode_the_offset_and_repeat_arrays() {
    let (sim, client, anna, ids) = setup(3);
    sim.set_clock("2026-03-10T14:00:00+01:00");
    sim.update_working_time(&ids[1], |w| w.notes = Some("later".into()));
    sim.add_working_time(WorkingTime::new(
        &anna,
        &sim.working_times()[0].working_time_type_id,
        "2026-03-20T08:00:00+01:00",
        None,
    ));
    // 13:30+02:00 is 11:30 UTC: after the first stamp (11:00 UTC), before the second (13:00).
    let q = Query {
        last_modified_after: Some(
            DateTime::parse_from_rfc3339("2026-03-10T13:30:00+02:00").unwrap(),
        ),
        start_from: NaiveDate::from_ymd_opt(2026, 3, 1),
        start_to: NaiveDate::from_ymd_opt(2026, 3, 31),
        users: vec![anna.clone(), "nobody".into()],
        statuses: vec![Status::Changeable, Status::Locked],
    };
    let times = client.working_times(&q).await.unwrap();
    assert_eq!(
        times.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(),
        [ids[1].as_str()]
    );
    let raw = sim
        .requests()
        .into_iter()
        .find(|r| r.route == Route::ListWorkingTimes)
        .unwrap()
        .query;
    assert!(
        raw.contains("last_modified_after=2026-03-10T13%3A30%3A00%2B02%3A00"),
        "{raw}"
    );
    assert!(
        raw.contains("&users=nobody&statuses=changeable&statuses=locked"),
        "{raw}"
    );
}

#[tokio::test]
async fn the_deleted_feed_keeps_metadata_and_honours_since() {
    let (sim, client, _, ids) = setup(2);
    sim.set_clock("2026-03-11T09:00:00+01:00");
    sim.delete_working_time(&ids[0]);
    let all = client.deleted_working_times(None).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, ids[0]);
    assert_eq!(all[0].metadata, Some(serde_json::json!({"k": 1})));
    // 09:30+02:00 is 07:30 UTC, half an hour before the deletion; the feed is "strictly after".
    let since = DateTime::parse_from_rfc3339("2026-03-11T09:30:00+02:00").unwrap();
    assert_eq!(
        client.deleted_working_times(Some(since)).await.unwrap(),
        vec![all[0].clone()]
    );
    let later = DateTime::parse_from_rfc3339("2026-03-11T10:00:00+02:00").unwrap();
    assert!(
        client
            .deleted_working_times(Some(later))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_token_is_reused_and_renewed_once_after_it_expires() {
    let (sim, client, _, _) = setup(1);
    client.users().await.unwrap();
    client.working_time_types().await.unwrap();
    assert_eq!(sim.stats().count(Route::Token), 1);
    sim.expire_tokens();
    client.users().await.unwrap();
    let stats = sim.stats();
    assert_eq!(stats.count(Route::Token), 2);
    assert_eq!(stats.count_status(Route::Users, 401), 1);
    // Tokens that timr refuses again right after renewal are the credentials' fault.
    let mut bad = settings(&sim);
    bad.client_secret = Secret::Literal("wrong".into()).resolve().unwrap();
    let err = Client::new(bad).unwrap().users().await.unwrap_err();
    assert!(
        matches!(err, TimrError::Unauthorized(ref m) if m.contains("invalid_client")),
        "{err}"
    );
}

#[tokio::test]
async fn a_second_lock_is_refused_in_either_error_shape() {
    for shape in [ErrorShape::Spec, ErrorShape::Problem] {
        let (sim, client, _, ids) = setup(1);
        sim.set_config(|c| c.error_shape = shape);
        client.lock(&ids[0]).await.unwrap();
        assert_eq!(
            sim.working_time(&ids[0]).unwrap().status,
            WorkingTimeStatus::Locked
        );
        let err = client.lock(&ids[0]).await.unwrap_err();
        let TimrError::Refused(message) = &err else {
            panic!("{shape:?}: {err:?}");
        };
        assert!(
            message.starts_with("timr lock working time: HTTP 403: "),
            "{message}"
        );
        match shape {
            ErrorShape::Spec => assert!(message.ends_with("(E0403)"), "{message}"),
            ErrorShape::Problem => assert!(message.contains("Forbidden: "), "{message}"),
        }
        let missing = client.lock("no-such-id").await.unwrap_err();
        assert!(matches!(missing, TimrError::NotFound(_)), "{missing:?}");
        sim.inject(Fault::Status {
            route: Route::Users,
            status: 400,
            times: 1,
        });
        let err = client.users().await.unwrap_err();
        assert!(
            matches!(&err, TimrError::Rejected { status: 400, message } if message.contains("timr users") && message.contains("Injected failure")),
            "{err:?}"
        );
    }
    // timr may refuse with 400 instead of 403: still a refusal of the lock.
    let (sim, client, _, ids) = setup(1);
    sim.set_config(|c| c.refuse_status = 400);
    client.lock(&ids[0]).await.unwrap();
    assert!(matches!(
        client.lock(&ids[0]).await,
        Err(TimrError::Refused(_))
    ));
}

#[tokio::test]
async fn reads_survive_server_errors_drops_and_rate_limits() {
    let (sim, client, _, _) = setup(2);
    sim.set_config(|c| c.retry_after = Some(1));
    sim.inject(Fault::Status {
        route: Route::ListWorkingTimes,
        status: 503,
        times: 1,
    });
    sim.inject(Fault::Drop {
        route: Route::ListWorkingTimes,
        times: 1,
    });
    sim.inject(Fault::RateLimited {
        route: Route::ListWorkingTimes,
        times: 1,
    });
    let started = Instant::now();
    let times = client.working_times(&Query::default()).await.unwrap();
    assert_eq!(times.len(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    let stats = sim.stats();
    assert_eq!(stats.count(Route::ListWorkingTimes), 4);
    assert_eq!(stats.rate_limited, 1);
    // Out of attempts, a read reports the outage, not a write that might have happened.
    sim.inject(Fault::Status {
        route: Route::Users,
        status: 502,
        times: 4,
    });
    let err = client.users().await.unwrap_err();
    assert!(
        matches!(
            err,
            TimrError::Unavailable {
                maybe_applied: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_lock_whose_answer_is_lost_is_reported_as_maybe_applied() {
    let (sim, client, _, ids) = setup(1);
    sim.inject(Fault::ApplyThenDrop {
        route: Route::PatchWorkingTime,
        times: 1,
    });
    let err = client.lock(&ids[0]).await.unwrap_err();
    assert!(err.maybe_applied(), "{err:?}");
    assert!(err.to_string().contains("timr lock working time"), "{err}");
    // Not sent again: the caller decides after reading the entry.
    assert_eq!(sim.stats().count(Route::PatchWorkingTime), 1);
    assert_eq!(
        sim.working_time(&ids[0]).unwrap().status,
        WorkingTimeStatus::Locked
    );
    // A 5xx on the write is just as uncertain.
    let (sim, client, _, ids) = setup(1);
    sim.inject(Fault::Status {
        route: Route::PatchWorkingTime,
        status: 500,
        times: 1,
    });
    assert!(client.lock(&ids[0]).await.unwrap_err().maybe_applied());
    assert_eq!(sim.stats().count(Route::PatchWorkingTime), 1);
}
