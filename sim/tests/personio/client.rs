//! A minimal HTTP/1.1 client over `std::net::TcpStream`.
//!
//! Raw sockets let the tests see exactly what went over the wire, including a connection that
//! was closed without a single byte of answer.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde_json::Value;
use zeitpost_sim::personio::{PersonioConfig, PersonioSim};

/// A parsed answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The first error title of a v2 problem body.
    pub fn title(&self) -> String {
        self.json()["errors"][0]["title"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Sends one request on a fresh connection. `target` is a path or an absolute URL on the sim.
pub fn send(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> io::Result<Resp> {
    let authority = base.trim_start_matches("http://");
    let path = match target.strip_prefix(base) {
        Some(rest) => rest,
        None => target,
    };
    assert!(
        path.starts_with('/'),
        "target not on the simulator: {target}"
    );
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || matches!(method, "POST" | "PATCH" | "PUT") {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw)
}

fn parse(raw: &[u8]) -> io::Result<Resp> {
    let text = String::from_utf8_lossy(raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("incomplete answer ({} bytes)", raw.len()),
        ));
    };
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad status line"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Resp {
        status,
        headers,
        body: body.to_owned(),
    })
}

/// A simulator with default settings.
pub fn sim() -> PersonioSim {
    PersonioSim::start(PersonioConfig::default())
}

/// Form body of a token request.
pub fn token_form(cfg: &PersonioConfig) -> String {
    format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        cfg.client_id, cfg.client_secret
    )
}

/// A fresh access token.
pub fn token(sim: &PersonioSim) -> String {
    let r = send(
        &sim.base_url(),
        "POST",
        "/v2/auth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(&token_form(&sim.config())),
    )
    .expect("token request");
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
    let auth = format!("Bearer {token}");
    let mut headers = vec![("Authorization", auth.as_str())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let text = body.map(Value::to_string);
    send(&sim.base_url(), method, target, &headers, text.as_deref())
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
