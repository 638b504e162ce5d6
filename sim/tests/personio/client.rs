//! The Personio side of the test client: the simulator's base URL, its token form and its
//! request bodies, on top of the shared raw exchange in `wire`.

use std::io;

use chrono::NaiveDateTime;
use serde_json::Value;
use zeitpost_sim::personio::{PersonioConfig, PersonioSim};

use crate::bearer::bearer_call;
pub use crate::wire::Resp;
use crate::wire::exchange;

impl Resp {
    /// The first error title of a v2 problem body.
    pub fn title(&self) -> String {
        self.json()["errors"][0]["title"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Whether a request without a body still says `Content-Length: 0`: only the writes do.
fn announces_empty_body(method: &str) -> bool {
    matches!(method, "POST" | "PATCH" | "PUT")
}

/// The absolute URL of `target`, a path or an absolute URL on the simulator at `base`.
fn url_on(base: &str, target: &str) -> String {
    let path = target.strip_prefix(base).unwrap_or(target);
    assert!(
        path.starts_with('/'),
        "target not on the simulator: {target}"
    );
    format!("{base}{path}")
}

/// Sends one request on a fresh connection. `target` is a path or an absolute URL on the sim.
pub fn send(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> io::Result<Resp> {
    let url = url_on(base, target);
    exchange(method, &url, headers, body, announces_empty_body(method))
}

/// A simulator with default settings.
pub fn sim() -> PersonioSim {
    PersonioSim::start(PersonioConfig::default())
}

/// A simulator with one person, Anna, and a token: the start of most write tests.
pub fn with_anna() -> (PersonioSim, String, String) {
    let sim = sim();
    let person = sim.add_person("anna@example.com", "Anna", "Muster");
    let tok = token(&sim);
    (sim, person, tok)
}

/// Form body of a token request.
pub fn token_form(cfg: &PersonioConfig) -> String {
    format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        cfg.client_id, cfg.client_secret
    )
}

/// A token request with the simulator's own credentials, whatever the answer.
pub fn token_request(sim: &PersonioSim) -> io::Result<Resp> {
    send(
        &sim.base_url(),
        "POST",
        "/v2/auth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(&token_form(&sim.config())),
    )
}

/// A fresh access token.
pub fn token(sim: &PersonioSim) -> String {
    let r = token_request(sim).expect("token request");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// An authenticated request; the body, if any, is JSON.
pub fn call(
    sim: &PersonioSim,
    token: &str,
    method: &str,
    target: &str,
    body: Option<&Value>,
) -> Resp {
    try_call(sim, token, method, target, body).expect("request")
}

pub fn try_call(
    sim: &PersonioSim,
    token: &str,
    method: &str,
    target: &str,
    body: Option<&Value>,
) -> io::Result<Resp> {
    let url = url_on(&sim.base_url(), target);
    bearer_call(method, &url, token, body, announces_empty_body(method))
}

/// `2026-03-03T08:00:00` → a local date-time.
pub fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").expect("date-time")
}

/// A create body.
pub fn period_body(person: &str, kind: &str, start: &str, end: Option<&str>) -> Value {
    let mut v = serde_json::json!({
        "person": { "id": person },
        "type": kind,
        "start": { "date_time": start },
        "comment": "imported",
    });
    if let Some(e) = end {
        v["end"] = serde_json::json!({ "date_time": e });
    }
    v
}

/// The create body of a plain working morning, 2026-03-03 08:00–12:00.
pub fn morning_work(person: &str) -> Value {
    period_body(
        person,
        "WORK",
        "2026-03-03T08:00:00",
        Some("2026-03-03T12:00:00"),
    )
}
