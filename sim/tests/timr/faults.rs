//! Injected faults, above all a lock that is applied but never answered.

use std::time::{Duration, Instant};

use serde_json::json;
use zeitpost_sim::timr::{ErrorShape, Fault, Route, TimrConfig, WorkingTimeStatus};

use crate::client::world;

#[test]
fn apply_then_drop_locks_without_answer() {
    let w = world(TimrConfig::default());
    let id = w.entry("2026-03-03");
    w.sim.inject(Fault::ApplyThenDrop {
        route: Route::PatchWorkingTime,
        times: 1,
    });
    let body = json!({"status": "locked"});
    let got = w.try_patch_entry(&id, &body);
    assert!(got.is_err(), "expected no answer, got {got:?}");
    assert_eq!(
        w.sim.working_time(&id).unwrap().status,
        WorkingTimeStatus::Locked
    );
    let log = w.sim.requests();
    let last = log.last().unwrap();
    assert!(last.dropped && last.applied_write);
    assert_eq!(last.status, 200);
    // The retry meets the refusal a client must read as "already done".
    let r = w.patch_entry(&id, &body);
    assert_eq!(r.status, 403);
}

#[test]
fn drop_applies_nothing() {
    let w = world(TimrConfig::default());
    let id = w.entry("2026-03-03");
    w.sim.inject(Fault::Drop {
        route: Route::Any,
        times: 1,
    });
    let body = json!({"status": "locked"});
    assert!(w.try_patch_entry(&id, &body).is_err());
    assert_eq!(
        w.sim.working_time(&id).unwrap().status,
        WorkingTimeStatus::Changeable
    );
    let s = w.sim.stats();
    assert_eq!(
        (
            s.dropped,
            s.writes,
            s.count_status(Route::PatchWorkingTime, 0)
        ),
        (1, 0, 1)
    );
}

#[test]
fn status_rate_limit_and_delay() {
    let w = world(TimrConfig {
        retry_after: Some(2),
        error_shape: ErrorShape::Problem,
        ..TimrConfig::default()
    });
    w.sim.inject(Fault::Status {
        route: Route::ListWorkingTimes,
        status: 503,
        times: 1,
    });
    w.sim.inject(Fault::RateLimited {
        route: Route::Users,
        times: 2,
    });
    w.sim.inject(Fault::Delay {
        route: Route::WorkingTimeTypes,
        delay: Duration::from_millis(300),
        times: 1,
    });
    let r = w.get("working-times");
    assert_eq!((r.status, r.json()["status"].as_u64()), (503, Some(503)));
    assert_eq!(w.get("working-times").status, 200);
    for _ in 0..2 {
        let r = w.get("users");
        assert_eq!((r.status, r.header("retry-after")), (429, Some("2")));
    }
    assert_eq!(w.get("users").status, 200);
    let t = Instant::now();
    assert_eq!(w.get("working-time-types").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(w.sim.stats().rate_limited, 2);
}

#[test]
fn token_route_can_fail_too() {
    let w = world(TimrConfig::default());
    w.sim.inject(Fault::Status {
        route: Route::Token,
        status: 500,
        times: 1,
    });
    let form = "grant_type=client_credentials&client_id=sim-client&client_secret=sim-secret";
    assert_eq!(crate::client::token_request(&w.sim, form).status, 500);
    assert_eq!(crate::client::token_request(&w.sim, form).status, 200);
}
