//! Token endpoint, bearer check and expiry.

use std::time::Duration;

use zeitpost_sim::timr::{Route, TimrConfig};

use crate::client::{token_request, world};

#[test]
fn token_is_a_uuid_and_opens_the_api() {
    let w = world(TimrConfig::default());
    assert_eq!(w.tok.len(), 36, "bearer format uuid: {}", w.tok);
    let r = w.get("users");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"][0]["email"], "anna@example.com");
}

#[test]
fn token_endpoint_refuses_bad_requests() {
    let w = world(TimrConfig::default());
    let r = token_request(
        &w.sim,
        "grant_type=client_credentials&client_id=sim-client&client_secret=no",
    );
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let r = token_request(
        &w.sim,
        "grant_type=password&client_id=sim-client&client_secret=sim-secret",
    );
    assert_eq!(r.json()["error"], "unsupported_grant_type");
    let body = r#"{"grant_type":"client_credentials"}"#;
    let r = crate::client::send(
        "POST",
        &w.sim.token_url(),
        &[("Content-Type", "application/json")],
        Some(body),
    )
    .unwrap();
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[test]
fn missing_or_expired_token_is_401() {
    let w = world(TimrConfig {
        token_ttl: Duration::from_millis(300),
        ..TimrConfig::default()
    });
    let r = crate::client::send("GET", &format!("{}users", w.sim.base_url()), &[], None).unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(w.get("users").status, 200);
    std::thread::sleep(Duration::from_millis(400));
    let r = w.get("users");
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer"))
    );
    let fresh = crate::client::token(&w.sim);
    assert_eq!(
        crate::client::call(&w.sim, &fresh, "GET", "users", None).status,
        200
    );
    w.sim.expire_tokens();
    assert_eq!(
        crate::client::call(&w.sim, &fresh, "GET", "users", None).status,
        401
    );
    assert_eq!(w.sim.stats().count_status(Route::Users, 401), 3);
}
