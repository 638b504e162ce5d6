//! Injected faults, above all a write that is applied but never answered, and the optional
//! rate limit.

use std::time::{Duration, Instant};

use serde_json::json;
use zeitpost_sim::timetrack::{Fault, Route, TimeTrackConfig};

use crate::http::world;

#[test]
fn apply_then_drop_stores_without_answer() {
    let w = world(TimeTrackConfig::default());
    w.sim.inject(Fault::ApplyThenDrop {
        route: Route::CreateAttendance,
        times: 1,
    });
    let body =
        json!({"username": "hansm", "from": "2020-10-20T08:00:00Z", "to": "2020-10-20T09:00:00Z"});
    assert!(w.try_call("POST", "attendances", Some(&body)).is_err());
    assert_eq!(w.sim.attendances().len(), 1);
    let last = w.sim.requests().pop().unwrap();
    assert!(last.dropped && last.applied_write);
    // The repeat meets the entry it already made.
    assert_eq!(w.call("POST", "attendances", Some(&body)).status, 409);
}

#[test]
fn drop_applies_nothing() {
    let w = world(TimeTrackConfig::default());
    w.sim.inject(Fault::Drop {
        route: Route::Any,
        times: 1,
    });
    let body = json!({"username": "hansm", "from": "2020-10-20T08:00:00Z"});
    assert!(w.try_call("POST", "attendances", Some(&body)).is_err());
    assert!(w.sim.attendances().is_empty());
    let s = w.sim.stats();
    assert_eq!(
        (
            s.dropped,
            s.writes,
            s.count_status(Route::CreateAttendance, 0)
        ),
        (1, 0, 1)
    );
}

#[test]
fn status_rate_limited_and_delay() {
    let w = world(TimeTrackConfig {
        retry_after: Some(2),
        ..TimeTrackConfig::default()
    });
    w.sim.inject(Fault::Status {
        route: Route::Attendances,
        status: 503,
        times: 1,
    });
    w.sim.inject(Fault::RateLimited {
        route: Route::Users,
        times: 2,
    });
    w.sim.inject(Fault::Delay {
        route: Route::Absences,
        delay: Duration::from_millis(300),
        times: 1,
    });
    let r = w.get("attendances");
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (503, Some("injected"))
    );
    assert_eq!(w.get("attendances").status, 200);
    for _ in 0..2 {
        let r = w.get("users");
        assert_eq!((r.status, r.header("retry-after")), (429, Some("2")));
    }
    assert_eq!(w.get("users").status, 200);
    let t = Instant::now();
    assert_eq!(w.get("absences").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(w.sim.stats().rate_limited, 2);
}

#[test]
fn the_optional_rate_limit_refuses_bursts() {
    let w = world(TimeTrackConfig {
        rate_limit: Some(3),
        retry_after: Some(1),
        ..TimeTrackConfig::default()
    });
    let statuses: Vec<u16> = (0..5).map(|_| w.get("users").status).collect();
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    std::thread::sleep(Duration::from_millis(1050));
    assert_eq!(w.get("users").status, 200);
}
