//! Token endpoint, bearer checks, scopes and identification headers.

use std::time::Duration;

use zeitpost_sim::personio::{PersonioConfig, PersonioSim, Route, SCOPE_PERSONS_READ};

use crate::client::{call, send, sim, token, token_form, token_request};

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

#[test]
fn issues_a_bearer_token_that_opens_the_api() {
    let sim = sim();
    let r = token_request(&sim).unwrap();
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86_400);
    let scope = body["scope"].as_str().unwrap();
    assert!(scope.contains("personio:attendances:write"), "{scope}");
    let tok = body["access_token"].as_str().unwrap();
    assert_eq!(call(&sim, tok, "GET", "/v2/persons", None).status, 200);
    assert_eq!(sim.stats().count_status(Route::Token, 200), 1);
}

#[test]
fn token_body_can_lack_expires_in() {
    let sim = PersonioSim::start(PersonioConfig {
        expires_in_field: false,
        ..PersonioConfig::default()
    });
    let r = token_request(&sim).unwrap();
    assert_eq!(r.status, 200);
    assert!(r.json().get("expires_in").is_none(), "{}", r.body);
}

#[test]
fn token_request_errors_use_the_oauth_shape() {
    let sim = sim();
    let base = sim.base_url();
    let good = token_form(&sim.config());
    let post = |headers: &[(&str, &str)], body: &str| {
        send(&base, "POST", "/v2/auth/token", headers, Some(body)).unwrap()
    };
    let json_body = post(&[("Content-Type", "application/json")], "{}");
    assert_eq!(
        (json_body.status, json_body.json()["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let grant = post(&[FORM], &good.replace("client_credentials", "password"));
    assert_eq!(grant.json()["error"], "unsupported_grant_type");
    let secret = post(&[FORM], &good.replace("sim-secret", "nope"));
    assert_eq!(
        (secret.status, secret.json()["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    let id = post(&[FORM], &good.replace("sim-client", "nope"));
    assert_eq!(id.json()["error"], "invalid_client");
    let scope = post(&[FORM], &format!("{good}&scope=personio%3Aprojects%3Aread"));
    assert_eq!(scope.json()["error"], "invalid_scope");
    assert!(post(&[FORM], "client_id=x").json()["error_description"].is_string());

    sim.set_config(|c| c.bad_credentials_status = 401);
    assert_eq!(
        post(&[FORM], &good.replace("sim-secret", "nope")).status,
        401
    );

    assert_eq!(
        post(&[FORM, ("Accept", "application/json")], &good).status,
        200
    );
    sim.set_config(|c| c.reject_accept_json_on_token = true);
    assert_eq!(
        post(&[FORM, ("Accept", "application/json")], &good).status,
        400
    );
    assert_eq!(post(&[FORM], &good).status, 200);
}

#[test]
fn expired_missing_and_revoked_tokens_get_401() {
    let sim = PersonioSim::start(PersonioConfig {
        token_ttl: Duration::from_millis(800),
        ..PersonioConfig::default()
    });
    let tok = token(&sim);
    assert_eq!(call(&sim, &tok, "GET", "/v2/persons", None).status, 200);
    std::thread::sleep(Duration::from_millis(1_000));
    let r = call(&sim, &tok, "GET", "/v2/persons", None);
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let body = r.json();
    assert!(body["personio_trace_id"].is_string() && body["timestamp"].is_string());

    let none = send(&sim.base_url(), "GET", "/v2/persons", &[], None).unwrap();
    assert_eq!(none.status, 401);

    sim.set_config(|c| c.token_ttl = Duration::from_secs(3_600));
    let fresh = token(&sim);
    assert_eq!(
        call(&sim, &fresh, "GET", "/v2/attendance-periods", None).status,
        200
    );
    sim.expire_tokens();
    assert_eq!(
        call(&sim, &fresh, "GET", "/v2/attendance-periods", None).status,
        401
    );
    assert_eq!(
        call(&sim, "made-up", "GET", "/v2/persons", None).status,
        401
    );
}

#[test]
fn missing_scope_is_403() {
    let sim = sim();
    let base = sim.base_url();
    let form = format!("{}&scope={}", token_form(&sim.config()), SCOPE_PERSONS_READ);
    let r = send(&base, "POST", "/v2/auth/token", &[FORM], Some(&form)).unwrap();
    let narrow = r.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(call(&sim, &narrow, "GET", "/v2/persons", None).status, 200);
    let denied = call(&sim, &narrow, "GET", "/v2/attendance-periods", None);
    assert_eq!(denied.status, 403);
    assert_eq!(denied.title(), "Insufficient access scope");

    let full = token(&sim);
    sim.set_config(|c| c.scopes.retain(|s| !s.ends_with(":write")));
    let body = crate::client::period_body("1001", "WORK", "2026-03-03T08:00:00", None);
    assert_eq!(
        call(&sim, &full, "POST", "/v2/attendance-periods", Some(&body)).status,
        403
    );
}

#[test]
fn identification_headers_are_logged_in_both_spellings() {
    let sim = sim();
    let tok = token(&sim);
    let auth = format!("Bearer {tok}");
    let base = sim.base_url();
    let prefixed = [
        ("Authorization", auth.as_str()),
        ("X-Personio-Partner-ID", "ACME"),
        ("X-Personio-App-ID", "ZEITPOST"),
    ];
    send(&base, "GET", "/v2/persons", &prefixed, None).unwrap();
    let bare = [
        ("Authorization", auth.as_str()),
        ("Personio-Partner-ID", "ACME2"),
        ("Personio-App-ID", "ZEITPOST2"),
    ];
    send(&base, "GET", "/v2/persons", &bare, None).unwrap();
    let log = sim.requests();
    let persons: Vec<_> = log.iter().filter(|r| r.route == Route::Persons).collect();
    assert_eq!(persons[0].partner_id.as_deref(), Some("ACME"));
    assert_eq!(persons[0].app_id.as_deref(), Some("ZEITPOST"));
    assert_eq!(persons[1].partner_id.as_deref(), Some("ACME2"));
    assert_eq!(persons[1].header("Personio-App-ID"), Some("ZEITPOST2"));
}
