//! The switches of the timr simulator.
//!
//! `sources.md` §3 leaves some behaviour open (the error body, the status of a refused change to
//! a locked entry, `Retry-After`). Each open point is a field here, so tests can run a client
//! against every plausible answer instead of the one the simulator happened to pick.

use std::time::Duration;

/// The body of every API error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// `application/json` `{"code": "E0400", "message": "…"}`: the `Error` schema of spec 0.2.14.
    Spec,
    /// `application/problem+json` `{"type","title","status","detail","errors":[{"field","detail"}]}`,
    /// the RFC 9457 shape a newer client parses (`sources.md` §3.1, **M-L**).
    Problem,
}

/// How the simulated timr behaves. Change it mid-test with `TimrSim::set_config`.
#[derive(Debug, Clone)]
pub struct TimrConfig {
    /// The only client id the token endpoint accepts.
    pub client_id: String,
    /// The secret that goes with `client_id`.
    pub client_secret: String,
    /// Lifetime of an access token (real time), announced as `expires_in`.
    pub token_ttl: Duration,
    /// `false`: the token body has no `expires_in` (the SDK then assumes 3600 s).
    pub expires_in_field: bool,
    /// The error body of API routes (the token endpoint always answers in the OAuth2 shape).
    pub error_shape: ErrorShape,
    /// Status of a PATCH or DELETE on an entry that is no longer changeable (`sources.md` §3.5:
    /// "expect 400 or 403"; the spec lists 403 "not allowed" for both operations).
    pub refuse_status: u16,
    /// `Some(s)`: an injected 429 carries `Retry-After: s`. Rate limits are not documented.
    pub retry_after: Option<u64>,
}

impl Default for TimrConfig {
    fn default() -> Self {
        TimrConfig {
            client_id: "sim-client".to_owned(),
            client_secret: "sim-secret".to_owned(),
            token_ttl: Duration::from_secs(3600),
            expires_in_field: true,
            error_shape: ErrorShape::Spec,
            refuse_status: 403,
            retry_after: None,
        }
    }
}
