//! A minimal HTTP/1.1 client over `std::net::TcpStream`.
//!
//! Raw sockets show exactly what went over the wire, including an unencoded `+` in a query and a
//! connection closed without a byte of answer.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;
use zeitpost_sim::timr::{Category, TimrConfig, TimrSim, User, WorkingTime};

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
}

/// Sends one request on a fresh connection; `url` is absolute and on the simulator.
pub fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> io::Result<Resp> {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (authority, path) = rest.split_at(rest.find('/').expect("path"));
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no answer"))?;
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

/// Requests a token with the given form body.
pub fn token_request(sim: &TimrSim, form: &str) -> Resp {
    send(
        "POST",
        &sim.token_url(),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(form),
    )
    .expect("token request")
}

/// A fresh access token.
pub fn token(sim: &TimrSim) -> String {
    let cfg = sim.config();
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=timrclient%20openid",
        cfg.client_id, cfg.client_secret
    );
    let r = token_request(sim, &form);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// An authenticated request; `rel` is relative to the base URL (`users?limit=2`).
pub fn call(sim: &TimrSim, tok: &str, method: &str, rel: &str, body: Option<&Value>) -> Resp {
    try_call(sim, tok, method, rel, body).expect("request")
}

pub fn try_call(
    sim: &TimrSim,
    tok: &str,
    method: &str,
    rel: &str,
    body: Option<&Value>,
) -> io::Result<Resp> {
    let auth = format!("Bearer {tok}");
    let mut headers = vec![("Authorization", auth.as_str())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let text = body.map(Value::to_string);
    send(
        method,
        &format!("{}{rel}", sim.base_url()),
        &headers,
        text.as_deref(),
    )
}

/// A simulator with one user, one attendance type and a token.
pub struct World {
    pub sim: TimrSim,
    pub user: String,
    pub work: String,
    pub tok: String,
}

pub fn world(config: TimrConfig) -> World {
    let sim = TimrSim::start(config);
    let user = sim.add_user(User::new("Anna", "Muster", "anna@example.com").employee_number("7"));
    let work = sim.add_working_time_type(
        "Bürozeit",
        Some("BZ"),
        Some("office"),
        Category::AttendanceTime,
    );
    let tok = token(&sim);
    World {
        sim,
        user,
        work,
        tok,
    }
}

impl World {
    /// Adds a finished, changeable entry on `day` (`2026-03-03`), 08:00–16:00 in +01:00.
    pub fn entry(&self, day: &str) -> String {
        self.sim.add_working_time(WorkingTime::new(
            &self.user,
            &self.work,
            &format!("{day}T08:00:00+01:00"),
            Some(&format!("{day}T16:00:00+01:00")),
        ))
    }

    pub fn get(&self, rel: &str) -> Resp {
        call(&self.sim, &self.tok, "GET", rel, None)
    }
}
