//! The timr side of the test client: token requests, URLs relative to the API base and a small
//! world to test in, on top of the shared raw exchange in `wire`, which shows exactly what went
//! over the wire, down to an unencoded `+` in a query.

use std::io;

use serde_json::Value;
use zeitpost_sim::timr::{Category, TimrConfig, TimrSim, User, WorkingTime};

use crate::bearer::bearer_call;
pub use crate::wire::Resp;
use crate::wire::exchange;

/// Sends one request on a fresh connection; `url` is absolute and on the simulator.
pub fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> io::Result<Resp> {
    exchange(method, url, headers, body, true)
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
    bearer_call(method, &format!("{}{rel}", sim.base_url()), tok, body, true)
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
        self.call("GET", rel, None)
    }

    /// An authenticated request with the world's own token.
    pub fn call(&self, method: &str, rel: &str, body: Option<&Value>) -> Resp {
        call(&self.sim, &self.tok, method, rel, body)
    }

    pub fn try_call(&self, method: &str, rel: &str, body: Option<&Value>) -> io::Result<Resp> {
        try_call(&self.sim, &self.tok, method, rel, body)
    }

    /// A PATCH of one working time, the route that locks an entry.
    pub fn patch_entry(&self, id: &str, body: &Value) -> Resp {
        self.call("PATCH", &format!("working-times/{id}"), Some(body))
    }

    /// A PATCH of one working time that may go unanswered.
    pub fn try_patch_entry(&self, id: &str, body: &Value) -> io::Result<Resp> {
        self.try_call("PATCH", &format!("working-times/{id}"), Some(body))
    }

    pub fn delete_entry(&self, id: &str) -> Resp {
        self.call("DELETE", &format!("working-times/{id}"), None)
    }
}
