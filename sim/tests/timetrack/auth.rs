//! Both credential headers on every request; a regenerated secret locks the old one out.

use serde_json::json;
use zeitpost_sim::timetrack::{ErrorShape, Route, TimeTrackConfig};

use crate::http::{send, world};

#[test]
fn both_headers_are_required() {
    let w = world(TimeTrackConfig::default());
    let url = format!("{}users", w.sim.base_url());
    let none = send("GET", &url, &[], None).unwrap();
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["error"], "unauthorized");
    let key_only = send("GET", &url, &[("X-TimeTrack-Api-Key", "sim-key")], None).unwrap();
    assert_eq!(key_only.status, 401);
    let wrong = send(
        "GET",
        &url,
        &[
            ("X-TimeTrack-Api-Key", "sim-key"),
            ("X-TimeTrack-Api-Secret", "guess"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(wrong.status, 401);
    // Header names are case-insensitive, and the docs' `-d '{}'` on a GET is tolerated.
    let ok = send(
        "GET",
        &url,
        &[
            ("x-timetrack-api-key", "sim-key"),
            ("X-TIMETRACK-API-SECRET", "sim-secret"),
        ],
        Some("{}"),
    )
    .unwrap();
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.items().len(), 1);
    assert_eq!(w.sim.stats().count_status(Route::Users, 401), 3);
}

#[test]
fn a_rotated_secret_refuses_the_old_one() {
    let w = world(TimeTrackConfig {
        error_shape: ErrorShape::PlainText,
        ..TimeTrackConfig::default()
    });
    assert_eq!(w.get("users").status, 200);
    let url = format!("{}users", w.sim.base_url());
    w.sim.rotate_secret("fresh");
    let old = send(
        "GET",
        &url,
        &[
            ("X-TimeTrack-Api-Key", "sim-key"),
            ("X-TimeTrack-Api-Secret", "sim-secret"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(old.status, 401);
    assert!(old.body.contains("X-TimeTrack-Api-Secret"), "{}", old.body);
    // `call` reads the current config, so it uses the new secret.
    assert_eq!(w.get("users").status, 200);
    // Writes are refused just the same, and apply nothing.
    let r = send(
        "POST",
        &format!("{}absences", w.sim.base_url()),
        &[("X-TimeTrack-Api-Key", "sim-key")],
        Some(&json!({"username": "hansm", "from": "2020-10-26", "to": "2020-10-28", "absenceType": 1}).to_string()),
    )
    .unwrap();
    assert_eq!(r.status, 401);
    assert!(w.sim.absences().is_empty());
}
