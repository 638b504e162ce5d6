//! A minimal HTTP/1.1 client over `std::net::TcpStream`, so tests see exactly what went over
//! the wire, including a connection closed without a byte of answer.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;
use zeitpost_sim::timetrack::{TimeTrackConfig, TimeTrackSim, User};

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

    /// The answer as an array, with its length.
    pub fn items(&self) -> Vec<Value> {
        match self.json() {
            Value::Array(v) => v,
            other => panic!("not a bare array: {other}"),
        }
    }
}

/// Sends one request on a fresh connection; `url` is absolute.
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

/// A simulator with one user, `hansm`, and the default credentials.
pub struct World {
    pub sim: TimeTrackSim,
    pub hans: u64,
}

pub fn world(config: TimeTrackConfig) -> World {
    let sim = TimeTrackSim::start(config);
    let hans = sim.add_user(User::new("hansm", "Hans", "Muster", "hans@example.com"));
    World { sim, hans }
}

impl World {
    /// An authenticated request; `rel` is relative to the base URL, with its query.
    pub fn try_call(&self, method: &str, rel: &str, body: Option<&Value>) -> io::Result<Resp> {
        let cfg = self.sim.config();
        let body = body.map(Value::to_string);
        send(
            method,
            &format!("{}{rel}", self.sim.base_url()),
            &[
                ("X-TimeTrack-Api-Key", &cfg.api_key),
                ("X-TimeTrack-Api-Secret", &cfg.api_secret),
                ("Content-Type", "application/json"),
            ],
            body.as_deref(),
        )
    }

    pub fn call(&self, method: &str, rel: &str, body: Option<&Value>) -> Resp {
        self.try_call(method, rel, body)
            .unwrap_or_else(|e| panic!("{method} {rel}: {e}"))
    }

    pub fn get(&self, rel: &str) -> Resp {
        self.call("GET", rel, None)
    }
}
