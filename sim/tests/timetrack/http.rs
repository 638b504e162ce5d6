//! The TimeTrack side of the test client: its API key headers and a small world to test in, on
//! top of the shared raw exchange in `wire`.

use std::io;

use serde_json::Value;
use zeitpost_sim::timetrack::{TimeTrackConfig, TimeTrackSim, User};

pub use crate::wire::Resp;
use crate::wire::exchange;

impl Resp {
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
    exchange(method, url, headers, body, true)
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
