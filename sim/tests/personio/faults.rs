//! Injected faults, above all the lost answer after an applied write.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use zeitpost_sim::personio::{Fault, PersonioSim, Route};

use crate::client::{call, morning_work, period_body, sim, token, try_call, with_anna};

/// Sends a create by hand and returns every byte that came back.
fn raw_create(sim: &PersonioSim, tok: &str, body: &str) -> std::io::Result<Vec<u8>> {
    let authority = sim.base_url().trim_start_matches("http://").to_owned();
    let mut s = TcpStream::connect(&authority)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    let req = format!(
        "POST /v2/attendance-periods?skip_approval=true HTTP/1.1\r\nHost: {authority}\r\n\
         Authorization: Bearer {tok}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes())?;
    let mut got = Vec::new();
    s.read_to_end(&mut got)?;
    Ok(got)
}

#[test]
fn apply_then_drop_applies_but_never_answers() {
    let (sim, person, tok) = with_anna();
    sim.inject(Fault::ApplyThenDrop {
        route: Route::CreatePeriod,
        times: 1,
    });
    let body = morning_work(&person);
    let started = Instant::now();
    // The connection is closed (EOF or reset), with not one byte of answer.
    match raw_create(&sim, &tok, &body.to_string()) {
        Ok(bytes) => assert!(
            bytes.is_empty(),
            "got {:?}",
            String::from_utf8_lossy(&bytes)
        ),
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            ),
            "{e}"
        ),
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "closed, not timed out"
    );
    let periods = sim.periods();
    assert_eq!(periods.len(), 1);
    assert_eq!(periods[0].approval, "CONFIRMED");
    let log = sim.requests();
    let create = log.iter().find(|r| r.route == Route::CreatePeriod).unwrap();
    assert!(create.dropped && create.applied_write);
    assert_eq!(create.status, 201);
    let stats = sim.stats();
    assert_eq!((stats.dropped, stats.writes), (1, 1));
    // The fault is used up: a retry gets an answer (here: the overlap with its own first try).
    let r = call(&sim, &tok, "POST", "/v2/attendance-periods", Some(&body));
    assert_eq!(r.status, 422);
}

#[test]
fn drop_applies_nothing() {
    let (sim, person, tok) = with_anna();
    sim.inject(Fault::Drop {
        route: Route::CreatePeriod,
        times: 1,
    });
    let body = morning_work(&person);
    let err = try_call(&sim, &tok, "POST", "/v2/attendance-periods", Some(&body));
    assert!(err.is_err(), "{err:?}");
    assert!(sim.periods().is_empty());
    let rec = sim
        .requests()
        .into_iter()
        .find(|r| r.route == Route::CreatePeriod)
        .unwrap();
    assert_eq!(
        (rec.status, rec.dropped, rec.applied_write),
        (0, true, false)
    );
    assert_eq!(
        call(&sim, &tok, "POST", "/v2/attendance-periods", Some(&body)).status,
        201
    );
}

#[test]
fn status_fault_answers_without_applying() {
    let (sim, person, tok) = with_anna();
    sim.inject(Fault::Status {
        route: Route::CreatePeriod,
        status: 503,
        times: 2,
    });
    let body = period_body(&person, "WORK", "2026-03-03T08:00:00", None);
    for _ in 0..2 {
        let r = call(&sim, &tok, "POST", "/v2/attendance-periods", Some(&body));
        assert_eq!(r.status, 503);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert!(r.json()["personio_trace_id"].is_string());
    }
    assert!(sim.periods().is_empty());
    assert_eq!(
        call(&sim, &tok, "POST", "/v2/attendance-periods", Some(&body)).status,
        201
    );
    assert_eq!(sim.stats().count_status(Route::CreatePeriod, 503), 2);
}

#[test]
fn delay_fault_waits_then_answers() {
    let (sim, _, tok) = with_anna();
    sim.inject(Fault::Delay {
        route: Route::ListPeriods,
        delay: Duration::from_millis(400),
        times: 1,
    });
    let started = Instant::now();
    assert_eq!(
        call(&sim, &tok, "GET", "/v2/attendance-periods", None).status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(400));
    let started = Instant::now();
    assert_eq!(
        call(&sim, &tok, "GET", "/v2/attendance-periods", None).status,
        200
    );
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[test]
fn rate_limited_fault_on_any_route() {
    let (sim, _, tok) = with_anna();
    sim.inject(Fault::RateLimited {
        route: Route::Any,
        times: 1,
    });
    let r = call(&sim, &tok, "GET", "/v2/persons", None);
    assert_eq!(r.status, 429);
    assert!(r.header("x-ratelimit-remaining").is_some());
    assert!(r.header("x-ratelimit-burst-capacity").is_some());
    assert_eq!(r.header("retry-after"), None);
    assert_eq!(call(&sim, &tok, "GET", "/v2/persons", None).status, 200);
    assert_eq!(sim.stats().rate_limited, 1);
}

#[test]
fn faults_on_the_token_route() {
    let sim = sim();
    sim.inject(Fault::Status {
        route: Route::Token,
        status: 500,
        times: 1,
    });
    let r = crate::client::token_request(&sim).unwrap();
    assert_eq!(r.status, 500);
    token(&sim);
}

#[tokio::test]
async fn starts_and_stops_inside_an_async_runtime() {
    let sim = sim();
    let base = sim.base_url();
    let status = tokio::task::spawn_blocking(move || {
        let form = "grant_type=client_credentials&client_id=sim-client&client_secret=sim-secret";
        let ct = [("Content-Type", "application/x-www-form-urlencoded")];
        crate::client::send(&base, "POST", "/v2/auth/token", &ct, Some(form)).map(|r| r.status)
    })
    .await
    .expect("join");
    assert_eq!(status.expect("request"), 200);
    drop(sim);
}
